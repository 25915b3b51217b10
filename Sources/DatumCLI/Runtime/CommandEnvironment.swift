import Foundation

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
        let info = ProcessInfo.processInfo
        var window = winsize()
        let windowColumns: Int? =
            ioctl(1, UInt(TIOCGWINSZ), &window) == 0 && window.ws_col > 0 ? Int(window.ws_col) : nil
        return CommandEnvironment(
            arguments: Array(CommandLine.arguments.dropFirst()),
            variables: info.environment,
            stdout: .standardOutput,
            stderr: .standardError,
            readStandardInput: { FileHandle.standardInput.readDataToEndOfFile().withUnsafeBytes { Array($0) } },
            currentDirectory: FileManager.default.currentDirectoryPath,
            terminalWidth: TerminalWidth.resolve(columnsVariable: info.environment["COLUMNS"], windowColumns: windowColumns))
    }

    /// Resolves a user-given path against the working directory.
    public func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/"), let home = variables["HOME"] { return home + path.dropFirst(1) }
        return currentDirectory.hasSuffix("/") ? currentDirectory + path : currentDirectory + "/" + path
    }
}
