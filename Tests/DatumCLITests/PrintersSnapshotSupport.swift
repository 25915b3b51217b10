import DatumJSON
import Foundation
import Testing

/// Golden files under `Snapshots/printers/`; `DATUMCTL_RECORD=1` rewrites them.
enum PrintersSnapshot {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots/printers")

    static var recording: Bool { ProcessInfo.processInfo.environment["DATUMCTL_RECORD"] == "1" }

    /// The input documents the goldens were produced from.
    static func fixture(_ name: String) throws -> JSONValue {
        let url = root.appendingPathComponent("fixtures/\(name).json")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try JSONParser.parse(text)
    }

    static func read(_ name: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    }

    /// Compares `actual` with the golden `name` (relative to Snapshots/printers), printing a line diff.
    static func expect(
        _ actual: String, matches name: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let url = root.appendingPathComponent(name)
        let expected = read(name)
        if recording, expected != actual {
            try? FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if actual.isEmpty && name.hasSuffix(".stderr.txt") {
                try? FileManager.default.removeItem(at: url)
            } else {
                try? actual.write(to: url, atomically: true, encoding: .utf8)
            }
            return
        }
        guard let expected else {
            if actual.isEmpty && name.hasSuffix(".stderr.txt") { return }
            Issue.record("missing golden \(name); run with DATUMCTL_RECORD=1", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            Issue.record(
                "\(name) differs from golden:\n\(lineDiff(expected: expected, actual: actual))",
                sourceLocation: sourceLocation)
        }
    }

    /// A minimal unified-style diff: `-` golden lines, `+` actual lines, `|` shows invisible characters.
    static func lineDiff(expected: String, actual: String) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Longest common subsequence table, fine for golden-sized inputs.
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        func visible(_ s: String) -> String {
            s.replacingOccurrences(of: "\t", with: "→").replacingOccurrences(of: "\u{1B}", with: "␛") + "|"
        }
        var out: [String] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                out.append("  " + visible(a[i]))
                i += 1
                j += 1
            } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                out.append("+ " + visible(b[j]))
                j += 1
            } else {
                out.append("- " + visible(a[i]))
                i += 1
            }
        }
        return out.joined(separator: "\n")
    }
}
