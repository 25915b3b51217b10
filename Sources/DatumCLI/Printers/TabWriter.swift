/// Go's `text/tabwriter` (and the `liggitt/tabwriter` fork kubectl uses), writing into a string.
///
/// Cells are tab-terminated; a column block is a run of consecutive lines that all
/// have a cell in that column, and its width is the widest cell plus padding (at
/// least `minWidth`). The text after a line's last tab is not part of any column.
/// Widths count Unicode scalars, as Go counts runes.
public struct TabWriter: Sendable {
    public var minWidth: Int
    public var padding: Int
    /// Keep column widths across flushes (the fork's `RememberWidths` flag).
    public var rememberWidths: Bool

    private struct Cell: Sendable {
        var text: String
        var width: Int
    }

    private var lines: [[Cell]] = [[]]
    private var current = ""
    private var widths: [Int] = []
    private var maxWidths: [Int] = []
    public private(set) var output = ""

    public init(minWidth: Int, padding: Int, rememberWidths: Bool = false) {
        self.minWidth = minWidth
        self.padding = padding
        self.rememberWidths = rememberWidths
    }

    /// kubectl's `printers.GetNewTabWriter`: minwidth 6, padding 3, remembered widths.
    public static func kubectlTable() -> TabWriter {
        TabWriter(minWidth: 6, padding: 3, rememberWidths: true)
    }

    /// describe's `tabbedString`: minwidth 0, padding 2.
    public static func kubectlDescribe() -> TabWriter {
        TabWriter(minWidth: 0, padding: 2)
    }

    /// Forgets remembered widths (kubectl does this between resource kinds).
    public mutating func resetRememberedWidths() {
        maxWidths = []
    }

    public mutating func write(_ text: String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\t", "\u{0B}":
                terminateCell()
            case "\n", "\u{0C}":
                let cells = terminateCell()
                lines.append([])
                // A one-cell line cannot affect later columns, so Go flushes here;
                // with remembered widths that is observable, so do the same.
                if scalar == "\u{0C}" || cells == 1 { flush() }
            default:
                current.unicodeScalars.append(scalar)
            }
        }
    }

    @discardableResult
    private mutating func terminateCell() -> Int {
        let cell = Cell(text: current, width: current.unicodeScalars.count)
        current = ""
        lines[lines.count - 1].append(cell)
        return lines[lines.count - 1].count
    }

    /// Formats everything buffered so far and appends it to ``output``.
    public mutating func flush() {
        if !current.isEmpty { terminateCell() }
        format(line0: 0, line1: lines.count)
        lines = [[]]
        current = ""
        widths = []
    }

    /// Flushes and returns the accumulated output.
    public mutating func finish() -> String {
        flush()
        return output
    }

    private mutating func format(line0 start: Int, line1: Int) {
        var line0 = start
        let column = widths.count
        var this = line0
        while this < line1 {
            if column >= lines[this].count - 1 {
                this += 1
                continue
            }
            writeLines(line0, this)
            line0 = this
            var width = minWidth
            while this < line1 {
                let line = lines[this]
                if column >= line.count - 1 { break }
                width = max(width, line[column].width + padding)
                this += 1
            }
            if rememberWidths {
                if maxWidths.count < widths.count {
                    maxWidths.append(contentsOf: widths[maxWidths.count...])
                }
                if maxWidths.count == widths.count {
                    maxWidths.append(width)
                } else if maxWidths[widths.count] > width {
                    width = maxWidths[widths.count]
                } else if maxWidths[widths.count] < width {
                    maxWidths[widths.count] = width
                }
            }
            widths.append(width)
            format(line0: line0, line1: this)
            widths.removeLast()
            line0 = this
        }
        writeLines(line0, line1)
    }

    private mutating func writeLines(_ line0: Int, _ line1: Int) {
        guard line0 < line1 else { return }
        for i in line0..<line1 {
            let line = lines[i]
            for (j, cell) in line.enumerated() {
                output += cell.text
                if j < widths.count {
                    output += String(repeating: " ", count: max(0, widths[j] - cell.width))
                }
            }
            // The last buffered line has no newline yet (it is the unterminated tail).
            if i + 1 < lines.count { output += "\n" }
        }
    }
}
