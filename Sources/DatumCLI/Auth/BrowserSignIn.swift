import DatumCrypto
import DatumHTTP
import DatumJSON
import DatumKit
import DatumSystem
import Dispatch
import GoCompat

#if canImport(Glibc)
    import Glibc
#endif

/// The authorization code flow with PKCE (RFC 7636) and a loopback redirect (RFC 8252): a one-shot
/// HTTP listener on 127.0.0.1 at a port the system picks, path `/datumctl/auth/callback`.
struct BrowserSignIn {
    static let callbackPath = "/datumctl/auth/callback"
    let provider: OpenIDProvider
    let base: String
    let clientID: String

    /// A random URL-safe string (PKCE verifiers, state).
    static func random() throws(CLIError) -> String {
        do {
            return Base64.rawURL.encode(try SecureRandom.bytes(32))
        } catch {
            throw CLIError(.io, "cannot make random bytes: \(error)")
        }
    }

    /// Runs the flow: prints the URL (always), opens it with `$BROWSER` or `xdg-open` when there is
    /// one to run, waits for the redirect, checks `state`, and exchanges the code.
    func run(
        variables: [String: String], timeout: Duration, print: (String) -> Void, now: () -> Int64
    ) throws(CLIError) -> OpenIDProvider.Tokens {
        let listener = try Self.listen()
        defer { close(listener.descriptor) }
        let redirect = "http://127.0.0.1:\(listener.port)\(Self.callbackPath)"
        let verifier = try Self.random()
        let challenge = Base64.rawURL.encode(Digest.sha256(Array(verifier.utf8)))
        let state = try Self.random()
        let query: [(String, String)] = [
            ("client_id", clientID), ("redirect_uri", redirect), ("response_type", "code"),
            ("scope", AuthHosts.scopes), ("state", state), ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ]
        let url =
            base + "/oauth/v2/authorize?"
            + query.map { ProjectScope.escapeQuery($0.0) + "=" + ProjectScope.escapeQuery($0.1) }.joined(separator: "&")

        let opened = Self.openBrowser(url, variables: variables)
        if opened {
            print("\nAttempting to open your default browser for authentication...")
            print("If it does not open, visit this URL:\n\n\(url)\n")
        } else {
            print("\nPlease visit this URL to authenticate:\n\n\(url)\n")
            print("Tip: in a headless environment (CI, SSH without forwarding, or a container) use")
            print("'datumctl login --no-browser': it uses a device-code flow that doesn't need a local browser.")
        }
        print("Waiting for authentication callback...")

        let parameters = try Self.awaitCallback(listener.descriptor, timeout: timeout)
        if let error = parameters["error"] {
            throw CLIError(
                .authentication,
                "authentication failed: \(error)"
                    + (parameters["error_description"].map { ": \($0)" } ?? ""))
        }
        guard parameters["state"] == state else {
            throw CLIError(.authentication, "authentication failed: invalid state parameter received")
        }
        guard let code = parameters["code"], !code.isEmpty else {
            throw CLIError(.authentication, "authentication failed: no authorization code received")
        }
        return try provider.requestTokens(
            [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect),
                ("client_id", clientID), ("code_verifier", verifier),
            ], now: now())
    }

    /// `$BROWSER URL` (through the shell, as Python's webbrowser reads it), else `xdg-open URL` when
    /// a display is there. Started in the background; true when something was started.
    static func openBrowser(_ url: String, variables: [String: String]) -> Bool {
        let command: [String]
        if let browser = variables["BROWSER"], !browser.isEmpty {
            command = ["/bin/sh", "-c", browser + " \"$1\"", "sh", url]
        } else if variables["DISPLAY"] != nil || variables["WAYLAND_DISPLAY"] != nil,
            FileSystem.entry(at: "/usr/bin/xdg-open") != nil
        {
            command = ["/usr/bin/xdg-open", url]
        } else {
            return false
        }
        DispatchQueue.global().async {
            _ = try? Subprocess.run(
                command[0], arguments: Array(command.dropFirst()), output: { _ in }, error: { _ in })
        }
        return true
    }

    /// A listening TCP socket on 127.0.0.1 with a port the system picks.
    static func listen() throws(CLIError) -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError(.io, "failed to listen on 127.0.0.1: \(FileSystemError(errno))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 4) == 0 else {
            let code = errno
            close(fd)
            throw CLIError(.io, "failed to listen on 127.0.0.1: \(FileSystemError(code))")
        }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: local.sin_port)))
    }

    /// Waits for the browser's request to the callback path and answers it; other paths get 404.
    static func awaitCallback(_ listener: Int32, timeout: Duration) throws(CLIError) -> [String: String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw CLIError(.authentication, "authentication timed out waiting for the browser")
            }
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(min(remaining.components.seconds * 1000 + 1, 60_000))
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 && errno != EINTR {
                throw CLIError(.io, "waiting for the callback: \(FileSystemError(errno))")
            }
            guard ready > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            defer { close(client) }
            var timeoutValue = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeoutValue, socklen_t(MemoryLayout<timeval>.size))
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while request.count < 16_384 {
                let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { break }
                request += buffer[0..<n]
                if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { break }
                if String(decoding: request, as: UTF8.self).contains("\r\n\r\n") { break }
            }
            let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0] == "GET" else {
                respond(client, status: "400 Bad Request", body: "Bad request.")
                continue
            }
            let target = String(words[1])
            let path = String(target.prefix { $0 != "?" })
            guard path == callbackPath else {
                respond(client, status: "404 Not Found", body: "Not found.")
                continue
            }
            var parameters: [String: String] = [:]
            if let mark = target.firstIndex(of: "?") {
                for pair in target[target.index(after: mark)...].split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let key = PercentEncoding.decodeQueryComponent(String(parts[0]))
                    if parameters[key] == nil {
                        parameters[key] = parts.count > 1 ? PercentEncoding.decodeQueryComponent(String(parts[1])) : ""
                    }
                }
            }
            let ok = parameters["code"] != nil && parameters["error"] == nil
            respond(
                client, status: ok ? "200 OK" : "400 Bad Request",
                body: ok
                    ? "Authentication successful. You can close this window and return to the terminal."
                    : "Authentication failed. Return to the terminal for details.")
            return parameters
        }
    }

    private static func respond(_ client: Int32, status: String, body: String) {
        let html = "<!doctype html><html><body><p>\(body)</p></body></html>"
        let response =
            "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
            + "\(html.utf8.count)\r\nConnection: close\r\n\r\n" + html
        let bytes = Array(response.utf8)
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
