import DatumJSON
import DatumKit

/// Who sent a request, and what their credential grants by itself.
struct Principal {
    /// The user name errors print: a subject, or `token-<hash>` for a static token.
    var name: String
    /// The OpenID subject (`sub`) of an issuer's token; `nil` for static tokens.
    var subject: String?
    /// A static token granted every project (`*`): the platform administrator.
    var isAdmin: Bool
    /// Projects granted by flag (`--tokens`, `--dev-issuer-projects`, `--oidc-projects`); `nil`
    /// when no such list applies.
    var listedProjects: ((String) -> Bool)?
}

/// Milo's authorization, from API objects: an `OrganizationMembership` naming a user and an
/// organization lets that user into the organization's control plane and into every project the
/// organization owns (a `Project` in its control plane). Roles `organization-owner` and
/// `organization-admin` may write in the organization's control plane; other members read.
/// The platform root is the administrator's alone; a user's own control plane is that user's.
struct Authorizer {
    let store: ObjectStore

    static let writerRoles: Set<String> = ["organization-owner", "organization-admin"]

    /// The organization that owns `project`, if any organization's control plane holds it.
    func owner(ofProject project: String) throws(APIError) -> String? {
        for key in store.projectNames where key.hasPrefix("organization:") {
            let found = try store.read(project: key) { tx in
                tx.get(MiloResources.projects, namespace: "", name: project) != nil
            }
            if found { return String(key.dropFirst("organization:".count)) }
        }
        return nil
    }

    /// The memberships of `organization` that name `subject`.
    func memberships(of subject: String, in organization: String) throws(APIError) -> [JSONObject] {
        let key = ControlPlaneScope.organization(organization).storageKey
        guard store.projectNames.contains(key) else { return [] }
        return try store.read(project: key) { tx in
            tx.list(MiloResources.organizationMemberships, namespace: nil).map(\.object).filter {
                $0["spec"]?["userRef"]?["name"]?.stringValue == subject
                    && $0["spec"]?["organizationRef"]?["name"]?.stringValue == organization
            }
        }
    }

    /// Every membership naming `subject`, across organizations (the user control plane's list).
    func allMemberships(of subject: String) throws(APIError) -> [StoredObject] {
        var result: [StoredObject] = []
        for key in store.projectNames where key.hasPrefix("organization:") {
            let found = try store.read(project: key) { tx in
                tx.list(MiloResources.organizationMemberships, namespace: nil).filter {
                    $0.object["spec"]?["userRef"]?["name"]?.stringValue == subject
                }
            }
            result += found
        }
        return result
    }

    /// Answers whether `principal` may send `method` to `scope`, or throws the 403.
    func authorize(_ principal: Principal, scope: ControlPlaneScope, method: String, path: String) throws(APIError) {
        if principal.isAdmin { return }
        let reading = method == "GET" || method == "HEAD"
        switch scope {
        case .project(let project):
            if principal.listedProjects?(project) == true { return }
            if let subject = principal.subject {
                if let organization = try owner(ofProject: project) {
                    if try !memberships(of: subject, in: organization).isEmpty { return }
                } else if principal.listedProjects == nil {
                    // A project no organization owns is open to every signed-in user unless the
                    // sandbox was started with a project list (docs/sandbox-auth.md).
                    return
                }
            }
            throw APIError.forbiddenProject(project, user: principal.name)
        case .organization(let organization):
            if let subject = principal.subject {
                let found = try memberships(of: subject, in: organization)
                let roles = Set(
                    found.flatMap { ($0["spec"]?["roles"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } })
                if !found.isEmpty && (reading || !roles.isDisjoint(with: Self.writerRoles)) { return }
            }
            throw APIError.forbidden(
                resource: "organizations.resourcemanager.miloapis.com", name: organization, user: principal.name,
                reason: reading
                    ? "cannot access organization \"\(organization)\""
                    : "cannot change organization \"\(organization)\"")
        case .user(let user):
            if principal.subject == user { return }
            throw APIError.forbidden(
                resource: "users.iam.miloapis.com", name: user, user: principal.name,
                reason: "cannot access the control plane of user \"\(user)\"")
        case .platform:
            throw APIError.forbidden(
                resource: nil, name: path, user: principal.name,
                reason: "cannot \(Self.verb(method)) path \"\(path)\"")
        }
    }

    static func verb(_ method: String) -> String {
        switch method {
        case "GET", "HEAD": "get"
        case "POST": "create"
        case "PUT": "update"
        case "PATCH": "patch"
        case "DELETE": "delete"
        default: method.lowercased()
        }
    }
}
