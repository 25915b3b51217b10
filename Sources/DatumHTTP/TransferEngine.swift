internal import CCurlShim

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs every transfer of one client on a single thread over one libcurl multi handle.
///
/// The multi handle's connection cache gives keep-alive reuse and HTTP/2 multiplexing across
/// all requests of the client, whichever thread sent them. libcurl's shared connection cache
/// is not safe across threads (curl issue 4915), so transfers never leave this thread; callers
/// hand over `TransferJob`s and wait on their mailbox.
///
/// Sendable by hand for one reason only: the libcurl state below (`multi`, `share`, `active`,
/// `idleHandles`) is confined to the engine thread, which the compiler cannot see; other threads
/// reach the engine through `inbox` (checked: inside its lock) and `curl_multi_wakeup`, which
/// libcurl documents as safe to call from any thread.
final class TransferEngine: @unchecked Sendable {
    /// What callers ask of the engine thread.
    private struct Inbox {
        var submissions: [TransferJob] = []
        var cancellations: [TransferJob] = []
        var resumptions: [TransferJob] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let share: OpaquePointer?
    private let inbox = ConditionLocked(Inbox())
    private var thread: JoinableThread?

    // Confined to the engine thread.
    private var active: [UnsafeMutableRawPointer: ActiveTransfer] = [:]
    private var idleHandles: [EasyHandle] = []
    private static let idleHandleLimit = 16
    static let maximumConnectionsPerHost = 32

    init() throws(HTTPError) {
        let global = ccurl_global_init_once()
        guard global == CURLE_OK else {
            throw HTTPError.setup(code: Int(global.rawValue), detail: "curl_global_init failed")
        }
        guard let multi = curl_multi_init() else {
            throw HTTPError.setup(code: Int(CURLE_FAILED_INIT.rawValue), detail: "curl_multi_init failed")
        }
        self.multi = multi
        // Keep idle connections for reuse by later requests of this client.
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 32)
        // Over HTTP/1.1 every request in flight needs a connection of its own; more than this
        // many to one server wait in libcurl's queue instead. Over HTTP/2 one connection carries
        // up to the server's stream limit, and libcurl opens another only beyond it.
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, Self.maximumConnectionsPerHost)
        // TLS sessions and resolved names are cached per easy handle unless shared; sharing lets
        // any new connection resume a session, and use an address, another handle already has.
        share = ccurl_locked_share_create()
        if let share {
            _ = ccurl_locked_share_add(share, CURL_LOCK_DATA_SSL_SESSION)
            _ = ccurl_locked_share_add(share, CURL_LOCK_DATA_DNS)
        }
        guard let thread = JoinableThread({ [unowned(unsafe) self] in self.run() }) else {
            curl_multi_cleanup(multi)
            ccurl_locked_share_destroy(share)
            throw HTTPError.setup(code: Int(CURLE_FAILED_INIT.rawValue), detail: "could not start the transfer thread")
        }
        self.thread = thread
    }

    /// Stops the thread (failing unfinished jobs with `.cancelled`) and frees libcurl's state.
    /// The thread does not retain the engine, so the last owner's release lands here.
    deinit {
        inbox.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
        thread?.join()
        curl_multi_cleanup(multi)
        ccurl_locked_share_destroy(share)
    }

    func submit(_ job: TransferJob) {
        inbox.withLock { $0.submissions.append(job) }
        curl_multi_wakeup(multi)
    }

    /// Stops a job; it completes with `.cancelled` unless it had already finished.
    func cancel(_ job: TransferJob) {
        job.withState { $0.cancelRequested = true }
        inbox.withLock { $0.cancellations.append(job) }
        curl_multi_wakeup(multi)
    }

    /// Continues a stream the engine paused because the caller's buffer was full.
    func resume(_ job: TransferJob) {
        inbox.withLock { $0.resumptions.append(job) }
        curl_multi_wakeup(multi)
    }

    // MARK: - Engine thread

    private func run() {
        while true {
            let (added, cancelled, resumed, stop) = inbox.withLock { inbox in
                defer {
                    inbox.submissions.removeAll()
                    inbox.cancellations.removeAll()
                    inbox.resumptions.removeAll()
                }
                return (inbox.submissions, inbox.cancellations, inbox.resumptions, inbox.stopping)
            }
            if stop {
                for transfer in Array(active.values) { abort(transfer) }
                for job in added { job.finish(.failure(.cancelled)) }
                idleHandles.removeAll()
                return
            }
            for job in added { start(job) }
            for job in cancelled {
                if let transfer = active.values.first(where: { $0.job === job }) { abort(transfer) }
            }
            for job in resumed {
                if let transfer = active.values.first(where: { $0.job === job }) {
                    _ = curl_easy_pause(transfer.easy.raw, CURLPAUSE_CONT)
                }
            }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func start(_ job: TransferJob) {
        if job.withState({ $0.cancelRequested }) {
            job.finish(.failure(.cancelled))
            return
        }
        let easy: EasyHandle
        if let idle = idleHandles.popLast() {
            easy = idle
        } else {
            do {
                easy = try EasyHandle()
            } catch {
                job.finish(.failure(error))
                return
            }
        }
        let transfer = ActiveTransfer(job: job, easy: easy)
        do {
            try transfer.configure(share: share)
        } catch {
            recycle(easy)
            job.finish(.failure(error))
            return
        }
        let code = curl_multi_add_handle(multi, easy.raw)
        guard code == CURLM_OK else {
            recycle(easy)
            job.finish(.failure(.setup(code: Int(code.rawValue), detail: String(cString: curl_multi_strerror(code)))))
            return
        }
        active[easy.raw] = transfer
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let raw = message.pointee.easy_handle,
                let transfer = active[raw]
            else { continue }
            let code = ccurl_message_result(message)
            let outcome = transfer.outcome(code: code)
            detach(transfer)
            transfer.job.finish(outcome)
        }
    }

    private func abort(_ transfer: ActiveTransfer) {
        detach(transfer)
        transfer.job.finish(.failure(.cancelled))
    }

    private func detach(_ transfer: ActiveTransfer) {
        _ = curl_multi_remove_handle(multi, transfer.easy.raw)
        active[transfer.easy.raw] = nil
        recycle(transfer.easy)
    }

    private func recycle(_ easy: EasyHandle) {
        guard idleHandles.count < Self.idleHandleLimit else { return }
        easy.reset()
        idleHandles.append(easy)
    }
}

extension TransferJob {
    /// Records the outcome (once, and only while the caller still follows the job) and wakes
    /// the caller.
    func finish(_ result: Result<CompletedTransfer, HTTPError>) {
        let id = self.id
        let tag = self.tag
        mailbox.state.withLockBroadcasting { state in
            guard state.jobs[id]?.outcome == nil, state.jobs[id] != nil else { return }
            state.jobs[id]?.outcome = result
            state.finished.append(tag)
        }
    }
}
