import DatumArguments
import DatumJSON
import Foundation
import GoCompat
import Synchronization
import TestSupport
import Testing

@testable import DatumCLI

/// `delete` against a fake server: the requests, kubectl's lines in order, failures that do
/// not stop the others, dry runs, and waiting until objects are gone.
@Suite struct DeleteCommandTests {
    static let snapshot = Snapshot(folder: "read")

    /// Deletes succeed for `a`, `b` and `c`; `missing` is not found. GETs after a delete say
    /// the object is gone unless `lingering` names it, in which case it stays for `polls` GETs.
    static func server(lingering: String? = nil, polls: Int = 0, replacedUID: Bool = false) throws -> FakeAPIServer {
        let remaining = Mutex(polls)
        return try FakeAPIServer { request in
            let name = request.path.split(separator: "/").last.map(String.init) ?? ""
            switch request.method {
            case "DELETE":
                if name == "missing" { return .notFound("backendtlspolicies.gateway.networking.k8s.io", name) }
                return .json(FakeObjects.policy(name))
            case "GET" where request.kubePath == FakeObjects.policies:
                return .json(FakeObjects.list([FakeObjects.policy("a"), FakeObjects.policy("b")]))
            case "GET":
                if name == lingering {
                    if replacedUID { return .json(FakeObjects.policy(name, uid: "a-new-uid")) }
                    let stays = remaining.withLock { count -> Bool in
                        count -= 1
                        return count >= 0
                    }
                    if stays { return .json(FakeObjects.policy(name)) }
                }
                return .notFound("backendtlspolicies.gateway.networking.k8s.io", name)
            default:
                return .status(405, reason: "MethodNotAllowed", message: "no")
            }
        }
    }

