/// Writes kubectl-style `-v` trace entries (client-go's `round_trippers.go` and `request.go`).
///
/// Level 6: `GET https://... 200 OK in 3 milliseconds`. Level 7: the URL, request headers and
/// `Response Status:`. Level 8: response headers and bodies, truncated at 1024 bytes.
/// Level 9 and up: bodies in full, plus the equivalent curl command and phase timings.
struct RequestTracer: Sendable {
    let verbosity: Int
    let emit: @Sendable (String) -> Void

    static let bodyLimitAtLevel8 = 1024

    func requestBody(_ body: [UInt8]?) {
        guard verbosity >= 8, let body, !body.isEmpty else { return }
        emit(Self.bodyEntry("Request Body", body, verbosity: verbosity))
    }

    func sending(method: String, url: String, headers: [HTTPHeader]) {
        guard verbosity >= 7 else { return }
        emit("\(method) \(url)")
        emit("Request Headers:")
        for header in headers {
            emit("    \(HTTPHeaders.canonicalName(header.name)): \(Self.masked(header))")
        }
        if verbosity >= 9 {
            emit(Self.curlCommand(method: method, url: url, headers: headers))
        }
    }

    /// After each attempt. `statusText` is empty for transport errors, as in kubectl.
    func received(
        method: String, url: String, statusText: String, elapsed: Duration, headers: HTTPHeaders?,
        timings: TransferTimings?
    ) {
        let millis = Self.milliseconds(elapsed)
        // kubectl prints this line at 6, and again from 9 on (DebugURLTiming).
        if verbosity == 6 || verbosity >= 9 {
            emit("\(method) \(url) \(statusText) in \(millis) milliseconds")
        }
        guard verbosity >= 7 else { return }
        emit("Response Status: \(statusText) in \(millis) milliseconds")
        if verbosity >= 9, let timings {
            emit("HTTP Statistics: " + Self.statistics(timings, elapsed: elapsed))
        }
        if verbosity >= 8, let headers {
            emit("Response Headers:")
            for header in headers {
                emit("    \(HTTPHeaders.canonicalName(header.name)): \(Self.masked(header))")
            }
        }
    }

    func responseBody(_ body: [UInt8]) {
        guard verbosity >= 8, !body.isEmpty else { return }
        emit(Self.bodyEntry("Response Body", body, verbosity: verbosity))
    }

    func retrying(method: String, url: String, attempt: Int, delay: Duration, retryAfter: Bool, reason: String) {
        guard verbosity >= 4 else { return }
        if retryAfter {
            // client-go's wording for a server-requested retry.
            emit("Got a Retry-After \(GoDuration.format(delay)) response for attempt \(attempt) to \(url)")
        } else {
            emit("Retrying \(method) \(url) in \(GoDuration.format(delay)) after attempt \(attempt): \(reason)")
        }
    }

    /// The request window of a `sendAll` shrank (level 4, with the retries).
    func concurrency(_ limit: Int, reason: String) {
        guard verbosity >= 4 else { return }
        emit("Sending at most \(limit) requests at a time after \(reason)")
    }

    // MARK: Formatting

    static func milliseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    /// Hides credentials: `Bearer abc` becomes `Bearer <masked>`, and a bare token `<masked>`.
    static func masked(_ header: HTTPHeader) -> String {
        guard
            HTTPHeaders.sameName(header.name, "Authorization")
                || HTTPHeaders.sameName(header.name, "Proxy-Authorization")
        else { return header.value }
        let value = header.value
        if value.isEmpty { return "" }
        guard let space = value.firstIndex(of: " ") else {
            // A lone scheme name carries no secret; anything else may be the credential itself.
            let known = ["bearer", "basic", "negotiate", "digest"]
            return known.contains(HTTPHeaders.asciiLowercased(value)) ? value : "<masked>"
        }
        return "\(value[..<space]) <masked>"
    }

    /// client-go's `glogBody`: text (truncated at level 8) or, for binary data, a hex dump.
    static func bodyEntry(_ prefix: String, _ body: [UInt8], verbosity: Int) -> String {
        // Go treats any rune below "\n" as a sign of binary content.
        if body.contains(where: { $0 < 0x0A }) {
            return "\(prefix):\n" + truncated(hexDump(body), verbosity: verbosity)
        }
        return "\(prefix): " + truncated(String(decoding: body, as: UTF8.self), verbosity: verbosity)
    }

    static func truncated(_ text: String, verbosity: Int) -> String {
        let bytes = Array(text.utf8)
        guard verbosity < 9, bytes.count > bodyLimitAtLevel8 else { return text }
        return String(decoding: bytes[..<bodyLimitAtLevel8], as: UTF8.self)
            + " [truncated \(bytes.count - bodyLimitAtLevel8) chars]"
    }

    /// The layout of Go's `hex.Dump` (and `hexdump -C`): offset, 16 bytes, printable column.
    static func hexDump(_ bytes: [UInt8]) -> String {
        var output = ""
        var offset = 0
        while offset < bytes.count {
            let line = bytes[offset..<min(offset + 16, bytes.count)]
            output += hex(UInt64(offset), width: 8) + "  "
            for column in 0..<16 {
                if column < line.count {
                    output += hex(UInt64(line[line.startIndex + column]), width: 2) + " "
                } else {
                    output += "   "
                }
                if column == 7 { output += " " }
            }
            output += " |"
            output += String(decoding: line.map { (32...126).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
            output += "|\n"
            offset += 16
        }
        return output
    }

    private static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// kubectl's `toCurl`: `curl -v -XGET  -H "Accept: ..." 'https://...'`.
    static func curlCommand(method: String, url: String, headers: [HTTPHeader]) -> String {
        let flags = headers.map { header in
            " -H " + goQuoted("\(HTTPHeaders.canonicalName(header.name)): \(masked(header))")
        }.joined()
        return "curl -v -X\(method) \(flags) '\(url)'"
    }

    /// Go's `%q` for the printable ASCII and control characters that appear in headers.
    static func goQuoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += "\\x" + hex(UInt64(scalar.value), width: 2)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// kubectl's "HTTP Statistics" line, from libcurl's phase timestamps.
    static func statistics(_ timings: TransferTimings, elapsed: Duration) -> String {
        var stats: String
        if timings.reusedConnection {
            stats = "GetConnection \(milliseconds(timings.preTransfer)) ms"
        } else {
            let dial = timings.connect - timings.nameLookup
            let tls = timings.tlsHandshakeDone > .zero ? timings.tlsHandshakeDone - timings.connect : .zero
            stats =
                "DNSLookup \(milliseconds(timings.nameLookup)) ms Dial \(milliseconds(dial)) ms"
                + " TLSHandshake \(milliseconds(tls)) ms"
        }
        let serverProcessing = timings.startTransfer - timings.preTransfer
        if serverProcessing > .zero {
            stats += " ServerProcessing \(milliseconds(serverProcessing)) ms"
        }
        return stats + " Duration \(milliseconds(elapsed)) ms"
    }
}

/// Reason phrases Go's `http.StatusText` uses when the server sent none (HTTP/2 has none).
enum StatusText {
    static func line(status: Int, reason: String) -> String {
        let text = reason.isEmpty ? phrase(for: status) : reason
        return text.isEmpty ? "\(status)" : "\(status) \(text)"
    }

    static func phrase(for status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 203: return "Non-Authoritative Information"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Request Entity Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Entity"
        case 428: return "Precondition Required"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return ""
        }
    }
}
