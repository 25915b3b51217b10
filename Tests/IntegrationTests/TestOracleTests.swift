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
