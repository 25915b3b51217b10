import DatumArguments
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// A working directory with manifests to complete, the sample spec's three scripts, and a stub
/// `datumctl` on PATH that records how the scripts call `__complete` and answers as told.
final class CompletionShellFixture: Sendable {
    let directory: TemporaryDirectory
    var root: String { directory.path }
    var work: String { root + "/work" }
    var bin: String { root + "/bin" }
    var log: String { root + "/stub.log" }

    init(spec: CommandSpec = GeneratorSample.root) throws {
        directory = try TemporaryDirectory()
        for file in ["a.yaml", "b.yml", "c.json", "d.txt", "sub/e.yaml"] {
            try directory.write("work/" + file, "")
        }
        try directory.write(
            "bin/datumctl",
            """
            #!/bin/sh
            # Records its arguments, one per line, then answers with $STUB_OUTPUT.
            for word in "$@"; do printf '%s\\n' "$word" >> "$STUB_LOG"; done
            printf -- '--\\n' >> "$STUB_LOG"
            if [ "$STUB_FAIL" = 1 ]; then exit 1; fi
            printf '%b' "$STUB_OUTPUT"

            """)
        chmod(bin + "/datumctl", 0o755)
        for shell in CompletionShell.allCases {
            try directory.write("scripts/" + shell.fileName(for: spec), shell.script(for: spec))
        }
    }

    func script(_ shell: CompletionShell, spec: CommandSpec = GeneratorSample.root) -> String {
        root + "/scripts/" + shell.fileName(for: spec)
    }

    func environment(stub: String, fail: Bool = false, path: String? = nil) -> [String: String] {
        [
            "PATH": (path ?? bin) + ":/usr/bin:/bin", "HOME": root, "STUB_LOG": log, "STUB_OUTPUT": stub,
            "STUB_FAIL": fail ? "1" : "0", "TERM": "xterm", "LANG": "C.UTF-8",
        ]
    }

