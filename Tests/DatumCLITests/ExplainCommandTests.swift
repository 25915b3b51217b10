import DatumArguments
import DatumJSON
import Foundation
import GoCompat
import TestSupport
import Synchronization
import Testing

@testable import DatumCLI

/// `explain`: the live OpenAPI v3 path (against a fake server here, the sandbox in the
/// integration tests), the built-in schema without a project, and the fallback rules.
@Suite struct ExplainCommandTests {
    static let snapshot = Snapshot(folder: "read")
    static let noConfig = ["DATUMCTL_CONFIG": "/nonexistent/config", "HOME": "/nonexistent"]
    static let note =
        "note: no project selected; explaining the schema built into datumctl (pass --project to read the project's live schema)\n"

    /// Goldens recorded from kubectl 1.32 by the printers work; the embedded schema must reproduce them.
    static func kubectlGolden(_ name: String) throws -> String {
        try #require(PrintersSnapshot.read("explain/\(name).txt"))
    }

    struct OfflineCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var golden: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let offlineCases: [OfflineCase] = [
        OfflineCase(arguments: ["backendtlspolicies", "--recursive"], golden: "recursive"),
        OfflineCase(arguments: ["backendtlspolicies"], golden: "resource"),
        OfflineCase(arguments: ["btlspolicy.spec"], golden: "spec"),
        OfflineCase(arguments: ["backendtlspolicy.spec.targetRefs"], golden: "targetRefs"),
        OfflineCase(arguments: ["backendtlspolicies.gateway.networking.k8s.io.spec.validation"], golden: "validation"),
        OfflineCase(arguments: ["BackendTLSPolicy.spec", "--recursive"], golden: "spec-recursive"),
        OfflineCase(arguments: ["btlspolicy.metadata.", "--recursive"], golden: "metadata-recursive"),
        OfflineCase(
            arguments: ["btlspolicy.status.ancestors.conditions", "--api-version", "gateway.networking.k8s.io/v1"],
            golden: "status-conditions"),
    ]

    /// The seed usage: `datumctl explain backendtlspolicies --recursive` with no project at all.
    @Test(arguments: offlineCases)
    func withoutAProjectTheBuiltInSchemaMatchesKubectl(_ c: OfflineCase) throws {
        let run = CLI.run(["explain"] + c.arguments, variables: Self.noConfig)
        #expect(run.exitCode == 0)
        #expect(run.stdout == (try Self.kubectlGolden(c.golden)))
        #expect(run.stderr == Self.note)
    }

    @Test func aMissingFieldPrintsTheHeaderAndFails() throws {
        let run = CLI.run(["explain", "btlspolicy.spec.foo"], variables: Self.noConfig)
        #expect(run.exitCode == 1)
        #expect(run.stdout == (try Self.kubectlGolden("error-missing-field")))
        #expect(run.stderr == Self.note + "error: field \"foo\" does not exist\n")
    }

