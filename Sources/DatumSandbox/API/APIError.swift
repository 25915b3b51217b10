import DatumJSON
import DatumKit

/// One entry of a `Status`'s `details.causes`.
public struct StatusCause: Sendable, Equatable {
    public var type: String
    public var message: String
    public var field: String

    public init(type: String, message: String, field: String) {
        self.type = type
        self.message = message
        self.field = field
    }
}

/// A failed request, rendered as a Kubernetes `Status` object.
public struct APIError: Error, Sendable, Equatable {
    public var code: Int
    public var reason: String
    public var message: String
    public var detailsName: String?
    public var detailsGroup: String?
    public var detailsKind: String?
    public var causes: [StatusCause]

    public init(
        code: Int, reason: String, message: String, name: String? = nil, group: String? = nil,
        kind: String? = nil, causes: [StatusCause] = []
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.detailsName = name
        self.detailsGroup = group
        self.detailsKind = kind
        self.causes = causes
    }

    /// The `Status` object, keys in kube-apiserver's order.
    public var status: JSONValue {
        var object: JSONObject = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:])]
        object["status"] = "Failure"
        object["message"] = .string(message)
        object["reason"] = .string(reason)
        var details = JSONObject()
        if let detailsName { details["name"] = .string(detailsName) }
        if let detailsGroup, !detailsGroup.isEmpty { details["group"] = .string(detailsGroup) }
        if let detailsKind { details["kind"] = .string(detailsKind) }
        if !causes.isEmpty {
            details["causes"] = .array(
                causes.map { cause in
                    var c = JSONObject()
                    c["reason"] = .string(cause.type)
                    c["message"] = .string(cause.message)
                    if !cause.field.isEmpty { c["field"] = .string(cause.field) }
                    return .object(c)
                })
        }
        if !details.isEmpty { object["details"] = .object(details) }
        object["code"] = .int(Int64(code))
        return .object(object)
    }

    // MARK: Constructors worded like k8s.io/apimachinery/pkg/api/errors

    public static func notFound(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(type.qualifiedName) \"\(name)\" not found", name: name,
            group: type.group, kind: type.plural)
    }

    public static func namespaceNotFound(_ namespace: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found", name: namespace,
            kind: "namespaces")
    }

    public static func alreadyExists(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(type.qualifiedName) \"\(name)\" already exists",
            name: name, group: type.group, kind: type.plural)
    }

    public static func conflict(_ type: ResourceType, _ name: String, _ detail: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(type.qualifiedName) \"\(name)\": \(detail)", name: name,
            group: type.group, kind: type.plural)
    }

    public static func modified(_ type: ResourceType, _ name: String) -> APIError {
        conflict(
            type, name, "the object has been modified; please apply your changes to the latest version and try again")
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    /// 422 Invalid, worded by DatumKit exactly as kube-apiserver words field errors; an empty
    /// name is left out of `details`, as Go's `omitempty` does.
    public init(invalid status: InvalidStatus) {
        self.init(
            code: 422, reason: "Invalid", message: status.message, name: status.name.isEmpty ? nil : status.name,
            group: status.group, kind: status.kind,
            causes: status.causes.map { StatusCause(type: $0.reason, message: $0.message, field: $0.field) })
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func forbiddenProject(_ project: String, user: String) -> APIError {
        APIError(
            code: 403, reason: "Forbidden",
            message:
                "projects.resourcemanager.miloapis.com \"\(project)\" is forbidden: User \"\(user)\" cannot access project \"\(project)\"",
            name: project, group: "resourcemanager.miloapis.com", kind: "projects")
    }

    /// `<resource> "<name>" is forbidden: User "<user>" <reason>`, kube's wording for RBAC
    /// denials; without a resource, `forbidden: User "<user>" <reason>` (a non-resource path).
    public static func forbidden(resource: String?, name: String, user: String, reason: String) -> APIError {
        guard let resource else {
            return APIError(code: 403, reason: "Forbidden", message: "forbidden: User \"\(user)\" \(reason)")
        }
        let dot = resource.firstIndex(of: ".")
        let group = dot.map { String(resource[resource.index(after: $0)...]) } ?? ""
        let kind = dot.map { String(resource[..<$0]) } ?? resource
        return APIError(
            code: 403, reason: "Forbidden", message: "\(resource) \"\(name)\" is forbidden: User \"\(user)\" \(reason)",
            name: name, group: group, kind: kind)
    }

    public static let methodNotAllowed = APIError(
        code: 405, reason: "MethodNotAllowed",
        message: "the server does not allow this method on the requested resource")

    public static let notAcceptable = APIError(
        code: 406, reason: "NotAcceptable",
        message: "the server was unable to respond with a content type that the client supports")

    /// 415 for a patch type the resource does not take.
    public static let unsupportedMediaType = APIError(
        code: 415, reason: "UnsupportedMediaType",
        message: "the body of the request was in an unknown format - accepted media types include: "
            + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")

    /// 415 for a body encoding the sandbox does not decode (protobuf, CBOR).
    public static let unsupportedBodyEncoding = APIError(
        code: 415, reason: "UnsupportedMediaType",
        message:
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
    )

    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(
            code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
            causes: [StatusCause(type: "UnexpectedServerResponse", message: message, field: "")])
    }
}
