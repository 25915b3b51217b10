import DatumKit
import Dispatch
import GoCompat
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

    public static let usage = """
        A local, kubectl-compatible, project-scoped API server.

        Usage:
          datumctl-sandbox --data-dir DIR [--listen HOST:PORT] [--tokens FILE] [--tls-cert FILE --tls-key FILE [--disable-http2-serving]]
                           [--dev-issuer [--dev-issuer-token-ttl SECONDS] [--dev-issuer-projects P[,P...]]
                                         [--dev-issuer-user EMAIL] [--dev-issuer-device-interval SECONDS]]
                           [--oidc-issuer-url URL --oidc-client-id ID [--oidc-ca-file FILE] [--oidc-projects P[,P...]]]
                           [--crd FILE]

        Options:
          --data-dir DIR       where state is kept (created if missing); required
          --listen HOST:PORT   address to listen on; port 0 picks a free port (default 127.0.0.1:0)
          --tokens FILE        bearer tokens, one "TOKEN PROJECT[,PROJECT...]" per line ("*" = all projects);
                               without it, DIR/admin-token is created and grants every project
          --tls-cert FILE      serve HTTPS with this PEM certificate chain
          --tls-key FILE       ... and this PEM private key; clients that offer it (ALPN) get HTTP/2
          --disable-http2-serving
                               serve only HTTP/1.1 over TLS
          --dev-issuer         also act as an OpenID provider for service-account sign-in (datumctl login
                               --credentials DIR/service-account-key.json) and accept the tokens it issues
          --dev-issuer-token-ttl SECONDS
                               lifetime of the issued access tokens (default 3600)
          --dev-issuer-projects P[,P...]
                               projects the issued tokens may use besides their organizations' (default:
                               every project no organization owns)
          --dev-issuer-user EMAIL
                               the person the device flow signs in (default dev@example.com)
          --dev-issuer-device-interval SECONDS
                               polling interval the device flow asks for (default 5)
          --oidc-issuer-url URL
                               also accept RS256 tokens of this OpenID provider (https; its discovery
                               and JWKS are fetched at start)
          --oidc-client-id ID  ... whose audience includes this client ID
          --oidc-ca-file FILE  ... trusting this CA for the provider (default: the system's)
          --oidc-projects P[,P...]
                               the same for the provider's tokens
          --crd FILE           serve this BackendTLSPolicy CustomResourceDefinition (YAML) instead of the
                               built-in Gateway API v1.6.1 one: its storage version's schema and CEL rules
                               validate, and it is what /openapi/v3 publishes and explain shows (to try a
                               newer or narrower release, as a real project may serve)
          -h, --help           show this help

        It prints "listening on URL" once it accepts requests, and stops on SIGTERM or Ctrl-C.
        Exit status: 0 after a clean stop, 1 when it cannot start, 64 for a usage error.

        """

    public init() {}

    /// Parses argv (without the program name), with datumctl's conventions: `--flag value`,
    /// `--flag=value`, errors that name the flag. `-h`/`--help` throw ``SandboxUsage/help``.
    public init(arguments: [String]) throws(SandboxUsage) {
        var index = 0
        while index < arguments.count {
            var argument = arguments[index]
            var inline: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                inline = String(argument[argument.index(after: eq)...])
                argument = String(argument[..<eq])
            }
            func next() throws(SandboxUsage) -> String {
                if let inline { return inline }
                index += 1
                guard index < arguments.count else { throw .error("flag needs an argument: \(argument)") }
                return arguments[index]
            }
            switch argument {
            case "--listen":
                let address = try next()
                guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                    (0...65535).contains(port)
                else {
                    throw .error("invalid argument \"\(address)\" for \"--listen\" flag: expected HOST:PORT")
                }
                var host = String(address[..<colon])
                if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                self.host = host.isEmpty ? "127.0.0.1" : host
                self.port = port
            case "--data-dir": dataDirectory = try next()
            case "--tokens": tokensFile = try next()
            case "--tls-cert": tlsCertificate = try next()
            case "--tls-key": tlsKey = try next()
            case "--disable-http2-serving": disableHTTP2 = true
            case "--dev-issuer": devIssuer = true
            case "--dev-issuer-token-ttl":
                let text = try next()
                guard let seconds = Int64(text), (1...86_400).contains(seconds) else {
                    throw .error(
                        "invalid argument \"\(text)\" for \"--dev-issuer-token-ttl\" flag: expected 1 to 86400 seconds")
                }
                devIssuerTokenLifetime = seconds
            case "--dev-issuer-user": devIssuerUser = try next()
            case "--dev-issuer-device-interval":
                let text = try next()
                guard let seconds = Int64(text), (0...60).contains(seconds) else {
                    throw .error(
                        "invalid argument \"\(text)\" for \"--dev-issuer-device-interval\" flag: expected 0 to 60 seconds"
                    )
                }
                devIssuerDeviceInterval = seconds
            case "--oidc-issuer-url": oidcIssuer = try next()
            case "--oidc-client-id": oidcClientID = try next()
            case "--oidc-ca-file": oidcCAFile = try next()
            case "--oidc-projects":
                let list = try next().split(separator: ",").map(String.init)
                oidcProjects = list.contains("*") ? nil : Set(list)
            case "--dev-issuer-projects":
                let list = try next().split(separator: ",").map(String.init)
                devIssuerProjects = list.contains("*") ? nil : Set(list)
            case "--crd": crdFile = try next()
            case "-h", "--help": throw .help
            default:
                if argument.hasPrefix("-") { throw .error("unknown flag: \(argument)") }
                throw .error("unexpected argument \"\(argument)\": datumctl-sandbox takes only flags")
            }
            index += 1
        }
        if dataDirectory.isEmpty { throw .error("required flag \"--data-dir\" not set") }
        if (oidcIssuer == nil) != (oidcClientID == nil) {
            throw .error("--oidc-issuer-url and --oidc-client-id must be given together")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw .error("--tls-cert and --tls-key must be given together")
        }
    }
}

/// Why the command line was not run: help was asked for, or it was wrong.
public enum SandboxUsage: Error, Sendable, Equatable {
    case help
    case error(String)
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
                FileIO.writeOutput(SandboxOptions.usage)
                return 0
            case .error(let message):
                FileIO.writeError("error: \(message)\nSee 'datumctl-sandbox --help' for usage.\n")
                return 64
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
        let server = try SandboxHTTPServer(api: api, socket: socket, host: options.host, tls: tls)

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

/// The sandbox's file needs over DatumKit's POSIX `FileSystem` (the sandbox avoids Foundation).
enum FileIO {
    /// Unbuffered writes, so a script reading our first line sees it at once.
    static func writeOutput(_ text: String) { try? FileSystem.writeAll(1, Array(text.utf8)) }

    static func writeError(_ text: String) { try? FileSystem.writeAll(2, Array(text.utf8)) }

    static func read(_ path: String) -> String? {
        (try? FileSystem.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes a file readable only by its owner (0600), for secrets.
    static func writePrivate(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw SandboxConfigurationError("cannot create \(path): \(FileSystemError(errno))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        do {
            try FileSystem.writeAll(fd, Array(text.utf8))
        } catch {
            throw SandboxConfigurationError("cannot write \(path): \(error)")
        }
        fsync(fd)
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileSystem.createDirectories(path, mode: 0o755)
        } catch {
            throw SandboxConfigurationError("cannot create directory \(path): \(error)")
        }
    }
}
