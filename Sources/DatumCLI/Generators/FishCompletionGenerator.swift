/// Generates the fish completion script: one function walks the typed words like the bash and
/// zsh scripts do and prints candidates with descriptions; fish does the matching.
struct FishCompletionGenerator: Sendable {
    var data: ShellCompletionData

    var script: String {
        [header, walker, helpers, tables, registration].joined(separator: "\n")
    }

    private var p: String { data.programName }
    private var f: String { data.functionPrefix }

    private var header: String {
        GeneratorText.scriptHeader(
            program: p, shell: "fish", load: "\(p) completion fish | source",
            install: "or for every session:             \(p) completion fish > ~/.config/fish/completions/\(p).fish")
            + "\n"
    }

    private var walker: String {
        #"""
        function \#(f)_complete --description 'Print the completions of the \#(p) command line'
            set -l typed (commandline -opc)
            set -l cur (commandline -ct)
            set -l cmdpath \#(ShellQuoting.fish(p))
            set -l value_key
            set -l after 0
            set -l positional 0
            set -l info
            set -l child
            set -l length
            for word in $typed[2..-1]
                if test -n "$value_key"
                    set value_key
                else if test $after -eq 1
                    set positional (math $positional + 1)
                else if test "$word" = --
                    set after 1
                else if string match -q -- '--*=*' $word
                    continue
                else if string match -q -- '--?*' $word
                    if set info (\#(f)_option $cmdpath $word); and test $info[2] = 1
                        set value_key $info[1]
                    end
                else if string match -q -- '-?*' $word
                    # A cluster of short options: a value-taking one takes the rest of the word,
                    # or the next word when it is last.
                    set length (string length -- $word)
                    for j in (seq 2 $length)
                        set info (\#(f)_option $cmdpath -(string sub -s $j -l 1 -- $word)); or break
                        if test $info[2] = 1
                            test $j -eq $length; and set value_key $info[1]
                            break
                        end
                    end
                else if test $positional -eq 0; and set child (\#(f)_child $cmdpath $word)
                    set cmdpath "$cmdpath $child"
                else
                    set positional (math $positional + 1)
                end
            end

            set -l kind none
            set -l prefix ''
            set -l target $cur
            if test -n "$value_key"
                set kind (\#(f)_value_kind $value_key)
            else if test $after -eq 1
                set kind (\#(f)_argument_kind $cmdpath $positional)
            else if string match -q -- '--*=*' $cur
                set prefix (string replace -r '=.*' '=' -- $cur)
                set target (string replace -r '^[^=]*=' '' -- $cur)
                if set info (\#(f)_option $cmdpath (string replace -r '=.*' '' -- $cur)); and test $info[2] = 1
                    set kind (\#(f)_value_kind $info[1])
                end
            else if string match -q -- '-*' $cur
                \#(f)_option_words $cmdpath
                return 0
            else if test $positional -eq 0; and \#(f)_subcommands $cmdpath
                return 0
            else
                set kind (\#(f)_argument_kind $cmdpath $positional)
            end
            \#(f)_offer $prefix $target $kind
        end

        """#
    }

    private var helpers: String {
        let types = data.builtinTypes.map(ShellQuoting.fish).joined(separator: " ")
        return #"""
            # Prints the candidates of a kind (`values json yaml`, `files yaml yml`, `types`, ...),
            # each after $prefix (`--output=` when the value is typed in the same word).
            function \#(f)_offer --argument-names prefix target kind
                set -l rest $argv[4..-1]
                switch $kind
                    case values
                        printf "$prefix%s\n" $rest
                    case files
                        for line in (__fish_complete_path $target)
                            set -l file (string split -f1 \t -- $line)
                            if string match -q -- '*/' $file; or test (count $rest) -eq 0
                                printf "$prefix%s\n" $file
                            else if string match -q -r -- '\.('(string join '|' $rest)')$' $file
                                printf "$prefix%s\n" $file
                            end
                        end
                    case dirs
                        for line in (__fish_complete_directories $target)
                            printf "$prefix%s\n" $line
                        end
                    case types
                        \#(f)_dynamic; or printf '%s\n' \#(types)
                    case names
                        \#(f)_dynamic
                end
                return 0
            end

            # Asks `\#(p) __complete` with the words typed so far. Its output is one candidate per
            # line (an optional description after a tab) and a last line `:DIRECTIVE`.
            function \#(f)_dynamic
                set -l typed (commandline -opc)
                set -l cur (commandline -ct)
                set -l program (string replace -r '^~/' "$HOME/" -- $typed[1])
                set -l lines ($program __complete $typed[2..-1] "$cur" 2>/dev/null); or return 1
                test (count $lines) -gt 0; or return 1
                set -l directive (string match -r '^:([0-9]+)$' -- $lines[-1])[2]
                test -n "$directive"; or return 1
                test (math "bitand($directive, 1)") -eq 0; or return 1
                set -e lines[-1]
                for line in $lines
                    string split -f1 \t -- $line
                end
                return 0
            end

            """#
    }

    // MARK: - Tables

    private var tables: String {
        [childTable, subcommandTable, optionTable, optionWordsTable, valueTable, argumentTable]
            .joined(separator: "\n")
    }

    private var childTable: String {
        var arms: [String] = []
        for node in data.nodes {
            for (spelling, name) in data.childSpellings(node) {
                arms.append(
                    arm([ShellQuoting.fish(node.commandLine + "|" + spelling)], "echo \(ShellQuoting.fish(name))"))
            }
        }
        return switchFunction(
            "child", comment: "Prints the name of the subcommand $argv[2] of the command $argv[1], if it is one.",
            subject: "\"$argv[1]|$argv[2]\"", arms: arms)
    }

    private var subcommandTable: String {
        var arms: [String] = []
        for node in data.nodes where !node.spec.visibleSubcommands.isEmpty {
            let lines = node.spec.visibleSubcommands.map { ShellQuoting.fish($0.name + "\t" + $0.summary) }
            arms.append(arm([ShellQuoting.fish(node.commandLine)], "printf '%s\\n' \(lines.joined(separator: " "))"))
        }
        return switchFunction(
            "subcommands", comment: "Prints the subcommands of the command $argv[1] (fails when it has none).",
            subject: "$argv[1]", arms: arms)
    }

    private var optionTable: String {
        var arms: [String] = []
        for entry in data.optionEntries {
            let owner = entry.owner.joined(separator: " ")
            var patterns: [String] = []
            for spelling in entry.spellings {
                patterns.append(ShellQuoting.fish(owner + "|" + spelling))
                if entry.isGlobal {
                    patterns.append(ShellQuoting.fish(owner + " *|" + spelling))
                }
            }
            let takes = entry.option.takesValue ? 1 : 0
            arms.append(arm(patterns, "printf '%s\\n' \(ShellQuoting.fish(entry.key)) \(takes)"))
        }
        arms.append(arm(["'*|-h'", "'*|--help'"], "printf '%s\\n' help 0"))
        return switchFunction(
            "option",
            comment:
                "Prints the key and 1 if the option takes a value, for the option $argv[2] of the command $argv[1].",
            subject: "\"$argv[1]|$argv[2]\"", arms: arms)
    }

    private var optionWordsTable: String {
        let arms = data.nodes.map { node in
            let lines = data.optionWords(node).map {
                ShellQuoting.fish($0.description.isEmpty ? $0.word : $0.word + "\t" + $0.description)
            }
            return arm([ShellQuoting.fish(node.commandLine)], "printf '%s\\n' \(lines.joined(separator: " "))")
        }
        return switchFunction(
            "option_words", comment: "Prints the options the command $argv[1] offers.", subject: "$argv[1]",
            arms: arms)
    }

    private var valueTable: String {
        let arms = data.valueCompletions.map {
            arm([ShellQuoting.fish($0.key)], "printf '%s\\n' \($0.kind.words(quotedBy: ShellQuoting.fish))")
        }
        return switchFunction(
            "value_kind", comment: "Prints how the value of the option with key $argv[1] completes.",
            subject: "$argv[1]", arms: arms)
    }

    private var argumentTable: String {
        var arms: [String] = []
        for node in data.nodes {
            for entry in data.arguments(node) {
                let pattern: String
                if let index = entry.index {
                    pattern = ShellQuoting.fish(node.commandLine + "|\(index)")
                } else {
                    pattern = ShellQuoting.fish(node.commandLine + "|*")
                }
                arms.append(arm([pattern], "printf '%s\\n' \(entry.kind.words(quotedBy: ShellQuoting.fish))"))
            }
        }
        arms.append(arm(["'*'"], "echo none"))
        return switchFunction(
            "argument_kind",
            comment: "Prints how positional argument number $argv[2] (from 0) of the command $argv[1] completes.",
            subject: "\"$argv[1]|$argv[2]\"", arms: arms)
    }

    private func arm(_ patterns: [String], _ body: String) -> String {
        "        case \(patterns.joined(separator: " "))\n            \(body)"
    }

    private func switchFunction(_ name: String, comment: String, subject: String, arms: [String]) -> String {
        var lines = ["# \(comment)", "function \(f)_\(name)", "    switch \(subject)"]
        lines += arms
        // fish matches `*` in quoted case patterns too (and would glob an unquoted one).
        if !arms.contains(where: { $0.hasPrefix("        case '*'\n") }) {
            lines.append("        case '*'")
            lines.append("            return 1")
        }
        lines += ["    end", "end", ""]
        return lines.joined(separator: "\n")
    }

    private var registration: String {
        "complete -c \(p) -f -a '(\(f)_complete)'\n"
    }
}
