import DatumJSON
import DatumYAML
import Testing

@Suite struct DocumentTests {
    struct StreamCase: CustomTestStringConvertible, Sendable {
        var name: String
        var input: String
        var expected: [JSONValue?]
        var testDescription: String { name }
    }

    static let streams: [StreamCase] = [
        StreamCase(name: "empty file", input: "", expected: []),
        StreamCase(name: "comments only", input: "# just a comment\n# another\n", expected: []),
        StreamCase(name: "blank lines only", input: "\n\n  \n", expected: []),
        StreamCase(name: "document marker alone", input: "---\n", expected: [nil]),
        StreamCase(name: "two empty documents", input: "---\n---\n", expected: [nil, nil]),
        StreamCase(name: "marker with comment", input: "--- # nothing\n", expected: [nil]),
        StreamCase(name: "explicit null is not empty", input: "--- ~\n", expected: [.null]),
        StreamCase(name: "missing final newline", input: "a: 1", expected: [["a": 1]]),
        StreamCase(name: "BOM", input: "\u{FEFF}a: 1\n", expected: [["a": 1]]),
        StreamCase(name: "CRLF", input: "a: 1\r\nb:\r\n- x\r\n", expected: [["a": 1, "b": ["x"]]]),
        StreamCase(
            name: "multi-document with end markers", input: "a: 1\n...\n---\nb: 2\n---\n# only a comment\n",
            expected: [["a": 1], ["b": 2], nil]),
        StreamCase(
            name: "leading separator", input: "---\napiVersion: v1\n---\nkind: List\n",
            expected: [["apiVersion": "v1"], ["kind": "List"]]),
        StreamCase(name: "scalar document", input: "--- hello\n", expected: ["hello"]),
        StreamCase(name: "flow document", input: "{a: [1, 2], b: {c: d}}", expected: [["a": [1, 2], "b": ["c": "d"]]]),
        StreamCase(name: "JSON document", input: "{\"a\": [1, 2.5, true, null]}", expected: [["a": [1, 2.5, true, nil]]]),
        StreamCase(name: "non-ASCII", input: "名前: \"é…\"\nemoji: 😀\n", expected: [["名前": "é…", "emoji": "😀"]]),
        StreamCase(
            name: "block scalars", input: "lit: |\n  a\n   b\n\nfold: >\n  one\n  two\n\n  three\nkeep: |+\n  x\n\nstrip: |-\n  y\n",
            expected: [["lit": "a\n b\n", "fold": "one two\nthree\n", "keep": "x\n\n", "strip": "y"]]),
        StreamCase(
            name: "anchors and aliases", input: "base: &b {k: v, list: [1, 2]}\ncopy: *b\nitems: [&s hi, *s]\n",
            expected: [["base": ["k": "v", "list": [1, 2]], "copy": ["k": "v", "list": [1, 2]], "items": ["hi", "hi"]]]),
        StreamCase(
            name: "anchor redefined", input: "a: &x 1\nb: *x\nc: &x 2\nd: *x\n", expected: [["a": 1, "b": 1, "c": 2, "d": 2]]),
        StreamCase(
            name: "merge after explicit key overrides it (go-yaml v2)", input: "b: &b {a: \"1\", c: \"3\"}\nm:\n  a: explicit\n  <<: *b\n",
            expected: [["b": ["a": "1", "c": "3"], "m": ["a": "1", "c": "3"]]]),
        StreamCase(
            name: "explicit key after merge wins",
            input: "b: &b {a: \"1\", c: \"3\"}\nm:\n  <<: *b\n  a: explicit\n",
            expected: [["b": ["a": "1", "c": "3"], "m": ["a": "explicit", "c": "3"]]]),
        StreamCase(
            name: "merge of a sequence: earlier maps win",
            input: "m:\n  <<: [{a: x1, q: q1}, {a: x2, z: z2}]\n  c: explicit\n\"<<\": quoted\n",
            expected: [["m": ["a": "x1", "q": "q1", "z": "z2", "c": "explicit"], "<<": "quoted"]]),
        StreamCase(
            name: "nested merges", input: "a: &a {x: 1}\nb: &b {<<: *a, w: 2}\nc: {<<: *b, z: 3}\n",
            expected: [["a": ["x": 1], "b": ["x": 1, "w": 2], "c": ["x": 1, "w": 2, "z": 3]]]),
        StreamCase(
            name: "non-string keys", input: "1: a\n1.5: b\n0.1: c\ny: d\nno: e\n0x10: f\n1e3: g\n~x: h\n",
            expected: [["1": "a", "1.5": "b", "0.1": "c", "true": "d", "false": "e", "16": "f", "1000": "g", "~x": "h"]]),
        StreamCase(
            name: "tags", input: "s: !!str 123\ni: !!int \"42\"\nf: !!float 1\nb: !!bool yes\nnil: !!null ''\nbin: !!binary aGVsbG8=\nx: !custom 5\nt: !!timestamp 2001-12-14\ne: ! 12\n",
            expected: [["s": "123", "i": 42, "f": 1, "b": true, "nil": nil, "bin": "hello", "x": "5", "t": "2001-12-14", "e": "12"]]),
        StreamCase(
            name: "binary with invalid UTF-8", input: "b: !!binary /w==\n", expected: [["b": "\u{FFFD}"]]),
    ]

