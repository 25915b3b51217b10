import DatumArguments
import GoCompat

// The tables every completion script is generated from. The scripts differ in syntax only:
// each walks the typed words with the same rules as `CompletionEngine.analyze`, and looks up
// subcommands, options, option values and positional arguments in these tables.

/// The shells datumctl generates completion scripts for.
public enum CompletionShell: String, CaseIterable, Sendable {
    case bash
    case zsh
    case fish

    /// The script for `root`'s command tree; a pure function of the spec.
    public func script(for root: CommandSpec) -> String {
        let data = ShellCompletionData(root: root)
        switch self {
        case .bash: return BashCompletionGenerator(data: data).script
        case .zsh: return ZshCompletionGenerator(data: data).script
        case .fish: return FishCompletionGenerator(data: data).script
        }
    }

    /// The file name the script is installed under (and committed as, in `completions/`).
    public func fileName(for root: CommandSpec) -> String {
        switch self {
        case .bash: return "\(root.name).bash"
        case .zsh: return "_\(root.name)"
        case .fish: return "\(root.name).fish"
        }
    }
}

/// How a shell completes one value or argument, in the scripts' terms.
enum ShellCompletionKind: Sendable, Hashable {
    case none
    /// Files with one of these extensions (any file when empty) and directories.
    case files([String])
    case directories
    case values([String])
    /// Asked from `__complete`; the built-in types are the fallback.
    case resourceTypes
    /// Asked from `__complete`: resource names, and context names (which only the config
    /// file knows, so the scripts ask the same way).
    case resourceNames

    init(_ kind: CompletionKind) {
        switch kind {
        case .none: self = .none
        case .files(let extensions): self = .files(extensions)
        case .directories: self = .directories
        case .values(let values): self = .values(values)
        case .resourceTypes: self = .resourceTypes
        case .resourceNames, .contextNames: self = .resourceNames
        }
    }

    /// The kind as the scripts' tables spell it (`files yaml yml`, `values a b`, `types`, ...),
    /// values quoted for the script's shell.
    func words(quotedBy quote: (String) -> String) -> String {
        switch self {
        case .none: return "none"
        case .files(let extensions): return (["files"] + extensions.map(quote)).joined(separator: " ")
        case .directories: return "dirs"
        case .values(let values): return (["values"] + values.map(quote)).joined(separator: " ")
        case .resourceTypes: return "types"
        case .resourceNames: return "names"
        }
    }
}

/// The command tree as lookup tables for the script generators.
struct ShellCompletionData: Sendable {
    /// One way to spell an option at one command.
    struct OptionEntry: Sendable {
        /// The command that declares the option (`datumctl` for global options).
        var owner: [String]
        var option: OptionSpec
        /// Global options are accepted by every command below `owner`, too.
        var isGlobal: Bool { option.isGlobal }
        /// The key value completions are looked up by: `datumctl validate|filename`.
        var key: String { owner.joined(separator: " ") + "|" + option.long }
        var spellings: [String] { ["--" + option.long] + (option.short.map { ["-\($0)"] } ?? []) }
    }

    /// One positional argument slot of a command; `index` is nil for "every later one".
    struct ArgumentEntry: Sendable {
        var index: Int?
        var kind: ShellCompletionKind
    }

    let programName: String
    let nodes: [CommandTreeNode]

    init(root: CommandSpec) {
        programName = root.name
        nodes = CommandTree(root: root).nodes
    }

    /// A prefix for helper function names: `__datumctl`.
    var functionPrefix: String {
        "__" + String(programName.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// Every option declared anywhere, local declarations first, then global ones from the
    /// deepest declaring command up, which is the order lookups must try them in so that a
    /// command's own option shadows an inherited one of the same name.
    var optionEntries: [OptionEntry] {
        var local: [OptionEntry] = []
        var global: [(depth: Int, entry: OptionEntry)] = []
        for node in nodes {
            for option in node.spec.options {
                let entry = OptionEntry(owner: node.path, option: option)
                if option.isGlobal {
                    global.append((node.path.count, entry))
                } else {
                    local.append(entry)
                }
            }
        }
        let ordered = global.enumerated().sorted { a, b in
            a.element.depth != b.element.depth ? a.element.depth > b.element.depth : a.offset < b.offset
        }
        return local + ordered.map(\.element.entry)
    }

    /// Options whose values complete to something, with how.
    var valueCompletions: [(key: String, kind: ShellCompletionKind)] {
        var seen = Set<String>()
        var result: [(String, ShellCompletionKind)] = []
        for entry in optionEntries {
            guard let value = entry.option.valueSpec else { continue }
            let kind = ShellCompletionKind(value.effectiveCompletion)
            if kind != .none, seen.insert(entry.key).inserted { result.append((entry.key, kind)) }
        }
        return result
    }

    /// The option spellings offered at `node` (long, then short), hidden ones left out.
    func optionWords(_ node: CommandTreeNode) -> [(word: String, description: String)] {
        node.visibleOptions.flatMap { option in
            let description = GeneratorText.firstSentence(option.help)
            return [("--" + option.long, description)] + (option.short.map { [("-\($0)", description)] } ?? [])
        }
    }

    /// The argument slots of `node` that complete to something; empty when none do.
    func arguments(_ node: CommandTreeNode) -> [ArgumentEntry] {
        let positionals = node.spec.positionals
        let kinds = positionals.map { ShellCompletionKind($0.completion) }
        guard kinds.contains(where: { $0 != .none }) else { return [] }
        var entries = kinds.enumerated().map { ArgumentEntry(index: $0.offset, kind: $0.element) }
        if let last = positionals.last, last.isRepeating, let kind = kinds.last {
            entries.append(ArgumentEntry(index: nil, kind: kind))
        }
        return entries
    }

    /// Subcommands by every spelling (name and aliases) for walking the words.
    func childSpellings(_ node: CommandTreeNode) -> [(spelling: String, name: String)] {
        node.spec.visibleSubcommands.flatMap { child in
            ([child.name] + child.aliases).map { ($0, child.name) }
        }
    }

    var builtinTypes: [String] { GeneratorText.builtinResourceTypeWords }
}

/// Quoting for generated shell code.
enum ShellQuoting {
    private static let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:,+@%-")

    /// A word for bash and zsh: bare when safe, otherwise single-quoted.
    static func word(_ text: String) -> String {
        if !text.isEmpty && text.allSatisfy({ plain.contains($0) }) { return text }
        return "'" + text.replacing("'", with: #"'\''"#) + "'"
    }

    /// Always single-quoted (case patterns, where `*` or `|` must stay literal).
    static func quoted(_ text: String) -> String {
        "'" + text.replacing("'", with: #"'\''"#) + "'"
    }

    /// A fish single-quoted string: only `\` and `'` are special inside.
    static func fish(_ text: String) -> String {
        "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}
