import Foundation
import TestSupport
import Testing

@testable import DatumCLI

/// The committed completion scripts (`completions/`), reference pages (`docs/commands/`) and
/// man pages (`docs/man/`) must be exactly what the generators make of datumctl's spec. When a
/// command changes, `DATUMCTL_RECORD=1 swift test --filter GeneratorDriftTests` rewrites them
/// (and removes the files of commands that are gone).
@Suite struct GeneratorDriftTests {
    static let root = URL(fileURLWithPath: CLI.repositoryRoot)
    static let generated = GeneratedReference.files(for: Datumctl.rootSpec, version: Datumctl.version)

    @Test(arguments: generated.map(\.path))
    func committedFileIsUpToDate(_ path: String) throws {
        let expected = try #require(Self.generated.first { $0.path == path }).text
        Snapshot.expect(
            expected, matchesFile: Self.root.appendingPathComponent(path), named: path,
            hint: "run DATUMCTL_RECORD=1 swift test --filter GeneratorDriftTests")
    }

    @Test func noFilesOfRemovedCommandsRemain() throws {
        let wanted = Set(Self.generated.map(\.path))
        for (folder, prefix) in GeneratedReference.folders(for: Datumctl.rootSpec) {
            let directory = Self.root.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where name.hasPrefix(prefix) && !wanted.contains(folder + "/" + name) {
                if Snapshot.isRecording {
                    try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
                    Issue.record("removed \(folder)/\(name); review the change, then run the tests again without DATUMCTL_RECORD")
                } else {
                    Issue.record("\(folder)/\(name) is not generated from the spec any more; remove it")
                }
            }
        }
    }

    @Test func everyVisibleCommandHasAPageAndAManPage() {
        let paths = Set(Self.generated.map(\.path))
        for node in CommandTree(root: Datumctl.rootSpec).nodes {
            #expect(paths.contains("docs/commands/\(node.fileStem).md"))
            #expect(paths.contains("docs/man/\(node.fileStem).1"))
        }
        #expect(!paths.contains { $0.contains("__complete") })
        #expect(
            paths.isSuperset(of: ["completions/datumctl.bash", "completions/_datumctl", "completions/datumctl.fish"]))
    }

    @Test(arguments: CompletionShell.allCases)
    func completionCommandPrintsTheCommittedScript(_ shell: CompletionShell) throws {
        let run = CLI.run(["completion", shell.rawValue])
        #expect(run.exitCode == 0)
        #expect(run.stderr == "")
        let committed = Self.generated.first { $0.path == "completions/" + shell.fileName(for: Datumctl.rootSpec) }
        #expect(run.stdout == committed?.text)
    }

    @Test func completionCommandRejectsOtherShells() {
        let run = CLI.run(["completion", "powershell"])
        #expect(run.exitCode == 64)
        #expect(
            run.stderr
                == "error: Unsupported shell type \"powershell\".\nSee 'datumctl completion -h' for help and examples\n"
        )
        let missing = CLI.run(["completion"])
        #expect(missing.exitCode == 64)
        #expect(missing.stderr.hasPrefix("error: SHELL is a required argument for the completion command\n"))
    }

    @Test func realSpecIsConsistent() {
        #expect(Datumctl.rootSpec.consistencyProblems() == [])
    }
}

/// The exit-status and error-kind tables in `docs/exit-codes.md` and `docs/ci.md` are rendered
/// from ``ErrorReference``; `DATUMCTL_RECORD=1 swift test --filter ErrorReferenceDriftTests`
/// rewrites the blocks between their markers.
@Suite(.serialized) struct ErrorReferenceDriftTests {
    @Test(arguments: ErrorReference.blocks.map { "\($0.path)#\($0.name)" })
    func documentedTableIsUpToDate(_ id: String) throws {
        let block = try #require(ErrorReference.blocks.first { "\($0.path)#\($0.name)" == id })
        let url = GeneratorDriftTests.root.appendingPathComponent(block.path)
        let document = try String(contentsOf: url, encoding: .utf8)
        let expected = try #require(
            ErrorReference.replacingBlock(named: block.name, with: block.text, in: document),
            "\(block.path) has no \"\(block.name)\" markers")
        if Snapshot.isRecording {
            if expected != document {
                try expected.write(to: url, atomically: true, encoding: .utf8)
                Issue.record("recorded \(block.path); review the change, then run the tests again without DATUMCTL_RECORD")
            }
            return
        }
        #expect(
            expected == document,
            "\(block.path): the \(block.name) table differs from ErrorReference; run DATUMCTL_RECORD=1 swift test --filter ErrorReferenceDriftTests\n\(Snapshot.lineDiff(expected: expected, actual: document))"
        )
    }

    @Test func everyKindIsDocumentedWithItsExitStatus() {
        for kind in CLIError.Kind.allCases {
            #expect(ErrorReference.errorKindTable.contains("| `\(kind.rawValue)` | \(kind == .usage ? 64 : 1) |"))
        }
        #expect(ErrorReference.statuses.map(\.code) == [.success, .failure, .usage])
    }
}
