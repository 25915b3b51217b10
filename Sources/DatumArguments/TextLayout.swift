/// Word wrapping and column helpers for help text; counts characters, as help text is ASCII.
public enum TextLayout {
    /// Greedy word wrap of one paragraph to `width` columns. Runs of spaces collapse; a word
    /// longer than the width gets a line of its own rather than being broken (URLs stay whole).
    /// `firstLinePrefix` starts the first line and counts toward its width.
    public static func wrap(_ text: String, width: Int, firstLinePrefix: String = "") -> [String] {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        var lines: [String] = []
        var line = firstLinePrefix
        for word in words {
            if line.isEmpty || (lines.isEmpty && line == firstLinePrefix) {
                line += String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Wraps text that may contain hard line breaks; each line is wrapped on its own.
    public static func wrapLines(_ text: String, width: Int) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).flatMap {
            wrap(String($0), width: width)
        }
    }

    /// Paragraphs separated by blank lines, each reflowed into a single line of words.
    public static func paragraphs(_ text: String) -> [String] {
        var paragraphs: [String] = []
        var current: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty {
                if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
                current = []
            } else {
                current.append(trimmed)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        return paragraphs
    }

    public static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map(index(after:)) ?? start
        return start < end ? String(self[start..<end]) : ""
    }
}
