import DatumJSON
import GoCompat

/// The result of evaluating one `x-kubernetes-validations` rule on a value.
public enum CELRuleOutcome: Sendable, Hashable {
    case pass
    case fail
    /// A CEL runtime error, e.g. `no such key: type`.
    case error(String)
}

/// A Swift implementation of one CEL rule; receives `self`.
public typealias CELRuleImplementation = @Sendable (JSONValue) -> CELRuleOutcome

/// Swift implementations of CEL rules, keyed by the rule's exact text.
///
/// We do not interpret CEL: each rule the served CRDs contain has a
/// hand-written equivalent, looked up by its source text. A rule that is not
/// registered is reported as an internal error, never silently passed.
public struct CELRuleRegistry: Sendable {
    private var table: [String: CELRuleImplementation]
    /// For a schema the server published: a rule datumctl has no equivalent for is left to the
    /// server (it checks every rule anyway) instead of being reported.
    public var leavesUnknownRulesToTheServer = false

    public init(_ table: [String: CELRuleImplementation] = [:]) {
        self.table = table
    }

    public func implementation(for rule: String) -> CELRuleImplementation? { table[rule] }

    /// Registered rule texts, sorted.
    public var rules: [String] { table.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }

    public mutating func register(_ rule: String, _ implementation: @escaping CELRuleImplementation) {
        table[rule] = implementation
    }

    /// The rules of BackendTLSPolicy (gateway.networking.k8s.io v1.6.1, identical in v1 and v1alpha3).
    /// The same rules, for a schema the server published: other rules are the server's to check.
    public static let serverPublished: CELRuleRegistry = {
        var registry = gatewayAPI
        registry.leavesUnknownRulesToTheServer = true
        return registry
    }()

    public static let gatewayAPI: CELRuleRegistry = {
        var registry = CELRuleRegistry()
        registry.register(BackendTLSPolicyRules.sectionNameSpecifiedRule, BackendTLSPolicyRules.sectionNameSpecified)
        registry.register(BackendTLSPolicyRules.sectionNameUniqueRule, BackendTLSPolicyRules.sectionNameUnique)
        registry.register(BackendTLSPolicyRules.notBothTrustSourcesRule, BackendTLSPolicyRules.notBothTrustSources)
        registry.register(BackendTLSPolicyRules.oneTrustSourceRule, BackendTLSPolicyRules.oneTrustSource)
        registry.register(BackendTLSPolicyRules.hostnameRequiredRule, BackendTLSPolicyRules.hostnameRequired)
        registry.register(BackendTLSPolicyRules.hostnameForbiddenRule, BackendTLSPolicyRules.hostnameForbidden)
        registry.register(BackendTLSPolicyRules.uriRequiredRule, BackendTLSPolicyRules.uriRequired)
        registry.register(BackendTLSPolicyRules.uriForbiddenRule, BackendTLSPolicyRules.uriForbidden)
        return registry
    }()
}

/// The eight BackendTLSPolicy CEL rules as Swift functions.
///
/// CEL semantics kept: `has(x.f)` is "key present"; string comparison is by
/// code points (so byte-wise on UTF-8, not Swift's canonical equivalence);
/// comparing values of different types is simply unequal; a missing field
/// that is read without `has()` is a runtime error.
public enum BackendTLSPolicyRules {
    public static let sectionNameSpecifiedRule =
        "self.all(p1, self.all(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true))"
    public static let sectionNameUniqueRule =
        "self.all(p1, self.exists_one(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))"
    public static let notBothTrustSourcesRule =
        #"!(has(self.caCertificateRefs) && size(self.caCertificateRefs) > 0 && has(self.wellKnownCACertificates) && self.wellKnownCACertificates != "")"#
    public static let oneTrustSourceRule =
        #"(has(self.caCertificateRefs) && size(self.caCertificateRefs) > 0 || has(self.wellKnownCACertificates) && self.wellKnownCACertificates != "")"#
    public static let hostnameRequiredRule =
        #"!(self.type == "Hostname" && (!has(self.hostname) || self.hostname == ""))"#
    public static let hostnameForbiddenRule =
        #"!(self.type != "Hostname" && has(self.hostname) && self.hostname != "")"#
    public static let uriRequiredRule = #"!(self.type == "URI" && (!has(self.uri) || self.uri == ""))"#
    public static let uriForbiddenRule = #"!(self.type != "URI" && has(self.uri) && self.uri != "")"#

    /// A CEL evaluation failure carried through `throws`.
    struct EvaluationError: Error {
        var message: String
    }

