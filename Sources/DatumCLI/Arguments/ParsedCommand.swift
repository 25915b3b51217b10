import GoCompat

/// A word from the command line as the parser kept it: the text and where it came from.
public struct ParsedValue: Sendable, Hashable {
    /// The value text; a boolean flag given without `=value` records `"true"`.
    public var text: String
    /// Index of the argv word holding the value (program name excluded). For `-f x` that is
    /// the index of `x`; for `--f=x`, `-fx` and a bare `--flag` the index of that word.
    public var argvIndex: Int
    /// Where the value starts inside a short cluster (`-fx`: 2), or the flag's letter for a
    /// boolean in a cluster (`-Rf`: R is 1); `nil` for whole words.
    public var clusterOffset: Int?

    public init(_ text: String, argvIndex: Int, clusterOffset: Int? = nil) {
        self.text = text
        self.argvIndex = argvIndex
        self.clusterOffset = clusterOffset
    }
}

/// An `-o` value split into the format and its argument: `jsonpath={.a}` → (`jsonpath`, `{.a}`).
public struct FormattedValue: Sendable, Hashable {
    public var format: String
    public var argument: String?

    public init(format: String, argument: String?) {
        self.format = format
        self.argument = argument
    }
}

/// The command a command line selected, with its validated options and positionals.
public struct ParsedCommand: Sendable, Hashable {
    /// Canonical names from the root: `["datumctl", "config", "view"]` even if an alias was typed.
    public var commandPath: [String]
    public var spec: CommandSpec
    /// Values given on the command line, keyed by long option name, in argv order.
    public var options: [String: [ParsedValue]]
    public var positionals: [ParsedValue]
    /// Every option this command accepts: its own, then inherited global ones.
    public var availableOptions: [OptionSpec]
    /// How many positionals each of `spec.positionals` received, in order.
    public var positionalCounts: [Int]

    public init(
        commandPath: [String], spec: CommandSpec, options: [String: [ParsedValue]],
        positionals: [ParsedValue], availableOptions: [OptionSpec], positionalCounts: [Int]
    ) {
        self.commandPath = commandPath
        self.spec = spec
        self.options = options
        self.positionals = positionals
        self.availableOptions = availableOptions
        self.positionalCounts = positionalCounts
    }

    /// Whether the user gave the option (kubectl's `cmd.Flags().Changed`).
    public func isSet(_ long: String) -> Bool {
        !(options[long]?.isEmpty ?? true)
    }

    /// The last value given (repeats override, as in pflag), else the spec's default.
    public func string(_ long: String) -> String? {
        options[long]?.last?.text ?? option(long)?.defaultValue
    }

    /// Every value given, in order; the default counts as one value when nothing was given and
    /// it is not empty.
    public func strings(_ long: String) -> [String] {
        if let given = options[long], !given.isEmpty { return given.map(\.text) }
        if let fallback = option(long)?.defaultValue, !fallback.isEmpty { return [fallback] }
        return []
    }

    /// A boolean flag's value; `false` when neither given nor defaulted.
    public func flag(_ long: String) -> Bool {
        guard let text = string(long), case .success(let value) = GoValueSyntax.parseBool(text) else {
            return false
        }
        return value
    }

    /// An integer option's value; `nil` when neither given nor defaulted.
    public func int(_ long: String) -> Int? {
        guard let text = string(long), case .success(let value) = GoValueSyntax.parseInt(text) else {
            return nil
        }
        return Int(exactly: value)
    }

    /// A duration option's value; `nil` when neither given nor defaulted.
    public func duration(_ long: String) -> Duration? {
        guard let text = string(long), case .success(let value) = GoValueSyntax.parseDuration(text)
        else { return nil }
        return value
    }

    /// A formatted option's value split at the first `=`; `nil` when unset or empty.
    public func formatted(_ long: String) -> FormattedValue? {
        guard let text = string(long), !text.isEmpty else { return nil }
        guard let equals = text.firstIndex(of: "=") else {
            return FormattedValue(format: text, argument: nil)
        }
        return FormattedValue(
            format: String(text[..<equals]), argument: String(text[text.index(after: equals)...]))
    }

    /// The words assigned to the positional called `name`.
    public func positionals(named name: String) -> [ParsedValue] {
        var start = 0
        for (index, positional) in spec.positionals.enumerated() {
            let count = index < positionalCounts.count ? positionalCounts[index] : 0
            if positional.name == name {
                let lower = min(start, positionals.count)
                return Array(positionals[lower..<min(start + count, positionals.count)])
            }
            start += count
        }
        return []
    }

    private func option(_ long: String) -> OptionSpec? {
        availableOptions.first { $0.long == long }
    }
}
