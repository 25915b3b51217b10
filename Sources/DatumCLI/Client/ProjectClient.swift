import DatumHTTP
import DatumJSON
import DatumKit
import GoCompat

#if canImport(Glibc)
    import Glibc
#endif

/// Which control plane of Datum Cloud a request goes to (Milo's scopes).
public enum ControlPlane: Sendable, Hashable {
    /// `/apis/resourcemanager.miloapis.com/v1alpha1/projects/<project>/control-plane`
    case project(String)
    /// `/apis/resourcemanager.miloapis.com/v1alpha1/organizations/<organization>/control-plane`
    case organization(String)
    /// `/apis/iam.miloapis.com/v1alpha1/users/<user>/control-plane`: the signed-in user's own.
    case user(String)
    /// The platform root (`--platform-wide`): no prefix.
    case platform

    /// The path prefix of this control plane on the server.
    public var pathPrefix: String {
        switch self {
        case .project(let project):
            "/apis/resourcemanager.miloapis.com/v1alpha1/projects/\(ProjectScope.escapePathSegment(project))/control-plane"
        case .organization(let organization):
            "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/"
                + "\(ProjectScope.escapePathSegment(organization))/control-plane"
        case .user(let user):
            "/apis/iam.miloapis.com/v1alpha1/users/\(ProjectScope.escapePathSegment(user))/control-plane"
        case .platform: ""
        }
    }

    /// Checks the name that goes into the path (a project or organization ID, a user ID).
    func validate() throws(CLIError) {
        switch self {
        case .project(let project): try PathSegmentName.checkProject(project)
        case .organization(let organization): try PathSegmentName.checkOrganization(organization)
        case .user(let user): try PathSegmentName.checkUser(user)
        case .platform: break
        }
    }
}

/// The control-plane base of every request, by default a project's:
/// `<server>/apis/resourcemanager.miloapis.com/v1alpha1/projects/<project>/control-plane`.
public struct ProjectScope: Sendable, Hashable {
    public var server: String
    public var plane: ControlPlane

    public init(server: String, plane: ControlPlane) {
        var trimmed = server
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.server = trimmed
        self.plane = plane
    }

    public init(server: String, project: String) {
        self.init(server: server, plane: .project(project))
    }

    /// The path prefix of the control plane on the server.
    public var pathPrefix: String { plane.pathPrefix }

    public var baseURL: String { server + pathPrefix }

    /// `<base>/api/v1/namespaces/default/configmaps/name` and friends.
    public func url(_ path: String, query: [(String, String)] = []) -> String {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.escapeQuery($0.0))=\(Self.escapeQuery($0.1))" }.joined(separator: "&")
        }
        return url
    }

    /// A server-relative URL (as `/openapi/v3` returns them) moved under the project prefix when
    /// it is not there already, so it reads this project's control plane and not the server root.
    public func reroot(_ serverRelative: String) -> String {
        if pathPrefix.isEmpty || serverRelative.hasPrefix(pathPrefix + "/") {
            return server + (serverRelative.hasPrefix("/") ? serverRelative : "/" + serverRelative)
        }
        return baseURL + (serverRelative.hasPrefix("/") ? serverRelative : "/" + serverRelative)
    }

    /// One path segment: everything but letters, digits and `-._~!$&'()*+,;=:@` is
    /// percent-encoded, `/` included.
    static func escapePathSegment(_ s: String) -> String {
        PercentEncoding.encode(s) { byte in
            PercentEncoding.isUnreserved(byte) || "!$&'()*+,;=:@".utf8.contains(byte)
        }
    }

    /// A query key or value: everything but letters, digits and `-._~` is percent-encoded.
    static func escapeQuery(_ s: String) -> String {
        PercentEncoding.encodeQueryComponent(s)
    }
}

/// A resource type as the API serves it (one entry of discovery).
public struct APIResource: Sendable, Hashable {
    public var group: String
    public var version: String
    /// Plural name used in URLs (`backendtlspolicies`).
    public var name: String
    public var singularName: String
    public var kind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var verbs: [String]

    public init(
        group: String, version: String, name: String, singularName: String, kind: String, namespaced: Bool,
        shortNames: [String] = [], categories: [String] = [], verbs: [String] = APIResource.standardVerbs
    ) {
        self.group = group
        self.version = version
        self.name = name
        self.singularName = singularName
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.verbs = verbs
    }

