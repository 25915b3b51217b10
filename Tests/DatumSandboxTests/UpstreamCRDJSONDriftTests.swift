import Foundation
import Testing

/// The generator and drift check of `Generated/UpstreamCRDJSON.generated.swift`: the vendored
/// CRD converted to JSON (by python3 + PyYAML, at test time only).
@Suite struct UpstreamCRDJSONDriftTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let crd = root.appendingPathComponent("Sources/DatumKit/Upstream/gateway.networking.k8s.io_backendtlspolicies.yaml")
    static let generated = root.appendingPathComponent("Sources/DatumSandbox/Generated/UpstreamCRDJSON.generated.swift")

    static var hasPyYAML: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import yaml"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static func render() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import json,sys,yaml; sys.stdout.write(json.dumps(yaml.safe_load(open(sys.argv[1])), separators=(',',':'), ensure_ascii=False))",
            crd.path,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = String(decoding: data, as: UTF8.self)
        return """
            // GENERATED FILE: do not edit. Source: Sources/DatumKit/Upstream/gateway.networking.k8s.io_backendtlspolicies.yaml
            // Regenerate with: DATUMCTL_RECORD=1 swift test --filter UpstreamCRDJSONDriftTests
            // That test fails when this file and the vendored CRD disagree.

            /// The vendored BackendTLSPolicy CRD as compact JSON (keys in file order), for the OpenAPI publisher.
            enum UpstreamCRDJSON {
                static let backendTLSPolicyCRD = ##\"\"\"
            \(json)
            \"\"\"##
            }

            """
    }

    @Test(.enabled(if: hasPyYAML, "python3 with PyYAML is needed to convert the CRD"))
    func generatedFileMatchesTheVendoredCRD() throws {
        let expected = try Self.render()
        if ProcessInfo.processInfo.environment["DATUMCTL_RECORD"] == "1" {
            try expected.write(to: Self.generated, atomically: true, encoding: .utf8)
            return
        }
        let actual = try String(contentsOf: Self.generated, encoding: .utf8)
        #expect(actual == expected, "regenerate with DATUMCTL_RECORD=1 swift test --filter UpstreamCRDJSONDriftTests")
    }
}
