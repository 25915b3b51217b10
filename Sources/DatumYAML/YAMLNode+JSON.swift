import DatumJSON
import GoCompat

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
            guard let bytes = Base64.standard.decoded(text) else {
                throw YAMLError(kind: .conversion, mark: start, message: "!!binary value contains invalid base64 data")
            }
            return .string(String(decoding: GoUTF8.repaired(bytes), as: UTF8.self))
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
