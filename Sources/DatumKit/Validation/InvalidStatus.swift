import DatumJSON
import GoCompat

/// The HTTP 422 `Status` kube-apiserver returns for an invalid object
/// (`apierrors.NewInvalid`): message, causes and the full Status object.
public struct InvalidStatus: Sendable, Hashable {
    /// One `details.causes[]` entry.
    public struct Cause: Sendable, Hashable {
        /// `FieldValueInvalid`, `FieldValueRequired`, ... (JSON key `reason`).
        public var reason: String
        /// The error body, without the field.
        public var message: String
        public var field: String
    }

    public var group: String
    public var kind: String
    public var name: String
    /// `BackendTLSPolicy.gateway.networking.k8s.io "x" is invalid: <aggregate>`.
    public var message: String
    /// One per field error, duplicates included (only the message de-duplicates).
    public var causes: [Cause]

    public init(group: String, kind: String, name: String, errors: [FieldError]) {
        self.group = group
        self.kind = kind
        self.name = name
        self.causes = errors.map { Cause(reason: $0.type.rawValue, message: $0.body, field: $0.field) }
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        let aggregate = InvalidStatus.aggregate(errors)
        if aggregate.isEmpty {
            message = "\(qualifiedKind) \(GoFormat.quote(name)) is invalid"
        } else {
            message = "\(qualifiedKind) \(GoFormat.quote(name)) is invalid: \(aggregate)"
        }
    }

    /// The 422 for an object of a CRD's kind.
    public init(descriptor: CRDDescriptor, name: String, errors: [FieldError]) {
        self.init(group: descriptor.group, kind: descriptor.names.kind, name: name, errors: errors)
    }

    /// The rendering of `ErrorList.ToAggregate()`: messages de-duplicated in
    /// order; one error alone, several as `[a, b]`.
    public static func aggregate(_ errors: [FieldError]) -> String {
        var seen = Set<String>()
        var messages: [String] = []
        for error in errors {
            let text = error.description
            if seen.insert(text).inserted { messages.append(text) }
        }
        switch messages.count {
        case 0: return ""
        case 1: return messages[0]
        default: return "[" + messages.joined(separator: ", ") + "]"
        }
    }

    /// The `Status` body as the server serializes it (empty fields omitted).
    public var statusObject: JSONValue {
        var details = JSONObject()
        if !name.isEmpty { details["name"] = .string(name) }
        if !group.isEmpty { details["group"] = .string(group) }
        details["kind"] = .string(kind)
        if !causes.isEmpty {
            details["causes"] = .array(
                causes.map { cause in
                    var o = JSONObject()
                    if !cause.reason.isEmpty { o["reason"] = .string(cause.reason) }
                    if !cause.message.isEmpty { o["message"] = .string(cause.message) }
                    if !cause.field.isEmpty { o["field"] = .string(cause.field) }
                    return .object(o)
                })
        }
        return [
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": .object(JSONObject()),
            "status": "Failure",
            "message": .string(message),
            "reason": "Invalid",
            "details": .object(details),
            "code": 422,
        ]
    }
}
