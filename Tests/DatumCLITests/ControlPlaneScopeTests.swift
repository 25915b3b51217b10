import Foundation
import TestSupport
import Testing

@testable import DatumCLI

/// `--project` | `--organization` | `--platform-wide`, then `DATUM_PROJECT` | `DATUM_ORGANIZATION`,
/// then the context: the official datumctl's choice of control plane, and its error texts.
@Suite struct ControlPlaneScopeTests {
    static func run(_ arguments: [String], variables: [String: String] = [:]) throws -> (CLIRun, [String]) {
        let server = try FakeAPIServer { _ in .json(FakeObjects.table(["a"])) }
        defer { server.stop() }
        var environment = ["HOME": "/nonexistent", "DATUMCTL_CONFIG": "/nonexistent/config"]
        for (key, value) in variables { environment[key] = value }
        let run = CLI.run(
            ["get", "backendtlspolicies", "--server", server.url, "--token", "T"] + arguments, variables: environment)
        return (run, server.requests.map(\.path))
    }

    static let policies = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"

    @Test(arguments: [
        (["--project", "web"], [:], "/apis/resourcemanager.miloapis.com/v1alpha1/projects/web/control-plane"),
        (["--organization", "acme"], [:], "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme/control-plane"),
        (["--platform-wide"], [:], ""),
        ([], ["DATUM_ORGANIZATION": "acme"], "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme/control-plane"),
        ([], ["DATUM_PROJECT": "web"], "/apis/resourcemanager.miloapis.com/v1alpha1/projects/web/control-plane"),
        (["--organization", "acme"], ["DATUM_PROJECT": "web"], "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme/control-plane"),
    ] as [([String], [String: String], String)])
    func requestsGoToTheChosenControlPlane(arguments: [String], variables: [String: String], prefix: String) throws {
        let (run, paths) = try Self.run(arguments, variables: variables)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(paths == [prefix + Self.policies])
    }

    @Test func flagsAreMutuallyExclusive() throws {
        let (run, paths) = try Self.run(["--project", "web", "--organization", "acme"])
        #expect(run.exitCode == 64)
        #expect(
            run.stderr
                == "error: if any flags in the group [project organization platform-wide] are set none of the others can be; [organization project] were all set\n"
        )
        #expect(paths.isEmpty)
        let (wide, _) = try Self.run(["--platform-wide", "--project", "web"])
        #expect(wide.stderr.hasSuffix("; [platform-wide project] were all set\n"))
    }

    @Test func bothEnvironmentVariablesAreAnError() throws {
        let (run, paths) = try Self.run([], variables: ["DATUM_PROJECT": "web", "DATUM_ORGANIZATION": "acme"])
        #expect(run.exitCode == 1)
        #expect(run.stderr == "error: DATUM_PROJECT and DATUM_ORGANIZATION cannot both be set\n")
        #expect(paths.isEmpty)
    }

    @Test func anOrganizationContextSelectsTheOrganizationsControlPlane() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.table(["a"])) }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        try home.write(
            ".datumctl/config",
            """
            apiVersion: datumctl.config.datum.net/v1beta1
            kind: DatumctlConfig
            current-context: me@example.com@api/acme
            contexts:
            - name: me@example.com@api/acme
              organization-id: acme
              session: me@example.com@api
            sessions:
            - name: me@example.com@api
              endpoint:
                server: \(server.url)

            """)
        let run = CLI.run(["get", "backendtlspolicies", "--token", "T"], variables: ["HOME": home.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(
            server.requests.map(\.path) == [
                "/apis/resourcemanager.miloapis.com/v1alpha1/organizations/acme/control-plane" + Self.policies
            ])
    }

    @Test func anOrganizationIDIsCheckedBeforeAnyRequest() throws {
        let (run, paths) = try Self.run(["--organization", "../x"])
        #expect(run.exitCode == 1)
        #expect(run.stderr == "error: invalid organization \"../x\": [may not contain '/']\n")
        #expect(paths.isEmpty)
    }

    @Test func thePlatformRootHasNoPrefix() {
        let scope = ProjectScope(server: "https://api.datum.net/", plane: .platform)
        #expect(scope.url("/apis/resourcemanager.miloapis.com/v1alpha1/organizations") == "https://api.datum.net/apis/resourcemanager.miloapis.com/v1alpha1/organizations")
        #expect(scope.reroot("/openapi/v3/apis/x") == "https://api.datum.net/openapi/v3/apis/x")
        let user = ProjectScope(server: "https://api.datum.net", plane: .user("u-1"))
        #expect(user.url("/x") == "https://api.datum.net/apis/iam.miloapis.com/v1alpha1/users/u-1/control-plane/x")
    }
}
