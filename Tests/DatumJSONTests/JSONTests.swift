import Foundation
import Testing
import TestSupport

@testable import DatumJSON

@Suite struct JSONParserTests {
    @Test(arguments: [
        ("1", JSONValue.int(1)),
        ("-0", .int(0)),
        ("1.0", .double(1)),
        ("1e3", .double(1000)),
        ("9223372036854775807", .int(Int64.max)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("\"a\\u00e9\\ud83d\\ude00\\n\"", .string("aé😀\n")),
        ("\"\\ud800x\"", .string("\u{FFFD}x")),
        ("[]", .array([])),
        ("{}", .object(JSONObject())),
        (" [true, false, null] ", .array([.bool(true), .bool(false), .null])),
    ])
    func parsesValues(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func keepsInsertionOrderButComparesUnordered() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":{"y":2,"x":3}}"#)
        #expect(value.objectValue?.keys == ["b", "a"])
        #expect(value == (try JSONParser.parse(#"{"a":{"x":3,"y":2},"b":1}"#)))
    }

    @Test func reportsDuplicateKeysAndKeepsLast() throws {
        let (value, duplicates) = try JSONParser.parseReportingDuplicates(Array(#"{"a":{"b":1,"b":2}}"#.utf8))
        #expect(value["a"]?["b"] == .int(2))
        #expect(duplicates == ["a.b"])
    }

    @Test(arguments: [
        ("", "1:1: unexpected end of JSON input"),
        ("{\"a\" 1}", "1:6: invalid character '1' after object key"),
        ("[1,]", "1:4: invalid character ']' looking for beginning of value"),
        ("{\n  \"é\": x}", "2:8: invalid character 'x' looking for beginning of value"),
        // json.Unmarshal's words (go-json-verdicts.json checks them over all of JSONTestSuite).
        ("01", "1:2: invalid character '1' after top-level value"),
        ("\"a\tb\"", "1:3: invalid character '\\t' in string literal"),
        ("nul", "1:4: invalid character ' ' in literal null (expecting 'l')"),
        ("[1e400]", "1:2: json: cannot unmarshal number 1e400 into Go value of type float64"),
    ])
    func rejectsBadInput(text: String, message: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }
}

@Suite struct GoJSONEncoderTests {
    @Test func matchesGoMarshalIndent() throws {
        let value = try JSONParser.parse(#"{"kind":"X","a":[1,{"z":null,"b":"<&>"}],"e":{},"l":[]}"#)
        let expected = """
            {
                "a": [
                    1,
                    {
                        "b": "\\u003c\\u0026\\u003e",
                        "z": null
                    }
                ],
                "e": {},
                "kind": "X",
                "l": []
            }
            """
        #expect(GoJSONEncoder.kubectl.encode(value) == expected)
        #expect(GoJSONEncoder.compact.encode(value) == #"{"a":[1,{"b":"\u003c\u0026\u003e","z":null}],"e":{},"kind":"X","l":[]}"#)
    }

    @Test(arguments: [
        (1.0, "1"), (1.5, "1.5"), (-2.25, "-2.25"), (0.000001, "0.000001"), (0.0000001, "1e-7"),
        (1e20, "100000000000000000000"), (1e21, "1e+21"), (123456789.125, "123456789.125"),
        (0.1, "0.1"), (1.2345e-10, "1.2345e-10"), (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    ])
    func formatsFloatsLikeGo(value: Double, expected: String) {
        #expect(GoJSONEncoder.formatFloat(value) == expected)
    }

    @Test func escapesStringsLikeGo() {
        #expect(GoJSONEncoder.quote("a\"b\\c\n\r\t\u{8}\u{C}\u{1}\u{2028}é😀") == #""a\"b\\c\n\r\t\b\f\u0001\u2028é😀""#)
        #expect(GoJSONEncoder.quote("<>&", escapeHTML: false) == #""<>&""#)
    }

    @Test func sortsKeysBytewise() {
        var object = JSONObject()
        for key in ["b", "B", "a", "é", "_", "10", "9"] { object[key] = .null }
        #expect(object.sortedKeys == ["10", "9", "B", "_", "a", "b", "é"])
        #expect(GoJSONEncoder(sortKeys: false).encode(.object(object)).hasPrefix(#"{"b":null,"B""#))
    }
}

/// `json.Marshal` of float64 values, recorded from Go 1.23 with `strconv.FormatFloat` in
/// `Tests/GoCompatTests/Fixtures/go-strconv.json` (`formatFloat[].json`).
@Suite struct GoJSONFloatRecordingTests {
    struct Row: Decodable, Sendable, CustomStringConvertible {
        var bits: String
        var json: String
        var description: String { bits }
        var value: Double { Double(bitPattern: UInt64(bits, radix: 16) ?? 0) }
    }

    static let rows: [Row] = {
        struct Recording: Decodable { var formatFloat: [Row] }
        let url = Repository.url.appendingPathComponent("Tests/GoCompatTests/Fixtures/go-strconv.json")
        guard let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONDecoder().decode(Recording.self, from: data).formatFloat) ?? []
    }()

    @Test func theRecordingIsThere() {
        #expect(Self.rows.count > 500)
    }

    @Test(arguments: rows)
    func formatsAsGoMarshals(_ row: Row) {
        #expect(GoJSONEncoder.formatFloat(row.value) == row.json)
    }
}