    /// The `__complete` calls the stub received, each as its argument list.
    var stubCalls: [[String]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        var calls: [[String]] = []
        var current: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line == "--" {
                calls.append(current)
                current = []
            } else {
                current.append(String(line))
            }
        }
        return calls
    }

    // MARK: - The shells

    /// Bash splits the line at blanks and, like readline, at the COMP_WORDBREAKS characters
    /// `=` and `:` (verified against interactive bash 5.2).
    static func bashWords(_ line: String) -> [String] {
        var words: [String] = []
        for part in line.split(separator: " ") {
            var token = ""
            for character in part {
                if character == "=" || character == ":" {
                    if !token.isEmpty { words.append(token) }
                    words.append(String(character))
                    token = ""
                } else {
                    token.append(character)
                }
            }
            if !token.isEmpty { words.append(token) }
        }
        if line.hasSuffix(" ") { words.append("") }
        return words
    }

    /// Sources the bash script, sets COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT as bash
    /// would for `line` with the cursor at `point` (default: the end), calls the completion
    /// function and returns COMPREPLY and the `compopt` options it asked for.
    func bash(
        _ line: String, point: Int? = nil, stub: String = ":4\n", fail: Bool = false, script: String? = nil,
        function: String = "_datumctl"
    ) throws -> (replies: [String], options: [String]) {
        let cursor = point ?? line.count
        let words = Self.bashWords(line)
        let before = Self.bashWords(String(line.prefix(cursor)))
        let cword = max(0, before.count - 1)
        let quoted = words.map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " ")
        let program = """
            source \(ShellQuoting.quoted(script ?? self.script(.bash)))
            compopt() { options+=("$2"); }
            options=()
            COMP_WORDS=(\(quoted))
            COMP_CWORD=\(cword)
            COMP_LINE=\(ShellQuoting.quoted(line))
            COMP_POINT=\(cursor)
            \(function)
            printf 'reply:%s\\n' "${COMPREPLY[@]}"
            printf 'option:%s\\n' "${options[@]}"
            """
        let result = try TestProcess.run(
            "/bin/bash", ["--norc", "--noprofile", "-c", program], environment: environment(stub: stub, fail: fail),
            currentDirectory: work)
        #expect(result.stderr == "", "bash: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        return (
            lines.filter { $0.hasPrefix("reply:") }.map { String($0.dropFirst(6)) }.filter { !$0.isEmpty },
            lines.filter { $0.hasPrefix("option:") }.map { String($0.dropFirst(7)) }.filter { !$0.isEmpty }
        )
    }

    /// Runs `complete -C line` in fish after loading the script; candidates without descriptions.
    func fish(_ line: String, stub: String = ":4\n", fail: Bool = false, script: String? = nil) throws -> [String] {
        try fishLines(line, stub: stub, fail: fail, script: script).map {
            String($0.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        }
    }

    func fishLines(_ line: String, stub: String = ":4\n", fail: Bool = false, script: String? = nil) throws -> [String]
    {
        let program =
            "source \(ShellQuoting.fish(script ?? self.script(.fish))); complete -C \(ShellQuoting.fish(line))"
        let result = try TestProcess.run(
            "/usr/bin/fish", ["--no-config", "-c", program], environment: environment(stub: stub, fail: fail),
            currentDirectory: work)
        #expect(result.stderr == "", "fish: \(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Drives an interactive `zsh -f` in a pseudo-terminal (zsh/zpty): compinit loads the
    /// script from $fpath (or `source`s it), a wrapper around `compadd` records every match
    /// completion adds, and the line is typed followed by TAB.
    func zsh(
        _ line: String, stub: String = ":4\n", fail: Bool = false, sourced: Bool = false,
        spec: CommandSpec = GeneratorSample.root
    ) throws -> [String] {
        let capture = root + "/zsh-\(UUID().uuidString).capture"
        let functions = root + "/zsh-functions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: functions, withIntermediateDirectories: true)
        let name = CompletionShell.zsh.fileName(for: spec)
        let scriptPath: String
        if sourced {
            scriptPath = script(.zsh, spec: spec)
        } else {
            scriptPath = functions + "/" + name
            try FileManager.default.copyItem(atPath: script(.zsh, spec: spec), toPath: scriptPath)
        }
        let result = try TestProcess.run(
            "/usr/bin/zsh",
            ["-f", "-c", Self.zshHarness, "harness", functions, capture, line, sourced ? scriptPath : ""],
            environment: environment(stub: stub, fail: fail), currentDirectory: work)
        #expect(result.status == 0, "zsh harness: \(result.stderr)")
        let text = (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
        // zsh's file functions may add a match more than once (for different tags); it lists it once.
        var seen = Set<String>()
        return text.split(separator: "\n").map(String.init).filter { seen.insert($0).inserted }
    }

    /// $1 function folder, $2 capture file, $3 the line, $4 a script to source instead.
    static let zshHarness = #"""
        zmodload zsh/zpty || exit 2
        local dir=$1 capture=$2 line=$3 sourced=$4 out all
        : > $capture
        zpty shell 'zsh -f -i'
        zpty -w shell "PS1='' PROMPT='' RPROMPT='' LISTMAX=100000; setopt no_beep"
        zpty -w shell "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
        [[ -n $sourced ]] && zpty -w shell "source ${(q)sourced}"
        zpty -w shell "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no"
        # Record what completion functions add; calls that only compute matches (-O, -A, -D) pass.
        zpty -w shell "compadd() { if (( \${@[(I)-[ODA]]} )); then builtin compadd \"\$@\"; return; fi; local -a hits; builtin compadd -O hits \"\$@\"; (( \$#hits )) && print -rl -- \$hits >> ${(q)capture}; builtin compadd \"\$@\"; }"
        zpty -w shell "bindkey '^I' complete-word; print -r -- READY\$((6*7))"
        all=""
        for i in {1..500}; do
            zpty -r -t shell out && all+=$out
            [[ $all == *READY42* ]] && break
            sleep 0.02
        done
        [[ $all == *READY42* ]] || { print -u2 "zsh did not start: $all"; exit 3; }
        zpty -n -w shell "$line"$'\t'
        # Completion is over when the terminal has been quiet for a while.
        local quiet=0
        for i in {1..500}; do
            if zpty -r -t shell out; then quiet=0; else quiet=$(( quiet + 1 )); fi
            (( quiet >= 15 )) && break
            sleep 0.02
        done
        zpty -n -w shell $'\C-u'
        zpty -w shell 'print -r -- END$((6*7))'
        all=""
        for i in {1..500}; do
            zpty -r -t shell out && all+=$out
            [[ $all == *END42* ]] && break
            sleep 0.02
        done
        zpty -d shell
        [[ $all == *END42* ]] || { print -u2 "zsh did not finish: $all"; exit 3; }
        exit 0
        """#
}

/// The generated scripts in the real shells: bash (COMP_WORDS and friends, then COMPREPLY),
/// zsh (an interactive shell in a pseudo-terminal) and fish (`complete -C`). Every case runs in
/// all three; each shell gets its own expected candidates where their conventions differ.
@Suite(.serialized) struct CompletionShellTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var line: String
        var bash: [String]
        var zsh: [String]
        var fish: [String]
        /// What the stub `datumctl __complete` answers, and whether it fails.
        var stub: String = ":4\n"
        var fail: Bool = false
        var testDescription: String { "'\(line)'" }

        init(_ line: String, _ all: [String], stub: String = ":4\n", fail: Bool = false) {
            self.line = line
            bash = all
            zsh = all
            fish = all
            self.stub = stub
            self.fail = fail
        }

        init(_ line: String, bash: [String], zsh: [String], fish: [String], stub: String = ":4\n", fail: Bool = false) {
            self.line = line
            self.bash = bash
            self.zsh = zsh
            self.fish = fish
            self.stub = stub
            self.fail = fail
        }
    }

    static let getOptions = [
        "--all-namespaces", "--chunk-size", "--error-format", "--help", "--insecure-skip-tls-verify", "--namespace",
        "--output", "--project", "--request-timeout", "--selector", "-A", "-h", "-l", "-n", "-o",
    ]
    static let builtinTypes = GeneratorText.builtinResourceTypeWords.sorted()
    static let types = "backendtlspolicies\nbtlspolicy\nhttproutes\n:4\n"
    static let names = "api-tls\nweb-tls\n:4\n"

    static let cases: [Case] = [
        Case("datumctl ", ["apply", "completion", "config", "describe", "get", "version"]),
        Case("datumctl g", ["get"]),
        Case("datumctl con", ["config"]),
        Case("datumctl config ", ["set-context", "use-context"]),
        Case("datumctl --project p -n x config u", ["use-context"]),
        Case("datumctl config use-context ", []),
        Case("datumctl get -", getOptions),
        Case("datumctl get --out", ["--output"]),
        Case("datumctl g --chunk-size 5 -A --sel", ["--selector"]),
        Case("datumctl get -o ", ["custom-columns=", "json", "jsonpath=", "name", "wide", "yaml"]),
        Case(
            "datumctl get --output=j", bash: ["json", "jsonpath="], zsh: ["json", "jsonpath="],
            fish: ["--output=json", "--output=jsonpath="]),
        Case(
            "datumctl --error-format=", bash: ["json", "text"], zsh: ["json", "text"],
            fish: ["--error-format=json", "--error-format=text"]),
        Case("datumctl version -o j", ["json"]),
        Case("datumctl apply --validate ", ["false", "ignore", "strict", "true", "warn"]),
        Case("datumctl apply --dry-run s", ["server"]),
        Case(
            "datumctl apply -f ", bash: ["a.yaml", "b.yml", "c.json", "sub"],
            zsh: ["a.yaml", "b.yml", "c.json", "sub"], fish: ["a.yaml", "b.yml", "c.json", "sub/"]),
        Case("datumctl apply -Rf s", bash: ["sub"], zsh: ["sub"], fish: ["sub/"]),
        Case("datumctl apply -k ", bash: ["sub"], zsh: ["sub"], fish: ["sub/"]),
        Case(
            "datumctl config set-context --token-file ", bash: ["a.yaml", "b.yml", "c.json", "d.txt", "sub"],
            zsh: ["a.yaml", "b.yml", "c.json", "d.txt", "sub"], fish: ["a.yaml", "b.yml", "c.json", "d.txt", "sub/"]),
        Case("datumctl completion ", ["bash", "fish", "zsh"]),
        Case("datumctl get ", ["backendtlspolicies", "btlspolicy", "httproutes"], stub: types),
        Case("datumctl get b", ["backendtlspolicies", "btlspolicy"], stub: types),
        Case("datumctl get ", builtinTypes, fail: true),
        Case("datumctl get ", builtinTypes, stub: "garbage without a directive\n"),
        Case("datumctl -n team get btlspolicy ", ["api-tls", "web-tls"], stub: names),
        Case("datumctl describe btlspolicy web-tls ", ["api-tls", "web-tls"], stub: names),
        Case("datumctl get btlspolicy ", [], stub: "api-tls\n:5\n"),
        Case("datumctl get btlspolicy ", [], fail: true),
    ]

    static let fixture = Result { try CompletionShellFixture() }

    @Test(arguments: cases)
    func bash(_ test: Case) throws {
        let fixture = try Self.fixture.get()
        let result = try fixture.bash(test.line, stub: test.stub, fail: test.fail)
        #expect(result.replies.sorted() == test.bash)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/zsh")), arguments: cases)
    func zsh(_ test: Case) throws {
        let fixture = try Self.fixture.get()
        #expect(try fixture.zsh(test.line, stub: test.stub, fail: test.fail).sorted() == test.zsh)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/fish")), arguments: cases)
    func fish(_ test: Case) throws {
        let fixture = try Self.fixture.get()
        #expect(try fixture.fish(test.line, stub: test.stub, fail: test.fail).sorted() == test.fish)
    }

    // MARK: - What reaches `__complete`

    @Test func scriptsPassTheWordsTypedSoFarToTheCallback() throws {
        let fixture = try CompletionShellFixture()
        let line = "datumctl --project=p1 -n team get -o yaml btlspolicy w"
        let expected = ["__complete", "--project=p1", "-n", "team", "get", "-o", "yaml", "btlspolicy", "w"]
        _ = try fixture.bash(line, stub: Self.names)
        _ = try fixture.fish(line, stub: Self.names)
        _ = try fixture.zsh(line, stub: Self.names)
        #expect(fixture.stubCalls == [expected, expected, expected])
    }

    @Test func staticCompletionsDoNotRunTheBinary() throws {
        let fixture = try CompletionShellFixture()
        for line in ["datumctl ", "datumctl get -o ", "datumctl apply -f ", "datumctl config "] {
            _ = try fixture.bash(line)
            _ = try fixture.fish(line)
        }
        #expect(fixture.stubCalls.isEmpty)
    }

    // MARK: - bash specifics

    @Test func bashAsksForNoSpaceAfterAnEqualsSignAndForFileNameHandling() throws {
        let fixture = try Self.fixture.get()
        #expect(try fixture.bash("datumctl get -o js").options == ["nospace"])
        #expect(try fixture.bash("datumctl get -o ya").options == [])
        #expect(try fixture.bash("datumctl apply -f ").options == ["filenames"])
        #expect(try fixture.bash("datumctl get btlspolicy/", stub: "btlspolicy/a\n:6\n").options == ["nospace"])
    }

    @Test func bashCompletesTheTextBeforeTheCursor() throws {
        let fixture = try Self.fixture.get()
        // `datumctl comp|letion`: bash hands over the whole word; only `comp` counts.
        #expect(try fixture.bash("datumctl complete", point: 13).replies == ["completion"])
    }

    @Test func bashTrimsCandidatesToTheTextAfterTheLastWordBreak() throws {
        let fixture = try Self.fixture.get()
        // Readline replaces only what follows the last `:`, so the candidate must too.
        let result = try fixture.bash("datumctl get ns:", stub: "ns:a\nns:b\n:4\n")
        #expect(result.replies == ["a", "b"])
    }

    @Test func bashRegistersTheFunction() throws {
        let fixture = try Self.fixture.get()
        let result = try TestProcess.run(
            "/bin/bash",
            [
                "--norc", "--noprofile", "-c",
                "source \(ShellQuoting.quoted(fixture.script(.bash))); complete -p datumctl",
            ])
        #expect(result.stdout == "complete -F _datumctl datumctl\n")
    }

    // MARK: - zsh and fish specifics

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/zsh")))
    func zshWorksWhenSourcedAfterCompinit() throws {
        let fixture = try Self.fixture.get()
        #expect(try fixture.zsh("datumctl config ", sourced: true).sorted() == ["set-context", "use-context"])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/fish")))
    func fishShowsDescriptions() throws {
        let fixture = try Self.fixture.get()
        #expect(try fixture.fishLines("datumctl con") == ["config\tModify datumctl configuration files"])
        #expect(
            try fixture.fishLines("datumctl get --sel") == [
                "--selector\tSelector (label query) to filter on, supports '=', '==', and '!='"
            ])
    }

    // MARK: - The committed scripts for the real spec

    @Test(arguments: CompletionShell.allCases)
    func realScriptCompletesTheRealCommands(_ shell: CompletionShell) throws {
        if shell != .bash && !FileManager.default.fileExists(atPath: "/usr/bin/\(shell.rawValue)") { return }
        let fixture = try CompletionShellFixture(spec: Datumctl.rootSpec)
        let commands = Datumctl.rootSpec.visibleSubcommands.map(\.name).sorted()
        let script = CLI.repositoryRoot + "/completions/" + shell.fileName(for: Datumctl.rootSpec)
        switch shell {
        case .bash:
            #expect(try fixture.bash("datumctl ", script: script).replies.sorted() == commands)
            #expect(try fixture.bash("datumctl completion ", script: script).replies == ["bash", "zsh", "fish"])
        case .zsh:
            try FileManager.default.removeItem(atPath: fixture.script(.zsh, spec: Datumctl.rootSpec))
            try FileManager.default.copyItem(atPath: script, toPath: fixture.script(.zsh, spec: Datumctl.rootSpec))
            #expect(try fixture.zsh("datumctl ", spec: Datumctl.rootSpec).sorted() == commands)
        case .fish:
            #expect(try fixture.fish("datumctl ", script: script) == commands)
            #expect(try fixture.fish("datumctl completion ", script: script) == ["bash", "fish", "zsh"])
        }
    }
}
