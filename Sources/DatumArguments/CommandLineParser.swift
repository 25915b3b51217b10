import GoCompat

/// What a command line asks datumctl to do.
public enum ParseOutcome: Sendable, Hashable {
    case run(ParsedCommand)
    /// `-h`/`--help`, `datumctl help CMD [SUB]`, or a command group given without a subcommand.
    /// The path holds canonical names from the root: `["datumctl", "config", "view"]`.
    case help(commandPath: [String])
}

/// Parses argv against a `CommandSpec` tree with pflag/cobra semantics.
///
/// Stages: each argv word is tokenized (`ArgumentTokenizer`), the subcommand path is resolved
/// first (cobra lets options appear before the subcommand name), then every word is matched
/// against the options of the selected command, values are checked against their `ValueKind`,
/// and positionals are assigned. Every failure is a `UsageError` naming the argv word.
public struct CommandLineParser: Sendable {
    public var root: CommandSpec

    public init(root: CommandSpec) {
        self.root = root
    }

    /// Parses the arguments that follow the program name.
    public func parse(_ arguments: [String]) throws(UsageError) -> ParseOutcome {
        let resolution = try resolveCommand(arguments)
        if let helpIndex = resolution.helpWordIndex {
            return try resolveHelpTopic(arguments, after: helpIndex)
        }
        return try match(arguments, resolution: resolution)
    }

    // MARK: - Stage 1: which command?

    private struct Resolution {
        var chain: [CommandSpec]
        var commandIndices: Set<Int>
        /// Set when the root's implicit `help` command was used; topic words follow it.
        var helpWordIndex: Int?
    }

    /// Walks argv to find the subcommand path, skipping options and their values the way
    /// cobra's `stripFlags` does (an option it does not know is assumed to take a value).
    private func resolveCommand(_ arguments: [String]) throws(UsageError) -> Resolution {
        var chain = [root]
        var commandIndices = Set<Int>()
        var index = 0
        walk: while index < arguments.count {
            let tokens = ArgumentTokenizer.tokens(of: arguments[index], at: index)
            guard let first = tokens.first else { break }
            switch first.kind {
            case .terminator:
                break walk
            case .malformed:
                index += 1
            case .long, .short:
                index += consumesFollowingWord(tokens, chain: chain) ? 2 : 1
            case .word(let word):
                guard let current = chain.last, !current.subcommands.isEmpty else { break walk }
                if let next = current.subcommand(named: word) {
                    chain.append(next)
                    commandIndices.insert(index)
                    index += 1
                    continue
                }
                if chain.count == 1 && word == "help" {
                    return Resolution(chain: chain, commandIndices: commandIndices, helpWordIndex: index)
                }
                if current.positionals.isEmpty {
                    throw UsageError(
                        .unknownCommand(word, parent: names(chain).joined(separator: " ")),
                        argvIndex: index, commandPath: names(chain),
                        suggestions: commandSuggestions(for: word, in: current))
                }
                break walk
            }
        }
        return Resolution(chain: chain, commandIndices: commandIndices, helpWordIndex: nil)
    }

    /// `datumctl help config view`: every topic word must name a subcommand.
    private func resolveHelpTopic(_ arguments: [String], after helpIndex: Int) throws(UsageError)
        -> ParseOutcome
    {
        var chain = [root]
        var topic: [String] = []
        var index = helpIndex + 1
        while index < arguments.count {
            let tokens = ArgumentTokenizer.tokens(of: arguments[index], at: index)
            guard let first = tokens.first else { break }
            switch first.kind {
            case .terminator, .malformed:
                index += 1
            case .long, .short:
                index += consumesFollowingWord(tokens, chain: chain) ? 2 : 1
            case .word(let word):
                guard let current = chain.last, let next = current.subcommand(named: word) else {
                    let rest = arguments[index...].filter { !$0.hasPrefix("-") }
                    throw UsageError(
                        .unknownHelpTopic(topic + rest), argvIndex: index, commandPath: [root.name],
                        suggestions: chain.last.map { commandSuggestions(for: word, in: $0) } ?? [])
                }
                chain.append(next)
                topic.append(word)
                index += 1
            }
        }
        return .help(commandPath: names(chain))
    }

    /// Whether an option word, during command resolution, swallows the next argv word. An option
    /// the command does not accept is looked up among the options declared below it; if it is
    /// unknown there too, cobra's rule applies: assume it takes a value.
    private func consumesFollowingWord(_ tokens: [ArgumentToken], chain: [CommandSpec]) -> Bool {
        let table = OptionTable(chain: chain)
        var cachedBelow: [OptionSpec]?
        func below() -> [OptionSpec] {
            if let cachedBelow { return cachedBelow }
            let options = chain.last.map(optionsBelow) ?? []
            cachedBelow = options
            return options
        }
        for token in tokens {
            switch token.kind {
            case .long(let name, let value):
                if value != nil { return false }
                if let option = table.option(long: name) { return option.takesValue }
                let candidates = below().filter { $0.long == name }
                return candidates.isEmpty || candidates.contains { $0.takesValue }
            case .short(let letter, let remainder):
                let known = table.option(short: letter).map { [$0] } ?? below().filter { $0.short == letter }
                if known.isEmpty { return tokens.count == 1 }
                if remainder.count >= 2 && remainder.hasPrefix("=") { return false }
                if known.contains(where: \.takesValue) { return remainder.isEmpty }
            case .word, .terminator, .malformed:
                return false
            }
        }
        return false
    }

