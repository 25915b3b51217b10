import DatumArguments
import DatumCLI
import GoCompat
import TestSupport
import Testing

@Suite struct ArgumentsHelpTests {
    static let snapshot = Snapshot(folder: "help")

    static let pages: [(name: String, path: [String])] = [
        ("root", ["datumctl"]),
        ("get", ["datumctl", "get"]),
        ("apply", ["datumctl", "apply"]),
        ("config", ["datumctl", "config"]),
        ("config-view", ["datumctl", "config", "view"]),
        ("config-use-context", ["datumctl", "config", "use-context"]),
        ("config-rename-context", ["datumctl", "config", "rename-context"]),
        ("version", ["datumctl", "version"]),
    ]

    static let goldens: [(name: String, path: [String], width: Int)] =
        [80, 120].flatMap { width in pages.map { ($0.name, $0.path, width) } }

    @Test(arguments: goldens)
    func matchesGolden(_ name: String, path: [String], width: Int) throws {
        let text = HelpRenderer(root: ArgumentsSample.root, width: width).render(commandPath: path)
        Self.snapshot.expect(text, matches: "\(name)-\(width).txt")
        for line in text.split(separator: "\n") where !isUnwrappable(line) {
            #expect(line.count <= width, "\(name)-\(width): \(line)")
        }
    }

    @Test(arguments: [80, 120])
    func globalOptionsPageMatchesGolden(width: Int) throws {
        let text = HelpRenderer(root: ArgumentsSample.root, width: width).renderGlobalOptions()
        Self.snapshot.expect(text, matches: "options-\(width).txt")
    }

    /// Narrow terminals stack each option's help under its name.
    @Test func narrowTerminalStacksOptionHelp() throws {
        let text = HelpRenderer(root: ArgumentsSample.root, width: 50).render(commandPath: ["datumctl", "apply"])
        Self.snapshot.expect(text, matches: "apply-50.txt")
    }

    @Test func widthBelowTheMinimumIsRaised() {
        let tiny = HelpRenderer(root: ArgumentsSample.root, width: 5)
        #expect(tiny.width == HelpRenderer.minimumWidth)
        #expect(
            tiny.render(commandPath: ["datumctl", "version"])
                == HelpRenderer(root: ArgumentsSample.root, width: 40).render(commandPath: ["datumctl", "version"]))
    }

    @Test func unknownPathFallsBackToTheDeepestKnownCommand() {
        let renderer = HelpRenderer(root: ArgumentsSample.root, width: 80)
        #expect(
            renderer.render(commandPath: ["datumctl", "config", "nope"])
                == renderer.render(commandPath: ["datumctl", "config"]))
        #expect(
            renderer.render(commandPath: ["datumctl", "config", "use"])
                == renderer.render(commandPath: ["datumctl", "config", "use-context"]))
    }

    @Test func exactTextForASmallSpec() {
        let root = CommandSpec(
            "tool", summary: "Does things",
            options: [OptionSpec("quiet", short: "q", help: "Say less.", isGlobal: true)],
            subcommands: [
                CommandSpec(
                    "run", group: .basic, summary: "Run it",
                    examples: [Example("Run once", "tool run")],
                    options: [
                        OptionSpec(
                            "mode", kind: .value(ValueSpec("MODE", kind: .enumeration(["fast", "slow"]))),
                            help: "How to run.", defaultValue: "fast"),
                        OptionSpec(
                            "count", short: "c", kind: .value(ValueSpec("N", kind: .int)), help: "Times.",
                            defaultValue: "0"),
                    ],
                    positionals: [PositionalSpec("TARGET", isOptional: true)]),
                CommandSpec("secret", summary: "Hidden", isHidden: true),
            ])
        let renderer = HelpRenderer(root: root, width: 100)
        #expect(
            renderer.render(commandPath: ["tool"]) == """
                Does things.

                Basic Commands:
                  run   Run it

                Usage:
                  tool COMMAND [options]

                Use "tool <command> --help" for more information about a given command.
                Use "tool options" for a list of global command-line options (applies to all commands).

                """)
        #expect(
            renderer.render(commandPath: ["tool", "run"]) == """
                Run it.

                Examples:
                  # Run once
                  tool run

                Options:
                  -c, --count=N     Times.
                      --mode=MODE   How to run. One of: (fast, slow). (default "fast")

                Usage:
                  tool run [TARGET] [options]

                Use "tool options" for a list of global command-line options (applies to all commands).

                """)
        #expect(
            renderer.renderGlobalOptions() == """
                The following options can be passed to any command:

                  -q, --quiet   Say less.

                """)
    }

    @Test func labelsWiderThanTheColumnPutHelpOnTheNextLine() {
        let root = CommandSpec(
            "tool", summary: "Does things",
            options: [
                OptionSpec("x", short: "x", help: "Short one."),
                OptionSpec(
                    "an-option-with-a-really-long-name", kind: .value(ValueSpec("VALUE")),
                    help: "Its help starts on the next line, in the same column as every other option's help."),
            ])
        #expect(
            HelpRenderer(root: root, width: 80).render(commandPath: ["tool"]) == """
                Does things.

                Options:
                      --an-option-with-a-really-long-name=VALUE
                                                       Its help starts on the next line, in the
                                                       same column as every other option's help.
                  -x, --x                              Short one.

                Usage:
                  tool [options]

                """)
    }

    /// Example command lines and the usage line are never wrapped, so they stay copy-pastable.
    private func isUnwrappable(_ line: Substring) -> Bool {
        line.hasPrefix("  datumctl ") || line.hasPrefix("  cat ")
    }
}

@Suite struct ArgumentsTextLayoutTests {
    static let widths: [(String?, Int?, Int)] = [
        (nil, nil, 80), ("120", nil, 120), (" 100 ", 90, 100), ("0", 90, 90), ("-5", nil, 80),
        ("wide", 132, 132), (nil, 0, 80), ("", nil, 80),
    ]

    @Test(arguments: widths)
    func resolvesTerminalWidth(_ columns: String?, _ window: Int?, expected: Int) {
        #expect(TerminalWidth.resolve(columnsVariable: columns, windowColumns: window) == expected)
    }
}
