import GoCompat

/// Renders kubectl-shaped help text from a `CommandSpec` tree; a pure function of the spec and
/// the terminal width, so its output is golden-tested.
public struct HelpRenderer: Sendable {
    public var root: CommandSpec
    /// Columns to wrap to; values below `minimumWidth` are raised to it.
    public var width: Int

    /// Narrower than this, wrapping produces more noise than help.
    public static let minimumWidth = 40
    /// Option names wider than this push their help onto the next line instead of widening the
    /// column for every option.
    static let maximumOptionColumn = 36
    /// Below this many columns for help text, options switch to a stacked layout.
    static let minimumHelpColumnWidth = 30

    public init(root: CommandSpec, width: Int) {
        self.root = root
        self.width = max(width, Self.minimumWidth)
    }

    /// Help for the command at `commandPath` (canonical names from the root, as in
    /// `ParseOutcome.help`). Unknown trailing words fall back to the deepest command found.
    public func render(commandPath: [String]) -> String {
        var chain = [root]
        for word in commandPath.dropFirst() {
            guard let next = chain.last?.subcommand(named: word) else { break }
            chain.append(next)
        }
        return render(chain: chain)
    }

    /// `datumctl options`: the global options every command accepts.
    public func renderGlobalOptions() -> String {
        var text = "The following options can be passed to any command:\n\n"
        text += optionRows(globalOptions).joined()
        return text
    }

    // MARK: - Sections

    private func render(chain: [CommandSpec]) -> String {
        guard let command = chain.last else { return "" }
        let path = chain.map(\.name).joined(separator: " ")
        var sections: [String] = [description(of: command)]
        if !command.aliases.isEmpty {
            sections.append("Aliases:\n" + ([command.name] + command.aliases).joined(separator: ", ") + "\n")
        }
        if !command.examples.isEmpty {
            sections.append("Examples:\n" + examples(command.examples))
        }
        if chain.count == 1 {
            sections.append(contentsOf: groupedCommands(command))
        } else if !command.visibleSubcommands.isEmpty {
            sections.append("Available Commands:\n" + commandRows(command.visibleSubcommands).joined())
        }
        let options = localOptions(chain)
        if !options.isEmpty {
            sections.append("Options:\n" + optionRows(options).joined())
        }
        let documented = command.positionals.filter { !$0.help.isEmpty }
        if !documented.isEmpty {
            sections.append("Arguments:\n" + positionalRows(documented).joined())
        }
        sections.append("Usage:\n  \(usageLine(command, path: path))\n")
        var footer: [String] = []
        if !command.visibleSubcommands.isEmpty {
            footer.append("Use \"\(path) <command> --help\" for more information about a given command.")
        }
        if !globalOptions.isEmpty {
            footer.append(
                "Use \"\(root.name) options\" for a list of global command-line options (applies to all commands).")
        }
        if !footer.isEmpty {
            sections.append(footer.flatMap { TextLayout.wrap($0, width: width) }.map { $0 + "\n" }.joined())
        }
        return sections.joined(separator: "\n")
    }