    /// Options declared anywhere below `command`.
    private func optionsBelow(_ command: CommandSpec) -> [OptionSpec] {
        command.subcommands.flatMap { $0.options + optionsBelow($0) }
    }

    // MARK: - Stage 2: options, values and positionals

    private func match(_ arguments: [String], resolution: Resolution) throws(UsageError)
        -> ParseOutcome
    {
        let chain = resolution.chain
        let path = names(chain)
        let table = OptionTable(chain: chain)
        var recorder = ValueRecorder(commandPath: path)
        var words: [ParsedValue] = []
        var afterTerminator = false
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if resolution.commandIndices.contains(index) {
                index += 1
                continue
            }
            if afterTerminator {
                words.append(ParsedValue(word, argvIndex: index))
                index += 1
                continue
            }
            var consumedNext = false
            let tokens = ArgumentTokenizer.tokens(of: word, at: index)
            let next: ParsedValue? =
                index + 1 < arguments.count ? ParsedValue(arguments[index + 1], argvIndex: index + 1) : nil
            cluster: for token in tokens {
                switch token.kind {
                case .terminator:
                    afterTerminator = true
                case .word(let text):
                    words.append(ParsedValue(text, argvIndex: index))
                case .malformed(let text):
                    throw UsageError(.badFlagSyntax(text), argvIndex: index, commandPath: path)
                case .long(let name, let inline):
                    guard let option = table.option(long: name) else {
                        throw UsageError(
                            .unknownFlag("--\(name)"), argvIndex: index, commandPath: path,
                            suggestions: Array(
                                Suggestions.rank(name, among: table.visibleLongNames).prefix(1).map { "--\($0)" }))
                    }
                    if !option.takesValue {
                        try recorder.record(option, ParsedValue(inline ?? "true", argvIndex: index))
                    } else if let inline {
                        try recorder.record(option, ParsedValue(inline, argvIndex: index))
                    } else if let next {
                        try recorder.record(option, next)
                        consumedNext = true
                    } else {
                        throw UsageError(
                            .missingValue(option: option, cluster: nil), argvIndex: index, commandPath: path)
                    }
                case .short(let letter, let remainder):
                    let offset = token.clusterOffset ?? 1
                    guard let option = table.option(short: letter) else {
                        throw UsageError(
                            .unknownShorthand(letter, cluster: String(letter) + remainder),
                            argvIndex: index, clusterOffset: offset, commandPath: path)
                    }
                    // pflag: `-x=value` gives any option its value, even a boolean.
                    if remainder.count >= 2 && remainder.hasPrefix("=") {
                        try recorder.record(
                            option,
                            ParsedValue(String(remainder.dropFirst()), argvIndex: index, clusterOffset: offset + 2))
                        break cluster
                    }
                    if !option.takesValue {
                        try recorder.record(option, ParsedValue("true", argvIndex: index, clusterOffset: offset))
                        continue
                    }
                    if !remainder.isEmpty {
                        try recorder.record(
                            option, ParsedValue(remainder, argvIndex: index, clusterOffset: offset + 1))
                    } else if let next {
                        try recorder.record(option, next)
                        consumedNext = true
                    } else {
                        throw UsageError(
                            .missingValue(option: option, cluster: String(letter)),
                            argvIndex: index, clusterOffset: offset, commandPath: path)
                    }
                    break cluster
                }
            }
            index += consumedNext ? 2 : 1
        }

        guard let command = chain.last else { return .help(commandPath: path) }
        if recorder.helpRequested { return .help(commandPath: path) }
        // A group such as `datumctl config` does nothing by itself; kubectl shows its help.
        if !command.subcommands.isEmpty && command.positionals.isEmpty && words.isEmpty
            && !command.runsWithoutSubcommand
        {
            return .help(commandPath: path)
        }
        let counts = try assignPositionals(words, to: command, path: path)
        return .run(
            ParsedCommand(
                commandPath: path, spec: command, options: recorder.values, positionals: words,
                availableOptions: table.options, positionalCounts: counts))
    }

    /// Non-repeating positionals take one word each, in order; a repeating last one takes the rest.
    private func assignPositionals(_ words: [ParsedValue], to command: CommandSpec, path: [String])
        throws(UsageError) -> [Int]
    {
        var counts: [Int] = []
        var remaining = words.count
        for positional in command.positionals {
            if remaining == 0 && !positional.isOptional {
                let name = path.count > 1 ? path.dropFirst().joined(separator: " ") : command.name
                throw UsageError(
                    .missingArgument(positional, command: name), argvIndex: nil, commandPath: path)
            }
            let taken = positional.isRepeating ? remaining : min(1, remaining)
            counts.append(taken)
            remaining -= taken
        }
        if remaining > 0 {
            let extra = words.suffix(remaining)
            throw UsageError(
                .unexpectedArguments(extra.map(\.text)), argvIndex: extra.first?.argvIndex,
                commandPath: path)
        }
        return counts
    }

    private func commandSuggestions(for word: String, in command: CommandSpec) -> [String] {
        Suggestions.rank(
            word, among: command.visibleSubcommands.map { (name: $0.name, spellings: $0.aliases) })
    }

    private func names(_ chain: [CommandSpec]) -> [String] {
        chain.map(\.name)
    }
}

