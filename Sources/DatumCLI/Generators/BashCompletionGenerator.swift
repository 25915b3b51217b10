/// Generates the bash completion script: lookup tables from the spec, plus a fixed walker that
/// follows the typed words the way the parser does. Works without the bash-completion package.
struct BashCompletionGenerator: Sendable {
    var data: ShellCompletionData

    var script: String {
        [header, walker, helpers, tables, registration].joined(separator: "\n")
    }

    private var p: String { data.programName }
    private var f: String { data.functionPrefix }

    private var header: String {
        GeneratorText.scriptHeader(
            program: p, shell: "bash", load: "source <(\(p) completion bash)",
            install: "or for every session:             \(p) completion bash > /etc/bash_completion.d/\(p)",
            modeline: "                                        -*- shell-script -*-") + "\n"
    }

    private var walker: String {
        #"""
        _\#(f.dropFirst(2))() {
            local -a words=() kind=()
            local cword=-1 cur cmdpath=\#(ShellQuoting.word(p)) word key takes i j
            local value_key="" after=0 positional=0 target
            \#(f)_words
            cur=${words[cword]}
            for (( i = 1; i < cword; i++ )); do
                word=${words[i]}
                if [[ -n $value_key ]]; then
                    value_key=""
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
                    for (( j = 1; j < ${#word}; j++ )); do
                        \#(f)_option "$cmdpath" "-${word:j:1}" || break
                        if (( takes )); then
                            if (( j == ${#word} - 1 )); then value_key=$key; fi
                            break
                        fi
                    done
                elif (( positional == 0 )) && \#(f)_child "$cmdpath" "$word"; then
                    cmdpath+=" $word"
                else
                    positional=$(( positional + 1 ))
                fi
            done

            COMPREPLY=()
            target=$cur
            kind=(none)
            if [[ -n $value_key ]]; then
                \#(f)_value_kind "$value_key"
            elif (( after )); then
                \#(f)_argument_kind "$cmdpath" "$positional"
            elif [[ $cur == --*=* ]]; then
                target=${cur#*=}
                if \#(f)_option "$cmdpath" "${cur%%=*}" && (( takes )); then \#(f)_value_kind "$key"; fi
            elif [[ $cur == -* ]]; then
                \#(f)_option_words "$cmdpath"
            elif (( positional > 0 )) || ! \#(f)_subcommands "$cmdpath"; then
                \#(f)_argument_kind "$cmdpath" "$positional"
            fi
            \#(f)_offer "$target"
            \#(f)_trim_wordbreaks "$target"
            return 0
        }

        """#
    }

    private var helpers: String {
        let types = data.builtinTypes.map(ShellQuoting.word).joined(separator: " ")
        return #"""
            # The words up to the cursor. Bash splits words at COMP_WORDBREAKS (`--output=json` is
            # three words); glue back together what the line does not separate by blanks.
            \#(f)_words() {
                local line token trimmed i
                if [[ -z ${COMP_LINE-} ]]; then
                    words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
                    cword=$COMP_CWORD
                    return
                fi
                line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
                for (( i = 0; i <= COMP_CWORD; i++ )); do
                    token=${COMP_WORDS[i]}
                    trimmed=${line#"${line%%[![:blank:]]*}"}
                    if (( cword < 0 )) || [[ $trimmed != "$line" ]]; then
                        cword=$(( cword + 1 ))
                        words[cword]=""
                    fi
                    line=$trimmed
                    if [[ $line == "$token"* ]]; then
                        line=${line:${#token}}
                    elif (( i == COMP_CWORD )); then
                        # The word under the cursor ends at the cursor.
                        token=$line
                        line=""
                    fi
                    words[cword]+=$token
                done
            }

            \#(f)_compopt() {
                { compopt -o "$1"; } 2>/dev/null
                return 0
            }

            # Adds the candidates for `kind` that start with $1 to COMPREPLY.
            \#(f)_offer() {
                local cur=$1 item ext
                case ${kind[0]} in
                commands|options|values)
                    for item in "${kind[@]:1}"; do
                        if [[ $item == "$cur"* ]]; then COMPREPLY+=("$item"); fi
                    done
                    ;;
                files)
                    \#(f)_compopt filenames
                    while IFS= read -r item; do
                        if [[ -d $item ]] || (( ${#kind[@]} == 1 )); then
                            COMPREPLY+=("$item")
                            continue
                        fi
                        for ext in "${kind[@]:1}"; do
                            if [[ $item == *."$ext" ]]; then
                                COMPREPLY+=("$item")
                                break
                            fi
                        done
                    done < <(compgen -f -- "$cur")
                    ;;
                dirs)
                    \#(f)_compopt filenames
                    while IFS= read -r item; do COMPREPLY+=("$item"); done < <(compgen -d -- "$cur")
                    ;;
                types)
                    if ! \#(f)_dynamic "$cur"; then
                        for item in \#(types); do
                            if [[ $item == "$cur"* ]]; then COMPREPLY+=("$item"); fi
                        done
                    fi
                    ;;
                names)
                    \#(f)_dynamic "$cur"
                    ;;
                esac
                for item in "${COMPREPLY[@]}"; do
                    if [[ $item == *= ]]; then \#(f)_compopt nospace; fi
                done
                return 0
            }

            # Asks `\#(p) __complete` with the words typed so far. Its output is one candidate per
            # line (an optional description after a tab) and a last line `:DIRECTIVE`.
            \#(f)_dynamic() {
                local program=${words[0]} output directive item
                local -a lines=()
                if [[ $program == "~/"* ]]; then program=$HOME/${program#"~/"}; fi
                output=$("$program" __complete "${words[@]:1:cword}" 2>/dev/null) || return 1
                while IFS= read -r item; do lines+=("$item"); done <<<"$output"
                (( ${#lines[@]} > 0 )) || return 1
                directive=${lines[${#lines[@]}-1]}
                [[ $directive =~ ^:[0-9]+$ ]] || return 1
                directive=${directive#:}
                if (( directive & 1 )); then return 1; fi
                if (( directive & 2 )); then \#(f)_compopt nospace; fi
                for item in "${lines[@]:0:${#lines[@]}-1}"; do
                    item=${item%%$'\t'*}
                    if [[ -n $item && $item == "$1"* ]]; then COMPREPLY+=("$item"); fi
                done
                return 0
            }

            # Readline replaces only the text after the last COMP_WORDBREAKS character (`=`, `:`)
            # of the word, so drop that part from the candidates.
            \#(f)_trim_wordbreaks() {
                local cur=$1 prefix="" c i
                for (( i = ${#cur} - 1; i >= 0; i-- )); do
                    c=${cur:i:1}
                    if [[ ( $c == "=" || $c == ":" ) && ${COMP_WORDBREAKS-} == *"$c"* ]]; then
                        prefix=${cur:0:i+1}
                        break
                    fi
                done
                [[ -n $prefix ]] || return 0
                for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}; done
            }

            """#
    }

    private var tables: String {
        CaseTables(data: data, describe: false).text
    }

    private var registration: String {
        "complete -F _\(f.dropFirst(2)) \(p)\n"
    }
}
