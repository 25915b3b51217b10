import TestSupport
import Testing

@testable import DatumJSON

/// Mutated JSON through the parser: in a debug build every `UnsafeBufferPointer` subscript is
/// bounds-checked, so an index past the input would trap here. Pass = a value or a
/// `JSONParseError` whose position lies inside the input.
@Suite struct JSONParserFuzzTests {

    static let seeds: [String] = [
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"y"}},"data":{"k":"v\n\u00e9\ud83d\ude00"}}"#,
        #"[1,-0,1.5e-3,9223372036854775807,-9223372036854775808,18446744073709551616,1e308,true,false,null,"\"\\\/\b\f\n\r\t"]"#,
        #"{"a":[{"b":[[[]]]},{}],"c":{"d":{"e":"\ud800x\udc00"}}}"#,
    ]

    /// Bytes that steer the scanner into its edge cases.
    static let tokens: [[UInt8]] = [
        Array(#"\u"#.utf8), Array(#"\ud83d"#.utf8), Array("1e".utf8), Array("-".utf8), Array(".".utf8), [0x22], [0x5C],
        Array("tru".utf8), Array("nul".utf8), [0xFF], [0xC3], [0xF0, 0x9F], [0x00], Array("[".utf8), Array("{".utf8),
        Array("99999999999999999999999".utf8), Array("1e99999".utf8),
    ]

    @Test func mutatedDocumentsParseOrFailInsideTheInput() {
        var random = SplitMix64(seed: FuzzSettings.seed)
        var parsed = 0
        var failed = 0
        for round in 0..<FuzzSettings.cases(6000) {
            var bytes = Array(Self.seeds[round % Self.seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.removeLast(Int.random(in: 0...bytes.count, using: &random))
                case 2:
                    bytes.insert(
                        contentsOf: Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &random)], at: position)
                default:
                    bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &random)))
                }
            }
            do {
                _ = try JSONParser.parseReportingDuplicates(bytes)
                parsed += 1
            } catch {
                failed += 1
                #expect(error.offset >= 0 && error.offset <= bytes.count)
                #expect(error.line >= 1 && error.column >= 1)
            }
        }
        #expect(parsed > 0 && failed > 1000)
    }

    @Test func nestingBeyondTheLimitIsAnErrorNotAStackOverflow() {
        for text in [String(repeating: "[", count: 100_000), String(repeating: #"{"a":"#, count: 100_000)] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        }
    }
}
