import DatumCrypto
import DatumJSON
import DatumKit
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

    public init(dataDirectory: String, tokenLifetime: Int64, projects: Set<String>?) throws(SandboxConfigurationError) {
        self.tokenLifetime = tokenLifetime
        self.projects = projects
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
                    "grant_types_supported": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["none"],
                ])
        case ("GET", "/oauth/v2/keys"):
            let jwk = (try? JSONWebKey(keyID: signingKeyID, key: signingKey).publicJSON()) ?? .null
            return .json(200, ["keys": [jwk]])
        case ("POST", "/oauth/v2/token"):
            return token(request)
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
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer" else {
            return oauthError("unsupported_grant_type", "only urn:ietf:params:oauth:grant-type:jwt-bearer is supported")
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
