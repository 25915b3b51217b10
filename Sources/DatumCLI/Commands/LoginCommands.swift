import DatumArguments
import DatumCrypto
import DatumHTTP
import DatumJSON
import DatumKit
import DatumSystem
import DatumYAML
import GoCompat

/// `datumctl login`: signs in to Datum Cloud and records the session in the config file shared
/// with the official datumctl; the tokens go to the credential store.
struct LoginCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let apiHostname = OptionSpec(
            "api-hostname", kind: .value(ValueSpec("HOST")),
            help: "The API hostname; derived from --hostname (auth. becomes api.) when not given.")
        static let clientId = OptionSpec(
            "client-id", kind: .value(ValueSpec("ID")),
            help: "The OAuth client ID; Datum's own hosts have a known one.")
        static let credentials = OptionSpec(
            "credentials", kind: .value(ValueSpec("FILE", completion: .files(extensions: ["json"]))),
            help: "A service account's key file (JSON, type datum_service_account).")
        static let hostname = OptionSpec(
            "hostname", kind: .value(ValueSpec("HOST")),
            help: "The authentication server's hostname.", defaultValue: AuthHosts.defaultAuthHostname)
        static let noBrowser = OptionSpec("no-browser", help: "Use the device code flow instead of opening a browser.")
    }

    static let command = ["datumctl", "login"]

    static let spec = CommandSpec(
        "login", group: .settings,
        summary: "Authenticate with Datum Cloud",
        discussion: """
            Sign in to Datum Cloud. With --credentials, a service account signs in with its key file (a JSON \
            file of type datum_service_account, as CI pipelines use): datumctl signs a short-lived assertion \
            with the key and exchanges it at the provider's token endpoint, and mints a new one whenever the \
            access token is about to expire.

            The session is recorded in ~/.datumctl/config, the file the official datumctl uses, and becomes \
            the active session; its tokens and the key are kept in ~/.datumctl/credentials.json (mode 0600), \
            never in the config. Commands then use the session's token unless --token, DATUMCTL_TOKEN or a \
            context's token is given.

            Without --credentials, a person signs in in a browser: datumctl prints the sign-in URL (and opens \
            it with $BROWSER, or xdg-open when there is a display), and waits for the provider to redirect \
            to a one-shot listener on 127.0.0.1 (authorization code with PKCE). With --no-browser it uses the \
            device code flow instead: it prints a URL and a code to open on any device, and waits until the \
            sign-in is approved there.
            """,
        examples: [
            Example("Sign in as a service account (CI)", "datumctl login --credentials \"$DATUM_KEY_FILE\""),
            Example(
                "Sign in against a staging environment",
                "datumctl login --credentials key.json --hostname auth.staging.env.datum.net"),
        ],
        options: [
            Option.apiHostname,
            Option.clientId,
            Option.credentials,
            Option.hostname,
            Option.noBrowser,
        ])

    var hostname: String
    var apiHostname: String?
    var credentials: String?
    var clientID: String?
    var noBrowser: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        hostname = parsed.string(Option.hostname) ?? AuthHosts.defaultAuthHostname
        apiHostname = parsed.string(Option.apiHostname).flatMap { $0.isEmpty ? nil : $0 }
        credentials = parsed.string(Option.credentials).flatMap { $0.isEmpty ? nil : $0 }
        clientID = parsed.string(Option.clientId).flatMap { $0.isEmpty ? nil : $0 }
        noBrowser = parsed.flag(Option.noBrowser)
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        // What can be refused is refused before any request: the key file, or for a person the
        // public client ID; then the hosts.
        let key = try credentials.map { (file: String) throws(CLIError) -> ServiceAccountKey in
            let path = FileSystem.expandingTilde(
                file, home: FileSystem.homeDirectory(variables: context.environment.variables))
            return try ServiceAccountKey(
                path: path.hasPrefix("/") ? path : FileSystem.join(context.environment.currentDirectory, path))
        }
        let client: String? = key == nil ? try AuthHosts.clientID(flag: clientID, authHostname: hostname) : nil
        let api: String
        if let apiHostname { api = apiHostname } else { api = try AuthHosts.apiHostname(authHostname: hostname) }
        let base = try AuthHosts.baseURL(hostname)
        let apiBase = try AuthHosts.baseURL(api)
        let authHost = AuthHosts.splitScheme(hostname).1
        let apiHost = AuthHosts.splitScheme(api).1
        let sink = context.environment.stderr
        let http = try OpenIDProvider.client(
            settings: .from(context), verbosity: context.globals.verbosity, trace: { sink.line($0) })
        let provider = try OpenIDProvider.discover(base: base, http: http)
        let credential: StoredCredential
        if let key {
            credential = try serviceAccount(key, provider: provider, authHost: authHost, apiHost: apiHost, context)
        } else {
            credential = try person(
                provider: provider, base: base, client: client ?? "", authHost: authHost, apiHost: apiHost, context)
        }
        // The identity names the credentials (`<identity>@<auth host>`) and the session
        // (`<identity>@<api host>`), as in the official tool.
        let identity = credential.email ?? credential.subject
        let userKey = identity + "@" + authHost
        let store = CredentialStore(path: CredentialStore.defaultPath(variables: context.environment.variables))
        try store.withLock { (all: inout [String: StoredCredential]) throws(CLIError) in all[userKey] = credential }
        try record(
            userKey: userKey, identity: identity, name: credential.name ?? identity, apiHost: apiHost,
            apiBase: apiBase, authHost: authHost, subject: credential.subject, context: context)
        return .success
    }

    /// `--credentials FILE`: the RFC 7523 exchange of the key's signed assertion.
    func serviceAccount(
        _ key: ServiceAccountKey, provider: OpenIDProvider, authHost: String, apiHost: String,
        _ context: CommandContext
    ) throws(CLIError) -> StoredCredential {
        let tokens = try provider.exchange(key, now: Int64(context.environment.now().timeIntervalSince1970))
        let identity = key.clientEmail ?? key.clientID
        return StoredCredential(
            kind: .serviceAccount, authHostname: authHost, apiHostname: apiHost,
            tokenEndpoint: provider.tokenEndpoint, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt,
            refreshToken: nil, subject: Self.subject(of: tokens.accessToken) ?? key.clientID,
            email: identity, name: identity, serviceAccount: key)
    }

    /// A person signs in: in a browser (authorization code with PKCE), or with `--no-browser` by the
    /// device authorization grant; then the ID token's identity.
    func person(
        provider: OpenIDProvider, base: String, client: String, authHost: String, apiHost: String,
        _ context: CommandContext
    ) throws(CLIError) -> StoredCredential {
        let out = context.stdout
        let clock = context.environment.now
        let show: (String) -> Void = { line in
            out.line(line)
            out.flush()
        }
        let tokens: OpenIDProvider.Tokens
        if noBrowser {
            tokens = try provider.deviceFlow(
                base: base, clientID: client, print: show, sleep: { HTTPClient.sleep(for: $0) },
                now: { Int64(clock().timeIntervalSince1970) })
        } else {
            tokens = try BrowserSignIn(provider: provider, base: base, clientID: client).run(
                variables: context.environment.variables, timeout: .seconds(300), print: show,
                now: { Int64(clock().timeIntervalSince1970) })
        }
        let claims = try provider.verifiedIdentity(
            tokens.idToken, clientID: client, now: Int64(clock().timeIntervalSince1970))
        let email = claims["email"]?.stringValue ?? ""
        return StoredCredential(
            kind: .user, authHostname: authHost, apiHostname: apiHost, tokenEndpoint: provider.tokenEndpoint,
            accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, refreshToken: tokens.refreshToken,
            subject: claims["sub"]?.stringValue ?? "", email: email, name: claims["name"]?.stringValue ?? email,
            serviceAccount: nil)
    }

    /// Prints the greeting and records the session in the shared config as the active one.
    func record(
        userKey: String, identity: String, name: String, apiHost: String, apiBase: String, authHost: String,
        subject: String, context: CommandContext
    ) throws(CLIError) {
        context.stdout.line("")
        context.stdout.line("\u{2713} Authenticated as \(name) (\(identity))")
        context.stdout.line("")
        let configStore = ConfigCommands.store(context.environment)
        var config = try configStore.load()
        var session = ConfigSession(name: identity + "@" + apiHost)
        if let existing = config.session(named: session.name) { session = existing }
        session.userKey = userKey
        session.userEmail = identity
        session.userName = name
        session.server = apiBase
        session.authHostname = authHost
        config.upsert(session)
        config.activeSession = session.name
        // A context of another session must not keep pointing commands elsewhere.
        if let current = config.currentContext, config.context(named: current)?.session != session.name {
            config.currentContext = nil
        }
        try configStore.save(config)

        // The organizations and projects the user can reach become the session's contexts.
        context.stdout.write("Discovering organizations and projects...\n\n")
        let discovered: ContextDiscovery
        do {
            discovered = try ContextDiscovery.fetch(context, subject: subject)
        } catch {
            context.stdout.line("Warning: could not discover contexts: \(error.message)")
            context.stdout.line("")
            context.stdout.line("You can set a context manually with 'datumctl ctx use'.")
            return
        }
        context.stdout.write(discovered.summary)
        config = try configStore.load()
        discovered.record(in: &config, session: session.name, now: KubeTime.format(KubeTime.now()))
        let own = config.contexts.filter { $0.session == session.name }
        let ownProjects = own.filter { $0.project != nil }
        var selected: ConfigContext?
        if own.count == 1 {
            selected = own[0]
        } else if ownProjects.count == 1 {
            // One project to work in: chosen without asking (the official tool's picker would offer
            // it beside its organization; without a terminal it gives up).
            selected = ownProjects[0]
        } else if let current = config.currentContext, let entry = config.context(named: current),
            entry.session == session.name
        {
            selected = entry
        }
        if let selected {
            config.currentContext = selected.name
            var entry = config.session(named: session.name) ?? session
            entry.lastContext = selected.name
            config.upsert(entry)
        }
        try configStore.save(config)
        if let selected {
            context.stdout.line(
                "\u{2713} Context set to \(ContextTree(config: config, session: session.name).description(of: selected))"
            )
        } else if own.isEmpty {
            context.stdout.line(
                "Session \(session.name) is active. Choose a project with --project PROJECT (or DATUM_PROJECT), or "
                    + "record one with: datumctl config set-context --current --project PROJECT")
        } else {
            context.stdout.line(
                "Session \(session.name) is active. Choose a context with 'datumctl ctx use ORG/PROJECT' "
                    + "('datumctl ctx' lists them), or pass --project PROJECT.")
        }
    }

    /// The `sub` of a JWT access token, when the token is one (not verified: only displayed and
    /// used to address the user's own control plane).
    static func subject(of token: String) -> String? {
        guard let parsed = try? JSONWebToken(parsing: token) else { return nil }
        return parsed.claims["sub"]?.stringValue
    }
}

