import DatumArguments
import DatumCLI
import GoCompat
import Testing

@Suite struct ArgumentsErrorTests {
    let parser = CommandLineParser(root: ArgumentsSample.root)

    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var argvIndex: Int?
        var clusterOffset: Int? = nil
        var text: String

        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(
            arguments: ["apply", "--filname", "x.yaml"], argvIndex: 1,
            text: """
                error: unknown flag: --filname
                Did you mean '--filename'?
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["apply", "--filname=x.yaml"], argvIndex: 1,
            text: """
                error: unknown flag: --filname
                Did you mean '--filename'?
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["get", "--sort"], argvIndex: 1,
            text: """
                error: unknown flag: --sort
                Did you mean '--sort-by'?
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["get", "--bogus"], argvIndex: 1,
            text: """
                error: unknown flag: --bogus
                See 'datumctl get -h' for help and examples

                """),
        // Found under the selected command, wherever the option was typed.
        Case(
            arguments: ["--namespac", "x", "get"], argvIndex: 0,
            text: """
                error: unknown flag: --namespac
                Did you mean '--namespace'?
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["aply"], argvIndex: 0,
            text: """
                error: unknown command "aply" for "datumctl"

                Did you mean this?
                \tapply

                See 'datumctl -h' for help and examples

                """),
        Case(
            arguments: ["-n", "x", "gett", "pods"], argvIndex: 2,
            text: """
                error: unknown command "gett" for "datumctl"

                Did you mean this?
                \tget

                See 'datumctl -h' for help and examples

                """),
        Case(
            arguments: ["de"], argvIndex: 0,
            text: """
                error: unknown command "de" for "datumctl"

                Did you mean this?
                \tdescribe
                \tdelete

                See 'datumctl -h' for help and examples

                """),
        Case(
            arguments: ["frobnicate"], argvIndex: 0,
            text: """
                error: unknown command "frobnicate" for "datumctl"
                See 'datumctl -h' for help and examples

                """),
        Case(
            arguments: ["config", "veiw"], argvIndex: 1,
            text: """
                error: unknown command "veiw" for "datumctl config"

                Did you mean this?
                \tview

                See 'datumctl config -h' for help and examples

                """),
        Case(
            arguments: ["help", "aply"], argvIndex: 1,
            text: """
                error: Unknown help topic [`aply`]

                Did you mean this?
                \tapply

                See 'datumctl -h' for help and examples

                """),
        Case(
            arguments: ["help", "config", "veiw", "now"], argvIndex: 2,
            text: """
                error: Unknown help topic [`config` `veiw` `now`]

                Did you mean this?
                \tview

                See 'datumctl -h' for help and examples

                """),
        Case(
            arguments: ["apply", "-f"], argvIndex: 1, clusterOffset: 1,
            text: """
                error: flag needs an argument: 'f' in -f
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["apply", "-Rf"], argvIndex: 1, clusterOffset: 2,
            text: """
                error: flag needs an argument: 'f' in -f
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["apply", "--filename"], argvIndex: 1,
            text: """
                error: flag needs an argument: --filename
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["get", "-Z"], argvIndex: 1, clusterOffset: 1,
            text: """
                error: unknown shorthand flag: 'Z' in -Z
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["apply", "-RZx"], argvIndex: 1, clusterOffset: 2,
            text: """
                error: unknown shorthand flag: 'Z' in -Zx
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["apply", "-R="], argvIndex: 1, clusterOffset: 2,
            text: """
                error: unknown shorthand flag: '=' in -=
                See 'datumctl apply -h' for help and examples

                """),
        // cobra assumes an unknown option before the subcommand takes a value, as here.
        Case(
            arguments: ["-x", "get"], argvIndex: 0, clusterOffset: 1,
            text: """
                error: unknown shorthand flag: 'x' in -x
                See 'datumctl -h' for help and examples

                """),
        Case(
            arguments: ["get", "---x"], argvIndex: 1,
            text: """
                error: bad flag syntax: ---x
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["get", "pods", "-o", "yam"], argvIndex: 3,
            text: """
                error: unable to match a printer suitable for the output format "yam", allowed formats are: \
                custom-columns,go-template,json,jsonpath,name,wide,yaml
                Did you mean 'yaml'?
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["get", "-ojsonpth={.a}"], argvIndex: 1, clusterOffset: 2,
            text: """
                error: unable to match a printer suitable for the output format "jsonpth={.a}", allowed formats \
                are: custom-columns,go-template,json,jsonpath,name,wide,yaml
                Did you mean 'jsonpath'?
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["config", "view", "--output=yml"], argvIndex: 2,
            text: """
                error: unable to match a printer suitable for the output format "yml", allowed formats are: \
                json,jsonpath,yaml
                Did you mean 'yaml'?
                See 'datumctl config view -h' for help and examples

                """),
        Case(
            arguments: ["apply", "--dry-run=maybe"], argvIndex: 1,
            text: """
                error: invalid argument "maybe" for "--dry-run" flag: must be one of: none, server, client
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["apply", "--dry-run", "serer"], argvIndex: 2,
            text: """
                error: invalid argument "serer" for "--dry-run" flag: must be one of: none, server, client
                Did you mean 'server'?
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["version", "-o", "jsn"], argvIndex: 2,
            text: """
                error: invalid argument "jsn" for "-o, --output" flag: must be one of: yaml, json
                Did you mean 'json'?
                See 'datumctl version -h' for help and examples

                """),
        Case(
            arguments: ["get", "--chunk-size=abc"], argvIndex: 1,
            text: """
                error: invalid argument "abc" for "--chunk-size" flag: strconv.ParseInt: parsing "abc": invalid syntax
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["get", "--chunk-size", "99999999999999999999"], argvIndex: 2,
            text: """
                error: invalid argument "99999999999999999999" for "--chunk-size" flag: strconv.ParseInt: \
                parsing "99999999999999999999": value out of range
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["get", "-v", "x"], argvIndex: 2,
            text: """
                error: invalid argument "x" for "-v, --v" flag: strconv.ParseInt: parsing "x": invalid syntax
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["-v3x", "get"], argvIndex: 0, clusterOffset: 2,
            text: """
                error: invalid argument "3x" for "-v, --v" flag: strconv.ParseInt: parsing "3x": invalid syntax
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["--request-timeout=abc", "get"], argvIndex: 0,
            text: """
                error: invalid argument "abc" for "--request-timeout" flag: time: invalid duration "abc"
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["get", "--request-timeout", "30"], argvIndex: 2,
            text: """
                error: invalid argument "30" for "--request-timeout" flag: time: missing unit in duration "30"
                See 'datumctl get -h' for help and examples

                """),
        Case(
            arguments: ["apply", "--timeout=1d"], argvIndex: 1,
            text: """
                error: invalid argument "1d" for "--timeout" flag: time: unknown unit "d" in duration "1d"
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["apply", "--recursive=yes"], argvIndex: 1,
            text: """
                error: invalid argument "yes" for "-R, --recursive" flag: strconv.ParseBool: parsing "yes": \
                invalid syntax
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["get", "--watch="], argvIndex: 1,
            text: """
                error: invalid argument "" for "-w, --watch" flag: strconv.ParseBool: parsing "": invalid syntax
                See 'datumctl get -h' for help and examples

                """),
        // Option errors come before help, as in cobra.
        Case(
            arguments: ["apply", "-h", "--bogus"], argvIndex: 2,
            text: """
                error: unknown flag: --bogus
                See 'datumctl apply -h' for help and examples

                """),
        Case(
            arguments: ["version", "extra", "more"], argvIndex: 1,
            text: """
                error: unexpected arguments: [extra more]
                See 'datumctl version -h' for help and examples

                """),
        Case(
            arguments: ["config", "use-context", "a", "b"], argvIndex: 3,
            text: """
                error: unexpected arguments: [b]
                See 'datumctl config use-context -h' for help and examples

                """),
        Case(
            arguments: ["config", "--", "view"], argvIndex: 2,
            text: """
                error: unexpected arguments: [view]
                See 'datumctl config -h' for help and examples

                """),
        Case(
            arguments: ["config", "rename-context", "a"], argvIndex: nil,
            text: """
                error: NEW_NAME is a required argument for the config rename-context command
                See 'datumctl config rename-context -h' for help and examples

                """),
        Case(
            arguments: ["explain"], argvIndex: nil,
            text: """
                error: TYPE.FIELDPATH is a required argument for the explain command
                See 'datumctl explain -h' for help and examples

                """),
        Case(
            arguments: ["config", "--bogus"], argvIndex: 1,
            text: """
                error: unknown flag: --bogus
                See 'datumctl config -h' for help and examples

                """),
    ]

    @Test(arguments: cases)
    func rejects(_ example: Case) {
        do {
            let outcome = try parser.parse(example.arguments)
            Issue.record("expected a usage error, got \(describeOutcome(outcome))")
        } catch {
            #expect(error.rendered == example.text)
            #expect(error.argvIndex == example.argvIndex)
            #expect(error.clusterOffset == example.clusterOffset)
        }
    }

    @Test func errorsCarryTheirReasonAndExitCode() {
        #expect(UsageError.exitCode == 64)
        #expect(throws: UsageError.self) { try parser.parse(["aply"]) }
        do {
            _ = try parser.parse(["config", "veiw"])
            Issue.record("expected a usage error")
        } catch {
            #expect(error.reason == .unknownCommand("veiw", parent: "datumctl config"))
            #expect(error.commandPath == ["datumctl", "config"])
            #expect(error.suggestions == ["view"])
            #expect(error.message == #"unknown command "veiw" for "datumctl config""#)
            #expect(error.description == error.rendered)
        }
    }

    @Test func quotesUnusualLettersAsGoRunes() {
        let quote = UsageError(
            .unknownShorthand("'", cluster: "'x"), argvIndex: 0, commandPath: ["datumctl"])
        #expect(quote.message == #"unknown shorthand flag: '\'' in -'x"#)
        let tab = UsageError(.unknownShorthand("\t", cluster: "\t"), argvIndex: 0, commandPath: ["datumctl"])
        #expect(tab.message == "unknown shorthand flag: '\\t' in -\t")
    }
}
