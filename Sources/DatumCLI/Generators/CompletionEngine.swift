import DatumArguments
import GoCompat

// What to complete for a partly typed command line, decided from the command spec alone.
// `datumctl __complete` runs it (with a server for resource types and names); the shell scripts
// implement the same walk over the words statically and call back only for what a server knows.

/// One completion: the word to insert and an optional one-line description.
public struct CompletionCandidate: Sendable, Hashable {
    public var value: String
    public var description: String

    public init(_ value: String, description: String = "") {
        self.value = value
        self.description = description
    }
}

/// How the shell should treat the candidates; printed as `:N` after them. The bit values are
/// cobra's, so the protocol reads like kubectl's `__complete`.
public struct CompletionDirective: OptionSet, Sendable, Hashable {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// Something went wrong (no server, timeout): offer nothing.
    public static let error = CompletionDirective(rawValue: 1)
    /// Do not add a space after the completion (`jsonpath=`).
    public static let noSpace = CompletionDirective(rawValue: 2)
    /// Do not fall back to file names when there are no candidates.
    public static let noFileCompletion = CompletionDirective(rawValue: 4)
    /// The candidates are file extensions to filter file names by.
    public static let filterFileExtensions = CompletionDirective(rawValue: 8)
    /// Complete directory names only.
    public static let filterDirectories = CompletionDirective(rawValue: 16)
}

/// The candidates for a command line and how to offer them.
public struct CompletionResult: Sendable, Hashable {
    public var candidates: [CompletionCandidate]
    public var directive: CompletionDirective
    /// Why the server could not be asked, when `directive` contains `.error`.
    public var failure: CLIError?

    public init(candidates: [CompletionCandidate], directive: CompletionDirective, failure: CLIError? = nil) {
        self.candidates = candidates
        self.directive = directive
        self.failure = failure
    }

    /// The `__complete` protocol: one candidate per line (`value<TAB>description`), then `:N`.
    public var protocolText: String {
        var text = ""
        for candidate in candidates {
            text += candidate.value
            if !candidate.description.isEmpty { text += "\t" + candidate.description }
            text += "\n"
        }
        return text + ":\(directive.rawValue)\n"
    }
}

/// Where the cursor is in a command line, as far as the spec tells.
public struct CompletionPoint: Sendable, Hashable {
    /// What the word under the cursor is.
    public enum Target: Sendable, Hashable {
        /// A subcommand of the selected command, or its first positional argument.
        case commandOrArgument
        /// An option name (the word starts with `-`).
        case optionName
        /// The value of `option`; `inline` for `--option=value` in one word.
        case optionValue(OptionSpec, inline: Bool)
        /// Positional argument number `index` (0-based) of the selected command.
        case argument(index: Int)
        /// Nothing can be offered (an unknown `--option=`).
        case nothing
    }

    /// The selected commands from the root (`datumctl`, `config`, `view`).
    public var chain: [CommandSpec]
    public var target: Target
    /// The text being completed: the word under the cursor, or for `--option=value` the value.
    public var current: String
    /// What candidates need in front to replace the whole word (`--output=`).
    public var insertPrefix: String
    /// Option values given before the cursor, by long name; boolean flags record `true`.
    public var options: [String: [String]]
    /// Positional arguments given before the cursor.
    public var arguments: [String]

    public var commandPath: [String] { chain.map(\.name) }

    /// The options as a parsed command line, so the usual connection settings apply to
    /// completion requests (`--project`, `--context`, `-n`, ...).
    public var parsedCommand: ParsedCommand? {
        guard let command = chain.last else { return nil }
        return ParsedCommand(
            commandPath: commandPath, spec: command,
            options: options.mapValues { $0.map { ParsedValue($0, argvIndex: 0) } },
            positionals: arguments.map { ParsedValue($0, argvIndex: 0) },
            availableOptions: OptionTable(chain: chain).options, positionalCounts: [])
    }
}

/// Supplies what only a server knows. Both calls may fail; the engine then reports `.error`
/// (names) or falls back to the built-in resource types.
public protocol DynamicCompletionSource: Sendable {
    /// Resource type words (plural and short names) the server serves.
    func resourceTypes(at point: CompletionPoint) throws(CLIError) -> [String]
    /// Names of existing objects of the resource type `type` (as the user typed it).
    func resourceNames(ofType type: String, at point: CompletionPoint) throws(CLIError) -> [String]
    /// Names of the contexts in the config file the command line would use.
    func contextNames(at point: CompletionPoint) throws(CLIError) -> [String]
}

