#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// fmt's format.go: padding and the formatting of one value under the current flags.
extension Printer {
    /// Padding of `count` bytes: zeros only on the left and only with the `0` flag.
    mutating func writePadding(_ count: Int) {
        guard count > 0 else { return }
        let byte = flags.zero && !flags.minus ? UInt8(ascii: "0") : UInt8(ascii: " ")
        buffer.append(contentsOf: repeatElement(byte, count: count))
    }

    /// fmt's `pad`: the bytes padded to the width, counted in runes.
    mutating func pad(_ bytes: [UInt8]) {
        guard flags.widthPresent, flags.width != 0 else { return buffer.append(contentsOf: bytes) }
        let width = flags.width - bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        if flags.minus {
            buffer.append(contentsOf: bytes)
            writePadding(width)
        } else {
            writePadding(width)
            buffer.append(contentsOf: bytes)
        }
    }

    mutating func padString(_ s: String) { pad(Array(s.utf8)) }

    /// `pad` with the `0` flag ignored, as fmt does for numbers it has zero-filled itself.
    mutating func padWithoutZero(_ bytes: [UInt8]) {
        let zero = flags.zero
        flags.zero = false
        pad(bytes)
        flags.zero = zero
    }

    mutating func fmtBoolean(_ b: Bool) { padString(b ? "true" : "false") }

