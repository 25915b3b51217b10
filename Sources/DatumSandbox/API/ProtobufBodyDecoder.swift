import DatumJSON

/// Decodes the Kubernetes protobuf bodies kubectl sends for built-in kinds it builds itself
/// (`kubectl create namespace`, `kubectl create configmap`), into the equivalent JSON object.
///
/// The envelope is `k8s\0` + `runtime.Unknown{typeMeta, raw}`; `raw` is the kind's message.
/// Only ConfigMap and Namespace are decoded (the generated objects those commands send);
/// other kinds answer 415 so the client reports it.
enum ProtobufBodyDecoder {
    private static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    static func decode(_ body: [UInt8], as type: ResourceType) throws(APIError) -> JSONObject {
        guard body.count >= 4, Array(body.prefix(4)) == magic else {
            throw APIError.unsupportedBodyEncoding
        }
        var envelope = Reader(Array(body.dropFirst(4)))
        var apiVersion = ""
        var kind = ""
        var raw: [UInt8] = []
        while let (field, value) = try envelope.next() {
            switch (field, value) {
            case (1, .bytes(let typeMeta)):
                var reader = Reader(typeMeta)
                while let (f, v) = try reader.next() {
                    if f == 1, case .bytes(let b) = v { apiVersion = String(decoding: b, as: UTF8.self) }
                    if f == 2, case .bytes(let b) = v { kind = String(decoding: b, as: UTF8.self) }
                }
            case (2, .bytes(let bytes)): raw = bytes
            default: break
            }
        }
        var object: JSONObject = ["apiVersion": .string(apiVersion.isEmpty ? type.apiVersion : apiVersion)]
        object["kind"] = .string(kind.isEmpty ? type.kind : kind)
        var reader = Reader(raw)
        switch type.plural {
        case "configmaps":
            var data = JSONObject()
            var binary = JSONObject()
            while let (field, value) = try reader.next() {
                switch (field, value) {
                case (1, .bytes(let b)): object["metadata"] = .object(try objectMeta(b))
                case (2, .bytes(let b)):
                    let (k, v) = try mapEntry(b)
                    data[k] = .string(String(decoding: v, as: UTF8.self))
                case (3, .bytes(let b)):
                    let (k, v) = try mapEntry(b)
                    binary[k] = .string(Base64.encode(v))
                case (4, .varint(let v)): object["immutable"] = .bool(v != 0)
                default: break
                }
            }
            if !data.isEmpty { object["data"] = .object(data) }
            if !binary.isEmpty { object["binaryData"] = .object(binary) }
        case "namespaces":
            while let (field, value) = try reader.next() {
                if field == 1, case .bytes(let b) = value { object["metadata"] = .object(try objectMeta(b)) }
            }
        default:
            throw APIError.unsupportedBodyEncoding
        }
        return object
    }

    /// The ObjectMeta fields a client may set on create.
    private static func objectMeta(_ bytes: [UInt8]) throws(APIError) -> JSONObject {
        var reader = Reader(bytes)
        var meta = JSONObject()
        var labels = JSONObject()
        var annotations = JSONObject()
        var finalizers: [JSONValue] = []
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let b)): meta["name"] = .string(String(decoding: b, as: UTF8.self))
            case (2, .bytes(let b)): meta["generateName"] = .string(String(decoding: b, as: UTF8.self))
            case (3, .bytes(let b)): meta["namespace"] = .string(String(decoding: b, as: UTF8.self))
            case (11, .bytes(let b)):
                let (k, v) = try mapEntry(b)
                labels[k] = .string(String(decoding: v, as: UTF8.self))
            case (12, .bytes(let b)):
                let (k, v) = try mapEntry(b)
                annotations[k] = .string(String(decoding: v, as: UTF8.self))
            case (14, .bytes(let b)): finalizers.append(.string(String(decoding: b, as: UTF8.self)))
            default: break
            }
        }
        if !labels.isEmpty { meta["labels"] = .object(labels) }
        if !annotations.isEmpty { meta["annotations"] = .object(annotations) }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        for key in ["name", "namespace", "generateName"] where meta[key] == .string("") { meta[key] = nil }
        return meta
    }

    private static func mapEntry(_ bytes: [UInt8]) throws(APIError) -> (String, [UInt8]) {
        var reader = Reader(bytes)
        var key = ""
        var value: [UInt8] = []
        while let (field, v) = try reader.next() {
            if field == 1, case .bytes(let b) = v { key = String(decoding: b, as: UTF8.self) }
            if field == 2, case .bytes(let b) = v { value = b }
        }
        return (key, value)
    }

    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed
    }

    /// A protobuf wire-format reader (varint, 64-bit, length-delimited and 32-bit fields).
    struct Reader {
        private let bytes: [UInt8]
        private var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        private mutating func varint() throws(APIError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                let b = bytes[index]
                index += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { break }
            }
            throw APIError.badRequest("invalid protobuf body: truncated varint")
        }

        mutating func next() throws(APIError) -> (Int, Value)? {
            guard index < bytes.count else { return nil }
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: return (field, .varint(try varint()))
            case 1:
                guard index + 8 <= bytes.count else { throw APIError.badRequest("invalid protobuf body: truncated field") }
                index += 8
                return (field, .fixed)
            case 2:
                let length = Int(try varint())
                guard length >= 0, index + length <= bytes.count else {
                    throw APIError.badRequest("invalid protobuf body: truncated field")
                }
                let slice = Array(bytes[index..<(index + length)])
                index += length
                return (field, .bytes(slice))
            case 5:
                guard index + 4 <= bytes.count else { throw APIError.badRequest("invalid protobuf body: truncated field") }
                index += 4
                return (field, .fixed)
            default:
                throw APIError.badRequest("invalid protobuf body: unsupported wire type \(key & 7)")
            }
        }
    }
}
