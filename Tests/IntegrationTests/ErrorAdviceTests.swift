import Foundation
import TestSupport
import Testing

/// Every "do this next" that an error or warning prints is a command that works when run as printed,
/// with the user's own names in place of the placeholders (`PROJECT`, `CONTEXT_NAME`, `<resource>`)
/// and the user's own connection settings.
@Suite(.serialized) struct ErrorAdviceTests {
    /// The datumctl commands quoted in `text` (`'datumctl ...'` or `"datumctl ..."`).
    static func advisedCommands(in text: String) -> [String] {
        text.matches(of: /['"](datumctl [^'"]+)['"]/).map { String($0.1) }
    }

    static func filled(_ command: String) -> [String] {
        command.replacing("<resource>", with: "backendtlspolicies").replacing("PROJECT", with: "p1")
            .replacing("CONTEXT_NAME", with: "other").split(separator: " ").dropFirst().map(String.init)
    }

    /// Invocations that fail (or warn) with advice, and whether the advice needs the connection flags.
    static let failing: [[String]] = [
        ["get"], ["describe"], ["explain"], ["delete"], ["apply"], ["diff"], ["get", "--bogus-flag"],
        ["api-resources", "extra"], ["config", "set-context"],
    ]

    @Test func theAdviceOfEveryUsageErrorWorks() throws {
        try withSandbox { sandbox in
            var advised = 0
            for arguments in Self.failing {
                let failed = try sandbox.datumctl(arguments)
                #expect(failed.status != 0, "\(arguments)")
                let commands = Self.advisedCommands(in: failed.stderr)
                #expect(!commands.isEmpty, "\(arguments) gives no advice: \(failed.stderr)")
                for command in commands {
                    let followed = try sandbox.datumctl(Self.filled(command))
                    #expect(followed.status == 0, "\(command) (after \(arguments)): \(followed.stderr)")
                    advised += 1
                }
            }
            #expect(advised >= Self.failing.count)
        }
    }

    @Test func theNoProjectAdviceWorksOnAFreshMachine() throws {
        try withSandbox { sandbox in
            let flags = ["--server", sandbox.url, "--token", sandbox.adminToken] + ["--certificate-authority", sandbox.certificates?.caPath ?? ""]
            let failed = try sandbox.datumctl(["get", "backendtlspolicies"] + flags, connect: false)
            #expect(failed.status == 1)
            let commands = Self.advisedCommands(in: failed.stderr)
            #expect(commands == ["datumctl config set-context --current --project PROJECT"])
            for command in commands {
                #expect(try sandbox.datumctl(Self.filled(command), connect: false).status == 0)
            }
            let again = try sandbox.datumctl(["get", "backendtlspolicies"] + flags, connect: false)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stderr == "No resources found in default namespace.\n")
        }
    }

    @Test func deletingTheCurrentContextNamesAWorkingWayBack() throws {
        try withSandbox { sandbox in
            #expect(try sandbox.datumctl(["config", "set-context", "other", "--project", "p1"], connect: false).status == 0)
            #expect(try sandbox.datumctl(["config", "set-context", "gone", "--project", "p2"], connect: false).status == 0)
            #expect(try sandbox.datumctl(["config", "use-context", "gone"], connect: false).status == 0)
            let deleted = try sandbox.datumctl(["config", "delete-context", "gone"], connect: false)
            #expect(deleted.status == 0)
            let commands = Self.advisedCommands(in: deleted.stderr)
            #expect(commands == ["datumctl config use-context CONTEXT_NAME"])
            for command in commands {
                let followed = try sandbox.datumctl(Self.filled(command), connect: false)
                #expect(followed.status == 0, "\(followed.stderr)")
            }
        }
    }
}
