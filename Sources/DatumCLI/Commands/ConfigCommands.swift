import DatumArguments
import GoCompat

/// `datumctl config ...`: named contexts in `~/.datumctl/config` (or `$DATUMCTL_CONFIG`).
enum ConfigCommands {
    static let members: [any CLICommand.Type] = [
        ConfigCurrentContextCommand.self,
        ConfigDeleteContextCommand.self,
        ConfigGetContextsCommand.self,
        ConfigSetContextCommand.self,
        ConfigUseContextCommand.self,
        ConfigViewCommand.self,
    ]

    static let spec = CommandSpec(
        "config", group: .settings,
        summary: "Modify datumctl configuration files",
        discussion: """
            Modify the datumctl configuration file: named contexts that each hold a server, a project, a \
            namespace and credentials (a token or a token file).

            The file is $DATUMCTL_CONFIG if set, otherwise ~/.datumctl/config. It is written atomically \
            and readable only by its owner (mode 0600).

            Settings are taken from, in order: command-line flags, then environment variables \
            (DATUM_PROJECT, DATUMCTL_SERVER, DATUMCTL_TOKEN), then the current context, then defaults.
            """,
        usage: "SUBCOMMAND",
        subcommands: members.map { $0.spec })

    static func store(_ environment: CommandEnvironment) -> ConfigStore {
        let sink = environment.stderr
        return ConfigStore(path: ConfigStore.defaultPath(variables: environment.variables), notice: { sink.line($0) })
    }
}

struct ConfigViewCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let raw = OptionSpec("raw", help: "Display tokens instead of REDACTED.")
        static let minify = OptionSpec("minify", help: "Remove everything but the context in use.")
    }

    static let spec = CommandSpec(
        "view", group: .settings,
        summary: "Display the configuration file",
        discussion: "Display the configuration file. Tokens are shown as REDACTED unless --raw is given.",
        examples: [
            Example("Show the configuration with secrets redacted", "datumctl config view"),
            Example("Show only the current context", "datumctl config view --minify"),
        ],
        options: [
            Option.raw,
            Option.minify,
        ])

    var raw: Bool
    var minify: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        raw = parsed.flag(Option.raw)
        minify = parsed.flag(Option.minify)
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        var config = try ConfigCommands.store(context.environment).load()
        if minify {
            let name = context.globals.context ?? config.currentContext
            config.contexts = config.contexts.filter { $0.name == name }
        }
        context.stdout.write((raw ? config : config.redacted).yaml)
        return .success
    }
}

struct ConfigCurrentContextCommand: CLICommand {
    static let spec = CommandSpec(
        "current-context", group: .settings,
        summary: "Display the current context",
        examples: [Example("Display the current context", "datumctl config current-context")])

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {}

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        guard let current = try ConfigCommands.store(context.environment).load().currentContext, !current.isEmpty else {
            throw CLIError(.configuration, "current-context is not set")
        }
        context.stdout.line(current)
        return .success
    }
}

struct ConfigGetContextsCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let noHeaders = OptionSpec(
            "no-headers", help: "When using the default output format, don't print headers.")
        static let output = OptionSpec(
            "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["name"]))),
            help: "Output format. One of: (name).")
    }

    static let spec = CommandSpec(
        "get-contexts", group: .settings,
        summary: "Describe one or many contexts",
        examples: [
            Example("List all the contexts in your config file", "datumctl config get-contexts"),
            Example("Describe one context", "datumctl config get-contexts my-context"),
        ],
        options: [
            Option.noHeaders,
            Option.output,
        ],
        positionals: [
            PositionalSpec(
                "NAME", help: "Contexts to show.", isRepeating: true, isOptional: true, completion: .contextNames)
        ])

    var names: [String]
    var noHeaders: Bool
    var namesOnly: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        names = parsed.positionals.map(\.text)
        noHeaders = parsed.flag(Option.noHeaders)
        namesOnly = parsed.string(Option.output) == "name"
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let config = try ConfigCommands.store(context.environment).load()
        var selected = config.contexts
        if !names.isEmpty {
            for name in names where config.context(named: name) == nil {
                throw CLIError(.configuration, "context \(name) not found")
            }
            selected = names.compactMap { config.context(named: $0) }
        }
        if namesOnly {
            for item in selected { context.stdout.line(item.name) }
            return .success
        }
        var writer = TabWriter.kubectlTable()
        if !noHeaders { writer.write("CURRENT\tNAME\tSERVER\tPROJECT\tNAMESPACE\n") }
        for item in selected.sorted(by: { $0.name < $1.name }) {
            let marker = item.name == config.currentContext ? "*" : ""
            // A login context reaches its session's endpoint.
            let server = item.server ?? item.session.flatMap { config.session(named: $0)?.server } ?? ""
            writer.write("\(marker)\t\(item.name)\t\(server)\t\(item.project ?? "")\t\(item.namespace ?? "")\n")
        }
        writer.flush()
        context.stdout.write(writer.output)
        return .success
    }
}

struct ConfigUseContextCommand: CLICommand {
    static let spec = CommandSpec(
        "use-context", group: .settings,
        summary: "Set the current-context in the config file",
        examples: [Example("Use the context for the staging project", "datumctl config use-context staging")],
        positionals: [PositionalSpec("CONTEXT_NAME", help: "The context to make current.", completion: .contextNames)])

