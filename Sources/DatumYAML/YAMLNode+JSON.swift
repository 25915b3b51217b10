import DatumJSON

extension YAMLNode {
    /// The node as JSON, exactly as sigs.k8s.io/yaml's `YAMLToJSON` (go-yaml v2, YAML 1.1)
    /// followed by Kubernetes' JSON decoding would produce it.
    ///
    /// Integral floats become integers (`1.0` → `1`) because Go prints them without a
    /// fraction and Kubernetes reads such numbers back as `int64`. Errors carry the
    /// node's mark but no source; ``YAMLSource/locate(_:)`` adds it.
    public func jsonValue() throws(YAMLError) -> JSONValue {
        switch content {
        case .scalar(let text, let style):
            return try YAMLNode.jsonScalar(try resolve(text: text, style: style), at: start)
        case .sequence(let items):
            var array: [JSONValue] = []
            array.reserveCapacity(items.count)
            for item in items { array.append(try item.jsonValue()) }
            return .array(array)
        case .mapping:
            return .object(try jsonObject())
        }
    }

    /// go-yaml v2's resolution of any plain scalar, as JSON (`yes` → `true`, `0x1F` → `31`,
    /// `2001-12-14` → `"2001-12-14"`, `1.0` → `1`). `.inf` and `.nan` give non-finite doubles
    /// here; ``jsonValue()`` rejects them because JSON cannot hold them.
    public static func resolvePlainScalar(_ text: String) -> JSONValue {
        switch GoYAMLResolver.resolvePlain(text) {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u): return .double(Double(u))
        case .float(let d): return d.isFinite ? canonicalNumber(d) : .double(d)
        case .string(let s), .timestamp(let s): return .string(s)
        }
    }

    /// A float as it comes back from Go's JSON text: integral values that Go prints without
    /// fraction or exponent decode as `int64`.
    static func canonicalNumber(_ value: Double) -> JSONValue {
        let text = GoJSONEncoder.formatFloat(value)
        if let integer = Int64(text) { return .int(integer) }
        return .double(value)
    }

    private static func jsonScalar(_ scalar: GoScalar, at mark: YAMLMark) throws(YAMLError) -> JSONValue {
        switch scalar {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u): return .double(Double(u))
        case .float(let d):
            guard d.isFinite else {
                let shown = d.isNaN ? "NaN" : (d < 0 ? "-Inf" : "+Inf")
                throw YAMLError(kind: .conversion, mark: mark, message: "json: unsupported value: \(shown)")
            }
            return canonicalNumber(d)
        case .string(let s), .timestamp(let s): return .string(s)
        }
    }

    /// go-yaml v2 `decoder.scalar` + `resolve(tag, value)`: quoted scalars are strings unless
    /// tagged, known tags must fit their value, unknown tags leave the text as a string.
    func resolve(text: String, style: YAMLScalarStyle) throws(YAMLError) -> GoScalar {
        guard let tag else {
            return style == .plain ? GoYAMLResolver.resolvePlain(text) : .string(text)
        }
        switch tag {
        case GoYAMLTag.str:
            return .string(text)
        case GoYAMLTag.binary:
            guard let bytes = Base64.decodeGo(text) else {
                throw YAMLError(kind: .conversion, mark: start, message: "!!binary value contains invalid base64 data")
            }
            return .string(GoStrings.jsonSafeString(bytes))
        case GoYAMLTag.bool, GoYAMLTag.int, GoYAMLTag.float, GoYAMLTag.null, GoYAMLTag.timestamp:
            let resolved = GoYAMLResolver.resolvePlain(text)
            switch (tag, resolved) {
            case (GoYAMLTag.bool, .bool), (GoYAMLTag.null, .null), (GoYAMLTag.float, .float),
                (GoYAMLTag.timestamp, .timestamp), (GoYAMLTag.int, .int), (GoYAMLTag.int, .uint):
                return resolved
            case (GoYAMLTag.float, .int(let i)):
                return .float(Double(i))
            default:
                // Only an untagged or !!timestamp scalar is tried as a timestamp.
                var found = resolved
                if case .timestamp(let s) = resolved { found = .string(s) }
                throw YAMLError(
                    kind: .conversion, mark: start,
                    message:
                        "cannot decode \(GoYAMLResolver.shortTagName(of: found)) `\(text)` as a \(GoYAMLTag.short(tag))"
                )
            }
        default:
            return .string(text)
        }
    }

    /// The JSON object of a mapping node, applying `<<` merges in document order as go-yaml v2
    /// does (a merge overrides keys set before it; later keys override merged ones).
    func jsonObject() throws(YAMLError) -> JSONObject {
        guard case .mapping(let pairs) = content else {
            throw YAMLError(
                kind: .conversion, mark: start, message: "map merge requires map or sequence of maps as the value")
        }
        var object = JSONObject()
        for pair in pairs {
            if pair.key.isMergeKey {
                try pair.value.merge(into: &object)
                continue
            }
            let key = try pair.key.jsonKey()
            object[key] = try pair.value.jsonValue()
        }
        return object
    }

    private func merge(into object: inout JSONObject) throws(YAMLError) {
        switch content {
        case .mapping:
            for (key, value) in try jsonObject() { object[key] = value }
        case .sequence(let items):
            // Earlier maps take precedence, so apply them last.
            for item in items.reversed() {
                guard case .mapping = item.content else {
                    throw YAMLError(
                        kind: .conversion, mark: item.start,
                        message: "map merge requires map or sequence of maps as the value")
                }
                for (key, value) in try item.jsonObject() { object[key] = value }
            }
        case .scalar:
            throw YAMLError(
                kind: .conversion, mark: start, message: "map merge requires map or sequence of maps as the value")
        }
    }

    /// A plain `<<` (or `!!merge <<`) key.
    var isMergeKey: Bool {
        guard case .scalar(let text, let style) = content, text == "<<" else { return false }
        return (tag == nil && style == .plain) || tag == GoYAMLTag.merge
    }

    /// The JSON key for a mapping key node, converted as sigs.k8s.io/yaml does:
    /// ints in decimal, floats with 32-bit `%g`, booleans as `true`/`false`.
    func jsonKey() throws(YAMLError) -> String {
        guard case .scalar(let text, let style) = content else {
            throw YAMLError(
                kind: .conversion, mark: start, message: "invalid map key: a key must be a scalar, not a collection")
        }
        switch try resolve(text: text, style: style) {
        case .string(let s), .timestamp(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .float(let d):
            switch GoFormat.formatFloat(d, bitSize: 32) {
            case "+Inf": return ".inf"
            case "-Inf": return "-.inf"
            case "NaN": return ".nan"
            case let s: return s
            }
        case .null:
            throw YAMLError(kind: .conversion, mark: start, message: "unsupported map key: null keys have no JSON form")
        case .uint:
            throw YAMLError(
                kind: .conversion, mark: start, message: "unsupported map key: integer \(text) does not fit in int64")
        }
    }

    /// The JSON key to compare for duplicates; nil for merge keys and keys that have none.
    var duplicateCheckName: String? {
        // Fast path: untagged keys that cannot resolve to anything but a string.
        if tag == nil, case .scalar(let text, let style) = content {
            if style != .plain { return text }
            if let first = text.utf8.first, !GoYAMLResolver.mayResolveToNonString(first: first) { return text }
        }
        return isMergeKey ? nil : jsonKeyIfValid
    }

    /// The JSON key if the node converts to one, for duplicate detection and path lookups.
    var jsonKeyIfValid: String? {
        do {
            return try jsonKey()
        } catch {
            return nil
        }
    }
}

