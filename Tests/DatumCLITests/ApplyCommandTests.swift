import Foundation
import TestSupport
import Testing

@testable import DatumCLI

/// `apply` and `diff` in-process, where no server is needed: usage errors, local validation
/// (nothing is sent), client dry runs, and help. The server side is covered by the
/// integration tests against the real sandbox.
@Suite struct ApplyCommandTests {
    let snapshots = Snapshot(folder: "write")

    /// A server nothing listens on: any request would fail with "connection refused", so a
    /// clean run proves that nothing was sent.
    static let unreachable = ["--server", "http://127.0.0.1:9", "--project", "p1"]
    static let home = ["HOME": "/nonexistent-home"]

    static func run(_ arguments: [String], stdin: String = "", in directory: String = CLI.repositoryRoot) -> CLIRun {
        CLI.run(arguments, stdin: stdin, in: directory, variables: home)
    }

    @Test(
        arguments: [
            (
                ["apply"],
                "error: must specify -f with a file, directory or - for stdin\nSee 'datumctl apply -h' for help and examples\n"
            ),
            (
                ["diff"],
                "error: must specify -f with a file, directory or - for stdin\nSee 'datumctl diff -h' for help and examples\n"
            ),
            (
                ["apply", "-f", "x.yaml", "--concurrency", "0"],
                "error: --concurrency must be between 1 and 1024, not 0\nSee 'datumctl apply -h' for help and examples\n"
            ),
            (
                ["apply", "-f", "x.yaml", "--server-side=false"],
                "error: --server-side=false is not supported: datumctl always applies on the server\nSee 'datumctl apply -h' for help and examples\n"
            ),
            (
                ["apply", "-f", "x.yaml", "--field-manager="],
                "error: --field-manager must not be empty\nSee 'datumctl apply -h' for help and examples\n"
            ),
        ] as [([String], String)])
    func usageErrors(_ arguments: [String], _ stderr: String) {
        let run = Self.run(arguments)
        #expect(run.exitCode == 64)
        #expect(run.stdout == "")
        #expect(run.stderr == stderr)
    }

    @Test func dryRunAndOutputValuesAreChecked() {
        let run = Self.run(["apply", "-f", "x.yaml", "--dry-run=maybe"])
        #expect(run.exitCode == 64)
        #expect(run.stderr.hasPrefix("error: invalid argument \"maybe\" for \"--dry-run\""))
        let output = Self.run(["apply", "-f", "x.yaml", "-o", "wide"])
        #expect(output.exitCode == 64)
        #expect(output.stderr.hasPrefix("error: invalid argument \"wide\" for \"-o, --output\""))
    }

