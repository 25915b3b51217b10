import DatumJSON

/// Discovery documents, shaped like kube-apiserver's, for the resource types one control plane
/// serves (a project's: BackendTLSPolicy and friends; an organization's: projects and memberships).
struct Discovery {
    /// The served types, core ones first as the catalog lists them.
    var catalog: [ResourceType]

    init(catalog: [ResourceType]) { self.catalog = catalog }

    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// `/version`: a Kubernetes 1.32 server, which is what kubectl 1.32 expects.
    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.4-datum-sandbox",
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64",
    ]

    func rootPaths() -> JSONValue {
        var paths: [JSONValue] = ["/api", "/api/v1", "/apis", "/healthz", "/openapi/v3", "/readyz", "/version"]
        for group in groups { paths.append(.string("/apis/\(group)")) }
        for group in groups { paths.append(.string("/apis/\(group)/\(servedVersion(of: group))")) }
        return ["paths": .array(paths.sorted { ($0.stringValue ?? "") < ($1.stringValue ?? "") })]
    }

    /// The API groups other than core, in catalog order.
    var groups: [String] {
        var seen: [String] = []
        for type in catalog where !type.group.isEmpty && !seen.contains(type.group) { seen.append(type.group) }
        return seen
    }

    /// The one version each group serves here.
    func servedVersion(of group: String) -> String { catalog.first { $0.group == group }?.version ?? "v1" }

    /// Whether `group/version` is served (`/apis/<group>/<version>`).
    func serves(group: String, version: String) -> Bool {
        catalog.contains { $0.group == group && $0.version == version }
    }

    /// The type a path names, if this control plane serves it.
    func find(group: String, version: String, plural: String) -> ResourceType? {
        catalog.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    static let coreVersions: JSONValue = [
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]],
    ]

    func groupDocument(_ name: String) -> JSONValue {
        let version = servedVersion(of: name)
        let gv: JSONValue = ["groupVersion": .string("\(name)/\(version)"), "version": .string(version)]
        return ["name": .string(name), "versions": [gv], "preferredVersion": gv]
    }

    var groupList: JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(groupDocument))]
    }

    func group(named name: String) -> JSONValue? {
        guard groups.contains(name) else { return nil }
        guard case .object(var object) = groupDocument(name) else { return nil }
        var result: JSONObject = ["kind": "APIGroup", "apiVersion": "v1"]
        for (k, v) in object { result[k] = v }
        object = result
        return .object(object)
    }

    private static let statusVerbs: JSONValue = ["get", "patch", "update"]

    /// `/api/v1` or `/apis/<group>/<version>` (`APIResourceList`).
    func resourceList(groupVersion: String) -> JSONValue {
        var resources: [JSONValue] = []
        for type in catalog where type.apiVersion == groupVersion {
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
                    "kind": .string(type.kind), "verbs": Self.statusVerbs,
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion),
            "resources": .array(resources),
        ]
    }

    /// The aggregated form (`apidiscovery.k8s.io/v2`) of `/api` (`core`) or `/apis`.
    func aggregated(core: Bool) -> JSONValue {
        let names = core ? [""] : groups
        var items: [JSONValue] = []
        for group in names {
            var resources: [JSONValue] = []
            for type in catalog where type.group == group {
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
                        ["subresource": "status", "responseKind": responseKind, "verbs": Self.statusVerbs]
                    ]
                }
                resources.append(.object(entry))
            }
            var metadata: JSONObject = ["creationTimestamp": nil]
            if !group.isEmpty { metadata = ["name": .string(group), "creationTimestamp": nil] }
            items.append([
                "metadata": .object(metadata),
                "versions": [
                    [
                        "version": .string(group.isEmpty ? "v1" : servedVersion(of: group)),
                        "resources": .array(resources), "freshness": "Current",
                    ]
                ],
            ])
        }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": .object([:]),
            "items": .array(items),
        ]
    }
}
