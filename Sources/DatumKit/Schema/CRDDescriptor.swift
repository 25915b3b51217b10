import DatumJSON

/// The identity of a CustomResourceDefinition: names, scope, versions, printer columns and subresources.
public struct CRDDescriptor: Sendable, Hashable {
    /// Whether objects live in a namespace.
    public enum Scope: String, Sendable, Hashable {
        case namespaced = "Namespaced"
        case cluster = "Cluster"
    }

    /// `spec.names`, with the API server's defaults applied.
    public struct Names: Sendable, Hashable {
        public var plural: String
        public var singular: String
        public var shortNames: [String]
        public var kind: String
        public var listKind: String
        public var categories: [String]

        public init(
            plural: String, singular: String, shortNames: [String], kind: String, listKind: String,
            categories: [String]
        ) {
            self.plural = plural
            self.singular = singular
            self.shortNames = shortNames
            self.kind = kind
            self.listKind = listKind
            self.categories = categories
        }
    }

    /// One `additionalPrinterColumns` entry.
    public struct PrinterColumn: Sendable, Hashable {
        public var name: String
        public var type: String
        public var jsonPath: String
        public var format: String?
        public var description: String?
        public var priority: Int
    }

    /// `subresources.scale` paths.
    public struct Scale: Sendable, Hashable {
        public var specReplicasPath: String
        public var statusReplicasPath: String
        public var labelSelectorPath: String?
    }

    /// One entry of `spec.versions`.
    public struct Version: Sendable, Hashable {
        public var name: String
        public var served: Bool
        public var storage: Bool
        public var deprecated: Bool
        public var deprecationWarning: String?
        public var printerColumns: [PrinterColumn]
        public var hasStatusSubresource: Bool
        public var scale: Scale?
    }

    /// `metadata.name`, e.g. `backendtlspolicies.gateway.networking.k8s.io`.
    public var name: String
    public var group: String
    public var scope: Scope
    public var names: Names
    public var versions: [Version]
    public var labels: [String: String]
    public var annotations: [String: String]

    /// `Kind.group`, as API errors print it (`BackendTLSPolicy.gateway.networking.k8s.io`).
    public var groupKind: String { group.isEmpty ? names.kind : "\(names.kind).\(group)" }

    public var storageVersion: Version? { versions.first(where: \.storage) }
    public var servedVersions: [Version] { versions.filter(\.served) }

    public func version(_ name: String) -> Version? { versions.first { $0.name == name } }

    /// `group/version`, the `apiVersion` objects of that version carry.
    public func apiVersion(_ version: String) -> String { group.isEmpty ? version : "\(group)/\(version)" }

    public init(
        name: String, group: String, scope: Scope, names: Names, versions: [Version], labels: [String: String] = [:],
        annotations: [String: String] = [:]
    ) {
        self.name = name
        self.group = group
        self.scope = scope
        self.names = names
        self.versions = versions
        self.labels = labels
        self.annotations = annotations
    }

    /// Reads a CRD (`apiextensions.k8s.io/v1`) decoded from JSON or YAML.
    public init(crd: JSONValue) throws(SchemaError) {
        self = try CRDReader().descriptor(crd)
    }
}

/// Field-by-field reading of a CRD with path-qualified errors.
struct CRDReader {
    func fail(_ path: String, _ message: String) -> SchemaError { SchemaError(path: path, message: message) }

    func object(_ value: JSONValue?, _ path: String) throws(SchemaError) -> JSONObject {
        guard let value else { throw fail(path, "required field is missing") }
        guard case .object(let o) = value else { throw fail(path, "expected an object, got \(value.typeName)") }
        return o
    }

    func string(_ value: JSONValue?, _ path: String) throws(SchemaError) -> String {
        guard let value else { throw fail(path, "required field is missing") }
        guard case .string(let s) = value else { throw fail(path, "expected a string, got \(value.typeName)") }
        return s
    }

    func optionalString(_ value: JSONValue?, _ path: String) throws(SchemaError) -> String? {
        guard let value, !value.isNull else { return nil }
        return try string(value, path)
    }

    func bool(_ value: JSONValue?, _ path: String, default defaultValue: Bool) throws(SchemaError) -> Bool {
        guard let value, !value.isNull else { return defaultValue }
        guard case .bool(let b) = value else { throw fail(path, "expected a boolean, got \(value.typeName)") }
        return b
    }

