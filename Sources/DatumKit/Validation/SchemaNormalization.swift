import DatumJSON

/// What the API server does to a custom resource while decoding it, before
/// validation: drop unknown fields (pruning), drop `null`s the schema does
/// not allow, and apply `default`s.
///
/// Each transform returns `nil` when nothing changes, so the common case —
/// a clean object — allocates nothing.
public enum SchemaNormalization {
    /// Fields an embedded resource (and the resource root) keeps regardless of the schema.
    static let metaFields: Set<String> = ["apiVersion", "kind", "metadata"]

    /// Removes fields the schema does not declare and returns the pruned
    /// value with the removed paths (sorted byte-wise, as the API server
    /// reports them: `spec.foo`, `spec.targetRefs[0].bar`).
    ///
    /// At the resource root, `apiVersion`, `kind` and `metadata` are kept;
    /// unknown fields inside `metadata` are not part of this (see
    /// ``ObjectMetaValidation/knownFields``).
    public static func prune(_ value: JSONValue, schema: OpenAPISchema?, isResourceRoot: Bool = true) -> (
        value: JSONValue, unknownFields: [String]
    ) {
        var pruner = Pruner(dropsNulls: false)
        let changed = pruner.prune(value, schema, embedded: isResourceRoot || (schema?.embeddedResource ?? false))
        let sorted = pruner.unknown.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return (changed ?? value, sorted)
    }

    /// Removes `null` values whose schema is neither nullable nor defaulted
    /// (`PruneNonNullableNullsWithoutDefaults`). Nulls inside arrays are kept.
    public static func dropNonNullableNulls(_ value: JSONValue, schema: OpenAPISchema?) -> JSONValue {
        dropNulls(value, schema) ?? value
    }

    /// The whole decoding step for a resource: ``prune(_:schema:isResourceRoot:)``,
    /// ``dropNonNullableNulls(_:schema:)`` and ``applyDefaults(_:schema:)``,
    /// with the first two done in one walk.
    public static func decode(_ value: JSONValue, schema: OpenAPISchema) -> (value: JSONValue, unknownFields: [String])
    {
        var pruner = Pruner(dropsNulls: true)
        let pruned = pruner.prune(value, schema, embedded: true) ?? value
        let sorted = pruner.unknown.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return (applyDefaults(pruned, schema: schema), sorted)
    }

    /// Whether a known field holding this value is dropped as a disallowed null.
    @inline(__always)
    static func isDisallowedNull(_ value: JSONValue, _ schema: OpenAPISchema?) -> Bool {
        guard case .null = value, let schema else { return false }
        return !schema.nullable && schema.defaultValue == nil
    }

    /// Fills in `default`s for missing fields (and for `null`s that are not
    /// allowed), recursively, as structural defaulting does.
    public static func applyDefaults(_ value: JSONValue, schema: OpenAPISchema?) -> JSONValue {
        defaults(value, schema) ?? value
    }

    // MARK: - Pruning

    private struct Pruner {
        /// Also drop disallowed nulls of known fields (decoding does both in one walk).
        let dropsNulls: Bool
        var unknown: [String] = []
        /// Path pieces (`spec`, `.`, `targetRefs`, `[0]`), joined only when a field is recorded.
        var path: [String] = []

        init(dropsNulls: Bool) {
            self.dropsNulls = dropsNulls
        }

        mutating func record(_ key: String) {
            unknown.append(path.isEmpty ? key : path.joined() + "." + key)
        }

        mutating func withKey<T>(_ key: String, _ body: (inout Pruner) -> T) -> T {
            let depth = path.count
            if !path.isEmpty { path.append(".") }
            path.append(key)
            defer { path.removeLast(path.count - depth) }
            return body(&self)
        }

        mutating func withIndex<T>(_ index: Int, _ body: (inout Pruner) -> T) -> T {
            path.append("[\(index)]")
            defer { path.removeLast() }
            return body(&self)
        }

        /// The schema used for a map entry without a declared property.
        private func additionalSchema(_ schema: OpenAPISchema) -> OpenAPISchema?? {
            switch schema.additionalProperties {
            case .schema(let s)?: return .some(s)
            // `additionalProperties: true` allows any key but says nothing about its contents.
            case .allowed(true)?: return .some(nil)
            default: return nil
            }
        }

        mutating func prune(_ value: JSONValue, _ schema: OpenAPISchema?, embedded: Bool = false) -> JSONValue? {
            if let schema, schema.preserveUnknownFields {
                return skipPrune(value, schema, embedded: embedded || schema.embeddedResource)
            }
            switch value {
            case .object(let object):
                guard let schema else {
                    guard !object.isEmpty else { return nil }
                    for key in object.keys { record(key) }
                    return .object(JSONObject())
                }
                let isEmbedded = embedded || schema.embeddedResource
                var result: JSONObject?
                for (key, child) in object {
                    if isEmbedded && SchemaNormalization.metaFields.contains(key) {
                        if dropsNulls && SchemaNormalization.isDisallowedNull(child, schema.property(key)) {
                            if result == nil { result = object }
                            result?[key] = nil
                        }
                        continue
                    }
                    let childSchema: OpenAPISchema?
                    if let property = schema.property(key) {
                        childSchema = property
                    } else if let additional = additionalSchema(schema) {
                        childSchema = additional
                    } else {
                        if !SchemaNormalization.metaFields.contains(key) || !path.isEmpty { record(key) }
                        if result == nil { result = object }
                        result?[key] = nil
                        continue
                    }
                    if dropsNulls && SchemaNormalization.isDisallowedNull(child, childSchema) {
                        if result == nil { result = object }
                        result?[key] = nil
                        continue
                    }
                    let pruned = withKey(key) { $0.prune(child, childSchema) }
                    if let pruned {
                        if result == nil { result = object }
                        result?[key] = pruned
                    }
                }
                return result.map(JSONValue.object)
            case .array(let items):
                var result: [JSONValue]?
                for (i, item) in items.enumerated() {
                    if let pruned = withIndex(i, { $0.prune(item, schema?.items) }) {
                        if result == nil { result = items }
                        result?[i] = pruned
                    }
                }
                return result.map(JSONValue.array)
            default:
                return nil
            }
        }

