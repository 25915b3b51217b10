import DatumArguments
import DatumJSON
import GoCompat

/// `datumctl ctx`, `ctx list`, `ctx use ORG[/PROJECT]`: the contexts of the official datumctl's
/// config file (one per organization and project a login discovered), listed and switched as the
/// official tool does.
enum ContextCommands {
    static let members: [any CLICommand.Type] = [ContextListCommand.self, ContextUseCommand.self]

    static let allOption = OptionSpec(
        "all", help: "List contexts from every session, grouped by account and endpoint.")

    static let spec = CommandSpec(
        "ctx", aliases: ["context"], group: .settings,
        summary: "View and switch contexts",
        discussion: """
            List and switch between organizations and projects.

            Running 'datumctl ctx' without a subcommand lists the active session's contexts. Use --all to \
            list every session's contexts grouped by account and endpoint. The contexts live in the config \
            file shared with the official datumctl (~/.datumctl/config).
            """,
        examples: [
            Example("List the contexts of the active session", "datumctl ctx"),
            Example("Switch to a project", "datumctl ctx use my-org/my-project"),
        ],
        options: [allOption],
        subcommands: members.map { $0.spec },
        runsWithoutSubcommand: true)
}

/// `datumctl ctx [list]`.
struct ContextListCommand: CLICommand {
    static let spec = CommandSpec(
        "list", aliases: ["ls"], group: .settings,
        summary: "List available contexts",
        discussion: """
            List the contexts for the active session.

            By default only the active session's contexts are shown. Use --all to list every session's \
            contexts grouped by account and endpoint, which helps when the same organization or project name \
            exists in more than one environment.
            """,
        examples: [Example("List every session's contexts", "datumctl ctx list --all")],
        options: [ContextCommands.allOption])

    var all: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        all = parsed.flag(ContextCommands.allOption)
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let config = try ConfigCommands.store(context.environment).load()
        guard !config.contexts.isEmpty else {
            context.stdout.line("No contexts available. Run 'datumctl login' to get started.")
            return .success
        }
        if all {
            var first = true
            for session in config.sessions where config.contexts.contains(where: { $0.session == session.name }) {
                if !first { context.stdout.line("") }
                first = false
                context.stdout.line(
                    "\(session.userEmail ?? "")  (\(ContextTree.strippingScheme(session.server ?? "")))")
                context.stdout.write(ContextTree(config: config, session: session.name).text)
            }
        } else {
            context.stdout.write(ContextTree(config: config, session: config.activeSessionEntry?.name).text)
        }
        return .success
    }
}

/// The official tool's context table: organizations with their projects indented below them, display
/// names from the config's cache, laid out as github.com/rodaine/table does (every column padded to
/// its widest cell plus two spaces).
struct ContextTree {
    var config: ConfigFile
    var session: String?

    var text: String {
        var order: [String] = []
        var organizationContext: [String: ConfigContext] = [:]
        var projects: [String: [ConfigContext]] = [:]
        for context in config.contexts where context.session == session {
            let organization = context.organization ?? ""
            if organizationContext[organization] == nil && projects[organization] == nil { order.append(organization) }
            if context.project == nil {
                organizationContext[organization] = context
            } else {
                projects[organization, default: []].append(context)
            }
        }
        var rows: [[String]] = []
        for organization in order {
            if let context = organizationContext[organization] {
                rows.append([
                    displayName(organization: organization), organization, "org",
                    config.currentContext == context.name ? "*" : "",
                ])
            }
            let sorted = (projects[organization] ?? []).sorted {
                ($0.project ?? "").utf8.lexicographicallyPrecedes(($1.project ?? "").utf8)
            }
            for context in sorted {
                rows.append([
                    "  " + displayName(project: context.project ?? ""), context.reference ?? context.name, "project",
                    config.currentContext == context.name ? "*" : "",
                ])
            }
        }
        return Self.table(header: ["Display Name", "Name", "Type", "Current"], rows: rows)
    }

    private var cache: JSONObject { config.document["cache"]?.objectValue ?? [:] }

    private func cached(_ list: String, id: String) -> String? {
        for item in cache[list]?.arrayValue ?? [] {
            let owner = item["session"]?.stringValue ?? ""
            guard item["id"]?.stringValue == id, session == nil || owner == session,
                let name = item["display-name"]?.stringValue, !name.isEmpty
            else { continue }
            return name
        }
        return nil
    }

    func displayName(organization: String) -> String { cached("organizations", id: organization) ?? organization }
    func displayName(project: String) -> String { cached("projects", id: project) ?? project }

    /// "project Datum Cloud in Datum Technology (datum/datum-cloud)" or "org Datum Technology (datum)".
    func description(of context: ConfigContext) -> String {
        let organization = context.organization ?? ""
        let organizationName = displayName(organization: organization)
        guard let project = context.project else { return "org \(organizationName) (\(organization))" }
        return "project \(displayName(project: project)) in \(organizationName) (\(context.reference ?? ""))"
    }

    static func table(header: [String], rows: [[String]]) -> String {
        var widths = header.map { $0.unicodeScalars.count + 2 }
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.unicodeScalars.count + 2)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                cell + String(repeating: " ", count: max(0, widths[index] - cell.unicodeScalars.count))
            }.joined() + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    static func strippingScheme(_ server: String) -> String {
        var text = Substring(server)
        if text.hasPrefix("https://") {
            text = text.dropFirst(8)
        } else if text.hasPrefix("http://") {
            text = text.dropFirst(7)
        }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}

/// `datumctl ctx use ORG[/PROJECT]`.
struct ContextUseCommand: CLICommand {
    static let spec = CommandSpec(
        "use", group: .settings,
        summary: "Switch the active context",
        discussion: """
            Switch the active context to an organization or project.

            Use the format 'org/project' to select a project context, or just 'org' for an org context. \
            Contexts are looked up in the active session's contexts; a full context name (as in the config \
            file) is accepted too.
            """,
        examples: [
            Example("Switch to a project", "datumctl ctx use my-org/my-project"),
            Example("Switch to an organization", "datumctl ctx use my-org"),
        ],
        positionals: [PositionalSpec("CONTEXT", help: "org or org/project.", completion: .contextNames)])

    var reference: String

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        reference = parsed.positionals.first?.text ?? ""
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let store = ConfigCommands.store(context.environment)
        var config = try store.load()
        guard !config.contexts.isEmpty else {
            context.stdout.line("No contexts available. Run 'datumctl login' to get started.")
            return .success
        }
        let active = config.activeSessionEntry?.name
        guard let resolved = config.resolveContext(reference, session: active) else {
            if let owner = config.contexts.first(where: { $0.reference == reference }).flatMap({ context in
                context.session.flatMap { config.session(named: $0) }
            }) {
                let email = owner.userEmail ?? owner.name
                throw CLIError(
                    .configuration,
                    "Context \(GoFormat.quote(reference)) belongs to the session for \(email), which is not active.",
                    detail: "Run 'datumctl auth switch \(email)' first, then 'datumctl ctx use \(reference)'.")
            }
            throw CLIError(
                .configuration, "Context \(GoFormat.quote(reference)) not found.",
                detail: "Run 'datumctl ctx' to see available contexts.")
        }
        config.currentContext = resolved.name
        config.activeSession = resolved.session
        if let name = resolved.session, var session = config.session(named: name) {
            session.lastContext = resolved.name
            config.upsert(session)
        }
        try store.save(config)
        context.stdout.write(
            "\n\u{2713} Switched to \(ContextTree(config: config, session: resolved.session).description(of: resolved))\n"
        )
        return .success
    }
}