/// `datumctl logout`: forgets a session's credentials (all with --all).
struct LogoutCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let all = OptionSpec("all", help: "Remove the credentials of every session.")
    }

    static let command = ["datumctl", "logout"]

    static let spec = CommandSpec(
        "logout", group: .settings,
        summary: "Remove local authentication credentials",
        discussion: """
            Removes the stored credentials of the active session, of the session of the given user, or of \
            every session with --all. The sessions stay in the config file; sign in again with datumctl login.
            """,
        examples: [
            Example("Sign out of the active session", "datumctl logout"),
            Example("Sign out everywhere", "datumctl logout --all"),
        ],
        options: [Option.all],
        positionals: [PositionalSpec("USER", help: "The user (email) whose session to sign out.", isOptional: true)])

    var all: Bool
    var user: String?

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        all = parsed.flag(Option.all)
        user = parsed.positionals.first?.text
        if all && user != nil {
            throw CLIError.usage("--all and a user cannot be given together", command: Self.command)
        }
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let configStore = ConfigCommands.store(context.environment)
        var config = try configStore.load()
        let store = CredentialStore(path: CredentialStore.defaultPath(variables: context.environment.variables))
        let sessions: [ConfigSession]
        if all {
            sessions = config.sessions
        } else if let user {
            sessions = config.sessions.filter { $0.userEmail == user || $0.name == user || $0.userKey == user }
            if sessions.isEmpty { throw CLIError(.configuration, "no session for user \(GoFormat.quote(user))") }
        } else {
            guard let active = config.activeSessionEntry else {
                throw CLIError(.configuration, "not signed in: no active session")
            }
            sessions = [active]
        }
        let keys = Set(sessions.compactMap(\.userKey))
        try store.withLock { (credentials: inout [String: StoredCredential]) throws(CLIError) in
            if all { credentials = [:] } else { for key in keys { credentials[key] = nil } }
        }
        if let active = config.activeSession, sessions.contains(where: { $0.name == active }) {
            config.activeSession = nil
            try configStore.save(config)
        }
        for session in sessions {
            context.stdout.line("Logged out \(session.userEmail ?? session.name)")
        }
        return .success
    }
}

