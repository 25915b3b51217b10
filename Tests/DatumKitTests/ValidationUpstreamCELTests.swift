import DatumJSON
import Testing

@testable import DatumKit

/// The 26 cases of gateway-api v1.6.1 `tests/cel/backendtlspolicy_test.go`,
/// with the complete, exact errors the API server returns.
///
/// Upstream checks only that each expected message is a substring of the
/// error; here every case lists all field errors in order. The objects are
/// the JSON the Go client sends for the typed structs (`omitempty` fields
/// dropped, `status: {ancestors: null}`, `creationTimestamp: null`).
struct UpstreamCase: Sendable, CustomTestStringConvertible {
    var name: String
    var object: JSONValue
    /// Field errors as `Error()` strings, in order.
    var errors: [String]
    /// The substrings upstream asserts.
    var upstreamSubstrings: [String]
    var testDescription: String { name }
}

enum UpstreamObjects {
    static let policyName = "foo-1"

    static func policy(targetRefs: [JSONValue], validation: JSONValue) -> JSONValue {
        [
            "kind": "BackendTLSPolicy",
            "apiVersion": "gateway.networking.k8s.io/v1",
            "metadata": ["name": .string(policyName), "namespace": "default", "creationTimestamp": nil],
            "spec": ["targetRefs": .array(targetRefs), "validation": validation],
            "status": ["ancestors": nil],
        ]
    }

    static func ref(_ group: String, _ kind: String, _ name: String, section: String? = nil) -> JSONValue {
        var object: JSONObject = ["group": .string(group), "kind": .string(kind), "name": .string(name)]
        if let section { object["sectionName"] = .string(section) }
        return .object(object)
    }

    /// TestBackendTLSPolicyTargetRefs: validation is always System + foo.example.com.
    static func targetRefsCase(_ refs: [JSONValue]) -> JSONValue {
        policy(targetRefs: refs, validation: ["wellKnownCACertificates": "System", "hostname": "foo.example.com"])
    }

    /// TestBackendTLSPolicyValidation: one target with sectionName "section".
    static func validationCase(_ validation: JSONValue) -> JSONValue {
        policy(targetRefs: [ref("group", "kind", "name", section: "section")], validation: validation)
    }

    static let caRefs: JSONValue = [["group": "group", "kind": "kind", "name": "name"]]
    static let wellKnownPattern =
        #"^(System|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]))$"#
    static let uriPattern = #"^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?"#
}

private let sectionNameUnique =
    #"spec.targetRefs: Invalid value: "array": sectionName must be unique when targetRefs includes 2 or more references to the same target"#
private let sectionNameSpecified =
    #"spec.targetRefs: Invalid value: "array": sectionName must be specified when targetRefs includes 2 or more references to the same target"#
private let san0 = #"spec.validation.subjectAltNames[0]: Invalid value: "object": "#
private func wellKnownPatternError(_ value: String) -> String {
    #"spec.validation.wellKnownCACertificates: Invalid value: "\#(value)": spec.validation.wellKnownCACertificates in body should match '\#(UpstreamObjects.wellKnownPattern)'"#
}
private let testURIPatternError =
    #"spec.validation.subjectAltNames[0].uri: Invalid value: "test": spec.validation.subjectAltNames[0].uri in body should match '\#(UpstreamObjects.uriPattern)'"#

let upstreamTargetRefCases: [UpstreamCase] = {
    typealias O = UpstreamObjects
    return [
        UpstreamCase(
            name: "invalid because duplicate target refs without section name",
            object: O.targetRefsCase([O.ref("", "Service", "example"), O.ref("", "Service", "example")]),
            errors: [sectionNameUnique],
            upstreamSubstrings: [
                "sectionName must be unique when targetRefs includes 2 or more references to the same target"
            ]),
        UpstreamCase(
            name: "invalid because duplicate target refs with only one section name",
            object: O.targetRefsCase([
                O.ref("", "Service", "example"), O.ref("", "Service", "example2"),
                O.ref("", "Service", "example", section: "foo"),
            ]),
            errors: [sectionNameSpecified],
            upstreamSubstrings: [
                "sectionName must be specified when targetRefs includes 2 or more references to the same target"
            ]),
        UpstreamCase(
            name: "invalid because duplicate target refs with duplicate section names",
            object: O.targetRefsCase([
                O.ref("", "Service", "example", section: "foo"), O.ref("", "Service", "example", section: "bar"),
                O.ref("", "Service", "example", section: "foo"),
            ]),
            errors: [sectionNameUnique],
            upstreamSubstrings: [
                "sectionName must be unique when targetRefs includes 2 or more references to the same target"
            ]),
        UpstreamCase(
            name: "valid single targetRef without sectionName",
            object: O.targetRefsCase([O.ref("", "Service", "example")]), errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "valid single targetRef with sectionName",
            object: O.targetRefsCase([O.ref("", "Service", "example", section: "foo")]), errors: [],
            upstreamSubstrings: []),
        UpstreamCase(
            name: "valid because duplicate target refs with different section names",
            object: O.targetRefsCase([
                O.ref("", "Service", "example", section: "foo"), O.ref("", "Service", "example", section: "bar"),
                O.ref("", "Service", "example", section: "jin"),
            ]), errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "valid because duplicate target refs with different names",
            object: O.targetRefsCase([
                O.ref("", "Service", "example", section: "foo"), O.ref("", "Service", "example2", section: "foo"),
                O.ref("", "Service", "example3", section: "foo"),
            ]), errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "valid because duplicate target refs with different kinds",
            object: O.targetRefsCase([
                O.ref("", "Service", "example", section: "foo"), O.ref("", "NotService", "example", section: "foo"),
            ]), errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "valid because duplicate target refs with different groups",
            object: O.targetRefsCase([
                O.ref("", "Service", "example", section: "foo"), O.ref("svc.other.io", "Service", "example", section: "foo"),
            ]), errors: [], upstreamSubstrings: []),
    ]
}()

