import DatumCrypto
import DatumJSON
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Signing in against the sandbox acting as its own OpenID provider (`--dev-issuer`): a CI job's whole path,
/// `datumctl login --credentials KEY` with the key file the sandbox made, then the seed's apply,
/// get and describe with no token anywhere in the environment; real kubectl with the session's
/// token; and the issuer refusing what a real one refuses.
@Suite(.serialized) struct SignInSandboxTests {
    static let email = "ci@sandbox.datumctl.local"

    /// Runs the real datumctl with its own HOME and no DATUMCTL_* variables.
    static func datumctl(
        _ sandbox: SandboxInstance, _ arguments: [String], home: String, input: String? = nil
    ) throws -> TestProcess.Output {
        var full = arguments
        if let ca = sandbox.certificates?.caPath { full += ["--certificate-authority", ca] }
        return try TestProcess.run(
            ReadIT.datumctl, full, environment: ["HOME": home, "PATH": "/usr/bin:/bin"], input: input)
    }

    static func login(_ sandbox: SandboxInstance, home: String) throws -> TestProcess.Output {
        let host = String(sandbox.url.dropFirst("https://".count))
        return try datumctl(
            sandbox,
            ["login", "--credentials", sandbox.dataDirectory + "/service-account-key.json", "--hostname", host,
             "--api-hostname", host], home: home)
    }

    @Test func aServiceAccountSignsInAndRunsTheSeedWithoutAToken() throws {
        let sandbox = try SandboxInstance(extraArguments: ["--dev-issuer", "--dev-issuer-projects", "p1"])
        defer { sandbox.stop() }
        let home = try TemporaryDirectory()
        let mode = (try FileManager.default.attributesOfItem(
            atPath: sandbox.dataDirectory + "/service-account-key.json")[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600)

        let login = try Self.login(sandbox, home: home.path)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.hasPrefix("\n\u{2713} Authenticated as \(Self.email) (\(Self.email))\n"))

        let quickStart = try ClientReadKubectlTests.quickStart
        let apply = try Self.datumctl(
            sandbox, ["apply", "-f", "-", "--project", "p1", "--error-format", "json"], home: home.path, input: quickStart)
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("backendtlspolicy.gateway.networking.k8s.io/secure-backend created"))
        let get = try Self.datumctl(sandbox, ["get", "backendtlspolicies", "--project", "p1"], home: home.path)
        #expect(get.status == 0)
        #expect(get.stdout.hasPrefix("NAME"))
        let describe = try Self.datumctl(
            sandbox, ["describe", "backendtlspolicy", "secure-backend", "--project", "p1"], home: home.path)
        #expect(describe.status == 0)
        #expect(describe.stdout.contains("Name:         secure-backend"))

        // The issuer's subjects may use p1 only.
        let other = try Self.datumctl(sandbox, ["get", "backendtlspolicies", "--project", "p2"], home: home.path)
        #expect(other.status == 1)
        #expect(other.stderr.contains("Error from server (Forbidden)"))
        #expect(other.stderr.contains("User \"\(Self.email)\""))

        // Real kubectl accepts the session's token.
        let token = try Self.datumctl(sandbox, ["auth", "get-token"], home: home.path)
        let bearer = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(bearer.split(separator: ".").count == 3)
        if SandboxBinaries.hasKubectl {
            let kubectl = try sandbox.kubectl(["get", "backendtlspolicies", "-o", "name"], token: bearer)
            #expect(kubectl.status == 0, "\(kubectl.stderr)")
            #expect(kubectl.stdout == "backendtlspolicy.gateway.networking.k8s.io/secure-backend\n")
        }

