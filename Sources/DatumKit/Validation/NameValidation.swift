import GoCompat

/// The string-format checks of k8s.io/apimachinery/pkg/util/validation, with
/// their exact messages (Kubernetes 1.32).
///
/// Each function returns the list of problems, empty when the value is valid,
/// exactly like the Go functions it mirrors. Lengths are in bytes, as Go's
/// `len` counts them.
public enum NameValidation {
    static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFormat = dns1123LabelFormat + "(\\." + dns1123LabelFormat + ")*"
    static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFormat = "(" + qualifiedNameFormat + ")?"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

    public static let dns1123LabelMaxLength = 63
    public static let dns1123SubdomainMaxLength = 253
    public static let qualifiedNameMaxLength = 63
    public static let labelValueMaxLength = 63

    // The regexes as upstream writes them. Matching uses the byte scanners
    // below, which are several times faster on every object; a test checks
    // the two agree.
    static let dns1123LabelRegex = try? GoRegex("^" + dns1123LabelFormat + "$")
    static let dns1123SubdomainRegex = try? GoRegex("^" + dns1123SubdomainFormat + "$")
    static let qualifiedNameRegex = try? GoRegex("^" + qualifiedNameFormat + "$")
    static let labelValueRegex = try? GoRegex("^" + labelValueFormat + "$")

    @inline(__always)
    private static func isLowerAlphanumeric(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    @inline(__always)
    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        isLowerAlphanumeric(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over a byte range.
    private static func isLabel(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last)
        else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whether `value` matches `^` + ``dns1123LabelFormat`` + `$`.
    static func matchesDNS1123Label(_ value: String) -> Bool {
        isLabel(Array(value.utf8)[...])
    }

    /// Whether `value` matches `^` + ``dns1123SubdomainFormat`` + `$`.
    static func matchesDNS1123Subdomain(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy(isLabel)
            && !bytes.isEmpty
    }

    /// Whether `value` matches `^` + ``qualifiedNameFormat`` + `$`.
    static func matchesQualifiedName(_ value: String) -> Bool {
        let bytes = value.utf8
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    /// Whether `value` matches `^` + ``labelValueFormat`` + `$`.
    static func matchesLabelValue(_ value: String) -> Bool {
        value.isEmpty || matchesQualifiedName(value)
    }

    /// `must be no more than 63 characters`
    public static func maxLengthError(_ length: Int) -> String {
        "must be no more than \(length) characters"
    }

    /// Go's `RegexError`: the message, the examples and the regex.
    public static func regexError(_ message: String, _ format: String, examples: [String]) -> String {
        guard !examples.isEmpty else { return message + " (regex used for validation is '\(format)')" }
        var s = message + " (e.g. "
        for (i, example) in examples.enumerated() {
            if i > 0 { s += " or " }
            s += "'\(example)', "
        }
        return s + "regex used for validation is '\(format)')"
    }

    public static let emptyError = "must be non-empty"

    public static func isDNS1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { errors.append(maxLengthError(dns1123LabelMaxLength)) }
        if !matchesDNS1123Label(value) {
            if matchesDNS1123Subdomain(value) {
                // A valid subdomain that is not a label must contain dots (length was checked above).
                errors.append("must not contain dots")
            } else {
                errors.append(regexError(dns1123LabelMessage, dns1123LabelFormat, examples: ["my-name", "123-abc"]))
            }
        }
        return errors
    }

    public static func isDNS1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { errors.append(maxLengthError(dns1123SubdomainMaxLength)) }
        if !matchesDNS1123Subdomain(value) {
            errors.append(regexError(dns1123SubdomainMessage, dns1123SubdomainFormat, examples: ["example.com"]))
        }
        return errors
    }

    /// Label keys, annotation keys (lower-cased first) and finalizers: `[prefix/]name`.
    public static func isQualifiedName(_ value: String) -> [String] {
        var errors: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name: String
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part " + emptyError)
            } else {
                errors += isDNS1123Subdomain(prefix).map { "prefix part " + $0 }
            }
        default:
            return [
                "a qualified name "
                    + regexError(qualifiedNameMessage, qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"])
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            errors.append("name part " + emptyError)
        } else if name.utf8.count > qualifiedNameMaxLength {
            errors.append("name part " + maxLengthError(qualifiedNameMaxLength))
        }
        if !matchesQualifiedName(name) {
            errors.append(
                "name part "
                    + regexError(qualifiedNameMessage, qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"]))
        }
        return errors
    }

    public static func isValidLabelValue(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > labelValueMaxLength { errors.append(maxLengthError(labelValueMaxLength)) }
        if !matchesLabelValue(value) {
            errors.append(regexError(labelValueMessage, labelValueFormat, examples: ["MyValue", "my_value", "12345"]))
        }
        return errors
    }

    /// Go's `maskTrailingDash`, applied to `generateName` prefixes. It
    /// replaces the last *two* bytes with `a` — a long-standing upstream quirk
    /// kept here so results match.
    static func maskTrailingDash(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.count > 1, bytes.last == UInt8(ascii: "-") else { return name }
        return String(decoding: bytes[..<(bytes.count - 2)], as: UTF8.self) + "a"
    }

    /// `NameIsDNSSubdomain` (object names; `prefix` for generateName).
    public static func nameIsDNSSubdomain(_ name: String, prefix: Bool) -> [String] {
        isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name)
    }

    /// `NameIsDNSLabel` (namespace names).
    public static func nameIsDNSLabel(_ name: String, prefix: Bool) -> [String] {
        isDNS1123Label(prefix ? maskTrailingDash(name) : name)
    }
}

extension NameValidation {
    /// Names that may never be a path segment (`NameMayNotBe` in k8s.io/apimachinery/pkg/api/validation/path).
    public static let pathSegmentForbiddenNames = [".", ".."]
    /// Substrings a path segment name may not contain (`NameMayNotContain`).
    public static let pathSegmentForbiddenSubstrings = ["/", "%"]

    /// `IsValidPathSegmentName`: whether `name` can be one segment of a URL path unchanged. An
    /// exact `.` or `..` is reported alone; otherwise every forbidden substring it contains.
    public static func isValidPathSegmentName(_ name: String) -> [String] {
        // Compared as bytes, as Go compares strings.
        for forbidden in pathSegmentForbiddenNames where name.utf8.elementsEqual(forbidden.utf8) {
            return ["may not be '\(forbidden)'"]
        }
        let bytes = Array(name.utf8)
        return pathSegmentForbiddenSubstrings.filter { forbidden in
            let needle = Array(forbidden.utf8)
            return bytes.indices.contains { bytes[$0...].starts(with: needle) }
        }.map { "may not contain '\($0)'" }
    }

    /// Go's `%v` of a `[]string`: `[a b]`.
    public static func goList(_ messages: [String]) -> String {
        "[" + messages.joined(separator: " ") + "]"
    }
}
