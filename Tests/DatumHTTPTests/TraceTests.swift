@testable import DatumHTTP
import Foundation
import TestSupport
import Testing

extension HTTPLayerTests {
    /// kubectl-style `-v` traces, captured through the configuration's closure.
    @Suite struct Trace {
        static let secret = "s3cr3t-t0ken"

        /// Sends one request at `verbosity` and returns the trace with timings replaced by N.
        func trace(
            verbosity: Int, request: (String) -> HTTPRequest, response: ScriptedResponse
        ) throws -> (lines: [String], base: String) {
            let server = try TestHTTPServer(script: [response])
            defer { server.stop() }
            let log = TraceLog()
            let client = try HTTPClient(
                HTTPClientConfiguration(userAgent: "datumctl/test", verbosity: verbosity, trace: log.append))
            _ = try client.send(request(server.baseURL))
            // The protocol line (every level from 6) is checked on its own at level 6.
            let lines = log.values.filter { verbosity == 6 || !$0.hasPrefix("Using HTTP/") }
            return (lines.map(Self.normalized), server.baseURL)
        }

        static func normalized(_ line: String) -> String {
            line.replacingOccurrences(of: #"\d+ (milliseconds|ms)"#, with: "N $1", options: .regularExpression)
        }

        static func get(_ base: String) -> HTTPRequest {
            HTTPRequest(
                url: base + "/apis/gateway.networking.k8s.io/v1/backendtlspolicies",
                headers: ["Accept": "application/json", "authorization": "Bearer \(secret)"])
        }

        static let json = ScriptedResponse.text(#"{"items":[]}"#, headers: ["Content-Type": "application/json"])

        @Test func levelSixPrintsOneLinePerRequest() throws {
            let (lines, base) = try trace(verbosity: 6, request: Self.get, response: Self.json)
            #expect(lines == [
                "Using HTTP/1.1 with \(base)",
                "GET \(base)/apis/gateway.networking.k8s.io/v1/backendtlspolicies 200 OK in N milliseconds",
            ])
        }

        /// The protocol is named the first time an origin answers, not on every request.
        @Test func levelSixNamesTheProtocolOncePerOrigin() throws {
            let server = try TestHTTPServer(script: [Self.json, Self.json, Self.json])
            defer { server.stop() }
            let log = TraceLog()
            let client = try HTTPClient(HTTPClientConfiguration(verbosity: 6, trace: log.append))
            _ = try client.send(Self.get(server.baseURL))
            _ = client.sendAll([Self.get(server.baseURL), Self.get(server.baseURL)], concurrency: 2)
            let lines = log.values.map(Self.normalized)
            #expect(lines.filter { $0.hasPrefix("Using ") } == ["Using HTTP/1.1 with \(server.baseURL)"])
            #expect(lines.count == 4)
        }

        @Test(arguments: [
            ("https://api.example.com:6443/apis/x?watch=1", "https://api.example.com:6443"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:80?x", "http://[::1]:80"),
            ("no-scheme", "no-scheme"),
        ])
        func originIsSchemeHostAndPort(url: String, origin: String) {
            #expect(HTTPClient.origin(of: url) == origin[...])
        }

        @Test func levelFiveAndBelowPrintNothing() throws {
            let (lines, _) = try trace(verbosity: 5, request: Self.get, response: Self.json)
            #expect(lines.isEmpty)
        }

        @Test func levelSevenAddsRequestHeadersWithTheTokenMasked() throws {
            let (lines, base) = try trace(verbosity: 7, request: Self.get, response: Self.json)
            #expect(lines == [
                "GET \(base)/apis/gateway.networking.k8s.io/v1/backendtlspolicies",
                "Request Headers:",
                "    Accept: application/json",
                "    Authorization: Bearer <masked>",
                "    User-Agent: datumctl/test",
                "Response Status: 200 OK in N milliseconds",
            ])
        }

        @Test func levelEightAddsResponseHeadersAndBodies() throws {
            let (lines, base) = try trace(
                verbosity: 8,
                request: {
                    HTTPRequest(
                        method: "POST", url: $0 + "/apis/x", headers: ["Content-Type": "application/json"],
                        body: Array(#"{"kind":"BackendTLSPolicy"}"#.utf8))
                },
                response: .text(#"{"kind":"BackendTLSPolicy"}"#, status: 201, reason: "Created",
                                headers: ["content-type": "application/json"]))
            #expect(lines == [
                #"Request Body: {"kind":"BackendTLSPolicy"}"#,
                "POST \(base)/apis/x",
                "Request Headers:",
                "    Content-Type: application/json",
                "    User-Agent: datumctl/test",
                "Response Status: 201 Created in N milliseconds",
                "Response Headers:",
                "    Content-Type: application/json",
                "    Content-Length: 27",
                #"Response Body: {"kind":"BackendTLSPolicy"}"#,
            ])
        }

