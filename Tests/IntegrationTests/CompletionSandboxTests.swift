import DatumArguments
import Foundation
import Glibc
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Resource names and types completed from the real sandbox over HTTPS (throwaway CA), with
/// the project, namespace and credentials taken from the context and the words on the line.
@Suite(.serialized) struct CompletionSandboxTests {
    /// A `get TYPE NAME...` command on datumctl's real global options, so these tests do not wait
    /// for the read commands to exist; the binary tests below use the real spec when they do.
    static let root = CommandSpec(
        "datumctl", summary: "datumctl",
        options: GlobalOptions.specs,
        subcommands: [
            CommandSpec(
                "get", summary: "Display one or many resources",
                options: [OptionSpec("all-namespaces", short: "A", help: "All namespaces.")],
                positionals: [
                    PositionalSpec("TYPE", completion: .resourceTypes),
                    PositionalSpec("NAME", isRepeating: true, isOptional: true, completion: .resourceNames),
                ])
        ])
    static let engine = CompletionEngine(root: root)

    static func policy(_ name: String) -> String {
        """
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy","metadata":{"name":"\(name)"},\
        "spec":{"targetRefs":[{"group":"","kind":"Service","name":"svc"}],\
        "validation":{"wellKnownCACertificates":"System","hostname":"a.example.com"}}}
        """
    }

    /// Creates policies `web-tls`, `api-tls`, `db-tls` in `default` and `team-tls` in `team`,
    /// and a config file whose current context points at the sandbox's project p1.
    static func prepare(_ sandbox: SandboxInstance, in home: String) throws -> [String: String] {
        for name in ["web-tls", "api-tls", "db-tls"] {
            let created = try sandbox.request(
                "POST", "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies", body: policy(name))
            #expect(created.status == 201, "\(created.body)")
        }
        let namespace = try sandbox.request(
            "POST", "/api/v1/namespaces", body: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}}"#)
        #expect([201, 409].contains(namespace.status), "\(namespace.body)")
        let team = try sandbox.request(
            "POST", "/apis/gateway.networking.k8s.io/v1/namespaces/team/backendtlspolicies", body: policy("team-tls"))
        #expect(team.status == 201, "\(team.body)")

