import GoCompat

/// Picks the column count help text wraps to, from values the caller has already read.
///
/// Reading `COLUMNS` and calling `ioctl(TIOCGWINSZ)` is I/O and happens at the edge
/// (the executable); this type only decides, so help rendering stays deterministic in tests.
public enum TerminalWidth {
    /// Used when neither source gives a usable width (output piped to a file, for instance).
    public static let fallback = 80

    /// `COLUMNS` wins when it is a positive integer (users set it to override), then the
    /// terminal's reported width, then `fallback`.
    public static func resolve(columnsVariable: String?, windowColumns: Int?) -> Int {
        if let text = columnsVariable?.trimmingGoSpaces(), let value = Int(text), value > 0 {
            return value
        }
        if let windowColumns, windowColumns > 0 { return windowColumns }
        return fallback
    }
}
