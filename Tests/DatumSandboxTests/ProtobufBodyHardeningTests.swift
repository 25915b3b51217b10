import DatumJSON
import TestSupport
import Testing

@testable import DatumSandbox

/// A protobuf message under construction that remembers where its length prefixes are, also those
/// of embedded messages, so the fuzzer can point them past the end of the body.
struct ProtoMessage {
    var bytes: [UInt8] = []
    /// Offset and size of every length prefix (the varint after a length-delimited key).
    var lengthPrefixes: [(offset: Int, size: Int)] = []

    static func varint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
        return out
    }

    mutating func key(_ field: Int, wireType: UInt64) {
        bytes += Self.varint(UInt64(field) << 3 | wireType)
    }

    mutating func varintField(_ field: Int, _ value: UInt64) {
        key(field, wireType: 0)
        bytes += Self.varint(value)
    }

    mutating func bytesField(_ field: Int, _ payload: [UInt8]) {
        var child = ProtoMessage()
        child.bytes = payload
        message(field, child)
    }

    mutating func string(_ field: Int, _ text: String) { bytesField(field, Array(text.utf8)) }

    mutating func message(_ field: Int, _ child: ProtoMessage) {
        key(field, wireType: 2)
        let prefix = Self.varint(UInt64(child.bytes.count))
        lengthPrefixes.append((bytes.count, prefix.count))
        bytes += prefix
        let base = bytes.count
        bytes += child.bytes
        lengthPrefixes += child.lengthPrefixes.map { ($0.offset + base, $0.size) }
    }

    static func mapEntry(_ key: String, _ value: [UInt8]) -> ProtoMessage {
        var entry = ProtoMessage()
        entry.string(1, key)
        entry.bytesField(2, value)
        return entry
    }

    /// `k8s\0` + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}.
    static func envelope(kind: String, raw: ProtoMessage) -> ProtoMessage {
        var typeMeta = ProtoMessage()
        typeMeta.string(1, "v1")
        typeMeta.string(2, kind)
        var unknown = ProtoMessage()
        unknown.message(1, typeMeta)
        unknown.message(2, raw)
        unknown.string(3, "")
        unknown.string(4, "")
        var out = ProtoMessage()
        out.bytes = [0x6B, 0x38, 0x73, 0x00] + unknown.bytes
        out.lengthPrefixes = unknown.lengthPrefixes.map { ($0.offset + 4, $0.size) }
        return out
    }

    static func objectMeta(name: String) -> ProtoMessage {
        var meta = ProtoMessage()
        meta.string(1, name)
        meta.string(3, "default")
        meta.varintField(7, 3)
        meta.message(11, mapEntry("app", Array("web".utf8)))
        meta.message(11, mapEntry("tier", Array("front".utf8)))
        meta.message(12, mapEntry("note", Array("hello".utf8)))
        meta.string(14, "example.com/cleanup")
        return meta
    }

    static var configMap: ProtoMessage {
        var raw = ProtoMessage()
        raw.message(1, objectMeta(name: "cm"))
        raw.message(2, mapEntry("a", Array("1".utf8)))
        raw.message(2, mapEntry("config.yaml", Array("key: value\nother: [1, 2]\n".utf8)))
        raw.message(3, mapEntry("blob", [0x00, 0xFF, 0x10, 0x80]))
        raw.varintField(4, 1)
        return envelope(kind: "ConfigMap", raw: raw)
    }

    static var namespace: ProtoMessage {
        var raw = ProtoMessage()
        raw.message(1, objectMeta(name: "team"))
        raw.bytesField(2, [])
        raw.bytesField(3, [])
        return envelope(kind: "Namespace", raw: raw)
    }
}

/// The `k8s\0` prefix of every Kubernetes protobuf body.
let k8sPrefix: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

/// The body from issue 15: a length of 2^64 - 1 in the envelope's first field.
let issue15Body: [UInt8] = [0x6B, 0x38, 0x73, 0x00, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]

/// Malformed bodies and the detail after `invalid protobuf body: ` that each must produce.
/// A body: the prefix, then the parts.
func framed(_ parts: [UInt8]...) -> [UInt8] { k8sPrefix + parts.joined() }

