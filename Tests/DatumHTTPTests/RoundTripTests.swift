import DatumHTTP
import Foundation
import Testing

extension HTTPLayerTests {
    /// Real requests to the loopback test server: methods, headers, bodies.
    @Suite struct RoundTrip {
        @Test func getReturnsStatusHeadersAndBody() throws {
            let server = try TestHTTPServer(script: [
                .text("hello", headers: ["Content-Type": "text/plain", "X-Multi": "a", "x-multi": "b"])
            ])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(userAgent: "datumctl/test"))

            let response = try client.send(
                HTTPRequest(url: server.baseURL + "/apis/x?limit=1", headers: ["Accept": "application/json"]))

            #expect(response.status == 200)
            #expect(response.statusText == "200 OK")
            #expect(response.bodyText == "hello")
            #expect(response.httpVersion == "1.1")
            #expect(response.attempts == 1)
            #expect(response.headers["content-type"] == "text/plain")
            #expect(response.headers.values(for: "X-MULTI") == ["a", "b"])
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.target == "/apis/x?limit=1")
            #expect(request.headers["Accept"] == "application/json")
            #expect(request.headers["User-Agent"] == "datumctl/test")
            // Nothing libcurl would add on its own reaches the server.
            #expect(request.headers.fields.map(\.name).sorted() == ["Accept", "Host", "User-Agent"])
        }

        /// libcurl resolves dot segments unless told not to (`CURLOPT_PATH_AS_IS`): without it,
        /// `configmaps/..` reached the server as the namespace's URL.
        @Test(arguments: [
            "/api/v1/namespaces/team/configmaps/..", "/api/v1/namespaces/team/configmaps/.",
            "/a/./b/../c//d/", "/api/v1/namespaces/%2E%2E/configmaps/x",
        ])
        func pathsAreSentAsBuilt(path: String) throws {
            let server = try TestHTTPServer { _ in .text("ok") }
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())

            for method in ["GET", "DELETE"] {
                _ = try client.send(HTTPRequest(method: method, url: server.baseURL + path + "?x=1"))
            }

            #expect(server.requests.map(\.target) == [path + "?x=1", path + "?x=1"])
        }

        @Test(arguments: ["POST", "PATCH", "PUT"])
        func methodsWithBodySendExactBytes(method: String) throws {
            let server = try TestHTTPServer { request in
                .text("\(request.method) \(request.bodyText)", status: 201, reason: "Created")
            }
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())
            let body = #"{"kind":"BackendTLSPolicy","metadata":{"name":"p"}}"#

            let response = try client.send(
                HTTPRequest(
                    method: method, url: server.baseURL + "/objects",
                    headers: ["Content-Type": "application/merge-patch+json"], body: Array(body.utf8)))

            #expect(response.status == 201)
            #expect(response.statusText == "201 Created")
            #expect(response.bodyText == "\(method) \(body)")
            let request = try #require(server.requests.first)
            #expect(request.method == method)
            #expect(request.headers["Content-Type"] == "application/merge-patch+json")
            #expect(request.headers["Content-Length"] == "\(body.utf8.count)")
            #expect(request.headers["Expect"] == nil)
        }

        @Test func postWithoutContentTypeSendsNone() throws {
            let server = try TestHTTPServer(script: [.text("ok")])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())

            _ = try client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", body: [1, 2, 0, 255]))

            let request = try #require(server.requests.first)
            #expect(request.body == [1, 2, 0, 255])
            #expect(request.headers["Content-Type"] == nil)
        }

        @Test func emptyHeaderValuesAreSentNotDropped() throws {
            let server = try TestHTTPServer(script: [.text("ok")])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(userAgent: ""))

            _ = try client.send(HTTPRequest(url: server.baseURL + "/", headers: ["X-Empty": ""]))

            let request = try #require(server.requests.first)
            #expect(request.headers["X-Empty"] == "")
            // An empty configured User-Agent sends none at all.
            #expect(request.headers["User-Agent"] == nil)
        }

        @Test func requestUserAgentOverridesConfiguredOne() throws {
            let server = try TestHTTPServer(script: [.text("ok")])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(userAgent: "datumctl/1.0"))

            _ = try client.send(HTTPRequest(url: server.baseURL + "/", headers: ["User-Agent": "custom/2"]))

            #expect(server.requests.first?.headers.values(for: "User-Agent") == ["custom/2"])
        }

        @Test func deleteAndHeadUseTheirMethods() throws {
            let server = try TestHTTPServer { request in .text(request.method == "HEAD" ? "" : "gone") }
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())

            let deleted = try client.send(HTTPRequest(method: "DELETE", url: server.baseURL + "/a"))
            let head = try client.send(HTTPRequest(method: "HEAD", url: server.baseURL + "/b"))

            #expect(deleted.bodyText == "gone")
            #expect(head.body.isEmpty)
            #expect(server.requests.map(\.method) == ["DELETE", "HEAD"])
        }

        @Test(arguments: [
            (HTTPRequest(method: "GE T", url: "http://127.0.0.1:1/"), "invalid request: invalid HTTP method \"GE T\""),
            (HTTPRequest(url: "http://127.0.0.1:1/a b"), "invalid request: invalid URL \"http://127.0.0.1:1/a b\""),
            (HTTPRequest(url: "http://127.0.0.1:1/", headers: ["X-Evil": "a\r\nInjected: 1"]),
             "invalid request: invalid value for header \"X-Evil\""),
            (HTTPRequest(url: "http://127.0.0.1:1/", headers: ["Bad Name": "x"]),
             "invalid request: invalid header name \"Bad Name\""),
            (HTTPRequest(url: "file:///etc/passwd"),
             "invalid request: unsupported URL scheme in \"file:///etc/passwd\" (use http:// or https://)"),
        ])
        func malformedRequestsAreRejected(request: HTTPRequest, message: String) throws {
            let client = try HTTPClient(HTTPClientConfiguration(retry: .none))
            #expect(throws: HTTPError.self) { try client.send(request) }
            do {
                _ = try client.send(request)
            } catch {
                #expect(error.description == message)
            }
        }

        @Test func idempotencyDefaultsFollowTheMethod() {
            #expect(HTTPRequest(url: "u").isIdempotent)
            #expect(HTTPRequest(method: "HEAD", url: "u").isIdempotent)
            #expect(!HTTPRequest(method: "POST", url: "u").isIdempotent)
            #expect(!HTTPRequest(method: "PATCH", url: "u").isIdempotent)
            #expect(HTTPRequest(method: "PUT", url: "u", isIdempotent: true).isIdempotent)
        }
    }
}
