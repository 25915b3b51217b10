import DatumJSON
import GoCompat

/// A parsed `labelSelector` query parameter (equality and set-based requirements).
public struct LabelSelector: Sendable, Equatable {
    /// One requirement; every requirement must hold.
    public enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, [String])
        case notIn(String, [String])
        case exists(String)
        case doesNotExist(String)
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    /// Parses kubectl's selector syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    public init(parsing text: String) throws(APIError) {
        var result: [Requirement] = []
        for part in LabelSelector.splitTopLevel(text) {
            let item = part.trimmingGoSpaces()
            if item.isEmpty { continue }
            if let r = item.firstRange(of: " notin ") ?? item.firstRange(of: " notin(") {
                let key = String(item[..<r.lowerBound]).trimmingGoSpaces()
                result.append(
                    .notIn(key, try LabelSelector.values(String(item[r.lowerBound...].dropFirst(" notin".count)))))
            } else if let r = item.firstRange(of: " in ") ?? item.firstRange(of: " in(") {
                let key = String(item[..<r.lowerBound]).trimmingGoSpaces()
                result.append(
                    .isIn(key, try LabelSelector.values(String(item[r.lowerBound...].dropFirst(" in".count)))))
            } else if let r = item.firstRange(of: "!=") {
                result.append(
                    .notEquals(
                        String(item[..<r.lowerBound]).trimmingGoSpaces(),
                        String(item[r.upperBound...]).trimmingGoSpaces()))
            } else if let r = item.firstRange(of: "==") {
                result.append(
                    .equals(
                        String(item[..<r.lowerBound]).trimmingGoSpaces(),
                        String(item[r.upperBound...]).trimmingGoSpaces()))
            } else if let r = item.firstRange(of: "=") {
                result.append(
                    .equals(
                        String(item[..<r.lowerBound]).trimmingGoSpaces(),
                        String(item[r.upperBound...]).trimmingGoSpaces()))
            } else if item.hasPrefix("!") {
                result.append(.doesNotExist(String(item.dropFirst()).trimmingGoSpaces()))
            } else {
                guard !item.contains(" ") else {
                    throw APIError.badRequest(
                        "unable to parse requirement: found '\(item)', expected: in, notin, =, ==, !=, gt, lt")
                }
                result.append(.exists(item))
            }
        }
        requirements = result
    }

    private static func values(_ text: String) throws(APIError) -> [String] {
        let trimmed = text.trimmingGoSpaces()
        guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else {
            throw APIError.badRequest("unable to parse requirement: found '\(trimmed)', expected: '('")
        }
        return trimmed.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingGoSpaces() }
    }

    /// Splits on commas that are not inside parentheses.
    static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        return parts
    }

    public func matches(_ labels: JSONObject?) -> Bool {
        func value(_ key: String) -> String? { labels?[key]?.stringValue }
        for requirement in requirements {
            switch requirement {
            case .equals(let k, let v): if value(k) != v { return false }
            case .notEquals(let k, let v): if value(k) == v { return false }
            case .isIn(let k, let vs):
                guard let actual = value(k), vs.contains(actual) else { return false }
            case .notIn(let k, let vs):
                if let actual = value(k), vs.contains(actual) { return false }
            case .exists(let k): if value(k) == nil { return false }
            case .doesNotExist(let k): if value(k) != nil { return false }
            }
        }
        return true
    }
}

/// A parsed `fieldSelector` (`metadata.name=x,involvedObject.kind!=Pod`).
public struct FieldSelector: Sendable, Equatable {
    private var storage: [Term]

    private struct Term: Sendable, Equatable {
        var path: String
        var value: String
        var negated: Bool
        init(_ path: String, _ value: String, _ negated: Bool) {
            self.path = path
            self.value = value
            self.negated = negated
        }
    }

    public init(parsing text: String, allowed: Set<String>? = nil) throws(APIError) {
        var terms: [Term] = []
        for part in text.split(separator: ",") {
            let item = String(part)
            let term: Term
            if let r = item.firstRange(of: "!=") {
                term = Term(String(item[..<r.lowerBound]), String(item[r.upperBound...]), true)
            } else if let r = item.firstRange(of: "==") {
                term = Term(String(item[..<r.lowerBound]), String(item[r.upperBound...]), false)
            } else if let r = item.firstRange(of: "=") {
                term = Term(String(item[..<r.lowerBound]), String(item[r.upperBound...]), false)
            } else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(item)'")
            }
            if let allowed, !allowed.contains(term.path) {
                throw APIError.badRequest(
                    "field label not supported: \(term.path)")
            }
            terms.append(term)
        }
        storage = terms
    }

    public static func == (lhs: FieldSelector, rhs: FieldSelector) -> Bool { lhs.storage == rhs.storage }

    public func matches(_ object: JSONObject) -> Bool {
        let value = JSONValue.object(object)
        for term in storage {
            let actual: String
            switch value.value(at: term.path) {
            case .string(let s)?: actual = s
            case .int(let i)?: actual = String(i)
            case .bool(let b)?: actual = b ? "true" : "false"
            default: actual = ""
            }
            if (actual == term.value) == term.negated { return false }
        }
        return true
    }
}