    /// `%U`: `U+0078`, and with `#` `U+0078 'x'` for a printable code point.
    mutating func fmtUnicode(_ u: UInt64) {
        var precision = 4
        if flags.precisionPresent && flags.precision > 4 { precision = flags.precision }
        var hex = Array(String(u, radix: 16, uppercase: true).utf8)
        if hex.count < precision { hex = Array(repeating: UInt8(ascii: "0"), count: precision - hex.count) + hex }
        var out = Array("U+".utf8) + hex
        if flags.sharp, u <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(u)), GoFormat.isPrint(scalar) {
            out += Array(" '".utf8) + Array(String(scalar).utf8) + [UInt8(ascii: "'")]
        }
        padWithoutZero(out)
    }

    /// fmt's `fmtInteger`: base 2, 8, 10 or 16, precision and `0` as leading zeros, `#` prefixes.
    mutating func formatInteger(_ value: Int64, base: UInt64, verb: Unicode.Scalar, digits: [UInt8]) {
        let negative = value < 0
        var u = value.magnitude
        var precision = 0
        if flags.precisionPresent {
            precision = flags.precision
            // Precision 0 and value 0 print nothing but the padding.
            if precision == 0 && u == 0 {
                let zero = flags.zero
                flags.zero = false
                writePadding(flags.width)
                flags.zero = zero
                return
            }
        } else if flags.zero && !flags.minus && flags.widthPresent {
            precision = flags.width
            if negative || flags.plus || flags.space { precision -= 1 }
        }
        var reversed: [UInt8] = []
        while u >= base {
            reversed.append(digits[Int(u % base)])
            u /= base
        }
        reversed.append(digits[Int(u)])
        while reversed.count < precision { reversed.append(UInt8(ascii: "0")) }
        if flags.sharp {
            switch base {
            case 2: reversed += [UInt8(ascii: "b"), UInt8(ascii: "0")]
            case 8: if reversed.last != UInt8(ascii: "0") { reversed.append(UInt8(ascii: "0")) }
            case 16: reversed += [digits[16], UInt8(ascii: "0")]
            default: break
            }
        }
        if verb == "O" { reversed += [UInt8(ascii: "o"), UInt8(ascii: "0")] }
        if negative {
            reversed.append(UInt8(ascii: "-"))
        } else if flags.plus {
            reversed.append(UInt8(ascii: "+"))
        } else if flags.space {
            reversed.append(UInt8(ascii: " "))
        }
        padWithoutZero(reversed.reversed())
    }

    /// The string cut to the precision, counted in runes.
    func truncated(_ s: String) -> String {
        guard flags.precisionPresent else { return s }
        return String(s.unicodeScalars.prefix(flags.precision))
    }

    mutating func fmtS(_ s: String) { padString(truncated(s)) }

    /// `%x`/`%X` of a string: its bytes in hex; `#` adds `0x`, a space separates the bytes.
    mutating func fmtSx(_ s: String, digits: [UInt8]) {
        var length = s.utf8.count
        if flags.precisionPresent && flags.precision < length { length = flags.precision }
        var width = 2 * length
        guard width > 0 else {
            if flags.widthPresent { writePadding(flags.width) }
            return
        }
        if flags.space {
            if flags.sharp { width *= 2 }
            width += length - 1
        } else if flags.sharp {
            width += 2
        }
        if flags.widthPresent && flags.width > width && !flags.minus { writePadding(flags.width - width) }
        if flags.sharp { buffer += [UInt8(ascii: "0"), digits[16]] }
        for (i, c) in s.utf8.prefix(length).enumerated() {
            if flags.space && i > 0 {
                buffer.append(UInt8(ascii: " "))
                if flags.sharp { buffer += [UInt8(ascii: "0"), digits[16]] }
            }
            buffer += [digits[Int(c >> 4)], digits[Int(c & 0xF)]]
        }
        if flags.widthPresent && flags.width > width && flags.minus { writePadding(flags.width - width) }
    }

    /// `%q` of a string: Go-quoted, backquoted with `#` where possible, ASCII-only with `+`.
    mutating func fmtQ(_ s: String) {
        let s = truncated(s)
        if flags.sharp && GoFormat.canBackquote(s) { return padString("`" + s + "`") }
        padString(GoFormat.quote(s, asciiOnly: flags.plus))
    }

    /// `%c`: the code point as UTF-8 (U+FFFD when it is not one).
    mutating func fmtC(_ c: UInt64) {
        padString(String(GoFormat.rune(c)))
    }

    /// `%q` of an integer: a quoted rune.
    mutating func fmtQc(_ c: UInt64) { padString(GoFormat.quoteRune(c, asciiOnly: flags.plus)) }

    /// fmt's `fmtFloat`: strconv's text, then the sign, `#`, and zero padding as fmt applies them.
    mutating func formatFloat(_ v: Double, verb: Unicode.Scalar, precision defaultPrecision: Int) {
        let precision = flags.precisionPresent ? flags.precision : defaultPrecision
        let formatted = GoFloatText.format(v, verb: UInt8(ascii: verb), precision: precision)
        // num[0] is the sign: the one strconv wrote, or '+'.
        var num: [UInt8]
        if let first = formatted.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            num = formatted
        } else {
            num = [UInt8(ascii: "+")] + formatted
        }
        if flags.space && num[0] == UInt8(ascii: "+") && !flags.plus { num[0] = UInt8(ascii: " ") }
        if num.count > 1 && (num[1] == UInt8(ascii: "I") || num[1] == UInt8(ascii: "N")) {
            // Infinities and NaN are not zero-padded; NaN loses its sign unless asked for.
            if num[1] == UInt8(ascii: "N") && !flags.space && !flags.plus { num.removeFirst() }
            return padWithoutZero(num)
        }
        if flags.sharp && verb != "b" {
            num = Self.sharpened(num, verb: verb, precision: precision)
        }
        if flags.plus || num[0] != UInt8(ascii: "+") {
            if flags.zero && !flags.minus && flags.widthPresent && flags.width > num.count {
                buffer.append(num[0])
                writePadding(flags.width - num.count)
                buffer.append(contentsOf: num.dropFirst())
                return
            }
            return pad(num)
        }
        pad(Array(num.dropFirst()))
    }

    /// `#` on a float: a decimal point always, and `%g`'s trailing zeros kept.
    static func sharpened(_ input: [UInt8], verb: Unicode.Scalar, precision: Int) -> [UInt8] {
        var num = input
        var digits = 0
        if verb == "v" || verb == "g" || verb == "G" || verb == "x" {
            digits = precision == -1 ? 6 : precision
        }
        var tail: [UInt8] = []
        var hasDecimalPoint = false
        var sawNonzeroDigit = false
        var i = 1
        scan: while i < num.count {
            let c = num[i]
            switch c {
            case UInt8(ascii: "."):
                hasDecimalPoint = true
            case UInt8(ascii: "p"), UInt8(ascii: "P"):
                tail = Array(num[i...])
                num = Array(num[..<i])
                break scan
            case UInt8(ascii: "e") where verb != "x" && verb != "X",
                UInt8(ascii: "E") where verb != "x" && verb != "X":
                // An exponent, except in hex where e is a digit.
                tail = Array(num[i...])
                num = Array(num[..<i])
                break scan
            default:
                if c != UInt8(ascii: "0") { sawNonzeroDigit = true }
                if sawNonzeroDigit { digits -= 1 }
            }
            i += 1
        }
        if !hasDecimalPoint {
            if num.count == 2 && num[1] == UInt8(ascii: "0") { digits -= 1 }
            num.append(UInt8(ascii: "."))
        }
        while digits > 0 {
            num.append(UInt8(ascii: "0"))
            digits -= 1
        }
        return num + tail
    }
}

