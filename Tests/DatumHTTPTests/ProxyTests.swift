import DatumHTTP
import Foundation
import Testing

extension HTTPLayerTests {
    /// Proxies: an explicit `proxy`, and libcurl's own reading of the environment.
    @Suite struct Proxy {
        @Test func explicitProxyReceivesAbsoluteFormRequests() throws {
            let proxy = try TestHTTPServer(script: [.text("via proxy")])
            defer { proxy.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(proxy: proxy.baseURL, retry: .none))

            let response = try client.send(HTTPRequest(url: "http://api.datumctl-test.invalid:8080/apis/x"))

            #expect(response.bodyText == "via proxy")
            let request = try #require(proxy.requests.first)
            #expect(request.target == "http://api.datumctl-test.invalid:8080/apis/x")
            #expect(request.headers["Host"] == "api.datumctl-test.invalid:8080")
        }

        /// The client never sets CURLOPT_PROXY unless asked, so `http_proxy` and `no_proxy`
        /// from the environment apply. The variables are restored before the test ends.
        @Test func environmentProxyVariablesAreHonoured() throws {
            let proxy = try TestHTTPServer(script: [.text("via env proxy")])
            defer { proxy.stop() }
            let direct = try TestHTTPServer(script: [.text("direct")])
            defer { direct.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(retry: .none))

            let saved = ["http_proxy", "no_proxy"].map { ($0, ProcessInfo.processInfo.environment[$0]) }
            setenv("http_proxy", proxy.baseURL, 1)
            setenv("no_proxy", "127.0.0.1,localhost,::1", 1)
            defer {
                for (name, value) in saved {
                    if let value { setenv(name, value, 1) } else { unsetenv(name) }
                }
            }

            let proxied = try client.send(HTTPRequest(url: "http://backend.datumctl-test.invalid/healthz"))
            let bypassed = try client.send(HTTPRequest(url: direct.baseURL + "/healthz"))

            #expect(proxied.bodyText == "via env proxy")
            #expect(proxy.requests.map(\.target) == ["http://backend.datumctl-test.invalid/healthz"])
            #expect(bypassed.bodyText == "direct")
            #expect(direct.requests.map(\.target) == ["/healthz"])
        }
    }

    @Suite struct Headers {
        @Test func namesCompareCaseInsensitively() {
            var headers: HTTPHeaders = ["Content-Type": "text/plain", "X-A": "1"]
            headers.add("x-a", "2")
            #expect(headers["CONTENT-TYPE"] == "text/plain")
            #expect(headers.values(for: "x-A") == ["1", "2"])
            #expect(headers.contains("x-a"))
            #expect(!headers.contains("x-b"))

            headers.set("X-a", "3")
            #expect(headers.fields == [
                HTTPHeader(name: "Content-Type", value: "text/plain"), HTTPHeader(name: "X-A", value: "3"),
            ])

            headers.set("Accept", "*/*")
            headers.remove("content-type")
            #expect(headers.fields.map(\.name) == ["X-A", "Accept"])
            #expect(headers.count == 2)
        }

        @Test func equalityKeepsOrderAndCase() {
            let a: HTTPHeaders = ["A": "1", "B": "2"]
            let b: HTTPHeaders = ["A": "1", "B": "2"]
            let c: HTTPHeaders = ["B": "2", "A": "1"]
            #expect(a == b)
            #expect(a != c)
        }
    }
}
