import DatumJSON
import Foundation
import Testing

@testable import DatumKit

/// One CRD pattern with inputs Go's `regexp.MatchString` accepts and rejects.
struct PatternCase: Sendable, CustomTestStringConvertible {
    var name: String
    var pattern: String
    var accepted: [String]
    var rejected: [String]
    var testDescription: String { name }
}

private let dnsSubdomain = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#

let crdPatternCases: [PatternCase] = [
    PatternCase(
        name: "Group",
        pattern: #"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#,
        accepted: ["", "gateway.networking.k8s.io", "svc.other.io", "group", "a", "0-1.a-b"],
        rejected: ["Gateway.networking", "-foo", "foo-", "foo..bar", ".foo", "foo.", "foo_bar", "foo/bar", "grøup",
            "foo\n", "\n"]),
    PatternCase(
        name: "Kind",
        pattern: #"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"#,
        accepted: ["Service", "kind", "a", "My-Kind2", "InvalidKind"],
        rejected: ["", "1Service", "Service-", "Ser vice", "Ser.vice", "-a", "Sérvice"]),
    PatternCase(
        name: "SectionName / PreciseHostname",
        pattern: dnsSubdomain,
        accepted: ["section", "foo.example.com", "1.2.3.4", "a", "https-1", "abc.example.com"],
        rejected: ["", "Section", "*.example.com", "foo.example.com.", "foo_bar", "foo example", "ex\u{00E4}mple.com"]),
    PatternCase(
        name: "SubjectAltName hostname",
        pattern: #"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#,
        accepted: ["foo.example.com", "*.example.com", "*.a", "abc.example.com"],
        rejected: ["*", "*.", "**.example.com", "foo.*.com", "*example.com", "Foo.com", ".example.com"]),
    PatternCase(
        name: "AbsoluteURI (no $ anchor)",
        pattern: #"^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?"#,
        accepted: ["spiffe://mycluster.example", "spiffe://x", "http://a/b?c#d", "https://", "a://b c",
            "spiffe://x/y#frag\nmore", "spiffe://abc.example.com/ns/gateway-conformance-infra/sa/default"],
        rejected: ["foo.example.com", "test", "urn:x", "://x", "/x", ":x//", "a:/b", ""]),
    PatternCase(
        name: "WellKnownCACertificatesType",
        pattern:
            #"^(System|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]))$"#,
        accepted: ["System", "my.company.com/my-custom-ca-certificates", "a/b", "example.com/A_b.c",
            "x/" + String(repeating: "a", count: 63)],
        rejected: ["MySystem", "my-system", "in..va..lid./my-custom-ca-certificates", "System2", "system",
            "x/" + String(repeating: "a", count: 64), "a/-b", "a/b-", "/b", "a/", ""]),
    PatternCase(
        name: "Namespace (DNS label)",
        pattern: #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"#,
        accepted: ["gateway-conformance-infra", "default", "a1"],
        rejected: ["a.b", "", "A", "-a"]),
    PatternCase(
        name: "GatewayController",
        pattern:
            #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$"#,
        accepted: ["example.net/gateway-controller", "gateway.envoyproxy.io/gatewayclass-controller", "a/b/c:d",
            "x/~%!$&'()*+,;=:"],
        rejected: ["example.net", "example.net/", "Example.net/x", "example.net/a b", "/x", "example.net/a?b"]),
    PatternCase(
        name: "Condition reason",
        pattern: #"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"#,
        accepted: ["Accepted", "NoValidCACertificate", "A", "Reason_1", "a,b:c_"],
        rejected: ["", "1Reason", "Reason:", "Reason,", "Re ason", "Re-ason"]),
    PatternCase(
        name: "Condition type",
        pattern:
            #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#,
        accepted: ["Accepted", "ResolvedRefs", "example.com/Custom", "A", "a.b-c_d"],
        rejected: ["", "Accepted-", "example.com/", "/Accepted", "Ex.com/A", "A B"]),
]

