import DatumJSON
import DatumYAML
import GoCompat

/// Decodes the Kubernetes protobuf bodies kubectl sends for built-in kinds it builds itself
/// (`kubectl create namespace`, `kubectl create configmap`), into the equivalent JSON object.
///
/// The envelope is `k8s\0` + `runtime.Unknown{typeMeta, raw}`; `raw` is the kind's message.
/// Only ConfigMap and Namespace are decoded (the generated objects those commands send);
/// other kinds answer 415 so the client reports it.
///
/// The body is hostile until proven otherwise: every malformed body is a 400 whose message starts
/// `invalid protobuf body:` and names the byte offset in the body. A declared length is compared
/// with the bytes that remain before it is used, varints are read as `UInt64` and at most ten
/// bytes long, so no input can index outside the body or overflow. Nesting is bounded by the
/// schemas below (envelope, object, ObjectMeta, map entry); unknown fields are skipped, never
/// descended into, and groups (wire types 3 and 4), which Kubernetes messages never use, are refused.
enum ProtobufBodyDecoder {
    private static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    static func decode(_ body: [UInt8], as type: ResourceType) throws(APIError) -> JSONObject {
        let schema: MessageSchema
        switch type.plural {
        case "configmaps": schema = .configMap
        case "namespaces": schema = .namespace
        default: throw APIError.unsupportedBodyEncoding
        }
        guard body.count >= magic.count, body.prefix(magic.count).elementsEqual(magic) else {
            throw invalid("the body does not start with the Kubernetes protobuf prefix \"k8s\\x00\"")
        }
        var apiVersion = ""
        var kind = ""
        var raw: ArraySlice<UInt8> = []
        var envelope = Reader(body[magic.count...], schema: .unknown)
        while let field = try envelope.next() {
            switch (field.number, field.value) {
            case (1, .bytes(let typeMeta)):
                var reader = Reader(typeMeta, schema: .typeMeta)
                while let inner = try reader.next() {
                    guard case .bytes(let bytes) = inner.value else { continue }
                    if inner.number == 1 { apiVersion = text(bytes) }
                    if inner.number == 2 { kind = text(bytes) }
                }
            case (2, .bytes(let bytes)): raw = bytes
            default: break
            }
        }
        var object: JSONObject = ["apiVersion": .string(apiVersion.isEmpty ? type.apiVersion : apiVersion)]
        object["kind"] = .string(kind.isEmpty ? type.kind : kind)
        var reader = Reader(raw, schema: schema)
        var metadata = ObjectMetaFields()
        var data = JSONObject()
        var binary = JSONObject()
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .bytes(let bytes)): try metadata.merge(bytes)
            case (2, .bytes(let bytes)) where schema == .configMap:
                let (key, value) = try mapEntry(bytes)
                data[key] = .string(text(value))
            case (3, .bytes(let bytes)) where schema == .configMap:
                let (key, value) = try mapEntry(bytes)
                binary[key] = .string(Base64.standard.encode(Array(value)))
            case (4, .varint(let flag)) where schema == .configMap: object["immutable"] = .bool(flag != 0)
            default: break
            }
        }
        if let meta = metadata.json { object["metadata"] = .object(meta) }
        if !data.isEmpty { object["data"] = .object(data) }
        if !binary.isEmpty { object["binaryData"] = .object(binary) }
        return object
    }

    static func invalid(_ detail: String) -> APIError {
        APIError.badRequest("invalid protobuf body: " + detail)
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The ObjectMeta fields a client may set on create. A message field that occurs twice is
    /// merged, as protobuf specifies, so every occurrence adds to the same fields.
    private struct ObjectMetaFields {
        var present = false
        var meta = JSONObject()
        var labels = JSONObject()
        var annotations = JSONObject()
        var finalizers: [JSONValue] = []

        mutating func merge(_ bytes: ArraySlice<UInt8>) throws(APIError) {
            present = true
            var reader = Reader(bytes, schema: .objectMeta)
            while let field = try reader.next() {
                guard case .bytes(let b) = field.value else { continue }
                switch field.number {
                case 1: meta["name"] = .string(text(b))
                case 2: meta["generateName"] = .string(text(b))
                case 3: meta["namespace"] = .string(text(b))
                case 11:
                    let (key, value) = try mapEntry(b)
                    labels[key] = .string(text(value))
                case 12:
                    let (key, value) = try mapEntry(b)
                    annotations[key] = .string(text(value))
                case 14: finalizers.append(.string(text(b)))
                default: break
                }
            }
        }

        var json: JSONObject? {
            guard present else { return nil }
            var result = meta
            if !labels.isEmpty { result["labels"] = .object(labels) }
            if !annotations.isEmpty { result["annotations"] = .object(annotations) }
            if !finalizers.isEmpty { result["finalizers"] = .array(finalizers) }
            for key in ["name", "namespace", "generateName"] where result[key] == .string("") { result[key] = nil }
            return result
        }
    }

    /// One `map<string, string>` or `map<string, bytes>` entry.
    private static func mapEntry(_ bytes: ArraySlice<UInt8>) throws(APIError) -> (String, ArraySlice<UInt8>) {
        var reader = Reader(bytes, schema: .mapEntry)
        var key = ""
        var value: ArraySlice<UInt8> = []
        while let field = try reader.next() {
            guard case .bytes(let b) = field.value else { continue }
            if field.number == 1 { key = text(b) }
            if field.number == 2 { value = b }
        }
        return (key, value)
    }

    // MARK: Wire format

    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5

        var name: String {
            switch self {
            case .varint: return "varint"
            case .fixed64: return "64-bit"
            case .lengthDelimited: return "length-delimited"
            case .startGroup: return "start group"
            case .endGroup: return "end group"
            case .fixed32: return "32-bit"
            }
        }
    }

    /// The wire type of every field a message defines, so a known field sent with another wire
    /// type is refused (as Go's generated `Unmarshal` does) instead of being silently dropped.
    struct MessageSchema: Equatable {
        var name: String
        var fields: [Int: WireType]

        static let unknown = MessageSchema(
            name: "runtime.Unknown",
            fields: [1: .lengthDelimited, 2: .lengthDelimited, 3: .lengthDelimited, 4: .lengthDelimited])
        static let typeMeta = MessageSchema(
            name: "runtime.TypeMeta", fields: [1: .lengthDelimited, 2: .lengthDelimited])
        static let configMap = MessageSchema(
            name: "v1.ConfigMap", fields: [1: .lengthDelimited, 2: .lengthDelimited, 3: .lengthDelimited, 4: .varint])
        static let namespace = MessageSchema(
            name: "v1.Namespace", fields: [1: .lengthDelimited, 2: .lengthDelimited, 3: .lengthDelimited])
        static let objectMeta = MessageSchema(
            name: "v1.ObjectMeta",
            fields: [
                1: .lengthDelimited, 2: .lengthDelimited, 3: .lengthDelimited, 4: .lengthDelimited,
                5: .lengthDelimited, 6: .lengthDelimited, 7: .varint, 8: .lengthDelimited, 9: .lengthDelimited,
                10: .varint, 11: .lengthDelimited, 12: .lengthDelimited, 13: .lengthDelimited,
                14: .lengthDelimited, 17: .lengthDelimited,
            ])
        static let mapEntry = MessageSchema(name: "map entry", fields: [1: .lengthDelimited, 2: .lengthDelimited])
    }

    enum Value: Equatable {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed
    }

    struct Field: Equatable {
        var number: Int
        var value: Value
    }

    /// The largest field number protobuf allows (2^29 - 1).
    static let maximumFieldNumber: UInt64 = (1 << 29) - 1

    /// A protobuf wire-format reader over part of the body. Indices are the body's own, so every
    /// error names the offset of the offending byte in the request body.
    struct Reader {
        private let bytes: ArraySlice<UInt8>
        private let schema: MessageSchema
        private var index: Int

        init(_ bytes: ArraySlice<UInt8>, schema: MessageSchema) {
            self.bytes = bytes
            self.schema = schema
            self.index = bytes.startIndex
        }

        /// The next field, or nil at the end of the message.
        mutating func next() throws(APIError) -> Field? {
            guard index < bytes.endIndex else { return nil }
            let start = index
            let key = try varint()
            let number = key >> 3
            guard number >= 1, number <= ProtobufBodyDecoder.maximumFieldNumber, let field = Int(exactly: number) else {
                throw invalid("illegal field number \(number) in \(schema.name) at byte \(start)")
            }
            guard let wireType = WireType(rawValue: key & 7), wireType != .startGroup, wireType != .endGroup else {
                throw invalid(
                    "unsupported wire type \(key & 7) for field \(field) of \(schema.name) at byte \(start)")
            }
            if let expected = schema.fields[field], expected != wireType {
                throw invalid(
                    "field \(field) of \(schema.name) has wire type \(wireType.rawValue) (\(wireType.name)), "
                        + "expected \(expected.rawValue) (\(expected.name)) at byte \(start)")
            }
            switch wireType {
            case .varint:
                return Field(number: field, value: .varint(try varint()))
            case .fixed64:
                try skip(8, field: field, start: start)
                return Field(number: field, value: .fixed)
            case .fixed32:
                try skip(4, field: field, start: start)
                return Field(number: field, value: .fixed)
            case .lengthDelimited:
                let length = try varint()
                let remaining = bytes.endIndex - index
                // Compared as UInt64 before any conversion: a length near 2^64 must not trap.
                guard length <= UInt64(remaining), let count = Int(exactly: length) else {
                    throw invalid(
                        "field \(field) of \(schema.name) at byte \(start) declares \(length) bytes, "
                            + "but only \(remaining) remain")
                }
                let end = index + count
                defer { index = end }
                return Field(number: field, value: .bytes(bytes[index..<end]))
            case .startGroup, .endGroup:
                throw invalid("unsupported wire type \(wireType.rawValue) for field \(field) at byte \(start)")
            }
        }

        private mutating func skip(_ count: Int, field: Int, start: Int) throws(APIError) {
            guard bytes.endIndex - index >= count else {
                throw invalid(
                    "field \(field) of \(schema.name) at byte \(start) needs \(count) bytes, "
                        + "but only \(bytes.endIndex - index) remain")
            }
            index += count
        }

        /// A base-128 varint of at most ten bytes; the tenth may only carry the 64th bit.
        private mutating func varint() throws(APIError) -> UInt64 {
            let start = index
            var result: UInt64 = 0
            for position in 0..<10 {
                guard index < bytes.endIndex else {
                    throw invalid("truncated varint in \(schema.name) at byte \(start)")
                }
                let byte = bytes[index]
                index += 1
                if position == 9 {
                    if byte & 0x80 != 0 {
                        throw invalid("varint longer than 10 bytes in \(schema.name) at byte \(start)")
                    }
                    if byte > 1 { throw invalid("varint overflows 64 bits in \(schema.name) at byte \(start)") }
                }
                result |= UInt64(byte & 0x7F) << UInt64(7 * position)
                if byte & 0x80 == 0 { return result }
            }
            // Not reached: the tenth byte either ends the varint or throws above.
            throw invalid("varint longer than 10 bytes in \(schema.name) at byte \(start)")
        }
    }
}
