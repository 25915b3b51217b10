import DatumArguments
import DatumJSON
import DatumYAML
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// `~/.datumctl/config` is the official datumctl's file (`datumctl.config.datum.net/v1beta1`): read
/// as it wrote it, changed without losing what this datumctl does not know, and written in its layout.
@Suite struct SharedConfigTests {
    static let session = "alice@example.com@api.datum.net"

    /// A config as the official datumctl writes it after `login` and `ctx use` (sigs.k8s.io/yaml:
    /// keys sorted, sequences at the key's indent, ambiguous strings quoted), with a field and an
    /// entry key from a newer release that this datumctl does not know.
    static func officialConfig(server: String = "https://api.datum.net") -> String {
        """
        active-session: alice@example.com@api.datum.net
        apiVersion: datumctl.config.datum.net/v1beta1
        auto-update: true
        cache:
          last-refreshed: "2026-11-30T10:00:00Z"
          organizations:
          - display-name: Acme Corp
            id: acme
            session: alice@example.com@api.datum.net
          projects:
          - display-name: Web Frontend
            id: web
            org-id: acme
            session: alice@example.com@api.datum.net
          - id: api
            org-id: acme
            session: alice@example.com@api.datum.net
        contexts:
        - name: alice@example.com@api.datum.net/acme
          organization-id: acme
          session: alice@example.com@api.datum.net
        - name: alice@example.com@api.datum.net/acme/api
          organization-id: acme
          project-id: api
          session: alice@example.com@api.datum.net
        - name: alice@example.com@api.datum.net/acme/web
          namespace: default
          organization-id: acme
          project-id: web
          session: alice@example.com@api.datum.net
          x-future-field: kept
        current-context: alice@example.com@api.datum.net/acme/web
        kind: DatumctlConfig
        sessions:
        - endpoint:
            auth-hostname: auth.datum.net
            server: \(server)
          last-context: alice@example.com@api.datum.net/acme/web
          name: alice@example.com@api.datum.net
          user-email: alice@example.com
          user-key: "328728232771788043"
          user-name: Alice Example
        x-future-settings:
          telemetry: false

        """
    }

    static func home(config: String) throws -> (TemporaryDirectory, [String: String]) {
        let home = try TemporaryDirectory()
        try home.write(".datumctl/config", config)
        return (home, ["HOME": home.path])
    }

    static func read(_ home: TemporaryDirectory) throws -> String {
        try String(contentsOfFile: home.path + "/.datumctl/config", encoding: .utf8)
    }

    @Test func theOfficialLayoutIsReproducedByteForByte() throws {
        let text = Self.officialConfig()
        let json = try #require(try YAMLDocumentReader(YAMLSource(name: "config", bytes: Array(text.utf8))).next()?.jsonValue())
        #expect(ConfigFile(document: try #require(json.objectValue)).yaml == text)
    }

