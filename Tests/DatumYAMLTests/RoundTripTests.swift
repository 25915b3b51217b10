import DatumJSON
import DatumYAML
import Testing

@Suite struct RoundTripTests {
    static let documents: [String] = [
        "a: 1\nb: [1, 2.5, -3, 1e21, 0.000001]\nc: {d: null, e: true, f: ''}\n",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata:\n  name: p\n  annotations:\n    note: |\n      line one\n      line two\nspec:\n  targetRefs:\n  - group: \"\"\n    kind: Service\n    name: web\n  validation:\n    hostname: web.example.com\n    wellKnownCACertificates: System\n",
        "deep: [[[[{a: [[]]}]]]]\nempty: {}\nlist: []\n",
        "keys: {\"yes\": 1, \"1\": 2, \"a: b\": 3, \"\": 4, \"multi\\nline\": 5, \"#x\": 6}\n",
    ]

    @Test(arguments: documents)
    func documentSurvivesEmitAndReparse(_ text: String) throws {
        let original = try #require(try readJSON(text).first ?? nil)
        let emitted = YAMLEmitter.kubectl(original)
        let reparsed = try #require(try readJSON(emitted).first ?? nil)
        #expect(reparsed == original, "emitted:\n\(emitted)")
        #expect(YAMLEmitter.kubectl(reparsed) == emitted)
        let ordered = YAMLEmitter.preservingOrder(original)
        #expect(try readJSON(ordered).first ?? nil == original)
    }

    @Test func everyGoldenStringSurvives() throws {
        var object = JSONObject()
        // kubectl itself changes two of them: NEL folds to a space on the JSON round trip,
        // and a plain `<<` key reads back as a merge key.
        let lossy: Set<String> = ["nel", "merge"]
        let values = configMapValues.filter { !lossy.contains($0.name) }
        for (i, entry) in values.enumerated() { object["v\(i)"] = .string(entry.value) }
        // Keys take the same quoting decisions as values.
        for (i, entry) in values.enumerated() where !entry.value.isEmpty { object[entry.value] = .int(Int64(i)) }
        let value = JSONValue.object(object)
        let emitted = YAMLEmitter.kubectl(value)
        let reparsed = try #require(try readJSON(emitted).first ?? nil)
        #expect(reparsed == value)
    }

    @Test func kubectlLossesAreReproduced() {
        #expect(YAMLEmitter.kubectl(["a\u{85}b": "x \u{85} y\u{85}\u{85}z"]) == "a b: |-\n  x y\n  z\n")
        #expect(YAMLEmitter.kubectl(["<<": "<<"]) == "<<: <<\n")
    }

    /// These keys compare in a cycle; kubectl printed each of these orders over 12 runs.
    @Test func cyclicKeysGetAnOrderKubectlAlsoPrints() {
        let kubectlOrders: Set<[String]> = [
            ["x1", "x01y3", "x10", "x1y2", "x1y10", "z"], ["x1", "x10", "x1y2", "x1y10", "x01y3", "z"],
            ["x1", "x1y2", "x01y3", "x10", "x1y10", "z"], ["x1", "x1y2", "x1y10", "x01y3", "x10", "z"],
        ]
        var object = JSONObject()
        for key in ["x1", "x10", "x1y2", "x1y10", "x01y3", "z"] { object[key] = 1 }
        let lines = YAMLEmitter.kubectl(.object(object)).split(separator: "\n").map { String($0.prefix { $0 != ":" }) }
        #expect(kubectlOrders.contains(lines))
    }

    @Test func preservingOrderKeepsInsertionOrder() {
        var object = JSONObject()
        object["zeta"] = 1
        object["alpha"] = ["b": 1, "a": 2]
        object["10"] = "x"
        #expect(YAMLEmitter.preservingOrder(.object(object)) == "zeta: 1\nalpha:\n  b: 1\n  a: 2\n\"10\": x\n")
        #expect(YAMLEmitter.kubectl(.object(object)) == "\"10\": x\nalpha:\n  a: 2\n  b: 1\nzeta: 1\n")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var value: JSONValue
        var yaml: String
        var testDescription: String { yaml }
    }

    /// Roots and leaves kubectl never prints on their own, checked against go-yaml v2's rules.
    static let leaves: [Case] = [
        Case(value: nil, yaml: "null\n"), Case(value: true, yaml: "true\n"), Case(value: 42, yaml: "42\n"),
        Case(value: 1.5, yaml: "1.5\n"), Case(value: .double(2), yaml: "2\n"), Case(value: .double(-0.0), yaml: "0\n"),
        Case(value: .double(.infinity), yaml: ".inf\n"), Case(value: .double(-.infinity), yaml: "-.inf\n"),
        Case(value: .double(.nan), yaml: ".nan\n"), Case(value: .double(1e21), yaml: "1e+21\n"),
        Case(value: .double(1234567.5), yaml: "1.2345675e+06\n"), Case(value: .double(0.00001), yaml: "1e-05\n"),
        Case(value: .double(123456.5), yaml: "123456.5\n"), Case(value: "text", yaml: "text\n"),
        Case(value: "a\nb", yaml: "|-\n  a\n  b\n"), Case(value: "", yaml: "\"\"\n"), Case(value: [], yaml: "[]\n"),
        Case(value: [:], yaml: "{}\n"), Case(value: [[], [:]], yaml: "- []\n- {}\n"),
        Case(value: ["a": [[1, 2], ["b": "c"]]], yaml: "a:\n- - 1\n  - 2\n- b: c\n"),
        // Characters YAML forbids in a stream: kubectl cannot print them at all (its YAML reader
        // rejects the JSON text); go-yaml's emitter escapes them.
        Case(value: "a\u{7F}b", yaml: "\"a\\x7Fb\"\n"),
        Case(value: "a\u{90}b", yaml: "\"a\\x90b\"\n"), Case(value: "a\u{FFFE}", yaml: "\"a\\uFFFE\"\n"),
    ]

    @Test(arguments: leaves)
    func emitsLeaf(_ c: Case) {
        #expect(YAMLEmitter.kubectl(c.value) == c.yaml)
    }
}
