import DatumJSON
import DatumKit
import DatumSystem
import DatumYAML
import GoCompat

/// Where datumctl connects, as whom, and in which project: the result of applying
/// the precedence flag → environment → context → default to every setting.
public struct ConnectionSettings: Sendable, Equatable {
    public static let defaultServer = "https://api.datum.net"

    public var server: String
    public var project: String?
    /// The organization whose control plane to use (`--organization`, `DATUM_ORGANIZATION`, or an
    /// organization context); never set together with ``project``.
    public var organization: String?
    /// `--platform-wide`: the platform root.
    public var platformWide: Bool = false
    /// The signed-in user's ID (the access token's `sub`), when a login session is in use: with no
    /// project or organization selected, requests go to the user's own control plane.
    public var userID: String?
    public var namespace: String
    public var token: String?
    public var certificateAuthority: String?
    /// PEM bytes of the CA a login session stored (`certificate-authority-data`).
    public var certificateAuthorityData: [UInt8]?
    /// `SSL_CERT_DIR`: a folder of CA certificates to trust (as the official datumctl reads it).
    public var certificateDirectory: String?
    public var insecureSkipTLSVerify: Bool
    public var requestTimeout: Duration?
    public var verbosity: Int
    /// The login session of the official datumctl's config that this invocation uses, if any
    /// (its tokens live in the credential store, keyed by this name).
    public var session: String?
    /// The context in use, if any.
    public var contextName: String?

    /// Resolves the settings for one invocation.
    static func resolve(_ globals: GlobalOptions, variables: [String: String], config: ConfigFile) throws(CLIError)
        -> ConnectionSettings
    {
        var context: ConfigContext?
        if let name = globals.context {
            guard let named = config.context(named: name) else {
                throw CLIError(.configuration, "context \"\(name)\" does not exist")
            }
            context = named
        } else if let current = config.currentContext, !current.isEmpty {
            // A current-context that was deleted behaves like none, as in kubectl.
            context = config.context(named: current)
        }
        // A login context uses its session's endpoint; without a context, the active session's.
        let session: ConfigSession? =
            if let context { context.session.flatMap { config.session(named: $0) } } else { config.activeSessionEntry }

        func environment(_ name: String) -> String? {
            guard let value = variables[name], !value.isEmpty else { return nil }
            return value
        }

        var token = globals.token ?? environment("DATUMCTL_TOKEN") ?? context?.token
        if token == nil, let file = context?.tokenFile {
            let path = FileSystem.expandingTilde(file, home: FileSystem.homeDirectory(variables: variables))
            do {
                token = String(decoding: try FileSystem.read(path), as: UTF8.self).trimmingGoWhitespace()
            } catch {
                throw CLIError(
                    .configuration, "cannot read token file \(file) of context \"\(context?.name ?? "")\": \(error)")
            }
        }

        var authorityData: [UInt8]?
        if globals.certificateAuthority == nil, context?.certificateAuthority == nil,
            let encoded = session?.certificateAuthorityData
        {
            guard let pem = Base64.standard.decoded(encoded) else {
                throw CLIError(
                    .configuration,
                    "the certificate-authority-data of session \"\(session?.name ?? "")\" in the config file is not base64"
                )
            }
            authorityData = pem
        }

        let server = try ServerAddress.normalize(
            globals.server ?? environment("DATUMCTL_SERVER") ?? context?.server ?? session?.server ?? defaultServer)
        let scope = try resolveScope(globals, environment: environment, context: context)
        return ConnectionSettings(
            server: server,
            project: scope.project,
            organization: scope.organization,
            platformWide: scope.platformWide,
            namespace: globals.namespace ?? context?.namespace ?? "default",
            token: token,
            certificateAuthority: globals.certificateAuthority ?? context?.certificateAuthority
                ?? (authorityData == nil ? environment("SSL_CERT_FILE") : nil),
            certificateAuthorityData: authorityData,
            certificateDirectory: environment("SSL_CERT_DIR"),
            insecureSkipTLSVerify: globals.insecureSkipTLSVerify
                || (context?.insecureSkipTLSVerify ?? session?.insecureSkipTLSVerify ?? false),
            requestTimeout: globals.requestTimeout,
            verbosity: globals.verbosity,
            session: session?.name,
            contextName: context?.name)
    }

