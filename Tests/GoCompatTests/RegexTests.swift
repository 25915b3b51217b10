import Foundation
import Testing

@testable import GoCompat

private let dnsSubdomain = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
private let conditionType =
    #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#

struct MatchCase: Sendable, CustomTestStringConvertible {
    var pattern: String
    var input: String
    var matches: Bool
    var testDescription: String { "\(pattern) ~ \(input.debugDescription)" }
}

@Suite struct RegexSemanticsTests {
    static let cases: [MatchCase] = [
        // Unanchored search, like regexp.MatchString.
        MatchCase(pattern: "b", input: "abc", matches: true),
        MatchCase(pattern: "^b", input: "ab", matches: false),
        MatchCase(pattern: "b$", input: "ab", matches: true),
        // `$` is end of text only: no match before a final newline (unlike PCRE).
        MatchCase(pattern: "a$", input: "a\n", matches: false),
        MatchCase(pattern: "^a", input: "\na", matches: false),
        // `.` excludes newline; a negated class does not.
        MatchCase(pattern: "a.c", input: "a\nc", matches: false),
        MatchCase(pattern: "a.c", input: "abc", matches: true),
        MatchCase(pattern: "a[^x]c", input: "a\nc", matches: true),
        // Code points are the unit.
        MatchCase(pattern: "^.$", input: "é", matches: true),
        MatchCase(pattern: "^.$", input: "e\u{301}", matches: false),
        MatchCase(pattern: "^..$", input: "e\u{301}", matches: true),
        MatchCase(pattern: "^.$", input: "😀", matches: true),
        MatchCase(pattern: "^[α-ω]+$", input: "λογος", matches: true),
        MatchCase(pattern: "^[^a]$", input: "😀", matches: true),
        // Perl classes are ASCII-only; \s has no \v.
        MatchCase(pattern: #"^\d+$"#, input: "0123", matches: true),
        MatchCase(pattern: #"^\d$"#, input: "٣", matches: false),
        MatchCase(pattern: #"^\w+$"#, input: "a_Z9", matches: true),
        MatchCase(pattern: #"^\w$"#, input: "-", matches: false),
        MatchCase(pattern: #"^\s$"#, input: " ", matches: true),
        MatchCase(pattern: #"^\s$"#, input: "\u{0B}", matches: false),
        MatchCase(pattern: #"^\S\D\W$"#, input: "xx-", matches: true),
        MatchCase(pattern: #"^[\d\s]+$"#, input: "1 2\t3", matches: true),
        MatchCase(pattern: #"^[^\d]$"#, input: "7", matches: false),
        // Counted repetition.
        MatchCase(pattern: "^a{2,3}$", input: "a", matches: false),
        MatchCase(pattern: "^a{2,3}$", input: "aa", matches: true),
        MatchCase(pattern: "^a{2,3}$", input: "aaa", matches: true),
        MatchCase(pattern: "^a{2,3}$", input: "aaaa", matches: false),
        MatchCase(pattern: "^a{2}$", input: "aa", matches: true),
        MatchCase(pattern: "^a{2}$", input: "aaa", matches: false),
        MatchCase(pattern: "^a{2,}$", input: "aaaaaaa", matches: true),
        MatchCase(pattern: "^a{2,}$", input: "a", matches: false),
        MatchCase(pattern: "^a{0}$", input: "", matches: true),
        MatchCase(pattern: "^(ab){0,2}c$", input: "ababc", matches: true),
        MatchCase(pattern: "^(ab){0,2}c$", input: "abababc", matches: false),
        // A brace that is not a repeat is a literal, as in Go.
        MatchCase(pattern: "^a{$", input: "a{", matches: true),
        MatchCase(pattern: "^a{,2}$", input: "a{,2}", matches: true),
        MatchCase(pattern: "^x{2$", input: "x{2", matches: true),
        MatchCase(pattern: "^{$", input: "{", matches: true),
        // Alternation, groups, lazy quantifiers.
        MatchCase(pattern: "^(a|)$", input: "", matches: true),
        MatchCase(pattern: "^(a|)$", input: "a", matches: true),
        MatchCase(pattern: "^(?:ab)+$", input: "abab", matches: true),
        MatchCase(pattern: "^(?:ab)+$", input: "aba", matches: false),
        MatchCase(pattern: "^(?P<x>a)(?<y>b)$", input: "ab", matches: true),
        MatchCase(pattern: "^a+?$", input: "aaa", matches: true),
        MatchCase(pattern: "^a*?b??$", input: "aab", matches: true),
        MatchCase(pattern: "cat|dog", input: "hotdog", matches: true),
        MatchCase(pattern: "^(cat|dog)$", input: "hotdog", matches: false),
        MatchCase(pattern: "^()$", input: "", matches: true),
        MatchCase(pattern: "", input: "anything", matches: true),
        // Escapes.
        MatchCase(pattern: #"\."#, input: "a", matches: false),
        MatchCase(pattern: #"\."#, input: ".", matches: true),
        MatchCase(pattern: #"^a\/b$"#, input: "a/b", matches: true),
        MatchCase(pattern: #"^\x41\x{1F600}$"#, input: "A😀", matches: true),
        MatchCase(pattern: #"^\t\n$"#, input: "\t\n", matches: true),
        MatchCase(pattern: #"\Aab\z"#, input: "ab", matches: true),
        MatchCase(pattern: #"\Ab"#, input: "ab", matches: false),
        MatchCase(pattern: #"^\*\+\?\(\)\[\]\{\}\|\^\$\\$"#, input: #"*+?()[]{}|^$\"#, matches: true),
        // Class edge cases.
        MatchCase(pattern: "^[]a]$", input: "]", matches: true),
        MatchCase(pattern: "^[^]a]$", input: "]", matches: false),
        MatchCase(pattern: "^[^]a]$", input: "b", matches: true),
        MatchCase(pattern: "^[a-]$", input: "-", matches: true),
        MatchCase(pattern: "^[-a]$", input: "-", matches: true),
        MatchCase(pattern: "^[a-c-e]$", input: "-", matches: true),
        MatchCase(pattern: "^[a-c-e]$", input: "e", matches: true),
        MatchCase(pattern: "^[a-c-e]$", input: "d", matches: false),
        MatchCase(pattern: #"^[\-\/\\]+$"#, input: #"-/\"#, matches: true),
        MatchCase(pattern: "^[.]$", input: "x", matches: false),
        MatchCase(pattern: "^[$^*]+$", input: "$^*", matches: true),
        MatchCase(pattern: "^[^a-z]+$", input: "ABC\n", matches: true),
        // Empty-width loops terminate.
        MatchCase(pattern: "^(a*)*$", input: "aaa", matches: true),
        MatchCase(pattern: "^(a*)+b$", input: "aaac", matches: false),
        MatchCase(pattern: "^(|a)*$", input: "aa", matches: true),
        MatchCase(pattern: "(^)*x", input: "yx", matches: true),
    ]

    @Test(arguments: cases)
    func semantics(_ c: MatchCase) throws {
        let regex = try GoRegex(c.pattern)
        #expect(regex.matches(c.input) == c.matches)
        #expect(regex.matches(c.input, using: .backtracker) == c.matches)
        #expect(regex.matches(c.input, using: .nfa) == c.matches)
    }

    @Test func describesItselfAsThePattern() throws {
        #expect(try GoRegex("^a+$").description == "^a+$")
        #expect(try GoRegex("^a+$").pattern == "^a+$")
    }
}

struct SyntaxErrorCase: Sendable, CustomTestStringConvertible {
    var pattern: String
    var message: String
    var testDescription: String { pattern }
}

@Suite struct RegexSyntaxErrorTests {
    /// Constructs Go accepts that are outside our subset, in our words; Go's own errors for what it
    /// refuses are checked against the recording in `RegexCorpusTests`.
    static let cases: [SyntaxErrorCase] = [
        SyntaxErrorCase(pattern: #"\b"#, message: #"error parsing regexp: unsupported escape sequence: `\b`"#),
        SyntaxErrorCase(pattern: #"\pL"#, message: #"error parsing regexp: unsupported escape sequence: `\p`"#),
        SyntaxErrorCase(
            pattern: "(?i)abc",
            message: "error parsing regexp: unsupported group syntax (flags are not supported): `(?i)`"),
        SyntaxErrorCase(
            pattern: "[[:alpha:]]", message: "error parsing regexp: unsupported POSIX character class: `[[:alpha:]]`"),
    ]

    @Test(arguments: cases)
    func rejectsWithGoStyleMessage(_ c: SyntaxErrorCase) {
        #expect(throws: GoRegexSyntaxError.self) { try GoRegex(c.pattern) }
        do {
            _ = try GoRegex(c.pattern)
        } catch {
            #expect(error.description == c.message)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let pattern = String(repeating: "(", count: 300) + "a" + String(repeating: ")", count: 300)
        do {
            _ = try GoRegex(pattern)
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.message == "expression nests too deeply")
        }
    }
}

/// Linear time, checked by counting: a search explores each (instruction, input position)
/// state at most once, so its states never exceed instructions × (input length + 1). An
/// exponential backtracker would explore billions on these inputs; no clock is involved.
@Suite struct RegexPerformanceTests {
    /// The states a search of `input` took, and the linear bound on them.
    private func cost(_ regex: GoRegex, _ input: String) -> (matched: Bool, states: Int, bound: Int) {
        let (matched, states) = regex.matchesCountingStates(input)
        return (matched, states, regex.instructionCount * (input.utf8.count + 1))
    }

    @Test func nearMissesOfMaximumLengthAreLinear() throws {
        let hostname = try GoRegex(dnsSubdomain)
        let inputs: [(String, Bool)] = [
            (String(repeating: "a", count: 253), true),
            (String(repeating: "a", count: 252) + "-", false),
            (String(repeating: "a-", count: 126) + "-", false),
            (String(repeating: "a.", count: 126) + "a", true),
            (String(repeating: "a.", count: 126) + ".", false),
            (String(repeating: "a", count: 252) + "A", false),
        ]
        for (input, expected) in inputs {
            let (matched, states, bound) = cost(hostname, input)
            #expect(matched == expected, "\(input)")
            #expect(states > 0 && states <= bound, "\(input): \(states) states, bound \(bound)")
        }
    }

    @Test func classicCatastrophicPatternsStayFast() throws {
        let cases: [(pattern: String, input: String)] = [
            ("^(a+)+$", String(repeating: "a", count: 252) + "!"),
            ("(x+x+)+y", String(repeating: "x", count: 253)),
            ("(a|a)*b", String(repeating: "a", count: 253)),
            ("^(a|aa)*c$", String(repeating: "a", count: 253)),
            ("(.*)*c", String(repeating: "ab", count: 126)),
            (#"^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?"#, String(repeating: "a", count: 253)),
        ]
        for c in cases {
            let regex = try GoRegex(c.pattern)
            let (matched, states, bound) = cost(regex, c.input)
            #expect(matched == false, "\(c.pattern)")
            #expect(states <= bound, "\(c.pattern): \(states) states, bound \(bound)")
        }
    }

    @Test func longInputsUseTheNFAAndStayCorrect() throws {
        let regex = try GoRegex("(x+x+)+y")
        let long = String(repeating: "x", count: 40_000)
        #expect(!regex.matches(long))
        #expect(regex.matches(long + "y"))
        #expect(regex.instructionCount * (long.utf8.count + 1) > 256 * 1024)
        let (matched, states, bound) = cost(regex, long)
        #expect(!matched && states <= bound, "\(states) states, bound \(bound)")
    }
}

@Suite struct RegexEngineAgreementTests {
    /// A small deterministic generator so failures reproduce.
    struct LCG {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    @Test func backtrackerAndNFAAgreeOnRandomInputs() throws {
        let alphabet: [Character] = ["a", "b", "-", ".", "/", ":", "A", "0", "*", "?", "#", "\n", "é"]
        var rng = LCG(state: 42)
        var patterns = [dnsSubdomain, conditionType]
        patterns += ["(a|ab)*b?$", "^(a*)*b", "a{2,4}b|c", "[^a-c]+-", "^(?:a.)*$"]
        for pattern in patterns {
            let regex = try GoRegex(pattern)
            for _ in 0..<300 {
                let length = rng.next(12)
                var s = ""
                for _ in 0..<length { s.append(alphabet[rng.next(alphabet.count)]) }
                let viaBacktracker = regex.matches(s, using: .backtracker)
                let viaNFA = regex.matches(s, using: .nfa)
                #expect(viaBacktracker == viaNFA, "\(pattern) on \(s.debugDescription)")
            }
        }
    }
}
