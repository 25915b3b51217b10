import DatumHTTP
import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A request as the test server parsed it off the wire.
struct RecordedRequest: Sendable {
    var method: String
    var target: String
    var headers: HTTPHeaders
    var body: [UInt8]
    /// 1-based number of the TCP connection it arrived on.
    var connection: Int

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A one-shot latch a test opens to let the server continue.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    var opened: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isOpen
    }

    /// True once opened; false after `timeout`.
    func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !isOpen {
            if !condition.wait(until: deadline) { return isOpen }
        }
        return true
    }
}

/// What the test server answers to one request.
struct ScriptedResponse: Sendable {
    struct Chunk: Sendable {
        var bytes: [UInt8]
        /// The server sends this chunk only once the gate opens (or the wait times out).
        var after: Gate?
    }

    var status = 200
    var reason = "OK"
    var headers: HTTPHeaders = [:]
    var body: [UInt8] = []
    /// Pause before answering; cut short when the server stops.
    var delay: TimeInterval = 0
    /// Sent with `Transfer-Encoding: chunked` instead of `body`.
    var chunks: [Chunk]?
    /// Close the connection without answering at all.
    var closeWithoutReply = false

    static func text(_ text: String, status: Int = 200, reason: String = "OK", headers: HTTPHeaders = [:]) -> Self {
        ScriptedResponse(status: status, reason: reason, headers: headers, body: Array(text.utf8))
    }

    static let dropConnection = ScriptedResponse(closeWithoutReply: true)
}

/// A small HTTP/1.1 server on 127.0.0.1 with keep-alive, for real loopback traffic in tests.
///
/// It counts accepted TCP connections, records every request, answers from a script, and
/// notices when a client hangs up while it waits to send the next chunk.
final class TestHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let wakePipe: [Int32]
    private let handler: @Sendable (RecordedRequest) -> ScriptedResponse
    private let state = NSCondition()
    private let threads = DispatchGroup()
    // Guarded by `state`.
    private var stopped = false
    private var accepted = 0
    private var recorded: [RecordedRequest] = []
    private var hangUps = 0
    private var openSockets: Set<Int32> = []
    private var inFlight = 0
    private var mostInFlight = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var connectionCount: Int { locked { accepted } }
    /// The most requests the server was handling at one time (received, not yet answered).
    var mostRequestsInFlight: Int { locked { mostInFlight } }
    var requests: [RecordedRequest] { locked { recorded } }
    /// Connections the client closed while the server still had chunks to send.
    var clientHangUps: Int { locked { hangUps } }

    init(handler: @escaping @Sendable (RecordedRequest) -> ScriptedResponse) throws {
        self.handler = handler
        let (listener, port) = try Loopback.listener()
        self.listener = listener
        self.port = port
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            close(listener)
            throw TestServerError.system("pipe", errno)
        }
        wakePipe = fds
        threads.enter()
        Thread.detachNewThread { [self] in
            acceptLoop()
            threads.leave()
        }
    }

    /// Serves `script` in order, repeating its last entry.
    convenience init(script: [ScriptedResponse]) throws {
        let counter = Counter()
        try self.init { _ in
            let index = counter.next()
            return script[min(index, script.count - 1)]
        }
    }

    deinit { stop() }

    /// Closes the listener and every connection, and waits for all server threads to end.
    func stop() {
        let sockets: Set<Int32>? = locked {
            guard !stopped else { return nil }
            stopped = true
            state.broadcast()
            return openSockets
        }
        guard let sockets else { return }
        var byte: UInt8 = 1
        _ = write(wakePipe[1], &byte, 1)
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        threads.wait()
        close(listener)
        close(wakePipe[0])
        close(wakePipe[1])
    }

    // MARK: Server threads

    private func acceptLoop() {
        while true {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { return }
            if fds[1].revents != 0 || locked({ stopped }) { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let number: Int? = locked {
                guard !stopped else { return nil }
                accepted += 1
                openSockets.insert(client)
                return accepted
            }
            guard let number else {
                close(client)
                return
            }
            threads.enter()
            Thread.detachNewThread { [self] in
                serve(client, connection: number)
                locked { _ = openSockets.remove(client) }
                close(client)
                threads.leave()
            }
        }
    }

    private func serve(_ socket: Int32, connection: Int) {
        var reader = SocketReader(socket: socket)
        while let request = reader.readRequest(connection: connection) {
            locked {
                recorded.append(request)
                inFlight += 1
                mostInFlight = max(mostInFlight, inFlight)
            }
            let response = handler(request)
            let answered = (response.delay <= 0 || sleep(response.delay)) && !response.closeWithoutReply
                && respond(response, on: socket)
            locked { inFlight -= 1 }
            guard answered else { return }
        }
    }

    /// Writes the response; false when the connection is finished.
    private func respond(_ response: ScriptedResponse, on socket: Int32) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(response.reason)\r\n"
        for field in response.headers { head += "\(field.name): \(field.value)\r\n" }
        guard let chunks = response.chunks else {
            head += "Content-Length: \(response.body.count)\r\n\r\n"
            return send(Array(head.utf8) + response.body, on: socket)
        }
        head += "Transfer-Encoding: chunked\r\n\r\n"
        guard send(Array(head.utf8), on: socket) else { return false }
        for chunk in chunks {
            if let gate = chunk.after, !waitForGate(gate, watching: socket) { return false }
            let frame = Array(String(chunk.bytes.count, radix: 16).utf8) + [13, 10] + chunk.bytes + [13, 10]
            guard send(frame, on: socket) else { return false }
        }
        return send(Array("0\r\n\r\n".utf8), on: socket)
    }

    /// Waits for the gate while watching for the client hanging up; false if it did, or on stop.
    private func waitForGate(_ gate: Gate, watching socket: Int32) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while !gate.opened {
            if locked({ stopped }) || Date() > deadline { return false }
            var fd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            if poll(&fd, 1, 20) > 0 {
                var byte: UInt8 = 0
                if recv(socket, &byte, 1, Int32(MSG_PEEK)) <= 0 {
                    locked { hangUps += 1 }
                    return false
                }
            }
        }
        return true
    }

    private func send(_ bytes: [UInt8], on socket: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Sleeps unless the server stops first; false when it stopped.
    private func sleep(_ interval: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(interval)
        state.lock()
        defer { state.unlock() }
        while !stopped {
            if !state.wait(until: deadline) { return true }
        }
        return false
    }

    private func locked<T>(_ body: () -> T) -> T {
        state.lock()
        defer { state.unlock() }
        return body()
    }
}

enum TestServerError: Error {
    case system(String, Int32)
    case timedOut(String)
}

/// A thread-safe counter for scripted servers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// Returns the current value, then increments it.
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// Reads HTTP/1.1 requests (Content-Length bodies) from a socket.
private struct SocketReader {
    let socket: Int32
    var buffer: [UInt8] = []

    mutating func readRequest(connection: Int) -> RecordedRequest? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.firstRange(of: separator)?.lowerBound
            if headEnd == nil && !fill() { return nil }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(
                String(line[..<colon]),
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers["Content-Length"] ?? "0") ?? 0
        while buffer.count < length {
            if !fill() { return nil }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return RecordedRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body,
            connection: connection)
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }
}
