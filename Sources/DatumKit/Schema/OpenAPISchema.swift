import DatumJSON
import GoCompat

/// A schema document that could not be read, with the JSON path of the problem.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the input document, e.g. `spec.versions[0].schema.openAPIV3Schema.properties.spec.maxLength`.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// One `x-kubernetes-validations` entry (a CEL rule).
public struct ValidationRule: Sendable, Hashable {
    public var rule: String
    public var message: String?
    public var messageExpression: String?
    /// `FieldValueInvalid` (default), `FieldValueForbidden`, `FieldValueRequired` or `FieldValueDuplicate`.
    public var reason: String?
    /// A relative JSON path such as `.spec.foo`, moving the error to that field.
    public var fieldPath: String?
    public var optionalOldSelf: Bool?

    public init(
        rule: String, message: String? = nil, messageExpression: String? = nil, reason: String? = nil,
        fieldPath: String? = nil, optionalOldSelf: Bool? = nil
    ) {
        self.rule = rule
        self.message = message
        self.messageExpression = messageExpression
        self.reason = reason
        self.fieldPath = fieldPath
        self.optionalOldSelf = optionalOldSelf
    }
}

/// An OpenAPI v3 schema node as Kubernetes uses it for CRDs and published documents.
///
/// Parsed once from JSON into a tree; `pattern` is compiled with Go
/// semantics at parse time so validation never re-parses it. Properties keep
/// their document order (controller-gen writes them sorted).
///
/// A value type backed by a shared, copy-on-write storage object: copying a
/// schema (which validation does at every node) costs one reference count
/// instead of copying thirty fields.
public struct OpenAPISchema: Sendable {
    /// `additionalProperties` is either a boolean or a schema.
    public enum AdditionalProperties: Sendable {
        case allowed(Bool)
        case schema(OpenAPISchema)
    }

    /// The fields, plus facts about the subtree derived from them. One struct, so a copy
    /// (copy-on-write in `mutate`) carries every field without a list to keep up to date.
    struct Fields: Sendable {
        var type: String? = nil
        var format: String? = nil
        var title: String? = nil
        var description: String? = nil
        var required: [String] = []
        var enumValues: [JSONValue]? = nil
        var pattern: GoRegex? = nil
        var minLength: Int64? = nil
        var maxLength: Int64? = nil
        var minItems: Int64? = nil
        var maxItems: Int64? = nil
        var uniqueItems: Bool = false
        var minProperties: Int64? = nil
        var maxProperties: Int64? = nil
        var minimum: Double? = nil
        var maximum: Double? = nil
        var exclusiveMinimum: Bool = false
        var exclusiveMaximum: Bool = false
        var multipleOf: Double? = nil
        var defaultValue: JSONValue? = nil
        var nullable: Bool = false
        var validations: [ValidationRule] = []
        var listType: String? = nil
        var listMapKeys: [String] = []
        var mapType: String? = nil
        var preserveUnknownFields: Bool = false
        var intOrString: Bool = false
        var embeddedResource: Bool = false
        var allOf: [OpenAPISchema] = []
        var anyOf: [OpenAPISchema] = []
        var oneOf: [OpenAPISchema] = []
        var ref: String? = nil
        var extensions: JSONObject = JSONObject()
        var propertyList: [(name: String, schema: OpenAPISchema)] = []
        var propertyTable: [String: OpenAPISchema] = [:]
        var items: OpenAPISchema?
        var additionalProperties: AdditionalProperties?

        /// `type` as the validator reads it (`[integer, string]` for int-or-string),
        /// as a bit set of `JSONTypeMask` values and as Go prints it (`integer,string`).
        var typeMask: UInt8 = 0
        var typeDescription = ""
        /// `format` if the API server keeps it (it strips unknown formats), else nil.
        var effectiveFormat: String?
        /// Whether this node or a descendant has CEL rules, defaults, or set/map lists;
        /// lets validation skip whole subtrees.
        var rulesBelow = false
        var defaultsBelow = false
        var listTypesBelow = false
    }

    /// Shares one `Fields` between copies of a schema.
    ///
    /// `@unchecked Sendable`: `fields` is only changed through `mutate`, which first copies the
    /// box unless this value holds the only reference, so a box visible to several values (or
    /// threads) never changes.
    final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box = Box(Fields())

    public init() {}

    private mutating func mutate(_ change: (inout Fields) -> Void) {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
        change(&box.fields)
    }

    /// The JSON type: `object`, `array`, `string`, `integer`, `number` or `boolean`.
    public var type: String? {
        get { box.fields.type }
        set { mutate { $0.type = newValue }; refreshDerived() }
    }

