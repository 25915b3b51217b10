import DatumJSON
import Foundation
import Testing
import TestSupport

@testable import DatumKit

/// `metav1.Time` decoding and the OpenAPI `date`/`date-time` formats, refereed by Go: the rows of
/// `Tests/GoCompatTests/Fixtures/go-time-parse.json` (recorded from Go 1.23 by that folder's
/// `record`; `dateTime` is kube-openapi's `strfmt.IsDateTime`).
@Suite struct KubeTimeTests {
    struct Row: Sendable, CustomStringConvertible {
        var input: String
        var rfc3339OK: Bool
        var rfc3339Error: String?
        var unix: Int64?
        var nanos: Int64?
        var dateOK: Bool
        var dateTime: Bool
        var description: String { input.debugDescription }
    }

    static let rows: [Row] = {
        let url = Repository.url.appendingPathComponent("Tests/GoCompatTests/Fixtures/go-time-parse.json")
        guard let data = try? Data(contentsOf: url), let table = try? JSONParser.parse(Array(data)).arrayValue
        else { return [] }
        return table.map { row in
            Row(
                input: row["input"]?.stringValue ?? "", rfc3339OK: row["rfc3339"]?["ok"]?.boolValue ?? false,
                rfc3339Error: row["rfc3339"]?["error"]?.stringValue, unix: row["rfc3339"]?["unix"]?.intValue,
                nanos: row["rfc3339"]?["nanos"]?.intValue, dateOK: row["date"]?["ok"]?.boolValue ?? false,
                dateTime: row["dateTime"]?.boolValue ?? false)
        }
    }()

    @Test func theRecordingIsThere() {
        #expect(Self.rows.count == 92)
    }

    @Test(arguments: rows)
    func dateFormatAsKubeOpenAPIChecksIt(_ row: Row) {
        #expect(DateTimeFormat.isDate(row.input) == row.dateOK)
    }

    @Test(arguments: rows)
    func dateTimeFormatAsKubeOpenAPIChecksIt(_ row: Row) {
        #expect(DateTimeFormat.isDateTime(row.input) == row.dateTime)
    }

    /// What `KubeTime` accepts, and the API server's words for the rest.
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
