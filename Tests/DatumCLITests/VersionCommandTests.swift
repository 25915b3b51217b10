import DatumArguments
import DatumBuildInfo
import DatumJSON
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// `version`: the client line always, the server's when a project is selected and reachable.
@Suite struct VersionCommandTests {
    static let snapshot = Snapshot(folder: "read")
    static let noConfig = ["DATUMCTL_CONFIG": "/nonexistent/config", "HOME": "/nonexistent"]

    static let serverVersion: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.4-datum-sandbox",
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64",
    ]

    static func server() throws -> FakeAPIServer {
        try FakeAPIServer { request in
            request.kubePath == "/version" ? .json(Self.serverVersion) : .notFound("paths", request.path)
        }
    }

    struct OutputCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var golden: String
        var testDescription: String { golden }
    }

    static let cases: [OutputCase] = [
        OutputCase(arguments: [], golden: "version/both.txt"),
        OutputCase(arguments: ["-o", "json"], golden: "version/both.json"),
        OutputCase(arguments: ["-o", "yaml"], golden: "version/both.yaml"),
        OutputCase(arguments: ["--client"], golden: "version/client.txt"),
        OutputCase(arguments: ["--client", "-o", "json"], golden: "version/client.json"),
        OutputCase(arguments: ["--client", "-o", "yaml"], golden: "version/client.yaml"),
    ]

    @Test(arguments: cases)
    func printsKubectlShapedOutput(_ c: OutputCase) throws {
        let server = try Self.server()
        defer { server.stop() }

        let run = FakeCLI.run(["version"] + c.arguments, server: server)

        #expect(run.exitCode == 0)
        #expect(run.stderr == "")
        Self.snapshot.expect(Self.withoutCommit(run.stdout), matches: c.golden)
        let asked = server.requests.map(\.kubePath)
        #expect(asked == (c.arguments.contains("--client") ? [] : ["/version"]))
    }

    /// The output without the client's commit lines (they change with every commit, so the goldens
    /// leave them out); checks that JSON and YAML state the commit this binary was built from.
    static func withoutCommit(_ output: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let commit = BuildInfo.gitCommit
        guard !commit.isEmpty, output.hasPrefix("{") || output.hasPrefix("clientVersion:") else { return output }
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let index = lines.firstIndex(where: { $0.contains("gitCommit") && $0.contains(commit) }),
            index + 1 < lines.count
        else {
            Issue.record("the output does not name the commit \(commit):\n\(output)", sourceLocation: sourceLocation)
            return output
        }
        lines.remove(at: index)
        // gitTreeState follows gitCommit, as in kubectl's version.Info.
        let state = lines.remove(at: index)
        #expect(state.contains("gitTreeState") && state.contains(BuildInfo.gitTreeState), sourceLocation: sourceLocation)
        return lines.joined(separator: "\n")
    }

    @Test func theCommitComesFromGit() throws {
        let git = try #require(TestProcess.which("git"))
        let head = try TestProcess.run(git, ["-C", Repository.root, "rev-parse", "HEAD"])
        #expect(BuildInfo.gitCommit == head.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(["clean", "dirty"].contains(BuildInfo.gitTreeState))
        let version = try String(contentsOfFile: Repository.root + "/VERSION", encoding: .utf8)
        #expect(BuildInfo.version == version.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func withoutAProjectOnlyTheClientIsShown() {
        let run = CLI.run(["version"], variables: Self.noConfig)
        #expect(run.exitCode == 0)
        #expect(Self.withoutCommit(run.stdout) == "Client Version: v\(Datumctl.version)\n")
        #expect(run.stderr == "")
    }

    @Test func anUnreachableServerStillPrintsTheClientThenFails() throws {
        let closed = try FakeAPIServer { _ in .json([:]) }
        let url = closed.url
        closed.stop()

        let run = CLI.run(["version", "--server", url, "--project", "p1"], variables: Self.noConfig)

        #expect(run.exitCode == 1)
        #expect(Self.withoutCommit(run.stdout) == "Client Version: v\(Datumctl.version)\n")
        #expect(
            run.stderr
                == "error: Unable to connect to the server \(url): connection refused (is the server running and is --server right?)\n"
        )
    }

    @Test func helpPageMatchesGolden() {
        let text = HelpRenderer(root: Datumctl.rootSpec, width: 100).render(commandPath: ["datumctl", "version"])
        Self.snapshot.expect(text, matches: "help/version.txt")
    }
}
