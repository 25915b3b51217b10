import DatumJSON

/// A group, version and kind, as parsed from `apiVersion` and `kind`.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// Parses `apiVersion` (`v1` or `group/version`) and `kind`.
    public init(apiVersion: String, kind: String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
        self.kind = kind
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { "\(apiVersion), Kind=\(kind)" }

    public static let backendTLSPolicy = GroupVersionKind(
        group: BackendTLSPolicy.group, version: BackendTLSPolicy.version, kind: BackendTLSPolicy.kind)
}

/// An untyped Kubernetes object: any kind, every field kept as written.
///
/// Kinds datumctl does not model (Service, ConfigMap, HTTPRoute, ...) travel as
/// this value and pass through to the server untouched.
public struct KubeObject: Sendable, Hashable {
    public var value: JSONValue

    public init(_ value: JSONValue) {
        self.value = value
    }

    public var apiVersion: String? { value["apiVersion"]?.stringValue }
    public var kind: String? { value["kind"]?.stringValue }

    public var gvk: GroupVersionKind? {
        guard let apiVersion, let kind else { return nil }
        return GroupVersionKind(apiVersion: apiVersion, kind: kind)
    }

    public var name: String? {
        get { value["metadata"]?["name"]?.stringValue }
        set { setMetadata("name", newValue.map(JSONValue.string)) }
    }

    public var namespace: String? {
        get { value["metadata"]?["namespace"]?.stringValue }
        set { setMetadata("namespace", newValue.map(JSONValue.string)) }
    }

    public var resourceVersion: String? { value["metadata"]?["resourceVersion"]?.stringValue }
    public var uid: String? { value["metadata"]?["uid"]?.stringValue }
    public var generation: Int64? { value["metadata"]?["generation"]?.intValue }
    public var creationTimestamp: String? { value["metadata"]?["creationTimestamp"]?.stringValue }

    public var labels: [String: String] { stringMap("labels") }
    public var annotations: [String: String] { stringMap("annotations") }

    private func stringMap(_ key: String) -> [String: String] {
        var out: [String: String] = [:]
        if let object = value["metadata"]?[key]?.objectValue {
            for (k, v) in object { if let s = v.stringValue { out[k] = s } }
        }
        return out
    }

    private mutating func setMetadata(_ key: String, _ newValue: JSONValue?) {
        var metadata = value["metadata"]?.objectValue ?? JSONObject()
        metadata[key] = newValue
        value["metadata"] = .object(metadata)
    }

    /// Decodes the typed model, e.g. `try object.decode(BackendTLSPolicy.self)`.
    public func decode<T: Decodable>(_ type: T.Type) throws(JSONDecodingError) -> T {
        try JSONValueDecoder().decode(type, from: value)
    }
}

extension KubeObject {
    /// Wraps a typed model.
    public init<T: Encodable>(encoding model: T) {
        self.init(JSONValueEncoder().encode(model))
    }
}
