import DatumArguments
import DatumKit
import DatumSystem
import Dispatch
import GoCompat
import NIOCore
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parsed `datumctl-sandbox` flags.
public struct SandboxOptions: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 0
    public var dataDirectory = ""
    public var tokensFile: String?
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// `--disable-http2-serving`: offer only HTTP/1.1 over TLS (kube-apiserver's flag).
    public var disableHTTP2 = false
    /// `--dev-issuer`: serve an OpenID provider for service-account sign-in, and accept its tokens.
    public var devIssuer = false
    public var devIssuerTokenLifetime: Int64 = 3600
    /// Projects the dev issuer's subjects may use; nil is every project no organization owns.
    public var devIssuerProjects: Set<String>?
    public var devIssuerUser = "dev@example.com"
    public var devIssuerDeviceInterval: Int64 = 5
    /// `--oidc-issuer-url`, `--oidc-client-id`, `--oidc-ca-file`, `--oidc-projects`.
    public var oidcIssuer: String?
    public var oidcClientID: String?
    public var oidcCAFile: String?
    public var oidcProjects: Set<String>?
    /// `--crd FILE`: a BackendTLSPolicy CRD to serve instead of the built-in one.
    public var crdFile: String?
    /// `--request-threads N`: threads that handle requests off the event loops (0: on them).
    public var requestThreads = System.coreCount

    public init() {}

    /// `datumctl-sandbox`'s command line as data, read by the same parser and help renderer as
    /// datumctl's (DatumArguments): pflag's syntax, cobra's words for usage errors.
    public static let spec = CommandSpec(
        "datumctl-sandbox",
        summary: "A local, kubectl-compatible, project-scoped API server.",
        discussion: """
            It serves Datum Cloud's project-scoped API (`/apis/resourcemanager.miloapis.com/v1alpha1/projects/P/control-plane`) \
            on this machine, keeps its state in the data directory, prints "listening on URL" once it accepts requests, \
            and stops on SIGTERM or Ctrl-C.

            Exit status: 0 after a clean stop, 1 when it cannot start, 64 for a usage error.
            """,
        usage: "--data-dir DIR [options]",
        examples: [
            Example(
                "Serve on a port the system picks, keeping state in ./sandbox-data",
                "datumctl-sandbox --data-dir sandbox-data"),
            Example(
                "Serve HTTPS (HTTP/2 for clients that offer it) on a fixed port",
                "datumctl-sandbox --data-dir d --listen 127.0.0.1:6443 --tls-cert cert.pem --tls-key key.pem"),
            Example(
                "Also act as an OpenID provider for `datumctl login --credentials`",
                "datumctl-sandbox --data-dir d --dev-issuer"),
        ],
        options: Option.all)

    /// The options, declared once: the spec lists them and `init(arguments:)` reads them.
    public enum Option {
        public static let dataDirectory = OptionSpec(
            "data-dir", kind: .value(ValueSpec("DIR", completion: .directories)),
            help: "Where state is kept (created if missing); required.")
        public static let listen = OptionSpec(
            "listen", kind: .value(ValueSpec("HOST:PORT")),
            help: "Address to listen on; port 0 picks a free port.", defaultValue: "127.0.0.1:0")
        public static let tokens = OptionSpec(
            "tokens", kind: .value(ValueSpec("FILE", completion: .files(extensions: []))),
            help: """
                Bearer tokens, one "TOKEN PROJECT[,PROJECT...]" per line ("*" = all projects); without it, \
                DIR/admin-token is created and grants every project.
                """)
        public static let tlsCertificate = OptionSpec(
            "tls-cert", kind: .value(ValueSpec("FILE", completion: .files(extensions: ["pem", "crt"]))),
            help: "Serve HTTPS with this PEM certificate chain (with --tls-key).")
        public static let tlsKey = OptionSpec(
            "tls-key", kind: .value(ValueSpec("FILE", completion: .files(extensions: ["pem", "key"]))),
            help: "The PEM private key of --tls-cert; clients that offer it (ALPN) get HTTP/2.")
        public static let disableHTTP2 = OptionSpec(
            "disable-http2-serving", help: "Serve only HTTP/1.1 over TLS (kube-apiserver's flag).")
        public static let devIssuer = OptionSpec(
            "dev-issuer",
            help: """
                Also act as an OpenID provider for service-account sign-in (datumctl login --credentials \
                DIR/service-account-key.json) and accept the tokens it issues.
                """)
        public static let devIssuerTokenTTL = OptionSpec(
            "dev-issuer-token-ttl", kind: .value(ValueSpec("SECONDS", kind: .int)),
            help: "Lifetime of the issued access tokens, 1 to 86400 seconds.", defaultValue: "3600")
        public static let devIssuerProjects = OptionSpec(
            "dev-issuer-projects", kind: .value(ValueSpec("P[,P...]")),
            help:
                "Projects the issued tokens may use besides their organizations' (default: every project no organization owns)."
        )
        public static let devIssuerUser = OptionSpec(
            "dev-issuer-user", kind: .value(ValueSpec("EMAIL")),
            help: "The person the device flow signs in.", defaultValue: "dev@example.com")
        public static let devIssuerDeviceInterval = OptionSpec(
            "dev-issuer-device-interval", kind: .value(ValueSpec("SECONDS", kind: .int)),
            help: "Polling interval the device flow asks for, 0 to 60 seconds.", defaultValue: "5")
        public static let oidcIssuer = OptionSpec(
            "oidc-issuer-url", kind: .value(ValueSpec("URL")),
            help: """
                Also accept RS256 tokens of this OpenID provider (https; its discovery and JWKS are fetched \
                at start; with --oidc-client-id).
                """)
        public static let oidcClientID = OptionSpec(
            "oidc-client-id", kind: .value(ValueSpec("ID")),
            help: "... whose audience includes this client ID.")
        public static let oidcCAFile = OptionSpec(
            "oidc-ca-file", kind: .value(ValueSpec("FILE", completion: .files(extensions: ["pem", "crt"]))),
            help: "... trusting this CA for the provider (default: the system's).")
        public static let oidcProjects = OptionSpec(
            "oidc-projects", kind: .value(ValueSpec("P[,P...]")),
            help: "Projects the provider's tokens may use, as --dev-issuer-projects.")
        public static let crd = OptionSpec(
            "crd", kind: .value(ValueSpec("FILE", completion: .files(extensions: ["yaml", "yml", "json"]))),
            help: """
                Serve this BackendTLSPolicy CustomResourceDefinition (YAML) instead of the built-in Gateway API \
                v1.6.1 one: its storage version's schema and CEL rules validate, and it is what /openapi/v3 \
                publishes and explain shows.
                """)

        public static let requestThreads = OptionSpec(
            "request-threads", kind: .value(ValueSpec("N", kind: .int)),
            help: """
                Threads that handle requests (parse, validate, commit, serialize), so the event loops only \
                move bytes: N for reads and N for writes. 0 handles them on the event loops (lower latency for \
                a single client, but one slow request holds up its loop's other connections). Default: the \
                number of CPUs.
                """)

        public static let all = [
            dataDirectory, listen, tokens, tlsCertificate, tlsKey, disableHTTP2, devIssuer, devIssuerTokenTTL,
            devIssuerProjects, devIssuerUser, devIssuerDeviceInterval, oidcIssuer, oidcClientID, oidcCAFile,
            oidcProjects, crd, requestThreads,
        ]
    }

    /// Parses argv (without the program name) with `spec`. `-h`/`--help` throw ``SandboxUsage/help``.
    public init(arguments: [String]) throws(SandboxUsage) {
        let parsed: ParsedCommand
        do {
            switch try CommandLineParser(root: Self.spec).parse(arguments) {
            case .help: throw SandboxUsage.help
            case .run(let command): parsed = command
            }
        } catch let error as UsageError {
            throw .error(error)
        } catch {
            throw .help
        }
        func invalid(_ option: OptionSpec, _ detail: String) -> SandboxUsage {
            let value = parsed.values(of: option).last
            return .error(
                UsageError(
                    .invalidValue(value?.text ?? "", option: option, detail: detail), argvIndex: value?.argvIndex,
                    commandPath: [Self.spec.name]))
        }
        func projects(_ option: OptionSpec) -> Set<String>? {
            guard let text = parsed.string(option) else { return nil }
            let list = text.split(separator: ",").map(String.init)
            return list.contains("*") ? nil : Set(list)
        }

        let address = parsed.string(Option.listen) ?? "127.0.0.1:0"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw invalid(Option.listen, "expected HOST:PORT") }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
        dataDirectory = parsed.string(Option.dataDirectory) ?? ""
        tokensFile = parsed.string(Option.tokens)
        tlsCertificate = parsed.string(Option.tlsCertificate)
        tlsKey = parsed.string(Option.tlsKey)
        disableHTTP2 = parsed.flag(Option.disableHTTP2)
        devIssuer = parsed.flag(Option.devIssuer)
        let ttl = parsed.int(Option.devIssuerTokenTTL) ?? 3600
        guard (1...86_400).contains(ttl) else { throw invalid(Option.devIssuerTokenTTL, "expected 1 to 86400 seconds") }
        devIssuerTokenLifetime = Int64(ttl)
        devIssuerProjects = projects(Option.devIssuerProjects)
        devIssuerUser = parsed.string(Option.devIssuerUser) ?? devIssuerUser
        let interval = parsed.int(Option.devIssuerDeviceInterval) ?? 5
        guard (0...60).contains(interval) else {
            throw invalid(Option.devIssuerDeviceInterval, "expected 0 to 60 seconds")
        }
        devIssuerDeviceInterval = Int64(interval)
        oidcIssuer = parsed.string(Option.oidcIssuer)
        oidcClientID = parsed.string(Option.oidcClientID)
        oidcCAFile = parsed.string(Option.oidcCAFile)
        oidcProjects = projects(Option.oidcProjects)
        crdFile = parsed.string(Option.crd)
        let threads = parsed.int(Option.requestThreads) ?? requestThreads
        guard (0...256).contains(threads) else { throw invalid(Option.requestThreads, "expected 0 to 256 threads") }
        requestThreads = threads

        let path = [Self.spec.name]
        if dataDirectory.isEmpty {
            throw .error(UsageError(.requiredFlags([Option.dataDirectory]), argvIndex: nil, commandPath: path))
        }
        for group in [[Option.tlsCertificate, Option.tlsKey], [Option.oidcIssuer, Option.oidcClientID]] {
            let missing = group.filter { !parsed.isSet($0) }
            if missing.count == 1 {
                throw .error(
                    UsageError(.flagsRequiredTogether(group, missing: missing), argvIndex: nil, commandPath: path))
            }
        }
    }

    /// Help for `-h`/`--help`, wrapped to `width` columns.
    public static func help(width: Int) -> String {
        HelpRenderer(root: spec, width: width).render(commandPath: [spec.name])
    }
}

