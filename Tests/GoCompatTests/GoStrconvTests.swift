import Testing

@testable import GoCompat

/// `strconv` and `time.ParseDuration` against `Fixtures/go-strconv.json`, recorded from Go 1.23.
@Suite struct GoStrconvTests {
    struct Fixture: Decodable {
        struct Float: Decodable, Sendable, CustomStringConvertible {
            var bits: String
            var g64: String
            var g32: String
            var description: String { bits }
            var value: Double { Double(bitPattern: UInt64(bits, radix: 16) ?? 0) }
        }
        struct Parsed<Value: Decodable & Sendable>: Decodable, Sendable, CustomStringConvertible {
            var input: String
            var value: Value?
            var error: String?
            var description: String { input.debugDescription }
        }
        var formatFloat: [Float]
        var quote: [Pair]
        var quoteChar: [String]
        var notPrintable: [[UInt32]]
        var parseBool: [Parsed<Bool>]
        var parseInt: [Parsed<Int64>]
        var parseDuration: [Parsed<Int64>]
    }

    static let fixture = GoFixtures.load(Fixture.self, from: "go-strconv.json")

    @Test func theRecordingIsThere() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.formatFloat.count > 500)
        #expect(fixture.quoteChar.count == 256)
    }

    @Test(arguments: fixture?.formatFloat ?? [])
    func formatFloatAsGo(_ row: Fixture.Float) {
        #expect(GoFormat.formatFloat(row.value) == row.g64)
        #expect(GoFormat.formatFloat(row.value, bitSize: 32) == row.g32)
    }

    @Test(arguments: fixture?.quote ?? [])
    func quoteAsGo(_ row: Pair) {
        #expect(GoFormat.quote(row.input) == row.output)
    }

    /// encoding/json's `quoteChar` for every byte (how a JSON syntax error names a character).
    @Test func quoteCharAsGo() throws {
        let expected = try #require(Self.fixture).quoteChar
        for byte in 0...255 {
            #expect(GoUTF8.quoteChar(UInt8(byte)) == expected[byte], "byte \(byte)")
        }
    }

    /// `strconv.IsPrint` over every scalar value.
    @Test func isPrintAsGoForEveryScalar() throws {
        let ranges = try #require(Self.fixture).notPrintable
        var notPrintable = Set<UInt32>()
        for range in ranges where range.count == 2 {
            for value in range[0]...range[1] where Unicode.Scalar(value) != nil { notPrintable.insert(value) }
        }
        var mismatches: [String] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if GoFormat.isPrint(scalar) == notPrintable.contains(value) {
                mismatches.append("U+" + String(value, radix: 16, uppercase: true))
            }
        }
        #expect(mismatches.count == 0, "IsPrint differs at \(mismatches.count) scalars: \(mismatches.prefix(10))")
    }

    @Test(arguments: fixture?.parseBool ?? [])
    func parseBoolAsGo(_ row: Fixture.Parsed<Bool>) {
        switch GoValueSyntax.parseBool(row.input) {
        case .success(let value): #expect(value == row.value && row.error == nil)
        case .failure(let error): #expect(error.message == row.error)
        }
    }

    @Test(arguments: fixture?.parseInt ?? [])
    func parseIntAsGo(_ row: Fixture.Parsed<Int64>) {
        switch GoValueSyntax.parseInt(row.input) {
        case .success(let value): #expect(value == row.value && row.error == nil)
        case .failure(let error): #expect(error.message == row.error)
        }
    }

    @Test(arguments: fixture?.parseDuration ?? [])
    func parseDurationAsGo(_ row: Fixture.Parsed<Int64>) {
        switch GoValueSyntax.parseDuration(row.input) {
        case .success(let value): #expect(row.value.map { Duration.nanoseconds($0) } == value && row.error == nil)
        case .failure(let error): #expect(error.message == row.error)
        }
    }
}