    @Test(arguments: streams)
    func readsStream(_ c: StreamCase) throws {
        #expect(try readJSON(c.input) == c.expected)
    }

    @Test func documentIndexesAndStarts() throws {
        let reader = YAMLDocumentReader(YAMLSource(name: "s.yaml", text: "a: 1\n---\n\n---\nb: 2\n"))
        let docs = try reader.readAll()
        #expect(docs.map(\.index) == [0, 1, 2])
        #expect(docs.map(\.start) == [YAMLMark(line: 1, column: 1), YAMLMark(line: 2, column: 1), YAMLMark(line: 4, column: 1)])
        #expect(docs[1].root == nil)
    }

    @Test func marksCountCharactersAndIgnoreTheBOM() throws {
        let text = "\u{FEFF}name: \"é…\"\r\nlist:\r\n  - 日本: x\r\n"
        let doc = try #require(try YAMLDocumentReader(YAMLSource(name: "m.yaml", text: text)).next())
        let root = try #require(doc.root)
        let name = try #require(root.node(atPath: [.key("name")]))
        #expect(name.start == YAMLMark(line: 1, column: 7))
        #expect(name.end == YAMLMark(line: 1, column: 11))
        guard case .scalar("é…", .doubleQuoted) = name.content else {
            Issue.record("unexpected content \(name.content)")
            return
        }
        let x = try #require(root.node(atPath: [.key("list"), .index(0), .key("日本")]))
        #expect(x.start == YAMLMark(line: 3, column: 9))
        let key = try #require(root.keyNode(atPath: [.key("list"), .index(0), .key("日本")]))
        #expect(key.start == YAMLMark(line: 3, column: 5))
    }

    @Test func pathsFollowMergesAndResolvedKeys() throws {
        let text = """
            base: &b
              port: 80
              host: a
            spec:
              <<: *b
              host: b
              1: one
              targetRefs:
              - name: web
                kind: Service
            """
        let root = try #require(try YAMLDocumentReader(YAMLSource(name: "p.yaml", text: text)).next()?.root)
        #expect(root.node(atPath: [.key("spec"), .key("port")])?.start == YAMLMark(line: 2, column: 9))
        #expect(root.node(atPath: [.key("spec"), .key("host")])?.start == YAMLMark(line: 6, column: 9))
        #expect(root.node(atPath: [.key("spec"), .key("1")])?.scalarText == "one")
        #expect(root.node(atPath: [.key("spec"), .key("targetRefs"), .index(0), .key("kind")])?.start == YAMLMark(line: 10, column: 11))
        #expect(root.keyNode(atPath: [.key("spec"), .key("targetRefs")])?.start == YAMLMark(line: 8, column: 3))
        #expect(root.node(atPath: [.key("spec"), .key("targetRefs"), .index(1)]) == nil)
        #expect(root.node(atPath: [.key("spec"), .index(0)]) == nil)
        #expect(root.node(atPath: [.key("missing")]) == nil)
        #expect(root.node(atPath: [])?.start == YAMLMark(line: 1, column: 1))
        #expect(YAMLPathComponent.parse("spec.targetRefs[0].name") == [.key("spec"), .key("targetRefs"), .index(0), .key("name")])
    }

    @Test func streamOfTenThousandDocumentsIsReadOneByOne() throws {
        var text = ""
        for i in 0..<10_000 {
            text += "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata:\n  name: p-\(i)\n"
            text += "spec:\n  targetRefs:\n  - {group: \"\", kind: Service, name: web-\(i)}\n---\n"
        }
        let reader = YAMLDocumentReader(YAMLSource(name: "big.yaml", text: text))
        var count = 0
        var last: JSONValue?
        while let doc = try reader.next() {
            #expect(doc.index == count)
            last = try doc.jsonValue()
            count += 1
        }
        // The trailing `---` opens one last, empty document.
        #expect(count == 10_001)
        #expect(last == nil)
    }
}
