import Testing

@testable import GoCompat

/// GoRegex against Go's `regexp`, recorded in `Fixtures/go-regexp.json` from Go 1.23: every
/// pattern of RE2's search corpus that Go ships (`regexp/testdata/re2-search.txt`) with its strings,
/// a few of our own patterns, and Go's words for patterns it refuses.
///
/// GoRegex implements a subset of RE2 (see `GoRegex`); a pattern outside it must fail to compile
/// with an "unsupported" error, never match differently.
@Suite struct RegexCorpusTests {
    struct Fixture: Decodable {
        struct Search: Decodable, Sendable, CustomStringConvertible {
            var pattern: String
            var error: String?
            var inputs: [String]
            var matches: [Bool]
            var description: String { pattern }
        }
        var search: [Search]
        var errors: [Pair]
    }

    static let fixture = GoFixtures.load(Fixture.self, from: "go-regexp.json")

    /// How many of the corpus patterns Go accepts are inside our subset. A change here is reviewed:
    /// it must only grow.
    static let supportedCorpusPatterns = 426

    @Test func theRecordingIsThere() throws {
        #expect(try #require(Self.fixture).search.count > 900)
    }

    @Test(arguments: fixture?.search ?? [])
    func matchesAsGo(_ row: Fixture.Search) {
        let regex: GoRegex
        do {
            regex = try GoRegex(row.pattern)
        } catch {
            if let goError = row.error {
                #expect(error.description == goError)
            } else {
                #expect(error.description.contains("unsupported"), "Go accepts it; we say \(error.description)")
            }
            return
        }
        #expect(row.error == nil, "Go refuses it: \(row.error ?? "")")
        for (input, expected) in zip(row.inputs, row.matches) {
            #expect(regex.matches(input) == expected, "\(input.debugDescription)")
            #expect(regex.matches(input, using: .nfa) == expected, "NFA: \(input.debugDescription)")
        }
    }

    @Test func theSubsetCoversTheCorpus() throws {
        let search = try #require(Self.fixture).search
        let supported = search.filter { $0.error == nil && (try? GoRegex($0.pattern)) != nil }.count
        #expect(supported == Self.supportedCorpusPatterns)
    }

    @Test(arguments: fixture?.errors ?? [])
    func refusesAsGo(_ row: Pair) {
        do {
            _ = try GoRegex(row.input)
            #expect(row.output.isEmpty, "Go refuses it: \(row.output)")
        } catch {
            if row.output.isEmpty {
                #expect(error.description.contains("unsupported"), "Go accepts it; we say \(error.description)")
            } else {
                #expect(error.description == row.output)
            }
        }
    }
}
