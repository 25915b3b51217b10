import DatumJSON
import Foundation
import Testing

/// Real kubectl and datumctl against the same sandbox, side by side. Each tool works in its
/// own project so neither sees the other's objects; differences that are by design are
/// listed in docs/kubectl-compatibility.md.
@Suite(.serialized, .enabled(if: SandboxBinaries.hasKubectl, "kubectl is not installed; skipping kubectl tests"))
struct ClientWriteKubectlTests {
    /// kubectl's client-side apply says created / configured / unchanged, like datumctl.
    @Test func applyLinesMatchKubectl() throws {
        try withSandbox { sandbox in
            let example = try String(contentsOfFile: WriteCLI.examples + "/backendtlspolicy.yaml", encoding: .utf8)
            let changed = example.replacingOccurrences(of: "app: secure-backend\nspec", with: "app: other\nspec")
            for input in [example, example, changed] {
                let kubectl = try sandbox.kubectl(["apply", "-f", "-"], project: "kube", input: input)
                let datumctl = try WriteCLI.run(sandbox, ["apply", "-f", "-"], project: "datum", input: input)
                #expect(datumctl.status == kubectl.status)
                #expect(datumctl.stdout == kubectl.stdout)
                #expect(datumctl.stderr == kubectl.stderr)
            }
        }
    }

    /// `-o name` and the objects printed with `--dry-run=server -o yaml|json`, compared with
    /// kubectl's server-side apply under the same field manager.
    @Test(arguments: ["name", "yaml", "json"])
    func printedObjectsMatchKubectlServerSideApply(_ format: String) throws {
        try withSandbox { sandbox in
            let input = WriteCLI.policy("one") + "---\n" + WriteCLI.policy("two", service: "api")
            let ssa = ["apply", "--server-side", "--field-manager", "datumctl", "-f", "-"]
            try sandbox.kubectl(ssa, project: "kube", input: input)
            try WriteCLI.run(sandbox, ["apply", "-f", "-"], project: "datum", input: input)
            for project in ["kube", "datum"] {
                for name in ["one", "two"] { try WriteCLI.waitForStatus(sandbox, project: project, name: name) }
            }
            let changed = input.replacingOccurrences(of: "web.example.com", with: "new.example.com")
            let kubectl = try sandbox.kubectl(
                ssa + ["--dry-run=server", "-o", format], project: "kube", input: changed)
            let datumctl = try WriteCLI.run(
                sandbox, ["apply", "-f", "-", "--dry-run=server", "-o", format], project: "datum", input: changed)
            #expect(kubectl.status == 0)
            #expect(datumctl.status == 0)
            #expect(WriteCLI.mask(datumctl.stdout) == WriteCLI.mask(kubectl.stdout))
            #expect(datumctl.stderr == kubectl.stderr)
        }
    }

    @Test func serverErrorsMatchKubectl() throws {
        try withSandbox { sandbox in
            let badName = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n"
            let missingNamespace = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: missing\n"
            for input in [badName, missingNamespace, badName + "---\n" + missingNamespace] {
                let kubectl = try sandbox.kubectl(["apply", "--server-side", "-f", "-"], project: "kube", input: input)
                let datumctl = try WriteCLI.run(sandbox, ["apply", "-f", "-"], project: "datum", input: input)
                #expect(kubectl.status == 1)
                #expect(datumctl.status == 1)
                #expect(datumctl.stderr == kubectl.stderr)
            }
            // Conflicts: the server's message is the same; the advice after it is datumctl's own.
            let ssa = ["apply", "--server-side", "--field-manager", "team-a", "-f", "-"]
            try sandbox.kubectl(ssa, project: "kube", input: WriteCLI.policy("owned"))
            try WriteCLI.run(
                sandbox, ["apply", "-f", "-", "--field-manager", "team-a"], project: "datum",
                input: WriteCLI.policy("owned"))
            let changed = WriteCLI.policy("owned", hostname: "other.example.com")
            let kubectl = try sandbox.kubectl(
                ["apply", "--server-side", "--field-manager", "datumctl", "-f", "-"], project: "kube", input: changed)
            let datumctl = try WriteCLI.run(sandbox, ["apply", "-f", "-"], project: "datum", input: changed)
            #expect(kubectl.status == 1)
            #expect(datumctl.status == 1)
            #expect(datumctl.stderr.split(separator: "\n").first == kubectl.stderr.split(separator: "\n").first)
        }
    }

    /// kubectl's client-side namespace check, word for word (datumctl adds where the object is).
    @Test func namespaceMismatchMatchesKubectl() throws {
        try withSandbox { sandbox in
            let input = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: team-a\n"
            let kubectl = try sandbox.kubectl(["apply", "-n", "team-b", "-f", "-"], project: "kube", input: input)
            let datumctl = try WriteCLI.run(
                sandbox, ["apply", "-n", "team-b", "-f", "-"], project: "datum", input: input)
            #expect(kubectl.status == 1)
            #expect(datumctl.status == 1)
            let message = String(kubectl.stderr.dropFirst("error: ".count))
            #expect(datumctl.stderr.hasPrefix("STDIN:5:14: error: ConfigMap/x: metadata.namespace: " + message))
        }
    }

    /// `kubectl diff --server-side` writes temporary directories and `diff -u -N` prints their
    /// paths and times; with those replaced by datumctl's labels the output is the same.
    @Test func diffMatchesKubectlServerSideDiff() throws {
        try withSandbox { sandbox in
            let policy = WriteCLI.policy("diffed")
            let extra = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added\ndata:\n  k: v\n"
            try sandbox.kubectl(
                ["apply", "--server-side", "--field-manager", "datumctl", "-f", "-"], project: "kube", input: policy)
            try WriteCLI.run(sandbox, ["apply", "-f", "-"], project: "datum", input: policy)
            for project in ["kube", "datum"] { try WriteCLI.waitForStatus(sandbox, project: project, name: "diffed") }
            let changed = policy.replacingOccurrences(of: "web.example.com", with: "api.example.com") + extra
            for input in [policy, changed] {
                let kubectl = try sandbox.kubectl(
                    ["diff", "--server-side", "--field-manager", "datumctl", "-f", "-"], project: "kube", input: input)
                let datumctl = try WriteCLI.run(sandbox, ["diff", "-f", "-"], project: "datum", input: input)
                #expect(datumctl.status == kubectl.status)
                #expect(WriteCLI.mask(datumctl.stdout) == WriteCLI.mask(Self.relabel(kubectl.stdout)))
            }
        }
    }

    /// kubectl's `diff -u -N /tmp/LIVE-123/x /tmp/MERGED-456/x` headers with datumctl's labels.
    static func relabel(_ text: String) -> String {
        var out = text.replacingOccurrences(
            of: #"/[^ \t\n]*/(LIVE|MERGED)-\d+/"#, with: "$1/", options: .regularExpression)
        out = out.replacingOccurrences(
            of: #"(?m)^((---|\+\+\+) [^\t\n]+)\t[^\n]*$"#, with: "$1", options: .regularExpression)
        return out
    }
}
