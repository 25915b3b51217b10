import DatumJSON
import Testing

@testable import DatumKit

@Suite struct ValidationPipelineTests {
    static let crd: JSONValue = (try? ValidationFixtures.crd()) ?? .null
    static let schema: OpenAPISchema = (try? CRDSchemas.load(crd: crd)["v1"]) ?? OpenAPISchema()
    static let descriptor: CRDDescriptor? = try? CRDDescriptor(crd: crd)

    private func validate(_ object: JSONValue, mode: ValidationMode = .create, old: JSONValue? = nil) throws
        -> ValidationResult
    {
        let descriptor = try #require(ValidationPipelineTests.descriptor)
        return SchemaValidator(descriptor: descriptor, version: "v1")
            .validate(object, against: ValidationPipelineTests.schema, mode: mode, old: old)
    }

    @Test func unknownFieldsAreCollectedSortedAndPruned() throws {
        var object = RuleFixtures.policy
        object = object.setting("spec.foo", to: 1)
        object = object.setting("spec.targetRefs[0].bar", to: ["x": 1])
        object = object.setting("spec.validation.subjectAltNames", to: [["type": "Hostname", "hostname": "a.b", "extra": true]])
        object = object.setting("extra", to: "x")
        object = object.setting("metadata.foo", to: "y")
        let result = try validate(object)
        #expect(result.errors.isEmpty)
        #expect(
            result.unknownFields == [
                "extra", "spec.foo", "spec.targetRefs[0].bar", "spec.validation.subjectAltNames[0].extra", "metadata.foo",
            ])
        #expect(
            result.strictDecodingMessage
                == #"strict decoding error: unknown field "extra", unknown field "spec.foo", unknown field "spec.targetRefs[0].bar", unknown field "spec.validation.subjectAltNames[0].extra", unknown field "metadata.foo""#
        )
        #expect(result.unknownFieldWarnings.first == #"unknown field "extra""#)
        // The stored object is the original policy plus the (known) SAN entry.
        let expected = RuleFixtures.policy.setting(
            "spec.validation.subjectAltNames", to: [["type": "Hostname", "hostname": "a.b"]])
        #expect(result.object == expected)
        #expect(try validate(RuleFixtures.policy).strictDecodingMessage == nil)
    }

    @Test func pruningKeepsPreservedAndEmbeddedFields() {
        var schema = OpenAPISchema()
        schema.type = "object"
        var open = OpenAPISchema()
        open.type = "object"
        open.preserveUnknownFields = true
        var known = OpenAPISchema()
        known.type = "object"
        var leaf = OpenAPISchema()
        leaf.type = "string"
        known.setProperty("a", leaf)
        open.setProperty("known", known)
        var embedded = OpenAPISchema()
        embedded.type = "object"
        embedded.embeddedResource = true
        schema.setProperty("open", open)
        schema.setProperty("embedded", embedded)
        let value: JSONValue = [
            "open": ["anything": 1, "known": ["a": "x", "b": "y"]],
            "embedded": ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"], "data": 1],
        ]
        let (pruned, unknown) = SchemaNormalization.prune(value, schema: schema, isResourceRoot: false)
        #expect(unknown == ["embedded.data", "open.known.b"])
        #expect(
            pruned == [
                "open": ["anything": 1, "known": ["a": "x"]],
                "embedded": ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]],
            ])
    }

    @Test func theGoClientStatusStubIsIgnoredOnCreateAndUpdate() throws {
        let object = RuleFixtures.policy.setting("status", to: ["ancestors": nil])
        for mode in [ValidationMode.create, .update] {
            let result = try validate(object, mode: mode)
            #expect(result.errors.isEmpty)
            #expect(result.object["status"] == nil)
        }
        // Even an invalid status is dropped, not validated, on the main resource.
        let invalid = RuleFixtures.policy.setting("status", to: ["ancestors": "garbage"])
        #expect(try validate(invalid).errors.isEmpty)
    }

    @Test func statusWritesValidateStatusOnlyAndApplyDefaults() throws {
        // An invalid spec does not matter on /status writes.
        var object = RuleFixtures.policyWithStatus.setting("spec.validation.hostname", to: "NOT VALID")
        object = object.setting("status.ancestors[0].ancestorRef", to: ["name": "gw"])
        let result = try validate(object, mode: .status)
        #expect(result.errors.isEmpty)
        #expect(result.object["status"]?["ancestors"]?[0]?["ancestorRef"] == ["name": "gw", "group": "gateway.networking.k8s.io", "kind": "Gateway"])
    }

    @Test func defaultsApplyToMissingAndNullFields() {
        let schema = ValidationPipelineTests.schema
        let status: JSONValue = ["ancestors": [["ancestorRef": ["name": "gw", "kind": nil, "group": "example.com"]]]]
        let defaulted = SchemaNormalization.applyDefaults(["status": status], schema: schema)
        #expect(defaulted["status"]?["ancestors"]?[0]?["ancestorRef"] == ["name": "gw", "kind": "Gateway", "group": "example.com"])
        // spec has no defaults at all.
        #expect(SchemaNormalization.applyDefaults(RuleFixtures.policy, schema: schema) == RuleFixtures.policy)
    }

    @Test func nonNullableNullsAreDroppedButArrayNullsStay() {
        let schema = ValidationPipelineTests.schema
        let value = RuleFixtures.policy.setting("spec.options", to: nil).setting("spec.validation.subjectAltNames", to: .null)
            .setting("spec.targetRefs[1]", to: .null)
        let dropped = SchemaNormalization.dropNonNullableNulls(value, schema: schema)
        #expect(dropped["spec"]?["validation"]?["subjectAltNames"] == nil)
        #expect(dropped["spec"]?["targetRefs"]?[1] == .null)
    }

    @Test func blockingErrorsSkipCELAndSayWhy() throws {
        // A missing SAN type (blocking) hides the trust-source CEL error.
        let object = RuleFixtures.policy.setting("spec.validation.caCertificateRefs", to: nil)
            .setting("spec.validation.subjectAltNames", to: [["hostname": "a.b"]])
        let result = try validate(object)
        #expect(result.celSkipped)
        #expect(
            result.errors.map(\.description) == [
                "spec.validation.subjectAltNames[0].type: Required value", RuleFixtures.notice,
            ])
        #expect(result.errors.last?.field == "<nil>")
        // A non-blocking pattern error lets CEL run.
        let nonBlocking = RuleFixtures.policy.setting("spec.validation.caCertificateRefs", to: nil)
            .setting("spec.validation.hostname", to: "UPPER")
        let second = try validate(nonBlocking)
        #expect(!second.celSkipped)
        #expect(
            second.errors.map(\.description) == [
                RuleFixtures.patternError("spec.validation.hostname", "UPPER", RuleFixtures.dnsPattern),
                RuleFixtures.mustSpecifyEither,
            ])
    }

    @Test func metadataErrorsComeFirstAndCanBlockCEL() throws {
        let object = RuleFixtures.policy.setting("metadata.name", to: nil).setting("spec.validation.caCertificateRefs", to: nil)
        let result = try validate(object)
        #expect(
            result.errors.map(\.description) == [
                "metadata.name: Required value: name or generateName is required", RuleFixtures.notice,
            ])
        let invalidName = RuleFixtures.policy.setting("metadata.name", to: "Bad").setting("spec.validation.caCertificateRefs", to: nil)
        #expect(try validate(invalidName).errors.map(\.description).last == RuleFixtures.mustSpecifyEither)
    }

    @Test func typeMetaMustMatchTheCRDVersion() throws {
        let object = RuleFixtures.policy.setting("apiVersion", to: "gateway.networking.k8s.io/v1alpha3")
            .setting("kind", to: "Gateway").setting("spec", to: nil)
        #expect(
            try validate(object).errors.map(\.description) == [
                #"kind: Invalid value: "Gateway": must be BackendTLSPolicy"#,
                #"apiVersion: Invalid value: "gateway.networking.k8s.io/v1alpha3": must be gateway.networking.k8s.io/v1"#,
            ])
    }

    @Test func malformedMetadataIsADecodeError() throws {
        let object = RuleFixtures.policy.setting("metadata.labels", to: ["a": 1]).setting("metadata.generation", to: "1")
        let result = try validate(object)
        #expect(result.decodeErrors == ["metadata.labels: expected map of strings, got object", "metadata.generation: expected integer, got string"])
        #expect(!result.isValid)
        #expect(result.errors.isEmpty)
        #expect(result.object["metadata"] == ["name": "policy", "namespace": "default"])
    }

    @Test func updatesCheckImmutableMetadataAgainstTheStoredObject() throws {
        let old = RuleFixtures.policy.setting("metadata.uid", to: "u1").setting("metadata.generation", to: 3)
        let renamed = old.setting("metadata.name", to: "other").setting("metadata.generation", to: 2)
        #expect(
            try validate(renamed, mode: .update, old: old).errors.map(\.description) == [
                "metadata.generation: Invalid value: 2: must not be decremented",
                #"metadata.name: Invalid value: "other": field is immutable"#,
            ])
        #expect(try validate(old, mode: .update, old: old).errors.isEmpty)
    }

    @Test func unknownRulesAreInternalErrors() {
        var spec = OpenAPISchema()
        spec.type = "object"
        spec.validations = [ValidationRule(rule: "self.replicas > 1", message: "too few")]
        var root = OpenAPISchema()
        root.type = "object"
        root.setProperty("spec", spec)
        let validator = SchemaValidator(options: .init(validatesObjectMeta: false))
        let result = validator.validate(["spec": [:]], against: root, mode: .create)
        #expect(result.errors.map(\.description) == ["spec: Internal error: CEL rule has no datumctl implementation: self.replicas > 1"])
    }

    @Test func ruleReasonsMessagesAndFieldPathsShapeTheError() {
        func run(_ rule: ValidationRule) -> [String] {
            var spec = OpenAPISchema()
            spec.type = "object"
            spec.validations = [rule]
            var root = OpenAPISchema()
            root.type = "object"
            root.setProperty("spec", spec)
            var registry = CELRuleRegistry()
            registry.register("false") { _ in .fail }
            registry.register("boom") { _ in .error("no such key: x") }
            let validator = SchemaValidator(options: .init(validatesObjectMeta: false, rules: registry))
            return validator.validate(["spec": [:]], against: root, mode: .create).errors.map(\.description)
        }
        #expect(run(ValidationRule(rule: "false")) == [#"spec: Invalid value: "object": failed rule: false"#])
        #expect(run(ValidationRule(rule: "false", message: "  padded  ")) == [#"spec: Invalid value: "object": padded"#])
        #expect(run(ValidationRule(rule: "false", message: "m", reason: "FieldValueForbidden")) == ["spec: Forbidden: m"])
        #expect(run(ValidationRule(rule: "false", message: "m", reason: "FieldValueRequired")) == ["spec: Required value: m"])
        #expect(run(ValidationRule(rule: "false", message: "m", reason: "FieldValueDuplicate")) == [#"spec: Duplicate value: "object""#])
        #expect(run(ValidationRule(rule: "false", message: "m", fieldPath: ".replicas")) == [#"spec.replicas: Invalid value: "object": m"#])
        #expect(run(ValidationRule(rule: "boom", message: "m")) == [#"spec: Invalid value: "object": no such key: x evaluating rule: m"#])
    }

    @Test func everyCRDRuleHasAnImplementation() throws {
        var rules: [String] = []
        func collect(_ schema: OpenAPISchema) {
            rules += schema.validations.map(\.rule)
            schema.properties.forEach { collect($0.schema) }
            if let items = schema.items { collect(items) }
            if let additional = schema.additionalPropertiesSchema { collect(additional) }
        }
        let schemas = try CRDSchemas.load(crd: ValidationPipelineTests.crd)
        for version in ["v1", "v1alpha3"] { collect(try #require(schemas[version])) }
        #expect(rules.count == 16)
        for rule in rules {
            #expect(CELRuleRegistry.gatewayAPI.implementation(for: rule) != nil, "missing \(rule)")
        }
        #expect(Set(rules).count == 8)
        #expect(CELRuleRegistry.gatewayAPI.rules.count == 8)
    }

    @Test func listTypeSetsReportTheSecondOccurrence() {
        var items = OpenAPISchema()
        items.type = "string"
        var list = OpenAPISchema()
        list.type = "array"
        list.listType = "set"
        list.items = items
        var root = OpenAPISchema()
        root.type = "object"
        root.setProperty("tags", list)
        let validator = SchemaValidator(options: .init(validatesObjectMeta: false))
        let result = validator.validate(["tags": ["a", "b", "a", "a", "b"]], against: root, mode: .create)
        #expect(result.errors.map(\.description) == [#"tags[2]: Duplicate value: "a""#, #"tags[4]: Duplicate value: "b""#])
    }

    @Test func nonObjectsAreRejected() throws {
        #expect(try validate("x").errors.map(\.description) == [#"<nil>: Invalid value: "string": the object must be a JSON object"#])
    }
}