        @Test func levelNineAddsCurlCommandAndStatistics() throws {
            let (lines, base) = try trace(verbosity: 9, request: Self.get, response: Self.json)
            let url = "\(base)/apis/gateway.networking.k8s.io/v1/backendtlspolicies"
            #expect(lines == [
                "GET \(url)",
                "Request Headers:",
                "    Accept: application/json",
                "    Authorization: Bearer <masked>",
                "    User-Agent: datumctl/test",
                #"curl -v -XGET  -H "Accept: application/json" -H "Authorization: Bearer <masked>" -H "User-Agent: datumctl/test" '\#(url)'"#,
                "GET \(url) 200 OK in N milliseconds",
                "Response Status: 200 OK in N milliseconds",
                "HTTP Statistics: DNSLookup N ms Dial N ms TLSHandshake N ms ServerProcessing N ms Duration N ms",
                "Response Headers:",
                "    Content-Type: application/json",
                "    Content-Length: 12",
                #"Response Body: {"items":[]}"#,
            ])
            #expect(!lines.joined().contains(Self.secret))
        }

        @Test func failedRequestLeavesTheStatusEmpty() throws {
            let port = try Loopback.unusedPort()
            let log = TraceLog()
            let client = try HTTPClient(HTTPClientConfiguration(retry: .none, verbosity: 6, trace: log.append))
            _ = try? client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/x"))
            #expect(log.values.map(Self.normalized) == ["GET http://127.0.0.1:\(port)/x  in N milliseconds"])
        }

        @Test func longBodiesAreTruncatedAtLevelEightOnly() throws {
            let long = String(repeating: "a", count: 2000)
            let (eight, _) = try trace(verbosity: 8, request: { HTTPRequest(url: $0) }, response: .text(long))
            let (nine, _) = try trace(verbosity: 9, request: { HTTPRequest(url: $0) }, response: .text(long))
            #expect(eight.last == "Response Body: " + String(repeating: "a", count: 1024) + " [truncated 976 chars]")
            #expect(nine.last == "Response Body: " + long)
        }

        @Test(arguments: [
            ("Authorization", "Bearer abc.def", "Bearer <masked>"),
            ("authorization", "Basic dXNlcjpwYXNz", "Basic <masked>"),
            ("Authorization", "DatumToken abc", "DatumToken <masked>"),
            ("Authorization", "rawtoken", "<masked>"),
            ("Authorization", "Bearer", "Bearer"),
            ("Authorization", "", ""),
            ("Proxy-Authorization", "Basic abc", "Basic <masked>"),
            ("Accept", "Bearer abc", "Bearer abc"),
        ])
        func masking(name: String, value: String, shown: String) {
            #expect(RequestTracer.masked(HTTPHeader(name: name, value: value)) == shown)
        }

        @Test func binaryBodiesAreHexDumpedLikeGo() {
            // The example from Go's encoding/hex documentation for Dump.
            let dump = RequestTracer.hexDump(Array("Go is an open source programming language.".utf8))
            #expect(dump == """
                00000000  47 6f 20 69 73 20 61 6e  20 6f 70 65 6e 20 73 6f  |Go is an open so|
                00000010  75 72 63 65 20 70 72 6f  67 72 61 6d 6d 69 6e 67  |urce programming|
                00000020  20 6c 61 6e 67 75 61 67  65 2e                    | language.|

                """)
            #expect(RequestTracer.bodyEntry("Response Body", [0x00, 0x41], verbosity: 8)
                == "Response Body:\n00000000  00 41                                             |.A|\n")
        }

        @Test(arguments: [
            ("content-type", "Content-Type"), ("X-FORWARDED-FOR", "X-Forwarded-For"), ("etag", "Etag"),
            ("www-authenticate", "Www-Authenticate"), ("bad name", "bad name"),
        ])
        func canonicalHeaderNames(name: String, canonical: String) {
            #expect(HTTPHeaders.canonicalName(name) == canonical)
        }
    }
}
