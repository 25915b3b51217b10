import DatumJSON
import TestSupport
import Testing

@testable import DatumSandbox

/// Numbers and indexes that come from requests: each is decoded with a check, and a value that
/// does not fit is the API server's error, never a trap or a silent default.
@Suite struct UntrustedNumberTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    @Test(arguments: [
        ("?limit=ten", #"strconv.ParseInt: parsing "ten": invalid syntax"#),
        ("?limit=", #"strconv.ParseInt: parsing "": invalid syntax"#),
        ("?limit=0x10", #"strconv.ParseInt: parsing "0x10": invalid syntax"#),
        ("?limit=1.5", #"strconv.ParseInt: parsing "1.5": invalid syntax"#),
        ("?limit=9223372036854775808", #"strconv.ParseInt: parsing "9223372036854775808": value out of range"#),
        ("?limit=-99999999999999999999", #"strconv.ParseInt: parsing "-99999999999999999999": value out of range"#),
        ("?timeoutSeconds=soon", #"strconv.ParseInt: parsing "soon": invalid syntax"#),
        ("?watch=true&timeoutSeconds=1e9", #"strconv.ParseInt: parsing "1e9": invalid syntax"#),
        // kube-apiserver converts timeoutSeconds before limit.
        ("?limit=x&timeoutSeconds=y", #"strconv.ParseInt: parsing "y": invalid syntax"#),
    ])
    func listParametersThatDoNotParseAre400(query: String, message: String) throws {
        let t = try TestAPI()
        let response = t.send("GET", Self.configMaps + query)
        #expect(response.status == 400)
        #expect(response.json["reason"] == "BadRequest")
        #expect(response.json["message"] == .string(message))
    }

    @Test func extremeLimitsList() throws {
        let t = try TestAPI()
        for name in ["a", "b", "c"] {
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"}}"#
            #expect(t.send("POST", Self.configMaps, body: body).status == 201)
        }
        // `%2B` is `+`; a bare `+` in a query is a space, which Go does not parse either.
        for limit in ["9223372036854775807", "%2B2", "-9223372036854775808", "0"] {
            let response = t.send("GET", Self.configMaps + "?limit=" + limit)
            #expect(response.status == 200, "limit=\(limit)")
            let expected = limit == "%2B2" ? 2 : 3
            #expect(response.json["items"]?.arrayValue?.count == expected, "limit=\(limit)")
        }
    }

    @Test func aNegativeWatchResourceVersionIsRefusedAsAnUnsignedParseWould() throws {
        let t = try TestAPI()
        let response = t.send("GET", Self.configMaps + "?watch=1&resourceVersion=-5")
        #expect(response.status == 400)
        #expect(response.json["message"] == "invalid resource version: -5")
        let huge = t.send("GET", Self.configMaps + "?watch=1&resourceVersion=99999999999999999999")
        #expect(huge.status == 400)
    }

    @Test func extremeWatchNumbersStartAWatch() throws {
        let t = try TestAPI()
        for query in [
            "?watch=1&resourceVersion=9223372036854775807", "?watch=1&timeoutSeconds=9223372036854775807",
            "?watch=1&timeoutSeconds=-9223372036854775808",
        ] {
            let response = t.api.handle(
                SandboxRequest(
                    method: "GET", target: TestAPI.base + Self.configMaps + query,
                    headers: ["Authorization": "Bearer \(TestAPI.token)"]))
            guard case .watch(let stream) = response else {
                Issue.record("\(query): not a watch but \(response.status)")
                continue
            }
            #expect(stream.sinceVersion != nil || stream.timeoutSeconds != nil)
        }
    }

    @Test(arguments: ["%%%", "====", "A", "AAAA", "e30", "eyJzdGFydCI6MX0", String(repeating: "/", count: 10_000)])
    func continueTokensThatDoNotDecodeAre400(token: String) throws {
        let t = try TestAPI()
        let response = t.send("GET", Self.configMaps + "?limit=1&continue=" + token)
        #expect(response.status == 400)
        #expect(response.json["message"] == "continue key is not valid: invalid continue token")
    }

    /// JSON pointer indexes are parsed with `Int(_:)` and checked against the array, so an index
    /// beyond 64 bits or below zero is evanphx/json-patch's "missing path", never an index trap.
    @Test(arguments: [
        #"[{"op":"add","path":"/metadata/finalizers/99999999999999999999999","value":"x"}]"#,
        #"[{"op":"add","path":"/metadata/finalizers/9223372036854775807","value":"x"}]"#,
        #"[{"op":"add","path":"/metadata/finalizers/-1","value":"x"}]"#,
        #"[{"op":"remove","path":"/metadata/finalizers/-9223372036854775808"}]"#,
        #"[{"op":"replace","path":"/metadata/finalizers/18446744073709551616","value":"x"}]"#,
        #"[{"op":"copy","from":"/metadata/finalizers/9223372036854775807","path":"/metadata/finalizers/0"}]"#,
        #"[{"op":"move","from":"/metadata/finalizers/1","path":"/metadata/finalizers/9223372036854775807"}]"#,
        #"[{"op":"test","path":"/metadata/finalizers/9223372036854775807/x","value":"x"}]"#,
    ])
    func jsonPatchIndexesBeyondTheArrayAre422(patch: String) throws {
        let t = try TestAPI()
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p","finalizers":["a/b"]}}"#
        #expect(t.send("POST", Self.configMaps, body: body).status == 201)
        let response = t.send("PATCH", Self.configMaps + "/p", body: patch, contentType: "application/json-patch+json")
        #expect(response.status == 422, "\(response.text)")
        #expect(t.send("GET", Self.configMaps + "/p").json["metadata"]?["finalizers"] == ["a/b"])
    }

    /// "copy" operations share storage while patching, but each copy is encoded and stored in
    /// full: 900 copies of a 2.5 MiB value made a 2.25 GiB object whose length trapped in
    /// `Int32(_:)` when it was bound for SQLite. The API server's 3 MiB copy budget applies.
    @Test func jsonPatchCopiesAreLimitedToThreeMebibytes() throws {
        let t = try TestAPI()
        let value = String(repeating: "x", count: 1024 * 1024)
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"\#(value)"}}"#
        #expect(t.send("POST", Self.configMaps, body: body).status == 201)
        func copies(_ count: Int) -> String {
            "[" + (0..<count).map { #"{"op":"copy","from":"/data/a","path":"/data/b\#($0)"}"# }.joined(separator: ",")
                + "]"
        }
        let refused = t.send(
            "PATCH", Self.configMaps + "/big", body: copies(3), contentType: "application/json-patch+json")
        #expect(refused.status == 422)
        #expect(refused.json["reason"] == "Invalid")
        #expect(
            refused.json["message"]
                == "Unable to complete the copy, the accumulated size increase of copy is 3145734, exceeding the limit 3145728"
        )
        #expect(t.send("GET", Self.configMaps + "/big").json["data"]?.objectValue?.count == 1)
        let allowed = t.send(
            "PATCH", Self.configMaps + "/big", body: copies(2), contentType: "application/json-patch+json")
        #expect(allowed.status == 200)
        #expect(allowed.json["data"]?.objectValue?.count == 3)
    }

    /// The bound that was trapping: a blob longer than `Int32.max` is SQLite's TOOBIG error.
    /// The 2 GiB buffer is only reserved, never written or read (the length is refused first).
    @Test func aBlobBeyondInt32IsRefusedNotATrap() throws {
        let directory = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.path + "/blob.db")
        try database.execute("CREATE TABLE t(b BLOB)")
        let size = Int(Int32.max) + 1
        let huge = [UInt8](unsafeUninitializedCapacity: size) { _, count in count = size }
        do {
            try database.run("INSERT INTO t(b) VALUES(?)", [.blob(huge)])
            Issue.record("a \(size)-byte blob was accepted")
        } catch {
            #expect(error.code == 18)  // SQLITE_TOOBIG
        }
    }

    /// `depth` nested objects: `{"a":{"a":{}}}` is 3.
    static func chain(_ depth: Int) -> String {
        String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
    }

    /// Copies of an object into its own deepest member double its depth; the patched document
    /// is held to the JSON parser's 512 levels, counted as the parser counts them.
    static func doublings(_ count: Int, from depth: Int) -> String {
        var operations = [#"{"op":"add","path":"/metadata/x","value":\#(chain(depth))}"#]
        var current = depth
        for _ in 0..<count {
            let path = "/metadata/x" + String(repeating: "/a", count: current)
            operations.append(#"{"op":"copy","from":"/metadata/x","path":"\#(path)"}"#)
            current *= 2
        }
        return "[" + operations.joined(separator: ",") + "]"
    }

    @Test func jsonPatchesCannotNestAnObjectDeeperThanTheParserWould() throws {
        let t = try TestAPI()
        #expect(
            t.send("POST", Self.configMaps, body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"}}"#)
                .status == 201)
        let type = "application/json-patch+json"
        // 5 → 320 levels under /metadata (2 + 320 = 322): allowed; one more doubling is 642.
        #expect(
            t.send("PATCH", Self.configMaps + "/d", body: Self.doublings(6, from: 5), contentType: type).status == 200)
        let refused = t.send("PATCH", Self.configMaps + "/d", body: Self.doublings(7, from: 5), contentType: type)
        #expect(refused.status == 422)
        #expect(refused.json["reason"] == "Invalid")
        #expect(refused.json["message"] == "the patched object would exceed the maximum nesting depth of 512")
        // Exactly 512 (root, metadata, 510 levels of value) is the limit, as for a request body.
        let deepest = #"[{"op":"add","path":"/metadata/y","value":\#(Self.chain(510))}]"#
        #expect(t.send("PATCH", Self.configMaps + "/d", body: deepest, contentType: type).status == 200)
        let move =
            #"[{"op":"add","path":"/metadata/y","value":\#(Self.chain(509))},"#
            + #"{"op":"add","path":"/metadata/z","value":{"a":{}}},"#
            + #"{"op":"move","from":"/metadata/y","path":"/metadata/z/a/b"}]"#
        #expect(t.send("PATCH", Self.configMaps + "/d", body: move, contentType: type).status == 422)
        #expect(t.send("GET", Self.configMaps + "/d").status == 200)
    }

    /// Found by the audit: the store reloads its objects with the JSON parser (512 levels) when
    /// the sandbox starts, but a YAML apply may nest 1000 levels and managed fields mirror an
    /// object five levels deeper; such an object was stored, and the sandbox then refused to start
    /// ("exceeded max depth of 512"). Whatever is stored must load again.
    @Test(arguments: [
        ("PATCH", "/deep?fieldManager=t", "application/apply-patch+yaml", 600),
        ("POST", "", "application/json", 508),
    ])
    func objectsTooDeepToReloadAreRefused(method: String, suffix: String, contentType: String, depth: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/sandbox.db"
        var tokens = TokenTable()
        tokens.grant(TestAPI.token, projects: ["p1"])
        let api = APIServer(store: try ObjectStore(path: path), tokens: tokens)
        let body =
            contentType == "application/json"
            ? #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"k":\#(Self.chain(depth))}}"#
            : "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  k: "
                + String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth) + "\n"
        let response = api.handle(
            SandboxRequest(
                method: method, target: TestAPI.base + Self.configMaps + suffix,
                headers: ["Authorization": "Bearer \(TestAPI.token)", "Content-Type": contentType],
                body: Array(body.utf8)))
        #expect(response.status == 400, "\(String(decoding: response.body.prefix(300), as: UTF8.self))")
        #expect(
            (try? JSONParser.parse(response.body))?["message"]
                == "the object would exceed the maximum nesting depth of 512 once stored with its managed fields")
        // The data directory still opens, as it must when the sandbox restarts.
        _ = try ObjectStore(path: path)
    }

    @Test func objectsThatReloadAreStillStored() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/sandbox.db"
        var tokens = TokenTable()
        tokens.grant(TestAPI.token, projects: ["p1"])
        let api = APIServer(store: try ObjectStore(path: path), tokens: tokens)
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ok"},"data":{"k":\#(Self.chain(400))}}"#
        let response = api.handle(
            SandboxRequest(
                method: "POST", target: TestAPI.base + Self.configMaps,
                headers: ["Authorization": "Bearer \(TestAPI.token)", "Content-Type": "application/json"],
                body: Array(body.utf8)))
        #expect(response.status == 201)
        let reopened = try ObjectStore(path: path)
        #expect(
            try reopened.read(project: "p1") { $0.get(ResourceCatalog.configMaps, namespace: "default", name: "ok") }
                != nil)
    }
}
