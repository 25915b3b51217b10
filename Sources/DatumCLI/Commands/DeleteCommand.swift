import DatumArguments
import DatumHTTP
import DatumJSON
import DatumKit
import GoCompat

/// `datumctl delete`: deletes objects by name, selector or manifest, then waits until they are gone.
struct DeleteCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let ignoreNotFound = ReadOptions.ignoreNotFound(
            "Treat \"resource not found\" as a successful delete. Defaults to \"true\" when --all, -l or "
                + "--field-selector is specified.")
        static let filename = ReadOptions.filename("to delete")
        static let all = OptionSpec(
            "all", help: "Delete all resources, in the namespace of the specified resource types.")
        static let dryRun = OptionSpec(
            "dry-run", kind: .value(ValueSpec("STRATEGY", kind: .enumeration(["none", "server", "client"]))),
            help:
                "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would "
                + "be deleted, without sending it. If server strategy, submit the request without persisting "
                + "the deletion.",
            defaultValue: "none")
        static let output = OptionSpec(
            "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["name"]))),
            help: "Output mode. Use \"-o name\" for shorter output (resource/name).")
        static let timeout = OptionSpec(
            "timeout", kind: .value(ValueSpec("DURATION", kind: .duration)),
            help: "The length of time to wait for the objects to be gone; zero means a week.",
            defaultValue: "0s")
        static let wait = OptionSpec(
            "wait", help: "If true, wait for resources to be gone before returning. This waits for finalizers.",
            defaultValue: "true")
    }

    static let command = ["datumctl", "delete"]

    static let spec = CommandSpec(
        "delete", group: .basic,
        summary: "Delete resources by file names, stdin, resources and names, or by resources and label selector",
        discussion: """
            Delete resources by file names, stdin, resources and names, or by resources and label selector.

            JSON and YAML formats are accepted for -f. Only one type of argument may be specified: file names, \
            resources and names, or resources and label selector.

            Objects are deleted concurrently; a line is printed for each, in the order they were given. An object \
            that cannot be deleted is reported and makes the exit status 1; the others are still deleted. With \
            --wait (the default) the command returns once the deleted objects are gone from the server.
            """,
        usage: "([-f FILENAME] | TYPE [(NAME | -l label | --all)])",
        examples: [
            Example(
                "Delete a backend TLS policy", "datumctl delete backendtlspolicy secure-backend --project my-project"),
            Example("Delete the objects of a manifest", "datumctl delete -f backendtlspolicy.yaml"),
            Example("Delete the objects of every manifest below a directory", "datumctl delete -R -f manifests/"),
            Example(
                "Delete policies by type and name, in one form or the other",
                "datumctl delete btlspolicy/a btlspolicy/b"),
            Example("Delete the policies labelled app=web", "datumctl delete backendtlspolicies -l app=web"),
            Example("Delete every policy of the namespace", "datumctl delete backendtlspolicies --all"),
            Example(
                "Show what would be deleted, asking the server without persisting anything",
                "datumctl delete btlspolicy secure-backend --dry-run=server"),
        ],
        options: [
            Option.all,
            ReadOptions.allNamespaces,
            Option.dryRun,
            ReadOptions.fieldSelector,
            Option.filename,
            Option.ignoreNotFound,
            Option.output,
            ReadOptions.recursive,
            ReadOptions.selector,
            Option.timeout,
            Option.wait,
        ],
        positionals: [
            PositionalSpec(
                "TYPE", help: "The resource type, optionally TYPE/NAME.", isOptional: true, completion: .resourceTypes),
            PositionalSpec(
                "NAME", help: "Names of the objects to delete.", isRepeating: true, isOptional: true,
                completion: .resourceNames),
        ])

    enum DryRun: String { case none, server, client }

    var arguments: ResourceArguments?
    var filenames: [String]
    var recursive: Bool
    var all: Bool
    var allNamespaces: Bool
    var dryRun: DryRun
    var labelSelector: String?
    var fieldSelector: String?
    var ignoreNotFound: Bool
    var namesOnly: Bool
    var timeout: Duration
    var wait: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        let command = Self.command
        arguments = try ResourceArguments.parse(parsed.positionals.map(\.text), command: command)
        filenames = parsed.strings(Option.filename)
        recursive = parsed.flag(ReadOptions.recursive)
        all = parsed.flag(Option.all)
        allNamespaces = parsed.flag(ReadOptions.allNamespaces)
        dryRun = DryRun(rawValue: parsed.string(Option.dryRun) ?? "none") ?? .none
        labelSelector = parsed.string(ReadOptions.selector).flatMap { $0.isEmpty ? nil : $0 }
        fieldSelector = parsed.string(ReadOptions.fieldSelector).flatMap { $0.isEmpty ? nil : $0 }
        namesOnly = parsed.string(Option.output) == "name"
        timeout = parsed.duration(Option.timeout) ?? .zero
        wait = parsed.flag(Option.wait)
        let selects = all || labelSelector != nil || fieldSelector != nil
        ignoreNotFound = parsed.isSet(Option.ignoreNotFound) ? parsed.flag(Option.ignoreNotFound) : selects

        if all && (labelSelector != nil || fieldSelector != nil) {
            throw CLIError.usage("setting 'all' parameter but found a non empty selector. ", command: command)
        }
        guard let arguments else {
            if filenames.isEmpty {
                throw CLIError(
                    .usage, "You must provide one or more resources by argument or filename.",
                    detail: "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                        + "   '<resource> <name>'\n   '<resource>'\nSee 'datumctl delete -h' for help and examples")
            }
            if selects {
                throw CLIError.usage(
                    "--all, --selector and --field-selector need a resource type, not -f", command: command)
            }
            return
        }
        if !filenames.isEmpty {
            throw CLIError.usage(
                "when paths, URLs, or stdin is provided as input, you may not specify a resource by arguments as well",
                command: command)
        }
        if arguments.namesObjects && selects {
            throw CLIError.usage("name cannot be provided when a selector is specified", command: command)
        }
        if !arguments.namesObjects && !selects {
            throw CLIError.usage("resource(s) were provided, but no name was specified", command: command)
        }
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let session = try ReadSession(context)
        var errors: [CLIError] = []
        var targets: [ReadTarget] = []
        if let arguments {
            let named = try session.targets(arguments, allNamespaces: allNamespaces, command: Self.command)
            let collections = named.filter { $0.name == nil }
            targets = named.filter { $0.name != nil }
            if !collections.isEmpty {
                var query: [(String, String)] = []
                if let labelSelector { query.append(("labelSelector", labelSelector)) }
                if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
                for (collection, result) in zip(collections, session.fetch(collections, query: query, chunkSize: 500)) {
                    switch result {
                    case .success(let pages):
                        for item in pages.flatMap(ObjectOutput.items(of:)) {
                            let metadata = item["metadata"]
                            targets.append(
                                ReadTarget(
                                    resource: collection.resource,
                                    namespace: collection.resource.namespaced
                                        ? metadata?["namespace"]?.stringValue : nil,
                                    name: metadata?["name"]?.stringValue ?? ""))
                        }
                    case .failure(let error):
                        errors.append(error)
                    }
                }
            }
        } else {
            let manifests = try ReadManifests.load(filenames, recursive: recursive, environment: context.environment)
            targets = try session.targets(manifests)
        }

        // A name or namespace that cannot be a path segment is an error of its own; nothing is
        // sent for it (`..` would otherwise delete the namespace).
        var paths: [(target: ReadTarget, path: String)] = []
        for target in targets {
            do throws(CLIError) {
                paths.append((target, try target.path()))
            } catch {
                errors.append(Self.withSource(error, target))
            }
        }
        var deleted: [Deleted] = []
        if dryRun == .client {
            for (target, _) in paths { printDeleted(target, context) }
        } else {
            let body = Array(Self.deleteOptions(dryRun: dryRun == .server).utf8)
            let requests = paths.map { entry in
                session.client.request(
                    "DELETE", session.client.scope.url(entry.path), contentType: "application/json", body: body,
                    idempotent: true)
            }
            for (entry, result) in zip(
                paths, session.client.sendAll(requests, concurrency: HTTPClient.defaultConcurrency))
            {
                do throws(CLIError) {
                    let response = try ProjectClient.decode(try result.get())
                    printDeleted(entry.target, context)
                    deleted.append(Deleted(target: entry.target, path: entry.path, uid: Self.uid(of: response)))
                } catch {
                    if error.reason == "NotFound" && ignoreNotFound {
                        deleted.append(Deleted(target: entry.target, path: entry.path, uid: nil))
                        continue
                    }
                    errors.append(Self.withSource(error, entry.target))
                }
            }
        }
        if targets.isEmpty && errors.isEmpty {
            context.stdout.line("No resources found")
            return .success
        }
        if wait && dryRun == .none && !deleted.isEmpty && errors.isEmpty {
            if let failure = waitUntilGone(deleted, session) { errors.append(failure) }
        }
        ReadSession.report(errors, to: context.diagnostics)
        return errors.isEmpty ? .success : .failure
    }

    /// kubectl's line: `backendtlspolicy.gateway.networking.k8s.io "x" deleted`.
    private func printDeleted(_ target: ReadTarget, _ context: CommandContext) {
        let kind = target.resource.kindQualifiedName
        let name = target.name ?? ""
        if namesOnly {
            context.stdout.line("\(kind)/\(name)")
            return
        }
        let suffix: String
        switch dryRun {
        case .none: suffix = ""
        case .client: suffix = " (dry run)"
        case .server: suffix = " (server dry run)"
        }
        context.stdout.line("\(kind) \"\(name)\" deleted\(suffix)")
    }

    /// The `DeleteOptions` body kubectl sends (background cascading, as its default).
    static func deleteOptions(dryRun: Bool) -> String {
        var options: JSONObject = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if dryRun { options["dryRun"] = ["All"] }
        options["propagationPolicy"] = "Background"
        return GoJSONEncoder(sortKeys: false).encode(.object(options))
    }

    /// The deleted object's uid: custom resources answer with the object, built-in ones with a
    /// `Status` whose details carry it.
    static func uid(of response: JSONValue) -> String? {
        if response["kind"]?.stringValue == "Status" { return response["details"]?["uid"]?.stringValue }
        return response["metadata"]?["uid"]?.stringValue
    }

    /// One object the server deleted (or had not found): where it was, and its uid then.
    private struct Deleted {
        var target: ReadTarget
        var path: String
        var uid: String?
    }

    /// kubectl names the manifest an object came from: `error when deleting "policy.yaml": ...`,
    /// for the server's errors and for names it refuses to put in a URL.
    static func withSource(_ error: CLIError, _ target: ReadTarget) -> CLIError {
        guard let source = target.source, error.kind == .server || error.kind == .validation else { return error }
        var sourced = error
        sourced.message = "error when deleting \(GoFormat.quote(source)): \(error.message)"
        return sourced
    }

    /// Polls until every deleted object is gone (or was replaced by a new one with another uid),
    /// as `kubectl delete --wait` does; `nil` when all are gone.
    private func waitUntilGone(_ deleted: [Deleted], _ session: ReadSession) -> CLIError? {
        let limit: Duration = timeout == .zero ? .seconds(168 * 3600) : timeout
        let deadline = ContinuousClock.now + limit
        var pending = deleted
        var delay: Duration = .milliseconds(50)
        while true {
            let requests = pending.map { session.client.request("GET", session.client.scope.url($0.path)) }
            var still: [Deleted] = []
            for (entry, result) in zip(
                pending, session.client.sendAll(requests, concurrency: HTTPClient.defaultConcurrency))
            {
                switch result {
                case .success(let response) where response.status == 404:
                    continue
                case .success(let response) where (200..<300).contains(response.status):
                    let current = (try? ProjectClient.decode(response)).flatMap { Self.uid(of: $0) }
                    if let uid = entry.uid, current != uid { continue }
                    still.append(entry)
                case .success(let response):
                    // Not allowed to look (403) or to get this resource (405): nothing to wait for.
                    if response.status == 403 || response.status == 405 { continue }
                    return APIError(response: response).cliError
                case .failure(let error):
                    return error
                }
            }
            if still.isEmpty { return nil }
            pending = still
            if ContinuousClock.now + delay > deadline {
                guard let first = still.first else { return nil }
                return CLIError(
                    .connection,
                    "timed out waiting for the condition on \(first.target.resource.name)/\(first.target.name ?? "")")
            }
            HTTPClient.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
        }
    }
}
