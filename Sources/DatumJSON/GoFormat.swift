/// Go's `fmt` verbs and `strconv` helpers, for reproducing text that Go programs (kubectl,
/// kube-apiserver, go-yaml) print: `%q`, `%v` and `%#v` of values decoded from JSON, and
/// `strconv.FormatFloat(f, 'g', -1, bitSize)`.
///
/// One implementation for every module, so the validator's messages, the printers' cells and
/// the YAML emitter's numbers cannot drift apart.
public enum GoFormat {
    /// `strconv.Quote` / `%q`: double-quoted, printable Unicode kept, Go's escapes otherwise.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count + 2)
        for scalar in s.unicodeScalars {
            appendEscaped(scalar, to: &out)
        }
        out.append("\"")
        return out
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")

    private static func appendHex(_ value: UInt32, digits: Int, to out: inout String) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
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

    /// `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    /// (Unicode tables may differ between Go and Swift versions at the edges.)
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

    /// `strconv.FormatFloat(d, 'g', -1, bitSize)`, which is also `%v` of a float: the shortest
    /// digits, in exponent form when the decimal exponent is below -4 or at least 6
    /// (`0.5`, `123456`, `1.234567e+06`, `1e-05`). `bitSize` 32 rounds to a `Float` first.
    public static func formatFloat(_ d: Double, bitSize: Int = 64) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        let narrowed = bitSize == 32 ? Double(Float(d)) : d
        if narrowed == 0 { return narrowed.sign == .minus ? "-0" : "0" }
        let (digits, pointPosition) = shortestDecimal(narrowed, bitSize: bitSize)
        let sign = narrowed < 0 ? "-" : ""
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

    /// `fmt.Sprint(v)` / `%v` of a value decoded from JSON into `interface{}`:
    /// `[a b]`, `map[k:v]` (keys sorted, as fmt sorts map keys), `<nil>`.
    public static func value(_ v: JSONValue) -> String {
        switch v {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return formatFloat(d)
        case .string(let s): return s
        case .array(let items):
            return "[" + items.map(value).joined(separator: " ") + "]"
        case .object(let object):
            let parts = object.sortedKeys.map { key in key + ":" + value(object[key] ?? .null) }
            return "map[" + parts.joined(separator: " ") + "]"
        }
    }

    /// `%#v` of a value decoded into Go's `interface{}`:
    /// `map[string]interface {}{"a":1}`, `[]interface {}{"x"}`, `interface {}(nil)`.
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
            for (i, key) in object.sortedKeys.enumerated() {
                if i > 0 { out += ", " }
                out += quote(key) + ":"
                appendGoSyntax(object[key] ?? .null, to: &out, depth: depth + 1)
            }
            out += "}"
        }
    }
}
