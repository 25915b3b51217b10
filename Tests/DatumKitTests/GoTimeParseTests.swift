import DatumJSON
import Foundation
import Testing

@testable import DatumKit

/// Timestamps as Go parses them, with Go as the referee: every row of
/// `Fixtures/go-time-parse.json` was recorded from Go 1.23 (see `Fixtures/README.md`).
@Suite struct GoTimeParseTests {
    struct Row: CustomStringConvertible, Sendable {
        var input: String
        var rfc3339OK: Bool
        var rfc3339Error: String?
        var unix: Int64?
        var nanos: Int?
        var dateOK: Bool
        var dateError: String?
        var dateTime: Bool
        var description: String { GoTimeParse.quote(Array(input.utf8)[...]) }
    }

    static let rows: [Row] = {
        guard let table = try? ValidationFixtures.json("go-time-parse.json").arrayValue else { return [] }
        return table.map { row in
            Row(
                input: row["input"]?.stringValue ?? "", rfc3339OK: row["rfc3339"]?["ok"]?.boolValue ?? false,
                rfc3339Error: row["rfc3339"]?["error"]?.stringValue, unix: row["rfc3339"]?["unix"]?.intValue,
                nanos: row["rfc3339"]?["nanos"]?.intValue.map { Int($0) }, dateOK: row["date"]?["ok"]?.boolValue ?? false,
                dateError: row["date"]?["error"]?.stringValue, dateTime: row["dateTime"]?.boolValue ?? false)
        }
    }()

    @Test func theRecordingIsThere() {
        #expect(Self.rows.count == 92)
    }

    @Test(arguments: rows)
    func rfc3339AsGoParsesIt(_ row: Row) {
        switch GoTimeParse.parse(row.input, layout: .rfc3339) {
        case .success(let time):
            #expect(row.rfc3339OK, "Go refuses it: \(row.rfc3339Error ?? "")")
            #expect(time.unixSeconds == row.unix)
            #expect(time.nanoseconds == row.nanos)
        case .failure(let error):
            #expect(!row.rfc3339OK, "Go accepts it")
            #expect(error.message == row.rfc3339Error)
        }
    }

    @Test(arguments: rows)
    func datesAsGoParsesThem(_ row: Row) {
        switch GoTimeParse.parse(row.input, layout: .date) {
        case .success:
            #expect(row.dateOK, "Go refuses it: \(row.dateError ?? "")")
        case .failure(let error):
            #expect(!row.dateOK, "Go accepts it")
            #expect(error.message == row.dateError)
        }
        #expect(DateTimeFormat.isDate(row.input) == row.dateOK)
    }

    /// The OpenAPI `date-time` format check (kube-openapi's `IsDateTime`).
    @Test(arguments: rows)
    func dateTimeFormatAsKubeOpenAPIChecksIt(_ row: Row) {
        #expect(DateTimeFormat.isDateTime(row.input) == row.dateTime)
    }

    /// `metav1.Time` decoding: what `KubeTime` accepts, and the API server's words for the rest.
    @Test(arguments: rows)
    func kubeTimeAcceptsWhatTheServerAccepts(_ row: Row) {
        let seconds = KubeTime.parse(row.input)
        if row.rfc3339OK, let unix = row.unix, let nanos = row.nanos {
            #expect(seconds == Double(unix) + Double(nanos) / 1e9)
            #expect(KubeTime.parseError(row.input) == nil)
        } else {
            #expect(seconds == nil)
            #expect(KubeTime.parseError(row.input) == row.rfc3339Error)
        }
    }
}