    @Test func withoutAProjectNothingIsSent() {
        let run = CLI.run(["apply", "-f", "docs/examples/backendtlspolicy.yaml"], variables: Self.home)
        #expect(run.exitCode == 1)
        #expect(run.stdout == "")
        #expect(
            run.stderr
                == "error: no project selected: pass --project PROJECT, set DATUM_PROJECT=PROJECT, or save it for every later command with 'datumctl config set-context --current --project PROJECT'\n"
        )
        let diff = CLI.run(["diff", "-f", "docs/examples/backendtlspolicy.yaml"], variables: Self.home)
        #expect(diff.exitCode == 2)
        #expect(diff.stderr == run.stderr)
    }

    @Test func aMissingFileIsReportedBeforeAnyRequest() {
        let run = Self.run(["apply", "-f", "missing.yaml"] + Self.unreachable)
        #expect(run.exitCode == 1)
        #expect(run.stderr == "error: the path \"missing.yaml\" does not exist\n")
    }

    /// The invalid policy of the validate tests, plus a valid one: apply reports exactly the
    /// lines validate prints, says that nothing was sent, and sends nothing.
    @Test func invalidManifestsAreReportedLikeValidateAndNothingIsSent() throws {
        let dir = try TemporaryDirectory()
        try dir.write("policy.yaml", ValidateCommandTests.invalidPolicy)
        let validate = Self.run(["validate", "-f", "policy.yaml"], in: dir.path)
        let problems = validate.stdout.split(separator: "\n").dropLast().map { $0 + "\n" }.joined()

        let apply = Self.run(["apply", "-f", "policy.yaml"] + Self.unreachable, in: dir.path)
        #expect(apply.exitCode == 1)
        #expect(apply.stdout == "")
        #expect(apply.stderr == problems + "error: 1 invalid object; nothing was sent to the server\n")

        let diff = Self.run(["diff", "-f", "policy.yaml"] + Self.unreachable, in: dir.path)
        #expect(diff.exitCode == 2)
        #expect(diff.stderr == apply.stderr)
    }

    @Test func unreadableDocumentsStopEverything() throws {
        let dir = try TemporaryDirectory()
        try dir.write(
            "broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n"
        )
        let run = Self.run(["apply", "-f", "broken.yaml"] + Self.unreachable, in: dir.path)
        #expect(run.exitCode == 1)
        snapshots.expect(run.stderr, matches: "unreadable.stderr.txt")
        #expect(run.stderr.hasSuffix("error: 1 invalid object; nothing was sent to the server\n"))
    }

    @Test func jsonErrorFormatReportsEveryProblemAsAnObject() throws {
        let dir = try TemporaryDirectory()
        try dir.write("policy.yaml", ValidateCommandTests.invalidPolicy)
        let run = Self.run(["apply", "-f", "policy.yaml", "--error-format", "json"] + Self.unreachable, in: dir.path)
        #expect(run.exitCode == 1)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(
            lines.first
                == #"{"error":{"code":"VALIDATION_FAILED","message":"BackendTLSPolicy/Bad_Name: spec.validation.foo: unknown field \"spec.validation.foo\"","retryable":false,"kind":"validation","file":"policy.yaml","line":17,"column":5}}"#
        )
        #expect(
            lines.last
                == #"{"error":{"code":"VALIDATION_FAILED","message":"1 invalid object; nothing was sent to the server","retryable":false,"kind":"validation"}}"#
        )
    }

    @Test func anExplicitNamespaceMustMatchTheObjects() throws {
        let dir = try TemporaryDirectory()
        try dir.write(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: team-a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
        )
        let run = Self.run(["apply", "-f", "cm.yaml", "-n", "team-b"] + Self.unreachable, in: dir.path)
        #expect(run.exitCode == 1)
        #expect(
            run.stderr
                == "cm.yaml:5:14: error: ConfigMap/a: metadata.namespace: the namespace from the provided object \"team-a\" does not match the namespace \"team-b\". You must pass '--namespace=team-a' to perform this operation.\n"
                + "error: 1 invalid object; nothing was sent to the server\n")
        // Without -n the object's own namespace is used; objects without one get the default.
        let dry = Self.run(["apply", "-f", "cm.yaml", "--dry-run=client", "-o", "yaml"], in: dir.path)
        #expect(dry.exitCode == 0)
        snapshots.expect(dry.stdout, matches: "client-dry-run-namespaces.yaml")
    }

    @Test func objectsNeedANameOrGetGenerateNameRefused() throws {
        let dir = try TemporaryDirectory()
        try dir.write(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: web-\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"
        )
        let run = Self.run(["apply", "-f", "cm.yaml"] + Self.unreachable, in: dir.path)
        #expect(run.exitCode == 1)
        #expect(
            run.stderr
                == "cm.yaml:3:1: error: ConfigMap/<unnamed>: metadata.name: from web-: cannot use generate name with apply\n"
                + "cm.yaml:8:1: error: ConfigMap/<unnamed>: metadata.name: resource name may not be empty\n"
                + "error: 2 invalid objects; nothing was sent to the server\n")
    }

    @Test func noObjectsIsAnError() throws {
        let dir = try TemporaryDirectory()
        try dir.write("empty.yaml", "# nothing here\n---\n")
        let run = Self.run(["apply", "-f", "empty.yaml", "--dry-run=client"], in: dir.path)
        #expect(run.exitCode == 1)
        #expect(run.stderr == "error: no objects passed to apply\n")
    }

    /// A client dry run validates and prints without any request (and without a project).
    @Test(
        arguments: [
            ([], "client-dry-run.txt"),
            (["-o", "name"], "client-dry-run-name.txt"),
            (["-o", "yaml"], "client-dry-run.yaml"),
            (["-o", "json"], "client-dry-run.json"),
        ] as [([String], String)])
    func clientDryRun(_ output: [String], _ golden: String) {
        let run = Self.run(["apply", "-f", "docs/examples/backendtlspolicy.yaml", "--dry-run=client"] + output)
        #expect(run.exitCode == 0)
        #expect(run.stderr == "")
        snapshots.expect(run.stdout, matches: golden)
    }

    @Test func clientDryRunOfASingleObjectPrintsTheObjectItself() {
        let run = Self.run(
            ["apply", "-f", "-", "--dry-run=client", "-o", "json"],
            stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  k: v\n")
        #expect(run.exitCode == 0)
        #expect(
            run.stdout
                == "{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \"k\": \"v\"\n    },\n    \"kind\": \"ConfigMap\",\n    \"metadata\": {\n        \"name\": \"one\",\n        \"namespace\": \"default\"\n    }\n}\n"
        )
    }

    @Test func validateWarnPrintsLocatedWarningsAndKeepsGoing() {
        let manifest = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata:
              name: warned
            spec:
              foo: bar
              targetRefs: [{group: "", kind: Service, name: web}]
              validation: {wellKnownCACertificates: System, hostname: web.example.com}

            """
        let run = Self.run(["apply", "-f", "-", "--dry-run=client", "--validate=warn", "-o", "yaml"], stdin: manifest)
        #expect(run.exitCode == 0)
        #expect(run.stderr == "STDIN:6:3: warning: BackendTLSPolicy/warned: spec.foo: unknown field \"spec.foo\"\n")
        // The unknown field is kept in what would be sent: the server decides, never datumctl.
        #expect(run.stdout.contains("  foo: bar\n"))
        let strict = Self.run(["apply", "-f", "-", "--dry-run=client"], stdin: manifest)
        #expect(strict.exitCode == 1)
        #expect(strict.stderr.hasPrefix("STDIN:6:3: error: BackendTLSPolicy/warned: spec.foo: unknown field"))
    }

    @Test(arguments: ["apply", "diff"])
    func help(_ command: String) {
        let run = Self.run([command, "-h"])
        #expect(run.exitCode == 0)
        snapshots.expect(run.stdout, matches: "help-\(command).txt")
    }
}
