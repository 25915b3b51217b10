import DatumJSON
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct SandboxProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The real `datumctl-sandbox` binary, started for one test on 127.0.0.1 (plain HTTP, a port
/// the kernel picks) with a temporary data directory and tokens file, and stopped with SIGTERM.
/// A request that traps kills this process, not the test process, so a crash is a failed
/// expectation here rather than a lost test run.
final class SandboxProcess {
    private let directory: TemporaryDirectory
    private let process: Process
    let port: Int
    private let stderrPath: String

    init(tokens: String) throws {
        let directory = try TemporaryDirectory()
        let tokensPath = try directory.write("tokens", tokens)
        let stderrPath = directory.path + "/stderr"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestProcess.productsDirectory + "/datumctl-sandbox")
        process.arguments = [
            "--listen", "127.0.0.1:0", "--data-dir", directory.path + "/data", "--tokens", tokensPath,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        let announced = "listening on http://127.0.0.1:"
        guard text.hasPrefix(announced), let port = Int(text.dropFirst(announced.count)) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw SandboxProcessError("datumctl-sandbox did not start: \(text)")
        }
        self.directory = directory
        self.process = process
        self.port = port
        self.stderrPath = stderrPath
    }

    var isRunning: Bool { process.isRunning }

    /// How the server is doing and what it wrote to stderr (a Swift runtime failure would be
    /// there; a stack overflow leaves only the signal).
    var stderr: String {
        let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        if process.isRunning { return "[running] " + text }
        let how = process.terminationReason == .uncaughtSignal ? "killed by signal" : "exited with status"
        return "[\(how) \(process.terminationStatus)] " + text
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    deinit { stop() }

    static func path(project: String, _ kubePath: String) -> String {
        "/apis/resourcemanager.miloapis.com/v1alpha1/projects/\(project)/control-plane" + kubePath
    }

    /// One request on a fresh connection (the server closes it after answering).
    func send(
        _ method: String, project: String, _ kubePath: String, token: String, contentType: String? = nil,
        body: [UInt8] = [], timeout: Int = 20
    ) throws -> RawHTTP.Response? {
        var head = "\(method) \(Self.path(project: project, kubePath)) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        head += "Authorization: Bearer \(token)\r\nAccept: application/json\r\nConnection: close\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return try RawHTTP.exchange(port: port, Array(head.utf8) + body, timeout: timeout)
    }

    /// The server answers `/healthz` and is still the same process.
    func isHealthy() throws -> Bool {
        guard isRunning else { return false }
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        return try RawHTTP.exchange(port: port, Array(request.utf8))?.status == 200
    }
}

/// HTTP/1.1 over a raw loopback socket, so tests can send what no HTTP client library would
/// (binary bodies with any framing, impossible Content-Length values, bad chunk sizes).
enum RawHTTP {
    struct Response {
        var status: Int
        var head: String
        var body: [UInt8]
        var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    }

    /// Sends `request` and reads until the server closes the connection (or, with `headOnly`,
    /// until the end of the response head). Nil when nothing came back within `timeout` seconds.
    static func exchange(port: Int, _ request: [UInt8], headOnly: Bool = false, timeout: Int = 20) throws
        -> Response?
    {
        guard let fd = Loopback.connection(toPort: port) else {
            throw SandboxProcessError("nothing accepts connections on 127.0.0.1:\(port)")
        }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer and close before reading everything (a 400 for a bad header).
            if count <= 0 { break }
            sent += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
            if headOnly, received.firstRange(of: separator) != nil { break }
        }
        guard let end = received.firstRange(of: separator) else { return nil }
        let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, let status = Int(fields[1]) else { return nil }
        return Response(status: status, head: head, body: Array(received[end.upperBound...]))
    }
}

@Suite(.serialized) struct SandboxProcessTests {
    static let tokens = "attacker-token p1\nneighbour-token p2\n"
    static let protobuf = "application/vnd.kubernetes.protobuf"
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    /// The neighbour (another project, another token) can still write and read.
    func neighbourStillServed(_ sandbox: SandboxProcess, name: String) throws {
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"},"data":{"a":"1"}}"#
        let created = try sandbox.send(
            "POST", project: "p2", Self.configMaps, token: "neighbour-token", contentType: "application/json",
            body: Array(body.utf8))
        #expect(created?.status == 201, "\(sandbox.stderr)")
        let read = try sandbox.send("GET", project: "p2", Self.configMaps + "/" + name, token: "neighbour-token")
        #expect(read?.status == 200)
        #expect(read?.json["data"]?["a"] == "1")
    }

