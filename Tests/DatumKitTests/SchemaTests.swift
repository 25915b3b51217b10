import DatumJSON
import Testing

@testable import DatumKit

@Suite struct SchemaCRDTests {
    static let crd: JSONValue = (try? ValidationFixtures.crd()) ?? .null

    @Test func descriptorHasTheCRDIdentity() throws {
        let d = try CRDDescriptor(crd: SchemaCRDTests.crd)
        #expect(d.name == "backendtlspolicies.gateway.networking.k8s.io")
        #expect(d.group == "gateway.networking.k8s.io")
        #expect(d.scope == .namespaced)
        #expect(
            d.names
                == CRDDescriptor.Names(
                    plural: "backendtlspolicies", singular: "backendtlspolicy", shortNames: ["btlspolicy"],
                    kind: "BackendTLSPolicy", listKind: "BackendTLSPolicyList", categories: ["gateway-api"]))
        #expect(d.groupKind == "BackendTLSPolicy.gateway.networking.k8s.io")
        #expect(d.apiVersion("v1") == "gateway.networking.k8s.io/v1")
        #expect(d.labels == ["gateway.networking.k8s.io/policy": "Direct"])
        #expect(
            d.annotations == [
                "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/4530",
                "gateway.networking.k8s.io/bundle-version": "v1.6.1",
                "gateway.networking.k8s.io/channel": "standard",
            ])
        let age = CRDDescriptor.PrinterColumn(
            name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", format: nil, description: nil, priority: 0)
        #expect(
            d.versions == [
                CRDDescriptor.Version(
                    name: "v1", served: true, storage: true, deprecated: false, deprecationWarning: nil,
                    printerColumns: [age], hasStatusSubresource: true, scale: nil),
                CRDDescriptor.Version(
                    name: "v1alpha3", served: false, storage: false, deprecated: true,
                    deprecationWarning:
                        "The v1alpha3 version of BackendTLSPolicy has been deprecated and will be removed in a future release of the API. Please upgrade to v1.",
                    printerColumns: [], hasStatusSubresource: true, scale: nil),
            ])
        #expect(d.storageVersion?.name == "v1")
        #expect(d.servedVersions.map(\.name) == ["v1"])
    }

    @Test func namesAreDefaultedLikeTheAPIServer() throws {
        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": [
                "group": "example.com", "scope": "Cluster",
                "names": ["kind": "Widget", "plural": "widgets"],
                "versions": [
                    [
                        "name": "v1", "served": true, "storage": true,
                        "schema": ["openAPIV3Schema": ["type": "object"]],
                        "subresources": [
                            "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"]
                        ],
                        "additionalPrinterColumns": [["name": "Size", "type": "integer", "jsonPath": ".spec.size", "priority": 1]],
                    ]
                ],
            ],
        ]
        let d = try CRDDescriptor(crd: crd)
        #expect(d.names.singular == "widget")
        #expect(d.names.listKind == "WidgetList")
        #expect(d.names.shortNames.isEmpty && d.names.categories.isEmpty)
        #expect(d.scope == .cluster)
        #expect(d.versions[0].hasStatusSubresource == false)
        #expect(d.versions[0].scale == CRDDescriptor.Scale(specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: nil))
        #expect(d.versions[0].printerColumns[0].priority == 1)
        #expect(try CRDSchemas.load(crd: crd)["v1"]?.type == "object")
    }

    @Test func malformedCRDsAreReportedWithTheirPath() {
        func error(_ crd: JSONValue) -> String? {
            do {
                _ = try CRDDescriptor(crd: crd)
                _ = try CRDSchemas.load(crd: crd)
                return nil
            } catch {
                return error.description
            }
        }
        let base = SchemaCRDTests.crd
        #expect(error(base.setting("kind", to: "Deployment")) == "kind: expected CustomResourceDefinition, got Deployment")
        #expect(error(base.setting("spec.names.kind", to: nil)) == "spec.names.kind: required field is missing")
        #expect(error(base.setting("spec.scope", to: "Global")) == "spec.scope: expected Namespaced or Cluster, got Global")
        #expect(error(base.setting("spec.versions", to: nil)) == "spec.versions: expected an array of versions")
        #expect(
            error(base.setting("spec.versions[1].schema", to: [:]))
                == "spec.versions[1].schema.openAPIV3Schema: required field is missing")
        #expect(
            error(base.setting("spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.options.maxProperties", to: "16"))
                == "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.options.maxProperties: expected an integer, got string"
        )
    }

    @Test func v1AndV1alpha3SchemasAreIdentical() throws {
        let versions = try #require(SchemaCRDTests.crd["spec"]?["versions"]?.arrayValue)
        #expect(versions.count == 2)
        #expect(versions[0]["schema"] == versions[1]["schema"])
        #expect(try CRDSchemas.load(crd: SchemaCRDTests.crd).keys.sorted() == ["v1", "v1alpha3"])
    }

    @Test func schemaTreeCarriesEveryKeyword() throws {
        let root = try #require(try CRDSchemas.load(crd: SchemaCRDTests.crd)["v1"])
        #expect(root.type == "object")
        #expect(root.required == ["spec"])
        #expect(root.propertyNames == ["apiVersion", "kind", "metadata", "spec", "status"])
        #expect(root.hasValidationRules)

        let spec = try #require(root.property("spec"))
        #expect(spec.propertyNames == ["options", "targetRefs", "validation"])
        #expect(spec.required == ["targetRefs", "validation"])
        #expect(spec.description?.hasPrefix("Spec defines the desired state of BackendTLSPolicy.") == true)

        let targetRefs = try #require(spec.property("targetRefs"))
        #expect(targetRefs.type == "array")
        #expect(targetRefs.minItems == 1 && targetRefs.maxItems == 16)
        #expect(targetRefs.listType == "atomic")
        #expect(targetRefs.validations.map(\.message) == [
            "sectionName must be specified when targetRefs includes 2 or more references to the same target",
            "sectionName must be unique when targetRefs includes 2 or more references to the same target",
        ])
        #expect(targetRefs.validations.map { $0.rule.prefix(17) } == ["self.all(p1, self", "self.all(p1, self"])
        #expect(targetRefs.validations[1].rule.contains("self.exists_one(p2, "))
        let ref = try #require(targetRefs.items)
        #expect(ref.required == ["group", "kind", "name"])
        #expect(ref.property("group")?.pattern?.pattern == #"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#)
        #expect(ref.property("group")?.maxLength == 253 && ref.property("group")?.minLength == nil)
        #expect(ref.property("kind")?.minLength == 1 && ref.property("kind")?.maxLength == 63)

        let options = try #require(spec.property("options"))
        #expect(options.maxProperties == 16)
        let value = try #require(options.additionalPropertiesSchema)
        #expect(value.type == "string" && value.minLength == 0 && value.maxLength == 4096)

        let san = try #require(spec.property("validation")?.property("subjectAltNames")?.items)
        #expect(san.enumValues == nil)
        #expect(san.property("type")?.enumValues == ["Hostname", "URI"])
        #expect(san.validations.count == 4)

        let status = try #require(root.property("status"))
        #expect(!status.hasValidationRules)
        let ancestor = try #require(status.property("ancestors")?.items)
        let ancestorRef = try #require(ancestor.property("ancestorRef"))
        #expect(ancestorRef.property("group")?.defaultValue == "gateway.networking.k8s.io")
        #expect(ancestorRef.property("kind")?.defaultValue == "Gateway")
        let port = try #require(ancestorRef.property("port"))
        #expect(port.format == "int32" && port.minimum == 1 && port.maximum == 65535)
        let conditions = try #require(ancestor.property("conditions"))
        #expect(conditions.listType == "map" && conditions.listMapKeys == ["type"])
        #expect(conditions.items?.property("lastTransitionTime")?.format == "date-time")
        #expect(conditions.items?.property("observedGeneration")?.minimum == 0)
    }

    @Test func allKeywordsParse() throws {
        let json: JSONValue = [
            "type": "object", "nullable": true, "title": "T", "minProperties": 1, "maxProperties": 3,
            "x-kubernetes-preserve-unknown-fields": true, "x-kubernetes-embedded-resource": true,
            "x-kubernetes-map-type": "atomic", "x-kubernetes-patch-strategy": "merge",
            "properties": [
                "n": ["type": "number", "minimum": 0.5, "maximum": 10, "exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": 0.5],
                "ios": ["x-kubernetes-int-or-string": true, "anyOf": [["type": "integer"], ["type": "string"]]],
                "l": ["type": "array", "uniqueItems": true, "items": ["type": "string"], "x-kubernetes-list-type": "set"],
                "r": ["$ref": "#/components/schemas/X", "allOf": [["type": "object"]], "oneOf": [["type": "object"]]],
                "m": ["type": "object", "additionalProperties": true],
            ],
            "x-kubernetes-validations": [
                ["rule": "true", "message": "m", "messageExpression": "'x'", "reason": "FieldValueForbidden", "fieldPath": ".n", "optionalOldSelf": true]
            ],
        ]
        let s = try OpenAPISchema(json: json)
        #expect(s.nullable && s.title == "T" && s.minProperties == 1 && s.maxProperties == 3)
        #expect(s.preserveUnknownFields && s.embeddedResource && s.mapType == "atomic")
        #expect(s.extensions["x-kubernetes-patch-strategy"] == "merge")
        let n = try #require(s.property("n"))
        #expect(n.minimum == 0.5 && n.maximum == 10 && n.exclusiveMinimum && n.exclusiveMaximum && n.multipleOf == 0.5)
        #expect(s.property("ios")?.intOrString == true && s.property("ios")?.anyOf.count == 2)
        #expect(s.property("l")?.uniqueItems == true && s.property("l")?.listType == "set")
        #expect(s.property("r")?.ref == "#/components/schemas/X")
        #expect(s.property("r")?.allOf.count == 1 && s.property("r")?.oneOf.count == 1)
        if case .allowed(true)? = s.property("m")?.additionalProperties {} else { Issue.record("additionalProperties: true") }
        #expect(
            s.validations == [
                ValidationRule(
                    rule: "true", message: "m", messageExpression: "'x'", reason: "FieldValueForbidden", fieldPath: ".n",
                    optionalOldSelf: true)
            ])
        var copy = s
        copy.setProperty("n", nil)
        #expect(copy.propertyNames == ["ios", "l", "r", "m"])
    }

    @Test func malformedSchemasAreErrors() {
        func error(_ json: JSONValue) -> String? {
            do {
                _ = try OpenAPISchema(json: json, path: "root")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error("x") == "root: expected an object, got string")
        #expect(error(["maxLength": "x"]) == "root.maxLength: expected an integer, got string")
        #expect(error(["pattern": "("]) == "root.pattern: error parsing regexp: missing closing ): `(`")
        #expect(error(["items": [["type": "string"]]]) == "root.items: an array of item schemas is not supported")
        #expect(error(["properties": ["a": ["required": [1]]]]) == "root.properties.a.required[0]: expected a string, got integer")
        #expect(error(["x-kubernetes-validations": [["message": "m"]]]) == "root.x-kubernetes-validations[0]: missing rule")
        var deep: JSONValue = ["type": "string"]
        for _ in 0..<70 { deep = ["type": "object", "properties": ["a": deep]] }
        #expect(error(deep)?.hasSuffix("schema nests too deeply") == true)
    }

    @Test func publishedMetaSchemasResolveReferences() throws {
        let components = try SchemaComponents(json: try ValidationFixtures.vendored("meta_v1_schemas.json"))
        #expect(components.schemas.count == 12)
        let objectMeta = try #require(components["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"])
        let creationTimestamp = try #require(objectMeta.property("creationTimestamp"))
        #expect(creationTimestamp.allOf.first?.ref == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time")
        let time = components.dereference(creationTimestamp)
        #expect(time.type == "string" && time.format == "date-time")
        #expect(components.resolve("#/definitions/x") == nil)
        #expect(objectMeta.property("finalizers")?.extensions["x-kubernetes-patch-strategy"] == "merge")
        #expect(objectMeta.property("labels")?.additionalPropertiesSchema?.type == "string")
    }
}