    @Test func aLoginContextSelectsTheSessionsServerAndTheProject() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.table(["p"])) }
        defer { server.stop() }
        let (home, variables) = try Self.home(config: Self.officialConfig(server: server.url))
        let run = CLI.run(["get", "backendtlspolicies", "--token", "T"], variables: variables)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(server.requests.first?.path.hasPrefix("/apis/resourcemanager.miloapis.com/v1alpha1/projects/web/control-plane/") == true)
        #expect(try Self.read(home) == Self.officialConfig(server: server.url))  // reading writes nothing
    }

    @Test func changingOneContextKeepsEverythingElse() throws {
        let original = Self.officialConfig()
        let (home, variables) = try Self.home(config: original)
        let run = CLI.run(
            ["config", "set-context", "sandbox", "--server", "https://127.0.0.1:6443", "--project", "p1"],
            variables: variables)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let written = try Self.read(home)
        #expect(written.contains("- name: sandbox\n  project-id: p1\n  server: https://127.0.0.1:6443\n"))
        // Without the new context, the file is what the official tool wrote, byte for byte.
        let json = try #require(try YAMLDocumentReader(YAMLSource(name: "c", bytes: Array(written.utf8))).next()?.jsonValue())
        var config = ConfigFile(document: try #require(json.objectValue))
        config.contexts.removeAll { $0.name == "sandbox" }
        #expect(config.yaml == original)
        let attributes = try FileManager.default.attributesOfItem(atPath: home.path + "/.datumctl/config")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func ctxListsTheActiveSessionsContextsAsTheOfficialTool() throws {
        let (home, variables) = try Self.home(config: Self.officialConfig())
        let run = CLI.run(["ctx"], variables: variables)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(
            run.stdout == """
                Display Name    Name      Type     Current  
                Acme Corp       acme      org               
                  api           acme/api  project           
                  Web Frontend  acme/web  project  *        

                """)
        #expect(CLI.run(["ctx", "list"], variables: variables).stdout == run.stdout)
        let all = CLI.run(["ctx", "--all"], variables: variables)
        #expect(all.stdout == "alice@example.com  (api.datum.net)\n" + run.stdout)
        withExtendedLifetime(home) {}
    }

    @Test func ctxUseSwitchesContextSessionAndLastContext() throws {
        let (home, variables) = try Self.home(config: Self.officialConfig())
        let run = CLI.run(["ctx", "use", "acme/api"], variables: variables)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout == "\n✓ Switched to project api in Acme Corp (acme/api)\n")
        let written = try Self.read(home)
        let expected = Self.officialConfig()
            .replacing("current-context: alice@example.com@api.datum.net/acme/web", with: "current-context: alice@example.com@api.datum.net/acme/api")
            .replacing("  last-context: alice@example.com@api.datum.net/acme/web", with: "  last-context: alice@example.com@api.datum.net/acme/api")
        #expect(written == expected)

        let org = CLI.run(["ctx", "use", "acme"], variables: variables)
        #expect(org.stdout == "\n✓ Switched to org Acme Corp (acme)\n")
        let missing = CLI.run(["ctx", "use", "acme/nope"], variables: variables)
        #expect(missing.exitCode == 1)
        #expect(missing.stderr == "error: Context \"acme/nope\" not found.\nRun 'datumctl ctx' to see available contexts.\n")
    }

    @Test func withoutContextsCtxSaysHowToStart() throws {
        let home = try TemporaryDirectory()
        let run = CLI.run(["ctx"], variables: ["HOME": home.path])
        #expect(run.stdout == "No contexts available. Run 'datumctl login' to get started.\n")
        #expect(run.exitCode == 0)
    }

    @Test func theEarlierFormatIsMigratedOnceWithABackup() throws {
        let legacy = """
            apiVersion: datumctl.datum.net/v1alpha1
            kind: Config
            current-context: staging
            contexts:
            - name: staging
              server: https://127.0.0.1:8443
              project: web
              namespace: team-a
              token-file: /run/secrets/token
              insecure-skip-tls-verify: true

            """
        let (home, variables) = try Self.home(config: legacy)
        let run = CLI.run(["config", "get-contexts"], variables: variables)
        #expect(run.exitCode == 0)
        let path = home.path + "/.datumctl/config"
        #expect(
            run.stderr
                == "note: \(path) now uses the format shared with the official datumctl (datumctl.config.datum.net/v1beta1); the previous file is kept as \(path).v1alpha1.bak\n"
        )
        #expect(run.stdout.contains("*         staging   https://127.0.0.1:8443   web       team-a"))
        #expect(try String(contentsOfFile: path + ".v1alpha1.bak", encoding: .utf8) == legacy)
        #expect(
            try Self.read(home) == """
                apiVersion: datumctl.config.datum.net/v1beta1
                cache: {}
                contexts:
                - insecure-skip-tls-verify: true
                  name: staging
                  namespace: team-a
                  project-id: web
                  server: https://127.0.0.1:8443
                  token-file: /run/secrets/token
                current-context: staging
                kind: DatumctlConfig

                """)
        // Once: the second run reads the new file and says nothing.
        let again = CLI.run(["config", "get-contexts"], variables: variables)
        #expect(again.stderr == "")
        #expect(again.stdout == run.stdout)
    }

    @Test func anUnknownFormatIsRefusedWithoutTouchingIt() throws {
        let text = "apiVersion: datumctl.config.datum.net/v1alpha1\nkind: DatumctlConfig\nclusters: []\n"
        let (home, variables) = try Self.home(config: text)
        let run = CLI.run(["config", "get-contexts"], variables: variables)
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("has apiVersion \"datumctl.config.datum.net/v1alpha1\", which this datumctl does not read"))
        #expect(try Self.read(home) == text)
    }

    @Test func staticTokensStillWinOverTheSession() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.table(["p"])) }
        defer { server.stop() }
        let (home, variables) = try Self.home(config: Self.officialConfig(server: server.url))
        defer { withExtendedLifetime(home) {} }
        var withToken = variables
        withToken["DATUMCTL_TOKEN"] = "static-token"
        let run = CLI.run(["get", "backendtlspolicies"], variables: withToken)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(server.requests.first?.headers["authorization"] == "Bearer static-token")
    }
}
