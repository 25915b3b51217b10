import DatumArguments
import GoCompat

/// `datumctl completion bash|zsh|fish`: prints the completion script generated from the command
/// spec (the same text as the committed files under `completions/`).
struct CompletionCommand: CLICommand {
    static let spec = CommandSpec(
        "completion", group: .settings,
        summary: "Output shell completion code for the specified shell (bash, zsh, or fish)",
        discussion: """
            Output shell completion code for the specified shell (bash, zsh, or fish). The shell code must be \
            evaluated to provide interactive completion of datumctl commands: subcommands, flags and their \
            values, files for -f, resource types, and the names of existing resources.

            Resource names come from the server of the current project (using --project, --context, \
            --namespace and the other connection flags already on the command line). Completion gives up \
            after 2 seconds, or --request-timeout if given, so a slow server never blocks the shell.

            Note for zsh users: zsh completions are only supported in versions of zsh >= 5.2.
            """,
        examples: [
            Example(
                "Load the datumctl completion code for bash into the current shell",
                "source <(datumctl completion bash)"),
            Example(
                "Write bash completion code to a file and source it from .bashrc",
                "datumctl completion bash > ~/.datumctl/completion.bash.inc\necho 'source ~/.datumctl/completion.bash.inc' >> ~/.bashrc"
            ),
            Example(
                "Load the datumctl completion code for zsh into the current shell",
                "source <(datumctl completion zsh)"),
            Example(
                "Set the datumctl completion code for zsh to autoload on startup",
                "datumctl completion zsh > \"${fpath[1]}/_datumctl\""),
            Example(
                "Load the datumctl completion code for fish into the current shell",
                "datumctl completion fish | source"),
            Example(
                "To load completions for each fish session, execute once",
                "datumctl completion fish > ~/.config/fish/completions/datumctl.fish"),
        ],
        positionals: [
            PositionalSpec(
                "SHELL", help: "The shell to generate code for: bash, zsh or fish.",
                completion: .values(CompletionShell.allCases.map(\.rawValue)))
        ])

    var shell: CompletionShell

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        let word = parsed.positionals.first?.text ?? ""
        guard let shell = CompletionShell(rawValue: word) else {
            throw .usage("Unsupported shell type \"\(word)\".", command: ["datumctl", "completion"])
        }
        self.shell = shell
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        context.stdout.write(shell.script(for: Datumctl.rootSpec))
        return .success
    }
}