/// The options a command accepts: its own, then global options inherited from its ancestors
/// (nearest first), then the implicit `-h, --help`. Earlier entries shadow later ones.
public struct OptionTable: Sendable {
    public let options: [OptionSpec]

    public init(chain: [CommandSpec]) {
        var options: [OptionSpec] = []
        var seen = Set<String>()
        if let command = chain.last {
            for option in command.options where seen.insert(option.long).inserted {
                options.append(option)
            }
        }
        for ancestor in chain.dropLast().reversed() {
            for option in ancestor.options where option.isGlobal && seen.insert(option.long).inserted {
                options.append(option)
            }
        }
        if !seen.contains(OptionSpec.helpFlag.long) {
            options.append(OptionSpec.helpFlag)
        }
        self.options = options
    }

    public func option(long name: String) -> OptionSpec? {
        options.first { $0.long == name }
    }

    public func option(short letter: Character) -> OptionSpec? {
        options.first { $0.short == letter }
    }

    var visibleLongNames: [String] {
        options.filter { !$0.isHidden }.map(\.long)
    }
}

/// Checks each value against its option's type and collects it under the long name.
private struct ValueRecorder {
    let commandPath: [String]
    var values: [String: [ParsedValue]] = [:]
    var helpRequested = false

    init(commandPath: [String]) {
        self.commandPath = commandPath
    }

    mutating func record(_ option: OptionSpec, _ value: ParsedValue) throws(UsageError) {
        try check(value, for: option)
        if option == OptionSpec.helpFlag {
            helpRequested = GoValueSyntax.parseBool(value.text) == .success(true)
            return
        }
        values[option.long, default: []].append(value)
    }

    private func check(_ value: ParsedValue, for option: OptionSpec) throws(UsageError) {
        let text = value.text
        switch option.valueProblem(text) {
        case nil:
            return
        case .syntax(let error)?:
            throw UsageError(
                .invalidValue(text, option: option, detail: error.message),
                argvIndex: value.argvIndex, clusterOffset: value.clusterOffset, commandPath: commandPath)
        case .notAChoice(let allowed)?:
            throw UsageError(
                .invalidChoice(text, option: option, allowed: allowed),
                argvIndex: value.argvIndex, clusterOffset: value.clusterOffset, commandPath: commandPath,
                suggestions: Array(Suggestions.rank(text, among: allowed).prefix(1)))
        case .unknownFormat(let format, let allowed)?:
            throw UsageError(
                .unknownOutputFormat(text, allowed: allowed),
                argvIndex: value.argvIndex, clusterOffset: value.clusterOffset, commandPath: commandPath,
                suggestions: Array(Suggestions.rank(format, among: allowed).prefix(1)))
        }
    }
}

/// Why a word is not a value an option accepts.
enum ValueProblem {
    /// Not a bool, int or duration as Go parses them.
    case syntax(ValueSyntaxError)
    /// Not one of an enumeration's values.
    case notAChoice(allowed: [String])
    /// An `-o` value that is neither a format nor `prefix=...` of one (`format` is the part before `=`).
    case unknownFormat(format: String, allowed: [String])
}

extension OptionSpec {
    /// Why `text` is not a value of this option (a flag's value must be a Go bool), or nil.
    func valueProblem(_ text: String) -> ValueProblem? {
        func syntax(_ result: Result<some Any, ValueSyntaxError>) -> ValueProblem? {
            if case .failure(let error) = result { return .syntax(error) }
            return nil
        }
        guard let spec = valueSpec else { return syntax(GoValueSyntax.parseBool(text)) }
        switch spec.kind {
        case .string:
            return nil
        case .int:
            return syntax(GoValueSyntax.parseInt(text))
        case .duration:
            return syntax(GoValueSyntax.parseDuration(text))
        case .enumeration(let allowed):
            return allowed.contains(text) ? nil : .notAChoice(allowed: allowed)
        case .formatted(let allowed, let prefixes):
            // An empty format selects the command's default printer, as in kubectl.
            if text.isEmpty || allowed.contains(text) { return nil }
            let format =
                text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .first.map(String.init) ?? text
            return prefixes.contains(format) ? nil : .unknownFormat(format: format, allowed: allowed + prefixes)
        }
    }
}