/// Decides what to complete for a partial command line.
public struct CompletionEngine: Sendable {
    public var root: CommandSpec

    public init(root: CommandSpec) {
        self.root = root
    }

    // MARK: - Analysis

    /// Walks `words` (the arguments after the program name; the last one is the word under the
    /// cursor, empty after a space) the way the parser would, but never fails: unknown options are
    /// taken as flags without a value and extra words as arguments.
    public func analyze(_ words: [String]) -> CompletionPoint {
        var chain = [root]
        var options: [String: [String]] = [:]
        var arguments: [String] = []
        var pending: OptionSpec?
        var afterTerminator = false
        let current = words.last ?? ""

        for word in words.dropLast() {
            let table = OptionTable(chain: chain)
            if let option = pending {
                options[option.long, default: []].append(word)
                pending = nil
            } else if afterTerminator {
                arguments.append(word)
            } else if word == "--" {
                afterTerminator = true
            } else if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                guard let option = table.option(long: name) else { continue }
                if let equals = body.firstIndex(of: "=") {
                    options[option.long, default: []].append(String(body[body.index(after: equals)...]))
                } else if option.takesValue {
                    pending = option
                } else {
                    options[option.long, default: []].append("true")
                }
            } else if word.hasPrefix("-") && word.count > 1 {
                var letters = word.dropFirst()
                while let letter = letters.popFirst() {
                    guard let option = table.option(short: letter) else { break }
                    if !option.takesValue {
                        options[option.long, default: []].append("true")
                        continue
                    }
                    var rest = letters
                    if rest.first == "=" { rest = rest.dropFirst() }
                    if rest.isEmpty {
                        pending = option
                    } else {
                        options[option.long, default: []].append(String(rest))
                    }
                    break
                }
            } else if arguments.isEmpty, let command = chain.last, let next = command.subcommand(named: word) {
                chain.append(next)
            } else {
                arguments.append(word)
            }
        }

