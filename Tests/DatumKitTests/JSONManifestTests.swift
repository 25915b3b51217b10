import DatumJSON
import DatumYAML
import TestSupport
import Testing

@testable import DatumKit

/// JSON manifests are read as kubectl 1.32 reads them (see ``ManifestText``): sniffed by
/// content, parsed as a JSON stream by Go's rules, with `file:line:column` on every node.
///
/// Referees: the sniffing rule is apimachinery's `hasJSONPrefix` (k8s.io/apimachinery
/// pkg/util/yaml/decoder.go, kubectl 1.32), behind cli-runtime's `BOMOverride` input transform;
/// the syntax-error messages are Go's `encoding/json` (`*json.SyntaxError` text, and
/// `unexpected EOF` from `json.Decoder`), recorded from Go 1.19 for the same inputs
/// (see `Tests/DatumJSONTests/JSONStreamParserTests.swift`). kubectl prints them as
/// `error parsing x.json: json: offset N: <message>`; datumctl prints `x.json:L:C: error: <message>`.
@Suite struct JSONManifestTests {
    // MARK: - Sniffing

    @Test(
        arguments: [
            ("object", Array("{}".utf8), true),
            ("leading white space", Array(" \n\t\r{".utf8), true),
            ("top-level array is YAML to kubectl", Array("[{}]".utf8), false),
            ("YAML", Array("apiVersion: v1\n".utf8), false),
            ("YAML flow mapping after a comment", Array("# c\n{a: 1}".utf8), false),
            ("UTF-8 BOM", [0xEF, 0xBB, 0xBF] + Array("{}".utf8), true),
            ("UTF-16LE BOM", [0xFF, 0xFE, 0x20, 0x00, 0x7B, 0x00, 0x7D, 0x00], true),
            ("UTF-16BE BOM", [0xFE, 0xFF, 0x00, 0x7B, 0x00, 0x7D], true),
            ("U+0085 is Go white space", Array("\u{85}{}".utf8), true),
            ("U+00A0 is Go white space", Array("\u{A0}{}".utf8), true),
            ("U+3000 is Go white space", Array("\u{3000}{}".utf8), true),
            ("U+200B is not", Array("\u{200B}{}".utf8), false),
            ("invalid UTF-8 first", [0xFF] + Array("{}".utf8), false),
            ("brace at byte 4096", [UInt8](repeating: 0x20, count: 4095) + Array("{}".utf8), true),
            (
                "brace past the 4096 bytes kubectl peeks at", [UInt8](repeating: 0x20, count: 4096) + Array("{}".utf8),
                false
            ),
            ("empty", [], false),
        ] as [(String, [UInt8], Bool)])
    func sniffsLikeKubectl(_ name: String, _ bytes: [UInt8], _ isJSON: Bool) {
        #expect(ManifestText.isJSON(bytes) == isJSON, "\(name)")
    }