/// `datumctl auth`: tokens for other tools.
enum AuthCommands {
    static let members: [any CLICommand.Type] = [
        AuthGetTokenCommand.self, AuthListCommand.self, AuthSwitchCommand.self, AuthUpdateKubeconfigCommand.self,
    ]

    static let spec = CommandSpec(
        "auth", group: .settings,
        summary: "Authentication commands",
        discussion: "Commands that hand the signed-in session's credentials to other tools.",
        examples: [Example("Print the active session's access token", "datumctl auth get-token")],
        subcommands: members.map { $0.spec })
}

/// `datumctl auth get-token`: the active session's access token (renewed if needed), bare or as a
/// client-go ExecCredential for a kubeconfig's `exec` user.
struct AuthGetTokenCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let output = OptionSpec(
            "output", short: "o",
            kind: .value(ValueSpec("FORMAT", kind: .enumeration(["token", execCredentialVersion]))),
            help: "token, or client.authentication.k8s.io/v1 for an ExecCredential.", defaultValue: "token")
    }

    static let command = ["datumctl", "auth", "get-token"]
    static let execCredentialVersion = "client.authentication.k8s.io/v1"

    static let spec = CommandSpec(
        "get-token", group: .settings,
        summary: "Print the access token of the active session",
        discussion: """
            Prints the active session's access token, renewed first when it is about to expire. With \
            -o client.authentication.k8s.io/v1 it prints an ExecCredential with the token and its expiry, \
            for a kubeconfig user that runs datumctl (kubectl's exec credential plugin protocol).
            """,
        examples: [
            Example("Use the token with curl", "curl -H \"Authorization: Bearer $(datumctl auth get-token)\" ...")
        ],
        options: [
            Option.output
        ])

    var format: String

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        format = parsed.string(Option.output) ?? "token"
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let config = try ConfigCommands.store(context.environment).load()
        guard let active = config.activeSessionEntry, let key = active.userKey else {
            throw CLIError(.authentication, "not signed in: run `datumctl login` first")
        }
        var settings = ConnectionSettings(
            server: active.server ?? ConnectionSettings.defaultServer, namespace: "default",
            insecureSkipTLSVerify: false, verbosity: context.globals.verbosity)
        settings.session = active.name
        settings.certificateAuthority = context.globals.certificateAuthority
        guard let stored = try SessionTokens.credential(settings, config: config, context: context) else {
            throw CLIError(.authentication, "no token for \(key)")
        }
        if format == "token" {
            context.stdout.line(stored.accessToken)
            return .success
        }
        var status: JSONObject = ["token": .string(stored.accessToken)]
        if let expiry = stored.expiresAt { status["expirationTimestamp"] = .string(KubeTime.format(expiry)) }
        let credential: JSONValue = [
            "kind": "ExecCredential", "apiVersion": .string(Self.execCredentialVersion), "spec": [:],
            "status": .object(status),
        ]
        context.stdout.line(GoJSONEncoder(sortKeys: false).encode(credential))
        return .success
    }
}

