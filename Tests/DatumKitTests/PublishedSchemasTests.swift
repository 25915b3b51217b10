import DatumJSON
import Testing

@testable import DatumKit

@Suite struct PublishedSchemasTests {
    @Test func schemaPrefixReversesTheGroup() {
        #expect(PublishedSchemas.schemaPrefix(group: "gateway.networking.k8s.io", version: "v1") == "io.k8s.networking.gateway.v1")
        #expect(PublishedSchemas.schemaPrefix(group: "", version: "v1") == ".v1")
    }

    @Test func crdSchemaGetsTypeMetaObjectMetaAndItsGroupVersionKind() throws {
        let crd = try BuiltinSchemas.backendTLSPolicy.get().crd
        let schema = try #require(PublishedSchemas.crdSchema(crd, version: "v1"))
        #expect(schema["properties"]?["metadata"] == PublishedSchemas.objectMetaProperty)
        #expect(schema["properties"]?["apiVersion"] == PublishedSchemas.apiVersionProperty)
        #expect(schema["properties"]?["kind"] == PublishedSchemas.kindProperty)
        #expect(schema["properties"]?["spec"]?["required"] == ["targetRefs", "validation"])
        #expect(
            schema["x-kubernetes-group-version-kind"]
                == [["group": "gateway.networking.k8s.io", "kind": "BackendTLSPolicy", "version": "v1"]])
        #expect(PublishedSchemas.crdSchema(crd, version: "v9") == nil)
    }

    @Test func listSchemaRefersToTheItemsSchemaAndListMeta() {
        let list = PublishedSchemas.listSchema(
            group: "", version: "v1", kind: "ConfigMap", listKind: "ConfigMapList", plural: "configmaps",
            itemSchema: "io.k8s.api.core.v1.ConfigMap")
        #expect(list["description"] == "ConfigMapList is a list of ConfigMap")
        #expect(list["properties"]?["items"]?["items"] == ["$ref": "#/components/schemas/io.k8s.api.core.v1.ConfigMap"])
        #expect(
            list["properties"]?["metadata"]?["allOf"]
                == [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"]])
        #expect(list["required"] == ["items"])
    }

    @Test func metaSchemasHoldObjectMetaWithoutTheProvenanceNote() throws {
        let schemas = try PublishedSchemas.metaSchemas()
        #expect(schemas[PublishedSchemas.metaPrefix + "ObjectMeta"] != nil)
        #expect(schemas[PublishedSchemas.metaPrefix + "ManagedFieldsEntry"] != nil)
        #expect(schemas["_source"] == nil)
    }
}
