@testable import DatumHTTP
import TestSupport
import Testing

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
}
