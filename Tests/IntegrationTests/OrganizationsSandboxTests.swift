import DatumJSON
import Foundation
import TestSupport
import Testing

/// The sandbox's organization, user and platform control planes, and authorization from API
/// objects as Milo does it: the admin token creates organizations, projects and memberships with
/// ordinary applies (real kubectl here), and a signed-in user reaches exactly the projects of the
/// organizations a membership names.
@Suite(.serialized) struct OrganizationsSandboxTests {
    static let email = SignInSandboxTests.email
    static let organizations = "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/"

    static func organization(_ name: String, display: String) -> String {
        """
        apiVersion: resourcemanager.miloapis.com/v1alpha1
        kind: Organization
        metadata:
          name: \(name)
          annotations:
            kubernetes.io/display-name: \(display)
        spec:
          type: Standard

        """
    }

    static func project(_ name: String, owner: String) -> String {
        """
        apiVersion: resourcemanager.miloapis.com/v1alpha1
        kind: Project
        metadata:
          name: \(name)
        spec:
          ownerRef: {kind: Organization, name: \(owner)}

        """
    }

    static func membership(_ organization: String, user: String, role: String) -> String {
        """
        apiVersion: resourcemanager.miloapis.com/v1alpha1
        kind: OrganizationMembership
        metadata:
          name: member-\(organization)
          namespace: organization-\(organization)
        spec:
          organizationRef: {name: \(organization)}
          userRef: {name: \(user)}
          roles: [{name: \(role)}]

        """
    }

    /// Applies `manifest` with real kubectl (server-side) at `server`, as the admin.
    static func kubectlApply(_ sandbox: SandboxInstance, server: String, _ manifest: String) throws
        -> TestProcess.Output
    {
        guard let kubectl = SandboxBinaries.kubectl else { throw SandboxTestError("kubectl is not installed") }
        var environment = try sandbox.kubectlEnvironment()
        environment["KUBECONFIG"] = "/dev/null"
        return try TestProcess.run(
            kubectl,
            ["--server", server, "--token", sandbox.adminToken, "--certificate-authority", sandbox.certificates?.caPath ?? "",
             "apply", "--server-side", "-f", "-"],
            environment: environment, input: manifest)
    }

    @Test func membershipsDecideWhichProjectsAUserReaches() throws {
        try #require(SandboxBinaries.hasKubectl, "kubectl is required")
        let sandbox = try SandboxInstance(extraArguments: ["--dev-issuer"])
        defer { sandbox.stop() }
        let acme = sandbox.url + Self.organizations + "acme/control-plane"
        let other = sandbox.url + Self.organizations + "other/control-plane"

        // The platform root: organizations, created by the admin with plain applies.
        for (name, display) in [("acme", "Acme Corp"), ("other", "Other Inc")] {
            let created = try Self.kubectlApply(sandbox, server: sandbox.url, Self.organization(name, display: display))
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout == "organization.resourcemanager.miloapis.com/\(name) serverside-applied\n")
        }
        var applied = try Self.kubectlApply(
            sandbox, server: acme, Self.project("web", owner: "acme") + "---\n" + Self.membership("acme", user: Self.email, role: "organization-viewer"))
        #expect(applied.status == 0, "\(applied.stderr)")
        applied = try Self.kubectlApply(sandbox, server: other, Self.project("secret", owner: "other"))
        #expect(applied.status == 0, "\(applied.stderr)")

