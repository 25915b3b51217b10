/// apimachinery's `duration.HumanDuration` and `duration.ShortHumanDuration`.
///
/// Ages in `get` and `describe` are rendered with these; two seconds of clock skew
/// still count as "now" (`0s`) and anything older in the future is `<invalid>`.
public enum HumanDuration {
    /// A table's AGE cell (`translateTimestampSince`): the time since an RFC 3339 creation
    /// timestamp, `<unknown>` without one.
    public static func age(sinceCreation timestamp: String?, now: Double) -> String {
        guard let timestamp, let created = KubeTime.parse(timestamp) else { return "<unknown>" }
        return format(seconds: now - created)
    }

    /// About two to three significant figures: `59s`, `119s`, `3m12s`, `7h59m`, `7d23h`, `2y3d`.
    public static func format(seconds: Double) -> String {
        let nanos = nanoseconds(seconds)
        let secs = nanos / 1_000_000_000
        if secs < -1 { return "<invalid>" }
        if secs < 0 { return "0s" }
        if secs < 60 * 2 { return "\(secs)s" }
        let minutes = nanos / 60_000_000_000
        if minutes < 10 {
            let s = secs % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = nanos / 3_600_000_000_000
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let dy = (hours / 24) % 365
            return dy == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(dy)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// One unit only: `59s`, `2m`, `3h`, `8d`, `2y`.
    public static func formatShort(seconds: Double) -> String {
        let nanos = nanoseconds(seconds)
        let secs = nanos / 1_000_000_000
        if secs < -1 { return "<invalid>" }
        if secs < 0 { return "0s" }
        if secs < 60 { return "\(secs)s" }
        let minutes = nanos / 60_000_000_000
        if minutes < 60 { return "\(minutes)m" }
        let hours = nanos / 3_600_000_000_000
        if hours < 24 { return "\(hours)h" }
        if hours < 24 * 365 { return "\(hours / 24)d" }
        // Go divides the float hours here, which truncates the same way for whole years.
        return "\(Int64((Double(nanos) / 3_600_000_000_000) / 24 / 365))y"
    }

    /// Go's `time.Duration` is int64 nanoseconds; saturate instead of trapping.
    static func nanoseconds(_ seconds: Double) -> Int64 {
        let n = (seconds * 1_000_000_000).rounded(.towardZero)
        if n.isNaN { return 0 }
        if n >= 9.2e18 { return Int64.max }
        if n <= -9.2e18 { return Int64.min }
        return Int64(n)
    }
}
