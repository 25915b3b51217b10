import DatumJSON
import Foundation
import TestSupport
import Testing

/// Runs the `datumctl` binary built next to the tests against a sandbox, over HTTPS with the
/// sandbox's throwaway CA (or plain HTTP), with a fresh HOME so no config file interferes.
enum WriteCLI {
    static var binary: String { SandboxBinaries.directory.appendingPathComponent("datumctl").path }

    /// The checked-in example manifests.
    static var examples: String { Repository.root + "/docs/examples" }

    @discardableResult
    static func run(
        _ sandbox: SandboxInstance, _ arguments: [String], project: String? = "p1", token: String? = nil,
        server: String? = nil, input: String? = nil, directory: String? = nil
    ) throws -> TestProcess.Output {
        var environment = [
            "HOME": sandbox.directory + "/datumctl-home", "PATH": "/usr/bin:/bin",
            "DATUMCTL_SERVER": server ?? sandbox.url, "DATUMCTL_TOKEN": token ?? sandbox.adminToken,
        ]
        if let project { environment["DATUM_PROJECT"] = project }
        var full = arguments
        if let ca = sandbox.certificates?.caPath { full += ["--certificate-authority", ca] }
        return try TestProcess.run(
            binary, full, environment: environment, currentDirectory: directory, input: input)
    }

