/// Go's `strconv` quoting and float formatting, for reproducing text that Go programs (kubectl,
/// kube-apiserver, go-yaml) print: `strconv.Quote` (`%q`), `strconv.IsPrint` and
/// `strconv.FormatFloat(f, 'g', -1, bitSize)` (`%v` of a float). `%v` and `%#v` of a JSON value
/// build on these in DatumJSON (`JSONValue+GoFormat.swift`).
///
/// One implementation for every module, so the validator's messages, the printers' cells and
/// the YAML emitter's numbers cannot drift apart.
public enum GoFormat {
    /// `strconv.Quote` / `%q`: double-quoted, printable Unicode kept, Go's escapes otherwise.
    public static func quote(_ s: String) -> String { quote(s, asciiOnly: false) }

    /// `strconv.Quote`, or with `asciiOnly` `strconv.QuoteToASCII` (`%+q`), which escapes
    /// everything beyond ASCII.
    public static func quote(_ s: String, asciiOnly: Bool) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count + 2)
        for scalar in s.unicodeScalars {
            appendEscaped(scalar, quote: 0x22, asciiOnly: asciiOnly, to: &out)
        }
        out.append("\"")
        return out
    }

    /// `strconv.QuoteRune` (`%q` of an integer): single-quoted; a value that is not a Unicode
    /// scalar (a surrogate, a negative number, one beyond U+10FFFF) quotes U+FFFD as Go does.
    /// `asciiOnly` is `strconv.QuoteRuneToASCII` (`%+q`).
    public static func quoteRune(_ value: UInt64, asciiOnly: Bool = false) -> String {
        var out = "'"
        appendEscaped(rune(value), quote: 0x27, asciiOnly: asciiOnly, to: &out)
        out.append("'")
        return out
    }

    /// Go's `rune(value)` as fmt prints it: U+FFFD (`utf8.RuneError`) for a value that is not a
    /// Unicode scalar (a surrogate, a negative number, one beyond U+10FFFF).
    public static func rune(_ value: UInt64) -> Unicode.Scalar {
        UInt32(exactly: value).flatMap(Unicode.Scalar.init) ?? "\u{FFFD}"
    }

    /// `strconv.CanBackquote`: whether `%#q` may print the string between backquotes.
    public static func canBackquote(_ s: String) -> Bool {
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v == 0xFEFF || (v < 0x20 && v != 0x09) || v == 0x60 || v == 0x7F { return false }
        }
        return true
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")

    private static func appendHex(_ value: UInt32, digits: Int, to out: inout String) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }

    /// strconv's `appendEscapedRune` for one scalar inside `quote` (`"` or `'`).
    private static func appendEscaped(_ scalar: Unicode.Scalar, quote: UInt32, asciiOnly: Bool, to out: inout String) {
        let v = scalar.value
        if v == quote || v == 0x5C {
            out.append("\\")
            out.unicodeScalars.append(scalar)
            return
        }
        if isPrint(scalar) && (!asciiOnly || v < 0x80) {
            out.unicodeScalars.append(scalar)
            return
        }
        switch v {
        case 0x07: out.append("\\a")
        case 0x08: out.append("\\b")
        case 0x0C: out.append("\\f")
        case 0x0A: out.append("\\n")
        case 0x0D: out.append("\\r")
        case 0x09: out.append("\\t")
        case 0x0B: out.append("\\v")
        default:
            if v < 0x20 || v == 0x7F {
                out.append("\\x")
                appendHex(v, digits: 2, to: &out)
            } else if v < 0x10000 {
                out.append("\\u")
                appendHex(v, digits: 4, to: &out)
            } else {
                out.append("\\U")
                appendHex(v, digits: 8, to: &out)
            }
        }
    }

    /// `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space, as Go's
    /// Unicode tables have them (`GoTables.generated.swift`, recorded from Go 1.23, Unicode
    /// 15.0.0) — not Swift's, whose newer Unicode assigns characters Go does not yet print.
    public static func isPrint(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        let table = notPrintableRanges
        // The last run starting at or below v decides: v is printable unless it lies inside it.
        var low = 0
        var high = table.count / 2
        while low < high {
            let mid = (low + high) / 2
            if table[2 * mid] <= v { low = mid + 1 } else { high = mid }
        }
        return low == 0 || v > table[2 * (low - 1) + 1]
    }

    /// `strconv.FormatFloat(d, 'g', -1, bitSize)`, which is also `%v` of a float: the shortest
    /// digits, in exponent form when the decimal exponent is below -4 or at least 6
    /// (`0.5`, `123456`, `1.234567e+06`, `1e-05`). `bitSize` 32 rounds to a `Float` first.
    public static func formatFloat(_ d: Double, bitSize: Int = 64) -> String {
        let narrowed = bitSize == 32 ? Double(Float(d)) : d
        if narrowed.isNaN { return "NaN" }
        if narrowed.isInfinite { return narrowed < 0 ? "-Inf" : "+Inf" }
        return String(decoding: GoFloatText.shortest(narrowed, bitSize: bitSize, upper: false), as: UTF8.self)
    }

    /// The shortest round-trip decimal digits of `|d|` (non-zero, finite) and the position of the
    /// decimal point: `|d| = 0.DIGITS × 10^pointPosition`. Swift's `description` is the shortest
    /// representation that round-trips, as Go's is.
    public static func shortestDecimal(_ d: Double, bitSize: Int = 64) -> (digits: String, pointPosition: Int) {
        var text = bitSize == 32 ? Float(d).magnitude.description : d.magnitude.description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integerPart = text
        var fraction = ""
        if let dot = text.firstIndex(of: ".") {
            integerPart = String(text[..<dot])
            fraction = String(text[text.index(after: dot)...])
        }
        var digits = integerPart + fraction
        var point = integerPart.count + exponent
        while digits.count > 1 && digits.hasPrefix("0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        return (digits, point)
    }

    /// `printers.EscapeTerminal` (k8s.io/cli-runtime): neutralises escape sequences before they
    /// reach a terminal (`ESC` becomes `^[`, `CR` becomes a backslash and `r`).
    public static func escapeTerminal(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 == "\u{1B}" || $0 == "\r" }) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\u{1B}": out += "^["
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
