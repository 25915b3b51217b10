import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback HTTP/1.1 proxy in front of a plain-HTTP sandbox that injects faults. A plan
/// decides, for each request (method, path, and how many times that method and path were seen
/// before), whether to forward it or which fault to inject: an error status (with `Retry-After`),
/// a dropped connection before or after the sandbox saw the request, a response cut off in the
/// middle of its body, a truncated or invalid JSON body, or a slow answer. Responses may also be
/// given an extra header (a `Warning`, say).
///
/// One thread accepts connections and one thread serves each; `stop()` closes the listening
/// socket and waits for them.
final class WriteFaultProxy: @unchecked Sendable {
    struct Exchange: Equatable {
        var method: String
        var path: String
        /// The status sent to the client; 0 when the connection was dropped or the body cut off.
        var status: Int
    }

    enum Fault: Sendable {
        /// A `Status` with this code and reason, not forwarded.
        case status(Int, reason: String, retryAfter: String?)
        /// The connection is reset before the request is forwarded.
        case resetBeforeForwarding
        /// Forwarded (the sandbox acts on it), then the connection is reset without an answer.
        case resetAfterForwarding
        /// Forwarded, then the head and half the body are sent and the connection is closed.
        case cutOffMidBody
        /// Forwarded, then answered 200 with a body that stops halfway (Content-Length matching).
        case truncatedJSON
        /// Forwarded, then answered 200 with a body that is not JSON.
        case invalidJSON
        /// Forwarded after a delay.
        case slow(Duration)
    }

    /// Decides the fault, if any, for a request: method, path (with query) and attempt (0 first).
    typealias Plan = @Sendable (_ method: String, _ path: String, _ attempt: Int) -> Fault?

    let port: Int
    private let upstreamPort: Int
    private let plan: Plan
    private let extraHeader: String?
    private let listener: Int32
    private let lock = NSLock()
    private var attempts: [String: Int] = [:]
    private var exchanges: [Exchange] = []
    private var clientSockets: [Int32] = []
    private var stopped = false
    private let finished = DispatchGroup()

    /// The first `times` requests with `method` are answered 503 (with `Retry-After` if given).
    convenience init(
        upstreamPort: Int, failing method: String, times: Int, retryAfter: String? = nil, extraHeader: String? = nil
    ) throws {
        let remaining = NSLockedCounter(times)
        try self.init(upstreamPort: upstreamPort, extraHeader: extraHeader) { requestMethod, _, _ in
            guard requestMethod == method, remaining.takeOne() else { return nil }
            return .status(503, reason: "ServiceUnavailable", retryAfter: retryAfter)
        }
    }

