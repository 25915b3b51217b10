import DatumArguments
import DatumHTTP
import DatumJSON
import DatumKit
import DatumYAML
import Dispatch
import GoCompat
import Synchronization

/// `datumctl apply`: validates manifests locally, then server-side applies every object.
struct ApplyCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let dryRun = OptionSpec(
            "dry-run", kind: .value(ValueSpec("STRATEGY", kind: .enumeration(["none", "server", "client"]))),
            help: "Must be \"none\", \"server\", or \"client\". If client strategy, only validate and print the "
                + "objects without sending them (each is read, when a project is set, to tell created from "
                + "configured). If server strategy, submit the server-side apply without persisting the resources.",
            defaultValue: "none")
        static let output = OptionSpec(
            "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["json", "yaml", "name"]))),
            help: "Output format: the applied objects as json or yaml (a List when there are several), or "
                + "name (kind/name per object).")
        static let serverSide = OptionSpec(
            "server-side",
            help: "Apply on the server (always: datumctl has no client-side apply). Given explicitly, each object "
                + "is reported as serverside-applied, as kubectl apply --server-side reports it.",
            defaultValue: "true")
    }

    static let spec = CommandSpec(
        "apply", group: .deploy,
        summary: "Apply a configuration to a resource by file name or stdin",
        discussion: """
            Create or update resources from manifests with server-side apply: the server merges each object \
            into what it holds and records which fields the field manager (datumctl by default) owns. JSON \
            and YAML are accepted, several documents per file, directories with -R.

            Every document is checked locally first, exactly as `datumctl validate` checks it. If any document \
            is invalid or unreadable, every problem is reported with its file:line:column and nothing is sent.

            Objects are then applied concurrently over shared connections, and each is reported in input \
            order as created, configured or unchanged, as the server's answers show. One failure does not \
            stop the others; any failure makes the exit status 1.

            Objects last applied with kubectl's client-side apply are first upgraded to server-side apply, as \
            kubectl apply --server-side upgrades them: the fields kubectl set pass to the field manager, so the \
            apply meets no conflicts with them.
            """,
        usage: "-f FILENAME",
        examples: [
            Example("Apply the configuration in backendtlspolicy.yaml", "datumctl apply -f backendtlspolicy.yaml"),
            Example("Apply the YAML passed into stdin", "cat policy.yaml | datumctl apply -f -"),
            Example(
                "Apply every manifest below a directory, recursively, in another project",
                "datumctl apply -R -f manifests/ --project staging"),
            Example(
                "Show what the server would make of the manifests, without changing anything",
                "datumctl apply -f policy.yaml --dry-run=server -o yaml"),
            Example(
                "Take over fields another field manager owns",
                "datumctl apply -f policy.yaml --force-conflicts"),
        ],
        options: [ApplyFlags.filenameOption("apply")] + ApplyFlags.options.map(Self.applyOption) + [
            Option.dryRun,
            Option.output,
        ])

    /// `--server-side` says more for apply than for diff.
    static func applyOption(_ option: OptionSpec) -> OptionSpec {
        guard option.long == "server-side" else { return option }
        return Option.serverSide
    }

    enum DryRun: String, Sendable {
        case none
        case server
        case client
    }

    enum Output: String, Sendable {
        case lines
        case json
        case yaml
        case name
    }

    var flags: ApplyFlags
    var dryRun: DryRun
    var output: Output

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        flags = try ApplyFlags(parsed, command: ["datumctl", "apply"])
        dryRun = DryRun(rawValue: parsed.string(Option.dryRun) ?? "none") ?? .none
        output = parsed.string(Option.output).flatMap(Output.init(rawValue:)) ?? .lines
        if dryRun == .client && flags.serverSideGiven {
            throw .usage(
                "--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)",
                command: ["datumctl", "apply"])
        }
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let settings = try context.connectionSettings()
        // A client dry run needs the server only to look up kinds datumctl does not know, and to
        // read the objects when a project is set; without one it works offline.
        let client: ProjectClient? =
            dryRun == .client && !settings.hasControlPlane ? nil : try context.projectClient(settings)
        let mapper = ResourceMapper(discover: { () throws(CLIError) -> [APIResource] in
            if let client { return try client.discoverResources(cache: context.openAPICache) }
            return try context.projectClient(settings).discoverResources(cache: context.openAPICache)
        })
        guard
            let items = try flags.manifests(namespace: settings.namespace).load(
                context.environment, diagnostics: context.diagnostics,
                resolve: { gvk throws(CLIError) in try mapper.resource(for: gvk) },
                schemas: client.map { context.serverSchemas($0, mapper: mapper) })
        else { return .failure }
        guard !items.isEmpty else { throw CLIError(.manifest, "no objects passed to apply") }

        if dryRun == .client {
            var live: [LiveObject]?
            if let client { live = try flags.engine(client, dryRun: true).liveObjects(items) }
            printClientDryRun(items, live: live, context)
            return .success
        }
        guard let client else { return .failure }
        let engine = flags.engine(client, dryRun: dryRun == .server)
        let warnings = context.diagnostics
        let live = engine.upgradeClientSideApplied(
            items, live: try engine.liveObjects(items), warn: { warnings.warn($0) })
        let progress = ApplyProgress(sink: context.stderr, total: items.count, label: "applying")
        var onEach: (@Sendable () -> Void)?
        if let progress { onEach = { progress.advance() } }
        let results = engine.apply(items, live: live, onEach: onEach)
        progress?.finish()
        return report(items, results, context)
    }

    /// The operation word after each applied object, with kubectl's server dry-run suffix:
    /// `serverside-applied` when `--server-side` was given, as kubectl prints it then.
    func operation(_ outcome: ApplyOutcome) -> String {
        let word = flags.serverSideGiven ? "serverside-applied" : outcome.rawValue
        return dryRun == .server ? word + " (server dry run)" : word
    }

    /// `backendtlspolicy.gateway.networking.k8s.io/secure-backend created`
    static func line(_ item: ApplyItem, _ operation: String?) -> String {
        item.resource.kindQualifiedName + "/" + item.name + (operation.map { " " + $0 } ?? "")
    }

    /// kubectl's client dry run reads each object and says `created (dry run)` when there is
    /// none, `configured (dry run)` otherwise (even when nothing would change). Without a project
    /// there is nothing to read, and datumctl says what it did: `validated (dry run)`.
    private func printClientDryRun(_ items: [ApplyItem], live: [LiveObject]?, _ context: CommandContext) {
        switch output {
        case .lines:
            for (index, item) in items.enumerated() {
                var word = "validated"
                if let live { word = live[index] == .absent ? "created" : "configured" }
                context.stdout.line(Self.line(item, word + " (dry run)"))
            }
        case .name:
            for item in items { context.stdout.line(Self.line(item, nil)) }
        case .json, .yaml:
            printObjects(items.map(\.object), inputCount: items.count, context)
        }
    }

    /// Prints every object's outcome in input order, then the failures; 1 if anything failed.
    private func report(_ items: [ApplyItem], _ results: [ApplyResult], _ context: CommandContext) -> ExitCode {
        let printsObjects = output == .json || output == .yaml
        // Most outcomes follow from the status and the resourceVersions; only the rest (and
        // objects to print) are parsed, on all cores.
        var known = [ApplyOutcome?](repeating: nil, count: items.count)
        var parseApplied = [Bool](repeating: false, count: items.count)
        var parseLive = [Bool](repeating: false, count: items.count)
        for index in items.indices {
            guard case .success(let response) = results[index].response, (200..<300).contains(response.status) else {
                continue
            }
            let version =
                response.status == 201
                ? nil : JSONScan.string(at: ["metadata", "resourceVersion"], in: response.body[...])
            known[index] = ApplyOutcome.decide(
                status: response.status, live: results[index].live, appliedVersion: version, dryRun: dryRun == .server)
            // An answer that is not one whole JSON object (cut short, or a proxy's HTML page) is
            // parsed, so it is reported instead of counted as applied.
            parseApplied[index] = printsObjects || known[index] == nil || !JSONScan.isWholeObject(response.body[...])
            parseLive[index] = known[index] == nil
        }
        let applied: [JSONValue?] = Self.parseAll(
            items.indices.map { index in
                guard parseApplied[index], case .success(let response) = results[index].response else { return nil }
                return ServerObject(bytes: response.body[...])
            })
        let before: [JSONValue?] = Self.parseAll(
            items.indices.map { index in
                guard parseLive[index], case .present(let object) = results[index].live else { return nil }
                return object
            })

        let warnings = context.warnings
        var failures: [ObjectFailure] = []
        var printed: [JSONValue] = []
        var out = ""
        for (index, item) in items.enumerated() {
            let response: HTTPResponse
            switch results[index].response {
            case .failure(let error):
                failures.append(ObjectFailure(error))
                continue
            case .success(let answer):
                response = answer
            }
            warnings.print(from: response.headers)
            guard (200..<300).contains(response.status) else {
                failures.append(ObjectFailure(response: response))
                continue
            }
            if parseApplied[index] && applied[index] == nil {
                failures.append(
                    ObjectFailure(
                        CLIError(
                            .server,
                            "the server answered \(response.status) for \(Self.line(item, nil)) with a body that is not "
                                + "a JSON object; it may or may not have been applied",
                            code: response.status)))
                continue
            }
            var outcome = ApplyOutcome.configured
            if let decided = known[index] {
                outcome = decided
            } else if let before = before[index], let after = applied[index] {
                outcome = ApplyOutcome.decide(before: before, applied: after)
            }
            switch output {
            case .lines: out += Self.line(item, operation(outcome)) + "\n"
            case .name: out += Self.line(item, nil) + "\n"
            case .json, .yaml: if let after = applied[index] { printed.append(after) }
            }
        }
        context.stdout.write(out)
        if printsObjects, !printed.isEmpty {
            printObjects(printed, inputCount: items.count, context)
        }
        FailureReport.report(failures, to: context.diagnostics)
        return failures.isEmpty ? .success : .failure
    }

    /// One object as itself, several as kubectl's `List` (by the number of objects in the input,
    /// so the shape does not depend on which ones failed).
    private func printObjects(_ objects: [JSONValue], inputCount: Int, _ context: CommandContext) {
        let shown = objects.map(flags.printable)
        if inputCount == 1, shown.count == 1, let only = shown.first {
            switch output {
            case .yaml: context.stdout.write(YAMLEmitter.kubectl(only))
            default: context.stdout.write(GoJSONEncoder.kubectl.encode(only) + "\n")
            }
            return
        }
        switch output {
        case .yaml:
            let list: JSONValue = ["apiVersion": "v1", "items": .array(shown), "kind": "List", "metadata": [:]]
            context.stdout.write(YAMLEmitter.kubectl(list))
        default:
            context.stdout.write(Self.listJSON(shown) + "\n")
        }
    }

    /// kubectl's apply prints several objects as a typed `List`: its own fields in Go struct
    /// order (kind, apiVersion, empty metadata, items), the items' keys sorted as usual.
    static func listJSON(_ items: [JSONValue]) -> String {
        var list = JSONObject()
        list["kind"] = "List"
        list["apiVersion"] = "v1"
        list["metadata"] = .object(JSONObject())
        list["items"] = .array(items.map(sortingKeys))
        return GoJSONEncoder(indent: "    ", sortKeys: false).encode(.object(list))
    }

    /// The same value with every object's keys in Go's map order, for an encoder that keeps order.
    static func sortingKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var sorted = JSONObject()
            for key in object.sortedKeys { sorted[key] = object[key].map(sortingKeys) }
            return .object(sorted)
        case .array(let items):
            return .array(items.map(sortingKeys))
        default:
            return value
        }
    }

    /// Parses the given objects on all cores (a thousand objects' worth is a noticeable part of
    /// a large apply); nil where there is nothing to parse or it is not a JSON object.
    static func parseAll(_ objects: [ServerObject?]) -> [JSONValue?] {
        let parsed = Mutex([JSONValue?](repeating: nil, count: objects.count))
        let chunk = 64
        let chunks = (objects.count + chunk - 1) / chunk
        DispatchQueue.concurrentPerform(iterations: chunks) { part in
            let range = (part * chunk)..<min(objects.count, (part + 1) * chunk)
            let values = range.map { objects[$0]?.parsed() }
            parsed.withLock { all in
                for (offset, value) in values.enumerated() { all[range.lowerBound + offset] = value }
            }
        }
        return parsed.withLock { $0 }
    }
}
