import DatumArguments
import DatumKit
import DatumSystem
import GoCompat

/// One datumctl command: a spec (data), a validating initialiser (no I/O), and `run`.
///
/// The shape follows kubectl's Flags → Options → `validate()` → `run()`: everything that can be
/// checked from the command line alone is checked in `init`, so `run` only does the work.
protocol CLICommand: Sendable {
    /// The command's place in the one command tree that drives parsing, help, completions and docs.
    static var spec: CommandSpec { get }

    /// Reads and validates the parsed command line; throws usage errors, never touches I/O.
    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError)

    /// Does the work, writing results to stdout and diagnostics to stderr.
    func run(_ context: CommandContext) throws(CLIError) -> ExitCode
}

/// What a running command gets: the environment and the diagnostics printer for this invocation.
struct CommandContext: Sendable {
    var environment: CommandEnvironment
    var diagnostics: Diagnostics
    var globals: GlobalOptions
    /// The server's warnings, printed once each whichever request they came with.
    let warnings: WarningPrinter

    init(environment: CommandEnvironment, diagnostics: Diagnostics, globals: GlobalOptions) {
        self.environment = environment
        self.diagnostics = diagnostics
        self.globals = globals
        warnings = WarningPrinter(diagnostics: diagnostics)
    }

    var stdout: OutputSink { environment.stdout }
    var stderr: OutputSink { environment.stderr }
}

extension CLIError {
    /// A command-line mistake found after parsing (kubectl's `validate()`); exits 64.
    static func usage(_ message: String, command: [String]) -> CLIError {
        CLIError(.usage, message, detail: "See '\(command.joined(separator: " ")) -h' for help and examples")
    }
}

extension CommandContext {
    /// The OpenAPI document cache of this invocation (`--cache-dir`, `$XDG_CACHE_HOME`, `~/.cache`).
    var openAPICache: OpenAPICache {
        let root: String?
        if let given = globals.cacheDirectory {
            root =
                given.isEmpty
                ? nil
                : FileSystem.expandingTilde(given, home: FileSystem.homeDirectory(variables: environment.variables))
        } else {
            root = OpenAPICache.defaultRoot(variables: environment.variables)
        }
        let diagnostics = diagnostics
        return OpenAPICache(root: root, warn: { message in diagnostics.warn(message) })
    }

    /// The connected server's schemas for validating manifests, read through the OpenAPI cache;
    /// kinds are named through `mapper`.
    func serverSchemas(_ client: ProjectClient, mapper: ResourceMapper) -> ServerSchemas {
        let diagnostics = diagnostics
        return ServerSchemas(
            client: client, cache: openAPICache,
            resolve: { gvk throws(CLIError) in try mapper.resource(for: gvk) },
            note: { message in diagnostics.warn(message) })
    }

    /// Connection settings after precedence (flags, environment, context, defaults).
    func connectionSettings() throws(CLIError) -> ConnectionSettings {
        let config = try ConfigCommands.store(environment).load()
        let settings = try ConnectionSettings.resolve(
            globals.withEmptyNamespaceUnset, variables: environment.variables, config: config)
        // A login session's token comes from the credential store, renewed when it is about to expire.
        return try SessionTokens.apply(settings, config: config, context: self)
    }

    /// The client for the selected project; fails (before any request) when no project is given.
    func projectClient(_ settings: ConnectionSettings? = nil) throws(CLIError) -> ProjectClient {
        let resolved: ConnectionSettings
        if let settings { resolved = settings } else { resolved = try connectionSettings() }
        let plane = try resolved.requireControlPlane()
        if let warning = resolved.cleartextTokenWarning { diagnostics.warn(warning) }
        let sink = environment.stderr
        let warnings = warnings
        return try ProjectClient(
            settings: resolved, plane: plane, trace: { line in sink.line(line) },
            onWarnings: { messages in warnings.print(messages) })
    }
}