    /// `a == b` for CEL values: equal type and value; strings compare by code points.
    static func celEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.int(let x), .double(let y)): return Double(x) == y
        case (.double(let x), .int(let y)): return x == Double(y)
        default: return a == b
        }
    }

    /// `x.field` without `has()`: a missing key is a runtime error.
    static func select(_ value: JSONValue, _ field: String) throws(EvaluationError) -> JSONValue {
        guard case .object(let object) = value else {
            throw EvaluationError(message: "no such overload")
        }
        guard let v = object[field] else { throw EvaluationError(message: "no such key: \(field)") }
        return v
    }

    static func has(_ value: JSONValue, _ field: String) -> Bool {
        if case .object(let object) = value { return object[field] != nil }
        return false
    }

    static func isEmptyString(_ value: JSONValue) -> Bool {
        if case .string(let s) = value { return s.isEmpty }
        return false
    }

    static func list(_ value: JSONValue) throws(EvaluationError) -> [JSONValue] {
        guard case .array(let items) = value else { throw EvaluationError(message: "no such overload") }
        return items
    }

    static func run(_ body: () throws(EvaluationError) -> Bool) -> CELRuleOutcome {
        do {
            return try body() ? .pass : .fail
        } catch {
            return .error(error.message)
        }
    }

    /// `p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name`
    static func sameTarget(_ p1: JSONValue, _ p2: JSONValue) throws(EvaluationError) -> Bool {
        for field in ["group", "kind", "name"] {
            if !celEqual(try select(p1, field), try select(p2, field)) { return false }
        }
        return true
    }

    /// `(!has(p.sectionName) || p.sectionName == '')`
    static func lacksSectionName(_ p: JSONValue) throws(EvaluationError) -> Bool {
        guard has(p, "sectionName") else { return true }
        return celEqual(try select(p, "sectionName"), .string(""))
    }

    /// Rule 1: references to the same target either all have a sectionName or all lack one.
    public static func sectionNameSpecified(_ value: JSONValue) -> CELRuleOutcome {
        run { () throws(EvaluationError) -> Bool in
            let refs = try list(value)
            for p1 in refs {
                for p2 in refs {
                    guard try sameTarget(p1, p2) else { continue }
                    let first = try lacksSectionName(p1)
                    let second = try lacksSectionName(p2)
                    if first != second { return false }
                }
            }
            return true
        }
    }

    /// Rule 2: every reference matches exactly one reference (itself) with the same target and sectionName.
    public static func sectionNameUnique(_ value: JSONValue) -> CELRuleOutcome {
        run { () throws(EvaluationError) -> Bool in
            let refs = try list(value)
            for p1 in refs {
                var matches = 0
                for p2 in refs {
                    guard try sameTarget(p1, p2) else { continue }
                    var counts = false
                    if try lacksSectionName(p1), try lacksSectionName(p2) {
                        counts = true
                    } else if has(p1, "sectionName") && has(p2, "sectionName") {
                        counts = celEqual(try select(p1, "sectionName"), try select(p2, "sectionName"))
                    }
                    if counts { matches += 1 }
                }
                if matches != 1 { return false }
            }
            return true
        }
    }

    /// `has(self.caCertificateRefs) && size(self.caCertificateRefs) > 0`
    static func hasCertificateRefs(_ value: JSONValue) throws(EvaluationError) -> Bool {
        guard has(value, "caCertificateRefs") else { return false }
        return try !list(select(value, "caCertificateRefs")).isEmpty
    }

    /// `has(self.wellKnownCACertificates) && self.wellKnownCACertificates != ""`
    static func hasWellKnown(_ value: JSONValue) throws(EvaluationError) -> Bool {
        guard has(value, "wellKnownCACertificates") else { return false }
        return !celEqual(try select(value, "wellKnownCACertificates"), .string(""))
    }

    /// Rule 3: not both trust sources.
    public static func notBothTrustSources(_ value: JSONValue) -> CELRuleOutcome {
        run { () throws(EvaluationError) -> Bool in
            guard try hasCertificateRefs(value) else { return true }
            return try !hasWellKnown(value)
        }
    }

    /// Rule 4: at least one trust source.
    public static func oneTrustSource(_ value: JSONValue) -> CELRuleOutcome {
        run { () throws(EvaluationError) -> Bool in
            if try hasCertificateRefs(value) { return true }
            return try hasWellKnown(value)
        }
    }

    static func typeIs(_ value: JSONValue, _ expected: String) throws(EvaluationError) -> Bool {
        celEqual(try select(value, "type"), .string(expected))
    }

    /// `has(self.f) && self.f != ""`
    static func hasNonEmpty(_ value: JSONValue, _ field: String) throws(EvaluationError) -> Bool {
        guard has(value, field) else { return false }
        return !celEqual(try select(value, field), .string(""))
    }

    /// `!(self.type == t && (!has(self.f) || self.f == ""))`: type `t` needs a non-empty field.
    static func requires(_ value: JSONValue, type: String, field: String) -> CELRuleOutcome {
        run { () throws(EvaluationError) -> Bool in
            guard try typeIs(value, type) else { return true }
            return try hasNonEmpty(value, field)
        }
    }

    /// `!(self.type != t && has(self.f) && self.f != "")`: other types must leave the field empty.
    static func forbids(_ value: JSONValue, otherThan type: String, field: String) -> CELRuleOutcome {
        run { () throws(EvaluationError) -> Bool in
            if try typeIs(value, type) { return true }
            return try !hasNonEmpty(value, field)
        }
    }

    /// Rule 5: type Hostname needs a non-empty hostname.
    public static func hostnameRequired(_ value: JSONValue) -> CELRuleOutcome {
        requires(value, type: "Hostname", field: "hostname")
    }

    /// Rule 6: other types must not set a hostname.
    public static func hostnameForbidden(_ value: JSONValue) -> CELRuleOutcome {
        forbids(value, otherThan: "Hostname", field: "hostname")
    }

    /// Rule 7: type URI needs a non-empty uri.
    public static func uriRequired(_ value: JSONValue) -> CELRuleOutcome {
        requires(value, type: "URI", field: "uri")
    }

    /// Rule 8: other types must not set a uri.
    public static func uriForbidden(_ value: JSONValue) -> CELRuleOutcome {
        forbids(value, otherThan: "URI", field: "uri")
    }
}