        // kubectl through a kubeconfig whose user runs `datumctl auth get-token` (the exec plugin).
        let kubeconfig = home.path + "/kubeconfig"
        let update = try Self.datumctl(
            sandbox, ["auth", "update-kubeconfig", "--project", "p1", "--kubeconfig", kubeconfig], home: home.path)
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.hasPrefix("Successfully updated kubeconfig at \(kubeconfig) for user \(Self.email)@"))
        if let kubectlBinary = SandboxBinaries.kubectl {
            let viaExec = try TestProcess.run(
                kubectlBinary, ["get", "backendtlspolicies", "-o", "name"],
                environment: ["HOME": home.path, "PATH": "/usr/bin:/bin", "KUBECONFIG": kubeconfig])
            #expect(viaExec.status == 0, "\(viaExec.stderr)")
            #expect(viaExec.stdout == "backendtlspolicy.gateway.networking.k8s.io/secure-backend\n")
        }

        // SSL_CERT_FILE trusts the sandbox's CA as --certificate-authority does; without either, TLS
        // verification fails (the token is never sent to an unverified server).
        let ca = sandbox.certificates?.caPath ?? ""
        let viaVariable = try TestProcess.run(
            ReadIT.datumctl, ["get", "backendtlspolicies", "--project", "p1", "-o", "name"],
            environment: ["HOME": home.path, "PATH": "/usr/bin:/bin", "SSL_CERT_FILE": ca])
        #expect(viaVariable.status == 0, "\(viaVariable.stderr)")
        let unverified = try TestProcess.run(
            ReadIT.datumctl, ["get", "backendtlspolicies", "--project", "p1"],
            environment: ["HOME": home.path, "PATH": "/usr/bin:/bin"])
        #expect(unverified.status == 1)
        #expect(unverified.stderr.contains("tls: failed to verify certificate"))

        // auth list shows the session as active.
        let list = try Self.datumctl(sandbox, ["auth", "list"], home: home.path)
        #expect(list.stdout == "User                       Status  \n\(Self.email)  Active  \n")

        // Nothing secret in a -v 9 trace.
        let traced = try Self.datumctl(
            sandbox, ["get", "backendtlspolicies", "--project", "p1", "-v", "9"], home: home.path)
        #expect(!(traced.stdout + traced.stderr).contains(bearer))
    }

    /// Two servers, as in Datum Cloud: one signs in (the issuer), the other serves the API and
    /// trusts the first through `--oidc-issuer-url`, fetching its discovery and keys. datumctl signs
    /// in at the first and works against the second.
    @Test func anAPIServerAcceptsTokensOfAnExternalIssuer() throws {
        let issuer = try SandboxInstance(extraArguments: ["--dev-issuer"])
        defer { issuer.stop() }
        let ca = try #require(issuer.certificates?.caPath)
        let api = try SandboxInstance(extraArguments: [
            "--oidc-issuer-url", issuer.url, "--oidc-client-id", "datumctl-sandbox", "--oidc-ca-file", ca,
            "--oidc-projects", "p1",
        ])
        defer { api.stop() }
        let home = try TemporaryDirectory()
        let login = try Self.datumctl(
            issuer,
            ["login", "--credentials", issuer.dataDirectory + "/service-account-key.json", "--hostname",
             String(issuer.url.dropFirst("https://".count)), "--api-hostname", String(api.url.dropFirst("https://".count))],
            home: home.path)
        #expect(login.status == 0, "\(login.stderr)")
        let apply = try Self.datumctl(
            api, ["apply", "-f", "-", "--project", "p1"], home: home.path, input: try ClientReadKubectlTests.quickStart)
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("backendtlspolicy.gateway.networking.k8s.io/secure-backend created"))
        let forbidden = try Self.datumctl(api, ["get", "configmaps", "--project", "p2"], home: home.path)
        #expect(forbidden.stderr.contains("Error from server (Forbidden)"))

        // A token the issuer signed is refused where the audience is another client's.
        let token = try Self.datumctl(issuer, ["auth", "get-token"], home: home.path).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let strict = try SandboxInstance(extraArguments: [
            "--oidc-issuer-url", issuer.url, "--oidc-client-id", "someone-else", "--oidc-ca-file", ca,
        ])
        defer { strict.stop() }
        #expect(try strict.request("GET", "/api/v1/namespaces/default/configmaps", token: token).status == 401)
        #expect(try api.request("GET", "/api/v1/namespaces/default/configmaps", token: token).status == 200)
        // Its own dev tokens mean nothing to a server that does not trust that issuer.
        let unrelated = try SandboxInstance()
        defer { unrelated.stop() }
        #expect(try unrelated.request("GET", "/api/v1/namespaces/default/configmaps", token: token).status == 401)
    }

    /// An issuer that cannot be reached stops the server at start, in words.
    @Test func anUnreachableIssuerIsAStartError() throws {
        let port = try Loopback.unusedPort()
        let data = try TemporaryDirectory()
        let run = try TestProcess.run(
            SandboxBinaries.sandbox,
            ["--data-dir", data.path, "--oidc-issuer-url", "https://127.0.0.1:\(port)", "--oidc-client-id", "x"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("datumctl-sandbox: cannot fetch https://127.0.0.1:\(port)/.well-known/openid-configuration"))
        let plain = try TestProcess.run(
            SandboxBinaries.sandbox, ["--data-dir", data.path, "--oidc-issuer-url", "http://x", "--oidc-client-id", "x"])
        #expect(plain.stderr == "datumctl-sandbox: --oidc-issuer-url must be an https URL: http://x\n")
        // Nothing was written before the refusal.
        #expect(!FileManager.default.fileExists(atPath: data.path + "/admin-token"))
    }

    /// `datumctl login --no-browser`; `traced` adds `-v=6`, which prints each request on stderr as it
    /// is answered, so a test can see datumctl poll.
    static func startDeviceLogin(_ sandbox: SandboxInstance, home: String, traced: Bool = false) throws -> ChildProcess {
        let host = String(sandbox.url.dropFirst("https://".count))
        return try ChildProcess(
            ReadIT.datumctl,
            ["login", "--no-browser", "--hostname", host, "--api-hostname", host, "--client-id", "datumctl-sandbox",
             "--certificate-authority", sandbox.certificates?.caPath ?? ""] + (traced ? ["-v=6"] : []),
            environment: ["HOME": home, "PATH": "/usr/bin:/bin"], withInput: false)
    }

    /// A person signs in with the device code flow (RFC 8628): datumctl prints the page and the
    /// code, the test approves them as the person would, datumctl verifies the ID token and stores
    /// the session; short-lived tokens are then renewed with the rotating refresh token.
    @Test func aPersonSignsInWithTheDeviceCodeFlow() throws {
        let sandbox = try SandboxInstance(extraArguments: [
            "--dev-issuer", "--dev-issuer-device-interval", "1", "--dev-issuer-token-ttl", "30",
        ])
        defer { sandbox.stop() }
        let home = try TemporaryDirectory()
        let login = try Self.startDeviceLogin(sandbox, home: home.path, traced: true)
        let shown = login.read(until: "Waiting for authorization...")
        let url = try #require(shown.split(separator: "\n").first { $0.hasPrefix("https://") }.map(String.init))
        #expect(url.hasPrefix(sandbox.url + "/ui/v2/login/device?user_code="))
        #expect(shown.contains("And enter code: "))
        // The person approves only once datumctl has polled and been told to wait (400, authorization_pending).
        let polled = login.read(until: "/oauth/v2/token 400", from: login.errorOutput)
        #expect(polled.hasSuffix("/oauth/v2/token 400"), "\(polled)")
        let approved = try sandbox.request("GET", url, token: "")
        #expect(approved.status == 200, "\(approved.body)")
        let rest = String(decoding: ChildProcess.readAll(login.output), as: UTF8.self)
        let status = login.wait()
        #expect(status.status == 0, "\(rest)")
        #expect(rest.contains("\u{2713} Authenticated as Dev User (dev@example.com)"))

        for _ in 0..<2 {
            let get = try Self.datumctl(sandbox, ["get", "configmaps", "--project", "p1"], home: home.path)
            #expect(get.status == 0, "\(get.stderr)")
        }
        let stored = try String(contentsOfFile: home.path + "/.datumctl/credentials.json", encoding: .utf8)
        #expect(stored.contains("\"refresh-token\""))
        let whoami = try Self.datumctl(sandbox, ["whoami"], home: home.path)
        #expect(whoami.stdout.hasPrefix("User:         Dev User (dev@example.com)\n"))
    }

    /// The browser flow: `$BROWSER` is a script that fetches the URL as a browser would, following
    /// the provider's redirect to datumctl's loopback callback; PKCE and state are checked.
    @Test func aPersonSignsInThroughTheBrowser() throws {
        let sandbox = try SandboxInstance(extraArguments: ["--dev-issuer"])
        defer { sandbox.stop() }
        let home = try TemporaryDirectory()
        let ca = sandbox.certificates?.caPath ?? ""
        let browser = try home.write("browser.sh", "#!/bin/sh\nexec curl -sS -L --cacert '\(ca)' -o /dev/null \"$1\"\n")
        chmod(browser, 0o755)
        let host = String(sandbox.url.dropFirst("https://".count))
        let login = try TestProcess.run(
            ReadIT.datumctl,
            ["login", "--hostname", host, "--api-hostname", host, "--client-id", "datumctl-sandbox",
             "--certificate-authority", ca],
            environment: ["HOME": home.path, "PATH": "/usr/bin:/bin", "BROWSER": browser],
            // A browser that fails leaves the login waiting for its callback; fail, do not hang.
            timeout: .seconds(60))
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.contains("Attempting to open your default browser for authentication..."))
        #expect(login.stdout.contains(sandbox.url + "/oauth/v2/authorize?client_id=datumctl-sandbox&redirect_uri=http%3A%2F%2F127.0.0.1%3A"))
        #expect(login.stdout.contains("code_challenge_method=S256"))
        #expect(login.stdout.contains("\u{2713} Authenticated as Dev User (dev@example.com)"))
        let get = try Self.datumctl(sandbox, ["get", "configmaps", "--project", "p1"], home: home.path)
        #expect(get.status == 0, "\(get.stderr)")

        // The provider refuses a redirect that is not loopback, and a request without PKCE.
        let evil = try sandbox.request(
            "GET", sandbox.url + "/oauth/v2/authorize?client_id=x&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code",
            token: "")
        #expect(evil.status == 400)
        let noPKCE = try TestProcess.run(
            "/usr/bin/curl",
            ["-sS", "-o", "/dev/null", "-w", "%{redirect_url}", "--cacert", ca,
             sandbox.url + "/oauth/v2/authorize?client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&state=s"])
        #expect(noPKCE.stdout == "http://127.0.0.1:9/cb?error=invalid_request&error_description=PKCE%20with%20S256%20is%20required&state=s")
    }

    @Test func aDeniedDeviceCodeIsAnError() throws {
        let sandbox = try SandboxInstance(extraArguments: ["--dev-issuer", "--dev-issuer-device-interval", "1"])
        defer { sandbox.stop() }
        let home = try TemporaryDirectory()
        let login = try Self.startDeviceLogin(sandbox, home: home.path)
        let shown = login.read(until: "Waiting for authorization...")
        let url = try #require(shown.split(separator: "\n").first { $0.hasPrefix("https://") }.map(String.init))
        #expect(try sandbox.request("GET", url + "&deny=1", token: "").status == 200)
        _ = ChildProcess.readAll(login.output)
        let errors = String(decoding: ChildProcess.readAll(login.errorOutput), as: UTF8.self)
        #expect(login.wait().status == 1)
        #expect(errors == "error: device authorization denied by user\n")
        #expect(!FileManager.default.fileExists(atPath: home.path + "/.datumctl/credentials.json"))
    }

    /// Tokens that live 30 seconds are stale at once (datumctl renews a minute ahead): every command
    /// mints a new assertion, and each one is accepted once.
    @Test func shortLivedTokensAreRenewedByEveryCommand() throws {
        let sandbox = try SandboxInstance(extraArguments: ["--dev-issuer", "--dev-issuer-token-ttl", "30"])
        defer { sandbox.stop() }
        let home = try TemporaryDirectory()
        #expect(try Self.login(sandbox, home: home.path).status == 0)
        var tokens: Set<String> = []
        for _ in 0..<2 {
            let get = try Self.datumctl(sandbox, ["get", "configmaps", "--project", "p1"], home: home.path)
            #expect(get.status == 0, "\(get.stderr)")
            let stored = try JSONParser.parse(
                Array(try Data(contentsOf: URL(fileURLWithPath: home.path + "/.datumctl/credentials.json"))))
            for (_, credential) in stored["credentials"]?.objectValue ?? [:] {
                if let token = credential["access-token"]?.stringValue { tokens.insert(token) }
            }
        }
        #expect(tokens.count == 2)
    }

    /// The issuer refuses what a real one refuses, in RFC 6749's words; the API refuses tokens it
    /// did not issue.
    @Test func theIssuerAndTheAPIRefuseBadCredentials() throws {
        let sandbox = try SandboxInstance(tls: false, extraArguments: ["--dev-issuer"])
        defer { sandbox.stop() }
        let discovery = try sandbox.request("GET", sandbox.url + "/.well-known/openid-configuration", token: "")
        #expect(discovery.status == 200)
        #expect(discovery.json["issuer"]?.stringValue == sandbox.url)
        #expect(discovery.json["token_endpoint"]?.stringValue == sandbox.url + "/oauth/v2/token")
        let keys = try sandbox.request("GET", sandbox.url + "/oauth/v2/keys", token: "")
        #expect(keys.json["keys"]?[0]?["kty"] == "RSA")

        func token(_ form: String) throws -> SandboxInstance.HTTPResult {
            try sandbox.request(
                "POST", sandbox.url + "/oauth/v2/token", token: "", body: form,
                contentType: "application/x-www-form-urlencoded")
        }
        let wrongGrant = try token("grant_type=password&username=a&password=b")
        #expect(wrongGrant.status == 400)
        #expect(wrongGrant.json["error"] == "unsupported_grant_type")
        let notJWT = try token("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=abc")
        #expect(notJWT.json["error"] == "invalid_grant")

        // A correct assertion is exchanged once; the same assertion again, a wrong audience, a
        // wrong key ID and an expired one are refused.
        let keyFile = try JSONParser.parse(
            Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.dataDirectory + "/service-account-key.json"))))
        let key = try RSAKey(privateKeyPEM: keyFile["private_key"]?.stringValue ?? "")
        let clientID = keyFile["client_id"]?.stringValue ?? ""
        let keyID = keyFile["private_key_id"]?.stringValue ?? ""
        let now = Int64(Date().timeIntervalSince1970)
        func assertion(audience: String = sandbox.url, kid: String? = nil, issuedAt: Int64 = now, jti: String) throws -> String {
            let jwt = try JSONWebToken.sign(
                claims: [
                    "iss": .string(clientID), "sub": .string(clientID), "aud": .string(audience), "iat": .int(issuedAt),
                    "exp": .int(issuedAt + 60), "jti": .string(jti),
                ], keyID: kid ?? keyID, key: key)
            return "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + jwt
        }
        let first = try assertion(jti: "one")
        let granted = try token(first)
        #expect(granted.status == 200, "\(granted.body)")
        let access = granted.json["access_token"]?.stringValue ?? ""
        #expect(try sandbox.request("GET", "/api/v1/namespaces/default/configmaps", token: access).status == 200)
        #expect(try token(first).json["error_description"] == "the assertion was already used")
        #expect(try token(try assertion(audience: "https://auth.datum.net", jti: "two")).json["error"] == "invalid_grant")
        #expect(try token(try assertion(kid: "other", jti: "three")).json["error"] == "invalid_grant")
        #expect(try token(try assertion(issuedAt: now - 3600, jti: "four")).json["error"] == "invalid_grant")

        let forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        let refused = try sandbox.request("GET", "/api/v1/namespaces/default/configmaps", token: forged)
        #expect(refused.status == 401)
        #expect(refused.json["reason"] == "Unauthorized")
        // Static tokens keep working beside the issuer.
        #expect(try sandbox.request("GET", "/api/v1/namespaces/default/configmaps").status == 200)
    }
}
