import DatumJSON
import Foundation
import TestSupport
import Testing

@testable import DatumSandbox

/// An in-process API server over a temporary SQLite file, driven without any network.
final class TestAPI {
    /// Holds the SQLite file; removed with the server.
    private let directory: TemporaryDirectory
    let store: ObjectStore
    let api: APIServer
    static let token = "test-token"
    static let otherToken = "other-token"
    static let base = APIServer.projectPrefix + "p1/control-plane"

    init() throws {
        directory = try TemporaryDirectory()
        store = try ObjectStore(path: directory.path + "/sandbox.db")
        var tokens = TokenTable()
        tokens.grant(TestAPI.token, projects: ["p1", "p2"])
        tokens.grant(TestAPI.otherToken, projects: ["p3"])
        api = APIServer(store: store, tokens: tokens)
    }

    /// Sends one request; `path` is relative to project p1's control plane unless it starts with `//`.
    @discardableResult
    func send(
        _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
        accept: String = "application/json", token: String? = TestAPI.token, userAgent: String = "kubectl/v1.32.4"
    ) -> (status: Int, json: JSONValue, text: String, headers: [(String, String)]) {
        var headers = ["Accept": accept, "Content-Type": contentType, "User-Agent": userAgent]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let target = path.hasPrefix("//") ? String(path.dropFirst()) : TestAPI.base + path
        let response = api.handle(
            SandboxRequest(method: method, target: target, headers: headers, body: Array((body ?? "").utf8)))
        let text = String(decoding: response.body, as: UTF8.self)
        return (response.status, (try? JSONParser.parse(response.body)) ?? .null, text, response.headers)
    }

    static func policy(_ name: String, hostname: String = "auth.example.com", service: String = "auth", extra: String = "")
        -> String
    {
        """
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy","metadata":{"name":"\(name)"\(extra)},\
        "spec":{"targetRefs":[{"group":"","kind":"Service","name":"\(service)"}],\
        "validation":{"caCertificateRefs":[{"group":"","kind":"ConfigMap","name":"auth-cert"}],"hostname":"\(hostname)"}}}
        """
    }

    static let policies = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"
}
