import DatumJSON
import DatumYAML

/// A custom resource definition as datumctl uses it: names, the served version's
/// schema, and a validator configured exactly like kube-apiserver's.
public struct CRDModel: Sendable {
    /// The CRD document itself.
    public var crd: JSONValue
    public var descriptor: CRDDescriptor
    /// The served storage version (`v1`).
    public var version: String
    public var schema: OpenAPISchema
    public var validator: SchemaValidator

    public var gvk: GroupVersionKind {
        GroupVersionKind(group: descriptor.group, version: version, kind: descriptor.names.kind)
    }
}

/// A built-in resource's identity: what discovery would say about it.
public struct BuiltinResource: Sendable, Hashable {
    public var group: String
    public var version: String
    public var names: CRDDescriptor.Names
    public var namespaced: Bool
}

/// Schemas compiled into the binary from the vendored upstream documents, parsed once on first use.
public enum BuiltinSchemas {
    /// BackendTLSPolicy's identity exactly as the embedded CRD declares it, without parsing the
    /// CRD: commands that only resolve names (`get`, `delete`, `explain` against a server) start
    /// faster. A test checks it against ``backendTLSPolicy``.
    public static let backendTLSPolicyResource = BuiltinResource(
        group: "gateway.networking.k8s.io", version: "v1",
        names: CRDDescriptor.Names(
            plural: "backendtlspolicies", singular: "backendtlspolicy", shortNames: ["btlspolicy"],
            kind: "BackendTLSPolicy", listKind: "BackendTLSPolicyList", categories: ["gateway-api"]),
        namespaced: true)

    /// The Gateway API v1.6.1 BackendTLSPolicy CRD, or why it could not be read (a build defect
    /// that the drift tests catch; callers report it instead of crashing).
    public static let backendTLSPolicy: Result<CRDModel, SchemaError> = {
        do {
            let reader = YAMLDocumentReader(YAMLSource(name: "backendtlspolicies CRD", text: EmbeddedUpstream.backendTLSPolicyCRD))
            guard let json = try reader.next()?.jsonValue() else {
                return .failure(SchemaError(path: "", message: "the embedded CRD is empty"))
            }
            let descriptor = try CRDDescriptor(crd: json)
            guard let version = descriptor.versions.first(where: { $0.served && $0.storage })?.name,
                let schema = try CRDSchemas.load(crd: json)[version]
            else {
                return .failure(SchemaError(path: "", message: "the embedded CRD serves no storage version"))
            }
            return .success(
                CRDModel(
                    crd: json, descriptor: descriptor, version: version, schema: schema,
                    validator: SchemaValidator(descriptor: descriptor, version: version)))
        } catch let error as SchemaError {
            return .failure(error)
        } catch {
            return .failure(SchemaError(path: "", message: "\(error)"))
        }
    }()

    /// The Kubernetes `io.k8s.apimachinery.pkg.apis.meta.v1.*` schemas kube-apiserver publishes.
    public static let metaV1: Result<SchemaComponents, SchemaError> = {
        do throws(SchemaError) {
            return .success(try SchemaComponents(json: .object(try PublishedSchemas.metaSchemas())))
        } catch {
            return .failure(error)
        }
    }()

    public static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

    /// The model for a kind datumctl validates locally, or `nil` for kinds it passes through.
    public static func model(for gvk: GroupVersionKind) -> CRDModel? {
        guard gvk == .backendTLSPolicy, case .success(let model) = backendTLSPolicy else { return nil }
        return model
    }
}
