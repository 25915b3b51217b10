import DatumKit
import DatumSystem
import Glibc
import Synchronization

/// Where a command writes text: a file descriptor (stdout, stderr) or memory (tests).
///
/// Writes are thread-safe, so concurrent workers (apply) can report through one sink. Standard
/// output is buffered (`flush()` is called before the process exits); standard error is written
/// as it comes, as C's stderr and klog are, so a trace (`-v=6`) or a warning shows while a
/// command is still waiting (a device sign-in polling, a watch, a slow request).
public final class OutputSink: Sendable {
    private enum Target {
        case fileDescriptor(Int32)
        case memory
    }

    private struct State {
        var buffer: [UInt8] = []
        var captured: [UInt8] = []
    }

    private let target: Target
    private let state = Mutex(State())
    /// Whether the underlying descriptor is a terminal (progress bars, colour).
    public let isTerminal: Bool
    /// Whether each write goes out at once instead of being buffered.
    private let unbuffered: Bool

    private init(target: Target, isTerminal: Bool, unbuffered: Bool = false) {
        self.target = target
        self.isTerminal = isTerminal
        self.unbuffered = unbuffered
    }

    /// A sink over `fd`; `unbuffered` writes each piece at once (what standard error does).
    public static func fileDescriptor(_ fd: Int32, unbuffered: Bool = false) -> OutputSink {
        OutputSink(target: .fileDescriptor(fd), isTerminal: isatty(fd) == 1, unbuffered: unbuffered)
    }

    public static let standardOutput = OutputSink.fileDescriptor(1)
    public static let standardError = OutputSink.fileDescriptor(2, unbuffered: true)

    /// An in-memory sink; read what was written with ``text``.
    public static func memory(isTerminal: Bool = false) -> OutputSink {
        OutputSink(target: .memory, isTerminal: isTerminal)
    }

    public func write(_ text: String) {
        writeBytes(Array(text.utf8))
    }

    public func writeBytes(_ bytes: [UInt8]) {
        let flushNow: [UInt8]? = state.withLock { state in
            switch target {
            case .memory:
                state.captured.append(contentsOf: bytes)
                return nil
            case .fileDescriptor where unbuffered:
                // Under the lock, so lines from concurrent workers never interleave.
                writeAll(bytes)
                return nil
            case .fileDescriptor:
                state.buffer.append(contentsOf: bytes)
                if state.buffer.count >= 64 * 1024 {
                    defer { state.buffer.removeAll(keepingCapacity: true) }
                    return state.buffer
                }
                return nil
            }
        }
        if let flushNow { writeAll(flushNow) }
    }

    /// Writes a line (adds the newline).
    public func line(_ text: String = "") {
        write(text + "\n")
    }

    public func flush() {
        let pending: [UInt8] = state.withLock { state in
            defer { state.buffer.removeAll(keepingCapacity: true) }
            return state.buffer
        }
        if !pending.isEmpty { writeAll(pending) }
    }

    /// Everything written to a memory sink.
    public var text: String {
        state.withLock { String(decoding: $0.captured, as: UTF8.self) }
    }

    private func writeAll(_ bytes: [UInt8]) {
        guard case .fileDescriptor(let fd) = target else { return }
        // EPIPE and friends: the reader went away; nothing useful to do.
        try? FileSystem.writeAll(fd, bytes)
    }
}
