import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid` on its own pid.
///
/// The tests start hundreds of children from many threads at once. Foundation's `Process`
/// sometimes never noticed that one had exited (it stayed a zombie and `waitUntilExit` blocked
/// forever, hanging the whole test run), so the test helpers use this instead: the wait is a
/// plain blocking `waitpid` for that one pid, which cannot miss an exit.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// Write end of the child's stdin (nil when stdin is /dev/null); closed by `closeInput()`.
    public private(set) var input: Int32?
    /// Read ends of the child's stdout and stderr.
    public let output: Int32
    public let errorOutput: Int32

    private let lock = NSLock()
    private var exit: (status: Int32, signaled: Bool)?

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable`. `environment` replaces the test process's when given.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil, withInput: Bool = true
    ) throws {
        var inPipe: [Int32] = [-1, -1]
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe2(&outPipe, O_CLOEXEC) == 0, pipe2(&errPipe, O_CLOEXEC) == 0 else {
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        if withInput {
            guard pipe2(&inPipe, O_CLOEXEC) == 0 else {
                throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if withInput {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if let currentDirectory {
            guard let addChdir = GNU.addChdir else {
                throw SpawnError(description: "posix_spawn_file_actions_addchdir_np is not available")
            }
            _ = addChdir(&actions, currentDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling (the test runner ignores SIGPIPE).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [executable] + arguments
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var child: pid_t = 0
        let status = withCStrings(argv) { argvPointers in
            withCStrings(env) { envPointers in
                posix_spawn(&child, executable, &actions, &attributes, argvPointers, envPointers)
            }
        }
        close(outPipe[1])
        close(errPipe[1])
        if withInput { close(inPipe[0]) }
        guard status == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            if withInput { close(inPipe[1]) }
            throw SpawnError(description: "cannot run \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        input = withInput ? inPipe[1] : nil
        output = outPipe[0]
        errorOutput = errPipe[0]
    }

    deinit {
        // Never leave a zombie behind: reap the child if nobody waited for it.
        if lock.withLock({ exit == nil }) {
            Glibc.kill(pid, SIGKILL)
            _ = wait()
        }
        closeInput()
        close(output)
        if !errorOutputDrained { close(errorOutput) }
    }

    private var errorOutputDrained = false

    /// Reads and drops the child's stderr on a thread of its own until the child closes it (so a
    /// long-running child never blocks on a full pipe); that thread then closes the descriptor.
    public func discardErrorOutput() {
        errorOutputDrained = true
        let descriptor = errorOutput
        Thread.detachNewThread {
            _ = ChildProcess.readAll(descriptor)
            close(descriptor)
        }
    }

    /// Writes all of `bytes` to the child's stdin (ignoring a child that stopped reading).
    public func write(_ bytes: [UInt8]) {
        guard let input else { return }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }

    public func closeInput() {
        lock.withLock {
            if let input { close(input) }
            input = nil
        }
    }

    /// Everything the descriptor delivers until end of file.
    public static func readAll(_ descriptor: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Reads `descriptor` (the child's stdout unless given) until `marker` has appeared, the child
    /// closes it, or `timeout` passes; returns what was read. Reads a byte at a time, so nothing
    /// after the marker is consumed.
    public func read(until marker: String, from descriptor: Int32? = nil, timeout: Duration = .seconds(60)) -> String {
        let fd = descriptor ?? output
        let deadline = ContinuousClock.now + timeout
        var text: [UInt8] = []
        var byte: UInt8 = 0
        while ContinuousClock.now < deadline {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 1_000)
            if polled < 0 && errno != EINTR { break }
            guard polled > 0 else { continue }
            guard Glibc.read(fd, &byte, 1) == 1 else { break }
            text.append(byte)
            if text.count >= marker.utf8.count && text.suffix(marker.utf8.count).elementsEqual(marker.utf8) { break }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Sends a signal (SIGTERM by default).
    public func signal(_ signal: Int32 = SIGTERM) {
        if lock.withLock({ exit == nil }) { Glibc.kill(pid, signal) }
    }

    /// Whether the child has not exited yet (reaps it if it has).
    public var isRunning: Bool {
        lock.withLock {
            if exit != nil { return false }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                exit = Self.decode(status)
                return false
            }
            return result == 0
        }
    }

    /// Blocks until the child exits: its exit status, or the signal that ended it.
    @discardableResult
    public func wait() -> (status: Int32, signaled: Bool) {
        if let known = lock.withLock({ exit }) { return known }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { break }
            if result < 0 && errno == EINTR { continue }
            // ECHILD: already reaped by `isRunning` on another thread.
            if let known = lock.withLock({ exit }) { return known }
            return (-1, false)
        }
        let decoded = Self.decode(status)
        lock.withLock { exit = decoded }
        return decoded
    }

    private static func decode(_ status: Int32) -> (status: Int32, signaled: Bool) {
        let signal = status & 0x7F
        if signal == 0 { return ((status >> 8) & 0xFF, false) }
        return (signal, true)
    }
}

/// glibc's `pipe2` and `posix_spawn_file_actions_addchdir_np` are GNU extensions that the Glibc
/// module does not declare; they are looked up by name. `pipe2(O_CLOEXEC)` matters: a pipe made
/// with `pipe` and marked close-on-exec afterwards can leak into a child another thread spawns in
/// between, which then keeps it open and the reader never sees end of file.
private enum GNU {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    static let pipe2: Pipe2? = symbol("pipe2")
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")

    static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}

private func pipe2(_ fds: inout [Int32], _ flags: Int32) -> Int32 {
    guard let call = GNU.pipe2 else {
        errno = ENOSYS
        return -1
    }
    return fds.withUnsafeMutableBufferPointer { call($0.baseAddress, flags) }
}

/// Calls `body` with a NULL-terminated array of C strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
