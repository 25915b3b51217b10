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
    public static let backendTLSPolicy: Result<CRDModel, SchemaError> = CRDModel.load(
        name: "backendtlspolicies CRD", text: EmbeddedUpstream.backendTLSPolicyCRD)

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

extension CRDModel {
    /// Reads a CRD document (YAML) and builds the model of its served storage version, or says
    /// why it cannot.
    public static func load(name: String, text: String, rules: CELRuleRegistry = .gatewayAPI) -> Result<
        CRDModel, SchemaError
    > {
        do {
            let reader = YAMLDocumentReader(YAMLSource(name: name, text: text))
            guard let json = try reader.next()?.jsonValue() else {
                return .failure(SchemaError(path: "", message: "\(name) is empty"))
            }
            let descriptor = try CRDDescriptor(crd: json)
            guard let version = descriptor.versions.first(where: { $0.served && $0.storage })?.name,
                let schema = try CRDSchemas.load(crd: json)[version]
            else {
                return .failure(SchemaError(path: "", message: "\(name) serves no storage version"))
            }
            return .success(
                CRDModel(
                    crd: json, descriptor: descriptor, version: version, schema: schema,
                    validator: SchemaValidator(descriptor: descriptor, version: version, rules: rules)))
        } catch let error as SchemaError {
            return .failure(error)
        } catch {
            return .failure(SchemaError(path: "", message: "\(error)"))
        }
    }
}
