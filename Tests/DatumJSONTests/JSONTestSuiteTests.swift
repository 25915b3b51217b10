import Foundation
import Testing
import TestSupport

@testable import DatumJSON

/// nst/JSONTestSuite's parsing corpus (see `Fixtures/JSONTestSuite/SOURCE.md`) against both
/// parsers: every `y_` file accepted, every `n_` file rejected, and every `i_` file given the
/// verdict Go gives it (`Tests/GoCompatTests/Fixtures/go-json-verdicts.json`).
///
/// The referee for `i_` files is Go's `encoding/json` (`json.Unmarshal` into `interface{}`),
/// recorded from Go itself: it is what kubectl and the API server parse with.
@Suite struct JSONTestSuiteTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let corpus = fixtures.appendingPathComponent("JSONTestSuite")

    static func files(_ prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    /// The bytes of a corpus file, as they are (not all are UTF-8).
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: corpus.appendingPathComponent(name)))
    }

    /// JSONParser's verdict.
    static func parserAccepts(_ bytes: [UInt8]) -> Bool {
        (try? JSONParser.parse(bytes)) != nil
    }

    /// JSONStreamParser's verdict in `json.Unmarshal`'s terms: one value, numbers in range.
    static func streamParserAccepts(_ bytes: [UInt8]) -> Bool {
        guard let node = try? JSONStreamParser.parseDocument(bytes) else { return false }
        return (try? node.jsonValue()) != nil
    }

    @Test func corpusIsComplete() {
        #expect(Self.files("y_").count == 95)
        #expect(Self.files("n_").count == 188)
        #expect(Self.files("i_").count == 35)
    }

    @Test(arguments: files("y_"))
    func acceptsEveryYFile(name: String) throws {
        let bytes = try Self.bytes(name)
        #expect(Self.parserAccepts(bytes), "JSONParser rejects \(name)")
        #expect(Self.streamParserAccepts(bytes), "JSONStreamParser rejects \(name)")
    }

    @Test(arguments: files("n_"))
    func rejectsEveryNFile(name: String) throws {
        let bytes = try Self.bytes(name)
        #expect(!Self.parserAccepts(bytes), "JSONParser accepts \(name)")
        #expect(!Self.streamParserAccepts(bytes), "JSONStreamParser accepts \(name)")
    }

    /// Go's verdict on one corpus file: `json.Unmarshal` into `interface{}`, recorded from Go 1.23 by
    /// `Tests/GoCompatTests/Fixtures/record` into `go-json-verdicts.json`.
    struct Verdict: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var accept: Bool
        var error: String?
        /// `json.Decoder` over the file as a stream of raw values, as kubectl reads a JSON manifest.
        var stream: Stream
        var description: String { file }

        struct Stream: Decodable, Sendable {
            var values: Int
            var error: String?
        }
    }

    static func verdicts() -> [Verdict] {
        struct Recording: Decodable { var files: [Verdict] }
        let url = Repository.url.appendingPathComponent("Tests/GoCompatTests/Fixtures/go-json-verdicts.json")
        guard let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONDecoder().decode(Recording.self, from: data).files) ?? []
    }

    @Test func goJudgedEveryFileAndAgreesWithTheSuite() {
        let verdicts = Self.verdicts()
        #expect(verdicts.map(\.file) == Self.files(""))
        for row in verdicts where !row.file.hasPrefix("i_") {
            #expect(row.accept == row.file.hasPrefix("y_"), "Go on \(row.file): \(row.error ?? "accepted")")
        }
    }

    /// Both parsers decide every implementation-defined file as Go does.
    @Test(arguments: verdicts().filter { $0.file.hasPrefix("i_") })
    func implementationDefinedFilesAsGoDecidesThem(row: Verdict) throws {
        let bytes = try Self.bytes(row.file)
        #expect(Self.parserAccepts(bytes) == row.accept, "JSONParser differs from Go on \(row.file): \(row.error ?? "")")
        #expect(
            Self.streamParserAccepts(bytes) == row.accept,
            "JSONStreamParser differs from Go on \(row.file): \(row.error ?? "")")
    }

    /// JSONParser refuses what `json.Unmarshal` refuses with Go's words (sandbox request bodies).
    @Test(arguments: verdicts().filter { !$0.accept })
    func parserSaysWhatGoSays(row: Verdict) throws {
        let bytes = try Self.bytes(row.file)
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        #expect(error.message == row.error, "\(row.file)")
        let single = try #require(throws: JSONParseError.self) { try JSONStreamParser.parseDocument(bytes).jsonValue() }
        #expect(single.message == row.error, "\(row.file)")
    }

    /// JSONStreamParser reads a stream as `json.Decoder` does (manifests): as many values, then Go's
    /// error, or the end.
    @Test(arguments: verdicts())
    func streamParserReadsAsGoDecoderDoes(row: Verdict) throws {
        var parser = JSONStreamParser(try Self.bytes(row.file))
        var values = 0
        var error: String?
        while let result = parser.next() {
            switch result {
            case .success: values += 1
            case .failure(let failure): error = failure.message
            }
            if error != nil { break }
        }
        #expect(values == row.stream.values, "\(row.file)")
        #expect(error == row.stream.error, "\(row.file)")
    }

    /// What Go makes of the invalid text it accepts: U+FFFD for each byte that is not UTF-8
    /// and for each lone surrogate (recorded from Go 1.19's json.Unmarshal + json.Marshal).
    @Test(arguments: [
        ("i_string_lone_utf8_continuation_byte.json", ["\u{FFFD}"]),
        ("i_string_truncated-utf-8.json", ["\u{FFFD}\u{FFFD}"]),
        ("i_string_UTF8_surrogate_U+D800.json", ["\u{FFFD}\u{FFFD}\u{FFFD}"]),
        ("i_string_1st_valid_surrogate_2nd_invalid.json", ["\u{FFFD}\u{1234}"]),
        ("i_string_inverted_surrogates_U+1D11E.json", ["\u{FFFD}\u{FFFD}"]),
        ("i_string_incomplete_surrogate_and_escape_valid.json", ["\u{FFFD}\n"]),
    ])
    func replacesInvalidTextAsGoDoes(name: String, expected: [String]) throws {
        let bytes = try Self.bytes(name)
        let value = JSONValue.array(expected.map { .string($0) })
        #expect(try JSONParser.parse(bytes) == value)
        #expect(try JSONStreamParser.parseDocument(bytes).jsonValue() == value)
    }

    /// Nesting: Go's limit is 10,000 levels (`maxNestingDepth`); JSONStreamParser has the same
    /// bound without using the call stack, JSONParser stops at its own 512.
    @Test func nestingBounds() throws {
        let limit = JSONStreamParser.goMaximumDepth
        let deepest =
            [UInt8](repeating: UInt8(ascii: "["), count: limit) + [UInt8](repeating: UInt8(ascii: "]"), count: limit)
        #expect(throws: Never.self) { try JSONStreamParser.parseDocument(deepest) }
        let tooDeep = [UInt8](repeating: UInt8(ascii: "["), count: limit + 1)
        let error = try #require(throws: JSONParseError.self) { try JSONStreamParser.parseDocument(tooDeep) }
        #expect(error.message == "invalid character '[' exceeded max depth")
        #expect(error.column == limit + 1)
        let overParserLimit =
            String(repeating: "[", count: JSONParser.maximumDepth + 1)
            + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(overParserLimit) }
    }
}
