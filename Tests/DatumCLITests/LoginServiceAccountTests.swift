import DatumCrypto
import DatumJSON
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import DatumCLI

/// `login --credentials` end to end against a small OpenID provider on loopback (the fake server
/// plays the provider and the API): the assertion the provider receives is checked as a real one
/// checks it, and the API must receive the exchanged token.
@Suite(.serialized) struct LoginServiceAccountTests {
    final class Provider: Sendable {
        let key: RSAKey
        let clientID = "340000000000000001"
        let keyID = "key-1"
        let email = "ci-bot@acme.iam.datum.net"
        let minted = Mutex(0)
        let lifetime = Mutex<Int64>(3600)
        let failures = Mutex<[String]>([])
        let authorizations = Mutex<[String]>([])
        let lastAssertion = Mutex("")

        init() throws { key = try RSAKey.generate(bits: 2048) }

        func keyFile(in directory: TemporaryDirectory) throws -> String {
            let document: JSONValue = [
                "type": "datum_service_account", "client_id": .string(clientID), "private_key_id": .string(keyID),
                "private_key": .string(try key.privateKeyPEM()), "client_email": .string(email),
            ]
            return try directory.write("key.json", GoJSONEncoder(sortKeys: true).encode(document))
        }

        func handle(_ request: FakeAPIServer.Request, origin: String) -> FakeAPIServer.Response {
            switch (request.method, request.path) {
            case ("GET", "/.well-known/openid-configuration"):
                return .json([
                    "issuer": .string(origin), "token_endpoint": .string(origin + "/oauth/v2/token"),
                    "jwks_uri": .string(origin + "/oauth/v2/keys"),
                ])
            case ("POST", "/oauth/v2/token"):
                let form = Dictionary(
                    String(decoding: request.body, as: UTF8.self).split(separator: "&").map { pair in
                        let parts = pair.split(separator: "=", maxSplits: 1).map {
                            String($0).removingPercentEncoding ?? String($0)
                        }
                        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
                    }, uniquingKeysWith: { a, _ in a })
                let assertion = form["assertion"] ?? ""
                lastAssertion.withLock { $0 = assertion }
                var problems: [String] = []
                if form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" { problems.append("grant_type") }
                if form["scope"] != "openid profile email offline_access" { problems.append("scope") }
                if let token = try? JSONWebToken(parsing: assertion) {
                    if !token.isSigned(by: key) { problems.append("signature") }
                    if token.keyID != keyID { problems.append("kid") }
                    if token.algorithm != "RS256" { problems.append("alg") }
                    let claims = token.claims
                    if claims["iss"]?.stringValue != clientID || claims["sub"]?.stringValue != clientID {
                        problems.append("iss/sub")
                    }
                    if claims["aud"]?.stringValue != origin { problems.append("aud \(claims["aud"] ?? .null)") }
                    if let iat = token.date("iat"), let exp = token.date("exp"), exp - iat != 60 { problems.append("exp") }
                    if claims["jti"]?.stringValue?.isEmpty ?? true { problems.append("jti") }
                } else {
                    problems.append("not a JWT")
                }
                if !problems.isEmpty {
                    failures.withLock { $0 += problems }
                    return .json(["error": "invalid_grant", "error_description": .string(problems.joined(separator: ","))], status: 400)
                }
                let number = minted.withLock { count in
                    count += 1
                    return count
                }
                return .json([
                    "access_token": .string("sa-access-\(number)"), "token_type": "Bearer",
                    "expires_in": .int(lifetime.withLock { $0 }),
                ])
            default:
                authorizations.withLock { $0.append(request.headers["authorization"] ?? "") }
                return .json(FakeObjects.list([]))
            }
        }
    }

    static func run(_ arguments: [String], home: TemporaryDirectory) -> CLIRun {
        CLI.run(
            arguments + ["--cache-dir="],
            variables: ["HOME": home.path, "DATUMCTL_CONFIG": home.path + "/.datumctl/config"])
    }

    /// A provider on loopback and a home signed in to it: the common start of these tests.
    struct SignedIn {
        let provider: Provider
        let server: FakeAPIServer
        let home: TemporaryDirectory
        let keyFile: String
        let host: String
        let login: CLIRun
    }