    var name: String

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        name = parsed.positionals.first?.text ?? ""
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let store = ConfigCommands.store(context.environment)
        var config = try store.load()
        guard config.context(named: name) != nil else {
            throw CLIError(.configuration, "no context exists with the name: \"\(name)\"")
        }
        config.currentContext = name
        try store.save(config)
        context.stdout.line("Switched to context \"\(name)\".")
        return .success
    }
}

struct ConfigDeleteContextCommand: CLICommand {
    static let spec = CommandSpec(
        "delete-context", group: .settings,
        summary: "Delete the specified context from the config file",
        examples: [Example("Delete the context for the old project", "datumctl config delete-context old-project")],
        positionals: [PositionalSpec("CONTEXT_NAME", help: "The context to delete.", completion: .contextNames)])

    var name: String

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        name = parsed.positionals.first?.text ?? ""
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let store = ConfigCommands.store(context.environment)
        var config = try store.load()
        guard config.context(named: name) != nil else {
            throw CLIError(.configuration, "cannot delete context \(name), not in \(store.path)")
        }
        config.contexts.removeAll { $0.name == name }
        if config.currentContext == name {
            context.stderr.line(
                "warning: this removed your active context, use \"datumctl config use-context CONTEXT_NAME\" to select a different one"
            )
        }
        try store.save(config)
        context.stdout.line("deleted context \(name) from \(store.path)")
        return .success
    }
}

struct ConfigSetContextCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let current = OptionSpec("current", help: "Modify the current context.")
        static let tokenFile = OptionSpec(
            "token-file", kind: .value(ValueSpec("FILE", completion: .files(extensions: []))),
            help: "A file holding the bearer token (read each time it is used).")
    }

    static let spec = CommandSpec(
        "set-context", group: .settings,
        summary: "Set a context entry in the config file",
        discussion: """
            Set a context entry in the config file. Specifying a name that already exists merges new \
            fields on top of the existing values. With --current, the current context is modified \
            (and no name is given); when no context is current yet, --current creates the context \
            "default" and makes it current.
            """,
        usage: "[NAME | --current] [--server=URL] [--project=PROJECT] [--token=TOKEN | --token-file=FILE]",
        examples: [
            Example(
                "Create a context for a project on the production API and make it current",
                "datumctl config set-context prod --server=https://api.datum.net --project=my-project --token-file=~/.datumctl/prod.token\ndatumctl config use-context prod"
            ),
            Example(
                "Point the current context at another project",
                "datumctl config set-context --current --project=other-project"),
        ],
        options: [
            Option.current,
            Option.tokenFile,
        ],
        positionals: [
            PositionalSpec(
                "NAME", help: "The context to create or update.", isOptional: true, completion: .contextNames)
        ])

    var name: String?
    var useCurrent: Bool
    var tokenFile: String?
    var server: String?
    var project: String?
    var namespace: String?
    var token: String?
    var certificateAuthority: String?
    var insecure: Bool?

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        name = parsed.positionals.first?.text
        useCurrent = parsed.flag(Option.current)
        if useCurrent == (name != nil) {
            throw .usage(
                useCurrent
                    ? "you cannot specify both a context name and --current"
                    : "you must specify a context name or --current",
                command: ["datumctl", "config", "set-context"])
        }
        tokenFile = parsed.string(Option.tokenFile)
        // The connection flags are global options; here they are values to store.
        server = parsed.string(GlobalOptions.Option.server)
        project = parsed.string(GlobalOptions.Option.project)
        namespace = parsed.string(GlobalOptions.Option.namespace)
        token = parsed.string(GlobalOptions.Option.token)
        certificateAuthority = parsed.string(GlobalOptions.Option.certificateAuthority).map(environment.absolutePath)
        insecure =
            parsed.isSet(GlobalOptions.Option.insecureSkipTlsVerify)
            ? parsed.flag(GlobalOptions.Option.insecureSkipTlsVerify) : nil
        if token != nil && tokenFile != nil {
            throw .usage(
                "--token and --token-file cannot be used together", command: ["datumctl", "config", "set-context"])
        }
        tokenFile = tokenFile.map(environment.absolutePath)
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let store = ConfigCommands.store(context.environment)
        var config = try store.load()
        let targetName: String
        var becomesCurrent = false
        if useCurrent {
            if let current = config.currentContext, !current.isEmpty {
                targetName = current
            } else {
                // Nothing is current yet (a fresh machine): start the context "default" and make it
                // current, so the advice `set-context --current --project P` works in one step.
                targetName = Self.firstContextName
                becomesCurrent = true
            }
        } else {
            targetName = name ?? ""
        }
        let existed = config.context(named: targetName) != nil
        var entry = config.context(named: targetName) ?? ConfigContext(name: targetName)
        if let server { entry.server = server }
        if let project { entry.project = project }
        if let namespace { entry.namespace = namespace }
        if let certificateAuthority { entry.certificateAuthority = certificateAuthority }
        if let insecure { entry.insecureSkipTLSVerify = insecure }
        if let token {
            entry.token = token
            entry.tokenFile = nil
        }
        if let tokenFile {
            entry.tokenFile = tokenFile
            entry.token = nil
        }
        config.upsert(entry)
        if becomesCurrent { config.currentContext = targetName }
        try store.save(config)
        context.stdout.line(
            "Context \"\(targetName)\" \(existed ? "modified" : "created")"
                + (becomesCurrent ? " and set as the current context." : "."))
        return .success
    }

    /// The context `--current` starts when none is current.
    static let firstContextName = "default"
}
