import DatumJSON
import DatumKit

/// The OpenAPI v3 group-version document kube-apiserver publishes for a CRD
/// (`/openapi/v3/apis/<group>/<version>`), as far as `kubectl explain` reads it.
///
/// Rules taken from apiextensions-apiserver's builder: the kind's schema is named
/// by the reversed group (`io.k8s.networking.gateway.v1.BackendTLSPolicy`), its
/// `apiVersion` and `kind` are replaced by TypeMeta's, `metadata` points at
/// ObjectMeta through a one-element `allOf`, a `<Kind>List` schema is added, and
/// both carry `x-kubernetes-group-version-kind`. The meta/v1 schemas are copied in.
public enum OpenAPIV3Document {
    static let apiVersionDescription =
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
    static let kindDescription =
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
    static let objectMetaDescription =
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
    static let listMetaDescription =
        "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
    static let metaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1."

    /// `gateway.networking.k8s.io` + `v1` → `io.k8s.networking.gateway.v1`.
    public static func schemaPrefix(group: String, version: String) -> String {
        group.split(separator: ".").reversed().joined(separator: ".") + "." + version
    }

    /// Builds the document for one served version of `crd` (a CustomResourceDefinition as JSON).
    /// `metaSchemas` maps meta/v1 schema names to schemas (a `_source` key is ignored).
    public static func forCRD(_ crd: JSONValue, version: String, metaSchemas: JSONValue) throws(PrinterError)
        -> JSONValue
    {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
            let kind = spec["names"]?["kind"]?.stringValue,
            let plural = spec["names"]?["plural"]?.stringValue
        else { throw PrinterError("not a CustomResourceDefinition: spec.group or spec.names is missing") }
        let listKind = spec["names"]?["listKind"]?.stringValue ?? kind + "List"
        guard let served = spec["versions"]?.arrayValue?.first(where: { $0["name"]?.stringValue == version }) else {
            throw PrinterError("version \(version) is not defined by \(crd["metadata"]?["name"]?.stringValue ?? "the CRD")")
        }
        let prefix = schemaPrefix(group: group, version: version)
        let gvk: JSONValue = ["group": .string(group), "kind": .string(kind), "version": .string(version)]
        let listGVK: JSONValue = ["group": .string(group), "kind": .string(listKind), "version": .string(version)]

        var schema = served["schema"]?["openAPIV3Schema"] ?? ["type": "object"]
        var properties = schema["properties"]?.objectValue ?? JSONObject()
        properties["apiVersion"] = ["description": .string(apiVersionDescription), "type": "string"]
        properties["kind"] = ["description": .string(kindDescription), "type": "string"]
        properties["metadata"] = [
            "allOf": [["$ref": .string("#/components/schemas/" + metaPrefix + "ObjectMeta")]],
            "description": .string(objectMetaDescription),
        ]
        schema["properties"] = .object(properties)
        schema["x-kubernetes-group-version-kind"] = [gvk]

        let list: JSONValue = [
            "description": .string("\(listKind) is a list of \(kind)"),
            "properties": [
                "apiVersion": ["description": .string(apiVersionDescription), "type": "string"],
                "items": [
                    "description": .string(
                        "List of \(plural). More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
                    ),
                    "items": ["$ref": .string("#/components/schemas/\(prefix).\(kind)")],
                    "type": "array",
                ],
                "kind": ["description": .string(kindDescription), "type": "string"],
                "metadata": [
                    "allOf": [["$ref": .string("#/components/schemas/" + metaPrefix + "ListMeta")]],
                    "description": .string(listMetaDescription),
                ],
            ],
            "required": ["items"],
            "type": "object",
            "x-kubernetes-group-version-kind": [listGVK],
        ]

        var schemas = JSONObject()
        for (name, value) in metaSchemas.objectValue ?? JSONObject() where name != "_source" {
            schemas[name] = value
        }
        schemas["\(prefix).\(kind)"] = schema
        schemas["\(prefix).\(listKind)"] = list

        let namespaced = spec["scope"]?.stringValue != "Cluster"
        let base = "/apis/\(group)/\(version)" + (namespaced ? "/namespaces/{namespace}" : "")
        let paths: JSONValue = [
            base + "/" + plural: ["get": ["x-kubernetes-action": "list", "x-kubernetes-group-version-kind": gvk]],
            base + "/" + plural + "/{name}": [
                "get": ["x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk]
            ],
        ]
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes CRD Swagger", "version": "v0.1.0"],
            "paths": paths,
            "components": ["schemas": .object(schemas)],
        ]
    }

    /// The meta/v1 schemas vendored in DatumKit.
    public static func vendoredMetaSchemas() throws(PrinterError) -> JSONValue {
        do {
            return try JSONParser.parse(EmbeddedUpstream.metaV1Schemas)
        } catch {
            throw PrinterError("vendored meta/v1 schemas are not valid JSON: \(error)")
        }
    }
}
