import DatumJSON
import Foundation
import TestSupport
import Testing

/// Real kubectl and the real datumctl against the same sandbox, side by side: stdout, stderr and
/// exit status must be identical once ages are masked. Every difference that remains is listed
/// (with its reason) in docs/kubectl-compatibility.md.
@Suite(.serialized, .enabled(if: SandboxBinaries.hasKubectl, "kubectl is not installed; skipping kubectl comparisons"))
struct ClientReadKubectlTests {
    /// The docs' quick-start manifest: a Service, its CA ConfigMap and the BackendTLSPolicy.
    static var quickStart: String {
        get throws {
            let url = Repository.url.appendingPathComponent("docs/examples/backendtlspolicy.yaml")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    struct Comparison: CustomStringConvertible {
        var arguments: [String]
        var kubectl: TestProcess.Output
        var datumctl: TestProcess.Output
        var description: String { arguments.joined(separator: " ") }
    }

    /// Runs both clients; kubectl's words in its messages (`kubectl get -h`) are datumctl's own.
    static func compare(
        _ sandbox: SandboxInstance, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation
    )
        throws -> Comparison
    {
        let kubectl = try sandbox.kubectl(arguments)
        let datumctl = try sandbox.datumctl(arguments)
        let comparison = Comparison(arguments: arguments, kubectl: kubectl, datumctl: datumctl)
        #expect(
            Self.sameOutput(datumctl.stdout, kubectl.stdout), "stdout of \(comparison)", sourceLocation: sourceLocation)
        #expect(datumctl.stderr == kubectl.stderr, "stderr of \(comparison)", sourceLocation: sourceLocation)
        #expect(datumctl.status == kubectl.status, "exit status of \(comparison)", sourceLocation: sourceLocation)
        return comparison
    }

    /// Equal once ages are masked. An age inside a row (not the last column) can tick between
    /// the two runs and widen its column, so then runs of spaces are compared as one.
    static func sameOutput(_ a: String, _ b: String) -> Bool {
        if maskAges(a) == maskAges(b) { return true }
        func loose(_ text: String) -> String {
            ReadIT.normalize(text).replacingOccurrences(of: " +", with: " ", options: .regularExpression)
        }
        return loose(a) == loose(b)
    }

    /// The quick start plus two labelled policies and an event, created with kubectl.
    static func populate(_ sandbox: SandboxInstance) throws {
        let applied = try sandbox.kubectl(["apply", "-f", "-"], input: try quickStart)
        #expect(applied.status == 0, "\(applied.stderr)")
        for (name, app) in [("payments-tls", "payments"), ("auth-tls", "auth")] {
            try sandbox.create(ReadIT.policies, ReadIT.policy(name, labels: ["app": app]))
        }
        let policy = try sandbox.request("GET", ReadIT.policies + "/secure-backend").json
        try sandbox.create(
            "/api/v1/namespaces/default/events",
            ReadIT.event(about: "secure-backend", uid: policy["metadata"]?["uid"]?.stringValue ?? ""))
        // Let the status controller settle so both clients see the same objects.
        _ = try waitFor { () -> Bool? in
            let list = try sandbox.request("GET", ReadIT.policies).json
            let items = list["items"]?.arrayValue ?? []
            return items.count == 3 && items.allSatisfy { $0["status"]?["ancestors"] != nil } ? true : nil
        }
    }

    @Test func getMatchesKubectl() throws {
        try withSandbox { sandbox in
            try Self.populate(sandbox)
            for arguments in [
                ["get", "backendtlspolicies"],
                ["get", "btlspolicy", "secure-backend", "-o", "yaml"],
                ["get", "btlspolicy", "secure-backend", "-o", "json"],
                ["get", "backendtlspolicies", "-o", "yaml"],
                ["get", "backendtlspolicies", "-o", "json"],
                ["get", "backendtlspolicies", "-o", "name"],
                ["get", "backendtlspolicies", "-o", "wide", "--show-labels"],
                ["get", "backendtlspolicies", "-L", "app", "--sort-by=.metadata.name"],
                ["get", "backendtlspolicies", "-A", "--show-kind"],
                ["get", "btlspolicy,svc,cm"],
                ["get", "gateway-api"],
                ["get", "svc", "-o", "wide"],
                ["get", "btlspolicy/auth-tls", "svc/secure-backend", "-o", "yaml"],
                ["get", "btlspolicy", "auth-tls", "missing", "payments-tls"],
                ["get", "btlspolicy", "missing", "-o", "json"],
                ["get", "btlspolicy", "missing", "--ignore-not-found"],
                ["get", "btlspolicy", "-l", "app=none"],
                ["get", "btlspolicy", "-l", "app in (auth,payments)", "-o", "name"],
                ["get", "btlspolicy", "--field-selector", "metadata.name=auth-tls", "--no-headers"],
                ["get", "btlspolicy", "--chunk-size=1"],
                ["get", "btlspolicy", "-o", "custom-columns=NAME:.metadata.name,HOST:.spec.validation.hostname"],
                ["get", "btlspolicy", "-o", "jsonpath={.items[*].spec.targetRefs[0].name}"],
                ["get", "btlspolicy", "secure-backend", "-o", "jsonpath={.metadata.name[0]}"],
                ["get", "btlspolicy", "auth-tls", "-n", "elsewhere"],
                ["get", "ns", "default", "-o", "yaml"],
            ] {
                _ = try Self.compare(sandbox, arguments)
            }
        }
    }

    /// The template formats that read a file or print JSON, `--template`, and missing keys.
    @Test func templateFormatsMatchKubectl() throws {
        let files = try TemporaryDirectory()
        let jsonpath = try files.write("names.jsonpath", "{range .items[*]}{.metadata.name}{\"\\n\"}{end}\n")
        let columns = try files.write("columns.txt", "NAME   HOST\n.metadata.name  {.spec.validation.hostname}\n")
        let uneven = try files.write("uneven.txt", "NAME HOST\n.metadata.name\n")
        let headerOnly = try files.write("header.txt", "NAME\n")
        try withSandbox { sandbox in
            try Self.populate(sandbox)
            for arguments in [
                ["get", "btlspolicy", "-o", "jsonpath-as-json={.items[*].metadata.name}"],
                ["get", "btlspolicy", "secure-backend", "-o", "jsonpath-as-json={.metadata.name}{.spec.targetRefs}"],
                ["get", "btlspolicy", "-o", "jsonpath-file=" + jsonpath],
                ["get", "btlspolicy", "-o", "jsonpath-file=" + files.path + "/absent"],
                ["get", "btlspolicy", "-o", "custom-columns-file=" + columns],
                ["get", "btlspolicy", "-o", "custom-columns-file=" + columns, "--no-headers"],
                ["get", "btlspolicy", "-o", "custom-columns-file=" + uneven],
                ["get", "btlspolicy", "-o", "custom-columns-file=" + headerOnly],
                ["get", "btlspolicy", "-o", "jsonpath", "--template={.items[0].metadata.name}"],
                ["get", "btlspolicy", "secure-backend", "-o", "jsonpath={.spec.missing}"],
                ["get", "btlspolicy", "secure-backend", "-o", "jsonpath={.spec.missing}",
                 "--allow-missing-template-keys=false"],
            ] {
                _ = try Self.compare(sandbox, arguments)
            }
        }
    }

    /// `-o go-template` (and its other names and file forms) on one object and on a list: kubectl
    /// prints what Go's text/template makes of the object decoded into `map[string]interface{}`.
    @Test func goTemplatesMatchKubectl() throws {
        let files = try TemporaryDirectory()
        let file = try files.write("names.tmpl", "{{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}")
        let templates = [
            "{{.metadata.name}}",
            "{{.metadata.generation}} {{.metadata.missing}} {{.spec.validation}}",
            "{{range .spec.targetRefs}}{{.kind}}/{{.name}} {{end}}",
            "{{range $i, $r := .spec.targetRefs}}{{$i}}={{$r.name}};{{else}}none{{end}}",
            "{{range $k, $v := .metadata.labels}}{{$k}}:{{$v}},{{end}}",
            "{{with .spec.validation}}{{.hostname}}{{else}}no validation{{end}}",
            "{{if .status}}{{len .status.ancestors}} ancestors{{else if .spec}}spec only{{else}}nothing{{end}}",
            "{{$name := .metadata.name}}{{range .spec.targetRefs}}{{$name}}->{{.name}} {{end}}",
            "{{printf \"%s has %d refs; gen %v; %q; %5.2f|%-6s|\" .metadata.name (len .spec.targetRefs) .metadata.generation .kind .metadata.generation .kind}}",
            "{{printf \"%d\" .metadata.generation}}",
            "{{index .metadata \"name\"}} {{index .spec.targetRefs 0 | printf \"%v\"}}",
            "{{eq .kind \"BackendTLSPolicy\" \"x\"}} {{ne .kind \"x\"}} {{lt 1 2}} {{and .kind .metadata.name}} {{or .nope .kind}} {{not .kind}}",
            "{{eq .metadata.generation 1.0}}",
            "{{slice .metadata.name 0 3}} {{print .kind 1 2 \"a\" \"b\"}} {{println .kind}}",
            "{{html \"<a href='x'>&\"}} {{js \"it's <b>\"}} {{urlquery \"a b&c=d/é\"}}",
            "{{- /* a comment */ -}}\n  {{- .kind -}}  \n  {{.apiVersion}}",
            "{{define \"ref\"}}[{{.name}}]{{end}}{{range .spec.targetRefs}}{{template \"ref\" .}}{{end}}",
            "{{block \"b\" .kind}}<{{.}}>{{end}}",
            "{{exists . \"spec\" \"targetRefs\"}} {{exists . \"spec\" \"nope\"}} {{exists .spec.targetRefs 5}}",
            "{{base64decode \"aGVsbG8=\"}}",
            "{{range .spec.targetRefs}}{{if eq .name \"stop\"}}{{break}}{{end}}{{.name}}{{continue}}x{{end}}",
            "{{.}}",
            "{{.metadata.name.first}}",
            "{{.nothing.deeper}}",
            "{{nope .kind}}",
            "{{.kind",
            "{{end}}",
            "{{base64decode \"!!\"}}",
            "{{eq .metadata.generation 1}}",
            "{{.metadata.labels.app | printf \"%q\"}} {{len .metadata.name | printf \"%03d|%x|%c\" 65 65}}",
            "{{index .metadata.labels \"nope\"}} {{.metadata.labels}} {{.apiVersion | len}}",
            "{{$x := 1}}{{$x = 2}}{{$x}} {{range $i, $e := .spec.targetRefs}}{{if $i}},{{end}}{{$e.name}}{{end}}",
            "{{printf \"%v|%s|%d\" .spec.targetRefs .metadata.labels .kind}} {{printf \"%s\"}} {{printf \"x\" 1}}",
            "{{range .kind}}{{end}}",
            "{{template \"missing\"}}",
            "{{(index .spec.targetRefs 0).name}} {{with $r := index .spec.targetRefs 0}}{{$r.kind}}{{end}}",
            "{{index .spec.targetRefs 3}}",
            "{{.metadata.managedFields}}",
        ]
        try withSandbox { sandbox in
            try Self.populate(sandbox)
            for template in templates {
                _ = try Self.compare(sandbox, ["get", "btlspolicy", "secure-backend", "-o", "go-template=" + template])
            }
            for arguments in [
                ["get", "btlspolicy", "-o", "go-template={{range .items}}{{.metadata.name}} {{end}}"],
                ["get", "btlspolicy", "-o", "template={{len .items}}"],
                ["get", "btlspolicy", "-o", "go-template-file=" + file],
                ["get", "btlspolicy", "-o", "templatefile=" + file],
                ["get", "btlspolicy", "-o", "go-template", "--template={{.kind}}"],
                ["get", "btlspolicy", "secure-backend", "-o", "go-template={{.nope}}",
                 "--allow-missing-template-keys=false"],
            ] {
                _ = try Self.compare(sandbox, arguments)
            }
        }
    }

    /// kubectl orders strings byte-wise (`h10` before `h9`, upper case before lower) and quantity-like
    /// strings by quantity; both clients read the same config maps.
    @Test func sortByMatchesKubectl() throws {
        try withSandbox { sandbox in
            let items: [(String, String)] = [("h9", "1Gi"), ("h10", "500Mi"), ("h1", "2"), ("a-b", "100m"), ("h1.x", "Z")]
            let manifest = items.map { name, q in
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: \(name), labels: {q: \"\(q)\"}}\n"
                    + "data: {k: \"\(name)-\(q)\"}\n"
            }.joined()
            let created = try sandbox.kubectl(["apply", "-f", "-"], input: manifest)
            #expect(created.status == 0, "\(created.stderr)")
            for arguments in [
                ["get", "cm", "--sort-by=.metadata.name"],
                ["get", "cm", "--sort-by=.metadata.name", "-o", "name"],
                ["get", "cm", "--sort-by=.data.k", "-o", "name"],
                ["get", "cm", "--sort-by={.metadata.labels.q}", "-o", "name"],
            ] {
                _ = try Self.compare(sandbox, arguments)
            }
        }
    }

    @Test func describeMatchesKubectl() throws {
        try withSandbox { sandbox in
            try Self.populate(sandbox)
            for arguments in [
                ["describe", "backendtlspolicy", "secure-backend"],
                ["describe", "backendtlspolicies"],
                ["describe", "btlspolicy", "auth"],
                ["describe", "btlspolicy", "nothing-like-this"],
                ["describe", "btlspolicy", "-l", "app=payments", "--show-events=false"],
                ["describe", "btlspolicy/auth-tls", "btlspolicy/payments-tls"],
                ["describe", "configmap", "secure-backend-ca"],
            ] {
                _ = try Self.compare(sandbox, arguments)
            }
            let comparison = try Self.compare(sandbox, ["describe", "backendtlspolicy", "secure-backend"])
            #expect(comparison.datumctl.stdout.contains("  Normal  ResolvedRefs  "))
        }
    }

    @Test func explainMatchesKubectl() throws {
        try withSandbox { sandbox in
            for arguments in [
                ["explain", "backendtlspolicies", "--recursive"],
                ["explain", "backendtlspolicies"],
                ["explain", "btlspolicy.spec.validation.subjectAltNames"],
                ["explain", "backendtlspolicies.gateway.networking.k8s.io.status", "--recursive"],
                ["explain", "btlspolicy.spec.nothing"],
                ["explain", "btlspolicy", "--api-version=gateway.networking.k8s.io/v1"],
                ["explain", "configmaps"],
                ["explain", "services.spec.ports", "--recursive"],
            ] {
                _ = try Self.compare(sandbox, arguments)
            }
        }
    }

    @Test func deleteApiResourcesAndErrorsMatchKubectl() throws {
        try withSandbox { sandbox in
            try Self.populate(sandbox)
            for arguments in [
                ["api-resources"],
                ["api-resources", "-o", "wide"],
                ["api-resources", "--namespaced=false", "--no-headers"],
                ["api-resources", "--api-group=gateway.networking.k8s.io", "-o", "name"],
                ["delete", "btlspolicy", "auth-tls", "payments-tls", "--dry-run=server"],
                ["delete", "btlspolicy", "-l", "app=auth", "--dry-run=client"],
                ["delete", "btlspolicy", "missing"],
                ["delete", "btlspolicy", "missing", "--ignore-not-found"],
                ["delete", "btlspolicy", "-l", "app=none"],
            ] {
                _ = try Self.compare(sandbox, arguments)
            }
            // Real deletes, one object each, so both clients delete something.
            let kubectl = try sandbox.kubectl(["delete", "btlspolicy", "auth-tls"])
            let datumctl = try sandbox.datumctl(["delete", "btlspolicy", "payments-tls"])
            #expect(
                kubectl.stdout.replacingOccurrences(of: "auth-tls", with: "X")
                    == datumctl.stdout.replacingOccurrences(of: "payments-tls", with: "X"))
            #expect(datumctl.status == 0)
            let manifest = try Self.quickStart
            let kubectlDry = try sandbox.kubectl(["delete", "-f", "-", "--dry-run=server"], input: manifest)
            let datumctlDry = try sandbox.datumctl(["delete", "-f", "-", "--dry-run=server"], input: manifest)
            #expect(datumctlDry.stdout == kubectlDry.stdout)
            #expect(datumctlDry.stdout.hasPrefix("service \"secure-backend\" deleted (server dry run)\n"))
        }
    }

    /// kubectl fails earlier, in discovery (its messages are about the API group list); both exit 1
    /// with a Forbidden error, and datumctl's names the project (see docs/kubectl-compatibility.md).
    @Test func forbiddenProjectFailsLikeKubectl() throws {
        try withSandbox(tokens: "token-a a\ntoken-b b\n") { sandbox in
            let kubectl = try sandbox.kubectl(["get", "backendtlspolicies"], project: "b", token: "token-a")
            let datumctl = try sandbox.datumctl(["get", "backendtlspolicies"], project: "b", token: "token-a")
            #expect(kubectl.status == 1)
            #expect(datumctl.status == 1)
            #expect(kubectl.stderr.split(separator: "\n").last?.hasPrefix("Error from server (Forbidden): ") == true)
            #expect(
                datumctl.stderr
                    == "Error from server (Forbidden): projects.resourcemanager.miloapis.com \"b\" is forbidden: "
                    + "User \"\(TokenNames.user("token-a"))\" cannot access project \"b\"\n")
        }
    }

