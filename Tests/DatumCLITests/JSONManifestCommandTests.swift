import DatumJSON
import Foundation
import TestSupport
import Testing

/// `validate` and `apply --dry-run=client` on JSON manifests, end to end in-process: JSON is
/// read as JSON whatever the file is called, and every problem points into the JSON text.
///
/// Referee for the syntax-error wording: Go's `encoding/json` (recorded from Go 1.19, see
/// `Tests/DatumJSONTests/JSONStreamParserTests.swift`); kubectl 1.32 prints the same text as
/// `error: error parsing bad.json: json: offset 2: invalid character '\'' looking for beginning
/// of object key string`, datumctl with the line, column and an excerpt instead of the offset.
@Suite struct JSONManifestCommandTests {
    static let home = ["HOME": "/nonexistent-home"]

    static func run(_ arguments: [String], stdin: String = "", in directory: String) -> CLIRun {
        CLI.run(arguments, stdin: stdin, in: directory, variables: home)
    }

    static let policy = """
        {
          "apiVersion": "gateway.networking.k8s.io/v1",
          "kind": "BackendTLSPolicy",
          "metadata": {"name": "web", "annotations": {"note": "\\ud83d\\ude00 yes"}},
          "spec": {
            "targetRefs": [{"group": "", "kind": "Service", "name": "web"}],
            "validation": {
              "wellKnownCACertificates": "System",
              "hostname": "Web_Host!",
              "extra": true
            }
          }
        }

        """

    @Test func validateReportsErrorsAtTheirPlaceInTheJSONFile() throws {
        let dir = try TemporaryDirectory()
        try dir.write("policy.json", Self.policy)
        let run = Self.run(["validate", "-f", "policy.json"], in: dir.path)
        #expect(run.exitCode == 1)
        #expect(
            run.stdout == """
                policy.json:10:7: error: BackendTLSPolicy/web: spec.validation.extra: unknown field "spec.validation.extra"
                policy.json:9:19: error: BackendTLSPolicy/web: spec.validation.hostname: Invalid value: "Web_Host!": spec.validation.hostname in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'
                1 document, 0 valid, 1 invalid; schema: built in

                """)
    }

    @Test(
        arguments: [
            (
                "single quotes", "{'kind': 'List'}",
                "bad.json:1:2: error: invalid character '\\'' looking for beginning of object key string\n{'kind': 'List'}\n ^\n"
            ),
            (
                "bareword", "{\"apiVersion\": \"v1\",\n \"kind\": ConfigMap}",
                "bad.json:2:10: error: invalid character 'C' looking for beginning of value\n \"kind\": ConfigMap}\n         ^\n"
            ),
            (
                "trailing comma", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",}",
                "bad.json:1:42: error: invalid character '}' looking for beginning of object key string\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",}\n                                         ^\n"
            ),
            (
                "hex escape", "{\"kind\": \"\\x41\"}",
                "bad.json:1:12: error: invalid character 'x' in string escape code\n{\"kind\": \"\\x41\"}\n           ^\n"
            ),
            (
                "raw tab", "{\"kind\": \"a\tb\"}",
                "bad.json:1:12: error: invalid character '\\t' in string literal\n{\"kind\": \"a\tb\"}\n           ^\n"
            ),
        ] as [(String, String, String)])
    func validateReportsJSONSyntaxErrors(_ name: String, _ text: String, _ expected: String) throws {
        let dir = try TemporaryDirectory()
        try dir.write("bad.json", text)
        let run = Self.run(["validate", "-f", "bad.json"], in: dir.path)
        #expect(run.exitCode == 1, "\(name)")
        #expect(run.stdout == expected + "1 document, 0 valid, 1 invalid\n", "\(name)")
    }

    @Test func validateReadsJSONWhateverTheExtension() throws {
        let dir = try TemporaryDirectory()
        // JSON in a .yaml file: a surrogate pair and two concatenated objects, both of which
        // libyaml rejected.
        try dir.write(
            "cms.yaml",
            #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"e": "\ud83d\ude00"}}"#
                + #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}"#)
        try dir.write(
            "sub/policy.json",
            Self.policy.replacingOccurrences(of: "Web_Host!", with: "web.example.com")
                .replacingOccurrences(of: ",\n      \"extra\": true", with: ""))
        let run = Self.run(["validate", "-R", "-f", "."], in: dir.path)
        #expect(run.stderr == "")
        #expect(run.stdout == "3 documents, 1 valid, 0 invalid, 2 not validated (ConfigMap); schema: built in\n")
        #expect(run.exitCode == 0)
    }

    @Test func clientDryRunApplyReadsJSONFromStandardInput() throws {
        let dir = try TemporaryDirectory()
        let stdin =
            #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"e": "\ud83d\ude00", "nel": "x"#
            + "\u{85}" + #"y", "yes": "yes"}}"# + "\n"
            + #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}"#
        let run = Self.run(["apply", "--dry-run=client", "-f", "-", "-o", "json"], stdin: stdin, in: dir.path)
        #expect(run.stderr == "")
        #expect(run.exitCode == 0)
        let list = try JSONParser.parse(run.stdout)
        #expect(list["items"]?[0]?["data"] == .object(["e": "😀", "nel": .string("x\u{85}y"), "yes": "yes"]))
        #expect(list["items"]?[1]?["metadata"]?["name"] == "b")

        let names = Self.run(["apply", "--dry-run=client", "-f", "-"], stdin: stdin, in: dir.path)
        #expect(names.stdout == "configmap/a validated (dry run)\nconfigmap/b validated (dry run)\n")
    }

    @Test func clientDryRunApplyStopsAtAJSONSyntaxError() throws {
        let dir = try TemporaryDirectory()
        let stdin = #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}"# + "\n{\"kind\": 'x'}"
        let run = Self.run(["apply", "--dry-run=client", "-f", "-"], stdin: stdin, in: dir.path)
        #expect(run.exitCode == 1)
        #expect(run.stdout == "")
        #expect(
            run.stderr
                == "STDIN:2:10: error: invalid character '\\'' looking for beginning of value\n{\"kind\": 'x'}\n         ^\nerror: 1 invalid object; nothing was sent to the server\n"
        )
    }
}
