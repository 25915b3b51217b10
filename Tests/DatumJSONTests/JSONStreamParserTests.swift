import GoCompat
import Testing

@testable import DatumJSON

/// JSONStreamParser against Go's `encoding/json` `Decoder`, the reader kubectl 1.32 uses for a
/// JSON manifest stream.
///
/// Referee: every expected message and offset below was recorded from Go 1.19's encoding/json
/// (`json.NewDecoder(r).Decode(&raw)` in a loop, then `json.Unmarshal` of each value), by a
/// throwaway program that was not committed. Go's `SyntaxError.Offset` counts the bytes read
/// including the offending one, so it is our 0-based offset plus one.
@Suite struct JSONStreamParserTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var input: [UInt8]
        var values: [JSONValue]
        var error: (message: String, goOffset: Int?)?
        var description: String { name }

        init(_ name: String, _ input: String, _ values: [JSONValue] = [], error: (String, Int?)? = nil) {
            self.init(name, Array(input.utf8), values, error: error)
        }

        init(_ name: String, _ input: [UInt8], _ values: [JSONValue] = [], error: (String, Int?)? = nil) {
            self.name = name
            self.input = input
            self.values = values
            self.error = error.map { (message: $0.0, goOffset: $0.1) }
        }
    }

    static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        var object = JSONObject()
        for (key, value) in pairs { object[key] = value }
        return .object(object)
    }

    static let cases: [Case] = [
        // Valid JSON that libyaml rejected or changed.
        Case("surrogate pair", #"{"a": "\ud83d\ude00"}"#, [object(["a": .string("😀")])]),
        Case("lone surrogate", #"{"a": "\ud800"}"#, [object(["a": .string("\u{FFFD}")])]),
        Case("raw U+0085 kept", "{\"a\": \"x\u{85}y\"}", [object(["a": .string("x\u{85}y")])]),
        Case(
            "invalid UTF-8", Array(#"{"a": "x"#.utf8) + [0xFF] + Array(#"y"}"#.utf8),
            [object(["a": .string("x\u{FFFD}y")])]),
        Case(
            "truncated UTF-8", Array(#"{"a": "x"#.utf8) + [0xF0, 0x9F, 0x98] + Array(#"y"}"#.utf8),
            [object(["a": .string("x\u{FFFD}\u{FFFD}\u{FFFD}y")])]),
        Case(
            "concatenated", "{\"a\":1}{\"b\":2}\n{\"c\":3}",
            [object(["a": .int(1)]), object(["b": .int(2)]), object(["c": .int(3)])]),
        Case(
            "any values", #"{} [1] "s" 2 null true"#,
            [object([:]), .array([.int(1)]), .string("s"), .int(2), .null, .bool(true)]),
        // Invalid JSON that libyaml accepted.
        Case("bareword", #"{"hostname": yes}"#, error: ("invalid character 'y' looking for beginning of value", 14)),
        Case(
            "single quotes", "{'kind': 'List'}",
            error: (#"invalid character '\'' looking for beginning of object key string"#, 2)),
        Case(
            "trailing comma in object", #"{"a": 1,}"#,
            error: ("invalid character '}' looking for beginning of object key string", 9)),
        Case(
            "trailing comma in array", #"{"a": [1,]}"#,
            error: ("invalid character ']' looking for beginning of value", 10)),
        Case(#"\x escape"#, #"{"a": "\x41"}"#, error: ("invalid character 'x' in string escape code", 9)),
        Case("raw tab", "{\"a\": \"x\ty\"}", error: (#"invalid character '\t' in string literal"#, 9)),
        Case("raw control", "{\"a\": \"x\u{01}y\"}", error: (#"invalid character '\x01' in string literal"#, 9)),
        Case("raw newline", "{\"a\": \"x\ny\"}", error: (#"invalid character '\n' in string literal"#, 9)),
        // The rest of Go's syntax errors.
        Case("end inside object", #"{"a": 1"#, error: ("unexpected EOF", nil)),
        Case("end inside string", #"{"a": "x"#, error: ("unexpected EOF", nil)),
        Case("end after minus", #"{"a": -"#, error: ("unexpected EOF", nil)),
        Case("missing colon", #"{"a" 1}"#, error: ("invalid character '1' after object key", 6)),
        Case("missing comma", #"{"a": 1 "b": 2}"#, error: (#"invalid character '"' after object key:value pair"#, 9)),
        Case("missing comma in array", #"{"a": [1 2]}"#, error: ("invalid character '2' after array element", 10)),
        Case("bad true", #"{"a": tru}"#, error: ("invalid character '}' in literal true (expecting 'e')", 10)),
        Case("bad null", #"{"a": nulL}"#, error: ("invalid character 'L' in literal null (expecting 'l')", 10)),
        Case("bad minus", #"{"a": -x}"#, error: ("invalid character 'x' in numeric literal", 8)),
        Case("bad fraction", #"{"a": 1.}"#, error: ("invalid character '}' after decimal point in numeric literal", 9)),
        Case("bad exponent", #"{"a": 1e}"#, error: ("invalid character '}' in exponent of numeric literal", 9)),
        Case("bad exponent sign", #"{"a": 1e+}"#, error: ("invalid character '}' in exponent of numeric literal", 10)),
        Case("bad hex", #"{"a": "\u12G4"}"#, error: (#"invalid character 'G' in \u hexadecimal character escape"#, 12)),
        Case("leading zero", #"{"a": 01}"#, error: ("invalid character '1' after object key:value pair", 8)),
        Case(
            "garbage after a value", "{} x", [object([:])],
            error: ("invalid character 'x' looking for beginning of value", 4)),
        Case(
            "BOM between values", [0x7B, 0x7D, 0xEF, 0xBB, 0xBF, 0x7B, 0x7D], [object([:])],
            error: ("invalid character 'ï' looking for beginning of value", 3)),
        Case(
            "no-break space between tokens", "{\"a\":\u{A0} 1}",
            error: ("invalid character 'Â' looking for beginning of value", 6)),
        Case("quote character", #"{"a": 1"}"#, error: (#"invalid character '"' after object key:value pair"#, 8)),
        Case(
            "backslash character", #"{"a": \}"#, error: (#"invalid character '\\' looking for beginning of value"#, 7)),
        Case(
            "DEL character", "{\"a\": \u{7F}}", error: (#"invalid character '\x7f' looking for beginning of value"#, 7)),
        Case(
            "Go's depth limit", "{\"a\": " + String(repeating: "[", count: 10_001),
            error: ("invalid character '[' exceeded max depth", 10_006)),
    ]

    @Test(arguments: cases)
    func readsStreamsAsGoDoes(_ test: Case) {
        var parser = JSONStreamParser(test.input)
        var values: [JSONValue] = []
        var failure: JSONParseError?
        while let step = parser.next() {
            switch step {
            case .success(let node): values.append((try? node.jsonValue()) ?? .string("<number out of range>"))
            case .failure(let error): failure = error
            }
        }
        #expect(values == test.values)
        #expect(failure?.message == test.error?.message)
        if let goOffset = test.error?.goOffset {
            #expect(failure.map { $0.offset + 1 } == goOffset)
        } else if test.error != nil {
            #expect(failure?.offset == test.input.count)  // unexpected EOF: at the end
        }
    }

    /// Numbers become what kubectl sends once Go has decoded them.
    @Test func numbers() throws {
        let node = try JSONStreamParser.parseDocument(
            Array(
                #"{"a": 12345678901234567890, "b": -12345678901234567890, "c": 1e5, "d": 1.0, "e": -0, "g": 0.1}"#.utf8)
        )
        let value = try node.jsonValue()
        #expect(value["a"] == .double(12_345_678_901_234_567_168))
        #expect(value["b"] == .double(-12_345_678_901_234_567_168))
        #expect(value["c"] == .double(100_000))
        #expect(value["e"] == .int(0))
        #expect(value["g"] == .double(0.1))
        // Go: "json: cannot unmarshal number 1e400 into Go value of type float64".
        let huge = try JSONStreamParser.parseDocument(Array(#"{"a": 1e400}"#.utf8))
        #expect(throws: JSONParseError.self) { try huge.jsonValue() }
    }

    @Test func positionsCountLinesAndCharacters() throws {
        let text = "{\r\n  \"é\": [true,\n\t\"x\"],\r  \"n\": 1\n}"
        let node = try JSONStreamParser.parseDocument(Array(text.utf8))
        guard case .object(let members) = node.content else {
            Issue.record("not an object")
            return
        }
        #expect(node.start == JSONPosition(offset: 0, line: 1, column: 1))
        #expect(members.map(\.key) == ["é", "n"])
        #expect(members[0].keyStart.description == "2:3")
        #expect(members[0].value.start.description == "2:8")
        guard case .array(let items) = members[0].value.content else {
            Issue.record("not an array")
            return
        }
        #expect(items[0].start.description == "2:9")
        #expect(items[1].start.description == "3:2")  // after a tab, one column
        #expect(members[1].keyStart.description == "4:3")  // a lone CR ends a line
        #expect(members[1].value.start.description == "4:8")
        #expect(node.end.description == "5:2")
    }

    @Test func errorPositions() {
        var parser = JSONStreamParser(Array("{\n  \"a\": 'x'\n}".utf8))
        guard case .failure(let error)? = parser.next() else {
            Issue.record("no error")
            return
        }
        #expect(error.description == #"2:8: invalid character '\'' looking for beginning of value"#)
        #expect(parser.next() == nil)  // a syntax error ends the stream
    }

    @Test func singleValueUsesUnmarshalWording() {
        #expect(throws: JSONParseError(message: "unexpected end of JSON input", offset: 5, line: 1, column: 6)) {
            try JSONStreamParser.parseDocument(Array(#"{"a":"#.utf8))
        }
        #expect(
            throws: JSONParseError(
                message: "invalid character '{' after top-level value", offset: 3, line: 1, column: 4)
        ) {
            try JSONStreamParser.parseDocument(Array("{} {}".utf8))
        }
    }

    /// A value nesting deeper than the caller's bound is reported on its own, and the stream
    /// goes on after it.
    @Test func nodeDepthBoundSkipsOneValue() throws {
        let deep = "{\"a\": [[[[1]]]]}"
        var parser = JSONStreamParser(Array((deep + " {\"b\": [2]}").utf8), maximumNodeDepth: 3)
        guard case .failure(let error)? = parser.next() else {
            Issue.record("no error")
            return
        }
        #expect(error.description == "1:9: document nesting exceeds the limit of 3 levels")
        guard case .success(let next)? = parser.next() else {
            Issue.record("the stream did not go on")
            return
        }
        #expect(try next.jsonValue() == Self.object(["b": .array([.int(2)])]))
        #expect(parser.next() == nil)
    }

    @Test(
        arguments: [
            (UInt8(ascii: "'"), #"'\''"#), (UInt8(ascii: "\""), #"'"'"#), (UInt8(ascii: "\\"), #"'\\'"#),
            (UInt8(ascii: "x"), "'x'"), (0x09, #"'\t'"#), (0x00, #"'\x00'"#), (0x7F, #"'\x7f'"#),
            (0x85, #"'\u0085'"#), (0xA0, #"'\u00a0'"#), (0xAD, #"'\u00ad'"#), (0xEF, "'ï'"), (0xFF, "'ÿ'"),
        ] as [(UInt8, String)])
    func quotesCharactersAsGo(byte: UInt8, quoted: String) {
        #expect(GoUTF8.quoteChar(byte) == quoted)
    }
}
