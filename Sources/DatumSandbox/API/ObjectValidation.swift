import DatumJSON
import DatumKit

/// What the server needs from a validation engine, so the engine can be swapped in one place.
public protocol ObjectValidating: Sendable {
    /// Decoding as the API server does before anything else: the object with undeclared fields
    /// pruned (and schema defaults applied), and the dotted paths of the fields it dropped.
    func normalize(_ object: JSONObject, of type: ResourceType) -> (object: JSONObject, unknownFields: [String])
    /// Full validation of the object as it will be stored (`old` for updates), or the error to answer.
    func validate(_ object: JSONObject, old: JSONObject?, of type: ResourceType, subresource: String?) -> APIError?
}

/// DatumKit's engine: the CRD schema, CEL rules and ObjectMeta checks the `datumctl` client
/// uses too, so client and server can never disagree on what is valid.
public struct DatumKitValidation: ObjectValidating {
    public init() {}

    /// The schema a type is validated against: the Gateway API CRD, Milo's, or none.
    private func model(for type: ResourceType) -> CRDModel? {
        if type == ResourceCatalog.backendTLSPolicies {
            return ServedCRDs.backendTLSPolicy
        }
        return MiloResources.model(for: type)
    }

    private static let knownMetadata = Set(ObjectMetaValidation.knownFields)

    public func normalize(_ object: JSONObject, of type: ResourceType) -> (object: JSONObject, unknownFields: [String])
    {
        var unknown: [String] = []
        var result = object
        if let model = model(for: type) {
            let (decoded, fields) = SchemaNormalization.decode(.object(object), schema: model.schema)
            if case .object(let pruned) = decoded { result = pruned }
            unknown = fields
        }
        // ObjectMeta is a typed struct on every kind: unknown keys there are dropped too.
        if var metadata = result["metadata"]?.objectValue {
            let extra = metadata.keys.filter { !Self.knownMetadata.contains($0) }
            for key in extra {
                unknown.append("metadata.\(key)")
                metadata[key] = nil
            }
            if !extra.isEmpty { result["metadata"] = .object(metadata) }
        }
        return (result, unknown)
    }

    public func validate(_ object: JSONObject, old: JSONObject?, of type: ResourceType, subresource: String?)
        -> APIError?
    {
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let errors: [FieldError]
        if let old, Self.sameContent(object, old) {
            // Only metadata changed: spec and status were validated when the stored object was
            // written, and the schema never changes while the server runs, so only ObjectMeta is checked.
            errors = ObjectMetaValidation.validateUpdate(object["metadata"], old: old["metadata"])
        } else if let model = model(for: type) {
            let mode: ValidationMode = subresource == "status" ? .status : (old == nil ? .create : .update)
            let result = model.validator.validate(
                .object(object), against: model.schema, mode: mode, old: old.map(JSONValue.object))
            if let problem = result.decodeErrors.first { return APIError.badRequest(problem) }
            errors = result.errors
        } else if let old {
            errors = ObjectMetaValidation.validateUpdate(object["metadata"], old: old["metadata"])
        } else {
            errors = ObjectMetaValidation.validate(object["metadata"], namespaced: type.namespaced)
        }
        guard !errors.isEmpty else { return nil }
        return APIError(invalid: InvalidStatus(group: type.group, kind: type.kind, name: name, errors: errors))
    }
}

extension DatumKitValidation {
    /// Whether everything but `metadata` is equal.
    static func sameContent(_ a: JSONObject, _ b: JSONObject) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in a where key != "metadata" {
            if b[key] != value { return false }
        }
        return true
    }
}

/// Picks the validation engine the server uses.
public enum SandboxValidation {
    public static let engine: any ObjectValidating = DatumKitValidation()
}
