/// The lookup tables of the bash and zsh scripts: one function around a `case` per table, so a
/// lookup is a single pattern match. Both shells read the same syntax.
struct CaseTables: Sendable {
    var data: ShellCompletionData
    /// zsh shows descriptions: subcommand and option tables then also fill `described`
    /// with `word:description` entries.
    var describe: Bool

    private var f: String { data.functionPrefix }

    var text: String {
        [childTable, subcommandTable, optionTable, optionWordsTable, valueTable, argumentTable]
            .joined(separator: "\n")
    }

    /// `"$path|$word"` → the canonical subcommand name in `word`.
    private var childTable: String {
        var arms: [String] = []
        for node in data.nodes {
            for (spelling, name) in data.childSpellings(node) {
                let pattern = ShellQuoting.quoted(node.commandLine + "|" + spelling)
                arms.append("    \(pattern)) word=\(ShellQuoting.word(name)) ;;")
            }
        }
        return caseFunction(
            "child", comment: "Whether $2 names a subcommand of the command $1; sets `word` to its name.",
            subject: "\"$1|$2\"", arms: arms)
    }

    private var subcommandTable: String {
        var arms: [String] = []
        for node in data.nodes where !node.spec.visibleSubcommands.isEmpty {
            let children = node.spec.visibleSubcommands
            arms.append(
                assignment(
                    pattern: ShellQuoting.quoted(node.commandLine), kind: "commands",
                    words: children.map { ($0.name, $0.summary) }))
        }
        return caseFunction(
            "subcommands", comment: "The subcommands of the command $1 (fails when it has none).",
            subject: "$1", arms: arms)
    }

    /// `"$path|$spelling"` → `key` (for value completions) and `takes` (1 if it takes a value).
    private var optionTable: String {
        var arms: [String] = []
        for entry in data.optionEntries {
            let owner = entry.owner.joined(separator: " ")
            var patterns: [String] = []
            for spelling in entry.spellings {
                patterns.append(ShellQuoting.quoted(owner + "|" + spelling))
                if entry.isGlobal {
                    patterns.append(ShellQuoting.quoted(owner + " ") + "*" + ShellQuoting.quoted("|" + spelling))
                }
            }
            let takes = entry.option.takesValue ? 1 : 0
            arms.append(
                "    \(patterns.joined(separator: "|"))) key=\(ShellQuoting.quoted(entry.key)) takes=\(takes) ;;")
        }
        arms.append("    *'|-h'|*'|--help') key=help takes=0 ;;")
        return caseFunction(
            "option",
            comment: "Whether $2 is an option of the command $1 (its own or inherited); sets `key` and `takes`.",
            subject: "\"$1|$2\"", arms: arms)
    }

    private var optionWordsTable: String {
        let arms = data.nodes.map { node in
            assignment(pattern: ShellQuoting.quoted(node.commandLine), kind: "options", words: data.optionWords(node))
        }
        return caseFunction("option_words", comment: "The options the command $1 offers.", subject: "$1", arms: arms)
    }

    private var valueTable: String {
        let arms = data.valueCompletions.map {
            "    \(ShellQuoting.quoted($0.key))) kind=(\($0.kind.words(quotedBy: ShellQuoting.word))) ;;"
        }
        return caseFunction(
            "value_kind", comment: "How the value of the option with key $1 completes.", subject: "$1", arms: arms)
    }

    private var argumentTable: String {
        var arms: [String] = []
        for node in data.nodes {
            for entry in data.arguments(node) {
                let pattern: String
                if let index = entry.index {
                    pattern = ShellQuoting.quoted(node.commandLine + "|\(index)")
                } else {
                    pattern = ShellQuoting.quoted(node.commandLine + "|") + "*"
                }
                arms.append("    \(pattern)) kind=(\(entry.kind.words(quotedBy: ShellQuoting.word))) ;;")
            }
        }
        return caseFunction(
            "argument_kind", comment: "How positional argument number $2 (from 0) of the command $1 completes.",
            subject: "\"$1|$2\"", arms: arms)
    }

    /// `kind=(commands a b)`, and with descriptions also `described=('a:...' 'b:...')`.
    private func assignment(pattern: String, kind: String, words: [(word: String, description: String)]) -> String {
        let list = words.map { ShellQuoting.word($0.word) }.joined(separator: " ")
        guard describe else { return "    \(pattern)) kind=(\(kind) \(list)) ;;" }
        let described = words.map { entry in
            let name = entry.word.replacing(":", with: "\\:")
            return ShellQuoting.quoted(entry.description.isEmpty ? name : name + ":" + entry.description)
        }
        return
            "    \(pattern))\n        kind=(\(kind) \(list))\n        described=(\(described.joined(separator: " ")))\n        ;;"
    }

    /// A table as a function around one `case`; unmatched subjects fail (status 1).
    private func caseFunction(_ name: String, comment: String, subject: String, arms: [String]) -> String {
        var lines = ["# \(comment)", "\(f)_\(name)() {", "    case \(subject) in"]
        lines += arms
        lines += ["    *) return 1 ;;", "    esac", "}", ""]
        return lines.joined(separator: "\n")
    }
}