/// Why the command line was not run: help was asked for, or it was wrong.
public enum SandboxUsage: Error, Sendable, Equatable {
    case help
    case error(UsageError)
}

/// The `datumctl-sandbox` program: flags → store → controller → HTTP server, until SIGTERM/SIGINT.
public enum SandboxCommand {
    /// Runs the server; returns the process exit code.
    public static func main(arguments: [String]) -> Int32 {
        let options: SandboxOptions
        do {
            options = try SandboxOptions(arguments: arguments)
        } catch {
            switch error {
            case .help:
                let width = TerminalWidth.resolve(
                    columnsVariable: getenv("COLUMNS").map { String(cString: $0) }, windowColumns: nil)
                FileIO.writeOutput(SandboxOptions.help(width: width))
                return 0
            case .error(let error):
                let pointer =
                    isatty(2) == 1
                    ? ArgvPointer.render(
                        program: SandboxOptions.spec.name, arguments: arguments, index: error.argvIndex,
                        clusterOffset: error.clusterOffset) : nil
                FileIO.writeError(error.rendered(pointer: pointer))
                return UsageError.exitCode
            }
        }
        do {
            try run(options)
            return 0
        } catch let error as SandboxConfigurationError {
            FileIO.writeError("datumctl-sandbox: \(error.message)\n")
            return 1
        } catch {
            FileIO.writeError("datumctl-sandbox: \(error)\n")
            return 1
        }
    }

