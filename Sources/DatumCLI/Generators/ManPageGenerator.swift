import DatumArguments
import GoCompat

/// Generates man pages (section 1, `man(7)` macros) for every visible command: `datumctl.1`,
/// `datumctl-apply.1`, ... readable with `man -l` and free of groff warnings.
public struct ManPageGenerator: Sendable {
    public var root: CommandSpec
    /// Shown in the page footer (`datumctl 0.1.0`).
    public var version: String

    public init(root: CommandSpec, version: String) {
        self.root = root
        self.version = version
    }

    /// File name and text of every page, the root's first.
    public var pages: [(fileName: String, text: String)] {
        CommandTree(root: root).nodes.map { ($0.fileStem + ".1", page($0)) }
    }

    private func page(_ node: CommandTreeNode) -> String {
        let command = node.spec
        var lines: [String] = [
            #".\" Generated from \#(Self.escape(root.name))'s command spec (DATUMCTL_RECORD=1 swift test --filter GeneratorDriftTests); do not edit."#,
            ".TH \(Self.argument(node.fileStem.uppercased())) 1 \"\" \(Self.argument("\(root.name) \(version)")) \(Self.argument("\(root.name) Manual"))",
            // No hyphenation and no justification: option names stay whole and evenly spaced.
            ".nh",
            ".ad l",
            ".SH NAME",
            Self.escape(node.fileStem) + " \\- " + Self.escape(command.summary),
            ".SH SYNOPSIS",
            "\\fB" + Self.escape(node.commandLine) + "\\fR "
                + Self.escape(command.synopsisArguments(path: node.commandLine) + " [options]")
                .trimmingLeadingSpace,
        ]

        lines.append(".SH DESCRIPTION")
        var paragraphs = TextLayout.paragraphs(command.discussion)
        if paragraphs.isEmpty { paragraphs = [MarkdownReferenceGenerator.sentence(command.summary)] }
        for (index, paragraph) in paragraphs.enumerated() {
            if index > 0 { lines.append(".PP") }
            lines.append(Self.escape(paragraph))
        }

        if node.parent == nil || !node.children.isEmpty {
            lines.append(".SH COMMANDS")
            for child in node.children {
                lines.append(".TP")
                lines.append("\\fB" + Self.escape(child.spec.name) + "\\fR")
                lines.append(Self.escape(MarkdownReferenceGenerator.sentence(child.spec.summary)) + " See")
                lines.append(Self.reference(child.fileStem) + ".")
            }
        }

        let arguments = command.positionals.filter { !$0.help.isEmpty }
        if !arguments.isEmpty {
            lines.append(".SH ARGUMENTS")
            for argument in arguments {
                lines.append(".TP")
                lines.append("\\fI" + Self.escape(argument.synopsis) + "\\fR")
                lines.append(Self.escape(argument.help))
            }
        }

        let globals = root.options.filter { $0.isGlobal && !$0.isHidden }.sorted { $0.long < $1.long }
        if node.parent == nil {
            lines.append(".SH GLOBAL OPTIONS")
            lines.append("Every command accepts these options, before or after its name.")
            lines += optionItems(node.ownOptions)
        } else {
            let globalNames = Set(globals.map(\.long))
            let options = (node.ownOptions + node.inheritedOptions.filter { !globalNames.contains($0.long) })
                .sorted { $0.long < $1.long }
            if !options.isEmpty {
                lines.append(".SH OPTIONS")
                lines += optionItems(options)
            }
            if !globals.isEmpty {
                lines.append(".SH GLOBAL OPTIONS")
                lines.append("This command also accepts the global options described in")
                lines.append(Self.reference(root.name) + ":")
                lines.append(globals.map { "\\fB\\-\\-" + Self.escape($0.long) + "\\fR" }.joined(separator: ", ") + ".")
            }
        }

        if !command.examples.isEmpty {
            lines.append(".SH EXAMPLES")
            lines.append(".RS 4")
            lines.append(".nf")
            for (index, example) in command.examples.enumerated() {
                if index > 0 { lines.append(".sp") }
                for line in example.comment.split(separator: "\n", omittingEmptySubsequences: false) {
                    lines.append(Self.escape("# " + line))
                }
                for line in example.command.split(separator: "\n", omittingEmptySubsequences: false) {
                    lines.append(Self.escape(String(line)))
                }
            }
            lines.append(".fi")
            lines.append(".RE")
        }

        lines.append(".SH SEE ALSO")
        var related: [String] = []
        if let parent = node.parent {
            if parent.parent != nil { related.append(root.name) }
            related.append(parent.fileStem)
        }
        related += node.children.map(\.fileStem)
        for (index, page) in related.enumerated() {
            lines.append(".BR \(Self.escape(page)) (1)" + (index < related.count - 1 ? "," : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func optionItems(_ options: [OptionSpec]) -> [String] {
        options.flatMap { option -> [String] in
            var label = option.short.map { "\\fB\\-\(Self.escape(String($0)))\\fR, " } ?? ""
            label += "\\fB\\-\\-" + Self.escape(option.long) + "\\fR"
            if let value = option.valueSpec { label += "=\\fI" + Self.escape(value.name) + "\\fR" }
            var help = MarkdownReferenceGenerator.optionDescription(option)
            if let fallback = option.defaultValue, !fallback.isEmpty { help += " Default: \(fallback)." }
            return [".TP", label, Self.escape(help)]
        }
    }

    /// `datumctl\-apply(1)` in bold, as man pages cite each other.
    private static func reference(_ page: String) -> String {
        "\\fB" + escape(page) + "\\fR(1)"
    }

    /// Text for a roff text line: backslashes and hyphens escaped (`\-` is the ASCII hyphen-minus
    /// that options need to be copy-pasteable), and a leading `.` or `'` made literal.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\e"
            case "-": result += "\\-"
            default: result.append(character)
            }
        }
        if result.hasPrefix(".") || result.hasPrefix("'") { result = "\\&" + result }
        return result
    }

    /// A quoted macro argument.
    private static func argument(_ text: String) -> String {
        "\"" + escape(text).replacing("\"", with: "\\(dq") + "\""
    }
}

extension String {
    fileprivate var trimmingLeadingSpace: String {
        String(drop { $0 == " " })
    }
}
