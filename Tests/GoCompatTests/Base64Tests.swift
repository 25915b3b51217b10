import Testing

@testable import GoCompat

/// `encoding/base64` against `Fixtures/go-base64.json`, recorded from Go 1.23: the bytes, or Go's
/// `CorruptInputError` with its offset, for the standard and raw URL encodings, lax and strict.
@Suite struct Base64Tests {
    struct Fixture: Decodable {
        struct Outcome: Decodable, Sendable {
            var hex: String?
            var error: String?
        }
        struct Decode: Decodable, Sendable, CustomStringConvertible {
            var input: String
            var std: Outcome
            var stdStrict: Outcome
            var rawURL: Outcome
            var rawURLStrict: Outcome
            var description: String { input.debugDescription }
        }
        struct Encode: Decodable, Sendable, CustomStringConvertible {
            var hex: String
            var std: String
            var rawURL: String
            var description: String { hex }
        }
        var decode: [Decode]
        var encode: [Encode]
    }

    static let fixture = GoFixtures.load(Fixture.self, from: "go-base64.json")

    @Test func theRecordingIsThere() throws {
        #expect(try #require(Self.fixture).decode.count > 30)
    }

    static func check(_ encoding: Base64, _ input: String, _ expected: Fixture.Outcome, _ name: String) {
        switch encoding.decode(input) {
        case .success(let bytes):
            #expect(GoFixtures.hex(bytes) == expected.hex, "\(name): Go says \(expected.error ?? "")")
        case .failure(let error):
            #expect("\(error)" == expected.error, "\(name)")
        }
    }

    @Test(arguments: fixture?.decode ?? [])
    func decodesAsGo(_ row: Fixture.Decode) {
        Self.check(.standard, row.input, row.std, "StdEncoding")
        Self.check(Base64.standard.strict(), row.input, row.stdStrict, "StdEncoding.Strict()")
        Self.check(.rawURL, row.input, row.rawURL, "RawURLEncoding")
        Self.check(Base64.rawURL.strict(), row.input, row.rawURLStrict, "RawURLEncoding.Strict()")
    }

    @Test(arguments: fixture?.encode ?? [])
    func encodesAsGo(_ row: Fixture.Encode) {
        let bytes = GoFixtures.bytes(hex: row.hex)
        #expect(Base64.standard.encode(bytes) == row.std)
        #expect(Base64.rawURL.encode(bytes) == row.rawURL)
        #expect(Base64.standard.decoded(row.std) == bytes)
        #expect(Base64.rawURL.strict().decoded(row.rawURL) == bytes)
    }

    @Test func roundTripsEveryLength() {
        for length in 0..<64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.standard.decoded(Base64.standard.encode(bytes)) == bytes)
            #expect(Base64.rawURL.strict().decoded(Base64.rawURL.encode(bytes)) == bytes)
        }
    }
}
