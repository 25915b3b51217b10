import DatumJSON
import Foundation
import TestSupport
import Testing

@testable import DatumCLI

/// Answers like a server would, and records what it was asked.
final class FakeCompletionSource: DynamicCompletionSource, @unchecked Sendable {
    let types: [String]?
    let names: [String: [String]]
    let contexts: [String]
    private let lock = NSLock()
    private var asked: [String] = []

    init(
        types: [String]? = ["backendtlspolicies", "btlspolicy", "httproutes"], names: [String: [String]] = [:],
        contexts: [String] = ["dev", "prod", "staging"]
    ) {
        self.types = types
        self.names = names
        self.contexts = contexts
    }

    var requests: [String] { lock.withLock { asked } }

    func resourceTypes(at point: CompletionPoint) throws(CLIError) -> [String] {
        lock.withLock { asked.append("types") }
        guard let types else { throw CLIError(.connection, "no server") }
        return types
    }

    func resourceNames(ofType type: String, at point: CompletionPoint) throws(CLIError) -> [String] {
        let project = point.options["project"]?.last ?? "-"
        let namespace = point.options["namespace"]?.last ?? "-"
        lock.withLock { asked.append("names \(type) project=\(project) namespace=\(namespace)") }
        guard let found = names[type] else { throw CLIError(.connection, "the server did not answer in time") }
        return found
    }

    func contextNames(at point: CompletionPoint) throws(CLIError) -> [String] {
        lock.withLock { asked.append("contexts") }
        return contexts
    }
}

@Suite struct CompletionEngineTests {
    static let engine = CompletionEngine(root: GeneratorSample.root)

    /// Each case: the words after `datumctl` (the last is under the cursor) and the exact
    /// `__complete` output (candidates, then the directive).
    static let cases: [(words: [String], expected: String)] = [
        (["g"], "get\tDisplay one or many resources\n:4\n"),
        (["con"], "config\tModify datumctl configuration files\n:4\n"),
        (
            ["config", ""],
            "use-context\tSet the current-context in the config file\nset-context\tSet a context entry in the config file\n:4\n"
        ),
        (["-n", "x", "--project=p", "config", "u"], "use-context\tSet the current-context in the config file\n:4\n"),
        (["config", "use", ""], ":4\n"),
        (["completion", "z"], "zsh\n:4\n"),
        (["completion", "zsh", ""], ":4\n"),
        (["version", "--o"], "--output\tOne of 'yaml' or 'json'\n:4\n"),
        (
            ["version", "-"],
            "--client\tClient version only\n--output\tOne of 'yaml' or 'json'\n-o\tOne of 'yaml' or 'json'\n--project\tThe Datum Cloud project to act on\n--namespace\tThe namespace within the project\n-n\tThe namespace within the project\n--request-timeout\tHow long to wait for a single server request (e.g. 1s, 2m); 0 waits forever\n--error-format\tHow errors are printed\n--insecure-skip-tls-verify\tDo not verify the server's certificate\n--help\tShow help for the command\n-h\tShow help for the command\n:4\n"
        ),
        (["version", "-o", ""], "yaml\njson\n:4\n"),
        (["version", "-o", "j"], "json\n:4\n"),
        (["version", "-oj"], ":4\n"),
        (["version", "--output=y"], "--output=yaml\n:4\n"),
        (["version", "--nope=y"], ":4\n"),
        (["get", "-o", ""], "json\nyaml\nname\nwide\njsonpath=\ncustom-columns=\n:6\n"),
        (["get", "-o", "js"], "json\njsonpath=\n:6\n"),
        (["get", "--output=c"], "--output=custom-columns=\n:6\n"),
        (["apply", "--validate", "w"], "warn\n:4\n"),
        (["apply", "--dry-run="], "--dry-run=none\n--dry-run=server\n--dry-run=client\n:4\n"),
        (["apply", "-f", ""], "yaml\nyml\njson\n:8\n"),
        (["apply", "-Rf", "x"], "yaml\nyml\njson\n:8\n"),
        (["apply", "-k", ""], ":16\n"),
        (["apply", "--error-format", ""], "text\njson\n:4\n"),
        (["config", "set-context", "--token-file", ""], ":0\n"),
        (["config", "set-context", "--project", ""], ":4\n"),
        (["get", "b"], "backendtlspolicies\nbtlspolicy\n:4\n"),
        (["get", ""], "backendtlspolicies\nbtlspolicy\nhttproutes\n:4\n"),
        (["g", "-A", "--chunk-size", "10", "h"], "httproutes\n:4\n"),
        (["get", "btlspolicy", ""], "api-tls\nweb-tls\n:4\n"),
        (["get", "btlspolicy", "w"], "web-tls\n:4\n"),
        (["get", "btlspolicy", "api-tls", ""], "api-tls\nweb-tls\n:4\n"),
        (["get", "btlspolicy/w"], "btlspolicy/web-tls\n:4\n"),
        (["get", "-o", "yaml", "--", "btlspolicy", ""], "api-tls\nweb-tls\n:4\n"),
        (["get", "btlspolicy,cm", ""], ":4\n"),
        (["get", "btlspolicy/web-tls", ""], ":4\n"),
        (["describe", "btlspolicy", "a"], "api-tls\n:4\n"),
        (["get", "unknowntype", ""], ":5\n"),
        (["get", "btlspolicy", "--", ""], "api-tls\nweb-tls\n:4\n"),
        (["get", "btlspolicy", "--", "-"], ":4\n"),
    ]

