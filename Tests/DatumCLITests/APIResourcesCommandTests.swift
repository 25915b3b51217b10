import DatumArguments
import DatumJSON
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// `api-resources` from aggregated discovery served by a fake server.
@Suite struct APIResourcesCommandTests {
    static let snapshot = Snapshot(folder: "read")

    static func resource(
        _ name: String, kind: String, scope: String = "Namespaced", short: [String] = [], categories: [String] = [],
        verbs: [String] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    ) -> JSONValue {
        var entry: JSONObject = [
            "resource": .string(name), "responseKind": ["group": "", "version": "v1", "kind": .string(kind)],
            "scope": .string(scope), "singularResource": .string(kind.lowercased()),
            "verbs": .array(verbs.map(JSONValue.string)),
        ]
        if !short.isEmpty { entry["shortNames"] = .array(short.map(JSONValue.string)) }
        if !categories.isEmpty { entry["categories"] = .array(categories.map(JSONValue.string)) }
        return .object(entry)
    }

    static func discovery(_ groups: [(String, [JSONValue])]) -> JSONValue {
        [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:],
            "items": .array(
                groups.map { group, resources in
                    [
                        "metadata": group.isEmpty ? [:] : ["name": .string(group)],
                        "versions": [["version": "v1", "resources": .array(resources)]],
                    ]
                }),
        ]
    }

    static func server() throws -> FakeAPIServer {
        let core = discovery([
            (
                "",
                [
                    resource("configmaps", kind: "ConfigMap", short: ["cm"]),
                    resource(
                        "namespaces", kind: "Namespace", scope: "Cluster", short: ["ns"],
                        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]),
                    resource("services", kind: "Service", short: ["svc"], categories: ["all"]),
                ]
            )
        ])
        let groups = discovery([
            (
                "gateway.networking.k8s.io",
                [
                    resource(
                        "backendtlspolicies", kind: "BackendTLSPolicy", short: ["btlspolicy"],
                        categories: ["gateway-api"]),
                    resource("httproutes", kind: "HTTPRoute", categories: ["gateway-api"]),
                ]
            )
        ])
        return try FakeAPIServer { request in
            switch request.kubePath {
            case "/api": return .json(core)
            case "/apis": return .json(groups)
            default: return .notFound("paths", request.path)
            }
        }
    }

    struct OutputCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var golden: String
        var testDescription: String { golden }
    }

    static let cases: [OutputCase] = [
        OutputCase(arguments: [], golden: "api-resources/default.txt"),
        OutputCase(arguments: ["-o", "wide"], golden: "api-resources/wide.txt"),
        OutputCase(arguments: ["-o", "name"], golden: "api-resources/name.txt"),
        OutputCase(arguments: ["--namespaced=false"], golden: "api-resources/cluster.txt"),
        OutputCase(
            arguments: ["--api-group", "gateway.networking.k8s.io", "--no-headers"], golden: "api-resources/group.txt"),
        OutputCase(
            arguments: ["--sort-by", "kind", "--verbs", "deletecollection"], golden: "api-resources/by-kind.txt"),
        OutputCase(arguments: ["--categories", "gateway-api", "-o", "name"], golden: "api-resources/category.txt"),
    ]

    @Test(arguments: cases)
    func printsTheDiscoveredResources(_ c: OutputCase) throws {
        let server = try Self.server()
        defer { server.stop() }

        let run = FakeCLI.run(["api-resources"] + c.arguments, server: server)

        #expect(run.exitCode == 0)
        #expect(run.stderr == "")
        Self.snapshot.expect(run.stdout, matches: c.golden)
        #expect(Set(server.requests.map(\.kubePath)) == ["/api", "/apis"])
        #expect(server.requests.allSatisfy { $0.headers["accept"] == ResourceMapper.aggregatedDiscoveryAccept })
    }

    @Test func helpPageMatchesGolden() {
        let text = HelpRenderer(root: Datumctl.rootSpec, width: 100).render(commandPath: ["datumctl", "api-resources"])
        Self.snapshot.expect(text, matches: "help/api-resources.txt")
    }
}
