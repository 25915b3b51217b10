/// One step of a path into a JSON document.
public enum JSONPathComponent: Sendable, Hashable {
    case key(String)
    case index(Int)
}

extension Array where Element == JSONPathComponent {
    /// Kubernetes field-path rendering: `spec.targetRefs[0].name`.
    public var fieldPath: String {
        var out = ""
        for component in self {
            switch component {
            case .key(let k):
                if !out.isEmpty { out += "." }
                out += k
            case .index(let i):
                out += "[\(i)]"
            }
        }
        return out
    }
}

/// A value that could not be decoded into a model, with where it happened.
public struct JSONDecodingError: Error, Sendable, CustomStringConvertible {
    public var path: [JSONPathComponent]
    public var message: String

    public var description: String {
        path.isEmpty ? message : "\(path.fieldPath): \(message)"
    }
}

/// Decodes `Decodable` models from a ``JSONValue`` tree.
///
/// Errors name the Kubernetes field path (`spec.targetRefs[0].kind`) so callers
/// can map them back to a `file:line:column`.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONDecodingError) -> T {
        do {
            return try T(from: _ValueDecoder(value: value, path: []))
        } catch let error as JSONDecodingError {
            throw error
        } catch let error as DecodingError {
            throw JSONDecodingError(decodingError: error)
        } catch {
            throw JSONDecodingError(path: [], message: "\(error)")
        }
    }
}

extension JSONDecodingError {
    init(decodingError: DecodingError) {
        switch decodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            self.init(path: context.codingPath.jsonPath, message: context.debugDescription)
        case .keyNotFound(let key, let context):
            self.init(path: context.codingPath.jsonPath + [.key(key.stringValue)], message: "Required value")
        @unknown default:
            self.init(path: [], message: "\(decodingError)")
        }
    }
}

extension Array where Element == any CodingKey {
    var jsonPath: [JSONPathComponent] {
        map { key in
            if let index = key.intValue, key.stringValue.isEmpty || key.stringValue == "Index \(index)" {
                return .index(index)
            }
            return .key(key.stringValue)
        }
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct StringKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

private func typeError(_ expected: String, _ value: JSONValue, _ path: [JSONPathComponent]) -> JSONDecodingError {
    JSONDecodingError(path: path, message: "expected \(expected), got \(value.typeName)")
}

private struct _ValueDecoder: Decoder {
    let value: JSONValue
    let path: [JSONPathComponent]
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw typeError("object", value, path) }
        return KeyedDecodingContainer(_KeyedContainer<Key>(object: object, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw typeError("array", value, path) }
        return _UnkeyedContainer(items: items, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        _SingleValueContainer(value: value, path: path)
    }
}

private func decodeScalar<T: Decodable>(_ type: T.Type, from value: JSONValue, path: [JSONPathComponent]) throws -> T {
    if T.self == JSONValue.self, let v = value as? T { return v }
    switch type {
    case is String.Type:
        guard case .string(let s) = value, let r = s as? T else { throw typeError("string", value, path) }
        return r
    case is Bool.Type:
        guard case .bool(let b) = value, let r = b as? T else { throw typeError("boolean", value, path) }
        return r
    case is Int.Type:
        guard let i = value.intValue, let r = Int(exactly: i) as? T else { throw typeError("integer", value, path) }
        return r
    case is Int64.Type:
        guard let i = value.intValue, let r = i as? T else { throw typeError("integer", value, path) }
        return r
    case is Int32.Type:
        guard let i = value.intValue, let n = Int32(exactly: i), let r = n as? T else {
            throw typeError("32-bit integer", value, path)
        }
        return r
    case is Double.Type:
        guard let d = value.doubleValue, let r = d as? T else { throw typeError("number", value, path) }
        return r
    default:
        return try T(from: _ValueDecoder(value: value, path: path))
    }
}

private struct _KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let path: [JSONPathComponent]
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object.contains(key.stringValue) }

    func decodeNil(forKey key: Key) throws -> Bool {
        (object[key.stringValue] ?? .null).isNull
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let childPath = path + [.key(key.stringValue)]
        guard let child = object[key.stringValue] else {
            throw JSONDecodingError(path: childPath, message: "Required value")
        }
        return try decodeScalar(type, from: child, path: childPath)
    }

    // Go treats an explicit `null` like an absent field for optional members.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let child = object[key.stringValue], !child.isNull || T.self == JSONValue.self else { return nil }
        return try decodeScalar(type, from: child, path: path + [.key(key.stringValue)])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try _ValueDecoder(value: object[key.stringValue] ?? .null, path: path + [.key(key.stringValue)])
            .container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try _ValueDecoder(value: object[key.stringValue] ?? .null, path: path + [.key(key.stringValue)])
            .unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { _ValueDecoder(value: .object(object), path: path) }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        _ValueDecoder(value: object[key.stringValue] ?? .null, path: path + [.key(key.stringValue)])
    }
}

