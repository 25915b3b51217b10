internal import CCurlShim

/// Owns one libcurl easy handle, its header list and its error buffer.
///
/// Not Sendable: only the transfer engine's thread touches it, from configuration to cleanup.
final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(HTTPError) {
        guard let raw = curl_easy_init() else {
            throw HTTPError.setup(code: Int(CURLE_FAILED_INIT.rawValue), detail: "curl_easy_init failed")
        }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// Clears every option so the handle can serve another request; libcurl keeps its caches.
    func reset() {
        curl_easy_reset(raw)
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        errorBuffer[0] = 0
    }

    /// Installs the error buffer; `reset()` forgets it, so call this for every request.
    func attachErrorBuffer() throws(HTTPError) {
        errorBuffer[0] = 0
        try check(ccurl_easy_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
    }

    /// libcurl's message for the last failure: the error buffer, or the code's generic text.
    func errorText(for code: CURLcode) -> String {
        if errorBuffer[0] != 0 {
            return String(cString: errorBuffer)
        }
        return String(cString: curl_easy_strerror(code))
    }

    func set(_ option: CURLoption, _ value: Int, _ name: String) throws(HTTPError) {
        try check(ccurl_easy_setopt_long(raw, option, value), name)
    }

    func set(_ option: CURLoption, offset value: Int64, _ name: String) throws(HTTPError) {
        try check(ccurl_easy_setopt_off_t(raw, option, curl_off_t(value)), name)
    }

    /// libcurl copies string options, so `value` need not outlive the call.
    func set(_ option: CURLoption, _ value: String, _ name: String) throws(HTTPError) {
        try check(ccurl_easy_setopt_string(raw, option, value), name)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?, _ name: String) throws(HTTPError) {
        try check(ccurl_easy_setopt_pointer(raw, option, value), name)
    }

    func set(_ option: CURLoption, blob value: [UInt8], _ name: String) throws(HTTPError) {
        let code = value.withUnsafeBytes { ccurl_easy_setopt_blob(raw, option, $0.baseAddress, $0.count) }
        try check(code, name)
    }

    func set(_ option: CURLoption, callback: curl_write_callback, _ name: String) throws(HTTPError) {
        try check(ccurl_easy_setopt_write_callback(raw, option, callback), name)
    }

    func setReadCallback(_ callback: curl_read_callback) throws(HTTPError) {
        try check(ccurl_easy_setopt_read_callback(raw, CURLOPT_READFUNCTION, callback), "CURLOPT_READFUNCTION")
    }

    func setSeekCallback(_ callback: curl_seek_callback) throws(HTTPError) {
        try check(ccurl_easy_setopt_seek_callback(raw, CURLOPT_SEEKFUNCTION, callback), "CURLOPT_SEEKFUNCTION")
    }

    func setShare(_ share: OpaquePointer?) throws(HTTPError) {
        guard let share, let handle = ccurl_locked_share_handle(share) else { return }
        try check(ccurl_easy_setopt_share(raw, handle), "CURLOPT_SHARE")
    }

    /// Replaces the request header list; the list lives until the next call, `reset()` or deinit.
    func setHeaders(_ lines: [String]) throws(HTTPError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw HTTPError.setup(code: Int(CURLE_OUT_OF_MEMORY.rawValue), detail: "curl_slist_append failed")
            }
            list = appended
        }
        let code = ccurl_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, list)
        if code != CURLE_OK {
            if let list { curl_slist_free_all(list) }
            throw setupError(code, "CURLOPT_HTTPHEADER")
        }
        if let headerList { curl_slist_free_all(headerList) }
        headerList = list
    }

    func infoLong(_ info: CURLINFO) -> Int {
        var value = 0
        return ccurl_easy_getinfo_long(raw, info, &value) == CURLE_OK ? value : 0
    }

    /// Reads a `*_TIME_T` value (microseconds) as a Duration.
    func infoMicroseconds(_ info: CURLINFO) -> Duration {
        var value = curl_off_t(0)
        guard ccurl_easy_getinfo_off_t(raw, info, &value) == CURLE_OK else { return .zero }
        return .microseconds(Int64(value))
    }

    private func check(_ code: CURLcode, _ name: String) throws(HTTPError) {
        if code != CURLE_OK { throw setupError(code, name) }
    }

    private func setupError(_ code: CURLcode, _ name: String) -> HTTPError {
        HTTPError.setup(
            code: Int(code.rawValue),
            detail: "setting \(name): \(String(cString: curl_easy_strerror(code)))")
    }
}
