import DatumKit
import DatumSystem
import FoundationEssentials

/// Runs the user's diff program (`DATUMCTL_EXTERNAL_DIFF`) on two directories holding the live
/// and the merged objects, one file each, as kubectl does with `KUBECTL_EXTERNAL_DIFF`.
///
/// The variable is split at spaces: the first word is the program (looked up in `PATH`), and of
/// the other words only those made of letters, digits, `-` and `=` are passed on, so the
/// variable cannot smuggle in shell syntax or file names.
struct ExternalDiff {
    var program: String
    var arguments: [String]
    var ignoredArguments: [String]
    var path: String
    var temporaryDirectory: String

    init(command: String, variables: [String: String]) {
        let words = command.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        program = words.first ?? ""
        let rest = words.dropFirst()
        arguments = rest.filter(Self.isSafeArgument)
        ignoredArguments = rest.filter { !Self.isSafeArgument($0) }
        path = variables["PATH"] ?? "/usr/bin:/bin"
        temporaryDirectory = variables["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    static func isSafeArgument(_ word: String) -> Bool {
        !word.isEmpty
            && word.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    || $0 == "="
            }
    }

    /// The program's exit status is the command's: 0 (no differences) and 1 (differences) pass
    /// through, anything else is a failure.
    func run(_ versions: [DiffCommand.Versions], stdout: OutputSink, stderr: OutputSink) throws(CLIError) -> ExitCode {
        for ignored in ignoredArguments {
            stderr.line(
                "Warning: DATUMCTL_EXTERNAL_DIFF: ignoring argument \(ignored): only letters, digits, - and = are allowed"
            )
        }
        guard let executable = resolve() else {
            throw CLIError(.io, "failed to run \"\(program)\": executable file not found in $PATH")
        }
        let root = FileSystem.join(temporaryDirectory, "datumctl-diff-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let live = root + "/LIVE"
        let merged = root + "/MERGED"
        do {
            try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: merged, withIntermediateDirectories: true)
            for version in versions {
                try Data(version.live.utf8).write(to: URL(fileURLWithPath: live + "/" + version.name))
                try Data(version.merged.utf8).write(to: URL(fileURLWithPath: merged + "/" + version.name))
            }
        } catch {
            throw CLIError(.io, "cannot write the objects to compare under \(root): \(error)")
        }

        let status: Int32
        do {
            status = try Subprocess.run(
                executable, arguments: arguments + [live, merged], output: stdout.writeBytes, error: stderr.writeBytes)
        } catch {
            throw CLIError(.io, "failed to run \"\(program)\": \(error)")
        }
        switch status {
        case 0: return .success
        case 1: return .failure
        case let status:
            throw CLIError(.io, "\"\(program)\" exited with status \(status)")
        }
    }

    private func resolve() -> String? {
        if program.contains("/") { return PluginFinder.isExecutableFile(program) ? program : nil }
        for directory in path.split(separator: ":") {
            let candidate = FileSystem.join(String(directory), program)
            if PluginFinder.isExecutableFile(candidate) { return candidate }
        }
        return nil
    }
}
