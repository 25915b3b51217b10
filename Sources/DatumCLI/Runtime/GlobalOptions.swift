import DatumArguments
import GoCompat

/// Options every command accepts, before or after the subcommand (cobra's persistent flags).
struct GlobalOptions: Sendable {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let project = OptionSpec(
            "project", kind: .value(ValueSpec("PROJECT")),
            help: "The Datum Cloud project to act on. Defaults to $DATUM_PROJECT, then the current context.",
            isGlobal: true)
        static let organization = OptionSpec(
            "organization", kind: .value(ValueSpec("ORGANIZATION")),
            help:
                "Act on an organization's control plane instead of a project's. Defaults to $DATUM_ORGANIZATION, then the current context.",
            isGlobal: true)
        static let platformWide = OptionSpec(
            "platform-wide",
            help: "Access the platform root instead of a project or organization control plane.",
            isGlobal: true)
        static let server = OptionSpec(
            "server", short: "s", kind: .value(ValueSpec("URL")),
            help:
                "The address of the Datum Cloud API server. Defaults to $DATUMCTL_SERVER, then the current context, then https://api.datum.net.",
            isGlobal: true)
        static let token = OptionSpec(
            "token", kind: .value(ValueSpec("TOKEN")),
            help:
                "Bearer token for authentication to the API server. Defaults to $DATUMCTL_TOKEN, then the current context.",
            isGlobal: true)
        static let cacheDir = OptionSpec(
            "cache-dir", kind: .value(ValueSpec("DIRECTORY", completion: .directories)),
            help:
                "Where the servers' OpenAPI documents and discovery are cached. Defaults to $XDG_CACHE_HOME/datumctl, then "
                + "~/.cache/datumctl; an empty value turns the cache off.",
            isGlobal: true)
        static let certificateAuthority = OptionSpec(
            "certificate-authority", kind: .value(ValueSpec("FILE", completion: .files(extensions: ["crt", "pem"]))),
            help: "Path to a PEM file of certificate authorities to trust for the server's certificate.",
            isGlobal: true)
        static let insecureSkipTlsVerify = OptionSpec(
            "insecure-skip-tls-verify",
            help:
                "Do not verify the server's certificate. Your connection is open to interception; use only for testing.",
            isGlobal: true)
        static let requestTimeout = OptionSpec(
            "request-timeout", kind: .value(ValueSpec("DURATION", kind: .duration)),
            help: "How long to wait for a single server request (e.g. 1s, 2m); 0 waits forever.",
            defaultValue: "0", isGlobal: true)
        static let namespace = OptionSpec(
            "namespace", short: "n", kind: .value(ValueSpec("NAMESPACE")),
            help: "The namespace within the project. Defaults to the context's namespace, then \"default\".",
            isGlobal: true)
        static let context = OptionSpec(
            "context", kind: .value(ValueSpec("NAME", completion: .contextNames)),
            help: "The name of the config context to use instead of the current one.", isGlobal: true)
        static let v = OptionSpec(
            "v", short: "v", kind: .value(ValueSpec("LEVEL", kind: .int)),
            help:
                "Log level: 6 prints each request's method, URL, status and time; 7 adds request headers; 8 adds response headers and bodies; 9 prints bodies in full.",
            defaultValue: "0", isGlobal: true)
        static let warningsAsErrors = OptionSpec(
            "warnings-as-errors",
            help: "Treat warnings received from the server as errors and exit with a non-zero exit code.",
            isGlobal: true)
        static let errorFormat = OptionSpec(
            "error-format",
            kind: .value(
                ValueSpec(
                    "FORMAT", kind: .enumeration(ErrorFormat.accepted),
                    completion: .values(ErrorFormat.allCases.map(\.rawValue)))),
            help:
                "How errors are printed on stderr: human, or the official datumctl's envelope in json (one line per error) or yaml, for scripts.",
            defaultValue: "human", isGlobal: true)
    }

    static let specs: [OptionSpec] = [
        Option.project,
        Option.organization,
        Option.platformWide,
        Option.server,
        Option.token,
        Option.cacheDir,
        Option.certificateAuthority,
        Option.insecureSkipTlsVerify,
        Option.requestTimeout,
        Option.namespace,
        Option.context,
        Option.v,
        Option.warningsAsErrors,
        Option.errorFormat,
    ]

    var project: String?
    var organization: String?
    var platformWide: Bool
    var server: String?
    var token: String?
    var certificateAuthority: String?
    /// `--cache-dir`; nil when not given, "" to turn the cache off.
    var cacheDirectory: String?
    var insecureSkipTLSVerify: Bool
    var requestTimeout: Duration?
    var namespace: String?
    var context: String?
    var verbosity: Int
    var errorFormat: ErrorFormat
    var warningsAsErrors: Bool

    /// `-n ""` means no namespace was given, as in kubectl: the context's (or `default`) applies.
    /// An empty namespace would otherwise leave an empty segment in every URL.
    var withEmptyNamespaceUnset: GlobalOptions {
        var copy = self
        if copy.namespace?.isEmpty == true { copy.namespace = nil }
        return copy
    }

    init(_ parsed: ParsedCommand) {
        project = parsed.string(Option.project)
        organization = parsed.string(Option.organization)
        platformWide = parsed.flag(Option.platformWide)
        server = parsed.string(Option.server)
        token = parsed.string(Option.token)
        certificateAuthority = parsed.string(Option.certificateAuthority)
        cacheDirectory = parsed.string(Option.cacheDir)
        insecureSkipTLSVerify = parsed.flag(Option.insecureSkipTlsVerify)
        let timeout = parsed.duration(Option.requestTimeout)
        requestTimeout = timeout == .zero ? nil : timeout
        namespace = parsed.string(Option.namespace)
        context = parsed.string(Option.context)
        verbosity = parsed.int(Option.v) ?? 0
        errorFormat = parsed.string(Option.errorFormat).flatMap(ErrorFormat.init(argument:)) ?? .human
        warningsAsErrors = parsed.flag(Option.warningsAsErrors)
    }
}
