import Foundation
import TestSupport
import Testing

/// The suites that compare with real tools skip themselves on a machine without those tools.
/// Under CI (`CI=true`) a skip would let a run pass without its referees, so there every one of
/// them must be present: this test fails the run instead.
@Suite struct TestOracleTests {
    static var underCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The tools the skipping suites wait for, and who uses them.
    static let oracles: [(path: String?, name: String, usedBy: String)] = [
        (SandboxBinaries.kubectl, "kubectl", "the kubectl compatibility suites"),
        (FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh") ? "/usr/bin/zsh" : nil, "zsh", "the zsh completion tests"),
        (FileManager.default.isExecutableFile(atPath: "/usr/bin/fish") ? "/usr/bin/fish" : nil, "fish", "the fish completion tests"),
        (TestProcess.which("man"), "man", "the man page tests"),
        (FileManager.default.isExecutableFile(atPath: "/usr/bin/script") ? "/usr/bin/script" : nil, "script", "the progress bar test"),
        (FileManager.default.isExecutableFile(atPath: "/usr/bin/diff") ? "/usr/bin/diff" : nil, "diff", "the diff tests"),
    ]

    @Test(.enabled(if: underCI, "not under CI: suites without their tools skip"))
    func everyOracleIsInstalledUnderCI() {
        for oracle in Self.oracles {
            #expect(oracle.path != nil, "\(oracle.name) is missing under CI=true, so \(oracle.usedBy) would be skipped; install it in .ci/run")
        }
    }
}

/// The harness itself: a child that never ends is killed by its pid, so the test fails in words.
@Suite struct TestHarnessTests {
    @Test func aChildThatNeverEndsIsKilledAfterItsTimeout() throws {
        let run = try TestProcess.run("/bin/sh", ["-c", "echo started; exec sleep 600"], timeout: .milliseconds(300))
        #expect(run.terminatedBySignal)
        #expect(run.stdout == "started\n")
        #expect(run.stderr.contains("[killed by the test harness after 0.3 seconds]"))
    }

    @Test func aChildThatEndsInTimeIsLeftAlone() throws {
        let run = try TestProcess.run("/bin/sh", ["-c", "echo done"], timeout: .seconds(60))
        #expect(!run.terminatedBySignal)
        #expect(run.status == 0 && run.stdout == "done\n" && run.stderr.isEmpty)
    }
}
