import DatumArguments
import Foundation
import Testing

@testable import DatumCLI

/// Usage errors point at the argv word they are about: a caret line in text on a terminal, and
/// `"argv": N` in JSON; piped text keeps kubectl's words exactly.
@Suite struct ArgvPointerTests {
    static func run(_ arguments: [String], terminal: Bool) -> (status: Int32, stderr: String) {
        let err = OutputSink.memory(isTerminal: terminal)
        let environment = CommandEnvironment(
            arguments: arguments, variables: [:], stdout: .memory(), stderr: err, readStandardInput: { [] },
            currentDirectory: "/", now: { Date(timeIntervalSince1970: 0) }, terminalWidth: 80)
        let status = Datumctl.main(environment)
        return (status, err.text)
    }

    @Test func aCaretUnderTheUnknownFlagOnATerminal() {
        let result = Self.run(["get", "backendtlspolicies", "--wath"], terminal: true)
        #expect(result.status == 64)
        #expect(
            result.stderr == """
                error: unknown flag: --wath
                  datumctl get backendtlspolicies --wath
                                                  ^^^^^^
                Did you mean '--watch'?
                See 'datumctl get -h' for help and examples

                """)
    }

    @Test func pipedTextKeepsKubectlsWords() {
        let result = Self.run(["get", "backendtlspolicies", "--wath"], terminal: false)
        #expect(
            result.stderr
                == "error: unknown flag: --wath\nDid you mean '--watch'?\nSee 'datumctl get -h' for help and examples\n")
    }

    @Test func jsonCarriesTheIndexInstead() {
        let result = Self.run(["get", "--wath", "--error-format", "json"], terminal: true)
        #expect(result.stderr.contains(#""argv":1"#))
        #expect(!result.stderr.contains("^"))
    }

    @Test func aLetterOfAShortCluster() {
        let result = Self.run(["get", "backendtlspolicies", "-AZ"], terminal: true)
        #expect(result.stderr.contains("  datumctl get backendtlspolicies -AZ\n                                    ^\n"))
    }

    @Test func wordsAreShownAsAShellNeedsThem() {
        #expect(
            ArgvPointer.render(program: "datumctl", arguments: ["get", "a b", "", "it's", "--x"], index: 4)
                == "  datumctl get 'a b' '' 'it'\\''s' --x\n                                  ^^^")
        #expect(ArgvPointer.render(program: "datumctl", arguments: ["get"], index: 3) == nil)
        #expect(ArgvPointer.render(program: "datumctl", arguments: ["get"], index: nil) == nil)
    }
}