let upstreamValidationCases: [UpstreamCase] = {
    typealias O = UpstreamObjects
    return [
        UpstreamCase(
            name: "valid BackendTLSPolicyValidation with WellKnownCACertificates",
            object: O.validationCase(["wellKnownCACertificates": "System", "hostname": "foo.example.com"]),
            errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "valid BackendTLSPolicyValidation with implementation-specific WellKnownCACertificates",
            object: O.validationCase([
                "wellKnownCACertificates": "my.company.com/my-custom-ca-certificates", "hostname": "foo.example.com",
            ]), errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "valid BackendTLSPolicyValidation with CACertificateRefs",
            object: O.validationCase(["caCertificateRefs": O.caRefs, "hostname": "foo.example.com"]),
            errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with missing fields",
            object: O.validationCase(["hostname": ""]),
            errors: [
                #"spec.validation.hostname: Invalid value: "": spec.validation.hostname in body should be at least 1 chars long"#,
                #"spec.validation: Invalid value: "object": must specify either CACertificateRefs or WellKnownCACertificates"#,
            ],
            upstreamSubstrings: [
                "spec.validation.hostname in body should be at least 1 chars long",
                "must specify either CACertificateRefs or WellKnownCACertificates",
            ]),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with both CACertificateRefs and WellKnownCACertificates",
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "wellKnownCACertificates": "System", "hostname": "foo.example.com",
            ]),
            errors: [
                #"spec.validation: Invalid value: "object": must not contain both CACertificateRefs and WellKnownCACertificates"#
            ],
            upstreamSubstrings: ["must not contain both CACertificateRefs and WellKnownCACertificates"]),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with invalid WellKnownCACertificates value",
            object: O.validationCase(["wellKnownCACertificates": "MySystem", "hostname": "foo.example.com"]),
            errors: [wellKnownPatternError("MySystem")],
            upstreamSubstrings: ["spec.validation.wellKnownCACertificates in body should match '\(O.wellKnownPattern)'"]),
        UpstreamCase(
            name:
                "invalid BackendTLSPolicyValidation with invalid implementation-specific WellKnownCACertificates value without which isprefix for ",
            object: O.validationCase(["wellKnownCACertificates": "my-system", "hostname": "foo.example.com"]),
            errors: [wellKnownPatternError("my-system")],
            upstreamSubstrings: ["spec.validation.wellKnownCACertificates in body should match '\(O.wellKnownPattern)'"]),
        UpstreamCase(
            name:
                "invalid BackendTLSPolicyValidation  with invalid implementation-specific WellKnownCACertificates value with invalid prefix",
            object: O.validationCase([
                "wellKnownCACertificates": "in..va..lid./my-custom-ca-certificates", "hostname": "foo.example.com",
            ]),
            errors: [wellKnownPatternError("in..va..lid./my-custom-ca-certificates")],
            upstreamSubstrings: ["spec.validation.wellKnownCACertificates in body should match '\(O.wellKnownPattern)'"]),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with empty Hostname field",
            object: O.validationCase(["caCertificateRefs": O.caRefs, "hostname": ""]),
            errors: [
                #"spec.validation.hostname: Invalid value: "": spec.validation.hostname in body should be at least 1 chars long"#
            ],
            upstreamSubstrings: ["spec.validation.hostname in body should be at least 1 chars long"]),
        UpstreamCase(
            name: "valid BackendTLSPolicyValidation with SubjectAltName type Hostname",
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "hostname": "foo.example.com",
                "subjectAltNames": [["type": "Hostname", "hostname": "foo.example.com"]],
            ]), errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "valid BackendTLSPolicyValidation with SubjectAltName type URI",
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "hostname": "foo.example.com",
                "subjectAltNames": [["type": "URI", "uri": "spiffe://mycluster.example"]],
            ]), errors: [], upstreamSubstrings: []),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with SubjectAltName type Hostname and empty Hostname field",
            // `hostname: ""` is omitempty, so the client does not send it.
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "hostname": "foo.example.com", "subjectAltNames": [["type": "Hostname"]],
            ]),
            errors: [san0 + "SubjectAltName element must contain Hostname, if Type is set to Hostname"],
            upstreamSubstrings: ["SubjectAltName element must contain Hostname, if Type is set to Hostname"]),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with SubjectAltName type URI and non-empty Hostname field",
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "hostname": "foo.example.com",
                "subjectAltNames": [["type": "URI", "hostname": "foo.example.com"]],
            ]),
            errors: [
                san0 + "SubjectAltName element must not contain Hostname, if Type is not set to Hostname",
                san0 + "SubjectAltName element must contain URI, if Type is set to URI",
            ],
            upstreamSubstrings: ["SubjectAltName element must not contain Hostname, if Type is not set to Hostname"]),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with SubjectAltName type URI and empty URI field",
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "hostname": "foo.example.com", "subjectAltNames": [["type": "URI"]],
            ]),
            errors: [san0 + "SubjectAltName element must contain URI, if Type is set to URI"],
            upstreamSubstrings: ["SubjectAltName element must contain URI, if Type is set to URI"]),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with SubjectAltName type Hostname and non-empty URI field",
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "hostname": "foo.example.com",
                "subjectAltNames": [["type": "Hostname", "uri": "test"]],
            ]),
            errors: [
                testURIPatternError,
                san0 + "SubjectAltName element must contain Hostname, if Type is set to Hostname",
                san0 + "SubjectAltName element must not contain URI, if Type is not set to URI",
            ],
            upstreamSubstrings: ["SubjectAltName element must not contain URI, if Type is not set to URI"]),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation with SubjectAltName type Hostname and both Hostname and URI specified",
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "hostname": "foo.example.com",
                "subjectAltNames": [["type": "Hostname", "hostname": "foo.example.com", "uri": "test"]],
            ]),
            errors: [
                testURIPatternError,
                san0 + "SubjectAltName element must not contain URI, if Type is not set to URI",
            ],
            upstreamSubstrings: ["SubjectAltName element must not contain URI, if Type is not set to URI"]),
        UpstreamCase(
            name: "invalid BackendTLSPolicyValidation incorrect URI SAN",
            object: O.validationCase([
                "caCertificateRefs": O.caRefs, "hostname": "foo.example.com",
                "subjectAltNames": [["type": "URI", "uri": "foo.example.com"]],
            ]),
            errors: [
                #"spec.validation.subjectAltNames[0].uri: Invalid value: "foo.example.com": spec.validation.subjectAltNames[0].uri in body should match '\#(O.uriPattern)'"#
            ],
            upstreamSubstrings: ["spec.validation.subjectAltNames[0].uri in body should match '\(O.uriPattern)'"]),
    ]
}()

