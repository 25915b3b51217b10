import DatumJSON
import DatumKit
import Synchronization

/// The schemas the connected control plane publishes, as models to validate manifests with.
///
/// When a command is connected, the server's schema is the truth: a project may serve a newer,
/// older or Datum-specific release of a kind than the one compiled into datumctl, and other
/// versions of it (`v1alpha3` beside `v1`). Each group-version's OpenAPI v3 document is read once
/// per run, through the on-disk cache keyed by the hash in `/openapi/v3` (a warm run costs the
/// index request only), and every kind of it is validated from its own schema.
///
/// Built-in Kubernetes kinds (the core group and `*.k8s.io` groups other than the Gateway API's)
/// are left to the server as before: their rules live in Go code, not in their schemas. When the
/// server cannot be asked, the schema compiled in is used instead, and the command says so once.
final class ServerSchemas: Sendable {
    /// Where a kind's model came from, for `validate` to say.
    enum Source: Sendable, Equatable {
        case server
        /// The embedded schema, because the server's could not be read (the reason).
        case builtin(String)
    }

    private struct State: Sendable {
        var index: Result<JSONValue, CLIError>?
        var documents: [String: Result<JSONValue?, CLIError>] = [:]
        var models: [GroupVersionKind: (CRDModel, Source)?] = [:]
        var noted = false
    }

    private let client: ProjectClient
    private let cache: OpenAPICache?
    private let resolve: @Sendable (GroupVersionKind) throws(CLIError) -> APIResource
    private let note: @Sendable (String) -> Void
    private let state = Mutex(State())

    init(
        client: ProjectClient, cache: OpenAPICache?,
        resolve: @escaping @Sendable (GroupVersionKind) throws(CLIError) -> APIResource,
        note: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.cache = cache
        self.resolve = resolve
        self.note = note
    }

    /// Whether datumctl validates `group`'s kinds from their schema (custom resources) or leaves
    /// them to the server's code (Kubernetes' own kinds).
    static func validatesLocally(group: String) -> Bool {
        if group == BuiltinSchemas.backendTLSPolicyResource.group { return true }
        guard group.contains(".") else { return false }
        return !group.hasSuffix(".k8s.io")
    }

    /// The model of `gvk` and where it came from; nil for kinds that are not validated locally.
    /// Safe to call from several threads: each document is read once, the others wait for it.
    func model(for gvk: GroupVersionKind) -> (CRDModel, Source)? {
        guard Self.validatesLocally(group: gvk.group) else { return nil }
        return state.withLock { state in
            if let known = state.models[gvk] { return known }
            let found = lookUp(gvk, &state)
            state.models[gvk] = found
            return found
        }
    }

    private func lookUp(_ gvk: GroupVersionKind, _ state: inout State) -> (CRDModel, Source)? {
        let key = "apis/\(gvk.group)/\(gvk.version)"
        let document: JSONValue
        do throws(CLIError) {
            guard let fetched = try self.document(key, &state) else {
                // The server does not serve this group-version: it will say so when asked.
                return nil
            }
            document = fetched
        } catch {
            // An unreachable server, or one that refuses these credentials, fails the command's
            // own requests too, which say so; only other reasons (a missing or broken document)
            // deserve a note here.
            let sayNothing =
                error.kind == .connection || error.kind == .authentication || error.code == 401
                || error.code == 403
            return fallBack(gvk, because: sayNothing ? nil : error.message, &state)
        }
        let resource: APIResource
        do throws(CLIError) {
            resource = try resolve(gvk)
        } catch {
            return nil
        }
        let names = CRDDescriptor.Names(
            plural: resource.name,
            singular: resource.singularName.isEmpty ? gvk.kind.lowercased() : resource.singularName,
            shortNames: resource.shortNames, kind: gvk.kind, listKind: gvk.kind + "List",
            categories: resource.categories)
        switch CRDModel.published(
            in: document, group: gvk.group, version: gvk.version, names: names, namespaced: resource.namespaced)
        {
        case .success(let model): return (model, .server)
        case .failure(let error): return fallBack(gvk, because: error.message, &state)
        }
    }

    /// The embedded model, when there is one, with a note that the server's schema was not used.
    private func fallBack(_ gvk: GroupVersionKind, because reason: String?, _ state: inout State) -> (CRDModel, Source)?
    {
        guard let model = BuiltinSchemas.model(for: gvk) else { return nil }
        if let reason, !state.noted {
            state.noted = true
            note("cannot read the server's schema (\(reason)); validating with the schema built into datumctl")
        }
        return (model, .builtin(reason ?? "the server cannot be reached"))
    }

    /// The document of `key` (`apis/gateway.networking.k8s.io/v1`), nil when the index lists none.
    private func document(_ key: String, _ state: inout State) throws(CLIError) -> JSONValue? {
        if let known = state.documents[key] { return try known.get() }
        let index: JSONValue
        if let known = state.index {
            index = try known.get()
        } else {
            do throws(CLIError) {
                index = try client.getJSON(client.scope.url("/openapi/v3"))
                state.index = .success(index)
            } catch {
                state.index = .failure(error)
                throw error
            }
        }
        let fetched: Result<JSONValue?, CLIError>
        do throws(CLIError) {
            fetched = .success(
                try OpenAPICache.groupVersionDocument(key: key, index: index, client: client, cache: cache))
        } catch {
            fetched = .failure(error)
        }
        state.documents[key] = fetched
        return try fetched.get()
    }
}
