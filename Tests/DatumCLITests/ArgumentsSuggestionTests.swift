import DatumArguments
import DatumCLI
import GoCompat
import Testing

@Suite struct ArgumentsSuggestionTests {
    static let distances: [(String, String, Int)] = [
        ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("apply", "apply", 0),
        ("aply", "apply", 1), ("veiw", "view", 1), ("filname", "filename", 1),
        ("yam", "yaml", 1), ("GET", "get", 0), ("kitten", "sitting", 3),
        ("ca", "abc", 3),  // restricted: a swapped pair cannot be edited again
        ("abcdef", "badcfe", 3), ("namespac", "namespace", 1), ("jsn", "json", 1),
    ]

    @Test(arguments: distances)
    func measuresOptimalStringAlignmentDistance(_ a: String, _ b: String, expected: Int) {
        #expect(Suggestions.distance(a, b) == expected)
        #expect(Suggestions.distance(b, a) == expected)
    }

    static let cutoffs: [(String, Int)] = [
        ("", 1), ("ls", 1), ("get", 1), ("apply", 1), ("apply2", 2), ("filename", 2),
    ]

    @Test(arguments: cutoffs)
    func allowsMoreEditsForLongerWords(_ word: String, expected: Int) {
        #expect(Suggestions.cutoff(for: word) == expected)
    }

    static let commands = ["get", "set", "describe", "delete", "apply", "diff", "config", "version"]

    static let rankings: [(String, [String])] = [
        ("gett", ["get"]),  // "set" is two edits away: too far for a four-letter word
        ("st", ["set"]),
        ("aply", ["apply"]),
        ("de", ["describe", "delete"]),  // prefixes, in declaration order
        ("dif", ["diff"]),
        ("et", ["get", "set"]),  // equal distance keeps declaration order
        ("cnofig", ["config"]),
        ("versoin", ["version"]),
        ("x", []),
        ("", []),
        ("get", ["set"]),  // an exact match is not suggested, its neighbours are
        ("frobnicate", []),
        ("DELET", ["delete"]),
    ]

    @Test(arguments: rankings)
    func ranksCloseCandidatesFirst(_ word: String, expected: [String]) {
        #expect(Suggestions.rank(word, among: Self.commands) == expected)
    }

    @Test func aliasesCountButTheNameIsSuggested() {
        let candidates = [(name: "use-context", spellings: ["use"]), (name: "view", spellings: [])]
        #expect(Suggestions.rank("uses", among: candidates) == ["use-context"])
        #expect(Suggestions.rank("veiw", among: candidates) == ["view"])
        #expect(Suggestions.rank("us", among: candidates) == ["use-context"])
    }

    @Test func closerMatchesComeBeforePrefixMatches() {
        #expect(Suggestions.rank("sort", among: ["sort-by", "sorts"]) == ["sorts", "sort-by"])
    }
}
