import DatumJSON
import DatumKit

/// Milo's resource-manager kinds, served from the vendored CRDs (``EmbeddedMilo``): organizations
/// at the platform root, projects and memberships in an organization's control plane.
public enum MiloResources {
    public static let group = "resourcemanager.miloapis.com"

    public static let organizations = ResourceType(
        group: group, version: "v1alpha1", plural: "organizations", singular: "organization", kind: "Organization",
        namespaced: false, shortNames: [], categories: ["datum"], hasStatus: true, isCustom: true)
    public static let projects = ResourceType(
        group: group, version: "v1alpha1", plural: "projects", singular: "project", kind: "Project",
        namespaced: false, shortNames: [], categories: [], hasStatus: true, isCustom: true)
    public static let organizationMemberships = ResourceType(
        group: group, version: "v1alpha1", plural: "organizationmemberships", singular: "organizationmembership",
        kind: "OrganizationMembership", namespaced: true, shortNames: [], categories: [], hasStatus: true,
        isCustom: true)

    public static let all = [organizations, projects, organizationMemberships]

    /// The annotation Milo and the portal keep display names in.
    static let displayNameAnnotation = "kubernetes.io/display-name"

    /// Organization's one CEL rule, a transition rule: `spec.type` never changes once set. The
    /// rule walker sees only the new object, so the rule passes there and ``immutabilityError``
    /// enforces it on updates, where the old object is at hand.
    static let organizationTypeRule = "type(oldSelf) == null_type || self == oldSelf"
    static let organizationTypeMessage = "organization type is immutable"

    private static let organizationsModel = CRDModel.load(
        name: "organizations CRD", text: EmbeddedMilo.organizationsCRD,
        rules: CELRuleRegistry([organizationTypeRule: { _ in .pass }]))
    private static let projectsModel = CRDModel.load(name: "projects CRD", text: EmbeddedMilo.projectsCRD)
    private static let membershipsModel = CRDModel.load(
        name: "organizationmemberships CRD", text: EmbeddedMilo.organizationMembershipsCRD)

    /// The CRD model of a Milo type, `nil` for other types (or a vendored CRD that does not
    /// load, which `EmbeddedMiloTests` catches).
    static func model(for type: ResourceType) -> CRDModel? {
        let result: Result<CRDModel, SchemaError>
        switch type {
        case organizations: result = organizationsModel
        case projects: result = projectsModel
        case organizationMemberships: result = membershipsModel
        default: return nil
        }
        if case .success(let model) = result { return model }
        return nil
    }

    /// The transition rule's error for an update of `object` from `old`, if it breaks it.
    static func immutabilityError(_ object: JSONObject, old: JSONObject, type: ResourceType) -> APIError? {
        guard type == organizations, let before = old["spec"]?["type"], object["spec"]?["type"] != before else {
            return nil
        }
        let after = object["spec"]?["type"] ?? .null
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        return APIError(
            invalid: InvalidStatus(
                group: type.group, kind: type.kind, name: name,
                errors: [.invalid(FieldPath("spec", "type"), FieldError.BadValue(after), organizationTypeMessage)]))
    }

    /// The namespace an organization's memberships live in.
    static func membershipNamespace(organization: String) -> String { "organization-" + organization }
}

/// One of Datum Cloud's control planes, as Milo routes them: a project's, an organization's, a
/// user's, or the platform root. Each has its own storage, catalog and discovery.
enum ControlPlaneScope: Hashable, Sendable {
    case project(String)
    case organization(String)
    case user(String)
    case platform

    static let organizationPrefix = "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/"
    static let userPrefix = "/apis/iam.miloapis.com/v1alpha1/users/"

    /// The key its objects are stored under. Project names keep their historical keys (data
    /// directories written before organizations existed stay readable); the others use a `:`,
    /// which no project name may contain.
    var storageKey: String {
        switch self {
        case .project(let project): project
        case .organization(let organization): "organization:" + organization
        case .user(let user): "user:" + user
        case .platform: "platform:"
        }
    }

    /// The path every request of this control plane starts with.
    var basePath: String {
        switch self {
        case .project(let project): APIServer.projectPrefix + project + "/control-plane"
        case .organization(let organization): Self.organizationPrefix + organization + "/control-plane"
        case .user(let user): Self.userPrefix + user + "/control-plane"
        case .platform: ""
        }
    }

    /// The resource types served here.
    var catalog: [ResourceType] {
        switch self {
        case .project: ResourceCatalog.all
        case .organization:
            [
                ResourceCatalog.events, ResourceCatalog.namespaces, MiloResources.projects,
                MiloResources.organizationMemberships,
            ]
        case .user: [MiloResources.organizations, MiloResources.organizationMemberships]
        case .platform: [ResourceCatalog.namespaces, MiloResources.organizations]
        }
    }

    /// The namespaces that exist from the first request on.
    var initialNamespaces: [String] {
        switch self {
        case .organization(let organization):
            ["default", MiloResources.membershipNamespace(organization: organization)]
        case .user: []
        default: ["default"]
        }
    }

    var discovery: Discovery { Discovery(catalog: catalog) }

    /// Splits a request path into its control plane and the Kubernetes path below it, or `nil`
    /// for a path that names a control plane badly (`projects/../control-plane`): 404.
    static func split(_ path: String) -> (scope: ControlPlaneScope, kubePath: String)? {
        for (prefix, make) in [
            (APIServer.projectPrefix, { ControlPlaneScope.project($0) }),
            (organizationPrefix, { ControlPlaneScope.organization($0) }),
            (userPrefix, { ControlPlaneScope.user($0) }),
        ] as [(String, (String) -> ControlPlaneScope)] {
            guard path.hasPrefix(prefix) else { continue }
            let rest = path.dropFirst(prefix.count)
            let parts = rest.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[1] == "control-plane" else {
                // `organizations/acme` without a control plane is the Organization object at the
                // platform root; under `projects/` and `users/` such paths name nothing.
                return prefix == organizationPrefix ? (.platform, path) : nil
            }
            // The name is one path segment: `projects/../control-plane` or `%2e%2e` names nothing.
            let name = RequestPath.decode(String(parts[0]))
            guard !name.isEmpty, NameValidation.isValidPathSegmentName(name).isEmpty,
                !name.utf8.contains(UInt8(ascii: ":"))
            else { return nil }
            let kubePath = parts.count > 2 ? "/" + parts[2] : "/"
            return (make(name), kubePath)
        }
        return (.platform, path)
    }
}
