import GoCompat

extension JSONValue: GoFormattable {
    /// What Go's `json.Unmarshal` into `interface{}` makes of the value (integers as kubectl's
    /// unstructured objects keep them, `int64`).
    public var goDynamic: GoDynamic<JSONValue> {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int64(i)
        case .double(let d): return .float64(d)
        case .string(let s): return .string(s)
        case .array(let items): return .slice(items)
        case .object(let object): return .map(Array(object))
        }
    }
}

extension GoFormat {
    /// `fmt.Sprint(v)` / `%v` of a value decoded from JSON into `interface{}`:
    /// `[a b]`, `map[k:v]` (keys sorted, as fmt sorts map keys), `<nil>`.
    public static func value(_ v: JSONValue) -> String {
        switch v {
        // The common scalars without the printer.
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return GoSprintf.sprint(v)
        }
    }

    /// `%#v` of a value decoded into Go's `interface{}`:
    /// `map[string]interface {}{"a":1}`, `[]interface {}{"x"}`, `interface {}(nil)`.
    public static func goSyntax(_ value: JSONValue) -> String {
        // fmt prints a nil interface{} argument as <nil>; inside a value it is interface {}(nil).
        if case .null = value { return "interface {}(nil)" }
        return GoSprintf.goSyntax(value)
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