    @Test func theIssue15BodyIsA400AndAnotherProjectIsStillServed() throws {
        let sandbox = try SandboxProcess(tokens: Self.tokens)
        defer { sandbox.stop() }
        #expect(issue15Body.count == 15)
        let answer = try sandbox.send(
            "POST", project: "p1", Self.configMaps, token: "attacker-token", contentType: Self.protobuf,
            body: issue15Body)
        let response = try #require(answer, "no answer; stderr: \(sandbox.stderr)")
        #expect(response.status == 400)
        #expect(response.json["kind"] == "Status")
        #expect(response.json["reason"] == "BadRequest")
        #expect(response.json["code"] == 400)
        #expect(response.json["message"]?.stringValue?.hasPrefix("invalid protobuf body: ") == true)
        #expect(sandbox.isRunning, "the sandbox died: \(sandbox.stderr)")
        try neighbourStillServed(sandbox, name: "after-issue-15")
        // The attacker's own project keeps working too.
        #expect(try sandbox.send("GET", project: "p1", Self.configMaps, token: "attacker-token")?.status == 200)
    }

    /// Protobuf bodies on every verb that takes a body: each is a 4xx, and the server lives on.
    @Test func protobufBodiesOnEveryVerbAre4xx() throws {
        let sandbox = try SandboxProcess(tokens: Self.tokens)
        defer { sandbox.stop() }
        let policies = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"
        let targets: [(method: String, path: String, expected: Int?)] = [
            ("POST", Self.configMaps, 400),
            // Namespace has no field 4, so a body malformed only there decodes and fails validation.
            ("POST", "/api/v1/namespaces", nil),
            ("POST", policies, 415),
            ("PUT", Self.configMaps + "/x", 415),
            ("PATCH", Self.configMaps + "/x", 415),
            ("DELETE", Self.configMaps + "/x", 415),
            ("DELETE", Self.configMaps, 415),
            ("PUT", "/api/v1/namespaces/default/status", 415),
            ("PUT", policies + "/x", 415),
            ("PATCH", policies + "/x/status", nil),
        ]
        var bodies: [[UInt8]] = [issue15Body]
        bodies += malformedProtobufBodies.map(\.0)
        bodies.append(ProtoMessage.configMap.bytes + [0x0A] + [UInt8](repeating: 0xFF, count: 12))
        for target in targets {
            for body in bodies {
                let answer = try sandbox.send(
                    target.method, project: "p1", target.path, token: "attacker-token", contentType: Self.protobuf,
                    body: body)
                let status = try #require(answer, "\(target) got no answer; stderr: \(sandbox.stderr)").status
                #expect((400..<500).contains(status), "\(target.method) \(target.path): \(status)")
                if let expected = target.expected { #expect(status == expected, "\(target.method) \(target.path)") }
            }
        }
        #expect(try sandbox.isHealthy(), "\(sandbox.stderr)")
        try neighbourStillServed(sandbox, name: "after-every-verb")
    }

    /// Numbers the HTTP layer parses: Content-Length and chunk sizes beyond 64 bits are a 400.
    @Test func impossibleContentLengthsAndChunkSizesAre400() throws {
        let sandbox = try SandboxProcess(tokens: Self.tokens)
        defer { sandbox.stop() }
        let start =
            "POST \(SandboxProcess.path(project: "p1", Self.configMaps)) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer attacker-token\r\nContent-Type: application/json\r\n"
        let requests = [
            "Content-Length: 18446744073709551616\r\n\r\n{}",
            "Content-Length: 99999999999999999999999999999999\r\n\r\n{}",
            "Content-Length: -1\r\n\r\n{}",
            "Content-Length: 1e3\r\n\r\n{}",
            "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\n{}\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n",
        ]
        for request in requests {
            let answer = try RawHTTP.exchange(port: sandbox.port, Array((start + request).utf8))
            #expect(answer?.status == 400, "\(request.debugDescription)")
            #expect(sandbox.isRunning, "\(request.debugDescription): \(sandbox.stderr)")
        }
        // Lengths that fit in 64 bits are waited for; giving up on them must not hurt the server.
        for length in ["9223372036854775807", "18446744073709551615"] {
            _ = try RawHTTP.exchange(
                port: sandbox.port, Array((start + "Content-Length: \(length)\r\n\r\n{}").utf8), timeout: 1)
            #expect(sandbox.isRunning, "Content-Length \(length): \(sandbox.stderr)")
        }
        #expect(try sandbox.isHealthy(), "\(sandbox.stderr)")
        try neighbourStillServed(sandbox, name: "after-framing")
    }

    /// Numbers in the query: `limit`, `timeoutSeconds` and watch `resourceVersion` at and beyond
    /// the 64-bit limits, on the real transport (a watch's timeout becomes a scheduled task).
    @Test func extremeQueryNumbersNeverStopTheServer() throws {
        let sandbox = try SandboxProcess(tokens: Self.tokens)
        defer { sandbox.stop() }
        let badRequests = [
            ("?limit=99999999999999999999", #"strconv.ParseInt: parsing "99999999999999999999": value out of range"#),
            ("?limit=ten", #"strconv.ParseInt: parsing "ten": invalid syntax"#),
            (
                "?watch=1&timeoutSeconds=9223372036854775808",
                #"strconv.ParseInt: parsing "9223372036854775808": value out of range"#
            ),
        ]
        for (query, message) in badRequests {
            let answer = try sandbox.send("GET", project: "p1", Self.configMaps + query, token: "attacker-token")
            #expect(answer?.status == 400, "\(query)")
            #expect(answer?.json["message"] == .string(message))
        }
        for query in ["?limit=9223372036854775807", "?limit=-9223372036854775808"] {
            #expect(
                try sandbox.send("GET", project: "p1", Self.configMaps + query, token: "attacker-token")?.status == 200)
        }
        for query in [
            "?watch=1&timeoutSeconds=9223372036854775807", "?watch=1&timeoutSeconds=-9223372036854775808",
            "?watch=1&resourceVersion=9223372036854775807", "?watch=1&timeoutSeconds=1",
        ] {
            let head =
                "GET \(SandboxProcess.path(project: "p1", Self.configMaps + query)) HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nAuthorization: Bearer attacker-token\r\n\r\n"
            let answer = try RawHTTP.exchange(port: sandbox.port, Array(head.utf8), headOnly: true, timeout: 5)
            #expect(answer?.status == 200, "\(query)")
            #expect(sandbox.isRunning, "\(query): \(sandbox.stderr)")
        }
        #expect(try sandbox.isHealthy(), "\(sandbox.stderr)")
        try neighbourStillServed(sandbox, name: "after-queries")
    }

    /// The second trap found by the audit, through the real transport: a 50 KB JSON patch of 900
    /// "copy" operations of a 2.5 MiB value grew the object to 2.25 GiB, and binding it for SQLite
    /// trapped in `Int32(_:)` after a minute and several GiB of memory. Now the API server's copy
    /// budget refuses it at once with a 422.
    @Test func aJSONPatchThatCopiesPastTwoGiBIsA422() throws {
        let sandbox = try SandboxProcess(tokens: Self.tokens)
        defer { sandbox.stop() }
        let value = String(repeating: "x", count: 2_500_000)
        let object = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"\#(value)"}}"#
        let created = try sandbox.send(
            "POST", project: "p1", Self.configMaps, token: "attacker-token", contentType: "application/json",
            body: Array(object.utf8))
        #expect(created?.status == 201)
        let operations = (0..<900).map { #"{"op":"copy","from":"/data/a","path":"/data/b\#($0)"}"# }
        let patch = try sandbox.send(
            "PATCH", project: "p1", Self.configMaps + "/big", token: "attacker-token",
            contentType: "application/json-patch+json",
            body: Array(("[" + operations.joined(separator: ",") + "]").utf8),
            timeout: 300)
        let response = try #require(patch, "no answer; stderr: \(sandbox.stderr)")
        #expect(response.status == 422)
        #expect(
            response.json["message"]
                == "Unable to complete the copy, the accumulated size increase of copy is 5000004, exceeding the limit 3145728"
        )
        #expect(try sandbox.isHealthy(), "\(sandbox.stderr)")
        try neighbourStillServed(sandbox, name: "after-copies")
    }

