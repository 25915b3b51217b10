import DatumJSON
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Locates the binaries built next to the test bundle (`.build/debug/`).
enum SandboxBinaries {
    static var directory: URL { URL(fileURLWithPath: TestProcess.productsDirectory) }

    static var sandbox: String { directory.appendingPathComponent("datumctl-sandbox").path }

    /// `kubectl` on PATH, or nil (kubectl tests are then skipped with a message).
    static let kubectl: String? = TestProcess.which("kubectl")

    static var hasKubectl: Bool { kubectl != nil }
}

/// A throwaway CA and a server certificate for 127.0.0.1, made with openssl.
struct TestCertificates {
    let caPath: String
    let certificatePath: String
    let keyPath: String

    /// One set for the whole test process (the files are only read), made on first use in a
    /// directory of its own that is removed when the process exits.
    static var shared: TestCertificates {
        get throws { try made.get() }
    }

    private static let directory = NSTemporaryDirectory() + "sandbox-it-ca-" + UUID().uuidString

    private static let made = Result { () throws -> TestCertificates in
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestCertificates.directory) }
        return try TestCertificates(in: directory)
    }

    private init(in directory: String) throws {
        caPath = directory + "/ca.crt"
        certificatePath = directory + "/server.crt"
        keyPath = directory + "/server.key"
        let caKey = directory + "/ca.key"
        let csr = directory + "/server.csr"
        let ext = directory + "/ext.cnf"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: ext, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", caKey],
            ["req", "-x509", "-new", "-key", caKey, "-out", caPath, "-days", "2", "-subj", "/CN=sandbox-test-ca"],
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath],
            ["req", "-new", "-key", keyPath, "-out", csr, "-subj", "/CN=127.0.0.1"],
            [
                "x509", "-req", "-in", csr, "-CA", caPath, "-CAkey", caKey, "-CAcreateserial", "-out", certificatePath,
                "-days", "2", "-extfile", ext,
            ],
        ]
        for step in steps {
            let result = try TestProcess.run("/usr/bin/openssl", step)
            guard result.status == 0 else { throw SandboxTestError("openssl \(step[0]) failed: \(result.stderr)") }
        }
    }
}

struct SandboxTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One running `datumctl-sandbox` process in a temporary data directory.
/// Only the crash test touches it from two threads, and then only to stop it.
final class SandboxInstance: @unchecked Sendable {
    let directory: String
    let dataDirectory: String
    private(set) var process: ChildProcess?
    private(set) var url = ""
    private(set) var port = 0
    let certificates: TestCertificates?
    let tokensFile: String?
    /// Exit status of the last stopped process (0 after a clean SIGTERM shutdown).
    private(set) var lastExitStatus: Int32?

    /// `dataDirectory` puts the data somewhere else than inside the instance's own directory
    /// (a small or read-only file system, say); the caller then owns it.
    /// More flags for the server (`--dev-issuer`, say).
    let extraArguments: [String]

    init(tls: Bool = true, tokens: String? = nil, dataDirectory: String? = nil, extraArguments: [String] = []) throws {
        self.extraArguments = extraArguments
        directory = NSTemporaryDirectory() + "sandbox-it-" + UUID().uuidString
        self.dataDirectory = dataDirectory ?? directory + "/data"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        certificates = tls ? try TestCertificates.shared : nil
        if let tokens {
            let path = directory + "/tokens"
            try tokens.write(toFile: path, atomically: true, encoding: .utf8)
            tokensFile = path
        } else {
            tokensFile = nil
        }
        try start()
    }

