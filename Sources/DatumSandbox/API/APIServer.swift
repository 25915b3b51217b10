import DatumCrypto
import DatumJSON
import DatumKit
import GoCompat

/// The project-scoped Kubernetes API: routing, authentication and dispatch, without any transport.
public final class APIServer: Sendable {
    /// Every project lives under `<prefix><project>/control-plane`.
    public static let projectPrefix = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/"

    public let store: ObjectStore
    let tokens: TokenTable
    let validator: any ObjectValidating
    let openAPI: OpenAPIPublisher
    /// `--dev-issuer`: the sandbox's own OpenID provider, whose tokens it also accepts.
    let issuer: DevIssuer?
    /// `--oidc-issuer-url`: tokens of an external provider, and the projects they may use (nil: all).
    let oidc: OIDCAuthenticator?
    let oidcProjects: Set<String>?

    public init(
        store: ObjectStore, tokens: TokenTable, validator: any ObjectValidating = SandboxValidation.engine,
        issuer: DevIssuer? = nil, oidc: OIDCAuthenticator? = nil, oidcProjects: Set<String>? = nil
    ) {
        self.store = store
        self.tokens = tokens
        self.validator = validator
        self.openAPI = OpenAPIPublisher.shared
        self.issuer = issuer
        self.oidc = oidc
        self.oidcProjects = oidcProjects
    }

    /// Answers one request. Never throws: every failure becomes a `Status` response.
    public func handle(_ request: SandboxRequest) -> SandboxResponse {
        do {
            return try route(request)
        } catch {
            return .error(error)
        }
    }

    /// Whether a read may cost work in proportion to what is stored: a LIST (or a watch's initial
    /// events) or an OpenAPI document. The HTTP server hands these to a request thread and answers
    /// other reads (one object, discovery, `/version`) on the event loop, where they cost less than
    /// the hand-off. Judged by the path's shape alone; a wrong guess only moves where the work runs.
    public static func isCollectionRead(path: String) -> Bool {
        guard let (_, kubePath) = ControlPlaneScope.split(path), let requestPath = RequestPath(kubePath) else {
            return false
        }
        let s = requestPath.segments
        switch s.first {
        case "openapi": return true
        // api/v1/RESOURCE, api/v1/namespaces/NS/RESOURCE
        case "api": return s.count == 3 || (s.count == 5 && s[2] == "namespaces")
        // apis/GROUP/VERSION/RESOURCE, apis/GROUP/VERSION/namespaces/NS/RESOURCE
        case "apis": return s.count == 4 || (s.count == 6 && s[3] == "namespaces")
        default: return false
        }
    }

    private func route(_ request: SandboxRequest) throws(APIError) -> SandboxResponse {
        let path = request.path
        if path == "/healthz" || path == "/readyz" || path == "/livez" { return .text(200, "ok") }
        if let issuer, let response = issuer.handle(request) { return response }
        let principal = try authenticate(request)
        guard let (scope, kubePath) = ControlPlaneScope.split(path) else { return .text(404, "404 page not found\n") }
        let authorizer = Authorizer(store: store)
        try authorizer.authorize(principal, scope: scope, method: request.method, path: path)
        if case .user(let user) = scope {
            return try UserControlPlane(server: self, authorizer: authorizer, user: user, request: request)
                .handle(kubePath: kubePath)
        }
        try ensureScope(scope)
        return try routeInScope(request, scope: scope, kubePath: kubePath)
    }

