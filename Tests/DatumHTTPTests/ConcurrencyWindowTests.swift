@testable import DatumHTTP
import Foundation
import TestSupport
import Testing

extension HTTPLayerTests {
    /// The adaptive request window of `sendAll`.
    @Suite struct AdaptiveConcurrency {
        @Test func startsAtTheCapAndHalvesOncePerRoundTrip() {
            let start = ContinuousClock.now
            var window = ConcurrencyWindow(cap: 64)
            #expect(window.limit == 64)
            let first = window.overloaded(sentAt: start, now: start + .milliseconds(10))
            #expect(first && window.limit == 32)
            // Answers to requests sent before the decrease say nothing about the smaller window.
            let stale = window.overloaded(sentAt: start + .milliseconds(5), now: start + .milliseconds(11))
            #expect(!stale && window.limit == 32)
            let next = window.overloaded(sentAt: start + .milliseconds(12), now: start + .milliseconds(20))
            #expect(next && window.limit == 16)
        }

        @Test func growsByAboutOneRequestPerWindowOfSuccessesUpToTheCap() {
            let start = ContinuousClock.now
            var window = ConcurrencyWindow(cap: 20)
            window.overloaded(sentAt: start, now: start)
            #expect(window.limit == 10)
            for _ in 0..<10 { window.succeeded() }
            #expect(window.limit == 10 || window.limit == 11)
            for _ in 0..<1000 { window.succeeded() }
            #expect(window.limit == 20)
        }

        @Test func neverBelowOne() {
            let start = ContinuousClock.now
            var window = ConcurrencyWindow(cap: 4)
            for step in 0..<10 {
                window.overloaded(sentAt: start + .milliseconds(step * 2 + 1), now: start + .milliseconds(step * 2 + 2))
            }
            #expect(window.limit == 1)
            #expect(window.admits(inFlight: 0, now: start + .seconds(1)))
            #expect(!window.admits(inFlight: 1, now: start + .seconds(1)))
            #expect(ConcurrencyWindow(cap: 0).limit == 1)
        }

        @Test func retryAfterHoldsNewRequests() {
            let start = ContinuousClock.now
            var window = ConcurrencyWindow(cap: 8)
            window.overloaded(sentAt: start, retryAfter: .seconds(2), now: start)
            #expect(!window.admits(inFlight: 0, now: start + .seconds(1)))
            #expect(window.admits(inFlight: 0, now: start + .seconds(2)))
            // A shorter Retry-After does not shorten the hold.
            window.overloaded(sentAt: start, retryAfter: .milliseconds(10), now: start + .milliseconds(1))
            #expect(window.holdUntil == start + .seconds(2))
        }

        @Test(arguments: [(429, true), (500, true), (503, true), (504, true), (200, false), (404, false), (409, false)])
        func overloadStatuses(status: Int, overload: Bool) {
            #expect(ConcurrencyWindow.isOverload(status: status) == overload)
        }

        /// A server that takes at most 8 requests at once and answers 429 to the rest: every
        /// request of a 64-wide `sendAll` still succeeds, in order, and the window backs off, so
        /// far fewer requests are refused than a fixed window of 64 would have refused.
        @Test func sendAllBacksOffFromAServerThatRefusesExcessRequests() throws {
            let gauge = InFlightGauge(limit: 8)
            let server = try TestHTTPServer { request in gauge.serve(request.target) }
            defer { server.stop() }
            let log = TraceLog()
            let client = try HTTPClient(
                HTTPClientConfiguration(
                    retry: RetryPolicy(maxAttempts: 20, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), jitter: 0),
                    verbosity: 4, trace: log.append))
            let requests = (0..<200).map { HTTPRequest(url: server.baseURL + "/r/\($0)") }
            let results = client.sendAll(requests, concurrency: 64)
            let bodies = results.map { (try? $0.get())?.bodyText ?? "failed" }
            #expect(bodies == (0..<200).map { "/r/\($0)" })
            #expect(gauge.mostAdmitted <= 8)
            // A fixed window of 64 keeps ~56 refused per round of ~25 rounds.
            #expect(gauge.refusals < 200, "refused \(gauge.refusals)")
            #expect(log.values.contains("Sending at most 32 requests at a time after 429 Too Many Requests"))
        }
    }
}

/// Admits `limit` requests at a time (each takes 10 ms) and refuses the rest with 429.
final class InFlightGauge: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    private var admitted = 0
    private(set) var mostAdmitted = 0
    private(set) var refusals = 0

    init(limit: Int) { self.limit = limit }

    func serve(_ target: String) -> ScriptedResponse {
        let admit: Bool = lock.withLock {
            guard admitted < limit else {
                refusals += 1
                return false
            }
            admitted += 1
            mostAdmitted = max(mostAdmitted, admitted)
            return true
        }
        guard admit else { return .text("busy", status: 429, reason: "Too Many Requests") }
        Thread.sleep(forTimeInterval: 0.01)
        lock.withLock { admitted -= 1 }
        return .text(target)
    }
}