    /// The summary as a sentence, then the discussion. kubectl's Markdown renderer indents
    /// every paragraph after the first by one space; we keep that look.
    private func description(of command: CommandSpec) -> String {
        var summary = command.summary
        if let last = summary.last, !".!?:".contains(last) { summary += "." }
        var lines = TextLayout.wrap(summary, width: width)
        for paragraph in TextLayout.paragraphs(command.discussion) {
            lines.append("")
            lines.append(contentsOf: TextLayout.wrap(paragraph, width: width, firstLinePrefix: " "))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// kubectl indents examples by two spaces and separates them with a line holding just
    /// those two spaces; comments wrap as further `# ` lines, command lines never wrap.
    private func examples(_ examples: [Example]) -> String {
        var lines: [String] = []
        for (index, example) in examples.enumerated() {
            if index > 0 { lines.append("  ") }
            for line in TextLayout.wrapLines(example.comment, width: width - 4) {
                lines.append("  # " + line)
            }
            // A multi-line example (a pipeline, two commands) keeps every line indented.
            for line in example.command.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append("  " + line)
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// The root lists its subcommands under kubectl's group headings, one shared name column.
    private func groupedCommands(_ command: CommandSpec) -> [String] {
        let visible = command.visibleSubcommands
        let column = nameColumn(visible)
        return CommandGroup.allCases.compactMap { group in
            let members = visible.filter { $0.group == group }
            if members.isEmpty { return nil }
            return group.title + "\n" + commandRows(members, column: column).joined()
        }
    }

    private func commandRows(_ commands: [CommandSpec], column: Int? = nil) -> [String] {
        let column = column ?? nameColumn(commands)
        let summaryWidth = max(width - column, 12)
        return commands.map { command in
            let lines = TextLayout.wrap(command.summary, width: summaryWidth)
            let indent = String(repeating: " ", count: column)
            var row = TextLayout.pad("  " + command.name, to: column) + (lines.first ?? "") + "\n"
            for line in lines.dropFirst() { row += indent + line + "\n" }
            return row
        }
    }

    /// kubectl pads names to the longest one plus three spaces, after a two-space indent.
    private func nameColumn(_ commands: [CommandSpec]) -> Int {
        2 + (commands.map(\.name.count).max() ?? 0) + 3
    }

    // MARK: - Options

    private var globalOptions: [OptionSpec] {
        root.options.filter { $0.isGlobal && !$0.isHidden }
    }

    /// A command's own options, plus global options inherited from ancestors below the root;
    /// the root's global options are listed by `datumctl options` instead, as in kubectl.
    private func localOptions(_ chain: [CommandSpec]) -> [OptionSpec] {
        var seen = Set<String>()
        var options: [OptionSpec] = []
        for (depth, command) in chain.enumerated().reversed() {
            let isLeaf = depth == chain.count - 1
            for option in command.options where !option.isHidden {
                if depth == 0 && option.isGlobal { continue }
                if !isLeaf && !option.isGlobal { continue }
                if seen.insert(option.long).inserted { options.append(option) }
            }
        }
        return options.sorted { $0.long < $1.long }
    }

    private func optionRows(_ options: [OptionSpec]) -> [String] {
        rows(options.map { (optionLabel($0), optionHelp($0)) })
    }

    private func positionalRows(_ positionals: [PositionalSpec]) -> [String] {
        rows(positionals.map { ("  " + $0.name, $0.help) })
    }

    /// Two columns: labels, then help wrapped in its own column. Labels too wide for the column
    /// put their help on the following lines; on narrow terminals every help text is stacked
    /// under its label, indented by eight spaces.
    private func rows(_ entries: [(label: String, help: String)]) -> [String] {
        let widest = entries.map(\.label.count).max() ?? 0
        let column = min(widest, Self.maximumOptionColumn) + 3
        let stacked = width - column < Self.minimumHelpColumnWidth
        return entries.map { entry in
            if stacked {
                let lines = TextLayout.wrapLines(entry.help, width: width - 8)
                return entry.label + "\n" + lines.map { "        " + $0 + "\n" }.joined()
            }
            let indent = String(repeating: " ", count: column)
            let lines = TextLayout.wrapLines(entry.help, width: width - column)
            var row: String
            var rest = lines[...]
            if entry.label.count + 3 <= column {
                row = TextLayout.pad(entry.label, to: column) + (rest.popFirst() ?? "") + "\n"
            } else {
                row = entry.label + "\n"
            }
            for line in rest { row += indent + line + "\n" }
            return row
        }
    }

    /// `  -f, --filename=FILENAME` or `      --force`, aligned so long names line up.
    private func optionLabel(_ option: OptionSpec) -> String {
        var label = option.short.map { "  -\($0), " } ?? "      "
        label += "--" + option.long
        if let value = option.valueSpec { label += "=" + value.name }
        return label
    }

    /// The help text followed by the allowed values, repeatability and a non-zero default.
    private func optionHelp(_ option: OptionSpec) -> String {
        var parts = [option.help]
        if let value = option.valueSpec {
            switch value.kind {
            // kubectl's wording for `-o`: "One of: (json, yaml, name, ...)."
            case .enumeration(let allowed):
                parts.append("One of: (" + allowed.joined(separator: ", ") + ").")
            case .formatted(let allowed, let prefixes):
                parts.append("One of: (" + (allowed + prefixes.map { $0 + "=..." }).joined(separator: ", ") + ").")
            case .string, .int, .duration:
                break
            }
        }
        if option.isRepeatable { parts.append("May be repeated.") }
        if let fallback = option.defaultValue, !isZeroDefault(fallback, of: option) {
            switch option.valueSpec?.kind {
            case .string?, .enumeration?, .formatted?:
                parts.append("(default \(GoFormat.quote(fallback)))")
            case .int?, .duration?, nil:
                parts.append("(default \(fallback))")
            }
        }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// pflag leaves out defaults that equal the type's zero value.
    private func isZeroDefault(_ fallback: String, of option: OptionSpec) -> Bool {
        switch option.valueSpec?.kind {
        case nil: fallback == "false"
        case .int?: fallback == "0"
        case .duration?: fallback == "0" || fallback == "0s"
        case .string?, .enumeration?, .formatted?: fallback.isEmpty
        }
    }

    // MARK: - Usage

    /// `datumctl config use-context CONTEXT_NAME [options]`; kubectl appends `[options]` always.
    /// A spec's own `usage` may repeat the path or the `[options]`; neither is printed twice.
    private func usageLine(_ command: CommandSpec, path: String) -> String {
        command.synopsis(path: path)
    }
}