        var config = ConfigFile()
        var context = ConfigContext(name: "sandbox")
        context.server = sandbox.url
        context.project = "p1"
        context.token = sandbox.adminToken
        context.certificateAuthority = sandbox.certificates?.caPath
        config.upsert(context)
        config.currentContext = "sandbox"
        let path = home + "/config"
        try ConfigStore(path: path).save(config)
        return ["HOME": home, "DATUMCTL_CONFIG": path, "PATH": "/usr/bin:/bin"]
    }

    static func environment(_ variables: [String: String]) -> CommandEnvironment {
        CommandEnvironment(
            arguments: [], variables: variables, stdout: .memory(), stderr: .memory(), readStandardInput: { [] },
            currentDirectory: variables["HOME"] ?? "/")
    }

    static func complete(_ words: [String], _ variables: [String: String], budget: Duration = .seconds(2))
        -> CompletionResult
    {
        engine.complete(words, source: ServerCompletionSource(environment: environment(variables), budget: budget))
    }

    @Test func namesComeFromTheCurrentContextsProjectAndTheLinesFlags() throws {
        let home = try TemporaryDirectory()
        defer { withExtendedLifetime(home) {} }
        try withSandbox { sandbox in
            let variables = try Self.prepare(sandbox, in: home.path)
            #expect(
                Self.complete(["get", "btlspolicy", ""], variables).protocolText == "api-tls\ndb-tls\nweb-tls\n:4\n")
            #expect(
                Self.complete(["get", "backendtlspolicies", "api-tls", "w"], variables).protocolText == "web-tls\n:4\n")
            #expect(Self.complete(["get", "btlspolicy/d"], variables).protocolText == "btlspolicy/db-tls\n:4\n")
            #expect(Self.complete(["-n", "team", "get", "btlspolicy", ""], variables).protocolText == "team-tls\n:4\n")
            #expect(
                Self.complete(["get", "--namespace=team", "btlspolicy", ""], variables).protocolText == "team-tls\n:4\n"
            )
            #expect(
                Self.complete(["get", "-A", "btlspolicy", ""], variables).protocolText
                    == "api-tls\ndb-tls\nteam-tls\nweb-tls\n:4\n")
            // Another project on the line: the admin token may read it, and it is empty.
            #expect(Self.complete(["--project", "p2", "get", "btlspolicy", ""], variables).protocolText == ":4\n")
            #expect(Self.complete(["get", "namespaces", ""], variables).protocolText.contains("team\n"))
        }
    }

    @Test func typesAreTheBuiltinKindsAndTheServersResources() throws {
        let home = try TemporaryDirectory()
        defer { withExtendedLifetime(home) {} }
        try withSandbox { sandbox in
            let variables = try Self.prepare(sandbox, in: home.path)
            let discovered = try sandbox.request("GET", "/apis", accept: ResourceMapper.aggregatedDiscoveryAccept).json
            let served = (ResourceMapper.parseAggregated(discovered) ?? []).flatMap { [$0.name] + $0.shortNames }
            #expect(served.contains("backendtlspolicies"))
            let expected = Set(GeneratorText.builtinResourceTypeWords + served).sorted()
            let result = Self.complete(["get", ""], variables)
            #expect(result.candidates.map(\.value) == expected)
            #expect(result.failure == nil)
            #expect(Self.complete(["get", "bt"], variables).protocolText == "btlspolicy\n:4\n")
        }
    }

    @Test func failuresLeaveTheShellWithNothingAndTheReasonForHumans() throws {
        let home = try TemporaryDirectory()
        defer { withExtendedLifetime(home) {} }
        try withSandbox { sandbox in
            let variables = try Self.prepare(sandbox, in: home.path)
            let unauthorized = Self.complete(["--token", "wrong", "get", "btlspolicy", ""], variables)
            #expect(unauthorized.protocolText == ":5\n")
            #expect(unauthorized.failure?.reason == "Unauthorized")
            let unknown = Self.complete(["get", "widgets", ""], variables)
            #expect(unknown.protocolText == ":5\n")
            #expect(unknown.failure?.message == "the server doesn't have a resource type \"widgets\"")
            // Types still complete from the built-in list when the server refuses.
            let types = Self.complete(["--token", "wrong", "get", "c"], variables)
            #expect(types.protocolText == "configmaps\ncm\n:4\n")

            sandbox.stop()
            let started = ContinuousClock.now
            let refused = Self.complete(["get", "btlspolicy", ""], variables)
            #expect(refused.protocolText == ":5\n")
            #expect(refused.failure?.message.contains("connection refused") == true)
            // A refused connection fails at once instead of waiting out the budget (hang guard only).
            #expect(Self.firedLimit(refused) == nil)
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }

    /// The timeout that fired, as the failure names it (`request timed out after 1.9975s`).
    static func firedLimit(_ result: CompletionResult) -> Duration? {
        guard let message = result.failure?.message, let range = message.range(of: "timed out after ") else {
            return nil
        }
        let text = message[range.upperBound...].prefix { !$0.isWhitespace }
        if text.hasSuffix("ms"), let value = Double(text.dropLast(2)) { return .milliseconds(value) }
        if text.hasSuffix("s"), let value = Double(text.dropLast()) { return .seconds(value) }
        return nil
    }

    /// The budget is a deadline every request of the completion shares. Checked by what fired, not
    /// by how fast this machine is: each failure names the timeout it was given, which must be what
    /// was left of the budget; elapsed time only has a floor (the wait really happened) and a hang
    /// guard far above any budget.
    @Test func aServerThatNeverAnswersCostsAtMostTheBudget() throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let variables = [
            "HOME": "/nonexistent", "DATUMCTL_SERVER": "http://127.0.0.1:\(listener.port)", "DATUM_PROJECT": "p1",
            "DATUMCTL_TOKEN": "t",
        ]
        let hangGuard = Duration.seconds(30)
        var started = ContinuousClock.now
        let slow = Self.complete(["get", "btlspolicy", ""], variables)
        var elapsed = ContinuousClock.now - started
        #expect(slow.protocolText == ":5\n")
        let slowLimit = try #require(Self.firedLimit(slow), "not a timeout: \(slow.failure?.message ?? "no failure")")
        #expect(slowLimit <= .seconds(2) && slowLimit > .seconds(1))
        #expect(elapsed >= slowLimit && elapsed < hangGuard, "took \(elapsed)")

        // `--request-timeout` on the line replaces the budget.
        started = ContinuousClock.now
        let quick = Self.complete(["--request-timeout", "300ms", "get", "btlspolicy", ""], variables)
        elapsed = ContinuousClock.now - started
        #expect(quick.protocolText == ":5\n")
        let quickLimit = try #require(Self.firedLimit(quick))
        #expect(quickLimit <= .milliseconds(300) && quickLimit > .milliseconds(100))
        #expect(elapsed >= quickLimit && elapsed < hangGuard)

        // A kind that needs discovery first shares the same budget across both requests: whichever
        // request the deadline caught was given what was left of the one budget, never a fresh one.
        started = ContinuousClock.now
        let shared = Self.complete(["get", "httproutes", ""], variables)
        elapsed = ContinuousClock.now - started
        let sharedLimit = try #require(Self.firedLimit(shared))
        #expect(sharedLimit <= .seconds(2))
        #expect(elapsed >= sharedLimit && elapsed < hangGuard)
    }

    // MARK: - The real binary and the committed bash script

    /// The first real command whose arguments are a resource type and names (`get`, once the
    /// read commands are in the spec).
    static let realNamesCommand: String? = Datumctl.rootSpec.visibleSubcommands.first { command in
        guard let first = command.positionals.first, case .resourceTypes = first.completion,
            let last = command.positionals.last, case .resourceNames = last.completion
        else { return false }
        return true
    }?.name

    static var binary: String { TestProcess.productsDirectory }

    @Test(.enabled(if: realNamesCommand != nil))
    func binaryAndScriptsCompleteNamesFromTheSandbox() throws {
        let command = try #require(Self.realNamesCommand)
        let home = try TemporaryDirectory()
        defer { withExtendedLifetime(home) {} }
        try withSandbox { sandbox in
            var variables = try Self.prepare(sandbox, in: home.path)
            variables["PATH"] = Self.binary + ":/usr/bin:/bin"
            let direct = try TestProcess.run(
                Self.binary + "/datumctl", ["__complete", command, "btlspolicy", ""], environment: variables)
            #expect(direct.stdout == "api-tls\ndb-tls\nweb-tls\n:4\n")
            #expect(direct.status == 0)

            let script = Repository.root + "/completions/datumctl.bash"
            let line = "datumctl -n team \(command) btlspolicy "
            let program = """
                source '\(script)'
                COMP_WORDS=(datumctl -n team \(command) btlspolicy '')
                COMP_CWORD=5
                COMP_LINE='\(line)'
                COMP_POINT=\(line.count)
                _datumctl
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let bash = try TestProcess.run(
                "/bin/bash", ["--norc", "--noprofile", "-c", program], environment: variables)
            #expect(bash.stdout == "team-tls\n")

            if FileManager.default.isExecutableFile(atPath: "/usr/bin/fish") {
                let fishScript = script.replacingOccurrences(of: "datumctl.bash", with: "datumctl.fish")
                let fish = try TestProcess.run(
                    "/usr/bin/fish", ["--no-config", "-c", "source '\(fishScript)'; complete -C '\(line)t'"],
                    environment: variables)
                #expect(fish.stdout == "team-tls\n")
            }
        }
    }
}

extension CompletionSandboxTests {
    /// Context names need no server: the real binary reads them from the config file, and the
    /// committed bash and fish scripts offer them after `config use-context` and `--context`.
    @Test func scriptsCompleteContextNamesFromTheConfigFile() throws {
        let home = try TemporaryDirectory()
        defer { withExtendedLifetime(home) {} }
        let config = try home.write(
            "config",
            """
            current-context: dev
            contexts:
            - name: dev
              server: https://127.0.0.1:1
              project: p-dev
            - name: prod
              server: https://127.0.0.1:1
              project: p-prod
            - name: staging
              server: https://127.0.0.1:1
              project: p-staging

            """)
        let variables = ["HOME": home.path, "DATUMCTL_CONFIG": config, "PATH": Self.binary + ":/usr/bin:/bin"]
        let direct = try TestProcess.run(
            Self.binary + "/datumctl", ["__complete", "config", "use-context", ""], environment: variables)
        #expect(direct.stdout == "dev\nprod\nstaging\n:4\n")

        let script = Repository.root + "/completions/datumctl.bash"
        for (words, expected) in [("config use-context ''", "dev prod staging"), ("--context s", "staging")] {
            let line = "datumctl " + words.replacingOccurrences(of: "''", with: "")
            let count = words.split(separator: " ").count + 1
            let program = """
                source '\(script)'
                COMP_WORDS=(datumctl \(words))
                COMP_CWORD=\(count - 1)
                COMP_LINE='\(line)'
                COMP_POINT=\(line.count)
                _datumctl
                printf '%s ' "${COMPREPLY[@]}"
                """
            let bash = try TestProcess.run(
                "/bin/bash", ["--norc", "--noprofile", "-c", program], environment: variables)
            #expect(bash.stdout == expected + " ", "\(words)")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/fish") {
            let fishScript = script.replacingOccurrences(of: "datumctl.bash", with: "datumctl.fish")
            let fish = try TestProcess.run(
                "/usr/bin/fish", ["--no-config", "-c", "source '\(fishScript)'; complete -C 'datumctl config use-context p'"],
                environment: variables)
            #expect(fish.stdout == "prod\n")
        }
    }
}

/// A loopback TCP listener that accepts connections (the kernel does, through the backlog) and
/// never answers: the slowest server there is.
final class SilentListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        (descriptor, port) = try Loopback.listener(backlog: 16)
    }

    func close() {
        Glibc.close(descriptor)
    }
}