    public var format: String? {
        get { box.fields.format }
        set { mutate { $0.format = newValue }; refreshDerived() }
    }

    public var title: String? {
        get { box.fields.title }
        set { mutate { $0.title = newValue } }
    }

    public var description: String? {
        get { box.fields.description }
        set { mutate { $0.description = newValue } }
    }

    public var required: [String] {
        get { box.fields.required }
        set { mutate { $0.required = newValue } }
    }

    public var enumValues: [JSONValue]? {
        get { box.fields.enumValues }
        set { mutate { $0.enumValues = newValue } }
    }

    /// The compiled `pattern`; its source text is `pattern?.pattern`.
    public var pattern: GoRegex? {
        get { box.fields.pattern }
        set { mutate { $0.pattern = newValue } }
    }

    public var minLength: Int64? {
        get { box.fields.minLength }
        set { mutate { $0.minLength = newValue } }
    }

    public var maxLength: Int64? {
        get { box.fields.maxLength }
        set { mutate { $0.maxLength = newValue } }
    }

    public var minItems: Int64? {
        get { box.fields.minItems }
        set { mutate { $0.minItems = newValue } }
    }

    public var maxItems: Int64? {
        get { box.fields.maxItems }
        set { mutate { $0.maxItems = newValue } }
    }

    public var uniqueItems: Bool {
        get { box.fields.uniqueItems }
        set { mutate { $0.uniqueItems = newValue } }
    }

    public var minProperties: Int64? {
        get { box.fields.minProperties }
        set { mutate { $0.minProperties = newValue } }
    }

    public var maxProperties: Int64? {
        get { box.fields.maxProperties }
        set { mutate { $0.maxProperties = newValue } }
    }

    public var minimum: Double? {
        get { box.fields.minimum }
        set { mutate { $0.minimum = newValue } }
    }

    public var maximum: Double? {
        get { box.fields.maximum }
        set { mutate { $0.maximum = newValue } }
    }

    public var exclusiveMinimum: Bool {
        get { box.fields.exclusiveMinimum }
        set { mutate { $0.exclusiveMinimum = newValue } }
    }

    public var exclusiveMaximum: Bool {
        get { box.fields.exclusiveMaximum }
        set { mutate { $0.exclusiveMaximum = newValue } }
    }

    public var multipleOf: Double? {
        get { box.fields.multipleOf }
        set { mutate { $0.multipleOf = newValue } }
    }

    /// `default`.
    public var defaultValue: JSONValue? {
        get { box.fields.defaultValue }
        set { mutate { $0.defaultValue = newValue }; refreshDerived() }
    }

    public var nullable: Bool {
        get { box.fields.nullable }
        set { mutate { $0.nullable = newValue } }
    }

    /// `x-kubernetes-validations`.
    public var validations: [ValidationRule] {
        get { box.fields.validations }
        set { mutate { $0.validations = newValue }; refreshDerived() }
    }

    /// `x-kubernetes-list-type`: `atomic`, `set` or `map`.
    public var listType: String? {
        get { box.fields.listType }
        set { mutate { $0.listType = newValue }; refreshDerived() }
    }

    /// `x-kubernetes-list-map-keys`.
    public var listMapKeys: [String] {
        get { box.fields.listMapKeys }
        set { mutate { $0.listMapKeys = newValue } }
    }

    /// `x-kubernetes-map-type`.
    public var mapType: String? {
        get { box.fields.mapType }
        set { mutate { $0.mapType = newValue } }
    }

    /// `x-kubernetes-preserve-unknown-fields`.
    public var preserveUnknownFields: Bool {
        get { box.fields.preserveUnknownFields }
        set { mutate { $0.preserveUnknownFields = newValue } }
    }

    /// `x-kubernetes-int-or-string`.
    public var intOrString: Bool {
        get { box.fields.intOrString }
        set { mutate { $0.intOrString = newValue }; refreshDerived() }
    }

    /// `x-kubernetes-embedded-resource`.
    public var embeddedResource: Bool {
        get { box.fields.embeddedResource }
        set { mutate { $0.embeddedResource = newValue } }
    }

    public var allOf: [OpenAPISchema] {
        get { box.fields.allOf }
        set { mutate { $0.allOf = newValue }; refreshDerived() }
    }

    public var anyOf: [OpenAPISchema] {
        get { box.fields.anyOf }
        set { mutate { $0.anyOf = newValue } }
    }

    public var oneOf: [OpenAPISchema] {
        get { box.fields.oneOf }
        set { mutate { $0.oneOf = newValue } }
    }