    @Test func deletesConcurrentlyPrintsInOrderAndReportsFailuresAtTheEnd() throws {
        let server = try Self.server()
        defer { server.stop() }

        let run = FakeCLI.run(["delete", "btlspolicy", "c", "missing", "a"], server: server)

        #expect(run.exitCode == 1)
        #expect(
            run.stdout
                == "backendtlspolicy.gateway.networking.k8s.io \"c\" deleted\nbackendtlspolicy.gateway.networking.k8s.io \"a\" deleted\n"
        )
        #expect(
            run.stderr
                == "Error from server (NotFound): backendtlspolicies.gateway.networking.k8s.io \"missing\" not found\n")
        let deletes = server.requests.filter { $0.method == "DELETE" }
        #expect(Set(deletes.map(\.kubePath)) == Set(["c", "missing", "a"].map { FakeObjects.policies + "/" + $0 }))
        for request in deletes {
            #expect(
                String(decoding: request.body, as: UTF8.self)
                    == #"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}"#)
            #expect(request.headers["content-type"] == "application/json")
        }
        // A failure means no waiting, as kubectl returns before waiting.
        #expect(server.requests.allSatisfy { $0.method == "DELETE" })
    }

    @Test func waitsUntilTheObjectIsGone() throws {
        let server = try Self.server(lingering: "a", polls: 2)
        defer { server.stop() }

        let run = FakeCLI.run(["delete", "btlspolicy", "a", "b"], server: server)

        #expect(run.exitCode == 0)
        #expect(run.stderr == "")
        let gets = server.requests.filter { $0.method == "GET" }.map {
            String($0.kubePath.split(separator: "/").last ?? "")
        }
        // The first round checks both concurrently; then only `a`, which stays for two more polls.
        #expect(gets.filter { $0 == "a" }.count == 3)
        #expect(gets.filter { $0 == "b" }.count == 1)
    }

    @Test func anObjectRecreatedWithAnotherUIDCountsAsGone() throws {
        let server = try Self.server(lingering: "a", replacedUID: true)
        defer { server.stop() }
        let run = FakeCLI.run(["delete", "btlspolicy", "a"], server: server)
        #expect(run.exitCode == 0)
        #expect(server.requests.filter { $0.method == "GET" }.count == 1)
    }

    @Test func waitingGivesUpAfterTheTimeout() throws {
        let server = try Self.server(lingering: "a", polls: 1_000)
        defer { server.stop() }
        let run = FakeCLI.run(["delete", "btlspolicy", "a", "--timeout", "300ms"], server: server)
        #expect(run.exitCode == 1)
        #expect(run.stdout == "backendtlspolicy.gateway.networking.k8s.io \"a\" deleted\n")
        #expect(run.stderr == "error: timed out waiting for the condition on backendtlspolicies/a\n")

        let quick = FakeCLI.run(["delete", "btlspolicy", "a", "--wait=false"], server: server)
        #expect(quick.exitCode == 0)
    }

    @Test func selectorsListFirstAndIgnoreObjectsAlreadyGone() throws {
        let server = try Self.server()
        defer { server.stop() }

        let run = FakeCLI.run(["delete", "btlspolicy", "-l", "app=web", "-o", "name"], server: server)

        #expect(run.exitCode == 0)
        #expect(
            run.stdout == "backendtlspolicy.gateway.networking.k8s.io/a\nbackendtlspolicy.gateway.networking.k8s.io/b\n"
        )
        let list = try #require(server.requests.first)
        #expect(list.method == "GET")
        #expect(list.parameter("labelSelector") == "app=web")
        #expect(list.parameter("limit") == "500")
    }

    @Test func dryRuns() throws {
        let server = try Self.server()
        defer { server.stop() }

        let client = FakeCLI.run(["delete", "btlspolicy", "a", "missing", "--dry-run=client"], server: server)
        #expect(
            client.stdout
                == "backendtlspolicy.gateway.networking.k8s.io \"a\" deleted (dry run)\nbackendtlspolicy.gateway.networking.k8s.io \"missing\" deleted (dry run)\n"
        )
        #expect(server.requests.isEmpty)

        let remote = FakeCLI.run(["delete", "btlspolicy/a", "--dry-run=server"], server: server)
        #expect(remote.stdout == "backendtlspolicy.gateway.networking.k8s.io \"a\" deleted (server dry run)\n")
        let request = try #require(server.requests.first)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"],"propagationPolicy":"Background"}"#)
        // A dry run deletes nothing, so there is nothing to wait for.
        #expect(server.requests.count == 1)
    }

    @Test func manifestsNameTheirFileInErrors() throws {
        let server = try Self.server()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write(
            "policies.yaml",
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata:
              name: a
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata:
              name: missing
              namespace: staging

            """)

        let run = FakeCLI.run(["delete", "-f", "policies.yaml"], server: server, in: directory.path)

        #expect(run.exitCode == 1)
        #expect(run.stdout == "backendtlspolicy.gateway.networking.k8s.io \"a\" deleted\n")
        #expect(
            run.stderr
                == "Error from server (NotFound): error when deleting \"policies.yaml\": backendtlspolicies.gateway.networking.k8s.io \"missing\" not found\n"
        )
        #expect(
            server.requests.contains {
                $0.kubePath == "/apis/gateway.networking.k8s.io/v1/namespaces/staging/backendtlspolicies/missing"
            })

        let ignored = FakeCLI.run(
            ["delete", "-f", "policies.yaml", "--ignore-not-found"], server: server, in: directory.path)
        #expect(ignored.exitCode == 0)
        #expect(ignored.stderr == "")
    }

    @Test func nothingSelectedSaysSoOnStdout() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.list([])) }
        defer { server.stop() }
        let run = FakeCLI.run(["delete", "btlspolicy", "--all"], server: server)
        #expect(run.exitCode == 0)
        #expect(run.stdout == "No resources found\n")
    }

    struct UsageCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let usageCases: [UsageCase] = [
        UsageCase(
            arguments: ["delete"], message: "error: You must provide one or more resources by argument or filename."),
        UsageCase(
            arguments: ["delete", "btlspolicy"], message: "error: resource(s) were provided, but no name was specified"),
        UsageCase(
            arguments: ["delete", "btlspolicy", "--all", "-l", "a=b"],
            message: "error: setting 'all' parameter but found a non empty selector. "),
        UsageCase(
            arguments: ["delete", "btlspolicy", "a", "--all"],
            message: "error: name cannot be provided when a selector is specified"),
        UsageCase(
            arguments: ["delete", "-f", "x.yaml", "--all"],
            message: "error: --all, --selector and --field-selector need a resource type, not -f"),
        UsageCase(
            arguments: ["delete", "btlspolicy", "a", "--dry-run=maybe"],
            message: "error: invalid argument \"maybe\" for \"--dry-run\" flag: must be one of: none, server, client"),
    ]

    @Test(arguments: usageCases)
    func usageErrors(_ c: UsageCase) {
        let run = CLI.run(c.arguments)
        #expect(run.exitCode == 64)
        #expect(run.stderr.split(separator: "\n").first.map(String.init) == c.message)
    }

    @Test func helpPageMatchesGolden() {
        let text = HelpRenderer(root: Datumctl.rootSpec, width: 100).render(commandPath: ["datumctl", "delete"])
        Self.snapshot.expect(text, matches: "help/delete.txt")
    }
}