    /// Hides what changes from run to run (uids, times, resource versions) in printed objects.
    static func mask(_ text: String) -> String {
        var masked = text
        let rules: [(String, String)] = [
            (#"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, "<uid>"),
            (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, "<time>"),
            (#"(resourceVersion"?: ?)"\d+""#, "$1\"<rv>\""),
        ]
        for (pattern, template) in rules {
            masked = masked.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        return masked
    }

    /// Waits for the sandbox's controller to write a policy's status (it does so shortly after
    /// each change), so printed objects do not depend on timing.
    static func waitForStatus(_ sandbox: SandboxInstance, project: String = "p1", name: String) throws {
        let path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/" + name
        _ = try waitFor { () -> Bool? in
            let object = try sandbox.request("GET", path, project: project).json
            let generation = object["metadata"]?["generation"]
            let observed = object["status"]?["ancestors"]?[0]?["conditions"]?[0]?["observedGeneration"]
            return generation != nil && observed == generation ? true : nil
        }
    }

    /// A BackendTLSPolicy for Service `service` with the system CAs.
    static func policy(_ name: String, hostname: String = "web.example.com", service: String = "web") -> String {
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: BackendTLSPolicy
        metadata:
          name: \(name)
        spec:
          targetRefs:
          - group: ""
            kind: Service
            name: \(service)
          validation:
            wellKnownCACertificates: System
            hostname: \(hostname)

        """
    }
}

/// `datumctl apply` and `diff` against the real sandbox, over HTTPS through libcurl.
@Suite(.serialized) struct ClientWriteTests {
    let snapshots = Snapshot(folder: "write")

    /// The seed's usage, verbatim, from the directory holding the example.
    @Test func quickStartAppliesThenReportsUnchangedThenConfigured() throws {
        try withSandbox { sandbox in
            let created = try WriteCLI.run(
                sandbox, ["apply", "-f", "backendtlspolicy.yaml", "--project", "my-project"], project: nil,
                directory: WriteCLI.examples)
            #expect(created.status == 0)
            #expect(created.stderr == "")
            #expect(
                created.stdout
                    == "service/secure-backend created\nconfigmap/secure-backend-ca created\n"
                    + "backendtlspolicy.gateway.networking.k8s.io/secure-backend created\n")

            let again = try WriteCLI.run(
                sandbox, ["apply", "-f", "backendtlspolicy.yaml", "--project", "my-project"], project: nil,
                directory: WriteCLI.examples)
            #expect(
                again.stdout
                    == "service/secure-backend unchanged\nconfigmap/secure-backend-ca unchanged\n"
                    + "backendtlspolicy.gateway.networking.k8s.io/secure-backend unchanged\n")

            let example = try String(contentsOfFile: WriteCLI.examples + "/backendtlspolicy.yaml", encoding: .utf8)
            let changed = try WriteCLI.run(
                sandbox, ["apply", "-f", "-", "--project", "my-project"], project: nil,
                input: example.replacingOccurrences(of: "secure-backend.example.com", with: "backend.example.com"))
            #expect(changed.status == 0)
            #expect(
                changed.stdout
                    == "service/secure-backend unchanged\nconfigmap/secure-backend-ca unchanged\n"
                    + "backendtlspolicy.gateway.networking.k8s.io/secure-backend configured\n")
            let stored = try sandbox.request(
                "GET", "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/secure-backend",
                project: "my-project")
            #expect(stored.json["spec"]?["validation"]?["hostname"] == "backend.example.com")
            #expect(stored.json["metadata"]?["managedFields"]?[0]?["manager"] == "datumctl")
        }
    }

    @Test func serverDryRunReportsWithoutChangingAnything() throws {
        try withSandbox { sandbox in
            let policy = WriteCLI.policy("dry")
            let dry = try WriteCLI.run(sandbox, ["apply", "-f", "-", "--dry-run=server"], input: policy)
            #expect(dry.status == 0)
            #expect(dry.stdout == "backendtlspolicy.gateway.networking.k8s.io/dry created (server dry run)\n")
            let path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/dry"
            #expect(try sandbox.request("GET", path).status == 404)

            try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: policy)
            try WriteCLI.waitForStatus(sandbox, name: "dry")
            let same = try WriteCLI.run(sandbox, ["apply", "-f", "-", "--dry-run=server"], input: policy)
            #expect(same.stdout == "backendtlspolicy.gateway.networking.k8s.io/dry unchanged (server dry run)\n")
            let other = policy.replacingOccurrences(of: "web.example.com", with: "other.example.com")
            let yaml = try WriteCLI.run(sandbox, ["apply", "-f", "-", "--dry-run=server", "-o", "yaml"], input: other)
            #expect(yaml.status == 0)
            snapshots.expect(WriteCLI.mask(yaml.stdout), matches: "server-dry-run.yaml")
            #expect(try sandbox.request("GET", path).json["spec"]?["validation"]?["hostname"] == "web.example.com")
            let configured = try WriteCLI.run(sandbox, ["apply", "-f", "-", "--dry-run=server"], input: other)
            #expect(configured.stdout == "backendtlspolicy.gateway.networking.k8s.io/dry configured (server dry run)\n")
        }
    }

    @Test func outputFormatsPrintTheAppliedObjects() throws {
        try withSandbox { sandbox in
            let two = WriteCLI.policy("first") + "---\n" + WriteCLI.policy("second", service: "api")
            let names = try WriteCLI.run(sandbox, ["apply", "-f", "-", "-o", "name"], input: two)
            #expect(
                names.stdout
                    == "backendtlspolicy.gateway.networking.k8s.io/first\nbackendtlspolicy.gateway.networking.k8s.io/second\n"
            )
            for name in ["first", "second"] { try WriteCLI.waitForStatus(sandbox, name: name) }
            let json = try WriteCLI.run(sandbox, ["apply", "-f", "-", "-o", "json"], input: two)
            #expect(json.status == 0)
            snapshots.expect(WriteCLI.mask(json.stdout), matches: "apply-list.json")
            let list = try JSONParser.parse(json.stdout)
            #expect(list["kind"] == "List")
            #expect(list["items"]?[0]?["metadata"]?["managedFields"] == nil)
            let withFields = try WriteCLI.run(
                sandbox, ["apply", "-f", "-", "-o", "yaml", "--show-managed-fields"], input: WriteCLI.policy("first"))
            #expect(withFields.stdout.contains("  managedFields:\n  - apiVersion: gateway.networking.k8s.io/v1\n"))
            #expect(withFields.stdout.hasPrefix("apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\n"))
        }
    }

    /// One valid and one invalid document: nothing is sent, not even the valid one.
    @Test func anInvalidDocumentMeansNothingIsSent() throws {
        try withSandbox { sandbox in
            let input = WriteCLI.policy("valid") + "---\n" + WriteCLI.policy("invalid", hostname: "Not_A_Host")
            let run = try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: input)
            #expect(run.status == 1)
            #expect(run.stdout == "")
            #expect(
                run.stderr
                    == "STDIN:25:15: error: BackendTLSPolicy/invalid: spec.validation.hostname: Invalid value: \"Not_A_Host\": spec.validation.hostname in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'\n"
                    + "error: 1 invalid object; nothing was sent to the server\n")
            let path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/valid"
            #expect(try sandbox.request("GET", path).status == 404)
        }
    }

    @Test func conflictsNameTheOtherManagerAndCanBeForced() throws {
        try withSandbox { sandbox in
            try WriteCLI.run(
                sandbox, ["apply", "-f", "-", "--field-manager", "team-a"], input: WriteCLI.policy("owned"))
            let changed = WriteCLI.policy("owned", hostname: "other.example.com")
            let conflict = try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: changed)
            #expect(conflict.status == 1)
            #expect(conflict.stdout == "")
            snapshots.expect(conflict.stderr, matches: "conflict.stderr.txt")
            #expect(
                conflict.stderr.hasPrefix(
                    "error: Apply failed with 1 conflict: conflict with \"team-a\": .spec.validation.hostname\n"))
            let forced = try WriteCLI.run(sandbox, ["apply", "-f", "-", "--force-conflicts"], input: changed)
            #expect(forced.status == 0)
            #expect(forced.stdout == "backendtlspolicy.gateway.networking.k8s.io/owned configured\n")
        }
    }

    /// Failures do not stop the other objects; all are reported, in input order, after the lines.
    @Test func everyObjectsOutcomeIsReported() throws {
        try withSandbox { sandbox in
            let input = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: first
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: Bad_Name
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: elsewhere
                  namespace: missing
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: last

                """
            let run = try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: input)
            #expect(run.status == 1)
            #expect(run.stdout == "configmap/first created\nconfigmap/last created\n")
            #expect(
                run.stderr
                    == "Error from server (Invalid): ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
                    + "Error from server (NotFound): namespaces \"missing\" not found\n")
            let lone = try WriteCLI.run(
                sandbox, ["apply", "-f", "-"], input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n")
            #expect(lone.stderr.hasPrefix("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value:"))
        }
    }

    /// Services, HTTPRoutes (found through discovery), Namespaces and policies, in one go.
    @Test func anyServedKindApplies() throws {
        try withSandbox { sandbox in
            let namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gateway-conformance-infra\n"
            let created = try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: namespace)
            #expect(created.stdout == "namespace/gateway-conformance-infra created\n")
            let conformance = WriteCLI.examples + "/gateway-api/conformance"
            let applied = try WriteCLI.run(sandbox, ["apply", "-f", conformance])
            #expect(applied.status == 0)
            #expect(applied.stderr == "")
            snapshots.expect(applied.stdout, matches: "conformance-created.txt")
            let again = try WriteCLI.run(sandbox, ["apply", "-R", "-f", WriteCLI.examples + "/gateway-api"])
            #expect(again.status == 0)
            let lines = again.stdout.split(separator: "\n")
            #expect(lines.count == 28)
            #expect(lines.filter { $0.hasSuffix(" unchanged") }.count == 26)
            #expect(lines.filter { $0.hasSuffix(" created") }.count == 2)
        }
    }