/// strconv's `AppendFloat(v, verb, precision, 64)` for the verbs fmt passes it.
enum GoFloatText {
    static func format(_ v: Double, verb: UInt8, precision: Int) -> [UInt8] {
        if v.isNaN { return Array("NaN".utf8) }
        if v.isInfinite { return Array((v < 0 ? "-Inf" : "+Inf").utf8) }
        switch verb {
        case UInt8(ascii: "b"): return binary(v)
        case UInt8(ascii: "x"), UInt8(ascii: "X"): return hex(v, precision: precision, upper: verb == UInt8(ascii: "X"))
        case UInt8(ascii: "g"), UInt8(ascii: "G"):
            let upper = verb == UInt8(ascii: "G")
            guard precision >= 0 else { return shortest(v, bitSize: 64, upper: upper) }
            return general(v, precision: precision, upper: upper)
        case UInt8(ascii: "e"), UInt8(ascii: "E"):
            return c(v, "%.\(precision)" + (verb == UInt8(ascii: "E") ? "E" : "e"))
        default:
            return c(v, "%.\(precision)f")
        }
    }

    /// `%g` with the shortest digits that read back as `v` (`strconv.FormatFloat(v, 'g', -1, bitSize)`),
    /// `v` finite.
    static func shortest(_ v: Double, bitSize: Int, upper: Bool) -> [UInt8] {
        guard v != 0 else { return g(v.sign == .minus, [], 0, precision: 0, shortest: true, upper: upper) }
        let (digits, point) = GoFormat.shortestDecimal(v, bitSize: bitSize)
        return g(
            v.sign == .minus, Array(digits.utf8), point, precision: digits.utf8.count, shortest: true, upper: upper)
    }

    /// C's `snprintf` of one double: glibc rounds the exact binary value half to even, as Go's
    /// strconv does, and spells `%e` and `%f` as Go does for finite numbers.
    static func c(_ v: Double, _ format: String) -> [UInt8] {
        let needed = withVaList([v]) { vsnprintf(nil, 0, format, $0) }
        guard needed >= 0 else { return [] }
        var buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = withVaList([v]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
        }
        return buffer.dropLast().map { UInt8(bitPattern: $0) }
    }

    /// `%g` with a precision: `precision` significant digits, rounded by C (trailing zeros dropped).
    static func general(_ v: Double, precision requested: Int, upper: Bool) -> [UInt8] {
        let precision = requested == 0 ? 1 : requested
        var digits: [UInt8] = []
        var point = 0
        if v != 0 {
            // "d.ddde±x": the digits rounded to `precision`, and the exponent.
            let text = c(v.magnitude, "%.\(precision - 1)e")
            guard let e = text.firstIndex(of: UInt8(ascii: "e")) else { return text }
            digits = text[..<e].filter { $0 != UInt8(ascii: ".") }
            point = (Int(String(decoding: text[(e + 1)...], as: UTF8.self)) ?? 0) + 1
            while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        }
        return g(v.sign == .minus, digits, point, precision: precision, shortest: false, upper: upper)
    }

    /// strconv's `formatDigits` for `%g` over decimal digits `0.DIGITS × 10^point`: exponent form
    /// when the exponent is below -4 or at least the precision (6 for the shortest digits).
    static func g(
        _ negative: Bool, _ digits: [UInt8], _ point: Int, precision requested: Int, shortest: Bool, upper: Bool
    ) -> [UInt8] {
        var precision = requested
        var eprec = precision
        if eprec > digits.count && digits.count >= point { eprec = digits.count }
        if shortest { eprec = 6 }
        let exponent = point - 1
        if exponent < -4 || exponent >= eprec {
            if precision > digits.count { precision = digits.count }
            return exponential(negative, digits, point, precision - 1, upper: upper)
        }
        if precision > point { precision = digits.count }
        return fixed(negative, digits, point, max(precision - point, 0))
    }