    @Test func onlyTheBuiltInKindCanBeExplainedOffline() {
        let service = CLI.run(["explain", "services"], variables: Self.noConfig)
        #expect(service.exitCode == 1)
        #expect(
            service.stderr == Self.note
                + "error: cannot explain services without a server: only backendtlspolicies is built in; select a "
                + "project with --project and check that the server is reachable\n")
    }

    @Test func argumentMistakes() {
        let none = CLI.run(["explain"], variables: Self.noConfig)
        #expect(none.exitCode == 64)
        #expect(
            none.stderr
                == "error: You must specify the type of resource to explain. Use \"datumctl api-resources\" for "
                + "a complete list of supported resources.\nSee 'datumctl explain -h' for help and examples\n")
        let two = CLI.run(["explain", "a", "b"], variables: Self.noConfig)
        #expect(two.exitCode == 64)
        #expect(two.stderr.hasPrefix("error: unexpected arguments: [b]\n"))
        let version = CLI.run(["explain", "btlspolicy", "--api-version", "a/b/c"], variables: Self.noConfig)
        #expect(version.stderr.hasPrefix("error: unexpected GroupVersion string: a/b/c\n"))
    }

    /// The live document comes from the URL the index names, moved under the project prefix.
    @Test func readsTheProjectsLiveDocumentThroughItsRerootedURL() throws {
        let document = try ExplainCommand.embeddedDocument(for: ResourceMapper.builtin[0])
        let server = try FakeAPIServer { request in
            switch request.kubePath {
            case "/openapi/v3":
                // A server-relative URL without the project prefix: it must be re-rooted.
                return .json([
                    "paths": [
                        "apis/gateway.networking.k8s.io/v1": [
                            "serverRelativeURL": "/openapi/v3/apis/gateway.networking.k8s.io/v1?hash=ABC"
                        ]
                    ]
                ])
            case "/openapi/v3/apis/gateway.networking.k8s.io/v1":
                return .json(document)
            default:
                return .notFound("paths", request.path)
            }
        }
        defer { server.stop() }

        let run = FakeCLI.run(["explain", "backendtlspolicies", "--recursive"], server: server)

        #expect(run.exitCode == 0)
        #expect(run.stderr == "")
        #expect(run.stdout == (try Self.kubectlGolden("recursive")))
        let prefix = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/p1/control-plane"
        #expect(
            server.requests.map(\.target) == [
                prefix + "/openapi/v3", prefix + "/openapi/v3/apis/gateway.networking.k8s.io/v1?hash=ABC",
            ])
    }

    /// The document behind a hashed URL is kept on disk: a warm explain sends only the index
    /// request; a new hash is fetched and replaces the old copy; a damaged copy is fetched again
    /// with a warning; a cache that cannot be written is warned about and the command still works.
    @Test func documentsAreCachedByTheirHash() throws {
        let document = try ExplainCommand.embeddedDocument(for: ResourceMapper.builtin[0])
        let hash = Mutex("ABC")
        let server = try FakeAPIServer { request in
            switch request.kubePath {
            case "/openapi/v3":
                let current = hash.withLock { $0 }
                return .json([
                    "paths": [
                        "apis/gateway.networking.k8s.io/v1": [
                            "serverRelativeURL": .string("/openapi/v3/apis/gateway.networking.k8s.io/v1?hash=\(current)")
                        ]
                    ]
                ])
            case "/openapi/v3/apis/gateway.networking.k8s.io/v1": return .json(document)
            default: return .notFound("paths", request.path)
            }
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let cache = directory.path + "/cache"
        func explain(_ extra: [String] = []) -> CLIRun {
            FakeCLI.run(["explain", "backendtlspolicies", "--recursive", "--cache-dir", cache] + extra, server: server)
        }
        func documentRequests() -> Int {
            server.requests.filter { $0.kubePath.hasPrefix("/openapi/v3/apis/") }.count
        }
        let golden = try Self.kubectlGolden("recursive")

        let cold = explain()
        #expect(cold.exitCode == 0)
        #expect(cold.stdout == golden)
        #expect(cold.stderr == "")
        let warm = explain()
        #expect(warm.stdout == golden)
        #expect(warm.stderr == "")
        #expect(documentRequests() == 1)
        let folder = try #require(
            FileManager.default.enumerator(atPath: cache)?.compactMap { $0 as? String }
                .first { $0.hasSuffix(".ABC.json") })
        let copy = cache + "/" + folder
        let mode = (try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600)

        // The schema changes: a new hash, fetched once, and the old copy is gone.
        hash.withLock { $0 = "DEF" }
        #expect(explain().stdout == golden)
        #expect(explain().stdout == golden)
        #expect(documentRequests() == 2)
        #expect(!FileManager.default.fileExists(atPath: copy))

        // A damaged copy is fetched again, with a warning, and repaired.
        let current = copy.replacingOccurrences(of: ".ABC.json", with: ".DEF.json")
        try "{\"truncated".write(toFile: current, atomically: true, encoding: .utf8)
        let damaged = explain()
        #expect(damaged.stdout == golden)
        #expect(damaged.stderr.hasPrefix("Warning: ignoring the damaged cache file "))
        #expect(documentRequests() == 3)
        #expect(explain().stderr == "")
        #expect(documentRequests() == 3)

        // A cache that cannot be written: a warning, and the output is unchanged.
        try "not a folder".write(toFile: directory.path + "/blocked", atomically: true, encoding: .utf8)
        let blocked = FakeCLI.run(
            ["explain", "backendtlspolicies", "--recursive", "--cache-dir", directory.path + "/blocked/cache"],
            server: server)
        #expect(blocked.exitCode == 0)
        #expect(blocked.stdout == golden)
        #expect(blocked.stderr.hasPrefix("Warning: cannot write the cache in "))

        // An empty --cache-dir turns the cache off.
        let before = documentRequests()
        _ = FakeCLI.run(["explain", "backendtlspolicies", "--cache-dir="], server: server)
        #expect(documentRequests() == before + 1)
    }

    @Test func aGroupVersionMissingFromTheIndexIsAnError() throws {
        let server = try FakeAPIServer { _ in .json(["paths": [:]]) }
        defer { server.stop() }
        let run = FakeCLI.run(
            ["explain", "btlspolicy", "--api-version", "gateway.networking.k8s.io/v2"], server: server)
        #expect(run.exitCode == 1)
        #expect(
            run.stderr
                == "error: couldn't find resource for \"gateway.networking.k8s.io/v2, Resource=backendtlspolicies\"\n")
    }

    /// Only connection failures fall back; a rejected token must be seen, not papered over.
    @Test func authenticationErrorsAreNotHiddenByTheFallback() throws {
        let server = try FakeAPIServer { _ in .status(401, reason: "Unauthorized", message: "Unauthorized") }
        defer { server.stop() }
        let run = FakeCLI.run(["explain", "btlspolicy"], server: server)
        #expect(run.exitCode == 1)
        #expect(run.stdout == "")
        #expect(run.stderr.hasPrefix("error: You must be logged in to the server (Unauthorized)\n"))
    }

    @Test func anUnreachableServerFallsBackWithANote() throws {
        let closed = try FakeAPIServer { _ in .json([:]) }
        let url = closed.url
        closed.stop()

        let run = CLI.run(
            ["explain", "btlspolicy.spec", "--server", url, "--project", "p1"], variables: Self.noConfig)

        #expect(run.exitCode == 0)
        #expect(run.stdout == (try Self.kubectlGolden("spec")))
        #expect(
            run.stderr
                == "note: Unable to connect to the server \(url): connection refused (is the server running and is "
                + "--server right?); explaining the schema built into datumctl instead\n")
    }

    @Test func helpPageMatchesGolden() {
        let text = HelpRenderer(root: Datumctl.rootSpec, width: 100).render(commandPath: ["datumctl", "explain"])
        Self.snapshot.expect(text, matches: "help/explain.txt")
    }
}
