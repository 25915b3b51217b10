import DatumJSON

/// Go `fmt`/`strconv` renderings that appear inside API server messages.
///
/// Field errors print values with `%q` (strings), `%v` (numbers, booleans)
/// and `%#v` (anything else), so matching kube-apiserver byte for byte
/// means reproducing those verbs for JSON values.
public enum GoFormat {
    /// `strconv.Quote`: double-quoted, with Go's escapes for non-printable scalars.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count + 2)
        for scalar in s.unicodeScalars {
            appendEscaped(scalar, to: &out)
        }
        out.append("\"")
        return out
    }

    private static let hex: [Character] = Array("0123456789abcdef")

    private static func appendHex(_ value: UInt32, digits: Int, to out: inout String) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            out.append(hex[Int((value >> UInt32(shift)) & 0xF)])
        }
    }

    private static func appendEscaped(_ scalar: Unicode.Scalar, to out: inout String) {
        let v = scalar.value
        if v == 0x22 || v == 0x5C {
            out.append("\\")
            out.unicodeScalars.append(scalar)
            return
        }
        if isPrint(scalar) {
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

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
    /// and the ASCII space. (Unicode tables may differ by version at the edges.)
    public static func isPrint(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v <= 0xFF {
            if 0x20 <= v && v <= 0x7E { return true }
            if 0xA1 <= v && v <= 0xFF { return v != 0xAD }
            return false
        }
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

    /// `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`): the shortest
    /// digits, in exponent form when the decimal exponent is below -4 or at
    /// least 6, e.g. `0.5`, `123456`, `1.234567e+06`, `1e-05`.
    public static func formatFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, pointPosition) = shortestDecimal(abs(d))
        let sign = d < 0 ? "-" : ""
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.first ?? "0")
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let magnitude = abs(exponent)
            return sign + mantissa + (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Shortest round-trip digits of a positive finite value and the decimal
    /// point position: value = 0.DIGITS × 10^pointPosition.
    static func shortestDecimal(_ d: Double) -> (digits: String, pointPosition: Int) {
        // Swift's description is the shortest representation that round-trips, as Go's is.
        var text = d.description
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

    /// `%v` of a value decoded from JSON (numbers and booleans as Go prints them).
    public static func plain(_ value: JSONValue) -> String {
        switch value {
        case .int(let i): return String(i)
        case .double(let d): return formatFloat(d)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .null: return "<nil>"
        case .array, .object: return goSyntax(value)
        }
    }

    /// `%#v` of a value decoded into Go's `interface{}` (unstructured JSON):
    /// `map[string]interface {}{"a":1}`, `[]interface {}{"x"}`.
    public static func goSyntax(_ value: JSONValue) -> String {
        var out = ""
        appendGoSyntax(value, to: &out, depth: 0)
        return out
    }

    /// Rendering stops descending here; such values only occur in hostile input.
    private static let maximumDepth = 64

    private static func appendGoSyntax(_ value: JSONValue, to out: inout String, depth: Int) {
        switch value {
        case .null: out += "interface {}(nil)"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += formatFloat(d)
        case .string(let s): out += quote(s)
        case .array(let items):
            out += "[]interface {}{"
            guard depth < maximumDepth else { return out += "...}" }
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                appendGoSyntax(item, to: &out, depth: depth + 1)
            }
            out += "}"
        case .object(let object):
            out += "map[string]interface {}{"
            guard depth < maximumDepth else { return out += "...}" }
            // fmt sorts map keys when printing.
            for (i, key) in object.sortedKeys.enumerated() {
                if i > 0 { out += ", " }
                out += quote(key) + ":"
                appendGoSyntax(object[key] ?? .null, to: &out, depth: depth + 1)
            }
            out += "}"
        }
    }
}
