/// A problem in YAML input, pointing at the place it was found.
///
/// Rendered as `policy.yaml:7:3: error: message`, then the source line and a
/// caret under the column, like a compiler diagnostic.
public struct YAMLError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, for callers that react differently per kind.
    public enum Kind: Sendable, Hashable {
        /// Bytes that are not valid UTF-8 or a character YAML forbids.
        case encoding
        /// libyaml's scanner or parser rejected the text.
        case syntax
        case duplicateKey
        case unknownAnchor
        /// An anchor referenced from inside its own node.
        case recursiveAlias
        /// The document expands to more nodes than ``YAMLLimits/maxExpandedNodes``.
        case expansionLimit
        /// Nesting deeper than ``YAMLLimits/maxDepth``.
        case depthLimit
        /// Valid YAML that has no JSON equivalent (null keys, `.inf`, bad `!!int`, ...).
        case conversion
    }

    public var kind: Kind
    public var sourceName: String
    public var mark: YAMLMark?
    public var message: String
    /// The text of the line `mark` points into, without its line break.
    public var sourceLine: String?

    public init(kind: Kind, sourceName: String = "", mark: YAMLMark?, message: String, sourceLine: String? = nil) {
        self.kind = kind
        self.sourceName = sourceName
        self.mark = mark
        self.message = message
        self.sourceLine = sourceLine
    }

    /// `name:line:col: error: message` without the source excerpt.
    public var headline: String {
        var location = sourceName
        if let mark {
            location += location.isEmpty ? "\(mark.line):\(mark.column)" : ":\(mark.line):\(mark.column)"
        }
        return location.isEmpty ? "error: \(message)" : "\(location): error: \(message)"
    }

    public var description: String {
        guard let mark, let sourceLine else { return headline }
        return headline + "\n" + YAMLError.excerpt(of: sourceLine, column: mark.column)
    }

    /// Lines longer than this are shown as a window around the column.
    public static let excerptWidth = 100

    /// The line (or, for a long one, `...` and a window of it around the column) and a caret
    /// line under the column: a 100,000-character line is not printed whole.
    public static func excerpt(of line: String, column: Int) -> String {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count > excerptWidth else { return line + "\n" + caretLine(for: line, column: column) }
        let half = excerptWidth / 2
        let at = max(0, min(column - 1, scalars.count))
        let start = max(0, min(at - half, scalars.count - excerptWidth))
        let end = min(scalars.count, start + excerptWidth)
        var shown = String(String.UnicodeScalarView(scalars[start..<end]))
        var caretColumn = at - start + 1
        if start > 0 {
            shown = "..." + shown
            caretColumn += 3
        }
        if end < scalars.count { shown += "..." }
        return shown + "\n" + caretLine(for: shown, column: caretColumn)
    }

    /// Spaces up to the column, keeping tabs as tabs so the caret lines up in any terminal.
    static func caretLine(for line: String, column: Int) -> String {
        var caret = ""
        for (offset, scalar) in line.unicodeScalars.enumerated() where offset < column - 1 {
            caret.unicodeScalars.append(scalar == "\t" ? "\t" : " ")
        }
        let shown = line.unicodeScalars.count
        if column - 1 > shown {
            caret += String(repeating: " ", count: column - 1 - shown)
        }
        return caret + "^"
    }
}

extension YAMLSource {
    /// An error at `mark` in this source, with the line filled in.
    public func error(_ message: String, at mark: YAMLMark?, kind: YAMLError.Kind = .conversion) -> YAMLError {
        locate(YAMLError(kind: kind, mark: mark, message: message))
    }

    /// Fills in the source name and the offending line of an error raised without them.
    public func locate(_ error: YAMLError) -> YAMLError {
        var located = error
        located.sourceName = name
        if let mark = error.mark {
            located.sourceLine = line(mark.line)
        }
        return located
    }

    /// The text of a 1-based line, split where libyaml splits lines
    /// (LF, CR, CRLF, NEL, LS, PS); invalid UTF-8 shows as U+FFFD.
    public func line(_ number: Int) -> String? {
        guard number >= 1 else { return nil }
        var current = 1
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineStart = index
        while index < bytes.count {
            let width = lineBreakWidth(at: index)
            if width == 0 {
                index += 1
                continue
            }
            if current == number { return String(decoding: bytes[lineStart..<index], as: UTF8.self) }
            current += 1
            index += width
            lineStart = index
        }
        return current == number ? String(decoding: bytes[lineStart..<index], as: UTF8.self) : nil
    }

    /// The mark of a byte offset, as libyaml would count it (the BOM takes no column).
    public func mark(atByteOffset offset: Int) -> YAMLMark {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var column = 1
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? min(3, end) : 0
        while index < end {
            let width = lineBreakWidth(at: index)
            if width > 0 {
                line += 1
                column = 1
                index += width
                continue
            }
            // Count characters, not bytes: continuation bytes do not start a column.
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return YAMLMark(line: line, column: column)
    }

    /// Byte length of the line break starting at `index`, or 0 if none starts there.
    private func lineBreakWidth(at index: Int) -> Int {
        let byte = bytes[index]
        switch byte {
        case 0x0A: return 1
        case 0x0D: return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
        case 0xC2: return index + 1 < bytes.count && bytes[index + 1] == 0x85 ? 2 : 0
        case 0xE2:
            if index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 {
                return 3
            }
            return 0
        default: return 0
        }
    }
}