/// `datumctl whoami`: the signed-in user, the endpoint and the context, as the official tool prints
/// them, and the environment variables that override the context.
struct WhoamiCommand: CLICommand {
    static let command = ["datumctl", "whoami"]

    static let spec = CommandSpec(
        "whoami", group: .settings,
        summary: "Show the current user and context",
        discussion: """
            Prints the user of the active session, its API endpoint, the current context with its organization \
            and project, and any DATUM_PROJECT or DATUM_ORGANIZATION variable that overrides them.
            """,
        examples: [Example("Who am I, and where do commands go?", "datumctl whoami")])

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {}

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let config = try ConfigCommands.store(context.environment).load()
        guard let session = config.activeSessionEntry else {
            throw CLIError(
                .authentication, "No active user found.", detail: "Please login first using: `datumctl login`")
        }
        let store = CredentialStore(path: CredentialStore.defaultPath(variables: context.environment.variables))
        let stored = session.userKey.flatMap { try? store.read()[$0] }
        let name = stored?.name ?? session.userName ?? ""
        let email = stored?.email ?? session.userEmail ?? ""
        let out = context.stdout
        out.line("User:         \(name) (\(email))")
        if let server = session.server { out.line("Endpoint:     \(ContextTree.strippingScheme(server))") }
        if let current = config.currentContext, let entry = config.context(named: current) {
            out.line("Context:      \(entry.reference ?? entry.name)")
            if let organization = entry.organization { out.line("Organization: \(organization)") }
            if let project = entry.project { out.line("Project:      \(project)") }
        } else {
            out.line("Context:      (none)")
            out.line("  Run 'datumctl ctx use' to select a context.")
        }
        if let project = context.environment.variables["DATUM_PROJECT"], !project.isEmpty {
            out.line("")
            out.line("Override:     DATUM_PROJECT=\(project) (overrides context project)")
        }
        if let organization = context.environment.variables["DATUM_ORGANIZATION"], !organization.isEmpty {
            out.line("")
            out.line("Override:     DATUM_ORGANIZATION=\(organization) (overrides context organization)")
        }
        return .success
    }
}