    /// strconv's `fmtE` over decimal digits `0.DIGITS × 10^point`.
    static func exponential(_ negative: Bool, _ d: [UInt8], _ point: Int, _ precision: Int, upper: Bool) -> [UInt8] {
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        out.append(d.first ?? UInt8(ascii: "0"))
        if precision > 0 {
            out.append(UInt8(ascii: "."))
            var i = 1
            let m = min(d.count, precision + 1)
            if i < m {
                out += d[i..<m]
                i = m
            }
            while i <= precision {
                out.append(UInt8(ascii: "0"))
                i += 1
            }
        }
        out.append(upper ? UInt8(ascii: "E") : UInt8(ascii: "e"))
        var exponent = d.isEmpty ? 0 : point - 1
        out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        exponent = abs(exponent)
        let text = Array(String(exponent).utf8)
        if text.count < 2 { out.append(UInt8(ascii: "0")) }
        return out + text
    }

    /// strconv's `fmtF` over decimal digits `0.DIGITS × 10^point`.
    static func fixed(_ negative: Bool, _ d: [UInt8], _ point: Int, _ precision: Int) -> [UInt8] {
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if point > 0 {
            let m = min(d.count, point)
            out += d[..<m]
            if m < point { out += repeatElement(UInt8(ascii: "0"), count: point - m) }
        } else {
            out.append(UInt8(ascii: "0"))
        }
        if precision > 0 {
            out.append(UInt8(ascii: "."))
            for i in 1...precision {
                let j = point + i - 1
                out.append(j >= 0 && j < d.count ? d[j] : UInt8(ascii: "0"))
            }
        }
        return out
    }

    /// The float's mantissa and binary exponent as strconv's `genericFtoa` takes them apart.
    static func parts(_ v: Double) -> (negative: Bool, mantissa: UInt64, exponent: Int) {
        let bits = v.bitPattern
        var exponent = Int((bits >> 52) & 0x7FF)
        var mantissa = bits & ((1 << 52) - 1)
        if exponent == 0 {
            exponent += 1
        } else {
            mantissa |= 1 << 52
        }
        return (bits >> 63 != 0, mantissa, exponent - 1023)
    }

    /// `%b`: `4503599627370496p-52`.
    static func binary(_ v: Double) -> [UInt8] {
        let (negative, mantissa, exponent) = parts(v)
        let e = exponent - 52
        return Array(((negative ? "-" : "") + String(mantissa) + "p" + (e >= 0 ? "+" : "") + String(e)).utf8)
    }

    /// `%x`: `0x1.8p+00`, rounded to `precision` hex digits when one is given (strconv's `fmtX`).
    static func hex(_ v: Double, precision: Int, upper: Bool) -> [UInt8] {
        var (negative, mantissa, exponent) = parts(v)
        if mantissa == 0 { exponent = 0 }
        mantissa <<= 60 - 52
        while mantissa != 0 && mantissa & (1 << 60) == 0 {
            mantissa <<= 1
            exponent -= 1
        }
        if precision >= 0 && precision < 15 {
            let shift = UInt64(precision * 4)
            let extra = (mantissa << shift) & ((1 << 60) - 1)
            mantissa >>= 60 - shift
            if extra | (mantissa & 1) > 1 << 59 { mantissa += 1 }
            mantissa <<= 60 - shift
            if mantissa & (1 << 61) != 0 {
                mantissa >>= 1
                exponent += 1
            }
        }
        let digits = upper ? upperDigits : lowerDigits
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        out += [
            UInt8(ascii: "0"), upper ? UInt8(ascii: "X") : UInt8(ascii: "x"),
            UInt8(ascii: "0") + UInt8((mantissa >> 60) & 1),
        ]
        mantissa <<= 4
        if precision < 0 && mantissa != 0 {
            out.append(UInt8(ascii: "."))
            while mantissa != 0 {
                out.append(digits[Int((mantissa >> 60) & 15)])
                mantissa <<= 4
            }
        } else if precision > 0 {
            out.append(UInt8(ascii: "."))
            for _ in 0..<precision {
                out.append(digits[Int((mantissa >> 60) & 15)])
                mantissa <<= 4
            }
        }
        out.append(upper ? UInt8(ascii: "P") : UInt8(ascii: "p"))
        out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let text = Array(String(abs(exponent)).utf8)
        if text.count < 2 { out.append(UInt8(ascii: "0")) }
        return out + text
    }
}