    @Test func decodesInputAsKubectlDoes() {
        #expect(ManifestText.kubectlDecoded([0xEF, 0xBB, 0xBF, 0x7B, 0x7D]) == Array("{}".utf8))
        #expect(
            ManifestText.kubectlDecoded([0xFF, 0xFE, 0x7B, 0x00, 0x3D, 0xD8, 0x00, 0xDE, 0x7D, 0x00])
                == Array("{😀}".utf8))
        #expect(ManifestText.kubectlDecoded([0xFE, 0xFF, 0x00, 0x7B, 0xD8, 0x00]) == Array("{\u{FFFD}".utf8))
        #expect(ManifestText.kubectlDecoded([0x7B, 0xC3, 0x7D]) == Array("{\u{FFFD}}".utf8))
    }

    // MARK: - Loading

    static func load(_ text: String, name: String = "m.json") -> [Result<Manifest, ManifestError>] {
        load(Array(text.utf8), name: name)
    }

    static func load(_ bytes: [UInt8], name: String = "m.json") -> [Result<Manifest, ManifestError>] {
        var results: [Result<Manifest, ManifestError>] = []
        ManifestLoader(conversion: SchemaGuidedConversion.default).load(YAMLSource(name: name, bytes: bytes)) {
            results.append($0)
            return true
        }
        return results
    }

    /// `name#document` for objects, `file:line:col: error: message` for errors.
    static func summary(_ results: [Result<Manifest, ManifestError>]) -> [String] {
        results.map {
            switch $0 {
            case .success(let m): return "\(m.object.name ?? "?")#\(m.documentIndex)"
            case .failure(let e): return (e.location.map { "\($0): " } ?? "") + "error: " + e.message
            }
        }
    }

    static func configMap(_ name: String, data: String = "{}") -> String {
        #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "\#(name)"}, "data": \#(data)}"#
    }

    @Test(
        arguments: [
            // Valid JSON.
            ("one object", configMap("a"), ["a#0"]),
            ("concatenated objects", configMap("a") + configMap("b") + "\n" + configMap("c"), ["a#0", "b#1", "c#2"]),
            ("top-level null skipped", configMap("a") + " null " + configMap("b"), ["a#0", "b#2"]),
            (
                "List", #"{"apiVersion": "v1", "kind": "List", "items": [\#(configMap("a")), \#(configMap("b"))]}"#,
                ["a#0", "b#0"]
            ),
            // Invalid JSON: Go's messages at the offending character.
            (
                "bareword", #"{"apiVersion": "v1", "kind": ConfigMap}"#,
                ["m.json:1:30: error: invalid character 'C' looking for beginning of value"]
            ),
            (
                "single quotes", "{'apiVersion': 'v1'}",
                [#"m.json:1:2: error: invalid character '\'' looking for beginning of object key string"#]
            ),
            (
                "trailing comma", "{\"kind\": \"List\",\n}",
                ["m.json:2:1: error: invalid character '}' looking for beginning of object key string"]
            ),
            (#"\x escape"#, #"{"kind": "\x41"}"#, ["m.json:1:12: error: invalid character 'x' in string escape code"]),
            ("raw tab", "{\"kind\": \"a\tb\"}", [#"m.json:1:12: error: invalid character '\t' in string literal"#]),
            (
                "raw control character", "{\"kind\": \"a\u{1B}b\"}",
                [#"m.json:1:12: error: invalid character '\x1b' in string literal"#]
            ),
            ("cut short", configMap("a") + "\n{\"kind\": ", ["a#0", "m.json:2:10: error: unexpected EOF"]),
            (
                "garbage after an object", configMap("a") + " ---",
                ["a#0", "m.json:1:83: error: invalid character '-' in numeric literal"]
            ),
            // Not objects, and object-level problems.
            (
                "a number after an object", configMap("a") + " 5",
                [
                    "a#0",
                    "m.json:1:82: error: JSON value 2 is not a Kubernetes object: expected an object, found a number",
                ]
            ),
            (
                "missing kind", #"{"apiVersion": "v1"}"#,
                [#"m.json:1:1: error: object is missing required field "kind""#]
            ),
            (
                "apiVersion not a string", #"{"apiVersion": 1, "kind": "ConfigMap"}"#,
                ["m.json:1:16: error: apiVersion must be a non-empty string"]
            ),
            (
                "List item not an object", #"{"apiVersion": "v1", "kind": "List", "items": ["x"]}"#,
                ["m.json:1:48: error: expected a Kubernetes object (a JSON object), found a string"]
            ),
            (
                "duplicate key",
                "{\"apiVersion\": \"v1\",\n \"apiVersion\": \"v2\", \"kind\": \"ConfigMap\"}\n" + configMap("after"),
                [#"m.json:2:2: error: duplicate key "apiVersion"; first defined at 1:2"#, "after#1"]
            ),
            (
                "number out of range", #"{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": 1e400}}"#,
                ["m.json:1:57: error: json: cannot unmarshal number 1e400 into Go value of type float64"]
            ),
        ] as [(String, String, [String])])
    func loadsJSONStreams(_ name: String, _ text: String, _ expected: [String]) {
        #expect(Self.summary(Self.load(text)) == expected, "\(name)")
    }

    @Test func aFileStartingWithABracketIsYAMLAsForKubectl() {
        #expect(
            Self.summary(Self.load("[" + Self.configMap("a") + "]")) == [
                "m.json:1:1: error: document 1 is not a Kubernetes object: expected a mapping, found a sequence"
            ])
    }

    @Test func tooDeepDocumentIsSkipped() {
        let deep =
            #"{"apiVersion": "v1", "kind": "ConfigMap", "data": "# + String(repeating: "[", count: 1_001)
            + String(repeating: "]", count: 1_001) + "}"
        #expect(
            Self.summary(Self.load(deep + Self.configMap("b"))) == [
                "m.json:1:1050: error: document nesting exceeds the limit of 1000 levels", "b#1",
            ])
    }

    // MARK: - Values

    static func data(_ results: [Result<Manifest, ManifestError>]) -> JSONValue? {
        guard case .success(let manifest)? = results.first else { return nil }
        return manifest.object.value["data"]
    }

    @Test func stringsAreExactlyWhatJSONSays() {
        let results = Self.load(
            Self.configMap(
                "a",
                data: #"{"emoji": "\ud83d\ude00", "nel": "a\#u{85}b", "lone": "\udc00", "yes": "yes", "octal": "0123"}"#
            ))
        #expect(
            Self.data(results)
                == .object([
                    "emoji": "😀", "nel": .string("a\u{85}b"), "lone": "\u{FFFD}", "yes": "yes", "octal": "0123",
                ]))
    }

    /// Numbers as the API server receives them from kubectl (Go decodes, then re-encodes them).
    @Test func numbersAreWhatKubectlSends() {
        let results = Self.load(
            Self.configMap(
                "a",
                data:
                    #"{"i": 7, "big": 12345678901234567890, "neg": -12345678901234567890, "exp": 1e5, "one": 1.0, "zero": -0, "f": 0.5, "t": true, "n": null}"#
            ))
        #expect(
            Self.data(results)
                == .object([
                    "i": .int(7), "big": .double(12_345_678_901_234_567_168),
                    "neg": .double(-12_345_678_901_234_567_168),
                    "exp": .int(100_000), "one": .int(1), "zero": .int(0), "f": .double(0.5), "t": .bool(true),
                    "n": .null,
                ]))
    }

    @Test func invalidUTF8AndBOMAsKubectlReadsThem() {
        let bytes: [UInt8] =
            [0xEF, 0xBB, 0xBF] + Array(#"{"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "x"#.utf8)
            + [0xFF] + Array(#"y"}}"#.utf8)
        #expect(Self.data(Self.load(bytes)) == .object(["k": "x\u{FFFD}y"]))
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in Self.configMap("wide").utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(Self.summary(Self.load(utf16)) == ["wide#0"])
    }

    @Test func errorsShowTheJSONLine() throws {
        let results = Self.load("{\"a\": \"x\u{85}y\",\n  \"b\": yes}")
        guard case .failure(let error)? = results.first else {
            Issue.record("no error")
            return
        }
        // U+0085 is no line break in JSON: the error is on line 2, whose text is shown.
        #expect(
            error.description
                == "m.json:2:8: error: invalid character 'y' looking for beginning of value\n  \"b\": yes}\n       ^")
    }

    // MARK: - Positions of validation errors

    static let policy = """
        {
          "apiVersion": "gateway.networking.k8s.io/v1",
          "kind": "BackendTLSPolicy",
          "metadata": {"name": "web", "labels": {"enabled": "yes"}},
          "spec": {
            "targetRefs": [{"group": "", "kind": "Service", "name": "web"}],
            "validation": {
              "wellKnownCACertificates": "System",
              "hostname": "Web_Host!",
              "extra": 1
            }
          }
        }

        """

    @Test func validationErrorsPointIntoTheJSONFile() throws {
        let results = Self.load(Self.policy, name: "policy.json")
        guard case .success(let manifest)? = results.first else {
            Issue.record("not loaded: \(results)")
            return
        }
        #expect(manifest.object.value["metadata"]?["labels"]?["enabled"] == .string("yes"))
        let validation = ManifestValidator().validate(manifest)
        let found = validation.errors.map { "\($0.location): \($0.field)" }
        #expect(found.contains("policy.json:9:19: spec.validation.hostname"), "\(validation.errors)")
        #expect(found.contains("policy.json:10:7: spec.validation.extra"), "\(validation.errors)")
        #expect(
            manifest.location(of: YAMLPathComponent.parse("spec.targetRefs[0].kind")).description == "policy.json:6:42")
        #expect(manifest.location(of: YAMLPathComponent.parse("spec.validation")).description == "policy.json:7:5")
    }

    // MARK: - Files, directories, stdin and chunks

    @Test func contentNotExtensionDecides() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.yaml", Self.configMap("json-in-yaml") + Self.configMap("second"))
        try dir.write("sub/b.json", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-in-json\n")
        let loader = ManifestLoader(
            recursive: true, currentDirectory: dir.path,
            readStandardInput: {
                Array(Self.configMap("from-stdin", data: #"{"e": "\ud83d\ude00"}"#).utf8)
            })
        #expect(
            Self.summary(loader.loadAll([".", "-"])) == [
                "json-in-yaml#0", "second#1", "yaml-in-json#0", "from-stdin#0",
            ])
    }

    @Test func concurrentLoadingReadsAJSONStreamFromItsFirstChunk() throws {
        let dir = try TemporaryDirectory()
        // A `---` line cannot occur in valid JSON, but may in invalid JSON.
        try dir.write("x.json", Self.configMap("a") + "\n---\n" + Self.configMap("b"))
        let loader = ManifestLoader(currentDirectory: dir.path)
        let input = try #require(try loader.inputs(for: ["x.json"]).first)
        let chunks = try loader.chunks(of: input).get()
        #expect(chunks.count == 1)
        var results: [Result<Manifest, ManifestError>] = []
        var documents = 0
        for chunk in chunks {
            let loaded = loader.load(chunk: chunk)
            documents += loaded.documents
            results += loaded.results
        }
        #expect(Self.summary(results) == ["a#0", "x.json:2:2: error: invalid character '-' in numeric literal"])
        #expect(documents == 2)
    }
}
