import DatumArguments
import GoCompat

/// Generates one Markdown reference page per visible command (`datumctl-apply.md`, ...):
/// synopsis, description, examples, options table, global options link and see also.
public struct MarkdownReferenceGenerator: Sendable {
    public var root: CommandSpec

    public init(root: CommandSpec) {
        self.root = root
    }

    /// File name and text of every page, the root's first.
    public var pages: [(fileName: String, text: String)] {
        CommandTree(root: root).nodes.map { ($0.fileStem + ".md", page($0)) }
    }

    private func page(_ node: CommandTreeNode) -> String {
        let command = node.spec
        var sections: [String] = []
        sections.append(
            "<!-- Generated from \(root.name)'s command spec (DATUMCTL_RECORD=1 swift test --filter GeneratorDriftTests); do not edit. -->\n"
                + "# \(node.commandLine)\n\n" + Self.escape(Self.sentence(command.summary)) + "\n")

        sections.append(
            "## Synopsis\n\n```\n" + command.synopsis(path: node.commandLine) + "\n```\n")

        let paragraphs = TextLayout.paragraphs(command.discussion)
        if !paragraphs.isEmpty {
            sections.append("## Description\n\n" + paragraphs.map(Self.escape).joined(separator: "\n\n") + "\n")
        }

        if !command.examples.isEmpty {
            var lines: [String] = []
            for (index, example) in command.examples.enumerated() {
                if index > 0 { lines.append("") }
                for line in example.comment.split(separator: "\n", omittingEmptySubsequences: false) {
                    lines.append("# " + line)
                }
                lines.append(
                    contentsOf: example.command.split(separator: "\n", omittingEmptySubsequences: false).map(
                        String.init))
            }
            sections.append("## Examples\n\n```shell\n" + lines.joined(separator: "\n") + "\n```\n")
        }

        if node.parent == nil {
            sections.append(contentsOf: groupedCommands(node))
        } else if !node.children.isEmpty {
            sections.append("## Commands\n\n" + commandTable(node.children))
        }

        let arguments = command.positionals.filter { !$0.help.isEmpty }
        if !arguments.isEmpty {
            var table = "| Argument | Description |\n|---|---|\n"
            for argument in arguments {
                table += "| `\(argument.synopsis)` | \(Self.cell(argument.help)) |\n"
            }
            sections.append("## Arguments\n\n" + table)
        }

        if node.parent == nil {
            sections.append(
                "## Global options\n\nEvery command accepts these options, before or after its name.\n\n"
                    + optionTable(node.ownOptions))
        } else {
            let own =
                node.ownOptions
                + node.inheritedOptions.filter { inherited in
                    !globalOptionNames.contains(inherited.long)
                }
            if !own.isEmpty { sections.append("## Options\n\n" + optionTable(own.sorted { $0.long < $1.long })) }
            if !globalOptionNames.isEmpty {
                let names = globalOptionNames.map { "`--\($0)`" }.joined(separator: ", ")
                sections.append(
                    "## Global options\n\nThis command also accepts the [global options](\(root.name).md#global-options): \(names).\n"
                )
            }
        }

        sections.append("## See also\n\n" + seeAlso(node).joined(separator: "\n") + "\n")
        return sections.joined(separator: "\n")
    }

    /// The root's global options, listed on the root page and linked from the others.
    private var globalOptionNames: [String] {
        root.options.filter { $0.isGlobal && !$0.isHidden }.map(\.long).sorted()
    }

    private func groupedCommands(_ node: CommandTreeNode) -> [String] {
        CommandGroup.allCases.compactMap { group in
            let members = node.children.filter { $0.spec.group == group }
            guard !members.isEmpty else { return nil }
            let title = group.title.hasSuffix(":") ? String(group.title.dropLast()) : group.title
            return "## \(title)\n\n" + commandTable(members)
        }
    }

    private func commandTable(_ nodes: [CommandTreeNode]) -> String {
        var table = "| Command | Description |\n|---|---|\n"
        for node in nodes {
            table += "| [`\(node.commandLine)`](\(node.fileStem).md) | \(Self.cell(node.spec.summary)) |\n"
        }
        return table
    }

    private func optionTable(_ options: [OptionSpec]) -> String {
        var table = "| Option | Default | Description |\n|---|---|---|\n"
        for option in options {
            var label = option.short.map { "`-\($0)`, " } ?? ""
            label += "`--\(option.long)" + (option.valueSpec.map { "=" + $0.name } ?? "") + "`"
            let fallback = option.defaultValue.flatMap { $0.isEmpty ? nil : "`\($0)`" } ?? ""
            table += "| \(label) | \(fallback) | \(Self.cell(Self.optionDescription(option))) |\n"
        }
        return table
    }

    /// The help text plus the allowed values and whether the option repeats.
    static func optionDescription(_ option: OptionSpec) -> String {
        var parts = [option.help]
        if let value = option.valueSpec, case .values(let values) = value.effectiveCompletion,
            case .enumeration = value.kind
        {
            parts.append("One of: " + values.joined(separator: ", ") + ".")
        } else if let value = option.valueSpec, case .formatted = value.kind,
            case .values(let values) = value.effectiveCompletion
        {
            parts.append("One of: " + values.map { $0.hasSuffix("=") ? $0 + "..." : $0 }.joined(separator: ", ") + ".")
        }
        if option.isRepeatable { parts.append("May be repeated.") }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    private func seeAlso(_ node: CommandTreeNode) -> [String] {
        var links: [CommandTreeNode] = []
        if let parent = node.parent { links.append(parent) }
        links.append(contentsOf: node.children)
        if node.parent != nil, node.parent?.parent != nil { links.insert(CommandTree(root: root).rootNode, at: 0) }
        return links.map { "* [`\($0.commandLine)`](\($0.fileStem).md): \(Self.escape($0.spec.summary))" }
    }

    static func sentence(_ text: String) -> String {
        guard let last = text.last, !".!?:".contains(last) else { return text }
        return text + "."
    }

    /// Characters Markdown would take for markup in running text.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\", "*", "_", "`", "[", "]", "|": result += "\\" + String(character)
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Text for a table cell: escaped, on one line.
    static func cell(_ text: String) -> String {
        escape(text.split(whereSeparator: \.isNewline).joined(separator: " "))
    }
}
