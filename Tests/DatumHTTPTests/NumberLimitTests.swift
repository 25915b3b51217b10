import Foundation
import TestSupport
import Testing

@testable import DatumHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Answers every connection on 127.0.0.1 with the same raw bytes, whatever HTTP says about
/// them, then closes it: for framing no well-behaved test server would send.
final class RawResponder: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32
    private let done = DispatchSemaphore(value: 0)

    init(_ response: String) throws {
        let (descriptor, port) = try Loopback.listener()
        self.descriptor = descriptor
        self.port = port
        let bytes = Array(response.utf8)
        Thread.detachNewThread { [done] in
            while true {
                let connection = accept(descriptor, nil, nil)
                if connection < 0 { break }
                var request: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while request.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A]) == nil {
                    let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { break }
                    request += buffer[0..<count]
                }
                _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(connection)
            }
            done.signal()
        }
    }

    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        done.wait()
    }
}

/// Durations and header values at the limits of their integer types.
@Suite struct NumberLimitTests {
    /// libcurl takes timeouts in milliseconds as a C long. A timeout of exactly `Int.max / 1000`
    /// seconds plus a fraction passed the overflow guard and then overflowed when the fraction
    /// was rounded up (a trap while setting up the transfer).
    @Test(arguments: [
        Duration.seconds(9_223_372_036_854_775) + .milliseconds(900),
        .seconds(9_223_372_036_854_775),
        .seconds(Int64.max),
        .seconds(9_223_372_036_854_774) + .nanoseconds(999_999_999),
    ])
    func timeoutsAtTheMillisecondLimitDoNotTrap(timeout: Duration) throws {
        let port = try Loopback.unusedPort()
        let client = try HTTPClient(
            HTTPClientConfiguration(connectTimeout: timeout, requestTimeout: timeout, retry: .none))
        do {
            _ = try client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/x", timeout: timeout))
            Issue.record("nothing listens on port \(port), yet the request succeeded")
        } catch {
            guard case .connectionRefused = error else {
                Issue.record("expected connectionRefused, got \(error)")
                return
            }
        }
    }

    /// Retry-After delay-seconds of any length saturate; dates far in the future are plain
    /// differences (curl_getdate only knows four-digit years).
    @Test(arguments: [
        ("9223372036854775807", Duration?.some(.seconds(Int64.max))),
        ("9223372036854775808", .seconds(Int64.max / 1_000_000_000_000)),
        (String(repeating: "9", count: 400), .seconds(Int64.max / 1_000_000_000_000)),
        ("Fri, 31 Dec 9999 23:59:59 GMT", .seconds(253_402_300_799 - 1_445_412_480)),
        ("Mon, 01 Jan 1600 00:00:00 GMT", .zero),
        ("-9223372036854775808", nil),
    ])
    func retryAfterAtTheLimits(value: String, expected: Duration?) {
        #expect(RetryAfter.parse(value, now: 1_445_412_480) == expected)
    }

    @Test func aHugeRetryAfterWaitsNoLongerThanTheMaximumDelay() {
        var random = SystemRandomNumberGenerator()
        let policy = RetryPolicy.default
        let delay = policy.delay(
            afterAttempt: 1, retryAfter: RetryAfter.parse("9223372036854775807", now: 0), using: &random)
        #expect(delay == policy.maxDelay)
    }

    /// Numbers the client reads from a response: libcurl parses Content-Length and chunk sizes
    /// and fails the transfer on overflow; the status code is parsed with `Int(_:)`. Each is an
    /// error or a response, never a trap.
    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n{}\r\n0\r\n\r\n",
        "HTTP/1.1 99999999999999999999 Odd\r\nContent-Length: 2\r\n\r\n{}",
        "HTTP/1.1 -1 Odd\r\nContent-Length: 2\r\n\r\n{}",
        "HTTP/1.1 503 Busy\r\nRetry-After: 99999999999999999999999999\r\nContent-Length: 0\r\n\r\n",
    ])
    func responseNumbersBeyondTheirTypesAreErrorsOrResponses(raw: String) throws {
        let server = try RawResponder(raw)
        defer { server.stop() }
        let retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(20))
        let client = try HTTPClient(HTTPClientConfiguration(requestTimeout: .seconds(10), retry: retry))
        let started = ContinuousClock.now
        do {
            let response = try client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/x"))
            #expect(response.status >= 0)
        } catch {
            #expect(!error.description.isEmpty)
        }
        // A huge Retry-After (hours) is capped by the policy's maximum delay, not slept; the bound is a
        // hang guard, far above the capped delays and far below the requested one.
        #expect(started.duration(to: .now) < .seconds(30))
    }
}
