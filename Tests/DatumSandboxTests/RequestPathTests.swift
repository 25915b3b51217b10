import DatumJSON
import Testing

@testable import DatumSandbox

/// Paths with empty or dot segments and encoded slashes never act on another object: each is
/// answered 400 or 404 in Kubernetes' form, for every verb, and the store is left as it was.
@Suite struct RequestPathTests {
    static let verbs = ["GET", "PUT", "PATCH", "DELETE", "POST"]

    static let configMap = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"team"}}"#

    /// A project with namespace `team` holding ConfigMap `cm`.
    static func populated() throws -> TestAPI {
        let t = try TestAPI()
        #expect(t.send("POST", "/api/v1/namespaces", body: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}}"#).status == 201)
        #expect(t.send("POST", "/api/v1/namespaces/team/configmaps", body: configMap).status == 201)
        return t
    }

    /// What is stored: every namespace and every ConfigMap, by name.
    static func contents(_ t: TestAPI) -> [String] {
        let namespaces = t.send("GET", "/api/v1/namespaces").json["items"]?.arrayValue ?? []
        let configMaps = t.send("GET", "/api/v1/configmaps").json["items"]?.arrayValue ?? []
        return (namespaces + configMaps).compactMap { item in
            guard let kind = item["metadata"]?["name"]?.stringValue else { return nil }
            return (item["metadata"]?["namespace"]?.stringValue ?? "") + "/" + kind
        }.sorted()
    }

    static let pageNotFound = "404 page not found\n"

    /// Paths go-restful matches no route for (404, plain text) and object names kube-apiserver's
    /// storage refuses (400 `Name parameter invalid`).
    @Test(arguments: [
        // The path a client that resolved `configmaps/..` sends: not the namespace.
        ("/api/v1/namespaces/team/", 404, pageNotFound),
        ("/api/v1/namespaces/team/configmaps/cm/", 404, pageNotFound),
        ("/api/v1/namespaces/team/configmaps/cm/..", 404, pageNotFound),
        ("/api/v1/namespaces/team/configmaps/a%2Fb", 404, pageNotFound),
        ("/api/v1/namespaces/team/configmaps/a%2fb", 404, pageNotFound),
        ("/api/v1/namespaces/team%2Fconfigmaps/cm", 404, pageNotFound),
        ("/api/v1/namespaces/../configmaps/cm", 404, pageNotFound),
        ("/api/v1/namespaces/%2e%2e/configmaps/cm", 404, pageNotFound),
        ("/api/v1/namespaces/./configmaps/cm", 404, pageNotFound),
        ("/api/v1/namespaces//configmaps/cm", 404, pageNotFound),
        ("/api/v1/namespaces/team//configmaps", 404, pageNotFound),
        ("/api/v1//namespaces/team", 404, pageNotFound),
        ("/api/v1/namespaces/team/configmaps/..", 400, #"Name parameter invalid: "..": may not be '..'"#),
        ("/api/v1/namespaces/team/configmaps/.", 400, #"Name parameter invalid: ".": may not be '.'"#),
        ("/api/v1/namespaces/team/configmaps/%2e%2e", 400, #"Name parameter invalid: "..": may not be '..'"#),
        ("/api/v1/namespaces/team/configmaps/%2E%2E", 400, #"Name parameter invalid: "..": may not be '..'"#),
        ("/api/v1/namespaces/team/configmaps/.%2e", 400, #"Name parameter invalid: "..": may not be '..'"#),
        ("/api/v1/namespaces/team/configmaps/%2e", 400, #"Name parameter invalid: ".": may not be '.'"#),
        ("/api/v1/namespaces/team/configmaps/a%25b", 400, #"Name parameter invalid: "a%b": may not contain '%'"#),
        ("/api/v1/namespaces/..", 400, #"Name parameter invalid: "..": may not be '..'"#),
        ("/api/v1/namespaces/%2E", 400, #"Name parameter invalid: ".": may not be '.'"#),
        (
            "/apis/gateway.networking.k8s.io/v1/namespaces/team/backendtlspolicies/..", 400,
            #"Name parameter invalid: "..": may not be '..'"#
        ),
        ("/apis/gateway.networking.k8s.io/v1/namespaces/team/backendtlspolicies/a%2Fb/status", 404, pageNotFound),
    ] as [(String, Int, String)])
    func refusedForEveryVerb(_ path: String, _ status: Int, _ message: String) throws {
        let t = try Self.populated()
        let before = Self.contents(t)
        for verb in Self.verbs {
            let r = t.send(verb, path, body: Self.configMap, contentType: "application/merge-patch+json")
            #expect(r.status == status, "\(verb) \(path): \(r.text)")
            if status == 404 {
                #expect(r.text == message, "\(verb) \(path)")
            } else {
                #expect(r.json["kind"] == "Status", "\(verb) \(path)")
                #expect(r.json["reason"] == "BadRequest", "\(verb) \(path)")
                #expect(r.json["message"] == .string(message), "\(verb) \(path)")
                #expect(r.json["code"] == .int(400), "\(verb) \(path)")
            }
        }
        #expect(Self.contents(t) == before)
        #expect(before == ["/default", "/team", "team/cm"])
    }

    /// The project is one path segment too.
    @Test(arguments: [
        "//apis/resourcemanager.miloapis.com/v1alpha1/projects/../control-plane/api/v1/namespaces/team",
        "//apis/resourcemanager.miloapis.com/v1alpha1/projects/%2e%2e/control-plane/api/v1/namespaces/team",
        "//apis/resourcemanager.miloapis.com/v1alpha1/projects/./control-plane/api/v1/namespaces",
        "//apis/resourcemanager.miloapis.com/v1alpha1/projects/p1%2Fx/control-plane/api/v1/namespaces",
        "//apis/resourcemanager.miloapis.com/v1alpha1/projects/p1%25/control-plane/api/v1/namespaces",
        "//apis/resourcemanager.miloapis.com/v1alpha1/projects//control-plane/api/v1/namespaces",
    ])
    func projectsThatAreNoSegmentAreNotFound(_ path: String) throws {
        let t = try Self.populated()
        for verb in Self.verbs {
            let r = t.send(verb, path, body: Self.configMap)
            #expect(r.status == 404, "\(verb) \(path): \(r.text)")
            #expect(r.text == Self.pageNotFound)
        }
        #expect(Self.contents(t) == ["/default", "/team", "team/cm"])
    }

    /// A trailing slash after a collection is the collection, as in kube-apiserver.
    @Test func collectionsMayEndWithASlash() throws {
        let t = try Self.populated()
        let list = t.send("GET", "/api/v1/namespaces/team/configmaps/")
        #expect(list.status == 200)
        #expect(list.json["items"]?.arrayValue?.count == 1)
        #expect(t.send("GET", "/api/v1/").status == 200)
        #expect(t.send("GET", "/api/").status == 200)
    }

    /// `+` in a path is a plus sign (only queries use form encoding).
    @Test func plusInAPathIsAPlus() throws {
        let t = try Self.populated()
        let r = t.send("GET", "/api/v1/namespaces/team/configmaps/c+m")
        #expect(r.status == 404)
        #expect(r.json["message"] == #"configmaps "c+m" not found"#)
    }

    @Test(arguments: [
        ("/", [], false), ("/api/", ["api"], true), ("/api/v1/namespaces/a%2Db", ["api", "v1", "namespaces", "a-b"], false),
        ("/api/v1/namespaces/%2e%2e", ["api", "v1", "namespaces", ".."], false), ("/x/a+b", ["x", "a+b"], false),
        ("/x/%zz", ["x", "%zz"], false),
    ] as [(String, [String], Bool)])
    func splitsAndDecodes(_ raw: String, _ segments: [String], _ trailingSlash: Bool) throws {
        let path = try #require(RequestPath(raw))
        #expect(path.segments == segments)
        #expect(path.trailingSlash == trailingSlash)
    }

    @Test(arguments: ["//", "/a//b", "/a/%2F", "/a/b%2fc", "/a//"])
    func emptySegmentsAndEncodedSlashesAreNoPath(_ raw: String) {
        #expect(RequestPath(raw) == nil)
    }
}

/// Which reads the HTTP server hands to a request thread: those whose work grows with what is stored.
@Suite struct CollectionReadTests {
    static let plane = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/p/control-plane"

    @Test(arguments: [
        "/api/v1/namespaces", "/api/v1/configmaps", "/api/v1/namespaces/default/configmaps",
        "/apis/gateway.networking.k8s.io/v1/backendtlspolicies",
        "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies",
        "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/",
        "/openapi/v3", "/openapi/v3/apis/gateway.networking.k8s.io/v1",
    ])
    func listsAndOpenAPIGoToARequestThread(_ path: String) {
        #expect(APIServer.isCollectionRead(path: Self.plane + path))
    }

    @Test(arguments: [
        "/", "/version", "/api", "/apis", "/api/v1", "/apis/gateway.networking.k8s.io",
        "/apis/gateway.networking.k8s.io/v1", "/api/v1/namespaces/default",
        "/api/v1/namespaces/default/configmaps/one",
        "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/web",
        "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/web/status",
    ])
    func oneObjectAndDiscoveryStayOnTheLoop(_ path: String) {
        #expect(!APIServer.isCollectionRead(path: Self.plane + path))
    }

    @Test func pathsOutsideAControlPlaneStayOnTheLoop() {
        #expect(!APIServer.isCollectionRead(path: "/healthz"))
        #expect(
            !APIServer.isCollectionRead(
                path: "/apis/resourcemanager.miloapis.com/v1alpha1/projects/../control-plane/api/v1/namespaces"))
    }
}
