import DatumJSON

/// What go-yaml v2 decodes a scalar to when the target is `interface{}`.
///
/// sigs.k8s.io/yaml (and so kubectl) reads YAML with go-yaml v2 and then
/// marshals the result as JSON, so these cases and their JSON forms decide
/// what a manifest means.
enum GoScalar: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// Positive integers above `Int64.max` that fit in 64 bits.
    case uint(UInt64)
    case float(Double)
    case string(String)
    /// A plain scalar that looks like a YAML 1.1 timestamp; decoded as its text.
    case timestamp(String)
}

enum GoYAMLTag {
    static let prefix = "tag:yaml.org,2002:"
    static let str = prefix + "str"
    static let bool = prefix + "bool"
    static let int = prefix + "int"
    static let float = prefix + "float"
    static let null = prefix + "null"
    static let timestamp = prefix + "timestamp"
    static let binary = prefix + "binary"
    static let merge = prefix + "merge"

    /// `!!int` for `tag:yaml.org,2002:int`, as go-yaml prints tags in messages.
    static func short(_ tag: String) -> String {
        tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
    }
}

enum GoYAMLResolver {
    /// Resolves an untagged plain scalar (go-yaml v2 `resolve("", text)`).
    /// Whether a plain scalar starting with this byte can resolve to anything but a string
    /// (go-yaml's resolve table hint).
    @inline(__always)
    static func mayResolveToNonString(first: UInt8) -> Bool {
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"),
            UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
            UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"), UInt8(ascii: "."),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    static func resolvePlain(_ text: String) -> GoScalar {
        guard let first = text.utf8.first else { return .null }
        // Most scalars start with a letter that can begin no other type; decide without copying.
        if !mayResolveToNonString(first: first) { return .string(text) }
        switch first {
        case UInt8(ascii: "."):
            if let value = mapped(text) { return value }
            if let float = goParseFloat(Array(text.utf8)) { return .float(float) }
            return .string(text)
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let value = mapped(text) { return value }
            let utf8 = Array(text.utf8)
            if isTimestamp(utf8) { return .timestamp(text) }
            return resolveNumber(utf8) ?? .string(text)
        default:
            return mapped(text) ?? .string(text)
        }
    }