    static func signIn(lifetime: Int64 = 3600) throws -> SignedIn {
        let provider = try Provider()
        provider.lifetime.withLock { $0 = lifetime }
        let box = Mutex<String>("")
        let server = try FakeAPIServer { request in provider.handle(request, origin: box.withLock { $0 }) }
        box.withLock { $0 = server.url }
        let home = try TemporaryDirectory()
        let keyFile = try provider.keyFile(in: home)
        let host = String(server.url.dropFirst("http://".count))
        let login = run(
            ["login", "--credentials", keyFile, "--hostname", "http://" + host, "--api-hostname", "http://" + host],
            home: home)
        return SignedIn(provider: provider, server: server, home: home, keyFile: keyFile, host: host, login: login)
    }

    @Test func aServiceAccountSignsInAndCommandsUseItsToken() throws {
        let signedIn = try Self.signIn()
        defer { signedIn.server.stop() }
        let (provider, home, keyFile, host, login) = (
            signedIn.provider, signedIn.home, signedIn.keyFile, signedIn.host, signedIn.login
        )
        #expect(login.exitCode == 0, "\(login.stderr)")
        #expect(provider.failures.withLock { $0 } == [])
        #expect(login.stdout.hasPrefix("\n\u{2713} Authenticated as \(provider.email) (\(provider.email))\n\n"))

        // The credentials file is private and holds the token; the shared config never does.
        let credentials = home.path + "/.datumctl/credentials.json"
        let mode = (try FileManager.default.attributesOfItem(atPath: credentials)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600)
        let folderMode = (try FileManager.default.attributesOfItem(atPath: home.path + "/.datumctl")[.posixPermissions] as? Int) ?? 0
        #expect(folderMode == 0o700)
        let config = try String(contentsOfFile: home.path + "/.datumctl/config", encoding: .utf8)
        #expect(!config.contains("sa-access"))
        #expect(!config.contains("PRIVATE KEY"))
        #expect(config.contains("active-session: \(provider.email)@\(host)"))

        // Commands use the session's token, with no --token anywhere.
        let get = Self.run(["get", "btlspolicy", "--project", "p1"], home: home)
        #expect(get.exitCode == 0, "\(get.stderr)")
        // Login's discovery of organizations (none here), then the get.
        #expect(provider.authorizations.withLock { $0 } == ["Bearer sa-access-1", "Bearer sa-access-1"])
        #expect(provider.minted.withLock { $0 } == 1)

        // A static token still wins.
        _ = Self.run(["get", "btlspolicy", "--project", "p1", "--token", "static"], home: home)
        #expect(provider.authorizations.withLock { $0.last } == "Bearer static")

        // auth get-token, bare and as an ExecCredential.
        let bare = Self.run(["auth", "get-token"], home: home)
        #expect(bare.stdout == "sa-access-1\n")
        let exec = Self.run(["auth", "get-token", "-o", "client.authentication.k8s.io/v1"], home: home)
        let credential = try JSONParser.parse(exec.stdout)
        #expect(credential["kind"] == "ExecCredential")
        #expect(credential["status"]?["token"] == "sa-access-1")
        #expect(credential["status"]?["expirationTimestamp"]?.stringValue?.hasSuffix("Z") == true)

        // Nothing secret at -v 9: not the token, the assertion or the key.
        let traced = Self.run(["get", "btlspolicy", "--project", "p1", "-v", "9"], home: home)
        let relogin = Self.run(
            ["login", "--credentials", keyFile, "--hostname", "http://" + host, "--api-hostname", "http://" + host, "-v", "9"],
            home: home)
        let assertion = provider.lastAssertion.withLock { $0 }
        for output in [traced.stdout + traced.stderr, relogin.stdout + relogin.stderr] {
            #expect(!output.contains("sa-access-"))
            #expect(!output.contains(assertion))
            #expect(!output.contains("PRIVATE KEY"))
        }
        #expect(traced.stderr.contains("Authorization: Bearer <masked>"))

        // whoami: the user, the endpoint, no context yet, and the variable that picks the project.
        let whoami = CLI.run(
            ["whoami"], variables: ["HOME": home.path, "DATUMCTL_CONFIG": home.path + "/.datumctl/config", "DATUM_PROJECT": "p1"])
        #expect(
            whoami.stdout
                == "User:         \(provider.email) (\(provider.email))\nEndpoint:     \(host)\nContext:      (none)\n"
                + "  Run 'datumctl ctx use' to select a context.\n\nOverride:     DATUM_PROJECT=p1 (overrides context project)\n")

