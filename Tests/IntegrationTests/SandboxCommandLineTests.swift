import Foundation
import TestSupport
import Testing

/// `datumctl-sandbox`'s command line follows datumctl's conventions: help on stdout with exit 0,
/// usage errors on stderr with exit 64, and an address that is taken is said in words before
/// anything is written.
@Suite struct SandboxCommandLineTests {
    @Test func helpGoesToStandardOutput() throws {
        let run = try TestProcess.run(SandboxBinaries.sandbox, ["--help"])
        #expect(run.status == 0)
        #expect(run.stderr == "")
        #expect(run.stdout.hasPrefix("A local, kubectl-compatible, project-scoped API server.\n"))
        #expect(run.stdout.contains("Usage:\n  datumctl-sandbox --data-dir DIR [options]\n"))
    }

    @Test(arguments: [
        (["--data-dir", "/nonexistent/x", "--bogus"], "error: unknown flag: --bogus"),
        (["--listen", "127.0.0.1:0"], "error: required flag(s) \"data-dir\" not set"),
        (["--data-dir", "/nonexistent/x", "--listen", "8443"], "error: invalid argument \"8443\" for \"--listen\" flag: expected HOST:PORT"),
    ])
    func usageErrorsExit64(arguments: [String], message: String) throws {
        let run = try TestProcess.run(SandboxBinaries.sandbox, arguments)
        #expect(run.status == 64)
        #expect(run.stdout == "")
        #expect(run.stderr == message + "\nSee 'datumctl-sandbox -h' for help and examples\n")
    }

    @Test func aTakenPortIsSaidInWordsAndNothingIsWritten() throws {
        let (descriptor, port) = try Loopback.listener()
        defer { close(descriptor) }
        let directory = try TemporaryDirectory()
        let data = directory.path + "/data"

        let run = try TestProcess.run(SandboxBinaries.sandbox, ["--listen", "127.0.0.1:\(port)", "--data-dir", data])

        #expect(run.status == 1)
        #expect(run.stderr == "datumctl-sandbox: address 127.0.0.1:\(port) is already in use\n")
        #expect(!FileManager.default.fileExists(atPath: data))
    }
}
