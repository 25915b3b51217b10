import DatumCrypto
import DatumHTTP
import DatumJSON
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `--oidc-issuer-url URL --oidc-client-id ID [--oidc-ca-file F]`: bearer tokens from an external
/// OpenID provider, checked as kube-apiserver's JWT authenticator checks them: RS256 only, a key
/// from the issuer's JWKS, `iss` equal to the URL, the client ID among `aud`, `exp` and `nbf` with
/// a small skew.
///
/// Discovery and the JWKS are fetched at start (the server does not listen until they are), then
/// kept. A token signed with a key ID the set does not hold makes a refetch in the background, at
/// most once every ten seconds, and is refused meanwhile: requests never wait on the provider, and
/// the event loop never blocks on the network.
public final class OIDCAuthenticator: Sendable {
    let issuer: String
    let clientID: String
    static let skew: Int64 = 30
    static let minimumRefetchInterval: Int64 = 10

    private let http: HTTPClient
    private let jwksURI: String
    private struct State {
        var keys: [JSONWebKey]
        var lastFetch: Int64
        var fetching: Bool
    }
    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "datumctl-sandbox.oidc")

    public init(issuer: String, clientID: String, caFile: String?) throws(SandboxConfigurationError) {
        var trimmed = issuer
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard trimmed.hasPrefix("https://") else {
            throw SandboxConfigurationError("--oidc-issuer-url must be an https URL: \(issuer)")
        }
        guard !clientID.isEmpty else {
            throw SandboxConfigurationError("--oidc-client-id is required with --oidc-issuer-url")
        }
        self.issuer = trimmed
        self.clientID = clientID
        do {
            http = try HTTPClient(
                HTTPClientConfiguration(
                    userAgent: "datumctl-sandbox", caFile: caFile, connectTimeout: .seconds(10),
                    requestTimeout: .seconds(20)))
        } catch {
            throw SandboxConfigurationError("cannot make an HTTP client for the OIDC issuer: \(error)")
        }
        let discovery = try Self.fetchJSON(http, trimmed + "/.well-known/openid-configuration")
        guard discovery["issuer"]?.stringValue == trimmed, let jwks = discovery["jwks_uri"]?.stringValue else {
            throw SandboxConfigurationError(
                "the OIDC discovery document of \(trimmed) does not name this issuer and a jwks_uri")
        }
        jwksURI = jwks
        let keys = try Self.fetchKeys(http, jwks)
        state = Mutex(State(keys: keys, lastFetch: Int64(time(nil)), fetching: false))
    }

    private static func fetchJSON(_ http: HTTPClient, _ url: String) throws(SandboxConfigurationError) -> JSONValue {
        let response: HTTPResponse
        do {
            response = try http.send(HTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"]))
        } catch {
            throw SandboxConfigurationError("cannot fetch \(url): \(error)")
        }
        guard response.status == 200, let value = try? JSONParser.parse(response.body) else {
            throw SandboxConfigurationError("cannot fetch \(url): HTTP \(response.status)")
        }
        return value
    }

    private static func fetchKeys(_ http: HTTPClient, _ url: String) throws(SandboxConfigurationError) -> [JSONWebKey] {
        do {
            return try JSONWebKey.set(from: try fetchJSON(http, url))
        } catch {
            throw SandboxConfigurationError("the JWKS at \(url) is not usable: \(error)")
        }
    }

    /// Refetches the key set in the background, unless that happened a moment ago.
    private func refreshSoon() {
        let now = Int64(time(nil))
        let start = state.withLock { state -> Bool in
            guard !state.fetching, now - state.lastFetch >= Self.minimumRefetchInterval else { return false }
            state.fetching = true
            return true
        }
        guard start else { return }
        queue.async { [self] in
            let keys = try? Self.fetchKeys(http, jwksURI)
            state.withLock { state in
                if let keys { state.keys = keys }
                state.lastFetch = Int64(time(nil))
                state.fetching = false
            }
        }
    }

    /// The token's subject when it is a valid token of this issuer for this client; nil otherwise.
    func subject(ofBearer token: String) -> String? {
        guard token.split(separator: ".", omittingEmptySubsequences: false).count == 3,
            let jwt = try? JSONWebToken(parsing: token), jwt.algorithm == "RS256"
        else { return nil }
        let keys = state.withLock { $0.keys }
        let candidates = keys.filter { jwt.keyID == nil || $0.keyID == jwt.keyID }
        if candidates.isEmpty {
            refreshSoon()
            return nil
        }
        guard candidates.contains(where: { jwt.isSigned(by: $0.key) }) else { return nil }
        guard
            (try? jwt.checkClaims(issuer: issuer, audience: clientID, now: Int64(time(nil)), leeway: Self.skew)) != nil,
            let subject = jwt.claims["sub"]?.stringValue, !subject.isEmpty
        else { return nil }
        return subject
    }
}
