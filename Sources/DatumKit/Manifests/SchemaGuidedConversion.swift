import DatumJSON
import DatumYAML

/// Converts YAML to JSON guided by the target field's schema type.
///
/// kubectl resolves every plain scalar by YAML 1.1 rules, so `hostname: yes` becomes
/// `true` and `name: 0123` becomes `83` before the server ever sees them, and the
/// user gets a confusing type error. Here a plain scalar in a `string` field stays
/// exactly the text written; `integer`, `number` and `boolean` fields resolve plain
/// scalars as usual, and a quoted scalar is always a string (so `port: "80"` is
/// reported as the type error it is). Fields without a schema follow kubectl.
public struct SchemaGuidedConversion: Sendable {
    public var components: SchemaComponents

    public init(components: SchemaComponents) {
        self.components = components
    }

    /// The conversion datumctl's loader uses: schema-guided for kinds it models, kubectl's otherwise.
    public static let `default`: ManifestConversion = { node, gvk throws(YAMLError) in
        guard let gvk, gvk == .backendTLSPolicy, let (conversion, schema) = backendTLSPolicyTyping else {
            return try node.jsonValue()
        }
        return try conversion.convert(node, schema: schema)
    }

    /// The BackendTLSPolicy schema with `metadata` typed as ObjectMeta (the CRD only says
    /// `type: object`), built once.
    private static let backendTLSPolicyTyping: (SchemaGuidedConversion, OpenAPISchema)? = {
        guard case .success(let model) = BuiltinSchemas.backendTLSPolicy else { return nil }
        let components = (try? BuiltinSchemas.metaV1.get()) ?? SchemaComponents()
        var schema = model.schema
        if let objectMeta = components[BuiltinSchemas.objectMetaName] {
            schema.setProperty("metadata", objectMeta)
        }
        return (SchemaGuidedConversion(components: components), schema)
    }()

    public func convert(_ node: YAMLNode, schema: OpenAPISchema?) throws(YAMLError) -> JSONValue {
        guard let schema else { return try node.jsonValue() }
        let resolved = components.dereference(schema)
        switch node.content {
        case .scalar(let text, let style):
            return try scalar(node, text: text, style: style, schema: resolved)
        case .sequence(let items):
            let itemSchema = resolved.items.map(components.dereference)
            var array: [JSONValue] = []
            array.reserveCapacity(items.count)
            for item in items { array.append(try convert(item, schema: itemSchema)) }
            return .array(array)
        case .mapping:
            var object = JSONObject()
            try collect(node, schema: resolved, into: &object)
            return .object(object)
        }
    }

    private func scalar(_ node: YAMLNode, text: String, style: YAMLScalarStyle, schema: OpenAPISchema)
        throws(YAMLError) -> JSONValue
    {
        // Explicit tags (`!!int "3"`) mean what they say.
        if node.tag != nil { return try node.jsonValue() }
        guard style == .plain else { return .string(text) }
        if schema.intOrString {
            let resolved = YAMLNode.resolvePlainScalar(text)
            if case .int = resolved { return resolved }
            return .string(text)
        }
        switch schema.type {
        case "string":
            // Plain null (`~`, `null`, empty) still means "absent"; anything else is text.
            let resolved = YAMLNode.resolvePlainScalar(text)
            return resolved.isNull ? .null : .string(text)
        default:
            return try node.jsonValue()
        }
    }

    /// Adds a mapping's entries to `object`, following `<<` merges as go-yaml v2 does:
    /// entries apply in document order and a later one replaces an earlier one.
    private func collect(_ node: YAMLNode, schema: OpenAPISchema, into object: inout JSONObject) throws(YAMLError) {
        guard case .mapping(let pairs) = node.content else { return }
        for pair in pairs {
            guard case .scalar(let keyText, let keyStyle) = pair.key.content else {
                throw YAMLError(kind: .conversion, mark: pair.key.start, message: "mapping keys must be strings")
            }
            if keyText == "<<" && keyStyle == .plain && pair.key.tag == nil {
                try merge(pair.value, schema: schema, into: &object)
                continue
            }
            let childSchema = schema.property(keyText) ?? schema.additionalPropertiesSchema
            object[keyText] = try convert(pair.value, schema: childSchema)
        }
    }

    private func merge(_ node: YAMLNode, schema: OpenAPISchema, into object: inout JSONObject) throws(YAMLError) {
        switch node.content {
        case .mapping:
            try collect(node, schema: schema, into: &object)
        case .sequence(let items):
            // Earlier maps take precedence, so apply them last.
            for item in items.reversed() {
                guard case .mapping = item.content else {
                    throw YAMLError(
                        kind: .conversion, mark: item.start,
                        message: "map merge requires map or sequence of maps as the value")
                }
                try collect(item, schema: schema, into: &object)
            }
        case .scalar:
            throw YAMLError(
                kind: .conversion, mark: node.start, message: "map merge requires map or sequence of maps as the value")
        }
    }
}
