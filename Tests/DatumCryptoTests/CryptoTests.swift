import DatumCrypto
import DatumJSON
import Foundation
import GoCompat
import TestSupport
import Testing

/// RS256, JWT and JWK over libcrypto, with the `openssl` command as the independent referee:
/// RSASSA-PKCS1-v1_5 signatures are deterministic, so ours must equal `openssl dgst -sha256 -sign`'s.
@Suite struct CryptoTests {
    static let openssl = "/usr/bin/openssl"

    /// A key written by openssl in the given form (`-traditional` makes PKCS#1).
    static func opensslKey(pkcs1: Bool, in directory: TemporaryDirectory) throws -> (path: String, pem: String) {
        let path = directory.path + (pkcs1 ? "/pkcs1.pem" : "/pkcs8.pem")
        let arguments =
            pkcs1
            ? ["genrsa", "-traditional", "-out", path, "2048"] : ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path]
        let run = try TestProcess.run(openssl, arguments)
        #expect(run.status == 0, "\(run.stderr)")
        return (path, try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test(arguments: [true, false])
    func signaturesEqualOpenSSLs(pkcs1: Bool) throws {
        let directory = try TemporaryDirectory()
        let (path, pem) = try Self.opensslKey(pkcs1: pkcs1, in: directory)
        #expect(pem.contains(pkcs1 ? "BEGIN RSA PRIVATE KEY" : "BEGIN PRIVATE KEY"))
        let key = try RSAKey(privateKeyPEM: pem)
        #expect(key.bits == 2048)
        let message = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0"
        let ours = try key.signRS256(Array(message.utf8))
        let input = try directory.write("input", message)
        let theirs = try TestProcess.run(Self.openssl, ["dgst", "-sha256", "-sign", path, "-out", directory.path + "/sig", input])
        #expect(theirs.status == 0)
        let expected = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.path + "/sig")))
        #expect(ours == expected)
        #expect(key.verifyRS256(signature: ours, message: Array(message.utf8)))
        #expect(!key.verifyRS256(signature: ours, message: Array((message + "x").utf8)))
    }

    @Test func aPublicKeyFromItsJWKVerifiesAndOpenSSLAgrees() throws {
        let directory = try TemporaryDirectory()
        let key = try RSAKey.generate()
        let jwk = try JSONWebKey(keyID: "k1", key: key).publicJSON()
        let keys = try JSONWebKey.set(from: ["keys": [jwk]])
        #expect(keys.count == 1)
        #expect(keys.first?.keyID == "k1")
        let token = try JSONWebToken.sign(claims: ["iss": "https://issuer.test", "sub": "u1"], keyID: "k1", key: key)
        let parsed = try JSONWebToken(parsing: token)
        #expect(try parsed.isSigned(by: #require(keys.first?.key)))
        #expect(parsed.keyID == "k1")
        #expect(parsed.claims["sub"] == "u1")

        // openssl verifies our signature with the key we exported as PEM.
        let pemPath = try directory.write("key.pem", key.privateKeyPEM())
        let publicPath = directory.path + "/public.pem"
        #expect(try TestProcess.run(Self.openssl, ["pkey", "-in", pemPath, "-pubout", "-out", publicPath]).status == 0)
        let input = try directory.write("input", String(decoding: parsed.signingInput, as: UTF8.self))
        try Data(parsed.signature).write(to: URL(fileURLWithPath: directory.path + "/sig"))
        let verify = try TestProcess.run(
            Self.openssl, ["dgst", "-sha256", "-verify", publicPath, "-signature", directory.path + "/sig", input])
        #expect(verify.stdout == "Verified OK\n")
    }

    @Test func tamperedAndUnsignedTokensAreRefused() throws {
        let key = try RSAKey.generate()
        let other = try RSAKey.generate()
        let token = try JSONWebToken.sign(claims: ["sub": "u1"], keyID: nil, key: key)
        #expect(try !JSONWebToken(parsing: token).isSigned(by: other))
        let parts = token.split(separator: ".").map(String.init)
        let forged = parts[0] + "." + Base64.rawURL.encode(#"{"sub":"admin"}"#) + "." + parts[2]
        #expect(try !JSONWebToken(parsing: forged).isSigned(by: key))
        let none = Base64.rawURL.encode(#"{"alg":"none"}"#) + "." + parts[1] + "."
        #expect(try !JSONWebToken(parsing: none).isSigned(by: key))
        #expect(throws: TokenError("malformed token: expected 3 parts, found 2")) { try JSONWebToken(parsing: "a.b") }
        #expect(throws: TokenError("malformed token: header is not base64url")) { try JSONWebToken(parsing: "a+.b.c") }
    }

    @Test func claimsAreCheckedWithSkew() throws {
        let key = try RSAKey.generate()
        let token = try JSONWebToken(
            parsing: JSONWebToken.sign(
                claims: ["iss": "https://auth.test", "aud": ["other", "cli"], "exp": 1000, "nbf": 500], keyID: nil,
                key: key))
        try token.checkClaims(issuer: "https://auth.test", audience: "cli", now: 900)
        try token.checkClaims(issuer: "https://auth.test", audience: "cli", now: 1050)  // within the leeway
        #expect(throws: TokenError("token has expired")) {
            try token.checkClaims(issuer: "https://auth.test", audience: "cli", now: 1061)
        }
        #expect(throws: TokenError("token is not valid yet (nbf)")) {
            try token.checkClaims(issuer: "https://auth.test", audience: "cli", now: 400)
        }
        #expect(throws: TokenError(#"token issuer "https://auth.test" is not "https://evil.test""#)) {
            try token.checkClaims(issuer: "https://evil.test", audience: "cli", now: 900)
        }
        #expect(throws: TokenError(#"token audience ["other", "cli"] does not include "api""#)) {
            try token.checkClaims(issuer: "https://auth.test", audience: "api", now: 900)
        }
    }

    @Test func encryptedAndNonRSAKeysAreRefused() throws {
        let directory = try TemporaryDirectory()
        let ec = directory.path + "/ec.pem"
        #expect(try TestProcess.run(Self.openssl, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec]).status == 0)
        #expect(throws: CryptoError.self) { try RSAKey(privateKeyPEM: String(contentsOfFile: ec, encoding: .utf8)) }
        let encrypted = directory.path + "/enc.pem"
        #expect(try TestProcess.run(Self.openssl, ["genpkey", "-algorithm", "RSA", "-aes256", "-pass", "pass:secret", "-out", encrypted]).status == 0)
        #expect(throws: CryptoError.self) { try RSAKey(privateKeyPEM: String(contentsOfFile: encrypted, encoding: .utf8)) }
        #expect(throws: CryptoError.self) { try RSAKey(privateKeyPEM: "not a key") }
        #expect(throws: CryptoError.self) { try RSAKey(modulus: [], exponent: [1, 0, 1]) }
    }

    @Test func base64URLIsStrict() {
        #expect(Base64.rawURL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64.rawURL.strict().decoded("-_8") == [0xFB, 0xFF])
        #expect(Base64.rawURL.strict().decoded("-_9") == nil)  // stray bits
        #expect(Base64.rawURL.strict().decoded("-_8=") == nil)
        #expect(Base64.rawURL.strict().decoded("a") == nil)
        #expect(Base64.rawURL.strict().decoded("ab+/") == nil)
        for count in 0..<10 {
            let bytes = (0..<count).map { UInt8($0 * 37 & 0xFF) }
            #expect(Base64.rawURL.strict().decoded(Base64.rawURL.encode(bytes)) == bytes)
        }
        #expect(Digest.sha256(Array("abc".utf8)).map { String($0, radix: 16) }.joined().hasPrefix("ba7816bf"))
    }
}
