import GoCompat

extension GoFormat {
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

    /// How kube-apiserver prints a bad value in a field error: `%v` for scalars, `%#v` for
    /// arrays and objects (`[]interface {}{...}`, `map[string]interface {}{...}`).
    public static func plain(_ value: JSONValue) -> String {
        switch value {
        case .array, .object: return goSyntax(value)
        default: return self.value(value)
        }
    }
}