    static func run(_ options: SandboxOptions) throws {
        // The schema before anything answers requests: every response is built from it.
        if let path = options.crdFile { try ServedCRDs.serve(file: path) }
        // The address first: a port that is taken must not leave a data directory or token behind.
        let socket = try ListeningSocket(host: options.host, port: options.port)
        // The external issuer next (network, no files): an unreachable one must leave nothing behind.
        var oidc: OIDCAuthenticator?
        if let url = options.oidcIssuer, let clientID = options.oidcClientID {
            oidc = try OIDCAuthenticator(issuer: url, clientID: clientID, caFile: options.oidcCAFile)
        }
        try FileIO.makeDirectory(options.dataDirectory)
        // Two servers on one directory would each trust their own in-memory copy: refuse the second.
        let lockDescriptor = open(options.dataDirectory + "/lock", O_RDWR | O_CREAT, 0o600)
        guard lockDescriptor >= 0 else {
            // A read-only or foreign directory: say so, rather than blame another server.
            let reason = String(cString: strerror(errno))
            throw SandboxConfigurationError(
                "data directory \(options.dataDirectory) is not writable: \(options.dataDirectory)/lock: \(reason)")
        }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(lockDescriptor)
            throw SandboxConfigurationError(
                "data directory \(options.dataDirectory) is in use by another datumctl-sandbox")
        }
        defer { close(lockDescriptor) }
        let tokens = try loadTokens(options)
        let store = try ObjectStore(path: options.dataDirectory + "/sandbox.db")
        let controller = StatusController(store: store)
        controller.start()
        var issuer: DevIssuer?
        if options.devIssuer {
            issuer = try DevIssuer(
                dataDirectory: options.dataDirectory, tokenLifetime: options.devIssuerTokenLifetime,
                projects: options.devIssuerProjects, userEmail: options.devIssuerUser,
                deviceInterval: options.devIssuerDeviceInterval)
        }
        let api = APIServer(
            store: store, tokens: tokens, issuer: issuer, oidc: oidc, oidcProjects: options.oidcProjects)
        var tls: NIOSSLContext?
        if let certificate = options.tlsCertificate, let key = options.tlsKey {
            tls = try SandboxHTTPServer.tlsContext(certificate: certificate, key: key, http2: !options.disableHTTP2)
        }
        let server = try SandboxHTTPServer(
            api: api, socket: socket, host: options.host, tls: tls, requestThreads: options.requestThreads)

        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "datumctl-sandbox.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { server.shutdown() }
            source.resume()
            sources.append(source)
        }
        // Announced only once SIGTERM is handled: a signal sent right after this line would
        // otherwise be ignored (SIG_IGN above) and the server would never stop.
        issuer?.setIssuer(server.url)
        FileIO.writeOutput("listening on \(server.url)\n")
        try server.waitUntilClosed()
        controller.stop()
        for source in sources { source.cancel() }
        FileIO.writeError("datumctl-sandbox: stopped\n")
    }

    static func loadTokens(_ options: SandboxOptions) throws -> TokenTable {
        if let path = options.tokensFile {
            guard let text = FileIO.read(path) else {
                throw SandboxConfigurationError("cannot read --tokens file \(path)")
            }
            return try TokenTable(parsing: text, source: path)
        }
        let path = options.dataDirectory + "/admin-token"
        var token = FileIO.read(path)?.trimmingGoSpaces().split(separator: "\n").first.map(String.init) ?? ""
        if token.isEmpty {
            var generator = SystemRandomNumberGenerator()
            let hex = Array("0123456789abcdef".utf8)
            token = String(decoding: (0..<40).map { _ in hex[Int(generator.next() % 16)] }, as: UTF8.self)
            try FileIO.writePrivate(path, token + "\n")
            FileIO.writeError("datumctl-sandbox: created \(path) (mode 0600); it grants every project\n")
        } else {
            FileIO.writeError("datumctl-sandbox: using the token in \(path); it grants every project\n")
        }
        var table = TokenTable()
        table.grant(token, projects: nil)
        return table
    }
}

/// The sandbox's file needs over DatumSystem's POSIX `FileSystem` (the sandbox avoids Foundation).
enum FileIO {
    /// Unbuffered writes, so a script reading our first line sees it at once.
    static func writeOutput(_ text: String) { try? FileSystem.writeAll(1, Array(text.utf8)) }

    static func writeError(_ text: String) { try? FileSystem.writeAll(2, Array(text.utf8)) }

    static func read(_ path: String) -> String? {
        (try? FileSystem.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes a file readable only by its owner (0600), for secrets, atomically (a reader never
    /// sees half a key).
    static func writePrivate(_ path: String, _ text: String) throws {
        do {
            try FileSystem.writeAtomically(path, Array(text.utf8), mode: 0o600)
        } catch {
            throw SandboxConfigurationError("cannot write \(path): \(error)")
        }
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileSystem.createDirectories(path, mode: 0o755)
        } catch {
            throw SandboxConfigurationError("cannot create directory \(path): \(error)")
        }
    }
}
