import DatumArguments
import DatumJSON
import GoCompat
import Testing
import TestSupport

@testable import DatumKit

struct MetadataCase: Sendable, CustomTestStringConvertible {
    var name: String
    var metadata: JSONValue
    var namespaced = true
    var errors: [String]
    var testDescription: String { name }
}

private let subdomainMessage =
    #"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
private let labelMessage =
    #"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#
private let qualifiedNameRegex =
    #"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"#
private let labelValueMessage =
    #"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#

let metadataCases: [MetadataCase] = [
    MetadataCase(name: "valid", metadata: ["name": "policy", "namespace": "default"], errors: []),
    MetadataCase(
        name: "name or generateName is required", metadata: ["namespace": "default"],
        errors: ["metadata.name: Required value: name or generateName is required"]),
    MetadataCase(
        name: "name is a DNS subdomain", metadata: ["name": "Bad_Name", "namespace": "default"],
        errors: [#"metadata.name: Invalid value: "Bad_Name": "# + subdomainMessage]),
    MetadataCase(
        name: "name at most 253 bytes", metadata: ["name": .string(String(repeating: "a", count: 254)), "namespace": "default"],
        errors: [#"metadata.name: Invalid value: "\#(String(repeating: "a", count: 254))": must be no more than 253 characters"#]),
    MetadataCase(
        name: "name too long and malformed",
        metadata: ["name": .string(String(repeating: "A", count: 254)), "namespace": "default"],
        errors: [
            #"metadata.name: Invalid value: "\#(String(repeating: "A", count: 254))": must be no more than 253 characters"#,
            #"metadata.name: Invalid value: "\#(String(repeating: "A", count: 254))": "# + subdomainMessage,
        ]),
    MetadataCase(name: "generateName replaces name", metadata: ["generateName": "policy-", "namespace": "default"], errors: []),
    MetadataCase(
        name: "generateName is checked as a prefix", metadata: ["generateName": "Policy-", "namespace": "default"],
        errors: [#"metadata.generateName: Invalid value: "Policy-": "# + subdomainMessage]),
    MetadataCase(
        name: "namespace is required for a namespaced resource", metadata: ["name": "policy"],
        errors: ["metadata.namespace: Required value"]),
    MetadataCase(
        name: "namespace is a DNS label", metadata: ["name": "policy", "namespace": "Default"],
        errors: [#"metadata.namespace: Invalid value: "Default": "# + labelMessage]),
    MetadataCase(
        name: "namespace without dots", metadata: ["name": "policy", "namespace": "team.a"],
        errors: [#"metadata.namespace: Invalid value: "team.a": must not contain dots"#]),
    MetadataCase(
        name: "namespace at most 63 bytes",
        metadata: ["name": "policy", "namespace": .string(String(repeating: "n", count: 64))],
        errors: [#"metadata.namespace: Invalid value: "\#(String(repeating: "n", count: 64))": must be no more than 63 characters"#]),
    MetadataCase(
        name: "cluster-scoped resources have no namespace", metadata: ["name": "policy", "namespace": "default"],
        namespaced: false, errors: ["metadata.namespace: Forbidden: not allowed on this type"]),
    MetadataCase(
        name: "generation is not negative", metadata: ["name": "policy", "namespace": "default", "generation": -1],
        errors: ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"]),
    MetadataCase(
        name: "label keys are qualified names",
        metadata: ["name": "p", "namespace": "d", "labels": ["bad key": "v", "example.com/ok": "v"]],
        errors: [#"metadata.labels: Invalid value: "bad key": name part "# + qualifiedNameRegex]),
    MetadataCase(
        name: "label key with an empty name part", metadata: ["name": "p", "namespace": "d", "labels": ["example.com/": "v"]],
        errors: [
            #"metadata.labels: Invalid value: "example.com/": name part must be non-empty"#,
            #"metadata.labels: Invalid value: "example.com/": name part "# + qualifiedNameRegex,
        ]),
    MetadataCase(
        name: "label key with an empty prefix", metadata: ["name": "p", "namespace": "d", "labels": ["/a": "v"]],
        errors: [#"metadata.labels: Invalid value: "/a": prefix part must be non-empty"#]),
    MetadataCase(
        name: "label key with an invalid prefix", metadata: ["name": "p", "namespace": "d", "labels": ["Example.com/a": "v"]],
        errors: [#"metadata.labels: Invalid value: "Example.com/a": prefix part "# + subdomainMessage]),
    MetadataCase(
        name: "label key with two slashes", metadata: ["name": "p", "namespace": "d", "labels": ["a/b/c": "v"]],
        errors: [
            #"metadata.labels: Invalid value: "a/b/c": a qualified name "# + qualifiedNameRegex
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]),
    MetadataCase(
        name: "label key name part at most 63",
        metadata: ["name": "p", "namespace": "d", "labels": [String(repeating: "k", count: 64): "v"]],
        errors: [#"metadata.labels: Invalid value: "\#(String(repeating: "k", count: 64))": name part must be no more than 63 characters"#]),
    MetadataCase(
        name: "label values", metadata: ["name": "p", "namespace": "d", "labels": ["a": "bad value", "b": ""]],
        errors: [#"metadata.labels: Invalid value: "bad value": "# + labelValueMessage]),
    MetadataCase(
        name: "label values at most 63",
        metadata: ["name": "p", "namespace": "d", "labels": ["a": .string(String(repeating: "v", count: 64))]],
        errors: [#"metadata.labels: Invalid value: "\#(String(repeating: "v", count: 64))": must be no more than 63 characters"#]),
    MetadataCase(
        name: "annotation keys are case-insensitive qualified names",
        metadata: ["name": "p", "namespace": "d", "annotations": ["Example.COM/Key": "v", "bad key": "v"]],
        errors: [#"metadata.annotations: Invalid value: "bad key": name part "# + qualifiedNameRegex]),
    MetadataCase(
        name: "annotations total at most 256 KiB",
        metadata: ["name": "p", "namespace": "d", "annotations": ["a": .string(String(repeating: "x", count: 262_144))]],
        errors: ["metadata.annotations: Too long: may not be more than 262144 bytes"]),
    MetadataCase(
        name: "annotations of exactly 256 KiB",
        metadata: ["name": "p", "namespace": "d", "annotations": ["a": .string(String(repeating: "x", count: 262_143))]],
        errors: []),
    MetadataCase(
        name: "finalizers are qualified names",
        metadata: ["name": "p", "namespace": "d", "finalizers": ["example.com/cleanup", "bad finalizer"]],
        errors: [#"metadata.finalizers: Invalid value: "bad finalizer": name part "# + qualifiedNameRegex]),
    MetadataCase(
        name: "orphan and foregroundDeletion conflict",
        metadata: ["name": "p", "namespace": "d", "finalizers": ["orphan", "foregroundDeletion"]],
        errors: [
            #"metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set"#
        ]),
    MetadataCase(
        name: "owner references need apiVersion, kind, name and uid",
        metadata: ["name": "p", "namespace": "d", "ownerReferences": [["apiVersion": "a/b/c"]]],
        errors: [
            #"metadata.ownerReferences.apiVersion: Invalid value: "a/b/c": version must not be empty"#,
            #"metadata.ownerReferences.kind: Invalid value: "": must not be empty"#,
            #"metadata.ownerReferences.name: Invalid value: "": must not be empty"#,
            #"metadata.ownerReferences.uid: Invalid value: "": must not be empty"#,
        ]),
    MetadataCase(
        name: "errors come in upstream order",
        metadata: ["name": "Bad", "namespace": "Bad", "generation": -1, "labels": ["k": "bad value"], "annotations": ["bad key": ""]],
        errors: [
            #"metadata.name: Invalid value: "Bad": "# + subdomainMessage,
            #"metadata.namespace: Invalid value: "Bad": "# + labelMessage,
            "metadata.generation: Invalid value: -1: must be greater than or equal to 0",
            #"metadata.labels: Invalid value: "bad value": "# + labelValueMessage,
            #"metadata.annotations: Invalid value: "bad key": name part "# + qualifiedNameRegex,
        ]),
]

@Suite struct ValidationMetadataTests {
    @Test(arguments: metadataCases)
    func metadata(_ c: MetadataCase) {
        let errors = ObjectMetaValidation.validate(c.metadata, namespaced: c.namespaced)
        #expect(errors.map(\.description) == c.errors)
    }

    @Test func builtInPatternsCompile() {
        #expect(NameValidation.dns1123LabelRegex != nil)
        #expect(NameValidation.dns1123SubdomainRegex != nil)
        #expect(NameValidation.qualifiedNameRegex != nil)
        #expect(NameValidation.labelValueRegex != nil)
        #expect(DateTimeFormat.timePattern != nil)
    }

    @Test func byteScannersAgreeWithUpstreamRegexes() throws {
        let label = try #require(NameValidation.dns1123LabelRegex)
        let subdomain = try #require(NameValidation.dns1123SubdomainRegex)
        let qualified = try #require(NameValidation.qualifiedNameRegex)
        let labelValue = try #require(NameValidation.labelValueRegex)
        let alphabet: [Character] = ["a", "z", "0", "9", "A", "-", ".", "_", "/", "é", " "]
        var rng = SplitMix64(seed: 7)
        for _ in 0..<4000 {
            var s = ""
            for _ in 0..<Int.random(in: 0..<7, using: &rng) { s.append(alphabet.randomElement(using: &rng) ?? "a") }
            #expect(NameValidation.matchesDNS1123Label(s) == label.matches(s), "\(s.debugDescription)")
            #expect(NameValidation.matchesDNS1123Subdomain(s) == subdomain.matches(s), "\(s.debugDescription)")
            #expect(NameValidation.matchesQualifiedName(s) == qualified.matches(s), "\(s.debugDescription)")
            #expect(NameValidation.matchesLabelValue(s) == labelValue.matches(s), "\(s.debugDescription)")
        }
    }

    @Test func nameHelpers() {
        #expect(NameValidation.isDNS1123Label("a.b") == ["must not contain dots"])
        #expect(NameValidation.isDNS1123Subdomain("a.b").isEmpty)
        #expect(NameValidation.isQualifiedName("").count == 2)
        #expect(NameValidation.isValidLabelValue("").isEmpty)
        // The upstream mask replaces the last two bytes with `a`.
        #expect(NameValidation.maskTrailingDash("ab-") == "aa")
        #expect(NameValidation.maskTrailingDash("-") == "-")
        #expect(NameValidation.nameIsDNSSubdomain("x-", prefix: true).isEmpty)
        #expect(NameValidation.nameIsDNSLabel("-", prefix: true).count == 1)
    }

    @Test func knownFieldsMatchTheVendoredObjectMetaSchema() throws {
        let components = try SchemaComponents(json: try ValidationFixtures.vendored("meta_v1_schemas.json"))
        let objectMeta = try #require(components["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"])
        #expect(objectMeta.propertyNames.sorted() == ObjectMetaValidation.knownFields)
    }

    @Test func updateForbidsNewFinalizersWhileDeleting() {
        let old: JSONValue = ["name": "p", "namespace": "d", "deletionTimestamp": "2024-01-01T00:00:00Z", "finalizers": ["a.io/x"]]
        let new = old.setting("finalizers", to: ["a.io/x", "b.io/y", "a.io/z"])
        #expect(
            ObjectMetaValidation.validateUpdate(new, old: old).map(\.description) == [
                #"metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a.io/z", "b.io/y"}"#
            ])
    }
}
