import DatumKit
import Synchronization

/// The BackendTLSPolicy definition this process serves: the built-in Gateway API v1.6.1 CRD, or
/// the one `--crd FILE` names. Set once at start, before any request is answered, and read by
/// validation and by the OpenAPI documents, so what the server enforces and what it publishes
/// are always the same schema.
enum ServedCRDs {
    private static let override = Mutex<CRDModel?>(nil)

    /// The model validation and publication use.
    static var backendTLSPolicy: CRDModel? {
        if let model = override.withLock({ $0 }) { return model }
        return try? BuiltinSchemas.backendTLSPolicy.get()
    }

    /// Reads a CRD file and serves it in place of the built-in one; it must define
    /// backendtlspolicies.gateway.networking.k8s.io with a served storage version.
    static func serve(file path: String) throws(SandboxConfigurationError) {
        guard let text = FileIO.read(path) else {
            throw SandboxConfigurationError("cannot read the CRD file \(path)")
        }
        let model: CRDModel
        switch CRDModel.load(name: path, text: text) {
        case .success(let loaded): model = loaded
        case .failure(let error): throw SandboxConfigurationError("\(path): \(error)")
        }
        let expected = BuiltinSchemas.backendTLSPolicyResource
        guard model.descriptor.group == expected.group, model.descriptor.names.plural == expected.names.plural,
            model.descriptor.names.kind == expected.names.kind, model.version == expected.version
        else {
            throw SandboxConfigurationError(
                "\(path) defines \(model.descriptor.names.plural).\(model.descriptor.group) \(model.version); "
                    + "--crd replaces \(expected.names.plural).\(expected.group) \(expected.version) only")
        }
        override.withLock { $0 = model }
    }
}