        // auth switch: to a user with a session, and a clear error for one without.
        let switched = Self.run(["auth", "switch", provider.email], home: home)
        #expect(switched.exitCode == 0)
        #expect(switched.stdout == "\n\u{2713} Switched to \(provider.email) (\(provider.email))\n  Endpoint: \(host)\n")
        let unknown = Self.run(["auth", "switch", "nobody@example.com"], home: home)
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.hasPrefix("error: No sessions found for nobody@example.com.\n"))

        // Logout forgets the credentials; commands then say how to sign in again.
        let logout = Self.run(["logout"], home: home)
        #expect(logout.exitCode == 0)
        #expect(logout.stdout == "Logged out \(provider.email)\n")
        let after = Self.run(["auth", "get-token"], home: home)
        #expect(after.exitCode == 1)
    }

    /// A token about to expire is replaced by a newly minted one before the request, once.
    @Test func anExpiringTokenIsMintedAgain() throws {
        let signedIn = try Self.signIn(lifetime: 30)  // under the minute of margin: stale at once
        defer { signedIn.server.stop() }
        let (provider, home, login) = (signedIn.provider, signedIn.home, signedIn.login)
        #expect(login.exitCode == 0, "\(login.stderr)")
        let first = Self.run(["get", "btlspolicy", "--project", "p1"], home: home)
        let second = Self.run(["get", "btlspolicy", "--project", "p1"], home: home)
        #expect(first.exitCode == 0 && second.exitCode == 0, "\(first.stderr)\(second.stderr)")
        // Login's own discovery already finds the 30-second token stale, then each get does.
        #expect(
            provider.authorizations.withLock { $0 } == ["Bearer sa-access-2", "Bearer sa-access-3", "Bearer sa-access-4"],
            "login: \(login.stdout)\(login.stderr)")
        #expect(provider.failures.withLock { $0 } == [])
    }

    /// Two processes find the token stale at the same moment: the credential store's lock lets one
    /// renew it and the other use the result, so the provider mints once.
    @Test func twoProcessesRenewOnce() throws {
        let signedIn = try Self.signIn(lifetime: 90)
        defer { signedIn.server.stop() }
        let (provider, home) = (signedIn.provider, signedIn.home)
        #expect(signedIn.login.exitCode == 0)
        // Make the stored token stale (10 s left, under the minute of margin).
        let path = home.path + "/.datumctl/credentials.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let stale = text.replacingOccurrences(of: "\"expires-at\": 1796000090", with: "\"expires-at\": 1796000010")
        #expect(stale != text)
        try stale.write(toFile: path, atomically: true, encoding: .utf8)

        let results = Mutex<[Int32]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let run = Self.run(["get", "btlspolicy", "--project", "p1"], home: home)
            results.withLock { $0.append(run.exitCode) }
        }
        #expect(results.withLock { $0 } == [0, 0])
        #expect(provider.minted.withLock { $0 } == 2)
        // Login's discovery used the first token; both gets the one renewed token.
        #expect(
            provider.authorizations.withLock { $0 } == ["Bearer sa-access-1", "Bearer sa-access-2", "Bearer sa-access-2"])
    }

    @Test(arguments: [
        (#"{"type":"user"}"#, #"error: unsupported credentials type "user": expected "datum_service_account""#),
        (#"{"type":"datum_service_account","client_id":"x"}"#, "error: credentials file is missing required fields: private_key_id, private_key"),
        ("[]", "error: failed to parse credentials file"),
    ])
    func badKeyFilesAreRefusedInTheOfficialWords(_ text: String, _ message: String) throws {
        let home = try TemporaryDirectory()
        let path = try home.write("key.json", text)
        let run = Self.run(["login", "--credentials", path, "--hostname", "http://127.0.0.1:9"], home: home)
        #expect(run.exitCode == 1)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
    }

    @Test func signingInOverPlainHTTPToAnotherHostIsRefused() throws {
        let home = try TemporaryDirectory()
        let provider = try Provider()
        let keyFile = try provider.keyFile(in: home)
        let run = Self.run(["login", "--credentials", keyFile, "--hostname", "http://auth.example.com"], home: home)
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("refusing to sign in over plain http"))
    }
}
