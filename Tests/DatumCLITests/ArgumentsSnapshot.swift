import Foundation
import Testing

/// Golden files for the argument parser's printed artifacts, under `Snapshots/<folder>/`.
/// `DATUMCTL_RECORD=1` rewrites them; a mismatch reports a line diff.
enum ArgumentsSnapshot {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots")

    static var isRecording: Bool {
        ProcessInfo.processInfo.environment["DATUMCTL_RECORD"] == "1"
    }

    static func expect(
        _ actual: String, matches name: String, in folder: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let directory = root.appendingPathComponent(folder)
        let file = directory.appendingPathComponent(name)
        if isRecording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: file)
            return
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            Issue.record(
                "Missing snapshot \(folder)/\(name); run with DATUMCTL_RECORD=1 to create it.",
                sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected != actual {
            let diff = lineDiff(expected: expected, actual: actual)
            Issue.record(
                "Snapshot \(folder)/\(name) differs (- expected, + actual):\n\(diff)",
                sourceLocation: sourceLocation)
        }
    }

    /// A minimal unified-style diff from the longest common subsequence of lines; trailing
    /// spaces are made visible with `⏎` so whitespace-only changes can be seen.
    static func lineDiff(expected: String, actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lengths = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                lengths[i][j] =
                    old[i] == new[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        func show(_ line: String) -> String { line.hasSuffix(" ") ? line + "⏎" : line }
        var out: [String] = []
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                out.append("  " + show(old[i]))
                i += 1
                j += 1
            } else if j < new.count, i == old.count || lengths[i][j + 1] >= lengths[i + 1][j] {
                out.append("+ " + show(new[j]))
                j += 1
            } else {
                out.append("- " + show(old[i]))
                i += 1
            }
        }
        return out.joined(separator: "\n")
    }
}
