import DatumJSON

/// A kind's model built from the schema its server publishes (`/openapi/v3/apis/<group>/<version>`),
/// so manifests are validated by what the server serves, not by the release compiled in.
///
/// kube-apiserver publishes a CRD version's `openAPIV3Schema` with `apiVersion`, `kind` and
/// `metadata` replaced by its own (`metadata` refers to ObjectMeta through an `allOf`) and the
/// group-version-kind attached. This undoes that: `metadata` becomes `type: object` again (its
/// fields are checked by ObjectMeta's own rules, as for a CRD), any other reference is inlined,
/// and the result is read as the CRD's schema would be.
extension CRDModel {
    /// The model of `kind` in `group`/`version` from a published OpenAPI v3 document.
    ///
    /// `names` are the kind's names as discovery reports them. A schema with a `status` property
    /// is taken to have the status subresource (the main resource then ignores `status`, as the
    /// server does): the document does not say, and custom resources with status have it.
    public static func published(
        in document: JSONValue, group: String, version: String, names: CRDDescriptor.Names, namespaced: Bool,
        rules: CELRuleRegistry = .serverPublished
    ) -> Result<CRDModel, SchemaError> {
        let components = document["components"]?["schemas"]?.objectValue ?? JSONObject()
        guard let schema = PublishedSchemas.schema(of: names.kind, group: group, version: version, in: components)
        else {
            return .failure(
                SchemaError(path: "", message: "the server publishes no schema for \(group)/\(version) \(names.kind)"))
        }
        var root: JSONObject
        do throws(SchemaError) {
            guard case .object(let inlined) = try inline(schema, components: components, depth: 0) else {
                return .failure(
                    SchemaError(path: "", message: "the published schema of \(names.kind) is not an object"))
            }
            root = inlined
        } catch {
            return .failure(error)
        }
        root["x-kubernetes-group-version-kind"] = nil
        if var properties = root["properties"]?.objectValue {
            properties["metadata"] = ["type": "object"]
            root["properties"] = .object(properties)
        }
        var versionEntry: JSONObject = [
            "name": .string(version), "served": true, "storage": true,
            "schema": ["openAPIV3Schema": .object(root)],
        ]
        if root["properties"]?["status"] != nil { versionEntry["subresources"] = ["status": .object([:])] }
        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string(names.plural + "." + group)],
            "spec": [
                "group": .string(group), "scope": namespaced ? "Namespaced" : "Cluster",
                "names": [
                    "kind": .string(names.kind), "plural": .string(names.plural), "singular": .string(names.singular),
                    "listKind": .string(names.listKind), "shortNames": .array(names.shortNames.map(JSONValue.string)),
                    "categories": .array(names.categories.map(JSONValue.string)),
                ],
                "versions": [.object(versionEntry)],
            ],
        ]
        do {
            let descriptor = try CRDDescriptor(crd: crd)
            guard let parsed = try CRDSchemas.load(crd: crd)[version] else {
                return .failure(SchemaError(path: "", message: "the published schema of \(names.kind) is empty"))
            }
            return .success(
                CRDModel(
                    crd: crd, descriptor: descriptor, version: version, schema: parsed,
                    validator: SchemaValidator(descriptor: descriptor, version: version, rules: rules)))
        } catch {
            return .failure(error)
        }
    }

    /// A schema node with every `$ref` (and one-element `allOf: [{$ref}]` wrapper) replaced by its
    /// target, in it and in its subschemas. References nest only so deep: a recursive schema is
    /// refused rather than expanded forever.
    private static func inline(_ value: JSONValue, components: JSONObject, depth: Int) throws(SchemaError)
        -> JSONValue
    {
        guard depth < 64 else {
            throw SchemaError(path: "", message: "the published schema nests references too deeply")
        }
        guard case .object(var object) = value else { return value }
        if case .string(let ref)? = object["$ref"] {
            object["$ref"] = nil
            return try merge(
                try resolve(ref, components: components), into: object, components: components, depth: depth)
        }
        if case .array(let all)? = object["allOf"], all.count == 1, case .string(let ref)? = all[0]["$ref"] {
            object["allOf"] = nil
            return try merge(
                try resolve(ref, components: components), into: object, components: components, depth: depth)
        }
        var out = JSONObject()
        for (key, child) in object {
            switch (key, child) {
            case ("properties", .object(let map)), ("patternProperties", .object(let map)):
                var schemas = JSONObject()
                for (name, schema) in map {
                    schemas[name] = try inline(schema, components: components, depth: depth + 1)
                }
                out[key] = .object(schemas)
            case ("items", _), ("additionalProperties", _), ("not", _):
                out[key] = try inline(child, components: components, depth: depth + 1)
            case ("allOf", .array(let list)), ("anyOf", .array(let list)), ("oneOf", .array(let list)):
                var schemas: [JSONValue] = []
                for schema in list { schemas.append(try inline(schema, components: components, depth: depth + 1)) }
                out[key] = .array(schemas)
            default:
                // Descriptions, defaults, enumerations, validation rules: data, copied as they are.
                out[key] = child
            }
        }
        return .object(out)
    }

    private static func resolve(_ ref: String, components: JSONObject) throws(SchemaError) -> JSONValue {
        let prefix = "#/components/schemas/"
        guard ref.hasPrefix(prefix), let target = components[String(ref.dropFirst(prefix.count))] else {
            throw SchemaError(path: "", message: "the published schema refers to \(ref), which it does not define")
        }
        return target
    }

    /// The target's keys, then the referring node's own (its description, default) over them.
    private static func merge(_ target: JSONValue, into object: JSONObject, components: JSONObject, depth: Int)
        throws(SchemaError) -> JSONValue
    {
        guard case .object(var merged) = try inline(target, components: components, depth: depth + 1) else {
            return target
        }
        guard case .object(let own) = try inline(.object(object), components: components, depth: depth + 1) else {
            return .object(merged)
        }
        for (key, child) in own { merged[key] = child }
        return .object(merged)
    }
}

extension PublishedSchemas {
    /// The component schema that declares `kind` of `group`/`version` in its
    /// `x-kubernetes-group-version-kind`.
    public static func schema(of kind: String, group: String, version: String, in components: JSONObject)
        -> JSONValue?
    {
        for (_, schema) in components {
            guard let gvks = schema["x-kubernetes-group-version-kind"]?.arrayValue else { continue }
            for gvk in gvks
            where gvk["kind"]?.stringValue == kind && (gvk["group"]?.stringValue ?? "") == group
                && gvk["version"]?.stringValue == version
            {
                return schema
            }
        }
        return nil
    }
}