@Suite struct ValidationUpstreamCELTests {
    static let schema: OpenAPISchema = {
        (try? ValidationFixtures.crd()).flatMap { try? CRDSchemas.load(crd: $0)["v1"] } ?? OpenAPISchema()
    }()
    static let descriptor: CRDDescriptor? = (try? ValidationFixtures.crd()).flatMap { try? CRDDescriptor(crd: $0) }

    @Test func portsAllTwentySixUpstreamCases() {
        #expect(upstreamTargetRefCases.count == 9)
        #expect(upstreamValidationCases.count == 17)
    }

    @Test(arguments: upstreamTargetRefCases + upstreamValidationCases)
    func upstreamCase(_ c: UpstreamCase) throws {
        let descriptor = try #require(ValidationUpstreamCELTests.descriptor)
        let validator = SchemaValidator(descriptor: descriptor, version: "v1")
        let result = validator.validate(c.object, against: ValidationUpstreamCELTests.schema, mode: .create)
        #expect(result.errors.map(\.description) == c.errors)
        #expect(result.unknownFields == [])
        #expect(result.celSkipped == false)

        // The complete 422 message, and upstream's own (substring) expectations on it.
        let status = InvalidStatus(descriptor: descriptor, name: UpstreamObjects.policyName, errors: result.errors)
        let prefix = #"BackendTLSPolicy.gateway.networking.k8s.io "foo-1" is invalid"#
        switch c.errors.count {
        case 0: #expect(status.message == prefix)
        case 1: #expect(status.message == prefix + ": " + c.errors[0])
        default: #expect(status.message == prefix + ": [" + c.errors.joined(separator: ", ") + "]")
        }
        for substring in c.upstreamSubstrings {
            #expect(status.message.contains(substring), "missing \(substring)")
        }
    }
}
