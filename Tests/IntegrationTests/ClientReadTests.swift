import DatumJSON
import Foundation
import TestSupport
import Testing

/// The read commands of the real `datumctl` binary against a real `datumctl-sandbox`, over
/// HTTPS with a throwaway CA, through libcurl: outputs, errors, waiting and watching.
@Suite(.serialized) struct ClientReadTests {
    /// The seed's usage, verbatim: the server, token and CA come from the current context; the
    /// project from `--project`; `explain` has no project and reads the built-in schema.
    @Test func seedUsageWorksVerbatim() throws {
        try withSandbox { sandbox in
            try sandbox.create(
                ReadIT.policies, ReadIT.policy("secure-backend", labels: ["app": "secure-backend"]),
                project: "my-project")
            let config = """
                apiVersion: datumctl.config.datum.net/v1beta1
                kind: DatumctlConfig
                current-context: sandbox
                contexts:
                - name: sandbox
                  server: \(sandbox.url)
                  token: \(sandbox.adminToken)
                  certificate-authority: \(sandbox.certificates?.caPath ?? "")

                """
            try FileManager.default.createDirectory(atPath: sandbox.datumctlHome, withIntermediateDirectories: true)
            try config.write(toFile: sandbox.datumctlHome + "/config", atomically: true, encoding: .utf8)

            let get = try sandbox.datumctl(["get", "backendtlspolicies", "--project", "my-project"], connect: false)
            #expect(get.status == 0)
            #expect(get.stderr == "")
            #expect(maskAges(get.stdout) == "NAME             AGE\nsecure-backend <age>\n")

            let describe = try waitFor { () -> TestProcess.Output? in
                let out = try sandbox.datumctl(
                    ["describe", "backendtlspolicy", "secure-backend", "--project", "my-project"], connect: false)
                return out.stdout.contains("Reason:                InvalidCACertificateRef") ? out : nil
            }
            #expect(describe.status == 0)
            ReadIT.snapshot.expect(ReadIT.normalize(describe.stdout), matches: "seed-describe.txt")

            let explain = try sandbox.datumctl(["explain", "backendtlspolicies", "--recursive"], connect: false)
            #expect(explain.status == 0)
            #expect(explain.stderr.hasPrefix("note: no project selected; explaining the schema built into datumctl"))
            ReadIT.snapshot.expect(explain.stdout, matches: "explain-recursive.txt")
        }
    }

    @Test func getPrintsTablesObjectsAndErrors() throws {
        try withSandbox { sandbox in
            for (name, app) in [("b-policy", "web"), ("a-policy", "api"), ("c-policy", "web")] {
                try sandbox.create(ReadIT.policies, ReadIT.policy(name, labels: ["app": app]))
            }

            let table = try sandbox.datumctl(["get", "btlspolicy"])
            #expect(table.status == 0)
            #expect(maskAges(table.stdout) == "NAME       AGE\na-policy <age>\nb-policy <age>\nc-policy <age>\n")

            let labelled = try sandbox.datumctl([
                "get", "backendtlspolicies", "-l", "app=web", "-L", "app", "--sort-by", ".metadata.name",
            ])
            ReadIT.snapshot.expect(ReadIT.normalize(labelled.stdout), matches: "get-label-column.txt")

            let chunked = try sandbox.datumctl(["get", "btlspolicy", "--chunk-size", "1", "-o", "name"])
            #expect(
                chunked.stdout
                    == ["a", "b", "c"].map { "backendtlspolicy.gateway.networking.k8s.io/\($0)-policy\n" }.joined())

            let yaml = try sandbox.datumctl(["get", "btlspolicy", "a-policy", "-o", "yaml"])
            #expect(yaml.status == 0)
            ReadIT.snapshot.expect(ReadIT.normalize(yaml.stdout), matches: "get-a-policy.yaml")

            let list = try sandbox.datumctl(["get", "btlspolicy", "-l", "app=api", "-o", "json"])
            ReadIT.snapshot.expect(ReadIT.normalize(list.stdout), matches: "get-list-api.json")

            let path = try sandbox.datumctl([
                "get", "btlspolicy/c-policy", "-o", "jsonpath={.spec.validation.hostname}",
            ])
            #expect(path.stdout == "c-policy.example.com")

            let missing = try sandbox.datumctl(["get", "btlspolicy", "a-policy", "nope", "c-policy"])
            #expect(missing.status == 1)
            #expect(maskAges(missing.stdout) == "NAME       AGE\na-policy <age>\nc-policy <age>\n")
            #expect(
                missing.stderr
                    == "Error from server (NotFound): backendtlspolicies.gateway.networking.k8s.io \"nope\" not found\n"
            )

            let empty = try sandbox.datumctl(["get", "btlspolicy", "-l", "app=none"])
            #expect(empty.status == 0)
            #expect(empty.stdout == "")
            #expect(empty.stderr == "No resources found in default namespace.\n")

