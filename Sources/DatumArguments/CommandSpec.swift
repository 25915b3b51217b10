// The declarative description of datumctl's command tree. It is plain data on purpose: the same
// value drives the parser, help, shell completions, Markdown reference pages and man pages.

/// Where a command is listed in the root help, mirroring kubectl's command groups.
public enum CommandGroup: String, Sendable, Hashable, CaseIterable {
    case basic
    case deploy
    case troubleshooting
    case settings
    case other

    /// The heading kubectl prints above the group in the root help.
    public var title: String {
        switch self {
        case .basic: "Basic Commands:"
        case .deploy: "Deploy Commands:"
        case .troubleshooting: "Troubleshooting and Debugging Commands:"
        case .settings: "Settings Commands:"
        case .other: "Other Commands:"
        }
    }
}

/// One example in a command's help: a `# comment` and the command line it explains.
public struct Example: Sendable, Hashable {
    /// Explains the command line; may span several lines, each printed as a `# ` comment.
    public var comment: String
    /// The command line exactly as a user would type it (never wrapped).
    public var command: String

    public init(_ comment: String, _ command: String) {
        self.comment = comment
        self.command = command
    }
}

/// How the shell should complete a value or positional argument.
public enum CompletionKind: Sendable, Hashable {
    case none
    /// Files; an empty list means any file, otherwise only these extensions (without the dot).
    case files(extensions: [String])
    case directories
    case values([String])
    /// Resource types known to the server (`backendtlspolicies`, ...), completed dynamically.
    case resourceTypes
    /// Names of existing resources, completed dynamically.
    case resourceNames
    /// Names of the contexts in the config file (`config use-context`, `--context`).
    case contextNames
}

/// The type a value-taking option accepts; the parser rejects anything else at parse time.
public enum ValueKind: Sendable, Hashable {
    case string
    /// A Go `strconv.ParseInt(s, 0, 64)` integer, so `0x10` and `1_000` work as they do in kubectl.
    case int
    /// A Go `time.ParseDuration` duration (`30s`, `1m30s`, `0`).
    case duration
    case enumeration([String])
    /// kubectl's `-o`: one of `values`, or `prefix` / `prefix=argument` (`jsonpath={.metadata.name}`).
    case formatted(values: [String], prefixes: [String])
}

/// The value an option takes: its placeholder name, type and completion.
public struct ValueSpec: Sendable, Hashable {
    /// The placeholder shown in help and usage, such as `FILENAME`.
    public var name: String
    public var kind: ValueKind
    public var completion: CompletionKind

    public init(_ name: String, kind: ValueKind = .string, completion: CompletionKind = .none) {
        self.name = name
        self.kind = kind
        self.completion = completion
    }
}

/// Whether an option is a boolean switch or takes a value.
public enum OptionKind: Sendable, Hashable {
    /// A boolean: `--x`, `--x=true`, `--x=false` (never `--x false`, as in pflag).
    case flag
    case value(ValueSpec)
}

/// One command-line option (`-f, --filename`).
public struct OptionSpec: Sendable, Hashable {
    /// The long name without dashes; may be a single character (kubectl's `--v`).
    public var long: String
    public var short: Character?
    public var kind: OptionKind
    public var help: String
    /// The default as the user would type it; `nil` means "unset".
    public var defaultValue: String?
    public var isRepeatable: Bool
    public var isHidden: Bool
    /// A persistent option: declared once on a command and accepted by every descendant,
    /// before or after the subcommand name (cobra's persistent flags).
    public var isGlobal: Bool

    public init(
        _ long: String, short: Character? = nil, kind: OptionKind = .flag, help: String,
        defaultValue: String? = nil, isRepeatable: Bool = false, isHidden: Bool = false,
        isGlobal: Bool = false
    ) {
        self.long = long
        self.short = short
        self.kind = kind
        self.help = help
        self.defaultValue = defaultValue
        self.isRepeatable = isRepeatable
        self.isHidden = isHidden
        self.isGlobal = isGlobal
    }

    /// Whether the option consumes a value (everything except boolean flags does).
    public var takesValue: Bool {
        if case .value = kind { return true }
        return false
    }

    /// The value description, or `nil` for boolean flags.
    public var valueSpec: ValueSpec? {
        if case .value(let spec) = kind { return spec }
        return nil
    }

