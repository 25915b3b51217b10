import DatumJSON
import Foundation
import TestSupport
import Testing

@testable import DatumSandbox

@Suite struct SelectorParsingTests {
    @Test(arguments: [
        ("a=b", [LabelSelector.Requirement.equals("a", "b")]),
        ("a==b,c!=d", [.equals("a", "b"), .notEquals("c", "d")]),
        ("env in (prod, dev),tier notin (x)", [.isIn("env", ["prod", "dev"]), .notIn("tier", ["x"])]),
        ("app,!legacy", [.exists("app"), .doesNotExist("legacy")]),
        ("", []),
    ])
    func parses(text: String, expected: [LabelSelector.Requirement]) throws {
        #expect(try LabelSelector(parsing: text).requirements == expected)
    }

    @Test func rejectsGarbage() {
        #expect(throws: APIError.self) { try LabelSelector(parsing: "a b") }
        #expect(throws: APIError.self) { try FieldSelector(parsing: "metadata.name") }
    }
}

@Suite struct PatchFormatTests {
    @Test(arguments: [
        (#"{"a":1,"b":{"c":2}}"#, #"{"b":{"c":null,"d":3},"e":[1]}"#, #"{"a":1,"b":{"d":3},"e":[1]}"#),
        (#"{"a":[1,2]}"#, #"{"a":[3]}"#, #"{"a":[3]}"#),
        (#"{"a":1}"#, #"{"a":null}"#, #"{}"#),
    ])
    func mergePatch(target: String, patch: String, expected: String) throws {
        let result = PatchFormats.mergePatch(try JSONParser.parse(target), try JSONParser.parse(patch))
        #expect(result.compactJSON == expected)
    }

    @Test(arguments: [
        (#"[{"op":"add","path":"/a/-","value":3}]"#, #"{"a":[1,2,3],"b":{"c":"x"}}"#),
        (#"[{"op":"remove","path":"/a/0"}]"#, #"{"a":[2],"b":{"c":"x"}}"#),
        (#"[{"op":"move","from":"/b/c","path":"/d"}]"#, #"{"a":[1,2],"b":{},"d":"x"}"#),
        (#"[{"op":"copy","from":"/b","path":"/e~1f"}]"#, #"{"a":[1,2],"b":{"c":"x"},"e/f":{"c":"x"}}"#),
        (#"[{"op":"test","path":"/b/c","value":"x"},{"op":"replace","path":"/a","value":0}]"#, #"{"a":0,"b":{"c":"x"}}"#),
    ])
    func jsonPatch(patch: String, expected: String) throws {
        let result = try PatchFormats.jsonPatch(try JSONParser.parse(#"{"a":[1,2],"b":{"c":"x"}}"#), try JSONParser.parse(patch))
        #expect(result.compactJSON == expected)
    }

    @Test func jsonPatchErrors() throws {
        let doc = try JSONParser.parse(#"{"a":1}"#)
        #expect(throws: APIError(code: 422, reason: "Invalid", message: "testing value /a failed: test failed")) {
            try PatchFormats.jsonPatch(doc, try JSONParser.parse(#"[{"op":"test","path":"/a","value":2}]"#))
        }
        #expect(throws: APIError(code: 422, reason: "Invalid", message: #"doc is missing path: "/zz": missing value"#)) {
            try PatchFormats.jsonPatch(doc, try JSONParser.parse(#"[{"op":"remove","path":"/zz"}]"#))
        }
    }

    @Test func strategicDirectives() throws {
        let target = try JSONParser.parse(#"{"metadata":{"finalizers":["a"],"labels":{"x":"1","y":"2"}},"spec":{"ports":[{"port":1,"name":"p1"}]}}"#)
        let patch = try JSONParser.parse(
            #"{"metadata":{"finalizers":["b"],"$deleteFromPrimitiveList/finalizers":["a"],"labels":{"$retainKeys":["x"],"x":"3"}},"spec":{"ports":[{"port":1,"$patch":"replace","name":"q"}]}}"#
        )
        let result = try PatchFormats.strategicMergePatch(target, patch)
        #expect(result.compactJSON == #"{"metadata":{"finalizers":["b"],"labels":{"x":"3"}},"spec":{"ports":[{"name":"q","port":1}]}}"#)
    }
}

@Suite struct FieldSetTests {
    @Test func roundTripsFieldsV1() throws {
        let text = #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:targetRefs":{}}}"#
        let set = FieldSet(fieldsV1: try JSONParser.parse(text))
        #expect(set.fieldsV1.compactJSON == text)
        #expect(set.memberPaths == [["f:metadata", "f:labels"], ["f:metadata", "f:labels", "f:app"], ["f:spec", "f:targetRefs"]])
        #expect(set.contains(["f:spec", "f:targetRefs"]))
        #expect(!set.contains(["f:spec"]))
    }

    @Test func appliedSetsOwnLeavesOnly() throws {
        let object = try #require(
            try JSONParser.parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"a":"b"}},"data":{"k":"v"},"status":{"s":1}}"#).objectValue)
        #expect(
            FieldSet.applied(object, includeStatus: false).fieldsV1.compactJSON
                == #"{"f:data":{"f:k":{}},"f:metadata":{"f:labels":{"f:a":{}}}}"#)
    }

    @Test func conflictMessagesGroupByManager() {
        let error = ApplyConflictError(conflicts: [
            ApplyConflict(manager: "\"b\"", path: ".spec.x"), ApplyConflict(manager: "\"a\"", path: ".spec.y"),
            ApplyConflict(manager: "\"b\"", path: ".spec.z"),
        ])
        #expect(
            error.apiError.message
                == "Apply failed with 3 conflicts: conflicts with \"a\":\n- .spec.y\nconflicts with \"b\":\n- .spec.x\n- .spec.z")
        #expect(error.apiError.code == 409)
    }
}

@Suite struct StoreTests {
    @Test func persistsAcrossReopenAndKeepsVersionsMonotonic() throws {
        let temporary = try TemporaryDirectory()
        defer { withExtendedLifetime(temporary) {} }
        let directory = temporary.path
        let type = ResourceCatalog.configMaps
        var lastVersion: Int64 = 0
        do {
            let store = try ObjectStore(path: directory + "/db")
            try store.write(project: "p") { (tx: inout ProjectTransaction) throws(APIError) in
                tx.put(type, ["metadata": ["name": "a", "namespace": "ns"]], isCreate: true)
                tx.put(type, ["metadata": ["name": "b", "namespace": "ns"]], isCreate: true)
                tx.delete(type, namespace: "ns", name: "a")
            }
            lastVersion = store.currentResourceVersion
        }
        let reopened = try ObjectStore(path: directory + "/db")
        #expect(reopened.currentResourceVersion == lastVersion)
        let names = try reopened.read(project: "p") { tx in tx.list(type, namespace: "ns").map(\.name) }
        #expect(names == ["b"])
        let other = try reopened.read(project: "q") { tx in tx.list(type, namespace: nil).count }
        #expect(other == 0)
    }

    @Test func failedTransactionsLeaveNoTrace() throws {
        let temporary = try TemporaryDirectory()
        defer { withExtendedLifetime(temporary) {} }
        let directory = temporary.path
        let store = try ObjectStore(path: directory + "/db")
        #expect(throws: APIError.self) {
            try store.write(project: "p") { (tx: inout ProjectTransaction) throws(APIError) in
                tx.put(ResourceCatalog.configMaps, ["metadata": ["name": "a", "namespace": "ns"]], isCreate: true)
                throw APIError.badRequest("no")
            }
        }
        #expect(store.currentResourceVersion == 0)
    }

    @Test func watchReplaysHistoryAndRejectsExpiredVersions() throws {
        let temporary = try TemporaryDirectory()
        defer { withExtendedLifetime(temporary) {} }
        let directory = temporary.path
        let store = try ObjectStore(path: directory + "/db", historyLimit: 4)
        let type = ResourceCatalog.configMaps
        for i in 0..<10 {
            try store.write(project: "p") { (tx: inout ProjectTransaction) throws(APIError) in
                tx.put(type, ["metadata": ["name": .string("o\(i)"), "namespace": "ns"]], isCreate: true)
            }
        }
        let filter = WatchFilter(
            project: "p", storageKey: type.storageKey, namespace: "ns", name: nil, labels: LabelSelector(), fields: nil)
        let recent = try store.watch(filter, sinceVersion: 8) { _ in }
        #expect(recent.initial.map(\.object.name) == ["o8", "o9"])
        store.cancelWatch(recent.token)
        #expect(throws: APIError.gone("too old resource version: 1 (10)")) {
            _ = try store.watch(filter, sinceVersion: 1) { _ in }
        }
        let received = Received()
        let live = try store.watch(filter, sinceVersion: nil) { received.append($0.kind.rawValue + " " + $0.object.name) }
        #expect(live.initial.count == 10)
        try store.write(project: "p") { (tx: inout ProjectTransaction) throws(APIError) in
            tx.delete(type, namespace: "ns", name: "o0")
            tx.put(ResourceCatalog.configMaps, ["metadata": ["name": "other", "namespace": "elsewhere"]], isCreate: true)
        }
        #expect(received.items == ["DELETED o0"])
        store.cancelWatch(live.token)
        #expect(store.watcherCount == 0)
    }
}

private final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ item: String) { lock.withLock { storage.append(item) } }
    var items: [String] { lock.withLock { storage } }
}

@Suite struct OptionsTests {
    @Test func parsesFlags() throws {
        let options = try SandboxOptions(arguments: [
            "--listen", "127.0.0.1:8443", "--data-dir=/tmp/x", "--tokens", "t", "--tls-cert", "c", "--tls-key", "k",
        ])
        #expect(options.host == "127.0.0.1")
        #expect(options.port == 8443)
        #expect(options.dataDirectory == "/tmp/x")
        #expect(options.tokensFile == "t")
        #expect(options.tlsCertificate == "c")
    }

    @Test func listenIsOptional() throws {
        let options = try SandboxOptions(arguments: ["--data-dir", "d"])
        #expect(options.host == "127.0.0.1")
        #expect(options.port == 0)
    }

    /// Usage errors come from the same parser as datumctl's, in pflag's and cobra's words.
    @Test(arguments: [
        (["--data-dir", "d", "--listen", "nope"], "invalid argument \"nope\" for \"--listen\" flag: expected HOST:PORT"),
        (
            ["--data-dir", "d", "--tls-cert", "c"],
            "if any flags in the group [tls-cert tls-key] are set they must all be set; missing [tls-key]"
        ),
        (
            ["--data-dir", "d", "--oidc-client-id", "c"],
            "if any flags in the group [oidc-issuer-url oidc-client-id] are set they must all be set; missing [oidc-issuer-url]"
        ),
        (["--data-dir"], "flag needs an argument: --data-dir"),
        (["--listen", "127.0.0.1:0"], "required flag(s) \"data-dir\" not set"),
        (["--data-dir", "d", "--lisen", "x"], "unknown flag: --lisen"),
        (["--data-dir", "d", "serve"], "unexpected arguments: [serve]"),
        (
            ["--data-dir", "d", "--request-threads", "300"],
            "invalid argument \"300\" for \"--request-threads\" flag: expected 0 to 256 threads"
        ),
        (
            ["--data-dir", "d", "--dev-issuer-token-ttl", "0"],
            "invalid argument \"0\" for \"--dev-issuer-token-ttl\" flag: expected 1 to 86400 seconds"
        ),
        (
            ["--data-dir", "d", "--dev-issuer-device-interval", "soon"],
            "invalid argument \"soon\" for \"--dev-issuer-device-interval\" flag: strconv.ParseInt: parsing \"soon\": invalid syntax"
        ),
    ])
    func rejects(arguments: [String], message: String) {
        do {
            _ = try SandboxOptions(arguments: arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            guard case .error(let usage) = error else { return #expect(Bool(false), "asked for help") }
            #expect(usage.message == message)
            #expect(usage.commandPath == ["datumctl-sandbox"])
        }
    }

    @Test func readsEveryOption() throws {
        let options = try SandboxOptions(arguments: [
            "--data-dir", "d", "--dev-issuer", "--dev-issuer-token-ttl", "60", "--dev-issuer-projects", "a,b",
            "--dev-issuer-user", "u@example.com", "--dev-issuer-device-interval=0", "--oidc-issuer-url", "https://i",
            "--oidc-client-id", "c", "--oidc-ca-file", "ca.pem", "--oidc-projects", "*", "--crd", "crd.yaml",
            "--disable-http2-serving", "--listen", "[::1]:7", "--request-threads", "0",
        ])
        #expect(options.requestThreads == 0)
        #expect(options.devIssuer && options.devIssuerTokenLifetime == 60 && options.devIssuerDeviceInterval == 0)
        #expect(options.devIssuerProjects == ["a", "b"] && options.devIssuerUser == "u@example.com")
        #expect(options.oidcIssuer == "https://i" && options.oidcClientID == "c" && options.oidcCAFile == "ca.pem")
        #expect(options.oidcProjects == nil && options.crdFile == "crd.yaml" && options.disableHTTP2)
        #expect(options.host == "::1" && options.port == 7)
    }

    @Test func helpIsNotAnError() {
        #expect(throws: SandboxUsage.help) { try SandboxOptions(arguments: ["--data-dir", "d", "-h"]) }
        let help = SandboxOptions.help(width: 100)
        #expect(help.hasPrefix("A local, kubectl-compatible, project-scoped API server.\n"))
        #expect(help.contains("Usage:\n  datumctl-sandbox --data-dir DIR [options]\n"))
        for option in SandboxOptions.Option.all { #expect(help.contains("--\(option.long)")) }
    }
}

@Suite struct ProtobufBodyTests {
    /// A length-delimited field (all test payloads are shorter than 128 bytes).
    func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { [UInt8(number << 3 | 2), UInt8(bytes.count)] + bytes }
    func field(_ number: Int, _ text: String) -> [UInt8] { field(number, Array(text.utf8)) }

    func envelope(kind: String, raw: [UInt8]) -> [UInt8] {
        [0x6B, 0x38, 0x73, 0x00] + field(1, field(1, "v1") + field(2, kind)) + field(2, raw) + field(3, "") + field(4, "")
    }

    @Test func decodesKubectlCreateConfigMap() throws {
        let meta = field(1, "cm") + field(11, field(1, "app") + field(2, "web"))
        let raw = field(1, meta) + field(2, field(1, "a") + field(2, "1")) + [0x20, 0x01]
        let object = try ProtobufBodyDecoder.decode(envelope(kind: "ConfigMap", raw: raw), as: ResourceCatalog.configMaps)
        #expect(
            JSONValue.object(object).compactJSON
                == #"{"apiVersion":"v1","data":{"a":"1"},"immutable":true,"kind":"ConfigMap","metadata":{"labels":{"app":"web"},"name":"cm"}}"#
        )
    }

    @Test func createsANamespaceFromProtobuf() throws {
        let t = try TestAPI()
        let body = envelope(kind: "Namespace", raw: field(1, field(1, "team")) + field(2, []) + field(3, []))
        let response = t.api.handle(
            SandboxRequest(
                method: "POST", target: TestAPI.base + "/api/v1/namespaces?fieldManager=kubectl-create",
                headers: ["Authorization": "Bearer \(TestAPI.token)", "Content-Type": "application/vnd.kubernetes.protobuf"],
                body: body))
        #expect(response.status == 201)
        #expect(t.send("GET", "/api/v1/namespaces/team").json["status"]?["phase"] == "Active")
        #expect(throws: APIError.self) {
            try ProtobufBodyDecoder.decode([0x6B, 0x38, 0x73, 0x00, 0x0A, 0x05], as: ResourceCatalog.configMaps)
        }
    }
}
