import DatumArguments
import DatumCLI
import DatumJSON
import GoCompat
import Testing

/// One line per outcome, so each table row states everything the parser decided:
/// `datumctl apply; filename="a"@2; recursive="true"@1:1; args="x"@3`.
func describeOutcome(_ outcome: ParseOutcome) -> String {
    switch outcome {
    case .help(let path):
        return "help " + path.joined(separator: " ")
    case .run(let command):
        func show(_ value: ParsedValue) -> String {
            let place = value.clusterOffset.map { "@\(value.argvIndex):\($0)" } ?? "@\(value.argvIndex)"
            return GoFormat.quote(value.text) + place
        }
        var parts = [command.commandPath.joined(separator: " ")]
        for name in command.options.keys.sorted() {
            parts.append(name + "=" + (command.options[name] ?? []).map(show).joined(separator: ","))
        }
        if !command.positionals.isEmpty {
            parts.append("args=" + command.positionals.map(show).joined(separator: ","))
        }
        return parts.joined(separator: "; ")
    }
}

@Suite struct ArgumentsParserTests {
    let parser = CommandLineParser(root: ArgumentsSample.root)

    static let accepted: [(arguments: [String], outcome: String)] = [
        // Long options: `=value`, separate value, repeats accumulate.
        (["apply", "--filename=a.yaml"], #"datumctl apply; filename="a.yaml"@1"#),
        (["apply", "--filename", "a.yaml"], #"datumctl apply; filename="a.yaml"@2"#),
        (["apply", "-f", "a", "-f", "b", "--filename=c"], #"datumctl apply; filename="a"@2,"b"@4,"c"@5"#),
        // Short options: separate, attached, `=`, and clusters of booleans ending in a value.
        (["apply", "-f", "a.yaml"], #"datumctl apply; filename="a.yaml"@2"#),
        (["apply", "-fa.yaml"], #"datumctl apply; filename="a.yaml"@1:2"#),
        (["apply", "-f=a.yaml"], #"datumctl apply; filename="a.yaml"@1:3"#),
        (["apply", "-Rf", "a.yaml"], #"datumctl apply; filename="a.yaml"@2; recursive="true"@1:1"#),
        (["apply", "-Rfa.yaml"], #"datumctl apply; filename="a.yaml"@1:3; recursive="true"@1:1"#),
        (["get", "-Aw"], #"datumctl get; all-namespaces="true"@1:1; watch="true"@1:2"#),
        // pflag gives `-x=value` to booleans too; `-f` takes `=` literally when nothing follows.
        (["apply", "-R=false", "-f", "x"], #"datumctl apply; filename="x"@3; recursive="false"@1:3"#),
        (["apply", "-f="], #"datumctl apply; filename="="@1:2"#),
        // A value is the next word whatever it looks like, including `-` (stdin) and `--`.
        (["apply", "-f", "-"], #"datumctl apply; filename="-"@2"#),
        (["apply", "-f", "--x"], #"datumctl apply; filename="--x"@2"#),
        (["apply", "-f", "--", "-R"], #"datumctl apply; filename="--"@2; recursive="true"@3:1"#),
        // Booleans: bare, `=true|false` and Go's other spellings; never a separate word.
        (["apply", "--server-side"], #"datumctl apply; server-side="true"@1"#),
        (["apply", "--server-side=false"], #"datumctl apply; server-side="false"@1"#),
        (["apply", "--server-side=T"], #"datumctl apply; server-side="T"@1"#),
        (["get", "--watch", "false"], #"datumctl get; watch="true"@1; args="false"@2"#),
        // `--` ends options.
        (["get", "pods", "--", "-x", "--y"], #"datumctl get; args="pods"@1,"-x"@3,"--y"@4"#),
        (["get", "--", "-o"], #"datumctl get; args="-o"@2"#),
        (["get", "", "-"], #"datumctl get; args=""@1,"-"@2"#),
        // Global options before or after the subcommand, kubectl's `-v N` / `--v=N`.
        (["-n", "team", "get", "pods"], #"datumctl get; namespace="team"@1; args="pods"@3"#),
        (["--namespace=team", "get", "pods"], #"datumctl get; namespace="team"@0; args="pods"@2"#),
        (["get", "pods", "-n", "team"], #"datumctl get; namespace="team"@3; args="pods"@1"#),
        (["--v=4", "get"], #"datumctl get; v="4"@0"#),
        (["get", "-v", "4"], #"datumctl get; v="4"@2"#),
        (["-v4", "get"], #"datumctl get; v="4"@0:2"#),
        (["--request-timeout", "30s", "get"], #"datumctl get; request-timeout="30s"@1"#),
        // cobra parses every option against the selected command, wherever it appears.
        (["-o", "yaml", "get", "pods"], #"datumctl get; output="yaml"@1; args="pods"@3"#),
        (["--recursive", "apply", "-f", "x"], #"datumctl apply; filename="x"@3; recursive="true"@0"#),
        // Nested commands, aliases and options inherited from a non-root command.
        (["config", "use", "staging"], #"datumctl config use-context; args="staging"@2"#),
        (["config", "--kubeconfig", "k", "view"], #"datumctl config view; kubeconfig="k"@2"#),
        (["config", "view", "--kubeconfig=k", "-n", "x"], #"datumctl config view; kubeconfig="k"@2; namespace="x"@4"#),
        // Value kinds.
        (["get", "--output="], #"datumctl get; output=""@1"#),
        (["get", "-o", "jsonpath={.metadata.name}"], #"datumctl get; output="jsonpath={.metadata.name}"@2"#),
        (
            ["get", "-ocustom-columns=NAME:.metadata.name"],
            #"datumctl get; output="custom-columns=NAME:.metadata.name"@1:2"#
        ),
        (["get", "-o", "jsonpath"], #"datumctl get; output="jsonpath"@2"#),
        (["get", "--chunk-size=0x10"], #"datumctl get; chunk-size="0x10"@1"#),
        (
            ["apply", "--timeout", "1m30s", "--dry-run", "server"],
            #"datumctl apply; dry-run="server"@4; timeout="1m30s"@2"#
        ),
        (["delete", "--grace-period", "-1"], #"datumctl delete; grace-period="-1"@2"#),
        // Positionals.
        (["delete", "pods", "a", "b"], #"datumctl delete; args="pods"@1,"a"@2,"b"@3"#),
        (["explain", "backendtlspolicies.spec"], #"datumctl explain; args="backendtlspolicies.spec"@1"#),
        (["config", "rename-context", "old", "new"], #"datumctl config rename-context; args="old"@2,"new"@3"#),
        // Hidden options and commands still work.
        (["get", "--experimental-cache"], #"datumctl get; experimental-cache="true"@1"#),
        (["--token-file=t", "version"], #"datumctl version; token-file="t"@0"#),
        (["options"], "datumctl options"),
        // Help, in every spelling.
        ([], "help datumctl"),
        (["-h"], "help datumctl"),
        (["--help"], "help datumctl"),
        (["apply", "-h"], "help datumctl apply"),
        (["apply", "--help"], "help datumctl apply"),
        (["--help", "apply"], "help datumctl apply"),
        (["-h", "config", "view"], "help datumctl config view"),
        (["apply", "-Rh"], "help datumctl apply"),
        (["apply", "--help=true"], "help datumctl apply"),
        (["apply", "--help=false", "-f", "x"], #"datumctl apply; filename="x"@3"#),
        (["config", "view", "-h"], "help datumctl config view"),
        (["config", "use", "--help"], "help datumctl config use-context"),
        (["help"], "help datumctl"),
        (["help", "apply"], "help datumctl apply"),
        (["help", "config", "view"], "help datumctl config view"),
        (["help", "config", "use"], "help datumctl config use-context"),
        (["help", "-n", "team", "get"], "help datumctl get"),
        (["config"], "help datumctl config"),
        (["-n", "team", "config"], "help datumctl config"),
        // A missing positional does not stop help from being shown.
        (["explain", "-h"], "help datumctl explain"),
    ]

    @Test(arguments: accepted)
    func accepts(_ arguments: [String], outcome: String) throws {
        let result = try parser.parse(arguments)
        #expect(describeOutcome(result) == outcome)
    }

    @Test func typedAccessorsReadValuesAndDefaults() throws {
        let outcome = try parser.parse(
            ["apply", "-f", "a", "-Rf", "b", "--timeout", "90s", "--dry-run", "server", "-v", "0x1F"])
        guard case .run(let command) = outcome else {
            Issue.record("expected a command, got \(outcome)")
            return
        }
        #expect(command.strings(command.option(named: "filename")) == ["a", "b"])
        #expect(command.string(command.option(named: "filename")) == "b")
        #expect(command.duration(command.option(named: "timeout")) == .seconds(90))
        #expect(command.string(command.option(named: "dry-run")) == "server")
        #expect(command.string(command.option(named: "field-manager")) == "datumctl-client-side-apply")
        #expect(command.strings(command.option(named: "field-manager")) == ["datumctl-client-side-apply"])
        #expect(command.flag(command.option(named: "recursive")))
        #expect(!command.flag(command.option(named: "server-side")))
        #expect(command.int(command.option(named: "v")) == 31)
        #expect(command.duration(command.option(named: "request-timeout")) == .zero)
        #expect(command.string(command.option(named: "namespace")) == nil)
        #expect(command.strings(command.option(named: "selector")) == [])
        #expect(command.isSet(command.option(named: "timeout")))
        #expect(!command.isSet(command.option(named: "validate")))
        #expect(command.string(command.option(named: "validate")) == "strict")
        #expect(command.formatted(command.option(named: "output")) == nil)
        #expect(
            command.availableOptions.map(\.long) == [
                "dry-run", "field-manager", "filename", "force-conflicts", "kustomize", "output", "recursive",
                "selector", "server-side", "timeout", "validate", "namespace", "project", "request-timeout",
                "server", "v", "token-file", "help",
            ])
    }

    @Test func flagDefaultsAndRepeatsFollowPflag() throws {
        guard case .run(let command) = try parser.parse(["get", "--watch=false", "--watch", "--server-print=0"]) else {
            Issue.record("expected a command")
            return
        }
        #expect(command.flag(command.option(named: "watch")))
        #expect(!command.flag(command.option(named: "server-print")))
        #expect(!command.flag(command.option(named: "show-labels")))
        #expect(command.int(command.option(named: "chunk-size")) == 500)
        guard case .run(let defaults) = try parser.parse(["get"]) else {
            Issue.record("expected a command")
            return
        }
        #expect(defaults.flag(defaults.option(named: "server-print")))
        #expect(defaults.int(defaults.option(named: "no-such-option")) == nil)
    }

    @Test func formattedValuesSplitAtTheFirstEquals() throws {
        guard case .run(let command) = try parser.parse(["get", "-o", "jsonpath={.a}={.b}"]) else {
            Issue.record("expected a command")
            return
        }
        #expect(command.formatted(command.option(named: "output")) == FormattedValue(format: "jsonpath", argument: "{.a}={.b}"))
        guard case .run(let plain) = try parser.parse(["get", "-owide"]) else {
            Issue.record("expected a command")
            return
        }
        #expect(plain.formatted(plain.option(named: "output")) == FormattedValue(format: "wide", argument: nil))
    }

    @Test func positionalsAreAssignedByName() throws {
        guard case .run(let command) = try parser.parse(["delete", "pods", "a", "-f", "x", "b"]) else {
            Issue.record("expected a command")
            return
        }
        #expect(command.positionals(named: "TYPE") == [ParsedValue("pods", argvIndex: 1)])
        #expect(command.positionals(named: "NAME") == [ParsedValue("a", argvIndex: 2), ParsedValue("b", argvIndex: 5)])
        #expect(command.positionalCounts == [1, 2])
        guard case .run(let empty) = try parser.parse(["delete"]) else {
            Issue.record("expected a command")
            return
        }
        #expect(empty.positionals(named: "TYPE") == [])
        #expect(empty.positionals(named: "NAME") == [])
        #expect(empty.positionals(named: "OTHER") == [])
    }

    @Test func aliasesResolveToCanonicalSpecs() throws {
        guard case .run(let command) = try parser.parse(["config", "use", "prod"]) else {
            Issue.record("expected a command")
            return
        }
        #expect(command.spec.name == "use-context")
        #expect(command.positionals(named: "CONTEXT_NAME").map(\.text) == ["prod"])
    }
}

@Suite struct ArgumentsTokenizerTests {
    static let cases: [(word: String, tokens: [ArgumentToken])] = [
        ("--filename=a.yaml", [ArgumentToken(.long(name: "filename", value: "a.yaml"), argvIndex: 3)]),
        ("--filename", [ArgumentToken(.long(name: "filename", value: nil), argvIndex: 3)]),
        ("--filename=", [ArgumentToken(.long(name: "filename", value: ""), argvIndex: 3)]),
        ("--o=a=b", [ArgumentToken(.long(name: "o", value: "a=b"), argvIndex: 3)]),
        ("--", [ArgumentToken(.terminator, argvIndex: 3)]),
        ("-", [ArgumentToken(.word("-"), argvIndex: 3)]),
        ("", [ArgumentToken(.word(""), argvIndex: 3)]),
        ("pods", [ArgumentToken(.word("pods"), argvIndex: 3)]),
        ("---x", [ArgumentToken(.malformed("---x"), argvIndex: 3)]),
        ("--=x", [ArgumentToken(.malformed("--=x"), argvIndex: 3)]),
        (
            "-Rfx",
            [
                ArgumentToken(.short("R", remainder: "fx"), argvIndex: 3, clusterOffset: 1),
                ArgumentToken(.short("f", remainder: "x"), argvIndex: 3, clusterOffset: 2),
                ArgumentToken(.short("x", remainder: ""), argvIndex: 3, clusterOffset: 3),
            ]
        ),
        (
            "-f=",
            [
                ArgumentToken(.short("f", remainder: "="), argvIndex: 3, clusterOffset: 1),
                ArgumentToken(.short("=", remainder: ""), argvIndex: 3, clusterOffset: 2),
            ]
        ),
    ]

    @Test(arguments: cases)
    func tokenizes(_ word: String, tokens: [ArgumentToken]) {
        #expect(ArgumentTokenizer.tokens(of: word, at: 3) == tokens)
    }
}

extension ParsedCommand {
    /// The declared option called `long`: these tests read their sample specs by name.
    func option(named long: String) -> OptionSpec {
        availableOptions.first { $0.long == long } ?? OptionSpec(long, help: "")
    }
}
