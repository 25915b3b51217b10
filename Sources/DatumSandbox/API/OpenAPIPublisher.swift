import DatumJSON
import DatumKit

/// The OpenAPI v3 documents kube-apiserver publishes for the served group-versions.
///
/// The BackendTLSPolicy schema is the upstream CRD's, with `metadata` pointing at the standard
/// ObjectMeta schema, so `kubectl explain` and kubectl's field-validation probe see what they
/// would see on a real cluster. Documents are encoded once, at start-up.
final class OpenAPIPublisher: Sendable {
    private let documents: [String: [UInt8]]
    private let hashes: [String: String]

    static let metaPrefix = PublishedSchemas.metaPrefix
    /// Built once per process: the documents never change while the server runs.
    static let shared = OpenAPIPublisher(documents: [
        ("apis/gateway.networking.k8s.io/v1", OpenAPIPublisher.gatewayDocument()),
        ("api/v1", OpenAPIPublisher.coreDocument(ResourceCatalog.core)),
    ])
    /// The organization, user and platform control planes: Milo's resource-manager kinds.
    static let milo = OpenAPIPublisher(documents: [
        ("apis/resourcemanager.miloapis.com/v1alpha1", OpenAPIPublisher.resourceManagerDocument()),
        ("api/v1", OpenAPIPublisher.coreDocument([ResourceCatalog.events, ResourceCatalog.namespaces])),
    ])

    init(documents list: [(String, JSONValue)]) {
        var documents: [String: [UInt8]] = [:]
        var hashes: [String: String] = [:]
        for (path, document) in list {
            let bytes = GoJSONEncoder(sortKeys: false).encodeBytes(document)
            documents[path] = bytes
            hashes[path] = OpenAPIPublisher.hash(bytes)
        }
        self.documents = documents
        self.hashes = hashes
    }

    /// `/openapi/v3`: URLs carry the project prefix, because client-go replaces the whole path with them.
    func index(base: String) -> JSONValue {
        var paths = JSONObject()
        for key in documents.keys.sorted() {
            paths[key] = ["serverRelativeURL": .string("\(base)/openapi/v3/\(key)?hash=\(hashes[key] ?? "")")]
        }
        return ["paths": .object(paths)]
    }

    func documentBytes(for path: String) -> [UInt8]? { documents[path] }

