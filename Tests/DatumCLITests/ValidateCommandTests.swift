import DatumJSON
import Foundation
import Testing
import TestSupport

@Suite struct ValidateCommandTests {
    let snapshots = Snapshot(folder: "validate")

    static let invalidPolicy = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: BackendTLSPolicy
        metadata:
          name: Bad_Name
          labels:
            enabled: yes
        spec:
          targetRefs:
          - group: ""
            kind: Service
            name: web
          - group: ""
            kind: Service
            name: web
          validation:
            hostname: ""
            foo: bar
            subjectAltNames:
            - type: Hostname
              uri: spiffe://example.com/web
          options:
            min-tls: "1.3"
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: BackendTLSPolicy
        metadata:
          name: good
        spec:
          targetRefs: [{group: "", kind: Service, name: web}]
          validation: {wellKnownCACertificates: System, hostname: web.example.com}

        """

    @Test func everyUpstreamExampleValidatesClean() {
        let run = CLI.run(["validate", "-R", "-f", "docs/examples"])
        #expect(run.exitCode == 0)
        #expect(run.stdout == "31 documents, 16 valid, 0 invalid, 15 not validated (ConfigMap, HTTPRoute, Service); schema: built in\n")
        #expect(run.stderr == "")
    }

    @Test func reportsEveryErrorWithPositionAndASummary() throws {
        let dir = try TemporaryDirectory()
        try dir.write("policy.yaml", Self.invalidPolicy)
        let run = CLI.run(["validate", "-f", "policy.yaml"], in: dir.path)
        #expect(run.exitCode == 1)
        snapshots.expect(run.stdout, matches: "invalid.txt")
        #expect(run.stdout.hasSuffix("2 documents, 1 valid, 1 invalid, 2 warnings; schema: built in\n"))
    }

    @Test func jsonReportHasOneEntryPerDocument() throws {
        let dir = try TemporaryDirectory()
        try dir.write("policy.yaml", Self.invalidPolicy)
        let run = CLI.run(["validate", "-f", "policy.yaml", "-o", "json", "--validate=warn"], in: dir.path)
        #expect(run.exitCode == 1)
        snapshots.expect(run.stdout, matches: "invalid-warn.json")
        let report = try JSONParser.parse(run.stdout)
        #expect(report.arrayValue?.count == 2)
        #expect(report[0]?["valid"] == .bool(false))
        #expect(report[0]?["warnings"]?[0]?["field"] == .string("spec.validation.foo"))
        #expect(report[1]?["valid"] == .bool(true))
        #expect(report[1]?["line"] == .int(24))
    }

    @Test func unknownFieldsFollowTheValidateMode() throws {
        let text = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata: {name: p}
            spec:
              targetRefs: [{group: "", kind: Service, name: web}]
              validation: {wellKnownCACertificates: System, hostname: web.example.com, extra: 1}

            """
        let strict = CLI.run(["validate", "-f", "-"], stdin: text)
        #expect(strict.exitCode == 1)
        #expect(strict.stdout == """
            STDIN:6:76: error: BackendTLSPolicy/p: spec.validation.extra: unknown field "spec.validation.extra"
            1 document, 0 valid, 1 invalid; schema: built in

            """)
        let warn = CLI.run(["validate", "-f", "-", "--validate", "warn"], stdin: text)
        #expect(warn.exitCode == 0)
        #expect(warn.stdout.hasPrefix("STDIN:6:76: warning: BackendTLSPolicy/p: spec.validation.extra: unknown field"))
        let ignore = CLI.run(["validate", "-f", "-", "--validate=false"], stdin: text)
        #expect(ignore.exitCode == 0)
        #expect(ignore.stdout == "1 document, 1 valid, 0 invalid; schema: built in\n")
        // --strict turns warnings into a failure.
        #expect(CLI.run(["validate", "-f", "-", "--validate=warn", "--strict"], stdin: text).exitCode == 1)
    }

    @Test func plainScalarsInStringFieldsStayAsWritten() {
        let text = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata:
              name: "0123"
              labels: {enabled: yes, version: 1.10}
            spec:
              targetRefs: [{group: "", kind: Service, name: 0123}]
              validation: {wellKnownCACertificates: System, hostname: 1.2.3.4}

            """
        let run = CLI.run(["validate", "-f", "-"], stdin: text)
        #expect(run.exitCode == 0)
        #expect(run.stdout == """
            STDIN:8:59: warning: BackendTLSPolicy/0123: spec.validation.hostname: "1.2.3.4" is an IP address; the API documents hostname as a DNS name for SNI, and IP addresses are not allowed
            1 document, 1 valid, 0 invalid, 1 warning; schema: built in

            """)
    }

    @Test func syntaxErrorsPointAtTheLineWithACaret() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x: y\n"
        let run = CLI.run(["validate", "-f", "-"], stdin: text)
        #expect(run.exitCode == 1)
        #expect(run.stdout == """
            STDIN:4:10: error: mapping values are not allowed in this context
              name: x: y
                     ^
            1 document, 0 valid, 1 invalid

            """)
    }

    @Test(arguments: [
        (["validate"], "error: must specify -f with a file, directory or - for stdin"),
        (["validate", "-f", "x.yaml", "--validate=maybe"], "error: invalid argument \"maybe\" for \"--validate\" flag: must be one of: strict, warn, ignore, true, false"),
        (["validate", "--filname", "x.yaml"], "error: unknown flag: --filname"),
    ])
    func usageErrorsExit64(arguments: [String], firstLine: String) {
        let run = CLI.run(arguments)
        #expect(run.exitCode == 64)
        #expect(run.stderr.split(separator: "\n").first.map(String.init) == firstLine)
        #expect(run.stdout == "")
    }

    @Test func missingFileIsAFailureNotAUsageError() {
        let run = CLI.run(["validate", "-f", "does-not-exist.yaml"])
        #expect(run.exitCode == 1)
        #expect(run.stderr == "error: the path \"does-not-exist.yaml\" does not exist\n")
    }

    @Test func largeStreamsReportEveryDocumentInOrder() {
        var text = ""
        for i in 0..<2000 {
            let hostname = i == 1234 ? "\"\"" : "h\(i).example.com"
            text += """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: p\(i)}
                spec:
                  targetRefs: [{group: "", kind: Service, name: s\(i)}]
                  validation: {wellKnownCACertificates: System, hostname: \(hostname)}

                """
        }
        let run = CLI.run(["validate", "-f", "-"], stdin: text)
        #expect(run.exitCode == 1)
        #expect(run.stdout.hasPrefix("STDIN:8645:59:"))
        #expect(run.stdout.contains("BackendTLSPolicy/p1234: spec.validation.hostname: Invalid value: \"\""))
        #expect(run.stdout.hasSuffix("2000 documents, 1999 valid, 1 invalid; schema: built in\n"))
    }
}
