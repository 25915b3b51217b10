import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway CA and server certificate made with the `openssl` CLI, and an
/// `openssl s_server -www` process serving them on 127.0.0.1. The server binds port 0 itself and
/// reports the port it got (`ACCEPT 127.0.0.1:PORT`), so no probed port is released for another
/// process to take first. `stop()` kills it by pid.
final class TLSServer {
    let directory: URL
    let port: Int
    private let process: ChildProcess

    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    var baseURL: String { "https://127.0.0.1:\(port)" }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("datumhttp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            try Self.makeCertificates(in: directory)
            process = try ChildProcess(
                "/usr/bin/env",
                ["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", "server.pem", "-key", "server.key", "-www"],
                currentDirectory: directory.path, withInput: false)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        process.discardErrorOutput()
        guard let port = Self.acceptedPort(from: process.output, timeout: 10) else {
            kill(process.pid, SIGKILL)
            _ = process.wait()
            try? FileManager.default.removeItem(at: directory)
            throw TestServerError.timedOut("openssl s_server did not report its port")
        }
        self.port = port
        // s_server keeps writing to stdout; drain it so it can never block on a full pipe.
        let output = process.output
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while read(output, &buffer, buffer.count) > 0 {}
        }
    }

    deinit { stop() }

    /// Kills the s_server process (by its pid) and removes the certificates.
    func stop() {
        if process.isRunning {
            // SIGKILL, not SIGTERM: the child inherits the test runner's signal mask, in which
            // SIGTERM is blocked, so a SIGTERM would stay pending and the wait below would hang.
            kill(process.pid, SIGKILL)
        }
        _ = process.wait()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Reads s_server's stdout up to its `ACCEPT 127.0.0.1:PORT` line.
    private static func acceptedPort(from descriptor: Int32, timeout: TimeInterval) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        var text = ""
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { return nil }
            if poller.revents == 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { return nil }
            text += String(decoding: buffer[..<count], as: UTF8.self)
            // Only whole lines: the port may arrive in two reads.
            guard let lastNewline = text.lastIndex(of: "\n") else { continue }
            for line in text[..<lastNewline].split(separator: "\n") where line.hasPrefix("ACCEPT ") {
                if let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) { return port }
            }
        }
        return nil
    }

    private static func makeCertificates(in directory: URL) throws {
        let extensions = """
            basicConstraints=CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth
            subjectAltName=IP:127.0.0.1,DNS:localhost
            """
        try extensions.write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + curve + [
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=datumctl test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], in: directory)
        try openssl(["req"] + curve + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], in: directory)
        try openssl([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        ], in: directory)
    }

    private static func openssl(_ arguments: [String], in directory: URL) throws {
        let result = try TestProcess.run("/usr/bin/env", ["openssl"] + arguments, currentDirectory: directory.path)
        guard result.status == 0 else {
            throw TestServerError.system("openssl \(arguments.first ?? "")", result.status)
        }
    }
}
