import DatumArguments
import DatumKit
import DatumSystem
import FoundationEssentials
import GoCompat

#if canImport(Glibc)
    import Glibc
#endif

/// Everything a command may touch outside its own arguments, injected so that
/// every command can run in-process in tests: streams, environment variables,
/// stdin, the clock and the terminal.
public struct CommandEnvironment: Sendable {
    /// Arguments after the program name.
    public var arguments: [String]
    public var variables: [String: String]
    public var stdout: OutputSink
    public var stderr: OutputSink
    /// Reads all of standard input (for `-f -`).
    public var readStandardInput: @Sendable () -> [UInt8]
    public var currentDirectory: String
    public var now: @Sendable () -> Date
    /// Columns of the terminal (help wrapping); 80 when unknown.
    public var terminalWidth: Int

    public init(
        arguments: [String], variables: [String: String], stdout: OutputSink, stderr: OutputSink,
        readStandardInput: @escaping @Sendable () -> [UInt8], currentDirectory: String,
        now: @escaping @Sendable () -> Date = { Date() }, terminalWidth: Int = 80
    ) {
        self.arguments = arguments
        self.variables = variables
        self.stdout = stdout
        self.stderr = stderr
        self.readStandardInput = readStandardInput
        self.currentDirectory = currentDirectory
        self.now = now
        self.terminalWidth = terminalWidth
    }

    /// The environment of this process.
    public static func process() -> CommandEnvironment {
        let variables = processEnvironment()
        var window = winsize()
        let windowColumns: Int? =
            ioctl(1, UInt(TIOCGWINSZ), &window) == 0 && window.ws_col > 0 ? Int(window.ws_col) : nil
        return CommandEnvironment(
            arguments: Array(CommandLine.arguments.dropFirst()),
            variables: variables,
            stdout: .standardOutput,
            stderr: .standardError,
            readStandardInput: { (try? FileSystem.readToEnd(0)) ?? [] },
            currentDirectory: FileSystem.currentDirectory(),
            terminalWidth: TerminalWidth.resolve(columnsVariable: variables["COLUMNS"], windowColumns: windowColumns))
    }

    /// The process's environment variables (the first of duplicated names wins, as `getenv`).
    static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "="), result[String(text[..<equals])] == nil {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }

    /// Resolves a user-given path against the working directory.
    public func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/"), let home = variables["HOME"] { return FileSystem.expandingTilde(path, home: home) }
        return FileSystem.join(currentDirectory, path)
    }
}
