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
        case _ where MiloResources.model(for: type) != nil:
            return crdColumns(MiloResources.model(for: type)?.descriptor.storageVersion?.printerColumns ?? [])
        default:
            return [
                nameColumn,
                Column(
                    name: "Created At", type: "date", format: "", description: ageDescription, priority: 0, cell: age),
            ]
        }
    }

    /// A CRD's `additionalPrinterColumns` after the name, as the API server's CRD table converter
    /// builds them.
    static func crdColumns(_ printerColumns: [CRDDescriptor.PrinterColumn]) -> [Column] {
        [nameColumn]
            + printerColumns.map { column in
                let path = column.jsonPath
                let description =
                    column.description ?? "Custom resource definition column (in JSONPath format): \(path)"
                if column.type == "date" {
                    return Column(
                        name: column.name, type: "date", format: column.format ?? "", description: description,
                        priority: column.priority,
                        cell: { object, now in
                            guard let text = PrinterColumnPath.evaluate(path, in: object)?.stringValue else {
                                return .null
                            }
                            return .string(HumanDuration.age(sinceCreation: text, now: Double(now)))
                        })
                }
                return Column(
                    name: column.name, type: column.type, format: column.format ?? "", description: description,
                    priority: column.priority,
                    cell: { object, _ in
                        switch PrinterColumnPath.evaluate(path, in: object) {
                        case nil: return .null
                        case .some(let value):
                            switch value {
                            case .array, .object: return .string(GoJSONEncoder.compact.encode(value))
                            default: return value
                            }
                        }
                    })
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

/// The JSONPath subset CRD printer columns use: dotted fields (with `\\.` and `\\/` escapes) and
/// `[?(@.field=='value')]` filters, evaluated to the first match.
enum PrinterColumnPath {
    static func evaluate(_ path: String, in object: JSONObject) -> JSONValue? {
        var current: [JSONValue] = [.object(object)]
        for step in steps(path) {
            var next: [JSONValue] = []
            for value in current {
                guard let field = value[step.field] else { continue }
                if let (key, wanted) = step.filter {
                    for item in field.arrayValue ?? [] where item[key]?.stringValue == wanted { next.append(item) }
                } else {
                    next.append(field)
                }
            }
            current = next
        }
        return current.first
    }

    struct Step {
        var field: String
        var filter: (String, String)?
    }

    /// `.status.conditions[?(@.type=='Ready')].status` → status, conditions filtered on type, status.
    static func steps(_ path: String) -> [Step] {
        var steps: [Step] = []
        var field = ""
        var chars = Array(path)[...]
        func finish() {
            if !field.isEmpty { steps.append(Step(field: field)) }
            field = ""
        }
        while let c = chars.popFirst() {
            switch c {
            case "\\":
                if let escaped = chars.popFirst() { field.append(escaped) }
            case ".":
                finish()
            case "[":
                var inside = ""
                while let d = chars.popFirst(), d != "]" { inside.append(d) }
                // ?(@.type=='Ready')
                let body = inside.dropFirst(2).dropLast()
                let parts = body.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: true)
                if parts.count == 2 {
                    let key = String(parts[0].dropFirst(2))
                    let value = String(parts[1].filter { $0 != "'" && $0 != "\"" })
                    if field.isEmpty, let last = steps.popLast() { field = last.field }
                    steps.append(Step(field: field, filter: (key, value)))
                    field = ""
                }
            default:
                field.append(c)
            }
        }
        finish()
        return steps
    }
}