        // The control plane's own rules: the owner is this organization, names are unique across them.
        let wrongOwner = try Self.kubectlApply(sandbox, server: acme, Self.project("x", owner: "other"))
        #expect(wrongOwner.status == 1)
        #expect(wrongOwner.stderr.contains(
            "The Project \"x\" is invalid: spec.ownerRef.name: Invalid value: \"other\": must be \"acme\""))
        let taken = try Self.kubectlApply(sandbox, server: acme, Self.project("secret", owner: "acme"))
        #expect(taken.stderr.contains("Error from server (AlreadyExists)"), "\(taken.stderr)")
        // The organization's type never changes (its CRD's transition rule).
        let retype = try Self.kubectlApply(
            sandbox, server: sandbox.url,
            Self.organization("acme", display: "Acme Corp").replacingOccurrences(of: "Standard", with: "Personal"))
        #expect(retype.stderr.contains("spec.type: Invalid value: \"Personal\": organization type is immutable"))

        // Server-side printing from the CRDs' columns, and the status the controllers would write.
        let table = try sandbox.request("GET", sandbox.url + "/apis/resourcemanager.miloapis.com/v1alpha1/organizations",
            accept: "application/json;as=Table;v=v1;g=meta.k8s.io")
        let columns = table.json["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(columns == ["Name", "Display Name", "Type", "Ready", "Age"])
        let row = table.json["rows"]?[0]?["cells"]?.arrayValue
        #expect(row?.prefix(4).map { $0 } == ["acme", "Acme Corp", "Standard", "True"])
        let memberships = try sandbox.request("GET", acme + "/apis/resourcemanager.miloapis.com/v1alpha1/organizationmemberships")
        #expect(memberships.json["items"]?[0]?["status"]?["organization"] == ["displayName": "Acme Corp", "type": "Standard"])

        // A signed-in user (the dev issuer's service account).
        let home = try TemporaryDirectory()
        let login = try SignInSandboxTests.login(sandbox, home: home.path)
        #expect(login.status == 0, "\(login.stderr)")
        // Login discovered the user's organization and its project as contexts, and chose the only project.
        #expect(login.stdout.contains("Discovering organizations and projects...\n\nYou have access to 1 organization(s):\n\n  Acme Corp (1 project(s))\n\n"), "\(login.stdout)")
        #expect(login.stdout.hasSuffix("\u{2713} Context set to project web in Acme Corp (acme/web)\n"), "\(login.stdout)")
        let contexts = try SignInSandboxTests.datumctl(sandbox, ["ctx"], home: home.path)
        #expect(contexts.stdout.contains("Acme Corp"), "\(contexts.stdout)")
        #expect(contexts.stdout.contains("acme/web"))
        let token = try SignInSandboxTests.datumctl(sandbox, ["auth", "get-token"], home: home.path)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // `get organizations`: the user's memberships from the user control plane, whatever the scope.
        let organizations = try SignInSandboxTests.datumctl(
            sandbox, ["get", "organizations", "--project", "web"], home: home.path)
        #expect(organizations.status == 0, "\(organizations.stderr)")
        let lines = organizations.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3, "\(organizations.stdout)")
        #expect(lines.first?.hasPrefix("ORGANIZATION  DISPLAY NAME  STATUS  AGE") == true)
        #expect(lines.dropFirst().first?.hasPrefix("acme          Acme Corp     ready   ") == true)
        let named = try SignInSandboxTests.datumctl(sandbox, ["get", "organizations", "-o", "name"], home: home.path)
        #expect(named.stdout == "organization/acme\n")
        let wide = try SignInSandboxTests.datumctl(sandbox, ["get", "organization", "acme", "-o", "wide"], home: home.path)
        #expect(wide.stdout.contains("USER") && wide.stdout.contains(Self.email))
        let json = try SignInSandboxTests.datumctl(sandbox, ["get", "organizations", "-o", "json"], home: home.path)
        let listed = try JSONParser.parse(json.stdout)
        #expect(listed["kind"] == "OrganizationMembershipList")
        #expect(listed["items"]?[0]?["metadata"]?["annotations"]?["datum.net/onboarding-status"] == "ready")
        // Memberships come from the user's control plane across namespaces, though a project is selected.
        let members = try SignInSandboxTests.datumctl(
            sandbox, ["get", "organizationmemberships", "-o", "name"], home: home.path)
        #expect(members.status == 0, "\(members.stderr)")
        #expect(members.stdout == "organizationmembership.resourcemanager.miloapis.com/member-acme\n")
        let memberTable = try SignInSandboxTests.datumctl(sandbox, ["get", "organizationmemberships"], home: home.path)
        #expect(memberTable.stdout.hasPrefix("NAMESPACE           NAME          ORGANIZATION"), "\(memberTable.stdout)")
        let none = try SignInSandboxTests.datumctl(sandbox, ["get", "organizations", "other"], home: home.path)
        #expect(none.status == 0)
        #expect(none.stdout == "ORGANIZATION  DISPLAY NAME  STATUS  AGE  \n")
        let unsupported = try SignInSandboxTests.datumctl(
            sandbox, ["get", "organizations", "-o", "jsonpath={.items}"], home: home.path)
        #expect(unsupported.status == 64)
        #expect(unsupported.stderr.contains("is not supported for organizations; use table, wide, yaml, json, or name"))

        // Member of acme: its project, its control plane (read), its user control plane.
        let own = try SignInSandboxTests.datumctl(
            sandbox, ["get", "backendtlspolicies", "--project", "web"], home: home.path)
        #expect(own.status == 0, "\(own.stderr)")
        let projects = try SignInSandboxTests.datumctl(
            sandbox, ["get", "projects", "--organization", "acme", "-o", "name"], home: home.path)
        #expect(projects.stdout == "project.resourcemanager.miloapis.com/web\n", "\(projects.stderr)")
        let mine = try sandbox.request(
            "GET", sandbox.url + "/apis/iam.miloapis.com/v1alpha1/users/\(Self.email)/control-plane"
                + "/apis/resourcemanager.miloapis.com/v1alpha1/organizationmemberships", token: token)
        #expect(mine.status == 200)
        #expect(mine.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["member-acme"])
        let organization = try sandbox.request(
            "GET", sandbox.url + "/apis/iam.miloapis.com/v1alpha1/users/\(Self.email)/control-plane"
                + "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme", token: token)
        #expect(organization.status == 200)
        // A viewer may not write in the organization's control plane.
        let write = try sandbox.request(
            "POST", acme + "/apis/resourcemanager.miloapis.com/v1alpha1/projects", token: token,
            body: #"{"apiVersion":"resourcemanager.miloapis.com/v1alpha1","kind":"Project","metadata":{"name":"y"},"spec":{"ownerRef":{"kind":"Organization","name":"acme"}}}"#)
        #expect(write.status == 403)

        // Cross-organization access is 403 for every verb; so are other users and the platform root.
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let project = try sandbox.request(
                method, sandbox.base(project: "secret") + "/api/v1/namespaces/default/configmaps/c", token: token,
                body: method == "GET" || method == "DELETE" ? nil : "{}")
            #expect(project.status == 403, "\(method) \(project.body)")
            let plane = try sandbox.request(
                method, other + "/apis/resourcemanager.miloapis.com/v1alpha1/projects/secret", token: token,
                body: method == "GET" || method == "DELETE" ? nil : "{}")
            #expect(plane.status == 403, "\(method) \(plane.body)")
        }
        let denied = try SignInSandboxTests.datumctl(
            sandbox, ["get", "backendtlspolicies", "--project", "secret"], home: home.path)
        #expect(denied.status == 1)
        #expect(denied.stderr == "Error from server (Forbidden): projects.resourcemanager.miloapis.com \"secret\" is forbidden: User \"\(Self.email)\" cannot access project \"secret\"\n")
        let someoneElse = try sandbox.request(
            "GET", sandbox.url + "/apis/iam.miloapis.com/v1alpha1/users/someone/control-plane"
                + "/apis/resourcemanager.miloapis.com/v1alpha1/organizationmemberships", token: token)
        #expect(someoneElse.status == 403)
        let root = try sandbox.request("GET", sandbox.url + "/apis/resourcemanager.miloapis.com/v1alpha1/organizations", token: token)
        #expect(root.status == 403)
        #expect(root.json["message"]?.stringValue == "forbidden: User \"\(Self.email)\" cannot get path \"/apis/resourcemanager.miloapis.com/v1alpha1/organizations\"")
    }

    @Test func organizationsSurviveARestart() throws {
        let sandbox = try SandboxInstance()
        defer { sandbox.stop() }
        let body = #"{"apiVersion":"resourcemanager.miloapis.com/v1alpha1","kind":"Organization","metadata":{"name":"acme"},"spec":{"type":"Personal"}}"#
        let created = try sandbox.request(
            "POST", sandbox.url + "/apis/resourcemanager.miloapis.com/v1alpha1/organizations", body: body)
        #expect(created.status == 201, "\(created.body)")
        sandbox.stop()
        try sandbox.start()
        let read = try sandbox.request("GET", sandbox.url + "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme")
        #expect(read.status == 200)
        #expect(read.json["spec"]?["type"] == "Personal")
    }
}
