import Foundation
import TestSupport

@testable import DatumCLI

/// Runs datumctl in-process with captured streams.
struct CLIRun {
    var exitCode: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The repository root (for docs/examples and other checked-in inputs).
    static let repositoryRoot = Repository.root

    static func run(
        _ arguments: [String], stdin: String = "", in directory: String = repositoryRoot,
        variables: [String: String] = [:], width: Int = 80
    ) -> CLIRun {
        let out = OutputSink.memory()
        let err = OutputSink.memory()
        let input = Array(stdin.utf8)
        let environment = CommandEnvironment(
            arguments: arguments, variables: variables, stdout: out, stderr: err,
            readStandardInput: { input }, currentDirectory: directory,
            now: { Date(timeIntervalSince1970: 1_796_000_000) }, terminalWidth: width)
        let code = Datumctl.main(environment)
        return CLIRun(exitCode: code, stdout: out.text, stderr: err.text)
    }
}