    /// The same option with help worded for one command (`-f` says what it reads the files for).
    /// Reads go by the long name, so the declared copy and the original read the same values.
    public func withHelp(_ help: String) -> OptionSpec {
        var copy = self
        copy.help = help
        return copy
    }

    /// How pflag names the option in error messages: `-R, --recursive` or `--chunk-size`.
    public var displayName: String {
        if let short { return "-\(short), --\(long)" }
        return "--\(long)"
    }
}

/// One positional argument.
public struct PositionalSpec: Sendable, Hashable {
    /// The placeholder shown in usage, such as `TYPE` or `NAME`.
    public var name: String
    public var help: String
    /// Takes every remaining word; only the last positional may repeat.
    public var isRepeating: Bool
    public var isOptional: Bool
    public var completion: CompletionKind

    public init(
        _ name: String, help: String = "", isRepeating: Bool = false, isOptional: Bool = false,
        completion: CompletionKind = .none
    ) {
        self.name = name
        self.help = help
        self.isRepeating = isRepeating
        self.isOptional = isOptional
        self.completion = completion
    }

    /// The synopsis form: `NAME`, `[NAME]`, `NAME...`, `[NAME...]`.
    public var synopsis: String {
        let base = isRepeating ? "\(name)..." : name
        return isOptional ? "[\(base)]" : base
    }
}

/// A command or subcommand of datumctl, as data.
public struct CommandSpec: Sendable, Hashable {
    public var name: String
    public var aliases: [String]
    public var group: CommandGroup
    /// One line, no trailing period required; shown in command lists and as the help's first line.
    public var summary: String
    /// Further paragraphs, separated by blank lines; printed after the summary.
    public var discussion: String
    /// Replaces the generated synopsis in the `Usage:` line, e.g. `(-f FILENAME | -k DIRECTORY)`.
    public var usage: String?
    public var examples: [Example]
    public var options: [OptionSpec]
    public var positionals: [PositionalSpec]
    public var subcommands: [CommandSpec]
    public var isHidden: Bool
    /// A group that also runs by itself (`datumctl ctx` lists contexts) instead of showing its help.
    public var runsWithoutSubcommand: Bool

    public init(
        _ name: String, aliases: [String] = [], group: CommandGroup = .other, summary: String,
        discussion: String = "", usage: String? = nil, examples: [Example] = [],
        options: [OptionSpec] = [], positionals: [PositionalSpec] = [],
        subcommands: [CommandSpec] = [], isHidden: Bool = false, runsWithoutSubcommand: Bool = false
    ) {
        self.name = name
        self.aliases = aliases
        self.group = group
        self.summary = summary
        self.discussion = discussion
        self.usage = usage
        self.examples = examples
        self.options = options
        self.positionals = positionals
        self.subcommands = subcommands
        self.isHidden = isHidden
        self.runsWithoutSubcommand = runsWithoutSubcommand
    }

    /// The direct subcommand called `word`, by name or alias.
    public func subcommand(named word: String) -> CommandSpec? {
        subcommands.first { $0.name == word || $0.aliases.contains(word) }
    }

    /// Subcommands shown in help, completions and suggestions.
    public var visibleSubcommands: [CommandSpec] {
        subcommands.filter { !$0.isHidden }
    }
}

extension OptionSpec {
    /// The `-h, --help` option every command accepts; implicit, so specs need not repeat it.
    public static let helpFlag = OptionSpec("help", short: "h", help: "Show help for the command.")
}

extension CommandSpec {
    /// The `Usage:` synopsis after the command path, without the trailing `[options]`.
    /// Tolerates specs whose `usage` repeats the path or ends in `[options]` already.
    public func synopsisArguments(path: String) -> String {
        if var usage = usage {
            if usage == path {
                usage = ""
            } else if usage.hasPrefix(path + " ") {
                usage.removeFirst(path.count + 1)
            }
            if usage == "[options]" {
                usage = ""
            } else if usage.hasSuffix(" [options]") {
                usage.removeLast(" [options]".count)
            }
            return usage
        }
        var parts: [String] = []
        if !subcommands.isEmpty && positionals.isEmpty { parts.append("COMMAND") }
        parts.append(contentsOf: positionals.map(\.synopsis))
        return parts.joined(separator: " ")
    }

    /// `datumctl apply (-f FILENAME | -k DIRECTORY) [options]`.
    public func synopsis(path: String) -> String {
        [path, synopsisArguments(path: path), "[options]"].filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
