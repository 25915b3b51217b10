import DatumCrypto
import DatumJSON
import DatumKit
import DatumSystem
import GoCompat
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `--dev-issuer`: the sandbox as a small OpenID provider of its own, for offline demos and tests of
/// `datumctl login --credentials`. It serves OIDC discovery, its signing key (JWKS) and a token
/// endpoint for the RFC 7523 service-account grant, with Zitadel's paths; the access tokens it issues
/// are RS256 JWTs that the sandbox itself accepts as bearer tokens.
///
/// State lives in the data folder: the signing key (`dev-issuer-key.pem`) and one service account's
/// key file in the format Datum Cloud hands out (`service-account-key.json`), both 0600, made at the
/// first start.
public final class DevIssuer: Sendable {
    public static let clientID = "datumctl-sandbox"
    static let serviceAccountClientID = "sandbox-service-account"
    static let serviceAccountEmail = "ci@sandbox.datumctl.local"
    /// Seconds of clock skew allowed on `exp`, `nbf` and `iat`.
    static let skew: Int64 = 30

    let signingKey: RSAKey
    let signingKeyID: String
    /// The registered service accounts: client ID → (key ID, public key, email).
    let accounts: [String: (keyID: String, key: RSAKey, email: String)]
    let tokenLifetime: Int64
    /// Projects the issuer's subjects may use; nil means every project.
    let projects: Set<String>?
    private let issuerURL = Mutex("")
    /// Assertion IDs already used, with their expiry, so an assertion works once.
    private let usedAssertions = Mutex<[String: Int64]>([:])
    /// The person the device flow signs in (`--dev-issuer-user`): subject `dev-user`.
    let userEmail: String
    static let userSubject = "dev-user"
    let deviceInterval: Int64
    static let deviceLifetime: Int64 = 600

    /// One device authorization (RFC 8628) in progress.
    struct DeviceGrant {
        enum State { case pending, approved, denied }
        var userCode: String
        var clientID: String
        var expiresAt: Int64
        var state: State
        var lastPoll: Int64?
    }
    private let devices = Mutex<[String: DeviceGrant]>([:])
    /// Authorization codes: code → (client, redirect URI, PKCE challenge, expiry). One use each.
    private let codes = Mutex<[String: (clientID: String, redirect: String, challenge: String, expiresAt: Int64)]>([:])
    /// Refresh tokens in use: token → (client ID, subject). Each is used once (rotation).
    private let refreshTokens = Mutex<[String: (clientID: String, subject: String)]>([:])

    public init(
        dataDirectory: String, tokenLifetime: Int64, projects: Set<String>?, userEmail: String = "dev@example.com",
        deviceInterval: Int64 = 5
    ) throws(SandboxConfigurationError) {
        self.tokenLifetime = tokenLifetime
        self.projects = projects
        self.userEmail = userEmail
        self.deviceInterval = deviceInterval
        let keyPath = dataDirectory + "/dev-issuer-key.pem"
        signingKey = try Self.loadOrCreateKey(at: keyPath)
        signingKeyID = Self.keyID(of: signingKey)
        let accountPath = dataDirectory + "/service-account-key.json"
        let account = try Self.loadOrCreateServiceAccount(at: accountPath)
        accounts = [Self.serviceAccountClientID: account]
    }

    /// The issuer URL: the sandbox's own base URL, known once it listens.
    public func setIssuer(_ url: String) { issuerURL.withLock { $0 = url } }
    var issuer: String { issuerURL.withLock { $0 } }

    // MARK: Keys on disk

    private static func loadOrCreateKey(at path: String) throws(SandboxConfigurationError) -> RSAKey {
        if let bytes = try? FileSystem.read(path) {
            do {
                return try RSAKey(privateKeyPEM: String(decoding: bytes, as: UTF8.self))
            } catch {
                throw SandboxConfigurationError("\(path): not an RSA private key: \(error)")
            }
        }
        do {
            let key = try RSAKey.generate(bits: 2048)
            try FileSystem.writeAtomically(path, Array(try key.privateKeyPEM().utf8), mode: 0o600)
            return key
        } catch {
            throw SandboxConfigurationError("cannot create the dev issuer's key \(path): \(error)")
        }
    }

