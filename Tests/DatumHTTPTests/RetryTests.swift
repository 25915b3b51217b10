@testable import DatumHTTP
import Foundation
import TestSupport
import Testing

extension HTTPLayerTests {
    /// Retries: only idempotent requests, on connection failures, 429 and 503.
    @Suite struct Retry {
        static let quick = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .seconds(5), jitter: 0)

        @Test func getIsRetriedThrough503s() throws {
            let server = try TestHTTPServer(script: [
                .text("busy", status: 503, reason: "Service Unavailable"),
                .text("busy", status: 503, reason: "Service Unavailable"),
                .text("done"),
            ])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(retry: Self.quick))

            let response = try client.send(HTTPRequest(url: server.baseURL + "/r"))

            #expect(response.status == 200)
            #expect(response.bodyText == "done")
            #expect(response.attempts == 3)
            #expect(server.requests.count == 3)
            // Retries reuse the kept-alive connection.
            #expect(server.connectionCount == 1)
        }

        @Test func postIsNotRetriedAfter503() throws {
            let server = try TestHTTPServer(script: [
                .text("busy", status: 503, reason: "Service Unavailable"), .text("done"),
            ])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(retry: Self.quick))

            let response = try client.send(HTTPRequest(method: "POST", url: server.baseURL + "/r", body: Array("{}".utf8)))

            #expect(response.status == 503)
            #expect(response.statusText == "503 Service Unavailable")
            #expect(response.attempts == 1)
            #expect(server.requests.count == 1)
        }

        @Test func retriesStopAtMaxAttempts() throws {
            let server = try TestHTTPServer(script: [.text("busy", status: 503, reason: "Service Unavailable")])
            defer { server.stop() }
            let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .seconds(1), jitter: 0)
            let client = try HTTPClient(HTTPClientConfiguration(retry: policy))

            let response = try client.send(HTTPRequest(url: server.baseURL + "/r"))

            #expect(response.status == 503)
            #expect(response.attempts == 3)
            #expect(server.requests.count == 3)
        }

        @Test func retryAfterOnTooManyRequestsIsHonoured() throws {
            let server = try TestHTTPServer(script: [
                .text("slow down", status: 429, reason: "Too Many Requests", headers: ["Retry-After": "1"]),
                .text("ok"),
            ])
            defer { server.stop() }
            let lines = TraceLog()
            let client = try HTTPClient(
                HTTPClientConfiguration(retry: Self.quick, verbosity: 4, trace: lines.append))

            let started = Date()
            let response = try client.send(HTTPRequest(url: server.baseURL + "/limited"))
            let elapsed = Date().timeIntervalSince(started)

            #expect(response.status == 200)
            #expect(response.attempts == 2)
            #expect(server.requests.count == 2)
            // The trace proves the 1 s came from Retry-After, not from the 10 ms backoff...
            #expect(lines.values == ["Got a Retry-After 1s response for attempt 1 to \(server.baseURL)/limited"])
            // ...and the clock that it was waited out.
            #expect(elapsed >= 0.95)
            #expect(response.duration >= .milliseconds(950))
        }

        @Test func droppedConnectionIsRetriedForGetOnly() throws {
            let server = try TestHTTPServer(script: [.dropConnection, .text("second try")])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(retry: Self.quick))

            let response = try client.send(HTTPRequest(url: server.baseURL + "/flaky"))

            #expect(response.bodyText == "second try")
            #expect(response.attempts == 2)
            #expect(server.requests.count == 2)
        }

        @Test func droppedConnectionFailsPostWithoutResending() throws {
            let server = try TestHTTPServer(script: [.dropConnection, .text("never")])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(retry: Self.quick))

            let error = Self.error(
                of: client, HTTPRequest(method: "POST", url: server.baseURL + "/create", body: Array("{}".utf8)))

            #expect(server.requests.count == 1)
            #expect(error?.description == "Unable to connect to the server \(server.baseURL): the server closed the connection without replying")
        }

        /// libcurl silently re-sends a request when a reused keep-alive connection turns out to be
        /// dead. For a POST that could apply it twice; the client refuses the rewind instead.
        @Test func postOnDeadReusedConnectionIsNotSentTwice() throws {
            let server = try TestHTTPServer { request in
                request.method == "POST" ? .dropConnection : .text("warm")
            }
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(retry: Self.quick))
            _ = try client.send(HTTPRequest(url: server.baseURL + "/warm-up"))

            var thrown: HTTPError?
            do {
                _ = try client.send(HTTPRequest(method: "POST", url: server.baseURL + "/create", body: Array("{}".utf8)))
            } catch {
                thrown = error
            }

            #expect(server.requests.map(\.method) == ["GET", "POST"])
            #expect(thrown?.description == "Unable to connect to the server \(server.baseURL): the connection closed before a reply; the POST was not sent again because it may already have been applied")
        }

        @Test func getOnDeadReusedConnectionIsResent() throws {
            let server = try TestHTTPServer(script: [.text("warm"), .dropConnection, .text("again")])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(retry: .none))
            _ = try client.send(HTTPRequest(url: server.baseURL + "/warm-up"))

            let response = try client.send(HTTPRequest(url: server.baseURL + "/read"))

            #expect(response.bodyText == "again")
            #expect(server.requests.map(\.target) == ["/warm-up", "/read", "/read"])
        }

        @Test func connectionRefusedIsRetriedForIdempotentRequests() throws {
            let port = try Loopback.unusedPort()
            let lines = TraceLog()
            let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .seconds(1), jitter: 0)
            let client = try HTTPClient(HTTPClientConfiguration(retry: policy, verbosity: 4, trace: lines.append))

            #expect(throws: HTTPError.self) { try client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/")) }
            #expect(throws: HTTPError.self) {
                try client.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/", body: []))
            }

            let refused = "Unable to connect to the server http://127.0.0.1:\(port): connection refused (is the server running and is --server right?)"
            #expect(lines.values == [
                "Retrying GET http://127.0.0.1:\(port)/ in 5ms after attempt 1: \(refused)",
                "Retrying GET http://127.0.0.1:\(port)/ in 10ms after attempt 2: \(refused)",
            ])
        }

        static func error(of client: HTTPClient, _ request: HTTPRequest) -> HTTPError? {
            do {
                _ = try client.send(request)
                return nil
            } catch {
                return error
            }
        }
    }

    /// The pure parts of the retry policy.
    @Suite struct RetryPolicyRules {
        struct FixedRandom: RandomNumberGenerator {
            var value: UInt64
            mutating func next() -> UInt64 { value }
        }

        @Test(arguments: [
            (1, Duration.milliseconds(100)), (2, .milliseconds(200)), (3, .milliseconds(400)),
            (4, .milliseconds(800)), (5, .seconds(1)), (60, .seconds(1)),
        ])
        func backoffDoublesUpToTheCap(attempt: Int, expected: Duration) {
            let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: 0)
            var random = FixedRandom(value: 0)
            #expect(policy.delay(afterAttempt: attempt, retryAfter: nil, using: &random) == expected)
        }

        @Test func jitterAddsAtMostItsFraction() {
            let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(10), jitter: 0.5)
            var low = FixedRandom(value: 0)
            var middle = FixedRandom(value: 1 << 63)
            var high = FixedRandom(value: .max)
            #expect(policy.delay(afterAttempt: 2, retryAfter: nil, using: &low) == .milliseconds(200))
            // Half the draw range adds half of the 50 % jitter.
            #expect(policy.delay(afterAttempt: 2, retryAfter: nil, using: &middle) == .milliseconds(250))
            let most = policy.delay(afterAttempt: 2, retryAfter: nil, using: &high)
            #expect(most > .milliseconds(299) && most < .milliseconds(300))
        }

        @Test(arguments: [
            (Duration.seconds(2), Duration.seconds(2)), (.seconds(120), .seconds(30)), (.zero, .zero),
        ])
        func retryAfterWinsButIsCapped(retryAfter: Duration, expected: Duration) {
            let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(30), jitter: 0.5)
            var random = FixedRandom(value: .max)
            #expect(policy.delay(afterAttempt: 1, retryAfter: retryAfter, using: &random) == expected)
        }

        @Test func maxAttemptsIsAtLeastOne() {
            #expect(RetryPolicy(maxAttempts: 0, baseDelay: .zero, maxDelay: .zero).maxAttempts == 1)
            #expect(RetryPolicy.none.maxAttempts == 1)
        }

        // 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT.
        @Test(arguments: [
            ("1", Duration?.some(.seconds(1))),
            (" 120 ", .seconds(120)),
            ("0", .zero),
            ("Wed, 21 Oct 2015 07:28:30 GMT", .seconds(30)),
            ("Wednesday, 21-Oct-15 07:29:00 GMT", .seconds(60)),
            ("Wed Oct 21 07:28:05 2015", .seconds(5)),
            ("Wed, 21 Oct 2015 07:00:00 GMT", .zero),
            ("-1", nil),
            ("1.5", nil),
            ("soon", nil),
            ("", nil),
        ])
        func retryAfterParsing(value: String, expected: Duration?) {
            #expect(RetryAfter.parse(value, now: 1_445_412_480) == expected)
        }
    }
}

/// Collects trace lines from the client's `trace` closure.
final class TraceLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
