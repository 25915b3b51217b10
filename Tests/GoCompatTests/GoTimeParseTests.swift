import Testing

@testable import GoCompat

/// Timestamps as Go parses them, with Go as the referee: every row of
/// `Fixtures/go-time-parse.json` was recorded from Go 1.23 (`Fixtures/record`).
@Suite struct GoTimeParseTests {
    struct Row: Decodable, Sendable, CustomStringConvertible {
        struct Outcome: Decodable, Sendable {
            var ok: Bool
            var error: String?
            var unix: Int64?
            var nanos: Int?
        }
        var input: String
        var rfc3339: Outcome
        var date: Outcome
        var description: String { GoTimeParse.quote(Array(input.utf8)[...]) }
    }

    static let rows = GoFixtures.load([Row].self, from: "go-time-parse.json") ?? []

    @Test func theRecordingIsThere() {
        #expect(Self.rows.count == 92)
    }

    @Test(arguments: rows)
    func rfc3339AsGoParsesIt(_ row: Row) {
        switch GoTimeParse.parse(row.input, layout: .rfc3339) {
        case .success(let time):
            #expect(row.rfc3339.ok, "Go refuses it: \(row.rfc3339.error ?? "")")
            #expect(time.unixSeconds == row.rfc3339.unix)
            #expect(time.nanoseconds == row.rfc3339.nanos)
        case .failure(let error):
            #expect(!row.rfc3339.ok, "Go accepts it")
            #expect(error.message == row.rfc3339.error)
        }
    }

    @Test(arguments: rows)
    func datesAsGoParsesThem(_ row: Row) {
        switch GoTimeParse.parse(row.input, layout: .date) {
        case .success:
            #expect(row.date.ok, "Go refuses it: \(row.date.error ?? "")")
        case .failure(let error):
            #expect(!row.date.ok, "Go accepts it")
            #expect(error.message == row.date.error)
        }
    }
}
