import DatumJSON
import GoCompat

/// Writes JSON values as YAML exactly as kubectl's `-o yaml` does.
///
/// kubectl marshals objects with sigs.k8s.io/yaml: JSON text is re-read by
/// go-yaml v2 (so numbers take go-yaml's types) and written by go-yaml v2's
/// emitter, a port of libyaml's. This type reproduces that pipeline's choices:
/// key order, quoting, `|` blocks, folding at 80 columns, `? ` keys beyond
/// 128 bytes and `\U` escapes for characters outside libyaml's printable set.
public enum YAMLEmitter {
    /// kubectl's `-o yaml`: keys in go-yaml v2's natural order.
    public static func kubectl(_ value: JSONValue) -> String {
        var writer = GoYAMLWriter(sortKeys: true)
        return writer.document(value)
    }

    /// The same style with object keys in insertion order, for echoing a user's manifest.
    public static func preservingOrder(_ value: JSONValue) -> String {
        var writer = GoYAMLWriter(sortKeys: false)
        return writer.document(value)
    }
}

/// go-yaml v2's emitter state for block-style output (no flow collections besides `{}`/`[]`).
struct GoYAMLWriter {
    enum Style { case plain, singleQuoted, doubleQuoted, literal }

    private static let bestWidth = 80
    private static let bestIndent = 2

    let sortKeys: Bool
    private var out: [UInt8] = []
    private var column = 0
    /// The last thing written was whitespace (or nothing on this line yet).
    private var whitespace = true
    /// Only indentation has been written on this line.
    private var indention = true

    init(sortKeys: Bool) {
        self.sortKeys = sortKeys
        out.reserveCapacity(1024)
    }

    mutating func document(_ value: JSONValue) -> String {
        emitNode(value, parentIndent: -1, inMapping: false)
        writeIndent(0)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Nodes

    private mutating func emitNode(_ value: JSONValue, parentIndent: Int, inMapping: Bool) {
        switch value {
        case .object(let object) where object.isEmpty:
            writeIndicator("{", needWhitespace: true, isWhitespace: true, isIndention: false)
            writeIndicator("}", needWhitespace: false, isWhitespace: false, isIndention: false)
        case .array(let items) where items.isEmpty:
            writeIndicator("[", needWhitespace: true, isWhitespace: true, isIndention: false)
            writeIndicator("]", needWhitespace: false, isWhitespace: false, isIndention: false)
        case .object(let object):
            let indent = parentIndent < 0 ? 0 : parentIndent + Self.bestIndent
            // Keys are ordered as go-yaml sees them, i.e. after the JSON round trip.
            var entries = object.map { (shown: Self.foldingNextLines($0.key), key: $0.key, value: $0.value) }
            if sortKeys {
                let order = GoKeyOrder.sorted(entries.map(\.shown))
                var byShown: [String: [(key: String, value: JSONValue)]] = [:]
                for entry in entries.reversed() { byShown[entry.shown, default: []].append((entry.key, entry.value)) }
                entries = order.compactMap { shown in byShown[shown]?.popLast().map { (shown, $0.key, $0.value) } }
            }
            for (_, key, value) in entries {
                writeIndent(indent)
                let (keyText, keyStyle) = Self.stringScalar(key)
                let keyScalar = ScalarAnalysis(keyText)
                if keyScalar.isSimpleKey {
                    emitScalar(keyScalar, requested: keyStyle, parentIndent: indent, simpleKey: true)
                    writeIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false)
                } else {
                    writeIndicator("?", needWhitespace: true, isWhitespace: false, isIndention: true)
                    emitScalar(keyScalar, requested: keyStyle, parentIndent: indent, simpleKey: false)
                    writeIndent(indent)
                    writeIndicator(":", needWhitespace: true, isWhitespace: false, isIndention: true)
                }
                emitNode(value, parentIndent: indent, inMapping: true)
            }
        case .array(let items):
            let indentless = inMapping && !indention
            let indent = parentIndent < 0 ? 0 : (indentless ? parentIndent : parentIndent + Self.bestIndent)
            for item in items {
                writeIndent(indent)
                writeIndicator("-", needWhitespace: true, isWhitespace: false, isIndention: true)
                emitNode(item, parentIndent: indent, inMapping: false)
            }
        default:
            let (text, style) = Self.scalar(for: value)
            emitScalar(ScalarAnalysis(text), requested: style, parentIndent: parentIndent, simpleKey: false)
        }
    }

    /// The text and requested style go-yaml v2's encoder gives a JSON leaf.
    static func scalar(for value: JSONValue) -> (text: String, style: Style) {
        switch value {
        case .null: return ("null", .plain)
        case .bool(let b): return (b ? "true" : "false", .plain)
        case .int(let i): return (String(i), .plain)
        case .double(let d): return (floatText(d), .plain)
        case .string(let s): return stringScalar(s)
        case .array, .object: return ("", .plain)
        }
    }

