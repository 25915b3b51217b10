import DatumHTTP
import Foundation
import TestSupport
import Testing

extension HTTPLayerTests {
    /// `stream`: chunks reach the caller as they arrive, and the caller can stop.
    @Suite struct Streaming {
        @Test func chunksArriveOneByOne() throws {
            // Each chunk is sent only after the client has seen the previous one, so a client
            // that buffered the response would stall here until the server gives up.
            let second = Gate()
            let third = Gate()
            var response = ScriptedResponse(headers: ["Content-Type": "application/json"])
            response.chunks = [
                .init(bytes: Array("{\"type\":\"ADDED\"}\n".utf8)),
                .init(bytes: Array("{\"type\":\"MODIFIED\"}\n".utf8), after: second),
                .init(bytes: Array("{\"type\":\"DELETED\"}\n".utf8), after: third),
            ]
            let server = try TestHTTPServer(script: [response])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())
            var events: [String] = []

            let started = Date()
            try client.stream(HTTPRequest(url: server.baseURL + "/apis/x?watch=true")) { status, headers in
                events.append("head \(status) \(headers["Content-Type"] ?? "")")
            } onData: { chunk in
                let text = String(decoding: chunk, as: UTF8.self)
                events.append(text)
                if text.contains("ADDED") { second.open() }
                if text.contains("MODIFIED") { third.open() }
                return true
            }

            #expect(events == [
                "head 200 application/json",
                "{\"type\":\"ADDED\"}\n",
                "{\"type\":\"MODIFIED\"}\n",
                "{\"type\":\"DELETED\"}\n",
            ])
            #expect(Date().timeIntervalSince(started) < 5)
        }

        @Test func streamIsTracedWhenItsHeadArrives() throws {
            var response = ScriptedResponse(headers: ["Content-Type": "application/json"])
            response.chunks = [.init(bytes: Array("{}".utf8))]
            let server = try TestHTTPServer(script: [response])
            defer { server.stop() }
            let log = TraceLog()
            let client = try HTTPClient(
                HTTPClientConfiguration(userAgent: "datumctl/test", verbosity: 8, trace: log.append))

            try client.stream(
                HTTPRequest(url: server.baseURL + "/w?watch=true", headers: ["Authorization": "Bearer t0k3n"])
            ) { _, _ in } onData: { _ in true }

            #expect(log.values.map(Trace.normalized) == [
                "GET \(server.baseURL)/w?watch=true",
                "Request Headers:",
                "    Authorization: Bearer <masked>",
                "    User-Agent: datumctl/test",
                "Response Status: 200 OK in N milliseconds",
                "Response Headers:",
                "    Content-Type: application/json",
                "    Transfer-Encoding: chunked",
            ])
        }

        @Test func returningFalseStopsTheStream() throws {
            let never = Gate()
            var response = ScriptedResponse()
            response.chunks = [.init(bytes: Array("first".utf8)), .init(bytes: Array("second".utf8), after: never)]
            let server = try TestHTTPServer(script: [response])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())
            var received: [String] = []

            try client.stream(HTTPRequest(url: server.baseURL + "/watch")) { _, _ in
            } onData: { chunk in
                received.append(String(decoding: chunk, as: UTF8.self))
                return false
            }

            #expect(received == ["first"])
            // The server sees the client hang up while it still holds the second chunk.
            #expect(waitUntil(timeout: 5) { server.clientHangUps == 1 })
        }

        @Test func cancellationFromAnotherThreadStopsTheStream() throws {
            let never = Gate()
            var response = ScriptedResponse()
            response.chunks = [.init(bytes: Array("first".utf8)), .init(bytes: Array("second".utf8), after: never)]
            let server = try TestHTTPServer(script: [response])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())
            let cancellation = HTTPCancellation()
            var received: [String] = []

            try client.stream(HTTPRequest(url: server.baseURL + "/watch"), cancellation: cancellation) { _, _ in
            } onData: { chunk in
                received.append(String(decoding: chunk, as: UTF8.self))
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { cancellation.cancel() }
                return true
            }

            #expect(received == ["first"])
            #expect(cancellation.isCancelled)
            #expect(waitUntil(timeout: 5) { server.clientHangUps == 1 })
        }

        @Test func cancelledBeforeStartSendsNothing() throws {
            let server = try TestHTTPServer(script: [.text("x")])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())
            let cancellation = HTTPCancellation()
            cancellation.cancel()

            try client.stream(HTTPRequest(url: server.baseURL + "/watch"), cancellation: cancellation) { _, _ in
                Issue.record("no head expected")
            } onData: { _ in
                Issue.record("no data expected")
                return true
            }

            #expect(server.requests.isEmpty)
        }

        @Test func slowConsumerGetsEveryByteInOrder() throws {
            // 2 MiB in 32 chunks outruns a consumer that sleeps per chunk, so the engine must
            // pause the transfer and resume it without losing or reordering data.
            let chunkSize = 65536
            let total = 32 * chunkSize
            let payload = (0..<total).map { UInt8($0 % 251) }
            var response = ScriptedResponse()
            response.chunks = stride(from: 0, to: total, by: chunkSize).map {
                .init(bytes: Array(payload[$0..<($0 + chunkSize)]))
            }
            let server = try TestHTTPServer(script: [response])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())
            var received: [UInt8] = []
            received.reserveCapacity(total)

            try client.stream(HTTPRequest(url: server.baseURL + "/big")) { _, _ in
            } onData: { chunk in
                received.append(contentsOf: chunk)
                usleep(1000)
                return true
            }

            #expect(received.count == total)
            #expect(received == payload)
        }

        @Test func retryableStatusIsRetriedBeforeTheHead() throws {
            var ok = ScriptedResponse()
            ok.chunks = [.init(bytes: Array("event".utf8))]
            let server = try TestHTTPServer(script: [.text("busy", status: 503, reason: "Service Unavailable"), ok])
            defer { server.stop() }
            let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .seconds(1), jitter: 0)
            let client = try HTTPClient(HTTPClientConfiguration(retry: policy))
            var heads: [Int] = []
            var data = ""

            try client.stream(HTTPRequest(url: server.baseURL + "/watch")) { status, _ in
                heads.append(status)
            } onData: { chunk in
                data += String(decoding: chunk, as: UTF8.self)
                return true
            }

            #expect(heads == [200])
            #expect(data == "event")
            #expect(server.requests.count == 2)
        }

        @Test func failureAfterDataIsThrown() throws {
            let never = Gate()
            var response = ScriptedResponse()
            response.chunks = [.init(bytes: Array("first".utf8)), .init(bytes: Array("second".utf8), after: never)]
            let server = try TestHTTPServer(script: [response])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(requestTimeout: .milliseconds(400)))
            var received: [String] = []
            var thrown: HTTPError?

            do {
                try client.stream(HTTPRequest(url: server.baseURL + "/watch")) { _, _ in
                } onData: { chunk in
                    received.append(String(decoding: chunk, as: UTF8.self))
                    return true
                }
            } catch {
                thrown = error
            }

            #expect(received == ["first"])
            #expect(thrown?.description == "Unable to connect to the server \(server.baseURL): request timed out after 400ms (raise --request-timeout if the server needs longer)")
        }

        @Test func connectionRefusedIsThrown() throws {
            let port = try Loopback.unusedPort()
            let client = try HTTPClient(HTTPClientConfiguration(retry: .none))

            #expect(throws: HTTPError.self) {
                try client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/watch")) { _, _ in } onData: { _ in true }
            }
        }
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass.
func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
