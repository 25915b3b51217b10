import DatumArguments
import DatumJSON
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// `get` without a server: argument forms, validation messages, request shaping, and the pieces
/// of `--watch` (event decoding, the streaming table).
@Suite struct GetCommandTests {
    static let snapshot = Snapshot(folder: "read")

    struct UsageCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let usageCases: [UsageCase] = [
        UsageCase(arguments: ["get"], message: "error: Required resource not specified."),
        UsageCase(
            arguments: ["get", "btlspolicy", "a", "-l", "app=web"],
            message: "error: name cannot be provided when a selector is specified"),
        UsageCase(
            arguments: ["get", "btlspolicy", "btlspolicy/a"],
            message: "error: there is no need to specify a resource type as a separate argument when passing "
                + "arguments in resource/name form (e.g. 'datumctl get resource/<resource_name>' instead of "
                + "'datumctl get resource resource/<resource_name>'"),
        UsageCase(
            arguments: ["get", "btlspolicy/"],
            message: "error: arguments in resource/name form must have a single resource and name"),
        UsageCase(
            arguments: ["get", "btlspolicy", "-f", "x.yaml"],
            message:
                "error: when paths, URLs, or stdin is provided as input, you may not specify a resource by arguments as well"
        ),
        UsageCase(
            arguments: ["get", "btlspolicy", "-o", "yaml", "--show-labels"],
            message: "error: --show-labels option cannot be used with yaml printer"),
        UsageCase(
            arguments: ["get", "btlspolicy", "-o", "jsonpath"],
            message: "error: template format specified but no template given"),
        UsageCase(
            arguments: ["get", "btlspolicy", "-o", "custom-columns="],
            message: "error: custom-columns format specified but no custom columns given"),
        UsageCase(
            arguments: ["get", "btlspolicy", "-o", "custom-columns=NAME"],
            message: "error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"),
        UsageCase(
            arguments: ["get", "btlspolicy", "-o", "jsonpath={.a"],
            message: "error: error parsing jsonpath {.a, unclosed action"),
        UsageCase(
            arguments: ["get", "btlspolicy", "--sort-by", "{.a"],
            message:
                "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"
        ),
    ]

    /// Every mistake is found before any connection setting is even read: exit 64, first line exact.
    @Test(arguments: usageCases)
    func usageErrors(_ c: UsageCase) {
        let run = CLI.run(c.arguments, variables: ["DATUMCTL_CONFIG": "/nonexistent/config"])
        #expect(run.exitCode == 64)
        #expect(run.stdout == "")
        #expect(run.stderr.split(separator: "\n").first.map(String.init) == c.message)
        #expect(run.stderr.hasSuffix("See 'datumctl get -h' for help and examples\n"))
    }