    @Test(arguments: cases)
    func completes(_ words: [String], _ expected: String) {
        let source = FakeCompletionSource(names: ["btlspolicy": ["api-tls", "web-tls"]])
        let result = Self.engine.complete(words, source: source)
        #expect(result.protocolText == expected, "words: \(words)")
    }

    /// datumctl's own spec: context names come from the config file, wherever a context is named.
    @Test(arguments: [
        (["config", "use-context", ""], "dev\nprod\nstaging\n:4\n"),
        (["config", "delete-context", "s"], "staging\n:4\n"),
        (["config", "get-contexts", "dev", "p"], "prod\n:4\n"),
        (["--context", "p"], "prod\n:4\n"),
        (["get", "--context=d"], "--context=dev\n:4\n"),
    ])
    func contextNamesComeFromTheConfigFile(_ words: [String], _ expected: String) {
        let source = FakeCompletionSource()
        let result = CompletionEngine(root: Datumctl.rootSpec).complete(words, source: source)
        #expect(result.protocolText == expected, "words: \(words)")
        #expect(source.requests == ["contexts"])
    }

    @Test func namesAreAskedWithTheTypeAndTheFlagsOnTheLine() {
        let source = FakeCompletionSource(names: ["btlspolicy": ["web-tls"]])
        _ = Self.engine.complete(["--project", "p1", "get", "-n", "team", "btlspolicy", ""], source: source)
        #expect(source.requests == ["names btlspolicy project=p1 namespace=team"])
    }

    @Test func staticCompletionsNeverAskTheServer() {
        let source = FakeCompletionSource()
        for words in [["g"], ["get", "-o", ""], ["apply", "-f", ""], ["config", ""], ["version", "-"]] {
            _ = Self.engine.complete(words, source: source)
        }
        #expect(source.requests.isEmpty)
    }

    @Test func typesFallBackToTheBuiltinKindsWhenTheServerFails() {
        let result = Self.engine.complete(["get", "c"], source: FakeCompletionSource(types: nil))
        #expect(result.protocolText == "configmaps\ncm\n:4\n")
        #expect(result.failure?.message == "no server")
    }

    @Test func namesReportWhyTheServerCouldNotBeAsked() {
        let result = Self.engine.complete(["get", "svc", ""], source: FakeCompletionSource())
        #expect(result.directive == [.error, .noFileCompletion])
        #expect(result.failure?.message == "the server did not answer in time")
    }