/// `datumctl auth list`: the sessions of the config file, the active one marked (rodaine/table layout).
struct AuthListCommand: CLICommand {
    static let command = ["datumctl", "auth", "list"]

    static let spec = CommandSpec(
        "list", aliases: ["ls"], group: .settings,
        summary: "List authenticated users",
        discussion: "Display a table of the Datum Cloud users whose sessions are stored, marking the active one.",
        examples: [Example("List the signed-in users", "datumctl auth list")])

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {}

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let config = try ConfigCommands.store(context.environment).load()
        let sessions = config.sessions
        if sessions.isEmpty {
            context.stdout.line("No authenticated users. Run 'datumctl login' to get started.")
            return .success
        }
        let endpoints = Set(sessions.map { ContextTree.strippingScheme($0.server ?? "") })
        let active = config.activeSession
        let rows = sessions.map { session -> [String] in
            let status = session.name == active ? "Active" : ""
            return endpoints.count > 1
                ? [session.userEmail ?? "", ContextTree.strippingScheme(session.server ?? ""), status]
                : [session.userEmail ?? "", status]
        }
        let header = endpoints.count > 1 ? ["User", "Endpoint", "Status"] : ["User", "Status"]
        context.stdout.write(ContextTree.table(header: header, rows: rows))
        return .success
    }
}

