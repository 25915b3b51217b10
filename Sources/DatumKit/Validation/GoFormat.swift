import DatumJSON

extension GoFormat {
    /// How kube-apiserver prints a bad value in a field error: `%v` for scalars, `%#v` for
    /// arrays and objects (`[]interface {}{...}`, `map[string]interface {}{...}`).
    public static func plain(_ value: JSONValue) -> String {
        switch value {
        case .array, .object: return goSyntax(value)
        default: return self.value(value)
        }
    }
}
