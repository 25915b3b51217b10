import DatumJSON

/// How kube-apiserver publishes a resource's schemas in its OpenAPI v3 documents, shared by
/// the sandbox (which serves them) and the client (which builds the same document from the
/// embedded CRD when `explain` cannot reach a server).
///
/// For a CRD the rules are apiextensions-apiserver's builder: the kind's schema is named by
/// the reversed group (`io.k8s.networking.gateway.v1.BackendTLSPolicy`), its `apiVersion` and
/// `kind` are TypeMeta's, `metadata` points at ObjectMeta through a one-element `allOf`, a
/// `<Kind>List` schema is added, and both carry `x-kubernetes-group-version-kind`.
public enum PublishedSchemas {
    /// The component-name prefix of the meta/v1 schemas (ObjectMeta, ListMeta, Status, ...).
    public static let metaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1."

    static let apiVersionDescription =
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
    static let kindDescription =
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
    static let objectMetaDescription =
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
    static let listMetaDescription =
        "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"

    /// `{"$ref": "#/components/schemas/<name>"}`.
    public static func reference(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    /// `gateway.networking.k8s.io` + `v1` → `io.k8s.networking.gateway.v1`.
    public static func schemaPrefix(group: String, version: String) -> String {
        group.split(separator: ".").reversed().joined(separator: ".") + "." + version
    }

    /// The value of `x-kubernetes-group-version-kind` entries.
    public static func groupVersionKind(group: String, version: String, kind: String) -> JSONValue {
        ["group": .string(group), "kind": .string(kind), "version": .string(version)]
    }

    /// TypeMeta's `apiVersion` property.
    public static let apiVersionProperty: JSONValue = ["description": .string(apiVersionDescription), "type": "string"]
    /// TypeMeta's `kind` property.
    public static let kindProperty: JSONValue = ["description": .string(kindDescription), "type": "string"]
    /// An object's `metadata` property: ObjectMeta through a one-element `allOf`.
    public static let objectMetaProperty: JSONValue = [
        "allOf": [reference(metaPrefix + "ObjectMeta")], "description": .string(objectMetaDescription),
    ]

    /// The schema of one served version of `crd` (a CustomResourceDefinition as JSON) as
    /// kube-apiserver publishes it; nil when the CRD does not define `version`.
    public static func crdSchema(_ crd: JSONValue, version: String) -> JSONValue? {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
            let kind = spec["names"]?["kind"]?.stringValue,
            let served = spec["versions"]?.arrayValue?.first(where: { $0["name"]?.stringValue == version })
        else { return nil }
        var schema = served["schema"]?["openAPIV3Schema"] ?? ["type": "object"]
        var properties = schema["properties"]?.objectValue ?? JSONObject()
        properties["apiVersion"] = apiVersionProperty
        properties["kind"] = kindProperty
        properties["metadata"] = objectMetaProperty
        schema["properties"] = .object(properties)
        schema["x-kubernetes-group-version-kind"] = [groupVersionKind(group: group, version: version, kind: kind)]
        return schema
    }

    /// The `<Kind>List` schema published beside every kind; `itemSchema` names the kind's schema.
    public static func listSchema(
        group: String, version: String, kind: String, listKind: String, plural: String, itemSchema: String
    ) -> JSONValue {
        [
            "description": .string("\(listKind) is a list of \(kind)"),
            "properties": [
                "apiVersion": apiVersionProperty,
                "items": [
                    "description": .string(
                        "List of \(plural). More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
                    ),
                    "items": reference(itemSchema),
                    "type": "array",
                ],
                "kind": kindProperty,
                "metadata": [
                    "allOf": [reference(metaPrefix + "ListMeta")], "description": .string(listMetaDescription),
                ],
            ],
            "required": ["items"],
            "type": "object",
            "x-kubernetes-group-version-kind": [groupVersionKind(group: group, version: version, kind: listKind)],
        ]
    }

    /// The meta/v1 schemas kube-apiserver publishes beside every resource, by component name
    /// (from the embedded `meta_v1_schemas.json`, parsed once per process).
    public static func metaSchemas() throws(SchemaError) -> JSONObject { try parsedMetaSchemas.get() }

    private static let parsedMetaSchemas: Result<JSONObject, SchemaError> = {
        guard case .object(var schemas)? = try? JSONParser.parse(EmbeddedUpstream.metaV1Schemas) else {
            return .failure(SchemaError(path: "", message: "the embedded meta/v1 schemas are not a JSON object"))
        }
        schemas["_source"] = nil
        return .success(schemas)
    }()
}