let malformedProtobufBodies: [([UInt8], String)] = [
    // Lengths beyond the bytes left, at the largest values a varint holds.
    (framed([0x12, 0x05, 0x01]), "field 2 of runtime.Unknown at byte 4 declares 5 bytes, but only 1 remain"),
    (
        framed([0x12], ProtoMessage.varint(UInt64(Int.max) + 1)),
        "field 2 of runtime.Unknown at byte 4 declares 9223372036854775808 bytes, but only 0 remain"
    ),
    (
        framed([0x12], ProtoMessage.varint(UInt64(Int.max)), [0x00]),
        "field 2 of runtime.Unknown at byte 4 declares 9223372036854775807 bytes, but only 1 remain"
    ),
    // Varints: eleven bytes, a tenth byte carrying more than the 64th bit, truncation.
    (
        framed([0x0A], [UInt8](repeating: 0xFF, count: 10), [0x01]),
        "varint longer than 10 bytes in runtime.Unknown at byte 5"
    ),
    (
        framed([0x0A], [UInt8](repeating: 0xFF, count: 9), [0x02]),
        "varint overflows 64 bits in runtime.Unknown at byte 5"
    ),
    (
        framed([0x0A], [UInt8](repeating: 0x80, count: 9), [0x7F]),
        "varint overflows 64 bits in runtime.Unknown at byte 5"
    ),
    (framed([0xFF, 0xFF]), "truncated varint in runtime.Unknown at byte 4"),
    (framed([0x0A, 0x80]), "truncated varint in runtime.Unknown at byte 5"),
    // Field numbers 0 and above 2^29 - 1.
    (framed([0x02, 0x00]), "illegal field number 0 in runtime.Unknown at byte 4"),
    (
        framed(ProtoMessage.varint(UInt64(1 << 29) << 3 | 2), [0x00]),
        "illegal field number 536870912 in runtime.Unknown at byte 4"
    ),
    (
        framed([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        "illegal field number 2305843009213693951 in runtime.Unknown at byte 4"
    ),
    // Wire types: groups and the undefined 6 and 7, and known fields sent with another type.
    (framed([0x2B]), "unsupported wire type 3 for field 5 of runtime.Unknown at byte 4"),
    (framed([0x2C]), "unsupported wire type 4 for field 5 of runtime.Unknown at byte 4"),
    (framed([0x2E]), "unsupported wire type 6 for field 5 of runtime.Unknown at byte 4"),
    (framed([0x2F]), "unsupported wire type 7 for field 5 of runtime.Unknown at byte 4"),
    (
        framed([0x08, 0x01]),
        "field 1 of runtime.Unknown has wire type 0 (varint), expected 2 (length-delimited) at byte 4"
    ),
    (
        framed([0x12, 0x02, 0x0D, 0x00]),
        "field 1 of v1.ConfigMap has wire type 5 (32-bit), expected 2 (length-delimited) at byte 6"
    ),
    (
        framed([0x12, 0x02, 0x22, 0x00]),
        "field 4 of v1.ConfigMap has wire type 2 (length-delimited), expected 0 (varint) at byte 6"
    ),
    (
        framed([0x12, 0x04, 0x0A, 0x02, 0x38, 0x01 | 0x80]),
        "truncated varint in v1.ObjectMeta at byte 9"
    ),
    (
        framed([0x12, 0x04, 0x0A, 0x02, 0x3A, 0x00]),
        "field 7 of v1.ObjectMeta has wire type 2 (length-delimited), expected 0 (varint) at byte 8"
    ),
    (
        framed([0x12, 0x06, 0x12, 0x04, 0x08, 0x01, 0x10, 0x01]),
        "field 1 of map entry has wire type 0 (varint), expected 2 (length-delimited) at byte 8"
    ),
    (
        framed([0x0A, 0x02, 0x08, 0x00]),
        "field 1 of runtime.TypeMeta has wire type 0 (varint), expected 2 (length-delimited) at byte 6"
    ),
    // Unknown fields of fixed size that run past the end.
    (framed([0x29, 0x00, 0x00]), "field 5 of runtime.Unknown at byte 4 needs 8 bytes, but only 2 remain"),
    (framed([0x2D, 0x00]), "field 5 of runtime.Unknown at byte 4 needs 4 bytes, but only 1 remain"),
    // No prefix at all.
    ([0x6B, 0x38, 0x73], "the body does not start with the Kubernetes protobuf prefix \"k8s\\x00\""),
    (Array(#"{"kind":"ConfigMap"}"#.utf8), "the body does not start with the Kubernetes protobuf prefix \"k8s\\x00\""),
]

@Suite struct ProtobufBodyHardeningTests {
    /// Decodes and returns the error, or nil when the body decoded.
    func failure(_ body: [UInt8], as type: ResourceType = ResourceCatalog.configMaps) -> APIError? {
        do {
            _ = try ProtobufBodyDecoder.decode(body, as: type)
            return nil
        } catch {
            return error
        }
    }

    @Test func theIssue15BodyIsA400() throws {
        #expect(issue15Body.count == 15)
        let error = try #require(failure(issue15Body))
        #expect(error.code == 400)
        #expect(error.reason == "BadRequest")
        #expect(
            error.message
                == "invalid protobuf body: field 1 of runtime.Unknown at byte 4 declares 18446744073709551615 bytes, but only 0 remain"
        )
    }

    @Test func theIssue15BodyThroughTheAPIIsAStatus400() throws {
        let t = try TestAPI()
        let response = t.api.handle(
            SandboxRequest(
                method: "POST", target: TestAPI.base + "/api/v1/namespaces/default/configmaps",
                headers: [
                    "Authorization": "Bearer \(TestAPI.token)", "Content-Type": "application/vnd.kubernetes.protobuf",
                ],
                body: issue15Body))
        #expect(response.status == 400)
        let status = try JSONParser.parse(response.body)
        #expect(status["kind"] == "Status")
        #expect(status["reason"] == "BadRequest")
        #expect(status["code"] == 400)
        #expect(status["message"]?.stringValue?.hasPrefix("invalid protobuf body: ") == true)
    }

    @Test(arguments: malformedProtobufBodies)
    func malformedBodiesAre400(body: [UInt8], detail: String) throws {
        let error = try #require(failure(body))
        #expect(error.code == 400)
        #expect(error.reason == "BadRequest")
        let expected = "invalid protobuf body: " + detail
        #expect(error.message == expected)
    }

    @Test func unknownFieldsOfEveryValidWireTypeAreSkipped() throws {
        var raw = ProtoMessage()
        raw.varintField(99, UInt64.max)
        raw.key(98, wireType: 1)
        raw.bytes += [UInt8](repeating: 0xAA, count: 8)
        raw.key(97, wireType: 5)
        raw.bytes += [UInt8](repeating: 0xBB, count: 4)
        raw.bytesField(96, [0xFF, 0xFF, 0xFF])
        var meta = ProtoMessage()
        meta.string(1, "cm")
        raw.message(1, meta)
        let object = try ProtobufBodyDecoder.decode(
            ProtoMessage.envelope(kind: "ConfigMap", raw: raw).bytes, as: ResourceCatalog.configMaps)
        #expect(
            JSONValue.object(object).compactJSON == #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}"#)
    }

    @Test func theValidCorpusDecodes() throws {
        let configMap = try ProtobufBodyDecoder.decode(ProtoMessage.configMap.bytes, as: ResourceCatalog.configMaps)
        #expect(
            JSONValue.object(configMap).compactJSON
                == #"{"apiVersion":"v1","binaryData":{"blob":"AP8QgA=="},"data":{"a":"1","config.yaml":"key: value\nother: [1, 2]\n"},"immutable":true,"kind":"ConfigMap","metadata":{"annotations":{"note":"hello"},"finalizers":["example.com/cleanup"],"labels":{"app":"web","tier":"front"},"name":"cm","namespace":"default"}}"#
        )
        let namespace = try ProtobufBodyDecoder.decode(ProtoMessage.namespace.bytes, as: ResourceCatalog.namespaces)
        #expect(namespace["metadata"]?["name"] == "team")
    }

    @Test func otherKindsAre415WhateverTheBody() throws {
        let custom = try #require(ResourceCatalog.all.first { $0.isCustom })
        for body in [issue15Body, ProtoMessage.configMap.bytes, []] {
            let error = try #require(failure(body, as: custom))
            #expect(error == APIError.unsupportedBodyEncoding)
        }
    }

    // MARK: Fuzzing

    /// One mutation of `body`: byte flips, truncation, inserted huge varints, length prefixes
    /// pointing past the end, bad wire types, deleted or duplicated ranges.
    static func mutate(_ message: ProtoMessage, _ random: inout SplitMix64) -> [UInt8] {
        var body = message.bytes
        let rounds = Int.random(in: 1...3, using: &random)
        for round in 0..<rounds {
            let position = body.isEmpty ? 0 : Int.random(in: 0..<body.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0 where !body.isEmpty:
                body[position] = UInt8.random(in: 0...255, using: &random)
            case 1 where !body.isEmpty:
                body[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 2:
                body.removeLast(Int.random(in: 0...body.count, using: &random))
            case 3:
                let huge: [[UInt8]] = [
                    [UInt8](repeating: 0xFF, count: 9) + [0x01],
                    [UInt8](repeating: 0xFF, count: 11),
                    [UInt8](repeating: 0xFF, count: 9) + [0x7F],
                    ProtoMessage.varint(UInt64(Int.max)),
                    ProtoMessage.varint(UInt64(Int.max) + 1),
                    [0x0A] + [UInt8](repeating: 0xFF, count: 9) + [0x01],
                    [0x12] + ProtoMessage.varint(UInt64.random(in: 0...UInt64.max, using: &random)),
                ]
                body.insert(contentsOf: huge[Int.random(in: 0..<huge.count, using: &random)], at: position)
            case 4 where round == 0 && !message.lengthPrefixes.isEmpty:
                // Only in the first round, while the recorded offsets still hold.
                let prefix = message.lengthPrefixes[Int.random(in: 0..<message.lengthPrefixes.count, using: &random)]
                let remaining = UInt64(body.count - prefix.offset - prefix.size)
                let lengths: [UInt64] = [
                    remaining + 1, remaining + UInt64.random(in: 1...1_000_000, using: &random), UInt64(Int.max),
                    UInt64(Int.max) + 1, UInt64.max, UInt64.max - UInt64(prefix.offset),
                ]
                let length = lengths[Int.random(in: 0..<lengths.count, using: &random)]
                body.replaceSubrange(
                    prefix.offset..<(prefix.offset + prefix.size), with: ProtoMessage.varint(length))
            case 5:
                let field = UInt64.random(in: 1...20, using: &random)
                let wire: [UInt64] = [3, 4, 6, 7, 0, 1, 2, 5]
                body.insert(
                    contentsOf: ProtoMessage.varint(field << 3 | wire[Int.random(in: 0..<wire.count, using: &random)]),
                    at: position)
            case 6 where !body.isEmpty:
                let end = Int.random(in: position...body.count, using: &random)
                body.removeSubrange(position..<end)
            case 7 where !body.isEmpty:
                let end = Int.random(in: position...min(body.count, position + 16), using: &random)
                body.insert(contentsOf: body[position..<end], at: Int.random(in: 0...body.count, using: &random))
            default:
                body.append(UInt8.random(in: 0...255, using: &random))
            }
        }
        return body
    }

    static var fuzzCases: Int { FuzzSettings.cases(4000) }

    /// The corpus: the issue's body, then mutations of valid ConfigMap and Namespace envelopes.
    static func corpus() -> [(body: [UInt8], type: ResourceType)] {
        var random = SplitMix64(seed: FuzzSettings.seed)
        var cases: [(body: [UInt8], type: ResourceType)] = [(issue15Body, ResourceCatalog.configMaps)]
        let seeds: [(ProtoMessage, ResourceType)] = [
            (ProtoMessage.configMap, ResourceCatalog.configMaps), (ProtoMessage.namespace, ResourceCatalog.namespaces),
        ]
        for index in 0..<fuzzCases {
            let (message, type) = seeds[index % seeds.count]
            cases.append((mutate(message, &random), type))
        }
        return cases
    }

    @Test func fuzzedEnvelopesDecodeOrAre400() throws {
        var decoded = 0
        var rejected = 0
        for (body, type) in Self.corpus() {
            do {
                let object = try ProtobufBodyDecoder.decode(body, as: type)
                #expect(object["apiVersion"]?.stringValue != nil && object["kind"]?.stringValue != nil)
                decoded += 1
            } catch {
                rejected += 1
                #expect(error.code == 400, "\(body)")
                #expect(error.reason == "BadRequest")
                #expect(error.message.hasPrefix("invalid protobuf body: "), "\(error.message)")
            }
        }
        #expect(decoded + rejected == Self.fuzzCases + 1)
        // Both outcomes occur, so the corpus exercises the decoder beyond its first check.
        #expect(decoded > 100)
        #expect(rejected > 1000)
    }

    /// A slice of the corpus through the whole create path (dry run), which must answer a
    /// Status for anything the decoder lets through: never a 5xx, never a trap.
    @Test func fuzzedEnvelopesThroughTheAPIAnswer4xxOr201() throws {
        let t = try TestAPI()
        for (index, (body, type)) in Self.corpus().enumerated() where index % 4 == 0 {
            let path =
                type.plural == "namespaces" ? "/api/v1/namespaces" : "/api/v1/namespaces/default/configmaps"
            let response = t.api.handle(
                SandboxRequest(
                    method: "POST", target: TestAPI.base + path + "?dryRun=All",
                    headers: [
                        "Authorization": "Bearer \(TestAPI.token)",
                        "Content-Type": "application/vnd.kubernetes.protobuf",
                    ],
                    body: body))
            #expect(response.status == 201 || (400..<500).contains(response.status), "\(response.status) for \(body)")
        }
    }
}
