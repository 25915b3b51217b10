import DatumJSON

/// Go's `fmt` verbs and `strconv` helpers as kubectl's printers use them on unstructured values.
///
/// kubectl prints cells, describe values and custom columns with `%v` over the
/// `map[string]interface{}` tree that `encoding/json` produced, so reproducing
/// Go's text for each JSON kind is what keeps our output byte-identical.
public enum GoFormat {
    /// `fmt.Sprint(v)` / `%v` for a decoded JSON value.
    public static func value(_ v: JSONValue) -> String {
        switch v {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return formatG(d)
        case .string(let s): return s
        case .array(let items):
            return "[" + items.map(value).joined(separator: " ") + "]"
        case .object(let object):
            // fmt sorts map keys since Go 1.12.
            let parts = object.sortedKeys.map { key in key + ":" + value(object[key] ?? .null) }
            return "map[" + parts.joined(separator: " ") + "]"
        }
    }

    /// `%#v` for a decoded JSON value (Go-syntax representation).
    public static func goSyntax(_ v: JSONValue) -> String {
        switch v {
        case .null: return "interface {}(nil)"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return formatG(d)
        case .string(let s): return quote(s)
        case .array(let items):
            return "[]interface {}{" + items.map(goSyntax).joined(separator: ", ") + "}"
        case .object(let object):
            let parts = object.sortedKeys.map { key in quote(key) + ":" + goSyntax(object[key] ?? .null) }
            return "map[string]interface {}{" + parts.joined(separator: ", ") + "}"
        }
    }

    /// `strconv.FormatFloat(d, 'g', -1, 64)`, which is what `%v` prints for a float64:
    /// shortest digits, exponent form when the decimal exponent is below -4 or at
    /// least 6 (so `1e+06`, `2.25e-07`, but `12` and `0.5`).
    public static func formatG(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (negative, digits, exponent) = GoJSONEncoder.shortestDigitsForPrinters(d)
        // |d| = 0.DIGITS × 10^exponent, so the scientific exponent is exponent-1.
        let x = exponent - 1
        let eprec = 6
        var out = negative ? "-" : ""
        if x < -4 || x >= eprec {
            out += String(digits.first ?? "0")
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += x < 0 ? "e-" : "e+"
            let e = abs(x)
            out += e < 10 ? "0\(e)" : "\(e)"
            return out
        }
        if exponent <= 0 {
            out += "0." + String(repeating: "0", count: -exponent) + digits
        } else if exponent >= digits.count {
            out += digits + String(repeating: "0", count: exponent - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: exponent)
            out += digits[..<split] + "." + digits[split...]
        }
        return out
    }

    /// `strconv.Quote`: Go-syntax double-quoted string, printable Unicode kept as is.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if isGoPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x80 {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers,
    /// punctuation, symbols and the ASCII space.
    static func isGoPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation,
            .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// `printers.EscapeTerminal`: neutralises escape sequences before they reach a terminal.
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

extension GoJSONEncoder {
    /// Shortest round-trip digits, shared with ``GoFormat`` so both agree on the digits.
    static func shortestDigitsForPrinters(_ d: Double) -> (negative: Bool, digits: String, exponent: Int) {
        var text = abs(d).description
        var exponentPart = 0
        if let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponentPart = Int(text[text.index(after: eIndex)...]) ?? 0
            text = String(text[..<eIndex])
        }
        var intPart = text
        var fracPart = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = String(text[..<dot])
            fracPart = String(text[text.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var exponent = intPart.count + exponentPart
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 {
            digits.removeLast()
        }
        return (d.sign == .minus, digits, exponent)
    }
}
