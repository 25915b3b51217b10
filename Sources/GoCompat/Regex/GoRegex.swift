/// A compiled Go (RE2-syntax) regular expression with Go's matching semantics.
///
/// CRD `pattern`s are checked by kube-apiserver with Go's
/// `regexp.MatchString`: an unanchored search over Unicode code points, where
/// `^`/`$` mean start/end of text and `.` excludes newline. Matching runs in
/// time linear in the input (bit-state backtracking, or an NFA simulation for
/// long inputs), so hostile inputs cannot cause exponential blow-ups.
///
/// Supported: literals, `.`, `^ $ \A \z`, alternation, `( )`, `(?: )`,
/// `(?P<name> )`, classes with ranges and negation, `\d \D \w \W \s \S`,
/// escaped punctuation, `\n \t \r \f \v \a \xHH \x{H…}`, and the quantifiers
/// `* + ? {n} {n,} {n,m}` (lazy forms accepted). Anything else, such as flag
/// groups, `\b` or `\pL`, is a compile error rather than a silent mismatch.
public struct GoRegex: Sendable, CustomStringConvertible {
    /// The source pattern, exactly as given.
    public let pattern: String
    private let program: RegexProgram

    public init(_ pattern: String) throws(GoRegexSyntaxError) {
        self.pattern = pattern
        let node = try RegexParser.parse(pattern)
        self.program = try RegexProgram(node, pattern: pattern)
    }

    public var description: String { pattern }

    /// Whether the pattern matches anywhere in `text` (Go's `MatchString`).
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            program.fitsBacktracker(inputLength: buffer.count)
                ? program.backtrackSearch(buffer) : program.simulateNFA(buffer)
        }
    }

    /// The two matching strategies, exposed so tests can check they agree.
    enum Engine {
        case backtracker
        case nfa
    }

    func matches(_ text: String, using engine: Engine) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            switch engine {
            case .backtracker: return program.backtrackSearch(buffer)
            case .nfa: return program.simulateNFA(buffer)
            }
        }
    }

    /// Whether the pattern matches, and how many search states it took (the engine that
    /// `matches` would use); tests check the linear bound on states instead of timing.
    func matchesCountingStates(_ text: String) -> (matched: Bool, states: Int) {
        var text = text
        var states = 0
        let matched = text.withUTF8 { buffer in
            program.fitsBacktracker(inputLength: buffer.count)
                ? program.backtrackSearch(buffer, states: &states) : program.simulateNFA(buffer, states: &states)
        }
        return (matched, states)
    }

    /// Number of NFA instructions; used by tests to check size limits.
    var instructionCount: Int { program.instructions.count }
}
