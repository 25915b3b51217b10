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

/// Collects completion notices for every job a caller waits on, under one lock.
final class Mailbox: @unchecked Sendable {
    let lock = ConditionLock()
    /// Tags of jobs that finished since the caller last looked. Guarded by `lock`.
    var finished: [Int] = []
}

/// One attempt in flight: the caller and the engine thread meet here.
///
/// Mutable fields are guarded by `mailbox.lock`; the engine writes them, the caller reads them.
final class TransferJob: @unchecked Sendable {
    let spec: TransferSpec
    let tag: Int
    let mailbox: Mailbox

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

    init(spec: TransferSpec, tag: Int, mailbox: Mailbox) {
        self.spec = spec
        self.tag = tag
        self.mailbox = mailbox
    }

    /// Streams pause once this much data waits for the caller.
    static let streamBufferLimit = 1 << 20
}
