import Foundation
import Testing

/// Golden files for printed artifacts, shared by every test target.
///
/// A golden lives in the test target's `Snapshots/` folder. `DATUMCTL_RECORD=1` rewrites
/// goldens that differ (or are missing); otherwise a mismatch records an issue with a line
/// diff that makes invisible characters visible.
public struct Snapshot: Sendable {
    /// Who wrote the goldens of a folder.
    public enum Oracle: Sendable {
        /// Our own output, reviewed: `DATUMCTL_RECORD=1` may rewrite them.
        case ours
        /// Real kubectl's output. Our code never rewrites them; `how` says how they are re-recorded.
        case kubectl(how: String)
    }

    /// The `Snapshots` folder of the calling test target.
    public let root: URL
    public let oracle: Oracle

    /// `testFile` is the calling test's `#filePath`; goldens live beside it in `Snapshots/<folder>`.
    public init(folder: String, oracle: Oracle = .ours, testFile: String = #filePath) {
        root = URL(fileURLWithPath: testFile).deletingLastPathComponent()
            .appendingPathComponent("Snapshots").appendingPathComponent(folder)
        self.oracle = oracle
    }

    public static var isRecording: Bool { ProcessInfo.processInfo.environment["DATUMCTL_RECORD"] == "1" }

    public func read(_ name: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    }

    /// Compares `actual` with the golden `name`, or records it when recording. With
    /// `absentMeansEmpty`, an empty `actual` is expected to have no golden file at all (so
    /// empty stderr captures leave no files behind).
    public func expect(
        _ actual: String, matches name: String, absentMeansEmpty: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        if case .kubectl(let how) = oracle {
            Self.compare(
                actual, with: try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8), named: name,
                absentMeansEmpty: absentMeansEmpty,
                hint: "it was recorded from kubectl and is never rewritten from our output (\(how))",
                sourceLocation: sourceLocation)
            return
        }
        Self.expect(
            actual, matchesFile: root.appendingPathComponent(name), named: name,
            absentMeansEmpty: absentMeansEmpty, sourceLocation: sourceLocation)
    }

    /// Compares `actual` with the file at `url` (a golden, or a committed generated file such
    /// as a completion script), or rewrites the file when recording. `named` labels the file
    /// in failures; `hint` tells how to re-record.
    public static func expect(
        _ actual: String, matchesFile url: URL, named name: String, absentMeansEmpty: Bool = false,
        hint: String = "run with DATUMCTL_RECORD=1", sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let expected = try? String(contentsOf: url, encoding: .utf8)
        if isRecording {
            do {
                var changed = false
                if absentMeansEmpty && actual.isEmpty {
                    if expected != nil {
                        try FileManager.default.removeItem(at: url)
                        changed = true
                    }
                } else if expected != actual {
                    try FileManager.default.createDirectory(
                        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try actual.write(to: url, atomically: true, encoding: .utf8)
                    changed = true
                }
                // A recording run never passes: every rewritten golden is a change to review.
                if changed {
                    Issue.record(
                        "recorded \(name); review the change, then run the tests again without DATUMCTL_RECORD",
                        sourceLocation: sourceLocation)
                }
            } catch {
                Issue.record("cannot record \(name): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        compare(actual, with: expected, named: name, absentMeansEmpty: absentMeansEmpty, hint: hint, sourceLocation: sourceLocation)
    }

    /// Records an issue with a line diff unless `actual` is the golden's text.
    static func compare(
        _ actual: String, with expected: String?, named name: String, absentMeansEmpty: Bool, hint: String,
        sourceLocation: SourceLocation
    ) {
        guard let expected else {
            if absentMeansEmpty && actual.isEmpty { return }
            Issue.record("\(name) is missing; \(hint)", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            Issue.record(
                "\(name) differs (- expected, + actual); \(hint):\n\(lineDiff(expected: expected, actual: actual))",
                sourceLocation: sourceLocation)
        }
    }

    /// A minimal diff: `-` golden lines, `+` actual lines; tabs show as `→`, escapes as `␛`,
    /// line ends as `|` (so trailing spaces are visible).
    public static func lineDiff(expected: String, actual: String) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
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

/// A temporary directory, removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "datumctl-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `relative` (creating folders) and returns the full path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        let full = (path as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }
}
