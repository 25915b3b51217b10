/// Everything needed to run one attempt of a request, fixed on the caller's thread.
struct TransferSpec: Sendable {
    var method: String
    var url: String
    /// Final header lines for libcurl, suppressions (`Accept:`) included.
    var headerLines: [String]
    var body: [UInt8]?
    /// Whether libcurl may re-send the body if a reused connection turns out dead.
    var mayResend: Bool
    /// Forces a new connection, so a bodyless non-idempotent request is never silently re-sent.
    var freshConnection: Bool
    var timeout: Duration?
    var connectTimeout: Duration
    var caFile: String?
    var caData: [UInt8]?
    var caPath: String?
    var insecureSkipTLSVerify: Bool
    var proxy: String?
    var streaming: Bool
}

/// The status line and headers of a final (non-1xx) response.
struct ResponseHead: Sendable, Equatable {
    var status: Int
    var reason: String
    var headers: HTTPHeaders
}

/// libcurl's phase timings for `-v=9`, like kubectl's "HTTP Statistics" line.
struct TransferTimings: Sendable, Equatable {
    var reusedConnection = false
    var nameLookup: Duration = .zero
    var connect: Duration = .zero
    var tlsHandshakeDone: Duration = .zero
    var preTransfer: Duration = .zero
    var startTransfer: Duration = .zero
}

/// A finished attempt: a response (any status), or the transport error that stopped it.
struct CompletedTransfer: Sendable {
    var head: ResponseHead
    var body: [UInt8]
    var httpVersion: String
    var timings: TransferTimings
}

/// What a job's caller and the engine thread share: the response as it arrives and the outcome.
struct JobState {
    /// Set once the final response head arrived (streams show it before the body ends).
    var head: ResponseHead?
    var headElapsed: Duration?
    /// Streaming only: received chunks not yet handed to the caller.
    var chunks: [[UInt8]] = []
    var queuedBytes = 0
    /// Streaming only: the engine paused the transfer because the caller fell behind.
    var paused = false
    var outcome: Result<CompletedTransfer, HTTPError>?
    /// Set by `TransferEngine.cancel`, so a job cancelled before the engine picked it up never starts.
    var cancelRequested = false
}

/// Everything a caller waits on, under one lock: which of its jobs finished since it last
/// looked, and every job's state (so the engine's changes and the caller's wait share one
/// condition variable, and no change can be missed).
struct MailboxState {
    /// Tags of jobs that finished since the caller last looked.
    var finished: [Int] = []
    var jobs: [ObjectIdentifier: JobState] = [:]
}

/// Collects completion notices and job state for every job a caller waits on.
final class Mailbox: Sendable {
    let state = ConditionLocked(MailboxState())
}

/// One attempt in flight: the caller and the engine thread meet in its mailbox. The job itself
/// is immutable; what changes lives in `mailbox.state.jobs[id]`.
final class TransferJob: Sendable {
    let spec: TransferSpec
    let tag: Int
    let mailbox: Mailbox

    init(spec: TransferSpec, tag: Int, mailbox: Mailbox) {
        self.spec = spec
        self.tag = tag
        self.mailbox = mailbox
        let id = ObjectIdentifier(self)
        mailbox.state.withLock { $0.jobs[id] = JobState() }
    }

    var id: ObjectIdentifier { ObjectIdentifier(self) }

    /// Runs `body` with this job's state under the mailbox lock (a fresh state if it was dropped).
    func withState<T>(_ body: (inout JobState) -> T) -> T {
        let id = self.id
        return mailbox.state.withLock { body(&$0.jobs[id, default: JobState()]) }
    }

    /// The same, then wakes the caller waiting on the mailbox.
    func withStateBroadcasting<T>(_ body: (inout JobState) -> T) -> T {
        let id = self.id
        return mailbox.state.withLockBroadcasting { body(&$0.jobs[id, default: JobState()]) }
    }

    /// Streams pause once this much data waits for the caller.
    static let streamBufferLimit = 1 << 20
}