    /// Enough objects for one list to replace the per-object reads; a repeated object is
    /// applied after its first occurrence.
    @Test func manyObjectsAndRepeatedOnes() throws {
        try withSandbox { sandbox in
            let many = (0..<60).map { WriteCLI.policy(String(format: "p-%03d", $0), service: "s\($0)") }
            let input =
                many.joined(separator: "---\n") + "---\n"
                + WriteCLI.policy("p-007", hostname: "late.example.com", service: "s7")
            let run = try WriteCLI.run(sandbox, ["apply", "-f", "-", "--concurrency", "16", "-v=6"], input: input)
            #expect(run.status == 0)
            let expected = (0..<60).map {
                String(format: "backendtlspolicy.gateway.networking.k8s.io/p-%03d created\n", $0)
            }
            #expect(run.stdout == expected.joined() + "backendtlspolicy.gateway.networking.k8s.io/p-007 configured\n")
            let traces = run.stderr.split(separator: "\n")
            #expect(traces.filter { $0.hasPrefix("GET ") && $0.contains("backendtlspolicies?limit=500") }.count == 1)
            #expect(traces.filter { $0.hasPrefix("PATCH ") }.count == 61)
            let path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/p-007"
            #expect(try sandbox.request("GET", path).json["spec"]?["validation"]?["hostname"] == "late.example.com")

            let again = try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: many.joined(separator: "---\n"))
            #expect(again.stdout.split(separator: "\n").count == 60)
            #expect(
                again.stdout.split(separator: "\n").filter { $0.hasSuffix(" configured") } == [
                    "backendtlspolicy.gateway.networking.k8s.io/p-007 configured"
                ])
        }
    }

    /// On a terminal (a pseudo-terminal from `script`), a progress bar is drawn on stderr and
    /// erased; through a pipe, none is.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func progressBarOnlyOnATerminal() throws {
        try withSandbox { sandbox in
            let file = sandbox.directory + "/many.yaml"
            let many = (0..<30).map { WriteCLI.policy("bar-\($0)", service: "s\($0)") }.joined(separator: "---\n")
            try many.write(toFile: file, atomically: true, encoding: .utf8)
            let command = [
                WriteCLI.binary, "apply", "-f", file, "--certificate-authority", sandbox.certificates?.caPath ?? "",
            ]
            .map { "'" + $0 + "'" }.joined(separator: " ")
            let environment = [
                "HOME": sandbox.directory, "PATH": "/usr/bin:/bin", "DATUMCTL_SERVER": sandbox.url,
                "DATUMCTL_TOKEN": sandbox.adminToken, "DATUM_PROJECT": "p1", "TERM": "dumb",
            ]
            let terminal = try TestProcess.run(
                "/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], environment: environment)
            #expect(terminal.status == 0)
            #expect(terminal.stdout.hasPrefix("\rapplying [=>                            ] 1/30\r"))
            #expect(terminal.stdout.contains("\rapplying [==============================] 30/30\r\u{1B}[K"))
            #expect(terminal.stdout.hasSuffix("backendtlspolicy.gateway.networking.k8s.io/bar-29 created\r\n"))

            let piped = try WriteCLI.run(sandbox, ["apply", "-f", file])
            #expect(piped.status == 0)
            #expect(piped.stderr == "")
            #expect(!piped.stdout.contains("\r"))
        }
    }

    @Test func httpsWrongTokenForbiddenProjectAndStoppedServer() throws {
        try withSandbox(tokens: "good-token p1\n") { sandbox in
            let policy = WriteCLI.policy("auth")
            let unauthorized = try WriteCLI.run(sandbox, ["apply", "-f", "-"], token: "wrong", input: policy)
            #expect(unauthorized.status == 1)
            #expect(unauthorized.stdout == "")
            #expect(
                unauthorized.stderr
                    == "error: You must be logged in to the server (Unauthorized)\nCheck the token: --token, DATUMCTL_TOKEN or the context's token.\n"
            )
            let forbidden = try WriteCLI.run(
                sandbox, ["apply", "-f", "-"], project: "p2", token: "good-token", input: policy)
            #expect(forbidden.status == 1)
            #expect(forbidden.stdout == "")
            #expect(
                forbidden.stderr.hasPrefix(
                    "Error from server (Forbidden): projects.resourcemanager.miloapis.com \"p2\" is forbidden: User "))
            #expect(forbidden.stderr.hasSuffix(" cannot access project \"p2\"\n"))
            let allowed = try WriteCLI.run(sandbox, ["apply", "-f", "-"], token: "good-token", input: policy)
            #expect(allowed.stdout == "backendtlspolicy.gateway.networking.k8s.io/auth created\n")

            let diff = try WriteCLI.run(sandbox, ["diff", "-f", "-"], token: "wrong", input: policy)
            #expect(diff.status == 2)
            #expect(diff.stderr == unauthorized.stderr)

            sandbox.stop()
            let stopped = try WriteCLI.run(sandbox, ["apply", "-f", "-"], token: "good-token", input: policy)
            #expect(stopped.status == 1)
            #expect(
                stopped.stderr
                    == "error: Unable to connect to the server \(sandbox.url): connection refused (is the server running and is --server right?)\n"
            )
        }
    }

    @Test func unknownKindsAreReportedBeforeAnythingIsSent() throws {
        try withSandbox { sandbox in
            let input =
                WriteCLI.policy("fine") + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
            let run = try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: input)
            #expect(run.status == 1)
            #expect(
                run.stderr
                    == "STDIN:14:1: error: resource mapping not found for name: \"w\" namespace: \"\" from \"STDIN\": no matches for kind \"Widget\" in version \"example.com/v1\"\nensure CRDs are installed first\n"
                    + "error: 1 invalid object; nothing was sent to the server\n")
            let path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/fine"
            #expect(try sandbox.request("GET", path).status == 404)
        }
    }

    // MARK: diff

    @Test func diffShowsWhatApplyWouldChange() throws {
        try withSandbox { sandbox in
            let policy = WriteCLI.policy("diffed")
            let new = try WriteCLI.run(sandbox, ["diff", "-f", "-"], input: policy)
            #expect(new.status == 1)
            #expect(new.stderr == "")
            snapshots.expect(WriteCLI.mask(new.stdout), matches: "diff-new.txt")

            try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: policy)
            try WriteCLI.waitForStatus(sandbox, name: "diffed")
            let same = try WriteCLI.run(sandbox, ["diff", "-f", "-"], input: policy)
            #expect(same.status == 0)
            #expect(same.stdout == "")
            #expect(same.stderr == "")

            let changed =
                policy.replacingOccurrences(of: "web.example.com", with: "api.example.com")
                + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added\ndata:\n  k: v\n"
            let diff = try WriteCLI.run(sandbox, ["diff", "-f", "-"], input: changed)
            #expect(diff.status == 1)
            snapshots.expect(WriteCLI.mask(diff.stdout), matches: "diff-changed.txt")
            // Nothing was applied.
            let path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/diffed"
            #expect(try sandbox.request("GET", path).json["spec"]?["validation"]?["hostname"] == "web.example.com")
        }
    }

    @Test func diffErrorsExitWithTwo() throws {
        try withSandbox { sandbox in
            try WriteCLI.run(
                sandbox, ["apply", "-f", "-", "--field-manager", "team-a"], input: WriteCLI.policy("owned"))
            let conflict = try WriteCLI.run(
                sandbox, ["diff", "-f", "-"], input: WriteCLI.policy("owned", hostname: "other.example.com"))
            #expect(conflict.status == 2)
            #expect(conflict.stdout == "")
            #expect(
                conflict.stderr
                    == "Error from server (Conflict): Apply failed with 1 conflict: conflict with \"team-a\": .spec.validation.hostname\n"
            )
            let forced = try WriteCLI.run(
                sandbox, ["diff", "-f", "-", "--force-conflicts"],
                input: WriteCLI.policy("owned", hostname: "other.example.com"))
            #expect(forced.status == 1)
            #expect(forced.stdout.contains("-    hostname: web.example.com\n+    hostname: other.example.com\n"))
        }
    }

    @Test func diffRunsAnExternalProgram() throws {
        try withSandbox { sandbox in
            let script = sandbox.directory + "/fake-diff"
            try "#!/bin/sh\necho \"args: $1 $(basename \"$2\") $(basename \"$3\")\"\nls \"$3\"\nexit 1\n".write(
                toFile: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            var environment = [
                "HOME": sandbox.directory, "PATH": "/usr/bin:/bin", "DATUMCTL_SERVER": sandbox.url,
                "DATUMCTL_TOKEN": sandbox.adminToken, "DATUM_PROJECT": "p1",
                "DATUMCTL_EXTERNAL_DIFF": script + " -N $(x)",
            ]
            let ca = sandbox.certificates?.caPath ?? ""
            let run = try TestProcess.run(
                WriteCLI.binary, ["diff", "-f", "-", "--certificate-authority", ca], environment: environment,
                input: WriteCLI.policy("external"))
            #expect(run.status == 1)
            #expect(
                run.stdout == "args: -N LIVE MERGED\ngateway.networking.k8s.io.v1.BackendTLSPolicy.default.external\n")
            #expect(
                run.stderr
                    == "Warning: DATUMCTL_EXTERNAL_DIFF: ignoring argument $(x): only letters, digits, - and = are allowed\n"
            )
            environment["DATUMCTL_EXTERNAL_DIFF"] = "no-such-diff-program"
            let missing = try TestProcess.run(
                WriteCLI.binary, ["diff", "-f", "-", "--certificate-authority", ca], environment: environment,
                input: WriteCLI.policy("external"))
            #expect(missing.status == 2)
            #expect(
                missing.stderr == "error: failed to run \"no-such-diff-program\": executable file not found in $PATH\n")
        }
    }
}
