import DatumJSON

/// Discovery documents, shaped like kube-apiserver's for a cluster with the BackendTLSPolicy CRD.
enum Discovery {
    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// `/version`: a Kubernetes 1.32 server, which is what kubectl 1.32 expects.
    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.4-datum-sandbox",
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64",
    ]

    static func rootPaths() -> JSONValue {
        var paths: [JSONValue] = ["/api", "/api/v1", "/apis", "/healthz", "/openapi/v3", "/readyz", "/version"]
        for group in groups { paths.append(.string("/apis/\(group)")) }
        for group in groups { paths.append(.string("/apis/\(group)/v1")) }
        return ["paths": .array(paths.sorted { ($0.stringValue ?? "") < ($1.stringValue ?? "") })]
    }

    static let groups = [ResourceCatalog.gatewayGroup]

    static let coreVersions: JSONValue = [
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]],
    ]

    static func groupDocument(_ name: String) -> JSONValue {
        let gv: JSONValue = ["groupVersion": .string("\(name)/v1"), "version": "v1"]
        return ["name": .string(name), "versions": [gv], "preferredVersion": gv]
    }

    static var groupList: JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(groupDocument))]
    }

    static func group(named name: String) -> JSONValue? {
        guard groups.contains(name) else { return nil }
        guard case .object(var object) = groupDocument(name) else { return nil }
        var result: JSONObject = ["kind": "APIGroup", "apiVersion": "v1"]
        for (k, v) in object { result[k] = v }
        object = result
        return .object(object)
    }

    private static let statusVerbs: JSONValue = ["get", "patch", "update"]

    /// `/api/v1` or `/apis/<group>/<version>` (`APIResourceList`).
    static func resourceList(groupVersion: String) -> JSONValue {
        var resources: [JSONValue] = []
        for type in ResourceCatalog.all where type.apiVersion == groupVersion {
            var entry: JSONObject = [
                "name": .string(type.plural), "singularName": .string(type.singular),
                "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                "verbs": .array(type.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
            resources.append(.object(entry))
            if type.hasStatus {
                resources.append([
                    "name": .string(type.plural + "/status"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(type.kind), "verbs": statusVerbs,
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion),
            "resources": .array(resources),
        ]
    }

    /// The aggregated form (`apidiscovery.k8s.io/v2`) of `/api` (`core`) or `/apis`.
    static func aggregated(core: Bool) -> JSONValue {
        let names = core ? [""] : groups
        var items: [JSONValue] = []
        for group in names {
            var resources: [JSONValue] = []
            for type in ResourceCatalog.all where type.group == group {
                let responseKind: JSONValue = [
                    "group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind),
                ]
                var entry: JSONObject = [
                    "resource": .string(type.plural), "responseKind": responseKind,
                    "scope": .string(type.namespaced ? "Namespaced" : "Cluster"),
                    "singularResource": .string(type.singular), "verbs": .array(type.verbs.map(JSONValue.string)),
                ]
                if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
                if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
                if type.hasStatus {
                    entry["subresources"] = [
                        ["subresource": "status", "responseKind": responseKind, "verbs": statusVerbs]
                    ]
                }
                resources.append(.object(entry))
            }
            var metadata: JSONObject = ["creationTimestamp": nil]
            if !group.isEmpty { metadata = ["name": .string(group), "creationTimestamp": nil] }
            items.append([
                "metadata": .object(metadata),
                "versions": [["version": "v1", "resources": .array(resources), "freshness": "Current"]],
            ])
        }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": .object([:]),
            "items": .array(items),
        ]
    }
}
