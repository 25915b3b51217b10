// Go's parsing rules for flag values, reimplemented so datumctl accepts exactly what kubectl
// accepts (pflag calls strconv.ParseBool, strconv.ParseInt(s, 0, 64) and time.ParseDuration)
// and reports the same error text.

/// Parsers and quoting that follow Go's `strconv` and `time` packages.
public enum GoValueSyntax {
    /// `strconv.ParseBool`: `1 t T TRUE true True` and `0 f F FALSE false False`.
    public static func parseBool(_ text: String) -> Result<Bool, ValueSyntaxError> {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": .success(true)
        case "0", "f", "F", "FALSE", "false", "False": .success(false)
        default: .failure(ValueSyntaxError("strconv.ParseBool: parsing \(GoFormat.quote(text)): invalid syntax"))
        }
    }

    /// `strconv.ParseInt(text, 0, 64)`: optional sign, `0x`/`0o`/`0b`/leading-`0` prefixes and
    /// `_` digit separators.
    public static func parseInt(_ text: String) -> Result<Int64, ValueSyntaxError> {
        let syntax = ValueSyntaxError("strconv.ParseInt: parsing \(GoFormat.quote(text)): invalid syntax")
        let range = ValueSyntaxError("strconv.ParseInt: parsing \(GoFormat.quote(text)): value out of range")
        var bytes = Array(text.utf8)
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        let unsigned = bytes
        guard !bytes.isEmpty else { return .failure(syntax) }
        var base: UInt64 = 10
        if bytes[0] == UInt8(ascii: "0") {
            let marker = bytes.count >= 3 ? bytes[1] | 0x20 : 0
            switch marker {
            case UInt8(ascii: "b"): base = 2; bytes.removeFirst(2)
            case UInt8(ascii: "o"): base = 8; bytes.removeFirst(2)
            case UInt8(ascii: "x"): base = 16; bytes.removeFirst(2)
            default: base = 8; bytes.removeFirst(1)
            }
        }
        var magnitude: UInt64 = 0
        var sawUnderscore = false
        for byte in bytes {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "_"):
                sawUnderscore = true
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                digit = UInt64((byte | 0x20) - UInt8(ascii: "a")) + 10
            default: return .failure(syntax)
            }
            guard digit < base else { return .failure(syntax) }
            // Go reports overflow as soon as it happens, before looking at later characters.
            let (shifted, overflowed) = magnitude.multipliedReportingOverflow(by: base)
            let (sum, carried) = shifted.addingReportingOverflow(digit)
            if overflowed || carried { return .failure(range) }
            magnitude = sum
        }
        if sawUnderscore && !underscoresAreValid(unsigned) { return .failure(syntax) }
        let cutoff = UInt64(1) << 63
        if !negative {
            return magnitude >= cutoff ? .failure(range) : .success(Int64(magnitude))
        }
        if magnitude > cutoff { return .failure(range) }
        return .success(magnitude == cutoff ? Int64.min : -Int64(magnitude))
    }

    /// Go's `underscoreOK`: an underscore must sit between digits (a base prefix counts as one).
    private static func underscoresAreValid(_ bytes: [UInt8]) -> Bool {
        enum Seen { case start, digit, underscore, other }
        var seen = Seen.start
        var index = 0
        var hex = false
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "0") {
            let marker = bytes[1] | 0x20
            if marker == UInt8(ascii: "b") || marker == UInt8(ascii: "o") || marker == UInt8(ascii: "x") {
                index = 2
                seen = .digit
                hex = marker == UInt8(ascii: "x")
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            let lower = byte | 0x20
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (hex && (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(lower))
            {
                seen = .digit
            } else if byte == UInt8(ascii: "_") {
                if seen != .digit { return false }
                seen = .underscore
            } else {
                if seen == .underscore { return false }
                seen = .other
            }
        }
        return seen != .underscore
    }

    /// `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units ns, us, µs, μs, ms,
    /// s, m, h; a bare `0` needs no unit.
    public static func parseDuration(_ text: String) -> Result<Duration, ValueSyntaxError> {
        let invalid = ValueSyntaxError("time: invalid duration \(timeQuote(text))")
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .success(.zero) }
        if rest.isEmpty { return .failure(invalid) }
        let maximum: UInt64 = 1 << 63
        var total: UInt64 = 0
        while !rest.isEmpty {
            guard let first = rest.first, first == "." || first.isASCIIDigit else {
                return .failure(invalid)
            }
            // Whole part.
            let wholeDigits = rest.prefix { $0.isASCIIDigit }
            var whole: UInt64 = 0
            for digit in wholeDigits {
                guard let value = digit.wholeNumberValue, whole <= maximum / 10 else {
                    return .failure(invalid)
                }
                whole = whole * 10 + UInt64(value)
                if whole > maximum { return .failure(invalid) }
            }
            rest = rest.dropFirst(wholeDigits.count)
            // Fraction: digits beyond what fits are ignored, as in Go.
            var fraction: UInt64 = 0
            var scale: Double = 1
            var hasFraction = false
            if rest.first == "." {
                rest = rest.dropFirst()
                let fractionDigits = rest.prefix { $0.isASCIIDigit }
                hasFraction = !fractionDigits.isEmpty
                var overflowed = false
                for digit in fractionDigits {
                    guard !overflowed, let value = digit.wholeNumberValue else { continue }
                    if fraction > (maximum - 1) / 10 {
                        overflowed = true
                        continue
                    }
                    let next = fraction * 10 + UInt64(value)
                    if next > maximum {
                        overflowed = true
                        continue
                    }
                    fraction = next
                    scale *= 10
                }
                rest = rest.dropFirst(fractionDigits.count)
            }
            if wholeDigits.isEmpty && !hasFraction { return .failure(invalid) }
            let unitText = rest.prefix { !($0 == "." || $0.isASCIIDigit) }
            if unitText.isEmpty {
                return .failure(ValueSyntaxError("time: missing unit in duration \(timeQuote(text))"))
            }
            rest = rest.dropFirst(unitText.count)
            guard let unit = durationUnits[String(unitText)] else {
                return .failure(
                    ValueSyntaxError(
                        "time: unknown unit \(timeQuote(String(unitText))) in duration \(timeQuote(text))"))
            }
            if whole > maximum / unit { return .failure(invalid) }
            var value = whole * unit
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                if value > maximum { return .failure(invalid) }
            }
            let (sum, carried) = total.addingReportingOverflow(value)
            if carried || sum > maximum { return .failure(invalid) }
            total = sum
        }
        if negative {
            // -(1<<63) is representable; anything larger was rejected above.
            let nanoseconds = total == maximum ? Int64.min : -Int64(total)
            return .success(.nanoseconds(nanoseconds))
        }
        if total > maximum - 1 { return .failure(invalid) }
        return .success(.nanoseconds(Int64(total)))
    }

    private static let durationUnits: [String: UInt64] = [
        "ns": 1,
        "us": 1_000,
        "\u{00B5}s": 1_000,  // micro sign
        "\u{03BC}s": 1_000,  // Greek small letter mu
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    /// The `time` package's own quoting: non-ASCII and control bytes become `\xNN`.
    static func timeQuote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x80 || scalar.value < 0x20 {
                for byte in String(scalar).utf8 { out += "\\x" + hex(UInt32(byte), width: 2) }
            } else {
                if scalar == "\"" || scalar == "\\" { out += "\\" }
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Why a flag value does not parse, worded as Go words it (`strconv.ParseInt: parsing …`).
public struct ValueSyntaxError: Error, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
