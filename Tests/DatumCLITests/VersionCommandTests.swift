import DatumJSON
import Foundation
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
        Self.snapshot.expect(run.stdout, matches: c.golden)
        let asked = server.requests.map(\.kubePath)
        #expect(asked == (c.arguments.contains("--client") ? [] : ["/version"]))
    }

    @Test func withoutAProjectOnlyTheClientIsShown() {
        let run = CLI.run(["version"], variables: Self.noConfig)
        #expect(run.exitCode == 0)
        #expect(run.stdout == "Client Version: v\(Datumctl.version)\n")
        #expect(run.stderr == "")
    }

    @Test func anUnreachableServerStillPrintsTheClientThenFails() throws {
        let closed = try FakeAPIServer { _ in .json([:]) }
        let url = closed.url
        closed.stop()
        Thread.sleep(forTimeInterval: 0.1)

        let run = CLI.run(["version", "--server", url, "--project", "p1"], variables: Self.noConfig)

        #expect(run.exitCode == 1)
        #expect(run.stdout == "Client Version: v\(Datumctl.version)\n")
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
