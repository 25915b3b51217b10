import DatumArguments
import GoCompat
import Testing

@testable import DatumCLI

/// Help is generated from the same spec as completions and docs; these check what the issue asks
/// of it for every real command: kubectl's groups, a summary, examples as `#` comments, and
/// options aligned and wrapped to the terminal width.
@Suite struct GeneratorHelpTests {
    static let commands = CommandTree(root: Datumctl.rootSpec).nodes

    @Test func rootHelpGroupsCommandsInKubectlsOrder() {
        let help = HelpRenderer(root: Datumctl.rootSpec, width: 80).render(commandPath: ["datumctl"])
        let titles = CommandGroup.allCases.map(\.title)
        let positions = titles.compactMap { title in help.range(of: "\n" + title + "\n")?.lowerBound }
        #expect(positions == positions.sorted())
        for command in Datumctl.rootSpec.visibleSubcommands {
            #expect(help.contains("\n  \(command.name) "), "\(command.name) is not listed")
        }
        #expect(!help.contains("__complete"))
        #expect(help.contains("Settings Commands:\n  completion "))
    }

    @Test(arguments: [40, 60, 80, 120, 200])
    func everyCommandsHelpFitsTheWidth(_ width: Int) {
        for node in Self.commands {
            let help = HelpRenderer(root: Datumctl.rootSpec, width: width).render(commandPath: node.path)
            #expect(help.hasPrefix(MarkdownReferenceGenerator.sentence(node.spec.summary).prefix(10)))
            // Example command lines and the usage line are never wrapped, as in kubectl.
            var verbatim = Set(node.spec.examples.flatMap { $0.command.split(separator: "\n").map { "  " + $0 } })
            verbatim.insert("  " + node.spec.synopsis(path: node.commandLine))
            for line in help.split(separator: "\n") where !verbatim.contains(String(line)) {
                // Words longer than the width (URLs, long option names) cannot be broken.
                let longestWord = line.split(separator: " ").map(\.count).max() ?? 0
                #expect(line.count <= width || longestWord + 8 > width, "\(node.commandLine) at \(width): \(line)")
            }
        }
    }

    @Test func everyVisibleCommandHasASummaryAndCommentedExamples() {
        for node in Self.commands where node.parent != nil {
            #expect(!node.spec.summary.isEmpty, "\(node.commandLine)")
            let help = HelpRenderer(root: Datumctl.rootSpec, width: 80).render(commandPath: node.path)
            if node.spec.visibleSubcommands.isEmpty {
                #expect(help.contains("Examples:\n  # "), "\(node.commandLine) has no commented example")
            }
        }
    }

    @Test func multiLineExamplesKeepEveryLineIndented() {
        let help = HelpRenderer(root: GeneratorSample.root, width: 80).render(
            commandPath: ["datumctl", "config", "set-context"])
        #expect(
            help.contains(
                "Examples:\n  # Create a context and use it\n  datumctl config set-context prod --project=p\n  datumctl config use-context prod\n"
            ))
    }

    @Test func usageLinesDoNotRepeatThePathOrOptions() {
        let renderer = HelpRenderer(root: GeneratorSample.root, width: 80)
        #expect(
            renderer.render(commandPath: ["datumctl", "config", "set-context"]).contains(
                "Usage:\n  datumctl config set-context [NAME | --current] [options]\n"))
        #expect(
            renderer.render(commandPath: ["datumctl", "apply"]).contains(
                "Usage:\n  datumctl apply (-f FILENAME | -k DIRECTORY) [options]\n"))
        for node in Self.commands {
            let help = HelpRenderer(root: Datumctl.rootSpec, width: 200).render(commandPath: node.path)
            #expect(!help.contains("[options] [options]"), "\(node.commandLine)")
            #expect(!help.contains("\(node.commandLine) \(node.commandLine)"), "\(node.commandLine)")
        }
    }

    @Test func optionsAreAlignedInOneColumn() {
        let help = HelpRenderer(root: GeneratorSample.root, width: 100).render(commandPath: ["datumctl", "apply"])
        let options = help.components(separatedBy: "Options:\n").last?.components(separatedBy: "\n\n").first ?? ""
        // Where the help text starts on each option's first line: after the label and its padding.
        let columns = options.split(separator: "\n").filter { $0.hasPrefix("  -") || $0.hasPrefix("      --") }
            .map { line -> Int in
                let characters = Array(line)
                var index = characters.firstIndex { $0 != " " } ?? 0
                while index + 1 < characters.count && !(characters[index] == " " && characters[index + 1] == " ") {
                    index += 1
                }
                while index < characters.count && characters[index] == " " { index += 1 }
                return index
            }
        #expect(columns.count == 5)
        #expect(Set(columns) == [30])
    }
}
