internal import CCurlShim

/// A failure in a cryptographic operation, with OpenSSL's reason.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One RSA key held by libcrypto (OpenSSL 3, already loaded through libcurl), freed on release.
/// Private keys sign (RS256) and export; public keys verify. Immutable once made, so it is shared
/// across threads.
public final class RSAKey: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Whether the key can sign.
    public let isPrivate: Bool

    private init(handle: OpaquePointer, isPrivate: Bool) {
        self.handle = handle
        self.isPrivate = isPrivate
    }

    deinit { ccrypto_key_free(handle) }

    /// Runs `body` with a buffer for OpenSSL's reason, and returns its result and the reason.
    private static func withErrorBuffer<T>(_ body: (UnsafeMutablePointer<CChar>?, Int) -> T) -> (T, String) {
        var buffer = [CChar](repeating: 0, count: 256)
        let result = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress, $0.count) }
        let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (result, message)
    }

    /// Reads an RSA private key from PEM: PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`).
    /// Encrypted keys are refused (a service-account key file holds an unencrypted key).
    public convenience init(privateKeyPEM pem: String) throws(CryptoError) {
        let bytes = Array(pem.utf8)
        let (handle, reason) = Self.withErrorBuffer { error, size in
            bytes.withUnsafeBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { chars in
                    ccrypto_private_key_from_pem(chars.baseAddress, chars.count, error, size)
                }
            }
        }
        guard let handle else { throw CryptoError("cannot read the private key: \(reason)") }
        self.init(handle: handle, isPrivate: true)
    }

    /// A public key from a JWK's modulus (`n`) and exponent (`e`), big-endian bytes.
    public convenience init(modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) {
        let (handle, reason) = Self.withErrorBuffer { error, size in
            modulus.withUnsafeBufferPointer { n in
                exponent.withUnsafeBufferPointer { e in
                    ccrypto_public_key_from_components(n.baseAddress, n.count, e.baseAddress, e.count, error, size)
                }
            }
        }
        guard let handle else { throw CryptoError("invalid RSA public key: \(reason)") }
        self.init(handle: handle, isPrivate: false)
    }

    /// A new private key (for a development issuer and for tests).
    public static func generate(bits: Int = 2048) throws(CryptoError) -> RSAKey {
        guard let bits = Int32(exactly: bits), bits >= 1024, bits <= 16384 else {
            throw CryptoError("unsupported RSA key size \(bits)")
        }
        let (handle, reason) = withErrorBuffer { error, size in ccrypto_generate_rsa(bits, error, size) }
        guard let handle else { throw CryptoError(reason) }
        return RSAKey(handle: handle, isPrivate: true)
    }

    /// The modulus size in bits.
    public var bits: Int { Int(ccrypto_key_bits(handle)) }

    /// The public modulus and exponent, big-endian (a JWK's `n` and `e`).
    public func publicComponents() throws(CryptoError) -> (modulus: [UInt8], exponent: [UInt8]) {
        var modulus = [UInt8](repeating: 0, count: 2048)
        var exponent = [UInt8](repeating: 0, count: 64)
        var modulusSize = modulus.count
        var exponentSize = exponent.count
        let (status, reason) = Self.withErrorBuffer { error, size in
            modulus.withUnsafeMutableBufferPointer { n in
                exponent.withUnsafeMutableBufferPointer { e in
                    ccrypto_key_components(
                        handle, n.baseAddress, &modulusSize, e.baseAddress, &exponentSize, error, size)
                }
            }
        }
        guard status == 0 else { throw CryptoError(reason) }
        return (Array(modulus.prefix(modulusSize)), Array(exponent.prefix(exponentSize)))
    }

    /// The private key as PKCS#8 PEM.
    public func privateKeyPEM() throws(CryptoError) -> String {
        guard isPrivate else { throw CryptoError("a public key has no private part") }
        var buffer = [CChar](repeating: 0, count: 32 * 1024)
        var length = buffer.count
        let (status, reason) = Self.withErrorBuffer { error, size in
            buffer.withUnsafeMutableBufferPointer {
                ccrypto_private_key_pem(handle, $0.baseAddress, &length, error, size)
            }
        }
        guard status == 0 else { throw CryptoError(reason) }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of `message`.
    public func signRS256(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard isPrivate else { throw CryptoError("a public key cannot sign") }
        var signature = [UInt8](repeating: 0, count: 2048)
        var length = signature.count
        let (status, reason) = Self.withErrorBuffer { error, size in
            message.withUnsafeBufferPointer { m in
                signature.withUnsafeMutableBufferPointer { s in
                    ccrypto_sign_rs256(handle, m.baseAddress, m.count, s.baseAddress, &length, error, size)
                }
            }
        }
        guard status == 0 else { throw CryptoError(reason) }
        return Array(signature.prefix(length))
    }

    /// Whether `signature` is a valid RS256 signature of `message` by this key.
    public func verifyRS256(signature: [UInt8], message: [UInt8]) -> Bool {
        let (status, _) = Self.withErrorBuffer { error, size in
            message.withUnsafeBufferPointer { m in
                signature.withUnsafeBufferPointer { s in
                    ccrypto_verify_rs256(handle, m.baseAddress, m.count, s.baseAddress, s.count, error, size)
                }
            }
        }
        return status == 1
    }
}

/// SHA-256 and the operating system's random bytes, through libcrypto.
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { ccrypto_sha256(input.baseAddress, input.count, $0.baseAddress) }
        }
        return out
    }
}

public enum SecureRandom {
    /// `count` bytes from a cryptographically secure source.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(0, count))
        let status = out.withUnsafeMutableBufferPointer { ccrypto_random_bytes($0.baseAddress, $0.count) }
        guard status == 0 else { throw CryptoError("no secure random bytes available") }
        return out
    }
}
