/// Generates the zsh completion script: the same walker and tables as bash, offering candidates
/// through zsh's own functions (`_describe` with descriptions, `_files` with glob filters).
struct ZshCompletionGenerator: Sendable {
    var data: ShellCompletionData

    var script: String {
        [header, walker, helpers, CaseTables(data: data, describe: true).text, footer].joined(separator: "\n")
    }

    private var p: String { data.programName }
    private var f: String { data.functionPrefix }
    private var main: String { "_" + f.dropFirst(2) }

    private var header: String {
        "#compdef \(p)\n"
            + GeneratorText.scriptHeader(
                program: p, shell: "zsh", load: "source <(\(p) completion zsh)",
                install: "or autoload it on startup:        \(p) completion zsh > \"${fpath[1]}/\(main)\"")
            + "\n\ncompdef \(main) \(p)\n"
    }

    private var walker: String {
        // `path` is zsh's array tied to PATH: the walker calls it `cmdpath`.
        #"""
        \#(main)() {
            emulate -L zsh -o extended_glob
            local -a typed kind described
            local cur=$PREFIX cmdpath=\#(ShellQuoting.word(p)) word key takes i j
            local value_key= after=0 positional=0
            typed=("${(@Q)words[1,CURRENT-1]}")
            for (( i = 2; i < CURRENT; i++ )); do
                word=${typed[i]}
                if [[ -n $value_key ]]; then
                    value_key=
                elif (( after )); then
                    positional=$(( positional + 1 ))
                elif [[ $word == -- ]]; then
                    after=1
                elif [[ $word == --*=* ]]; then
                    :
                elif [[ $word == --?* ]]; then
                    if \#(f)_option "$cmdpath" "$word" && (( takes )); then value_key=$key; fi
                elif [[ $word == -?* ]]; then
                    # A cluster of short options: a value-taking one takes the rest of the word,
                    # or the next word when it is last.
                    for (( j = 2; j <= ${#word}; j++ )); do
                        \#(f)_option "$cmdpath" "-${word[j]}" || break
                        if (( takes )); then
                            if (( j == ${#word} )); then value_key=$key; fi
                            break
                        fi
                    done
                elif (( positional == 0 )) && \#(f)_child "$cmdpath" "$word"; then
                    cmdpath+=" $word"
                else
                    positional=$(( positional + 1 ))
                fi
            done

            kind=(none)
            if [[ -n $value_key ]]; then
                \#(f)_value_kind "$value_key"
            elif (( after )); then
                \#(f)_argument_kind "$cmdpath" "$positional"
            elif [[ $cur == --*=* ]]; then
                if \#(f)_option "$cmdpath" "${cur%%=*}" && (( takes )); then
                    \#(f)_value_kind "$key"
                    compset -P '[^=]#='
                fi
            elif [[ $cur == -* ]]; then
                \#(f)_option_words "$cmdpath"
            elif (( positional > 0 )) || ! \#(f)_subcommands "$cmdpath"; then
                \#(f)_argument_kind "$cmdpath" "$positional"
            fi
            \#(f)_offer
        }

        """#
    }

    private var helpers: String {
        let types = data.builtinTypes.map(ShellQuoting.word).joined(separator: " ")
        return #"""
            \#(f)_offer() {
                local -a values
                case $kind[1] in
                commands)
                    _describe -t commands '\#(p) command' described
                    ;;
                options)
                    _describe -t options 'option' described
                    ;;
                values)
                    values=("${(@)kind[2,-1]}")
                    # `jsonpath=` leaves the cursor after the `=`.
                    compadd -S '' -- "${(@M)values:#*=}"
                    compadd -- "${(@)values:#*=}"
                    ;;
                files)
                    if (( ${#kind} > 1 )); then
                        _files -g "*.(${(j:|:)kind[2,-1]})"
                    else
                        _files
                    fi
                    ;;
                dirs)
                    _directories
                    ;;
                types)
                    \#(f)_dynamic || compadd -- \#(types)
                    ;;
                names)
                    \#(f)_dynamic
                    ;;
                esac
                return 0
            }

            # Asks `\#(p) __complete` with the words typed so far. Its output is one candidate per
            # line (an optional description after a tab) and a last line `:DIRECTIVE`.
            \#(f)_dynamic() {
                local program=${(Q)words[1]} output directive
                local -a lines candidates
                if [[ $program == '~/'* ]]; then program=$HOME/${program#'~/'}; fi
                output=$("$program" __complete "${(@Q)words[2,CURRENT-1]}" "${(Q)PREFIX}" 2>/dev/null) || return 1
                lines=("${(@f)output}")
                directive=${lines[-1]}
                [[ $directive == :<-> ]] || return 1
                directive=${directive#:}
                if (( directive & 1 )); then return 1; fi
                candidates=("${(@)lines[1,-2]%%$'\t'*}")
                if (( directive & 2 )); then
                    compadd -S '' -- "${(@)candidates}"
                else
                    compadd -- "${(@)candidates}"
                fi
                return 0
            }

            """#
    }

    private var footer: String {
        #"""
        # Autoloaded from $fpath, this file is the body of \#(main): run it. Sourced, the compdef
        # above registered it.
        if [[ ${funcstack[1]-} == \#(main) ]]; then
            \#(main) "$@"
        fi

        """#
    }
}
