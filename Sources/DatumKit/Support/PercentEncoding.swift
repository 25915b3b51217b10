/// RFC 3986 percent-encoding, shared by the client (URLs it builds, the sign-in callback it reads)
/// and the sandbox (query strings it reads, redirects it builds).
public enum PercentEncoding {
    /// Letters, digits and `-._~`.
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `%XX` (upper-case hex) for every UTF-8 byte `allowing` rejects.
    public static func encode(_ s: String, allowing: (UInt8) -> Bool) -> String {
        guard !s.utf8.allSatisfy(allowing) else { return s }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count * 3)
        for byte in s.utf8 {
            if allowing(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A query key or value: everything but the unreserved characters is encoded.
    public static func encodeQueryComponent(_ s: String) -> String {
        encode(s, allowing: isUnreserved)
    }

    /// A query key or value: `%XX` decoded and `+` read as a space (form encoding, which client-go's
    /// query strings use); a `%` without two hex digits stays as it is.
    public static func decodeQueryComponent(_ text: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%"), bytes.count >= 2,
                let hi = hexValue(bytes[bytes.startIndex]), let lo = hexValue(bytes[bytes.startIndex + 1])
            {
                out.append(hi << 4 | lo)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        case 97...102: return b - 87
        default: return nil
        }
    }
}