        let table = OptionTable(chain: chain)
        var point = CompletionPoint(
            chain: chain, target: .commandOrArgument, current: current, insertPrefix: "", options: options,
            arguments: arguments)
        if let option = pending {
            point.target = .optionValue(option, inline: false)
        } else if afterTerminator {
            point.target = .argument(index: arguments.count)
        } else if current.hasPrefix("--"), let equals = current.firstIndex(of: "=") {
            let name = String(current[current.index(current.startIndex, offsetBy: 2)..<equals])
            point.insertPrefix = String(current[...equals])
            point.current = String(current[current.index(after: equals)...])
            if let option = table.option(long: name), option.takesValue {
                point.target = .optionValue(option, inline: true)
            } else {
                point.target = .nothing
            }
        } else if current.hasPrefix("-") {
            point.target = .optionName
        } else if !arguments.isEmpty || (chain.last?.visibleSubcommands.isEmpty ?? true) {
            point.target = .argument(index: arguments.count)
        }
        return point
    }

    // MARK: - Candidates

    /// The candidates for `words`; `source` is asked only for resource types and names.
    public func complete(_ words: [String], source: (any DynamicCompletionSource)?) -> CompletionResult {
        let point = analyze(words)
        switch point.target {
        case .nothing:
            return CompletionResult(candidates: [], directive: .noFileCompletion)
        case .optionName:
            return CompletionResult(candidates: optionNames(point), directive: .noFileCompletion)
        case .optionValue(let option, _):
            let completion = option.valueSpec?.effectiveCompletion ?? .none
            return complete(completion, point: point, source: source)
        case .commandOrArgument:
            guard let command = point.chain.last else {
                return CompletionResult(candidates: [], directive: .noFileCompletion)
            }
            let candidates = command.visibleSubcommands
                .filter { $0.name.hasPrefix(point.current) }
                .map { CompletionCandidate($0.name, description: $0.summary) }
            if command.positionals.isEmpty {
                return CompletionResult(candidates: candidates, directive: .noFileCompletion)
            }
            var result = complete(argumentCompletion(command, index: 0), point: point, source: source)
            result.candidates = candidates + result.candidates
            return result
        case .argument(let index):
            guard let command = point.chain.last else {
                return CompletionResult(candidates: [], directive: .noFileCompletion)
            }
            return complete(argumentCompletion(command, index: index), point: point, source: source)
        }
    }

    /// The completion of positional argument `index`: the positional's own, or the last one's
    /// when it repeats; nothing past the end.
    func argumentCompletion(_ command: CommandSpec, index: Int) -> CompletionKind {
        if index < command.positionals.count { return command.positionals[index].completion }
        if let last = command.positionals.last, last.isRepeating { return last.completion }
        return .none
    }

    private func optionNames(_ point: CompletionPoint) -> [CompletionCandidate] {
        let options = OptionTable(chain: point.chain).options.filter { !$0.isHidden }
        var candidates: [CompletionCandidate] = []
        for option in options {
            let description = GeneratorText.firstSentence(option.help)
            candidates.append(CompletionCandidate("--" + option.long, description: description))
            // Short forms only while the word could still be one (`-` or `-o`).
            if let short = option.short, !point.current.hasPrefix("--") {
                candidates.append(CompletionCandidate("-\(short)", description: description))
            }
        }
        return candidates.filter { $0.value.hasPrefix(point.current) }
    }

    private func complete(_ kind: CompletionKind, point: CompletionPoint, source: (any DynamicCompletionSource)?)
        -> CompletionResult
    {
        switch kind {
        case .none:
            return CompletionResult(candidates: [], directive: .noFileCompletion)
        case .files(let extensions):
            // As cobra does: the shell lists files itself, filtered by these extensions.
            return CompletionResult(
                candidates: extensions.map { CompletionCandidate($0) },
                directive: extensions.isEmpty ? [] : .filterFileExtensions)
        case .directories:
            return CompletionResult(candidates: [], directive: .filterDirectories)
        case .values(let values):
            return words(values, point: point)
        case .resourceTypes:
            if let slash = point.current.firstIndex(of: "/") {
                // `TYPE/NAME` in one word: complete the name part.
                let type = String(point.current[..<slash])
                return names(ofType: type, prefix: type + "/", point: point, source: source)
            }
            var types = GeneratorText.builtinResourceTypeWords
            var failure: CLIError?
            if let source {
                do {
                    types = try source.resourceTypes(at: point)
                } catch {
                    // The built-in kinds are always there, so a slow server costs nothing here.
                    failure = error
                }
            }
            var result = words(types, point: point)
            result.failure = failure
            return result
        case .resourceNames:
            guard let type = resourceTypeArgument(point) else {
                return CompletionResult(candidates: [], directive: .noFileCompletion)
            }
            return names(ofType: type, prefix: "", point: point, source: source)
        case .contextNames:
            guard let source else { return CompletionResult(candidates: [], directive: .noFileCompletion) }
            do {
                return words(try source.contextNames(at: point), point: point)
            } catch {
                return CompletionResult(candidates: [], directive: [.error, .noFileCompletion], failure: error)
            }
        }
    }

    /// The argument naming the resource type for a names positional: the nearest earlier
    /// argument completed as a resource type; `nil` for `TYPE/NAME` and `TYPE1,TYPE2` forms.
    private func resourceTypeArgument(_ point: CompletionPoint) -> String? {
        guard let command = point.chain.last else { return nil }
        for index in point.arguments.indices.reversed() {
            if case .resourceTypes = argumentCompletion(command, index: index) {
                let word = point.arguments[index]
                return word.contains("/") || word.contains(",") || word.isEmpty ? nil : word
            }
        }
        return nil
    }

    private func names(
        ofType type: String, prefix: String, point: CompletionPoint, source: (any DynamicCompletionSource)?
    ) -> CompletionResult {
        guard let source else { return CompletionResult(candidates: [], directive: .noFileCompletion) }
        do {
            let names = try source.resourceNames(ofType: type, at: point)
            return words(names.map { prefix + $0 }, point: point)
        } catch {
            return CompletionResult(candidates: [], directive: [.error, .noFileCompletion], failure: error)
        }
    }

    /// Plain words filtered by the typed prefix; `x=` words leave the cursor after the `=`.
    private func words(_ values: [String], point: CompletionPoint) -> CompletionResult {
        var seen = Set<String>()
        let matching = values.filter { $0.hasPrefix(point.current) && seen.insert($0).inserted }
        var directive: CompletionDirective = .noFileCompletion
        if matching.contains(where: { $0.hasSuffix("=") }) { directive.insert(.noSpace) }
        return CompletionResult(
            candidates: matching.map { CompletionCandidate(point.insertPrefix + $0) }, directive: directive)
    }
}
