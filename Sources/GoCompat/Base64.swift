/// Go's `encoding/base64`: the one base64 of the project.
///
/// - `standard` is `base64.StdEncoding`, as YAML's `!!binary`, JSON `[]byte` fields (a kubeconfig's
///   `certificate-authority-data`), kubectl's `base64decode` template function and the sandbox's
///   continue tokens use it.
/// - `rawURL` is `base64.RawURLEncoding` (RFC 4648 §5 without padding), as JWS, JWK and PKCE use it;
///   `rawURL.strict()` additionally refuses stray bits in the last character, as a verifier should.
///
/// Decoding follows Go's `Decode` byte for byte: CR and LF are skipped anywhere, padding may only end
/// the input, and a failure names the offset Go's `CorruptInputError` names
/// (`illegal base64 data at input byte 4`). Without `strict()`, as in Go, the bits the last
/// character carries beyond the data are ignored (`YR==` decodes to `a`).
public struct Base64: Sendable {
    /// Go's `CorruptInputError`: the input is not base64 from this byte offset on.
    public struct CorruptInputError: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public init(offset: Int) { self.offset = offset }
        public var description: String { "illegal base64 data at input byte \(offset)" }
    }

    /// `base64.StdEncoding`: `A–Z a–z 0–9 + /`, padded with `=`.
    public static let standard = Base64(
        alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", padded: true)
    /// `base64.RawURLEncoding`: `A–Z a–z 0–9 - _`, unpadded.
    public static let rawURL = Base64(
        alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", padded: false)

    private let alphabet: [UInt8]
    private let values: [UInt8]
    private let padded: Bool
    private var isStrict: Bool

    private init(alphabet: String, padded: Bool, strict: Bool = false) {
        self.alphabet = Array(alphabet.utf8)
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in self.alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        self.values = table
        self.padded = padded
        self.isStrict = strict
    }

    /// Go's `Encoding.Strict()`: the same encoding, refusing non-zero padding bits.
    public func strict() -> Base64 {
        var copy = self
        copy.isStrict = true
        return copy
    }

    /// `EncodeToString`.
    public func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let value = b0 << 16 | b1 << 8 | b2
            let characters = min(remaining, 3) + 1
            for k in 0..<characters { out.append(alphabet[Int(value >> UInt32(18 - 6 * k) & 63)]) }
            if padded { for _ in characters..<4 { out.append(UInt8(ascii: "=")) } }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    public func encode(_ text: String) -> String { encode(Array(text.utf8)) }

    /// `DecodeString`: the bytes, or where Go stops.
    public func decode(_ text: some StringProtocol) -> Result<[UInt8], CorruptInputError> {
        let source = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(source.count / 4 * 3 + 2)
        var index = 0
        while index < source.count {
            switch decodeQuantum(source, from: index, into: &out) {
            case .success(let next): index = next
            case .failure(let error): return .failure(error)
            }
        }
        return .success(out)
    }

    /// The bytes, or nil where Go's `DecodeString` returns an error.
    public func decoded(_ text: some StringProtocol) -> [UInt8]? {
        try? decode(text).get()
    }

    /// One group of up to four characters (Go's `decodeQuantum`), appending its bytes; the index
    /// after it, or the error.
    private func decodeQuantum(_ source: [UInt8], from start: Int, into out: inout [UInt8]) -> Result<
        Int, CorruptInputError
    > {
        var sextets: [UInt32] = [0, 0, 0, 0]
        var count = 4
        var index = start
        var trailing: CorruptInputError?
        var j = 0
        quantum: while j < 4 {
            if index == source.count {
                if j == 0 { return .success(index) }
                if j == 1 || padded { return .failure(CorruptInputError(offset: index - j)) }
                count = j
                break quantum
            }
            let byte = source[index]
            index += 1
            let value = values[Int(byte)]
            if value != 0xFF {
                sextets[j] = UInt32(value)
                j += 1
                continue
            }
            if byte == 0x0A || byte == 0x0D { continue }
            guard padded, byte == UInt8(ascii: "=") else { return .failure(CorruptInputError(offset: index - 1)) }
            // Padding: it must come after two or three characters, and end the input.
            if j < 2 { return .failure(CorruptInputError(offset: index - 1)) }
            if j == 2 {
                while index < source.count && (source[index] == 0x0A || source[index] == 0x0D) { index += 1 }
                if index == source.count { return .failure(CorruptInputError(offset: source.count)) }
                if source[index] != UInt8(ascii: "=") { return .failure(CorruptInputError(offset: index - 1)) }
                index += 1
            }
            while index < source.count && (source[index] == 0x0A || source[index] == 0x0D) { index += 1 }
            if index < source.count { trailing = CorruptInputError(offset: index) }
            count = j
            break quantum
        }
        let value = sextets[0] << 18 | sextets[1] << 12 | sextets[2] << 6 | sextets[3]
        let bytes = [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        if isStrict {
            // The bits after the data must be zero; Go names the last (or second-last) character.
            if count == 3 && bytes[2] != 0 { return .failure(CorruptInputError(offset: index - 1)) }
            if count == 2 && (bytes[1] != 0 || bytes[2] != 0) {
                return .failure(CorruptInputError(offset: index - 2))
            }
        }
        out.append(contentsOf: bytes[0..<(count - 1)])
        if let trailing { return .failure(trailing) }
        return .success(index)
    }
}
