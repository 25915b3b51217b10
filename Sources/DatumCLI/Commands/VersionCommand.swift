import DatumArguments
import DatumBuildInfo
import DatumJSON
import DatumYAML
import GoCompat

/// `datumctl version`: prints the client version and, when a project is selected, the version
/// its control plane reports.
struct VersionCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let client = OptionSpec("client", help: "If true, shows client version only (no server required).")
        static let output = OptionSpec(
            "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["yaml", "json"]))),
            help: "Output format: the versions as a YAML or JSON object instead of lines of text.")
    }

    static let spec = CommandSpec(
        "version", group: .other,
        summary: "Print the client and server version information",
        discussion: """
            Print the client version and, when a project is selected (--project, DATUM_PROJECT or the current \
            context), the version of the project's control plane (GET /version under the project prefix).

            With -o json or -o yaml, the client's entry also names the git commit it was built from \
            (gitCommit) and whether the tree had changes (gitTreeState), as kubectl's does.

            When the server cannot be reached, the client version is still printed, followed by the error, \
            and the exit status is 1.
            """,
        examples: [
            Example("Print the client and server versions for the current context", "datumctl version"),
            Example("Print the client version only, without contacting a server", "datumctl version --client"),
            Example("Print both versions as JSON, for scripts", "datumctl version -o json --project my-project"),
        ],
        options: [
            Option.client,
            Option.output,
        ])

    var clientOnly: Bool
    var output: String?

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        clientOnly = parsed.flag(Option.client)
        output = parsed.string(Option.output)
    }

    /// `version.Info` of the client, with the fields a Swift build can state (kubectl's order).
    static var clientInfo: JSONValue {
        let parts = Datumctl.version.split(separator: ".")
        var info: JSONObject = [
            "major": .string(parts.first.map(String.init) ?? ""),
            "minor": .string(parts.dropFirst().first.map(String.init) ?? ""),
            "gitVersion": .string("v" + Datumctl.version),
        ]
        if !BuildInfo.gitCommit.isEmpty {
            info["gitCommit"] = .string(BuildInfo.gitCommit)
            info["gitTreeState"] = .string(BuildInfo.gitTreeState)
        }
        info["platform"] = .string(ProjectClient.platform)
        return .object(info)
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        var server: JSONValue?
        var failure: CLIError?
        if !clientOnly {
            do throws(CLIError) {
                let settings = try context.connectionSettings()
                if settings.hasControlPlane {
                    let client = try context.projectClient(settings)
                    server = try client.getJSON(client.scope.url("/version"))
                }
            } catch {
                failure = error
            }
        }
        var document: JSONObject = ["clientVersion": Self.clientInfo]
        if let server { document["serverVersion"] = server }
        switch output {
        case "json":
            context.stdout.write(GoJSONEncoder(indent: "  ", sortKeys: false).encode(.object(document)) + "\n")
        case "yaml":
            context.stdout.write(YAMLEmitter.kubectl(.object(document)))
        default:
            context.stdout.line("Client Version: v\(Datumctl.version)")
            if let server {
                context.stdout.line("Server Version: \(server["gitVersion"]?.stringValue ?? "")")
            }
        }
        if let failure { throw failure }
        return .success
    }
}