    /// Both clients watch the same changes; their outputs must be the same rows.
    @Test func watchMatchesKubectl() throws {
        try withSandbox { sandbox in
            try sandbox.create(ReadIT.policies, ReadIT.policy("existing"))
            let arguments = ["get", "btlspolicy", "--watch", "--request-timeout=5s"]
            let kubectl = try RunningProcess(
                SandboxBinaries.kubectl ?? "/usr/bin/kubectl", arguments, environment: try sandbox.kubectlEnvironment())
            defer { kubectl.stop() }
            let datumctl = try RunningProcess(
                ReadIT.datumctl, arguments + sandbox.connectionFlags(), environment: sandbox.datumctlEnvironment())
            defer { datumctl.stop() }
            // Both have listed (each then watches from its list's resourceVersion, so nothing
            // created after this point can be missed, however slowly the watch connects).
            #expect(kubectl.waitForOutput(containing: "existing", timeout: 20))
            #expect(datumctl.waitForOutput(containing: "existing", timeout: 20))
            try sandbox.create(ReadIT.policies, ReadIT.policy("added"))
            // Both saw the addition before the deletion, as a person would.
            #expect(kubectl.waitForOutput(containing: "added", timeout: 20))
            #expect(datumctl.waitForOutput(containing: "added", timeout: 20))
            #expect(try sandbox.request("DELETE", ReadIT.policies + "/added").status == 200)

            let fromKubectl = kubectl.finish(timeout: 10)
            let fromDatumctl = datumctl.finish(timeout: 10)
            #expect(ReadIT.normalize(fromDatumctl.stdout) == ReadIT.normalize(fromKubectl.stdout))
            #expect(fromDatumctl.status == fromKubectl.status)
            #expect(fromDatumctl.stdout.contains("added"))
        }
    }
}

/// The sandbox's user name for a token (a stable hash, so messages never show the token).
enum TokenNames {
    static func user(_ token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "token-" + String(String(hash, radix: 16).prefix(8))
    }
}