    /// `$ref`, e.g. `#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`.
    public var ref: String? {
        get { box.fields.ref }
        set { mutate { $0.ref = newValue } }
    }

    /// Other `x-` keys (such as `x-kubernetes-patch-strategy`), kept verbatim.
    public var extensions: JSONObject {
        get { box.fields.extensions }
        set { mutate { $0.extensions = newValue } }
    }

    public var items: OpenAPISchema? {
        get { box.fields.items }
        set { mutate { $0.items = newValue }; refreshDerived() }
    }

    public var additionalProperties: AdditionalProperties? {
        get { box.fields.additionalProperties }
        set { mutate { $0.additionalProperties = newValue }; refreshDerived() }
    }

    /// The schema for map values when `additionalProperties` is a schema.
    public var additionalPropertiesSchema: OpenAPISchema? {
        if case .schema(let s)? = box.fields.additionalProperties { return s }
        return nil
    }

    /// Property names in document order.
    public var propertyNames: [String] { box.fields.propertyList.map(\.name) }

    /// Properties in document order.
    public var properties: [(name: String, schema: OpenAPISchema)] { box.fields.propertyList }

    public func property(_ name: String) -> OpenAPISchema? { box.fields.propertyTable[name] }

    /// Adds, replaces (keeping its position) or, with `nil`, removes a property.
    public mutating func setProperty(_ name: String, _ schema: OpenAPISchema?) {
        mutate { s in
            if let schema {
                if s.propertyTable.updateValue(schema, forKey: name) == nil {
                    s.propertyList.append((name, schema))
                } else if let i = s.propertyList.firstIndex(where: { $0.name == name }) {
                    s.propertyList[i].schema = schema
                }
            } else if s.propertyTable.removeValue(forKey: name) != nil {
                s.propertyList.removeAll { $0.name == name }
            }
        }
        refreshDerived()
    }

    /// Whether this node or any node below it carries `x-kubernetes-validations`.
    public var hasValidationRules: Bool { box.fields.rulesBelow }

    /// Whether any node below this one has a `default`.
    var hasDefaultsBelow: Bool { box.fields.defaultsBelow }

    /// Whether this node or any node below it is a `set` or `map` list.
    var hasListTypesBelow: Bool { box.fields.listTypesBelow }

    /// The JSON types `type` allows, as `JSONTypeMask` bits; 0 when unconstrained.
    var typeMask: UInt8 { box.fields.typeMask }

    /// The allowed types as Go prints them in messages (`string`, `integer,string`).
    var typeDescription: String { box.fields.typeDescription }

    /// The format the validator checks, if any (see `Fields.effectiveFormat`).
    var effectiveFormat: String? { box.fields.effectiveFormat }

    /// Formats kube-apiserver keeps in CRD schemas (normalized without `-`); it strips all others.
    static let supportedFormats: Set<String> = [
        "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5",
        "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date",
        "duration", "datetime",
    ]

    /// go-openapi's format-name normalization drops dashes (`date-time` → `datetime`).
    static func normalizedFormat(_ format: String) -> String {
        String(format.filter { $0 != "-" })
    }

    /// Recomputes the cached facts after a change; children carry their own.
    private mutating func refreshDerived() {
        mutate { s in
            let types: [String]
            if s.intOrString {
                types = ["integer", "string"]
            } else if let type = s.type, !type.isEmpty {
                types = [type]
            } else {
                types = []
            }
            s.typeMask = types.reduce(0) { $0 | JSONTypeMask.bit(for: $1) }
            s.typeDescription = types.joined(separator: ",")
            if let format = s.format, !format.isEmpty,
                OpenAPISchema.supportedFormats.contains(OpenAPISchema.normalizedFormat(format))
            {
                s.effectiveFormat = format
            } else {
                s.effectiveFormat = nil
            }
            var children: [OpenAPISchema] = s.propertyList.map(\.schema)
            if let items = s.items { children.append(items) }
            if case .schema(let additional)? = s.additionalProperties { children.append(additional) }
            s.rulesBelow = !s.validations.isEmpty || children.contains { $0.box.fields.rulesBelow }
            s.defaultsBelow = children.contains { $0.box.fields.defaultValue != nil || $0.box.fields.defaultsBelow }
            s.listTypesBelow =
                s.listType == "set" || s.listType == "map" || children.contains { $0.box.fields.listTypesBelow }
        }
    }
}

/// Bits for the JSON type names a schema's `type` may hold.
enum JSONTypeMask {
    static let null: UInt8 = 1
    static let boolean: UInt8 = 2
    static let integer: UInt8 = 4
    static let number: UInt8 = 8
    static let string: UInt8 = 16
    static let array: UInt8 = 32
    static let object: UInt8 = 64
    /// A type name the validator does not know; it never matches a value.
    static let unknown: UInt8 = 128

