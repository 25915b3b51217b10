import DatumJSON
import Testing

@testable import DatumKit

@Suite struct ValidationExamplesTests {
    static let files = [
        "backendtlspolicy-ca-certs.json", "backendtlspolicy-system-certs.json",
        "backendtlspolicy-conflict-resolution.json", "backendtlspolicy-invalid-kind.json", "backendtlspolicy-san.json",
    ]

    @Test(arguments: files)
    func upstreamExamplesValidateClean(_ file: String) throws {
        let crd = try ValidationFixtures.crd()
        let descriptor = try CRDDescriptor(crd: crd)
        let schema = try #require(try CRDSchemas.load(crd: crd)["v1"])
        let validator = SchemaValidator(descriptor: descriptor, version: "v1")
        let policies = try #require(try ValidationFixtures.json("examples/" + file).arrayValue)
        #expect(!policies.isEmpty)
        for policy in policies {
            // The server takes the namespace from the request when the manifest has none.
            var object = policy
            if object["metadata"]?["namespace"] == nil { object = object.setting("metadata.namespace", to: "default") }
            let result = validator.validate(object, against: schema, mode: .create)
            #expect(result.errors.isEmpty, "\(file): \(result.errors)")
            #expect(result.unknownFields.isEmpty)
            #expect(result.object == object)
            #expect(BackendTLSPolicyLints.check(object).isEmpty)
        }
    }

    @Test func exampleCounts() throws {
        let counts = try ValidationExamplesTests.files.map { try ValidationFixtures.json("examples/" + $0).arrayValue?.count ?? 0 }
        #expect(counts == [1, 1, 6, 1, 6])
    }
}
