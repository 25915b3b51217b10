import DatumArguments
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// Records the plugin datumctl would `execv`, so dispatch is tested in-process.
final class RecordingLauncher: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(path: String, arguments: [String])] = []

    var launched: [(path: String, arguments: [String])] { lock.withLock { calls } }

    var launcher: PluginLauncher {
        PluginLauncher { path, arguments in
            self.lock.withLock { self.calls.append((path, arguments)) }
            return "Exec format error"
        }
    }
}

/// A PATH of temporary directories holding plugin files.
struct PluginPath {
    let directory: TemporaryDirectory
    var first: String { directory.path + "/first" }
    var second: String { directory.path + "/second" }
    var path: String { first + ":" + second }

    init() throws {
        directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/first", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/second", withIntermediateDirectories: true)
    }

    @discardableResult
    func add(_ name: String, in folder: String? = nil, executable: Bool = true, body: String = "#!/bin/sh\nexit 0\n")
        throws -> String
    {
        let folder = folder ?? first
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = folder + "/" + name
        try body.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, executable ? 0o755 : 0o644)
        return file
    }
}

@Suite struct PluginDispatchTests {
    static func run(_ arguments: [String], path: String, launcher: RecordingLauncher) -> CLIRun {
        let out = OutputSink.memory()
        let err = OutputSink.memory()
        let environment = CommandEnvironment(
            arguments: arguments, variables: ["PATH": path, "HOME": "/nonexistent"], stdout: out, stderr: err,
            readStandardInput: { [] }, currentDirectory: "/")
        let code = Datumctl.main(environment, launcher: launcher.launcher)
        return CLIRun(exitCode: code, stdout: out.text, stderr: err.text)
    }

    @Test func unknownFirstWordRunsThePluginWithTheRemainingArguments() throws {
        let plugins = try PluginPath()
        let foo = try plugins.add("datumctl-foo")
        let recorder = RecordingLauncher()
        let run = Self.run(["foo", "--flag", "value", "-x"], path: plugins.path, launcher: recorder)
        #expect(recorder.launched.map(\.path) == [foo])
        #expect(recorder.launched.first?.arguments == ["--flag", "value", "-x"])
        // Only reached when execv failed.
        #expect(run.exitCode == 1)
        #expect(run.stderr == "error: failed to run plugin \(foo): Exec format error\n")
    }

    @Test(arguments: [
        (["foo", "bar", "baz"], "datumctl-foo-bar", ["baz"]),
        (["foo", "bar", "-x", "more"], "datumctl-foo-bar", ["-x", "more"]),
        (["foo", "qux"], "datumctl-foo", ["qux"]),
        (["my-tool", "arg"], "datumctl-my_tool", ["arg"]),
        (["sandbox", "--listen", "127.0.0.1:0"], "datumctl-sandbox", ["--listen", "127.0.0.1:0"]),
    ])
    func longestNameWinsAndDashesBecomeUnderscores(_ arguments: [String], _ plugin: String, _ rest: [String]) throws {
        let plugins = try PluginPath()
        for name in ["datumctl-foo", "datumctl-foo-bar", "datumctl-my_tool", "datumctl-sandbox"] {
            try plugins.add(name)
        }
        let found = PluginFinder(directories: [plugins.first]).resolve(arguments)
        #expect(found?.path == plugins.first + "/" + plugin)
        #expect(found?.arguments == rest)
    }

    @Test func earlierPathEntriesWinAndNonExecutablesAreSkipped() throws {
        let plugins = try PluginPath()
        try plugins.add("datumctl-foo", in: plugins.first, executable: false)
        let second = try plugins.add("datumctl-foo", in: plugins.second)
        try plugins.add("datumctl-bar", in: plugins.second)
        let early = try plugins.add("datumctl-bar", in: plugins.first)
        let finder = PluginFinder(variables: ["PATH": plugins.path + "::" + plugins.first])
        #expect(finder.directories == [plugins.first, plugins.second])
        #expect(finder.lookup("foo") == second)
        #expect(finder.lookup("bar") == early)
        #expect(finder.lookup("baz") == nil)
    }

    @Test func builtinCommandsCannotBeShadowed() throws {
        let plugins = try PluginPath()
        for name in ["datumctl-version", "datumctl-config", "datumctl-help", "datumctl-__complete"] {
            try plugins.add(name)
        }
        let recorder = RecordingLauncher()
        let version = Self.run(["version", "--client"], path: plugins.path, launcher: recorder)
        #expect(version.stdout.hasPrefix("Client Version: "))
        _ = Self.run(["config", "current-context"], path: plugins.path, launcher: recorder)
        _ = Self.run(["help", "version"], path: plugins.path, launcher: recorder)
        let complete = Self.run(["__complete", "vers"], path: plugins.path, launcher: recorder)
        #expect(complete.stdout == "version\tPrint the client and server version information\n:4\n")
        #expect(recorder.launched.isEmpty)
    }