    static func bit(for name: String) -> UInt8 {
        switch name {
        case "null": return null
        case "boolean": return boolean
        case "integer": return integer
        case "number": return number
        case "string": return string
        case "array": return array
        case "object": return object
        default: return unknown
        }
    }
}

// MARK: - Parsing

extension OpenAPISchema {
    /// Parses a schema node. `path` names the node in error messages.
    public init(json: JSONValue, path: String = "") throws(SchemaError) {
        var reader = SchemaReader(path: path)
        self = try reader.schema(json, path: path)
    }
}

/// Reads schema JSON, reporting the first malformed keyword with its path.
struct SchemaReader {
    var path: String
    /// Nesting is bounded so a hostile document cannot exhaust the stack.
    static let maximumDepth = 64
    private var depth = 0

    init(path: String) { self.path = path }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    private func fail(_ path: String, _ message: String) -> SchemaError {
        SchemaError(path: path, message: message)
    }

    private func string(_ value: JSONValue, _ path: String) throws(SchemaError) -> String {
        guard case .string(let s) = value else { throw fail(path, "expected a string, got \(value.typeName)") }
        return s
    }

    private func bool(_ value: JSONValue, _ path: String) throws(SchemaError) -> Bool {
        guard case .bool(let b) = value else { throw fail(path, "expected a boolean, got \(value.typeName)") }
        return b
    }

    private func integer(_ value: JSONValue, _ path: String) throws(SchemaError) -> Int64 {
        guard let i = value.intValue else { throw fail(path, "expected an integer, got \(value.typeName)") }
        return i
    }

    private func number(_ value: JSONValue, _ path: String) throws(SchemaError) -> Double {
        guard let d = value.doubleValue else { throw fail(path, "expected a number, got \(value.typeName)") }
        return d
    }

    private func strings(_ value: JSONValue, _ path: String) throws(SchemaError) -> [String] {
        guard case .array(let items) = value else { throw fail(path, "expected an array, got \(value.typeName)") }
        var result: [String] = []
        for (i, item) in items.enumerated() { result.append(try string(item, "\(path)[\(i)]")) }
        return result
    }

    private mutating func schemas(_ value: JSONValue, _ path: String) throws(SchemaError) -> [OpenAPISchema] {
        guard case .array(let items) = value else { throw fail(path, "expected an array, got \(value.typeName)") }
        var result: [OpenAPISchema] = []
        for (i, item) in items.enumerated() { result.append(try schema(item, path: "\(path)[\(i)]")) }
        return result
    }

    private func rules(_ value: JSONValue, _ path: String) throws(SchemaError) -> [ValidationRule] {
        guard case .array(let items) = value else { throw fail(path, "expected an array, got \(value.typeName)") }
        var result: [ValidationRule] = []
        for (i, item) in items.enumerated() {
            let itemPath = "\(path)[\(i)]"
            guard case .object(let o) = item else { throw fail(itemPath, "expected an object, got \(item.typeName)") }
            guard let ruleValue = o["rule"] else { throw fail(itemPath, "missing rule") }
            var rule = ValidationRule(rule: try string(ruleValue, SchemaReader.join(itemPath, "rule")))
            if let v = o["message"] { rule.message = try string(v, SchemaReader.join(itemPath, "message")) }
            if let v = o["messageExpression"] {
                rule.messageExpression = try string(v, SchemaReader.join(itemPath, "messageExpression"))
            }
            if let v = o["reason"] { rule.reason = try string(v, SchemaReader.join(itemPath, "reason")) }
            if let v = o["fieldPath"] { rule.fieldPath = try string(v, SchemaReader.join(itemPath, "fieldPath")) }
            if let v = o["optionalOldSelf"] {
                rule.optionalOldSelf = try bool(v, SchemaReader.join(itemPath, "optionalOldSelf"))
            }
            result.append(rule)
        }
        return result
    }