    /// Found by the audit, not a number but a depth: a 260 KB JSON patch that copies an object
    /// into its own deepest member nine times (500 levels to 128,000) overflowed the server's
    /// stack at once. The patched object is now held to the JSON parser's 512 levels.
    @Test func aJSONPatchThatNestsAnObjectTooDeeplyIsA422() throws {
        let sandbox = try SandboxProcess(tokens: Self.tokens)
        defer { sandbox.stop() }
        let object = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"}}"#
        let created = try sandbox.send(
            "POST", project: "p1", Self.configMaps, token: "attacker-token", contentType: "application/json",
            body: Array(object.utf8))
        #expect(created?.status == 201)
        var operations = [#"{"op":"add","path":"/metadata/x","value":\#(UntrustedNumberTests.chain(500))}"#]
        var depth = 500
        for _ in 0..<8 {
            let path = "/metadata/x" + String(repeating: "/a", count: depth)
            operations.append(#"{"op":"copy","from":"/metadata/x","path":"\#(path)"}"#)
            depth *= 2
        }
        let patch = try sandbox.send(
            "PATCH", project: "p1", Self.configMaps + "/deep", token: "attacker-token",
            contentType: "application/json-patch+json",
            body: Array(("[" + operations.joined(separator: ",") + "]").utf8))
        let response = try #require(patch, "no answer; stderr: \(sandbox.stderr)")
        #expect(response.status == 422)
        #expect(response.json["message"] == "the patched object would exceed the maximum nesting depth of 512")
        #expect(try sandbox.isHealthy(), "\(sandbox.stderr)")
        try neighbourStillServed(sandbox, name: "after-deep-patch")
    }
}
