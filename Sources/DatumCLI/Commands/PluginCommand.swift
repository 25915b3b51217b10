import DatumArguments
import DatumJSON
import DatumKit
import DatumSystem
import Glibc
import GoCompat

/// Finds plugins as kubectl does: executables named `datumctl-<name>` in the directories of
/// `PATH`, then in the directory of the running `datumctl` binary (so `datumctl sandbox` reaches
/// the `datumctl-sandbox` installed beside it even when that directory is not on `PATH`).
public struct PluginFinder: Sendable {
    public static let prefix = "datumctl-"

    /// Directories in search order, empty entries and duplicates removed. Two entries are the same
    /// directory when they name the same file (device and inode), however they are spelled
    /// (`.build/debug` and the folder that symlink points to; a trailing slash).
    public var directories: [String]

    public init(directories: [String]) {
        var seenPaths = Set<String>()
        var seenFiles = Set<FileIdentity>()
        self.directories = directories.filter { directory in
            guard !directory.trimmingGoWhitespace().isEmpty, seenPaths.insert(directory).inserted else { return false }
            guard let identity = FileIdentity(path: directory) else { return true }
            return seenFiles.insert(identity).inserted
        }
    }

    /// `PATH` from `variables`, then the running datumctl binary's directory.
    public init(variables: [String: String]) {
        let path = (variables["PATH"] ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        self.init(directories: path + (Self.executableDirectory.map { [$0] } ?? []))
    }

    /// The directory of the running binary when it is datumctl itself (not a test runner).
    static let executableDirectory: String? = {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { chars -> Int in
                guard let base = chars.baseAddress else { return -1 }
                return readlink("/proc/self/exe", base, chars.count - 1)
            }
        }
        guard count > 0 else { return nil }
        let target = String(decoding: buffer[..<count], as: UTF8.self)
        return FileSystem.lastComponent(of: target) == "datumctl" ? FileSystem.parent(of: target) : nil
    }()

    /// The first executable regular file called `datumctl-<name>`.
    public func lookup(_ name: String) -> String? {
        for directory in directories {
            let path = FileSystem.join(directory, Self.prefix + name)
            if Self.isExecutableFile(path) { return path }
        }
        return nil
    }

    /// kubectl's dispatch rule: the leading words up to the first flag name the plugin, longest
    /// match first (`datumctl foo bar` tries `datumctl-foo-bar`, then `datumctl-foo`); dashes inside
    /// a word become underscores. Returns the plugin and the arguments it receives.
    public func resolve(_ arguments: [String]) -> (path: String, arguments: [String])? {
        var pieces: [String] = []
        for word in arguments {
            if word.hasPrefix("-") { break }
            pieces.append(word.replacing("-", with: "_"))
        }
        while !pieces.isEmpty {
            if let path = lookup(pieces.joined(separator: "-")) {
                return (path, Array(arguments.dropFirst(pieces.count)))
            }
            pieces.removeLast()
        }
        return nil
    }

    /// The files in `directory` whose names start with `datumctl-`, sorted (subdirectories left
    /// out), or why the directory cannot be read, worded as Go words it.
    static func files(in directory: String) -> Result<[String], PluginDirectoryError> {
        let names: [String]
        do {
            names = try FileSystem.contents(ofDirectory: directory)
        } catch {
            var reason = error.description
            if let first = reason.first { reason = first.lowercased() + reason.dropFirst() }
            return .failure(PluginDirectoryError(message: "open \(directory): \(reason)"))
        }
        return .success(
            names.filter { $0.hasPrefix(prefix) && FileSystem.entry(at: FileSystem.join(directory, $0)) != .directory })
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG && (info.st_mode & 0o111) != 0
    }
}

/// A file as the kernel knows it (device and inode), so two spellings of one path compare equal.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// The identity of what `path` names, following symbolic links; nil when it cannot be read.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// Why a directory on PATH could not be listed.
struct PluginDirectoryError: Error, Sendable {
    var message: String
}