/// `datumctl auth switch EMAIL`: makes another stored session the active one.
struct AuthSwitchCommand: CLICommand {
    static let command = ["datumctl", "auth", "switch"]

    static let spec = CommandSpec(
        "switch", group: .settings,
        summary: "Switch the active user",
        discussion: """
            Makes the session of the given user the active one. The current context follows: the session's \
            last context when it still exists, none otherwise.
            """,
        examples: [Example("Switch to another signed-in user", "datumctl auth switch ops@example.com")],
        positionals: [PositionalSpec("EMAIL", help: "The user to switch to.")])

    var email: String

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        email = parsed.positionals.first?.text ?? ""
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let store = ConfigCommands.store(context.environment)
        var config = try store.load()
        let matches = config.sessions.filter { $0.userEmail == email || $0.name == email }
        guard let session = matches.first else {
            throw CLIError(
                .configuration, "No sessions found for \(email).",
                detail: "Run 'datumctl auth list' to see authenticated users, or 'datumctl login' to add a new one.")
        }
        if matches.count > 1 {
            throw CLIError(
                .configuration, "Several sessions belong to \(email): \(matches.map(\.name).joined(separator: ", ")).",
                detail: "Name one of them: datumctl auth switch SESSION")
        }
        config.activeSession = session.name
        if let last = session.lastContext, config.context(named: last) != nil {
            config.currentContext = last
        } else {
            config.currentContext = nil
        }
        try store.save(config)
        context.stdout.line("")
        context.stdout.line("\u{2713} Switched to \(session.userName ?? "") (\(session.userEmail ?? ""))")
        if let server = session.server { context.stdout.line("  Endpoint: \(ContextTree.strippingScheme(server))") }
        return .success
    }
}

