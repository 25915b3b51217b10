import GoCompat
import Synchronization

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
    /// Where reads of options the command does not declare are written down (tests set it);
    /// such a read would otherwise quietly give the option's own default.
    public var audit: OptionReadAudit?

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

    /// The values given for `option`, in argv order, each with the argv word it came from.
    public func values(of option: OptionSpec) -> [ParsedValue] {
        _ = declared(option)
        return given(option)
    }

    private func given(_ option: OptionSpec) -> [ParsedValue] {
        options[option.long] ?? []
    }

    /// Whether the user gave the option (kubectl's `cmd.Flags().Changed`).
    public func isSet(_ option: OptionSpec) -> Bool {
        !values(of: option).isEmpty
    }

    /// The last value given (repeats override, as in pflag), else the option's default.
    public func string(_ option: OptionSpec) -> String? {
        let declaration = declared(option)
        return given(option).last?.text ?? declaration.defaultValue
    }

    /// Every value given, in order; the default counts as one value when nothing was given and
    /// it is not empty.
    public func strings(_ option: OptionSpec) -> [String] {
        let declaration = declared(option)
        let values = given(option)
        if !values.isEmpty { return values.map(\.text) }
        if let fallback = declaration.defaultValue, !fallback.isEmpty { return [fallback] }
        return []
    }

    /// A boolean flag's value; `false` when neither given nor defaulted.
    public func flag(_ option: OptionSpec) -> Bool {
        guard let text = string(option), case .success(let value) = GoValueSyntax.parseBool(text) else {
            return false
        }
        return value
    }

    /// An integer option's value; `nil` when neither given nor defaulted.
    public func int(_ option: OptionSpec) -> Int? {
        guard let text = string(option), case .success(let value) = GoValueSyntax.parseInt(text) else {
            return nil
        }
        return Int(exactly: value)
    }

    /// A duration option's value; `nil` when neither given nor defaulted.
    public func duration(_ option: OptionSpec) -> Duration? {
        guard let text = string(option), case .success(let value) = GoValueSyntax.parseDuration(text)
        else { return nil }
        return value
    }

    /// A formatted option's value split at the first `=`; `nil` when unset or empty.
    public func formatted(_ option: OptionSpec) -> FormattedValue? {
        guard let text = string(option), !text.isEmpty else { return nil }
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

    /// The command's own declaration of `option` (the one in its spec wins, defaults included).
    private func declared(_ option: OptionSpec) -> OptionSpec {
        if let found = availableOptions.first(where: { $0.long == option.long }) { return found }
        audit?.record(option, commandPath: commandPath)
        return option
    }

    public static func == (lhs: ParsedCommand, rhs: ParsedCommand) -> Bool {
        lhs.commandPath == rhs.commandPath && lhs.spec == rhs.spec && lhs.options == rhs.options
            && lhs.positionals == rhs.positionals && lhs.availableOptions == rhs.availableOptions
            && lhs.positionalCounts == rhs.positionalCounts
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(commandPath)
        hasher.combine(options)
        hasher.combine(positionals)
    }
}

/// Options a command read without declaring them, as `datumctl get --watsh`-style typos in code
/// would: the test of every command sets one on its `ParsedCommand` and expects it to stay empty.
public final class OptionReadAudit: Sendable {
    private let reads = Mutex<[String]>([])

    public init() {}

    func record(_ option: OptionSpec, commandPath: [String]) {
        reads.withLock { $0.append(commandPath.joined(separator: " ") + " --" + option.long) }
    }

    /// `datumctl get --watch`-style entries, in the order they were read.
    public var undeclaredReads: [String] { reads.withLock { $0 } }
}