    private static func loadOrCreateServiceAccount(at path: String) throws(SandboxConfigurationError)
        -> (keyID: String, key: RSAKey, email: String)
    {
        if let bytes = try? FileSystem.read(path) {
            guard case .object(let object)? = try? JSONParser.parse(bytes),
                let pem = object["private_key"]?.stringValue, let keyID = object["private_key_id"]?.stringValue,
                let key = try? RSAKey(privateKeyPEM: pem)
            else { throw SandboxConfigurationError("\(path): not a service account key file") }
            return (keyID, key, object["client_email"]?.stringValue ?? serviceAccountEmail)
        }
        do {
            let key = try RSAKey.generate(bits: 2048)
            let keyID = Self.keyID(of: key)
            let document: JSONValue = [
                "type": "datum_service_account", "client_id": .string(serviceAccountClientID),
                "client_email": .string(serviceAccountEmail), "private_key_id": .string(keyID),
                "private_key": .string(try key.privateKeyPEM()),
            ]
            try FileSystem.writeAtomically(
                path, Array((GoJSONEncoder(indent: "  ", sortKeys: true).encode(document) + "\n").utf8), mode: 0o600)
            return (keyID, key, serviceAccountEmail)
        } catch {
            throw SandboxConfigurationError("cannot create the service account key \(path): \(error)")
        }
    }

