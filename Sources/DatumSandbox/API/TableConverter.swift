import DatumJSON
import DatumKit

/// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with the
/// columns kube-apiserver uses for each kind: the CRD's printer columns for BackendTLSPolicy.
enum TableConverter {
    struct Column: Sendable {
        var name: String
        var type: String
        var format: String
        var description: String
        var priority: Int
        var cell: @Sendable (JSONObject, Int64) -> JSONValue
    }

    static let nameDescription =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    static let ageDescription =
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

    @Sendable private static func age(_ object: JSONObject, _ now: Int64) -> JSONValue {
        .string(
            HumanDuration.age(sinceCreation: object["metadata"]?["creationTimestamp"]?.stringValue, now: Double(now)))
    }

    private static let nameColumn = Column(
        name: "Name", type: "string", format: "name", description: nameDescription, priority: 0,
        cell: { object, _ in object["metadata"]?["name"] ?? "" })

    static func columns(for type: ResourceType) -> [Column] {
        switch type.plural {
        case "backendtlspolicies":
            return [
                nameColumn,
                Column(
                    name: "Age", type: "date", format: "",
                    description: "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp",
                    priority: 0, cell: age),
            ]
        case "httproutes":
            return [
                nameColumn,
                Column(
                    name: "Hostnames", type: "string", format: "",
                    description: "Custom resource definition column (in JSONPath format): .spec.hostnames", priority: 0,
                    cell: { object, _ in
                        // The CRD column is a JSONPath printed the way kubectl prints a JSON array.
                        guard let names = object["spec"]?["hostnames"] else { return .null }
                        return .string(GoJSONEncoder.compact.encode(names))
                    }),
                Column(
                    name: "Age", type: "date", format: "",
                    description: "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp",
                    priority: 0, cell: age),
            ]
        case "configmaps":
            return [
                nameColumn,
                Column(
                    name: "Data", type: "string", format: "", description: "Data contains the configuration data.",
                    priority: 0,
                    cell: { object, _ in
                        .int(
                            Int64(
                                (object["data"]?.objectValue?.count ?? 0)
                                    + (object["binaryData"]?.objectValue?.count ?? 0)))
                    }),
                Column(name: "Age", type: "string", format: "", description: ageDescription, priority: 0, cell: age),
            ]
        case "services":
            return [
                nameColumn,
                Column(
                    name: "Type", type: "string", format: "", description: "The type of the service.", priority: 0,
                    cell: { object, _ in object["spec"]?["type"] ?? "" }),
                Column(
                    name: "Cluster-IP", type: "string", format: "", description: "The IP address of the service.",
                    priority: 0, cell: { object, _ in object["spec"]?["clusterIP"] ?? "<none>" }),
                Column(
                    name: "External-IP", type: "string", format: "",
                    description: "The external IP address of the service.",
                    priority: 0, cell: { object, _ in externalIP(object) }),
                Column(
                    name: "Port(s)", type: "string", format: "", description: "The ports of the service.", priority: 0,
                    cell: { object, _ in .string(ports(object)) }),
                Column(name: "Age", type: "string", format: "", description: ageDescription, priority: 0, cell: age),
                Column(
                    name: "Selector", type: "string", format: "", description: "The selector of the service.",
                    priority: 1, cell: { object, _ in .string(selector(object)) }),
            ]
        case "namespaces":
            return [
                nameColumn,
                Column(
                    name: "Status", type: "string", format: "", description: "The status of the namespace", priority: 0,
                    cell: { object, _ in object["status"]?["phase"] ?? "" }),
                Column(name: "Age", type: "string", format: "", description: ageDescription, priority: 0, cell: age),
            ]
        default:
            return [
                nameColumn,
                Column(
                    name: "Created At", type: "date", format: "", description: ageDescription, priority: 0, cell: age),
            ]
        }
    }

    private static func externalIP(_ object: JSONObject) -> JSONValue {
        if let ips = object["spec"]?["externalIPs"]?.arrayValue, !ips.isEmpty {
            return .string(ips.compactMap(\.stringValue).joined(separator: ","))
        }
        if object["spec"]?["type"]?.stringValue == "LoadBalancer" { return "<pending>" }
        if object["spec"]?["type"]?.stringValue == "ExternalName" {
            return object["spec"]?["externalName"] ?? "<none>"
        }
        return "<none>"
    }

    private static func ports(_ object: JSONObject) -> String {
        let ports = object["spec"]?["ports"]?.arrayValue ?? []
        if ports.isEmpty { return "<none>" }
        return ports.map { port in
            let number = port["port"]?.intValue.map(String.init) ?? ""
            let proto = port["protocol"]?.stringValue ?? "TCP"
            if let node = port["nodePort"]?.intValue { return "\(number):\(node)/\(proto)" }
            return "\(number)/\(proto)"
        }.joined(separator: ",")
    }

    private static func selector(_ object: JSONObject) -> String {
        guard let selector = object["spec"]?["selector"]?.objectValue, !selector.isEmpty else { return "<none>" }
        return selector.sortedKeys.map { "\($0)=\(selector[$0]?.stringValue ?? "")" }.joined(separator: ",")
    }

    /// A `meta.k8s.io/v1` Table of `objects`.
    static func table(
        for type: ResourceType, objects: [JSONObject], resourceVersion: Int64?, continueToken: String?,
        remaining: Int, includeObject: String?
    ) -> JSONValue {
        let now = KubeTime.now()
        let columns = columns(for: type)
        var metadata = JSONObject()
        if let resourceVersion { metadata["resourceVersion"] = .string(String(resourceVersion)) }
        if let continueToken {
            metadata["continue"] = .string(continueToken)
            metadata["remainingItemCount"] = .int(Int64(remaining))
        }
        var table: JSONObject = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata)]
        table["columnDefinitions"] = .array(
            columns.map { c in
                [
                    "name": .string(c.name), "type": .string(c.type), "format": .string(c.format),
                    "description": .string(c.description), "priority": .int(Int64(c.priority)),
                ]
            })
        table["rows"] = .array(
            objects.map { object in
                var row: JSONObject = ["cells": .array(columns.map { $0.cell(object, now) })]
                switch includeObject {
                case "None": break
                case "Object": row["object"] = .object(object)
                default:
                    let meta = object["metadata"]?.objectValue ?? [:]
                    row["object"] = [
                        "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": .object(meta),
                    ]
                }
                return .object(row)
            })
        return .object(table)
    }
}

/// Encodes watch events as newline-separated JSON (`{"type":"ADDED","object":{...}}`).
enum WatchEncoding {
    static func line(_ event: WatchEvent, type: ResourceType, table: Bool, includeObject: String?) -> [UInt8] {
        var out: [UInt8] = Array("{\"type\":\"\(event.kind.rawValue)\",\"object\":".utf8)
        if table {
            out.append(
                contentsOf: GoJSONEncoder(sortKeys: false).encodeBytes(
                    TableConverter.table(
                        for: type, objects: [event.object.object], resourceVersion: event.object.resourceVersion,
                        continueToken: nil, remaining: 0, includeObject: includeObject)))
        } else {
            out.append(contentsOf: event.object.bytes)
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }
}
