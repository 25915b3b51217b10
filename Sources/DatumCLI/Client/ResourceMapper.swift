import DatumHTTP
import DatumJSON
import DatumKit
import Synchronization

/// Maps what users type (`btlspolicy`, `backendtlspolicies.gateway.networking.k8s.io`, `svc`)
/// and what manifests say (`gateway.networking.k8s.io/v1, Kind=BackendTLSPolicy`) to API resources.
///
/// The kinds datumctl knows are resolved without a request, which is most of why `get` is one
/// round trip; anything else is looked up in the server's discovery documents, fetched at most
/// once per invocation.
public final class ResourceMapper: Sendable {
    /// Resources every Datum control plane serves, known without discovery.
    public static let builtin: [APIResource] = {
        var resources = [
            APIResource(
                group: "", version: "v1", name: "configmaps", singularName: "configmap", kind: "ConfigMap",
                namespaced: true, shortNames: ["cm"]),
            APIResource(
                group: "", version: "v1", name: "services", singularName: "service", kind: "Service",
                namespaced: true, shortNames: ["svc"], categories: ["all"]),
            APIResource(
                group: "", version: "v1", name: "namespaces", singularName: "namespace", kind: "Namespace",
                namespaced: false, shortNames: ["ns"],
                verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]),
            APIResource(
                group: "", version: "v1", name: "events", singularName: "event", kind: "Event", namespaced: true,
                shortNames: ["ev"]),
        ]
        let policy = BuiltinSchemas.backendTLSPolicyResource
        resources.insert(
            APIResource(
                group: policy.group, version: policy.version, name: policy.names.plural,
                singularName: policy.names.singular, kind: policy.names.kind, namespaced: policy.namespaced,
                shortNames: policy.names.shortNames, categories: policy.names.categories),
            at: 0)
        return resources
    }()

    private let discover: @Sendable () throws(CLIError) -> [APIResource]
    /// Filled by the first caller that needs it; the others (manifests are read on several
    /// threads) wait for that one rather than discovering again.
    private let discovered = Mutex<[APIResource]?>(nil)

    /// `discover` fetches the server's resource list; it is called only when needed, and once.
    public init(discover: @escaping @Sendable () throws(CLIError) -> [APIResource]) {
        self.discover = discover
    }

    /// Resolves through `client`'s discovery when the built-in kinds are not enough (revalidated
    /// against `cache`'s copies when given).
    convenience init(client: ProjectClient, cache: OpenAPICache? = nil) {
        self.init(discover: { () throws(CLIError) -> [APIResource] in try client.discoverResources(cache: cache) })
    }

    /// The server's resources (discovery), fetched once.
    public func serverResources() throws(CLIError) -> [APIResource] {
        let discover = self.discover
        return try discovered.withLock { (known: inout [APIResource]?) throws(CLIError) -> [APIResource] in
            if let known { return known }
            let resources = try discover()
            known = resources
            return resources
        }
    }

    /// Resolves a resource argument, trying the built-in kinds first. Categories (`gateway-api`,
    /// `all`) expand to several resources.
    public func resolve(_ argument: String) throws(CLIError) -> [APIResource] {
        if let match = Self.match(argument, in: Self.builtin) { return [match] }
        let resources = try serverResources()
        if let match = Self.match(argument, in: resources) { return [match] }
        let lowered = argument.lowercased()
        let category = resources.filter { $0.categories.contains(lowered) }
        if !category.isEmpty { return category }
        throw CLIError(.resource, "the server doesn't have a resource type \"\(argument)\"")
    }

    /// The resource for a manifest's apiVersion and kind.
    public func resource(for gvk: GroupVersionKind) throws(CLIError) -> APIResource {
        if let match = Self.builtin.first(where: { $0.gvk == gvk }) { return match }
        if let match = try serverResources().first(where: { $0.gvk == gvk }) { return match }
        throw CLIError(
            .manifest,
            "resource mapping not found for name: kind \"\(gvk.kind)\" in version \"\(gvk.apiVersion)\": "
                + "no matches for kind \"\(gvk.kind)\" in version \"\(gvk.apiVersion)\"")
    }

    /// kubectl's matching: plural, singular, short name or kind, optionally qualified by
    /// `.group` or `.version.group`.
    static func match(_ argument: String, in resources: [APIResource]) -> APIResource? {
        let lowered = argument.lowercased()
        func matchesName(_ name: String, _ resource: APIResource) -> Bool {
            name == resource.name || name == resource.singularName || resource.shortNames.contains(name)
                || name == resource.kind.lowercased()
        }
        if let exact = resources.first(where: { matchesName(lowered, $0) }) { return exact }
        guard let dot = lowered.firstIndex(of: ".") else { return nil }
        let name = String(lowered[..<dot])
        let qualifier = String(lowered[lowered.index(after: dot)...])
        return resources.first { resource in
            guard matchesName(name, resource) else { return false }
            return qualifier == resource.group || qualifier == "\(resource.version).\(resource.group)"
                || (resource.group.isEmpty && qualifier == resource.version)
        }
    }

    // MARK: - Discovery documents

    public static let aggregatedDiscoveryAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"

    /// Reads an aggregated discovery document (`APIGroupDiscoveryList`) from `/api` or `/apis`.
    /// Only each group's preferred (first) version is listed, as kubectl's mapper prefers it.
    public static func parseAggregated(_ document: JSONValue) -> [APIResource]? {
        guard document["kind"]?.stringValue == "APIGroupDiscoveryList", let items = document["items"]?.arrayValue else {
            return nil
        }
        var resources: [APIResource] = []
        for item in items {
            let group = item["metadata"]?["name"]?.stringValue ?? ""
            guard let version = item["versions"]?.arrayValue?.first,
                let versionName = version["version"]?.stringValue
            else { continue }
            for entry in version["resources"]?.arrayValue ?? [] {
                guard let name = entry["resource"]?.stringValue,
                    let kind = entry["responseKind"]?["kind"]?.stringValue
                else { continue }
                resources.append(
                    APIResource(
                        group: group, version: versionName, name: name,
                        singularName: entry["singularResource"]?.stringValue ?? kind.lowercased(), kind: kind,
                        namespaced: entry["scope"]?.stringValue != "Cluster",
                        shortNames: entry["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                        categories: entry["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                        verbs: entry["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []))
            }
        }
        return resources
    }

    /// Reads a legacy `APIResourceList` (`/api/v1`, `/apis/<group>/<version>`); subresources are skipped.
    public static func parseResourceList(_ document: JSONValue) -> [APIResource] {
        let groupVersion = GroupVersionKind(apiVersion: document["groupVersion"]?.stringValue ?? "v1", kind: "")
        var resources: [APIResource] = []
        for entry in document["resources"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, !name.contains("/"),
                let kind = entry["kind"]?.stringValue
            else { continue }
            resources.append(
                APIResource(
                    group: groupVersion.group, version: groupVersion.version, name: name,
                    singularName: entry["singularName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
                        ?? kind.lowercased(),
                    kind: kind, namespaced: entry["namespaced"]?.boolValue ?? true,
                    shortNames: entry["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    categories: entry["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    verbs: entry["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
        return resources
    }
}

extension ProjectClient {
    /// The server's resources: aggregated discovery of `/api` and `/apis`, falling back to the
    /// legacy documents for servers without it.
    ///
    /// With a cache, each document is revalidated by its ETag: a warm run gets two small
    /// `304 Not Modified` answers (one round trip) instead of the documents.
    func discoverResources(cache: OpenAPICache? = nil) throws(CLIError) -> [APIResource] {
        let paths = ["/api", "/apis"]
        let copies = paths.map {
            cache?.discoveryCopy(key: String($0.dropFirst()), server: scope.server, plane: scope.pathPrefix)
        }
        func discoveryRequest(_ index: Int, offering tag: String?) -> HTTPRequest {
            var request = request("GET", scope.url(paths[index]), accept: ResourceMapper.aggregatedDiscoveryAccept)
            if let tag { request.headers.set("If-None-Match", tag) }
            return request
        }
        // Both at once; with a cache, each offers the ETag of its copy.
        var responses = sendAll(paths.indices.map { discoveryRequest($0, offering: copies[$0]?.tag) }, concurrency: 2)
        for index in paths.indices {
            guard let copy = copies[index], case .success(let response) = responses[index] else { continue }
            if let resolved = cache?.resolve(response, with: copy) {
                responses[index] = .success(resolved)
            } else {
                // The saved copy is damaged: ask for the document itself.
                responses[index] = Result { () throws(CLIError) -> HTTPResponse in
                    let fresh = try send(discoveryRequest(index, offering: nil))
                    return cache?.resolve(fresh, with: copy) ?? fresh
                }
            }
        }
        var resources: [APIResource] = []
        var legacyGroups: [String] = []
        for (index, result) in responses.enumerated() {
            let document = try ProjectClient.decode(try result.get())
            if let parsed = ResourceMapper.parseAggregated(document) {
                resources += parsed
            } else if index == 0 {
                legacyGroups.append("/api/" + (document["versions"]?[0]?.stringValue ?? "v1"))
            } else {
                for group in document["groups"]?.arrayValue ?? [] {
                    if let preferred = group["preferredVersion"]?["groupVersion"]?.stringValue {
                        legacyGroups.append("/apis/" + preferred)
                    }
                }
            }
        }
        if !legacyGroups.isEmpty {
            let lists = sendAll(legacyGroups.map { request("GET", scope.url($0)) }, concurrency: 4)
            for result in lists {
                resources += ResourceMapper.parseResourceList(try ProjectClient.decode(try result.get()))
            }
        }
        return resources
    }
}
