// The command spec seen the way the generators need it: every visible command with the options
// it accepts (its own and the inherited global ones), and what each value completes to.

/// One command of the tree with the chain of specs leading to it.
struct CommandTreeNode: Sendable {
    /// Specs from the root down to, but excluding, this command.
    var ancestors: [CommandSpec]
    var spec: CommandSpec

    /// Specs from the root down to this command.
    var chain: [CommandSpec] { ancestors + [spec] }

    /// Canonical names from the root: `["datumctl", "config", "view"]`.
    var path: [String] { chain.map(\.name) }

    /// `datumctl config view`.
    var commandLine: String { path.joined(separator: " ") }

    /// `datumctl-config-view`: the stem of reference page and man page file names.
    var fileStem: String { path.joined(separator: "-") }

    /// Every option the parser accepts here (own, inherited global ones, `-h`), hidden included.
    var acceptedOptions: [OptionSpec] { OptionTable(chain: chain).options }

    /// The options shells offer here: accepted and not hidden.
    var visibleOptions: [OptionSpec] { acceptedOptions.filter { !$0.isHidden } }

    /// The command's own visible options, sorted by long name (as help lists them).
    var ownOptions: [OptionSpec] {
        spec.options.filter { !$0.isHidden }.sorted { $0.long < $1.long }
    }

    /// Global options inherited from ancestors that this command does not redeclare.
    var inheritedOptions: [OptionSpec] {
        let own = Set(spec.options.map(\.long))
        var seen = Set<String>()
        var result: [OptionSpec] = []
        for ancestor in chain.dropLast().reversed() {
            for option in ancestor.options where option.isGlobal && !option.isHidden && !own.contains(option.long) {
                if seen.insert(option.long).inserted { result.append(option) }
            }
        }
        return result.sorted { $0.long < $1.long }
    }

    var parent: CommandTreeNode? {
        guard let last = ancestors.last else { return nil }
        return CommandTreeNode(ancestors: Array(ancestors.dropLast()), spec: last)
    }

    var children: [CommandTreeNode] {
        spec.visibleSubcommands.map { CommandTreeNode(ancestors: chain, spec: $0) }
    }
}

/// The visible commands of a spec tree, depth first, parents before children.
struct CommandTree: Sendable {
    var root: CommandSpec

    init(root: CommandSpec) {
        self.root = root
    }

    var rootNode: CommandTreeNode { CommandTreeNode(ancestors: [], spec: root) }

    /// Every visible command, the root first, then each subtree in declaration order.
    var nodes: [CommandTreeNode] {
        var result: [CommandTreeNode] = []
        func visit(_ node: CommandTreeNode) {
            result.append(node)
            node.children.forEach(visit)
        }
        visit(rootNode)
        return result
    }
}

extension ValueSpec {
    /// What a shell offers for the value: the declared completion, or else the values the kind
    /// allows (enumerations, `-o` formats with `jsonpath=`-style prefixes).
    var effectiveCompletion: CompletionKind {
        guard case .none = completion else { return completion }
        switch kind {
        case .enumeration(let values):
            return .values(values)
        case .formatted(let values, let prefixes):
            let prefixNames = prefixes.map { $0.hasSuffix("=") ? String($0.dropLast()) : $0 }
            var result: [String] = values.map { prefixNames.contains($0) ? $0 + "=" : $0 }
            for name in prefixNames where !result.contains(name + "=") { result.append(name + "=") }
            return .values(result)
        case .string, .int, .duration:
            return .none
        }
    }
}

/// Text helpers shared by the generators.
enum GeneratorText {
    /// The first sentence of a help text, for one-line descriptions in shells: up to the first
    /// `. ` before a capital letter (so `e.g. 1s` stays whole), without the final period.
    static func firstSentence(_ text: String) -> String {
        let characters = Array(TextLayout.paragraphs(text).first ?? "")
        var end = characters.count
        var index = 0
        while index + 2 < characters.count {
            if characters[index] == ".", characters[index + 1] == " ", characters[index + 2].isUppercase {
                end = index
                break
            }
            index += 1
        }
        var sentence = String(characters[..<end])
        if sentence.hasSuffix(".") { sentence.removeLast() }
        return sentence
    }

    /// The resource type words offered without asking a server: each built-in resource's plural
    /// name and short names (`backendtlspolicies`, `btlspolicy`, ...).
    static var builtinResourceTypeWords: [String] {
        var words: [String] = []
        for resource in ResourceMapper.builtin {
            for word in [resource.name] + resource.shortNames where !words.contains(word) {
                words.append(word)
            }
        }
        return words
    }

    /// The `Usage:` synopsis after the command path, without the trailing `[options]`.
    /// Tolerates specs whose `usage` repeats the path or ends in `[options]` already.
    static func synopsisArguments(of command: CommandSpec, path: String) -> String {
        if var usage = command.usage {
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
        if !command.subcommands.isEmpty && command.positionals.isEmpty { parts.append("COMMAND") }
        parts.append(contentsOf: command.positionals.map(\.synopsis))
        return parts.joined(separator: " ")
    }

    /// `datumctl apply (-f FILENAME | -k DIRECTORY) [options]`.
    static func synopsis(of command: CommandSpec, path: String) -> String {
        [path, synopsisArguments(of: command, path: path), "[options]"].filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
