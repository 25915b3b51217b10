import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway CA and server certificate made with the `openssl` CLI, and an
/// `openssl s_server -www` process serving them on 127.0.0.1. `stop()` kills it by pid.
final class TLSServer {
    let directory: URL
    let port: Int
    private let process: Process

    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    var baseURL: String { "https://127.0.0.1:\(port)" }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("datumhttp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            try Self.makeCertificates(in: directory)
            port = try Loopback.unusedPort()
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", "server.pem", "-key", "server.key",
                "-www", "-quiet",
            ]
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        guard Self.waitForListener(port: port, timeout: 10) else {
            stop()
            throw TestServerError.timedOut("openssl s_server did not start listening on \(port)")
        }
    }

    deinit { stop() }

    /// Kills the s_server process (by its pid) and removes the certificates.
    func stop() {
        if process.isRunning {
            // SIGKILL, not SIGTERM: the child inherits the test runner's signal mask, in which
            // SIGTERM is blocked, so a SIGTERM would stay pending and the wait below would hang.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
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

    private static func waitForListener(port: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let probe = Loopback.connection(toPort: port) {
                close(probe)
                return true
            }
            usleep(20_000)
        }
        return false
    }
}