/// Starts a plugin in place of datumctl; injected so tests can run datumctl in-process.
public struct PluginLauncher: Sendable {
    /// Replaces the process with `path`, passing `arguments` (after argv[0]); returns only when
    /// that failed, with the reason.
    public var execute: @Sendable (_ path: String, _ arguments: [String]) -> String

    public init(execute: @escaping @Sendable (_ path: String, _ arguments: [String]) -> String) {
        self.execute = execute
    }

    /// `execv`: the plugin takes over this process (same pid, environment and descriptors), so
    /// signals reach it directly and its exit status is datumctl's.
    public static let process = PluginLauncher { path, arguments in
        // A blocked or ignored signal survives exec. The plugin starts as a fresh program would:
        // nothing blocked (a parent may have spawned datumctl with signals blocked) and SIGPIPE
        // at its default (the Swift runtime ignores it), as after kubectl's exec.
        var nothing = sigset_t()
        sigemptyset(&nothing)
        sigprocmask(SIG_SETMASK, &nothing, nil)
        signal(SIGPIPE, SIG_DFL)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        execv(path, argv)
        return String(cString: strerror(errno))
    }
}

extension PluginLauncher {
    /// Runs the plugin the first words name when the first word is no built-in command
    /// (built-ins always win, so a plugin cannot shadow one). Returns the exit status when a
    /// plugin was found but could not be started, `nil` when there is no plugin to run.
    func dispatch(_ environment: CommandEnvironment, root: CommandSpec) -> Int32? {
        let arguments = environment.arguments
        guard let first = arguments.first, !first.hasPrefix("-"), first != "help",
            root.subcommand(named: first) == nil,
            let plugin = PluginFinder(variables: environment.variables).resolve(arguments)
        else { return nil }
        // Whatever was buffered must be out before the process image is replaced.
        environment.stdout.flush()
        environment.stderr.flush()
        let reason = execute(plugin.path, plugin.arguments)
        Diagnostics(format: Datumctl.requestedErrorFormat(arguments), sink: environment.stderr).report(
            CLIError(.io, "failed to run plugin \(plugin.path): \(reason)"))
        return ExitCode.failure.rawValue
    }

    /// kubectl's error for `datumctl --flag foo` when `foo` is a plugin: its name must come first,
    /// so that the flags are unambiguously the plugin's.
    static func misplacedFlagError(_ error: UsageError, environment: CommandEnvironment, root: CommandSpec)
        -> CLIError?
    {
        guard case .unknownCommand(let word, _) = error.reason, error.commandPath == [root.name],
            let first = environment.arguments.first, first.hasPrefix("-"),
            PluginFinder(variables: environment.variables).lookup(word.replacing("-", with: "_")) != nil
        else { return nil }
        return CLIError(.usage, "flags cannot be placed before plugin name: \(first)")
    }
}

/// `datumctl plugin ...`.
enum PluginCommands {
    static let members: [any CLICommand.Type] = [PluginListCommand.self]

    static let spec = CommandSpec(
        "plugin", group: .other,
        summary: "Provides utilities for interacting with plugins",
        discussion: """
            Provides utilities for interacting with plugins.

            Plugins provide extended functionality that is not part of datumctl itself. A plugin is any \
            executable named datumctl-NAME on your PATH (or beside the datumctl binary); 'datumctl NAME \
            ARGS...' runs it with ARGS, its environment and exit status passing straight through. Plugins \
            cannot replace built-in commands. The API sandbox ships as the plugin datumctl-sandbox, so \
            'datumctl sandbox' starts it.
            """,
        examples: [
            Example("List all available plugins", "datumctl plugin list"),
            Example("List only binary names of available plugins without paths", "datumctl plugin list --name-only"),
            Example(
                "Start the local API sandbox (the datumctl-sandbox plugin)",
                "datumctl sandbox --listen 127.0.0.1:8443 --data-dir ./sandbox"),
        ],
        subcommands: members.map { $0.spec })
}

