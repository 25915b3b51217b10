import DatumArguments
import DatumCLI
import GoCompat
import Testing

@Suite struct ArgumentsSpecConsistencyTests {
    @Test func sampleSpecIsConsistent() {
        #expect(ArgumentsSample.root.consistencyProblems() == [])
    }

    @Test func reportsEveryKindOfProblem() {
        let broken = CommandSpec(
            "tool", summary: "Tool",
            options: [
                OptionSpec("verbose", short: "v", help: "", isGlobal: true),
                OptionSpec("verbose", help: ""),
                OptionSpec(
                    "level", short: "v", kind: .value(ValueSpec("N", kind: .int)), help: "", defaultValue: "ten"),
                OptionSpec("-bad", help: ""),
                OptionSpec("wait", kind: .value(ValueSpec("D", kind: .duration)), help: "", defaultValue: "5"),
                OptionSpec(
                    "mode", kind: .value(ValueSpec("M", kind: .enumeration(["a", "b"]))), help: "", defaultValue: "c"),
                OptionSpec(
                    "output", kind: .value(ValueSpec("F", kind: .formatted(values: ["json"], prefixes: ["jsonpath"]))),
                    help: "", defaultValue: "jsonpath={.a}"),
                OptionSpec("quiet", help: "", defaultValue: "yes"),
            ],
            subcommands: [
                CommandSpec(
                    "run", summary: "Two\nlines",
                    options: [OptionSpec("version", short: "v", help: "")],
                    positionals: [
                        PositionalSpec("A", isRepeating: true),
                        PositionalSpec("B", isOptional: true),
                        PositionalSpec("C"),
                    ]),
                CommandSpec("go", aliases: ["run"], summary: "Go"),
                CommandSpec("bad name", summary: "Bad"),
            ])
        #expect(
            broken.consistencyProblems() == [
                #"tool: subcommand name or alias "run" is used twice"#,
                "tool: option --verbose is declared twice",
                "tool: shorthand -v is declared twice",
                #"tool: default of --level does not parse: strconv.ParseInt: parsing "ten": invalid syntax"#,
                #"tool: invalid option name "-bad""#,
                #"tool: default of --wait does not parse: time: missing unit in duration "5""#,
                "tool: default of --mode is not one of its values",
                #"tool: default of --quiet does not parse: strconv.ParseBool: parsing "yes": invalid syntax"#,
                "tool run: summary must be one line",
                "tool run: -v of --version shadows global --verbose",
                "tool run: only the last positional may repeat (A)",
                "tool run: required positional C follows an optional one",
                #"tool bad name: invalid command name "bad name""#,
            ])
    }
}
