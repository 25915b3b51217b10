import DatumJSON
import Foundation
import TestSupport
import Testing

/// Golden files under `Snapshots/printers/`, with the JSON fixtures they were produced from.
enum PrintersSnapshot {
    /// kubectl v1.32.4's output: never rewritten from ours (see the folder's README.md).
    static let snapshot = Snapshot(
        folder: "printers",
        oracle: .kubectl(how: "re-record with kubectl v1.32 as Tests/DatumCLITests/Snapshots/printers/README.md describes"))

    /// The input documents the goldens were produced from.
    static func fixture(_ name: String) throws -> JSONValue {
        let url = snapshot.root.appendingPathComponent("fixtures/\(name).json")
        return try JSONParser.parse(try String(contentsOf: url, encoding: .utf8))
    }

    static func read(_ name: String) -> String? { snapshot.read(name) }

    /// Compares `actual` with the golden `name`; an empty `.stderr.txt` capture has no golden.
    static func expect(_ actual: String, matches name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        snapshot.expect(
            actual, matches: name, absentMeansEmpty: name.hasSuffix(".stderr.txt"), sourceLocation: sourceLocation)
    }
}
