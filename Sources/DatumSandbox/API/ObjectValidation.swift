import DatumJSON

/// What the server needs from a validation engine, so the engine can be swapped in one place.
///
/// The real implementation is DatumKit's (schema + CEL + ObjectMeta rules), so the client and
/// the sandbox can never disagree on what is valid. `SandboxValidation.engine` picks it.
public protocol ObjectValidating: Sendable {
    /// Dotted paths (`spec.foo`, `spec.targetRefs[0].bar`) of fields the schema does not declare.
    func unknownFields(in object: JSONObject, of type: ResourceType) -> [String]
    /// The object with undeclared fields removed (structural pruning).
    func pruned(_ object: JSONObject, of type: ResourceType) -> JSONObject
    /// Field errors for a create (`old == nil`) or an update, in the order the API server reports them.
    func validate(_ object: JSONObject, old: JSONObject?, of type: ResourceType) -> [StatusCause]
}

/// Picks the validation engine the server uses.
public enum SandboxValidation {
    public static let engine: any ObjectValidating = MinimalValidation()
}

/// The checks the API server itself makes before any schema: object names (ObjectMeta rules).
///
/// Seam: DatumKit's `SchemaValidator` is not on `main` yet; when it lands, an adapter
/// conforming to ``ObjectValidating`` replaces this type in ``SandboxValidation/engine``.
struct MinimalValidation: ObjectValidating {
    func unknownFields(in object: JSONObject, of type: ResourceType) -> [String] { [] }

    func pruned(_ object: JSONObject, of type: ResourceType) -> JSONObject { object }

    func validate(_ object: JSONObject, old: JSONObject?, of type: ResourceType) -> [StatusCause] {
        var causes: [StatusCause] = []
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        if !name.isEmpty, let problem = NameRules.dns1123SubdomainProblem(name) {
            causes.append(StatusCause(type: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(problem)", field: "metadata.name"))
        }
        return causes
    }
}

/// Kubernetes' object-name rules (apimachinery `validation.IsDNS1123Subdomain`).
enum NameRules {
    static func dns1123SubdomainProblem(_ name: String) -> String? {
        if name.utf8.count > 253 { return "must be no more than 253 characters" }
        let bytes = Array(name.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        var ok = !bytes.isEmpty
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            let l = Array(label.utf8)
            guard let first = l.first, let last = l.last, alnum(first), alnum(last),
                l.allSatisfy({ alnum($0) || $0 == UInt8(ascii: "-") })
            else {
                ok = false
                break
            }
        }
        if ok { return nil }
        return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
            + "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    }
}
