import DatumJSON
import DatumKit

/// A user's own control plane (`/apis/iam.miloapis.com/v1alpha1/users/<sub>/control-plane`), as
/// Milo serves it to the signed-in user: the user's memberships across organizations, and the
/// organizations they belong to. Nothing is stored here; it is a read-only view of the
/// organizations' control planes and the platform root.
struct UserControlPlane {
    let server: APIServer
    let authorizer: Authorizer
    let user: String
    let request: SandboxRequest

    var scope: ControlPlaneScope { .user(user) }

    func handle(kubePath: String) throws(APIError) -> SandboxResponse {
        guard let requestPath = RequestPath(kubePath) else { return .text(404, "404 page not found\n") }
        let segments = requestPath.segments
        let discovery = scope.discovery
        if let answer = try server.discoveryResponse(
            segments, scope: scope, accept: request.header("accept") ?? "", ifNoneMatch: request.header("if-none-match")
        ) {
            return answer
        }
        guard segments.count >= 4, segments[0] == "apis",
            let target = ResourceTarget(
                group: segments[1], version: segments[2], segments: Array(segments.dropFirst(3)), discovery: discovery),
            target.subresource == nil, !(requestPath.trailingSlash && target.name != nil)
        else {
            return .text(404, "404 page not found\n")
        }
        guard request.method == "GET", !request.query.flag("watch") else { throw APIError.methodNotAllowed }
        let objects = try visible(target.type, namespace: target.namespace)
        if let name = target.name {
            guard let found = objects.first(where: { $0.name == name }) else {
                throw APIError.notFound(target.type, name)
            }
            return respond(target.type, [found], single: true)
        }
        return respond(target.type, objects, single: false)
    }

    /// The user's memberships, or the organizations they name, sorted as a list would be.
    private func visible(_ type: ResourceType, namespace: String?) throws(APIError) -> [StoredObject] {
        let memberships = try authorizer.allMemberships(of: user)
        if type == MiloResources.organizationMemberships {
            return memberships.filter { namespace == nil || $0.namespace == namespace }.sorted {
                ObjectStore.objectID(namespace: $0.namespace, name: $0.name)
                    < ObjectStore.objectID(namespace: $1.namespace, name: $1.name)
            }
        }
        let names = Set(memberships.compactMap { $0.object["spec"]?["organizationRef"]?["name"]?.stringValue })
        let key = ControlPlaneScope.platform.storageKey
        guard server.store.projectNames.contains(key) else { return [] }
        return try server.store.read(project: key) { tx in
            tx.list(MiloResources.organizations, namespace: nil).filter { names.contains($0.name) }
        }
    }

    private func respond(_ type: ResourceType, _ objects: [StoredObject], single: Bool) -> SandboxResponse {
        let version = server.store.currentResourceVersion
        if (request.header("accept") ?? "").contains("as=Table") {
            return .json(
                200,
                TableConverter.table(
                    for: type, objects: objects.map(\.object), resourceVersion: single ? nil : version,
                    continueToken: nil, remaining: 0, includeObject: request.query["includeObject"]))
        }
        if single, let object = objects.first { return .bytes(200, object.bytes) }
        var body: [UInt8] = Array("{\"apiVersion\":\"\(type.apiVersion)\",\"items\":[".utf8)
        for (index, item) in objects.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: item.bytes)
        }
        body.append(
            contentsOf: "],\"kind\":\"\(type.listKind)\",\"metadata\":{\"resourceVersion\":\"\(version)\"}}".utf8)
        return .bytes(200, body)
    }
}