            try sandbox.create(
                "/api/v1/namespaces", #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"staging"}}"#)
            try sandbox.create(
                "/apis/gateway.networking.k8s.io/v1/namespaces/staging/backendtlspolicies", ReadIT.policy("d-policy"))
            let everywhere = try sandbox.datumctl(["get", "btlspolicy", "-A"])
            #expect(
                maskAges(everywhere.stdout)
                    == "NAMESPACE   NAME       AGE\ndefault     a-policy <age>\ndefault     b-policy <age>\ndefault     c-policy <age>\nstaging     d-policy <age>\n"
            )
            let otherNamespace = try sandbox.datumctl(["get", "btlspolicy", "a-policy", "-n", "nowhere"])
            #expect(otherNamespace.stderr == "Error from server (NotFound): namespaces \"nowhere\" not found\n")
        }
    }

    @Test func describeShowsStatusAndEvents() throws {
        try withSandbox { sandbox in
            let created = try sandbox.create(ReadIT.policies, ReadIT.policy("secure-backend"))
            let uid = created["metadata"]?["uid"]?.stringValue ?? ""
            try sandbox.create("/api/v1/namespaces/default/events", ReadIT.event(about: "secure-backend", uid: uid))
            // An event about another object with the same name must not show.
            try sandbox.create(
                "/api/v1/namespaces/default/events",
                ReadIT.event(about: "secure-backend", uid: "00000000-0000-0000-0000-000000000000", reason: "Stale"))

            let describe = try waitFor { () -> TestProcess.Output? in
                let out = try sandbox.datumctl(["describe", "btlspolicy", "secure-backend"])
                return out.stdout.contains("Reason:                InvalidCACertificateRef") ? out : nil
            }
            #expect(describe.status == 0)
            #expect(!describe.stdout.contains("Stale"))
            ReadIT.snapshot.expect(ReadIT.normalize(describe.stdout), matches: "describe-with-event.txt")

            let prefix = try sandbox.datumctl(["describe", "btlspolicy", "secure", "--show-events=false"])
            #expect(prefix.status == 0)
            #expect(prefix.stdout.hasPrefix("Name:         secure-backend\n"))
            #expect(prefix.stdout.hasSuffix("\n\n"))
        }
    }

    @Test func deleteWaitsAndReportsEveryObject() throws {
        try withSandbox { sandbox in
            for name in ["a", "b", "c"] { try sandbox.create(ReadIT.policies, ReadIT.policy(name)) }

            let dry = try sandbox.datumctl(["delete", "btlspolicy", "a", "--dry-run=server"])
            #expect(dry.stdout == "backendtlspolicy.gateway.networking.k8s.io \"a\" deleted (server dry run)\n")
            #expect(try sandbox.request("GET", ReadIT.policies + "/a").status == 200)

            let deleted = try sandbox.datumctl(["delete", "btlspolicy", "a", "missing", "b"])
            #expect(deleted.status == 1)
            #expect(
                deleted.stdout
                    == "backendtlspolicy.gateway.networking.k8s.io \"a\" deleted\nbackendtlspolicy.gateway.networking.k8s.io \"b\" deleted\n"
            )
            #expect(
                deleted.stderr
                    == "Error from server (NotFound): backendtlspolicies.gateway.networking.k8s.io \"missing\" not found\n"
            )
            #expect(try sandbox.request("GET", ReadIT.policies + "/a").status == 404)
            #expect(try sandbox.request("GET", ReadIT.policies + "/b").status == 404)

            let manifest = try TemporaryDirectory()
            let file = try manifest.write(
                "c.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata:\n  name: c\n")
            let byFile = try sandbox.datumctl(["delete", "-f", file])
            #expect(byFile.status == 0)
            #expect(byFile.stdout == "backendtlspolicy.gateway.networking.k8s.io \"c\" deleted\n")
            let again = try sandbox.datumctl(["delete", "-f", file])
            #expect(again.status == 1)
            #expect(
                again.stderr
                    == "Error from server (NotFound): error when deleting \"\(file)\": backendtlspolicies.gateway.networking.k8s.io \"c\" not found\n"
            )
            let none = try sandbox.datumctl(["delete", "btlspolicy", "--all"])
            #expect(none.stdout == "No resources found\n")
        }
    }

    /// `get -w` prints the list, then a row per change, until --request-timeout ends it (exit 0).
    @Test func watchPrintsARowPerChange() throws {
        try withSandbox { sandbox in
            try sandbox.create(ReadIT.policies, ReadIT.policy("existing"))
            let watch = try RunningProcess(
                ReadIT.datumctl, ["get", "btlspolicy", "-w", "--request-timeout=3s"] + sandbox.connectionFlags(),
                environment: sandbox.datumctlEnvironment())
            defer { watch.stop() }
            // The list is printed before the watch starts from its resourceVersion, so nothing
            // created after this point can be missed, however slowly the watch connects.
            #expect(watch.waitForOutput(containing: "existing", timeout: 20))
            try sandbox.create(ReadIT.policies, ReadIT.policy("added"))
            #expect(watch.waitForOutput(containing: "added", timeout: 20))
            #expect(try sandbox.request("DELETE", ReadIT.policies + "/added").status == 200)

            let result = watch.finish(timeout: 10)
            #expect(result.status == 0)
            #expect(result.stderr == "")
            let lines = maskAges(result.stdout).split(separator: "\n").map(String.init)
            #expect(lines.first == "NAME       AGE")
            #expect(lines.dropFirst().first == "existing <age>")
            // ADDED, then the status controller's update, then DELETED: one row each.
            #expect(lines.dropFirst(2).allSatisfy { $0 == "added <age>" }, "\(lines)")
            #expect(lines.count >= 4)
        }
    }

    @Test func apiResourcesAndVersionComeFromTheServer() throws {
        try withSandbox { sandbox in
            let resources = try sandbox.datumctl(["api-resources"])
            #expect(resources.status == 0)
            ReadIT.snapshot.expect(resources.stdout, matches: "api-resources.txt")
            let names = try sandbox.datumctl(["api-resources", "--api-group=gateway.networking.k8s.io", "-o", "name"])
            #expect(
                names.stdout == "backendtlspolicies.gateway.networking.k8s.io\nhttproutes.gateway.networking.k8s.io\n")

            let version = try sandbox.datumctl(["version"])
            #expect(version.stdout == "Client Version: v0.1.0\nServer Version: v1.32.4-datum-sandbox\n")
            let live = try sandbox.datumctl(["explain", "backendtlspolicies", "--recursive"])
            #expect(live.stderr == "")
            ReadIT.snapshot.expect(live.stdout, matches: "explain-recursive.txt")
        }
    }

    @Test func authenticationAuthorizationAndTLSFailures() throws {
        try withSandbox(tokens: "token-a a\ntoken-b b\n") { sandbox in
            let wrong = try sandbox.datumctl(["get", "btlspolicy"], project: "a", token: "not-a-token")
            #expect(wrong.status == 1)
            #expect(
                wrong.stderr
                    == "error: You must be logged in to the server (Unauthorized)\n"
                    + "Check the token: --token, DATUMCTL_TOKEN or the context's token.\n")

            let forbidden = try sandbox.datumctl(["get", "btlspolicy"], project: "b", token: "token-a")
            #expect(forbidden.status == 1)
            ReadIT.snapshot.expect(forbidden.stderr, matches: "error-forbidden.txt")
            let forbiddenExplain = try sandbox.datumctl(["explain", "btlspolicy"], project: "b", token: "token-a")
            #expect(forbiddenExplain.status == 1)
            #expect(forbiddenExplain.stderr == forbidden.stderr)

            let allowed = try sandbox.datumctl(["get", "btlspolicy"], project: "a", token: "token-a")
            #expect(allowed.status == 0)

            let untrusted = try sandbox.datumctl(
                ["get", "btlspolicy", "--server", sandbox.url, "--project", "a", "--token", "token-a"], connect: false)
            #expect(untrusted.status == 1)
            #expect(
                untrusted.stderr.hasPrefix(
                    "error: Unable to connect to the server \(sandbox.url): tls: failed to verify certificate: "))
            let insecure = try sandbox.datumctl(
                [
                    "get", "btlspolicy", "--server", sandbox.url, "--project", "a", "--token", "token-a",
                    "--insecure-skip-tls-verify",
                ],
                connect: false)
            #expect(insecure.status == 0)
            #expect(insecure.stderr == "No resources found in default namespace.\n")
        }
    }

    @Test func aStoppedServerIsReportedForEveryCommand() throws {
        try withSandbox { sandbox in
            let flags = sandbox.connectionFlags()
            #expect(try sandbox.datumctl(["version"]).status == 0)
            sandbox.stop()
            let refused =
                "error: Unable to connect to the server \(sandbox.url): connection refused (is the server running and is --server right?)\n"
            for arguments in [
                ["get", "btlspolicy"], ["get", "btlspolicy", "a", "b"], ["describe", "btlspolicy", "a"],
                ["delete", "btlspolicy", "a"], ["api-resources"],
            ] {
                let result = try TestProcess.run(
                    ReadIT.datumctl, arguments + flags, environment: sandbox.datumctlEnvironment())
                #expect(result.status == 1, "\(arguments)")
                #expect(result.stdout == "", "\(arguments)")
                #expect(result.stderr == refused, "\(arguments)")
            }
            let version = try TestProcess.run(
                ReadIT.datumctl, ["version"] + flags, environment: sandbox.datumctlEnvironment())
            #expect(version.status == 1)
            #expect(version.stdout == "Client Version: v0.1.0\n")
            #expect(version.stderr == refused)
            let explain = try TestProcess.run(
                ReadIT.datumctl, ["explain", "btlspolicy.spec"] + flags, environment: sandbox.datumctlEnvironment())
            #expect(explain.status == 0)
            #expect(
                explain.stderr == "note: " + refused.dropFirst("error: ".count).dropLast()
                    + "; explaining the schema built into datumctl instead\n")
            #expect(
                explain.stdout.hasPrefix(
                    "GROUP:      gateway.networking.k8s.io\nKIND:       BackendTLSPolicy\nVERSION:    v1\n\nFIELD: spec <Object>\n"
                ))
        }
    }
}
