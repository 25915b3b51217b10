import DatumCrypto
import DatumHTTP
import DatumJSON
import DatumKit
import DatumSystem
import GoCompat

#if canImport(Glibc)
    import Glibc
#endif

/// Where Datum Cloud signs users in, and which public OAuth client datumctl is there.
enum AuthHosts {
    static let defaultAuthHostname = "auth.datum.net"
    static let productionClientID = "328728232771788043"
    static let stagingClientID = "325848904128073754"
    static let scopes = "openid profile email offline_access"

    /// The official tool's `ResolveClientID`: a flag wins; Datum's own hosts have known clients.
    static func clientID(flag: String?, authHostname: String) throws(CLIError) -> String {
        if let flag, !flag.isEmpty { return flag }
        let host = hostOnly(authHostname)
        if host.hasSuffix(".staging.env.datum.net") { return stagingClientID }
        if host.hasSuffix(".datum.net") || host == "datum.net" { return productionClientID }
        throw CLIError(
            .configuration,
            "client ID not configured for hostname '\(authHostname)'. Please specify one with the --client-id flag")
    }

    /// The API host of an auth host: `auth.` becomes `api.` (the official `DeriveAPIHostname`).
    static func apiHostname(authHostname: String) throws(CLIError) -> String {
        let (scheme, rest) = splitScheme(authHostname)
        guard rest.hasPrefix("auth.") else {
            throw CLIError(
                .configuration,
                "cannot derive the API hostname from \"\(authHostname)\": it does not start with \"auth.\"; "
                    + "pass --api-hostname")
        }
        return (scheme.map { $0 + "://" } ?? "") + "api." + rest.dropFirst("auth.".count)
    }

    /// `https://host` for a hostname given with or without a scheme (`http://` only for loopback).
    static func baseURL(_ hostname: String) throws(CLIError) -> String {
        let (scheme, rest) = splitScheme(hostname)
        var trimmed = rest
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard !trimmed.isEmpty else { throw CLIError(.usage, "the hostname may not be empty") }
        switch scheme?.lowercased() {
        case nil, "https": return "https://" + trimmed
        case "http":
            guard ServerAddress.isLoopback("http://" + trimmed) else {
                throw CLIError(
                    .configuration,
                    "refusing to sign in over plain http to \(trimmed): credentials would travel unencrypted; use https"
                )
            }
            return "http://" + trimmed
        default:
            throw CLIError(.usage, "unsupported scheme in hostname \"\(hostname)\"")
        }
    }

    static func splitScheme(_ text: String) -> (String?, String) {
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else { return (nil, text) }
        return (String(text[..<colon]), String(text[text.index(colon, offsetBy: 3)...]))
    }

    static func hostOnly(_ text: String) -> String {
        let rest = splitScheme(text).1
        return String(rest.prefix { $0 != "/" && $0 != ":" })
    }
}

/// A Datum service-account key file (`datumctl login --credentials FILE`).
struct ServiceAccountKey: Sendable {
    var clientID: String
    var privateKeyID: String
    var privateKeyPEM: String
    var clientEmail: String?
    var scope: String?