/// Walks a value along its schema and evaluates every `x-kubernetes-validations`
/// rule it meets, the way apiextensions' CEL validator does: a node's own
/// rules first, then its children (map values, then properties, then items).
struct CELWalker {
    let registry: CELRuleRegistry
    private(set) var errors: [FieldError] = []
    private var path: [FieldPath.Element] = []

    init(registry: CELRuleRegistry) {
        self.registry = registry
    }

    /// `ruleErrorString`: the trimmed message, or the trimmed rule.
    private static func ruleDescription(_ rule: ValidationRule) -> String {
        if let message = rule.message, !message.isEmpty { return message.trimmingGoWhitespace() }
        return rule.rule.trimmingGoWhitespace()
    }

    /// Walks `value`; `base` is the path of `value` itself.
    mutating func walk(_ value: JSONValue, _ schema: OpenAPISchema, at base: FieldPath) {
        path = base.elements
        walk(value, schema)
    }

    private mutating func evaluate(_ rule: ValidationRule, on value: JSONValue, _ schema: OpenAPISchema) {
        let nodeType = FieldError.BadValue.string(schema.type ?? "")
        let here = FieldPath(path)
        guard let implementation = registry.implementation(for: rule.rule) else {
            if registry.leavesUnknownRulesToTheServer { return }
            errors.append(.internal(here, "CEL rule has no datumctl implementation: \(rule.rule)"))
            return
        }
        switch implementation(value) {
        case .pass:
            return
        case .error(let message):
            errors.append(.invalid(here, nodeType, "\(message) evaluating rule: \(CELWalker.ruleDescription(rule))"))
        case .fail:
            // messageExpression would need a CEL interpreter; the static message is the server's fallback too.
            let detail: String
            if let message = rule.message, !message.isEmpty {
                detail = message.trimmingGoWhitespace()
            } else {
                detail = "failed rule: \(CELWalker.ruleDescription(rule))"
            }
            var errorPath = here
            if let fieldPath = rule.fieldPath, !fieldPath.isEmpty {
                errorPath = here.child(String(fieldPath.drop { $0 == "." }))
            }
            switch rule.reason {
            case "FieldValueForbidden": errors.append(.forbidden(errorPath, detail))
            case "FieldValueRequired": errors.append(.required(errorPath, detail))
            case "FieldValueDuplicate": errors.append(.duplicate(errorPath, nodeType))
            default: errors.append(.invalid(errorPath, nodeType, detail))
            }
        }
    }

    private mutating func walk(_ value: JSONValue, _ schema: OpenAPISchema) {
        if case .null = value { return }
        // Most of the tree has no rules; skip it without looking.
        guard schema.hasValidationRules else { return }
        for rule in schema.validations { evaluate(rule, on: value, schema) }
        switch value {
        case .object(let object):
            if let additional = schema.additionalPropertiesSchema {
                let hasProperties = !schema.properties.isEmpty
                for (key, child) in object where !hasProperties || schema.property(key) == nil {
                    path.append(.key(key))
                    walk(child, additional)
                    path.removeLast()
                }
            }
            for (name, propertySchema) in schema.properties where propertySchema.hasValidationRules {
                guard let child = object[name] else { continue }
                path.append(.field(name))
                walk(child, propertySchema)
                path.removeLast()
            }
        case .array(let items):
            if let itemSchema = schema.items, itemSchema.hasValidationRules {
                for (i, item) in items.enumerated() {
                    path.append(.index(i))
                    walk(item, itemSchema)
                    path.removeLast()
                }
            }
        default:
            break
        }
    }
}
