import DatumJSON
import DatumKit

/// The OpenAPI v3 group-version document kube-apiserver publishes for a CRD
/// (`/openapi/v3/apis/<group>/<version>`), as far as `kubectl explain` reads it: the kind's
/// and list's schemas as `PublishedSchemas` builds them, the meta/v1 schemas, and the list and
/// get paths that tie the kind to its resource.
public enum OpenAPIV3Document {
    /// Builds the document for one served version of `crd` (a CustomResourceDefinition as JSON).
    /// `metaSchemas` maps meta/v1 schema names to schemas.
    public static func forCRD(_ crd: JSONValue, version: String, metaSchemas: JSONObject) throws(PrinterError)
        -> JSONValue
    {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
            let kind = spec["names"]?["kind"]?.stringValue,
            let plural = spec["names"]?["plural"]?.stringValue
        else { throw PrinterError("not a CustomResourceDefinition: spec.group or spec.names is missing") }
        guard let schema = PublishedSchemas.crdSchema(crd, version: version) else {
            throw PrinterError(
                "version \(version) is not defined by \(crd["metadata"]?["name"]?.stringValue ?? "the CRD")")
        }
        let listKind = spec["names"]?["listKind"]?.stringValue ?? kind + "List"
        let prefix = PublishedSchemas.schemaPrefix(group: group, version: version)
        var schemas = metaSchemas
        schemas["\(prefix).\(kind)"] = schema
        schemas["\(prefix).\(listKind)"] = PublishedSchemas.listSchema(
            group: group, version: version, kind: kind, listKind: listKind, plural: plural,
            itemSchema: "\(prefix).\(kind)")

        let gvk = PublishedSchemas.groupVersionKind(group: group, version: version, kind: kind)
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

    /// The meta/v1 schemas embedded in DatumKit.
    public static func embeddedMetaSchemas() throws(PrinterError) -> JSONObject {
        do {
            return try PublishedSchemas.metaSchemas()
        } catch {
            throw PrinterError(error.description)
        }
    }
}