    /// Reads and checks the file with the official tool's messages.
    init(path: String) throws(CLIError) {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw CLIError(.io, "failed to read credentials file \(GoFormat.quote(path)): \(error)")
        }
        guard case .object(let object)? = try? JSONParser.parse(bytes) else {
            throw CLIError(
                .configuration, "failed to parse credentials file \(GoFormat.quote(path)): not a JSON object")
        }
        let type = object["type"]?.stringValue ?? ""
        guard type == "datum_service_account" else {
            throw CLIError(
                .configuration,
                "unsupported credentials type \(GoFormat.quote(type)): expected \"datum_service_account\"")
        }
        func field(_ name: String) -> String { object[name]?.stringValue ?? "" }
        let missing = ["client_id", "private_key_id", "private_key"].filter { field($0).isEmpty }
        guard missing.isEmpty else {
            throw CLIError(
                .configuration, "credentials file is missing required fields: \(missing.joined(separator: ", "))")
        }
        clientID = field("client_id")
        privateKeyID = field("private_key_id")
        privateKeyPEM = field("private_key")
        clientEmail = object["client_email"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        scope = object["scope"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    init(clientID: String, privateKeyID: String, privateKeyPEM: String, clientEmail: String?, scope: String?) {
        self.clientID = clientID
        self.privateKeyID = privateKeyID
        self.privateKeyPEM = privateKeyPEM
        self.clientEmail = clientEmail
        self.scope = scope
    }

    /// The RFC 7523 assertion: RS256, `kid` = the key's ID, `iss` = `sub` = the client ID, `aud` =
    /// the issuer's origin (scheme and host of the token endpoint), valid for 60 seconds.
    func assertion(tokenEndpoint: String, now: Int64) throws(CLIError) -> String {
        let key: RSAKey
        do {
            key = try RSAKey(privateKeyPEM: privateKeyPEM)
        } catch {
            throw CLIError(.configuration, "failed to parse private key (tried PKCS#1 and PKCS#8): \(error)")
        }
        let (scheme, rest) = AuthHosts.splitScheme(tokenEndpoint)
        let audience = (scheme ?? "https") + "://" + String(rest.prefix { $0 != "/" })
        let jti: [UInt8]
        do {
            jti = try SecureRandom.bytes(16)
        } catch {
            throw CLIError(.io, "cannot make a random token ID: \(error)")
        }
        let claims: JSONObject = [
            "iss": .string(clientID), "sub": .string(clientID), "aud": .string(audience), "iat": .int(now),
            "exp": .int(now + 60), "jti": .string(Base64.rawURL.encode(jti)),
        ]
        do {
            return try JSONWebToken.sign(claims: claims, keyID: privateKeyID, key: key)
        } catch {
            throw CLIError(.configuration, "failed to mint JWT: \(error)")
        }
    }
}

/// The OpenID provider's endpoints, and the token requests datumctl makes to it. Bodies of these
/// requests and answers hold secrets, so their traces stop at headers (`-v 7`) whatever `-v` says.
struct OpenIDProvider: Sendable {
    var issuer: String
    var tokenEndpoint: String
    var jwksURI: String?
    let http: HTTPClient

    /// A client for the provider: TLS verified as for the API (CA file, `SSL_CERT_FILE`).
    static func client(settings: TLSSettings, verbosity: Int, trace: @escaping @Sendable (String) -> Void)
        throws(CLIError) -> HTTPClient
    {
        let configuration = HTTPClientConfiguration(
            userAgent: ProjectClient.userAgent, caFile: settings.caFile, caData: settings.caData,
            insecureSkipTLSVerify: settings.insecureSkipTLSVerify, connectTimeout: .seconds(30),
            requestTimeout: .seconds(60), verbosity: min(verbosity, 7), trace: trace, caPath: settings.caPath)
        do {
            return try HTTPClient(configuration)
        } catch {
            throw CLIError(.connection, error.description)
        }
    }

    struct TLSSettings: Sendable {
        var caFile: String?
        var caData: [UInt8]?
        var insecureSkipTLSVerify: Bool
        var caPath: String? = nil

        /// `--certificate-authority`, else `SSL_CERT_FILE`; `SSL_CERT_DIR` as a folder of CAs.
        static func from(_ context: CommandContext) -> TLSSettings {
            let variables = context.environment.variables
            func variable(_ name: String) -> String? { variables[name].flatMap { $0.isEmpty ? nil : $0 } }
            return TLSSettings(
                caFile: context.globals.certificateAuthority ?? variable("SSL_CERT_FILE"), caData: nil,
                insecureSkipTLSVerify: context.globals.insecureSkipTLSVerify, caPath: variable("SSL_CERT_DIR"))
        }
    }

    /// OIDC discovery at `<base>/.well-known/openid-configuration`.
    static func discover(base: String, http: HTTPClient) throws(CLIError) -> OpenIDProvider {
        let url = base + "/.well-known/openid-configuration"
        let response: HTTPResponse
        do {
            response = try http.send(HTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"]))
        } catch {
            throw CLIError(
                .connection,
                "failed to discover OIDC provider at \(base): \(error.description) (pass --hostname to point datumctl "
                    + "at your Datum Cloud auth server)")
        }
        guard response.status == 200, case .object(let document)? = try? JSONParser.parse(response.body),
            let issuer = document["issuer"]?.stringValue, let token = document["token_endpoint"]?.stringValue
        else {
            throw CLIError(
                .server,
                "failed to discover OIDC provider at \(base): HTTP \(response.status) without an OpenID configuration")
        }
        // The endpoints must not move the secrets somewhere unencrypted.
        for endpoint in [token] where !endpoint.hasPrefix("https://") {
            guard endpoint.hasPrefix("http://"), ServerAddress.isLoopback(endpoint) else {
                throw CLIError(.server, "the provider's token endpoint \(endpoint) is not https")
            }
        }
        return OpenIDProvider(
            issuer: issuer, tokenEndpoint: token, jwksURI: document["jwks_uri"]?.stringValue, http: http)
    }

    /// What a token endpoint answered.
    struct Tokens: Sendable {
        var accessToken: String
        var expiresAt: Int64?
        var refreshToken: String?
        var idToken: String?
    }

    /// POSTs a form to the token endpoint (RFC 6749); errors come back in the RFC's words.
    func requestTokens(_ form: [(String, String)], now: Int64) throws(CLIError) -> Tokens {
        let body = form.map { ProjectScope.escapeQuery($0.0) + "=" + ProjectScope.escapeQuery($0.1) }
            .joined(separator: "&")
        let request = HTTPRequest(
            method: "POST", url: tokenEndpoint,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Array(body.utf8), isIdempotent: false)
        let response: HTTPResponse
        do {
            response = try http.send(request)
        } catch {
            throw CLIError(.connection, "token request failed: \(error.description)")
        }
        let parsed = try? JSONParser.parse(response.body)
        guard response.status == 200, let object = parsed?.objectValue else {
            let code = parsed?["error"]?.stringValue ?? "HTTP \(response.status)"
            let description = parsed?["error_description"]?.stringValue
            throw CLIError(
                .authentication, "token request failed: \(code)" + (description.map { ": \($0)" } ?? ""),
                reason: parsed?["error"]?.stringValue, code: response.status)
        }
        guard let access = object["access_token"]?.stringValue, !access.isEmpty else {
            throw CLIError(.server, "the token endpoint answered without an access_token")
        }
        var expiresAt: Int64?
        if let seconds = object["expires_in"]?.intValue, seconds > 0, seconds < 10 * 365 * 86_400 {
            expiresAt = now + seconds
        }
        return Tokens(
            accessToken: access, expiresAt: expiresAt,
            refreshToken: object["refresh_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            idToken: object["id_token"]?.stringValue)
    }

    /// The RFC 7523 exchange of a service account's signed assertion for an access token.
    func exchange(_ key: ServiceAccountKey, now: Int64) throws(CLIError) -> Tokens {
        let assertion = try key.assertion(tokenEndpoint: tokenEndpoint, now: now)
        return try requestTokens(
            [
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion),
                ("scope", key.scope ?? AuthHosts.scopes),
            ], now: now)
    }
}

extension OpenIDProvider {
    /// The claims of an ID token after checking it as an OIDC client must: RS256 by a key of the
    /// provider's JWKS, `iss` the provider, `aud` the client, `exp` in the future; `sub` and `email`
    /// are required.
    func verifiedIdentity(_ idToken: String?, clientID: String, now: Int64) throws(CLIError) -> JSONObject {
        guard let idToken, !idToken.isEmpty else {
            throw CLIError(.authentication, "id_token not found in token response")
        }
        guard let jwksURI else { throw CLIError(.server, "the provider publishes no jwks_uri") }
        let token: JSONWebToken
        do {
            token = try JSONWebToken(parsing: idToken)
        } catch {
            throw CLIError(.authentication, "failed to verify ID token: \(error)")
        }
        let response: HTTPResponse
        do {
            response = try http.send(HTTPRequest(method: "GET", url: jwksURI, headers: ["Accept": "application/json"]))
        } catch {
            throw CLIError(.connection, "cannot fetch the provider's keys: \(error.description)")
        }
        guard response.status == 200, let document = try? JSONParser.parse(response.body),
            let keys = try? JSONWebKey.set(from: document)
        else { throw CLIError(.server, "the provider's keys at \(jwksURI) are not a JWKS") }
        guard token.algorithm == "RS256",
            keys.contains(where: { ($0.keyID == nil || $0.keyID == token.keyID) && token.isSigned(by: $0.key) })
        else { throw CLIError(.authentication, "failed to verify ID token: no key of the provider signed it") }
        do {
            try token.checkClaims(issuer: issuer, audience: clientID, now: now)
        } catch {
            throw CLIError(.authentication, "failed to verify ID token: \(error)")
        }
        guard token.claims["sub"]?.stringValue?.isEmpty == false else {
            throw CLIError(.authentication, "could not extract subject (sub) claim from ID token")
        }
        guard token.claims["email"]?.stringValue?.isEmpty == false else {
            throw CLIError(
                .authentication,
                "could not extract email claim from ID token, which is required for user identification")
        }
        return token.claims
    }

    /// RFC 8628: asks for a device code, shows where to approve it, and polls the token endpoint
    /// (`authorization_pending` waits, `slow_down` adds five seconds).
    func deviceFlow(
        base: String, clientID: String, print: (String) -> Void, sleep: (Duration) -> Void, now: () -> Int64
    ) throws(CLIError) -> Tokens {
        let form = "client_id=\(ProjectScope.escapeQuery(clientID))&scope=\(ProjectScope.escapeQuery(AuthHosts.scopes))"
        let response: HTTPResponse
        do {
            response = try http.send(
                HTTPRequest(
                    method: "POST", url: base + "/oauth/v2/device_authorization",
                    headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
                    body: Array(form.utf8), isIdempotent: false))
        } catch {
            throw CLIError(.connection, "device authorization request failed: \(error.description)")
        }
        let answer = try? JSONParser.parse(response.body)
        guard response.status == 200, let deviceCode = answer?["device_code"]?.stringValue, !deviceCode.isEmpty else {
            if let code = answer?["error"]?.stringValue {
                throw CLIError(
                    .authentication,
                    "device authorization failed: \(code) (\(answer?["error_description"]?.stringValue ?? ""))")
            }
            throw CLIError(.server, "device authorization failed with status \(response.status)")
        }
        let userCode = answer?["user_code"]?.stringValue ?? ""
        // As the official tool: the provider's v2 login page, whatever the answer names.
        var verification = base + "/ui/v2/login/device"
        if !userCode.isEmpty { verification += "?user_code=" + ProjectScope.escapeQuery(userCode) }
        print("\nTo authenticate, visit:\n\n\(verification)\n")
        if !userCode.isEmpty { print("And enter code: \(userCode)\n") }
        print("Waiting for authorization...")

        var interval = Duration.seconds(max(0, min(answer?["interval"]?.intValue ?? 5, 60)))
        if answer?["interval"] == nil { interval = .seconds(5) }
        let lifetime = answer?["expires_in"]?.intValue ?? 0
        let deadline = lifetime > 0 ? now() + lifetime : Int64.max
        while true {
            if now() > deadline { throw CLIError(.authentication, "device authorization expired before completion") }
            do {
                return try requestTokens(
                    [
                        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode),
                        ("client_id", clientID),
                    ], now: now())
            } catch {
                switch error.reason {
                case "authorization_pending": break
                case "slow_down": interval += .seconds(5)
                case "access_denied": throw CLIError(.authentication, "device authorization denied by user")
                case "expired_token": throw CLIError(.authentication, "device authorization expired")
                default: throw error
                }
            }
            sleep(interval)
        }
    }
}
