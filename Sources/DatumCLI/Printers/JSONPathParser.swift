import DatumJSON
import GoCompat

/// The syntax tree of a kubectl JSONPath template (`k8s.io/client-go/util/jsonpath`).
indirect enum JSONPathNode: Sendable, Equatable {
    case list([JSONPathNode])
    case text(String)
    case field(String)
    case array(JSONPathSlice)
    case filter(left: [JSONPathNode], right: [JSONPathNode], op: String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case wildcard
    case recursive
    case union([[JSONPathNode]])
    case identifier(String)
}

/// `[start:end:step]` with which parts were written (and whether `end` was derived from `[i]`).
struct JSONPathSlice: Sendable, Equatable {
    struct Param: Sendable, Equatable {
        var value = 0
        var known = false
        var derived = false
    }
    var params = [Param(), Param(), Param()]
}

/// A recursive-descent parser with client-go's exact rules and error texts.
struct JSONPathParser {
    private let input: [Unicode.Scalar]
    private var pos = 0
    private var start = 0
    private var root: [JSONPathNode] = []

    private init(_ text: String) {
        input = Array(text.unicodeScalars)
    }

    static func parse(_ text: String) throws(PrinterError) -> [JSONPathNode] {
        var parser = JSONPathParser(text)
        try parser.parseText()
        return parser.root
    }

    /// Parses `{text}` and returns the nodes of its single action (client-go's `parseAction`).
    static func parseAction(_ text: String) throws(PrinterError) -> [JSONPathNode] {
        let nodes = try parse("{" + text + "}")
        if case .list(let inner)? = nodes.first { return inner }
        return []
    }

    // MARK: scanning

    private var atEnd: Bool { pos >= input.count }

    private mutating func next() -> Unicode.Scalar? {
        guard pos < input.count else { return nil }
        defer { pos += 1 }
        return input[pos]
    }

    private func peek() -> Unicode.Scalar? { pos < input.count ? input[pos] : nil }

    private mutating func consumeText() -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: input[start..<pos])
        start = pos
        return String(s)
    }

    private func hasPrefix(_ prefix: String) -> Bool {
        var i = pos
        for scalar in prefix.unicodeScalars {
            guard i < input.count, input[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    // MARK: grammar

    private mutating func parseText() throws(PrinterError) {
        while true {
            if hasPrefix("{") {
                if pos > start { root.append(.text(consumeText())) }
                pos += 1
                _ = consumeText()
                try parseInsideAction(into: [])
                return
            }
            if next() == nil { break }
        }
        if pos > start { root.append(.text(consumeText())) }
    }

    /// Parses the inside of one `{...}` action; `current` holds the nodes so far.
    private mutating func parseInsideAction(into current: [JSONPathNode]) throws(PrinterError) {
        var cur = current
        while true {
            if hasPrefix("}") {
                pos += 1
                _ = consumeText()
                root.append(.list(cur))
                try parseText()
                return
            }
            if hasPrefix("[?(") {
                try parseFilter(&cur)
                continue
            }
            if hasPrefix("..") {
                if case .recursive? = cur.last { throw PrinterError("invalid multiple recursive descent") }
                pos += 2
                _ = consumeText()
                cur.append(.recursive)
                if let r = peek(), Self.isAlphaNumeric(r) { parseField(&cur) }
                continue
            }
            guard let r = next(), !Self.isEndOfLine(r) else { throw PrinterError("unclosed action") }
            switch r {
            case " ", "@", "$":
                _ = consumeText()
            case "[":
                try parseArray(&cur)
            case "\"", "'":
                try parseQuote(&cur, end: r)
            case ".":
                parseField(&cur)
            case "+", "-":
                pos -= 1
                try parseNumber(&cur)
            default:
                if r.properties.numericType == .decimal {
                    pos -= 1
                    try parseNumber(&cur)
                } else if Self.isAlphaNumeric(r) {
                    pos -= 1
                    parseIdentifier(&cur)
                } else {
                    throw PrinterError("unrecognized character in action: \(Self.formatRune(r))")
                }
            }
        }
    }

    private mutating func parseIdentifier(_ cur: inout [JSONPathNode]) {
        while let r = next() {
            if Self.isTerminator(r) {
                pos -= 1
                break
            }
        }
        let value = consumeText()
        if value == "true" || value == "false" {
            cur.append(.bool(value == "true"))
        } else {
            cur.append(.identifier(value))
        }
    }

    private mutating func parseNumber(_ cur: inout [JSONPathNode]) throws(PrinterError) {
        if let r = peek(), r == "+" || r == "-" { pos += 1 }
        while let r = next() {
            if r != "." && r.properties.numericType != .decimal {
                pos -= 1
                break
            }
        }
        let value = consumeText()
        if let i = Self.goAtoi(value) {
            cur.append(.int(i))
        } else if let d = Self.goParseFloat(value) {
            cur.append(.float(d))
        } else {
            throw PrinterError("cannot parse number \(value)")
        }
    }

    private mutating func parseArray(_ cur: inout [JSONPathNode]) throws(PrinterError) {
        while true {
            guard let r = next(), r != "\n" else { throw PrinterError("unterminated array") }
            if r == "]" { break }
        }
        var text = consumeText()
        text = String(text.unicodeScalars.dropFirst().dropLast())
        if text == "*" { text = ":" }

        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        if parts.count > 1 {
            var union: [[JSONPathNode]] = []
            for part in parts {
                let trimmed = String(part).trimmingGoSpaces()
                union.append(try Self.parseAction("[" + trimmed + "]"))
            }
            cur.append(.union(union))
            return
        }

        // ['key'] is a field lookup (re-parsed as `.key`, so escaped dots stay literal).
        let scalars = Array(text.unicodeScalars)
        if scalars.count >= 2, scalars.first == "'", scalars.last == "'",
            !scalars[1..<(scalars.count - 1)].contains("'")
        {
            var key = String.UnicodeScalarView()
            key.append(contentsOf: scalars[1..<(scalars.count - 1)])
            cur.append(contentsOf: try Self.parseAction("." + String(key)))
            return
        }

        guard let groups = Self.matchSlice(text) else {
            throw PrinterError("invalid array index \(text)")
        }
        var slice = JSONPathSlice()
        for i in 0..<3 {
            var value = groups[i]
            if !value.isEmpty {
                if i > 0 { value.removeFirst() }
                if i > 0 && value.isEmpty {
                    slice.params[i].known = false
                } else {
                    slice.params[i].known = true
                    guard let number = Self.goAtoi(value) else {
                        throw PrinterError("array index \(value) is not a number")
                    }
                    slice.params[i].value = number
                }
            } else if i == 1 {
                // `[i]` is `[i:i+1]`; Go's int addition wraps for i = MaxInt64, and evaluation then
                // reports the index as out of bounds, so wrap here too instead of trapping.
                slice.params[1] = .init(value: slice.params[0].value &+ 1, known: true, derived: true)
            }
        }
        cur.append(.array(slice))
    }

    private mutating func parseFilter(_ cur: inout [JSONPathNode]) throws(PrinterError) {
        pos += 3
        _ = consumeText()
        var begin = false
        var end = false
        var pair: Unicode.Scalar = "\""
        loop: while true {
            guard let r = next(), r != "\n" else { throw PrinterError("unterminated filter") }
            switch r {
            case "\"", "'":
                if !begin {
                    begin = true
                    pair = r
                    continue
                }
                if input[pos - 2] != "\\" && r == pair { end = true }
            case ")":
                if begin == end { break loop }
            default:
                break
            }
        }
        if next() != "]" { throw PrinterError("unclosed array expect ]") }
        let text = String(consumeText().unicodeScalars.dropLast(2))
        if let (left, op, right) = Self.splitComparison(text) {
            cur.append(.filter(left: try Self.parseAction(left), right: try Self.parseAction(right), op: op))
        } else {
            cur.append(.filter(left: try Self.parseAction(text), right: [], op: "exists"))
        }
    }

    private mutating func parseQuote(_ cur: inout [JSONPathNode], end: Unicode.Scalar) throws(PrinterError) {
        while true {
            guard let r = next(), r != "\n" else { throw PrinterError("unterminated quoted string") }
            if r == end && input[pos - 2] != "\\" { break }
        }
        let value = consumeText()
        guard let unquoted = Self.unquoteExtend(value) else {
            throw PrinterError("unquote string \(value) error invalid syntax")
        }
        cur.append(.text(unquoted))
    }

    private mutating func parseField(_ cur: inout [JSONPathNode]) {
        _ = consumeText()
        while let r = next() {
            if r == "\\" {
                _ = next()
            } else if Self.isTerminator(r) {
                pos -= 1
                break
            }
        }
        let value = consumeText()
        if value == "*" {
            cur.append(.wildcard)
        } else {
            cur.append(.field(value.replacing("\\", with: "")))
        }
    }

    // MARK: character classes and helpers

    static func isTerminator(_ r: Unicode.Scalar) -> Bool {
        switch r {
        case " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}": return true
        default: return false
        }
    }

    static func isEndOfLine(_ r: Unicode.Scalar) -> Bool { r == "\r" || r == "\n" }

    static func isAlphaNumeric(_ r: Unicode.Scalar) -> Bool {
        r == "_" || r.properties.isAlphabetic || r.properties.numericType == .decimal
    }

    /// Go's `%#U`: `U+002C ','`, without the quoted rune when it is not printable.
    static func formatRune(_ r: Unicode.Scalar) -> String {
        let hex = String(r.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return GoFormat.isPrint(r) ? code + " '" + String(Character(r)) + "'" : code
    }

    /// `strconv.Atoi`: optional sign and ASCII digits only.
    static func goAtoi(_ s: String) -> Int? {
        var body = Substring(s)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s.hasPrefix("+") ? String(s.dropFirst()) : s)
    }

    /// `strconv.ParseFloat` for the shapes parseNumber can produce (sign, digits, dots).
    static func goParseFloat(_ s: String) -> Double? {
        var body = Substring(s)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        let dots = body.filter { $0 == "." }.count
        guard dots <= 1, body.contains(where: \.isNumber) else { return nil }
        return Double(s.hasPrefix("+") ? String(s.dropFirst()) : s)
    }

    /// `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$` — returns the three groups ("" when absent).
    static func matchSlice(_ text: String) -> [String]? {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func group(leadingColon: Bool) -> String? {
            let startIndex = i
            if leadingColon {
                guard i < scalars.count, scalars[i] == ":" else { return "" }
                i += 1
            }
            if i < scalars.count, scalars[i] == "-" { i += 1 }
            while i < scalars.count, scalars[i].properties.numericType == .decimal { i += 1 }
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[startIndex..<i])
            return String(s)
        }
        guard let a = group(leadingColon: false), let b = group(leadingColon: true),
            let c = group(leadingColon: true), i == scalars.count
        else { return nil }
        return [a, b, c]
    }

    /// `^([^!<>=]+)([!<>=]+)(.+?)$`
    static func splitComparison(_ text: String) -> (String, String, String)? {
        let scalars = Array(text.unicodeScalars)
        func isOp(_ s: Unicode.Scalar) -> Bool { s == "!" || s == "<" || s == ">" || s == "=" }
        guard let opStart = scalars.firstIndex(where: isOp), opStart > 0 else { return nil }
        var opEnd = opStart
        while opEnd < scalars.count, isOp(scalars[opEnd]) { opEnd += 1 }
        // The lazy right group must still take at least one character; backtrack the operator if needed.
        if opEnd == scalars.count {
            guard opEnd - opStart >= 2 else { return nil }
            opEnd -= 1
        }
        func string(_ range: Range<Int>) -> String {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[range])
            return String(s)
        }
        return (string(0..<opStart), string(opStart..<opEnd), string(opEnd..<scalars.count))
    }

    /// client-go's `UnquoteExtend`: `strconv.Unquote` that also accepts single quotes.
    static func unquoteExtend(_ s: String) -> String? {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count >= 2, let quote = scalars.first, quote == scalars.last, quote == "\"" || quote == "'"
        else { return nil }
        let body = Array(scalars[1..<(scalars.count - 1)])
        if !body.contains("\\") && !body.contains(quote) {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: body)
            return String(v)
        }
        var out = String.UnicodeScalarView()
        var i = 0
        func hexValue(_ count: Int) -> UInt32? {
            guard i + count <= body.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<count {
                guard let d = UInt32(String(body[i + k]), radix: 16) else { return nil }
                v = v * 16 + d
            }
            i += count
            return v
        }
        while i < body.count {
            let c = body[i]
            if c == quote { return nil }
            if c != "\\" {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < body.count else { return nil }
            let e = body[i]
            i += 1
            switch e {
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "\\": out.append("\\")
            case "'", "\"":
                guard e == quote else { return nil }
                out.append(e)
            case "x":
                guard let v = hexValue(2), let scalar = Unicode.Scalar(v) else { return nil }
                // A \x escape is one byte; bytes above 0x7F would make invalid UTF-8, which Swift strings cannot hold.
                guard v < 0x80 else { return nil }
                out.append(scalar)
            case "u":
                guard let v = hexValue(4), let scalar = Unicode.Scalar(v) else { return nil }
                out.append(scalar)
            case "U":
                guard let v = hexValue(8), let scalar = Unicode.Scalar(v) else { return nil }
                out.append(scalar)
            case "0"..."7":
                var v = (e.value - 48)
                for _ in 0..<2 {
                    guard i < body.count, ("0"..."7").contains(body[i]) else { return nil }
                    v = v * 8 + (body[i].value - 48)
                    i += 1
                }
                guard v < 0x80, let scalar = Unicode.Scalar(v) else { return nil }
                out.append(scalar)
            default:
                return nil
            }
        }
        return String(out)
    }
}