private struct _UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let path: [JSONPathComponent]
    var currentIndex = 0
    var codingPath: [any CodingKey] { [] }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], path: [JSONPathComponent]) {
        self.items = items
        self.path = path
    }

    mutating func next() throws -> (JSONValue, [JSONPathComponent]) {
        guard currentIndex < items.count else {
            throw JSONDecodingError(path: path, message: "unexpected end of array")
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], path + [.index(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < items.count, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, childPath) = try next()
        return try decodeScalar(type, from: value, path: childPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, childPath) = try next()
        return try _ValueDecoder(value: value, path: childPath).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, childPath) = try next()
        return try _ValueDecoder(value: value, path: childPath).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, childPath) = try next()
        return _ValueDecoder(value: value, path: childPath)
    }
}

private struct _SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let path: [JSONPathComponent]
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { value.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeScalar(type, from: value, path: path) }
}

// MARK: - Encoding

/// Encodes `Encodable` models into a ``JSONValue`` tree, keeping declaration order.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) -> JSONValue {
        if let v = value as? JSONValue { return v }
        let root = _EncodingNode()
        do {
            try value.encode(to: _ValueEncoder(node: root))
        } catch {
            // Our containers never throw; a model's custom encode(to:) might, and then
            // the partial value is the most useful thing to return.
        }
        return root.materialize()
    }
}

/// A mutable tree built while encoding; nested containers keep references to
/// their node, so writes through any container end up in the final value.
private final class _EncodingNode {
    enum Content {
        case value(JSONValue)
        case object([(String, _EncodingNode)])
        case array([_EncodingNode])
    }
    var content: Content = .value(.null)

    func materialize() -> JSONValue {
        switch content {
        case .value(let v): return v
        case .array(let nodes): return .array(nodes.map { $0.materialize() })
        case .object(let pairs):
            var object = JSONObject()
            for (k, n) in pairs { object[k] = n.materialize() }
            return .object(object)
        }
    }

    func child(forKey key: String) -> _EncodingNode {
        var pairs: [(String, _EncodingNode)] = []
        if case .object(let existing) = content { pairs = existing }
        if let found = pairs.first(where: { $0.0 == key }) { return found.1 }
        let node = _EncodingNode()
        pairs.append((key, node))
        content = .object(pairs)
        return node
    }

    func appendChild() -> _EncodingNode {
        var nodes: [_EncodingNode] = []
        if case .array(let existing) = content { nodes = existing }
        let node = _EncodingNode()
        nodes.append(node)
        content = .array(nodes)
        return node
    }
}

private struct _ValueEncoder: Encoder {
    let node: _EncodingNode
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(_KeyedEncoder<Key>(node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return _UnkeyedEncoder(node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        _SingleEncoder(node: node)
    }
}

private func encode<T: Encodable>(_ value: T, into node: _EncodingNode) throws {
    switch value {
    case let v as JSONValue: node.content = .value(v)
    case let s as String: node.content = .value(.string(s))
    case let b as Bool: node.content = .value(.bool(b))
    case let i as Int: node.content = .value(.int(Int64(i)))
    case let i as Int64: node.content = .value(.int(i))
    case let i as Int32: node.content = .value(.int(Int64(i)))
    case let d as Double: node.content = .value(.double(d))
    default: try value.encode(to: _ValueEncoder(node: node))
    }
}

private struct _KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: _EncodingNode
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try DatumJSON.encode(value, into: node.child(forKey: key.stringValue))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        _ValueEncoder(node: node.child(forKey: key.stringValue)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        _ValueEncoder(node: node.child(forKey: key.stringValue)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { _ValueEncoder(node: node.child(forKey: "super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        _ValueEncoder(node: node.child(forKey: key.stringValue))
    }
}

private struct _UnkeyedEncoder: UnkeyedEncodingContainer {
    let node: _EncodingNode
    var codingPath: [any CodingKey] { [] }
    var count: Int {
        if case .array(let a) = node.content { return a.count }
        return 0
    }

    mutating func encodeNil() throws { node.appendChild().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try DatumJSON.encode(value, into: node.appendChild()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        _ValueEncoder(node: node.appendChild()).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        _ValueEncoder(node: node.appendChild()).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { _ValueEncoder(node: node.appendChild()) }
}

private struct _SingleEncoder: SingleValueEncodingContainer {
    let node: _EncodingNode
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try DatumJSON.encode(value, into: node) }
}

// MARK: - JSONValue is Codable with any coder

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            let keyed = try decoder.container(keyedBy: StringKey.self)
            var object = JSONObject()
            for key in keyed.allKeys {
                object[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key)
            }
            self = .object(object)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for item in a { try c.encode(item) }
        case .object(let o):
            var c = encoder.container(keyedBy: StringKey.self)
            for (k, v) in o { try c.encode(v, forKey: StringKey(k)) }
        }
    }
}
