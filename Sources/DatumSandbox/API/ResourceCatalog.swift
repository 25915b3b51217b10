import DatumJSON

/// One served resource type, described as discovery publishes it.
public struct ResourceType: Sendable, Hashable {
    public var group: String
    public var version: String
    public var plural: String
    public var singular: String
    public var kind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var hasStatus: Bool
    /// Custom resources (served by the CRD handler) differ from built-in ones in delete
    /// responses, generation tracking and error wording.
    public var isCustom: Bool

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `backendtlspolicies.gateway.networking.k8s.io` or `configmaps`: how errors name the resource.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// The storage key prefix: unique per resource type.
    public var storageKey: String { group.isEmpty ? plural : "\(group)/\(plural)" }
    public var listKind: String { kind + "List" }

    public var verbs: [String] {
        if plural == "namespaces" {
            return ["create", "delete", "get", "list", "patch", "update", "watch"]
        }
        return ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }
}

/// The resource types the sandbox serves, and lookups by the names kubectl uses.
public enum ResourceCatalog {
    public static let backendTLSPolicies = ResourceType(
        group: "gateway.networking.k8s.io", version: "v1", plural: "backendtlspolicies",
        singular: "backendtlspolicy", kind: "BackendTLSPolicy", namespaced: true,
        shortNames: ["btlspolicy"], categories: ["gateway-api"], hasStatus: true, isCustom: true)
    /// Served without a schema (fields are kept as sent) so the upstream conformance manifests,
    /// which bundle routes with their policies, apply as a whole.
    public static let httpRoutes = ResourceType(
        group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes", singular: "httproute",
        kind: "HTTPRoute", namespaced: true, shortNames: [], categories: ["gateway-api"], hasStatus: true,
        isCustom: true)
    public static let configMaps = ResourceType(
        group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
        namespaced: true, shortNames: ["cm"], categories: [], hasStatus: false, isCustom: false)
    public static let services = ResourceType(
        group: "", version: "v1", plural: "services", singular: "service", kind: "Service",
        namespaced: true, shortNames: ["svc"], categories: ["all"], hasStatus: true, isCustom: false)
    public static let namespaces = ResourceType(
        group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
        namespaced: false, shortNames: ["ns"], categories: [], hasStatus: true, isCustom: false)
    /// Served so `kubectl describe` can look up events; nothing in the sandbox emits any.
    public static let events = ResourceType(
        group: "", version: "v1", plural: "events", singular: "event", kind: "Event",
        namespaced: true, shortNames: ["ev"], categories: [], hasStatus: false, isCustom: false)

    public static let all: [ResourceType] = [
        configMaps, events, namespaces, services, backendTLSPolicies, httpRoutes,
    ]
    public static let core: [ResourceType] = all.filter { $0.group.isEmpty }
    public static let gatewayGroup = "gateway.networking.k8s.io"

    public static func find(group: String, version: String, plural: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.plural == plural }
    }
}