    private func authenticate(_ request: SandboxRequest) throws(APIError) -> Principal {
        guard let header = request.header("authorization") else { throw APIError.unauthorized }
        let scheme = header.prefix(7)
        guard scheme.lowercased() == "bearer " else { throw APIError.unauthorized }
        let token = String(header.dropFirst(7)).trimmingGoSpaces()
        if let grant = tokens.grants[token] {
            let table = tokens
            return Principal(
                name: TokenTable.userName(for: token), subject: nil, isAdmin: grant == nil,
                listedProjects: { table.allows(token, project: $0) == true })
        }
        if let issuer, let subject = issuer.subject(ofBearer: token) {
            return Principal(
                name: subject, subject: subject, isAdmin: false,
                listedProjects: issuer.projects.map { projects in { projects.contains($0) } })
        }
        if let oidc, let subject = oidc.subject(ofBearer: token) {
            return Principal(
                name: subject, subject: subject, isAdmin: false,
                listedProjects: oidcProjects.map { projects in { projects.contains($0) } })
        }
        throw APIError.unauthorized
    }

    /// Every control plane has its namespaces (``ControlPlaneScope/initialNamespaces``) from its
    /// first request on.
    private func ensureScope(_ scope: ControlPlaneScope) throws(APIError) {
        let key = scope.storageKey
        let wanted = scope.initialNamespaces
        let missing = try store.read(project: key) { tx in wanted.filter { !tx.namespaceExists($0) } }
        if missing.isEmpty { return }
        try store.write(project: key) { (tx: inout ProjectTransaction) throws(APIError) in
            for name in missing where !tx.namespaceExists(name) {
                let now = KubeTime.format(KubeTime.now())
                var object: JSONObject = [
                    "apiVersion": "v1", "kind": "Namespace",
                    "metadata": [
                        "name": .string(name), "uid": .string(UIDGenerator.make()), "creationTimestamp": .string(now),
                        "labels": ["kubernetes.io/metadata.name": .string(name)],
                    ],
                ]
                ObjectShape.applyDefaults(&object, type: ResourceCatalog.namespaces, old: nil)
                tx.put(ResourceCatalog.namespaces, ObjectShape.canonical(object), isCreate: true)
            }
        }
    }

    private func routeInScope(_ request: SandboxRequest, scope: ControlPlaneScope, kubePath: String)
        throws(APIError) -> SandboxResponse
    {
        guard let requestPath = RequestPath(kubePath) else { return .text(404, "404 page not found\n") }
        let segments = requestPath.segments
        let discovery = scope.discovery
        if let answer = try discoveryResponse(
            segments, scope: scope, accept: request.header("accept") ?? "", ifNoneMatch: request.header("if-none-match")
        ) {
            return answer
        }
        let resourceSegments: [String]
        let group: String
        let version: String
        if segments[0] == "api", segments.count >= 3, segments[1] == "v1" {
            group = ""
            version = "v1"
            resourceSegments = Array(segments.dropFirst(2))
        } else if segments[0] == "apis", segments.count >= 4 {
            group = segments[1]
            version = segments[2]
            resourceSegments = Array(segments.dropFirst(3))
        } else {
            return .text(404, "404 page not found\n")
        }
        // A trailing slash after an object's name is not the object (see ``RequestPath``).
        guard
            let target = ResourceTarget(
                group: group, version: version, segments: resourceSegments, discovery: discovery),
            !(requestPath.trailingSlash && target.name != nil)
        else {
            return .text(404, "404 page not found\n")
        }
        let rules = try ScopeRules.make(for: scope, type: target.type, method: request.method, store: store)
        let handler = ResourceHandler(
            server: self, request: request, project: scope.storageKey, target: target, rules: rules)
        return try handler.run()
    }

    /// Aggregated discovery as kube-apiserver serves it: with an `ETag` (a hash of the document),
    /// and `304 Not Modified` without a body when the client's `If-None-Match` names it.
    static func withETag(_ document: JSONValue, ifNoneMatch: String?) -> SandboxResponse {
        let body = GoJSONEncoder(sortKeys: false).encodeBytes(document)
        let tag =
            "\""
            + Digest.sha256(body).prefix(16).map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined() + "\""
        if let ifNoneMatch, ifNoneMatch.split(separator: ",").contains(where: { $0.filter { $0 != " " } == tag }) {
            return .complete(status: 304, headers: [("ETag", tag)], body: [])
        }
        return .complete(
            status: 200, headers: [("Content-Type", Discovery.aggregatedContentType), ("ETag", tag)], body: body)
    }