    /// A stable key ID: the first 16 hex digits of the SHA-256 of the public modulus.
    static func keyID(of key: RSAKey) -> String {
        let modulus = (try? key.publicComponents().modulus) ?? []
        return Digest.sha256(modulus).prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    // MARK: Endpoints

    /// The issuer's own endpoints; nil for every other path.
    func handle(_ request: SandboxRequest) -> SandboxResponse? {
        switch (request.method, request.path) {
        case ("GET", "/.well-known/openid-configuration"):
            let base = issuer
            return .json(
                200,
                [
                    "issuer": .string(base), "token_endpoint": .string(base + "/oauth/v2/token"),
                    "jwks_uri": .string(base + "/oauth/v2/keys"),
                    "device_authorization_endpoint": .string(base + "/oauth/v2/device_authorization"),
                    "authorization_endpoint": .string(base + "/oauth/v2/authorize"),
                    "code_challenge_methods_supported": ["S256"],
                    "grant_types_supported": [
                        "urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:device_code",
                        "authorization_code", "refresh_token",
                    ],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["none"],
                ])
        case ("GET", "/oauth/v2/keys"):
            let jwk = (try? JSONWebKey(keyID: signingKeyID, key: signingKey).publicJSON()) ?? .null
            return .json(200, ["keys": [jwk]])
        case ("POST", "/oauth/v2/token"):
            return token(request)
        case ("POST", "/oauth/v2/device_authorization"):
            return deviceAuthorization(request)
        case ("GET", "/ui/v2/login/device"):
            return approveDevice(request)
        case ("GET", "/oauth/v2/authorize"):
            return authorize(request)
        case (_, "/.well-known/openid-configuration"), (_, "/oauth/v2/keys"), (_, "/oauth/v2/token"):
            return .json(405, ["error": "invalid_request", "error_description": "method not allowed"])
        default:
            return nil
        }
    }

    /// RFC 6749 error bodies.
    private func oauthError(_ code: String, _ description: String, status: Int = 400) -> SandboxResponse {
        .json(status, ["error": .string(code), "error_description": .string(description)])
    }

    private func token(_ request: SandboxRequest) -> SandboxResponse {
        let form = QueryParameters(String(decoding: request.body, as: UTF8.self))
        switch form["grant_type"] {
        case "urn:ietf:params:oauth:grant-type:jwt-bearer": break
        case "urn:ietf:params:oauth:grant-type:device_code": return deviceToken(form)
        case "refresh_token": return refresh(form)
        case "authorization_code": return exchangeCode(form)
        default:
            return oauthError(
                "unsupported_grant_type",
                "supported grants: urn:ietf:params:oauth:grant-type:jwt-bearer, "
                    + "urn:ietf:params:oauth:grant-type:device_code, refresh_token")
        }
        guard let text = form["assertion"], !text.isEmpty else {
            return oauthError("invalid_request", "assertion is required")
        }
        guard let assertion = try? JSONWebToken(parsing: text) else {
            return oauthError("invalid_grant", "the assertion is not a JWT")
        }
        guard assertion.algorithm == "RS256" else { return oauthError("invalid_grant", "the assertion must be RS256") }
        guard let clientID = assertion.claims["iss"]?.stringValue, assertion.claims["sub"]?.stringValue == clientID,
            let account = accounts[clientID]
        else { return oauthError("invalid_grant", "unknown service account") }
        guard assertion.keyID == account.keyID, assertion.isSigned(by: account.key) else {
            return oauthError("invalid_grant", "the assertion's signature does not match the service account's key")
        }
        let now = Int64(time(nil))
        let origin = Self.origin(of: issuer)
        guard assertion.audiences.contains(origin) else {
            return oauthError("invalid_grant", "the assertion's audience must be \(origin)")
        }
        guard let exp = assertion.date("exp"), let iat = assertion.date("iat"), exp > now - Self.skew,
            iat <= now + Self.skew, exp - iat <= 3600
        else { return oauthError("invalid_grant", "the assertion is expired or not yet valid") }
        guard let jti = assertion.claims["jti"]?.stringValue, !jti.isEmpty else {
            return oauthError("invalid_grant", "the assertion needs a jti")
        }
        let fresh = usedAssertions.withLock { used -> Bool in
            used = used.filter { $0.value > now - Self.skew }
            if used[jti] != nil { return false }
            used[jti] = exp
            return true
        }
        guard fresh else { return oauthError("invalid_grant", "the assertion was already used") }
        let tokenID = ((try? SecureRandom.bytes(16)) ?? []).map { String($0, radix: 16) }.joined()
        let claims: JSONObject = [
            "jti": .string(tokenID),
            "iss": .string(issuer), "sub": .string(account.email), "aud": [.string(Self.clientID)],
            "iat": .int(now), "nbf": .int(now), "exp": .int(now + tokenLifetime), "email": .string(account.email),
            "client_id": .string(clientID),
        ]
        guard let access = try? JSONWebToken.sign(claims: claims, keyID: signingKeyID, key: signingKey) else {
            return oauthError("server_error", "cannot sign the token", status: 500)
        }
        return .json(
            200, ["access_token": .string(access), "token_type": "Bearer", "expires_in": .int(tokenLifetime)])
    }

    // MARK: Device authorization (RFC 8628) and refresh tokens

    static func randomToken(_ bytes: Int = 24) -> String {
        Base64.rawURL.encode((try? SecureRandom.bytes(bytes)) ?? [])
    }

    /// Eight letters from an alphabet without look-alikes, shown as `ABCD-EFGH`.
    static func userCode() -> String {
        let alphabet = Array("BCDFGHJKLMNPQRSTVWXZ")
        let bytes = (try? SecureRandom.bytes(8)) ?? [UInt8](repeating: 0, count: 8)
        let letters = bytes.map { alphabet[Int($0) % alphabet.count] }
        return String(letters[0..<4]) + "-" + String(letters[4..<8])
    }

    private func deviceAuthorization(_ request: SandboxRequest) -> SandboxResponse {
        let form = QueryParameters(String(decoding: request.body, as: UTF8.self))
        guard let clientID = form["client_id"], !clientID.isEmpty else {
            return oauthError("invalid_request", "client_id is required")
        }
        let deviceCode = Self.randomToken()
        let userCode = Self.userCode()
        let now = Int64(time(nil))
        devices.withLock { devices in
            devices = devices.filter { $0.value.expiresAt > now }
            devices[deviceCode] = DeviceGrant(
                userCode: userCode, clientID: clientID, expiresAt: now + Self.deviceLifetime, state: .pending)
        }
        let verification = issuer + "/ui/v2/login/device"
        return .json(
            200,
            [
                "device_code": .string(deviceCode), "user_code": .string(userCode),
                "verification_uri": .string(verification),
                "verification_uri_complete": .string(verification + "?user_code=" + userCode),
                "expires_in": .int(Self.deviceLifetime), "interval": .int(deviceInterval),
            ])
    }

    /// The page a person opens: a GET approves the code as the dev user (`deny=1` refuses it).
    private func approveDevice(_ request: SandboxRequest) -> SandboxResponse {
        guard let code = request.query["user_code"], !code.isEmpty else {
            return .text(400, "user_code is required\n")
        }
        let deny = request.query.flag("deny")
        let now = Int64(time(nil))
        let found = devices.withLock { devices -> Bool in
            guard let key = devices.first(where: { $0.value.userCode == code && $0.value.expiresAt > now })?.key else {
                return false
            }
            devices[key]?.state = deny ? .denied : .approved
            return true
        }
        guard found else { return .text(404, "unknown or expired code \(code)\n") }
        return .text(200, deny ? "Denied.\n" : "Signed in as \(userEmail). You can close this page.\n")
    }

    private func deviceToken(_ form: QueryParameters) -> SandboxResponse {
        guard let code = form["device_code"], !code.isEmpty else {
            return oauthError("invalid_request", "device_code is required")
        }
        let now = Int64(time(nil))
        enum Outcome { case unknown, expired, denied, pending, slowDown, approved(String) }
        let outcome = devices.withLock { devices -> Outcome in
            guard var grant = devices[code] else { return .unknown }
            if grant.expiresAt <= now {
                devices[code] = nil
                return .expired
            }
            switch grant.state {
            case .denied:
                devices[code] = nil
                return .denied
            case .approved:
                devices[code] = nil
                return .approved(grant.clientID)
            case .pending:
                defer { devices[code] = grant }
                if let last = grant.lastPoll, now - last < deviceInterval {
                    grant.lastPoll = now
                    return .slowDown
                }
                grant.lastPoll = now
                return .pending
            }
        }
        switch outcome {
        case .unknown: return oauthError("invalid_grant", "unknown device_code")
        case .expired: return oauthError("expired_token", "the device code has expired")
        case .denied: return oauthError("access_denied", "the user denied the request")
        case .pending: return oauthError("authorization_pending", "the user has not approved the request yet")
        case .slowDown: return oauthError("slow_down", "polling too fast")
        case .approved(let clientID): return userTokens(clientID: clientID, subject: Self.userSubject)
        }
    }

    /// The browser's visit: approves at once as the dev user and redirects back with a code. Only
    /// loopback `http` redirect URIs (RFC 8252) and S256 PKCE are accepted; problems with the
    /// redirect URI itself are shown, not redirected to.
    private func authorize(_ request: SandboxRequest) -> SandboxResponse {
        let query = request.query
        guard let clientID = query["client_id"], !clientID.isEmpty else { return .text(400, "client_id is required\n") }
        guard let redirect = query["redirect_uri"], Self.isLoopbackRedirect(redirect) else {
            return .text(400, "redirect_uri must be an http://127.0.0.1 or http://localhost address\n")
        }
        let state = query["state"] ?? ""
        func back(_ parameters: [(String, String)]) -> SandboxResponse {
            let items = (parameters + (state.isEmpty ? [] : [("state", state)])).map {
                $0.0 + "=" + PercentEncoding.encodeQueryComponent($0.1)
            }
            let location = redirect + (redirect.contains("?") ? "&" : "?") + items.joined(separator: "&")
            return .complete(status: 302, headers: [("Location", location)], body: [])
        }
        guard query["response_type"] == "code" else {
            return back([("error", "unsupported_response_type"), ("error_description", "response_type must be code")])
        }
        guard query["code_challenge_method"] == "S256", let challenge = query["code_challenge"], challenge.count >= 43
        else {
            return back([("error", "invalid_request"), ("error_description", "PKCE with S256 is required")])
        }
        let code = Self.randomToken()
        let now = Int64(time(nil))
        codes.withLock { codes in
            codes = codes.filter { $0.value.expiresAt > now }
            codes[code] = (clientID, redirect, challenge, now + 60)
        }
        return back([("code", code)])
    }

    static func isLoopbackRedirect(_ uri: String) -> Bool {
        for prefix in [
            "http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/", "http://[::1]:",
        ]
        where uri.hasPrefix(prefix) {
            return true
        }
        return false
    }

    /// The code grant: the code once, within a minute, for the same client and redirect URI, and
    /// the verifier whose SHA-256 is the challenge.
    private func exchangeCode(_ form: QueryParameters) -> SandboxResponse {
        guard let code = form["code"], let verifier = form["code_verifier"], let clientID = form["client_id"],
            let redirect = form["redirect_uri"]
        else { return oauthError("invalid_request", "code, code_verifier, client_id and redirect_uri are required") }
        let grant = codes.withLock {
            codes -> (clientID: String, redirect: String, challenge: String, expiresAt: Int64)? in
            defer { codes[code] = nil }
            return codes[code]
        }
        guard let grant, grant.expiresAt > Int64(time(nil)) else {
            return oauthError("invalid_grant", "the authorization code is invalid, expired or already used")
        }
        guard grant.clientID == clientID, grant.redirect == redirect else {
            return oauthError("invalid_grant", "the code was issued to another client or redirect_uri")
        }
        guard Base64.rawURL.encode(Digest.sha256(Array(verifier.utf8))) == grant.challenge else {
            return oauthError("invalid_grant", "the code_verifier does not match the code_challenge")
        }
        return userTokens(clientID: clientID, subject: Self.userSubject)
    }

    private func refresh(_ form: QueryParameters) -> SandboxResponse {
        guard let token = form["refresh_token"], !token.isEmpty else {
            return oauthError("invalid_request", "refresh_token is required")
        }
        let owner = refreshTokens.withLock { tokens -> (clientID: String, subject: String)? in
            defer { tokens[token] = nil }
            return tokens[token]
        }
        guard let owner else { return oauthError("invalid_grant", "the refresh token is invalid or was already used") }
        return userTokens(clientID: owner.clientID, subject: owner.subject)
    }

    /// Access, ID and refresh tokens for the dev user.
    private func userTokens(clientID: String, subject: String) -> SandboxResponse {
        let now = Int64(time(nil))
        var common: JSONObject = [
            "iss": .string(issuer), "sub": .string(subject), "iat": .int(now), "exp": .int(now + tokenLifetime),
            "email": .string(userEmail), "email_verified": true, "name": "Dev User",
        ]
        common["jti"] = .string(Self.randomToken(12))
        var access = common
        access["aud"] = [.string(Self.clientID), .string(clientID)]
        access["nbf"] = .int(now)
        var identity = common
        identity["aud"] = [.string(clientID)]
        guard let accessToken = try? JSONWebToken.sign(claims: access, keyID: signingKeyID, key: signingKey),
            let idToken = try? JSONWebToken.sign(claims: identity, keyID: signingKeyID, key: signingKey)
        else { return oauthError("server_error", "cannot sign the tokens", status: 500) }
        let refreshToken = Self.randomToken()
        refreshTokens.withLock { $0[refreshToken] = (clientID, subject) }
        return .json(
            200,
            [
                "access_token": .string(accessToken), "token_type": "Bearer", "expires_in": .int(tokenLifetime),
                "id_token": .string(idToken), "refresh_token": .string(refreshToken),
                "scope": "openid profile email offline_access",
            ])
    }

    static func origin(of url: String) -> String {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return url }
        let rest = url[url.index(colon, offsetBy: 3)...]
        return String(url[..<colon]) + "://" + rest.prefix { $0 != "/" }
    }

    // MARK: Bearer tokens

    /// The subject of a bearer token this issuer signed and that is valid now; nil otherwise.
    func subject(ofBearer token: String) -> String? {
        guard token.split(separator: ".", omittingEmptySubsequences: false).count == 3,
            let jwt = try? JSONWebToken(parsing: token), jwt.algorithm == "RS256", jwt.keyID == signingKeyID,
            jwt.isSigned(by: signingKey)
        else { return nil }
        let now = Int64(time(nil))
        guard (try? jwt.checkClaims(issuer: issuer, audience: Self.clientID, now: now, leeway: Self.skew)) != nil,
            let subject = jwt.claims["sub"]?.stringValue, !subject.isEmpty
        else { return nil }
        return subject
    }

    func allows(project: String) -> Bool { projects.map { $0.contains(project) } ?? true }
}
