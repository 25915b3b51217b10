import GoCompat

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// RFC 3339 timestamps as Kubernetes writes them (`metav1.Time`, `metav1.MicroTime`).
public enum KubeTime {
    /// Seconds since the Unix epoch, or nil for a missing timestamp or one the API server refuses:
    /// exactly what Go's `time.Parse(time.RFC3339, text)` accepts (`metav1.Time`'s decoding).
    public static func parse(_ text: String?) -> Double? {
        guard let text, !text.isEmpty, case .success(let time) = GoTimeParse.parse(text, layout: .rfc3339) else {
            return nil
        }
        return Double(time.unixSeconds) + Double(time.nanoseconds) / 1e9
    }

    /// Go's error for a timestamp `time.Parse(time.RFC3339, text)` refuses, word for word
    /// (`parsing time "2026-02-31T00:00:00Z": day out of range`), or nil when it parses.
    public static func parseError(_ text: String) -> String? {
        if case .failure(let error) = GoTimeParse.parse(text, layout: .rfc3339) { return error.message }
        return nil
    }

    /// `2026-11-26T18:43:14Z`: how the API server writes a `metav1.Time` (second precision, UTC).
    public static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        let (year, month, day) = GoTimeParse.civilFromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))Z"
    }

    /// Seconds since the Unix epoch, now (wall clock, whole seconds).
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }
}