    func strings(_ value: JSONValue?, _ path: String) throws(SchemaError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let items) = value else { throw fail(path, "expected an array, got \(value.typeName)") }
        var result: [String] = []
        for (i, item) in items.enumerated() { result.append(try string(item, "\(path)[\(i)]")) }
        return result
    }

    func stringMap(_ value: JSONValue?, _ path: String) throws(SchemaError) -> [String: String] {
        guard let value, !value.isNull else { return [:] }
        guard case .object(let o) = value else { throw fail(path, "expected an object, got \(value.typeName)") }
        var result: [String: String] = [:]
        for (key, v) in o { result[key] = try string(v, "\(path).\(key)") }
        return result
    }

    func versions(_ crd: JSONValue) throws(SchemaError) -> [(name: String, json: JSONObject, path: String)] {
        let spec = try object(crd["spec"], "spec")
        guard case .array(let items)? = spec["versions"] else {
            throw fail("spec.versions", "expected an array of versions")
        }
        var result: [(String, JSONObject, String)] = []
        for (i, item) in items.enumerated() {
            let path = "spec.versions[\(i)]"
            let version = try object(item, path)
            result.append((try string(version["name"], "\(path).name"), version, path))
        }
        return result
    }

    func descriptor(_ crd: JSONValue) throws(SchemaError) -> CRDDescriptor {
        let apiVersion = try optionalString(crd["apiVersion"], "apiVersion")
        let kind = try optionalString(crd["kind"], "kind")
        if let kind, kind != "CustomResourceDefinition" {
            throw fail("kind", "expected CustomResourceDefinition, got \(kind)")
        }
        if let apiVersion, apiVersion != "apiextensions.k8s.io/v1" {
            throw fail("apiVersion", "expected apiextensions.k8s.io/v1, got \(apiVersion)")
        }
        let metadata = try object(crd["metadata"], "metadata")
        let spec = try object(crd["spec"], "spec")
        let names = try object(spec["names"], "spec.names")
        let kindName = try string(names["kind"], "spec.names.kind")
        let plural = try string(names["plural"], "spec.names.plural")
        // The API server defaults singular to the lower-cased kind and listKind to kind + "List".
        let singular = try optionalString(names["singular"], "spec.names.singular").flatMap { $0.isEmpty ? nil : $0 }
        let listKind = try optionalString(names["listKind"], "spec.names.listKind").flatMap { $0.isEmpty ? nil : $0 }
        let scopeText = try string(spec["scope"], "spec.scope")
        guard let scope = CRDDescriptor.Scope(rawValue: scopeText) else {
            throw fail("spec.scope", "expected Namespaced or Cluster, got \(scopeText)")
        }
        var versionList: [CRDDescriptor.Version] = []
        for (name, json, path) in try versions(crd) {
            var columns: [CRDDescriptor.PrinterColumn] = []
            if case .array(let items)? = json["additionalPrinterColumns"] {
                for (i, item) in items.enumerated() {
                    let columnPath = "\(path).additionalPrinterColumns[\(i)]"
                    let column = try object(item, columnPath)
                    var priority = 0
                    if let p = column["priority"] {
                        guard let value = p.intValue else {
                            throw fail("\(columnPath).priority", "expected an integer")
                        }
                        priority = Int(value)
                    }
                    columns.append(
                        CRDDescriptor.PrinterColumn(
                            name: try string(column["name"], "\(columnPath).name"),
                            type: try string(column["type"], "\(columnPath).type"),
                            jsonPath: try string(column["jsonPath"], "\(columnPath).jsonPath"),
                            format: try optionalString(column["format"], "\(columnPath).format"),
                            description: try optionalString(column["description"], "\(columnPath).description"),
                            priority: priority))
                }
            }
            var hasStatus = false
            var scale: CRDDescriptor.Scale?
            if let subresourcesValue = json["subresources"], !subresourcesValue.isNull {
                let subresources = try object(subresourcesValue, "\(path).subresources")
                hasStatus = subresources["status"].map { !$0.isNull } ?? false
                if let scaleValue = subresources["scale"], !scaleValue.isNull {
                    let s = try object(scaleValue, "\(path).subresources.scale")
                    scale = CRDDescriptor.Scale(
                        specReplicasPath: try string(
                            s["specReplicasPath"], "\(path).subresources.scale.specReplicasPath"),
                        statusReplicasPath: try string(
                            s["statusReplicasPath"], "\(path).subresources.scale.statusReplicasPath"),
                        labelSelectorPath: try optionalString(
                            s["labelSelectorPath"], "\(path).subresources.scale.labelSelectorPath"))
                }
            }
            versionList.append(
                CRDDescriptor.Version(
                    name: name,
                    served: try bool(json["served"], "\(path).served", default: false),
                    storage: try bool(json["storage"], "\(path).storage", default: false),
                    deprecated: try bool(json["deprecated"], "\(path).deprecated", default: false),
                    deprecationWarning: try optionalString(json["deprecationWarning"], "\(path).deprecationWarning"),
                    printerColumns: columns,
                    hasStatusSubresource: hasStatus,
                    scale: scale))
        }
        return CRDDescriptor(
            name: try string(metadata["name"], "metadata.name"),
            group: try string(spec["group"], "spec.group"),
            scope: scope,
            names: CRDDescriptor.Names(
                plural: plural,
                singular: singular ?? kindName.lowercased(),
                shortNames: try strings(names["shortNames"], "spec.names.shortNames"),
                kind: kindName,
                listKind: listKind ?? kindName + "List",
                categories: try strings(names["categories"], "spec.names.categories")),
            versions: versionList,
            labels: try stringMap(metadata["labels"], "metadata.labels"),
            annotations: try stringMap(metadata["annotations"], "metadata.annotations"))
    }
}

/// Reads the per-version OpenAPI schemas of a CRD.
public enum CRDSchemas {
    /// `spec.versions[*].schema.openAPIV3Schema` keyed by version name.
    ///
    /// A version without a schema is an error: apiextensions.k8s.io/v1 requires one.
    public static func load(crd: JSONValue) throws(SchemaError) -> [String: OpenAPISchema] {
        let reader = CRDReader()
        var result: [String: OpenAPISchema] = [:]
        for (name, json, path) in try reader.versions(crd) {
            let schemaPath = "\(path).schema.openAPIV3Schema"
            let schemaObject = try reader.object(json["schema"], "\(path).schema")
            guard let root = schemaObject["openAPIV3Schema"] else {
                throw reader.fail(schemaPath, "required field is missing")
            }
            result[name] = try OpenAPISchema(json: root, path: schemaPath)
        }
        return result
    }
}
