import DatumJSON
import DatumKit

/// What `datumctl login` discovers after signing in, as the official tool does
/// (internal/discovery): the user's memberships from the user's own control plane, then each
/// organization's projects from its control plane; recorded in the shared config as the
/// session's contexts (`<session>/<org>` and `<session>/<org>/<project>`) and display-name cache.
struct ContextDiscovery {
    struct Organization: Equatable {
        var id: String
        var displayName: String
    }

    struct Project: Equatable {
        var id: String
        var displayName: String
        var organization: String
    }

    var organizations: [Organization] = []
    var projects: [Project] = []

    static let displayNameAnnotation = "kubernetes.io/display-name"

    /// Lists memberships and projects with the session's credentials.
    static func fetch(_ context: CommandContext, subject: String) throws(CLIError) -> ContextDiscovery {
        var settings = try context.connectionSettings()
        settings.project = nil
        settings.organization = nil
        settings.platformWide = false
        let group = "/apis/resourcemanager.miloapis.com/v1alpha1"
        settings.userID = subject
        let user = try context.projectClient(settings)
        let memberships = try user.getJSON(user.scope.url(group + "/organizationmemberships"))
        var result = ContextDiscovery()
        for item in memberships["items"]?.arrayValue ?? [] {
            guard let id = item["spec"]?["organizationRef"]?["name"]?.stringValue, !id.isEmpty,
                !result.organizations.contains(where: { $0.id == id })
            else { continue }
            var display = item["status"]?["organization"]?["displayName"]?.stringValue ?? ""
            if display.isEmpty { display = id }
            result.organizations.append(Organization(id: id, displayName: display))
            var scoped = settings
            scoped.organization = id
            let organization = try context.projectClient(scoped)
            let list = try organization.getJSON(organization.scope.url(group + "/projects"))
            for project in list["items"]?.arrayValue ?? [] {
                guard let name = project["metadata"]?["name"]?.stringValue, !name.isEmpty else { continue }
                var projectDisplay = project["metadata"]?["annotations"]?[displayNameAnnotation]?.stringValue ?? ""
                if projectDisplay.isEmpty { projectDisplay = name }
                result.projects.append(Project(id: name, displayName: projectDisplay, organization: id))
            }
        }
        return result
    }

    /// Replaces the session's contexts and cache entries with what was discovered, keeping every
    /// other session's, and stamps `cache.last-refreshed`.
    func record(in config: inout ConfigFile, session: String, now: String) {
        var contexts = config.contexts.filter { $0.session != session }
        for organization in organizations {
            var entry = ConfigContext(name: session + "/" + organization.id)
            entry.session = session
            entry.organization = organization.id
            contexts.append(entry)
        }
        for project in projects {
            var entry = ConfigContext(name: session + "/" + project.organization + "/" + project.id)
            entry.session = session
            entry.organization = project.organization
            entry.project = project.id
            entry.namespace = "default"
            contexts.append(entry)
        }
        config.contexts = contexts

        var cache = config.cache
        var cachedOrganizations = (cache["organizations"]?.arrayValue ?? []).filter {
            $0["session"]?.stringValue != session
        }
        for organization in organizations {
            cachedOrganizations.append([
                "id": .string(organization.id), "display-name": .string(organization.displayName),
                "session": .string(session),
            ])
        }
        var cachedProjects = (cache["projects"]?.arrayValue ?? []).filter { $0["session"]?.stringValue != session }
        for project in projects {
            cachedProjects.append([
                "id": .string(project.id), "display-name": .string(project.displayName),
                "org-id": .string(project.organization), "session": .string(session),
            ])
        }
        cache["organizations"] = cachedOrganizations.isEmpty ? nil : .array(cachedOrganizations)
        cache["projects"] = cachedProjects.isEmpty ? nil : .array(cachedProjects)
        cache["last-refreshed"] = .string(now)
        config.cache = cache
    }

    /// "You have access to 2 organization(s):" and one line per organization.
    var summary: String {
        guard !organizations.isEmpty else { return "" }
        var text = "You have access to \(organizations.count) organization(s):\n\n"
        for organization in organizations {
            let count = projects.filter { $0.organization == organization.id }.count
            text += "  \(organization.displayName) (\(count) project(s))\n"
        }
        return text + "\n"
    }
}