    mutating func schema(_ json: JSONValue, path: String) throws(SchemaError) -> OpenAPISchema {
        depth += 1
        defer { depth -= 1 }
        if depth > SchemaReader.maximumDepth { throw fail(path, "schema nests too deeply") }
        guard case .object(let object) = json else { throw fail(path, "expected an object, got \(json.typeName)") }
        var s = OpenAPISchema()
        for (key, value) in object {
            let p = SchemaReader.join(path, key)
            switch key {
            case "type": s.type = try string(value, p)
            case "format": s.format = try string(value, p)
            case "title": s.title = try string(value, p)
            case "description": s.description = try string(value, p)
            case "properties":
                guard case .object(let props) = value else {
                    throw fail(p, "expected an object, got \(value.typeName)")
                }
                for (name, propertyJSON) in props {
                    s.setProperty(name, try schema(propertyJSON, path: SchemaReader.join(p, name)))
                }
            case "required": s.required = try strings(value, p)
            case "items":
                if case .array = value {
                    // Tuple-typed items are not structural; Kubernetes rejects them in CRDs.
                    throw fail(p, "an array of item schemas is not supported")
                }
                s.items = try schema(value, path: p)
            case "additionalProperties":
                if case .bool(let allowed) = value {
                    s.additionalProperties = .allowed(allowed)
                } else {
                    s.additionalProperties = .schema(try schema(value, path: p))
                }
            case "enum":
                guard case .array(let values) = value else { throw fail(p, "expected an array, got \(value.typeName)") }
                s.enumValues = values
            case "pattern":
                let source = try string(value, p)
                do {
                    s.pattern = try GoRegex(source)
                } catch {
                    throw fail(p, error.description)
                }
            case "minLength": s.minLength = try integer(value, p)
            case "maxLength": s.maxLength = try integer(value, p)
            case "minItems": s.minItems = try integer(value, p)
            case "maxItems": s.maxItems = try integer(value, p)
            case "uniqueItems": s.uniqueItems = try bool(value, p)
            case "minProperties": s.minProperties = try integer(value, p)
            case "maxProperties": s.maxProperties = try integer(value, p)
            case "minimum": s.minimum = try number(value, p)
            case "maximum": s.maximum = try number(value, p)
            case "exclusiveMinimum": s.exclusiveMinimum = try bool(value, p)
            case "exclusiveMaximum": s.exclusiveMaximum = try bool(value, p)
            case "multipleOf": s.multipleOf = try number(value, p)
            case "default": s.defaultValue = value
            case "nullable": s.nullable = try bool(value, p)
            case "x-kubernetes-validations": s.validations = try rules(value, p)
            case "x-kubernetes-list-type": s.listType = try string(value, p)
            case "x-kubernetes-list-map-keys": s.listMapKeys = try strings(value, p)
            case "x-kubernetes-map-type": s.mapType = try string(value, p)
            case "x-kubernetes-preserve-unknown-fields": s.preserveUnknownFields = try bool(value, p)
            case "x-kubernetes-int-or-string": s.intOrString = try bool(value, p)
            case "x-kubernetes-embedded-resource": s.embeddedResource = try bool(value, p)
            case "allOf": s.allOf = try schemas(value, p)
            case "anyOf": s.anyOf = try schemas(value, p)
            case "oneOf": s.oneOf = try schemas(value, p)
            case "$ref": s.ref = try string(value, p)
            default:
                if key.hasPrefix("x-") { s.extensions[key] = value }
            // Other keywords (example, externalDocs, ...) carry no validation.
            }
        }
        return s
    }
}

// MARK: - References

/// Named schemas of an OpenAPI document (`components.schemas`), for resolving `$ref`.
public struct SchemaComponents: Sendable {
    public private(set) var schemas: [String: OpenAPISchema] = [:]

    public init(schemas: [String: OpenAPISchema] = [:]) {
        self.schemas = schemas
    }

    /// Parses a `components.schemas`-shaped object; keys starting with `_` (notes) are skipped.
    public init(json: JSONValue) throws(SchemaError) {
        guard case .object(let object) = json else {
            throw SchemaError(path: "", message: "expected an object, got \(json.typeName)")
        }
        for (name, value) in object where !name.hasPrefix("_") {
            schemas[name] = try OpenAPISchema(json: value, path: name)
        }
    }

    public subscript(name: String) -> OpenAPISchema? { schemas[name] }

    /// Resolves `#/components/schemas/<name>` (other forms are not references into this set).
    public func resolve(_ ref: String) -> OpenAPISchema? {
        let prefix = "#/components/schemas/"
        guard ref.hasPrefix(prefix) else { return nil }
        return schemas[String(ref.dropFirst(prefix.count))]
    }

    /// The schema a node stands for: its `$ref` target, or the target of a
    /// one-element `allOf: [{$ref}]` wrapper (how kube-apiserver publishes
    /// `metadata`), otherwise the node itself.
    public func dereference(_ schema: OpenAPISchema) -> OpenAPISchema {
        if let ref = schema.ref, let target = resolve(ref) { return target }
        if schema.allOf.count == 1, let ref = schema.allOf[0].ref, let target = resolve(ref) { return target }
        return schema
    }
}