    public static let standardVerbs = [
        "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
    ]

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var gvk: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }

    /// kubectl's qualified name: `backendtlspolicies.gateway.networking.k8s.io`, `configmaps`.
    public var qualifiedName: String { group.isEmpty ? name : "\(name).\(group)" }

    /// `-o name` prefix: `backendtlspolicy.gateway.networking.k8s.io`, `configmap`.
    public var kindQualifiedName: String {
        group.isEmpty ? kind.lowercased() : "\(kind.lowercased()).\(group)"
    }

    /// The collection path, e.g. `/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies`.
    /// Throws for a namespace that cannot be a path segment (``PathSegmentName``); an empty
    /// namespace is none (all namespaces), as in client-go.
    public func collectionPath(namespace: String?) throws(CLIError) -> String {
        let root = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace, !namespace.isEmpty {
            try PathSegmentName.checkNamespace(namespace)
            return "\(root)/namespaces/\(ProjectScope.escapePathSegment(namespace))/\(name)"
        }
        return "\(root)/\(name)"
    }

    /// One object's path; throws for a name or namespace that cannot be a path segment, so no
    /// URL is ever built for `..`, `a/b` or an empty name.
    public func objectPath(namespace: String?, name objectName: String, subresource: String? = nil) throws(CLIError)
        -> String
    {
        try PathSegmentName.checkName(objectName)
        var path = try collectionPath(namespace: namespace) + "/" + ProjectScope.escapePathSegment(objectName)
        if let subresource { path += "/" + subresource }
        return path
    }
}

/// An error the API server returned as a `Status`, or a response that could not be understood.
public struct APIError: Error, Sendable, Hashable {
    public var code: Int
    public var reason: String
    public var message: String
    /// The whole `Status` object, when the server sent one.
    public var status: JSONValue?

    /// kubectl's rendering of API errors.
    public var cliError: CLIError {
        if code == 401 {
            return CLIError(
                .authentication, "You must be logged in to the server (Unauthorized)", reason: "Unauthorized",
                code: code, detail: "Check the token: --token, DATUMCTL_TOKEN or the context's token.")
        }
        return CLIError(.server, message, reason: reason.isEmpty ? nil : reason, code: code)
    }

    /// Builds the error from a failed response (kube-apiserver sends a `Status`; anything else
    /// is reported the way client-go does: the status code and the body).
    init(response: HTTPResponse) {
        code = response.status
        if let status = try? JSONParser.parse(response.body), status["kind"]?.stringValue == "Status" {
            self.status = status
            reason = status["reason"]?.stringValue ?? ""
            message = status["message"]?.stringValue ?? ""
            if message.isEmpty { message = APIError.genericMessage(code) }
            return
        }
        status = nil
        reason = APIError.genericReason(code)
        let body = response.bodyText.trimmingGoWhitespace()
        message =
            body.isEmpty || body.count > 512
            ? APIError.genericMessage(code)
            : "\(APIError.genericMessage(code)) (\(body))"
    }

    public init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
        status = nil
    }

    /// client-go's reasons for responses without a Status body.
    static func genericReason(_ code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return ""
        }
    }

    /// client-go's messages for responses without a Status body.
    static func genericMessage(_ code: Int) -> String {
        switch code {
        case 400: return "the server rejected our request for an unknown reason"
        case 401: return "the server has asked for the client to provide credentials"
        case 403: return "the server does not allow access to the requested resource"
        case 404: return "the server could not find the requested resource"
        case 405: return "the server does not allow this method on the requested resource"
        case 409: return "the server reported a conflict"
        case 422: return "the server rejected our request due to an error in our request"
        case 429: return "the server has received too many requests and has asked us to try again later"
        case 500: return "an error on the server has prevented the request from succeeding"
        case 503: return "the server is currently unable to handle the request"
        case 504:
            return
                "the server was unable to return a response in the time allotted, but may still be processing the request"
        default: return "an error on the server (\"unknown\") has prevented the request from succeeding"
        }
    }
}

/// The HTTP client for one project's control plane: authentication, content types,
/// kubectl-style errors. One instance (one connection pool) per invocation.
public final class ProjectClient: Sendable {
    public let scope: ProjectScope
    public let namespace: String
    private let http: HTTPClient
    private let token: String?
    /// Called with the messages of the server's `Warning` headers on every response.
    private let onWarnings: (@Sendable ([String]) -> Void)?

