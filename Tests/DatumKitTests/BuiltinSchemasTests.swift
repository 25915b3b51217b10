import Testing

@testable import DatumKit

@Suite struct BuiltinSchemasTests {
    /// The hand-written identity (used so name resolution never parses the CRD) is the CRD's.
    @Test func backendTLSPolicyResourceIsWhatTheCRDDeclares() throws {
        let model = try BuiltinSchemas.backendTLSPolicy.get()
        let resource = BuiltinSchemas.backendTLSPolicyResource
        #expect(resource.group == model.descriptor.group)
        #expect(resource.version == model.version)
        #expect(resource.names == model.descriptor.names)
        #expect(resource.namespaced == (model.descriptor.scope == .namespaced))
    }

    @Test func embeddedSchemasLoad() throws {
        let model = try BuiltinSchemas.backendTLSPolicy.get()
        #expect(model.gvk == GroupVersionKind(group: "gateway.networking.k8s.io", version: "v1", kind: "BackendTLSPolicy"))
        _ = try BuiltinSchemas.metaV1.get()
    }
}
