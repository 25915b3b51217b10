import DatumJSON
import GoCompat

/// A signed JWT in compact form (`header.claims.signature`), RS256 only: what Datum's OpenID
/// Connect provider issues (ID and access tokens) and what a service account presents
/// (the RFC 7523 assertion).
public struct JSONWebToken: Sendable {
    public var header: JSONObject
    public var claims: JSONObject
    /// `base64url(header) + "." + base64url(claims)`: the bytes the signature covers.
    public var signingInput: [UInt8]
    public var signature: [UInt8]

    /// The signing key's id (`kid`), if the header names one.
    public var keyID: String? { header["kid"]?.stringValue }
    public var algorithm: String? { header["alg"]?.stringValue }

    /// Splits and decodes a compact JWT without checking its signature.
    public init(parsing token: String) throws(TokenError) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw TokenError("malformed token: expected 3 parts, found \(parts.count)") }
        func object(_ part: Substring, _ what: String) throws(TokenError) -> JSONObject {
            guard let bytes = Base64.rawURL.strict().decoded(part) else {
                throw TokenError("malformed token: \(what) is not base64url")
            }
            guard let value = try? JSONParser.parse(bytes), let object = value.objectValue else {
                throw TokenError("malformed token: \(what) is not a JSON object")
            }
            return object
        }
        header = try object(parts[0], "header")
        claims = try object(parts[1], "payload")
        guard let signature = Base64.rawURL.strict().decoded(parts[2]) else {
            throw TokenError("malformed token: signature is not base64url")
        }
        self.signature = signature
        signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
    }

    /// Signs `claims` with RS256; the header carries `kid` when given.
    public static func sign(claims: JSONObject, keyID: String?, key: RSAKey) throws(CryptoError) -> String {
        var header: JSONObject = ["alg": "RS256", "typ": "JWT"]
        if let keyID { header["kid"] = .string(keyID) }
        let encoder = GoJSONEncoder(sortKeys: false, escapeHTML: false)
        let input =
            Base64.rawURL.encode(encoder.encodeBytes(.object(header))) + "."
            + Base64.rawURL.encode(encoder.encodeBytes(.object(claims)))
        let signature = try key.signRS256(Array(input.utf8))
        return input + "." + Base64.rawURL.encode(signature)
    }

    /// Whether the signature is RS256 by `key`. Any other `alg` (`none`, HS256, ...) fails.
    public func isSigned(by key: RSAKey) -> Bool {
        algorithm == "RS256" && key.verifyRS256(signature: signature, message: signingInput)
    }

    /// A numeric date claim (`exp`, `iat`, `nbf`) in seconds since 1970.
    public func date(_ claim: String) -> Int64? {
        switch claims[claim] {
        case .int(let value): value
        case .double(let value):
            value.isFinite && value.magnitude < 1e15 ? Int64(value.rounded(.down)) : nil
        default: nil
        }
    }

    /// The audience claim as a list (`aud` may be one string or an array).
    public var audiences: [String] {
        switch claims["aud"] {
        case .string(let one): [one]
        case .array(let many): many.compactMap(\.stringValue)
        default: []
        }
    }

    /// Checks the registered claims as kube-apiserver's JWT authenticator and OIDC clients do: the
    /// issuer exactly, the audience among `aud`, `exp` in the future and `nbf` in the past, each
    /// with `leeway` seconds of clock skew.
    public func checkClaims(issuer: String, audience: String, now: Int64, leeway: Int64 = 60) throws(TokenError) {
        guard claims["iss"]?.stringValue == issuer else {
            throw TokenError("token issuer \"\(claims["iss"]?.stringValue ?? "")\" is not \"\(issuer)\"")
        }
        guard audiences.contains(audience) else {
            throw TokenError("token audience \(audiences) does not include \"\(audience)\"")
        }
        guard let expiry = date("exp") else { throw TokenError("token has no expiry (exp)") }
        guard now <= expiry.addingReportingOverflow(leeway).partialValue else { throw TokenError("token has expired") }
        if let notBefore = date("nbf"), now < notBefore.subtractingReportingOverflow(leeway).partialValue {
            throw TokenError("token is not valid yet (nbf)")
        }
    }
}

/// Why a token was refused. The message never contains the token.
public struct TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An RSA signing key as JSON Web Key (RFC 7517), and a key set as an issuer's `jwks_uri` serves it.
public struct JSONWebKey: Sendable {
    public var keyID: String?
    public var key: RSAKey

    public init(keyID: String?, key: RSAKey) {
        self.keyID = keyID
        self.key = key
    }

    /// The public JWK: `kty`, `use`, `alg`, `kid`, `n`, `e`.
    public func publicJSON() throws(CryptoError) -> JSONValue {
        let (modulus, exponent) = try key.publicComponents()
        var object: JSONObject = ["kty": "RSA", "use": "sig", "alg": "RS256"]
        if let keyID { object["kid"] = .string(keyID) }
        object["n"] = .string(Base64.rawURL.encode(modulus))
        object["e"] = .string(Base64.rawURL.encode(exponent))
        return .object(object)
    }

    /// The RSA signing keys of a JWKS document (`{"keys":[...]}`); other key types are skipped.
    public static func set(from document: JSONValue) throws(TokenError) -> [JSONWebKey] {
        guard let keys = document["keys"]?.arrayValue else { throw TokenError("JWKS document has no \"keys\" array") }
        var result: [JSONWebKey] = []
        for entry in keys where entry["kty"]?.stringValue == "RSA" {
            if let use = entry["use"]?.stringValue, use != "sig" { continue }
            guard let n = entry["n"]?.stringValue.flatMap({ Base64.rawURL.strict().decoded($0) }),
                let e = entry["e"]?.stringValue.flatMap({ Base64.rawURL.strict().decoded($0) })
            else { continue }
            guard let key = try? RSAKey(modulus: n, exponent: e) else { continue }
            result.append(JSONWebKey(keyID: entry["kid"]?.stringValue, key: key))
        }
        return result
    }
}
