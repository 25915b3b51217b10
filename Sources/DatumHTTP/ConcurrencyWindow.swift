/// How many requests of one ``HTTPClient/sendAll(_:concurrency:onEach:)`` may be in flight:
/// additive increase, multiplicative decrease, as TCP's congestion window.
///
/// It starts at the cap (wide: over HTTP/2 one connection carries them all, and libcurl never
/// opens more streams on a connection than the server's `SETTINGS_MAX_CONCURRENT_STREAMS`).
/// Signs that the server is overloaded — `429 Too Many Requests` (API Priority and Fairness
/// rejects with it), any 5xx, a connection that failed — halve it, at most once per round trip:
/// answers to requests sent before the last decrease say nothing about the smaller window. A
/// `Retry-After` also holds back new requests until it passes. Each success grows the window by
/// 1/size, one request per round trip, back up to the cap.
struct ConcurrencyWindow {
    let cap: Int
    private(set) var size: Double
    /// No request starts before this instant (the latest `Retry-After` seen).
    private(set) var holdUntil: ContinuousClock.Instant?
    private var lastDecrease: ContinuousClock.Instant?

    init(cap: Int) {
        self.cap = max(1, cap)
        size = Double(self.cap)
    }

    /// Requests allowed in flight now.
    var limit: Int { max(1, Int(size)) }

    /// Whether another request may start now, with `inFlight` already running.
    func admits(inFlight: Int, now: ContinuousClock.Instant) -> Bool {
        if let holdUntil, now < holdUntil { return false }
        return inFlight < limit
    }

    mutating func succeeded() {
        size = min(Double(cap), size + 1 / size)
    }

    /// The server is overloaded, as told by an answer to a request sent at `sentAt`. Returns
    /// whether the window shrank.
    @discardableResult
    mutating func overloaded(
        sentAt: ContinuousClock.Instant, retryAfter: Duration? = nil, now: ContinuousClock.Instant = .now
    ) -> Bool {
        if let retryAfter, retryAfter > .zero {
            let until = now + retryAfter
            if holdUntil.map({ until > $0 }) ?? true { holdUntil = until }
        }
        if let lastDecrease, sentAt < lastDecrease { return false }
        let before = limit
        size = max(1, size / 2)
        lastDecrease = now
        return limit != before
    }

    /// Whether a response (or failure) says the server is overloaded.
    static func isOverload(status: Int) -> Bool { status == 429 || (500...599).contains(status) }
}
