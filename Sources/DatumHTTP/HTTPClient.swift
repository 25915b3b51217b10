import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thread-safe HTTP client over libcurl: pooled keep-alive connections (HTTP/2 over TLS
/// when offered), retries for idempotent requests, and kubectl-style `-v` traces.
///
/// All transfers of one client run on its own engine thread and share one connection cache;
/// the calling thread blocks until its result is ready, so call it from ordinary threads rather
/// than from Swift concurrency's cooperative pool.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let engine: TransferEngine
    private let tracer: RequestTracer
    /// The protocol last seen for each origin, so `-v 6` names it once, and again if it changes.
    private let protocols = Mutex<[Substring: String]>([:])

    /// The cap on requests in flight for bulk work (apply, delete): wide, because the window
    /// adapts below it (``ConcurrencyWindow``). About half of kube-apiserver's 250 streams per
    /// HTTP/2 connection; over HTTP/1.1 libcurl queues beyond 32 connections per server.
    public static let defaultConcurrency = 128

    public init(_ configuration: HTTPClientConfiguration) throws(HTTPError) {
        self.configuration = configuration
        engine = try TransferEngine()
        tracer = RequestTracer(verbosity: configuration.verbosity, emit: configuration.trace)
    }

    /// Sends one request, retrying it when it is idempotent and the failure is transient.
    ///
    /// Any HTTP status is a response; only transport failures throw.
    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let results = sendAll([request], concurrency: 1, onEach: nil)
        guard let result = results.first else { throw HTTPError.cancelled }
        return try result.get()
    }

    /// Runs requests concurrently over the shared connection pool (multiplexed over one HTTP/2
    /// connection when the server offers it); results come back in input order. `concurrency`
    /// caps the requests in flight; within it a ``ConcurrencyWindow`` backs off while the server
    /// answers 429, 5xx or fails connections, and grows again as it recovers. `onEach` gets each
    /// request's index as it finishes.
    public func sendAll(
        _ requests: [HTTPRequest], concurrency: Int, onEach: (@Sendable (Int) -> Void)? = nil
    ) -> [Result<HTTPResponse, HTTPError>] {
        let started = ContinuousClock.now
        var window = ConcurrencyWindow(cap: concurrency)
        let mailbox = Mailbox()
        var random = SystemRandomNumberGenerator()
        var results = [Result<HTTPResponse, HTTPError>?](repeating: nil, count: requests.count)
        var slots = [Slot](repeating: .waiting(started), count: requests.count)
        var specs: [TransferSpec?] = []
        var attempts = [Int](repeating: 0, count: requests.count)
        var inFlight = 0
        var remaining = requests.count

        for (index, request) in requests.enumerated() {
            do {
                specs.append(try makeSpec(request, streaming: false))
            } catch {
                specs.append(nil)
                results[index] = .failure(error)
                slots[index] = .done
                remaining -= 1
                onEach?(index)
            }
        }

        while remaining > 0 {
            let now = ContinuousClock.now
            for index in slots.indices where window.admits(inFlight: inFlight, now: now) {
                guard case .waiting(let due) = slots[index], due <= now, let spec = specs[index] else { continue }
                attempts[index] += 1
                let job = TransferJob(spec: spec, tag: index, mailbox: mailbox)
                if attempts[index] == 1 { tracer.requestBody(requests[index].body) }
                tracer.sending(method: spec.method, url: spec.url, headers: tracedHeaders(requests[index]))
                slots[index] = .inFlight(job, sentAt: .now)
                inFlight += 1
                engine.submit(job)
            }

            var finished: [(Int, Result<CompletedTransfer, HTTPError>, ContinuousClock.Instant)] = []
            while true {
                let collected = mailbox.state.withLock { state in
                    let tags = state.finished
                    state.finished.removeAll()
                    var outcomes: [(Int, Result<CompletedTransfer, HTTPError>, ContinuousClock.Instant)] = []
                    for tag in tags {
                        guard case .inFlight(let job, let sentAt) = slots[tag],
                            let outcome = state.jobs[job.id]?.outcome
                        else { continue }
                        state.jobs[job.id] = nil
                        outcomes.append((tag, outcome, sentAt))
                    }
                    return outcomes
                }
                if !collected.isEmpty {
                    finished = collected
                    break
                }
                // Wake for the earliest retry only when there is room to start it.
                var nextDue = inFlight < window.limit ? earliestDue(slots) : nil
                if let due = nextDue, let hold = window.holdUntil, hold > due { nextDue = hold }
                if let nextDue, nextDue <= .now { break }
                if nextDue == nil && inFlight == 0 { break }
                mailbox.state.wait(until: nextDue) { !$0.finished.isEmpty }
            }

            for (index, outcome, sentAt) in finished {
                inFlight -= 1
                let request = requests[index]
                trace(request, outcome, elapsed: sentAt.duration(to: .now))
                adapt(&window, to: outcome, sentAt: sentAt)
                if let delay = retryDelay(request, attempt: attempts[index], outcome: outcome, random: &random) {
                    slots[index] = .waiting(.now + delay)
                    continue
                }
                slots[index] = .done
                remaining -= 1
                results[index] = outcome.map { transfer in
                    HTTPResponse(
                        status: transfer.head.status,
                        statusText: StatusText.line(status: transfer.head.status, reason: transfer.head.reason),
                        headers: transfer.head.headers, body: transfer.body, httpVersion: transfer.httpVersion,
                        duration: started.duration(to: .now), attempts: attempts[index])
                }
                onEach?(index)
            }
        }
        return results.map { $0 ?? .failure(.cancelled) }
    }

    /// Streams a long-running response (a watch): `onHead` gets the status and headers, then
    /// `onData` each chunk as it arrives, on the calling thread. Returns when the server ends the
    /// response, when `onData` returns false, or when `cancellation` is cancelled.
    ///
    /// Connection failures, 429 and 503 are retried (idempotent requests only) before `onHead`
    /// runs; after that, a failure is thrown.
    public func stream(
        _ request: HTTPRequest, cancellation: HTTPCancellation? = nil,
        onHead: (Int, HTTPHeaders) -> Void, onData: ([UInt8]) -> Bool
    ) throws(HTTPError) {
        let spec = try makeSpec(request, streaming: true)
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        tracer.requestBody(request.body)
        while true {
            attempt += 1
            let job = TransferJob(spec: spec, tag: 0, mailbox: Mailbox())
            let sentAt = ContinuousClock.now
            let engine = self.engine
            guard cancellation?.register({ engine.cancel(job) }) ?? true else { return }
            defer { cancellation?.unregister() }
            tracer.sending(method: spec.method, url: spec.url, headers: tracedHeaders(request))
            engine.submit(job)

            let result = try pump(
                job, request: request, attempt: attempt, sentAt: sentAt, random: &random, onHead: onHead, onData: onData
            )
            switch result {
            case .finished:
                return
            case .retry(let delay):
                Self.sleep(for: delay)
            }
        }
    }

    // MARK: - Internals

    private enum Slot {
        case waiting(ContinuousClock.Instant)
        case inFlight(TransferJob, sentAt: ContinuousClock.Instant)
        case done
    }

    private enum PumpResult {
        case finished
        case retry(Duration)
    }

    /// Hands one streaming attempt's head and chunks to the caller until it ends.
    private func pump(
        _ job: TransferJob, request: HTTPRequest, attempt: Int, sentAt: ContinuousClock.Instant,
        random: inout SystemRandomNumberGenerator,
        onHead: (Int, HTTPHeaders) -> Void, onData: ([UInt8]) -> Bool
    ) throws(HTTPError) -> PumpResult {
        var headShown = false
        let id = job.id
        // The job's state goes with the stream; a late word from the engine is then ignored.
        defer { job.mailbox.state.withLock { $0.jobs[id] = nil } }
        while true {
            // Something to hand over: chunks, the outcome, or a head not shown yet.
            let ready = { (state: JobState) in
                !state.chunks.isEmpty || state.outcome != nil || (!headShown && state.head != nil)
            }
            job.mailbox.state.wait(until: nil) { state in state.jobs[id].map(ready) ?? false }
            let taken = job.withState {
                state -> (ResponseHead?, Duration?, [[UInt8]], Result<CompletedTransfer, HTTPError>?, Bool)? in
                guard ready(state) else { return nil }
                defer {
                    state.chunks.removeAll()
                    state.queuedBytes = 0
                    state.paused = false
                }
                return (state.head, state.headElapsed, state.chunks, state.outcome, state.paused)
            }
            guard let (head, headElapsed, chunks, outcome, wasPaused) = taken else { continue }
            if wasPaused { engine.resume(job) }

            if !headShown, let head {
                headShown = true
                tracer.received(
                    method: job.spec.method, url: job.spec.url,
                    statusText: StatusText.line(status: head.status, reason: head.reason),
                    elapsed: headElapsed ?? .zero, headers: head.headers, timings: nil)
                let transfer = CompletedTransfer(
                    head: head, body: [], httpVersion: "", timings: TransferTimings())
                if let delay = retryDelay(request, attempt: attempt, outcome: .success(transfer), random: &random) {
                    engine.cancel(job)
                    return .retry(delay)
                }
                onHead(head.status, head.headers)
            }
            for chunk in chunks where !onData(chunk) {
                engine.cancel(job)
                return .finished
            }
            guard let outcome else { continue }
            switch outcome {
            case .success:
                return .finished
            case .failure(.cancelled):
                return .finished
            case .failure(let error):
                if !headShown {
                    trace(request, outcome, elapsed: sentAt.duration(to: .now))
                    if let delay = retryDelay(request, attempt: attempt, outcome: outcome, random: &random) {
                        return .retry(delay)
                    }
                }
                throw error
            }
        }
    }

    /// Validates the request and turns it into what the engine needs.
    func makeSpec(_ request: HTTPRequest, streaming: Bool) throws(HTTPError) -> TransferSpec {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(HTTPHeaders.isTokenByte) else {
            throw HTTPError.invalidRequest(reason: "invalid HTTP method \"\(request.method)\"")
        }
        guard !request.url.isEmpty, !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw HTTPError.invalidRequest(reason: "invalid URL \"\(request.url)\"")
        }
        var lines: [String] = []
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(HTTPHeaders.isTokenByte) else {
                throw HTTPError.invalidRequest(reason: "invalid header name \"\(header.name)\"")
            }
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw HTTPError.invalidRequest(reason: "invalid value for header \"\(header.name)\"")
            }
            // libcurl sends "Name;" as an empty header; "Name:" would remove it.
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        let headers = request.headers
        if !headers.contains("User-Agent") && !configuration.userAgent.isEmpty {
            lines.append("User-Agent: \(configuration.userAgent)")
        }
        // Headers libcurl would add by itself; the server should see what the trace shows.
        if !headers.contains("Accept") { lines.append("Accept:") }
        if !headers.contains("Expect") { lines.append("Expect:") }
        var body = request.body
        if body == nil && request.method == "POST" { body = [] }
        if body != nil && !headers.contains("Content-Type") { lines.append("Content-Type:") }
        return TransferSpec(
            method: request.method, url: request.url, headerLines: lines, body: body,
            mayResend: request.isIdempotent,
            freshConnection: !request.isIdempotent && (body?.isEmpty ?? true),
            timeout: request.timeout ?? configuration.requestTimeout,
            connectTimeout: configuration.connectTimeout,
            caFile: configuration.caFile, caData: configuration.caData, caPath: configuration.caPath,
            insecureSkipTLSVerify: configuration.insecureSkipTLSVerify, proxy: configuration.proxy,
            streaming: streaming)
    }

    /// The headers as the server receives them, for `-v=7` and up.
    private func tracedHeaders(_ request: HTTPRequest) -> [HTTPHeader] {
        var headers = request.headers.fields
        if !request.headers.contains("User-Agent") && !configuration.userAgent.isEmpty {
            headers.append(HTTPHeader(name: "User-Agent", value: configuration.userAgent))
        }
        return headers
    }

    private func trace(_ request: HTTPRequest, _ outcome: Result<CompletedTransfer, HTTPError>, elapsed: Duration) {
        switch outcome {
        case .success(let transfer):
            if tracer.verbosity >= 6, !transfer.httpVersion.isEmpty {
                let origin = Self.origin(of: request.url)
                let changed = protocols.withLock { seen in
                    defer { seen[origin] = transfer.httpVersion }
                    return seen[origin] != transfer.httpVersion
                }
                if changed { tracer.emit("Using HTTP/\(transfer.httpVersion) with \(origin)") }
            }
            tracer.received(
                method: request.method, url: request.url,
                statusText: StatusText.line(status: transfer.head.status, reason: transfer.head.reason),
                elapsed: elapsed, headers: transfer.head.headers, timings: transfer.timings)
            tracer.responseBody(transfer.body)
        case .failure:
            // kubectl leaves the status empty when the round trip failed; the error itself is
            // reported once, by whoever handles it.
            tracer.received(
                method: request.method, url: request.url, statusText: "", elapsed: elapsed, headers: nil, timings: nil)
        }
    }

    /// Shrinks the window on signs of overload, grows it on success (``ConcurrencyWindow``).
    private func adapt(
        _ window: inout ConcurrencyWindow, to outcome: Result<CompletedTransfer, HTTPError>,
        sentAt: ContinuousClock.Instant
    ) {
        let reason: String
        var retryAfter: Duration?
        switch outcome {
        case .success(let transfer) where ConcurrencyWindow.isOverload(status: transfer.head.status):
            reason = StatusText.line(status: transfer.head.status, reason: transfer.head.reason)
            retryAfter = Self.retryAfter(of: transfer).map { min($0, configuration.retry.maxDelay) }
        case .success:
            window.succeeded()
            return
        case .failure(let error) where error.isRetryable:
            reason = error.description
        case .failure:
            return
        }
        if window.overloaded(sentAt: sentAt, retryAfter: retryAfter) {
            tracer.concurrency(window.limit, reason: reason)
        }
    }

    /// The wait a response's `Retry-After` asks for, if any.
    static func retryAfter(of transfer: CompletedTransfer) -> Duration? {
        transfer.head.headers["Retry-After"].flatMap { RetryAfter.parse($0, now: time(nil)) }
    }

    /// `scheme://host:port` of a URL (everything before the path).
    static func origin(of url: String) -> Substring {
        let utf8 = url.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return url[...] }
        var authority = utf8.index(after: colon)
        while authority < utf8.endIndex, utf8[authority] == UInt8(ascii: "/") {
            authority = utf8.index(after: authority)
        }
        let end = utf8[authority...].firstIndex { byte in
            byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
        }
        return url[..<(end ?? utf8.endIndex)]
    }

    /// How long to wait before the next attempt, or nil when the outcome is final.
    private func retryDelay(
        _ request: HTTPRequest, attempt: Int, outcome: Result<CompletedTransfer, HTTPError>,
        random: inout SystemRandomNumberGenerator
    ) -> Duration? {
        let policy = configuration.retry
        guard request.isIdempotent, attempt < policy.maxAttempts else { return nil }
        switch outcome {
        case .success(let transfer) where transfer.head.status == 429 || transfer.head.status == 503:
            let retryAfter = Self.retryAfter(of: transfer)
            let delay = policy.delay(afterAttempt: attempt, retryAfter: retryAfter, using: &random)
            tracer.retrying(
                method: request.method, url: request.url, attempt: attempt, delay: delay,
                retryAfter: retryAfter != nil,
                reason: StatusText.line(status: transfer.head.status, reason: transfer.head.reason))
            return delay
        case .failure(let error) where error.isRetryable:
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil, using: &random)
            tracer.retrying(
                method: request.method, url: request.url, attempt: attempt, delay: delay, retryAfter: false,
                reason: error.description)
            return delay
        default:
            return nil
        }
    }

    private func earliestDue(_ slots: [Slot]) -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        for slot in slots {
            if case .waiting(let due) = slot, earliest.map({ due < $0 }) ?? true { earliest = due }
        }
        return earliest
    }

    /// Blocks the calling thread for `duration` (retry back-off, polling).
    public static func sleep(for duration: Duration) {
        let lock = ConditionLocked(())
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline { lock.wait(until: deadline) { _ in false } }
    }
}

/// Lets another thread stop a `stream` call; the call then returns normally.
public final class HTTPCancellation: Sendable {
    private struct State {
        var cancelled = false
        var onCancel: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    public func cancel() {
        let action: (@Sendable () -> Void)? = state.withLock { state in
            guard !state.cancelled else { return nil }
            state.cancelled = true
            return state.onCancel
        }
        action?()
    }

    /// Installs what `cancel()` does; false when already cancelled.
    func register(_ action: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            guard !state.cancelled else { return false }
            state.onCancel = action
            return true
        }
    }

    func unregister() {
        state.withLock { $0.onCancel = nil }
    }
}