    @Test func analysisFollowsTheParser() {
        let point = Self.engine.analyze(["--project", "p", "g", "-A", "-l", "app=web", "btlspolicy", "-o", "ya"])
        #expect(point.commandPath == ["datumctl", "get"])
        #expect(point.options == ["project": ["p"], "all-namespaces": ["true"], "selector": ["app=web"]])
        #expect(point.arguments == ["btlspolicy"])
        #expect(point.target == .optionValue(GeneratorSample.output, inline: false))
        #expect(point.current == "ya")

        let inline = Self.engine.analyze(["get", "--output=jsonpath={.a}"])
        #expect(inline.insertPrefix == "--output=")
        #expect(inline.current == "jsonpath={.a}")

        let parsed = Self.engine.analyze(["get", "-n", "team", ""]).parsedCommand
        #expect(parsed?.string(GlobalOptions.Option.namespace) == "team")
        #expect(parsed?.string(GlobalOptions.Option.requestTimeout) == "0")
    }

    @Test func emptyWordListCompletesTheRoot() {
        #expect(Self.engine.analyze([]).target == .commandOrArgument)
        #expect(
            Self.engine.complete([], source: nil).candidates.map(\.value) == [
                "get", "apply", "describe", "config", "completion", "version",
            ])
    }

    // MARK: - The real command through `datumctl __complete`

    @Test func completeCommandPrintsTheProtocol() {
        let run = CLI.run(["__complete", "completion", ""])
        #expect(run.exitCode == 0)
        #expect(run.stdout == "bash\nzsh\nfish\n:4\n")
        #expect(run.stderr == "")
    }

    @Test func completeCommandTakesFlagsAsWordsNotAsItsOwnOptions() {
        let run = CLI.run(["__complete", "--error-format", ""])
        #expect(run.stdout == "human\njson\nyaml\n:4\n")
        #expect(CLI.run(["__complete", "--help"]).stdout == "--help\tShow help for the command\n:4\n")
        #expect(CLI.run(["__complete"]).stdout.hasSuffix(":4\n"))
    }

    @Test func completeCommandIsHiddenFromHelpAndCompletion() {
        let help = CLI.run(["--help"], width: 200).stdout
        #expect(!help.contains("__complete"))
        #expect(!CLI.run(["__complete", "_"]).stdout.contains("__complete"))
        #expect(Datumctl.rootSpec.subcommand(named: "__complete")?.isHidden == true)
    }

    @Test func serverNamesWithoutAProjectFailQuietlyWithTheReasonOnStderr() throws {
        let home = try TemporaryDirectory()
        let source = ServerCompletionSource(
            environment: CommandEnvironment(
                arguments: [], variables: ["HOME": home.path], stdout: .memory(), stderr: .memory(),
                readStandardInput: { [] }, currentDirectory: home.path),
            budget: .seconds(2))
        let result = Self.engine.complete(["get", "btlspolicy", ""], source: source)
        #expect(result.protocolText == ":5\n")
        #expect(result.failure?.message.hasPrefix("no project selected") == true)
    }

    @Test(arguments: [
        (
            #"{"kind":"Table","columnDefinitions":[{"name":"Age","format":""},{"name":"Name","format":"name"}],"rows":[{"cells":["1d","b"]},{"cells":["2d","a"]}]}"#,
            ["b", "a"]
        ),
        (#"{"kind":"Table","columnDefinitions":[{"name":"NAME"}],"rows":[{"cells":["x"]}]}"#, ["x"]),
        (#"{"kind":"BackendTLSPolicyList","items":[{"metadata":{"name":"p"}},{"metadata":{}}]}"#, ["p"]),
        (#"{"kind":"Status"}"#, []),
    ])
    func namesAreReadFromTablesAndLists(_ json: String, _ expected: [String]) throws {
        let document = try JSONParser.parse(json)
        #expect(ServerCompletionSource.names(in: document) == expected)
    }
}