    @Test func missingResourceExplainsWhatToDo() {
        let run = CLI.run(["get"])
        #expect(
            run.stderr == """
                error: Required resource not specified.
                You must specify the type of resource to get. Use "datumctl api-resources" for a complete list of supported resources.
                Use "datumctl explain <resource>" for a detailed description of that resource (e.g. datumctl explain backendtlspolicies).
                See 'datumctl get -h' for help and examples

                """)
    }

    @Test func usageErrorsFollowErrorFormatJSON() {
        let run = CLI.run(["get", "btlspolicy", "a", "-l", "x=y", "--error-format", "json"])
        #expect(run.exitCode == 64)
        #expect(
            run.stderr
                == #"{"error":{"code":"USAGE","message":"name cannot be provided when a selector is specified","hint":"See 'datumctl get -h' for help and examples","retryable":false,"kind":"usage"}}"#
                + "\n")
        // A parser error names the argv word at fault; an unknown command has the official code.
        let flag = CLI.run(["get", "btlspolicy", "--bogus", "--error-format=json"])
        #expect(flag.stderr.contains(#""code":"USAGE","#) && flag.stderr.contains(#""argv":2"#), "\(flag.stderr)")
        let command = CLI.run(["--error-format", "yaml", "gte"])
        #expect(command.exitCode == 64)
        #expect(command.stderr.hasPrefix("error:\n  argv: 2\n  code: UNKNOWN_SUBCOMMAND\n"), "\(command.stderr)")
        // `text` stays accepted as the older name of `human`.
        let text = CLI.run(["get", "btlspolicy", "a", "-l", "x=y", "--error-format", "text"])
        #expect(text.stderr.hasPrefix("error: name cannot be provided when a selector is specified\n"))
    }

    struct ArgumentCase: Sendable, CustomTestStringConvertible {
        var words: [String]
        var form: ResourceArguments.Form
        var single: Bool
        var testDescription: String { words.joined(separator: " ") }
    }

    static let argumentCases: [ArgumentCase] = [
        ArgumentCase(words: ["btlspolicy"], form: .typesAndNames(types: ["btlspolicy"], names: []), single: false),
        ArgumentCase(
            words: ["btlspolicy", "a"], form: .typesAndNames(types: ["btlspolicy"], names: ["a"]), single: true),
        ArgumentCase(
            words: ["btlspolicy,svc", "a"], form: .typesAndNames(types: ["btlspolicy", "svc"], names: ["a"]),
            single: false),
        ArgumentCase(
            words: ["btlspolicy", "a", "b"], form: .typesAndNames(types: ["btlspolicy"], names: ["a", "b"]),
            single: false),
        ArgumentCase(words: ["btlspolicy/a"], form: .pairs([.init(type: "btlspolicy", name: "a")]), single: true),
        ArgumentCase(
            words: ["btlspolicy/a", "svc/b"],
            form: .pairs([.init(type: "btlspolicy", name: "a"), .init(type: "svc", name: "b")]), single: false),
    ]

    @Test(arguments: argumentCases)
    func resourceArgumentForms(_ c: ArgumentCase) throws {
        let parsed = try #require(try ResourceArguments.parse(c.words, command: GetCommand.command))
        #expect(parsed.form == c.form)
        #expect(parsed.impliesSingleItem == c.single)
        #expect(try ResourceArguments.parse([], command: GetCommand.command) == nil)
    }

    @Test func tablesAskForTheServerTableAndOnlyWhatTheyPrint() throws {
        func command(_ arguments: [String]) throws -> GetCommand {
            guard case .run(let parsed) = try CommandLineParser(root: Datumctl.rootSpec).parse(["get"] + arguments)
            else {
                throw FakeServerError("not a run")
            }
            return try GetCommand(
                parsed,
                environment: CommandEnvironment(
                    arguments: [], variables: [:], stdout: .memory(), stderr: .memory(), readStandardInput: { [] },
                    currentDirectory: "/"))
        }
        func rendered(_ query: [(String, String)]) -> [String] { query.map { "\($0.0)=\($0.1)" } }

        #expect(try command(["btlspolicy"]).accept == GetCommand.tableAccept)
        #expect(try command(["btlspolicy", "-o", "wide"]).accept == GetCommand.tableAccept)
        #expect(try command(["btlspolicy", "-o", "yaml"]).accept == "application/json")
        #expect(rendered(try command(["btlspolicy"]).query()) == ["includeObject=None"])
        #expect(rendered(try command(["btlspolicy", "--show-labels"]).query()) == [])
        #expect(rendered(try command(["btlspolicy", "-A"]).query()) == [])
        #expect(rendered(try command(["btlspolicy", "--sort-by=.metadata.name"]).query()) == ["includeObject=Object"])
        #expect(
            rendered(
                try command(["btlspolicy", "-l", "a=b", "--field-selector", "metadata.name=x", "-o", "name"]).query())
                == ["labelSelector=a=b", "fieldSelector=metadata.name=x"])
    }

    @Test func watchEventsAreDecodedAcrossChunkBoundaries() throws {
        var decoder = WatchEventDecoder()
        let stream =
            #"{"type":"ADDED","object":{"a":1}}"# + "\n" + #"{"type":"DELETED","object":{"a":2}}"# + "\n"
            + #"{"type":"MODIFIED","object":{"a":3}}"#
        let bytes = Array(stream.utf8)
        var events: [WatchEventDecoder.Event] = []
        for start in stride(from: 0, to: bytes.count, by: 7) {
            events += try decoder.feed(Array(bytes[start..<min(start + 7, bytes.count)]))
        }
        #expect(events.map(\.type) == ["ADDED", "DELETED"])
        #expect(events.map(\.object) == [["a": 1], ["a": 2]])
        #expect(try decoder.finish() == [WatchEventDecoder.Event(type: "MODIFIED", object: ["a": 3])])
        #expect(try decoder.finish() == [])

        var broken = WatchEventDecoder()
        #expect(throws: CLIError.self) { try broken.feed(Array("{\"type\":\"ADDED\"}\n".utf8)) }
    }

    @Test func streamingTablePrintsTheHeaderOnceAndKeepsWidths() throws {
        var printer = StreamingTablePrinter(options: TablePrintOptions())
        let empty = try ServerTable(FakeObjects.table([]))
        let first = try ServerTable(FakeObjects.table(["a-long-policy-name"]))
        let second = try ServerTable(FakeObjects.table(["b"]))
        var withoutColumns = second
        withoutColumns.columns = []

        #expect(printer.print(empty) == "")
        #expect(printer.print(first) == "NAME                 AGE\na-long-policy-name   5m\n")
        #expect(printer.print(second) == "b                    5m\n")
        #expect(printer.print(withoutColumns) == "b                    5m\n")
    }

    @Test func helpPageMatchesGolden() {
        let text = HelpRenderer(root: Datumctl.rootSpec, width: 100).render(commandPath: ["datumctl", "get"])
        Self.snapshot.expect(text, matches: "help/get.txt")
    }
}