    /// Starts (or restarts) the server on a fresh port and waits for its first line.
    func start() throws {
        var arguments = ["--listen", "127.0.0.1:0", "--data-dir", dataDirectory] + extraArguments
        if let tokensFile { arguments += ["--tokens", tokensFile] }
        if let certificates {
            arguments += ["--tls-cert", certificates.certificatePath, "--tls-key", certificates.keyPath]
        }
        let process = try ChildProcess(SandboxBinaries.sandbox, arguments, withInput: false)
        self.process = process
        // Drain stderr for the server's lifetime so it can never block on a full pipe.
        process.discardErrorOutput()
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(process.output, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...])
        else {
            stop()
            throw SandboxTestError("sandbox did not start: \(text)")
        }
        url = String(text.dropFirst("listening on ".count))
        self.port = port
    }

    /// Stops the server: SIGTERM (clean shutdown) or SIGKILL (crash), and reaps it.
    func stop(kill: Bool = false) {
        guard let process else { return }
        if process.isRunning { process.signal(kill ? SIGKILL : SIGTERM) }
        let exit = process.wait()
        lastExitStatus = exit.signaled ? 128 + exit.status : exit.status
        self.process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var adminToken: String {
        let text = (try? String(contentsOfFile: dataDirectory + "/admin-token", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func base(project: String) -> String {
        "\(url)/apis/resourcemanager.miloapis.com/v1alpha1/projects/\(project)/control-plane"
    }

    // MARK: kubectl

    /// Writes a kubeconfig for `project` and returns the environment kubectl runs with.
    func kubectlEnvironment(project: String = "p1", token: String? = nil) throws -> [String: String] {
        let home = directory + "/home-\(project)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let config = """
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority: \(certificates?.caPath ?? "")
                server: \(base(project: project))
              name: sandbox
            contexts:
            - context:
                cluster: sandbox
                namespace: default
                user: sandbox
              name: sandbox
            current-context: sandbox
            users:
            - name: sandbox
              user:
                token: \(token ?? adminToken)
            """
        let path = home + "/kubeconfig"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return ["KUBECONFIG": path, "HOME": home, "PATH": "/usr/bin:/bin", "KUBECTL_EXTERNAL_DIFF": ""]
    }

    @discardableResult
    func kubectl(_ arguments: [String], project: String = "p1", token: String? = nil, input: String? = nil) throws
        -> TestProcess.Output
    {
        guard let kubectl = SandboxBinaries.kubectl else { throw SandboxTestError("kubectl is not installed") }
        return try TestProcess.run(
            kubectl, arguments, environment: try kubectlEnvironment(project: project, token: token), input: input)
    }

    // MARK: Direct HTTP (curl, which trusts the test CA)

    struct HTTPResult {
        var status: Int
        var body: String
        var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    }

    func request(
        _ method: String, _ path: String, project: String = "p1", token: String? = nil, body: String? = nil,
        contentType: String = "application/json", accept: String = "application/json", maxTime: Double? = nil,
        pathAsIs: Bool = false
    ) throws -> HTTPResult {
        var arguments = ["-sS", "-X", method, "-o", "-", "-w", "\n%{http_code}", "-H", "Accept: \(accept)"]
        // curl resolves `/./` and `/../` unless told not to; tests of such paths need them sent.
        if pathAsIs { arguments.append("--path-as-is") }
        if let certificates { arguments += ["--cacert", certificates.caPath] }
        if let tokenValue = token ?? Optional(adminToken), !tokenValue.isEmpty {
            arguments += ["-H", "Authorization: Bearer \(tokenValue)"]
        }
        if body != nil { arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", "@-"] }
        if let maxTime { arguments += ["--max-time", String(maxTime)] }
        arguments.append(path.hasPrefix("http") ? path : base(project: project) + path)
        let result = try TestProcess.run("/usr/bin/curl", arguments, input: body)
        var text = result.stdout
        guard let newline = text.lastIndex(of: "\n") else { throw SandboxTestError("curl: \(result.stderr)") }
        let status = Int(text[text.index(after: newline)...]) ?? 0
        text = String(text[..<newline])
        return HTTPResult(status: status, body: text)
    }
}

/// Runs `body` with a started sandbox and always stops it, also when the body fails.
func withSandbox<T>(tls: Bool = true, tokens: String? = nil, _ body: (SandboxInstance) throws -> T) throws -> T {
    let sandbox = try SandboxInstance(tls: tls, tokens: tokens)
    defer { sandbox.stop() }
    return try body(sandbox)
}

/// Replaces the AGE column (which depends on the clock) so tables can be compared exactly.
func maskAges(_ text: String) -> String {
    text.replacingOccurrences(of: #"(?m) +\d+s$"#, with: " <age>", options: .regularExpression)
}
