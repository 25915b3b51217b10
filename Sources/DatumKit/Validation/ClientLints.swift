import DatumJSON
import GoCompat

/// A client-side warning about something the API server accepts but the
/// Gateway API documentation advises against.
public struct LintWarning: Sendable, Hashable, CustomStringConvertible {
    public var path: FieldPath
    public var message: String

    public init(path: FieldPath, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Checks beyond the server's for BackendTLSPolicy objects.
public enum BackendTLSPolicyLints {
    /// Warnings in document order: targetRefs, validation.hostname, subjectAltNames, options.
    public static func check(_ object: JSONValue) -> [LintWarning] {
        var warnings: [LintWarning] = []
        guard case .object(let spec)? = object["spec"] else { return warnings }
        let specPath = FieldPath("spec")

        if case .array(let refs)? = spec["targetRefs"], refs.count > 1 {
            warnings.append(
                LintWarning(
                    path: specPath.child("targetRefs"),
                    message:
                        "\(refs.count) target references given; implementations SHOULD NOT support more than one targetRef yet, so only the first may take effect"
                ))
        }

        if case .object(let validation)? = spec["validation"] {
            let validationPath = specPath.child("validation")
            if case .string(let hostname)? = validation["hostname"], isIPv4Address(hostname) {
                warnings.append(
                    LintWarning(
                        path: validationPath.child("hostname"),
                        message:
                            "\(GoFormat.quote(hostname)) is an IP address; the API documents hostname as a DNS name for SNI, and IP addresses are not allowed"
                    ))
            }
            if case .array(let sans)? = validation["subjectAltNames"] {
                for (i, san) in sans.enumerated() {
                    if case .string(let hostname)? = san["hostname"], hostname.hasPrefix("*.") {
                        warnings.append(
                            LintWarning(
                                path: validationPath.child("subjectAltNames").index(i).child("hostname"),
                                message:
                                    "wildcard SAN \(GoFormat.quote(hostname)): the Gateway API documentation does not allow wildcards here, and implementations may reject it"
                            ))
                    }
                }
            }
        }

        if case .object(let options)? = spec["options"] {
            for key in options.keys where !isDomainPrefixed(key) {
                warnings.append(
                    LintWarning(
                        path: specPath.child("options").key(key),
                        message:
                            "option key \(GoFormat.quote(key)) is not domain-prefixed; un-prefixed keys are reserved for Gateway API, use a name such as \"example.com/\(key)\""
                    ))
            }
        }
        return warnings
    }

    /// `example.com/name`: a DNS subdomain with at least one dot, a slash, and a non-empty name.
    static func isDomainPrefixed(_ key: String) -> Bool {
        guard let slash = key.firstIndex(of: "/") else { return false }
        let prefix = String(key[..<slash])
        let name = key[key.index(after: slash)...]
        return !name.isEmpty && prefix.contains(".") && NameValidation.isDNS1123Subdomain(prefix).isEmpty
    }

    /// Four dot-separated decimal octets (0–255), the only IP form the hostname pattern admits.
    static func isIPv4Address(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && (Int(part).map { $0 <= 255 } ?? false)
        }
    }
}