@Suite struct RegexCRDPatternTests {
    @Test func everyPatternInTheCRDHasCases() throws {
        let crdPatterns = ValidationFixtures.patterns(in: try ValidationFixtures.crd())
        let covered = Set(crdPatternCases.map(\.pattern))
        #expect(crdPatterns.count == 10)
        for pattern in crdPatterns {
            #expect(covered.contains(pattern), "no test cases for \(pattern)")
        }
    }

    @Test(arguments: crdPatternCases)
    func crdPattern(_ c: PatternCase) throws {
        let regex = try GoRegex(c.pattern)
        for input in c.accepted {
            #expect(regex.matches(input), "\(c.name) should accept \(input.debugDescription)")
            #expect(regex.matches(input, using: .nfa), "NFA: \(c.name) should accept \(input.debugDescription)")
        }
        for input in c.rejected {
            #expect(!regex.matches(input), "\(c.name) should reject \(input.debugDescription)")
            #expect(!regex.matches(input, using: .nfa), "NFA: \(c.name) should reject \(input.debugDescription)")
        }
    }
}

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
    static let cases: [SyntaxErrorCase] = [
        SyntaxErrorCase(pattern: "(abc", message: "error parsing regexp: missing closing ): `(abc`"),
        SyntaxErrorCase(pattern: "abc)", message: "error parsing regexp: unexpected ): `abc)`"),
        SyntaxErrorCase(pattern: "[abc", message: "error parsing regexp: missing closing ]: `[abc`"),
        SyntaxErrorCase(pattern: "[]", message: "error parsing regexp: missing closing ]: `[]`"),
        SyntaxErrorCase(pattern: "*a", message: "error parsing regexp: missing argument to repetition operator: `*`"),
        SyntaxErrorCase(pattern: "a|+", message: "error parsing regexp: missing argument to repetition operator: `+`"),
        SyntaxErrorCase(
            pattern: "{2}", message: "error parsing regexp: missing argument to repetition operator: `{2}`"),
        SyntaxErrorCase(pattern: "a**", message: "error parsing regexp: invalid nested repetition operator: `**`"),
        SyntaxErrorCase(
            pattern: "a{2}{3}", message: "error parsing regexp: invalid nested repetition operator: `{2}{3}`"),
        SyntaxErrorCase(pattern: "a{1001}", message: "error parsing regexp: invalid repeat count: `{1001}`"),
        SyntaxErrorCase(pattern: "a{3,2}", message: "error parsing regexp: invalid repeat count: `{3,2}`"),
        SyntaxErrorCase(pattern: #"\y"#, message: #"error parsing regexp: invalid escape sequence: `\y`"#),
        SyntaxErrorCase(pattern: #"\1"#, message: #"error parsing regexp: invalid escape sequence: `\1`"#),
        SyntaxErrorCase(pattern: #"\b"#, message: #"error parsing regexp: unsupported escape sequence: `\b`"#),
        SyntaxErrorCase(pattern: #"\pL"#, message: #"error parsing regexp: unsupported escape sequence: `\p`"#),
        SyntaxErrorCase(pattern: #"[\A]"#, message: #"error parsing regexp: invalid escape sequence: `\A`"#),
        SyntaxErrorCase(pattern: #"\xZZ"#, message: #"error parsing regexp: invalid escape sequence: `\xZ`"#),
        SyntaxErrorCase(pattern: "a\\", message: "error parsing regexp: trailing backslash at end of expression: ``"),
        SyntaxErrorCase(
            pattern: "(?i)abc",
            message: "error parsing regexp: unsupported group syntax (flags are not supported): `(?i)`"),
        SyntaxErrorCase(pattern: "(?P<>a)", message: "error parsing regexp: invalid named capture: `(?P<>`"),
        SyntaxErrorCase(pattern: "[z-a]", message: "error parsing regexp: invalid character class range: `z-a`"),
        SyntaxErrorCase(
            pattern: "[[:alpha:]]", message: "error parsing regexp: unsupported POSIX character class: `[[:alpha:]]`"),
        SyntaxErrorCase(pattern: "(x{1000}){1000}", message: "error parsing regexp: expression too large: `(x{1000}){1000}`"),
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
        var patterns = crdPatternCases.map(\.pattern)
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