    @Test func unknownCommandWithoutAPluginIsAUsageErrorWithSuggestions() throws {
        let plugins = try PluginPath()
        let recorder = RecordingLauncher()
        let run = Self.run(["verison"], path: plugins.path, launcher: recorder)
        #expect(run.exitCode == 64)
        #expect(
            run.stderr.hasPrefix(
                "error: unknown command \"verison\" for \"datumctl\"\n\nDid you mean this?\n\tversion\n"))
        #expect(recorder.launched.isEmpty)
    }

    @Test func flagsBeforeThePluginNameAreRejectedAsKubectlDoes() throws {
        let plugins = try PluginPath()
        try plugins.add("datumctl-foo")
        let recorder = RecordingLauncher()
        let run = Self.run(["--project", "p", "foo"], path: plugins.path, launcher: recorder)
        #expect(run.exitCode == 64)
        #expect(run.stderr == "error: flags cannot be placed before plugin name: --project\n")
        #expect(recorder.launched.isEmpty)
        let json = Self.run(["--error-format=json", "foo"], path: plugins.path, launcher: recorder)
        #expect(
            json.stderr
                == #"{"error":{"code":"USAGE","message":"flags cannot be placed before plugin name: --error-format=json","retryable":false,"kind":"usage"}}"#
                + "\n")
    }

    // MARK: - plugin list

    @Test func listShowsPluginsWithKubectlsWarnings() throws {
        let plugins = try PluginPath()
        try plugins.add("datumctl-foo", in: plugins.first)
        try plugins.add("datumctl-bar", in: plugins.first, executable: false)
        try plugins.add("datumctl-foo", in: plugins.second)
        try plugins.add("datumctl-config-view", in: plugins.second)
        try plugins.add("not-a-plugin", in: plugins.second)
        try FileManager.default.createDirectory(
            atPath: plugins.second + "/datumctl-dir", withIntermediateDirectories: true)
        let recorder = RecordingLauncher()
        let run = Self.run(["plugin", "list"], path: plugins.path + ":/does/not/exist", launcher: recorder)
        #expect(
            run.stdout == """
                The following compatible plugins are available:

                \(plugins.first)/datumctl-bar
                \(plugins.first)/datumctl-foo
                \(plugins.second)/datumctl-config-view
                \(plugins.second)/datumctl-foo

                """)
        #expect(
            run.stderr == """
                  - warning: \(plugins.first)/datumctl-bar identified as a datumctl plugin, but it is not executable
                  - warning: datumctl-config-view overwrites existing command: "datumctl config view"
                  - warning: \(plugins.second)/datumctl-foo is overshadowed by a similarly named plugin: \(plugins.first)/datumctl-foo
                Unable to read directory "/does/not/exist" from your PATH: open /does/not/exist: no such file or directory. Skipping...
                error: 3 plugin warnings were found

                """)
        #expect(run.exitCode == 1)
    }

    @Test func listNameOnlyWithoutWarningsSucceeds() throws {
        let plugins = try PluginPath()
        try plugins.add("datumctl-sandbox")
        try plugins.add("datumctl-foo_bar")
        let run = Self.run(["plugin", "list", "--name-only"], path: plugins.path, launcher: RecordingLauncher())
        #expect(run.stdout == "The following compatible plugins are available:\n\ndatumctl-foo_bar\ndatumctl-sandbox\n")
        #expect(run.stderr == "")
        #expect(run.exitCode == 0)
    }

    @Test func theSameFolderTwiceOnPathIsOneFolder() throws {
        let plugins = try PluginPath()
        try plugins.add("datumctl-foo")
        // The build folder's `.build/debug` is such a symlink; a trailing slash is another spelling.
        let link = plugins.directory.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: plugins.first)
        let path = [plugins.first, link, plugins.first + "/"].joined(separator: ":")
        let run = Self.run(["plugin", "list"], path: path, launcher: RecordingLauncher())
        #expect(run.stdout == "The following compatible plugins are available:\n\n\(plugins.first)/datumctl-foo\n")
        #expect(run.stderr == "")
        #expect(run.exitCode == 0)
    }

    @Test func aSymlinkedPluginFileIsTheSamePlugin() throws {
        let plugins = try PluginPath()
        let original = try plugins.add("datumctl-foo")
        try FileManager.default.createSymbolicLink(
            atPath: plugins.second + "/datumctl-foo", withDestinationPath: original)
        let run = Self.run(["plugin", "list"], path: plugins.path, launcher: RecordingLauncher())
        #expect(run.stdout == "The following compatible plugins are available:\n\n\(original)\n")
        #expect(run.stderr == "")
        #expect(run.exitCode == 0)
    }

    @Test func listWithOneWarning() throws {
        let plugins = try PluginPath()
        try plugins.add("datumctl-version")
        let run = Self.run(["plugin", "list"], path: plugins.path, launcher: RecordingLauncher())
        #expect(
            run.stderr
                == "  - warning: datumctl-version overwrites existing command: \"datumctl version\"\nerror: one plugin warning was found\n"
        )
        #expect(run.exitCode == 1)
    }

    @Test func listWithoutPluginsFails() throws {
        let plugins = try PluginPath()
        let run = Self.run(["plugin", "list"], path: plugins.path, launcher: RecordingLauncher())
        #expect(run.stdout == "")
        #expect(run.stderr == "error: unable to find any datumctl plugins in your PATH\n")
        #expect(run.exitCode == 1)
    }

    @Test func pluginGroupPrintsItsHelp() {
        let run = CLI.run(["plugin"])
        #expect(run.exitCode == 0)
        #expect(run.stdout.hasPrefix("Provides utilities for interacting with plugins.\n"))
        #expect(
            run.stdout.contains("Available Commands:\n  list   List all visible plugin executables on a user's PATH\n"))
    }

    @Test func optionsCommandPrintsTheGlobalOptions() {
        let run = CLI.run(["options"], width: 100)
        #expect(run.exitCode == 0)
        #expect(run.stdout == HelpRenderer(root: Datumctl.rootSpec, width: 100).renderGlobalOptions())
        #expect(run.stdout.hasPrefix("The following options can be passed to any command:\n\n"))
        #expect(run.stdout.contains("      --project=PROJECT "))
    }
}