    init(upstreamPort: Int, extraHeader: String? = nil, plan: @escaping Plan) throws {
        self.upstreamPort = upstreamPort
        self.plan = plan
        self.extraHeader = extraHeader
        (listener, port) = try Loopback.listener()
        finished.enter()
        let acceptor = Thread { [self] in
            acceptLoop()
            finished.leave()
        }
        acceptor.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Every request seen so far, with the status it was answered with.
    var log: [Exchange] { lock.withLock { exchanges } }

    func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        lock.withLock { for socket in clientSockets { shutdown(socket, Int32(SHUT_RDWR)) } }
        finished.wait()
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            lock.withLock { clientSockets.append(client) }
            finished.enter()
            let thread = Thread { [self] in
                serve(client)
                close(client)
                finished.leave()
            }
            thread.start()
        }
    }

    /// Serves requests on one connection until the client closes it (or a fault closes it).
    private func serve(_ client: Int32) {
        var buffer: [UInt8] = []
        while let (head, body) = readRequest(client, &buffer) {
            let requestLine = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
            let words = requestLine.split(separator: " ")
            let method = words.first.map(String.init) ?? ""
            let path = words.count > 1 ? String(words[1]) : ""
            let attempt: Int = lock.withLock {
                let key = method + " " + path
                defer { attempts[key, default: 0] += 1 }
                return attempts[key, default: 0]
            }
            let fault = plan(method, path, attempt)
            func record(_ status: Int) {
                lock.withLock { exchanges.append(Exchange(method: method, path: path, status: status)) }
            }
            var response: [UInt8]
            switch fault {
            case .status(let code, let reason, let retryAfter):
                let text =
                    #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected fault","reason":""#
                    + reason + #"","code":"# + String(code) + "}"
                let phrase =
                    switch code {
                    case 429: "Too Many Requests"
                    case 500: "Internal Server Error"
                    case 503: "Service Unavailable"
                    default: "Error"
                    }
                var headers = "HTTP/1.1 \(code) \(phrase)\r\nContent-Type: application/json\r\n"
                if let retryAfter { headers += "Retry-After: \(retryAfter)\r\n" }
                headers += "Content-Length: \(text.utf8.count)\r\n\r\n"
                response = Array((headers + text).utf8)
            case .resetBeforeForwarding:
                record(0)
                Self.reset(client)
                return
            case .resetAfterForwarding:
                _ = forward(head: head, body: body)
                record(0)
                Self.reset(client)
                return
            case .cutOffMidBody:
                let full = forward(head: head, body: body)
                let end = (Self.find(Array("\r\n\r\n".utf8), in: full) ?? 0) + 4
                record(0)
                _ = writeAll(client, Array(full.prefix(end + max(1, (full.count - end) / 2))))
                return
            case .truncatedJSON, .invalidJSON:
                let full = forward(head: head, body: body)
                let end = (Self.find(Array("\r\n\r\n".utf8), in: full) ?? 0) + 4
                let original = Array(full.dropFirst(end))
                let text: [UInt8] =
                    if case .truncatedJSON = fault { Array(original.prefix(original.count / 2)) } else {
                        Array("<html>502 from a proxy that is not the API server</html>".utf8)
                    }
                response =
                    Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(text.count)\r\n\r\n".utf8)
                    + text
            case .slow(let delay):
                Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
                response = forward(head: head, body: body)
            case nil:
                response = forward(head: head, body: body)
            }
            if let extraHeader, let end = Self.find(Array("\r\n".utf8), in: response) {
                response.insert(contentsOf: Array((extraHeader + "\r\n").utf8), at: end + 2)
            }
            let statusLine = String(decoding: response.prefix(while: { $0 != 0x0D }), as: UTF8.self)
            record(Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0)
            guard writeAll(client, response) else { return }
        }
    }

    /// Closes with a TCP reset (SO_LINGER 0) instead of an orderly FIN.
    static func reset(_ socket: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        // The caller closes the socket, which now sends RST.
    }

    /// One request (head text without the blank line, and body), or nil at end of stream.
    private func readRequest(_ socket: Int32, _ buffer: inout [UInt8]) -> (String, [UInt8])? {
        let separator = Array("\r\n\r\n".utf8)
        while Self.find(separator, in: buffer) == nil {
            guard readMore(socket, &buffer) else { return nil }
        }
        guard let end = Self.find(separator, in: buffer) else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + separator.count)
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while buffer.count < length {
            guard readMore(socket, &buffer) else { return nil }
        }
        let body = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        return (head, body)
    }

    /// Sends the request to the sandbox on a fresh connection and returns its whole response.
    private func forward(head: String, body: [UInt8]) -> [UInt8] {
        guard let upstream = Loopback.connection(toPort: upstreamPort) else {
            return Array("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".utf8)
        }
        defer { close(upstream) }
        // One request per upstream connection: the sandbox closes it after answering.
        let lines = head.split(separator: "\r\n").filter { !$0.lowercased().hasPrefix("connection:") }
        let request = Array((lines.joined(separator: "\r\n") + "\r\nConnection: close\r\n\r\n").utf8) + body
        guard writeAll(upstream, request) else { return [] }
        var response: [UInt8] = []
        while readMore(upstream, &response) {}
        // The client keeps its connection to us, so the sandbox's "close" must not reach it.
        return Self.removingHeader("connection", from: response)
    }

    private func readMore(_ socket: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private func writeAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    static func removingHeader(_ name: String, from response: [UInt8]) -> [UInt8] {
        guard let end = find(Array("\r\n\r\n".utf8), in: response) else { return response }
        let head = String(decoding: response[..<end], as: UTF8.self)
        let kept = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.lowercased().hasPrefix(name + ":") }
        return Array(kept.joined(separator: "\r\n").utf8) + response[end...]
    }
}

/// A count shared by the requests of a plan.
final class NSLockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int

    init(_ value: Int) { remaining = value }

    /// Takes one from the count; false once it is used up.
    func takeOne() -> Bool {
        lock.withLock {
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
    }
}