/// `datumctl auth update-kubeconfig`: a kubeconfig cluster, context and user with which kubectl
/// reaches a project's (or organization's) control plane, the user running `datumctl auth
/// get-token` as its credential plugin (client.authentication.k8s.io/v1).
struct AuthUpdateKubeconfigCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let kubeconfig = OptionSpec(
            "kubeconfig", kind: .value(ValueSpec("FILE")),
            help: "The kubeconfig to update (default: the first of $KUBECONFIG, else ~/.kube/config).")
    }

    static let command = ["datumctl", "auth", "update-kubeconfig"]

    static let spec = CommandSpec(
        "update-kubeconfig", group: .settings,
        summary: "Configure kubectl to access a Datum Cloud control plane (kubectl users only)",
        discussion: """
            Adds or updates a cluster, a user and a context in your kubeconfig (the file named by \
            --kubeconfig, else the first of $KUBECONFIG, else ~/.kube/config) so that kubectl reaches the \
            control plane of the given project or organization with the active session's credentials: the \
            user runs `datumctl auth get-token -o client.authentication.k8s.io/v1`, which renews the token \
            whenever needed. The context becomes kubectl's current context. datumctl users do not need this.
            """,
        examples: [
            Example("Let kubectl reach a project", "datumctl auth update-kubeconfig --project my-project")
        ],
        options: [
            Option.kubeconfig
        ])

    var kubeconfig: String?

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        kubeconfig = parsed.string(Option.kubeconfig).flatMap { $0.isEmpty ? nil : $0 }
        guard
            parsed.string(GlobalOptions.Option.project) != nil
                || parsed.string(GlobalOptions.Option.organization) != nil
        else {
            throw CLIError.usage("either --project or --organization is required", command: Self.command)
        }
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let config = try ConfigCommands.store(context.environment).load()
        guard let session = config.activeSessionEntry else {
            throw CLIError(.authentication, "no active user found. Please login using 'datumctl login'")
        }
        let server = try ServerAddress.normalize(session.server ?? ConnectionSettings.defaultServer)
        let plane: ControlPlane
        let clusterName: String
        if let project = context.globals.project {
            try PathSegmentName.checkProject(project)
            plane = .project(project)
            clusterName = "datum-project-" + project
        } else if let organization = context.globals.organization {
            try PathSegmentName.checkOrganization(organization)
            plane = .organization(organization)
            clusterName = "datum-organization-" + organization
        } else {
            throw CLIError.usage("either --project or --organization is required", command: Self.command)
        }
        let variables = context.environment.variables
        let home = FileSystem.homeDirectory(variables: variables)
        let path: String
        if let kubeconfig {
            path = FileSystem.expandingTilde(kubeconfig, home: home)
        } else if let first = variables["KUBECONFIG"]?.split(separator: ":").first, !first.isEmpty {
            path = String(first)
        } else {
            path = FileSystem.join(home, ".kube/config")
        }
        var document = try Self.load(path)
        var cluster: JSONObject = ["server": .string(ProjectScope(server: server, plane: plane).baseURL)]
        if let ca = context.globals.certificateAuthority {
            let absolute = ca.hasPrefix("/") ? ca : FileSystem.join(context.environment.currentDirectory, ca)
            cluster["certificate-authority"] = .string(absolute)
        } else if let data = session.certificateAuthorityData {
            cluster["certificate-authority-data"] = .string(data)
        }
        let executable = PluginFinder.executableDirectory.map { FileSystem.join($0, "datumctl") } ?? "datumctl"
        Self.upsert(&document, "clusters", name: clusterName, field: "cluster", value: .object(cluster))
        Self.upsert(
            &document, "contexts", name: clusterName, field: "context",
            value: ["cluster": .string(clusterName), "user": "datum-user"])
        Self.upsert(
            &document, "users", name: "datum-user", field: "user",
            value: [
                "exec": [
                    "apiVersion": .string(AuthGetTokenCommand.execCredentialVersion), "command": .string(executable),
                    "args": ["auth", "get-token", "-o", .string(AuthGetTokenCommand.execCredentialVersion)],
                    "interactiveMode": "Never", "provideClusterInfo": false,
                ]
            ])
        document["current-context"] = .string(clusterName)
        if document["apiVersion"] == nil { document["apiVersion"] = "v1" }
        if document["kind"] == nil { document["kind"] = "Config" }
        do {
            try FileSystem.createDirectories(FileSystem.parent(of: path), mode: 0o700)
            try FileSystem.writeAtomically(path, Array(YAMLEmitter.kubectl(.object(document)).utf8), mode: 0o600)
        } catch {
            throw CLIError(.io, "failed to write updated kubeconfig: \(error)")
        }
        context.stdout.line(
            "Successfully updated kubeconfig at \(path) for user \(session.userKey ?? session.name) "
                + "(API Server: \(server))")
        return .success
    }

    /// The kubeconfig as JSON (an absent file is empty); a file that is not a kubeconfig is refused
    /// rather than overwritten.
    static func load(_ path: String) throws(CLIError) -> JSONObject {
        guard FileSystem.entry(at: path) != nil else { return [:] }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw CLIError(.io, "unable to load kubeconfig from \(path): \(error)")
        }
        do {
            let documents = try YAMLDocumentReader(YAMLSource(name: path, bytes: bytes)).readAll()
            guard let root = documents.first?.root else { return [:] }
            guard case .object(let object) = try root.jsonValue() else {
                throw CLIError(.configuration, "unable to load kubeconfig from \(path): not a mapping")
            }
            return object
        } catch {
            throw CLIError(.configuration, "unable to load kubeconfig from \(path): \(error)")
        }
    }

    /// Replaces the named entry of a kubeconfig list (keeping its place), or appends it.
    static func upsert(_ document: inout JSONObject, _ list: String, name: String, field: String, value: JSONValue) {
        var entries = document[list]?.arrayValue ?? []
        var object: JSONObject = ["name": .string(name)]
        object[field] = value
        let entry: JSONValue = .object(object)
        if let index = entries.firstIndex(where: { $0["name"]?.stringValue == name }) {
            entries[index] = entry
        } else {
            entries.append(entry)
        }
        document[list] = .array(entries)
    }
}