/// `datumctl plugin list`: kubectl's listing, warnings and exit status.
struct PluginListCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let nameOnly = OptionSpec(
            "name-only",
            help: "If true, display only the binary name of each plugin, rather than its full path.")
    }

    static let spec = CommandSpec(
        "list", group: .other,
        summary: "List all visible plugin executables on a user's PATH",
        discussion: """
            List all available plugin files on a user's PATH, then in the directory of the datumctl binary. \
            To see plugins binary names without the full path use --name-only flag.

            Available plugin files are those that are executable, anywhere on the user's PATH, and whose \
            name begins with "datumctl-". Warnings are printed for plugins that are not executable, that \
            are overshadowed by a plugin of the same name earlier in the search, or that are named like a \
            built-in command (which always wins); any warning makes the exit status 1.
            """,
        examples: [
            Example("List all available plugins", "datumctl plugin list"),
            Example("List only binary names of available plugins without paths", "datumctl plugin list --name-only"),
        ],
        options: [
            Option.nameOnly
        ])

    var nameOnly: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        nameOnly = parsed.flag(Option.nameOnly)
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let finder = PluginFinder(variables: context.environment.variables)
        var found = false
        var seen: [String: String] = [:]
        var listedFiles = Set<FileIdentity>()
        var warnings = 0
        // Directory by directory, as kubectl does, so messages appear next to what they are about.
        for directory in finder.directories {
            let names: [String]
            switch PluginFinder.files(in: directory) {
            case .failure(let error):
                context.stderr.line(
                    "Unable to read directory \(GoFormat.quote(directory)) from your PATH: \(error.message). Skipping..."
                )
                continue
            case .success(let list):
                names = list
            }
            for name in names {
                let path = FileSystem.join(directory, name)
                // The same file reached twice (a symlinked folder or file on PATH) is one plugin.
                if let identity = FileIdentity(path: path), !listedFiles.insert(identity).inserted { continue }
                if !found { context.stdout.write("The following compatible plugins are available:\n\n") }
                found = true
                context.stdout.line(nameOnly ? name : path)
                var problems: [String] = []
                if !PluginFinder.isExecutableFile(path) {
                    problems.append("warning: \(path) identified as a datumctl plugin, but it is not executable")
                }
                if let earlier = seen[name] {
                    problems.append("warning: \(path) is overshadowed by a similarly named plugin: \(earlier)")
                } else {
                    seen[name] = path
                }
                if let command = Self.builtinCommand(shadowedBy: name) {
                    problems.append("warning: \(name) overwrites existing command: \"\(command)\"")
                }
                for problem in problems { context.stderr.line("  - " + problem) }
                warnings += problems.count
            }
        }

        var errors: [String] = []
        if !found { errors.append("unable to find any datumctl plugins in your PATH") }
        if warnings == 1 { errors.append("one plugin warning was found") }
        if warnings > 1 { errors.append("\(warnings) plugin warnings were found") }
        guard let first = errors.first else { return .success }
        throw CLIError(
            .configuration, first, detail: errors.dropFirst().map { "error: " + $0 }.joined(separator: "\n"))
    }

    /// The built-in command a plugin's name collides with (`datumctl-config-view` →
    /// `datumctl config view`); such plugins never run, as built-ins are resolved first.
    static func builtinCommand(shadowedBy fileName: String) -> String? {
        let pieces = fileName.dropFirst(PluginFinder.prefix.count).split(separator: "-").map(String.init)
        var chain = [Datumctl.rootSpec]
        for piece in pieces {
            guard let last = chain.last, let next = last.subcommand(named: piece) else { break }
            chain.append(next)
        }
        return chain.count > 1 ? chain.map(\.name).joined(separator: " ") : nil
    }
}
