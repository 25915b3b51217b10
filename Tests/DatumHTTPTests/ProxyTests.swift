import DatumHTTP
import Foundation
import Testing

extension HTTPLayerTests {
    /// Proxies: an explicit `proxy`. The environment variables are proven with the real binary as
    /// a subprocess (IntegrationTests/ClientReadProxyTests), so no test changes this process's environment.
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
