import GoCompat

/// A mistake on the command line, pointing at the offending argv word; exits with code 64.
///
/// The wording follows pflag, cobra and kubectl so users see the messages they already know.
public struct UsageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, with the words needed to say so.
    public enum Reason: Sendable, Hashable {
        /// `--filname`, spelled as typed (without any `=value`).
        case unknownFlag(String)
        /// An unknown letter and the rest of its cluster from that letter on (`'Z' in -Zx`).
        case unknownShorthand(Character, cluster: String)
        case badFlagSyntax(String)
        /// A value-taking option at the end of argv; `cluster` is set for short options.
        case missingValue(option: OptionSpec, cluster: String?)
        /// A value Go would not parse for the option's type; `detail` is Go's error text.
        case invalidValue(String, option: OptionSpec, detail: String)
        /// A value outside an enumeration.
        case invalidChoice(String, option: OptionSpec, allowed: [String])
        /// A `-o` value no printer claims; kubectl lists the formats sorted.
        case unknownOutputFormat(String, allowed: [String])
        /// `parent` is the command path the word was looked up under, e.g. `datumctl config`.
        case unknownCommand(String, parent: String)
        case unknownHelpTopic([String])
        case unexpectedArguments([String])
        /// A required positional was not given.
        case missingArgument(PositionalSpec, command: String)
        /// Options that must be given were not (cobra's `MarkFlagRequired`).
        case requiredFlags([OptionSpec])
        /// Some options of a group that goes together were given, these were not (cobra's
        /// `MarkFlagsRequiredTogether`).
        case flagsRequiredTogether([OptionSpec], missing: [OptionSpec])
    }

    /// Exit status for usage errors (BSD `EX_USAGE`), distinct from kubectl's 1 for failures.
    public static let exitCode: Int32 = 64

    public var reason: Reason
    /// Index of the offending word in the argument list (program name excluded); `nil` when
    /// the problem is something missing at the end.
    public var argvIndex: Int?
    /// Character offset inside a short-option cluster, when the problem is one of its letters.
    public var clusterOffset: Int?
    /// The command whose help the hint points to: `["datumctl", "apply"]`.
    public var commandPath: [String]
    /// "Did you mean" candidates, best first.
    public var suggestions: [String]

    public init(
        _ reason: Reason, argvIndex: Int?, clusterOffset: Int? = nil, commandPath: [String],
        suggestions: [String] = []
    ) {
        self.reason = reason
        self.argvIndex = argvIndex
        self.clusterOffset = clusterOffset
        self.commandPath = commandPath
        self.suggestions = suggestions
    }

    /// The first line, without the `error: ` prefix.
    public var message: String {
        switch reason {
        case .unknownFlag(let flag):
            return "unknown flag: \(flag)"
        case .unknownShorthand(let letter, let cluster):
            return "unknown shorthand flag: \(quoteRune(letter)) in -\(cluster)"
        case .badFlagSyntax(let word):
            return "bad flag syntax: \(word)"
        case .missingValue(let option, let cluster):
            if let cluster, let short = option.short {
                return "flag needs an argument: \(quoteRune(short)) in -\(cluster)"
            }
            return "flag needs an argument: --\(option.long)"
        case .invalidValue(let value, let option, let detail):
            return "invalid argument \(GoFormat.quote(value)) for "
                + "\(GoFormat.quote(option.displayName)) flag: \(detail)"
        case .invalidChoice(let value, let option, let allowed):
            return "invalid argument \(GoFormat.quote(value)) for "
                + "\(GoFormat.quote(option.displayName)) flag: must be one of: "
                + allowed.joined(separator: ", ")
        case .unknownOutputFormat(let value, let allowed):
            return "unable to match a printer suitable for the output format "
                + "\(GoFormat.quote(value)), allowed formats are: "
                + allowed.sorted().joined(separator: ",")
        case .unknownCommand(let word, let parent):
            return "unknown command \(GoFormat.quote(word)) for \(GoFormat.quote(parent))"
        case .unknownHelpTopic(let words):
            // cobra prints the topic with Go's %#q: [`config` `veiw`].
            return "Unknown help topic [" + words.map { "`\($0)`" }.joined(separator: " ") + "]"
        case .unexpectedArguments(let words):
            return "unexpected arguments: [" + words.joined(separator: " ") + "]"
        case .missingArgument(let positional, let command):
            return "\(positional.name) is a required argument for the \(command) command"
        case .requiredFlags(let options):
            return "required flag(s) \"" + options.map(\.long).joined(separator: "\", \"") + "\" not set"
        case .flagsRequiredTogether(let group, let missing):
            return "if any flags in the group [" + group.map(\.long).joined(separator: " ")
                + "] are set they must all be set; missing [" + missing.map(\.long).joined(separator: " ") + "]"
        }
    }

    /// The complete text for stderr, ending in a newline:
    /// the message, any suggestions, then kubectl's `See '… -h' for help and examples` hint.
    public var rendered: String { rendered(pointer: nil) }

    /// The same with `pointer` (an ``ArgvPointer`` rendering) between the message and the detail.
    public func rendered(pointer: String?) -> String {
        "error: \(message)\n" + (pointer.map { $0 + "\n" } ?? "") + detail + "\n"
    }

    /// What follows the message: any suggestions, then the help hint (no trailing newline).
    public var detail: String {
        var text = ""
        if !suggestions.isEmpty {
            switch reason {
            case .unknownCommand, .unknownHelpTopic:
                // cobra's layout: a blank line, then one tab-indented candidate per line.
                text += "\nDid you mean this?\n"
                for suggestion in suggestions { text += "\t\(suggestion)\n" }
                text += "\n"
            default:
                text += "Did you mean '\(suggestions[0])'?\n"
            }
        }
        text += "See '\(commandPath.joined(separator: " ")) -h' for help and examples"
        return text
    }

    public var description: String { rendered }

    /// Go's `%q` for a rune: single quotes.
    private func quoteRune(_ letter: Character) -> String {
        switch letter {
        case "'": return "'\\''"
        case "\"": return "'\"'"
        default: return "'" + GoFormat.quote(String(letter)).dropFirst().dropLast() + "'"
        }
    }
}
