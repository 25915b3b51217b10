import DatumArguments
import GoCompat

/// `datumctl options`: the global options every command accepts (the root help's footer points
/// here, as kubectl's does).
struct OptionsCommand: CLICommand {
    static let spec = CommandSpec(
        "options", group: .other,
        summary: "Print the list of flags inherited by all commands",
        discussion: """
            Print the list of flags inherited by all commands. They may be given before or after the command \
            name (datumctl --project p get ... and datumctl get ... --project p are the same).
            """,
        examples: [Example("Print flags inherited by all commands", "datumctl options")])

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {}

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let renderer = HelpRenderer(root: Datumctl.rootSpec, width: context.environment.terminalWidth)
        context.stdout.write(renderer.renderGlobalOptions())
        return .success
    }
}
