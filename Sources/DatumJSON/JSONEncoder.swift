import GoCompat

/// Writes ``JSONValue`` exactly as Go's `encoding/json` does.
///
/// kubectl prints `-o json` with `json.MarshalIndent(obj, "", "    ")` over
/// unstructured maps, so keys are sorted byte-wise, `<`, `>` and `&` are
/// escaped, and floats use Go's shortest formatting. Matching those rules is
/// what makes our output byte-identical to kubectl's.
public struct GoJSONEncoder: Sendable {
    /// Indentation per level; empty means compact output (`json.Marshal`).
    public var indent: String
    /// Sort object keys like Go maps; `false` keeps insertion order.
    public var sortKeys: Bool
    /// Escape `<`, `>` and `&` as Go's encoder does by default.
    public var escapeHTML: Bool

    public init(indent: String = "", sortKeys: Bool = true, escapeHTML: Bool = true) {
        self.indent = indent
        self.sortKeys = sortKeys
        self.escapeHTML = escapeHTML
    }

    /// kubectl's `-o json` style: four-space indent, sorted keys, trailing newline not included.
    public static let kubectl = GoJSONEncoder(indent: "    ")
    /// Compact output for request bodies and storage.
    public static let compact = GoJSONEncoder()

    public func encode(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    public func encodeBytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, level: 0)
        return out
    }

    private func newline(_ out: inout [UInt8], level: Int) {
        guard !indent.isEmpty else { return }
        out.append(0x0A)
        for _ in 0..<level { out.append(contentsOf: indent.utf8) }
    }

    private func write(_ value: JSONValue, into out: inout [UInt8], level: Int) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: GoJSONEncoder.formatFloat(d).utf8)
        case .string(let s): GoJSONEncoder.writeString(s, into: &out, escapeHTML: escapeHTML)
        case .array(let items):
            if items.isEmpty {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, level: level + 1)
                write(item, into: &out, level: level + 1)
            }
            newline(&out, level: level)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty {
                out.append(contentsOf: "{}".utf8)
                return
            }
            out.append(UInt8(ascii: "{"))
            let entries = sortKeys ? object.sortedEntries : Array(object)
            for (i, (key, value)) in entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, level: level + 1)
                GoJSONEncoder.writeString(key, into: &out, escapeHTML: escapeHTML)
                out.append(UInt8(ascii: ":"))
                if !indent.isEmpty { out.append(UInt8(ascii: " ")) }
                write(value, into: &out, level: level + 1)
            }
            newline(&out, level: level)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Go's string quoting (`encoding/json.appendString`).
    public static func writeString(_ s: String, into out: inout [UInt8], escapeHTML: Bool = true) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x3C, 0x3E, 0x26:
                if escapeHTML {
                    appendUnicodeEscape(v, into: &out)
                } else {
                    out.append(UInt8(truncatingIfNeeded: v))
                }
            case 0x2028, 0x2029:
                appendUnicodeEscape(v, into: &out)
            case 0..<0x20:
                appendUnicodeEscape(v, into: &out)
            default:
                // Encode in place: building a String per scalar dominated the sandbox's write path.
                UTF8.encode(scalar) { out.append($0) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendUnicodeEscape(_ v: UInt32, into out: inout [UInt8]) {
        out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        out.append(hexDigits[Int((v >> 12) & 0xF)])
        out.append(hexDigits[Int((v >> 8) & 0xF)])
        out.append(hexDigits[Int((v >> 4) & 0xF)])
        out.append(hexDigits[Int(v & 0xF)])
    }

    public static func quote(_ s: String, escapeHTML: Bool = true) -> String {
        var out: [UInt8] = []
        writeString(s, into: &out, escapeHTML: escapeHTML)
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `strconv.FormatFloat(f, 'f' or 'e', -1, 64)` as `encoding/json` chooses it:
    /// plain notation for 1e-6 <= |f| < 1e21, otherwise exponent notation with at
    /// least two exponent digits trimmed (`1e-07` becomes `1e-7`).
    public static func formatFloat(_ d: Double) -> String {
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let negative = d.sign == .minus
        let (digits, exponent) = GoFormat.shortestDecimal(d)
        let magnitude = abs(d)
        var result = negative ? "-" : ""
        if magnitude < 1e-6 || magnitude >= 1e21 {
            // d.ddddde±XX with Go's exponent form: at least two digits, then json trims e-0X to e-X.
            result += String(digits.first ?? "0")
            if digits.count > 1 {
                result += "." + digits.dropFirst()
            }
            let e = exponent - 1
            result += e < 0 ? "e-" : "e+"
            result += String(abs(e))
            return result
        }
        // Plain decimal: value = 0.digits × 10^exponent
        if exponent <= 0 {
            result += "0." + String(repeating: "0", count: -exponent) + digits
        } else if exponent >= digits.count {
            result += digits + String(repeating: "0", count: exponent - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: exponent)
            result += digits[..<split] + "." + digits[split...]
        }
        return result
    }
}

extension JSONValue {
    /// Compact JSON with sorted keys (Go's `json.Marshal`).
    public var compactJSON: String { GoJSONEncoder.compact.encode(self) }
}
