import Foundation

/// Runs programs to completion for the tests (shells, groff, openssl, curl, kubectl, the built
/// binaries) and collects their output. (Not `Subprocess`: DatumCLI has one of its own.)
public enum TestProcess {
    /// What a finished child left behind.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// The child was killed by a signal; `status` is then the signal number.
        public var terminatedBySignal: Bool

        public init(status: Int32, stdout: String, stderr: String, terminatedBySignal: Bool = false) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
            self.terminatedBySignal = terminatedBySignal
        }
    }

    /// Runs `executable` with `arguments` and waits for it. The environment is the test
    /// process's unless given; `input` is written to the child's stdin, which is then closed
    /// (it is closed at once without input).
    @discardableResult
    /// Runs a child to its end. A child still running after `timeout` (a sign-in waiting for a
    /// browser that failed, a server that never answers) is killed by its pid, so a broken test
    /// fails with what the child printed instead of hanging the whole run.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil, input: String? = nil, timeout: Duration = .seconds(600)
    ) throws -> Output {
        // posix_spawn and waitpid (``ChildProcess``), not Foundation's Process, which now and then
        // lost a child's exit and hung the run.
        let child = try ChildProcess(
            executable, arguments, environment: environment, currentDirectory: currentDirectory)
        let killed = LockedData()
        let watchdog = DispatchWorkItem {
            if child.isRunning {
                killed.set(Data("\n[killed by the test harness after \(timeout)]\n".utf8))
                child.signal(SIGKILL)
            }
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        defer { watchdog.cancel() }
        // Feed stdin and drain stderr on their own threads so no pipe can fill up and block.
        let errors = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errors.set(ChildProcess.readAll(child.errorOutput))
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            if let input { child.write(Array(input.utf8)) }
            child.closeInput()
            group.leave()
        }
        let output = ChildProcess.readAll(child.output)
        group.wait()
        let exit = child.wait()
        return Output(
            status: exit.status, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors.get() + killed.get(), as: UTF8.self), terminatedBySignal: exit.signaled)
    }

    /// The absolute path of `name` on the PATH of the test process, if any.
    public static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// The folder holding the built products (`.build/debug`), next to the test bundle.
    public static var productsDirectory: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