extension GoYAMLResolver {
    /// go-yaml's short name for what a scalar resolved to, for "cannot decode" messages.
    static func shortTagName(of scalar: GoScalar) -> String {
        switch scalar {
        case .null: return "!!null"
        case .bool: return "!!bool"
        case .int, .uint: return "!!int"
        case .float: return "!!float"
        case .string: return "!!str"
        case .timestamp: return "!!timestamp"
        }
    }
}

/// Go's `encoding/base64.StdEncoding`: the one base64 of the project (YAML's `!!binary`, config
/// `certificate-authority-data`, the sandbox's continue tokens and protobuf bytes).
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `EncodeToString`: the standard alphabet, padded.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `DecodeString`: padded standard alphabet, CR and LF ignored; nil for anything Go refuses.
    public static func decodeGo(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case 0x0A, 0x0D: continue
            case UInt8(ascii: "="):
                padding += 1
                values.append(0)
            default:
                guard padding == 0, let v = sextet(byte) else { return nil }
                values.append(v)
            }
        }
        guard values.count % 4 == 0, padding <= 2 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count / 4 * 3)
        var i = 0
        while i < values.count {
            let n =
                UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12 | UInt32(values[i + 2]) << 6
                | UInt32(values[i + 3])
            out.append(UInt8(n >> 16 & 0xFF))
            out.append(UInt8(n >> 8 & 0xFF))
            out.append(UInt8(n & 0xFF))
            i += 4
        }
        // Padding may only end the input, and the bits it hides must be zero (Go is strict).
        if padding > 0 {
            let lastBlock = values.count - 4
            if padding == 2, values[lastBlock + 1] & 0x0F != 0 { return nil }
            if padding == 1, values[lastBlock + 2] & 0x03 != 0 { return nil }
            out.removeLast(padding)
        }
        return out
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}

enum GoStrings {
    /// Bytes as Go's JSON encoder writes a string: each byte of an invalid UTF-8 sequence
    /// becomes one U+FFFD.
    static func jsonSafeString(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            if let (scalar, width) = decodeRune(bytes, at: i) {
                scalars.append(scalar)
                i += width
            } else {
                scalars.append("\u{FFFD}")
                i += 1
            }
        }
        return String(scalars)
    }

    /// Go's `utf8.DecodeRune` for a valid sequence; nil where Go reports `RuneError, 1`.
    private static func decodeRune(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let b0 = b[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        func cont(_ j: Int) -> UInt32? {
            j < b.count && b[j] & 0xC0 == 0x80 ? UInt32(b[j] & 0x3F) : nil
        }
        var value: UInt32
        var width: Int
        var minimum: UInt32
        switch b0 {
        case 0xC2...0xDF: (value, width, minimum) = (UInt32(b0 & 0x1F), 2, 0x80)
        case 0xE0...0xEF: (value, width, minimum) = (UInt32(b0 & 0x0F), 3, 0x800)
        case 0xF0...0xF4: (value, width, minimum) = (UInt32(b0 & 0x07), 4, 0x10000)
        default: return nil
        }
        for k in 1..<width {
            guard let c = cont(i + k) else { return nil }
            value = value << 6 | c
        }
        guard value >= minimum, value <= 0x10FFFF, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, width)
    }
}
