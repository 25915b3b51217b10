import Foundation
import TestSupport
import Testing

@testable import DatumCLI

/// What a new user meets first: the no-project advice works when followed, a server address
/// without a scheme is https, and a token about to travel in clear text is warned about.
@Suite struct NewcomerPathTests {
    static let project = "my-project"

    /// A server that answers every request under `my-project`'s prefix with a one-row Table.
    static func server() throws -> FakeAPIServer {
        try FakeAPIServer { request in
            let prefix = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/\(Self.project)/control-plane/"
            return request.path.hasPrefix(prefix)
                ? .json(FakeObjects.table(["secure-backend"])) : .notFound("projects", request.path)
        }
    }

    @Test func everyWayTheNoProjectErrorNamesWorksAsPrinted() throws {
        let server = try Self.server()
        defer { server.stop() }
        let home = try TemporaryDirectory()
        let variables = ["HOME": home.path]
        let command = ["get", "backendtlspolicies", "--server", server.url]

        let failed = CLI.run(command, variables: variables)
        #expect(failed.exitCode == 1)
        #expect(server.requests.isEmpty)
        let message = failed.stderr
        #expect(message.hasPrefix("error: no project selected: "))
        func filled(_ text: Substring) -> String { String(text).replacing("PROJECT", with: Self.project) }

        // 1. "pass --project PROJECT"
        let flag = try #require(message.firstMatch(of: /pass (--project PROJECT)/)?.1)
        let withFlag = CLI.run(command + filled(flag).split(separator: " ").map(String.init), variables: variables)
        #expect(withFlag.exitCode == 0)
        #expect(withFlag.stdout.contains("secure-backend"))

        // 2. "set DATUM_PROJECT=PROJECT"
        let assignment = try #require(message.firstMatch(of: /set ([A-Z_]+)=PROJECT/)?.1)
        var withVariable = variables
        withVariable[String(assignment)] = Self.project
        let fromEnvironment = CLI.run(command, variables: withVariable)
        #expect(fromEnvironment.exitCode == 0, "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stdout.contains("secure-backend"))

        // 3. The command that saves it, run as printed on a machine with no configuration at all.
        let quoted = try #require(message.firstMatch(of: /'(datumctl [^']+)'/)?.1)
        let words = filled(quoted).split(separator: " ").map(String.init)
        let fix = CLI.run(Array(words.dropFirst()), variables: variables)
        #expect(fix.exitCode == 0, "\(fix.stderr)")
        #expect(fix.stdout == "Context \"default\" created and set as the current context.\n")
        let after = CLI.run(command, variables: variables)
        #expect(after.exitCode == 0, "\(after.stderr)")
        #expect(after.stdout.contains("secure-backend"))
        #expect(server.requests.count == 3)
    }

    @Test func setContextCurrentModifiesTheCurrentContextWhenThereIsOne() throws {
        let home = try TemporaryDirectory()
        let variables = ["HOME": home.path]
        #expect(CLI.run(["config", "set-context", "work", "--project", "a"], variables: variables).exitCode == 0)
        #expect(CLI.run(["config", "use-context", "work"], variables: variables).exitCode == 0)
        let run = CLI.run(["config", "set-context", "--current", "--project", "b"], variables: variables)
        #expect(run.stdout == "Context \"work\" modified.\n")
        let view = CLI.run(["config", "get-contexts", "-o", "name"], variables: variables)
        #expect(view.stdout == "work\n")
    }

    @Test(arguments: [
        ("api.datum.net", "https://api.datum.net"),
        ("127.0.0.1:8443", "https://127.0.0.1:8443"),
        ("[::1]:8443", "https://[::1]:8443"),
        ("HTTPS://api.datum.net/", "https://api.datum.net/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        (" https://api.datum.net ", "https://api.datum.net"),
    ])
    func aServerWithoutASchemeIsHTTPS(raw: String, normalized: String) throws {
        #expect(try ServerAddress.normalize(raw) == normalized)
    }

    @Test(arguments: [
        ("ftp://example.com", #"unsupported scheme "ftp" in server address "ftp://example.com": use https:// (or http:// for a local test server)"#),
        ("https://", #"no host in server address "https://""#),
        ("", "the server address is empty"),
    ])
    func aBadServerAddressIsRefused(raw: String, message: String) {
        #expect(throws: CLIError(.configuration, message)) { try ServerAddress.normalize(raw) }
    }

    @Test(arguments: [
        ("https://localhost:1", true), ("http://127.0.0.1", true), ("http://127.1.2.3:80/x", true),
        ("http://[::1]:8080", true), ("http://api.localhost", true), ("http://127.0.0.1.example.com", false),
        ("http://10.0.0.1", false), ("http://0.0.0.0:1", false), ("http://user@127.0.0.1:1", true),
        ("http://[fe80::1]:1", false), ("http://128.0.0.1", false),
    ])
    func loopbackHosts(server: String, isLoopback: Bool) {
        #expect(ServerAddress.isLoopback(server) == isLoopback)
    }

    @Test func theRequestGoesOutAsHTTPSWhenNoSchemeIsGiven() {
        let run = CLI.run(
            ["get", "btlspolicy", "--server", "127.0.0.1:1", "--project", "p", "--token", "T", "-v", "6"],
            variables: ["HOME": "/nonexistent", "DATUMCTL_CONFIG": "/nonexistent/config"])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("https://127.0.0.1:1/apis/resourcemanager.miloapis.com/v1alpha1/projects/p/control-plane/"))
        #expect(!run.stderr.contains("http://127.0.0.1:1"))
    }

    @Test func aTokenOverPlainHTTPToAnotherHostIsWarnedAboutOnce() {
        let variables = ["HOME": "/nonexistent", "DATUMCTL_CONFIG": "/nonexistent/config"]
        // 0.0.0.0 is not a loopback name, but connecting to it stays on this machine (port 1: refused).
        let run = CLI.run(
            ["delete", "btlspolicy", "a", "b", "--server", "http://0.0.0.0:1", "--project", "p", "--token", "T"],
            variables: variables)
        let warning =
            "Warning: the server http://0.0.0.0:1 is plain http: your token is sent unencrypted; use https:// unless "
            + "this network is trusted\n"
        #expect(run.stderr.hasPrefix(warning))
        #expect(run.stderr.components(separatedBy: "Warning:").count == 2)
        #expect(!run.stderr.contains("T\n") && !run.stderr.contains(" T "))

        let loopback = CLI.run(
            ["get", "btlspolicy", "--server", "http://127.0.0.1:1", "--project", "p", "--token", "T"],
            variables: variables)
        #expect(!loopback.stderr.contains("Warning"))
        let withoutToken = CLI.run(
            ["get", "btlspolicy", "--server", "http://0.0.0.0:1", "--project", "p"], variables: variables)
        #expect(!withoutToken.stderr.contains("Warning"))
    }
}
