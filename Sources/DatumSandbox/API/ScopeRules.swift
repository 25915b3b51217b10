import DatumJSON
import DatumKit
import GoCompat

/// What Milo's controllers and admission add to the resource-manager kinds, computed before a
/// write takes the store's lock: the status the server writes, and the checks that look beyond
/// the object (which organization may own a project, whose memberships live where).
struct ScopeRules: Sendable {
    /// Status the server sets on create and keeps current on every write of the main resource.
    var serverStatus: JSONObject?
    /// Checks after schema validation; `nil` when the object may be stored.
    var check: (@Sendable (JSONObject) -> APIError?)?

    static let none = ScopeRules()

    static func make(for scope: ControlPlaneScope, type: ResourceType, method: String, store: ObjectStore)
        throws(APIError) -> ScopeRules
    {
        guard method != "GET" && method != "DELETE" else { return .none }
        let now = KubeTime.format(KubeTime.now())
        switch (scope, type) {
        case (.platform, MiloResources.organizations):
            return ScopeRules(
                serverStatus: [
                    "conditions": [
                        condition("Ready", reason: "Ready", message: "Organization is ready", time: now),
                        condition(
                            "OnboardingComplete", reason: "Ready",
                            message: "The sandbox needs no portal onboarding", time: now),
                    ]
                ])
        case (.organization(let organization), MiloResources.projects):
            let exists = try organizationExists(organization, store: store)
            let taken = try projectsOfOtherOrganizations(than: organization, store: store)
            return ScopeRules(
                serverStatus: [
                    "conditions": [condition("Ready", reason: "Ready", message: "Project is ready", time: now)]
                ],
                check: { object in
                    let name = object["metadata"]?["name"]?.stringValue ?? ""
                    if taken.contains(name) { return APIError.alreadyExists(MiloResources.projects, name) }
                    let owner = object["spec"]?["ownerRef"]
                    let ownerName = owner?["name"]?.stringValue ?? ""
                    var errors: [FieldError] = []
                    if ownerName != organization {
                        errors.append(
                            .invalid(
                                FieldPath("spec", "ownerRef", "name"), .string(ownerName),
                                "must be \(GoFormat.quote(organization)), the organization whose control plane stores the project"
                            ))
                    } else if !exists {
                        errors.append(
                            FieldError(
                                type: .notFound, path: FieldPath("spec", "ownerRef", "name"),
                                badValue: .string(ownerName), detail: ""))
                    }
                    guard !errors.isEmpty else { return nil }
                    return APIError(
                        invalid: InvalidStatus(group: type.group, kind: type.kind, name: name, errors: errors))
                })
        case (.organization(let organization), MiloResources.organizationMemberships):
            let summary = try organizationSummary(organization, store: store)
            var status: JSONObject = [
                "conditions": [condition("Ready", reason: "Ready", message: "Membership is ready", time: now)]
            ]
            if let summary { status["organization"] = .object(summary) }
            let namespace = MiloResources.membershipNamespace(organization: organization)
            return ScopeRules(
                serverStatus: status,
                check: { object in
                    let name = object["metadata"]?["name"]?.stringValue ?? ""
                    var errors: [FieldError] = []
                    let referenced = object["spec"]?["organizationRef"]?["name"]?.stringValue ?? ""
                    if referenced != organization {
                        errors.append(
                            .invalid(
                                FieldPath("spec", "organizationRef", "name"), .string(referenced),
                                "must be \(GoFormat.quote(organization)), the organization whose control plane stores the membership"
                            ))
                    }
                    let inNamespace = object["metadata"]?["namespace"]?.stringValue ?? ""
                    if inNamespace != namespace {
                        errors.append(
                            .invalid(
                                FieldPath("metadata", "namespace"), .string(inNamespace),
                                "memberships of \(GoFormat.quote(organization)) live in namespace \(GoFormat.quote(namespace))"
                            ))
                    }
                    guard !errors.isEmpty else { return nil }
                    return APIError(
                        invalid: InvalidStatus(group: type.group, kind: type.kind, name: name, errors: errors))
                })
        default:
            return .none
        }
    }

    static func condition(_ type: String, reason: String, message: String, time: String) -> JSONValue {
        [
            "type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
            "lastTransitionTime": .string(time),
        ]
    }

    private static func organization(_ name: String, store: ObjectStore) throws(APIError) -> JSONObject? {
        let key = ControlPlaneScope.platform.storageKey
        guard store.projectNames.contains(key) else { return nil }
        return try store.read(project: key) { tx in
            tx.get(MiloResources.organizations, namespace: "", name: name)?.object
        }
    }

    private static func organizationExists(_ name: String, store: ObjectStore) throws(APIError) -> Bool {
        try organization(name, store: store) != nil
    }

    /// `status.organization` of a membership: the organization's display name and type.
    private static func organizationSummary(_ name: String, store: ObjectStore) throws(APIError) -> JSONObject? {
        guard let object = try organization(name, store: store) else { return nil }
        var summary: JSONObject = [:]
        if let display = object["metadata"]?["annotations"]?[MiloResources.displayNameAnnotation]?.stringValue {
            summary["displayName"] = .string(display)
        }
        if let kind = object["spec"]?["type"]?.stringValue { summary["type"] = .string(kind) }
        return summary
    }

    /// Project names are unique across organizations (Milo's ProjectNameConflict).
    private static func projectsOfOtherOrganizations(than organization: String, store: ObjectStore)
        throws(APIError) -> Set<String>
    {
        var names: Set<String> = []
        let own = ControlPlaneScope.organization(organization).storageKey
        for key in store.projectNames where key.hasPrefix("organization:") && key != own {
            let found = try store.read(project: key) { tx in
                tx.list(MiloResources.projects, namespace: nil).map(\.name)
            }
            names.formUnion(found)
        }
        return names
    }
}
