import DatumJSON

/// An object as the server sent it, kept as bytes and parsed only when it must be.
struct ServerObject: Sendable, Equatable {
    var bytes: ArraySlice<UInt8>
    /// For list items, which in core lists carry no apiVersion and kind: the list's.
    var fallbackAPIVersion: String?
    var fallbackKind: String?

    init(bytes: ArraySlice<UInt8>, fallbackAPIVersion: String? = nil, fallbackKind: String? = nil) {
        self.bytes = bytes
        self.fallbackAPIVersion = fallbackAPIVersion
        self.fallbackKind = fallbackKind
    }

    /// An already parsed object (tests, repeated objects).
    init(_ object: JSONValue) {
        bytes = GoJSONEncoder.compact.encodeBytes(object)[...]
    }

    var name: String? { JSONScan.string(at: ["metadata", "name"], in: bytes) }
    var resourceVersion: String? { JSONScan.string(at: ["metadata", "resourceVersion"], in: bytes) }

    /// The whole object, or nil if the bytes are not a JSON object.
    func parsed() -> JSONValue? {
        guard case .object(var object)? = try? JSONParser.parse(Array(bytes)) else { return nil }
        if object["apiVersion"] == nil, let fallbackAPIVersion { object["apiVersion"] = .string(fallbackAPIVersion) }
        if object["kind"] == nil, let fallbackKind { object["kind"] = .string(fallbackKind) }
        return .object(object)
    }
}