    private static let words: [String: GoScalar] = {
        var table: [String: GoScalar] = [:]
        for word in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] {
            table[word] = .bool(true)
        }
        for word in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] {
            table[word] = .bool(false)
        }
        for word in ["~", "null", "Null", "NULL"] { table[word] = .null }
        for word in [".nan", ".NaN", ".NAN"] { table[word] = .float(.nan) }
        for word in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] { table[word] = .float(.infinity) }
        for word in ["-.inf", "-.Inf", "-.INF"] { table[word] = .float(-.infinity) }
        return table
    }()

    /// The fixed words of go-yaml v2's resolve table.
    private static func mapped(_ text: String) -> GoScalar? {
        // No entry is longer than five bytes; skip the lookup for longer text.
        guard text.utf8.count <= 5 else { return nil }
        return words[text]
    }

    /// Integers (Go `ParseInt`/`ParseUint` with base 0 after dropping `_`), then floats.
    /// Hex, octal and binary integers beyond 64 bits stay strings, as in the go-yaml v2
    /// that kubectl 1.32 vendors.
    private static func resolveNumber(_ utf8: [UInt8]) -> GoScalar? {
        let plain = utf8.filter { $0 != UInt8(ascii: "_") }
        let signed = goParseInt(plain)
        switch signed {
        case .value(let v): return .int(v)
        case .syntax, .range: break
        }
        let unsigned = goParseUint(plain[...])
        switch unsigned {
        case .value(let v): return .uint(v)
        case .syntax, .range: break
        }
        if matchesFloatPattern(plain), let float = goParseFloat(plain) {
            return .float(float)
        }
        return nil
    }

    enum ParseOutcome<T> {
        case value(T)
        case syntax
        case range
    }

    /// Go `strconv.ParseInt(s, 0, 64)` on text without underscores.
    static func goParseInt(_ s: [UInt8]) -> ParseOutcome<Int64> {
        guard let first = s.first else { return .syntax }
        var body = s[...]
        var negative = false
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            body = s.dropFirst()
        }
        switch goParseUint(body) {
        case .syntax: return .syntax
        case .range: return .range
        case .value(let magnitude):
            if negative {
                if magnitude > UInt64(Int64.max) + 1 { return .range }
                return .value(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
            }
            if magnitude > UInt64(Int64.max) { return .range }
            return .value(Int64(magnitude))
        }
    }

    /// Go `strconv.ParseUint(s, 0, 64)`: `0x`, `0o`, `0b` prefixes and a leading `0` for octal.
    static func goParseUint(_ s: ArraySlice<UInt8>) -> ParseOutcome<UInt64> {
        guard !s.isEmpty else { return .syntax }
        let (base, digits) = splitBase(s)
        var value: UInt64 = 0
        var overflow = false
        for byte in digits {
            guard let digit = digitValue(byte), digit < base else { return .syntax }
            if overflow { continue }
            let (times, o1) = value.multipliedReportingOverflow(by: base)
            let (sum, o2) = times.addingReportingOverflow(digit)
            if o1 || o2 { overflow = true } else { value = sum }
        }
        return overflow ? .range : .value(value)
    }

    private static func splitBase(_ s: ArraySlice<UInt8>) -> (UInt64, ArraySlice<UInt8>) {
        guard s.first == UInt8(ascii: "0"), s.count >= 2 else { return (10, s) }
        let second = s[s.startIndex + 1] | 0x20
        if s.count >= 3 {
            switch second {
            case UInt8(ascii: "x"): return (16, s.dropFirst(2))
            case UInt8(ascii: "o"): return (8, s.dropFirst(2))
            case UInt8(ascii: "b"): return (2, s.dropFirst(2))
            default: break
            }
        }
        return (8, s.dropFirst())
    }

    private static func digitValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt64(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func matchesFloatPattern(_ s: [UInt8]) -> Bool {
        var i = 0
        func isDigit(_ j: Int) -> Bool { j < s.count && s[j] >= 0x30 && s[j] <= 0x39 }
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        } else {
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
            if i < s.count, s[i] == UInt8(ascii: ".") {
                i += 1
                while isDigit(i) { i += 1 }
            }
        }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        }
        return i == s.count
    }

    /// Go `strconv.ParseFloat(s, 64)` for the decimal forms go-yaml lets through;
    /// out-of-range values are errors there, so they are nil here.
    static func goParseFloat(_ s: [UInt8]) -> Double? {
        guard matchesFloatPattern(s) else { return nil }
        guard let value = Double(String(decoding: s, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// go-yaml v2 `parseTimestamp`: `YYYY-` then one of Go's layouts
    /// `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2 15:4:5.999999999`, `2006-1-2`.
    static func isTimestamp(_ s: [UInt8]) -> Bool {
        var i = 0
        while i < s.count, s[i] >= 0x30, s[i] <= 0x39 { i += 1 }
        guard i == 4, i < s.count, s[i] == UInt8(ascii: "-") else { return false }
        return GoTimestamp.matches(s)
    }
}

/// Go `time.Parse` for the four layouts go-yaml v2 accepts as timestamps.
enum GoTimestamp {
    static func matches(_ s: [UInt8]) -> Bool {
        var p = 0
        func digit(_ j: Int) -> Int? {
            j < s.count && s[j] >= 0x30 && s[j] <= 0x39 ? Int(s[j] - 0x30) : nil
        }
        // Go's getnum without `fixed`: one digit, or two when the second is a digit.
        func number() -> Int? {
            guard let d0 = digit(p) else { return nil }
            if let d1 = digit(p + 1) {
                p += 2
                return d0 * 10 + d1
            }
            p += 1
            return d0
        }
        func literal(_ c: UInt8) -> Bool {
            guard p < s.count, s[p] == c else { return false }
            p += 1
            return true
        }
        guard s.count >= 4, let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3) else {
            return false
        }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        p = 4
        guard literal(UInt8(ascii: "-")), let month = number(), literal(UInt8(ascii: "-")), let day = number() else {
            return false
        }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return false }
        if p == s.count { return true }  // 2006-1-2
        let separator = s[p]
        let zoned: Bool
        switch separator {
        case UInt8(ascii: "T"), UInt8(ascii: "t"): zoned = true
        case UInt8(ascii: " "): zoned = false
        default: return false
        }
        p += 1
        guard let hour = number(), hour < 24, literal(UInt8(ascii: ":")), let minute = number(), minute < 60,
            literal(UInt8(ascii: ":")), let second = number(), second < 60
        else { return false }
        // Optional fraction: a period or comma followed by at least one digit.
        if p + 1 < s.count, s[p] == UInt8(ascii: ".") || s[p] == UInt8(ascii: ","), digit(p + 1) != nil {
            p += 1
            while digit(p) != nil { p += 1 }
        }
        if !zoned { return p == s.count }
        guard p < s.count else { return false }
        if s[p] == UInt8(ascii: "Z") { return p + 1 == s.count }
        // ±hh:mm, exactly six bytes, hours ≤ 24 and minutes ≤ 60 as Go allows.
        guard s.count - p == 6, s[p] == UInt8(ascii: "+") || s[p] == UInt8(ascii: "-"), s[p + 3] == UInt8(ascii: ":"),
            let h0 = digit(p + 1), let h1 = digit(p + 2), let m0 = digit(p + 4), let m1 = digit(p + 5)
        else { return false }
        return h0 * 10 + h1 <= 24 && m0 * 10 + m1 <= 60
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
