import DatumJSON
import DatumYAML
import Foundation
import TestSupport
import Testing

/// Plain (and a few quoted or tagged) scalars as kubectl resolves them; the expected JSON is
/// recorded from `kubectl patch --local -f DOC.yaml --type merge -p '{}' -o json`.
let resolutionScalars: [String] = [
    "~", "null", "Null", "NULL", "", "nULL", "y", "Y", "yes", "Yes", "YES", "yEs", "n", "N", "no", "No", "NO",
    "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    "0", "-0", "+0", "1", "-1", "+1", "0123", "0o17", "0O17", "0x1F", "0X1f", "-0x1F", "+0x10", "0b101", "-0b101", "0b", "0x",
    "0x_1F", "1_000", "_1", "1__", "08", "09.5", "0.1", ".5", "-.5", "+.5", "1.", "1.0", "-1.0", "1.5", "1e3", "1E3", "1e+3",
    "1.5e-3", "12e-5", "1e21", "1e-7", "100000000000000000000", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "0xFFFFFFFFFFFFFFFF", "0x1FFFFFFFFFFFFFFFFFFFF", "0b11111111111111111111111111111111111111111111111111111111111111111",
    "0777777777777777777777777", "1e400", "1_0.5", "0.1_5", "2001-12-14", "2001-12-14T21:59:43.10-05:00",
    "2001-12-14 21:59:43.10", "2001-13-14", "1:20", "12:30:45", "+", ".", "..", "1.2.3", "0.0.0.0", "-.5e3", "-a",
    "1e", "e3", "0x1.8p1", "Infinity", "inf", "nan", "<<x", "1 2", "a b", "hello", "é", "0.30000000000000004",
    "123456789.123456789", "1234567", "4.9e-324", "1.7976931348623157e308", "3.4028235e38",
    "'123'", "\"yes\"", "'~'", "!!str 1", "!!int '12'", "!!int 0x10", "!!float 3", "!!float '2.5'", "!!bool \"on\"",
    "!!null ''", "!!timestamp 2001-12-14", "!!binary aGVsbG8=", "!foo bar", "! 12",
]

/// Mapping keys that are not strings until sigs.k8s.io/yaml converts them.
let resolutionKeys: [String] = [
    "1", "-7", "1.5", "0.1", "1e3", "true", "off", "0x10", "3.14159265358979", "100000000", "1e21", "0.000001",
    "1234567.5", "16777217.0", "2001-12-14", "\"quoted\"", "012", "+.inf", ".nan",
]

@Suite struct ResolutionTests {
    static let recordingFile = "kubectl-resolution.json"

    static func document() -> String {
        var text = "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\nvalues:\n"
        for (i, scalar) in resolutionScalars.enumerated() {
            text += "  c\(String(format: "%03d", i)): \(scalar)\n"
        }
        text += "keys:\n"
        for key in resolutionKeys {
            text += "  \(key): k\n"
        }
        return text
    }

    @Test func recordsFromKubectlWhenAsked() throws {
        guard SectionedSnapshot.isRecording else { return }
        let file = try Kubectl.temporaryFile(Array(Self.document().utf8), suffix: ".yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try Kubectl.run(["patch", "--local", "-f", file.path, "--type", "merge", "-p", "{}", "-o", "json"])
        try SectionedSnapshot.write(Self.recordingFile, sections: [("resolution", output)])
    }

    static func expected() throws -> JSONValue {
        let text = try #require(try SectionedSnapshot.sections(of: recordingFile)["resolution"])
        return try JSONParser.parse(text)
    }

    static func actual() throws -> JSONValue {
        try #require(try readJSON(document()).first ?? nil)
    }

    @Test(arguments: Array(resolutionScalars.enumerated()).map { "c" + String(format: "%03d", $0.offset) + " " + $0.element })
    func scalarResolvesLikeKubectl(_ label: String) throws {
        let key = String(label.prefix(4))
        let expected = try Self.expected()["values"]?[key]
        let actual = try Self.actual()["values"]?[key]
        #expect(actual == expected, "\(label)")
    }

    @Test func keysConvertLikeKubectl() throws {
        #expect(try Self.actual()["keys"] == Self.expected()["keys"])
    }

    @Test func wholeDocumentEncodesToKubectlJSONByteForByte() throws {
        let expected = try #require(try SectionedSnapshot.sections(of: Self.recordingFile)["resolution"])
        #expect(GoJSONEncoder.kubectl.encode(try Self.actual()) + "\n" == expected)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var value: JSONValue
        var testDescription: String { text.isEmpty ? "<empty>" : text }
    }

    /// The same resolver, called directly, with hand-checked values.
    static let direct: [Case] = [
        Case(text: "", value: nil), Case(text: "~", value: nil), Case(text: "NULL", value: nil),
        Case(text: "yes", value: true), Case(text: "Off", value: false), Case(text: "y", value: true),
        Case(text: "0x1F", value: 31), Case(text: "0o17", value: 15), Case(text: "017", value: 15),
        Case(text: "0b101", value: 5), Case(text: "-0b11", value: -3), Case(text: "1_000", value: 1000),
        Case(text: "08", value: 8), Case(text: "1.0", value: 1), Case(text: "1.5", value: 1.5),
        Case(text: "1e21", value: .double(1e21)), Case(text: "1e20", value: .double(1e20)),
        Case(text: "18446744073709551615", value: .double(18446744073709551615.0)),
        Case(text: "-9223372036854775808", value: .int(Int64.min)),
        Case(text: "0x1FFFFFFFFFFFFFFFFFFFF", value: "0x1FFFFFFFFFFFFFFFFFFFF"),
        Case(text: ".inf", value: .double(.infinity)), Case(text: "-.Inf", value: .double(-.infinity)),
        Case(text: "2001-12-14", value: "2001-12-14"), Case(text: "2001-12-14T21:59:43.10-05:00", value: "2001-12-14T21:59:43.10-05:00"),
        Case(text: "1:20", value: "1:20"), Case(text: "<<", value: "<<"), Case(text: "0x", value: "0x"),
        Case(text: "1e400", value: "1e400"), Case(text: "Infinity", value: "Infinity"), Case(text: "hello", value: "hello"),
    ]

    @Test(arguments: direct)
    func resolvePlainScalar(_ c: Case) {
        let value = YAMLNode.resolvePlainScalar(c.text)
        if case .double(let d) = c.value, d.isNaN {
            #expect(value.doubleValue?.isNaN == true)
        } else {
            #expect(value == c.value)
        }
    }

    @Test func nanResolvesToNaN() {
        #expect(YAMLNode.resolvePlainScalar(".nan").doubleValue?.isNaN == true)
    }
}
