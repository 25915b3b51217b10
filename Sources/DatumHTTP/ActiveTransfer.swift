internal import CCurlShim

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Engine-thread state of one running attempt: its easy handle, upload position and the
/// response as it is parsed. libcurl's callbacks receive a pointer to this object.
final class ActiveTransfer {
    let job: TransferJob
    let easy: EasyHandle
    private let started = ContinuousClock.now
    private var uploadOffset = 0
    private var status = 0
    private var reason = ""
    private var headers = HTTPHeaders()
    private var headComplete = false
    private var body: [UInt8] = []

    init(job: TransferJob, easy: EasyHandle) {
        self.job = job
        self.easy = easy
    }

    /// Sets every option for this attempt. The handle was reset, so nothing carries over.
    func configure(share: OpaquePointer?) throws(HTTPError) {
        let spec = job.spec
        let context = Unmanaged.passUnretained(self).toOpaque()
        try easy.attachErrorBuffer()
        try easy.setShare(share)
        try easy.set(CURLOPT_URL, spec.url, "CURLOPT_URL")
        // Send the path exactly as built: libcurl would otherwise resolve `/./` and `/../`, and
        // `configmaps/..` would silently become the namespace's own URL.
        try easy.set(CURLOPT_PATH_AS_IS, 1, "CURLOPT_PATH_AS_IS")
        // Only web schemes: a server-chosen URL must never read local files.
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https", "CURLOPT_PROTOCOLS_STR")
        // Signals cannot be used for timeouts in a multi-threaded process.
        try easy.set(CURLOPT_NOSIGNAL, 1, "CURLOPT_NOSIGNAL")
        // HTTP/2 when TLS negotiates it, HTTP/1.1 otherwise.
        try easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS), "CURLOPT_HTTP_VERSION")
        // Wait for an HTTP/2 connection being set up rather than opening one per request.
        try easy.set(CURLOPT_PIPEWAIT, 1, "CURLOPT_PIPEWAIT")
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1, "CURLOPT_TCP_KEEPALIVE")
        try easy.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1, "CURLOPT_SUPPRESS_CONNECT_HEADERS")
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(spec.connectTimeout), "CURLOPT_CONNECTTIMEOUT_MS")
        if let timeout = spec.timeout {
            try easy.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout), "CURLOPT_TIMEOUT_MS")
        }
        if spec.freshConnection {
            try easy.set(CURLOPT_FRESH_CONNECT, 1, "CURLOPT_FRESH_CONNECT")
        }
        if let proxy = spec.proxy {
            try easy.set(CURLOPT_PROXY, proxy, "CURLOPT_PROXY")
        }
        if spec.insecureSkipTLSVerify {
            try easy.set(CURLOPT_SSL_VERIFYPEER, 0, "CURLOPT_SSL_VERIFYPEER")
            try easy.set(CURLOPT_SSL_VERIFYHOST, 0, "CURLOPT_SSL_VERIFYHOST")
        } else {
            try easy.set(CURLOPT_SSL_VERIFYPEER, 1, "CURLOPT_SSL_VERIFYPEER")
            try easy.set(CURLOPT_SSL_VERIFYHOST, 2, "CURLOPT_SSL_VERIFYHOST")
        }
        if let caFile = spec.caFile {
            try easy.set(CURLOPT_CAINFO, caFile, "CURLOPT_CAINFO")
        }
        if let caData = spec.caData {
            try easy.set(CURLOPT_CAINFO_BLOB, blob: caData, "CURLOPT_CAINFO_BLOB")
        }
        if let caPath = spec.caPath {
            try easy.set(CURLOPT_CAPATH, caPath, "CURLOPT_CAPATH")
        }

        switch spec.method {
        case "GET" where spec.body == nil:
            try easy.set(CURLOPT_HTTPGET, 1, "CURLOPT_HTTPGET")
        case "HEAD" where spec.body == nil:
            try easy.set(CURLOPT_NOBODY, 1, "CURLOPT_NOBODY")
        default:
            if let body = spec.body {
                // POST mode with a read callback sends any method's body with a Content-Length;
                // the seek callback decides whether libcurl may re-send it.
                try easy.set(CURLOPT_POST, 1, "CURLOPT_POST")
                try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count), "CURLOPT_POSTFIELDSIZE_LARGE")
                try easy.setReadCallback(readCallback)
                try easy.set(CURLOPT_READDATA, pointer: context, "CURLOPT_READDATA")
                try easy.setSeekCallback(seekCallback)
                try easy.set(CURLOPT_SEEKDATA, pointer: context, "CURLOPT_SEEKDATA")
            }
            if spec.method != "POST" || spec.body == nil {
                try easy.set(CURLOPT_CUSTOMREQUEST, spec.method, "CURLOPT_CUSTOMREQUEST")
            }
        }
        try easy.setHeaders(spec.headerLines)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: headerCallback, "CURLOPT_HEADERFUNCTION")
        try easy.set(CURLOPT_HEADERDATA, pointer: context, "CURLOPT_HEADERDATA")
        try easy.set(CURLOPT_WRITEFUNCTION, callback: writeCallback, "CURLOPT_WRITEFUNCTION")
        try easy.set(CURLOPT_WRITEDATA, pointer: context, "CURLOPT_WRITEDATA")
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let parts = duration.components
        let millis = parts.seconds.multipliedReportingOverflow(by: 1000)
        // `>=`: at exactly Int.max / 1000 seconds, adding the rounded-up fraction below would overflow.
        if millis.overflow || parts.seconds >= Int64(Int.max / 1000) { return Int.max / 2 }
        // Round up so a tiny timeout does not become 0, which libcurl reads as "no timeout".
        return max(1, Int(millis.partialValue) + Int((parts.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
    }

    // MARK: Callbacks (engine thread)

    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        var line = Array(bytes)
        while let last = line.last, last == 0x0A || last == 0x0D { line.removeLast() }
        if line.starts(with: Array("HTTP/".utf8)) {
            parseStatusLine(line)
            return
        }
        guard !headComplete else { return }  // trailers
        if line.isEmpty {
            // 1xx responses are followed by the real one; only a final status completes the head.
            guard status >= 200 || status == 101 else { return }
            headComplete = true
            let head = ResponseHead(status: status, reason: reason, headers: headers)
            let elapsed = started.duration(to: .now)
            // A stream's caller waits for the head; a plain request's only for the outcome.
            let record = { (state: inout JobState) in
                state.head = head
                state.headElapsed = elapsed
            }
            if job.spec.streaming { job.withStateBroadcasting(record) } else { job.withState(record) }
            return
        }
        if let first = line.first, first == 0x20 || first == 0x09, let lastIndex = headers.fields.indices.last {
            // obs-fold continuation: belongs to the previous field.
            var fields = headers.fields
            fields[lastIndex].value += " " + String(decoding: line, as: UTF8.self).trimmingASCIIWhitespace()
            headers = HTTPHeaders(fields)
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
        headers.add(name, value)
    }

    private func parseStatusLine(_ line: [UInt8]) {
        // "HTTP/1.1 200 OK" or "HTTP/2 200 "
        let parts = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
        status = parts.count > 1 ? Int(String(decoding: parts[1], as: UTF8.self)) ?? 0 : 0
        reason = parts.count > 2 ? String(decoding: parts[2], as: UTF8.self).trimmingASCIIWhitespace() : ""
        headers = HTTPHeaders()
        headComplete = false
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard job.spec.streaming else {
            body.append(contentsOf: bytes)
            return bytes.count
        }
        return job.withStateBroadcasting { state in
            if state.queuedBytes >= TransferJob.streamBufferLimit {
                // libcurl keeps this chunk and offers it again after `curl_easy_pause(CONT)`.
                state.paused = true
                return Int(CURL_WRITEFUNC_PAUSE)
            }
            state.chunks.append(Array(bytes))
            state.queuedBytes += bytes.count
            return bytes.count
        }
    }

    fileprivate func sendBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let body = job.spec.body, uploadOffset < body.count else { return 0 }
        let count = min(buffer.count, body.count - uploadOffset)
        body.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[uploadOffset..<(uploadOffset + count)]))
        }
        uploadOffset += count
        return count
    }

    fileprivate func rewindBody(to offset: Int64) -> Int32 {
        // Refusing makes libcurl fail with CURLE_SEND_FAIL_REWIND instead of re-sending a
        // request that the server may already have applied.
        guard job.spec.mayResend, offset >= 0, offset <= Int64(job.spec.body?.count ?? 0) else {
            return CURL_SEEKFUNC_CANTSEEK
        }
        uploadOffset = Int(offset)
        return CURL_SEEKFUNC_OK
    }

    // MARK: Outcome

    /// Turns libcurl's result into a response or an error; call before the handle is recycled.
    func outcome(code: CURLcode) -> Result<CompletedTransfer, HTTPError> {
        guard code == CURLE_OK else {
            return .failure(error(for: code))
        }
        let version: String
        switch easy.infoLong(CURLINFO_HTTP_VERSION) {
        case CURL_HTTP_VERSION_1_0: version = "1.0"
        case CURL_HTTP_VERSION_2_0: version = "2"
        case CURL_HTTP_VERSION_3: version = "3"
        default: version = "1.1"
        }
        if status == 0 { status = easy.infoLong(CURLINFO_RESPONSE_CODE) }
        let timings = TransferTimings(
            reusedConnection: easy.infoLong(CURLINFO_NUM_CONNECTS) == 0,
            nameLookup: easy.infoMicroseconds(CURLINFO_NAMELOOKUP_TIME_T),
            connect: easy.infoMicroseconds(CURLINFO_CONNECT_TIME_T),
            tlsHandshakeDone: easy.infoMicroseconds(CURLINFO_APPCONNECT_TIME_T),
            preTransfer: easy.infoMicroseconds(CURLINFO_PRETRANSFER_TIME_T),
            startTransfer: easy.infoMicroseconds(CURLINFO_STARTTRANSFER_TIME_T))
        return .success(
            CompletedTransfer(
                head: ResponseHead(status: status, reason: reason, headers: headers), body: body,
                httpVersion: version, timings: timings))
    }

    private func error(for code: CURLcode) -> HTTPError {
        let spec = job.spec
        let address = ServerAddress(url: spec.url)
        let server = address.server
        let detail = easy.errorText(for: code)
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest(reason: "unsupported URL scheme in \"\(spec.url)\" (use http:// or https://)")
        case CURLE_URL_MALFORMAT:
            return .invalidRequest(reason: "malformed URL \"\(spec.url)\": \(detail)")
        case CURLE_COULDNT_RESOLVE_HOST:
            return .hostNotFound(server: server, host: address.host, detail: detail)
        case CURLE_COULDNT_RESOLVE_PROXY:
            return .proxyNotFound(server: server, detail: detail)
        case CURLE_COULDNT_CONNECT:
            let osError = Int32(easy.infoLong(CURLINFO_OS_ERRNO))
            if osError == ECONNREFUSED || osError == 0 {
                return .connectionRefused(server: server, detail: detail)
            }
            return .connectionFailed(server: server, reason: Self.systemMessage(osError), detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            // Nothing was sent before the deadline: the connection (or TLS) never got ready.
            let connecting = easy.infoMicroseconds(CURLINFO_PRETRANSFER_TIME_T) == .zero
            if connecting, spec.timeout.map({ $0 > spec.connectTimeout }) ?? true {
                return .timeout(server: server, limit: spec.connectTimeout, whileConnecting: true, detail: detail)
            }
            return .timeout(
                server: server, limit: spec.timeout ?? spec.connectTimeout, whileConnecting: false, detail: detail)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .tlsVerification(server: server, detail: Self.trimmedTLSDetail(detail))
        case CURLE_SSL_CACERT_BADFILE:
            let source = spec.caFile.map { "\"\($0)\"" } ?? "data"
            return .certificateAuthority(source: source, detail: detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            return .tls(server: server, detail: detail)
        case CURLE_GOT_NOTHING:
            return .emptyReply(server: server, detail: detail)
        case CURLE_SEND_FAIL_REWIND:
            return .connectionLost(server: server, method: spec.method, detail: detail)
        default:
            return .transfer(server: server, code: Int(code.rawValue), detail: detail)
        }
    }

    /// The system's text for an errno, lower-cased like Go's (`no route to host`).
    private static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        var message = String(cString: text)
        if let first = message.first, first.isUppercase {
            message = first.lowercased() + message.dropFirst()
        }
        return message
    }

    /// libcurl prefixes verification failures with "SSL certificate problem: "; the message
    /// already says so.
    private static func trimmedTLSDetail(_ detail: String) -> String {
        let prefix = "SSL certificate problem: "
        return detail.hasPrefix(prefix) ? String(detail.dropFirst(prefix.count)) : detail
    }
}

private let headerCallback: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<ActiveTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

private let writeCallback: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<ActiveTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let readCallback: curl_read_callback = { buffer, size, count, context in
    guard let context, let buffer else { return Int(CURL_READFUNC_ABORT) }
    let transfer = Unmanaged<ActiveTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.sendBody(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}

private let seekCallback: curl_seek_callback = { context, offset, origin in
    guard let context, origin == SEEK_SET else { return CURL_SEEKFUNC_CANTSEEK }
    let transfer = Unmanaged<ActiveTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.rewindBody(to: Int64(offset))
}