    /// A double as it comes out of JSON text re-read by go-yaml: integral values print as
    /// integers, others with Go's `%g` (`1.5e+06`).
    static func floatText(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        switch GoYAMLResolver.resolvePlain(GoJSONEncoder.formatFloat(d)) {
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .float(let f): return GoFormat.formatFloat(f)
        default: return GoFormat.formatFloat(d)
        }
    }

    /// go-yaml v2 `encoder.stringv`: `|` for text with a newline, plain when the text
    /// would read back as the same string, otherwise double quotes.
    static func stringScalar(_ original: String) -> (text: String, style: Style) {
        let s = foldingNextLines(original)
        if s.utf8.contains(0x0A) { return (s, .literal) }
        if case .string = GoYAMLResolver.resolvePlain(s), !isBase60Float(s) { return (s, .plain) }
        return (s, .doubleQuoted)
    }

    /// A string as go-yaml reads it back from Go's JSON text, where U+0085 (NEL) is left
    /// raw: inside a double-quoted scalar NEL is a line break, so it folds like one. A
    /// single break becomes a space, a run of n breaks n-1 newlines, and spaces around
    /// the breaks are dropped. Go escapes every other break character.
    static func foldingNextLines(_ s: String) -> String {
        guard s.unicodeScalars.contains("\u{85}") else { return s }
        let scalars = Array(s.unicodeScalars)
        var result = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            while i < scalars.count && scalars[i] != " " && scalars[i] != "\u{85}" {
                result.append(scalars[i])
                i += 1
            }
            guard i < scalars.count else { break }
            var spaces = 0
            var sawBreak = false
            var trailingBreaks = 0
            while i < scalars.count && (scalars[i] == " " || scalars[i] == "\u{85}") {
                if scalars[i] == " " {
                    if !sawBreak { spaces += 1 }
                } else if !sawBreak {
                    sawBreak = true
                    spaces = 0
                } else {
                    trailingBreaks += 1
                }
                i += 1
            }
            if !sawBreak {
                result.append(contentsOf: repeatElement(" ", count: spaces))
            } else if trailingBreaks == 0 {
                result.append(" ")
            } else {
                result.append(contentsOf: repeatElement("\n", count: trailingBreaks))
            }
        }
        return String(result)
    }

    /// YAML 1.1 sexagesimal numbers (`1:20`), which go-yaml quotes for other parsers' sake.
    static func isBase60Float(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let first = b.first,
            first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39),
            b.contains(UInt8(ascii: ":"))
        else { return false }
        func isDigit(_ j: Int) -> Bool { j < b.count && b[j] >= 0x30 && b[j] <= 0x39 }
        var i = 0
        if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { return false }
        i += 1
        while i < b.count, isDigit(i) || b[i] == UInt8(ascii: "_") { i += 1 }
        var groups = 0
        while i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            // [0-5]?[0-9]: two digits when the first is 0-5 and another digit follows.
            guard isDigit(i) else { return false }
            if b[i] <= UInt8(ascii: "5"), isDigit(i + 1) { i += 2 } else { i += 1 }
            groups += 1
        }
        guard groups > 0 else { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, isDigit(i) || b[i] == UInt8(ascii: "_") { i += 1 }
        }
        return i == b.count
    }

    // MARK: - Scalars

    private mutating func emitScalar(_ scalar: ScalarAnalysis, requested: Style, parentIndent: Int, simpleKey: Bool) {
        var style = requested
        if simpleKey && scalar.multiline { style = .doubleQuoted }
        if style == .plain {
            if !scalar.blockPlainAllowed { style = .singleQuoted }
            if scalar.scalars.isEmpty && simpleKey { style = .singleQuoted }
        }
        if style == .singleQuoted && !scalar.singleQuotedAllowed { style = .doubleQuoted }
        if style == .literal && (!scalar.blockAllowed || simpleKey) { style = .doubleQuoted }

        let indent = parentIndent < 0 ? Self.bestIndent : parentIndent + Self.bestIndent
        switch style {
        case .plain: writePlain(scalar.scalars, allowBreaks: !simpleKey, indent: indent)
        case .singleQuoted: writeSingleQuoted(scalar.scalars, allowBreaks: !simpleKey, indent: indent)
        case .doubleQuoted: writeDoubleQuoted(scalar.scalars, allowBreaks: !simpleKey, indent: indent)
        case .literal: writeLiteral(scalar.scalars, indent: indent)
        }
    }

    private mutating func writePlain(_ text: [Unicode.Scalar], allowBreaks: Bool, indent: Int) {
        if !text.isEmpty && !whitespace { put(UInt8(ascii: " ")) }
        var spaces = false
        var breaks = false
        for (i, c) in text.enumerated() {
            if c == " " {
                let nextIsSpace = i + 1 < text.count && text[i + 1] == " "
                if allowBreaks && !spaces && column > Self.bestWidth && !nextIsSpace {
                    writeIndent(indent)
                } else {
                    write(c)
                }
                spaces = true
            } else if ScalarAnalysis.isBreak(c) {
                if !breaks && c == "\n" { putBreak() }
                writeBreak(c)
                breaks = true
            } else {
                if breaks { writeIndent(indent) }
                write(c)
                indention = false
                spaces = false
                breaks = false
            }
        }
        if !text.isEmpty { whitespace = false }
        indention = false
    }

    private mutating func writeSingleQuoted(_ text: [Unicode.Scalar], allowBreaks: Bool, indent: Int) {
        writeIndicator("'", needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        var breaks = false
        for (i, c) in text.enumerated() {
            if c == " " {
                let nextIsSpace = i + 1 < text.count && text[i + 1] == " "
                if allowBreaks && !spaces && column > Self.bestWidth && i != 0 && i != text.count - 1 && !nextIsSpace {
                    writeIndent(indent)
                } else {
                    write(c)
                }
                spaces = true
            } else if ScalarAnalysis.isBreak(c) {
                if !breaks && c == "\n" { putBreak() }
                writeBreak(c)
                breaks = true
            } else {
                if breaks { writeIndent(indent) }
                if c == "'" { put(UInt8(ascii: "'")) }
                write(c)
                indention = false
                spaces = false
                breaks = false
            }
        }
        writeIndicator("'", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    private mutating func writeDoubleQuoted(_ text: [Unicode.Scalar], allowBreaks: Bool, indent: Int) {
        writeIndicator("\"", needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        // go-yaml v2's BOM test looks at the start of the value, not at the current
        // character, so a value that begins with U+FEFF is escaped in full.
        let escapeAll = text.first == "\u{FEFF}"
        for (i, c) in text.enumerated() {
            if escapeAll || !ScalarAnalysis.isPrintable(c) || ScalarAnalysis.isBreak(c) || c == "\"" || c == "\\" {
                put(UInt8(ascii: "\\"))
                writeEscape(c)
                spaces = false
            } else if c == " " {
                if allowBreaks && !spaces && column > Self.bestWidth && i != 0 && i != text.count - 1 {
                    writeIndent(indent)
                    if i + 1 < text.count && text[i + 1] == " " { put(UInt8(ascii: "\\")) }
                } else {
                    write(c)
                }
                spaces = true
            } else {
                write(c)
                spaces = false
            }
        }
        writeIndicator("\"", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    /// The character after a backslash in a double-quoted scalar.
    private mutating func writeEscape(_ c: Unicode.Scalar) {
        let short: Character?
        switch c.value {
        case 0x00: short = "0"
        case 0x07: short = "a"
        case 0x08: short = "b"
        case 0x09: short = "t"
        case 0x0A: short = "n"
        case 0x0B: short = "v"
        case 0x0C: short = "f"
        case 0x0D: short = "r"
        case 0x1B: short = "e"
        case 0x22: short = "\""
        case 0x5C: short = "\\"
        case 0x85: short = "N"
        case 0xA0: short = "_"
        case 0x2028: short = "L"
        case 0x2029: short = "P"
        default: short = nil
        }
        if let short, let ascii = short.asciiValue {
            put(ascii)
            return
        }
        let (letter, digits): (UInt8, Int) =
            c.value <= 0xFF
            ? (UInt8(ascii: "x"), 2) : c.value <= 0xFFFF ? (UInt8(ascii: "u"), 4) : (UInt8(ascii: "U"), 8)
        put(letter)
        for k in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            let digit = UInt8((c.value >> UInt32(k)) & 0x0F)
            put(digit < 10 ? digit + 0x30 : digit - 10 + 0x41)
        }
    }

    private mutating func writeLiteral(_ text: [Unicode.Scalar], indent: Int) {
        writeIndicator("|", needWhitespace: true, isWhitespace: false, isIndention: false)
        writeBlockScalarHints(text)
        putBreak()
        indention = true
        whitespace = true
        var breaks = true
        for c in text {
            if ScalarAnalysis.isBreak(c) {
                writeBreak(c)
                breaks = true
            } else {
                if breaks { writeIndent(indent) }
                write(c)
                indention = false
                breaks = false
            }
        }
    }

    /// `2` when the text starts with a space or break, then `-` (no final break),
    /// nothing (one final break) or `+` (more than one).
    private mutating func writeBlockScalarHints(_ text: [Unicode.Scalar]) {
        if let first = text.first, first == " " || ScalarAnalysis.isBreak(first) {
            writeIndicator(String(Self.bestIndent), needWhitespace: false, isWhitespace: false, isIndention: false)
        }
        var chomp: String?
        if let last = text.last {
            if !ScalarAnalysis.isBreak(last) {
                chomp = "-"
            } else if text.count == 1 || ScalarAnalysis.isBreak(text[text.count - 2]) {
                chomp = "+"
            }
        } else {
            chomp = "-"
        }
        if let chomp { writeIndicator(chomp, needWhitespace: false, isWhitespace: false, isIndention: false) }
    }

    // MARK: - Output primitives (libyaml's PUT, PUT_BREAK, WRITE, WRITE_BREAK)

    private mutating func put(_ byte: UInt8) {
        out.append(byte)
        column += 1
    }

    private mutating func putBreak() {
        out.append(0x0A)
        column = 0
        indention = true
    }

    private mutating func write(_ c: Unicode.Scalar) {
        if c.isASCII {
            out.append(UInt8(c.value))
        } else {
            UTF8.encode(c) { out.append($0) }
        }
        column += 1
    }

    private mutating func writeBreak(_ c: Unicode.Scalar) {
        if c == "\n" {
            putBreak()
            return
        }
        write(c)
        column = 0
        indention = true
    }

    private mutating func writeIndent(_ indent: Int) {
        let target = max(indent, 0)
        if !indention || column > target || (column == target && !whitespace) {
            putBreak()
        }
        while column < target { put(UInt8(ascii: " ")) }
        whitespace = true
        indention = true
    }

    private mutating func writeIndicator(
        _ indicator: String, needWhitespace: Bool, isWhitespace: Bool, isIndention: Bool
    ) {
        if needWhitespace && !whitespace { put(UInt8(ascii: " ")) }
        for c in indicator.unicodeScalars { write(c) }
        whitespace = isWhitespace
        indention = indention && isIndention
    }
}

/// libyaml's `yaml_emitter_analyze_scalar`: which styles can represent a string.
struct ScalarAnalysis {
    let scalars: [Unicode.Scalar]
    private(set) var multiline = false
    private(set) var blockPlainAllowed = true
    private(set) var singleQuotedAllowed = true
    private(set) var blockAllowed = true
    private let byteCount: Int

    /// Keys longer than 128 bytes or spanning lines need the explicit `? ` form.
    var isSimpleKey: Bool { !multiline && byteCount <= 128 }

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        byteCount = text.utf8.count
        guard !scalars.isEmpty else {
            blockAllowed = false
            return
        }
        var blockIndicators = false
        var lineBreaks = false
        var specialCharacters = false
        var leadingSpace = false
        var leadingBreak = false
        var trailingSpace = false
        var trailingBreak = false
        var breakSpace = false
        var spaceBreak = false
        var previousSpace = false
        var previousBreak = false
        var precededByWhitespace = true

        if text.hasPrefix("---") || text.hasPrefix("...") { blockIndicators = true }
        let count = scalars.count
        for (i, c) in scalars.enumerated() {
            let followedByWhitespace = i + 1 >= count || scalars[i + 1] == " " || scalars[i + 1] == "\t"
            if i == 0 {
                switch c {
                case "#", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`":
                    blockIndicators = true
                case "?", ":", "-":
                    if followedByWhitespace { blockIndicators = true }
                default: break
                }
            } else {
                switch c {
                case ":":
                    if followedByWhitespace { blockIndicators = true }
                case "#":
                    if precededByWhitespace { blockIndicators = true }
                default: break
                }
            }
            if !Self.isPrintable(c) { specialCharacters = true }
            if c == " " {
                if i == 0 { leadingSpace = true }
                if i == count - 1 { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if Self.isBreak(c) {
                lineBreaks = true
                if i == 0 { leadingBreak = true }
                if i == count - 1 { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }
            precededByWhitespace = c == " " || c == "\t" || c == "\0" || Self.isBreak(c)
        }
        multiline = lineBreaks
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak { blockPlainAllowed = false }
        if trailingSpace { blockAllowed = false }
        if breakSpace {
            blockPlainAllowed = false
            singleQuotedAllowed = false
        }
        if spaceBreak || specialCharacters {
            blockPlainAllowed = false
            singleQuotedAllowed = false
            blockAllowed = false
        }
        if lineBreaks { blockPlainAllowed = false }
        if blockIndicators { blockPlainAllowed = false }
    }

    /// libyaml's printable set: LF, printable ASCII, U+00A0–U+D7FF, U+E000–U+FFFD except
    /// U+FEFF. Tabs, other controls and anything beyond the BMP (emoji) are not.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v == 0x0A || (v >= 0x20 && v <= 0x7E) { return true }
        if v >= 0xA0 && v <= 0xD7FF { return true }
        if v >= 0xE000 && v <= 0xFFFD && v != 0xFEFF { return true }
        return false
    }

    /// libyaml's line breaks: CR, LF, NEL, LS, PS.
    static func isBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0D, 0x0A, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