    private static func hash(_ bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b &+ UInt64(byte)) &* 0x9E37_79B9_7F4A_7C15
        }
        let hex = String(a, radix: 16, uppercase: true) + String(b, radix: 16, uppercase: true)
        return hex
    }

    // MARK: Shared pieces

    /// kube-apiserver's shared OpenAPI parameters (`pretty`, `dryRun`, ...), parsed once.
    static let parameters: JSONObject = {
        guard case .object(let object)? = try? JSONParser.parse(EmbeddedUpstream.openAPIV3Parameters) else {
            return [:]
        }
        return object
    }()

    static func metaSchemas() -> JSONObject { (try? PublishedSchemas.metaSchemas()) ?? [:] }

    static func ref(_ name: String) -> JSONValue { PublishedSchemas.reference(name) }

    static let metadataProperty = PublishedSchemas.objectMetaProperty

    static func gvk(_ type: ResourceType, kind: String? = nil) -> JSONValue {
        PublishedSchemas.groupVersionKind(group: type.group, version: type.version, kind: kind ?? type.kind)
    }

    /// A request or response body in JSON or YAML.
    private static func content(_ schema: JSONValue) -> JSONValue {
        ["application/json": ["schema": schema], "application/yaml": ["schema": schema]]
    }

    /// The paths of one resource type, operations named and parameterised as kube-apiserver does.
    static func paths(for type: ResourceType, tag: String, operationGroup: String, schemaName: String) -> JSONObject {
        let params = parameters
        func list(_ key: String) -> [JSONValue] { params[key]?.arrayValue ?? [] }
        let pretty = params["pretty"] ?? .null
        let objectRef = ref(schemaName)
        let listRef = ref(schemaName + "List")
        let statusRef = ref(metaPrefix + "Status")
        let scope = type.namespaced ? "Namespaced" : ""
        let kind = type.kind
        func operation(
            _ verb: String, _ action: String, _ description: String, parameters: [JSONValue],
            body: JSONValue? = nil, responses: JSONObject, suffix: String = ""
        ) -> JSONValue {
            var op: JSONObject = [
                "tags": [.string(tag)], "description": .string(description),
                "operationId": .string("\(verb)\(operationGroup)\(scope)\(kind)\(suffix)"),
            ]
            if !parameters.isEmpty { op["parameters"] = .array(parameters) }
            if let body { op["requestBody"] = body }
            op["responses"] = .object(responses)
            op["x-kubernetes-action"] = .string(action)
            op["x-kubernetes-group-version-kind"] = gvk(type)
            return .object(op)
        }
        func ok(_ schema: JSONValue) -> JSONObject { ["200": ["description": "OK", "content": content(schema)]] }
        let writeResponses: JSONObject = [
            "200": ["description": "OK", "content": content(objectRef)],
            "201": ["description": "Created", "content": content(objectRef)],
        ]
        let patchBody: JSONValue = [
            "content": [
                "application/apply-patch+yaml": ["schema": ref(metaPrefix + "Patch")],
                "application/json-patch+json": ["schema": ref(metaPrefix + "Patch")],
                "application/merge-patch+json": ["schema": ref(metaPrefix + "Patch")],
            ],
            "required": true,
        ]
        let objectBody: JSONValue = ["content": content(objectRef), "required": true]
        let deleteBody: JSONValue = ["content": ["*/*": ["schema": ref(metaPrefix + "DeleteOptions")]]]
        let namespaceParam: JSONValue = [
            "name": "namespace", "in": "path",
            "description": "object name and auth scope, such as for teams and projects",
            "required": true, "schema": ["type": "string", "uniqueItems": true],
        ]
        let nameParam: JSONValue = [
            "name": "name", "in": "path", "description": .string("name of the \(kind)"), "required": true,
            "schema": ["type": "string", "uniqueItems": true],
        ]
        let prefix = type.group.isEmpty ? "/api/v1" : "/apis/\(type.group)/\(type.version)"
        let collection =
            type.namespaced ? "\(prefix)/namespaces/{namespace}/\(type.plural)" : "\(prefix)/\(type.plural)"
        var paths = JSONObject()
        if type.namespaced {
            paths["\(prefix)/\(type.plural)"] = [
                "get": operation(
                    "list", "list", "list or watch objects of kind \(kind)", parameters: list("list"),
                    responses: ok(listRef), suffix: "ForAllNamespaces"),
                "parameters": [pretty],
            ]
        }
        paths[collection] = [
            "get": operation(
                "list", "list", "list or watch objects of kind \(kind)", parameters: list("list"),
                responses: ok(listRef)),
            "post": operation(
                "create", "post", "create a \(kind)", parameters: list("post"), body: objectBody,
                responses: writeResponses.merging(["202": ["description": "Accepted", "content": content(objectRef)]])),
            "delete": operation(
                "delete", "deletecollection", "delete collection of \(kind)", parameters: list("deletecollection"),
                body: deleteBody, responses: ok(statusRef), suffix: ""
            ).renamingOperation(
                to: "delete\(operationGroup)Collection\(scope)\(kind)"),
            "parameters": .array(type.namespaced ? [namespaceParam, pretty] : [pretty]),
        ]
        var itemParameters: [JSONValue] = [nameParam]
        if type.namespaced { itemParameters.append(namespaceParam) }
        itemParameters.append(pretty)
        paths["\(collection)/{name}"] = [
            "get": operation("read", "get", "read the specified \(kind)", parameters: [], responses: ok(objectRef)),
            "put": operation(
                "replace", "put", "replace the specified \(kind)", parameters: list("put"), body: objectBody,
                responses: writeResponses),
            "delete": operation(
                "delete", "delete", "delete a \(kind)", parameters: list("delete"), body: deleteBody,
                responses: [
                    "200": ["description": "OK", "content": content(type.isCustom ? objectRef : statusRef)],
                    "202": ["description": "Accepted", "content": content(type.isCustom ? objectRef : statusRef)],
                ]),
            "patch": operation(
                "patch", "patch", "partially update the specified \(kind)", parameters: list("patch"), body: patchBody,
                responses: writeResponses),
            "parameters": .array(itemParameters),
        ]
        if type.hasStatus {
            paths["\(collection)/{name}/status"] = [
                "get": operation(
                    "read", "get", "read status of the specified \(kind)", parameters: [], responses: ok(objectRef),
                    suffix: "Status"),
                "put": operation(
                    "replace", "put", "replace status of the specified \(kind)", parameters: list("put"),
                    body: objectBody, responses: writeResponses, suffix: "Status"),
                "patch": operation(
                    "patch", "patch", "partially update status of the specified \(kind)", parameters: list("patch"),
                    body: patchBody, responses: writeResponses, suffix: "Status"),
                "parameters": .array(itemParameters),
            ]
        }
        return paths
    }

    static func listSchema(for type: ResourceType, schemaName: String) -> JSONValue {
        PublishedSchemas.listSchema(
            group: type.group, version: type.version, kind: type.kind, listKind: type.listKind, plural: type.plural,
            itemSchema: schemaName)
    }

    // MARK: gateway.networking.k8s.io/v1

    /// The CRD's v1 schema, as published: `metadata` refers to ObjectMeta and the GVK is attached.
    static func backendTLSPolicySchema() -> JSONValue {
        guard let crd = ServedCRDs.backendTLSPolicy?.crd,
            let schema = PublishedSchemas.crdSchema(crd, version: ResourceCatalog.backendTLSPolicies.version)
        else { return ["type": "object"] }
        return schema
    }

    /// HTTPRoute is served schemaless: its document only names the standard fields.
    static func httpRouteSchema() -> JSONValue {
        [
            "type": "object",
            "properties": [
                "apiVersion": ["type": "string"], "kind": ["type": "string"], "metadata": metadataProperty,
                "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
            ],
            "x-kubernetes-group-version-kind": [gvk(ResourceCatalog.httpRoutes)],
        ]
    }

    static func gatewayDocument() -> JSONValue {
        document(
            [
                (ResourceCatalog.backendTLSPolicies, backendTLSPolicySchema()),
                (ResourceCatalog.httpRoutes, httpRouteSchema()),
            ],
            schemaPrefix: PublishedSchemas.schemaPrefix(group: ResourceCatalog.gatewayGroup, version: "v1"),
            tag: "gatewayNetworking_v1", operationGroup: "GatewayNetworkingV1")
    }

    // MARK: core/v1

    // MARK: resourcemanager.miloapis.com/v1alpha1

    static func resourceManagerDocument() -> JSONValue {
        document(
            MiloResources.all.map { type in
                let schema = MiloResources.model(for: type).flatMap {
                    PublishedSchemas.crdSchema($0.crd, version: type.version)
                }
                return (type, schema ?? ["type": "object"])
            },
            schemaPrefix: PublishedSchemas.schemaPrefix(group: MiloResources.group, version: "v1alpha1"),
            tag: "resourcemanagerMiloapisCom_v1alpha1", operationGroup: "ResourcemanagerMiloapisComV1alpha1")
    }

    static func coreDocument(_ types: [ResourceType]) -> JSONValue {
        document(
            types.map { ($0, CoreSchemas.schema(for: $0)) }, schemaPrefix: "io.k8s.api.core.v1",
            tag: "core_v1", operationGroup: "CoreV1", supporting: CoreSchemas.supporting)
    }

    /// One group-version document: each type's schema, list schema and paths, then any
    /// supporting schemas and the meta/v1 ones.
    private static func document(
        _ types: [(ResourceType, JSONValue)], schemaPrefix: String, tag: String, operationGroup: String,
        supporting: JSONObject = [:]
    ) -> JSONValue {
        var allPaths = JSONObject()
        var schemas = JSONObject()
        for (type, schema) in types {
            let schemaName = "\(schemaPrefix).\(type.kind)"
            schemas[schemaName] = schema
            schemas[schemaName + "List"] = listSchema(for: type, schemaName: schemaName)
            for (k, v) in paths(for: type, tag: tag, operationGroup: operationGroup, schemaName: schemaName) {
                allPaths[k] = v
            }
        }
        for (key, value) in supporting { schemas[key] = value }
        for (key, value) in metaSchemas() { schemas[key] = value }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": "v1.32.4"],
            "paths": .object(allPaths),
            "components": ["schemas": .object(schemas)],
        ]
    }
}

extension JSONObject {
    func merging(_ other: JSONObject) -> JSONObject {
        var result = self
        for (k, v) in other { result[k] = v }
        return result
    }
}

extension JSONValue {
    fileprivate func renamingOperation(to operationID: String) -> JSONValue {
        var copy = self
        copy["operationId"] = .string(operationID)
        return copy
    }
}
