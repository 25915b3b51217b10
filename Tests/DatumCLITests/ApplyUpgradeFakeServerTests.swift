import DatumJSON
import Foundation
import Testing

@testable import DatumCLI

/// The requests of the client-side → server-side upgrade against a scripted server: the retry
/// after a 409, and a failed upgrade that leaves the apply to go ahead.
@Suite struct ApplyUpgradeFakeServerTests {
    static let path = "/api/v1/namespaces/default/configmaps/c"
    static let annotation = "kubectl.kubernetes.io/last-applied-configuration"

    static func object(version: String, a: String = "1", managedFields: JSONValue? = nil) -> JSONValue {
        let clientSide: JSONValue = [
            "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
            "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
            "fieldsV1": [
                "f:data": [".": [:], "f:a": [:]],
                "f:metadata": ["f:annotations": [".": [:], .init(stringLiteral: "f:" + annotation): [:]]],
            ],
        ]
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": "c", "namespace": "default", "resourceVersion": .string(version),
                "annotations": [.init(stringLiteral: annotation): "{}\n"],
                "managedFields": managedFields ?? [clientSide],
            ],
            "data": ["a": .string(a)],
        ]
    }

    /// The server's state, changed by the handler.
    final class State: @unchecked Sendable {
        let lock = NSLock()
        var patches = 0
        var patchStatus: Int
        init(patchStatus: Int) { self.patchStatus = patchStatus }
    }

    static func server(_ state: State) throws -> FakeAPIServer {
        try FakeAPIServer { request in
            state.lock.lock()
            defer { state.lock.unlock() }
            let contentType = request.headers["content-type"] ?? ""
            switch (request.method, contentType) {
            case ("GET", _):
                return .json(object(version: state.patches == 0 ? "5" : "6"))
            case ("PATCH", "application/json-patch+json"):
                state.patches += 1
                if state.patchStatus != 200 || state.patches == 1 {
                    let code = state.patches == 1 ? 409 : state.patchStatus
                    return .status(
                        code, reason: code == 409 ? "Conflict" : "InternalError",
                        message: code == 409 ? "the object has been modified" : "boom")
                }
                guard case .array(let operations)? = try? JSONParser.parse(request.body),
                    let fields = operations.first?["value"]
                else { return .status(400, reason: "BadRequest", message: "bad patch") }
                return .json(object(version: "7", managedFields: fields))
            case ("PATCH", "application/apply-patch+yaml"):
                return .json(object(version: "8", a: "10"))
            default:
                return .status(405, reason: "MethodNotAllowed", message: "no")
            }
        }
    }

    static let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"10\"\n"

    @Test func aConflictingUpgradeIsRecomputedFromAFreshRead() throws {
        let state = State(patchStatus: 200)
        let server = try Self.server(state)
        defer { server.stop() }
        let run = FakeCLI.run(["apply", "-f", "-"], server: server, stdin: Self.manifest)
        #expect(run.exitCode == 0)
        #expect(run.stdout == "configmap/c configured\n")
        #expect(run.stderr == "")
        let requests = server.requests.map { "\($0.method) \($0.headers["content-type"] ?? "-")" }
        #expect(
            requests == [
                "GET -", "PATCH application/json-patch+json", "GET -", "PATCH application/json-patch+json",
                "PATCH application/apply-patch+yaml",
            ])
        let patches = server.requests.filter { $0.headers["content-type"] == "application/json-patch+json" }
        let versions = patches.map { (try? JSONParser.parse($0.body))?[1]?["value"]?.stringValue }
        #expect(versions == ["5", "6"])
        let upgraded = try JSONParser.parse(patches[1].body)[0]?["value"]?[0]
        #expect(upgraded?["manager"] == "datumctl")
        #expect(upgraded?["operation"] == "Apply")
        #expect(patches.allSatisfy { $0.parameter("fieldManager") == "datumctl" })
    }

    @Test func aFailedUpgradeIsAWarningAndTheApplyGoesAhead() throws {
        let state = State(patchStatus: 500)
        let server = try Self.server(state)
        defer { server.stop() }
        let run = FakeCLI.run(["apply", "-f", "-"], server: server, stdin: Self.manifest)
        #expect(run.exitCode == 0)
        #expect(run.stdout == "configmap/c configured\n")
        #expect(
            run.stderr
                == "Warning: server rejected managed fields migration to Server-Side Apply. This is non-fatal and "
                + "will be retried next time you apply. Error: boom\n")
        #expect(server.requests.last?.headers["content-type"] == "application/apply-patch+yaml")
    }
}
