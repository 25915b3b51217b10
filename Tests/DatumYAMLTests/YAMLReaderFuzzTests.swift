import DatumJSON
import TestSupport
import Testing

@testable import DatumYAML

/// Mutated manifests through libyaml, the composer (anchors, merges, limits) and go-yaml's
/// scalar resolution (integers in every base, floats, timestamps, `!!binary`). Pass = documents
/// or a `YAMLError`, never a trap.
@Suite struct YAMLReaderFuzzTests {

    static let seed = """
        apiVersion: v1
        kind: ConfigMap
        metadata: &meta
          name: cm
          labels: {app: web, tier: "front"}
        data:
          int: 0x7FFFFFFFFFFFFFFF
          big: 18446744073709551616
          octal: 0o777
          binary: 0b1010
          under: 1_000_000
          neg: -9223372036854775808
          float: 1.5e308
          inf: .inf
          when: 2001-12-14t21:59:43.10-05:00
          blob: !!binary aGVsbG8=
          tagged: !!int "42"
          list: [1, 2, *meta]
          merged:
            <<: *meta
            extra: yes
        ---
        - a
        - {b: c}
        """

    static let tokens: [String] = [
        "&a ", "*a", "<<: ", "!!binary ", "!!int ", "!!float ", "0x", "0o", "0b", "_", "9999999999999999999999",
        "-", ".", "e", "{", "[", "\"", "'", "\\", "\n  ", ": ", "---\n", "\u{00}", "\u{FEFF}", "2001-02-29",
    ]

    @Test func mutatedManifestsReadOrFail() {
        var random = SplitMix64(seed: FuzzSettings.seed)
        var documents = 0
        var failures = 0
        for _ in 0..<FuzzSettings.cases(3000) {
            var bytes = Array(Self.seed.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.removeLast(Int.random(in: 0...bytes.count, using: &random))
                case 2:
                    let token = Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &random)]
                    bytes.insert(contentsOf: Array(token.utf8), at: position)
                default:
                    bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &random)))
                }
            }
            let reader = YAMLDocumentReader(YAMLSource(name: "fuzz.yaml", bytes: bytes))
            do {
                while let document = try reader.next() {
                    _ = try document.jsonValue()
                    documents += 1
                }
            } catch {
                failures += 1
                if let mark = error.mark { #expect(mark.line >= 1 && mark.column >= 1) }
            }
        }
        #expect(documents > 100 && failures > 100)
    }
}
