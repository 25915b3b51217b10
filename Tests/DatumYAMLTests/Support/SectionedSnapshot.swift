import Foundation
import TestSupport

/// Recordings of real kubectl in `Tests/DatumYAMLTests/Snapshots/`, re-recorded with
/// `DATUMCTL_RECORD=1`.
///
/// A recording file holds many named cases as sections (`### name` lines), so one
/// table-driven test keeps one file; a mismatch prints a line diff per case
/// (`Snapshot.lineDiff`).
enum SectionedSnapshot {
    static var isRecording: Bool { Snapshot.isRecording }

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Snapshots")

    static let sectionMarker = "### "

    /// Reads a sectioned snapshot file into name → content.
    static func sections(of file: String) throws -> [String: String] {
        let url = directory.appendingPathComponent(file)
        var text = try String(contentsOf: url, encoding: .utf8)
        // The file ends with the newline that closes its last section.
        if text.hasSuffix("\n") { text.removeLast() }
        var result: [String: String] = [:]
        var current: String?
        var body = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix(sectionMarker) {
                if let current { result[current] = String(body.dropLast()) }
                current = String(line.dropFirst(sectionMarker.count))
                body = ""
            } else {
                body += line + "\n"
            }
        }
        if let current { result[current] = String(body.dropLast()) }
        return result
    }

    /// Writes sections in the given order; each body is kept byte for byte.
    static func write(_ file: String, sections: [(name: String, body: String)]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var text = ""
        for section in sections {
            text += sectionMarker + section.name + "\n" + section.body + "\n"
        }
        try text.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }
}

/// Runs the real kubectl (only while recording).
enum Kubectl {
    static func run(_ arguments: [String], stdin: String? = nil) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        // A kubeconfig is never needed: every command used here is local.
        environment["KUBECONFIG"] = "/dev/null"
        let result = try TestProcess.run(
            "/usr/bin/env", ["kubectl"] + arguments, environment: environment, input: stdin)
        guard result.status == 0 else { throw KubectlFailure(message: result.stderr) }
        return result.stdout
    }

    struct KubectlFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { "kubectl failed: \(message)" }
    }

    static func temporaryFile(_ contents: [UInt8], suffix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("datumyaml-\(UUID().uuidString)\(suffix)")
        try Data(contents).write(to: url)
        return url
    }
}