    public static let userAgent = "datumctl/\(Datumctl.version) (\(platform))"

    /// `linux/amd64`, as Go names the platform.
    static let platform: String = {
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: &system.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let arch = machine == "x86_64" ? "amd64" : (machine == "aarch64" ? "arm64" : machine)
        return "linux/\(arch)"
    }()

    /// `connectTimeout` and `retry` are for callers with a hard time budget (completion).
    init(
        settings: ConnectionSettings, plane: ControlPlane, trace: @escaping @Sendable (String) -> Void,
        connectTimeout: Duration = .seconds(30), retry: RetryPolicy = .default,
        onWarnings: (@Sendable ([String]) -> Void)? = nil
    ) throws(CLIError) {
        try plane.validate()
        self.onWarnings = onWarnings
        scope = ProjectScope(server: settings.server, plane: plane)
        // An empty namespace (`-n ""`) means the default one, as in kubectl; it never reaches a URL.
        namespace = settings.namespace.isEmpty ? "default" : settings.namespace
        token = settings.token
        let configuration = HTTPClientConfiguration(
            userAgent: Self.userAgent,
            caFile: settings.certificateAuthority,
            caData: settings.certificateAuthorityData,
            insecureSkipTLSVerify: settings.insecureSkipTLSVerify,
            connectTimeout: connectTimeout,
            requestTimeout: settings.requestTimeout,
            retry: retry,
            verbosity: settings.verbosity,
            trace: trace,
            caPath: settings.certificateDirectory)
        do {
            http = try HTTPClient(configuration)
        } catch {
            throw CLIError(.connection, error.description)
        }
    }

    /// A request with the standard headers.
    public func request(
        _ method: String, _ url: String, accept: String = "application/json", contentType: String? = nil,
        body: [UInt8]? = nil, idempotent: Bool? = nil, timeout: Duration? = nil
    ) -> HTTPRequest {
        var headers: HTTPHeaders = ["Accept": accept]
        if let contentType { headers.set("Content-Type", contentType) }
        if let token, !token.isEmpty { headers.set("Authorization", "Bearer \(token)") }
        return HTTPRequest(
            method: method, url: url, headers: headers, body: body, isIdempotent: idempotent, timeout: timeout)
    }

    /// Sends one request; a transport failure becomes a connection error.
    public func send(_ request: HTTPRequest) throws(CLIError) -> HTTPResponse {
        do {
            let response = try http.send(request)
            reportWarnings(response.headers)
            return response
        } catch {
            throw CLIError(.connection, error.description)
        }
    }

    private func reportWarnings(_ headers: HTTPHeaders) {
        guard let onWarnings else { return }
        let messages = ServerWarnings.messages(in: headers)
        if !messages.isEmpty { onWarnings(messages) }
    }

    /// Sends requests concurrently over the shared pool; results in input order.
    public func sendAll(_ requests: [HTTPRequest], concurrency: Int, onEach: (@Sendable (Int) -> Void)? = nil)
        -> [Result<HTTPResponse, CLIError>]
    {
        http.sendAll(requests, concurrency: concurrency, onEach: onEach).map { result in
            if case .success(let response) = result { reportWarnings(response.headers) }
            return result.mapError { CLIError(.connection, $0.description) }
        }
    }

    /// Streams a response (watch); see ``HTTPClient/stream(_:cancellation:onHead:onData:)``.
    public func stream(
        _ request: HTTPRequest, onHead: (Int, HTTPHeaders) -> Void, onData: ([UInt8]) -> Bool
    ) throws(CLIError) {
        do {
            try http.stream(
                request,
                onHead: { status, headers in
                    reportWarnings(headers)
                    onHead(status, headers)
                }, onData: onData)
        } catch {
            throw CLIError(.connection, error.description)
        }
    }

    /// GET and decode JSON; non-2xx answers become ``APIError``s rendered kubectl's way.
    public func getJSON(_ url: String, accept: String = "application/json") throws(CLIError) -> JSONValue {
        let response = try send(request("GET", url, accept: accept))
        return try Self.decode(response)
    }

    /// The JSON body of a successful response, or the API error it carries.
    public static func decode(_ response: HTTPResponse) throws(CLIError) -> JSONValue {
        guard (200..<300).contains(response.status) else { throw APIError(response: response).cliError }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw CLIError(.server, "the server sent an invalid JSON response: \(error)", code: response.status)
        }
    }
}