    /// The official datumctl's choice of scope: `--project` | `--organization` | `--platform-wide`
    /// (one at most), then `DATUM_PROJECT` | `DATUM_ORGANIZATION` (not both), then the context's
    /// project, else its organization. Its error texts.
    static func resolveScope(
        _ globals: GlobalOptions, environment: (String) -> String?, context: ConfigContext?
    ) throws(CLIError) -> (project: String?, organization: String?, platformWide: Bool) {
        var set: [String] = []
        if globals.organization != nil { set.append("organization") }
        if globals.platformWide { set.append("platform-wide") }
        if globals.project != nil { set.append("project") }
        if set.count > 1 {
            throw CLIError(
                .usage,
                "if any flags in the group [project organization platform-wide] are set none of the others can be; "
                    + "[\(set.joined(separator: " "))] were all set")
        }
        if globals.platformWide { return (nil, nil, true) }
        if let project = globals.project { return (project, nil, false) }
        if let organization = globals.organization { return (nil, organization, false) }
        let project = environment("DATUM_PROJECT")
        let organization = environment("DATUM_ORGANIZATION")
        if project != nil && organization != nil {
            throw CLIError(.configuration, "DATUM_PROJECT and DATUM_ORGANIZATION cannot both be set")
        }
        if project != nil || organization != nil { return (project, organization, false) }
        if let project = context?.project { return (project, nil, false) }
        return (nil, context?.organization, false)
    }

    /// Whether a control plane is chosen (a project, an organization, the platform root, or a
    /// signed-in user's own), so a command that can work offline should talk to the server.
    var hasControlPlane: Bool {
        platformWide || project?.isEmpty == false || organization?.isEmpty == false || userID?.isEmpty == false
    }

    /// The control plane requests go to. Without a project, an organization or `--platform-wide`,
    /// a signed-in user's own control plane; with none of these, the error telling the user how to
    /// choose a project (no request is sent without it).
    func requireControlPlane() throws(CLIError) -> ControlPlane {
        if platformWide { return .platform }
        if let project, !project.isEmpty { return .project(project) }
        if let organization, !organization.isEmpty { return .organization(organization) }
        if let userID, !userID.isEmpty { return .user(userID) }
        return .project(try requireProject())
    }

    /// The project, or the error telling the user how to give one (no request is sent without it).
    /// Each way it names works as printed, with the project's name put in for PROJECT.
    func requireProject() throws(CLIError) -> String {
        guard let project, !project.isEmpty else {
            throw CLIError(
                .configuration,
                "no project selected: pass --project PROJECT, set DATUM_PROJECT=PROJECT, or save it for every "
                    + "later command with 'datumctl config set-context --current --project PROJECT'")
        }
        return project
    }

    /// The warning for a token about to travel unencrypted (an explicit `http://` to a host that is
    /// not loopback); nil when there is nothing to warn about.
    var cleartextTokenWarning: String? {
        guard let token, !token.isEmpty, ServerAddress.isCleartext(server), !ServerAddress.isLoopback(server) else {
            return nil
        }
        return "the server \(server) is plain http: your token is sent unencrypted; use https:// unless this "
            + "network is trusted"
    }
}

/// Server addresses as kubectl reads them: no scheme means https.
enum ServerAddress {
    /// `api.datum.net` and `127.0.0.1:8443` become `https://...`; `http://` is kept only when
    /// written out; any other scheme is an error.
    static func normalize(_ raw: String) throws(CLIError) -> String {
        let address = raw.trimmingGoWhitespace()
        guard !address.isEmpty else { throw CLIError(.configuration, "the server address is empty") }
        guard let separator = address.firstRange(of: "://") else { return "https://" + address }
        let scheme = address[..<separator.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else {
            throw CLIError(
                .configuration,
                "unsupported scheme \"\(address[..<separator.lowerBound])\" in server address \(GoFormat.quote(address)): "
                    + "use https:// (or http:// for a local test server)")
        }
        let rest = address[separator.upperBound...]
        guard !rest.isEmpty, !rest.hasPrefix("/") else {
            throw CLIError(.configuration, "no host in server address \(GoFormat.quote(address))")
        }
        return scheme + "://" + rest
    }

    static func isCleartext(_ server: String) -> Bool { server.hasPrefix("http://") }

    /// The host of a normalized address (`[::1]` without brackets), lowercased.
    static func host(of server: String) -> String {
        var rest = Substring(server)
        if let separator = rest.firstRange(of: "://") { rest = rest[separator.upperBound...] }
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close]).lowercased()
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return rest.lowercased()
    }

    /// Whether the address names this machine: `localhost`, `127.0.0.0/8` or `::1`.
    static func isLoopback(_ server: String) -> Bool {
        let host = host(of: server)
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
