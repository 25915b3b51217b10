/// Go's reading of UTF-8 (`unicode/utf8.DecodeRune`), which decides what Go's JSON decoder
/// and kubectl's input transform do with bytes that are not valid UTF-8.
///
/// Go never rejects such bytes: every byte that does not start a valid sequence becomes one
/// U+FFFD on its own (a truncated four-byte sequence is three replacement characters, not one
/// as Swift's `String(decoding:)` would make it).
public enum GoUTF8 {
    /// The scalar at `index` and its width in bytes, or nil where Go's `utf8.DecodeRune`
    /// returns `(RuneError, 1)`: a stray continuation byte, an overlong form, a surrogate, a
    /// value above U+10FFFF, or a sequence cut short.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (scalar: UInt32, width: Int)? {
        let count = bytes.count
        let b0 = bytes[index]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> UInt32? {
            let i = index + offset
            guard i < count, range.contains(bytes[i]) else { return nil }
            return UInt32(bytes[i] & 0x3F)
        }
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = continuation(1) else { return nil }
            return (UInt32(b0 & 0x1F) << 6 | c1, 2)
        case 0xE0...0xEF:
            // The second byte's range rules out overlong forms (E0) and surrogates (ED).
            let second: ClosedRange<UInt8> = b0 == 0xE0 ? 0xA0...0xBF : (b0 == 0xED ? 0x80...0x9F : 0x80...0xBF)
            guard let c1 = continuation(1, second), let c2 = continuation(2) else { return nil }
            return (UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2, 3)
        case 0xF0...0xF4:
            // F0 must not be overlong; F4 must not pass U+10FFFF.
            let second: ClosedRange<UInt8> = b0 == 0xF0 ? 0x90...0xBF : (b0 == 0xF4 ? 0x80...0x8F : 0x80...0xBF)
            guard let c1 = continuation(1, second), let c2 = continuation(2), let c3 = continuation(3) else {
                return nil
            }
            return (UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4)
        default:
            return nil
        }
    }

    /// The bytes with every byte Go's decoder rejects replaced by U+FFFD (`EF BF BD`), as
    /// golang.org/x/text's UTF-8 decoder does; valid input is returned unchanged.
    public static func repaired(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            // Fast path: find the first invalid byte, if any.
            while index < buffer.count {
                if buffer[index] < 0x80 {
                    index += 1
                } else if let (_, width) = decode(buffer, at: index) {
                    index += width
                } else {
                    break
                }
            }
            if index == buffer.count { return bytes }
            var out = Array(buffer[0..<index])
            out.reserveCapacity(buffer.count + 16)
            while index < buffer.count {
                if buffer[index] < 0x80 {
                    out.append(buffer[index])
                    index += 1
                } else if let (_, width) = decode(buffer, at: index) {
                    out.append(contentsOf: buffer[index..<index + width])
                    index += width
                } else {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    index += 1
                }
            }
            return out
        }
    }

    /// Go's `strconv.Quote` of one byte taken as a rune, between single quotes: how
    /// `encoding/json` names the character in a syntax error (`'x'`, `'\t'`, `'\x01'`, `'ï'`
    /// for the first byte of a BOM, `'\u00a0'`).
    public static func quoteChar(_ c: UInt8) -> String {
        switch c {
        case UInt8(ascii: "'"): return #"'\''"#
        case UInt8(ascii: "\""): return #"'"'"#
        case UInt8(ascii: "\\"): return #"'\\'"#
        case 0x07: return #"'\a'"#
        case 0x08: return #"'\b'"#
        case 0x0C: return #"'\f'"#
        case 0x0A: return #"'\n'"#
        case 0x0D: return #"'\r'"#
        case 0x09: return #"'\t'"#
        case 0x0B: return #"'\v'"#
        case 0x20...0x7E, 0xA1...0xAC, 0xAE...0xFF:
            // Printable: Go writes the character itself (bytes above 0x7F as Latin-1 letters).
            return "'" + String(Character(Unicode.Scalar(c))) + "'"
        case 0x00..<0x20, 0x7F:
            return #"'\x"# + hex(c, width: 2) + "'"
        default:
            // U+0080–U+009F, U+00A0 and U+00AD are not printable for strconv.
            return #"'\u"# + hex(c, width: 4) + "'"
        }
    }

    private static func hex(_ value: UInt8, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
