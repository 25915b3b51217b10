import Glibc
import Testing

@testable import DatumCLI

/// Standard output is buffered until `flush()`; standard error goes out as it is written, so a
/// trace or warning shows while a command still waits.
@Suite struct OutputSinkTests {
    /// What can be read from `fd` right now, without waiting.
    static func available(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var byte: UInt8 = 0
        while poll(&pollfd, 1, 0) == 1, read(fd, &byte, 1) == 1 { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func pipeDescriptors() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        return (fds[0], fds[1])
    }

    @Test func anUnbufferedSinkWritesEachLineAtOnce() throws {
        let fds = try Self.pipeDescriptors()
        defer {
            close(fds.read)
            close(fds.write)
        }
        let sink = OutputSink.fileDescriptor(fds.write, unbuffered: true)
        sink.line("POST https://h/oauth/v2/token 400 Bad Request in 1 milliseconds")
        #expect(Self.available(fds.read) == "POST https://h/oauth/v2/token 400 Bad Request in 1 milliseconds\n")
        sink.write("a")
        sink.write("b\n")
        #expect(Self.available(fds.read) == "ab\n")
    }

    @Test func aBufferedSinkWritesOnFlush() throws {
        let fds = try Self.pipeDescriptors()
        defer {
            close(fds.read)
            close(fds.write)
        }
        let sink = OutputSink.fileDescriptor(fds.write)
        sink.line("row")
        #expect(Self.available(fds.read) == "")
        sink.flush()
        #expect(Self.available(fds.read) == "row\n")
    }
}
