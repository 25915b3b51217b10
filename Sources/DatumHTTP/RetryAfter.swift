internal import CCurlShim

/// Reads a `Retry-After` header: either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
enum RetryAfter {
    /// - Parameters:
    ///   - value: the header value.
    ///   - now: the current time, in seconds since the Unix epoch (a date in the past means "now").
    /// - Returns: nil when the value is neither form.
    static func parse(_ value: String, now: Int) -> Duration? {
        let trimmed = value.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            // Absurdly long digit strings saturate instead of failing.
            guard let seconds = Int64(trimmed) else { return .seconds(Int64.max / 1_000_000_000_000) }
            return .seconds(seconds)
        }
        // curl_getdate understands all three HTTP date forms (IMF-fixdate, RFC 850, asctime).
        let date = curl_getdate(trimmed, nil)
        guard date != -1 else { return nil }
        return .seconds(max(0, Int64(date) - Int64(now)))
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