/// The real binaries: `execv` hands the process over to the plugin (same pid, exit status,
/// signals), and `datumctl sandbox` reaches the `datumctl-sandbox` built beside datumctl.
@Suite(.serialized) struct PluginExecTests {
    static let datumctl = TestProcess.productsDirectory + "/datumctl"
    static let sandbox = TestProcess.productsDirectory + "/datumctl-sandbox"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: datumctl)))
    func pluginReplacesTheProcessAndKeepsItsExitStatus() throws {
        let plugins = try PluginPath()
        try plugins.add("datumctl-hello", body: "#!/bin/sh\necho \"pid=$$ args=$*\"\nexit 7\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.datumctl)
        process.arguments = ["hello", "a b", "--x=1"]
        process.environment = ["PATH": plugins.path + ":/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // The plugin's $$ is datumctl's pid: execv, not a child process.
        #expect(output == "pid=\(process.processIdentifier) args=a b --x=1\n")
        #expect(process.terminationStatus == 7)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: datumctl)))
    func signalsReachThePlugin() throws {
        let plugins = try PluginPath()
        try plugins.add("datumctl-stop", body: "#!/bin/sh\nkill -TERM $$\nsleep 5\n")
        let result = try TestProcess.run(
            Self.datumctl, ["stop"], environment: ["PATH": plugins.path + ":/usr/bin:/bin"])
        #expect(result.terminatedBySignal)
        #expect(result.status == SIGTERM)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: datumctl)))
    func pluginStartsWithNoSignalBlockedAndDefaultSigpipe() throws {
        let plugins = try PluginPath()
        // The shell reads its own status without forking (a forking shell blocks signals meanwhile).
        try plugins.add(
            "datumctl-status",
            body:
                "#!/bin/sh\nwhile read -r key value; do case $key in SigBlk:|SigIgn:) echo \"$key\t$value\";; esac; done < /proc/$$/status\n"
        )
        let result = try TestProcess.run(
            Self.datumctl, ["status"], environment: ["PATH": plugins.path + ":/usr/bin:/bin"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "SigBlk:\t0000000000000000")
        // Bit 13 (SIGPIPE) is not ignored.
        let ignored = UInt64(lines.last?.split(separator: "\t").last ?? "", radix: 16) ?? 0
        #expect(ignored & (1 << (UInt64(SIGPIPE) - 1)) == 0)
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: datumctl)
                && FileManager.default.isExecutableFile(atPath: sandbox)))
    func sandboxWordStartsTheSandboxBesideDatumctl() throws {
        let data = try TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.datumctl)
        process.arguments = ["sandbox", "--listen", "127.0.0.1:0", "--data-dir", data.path + "/state"]
        // Not on PATH: found in the directory of the datumctl binary.
        process.environment = ["PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
        }
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        let address = String(decoding: line, as: UTF8.self)
        #expect(address.hasPrefix("listening on http://127.0.0.1:"))
        #expect(FileManager.default.fileExists(atPath: data.path + "/state/admin-token"))
        // It serves: an unauthenticated request gets the API server's 401.
        let probe = try TestProcess.run(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", String(address.dropFirst("listening on ".count)) + "/api"])
        #expect(probe.stdout == "401")
        // The pid datumctl started with is the sandbox's: stopping it by pid stops the server, even
        // though this test runner spawned datumctl with SIGTERM blocked.
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!process.isRunning, "the sandbox ignored SIGTERM")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