        /// Under `x-kubernetes-preserve-unknown-fields`, unknown keys stay but
        /// declared ones are still pruned below.
        mutating func skipPrune(_ value: JSONValue, _ schema: OpenAPISchema, embedded: Bool) -> JSONValue? {
            switch value {
            case .object(let object):
                var result: JSONObject?
                for (key, child) in object {
                    if embedded && SchemaNormalization.metaFields.contains(key) { continue }
                    let childSchema: OpenAPISchema?
                    if let property = schema.property(key) {
                        childSchema = property
                    } else if let additional = additionalSchema(schema) {
                        childSchema = additional
                    } else {
                        continue
                    }
                    if dropsNulls && SchemaNormalization.isDisallowedNull(child, childSchema) {
                        if result == nil { result = object }
                        result?[key] = nil
                        continue
                    }
                    if let pruned = withKey(key, { $0.prune(child, childSchema) }) {
                        if result == nil { result = object }
                        result?[key] = pruned
                    }
                }
                return result.map(JSONValue.object)
            case .array(let items):
                guard let itemSchema = schema.items else { return nil }
                var result: [JSONValue]?
                for (i, item) in items.enumerated() {
                    let pruned = withIndex(i) {
                        $0.skipPrune(item, itemSchema, embedded: itemSchema.embeddedResource)
                    }
                    if let pruned {
                        if result == nil { result = items }
                        result?[i] = pruned
                    }
                }
                return result.map(JSONValue.array)
            default:
                return nil
            }
        }
    }

    // MARK: - Nulls

    private static func fieldSchema(_ key: String, _ schema: OpenAPISchema?) -> OpenAPISchema? {
        guard let schema else { return nil }
        return schema.property(key) ?? schema.additionalPropertiesSchema
    }

    private static func dropNulls(_ value: JSONValue, _ schema: OpenAPISchema?) -> JSONValue? {
        switch value {
        case .object(let object):
            var result: JSONObject?
            for key in object.keys {
                guard let child = object[key] else { continue }
                let childSchema = fieldSchema(key, schema)
                if isDisallowedNull(child, childSchema) {
                    if result == nil { result = object }
                    result?[key] = nil
                } else if let changed = dropNulls(child, childSchema) {
                    if result == nil { result = object }
                    result?[key] = changed
                }
            }
            return result.map(JSONValue.object)
        case .array(let items):
            var result: [JSONValue]?
            for (i, item) in items.enumerated() {
                if let changed = dropNulls(item, schema?.items) {
                    if result == nil { result = items }
                    result?[i] = changed
                }
            }
            return result.map(JSONValue.array)
        default:
            return nil
        }
    }

    // MARK: - Defaults

    private static func isNonNullableNull(_ value: JSONValue, _ schema: OpenAPISchema) -> Bool {
        if case .null = value { return !schema.nullable }
        return false
    }

    private static func defaults(_ value: JSONValue, _ schema: OpenAPISchema?) -> JSONValue? {
        // Most subtrees (all of BackendTLSPolicy's spec) have no defaults at all.
        guard let schema, schema.hasDefaultsBelow else { return nil }
        switch value {
        case .object(let object):
            var result: JSONObject?
            for (name, propertySchema) in schema.properties {
                guard let defaultValue = propertySchema.defaultValue else { continue }
                let current = object[name]
                if current == nil || isNonNullableNull(current ?? .null, propertySchema) {
                    if result == nil { result = object }
                    result?[name] = defaultValue
                }
            }
            let working = result ?? object
            for (key, child) in working {
                let childSchema: OpenAPISchema
                if let property = schema.property(key) {
                    childSchema = property
                } else if let additional = schema.additionalPropertiesSchema {
                    childSchema = additional
                    if let defaultValue = additional.defaultValue, isNonNullableNull(child, additional) {
                        if result == nil { result = object }
                        result?[key] = defaultValue
                    }
                } else {
                    continue
                }
                if let changed = defaults(result?[key] ?? child, childSchema) {
                    if result == nil { result = object }
                    result?[key] = changed
                }
            }
            return result.map(JSONValue.object)
        case .array(let items):
            guard let itemSchema = schema.items else { return nil }
            var result: [JSONValue]?
            for (i, item) in items.enumerated() {
                var current = item
                if let defaultValue = itemSchema.defaultValue, isNonNullableNull(item, itemSchema) {
                    current = defaultValue
                    if result == nil { result = items }
                    result?[i] = defaultValue
                }
                if let changed = defaults(current, itemSchema) {
                    if result == nil { result = items }
                    result?[i] = changed
                }
            }
            return result.map(JSONValue.array)
        default:
            return nil
        }
    }
}
