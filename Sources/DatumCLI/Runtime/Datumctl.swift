import DatumArguments
import DatumBuildInfo
import GoCompat

/// The datumctl program: parses argv against the command tree and runs the selected command.
///
/// The executable is a thin wrapper around ``Datumctl/main(_:)``, so every command runs
/// in-process in tests with injected streams.
public enum Datumctl {
    /// The release version (from the `VERSION` file, through ``BuildInfo``).
    public static let version = BuildInfo.version

    /// Every runnable command by its path below the root; groups like `config` are spec-only.
    static let routes: [[String]: any CLICommand.Type] = {
        var table: [[String]: any CLICommand.Type] = [:]
        for command in commands { table[[command.spec.name]] = command }
        for member in ConfigCommands.members { table[["config", member.spec.name]] = member }
        for member in PluginCommands.members { table[["plugin", member.spec.name]] = member }
        for member in AuthCommands.members { table[["auth", member.spec.name]] = member }
        table[["ctx"]] = ContextListCommand.self
        for member in ContextCommands.members { table[["ctx", member.spec.name]] = member }
        return table
    }()

    /// Top-level commands, in the order help lists them within their groups.
    static let commands: [any CLICommand.Type] = [
        GetCommand.self,
        DescribeCommand.self,
        ExplainCommand.self,
        DeleteCommand.self,
        ApplyCommand.self,
        DiffCommand.self,
        WaitCommand.self,
        ValidateCommand.self,
        APIResourcesCommand.self,
        VersionCommand.self,
        CompletionCommand.self,
        OptionsCommand.self,
        LoginCommand.self,
        LogoutCommand.self,
        WhoamiCommand.self,
    ]

    /// The one command tree: parser, help, completions and docs all read it.
    public static let rootSpec = CommandSpec(
        "datumctl",
        summary: "datumctl controls resources in Datum Cloud projects.",
        discussion: """
            datumctl manages Gateway API resources such as BackendTLSPolicy in a Datum Cloud project's \
            control plane. It speaks the Kubernetes API, so its commands, flags and output follow kubectl's.

            Find more information at: https://www.datum.net/docs/
            """,
        options: GlobalOptions.specs,
        subcommands: commands.map { $0.spec } + [
            ConfigCommands.spec, ContextCommands.spec, AuthCommands.spec, PluginCommands.spec, CompleteCommand.spec,
        ])

    /// Runs one invocation and returns the process exit status. `launcher` starts plugins
    /// (`datumctl foo` runs `datumctl-foo`); tests replace it to stay in-process.
    public static func main(_ environment: CommandEnvironment, launcher: PluginLauncher = .process) -> Int32 {
        defer {
            environment.stdout.flush()
            environment.stderr.flush()
        }
        let arguments = environment.arguments
        // The completion callback takes the words as they are, before any parsing.
        if arguments.first == CompleteCommand.name {
            return CompleteCommand.run(words: Array(arguments.dropFirst()), environment: environment)
        }
        if let status = launcher.dispatch(environment, root: rootSpec) { return status }
        let parser = CommandLineParser(root: rootSpec)
        let outcome: ParseOutcome
        do {
            outcome = try parser.parse(environment.arguments)
        } catch {
            if let misplaced = PluginLauncher.misplacedFlagError(error, environment: environment, root: rootSpec) {
                Diagnostics(format: requestedErrorFormat(arguments), sink: environment.stderr).report(misplaced)
                return ExitCode.usage.rawValue
            }
            // Usage errors honour --error-format when it could be read from argv.
            let format = requestedErrorFormat(environment.arguments)
            var usage = CLIError(.usage, error.message, detail: error.detail)
            usage.argvIndex = error.argvIndex
            usage = pointing(usage, at: error.clusterOffset, environment: environment, format: format)
            if case .unknownCommand = error.reason { usage.errorCodeOverride = "UNKNOWN_SUBCOMMAND" }
            Diagnostics(format: format, sink: environment.stderr).report(usage)
            return ExitCode.usage.rawValue
        }
        switch outcome {
        case .help(let path):
            environment.stdout.write(
                HelpRenderer(root: rootSpec, width: environment.terminalWidth).render(commandPath: path))
            return ExitCode.success.rawValue
        case .run(let parsed):
            let globals = GlobalOptions(parsed)
            let diagnostics = Diagnostics(format: globals.errorFormat, sink: environment.stderr)
            guard let type = commandType(for: parsed.commandPath) else {
                environment.stdout.write(
                    HelpRenderer(root: rootSpec, width: environment.terminalWidth).render(
                        commandPath: parsed.commandPath))
                return ExitCode.success.rawValue
            }
            do throws(CLIError) {
                let command = try type.init(parsed, environment: environment)
                let context = CommandContext(environment: environment, diagnostics: diagnostics, globals: globals)
                let status = try command.run(context)
                // kubectl's --warnings-as-errors: a command that succeeded fails after the fact.
                if status == .success, globals.warningsAsErrors, context.warnings.count > 0 {
                    let count = context.warnings.count
                    throw CLIError(.warnings, "\(count) warning\(count == 1 ? "" : "s") received")
                }
                return status.rawValue
            } catch {
                diagnostics.report(pointing(error, environment: environment, format: globals.errorFormat))
                return error.exitCode.rawValue
            }
        }
    }

    /// A usage error that names an argv word gets the command line with a caret under that word,
    /// when a person reads it: human format on a terminal (logs and kubectl-comparing scripts keep
    /// kubectl's exact words; JSON errors carry `"argv": N` instead).
    static func pointing(
        _ error: CLIError, at clusterOffset: Int? = nil, environment: CommandEnvironment, format: ErrorFormat
    ) -> CLIError {
        guard error.kind == .usage, format == .human, environment.stderr.isTerminal,
            let pointer = ArgvPointer.render(
                program: rootSpec.name, arguments: environment.arguments, index: error.argvIndex,
                clusterOffset: clusterOffset)
        else { return error }
        var pointed = error
        pointed.detail = [pointer, error.detail ?? ""].filter { !$0.isEmpty }.joined(separator: "\n")
        return pointed
    }

    /// `--error-format` read straight from argv, for errors raised before parsing succeeded.
    static func requestedErrorFormat(_ arguments: [String]) -> ErrorFormat {
        for (index, word) in arguments.enumerated() {
            if word == "--" { break }
            if word.hasPrefix("--error-format="),
                let format = ErrorFormat(argument: String(word.dropFirst("--error-format=".count)))
            {
                return format
            }
            if word == "--error-format", index + 1 < arguments.count,
                let format = ErrorFormat(argument: arguments[index + 1])
            {
                return format
            }
        }
        return .human
    }

    /// The command type for a path like `["datumctl", "config", "view"]`.
    static func commandType(for path: [String]) -> (any CLICommand.Type)? {
        routes[Array(path.dropFirst())]
    }
}