    /// The answers every control plane gives the same way: discovery (`/`, `/version`, `/api`,
    /// `/apis`, group and group-version documents), health and OpenAPI. `nil` for other paths.
    func discoveryResponse(
        _ segments: [String], scope: ControlPlaneScope, accept: String, ifNoneMatch: String? = nil
    ) throws(APIError) -> SandboxResponse? {
        let discovery = scope.discovery
        let aggregated = accept.contains("as=APIGroupDiscoveryList")
        switch segments {
        case []: return .json(200, discovery.rootPaths())
        case ["version"]: return .json(200, Discovery.version)
        case ["healthz"], ["readyz"], ["livez"]: return .text(200, "ok")
        case ["api"]:
            return aggregated
                ? Self.withETag(discovery.aggregated(core: true), ifNoneMatch: ifNoneMatch)
                : .json(200, Discovery.coreVersions)
        case ["apis"]:
            return aggregated
                ? Self.withETag(discovery.aggregated(core: false), ifNoneMatch: ifNoneMatch)
                : .json(200, discovery.groupList)
        case ["api", "v1"]: return .json(200, discovery.resourceList(groupVersion: "v1"))
        default: break
        }
        if segments.first == "openapi" { return try openAPIResponse(Array(segments.dropFirst()), scope: scope) }
        if segments.count == 2 && segments[0] == "apis" {
            guard let group = discovery.group(named: segments[1]) else { return .text(404, "404 page not found\n") }
            return .json(200, group)
        }
        if segments.count == 3 && segments[0] == "apis" {
            guard discovery.serves(group: segments[1], version: segments[2]) else {
                return .text(404, "404 page not found\n")
            }
            return .json(200, discovery.resourceList(groupVersion: segments[1] + "/" + segments[2]))
        }
        return nil
    }

    private func openAPIResponse(_ segments: [String], scope: ControlPlaneScope) throws(APIError) -> SandboxResponse {
        guard segments.first == "v3" else { return .text(404, "404 page not found\n") }
        let publisher: OpenAPIPublisher
        if case .project = scope { publisher = openAPI } else { publisher = OpenAPIPublisher.milo }
        let rest = segments.dropFirst().joined(separator: "/")
        if rest.isEmpty { return .json(200, publisher.index(base: scope.basePath)) }
        guard let document = publisher.documentBytes(for: rest) else { return .text(404, "404 page not found\n") }
        return .complete(status: 200, headers: [("Content-Type", "application/json")], body: document)
    }
}

/// Where a resource request points: type, namespace, name and subresource.
struct ResourceTarget {
    var type: ResourceType
    var namespace: String?
    var name: String?
    var subresource: String?

    init?(group: String, version: String, segments: [String], discovery: Discovery) {
        // Only the object's name may be a dot segment here, and then the handler refuses it
        // (400, as kube-apiserver's storage does); anywhere else it names nothing.
        var namespace: String?
        var rest = segments[...]
        let namespaceSubresources: Set<String> = ["status", "finalize"]
        if segments.first == "namespaces", segments.count >= 3,
            !(segments.count == 3 && namespaceSubresources.contains(segments[2]))
        {
            namespace = segments[1]
            rest = segments.dropFirst(2)
        }
        guard let plural = rest.first,
            let type = discovery.find(group: group, version: version, plural: plural)
        else { return nil }
        rest = rest.dropFirst()
        if namespace != nil && !type.namespaced { return nil }
        if let namespace, RequestPath.isDotSegment(namespace) { return nil }
        if namespace == nil && type.namespaced && !rest.isEmpty { return nil }
        self.type = type
        self.namespace = namespace
        self.name = rest.first
        rest = rest.dropFirst()
        self.subresource = rest.first
        if rest.count > 1 { return nil }
        if let subresource, !(subresource == "status" && type.hasStatus) { return nil }
    }
}
