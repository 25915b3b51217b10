import DatumJSON
import Foundation
import TestSupport
import Testing

/// A one-shot HTTP proxy stand-in on loopback: it records the request line and headers of each
/// connection and answers with a canned response. Enough to prove which requests a client sent
/// through it, and how (absolute-form GET for http://, CONNECT for https://).
final class RecordingProxy: @unchecked Sendable {
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let response: String
    private let lock = NSLock()
    private var heads: [String] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(response: String) throws {
        self.response = response
        (listener, port) = try Loopback.listener(backlog: 16)
        Thread { [self] in serve() }.start()
    }

    /// The head (request line and headers) of every connection, in order.
    var requests: [String] { lock.withLock { heads } }

    func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        finished.wait()
    }

    deinit { stop() }

    private func serve() {
        defer {
            close(listener)
            finished.signal()
        }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { return }
            var head: [UInt8] = []
            var byte: UInt8 = 0
            while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) && read(fd, &byte, 1) == 1 {
                head.append(byte)
            }
            lock.withLock { heads.append(String(decoding: head, as: UTF8.self)) }
            let bytes = Array(response.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(fd)
        }
    }
}

/// The proxy environment variables reach libcurl in the real binary (a subprocess, so the test
/// never changes this process's environment while other suites run).
@Suite struct ClientReadProxyTests {
    static let environment = [
        "HOME": "/nonexistent", "DATUMCTL_CONFIG": "/nonexistent/config", "PATH": "/usr/bin:/bin",
    ]

    static func run(_ arguments: [String], _ extra: [String: String]) throws -> TestProcess.Output {
        try TestProcess.run(ReadIT.datumctl, arguments, environment: environment.merging(extra) { $1 })
    }

    @Test func httpProxyCarriesPlainRequestsInAbsoluteForm() throws {
        let body = #"{"major":"1","minor":"32","gitVersion":"v1.32.4-via-proxy"}"#
        let proxy = try RecordingProxy(
            response:
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
        defer { proxy.stop() }

        let result = try Self.run(
            ["version", "--server", "http://api.datumctl-test.invalid", "--project", "p1", "--token", "t"],
            ["http_proxy": proxy.url])

        #expect(result.status == 0)
        #expect(result.stdout == "Client Version: v0.1.0\nServer Version: v1.32.4-via-proxy\n")
        let head = try #require(proxy.requests.first)
        #expect(
            head.hasPrefix(
                "GET http://api.datumctl-test.invalid/apis/resourcemanager.miloapis.com/v1alpha1/projects/p1/control-plane/version HTTP/1.1\r\n"
            ))
        #expect(head.contains("\r\nHost: api.datumctl-test.invalid\r\n"))
        #expect(head.contains("\r\nAuthorization: Bearer t\r\n"))
    }

    @Test func httpsProxyIsAskedToTunnel() throws {
        let proxy = try RecordingProxy(
            response: "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        defer { proxy.stop() }

        let result = try Self.run(
            ["get", "btlspolicy", "--server", "https://api.datumctl-test.invalid", "--project", "p1", "--token", "t"],
            ["HTTPS_PROXY": proxy.url])

        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("error: Unable to connect to the server https://api.datumctl-test.invalid"))
        let head = try #require(proxy.requests.first)
        #expect(head.hasPrefix("CONNECT api.datumctl-test.invalid:443 HTTP/1.1\r\n"))
        // The token is for the server only; it never goes to the proxy in clear text.
        #expect(!head.contains("Bearer"))
    }

    @Test func noProxyBypassesTheProxy() throws {
        let proxy = try RecordingProxy(
            response: "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        defer { proxy.stop() }
        try withSandbox { sandbox in
            let result = try TestProcess.run(
                ReadIT.datumctl, ["version"] + sandbox.connectionFlags(),
                environment: sandbox.datumctlEnvironment(["HTTPS_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"]))
            #expect(result.status == 0)
            #expect(result.stdout == "Client Version: v0.1.0\nServer Version: v1.32.4-datum-sandbox\n")
            #expect(proxy.requests.isEmpty)
        }
    }
}
