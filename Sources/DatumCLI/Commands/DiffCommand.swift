import DatumArguments
import DatumHTTP
import DatumJSON
import DatumKit
import DatumYAML
import GoCompat

/// `datumctl diff`: what `apply` would change, as a unified diff of live against merged objects.
struct DiffCommand: CLICommand {
    static let spec = CommandSpec(
        "diff", group: .deploy,
        summary: "Diff the live version against a would-be applied version",
        discussion: """
            Compare what the server holds with what it would hold after `datumctl apply` of the same files. \
            Every object is server-side applied as a dry run (nothing is changed), and the live and the \
            resulting object are compared as YAML, managedFields left out. An object that does not exist yet \
            is compared with an empty file; values under a Secret's data are masked.

            The output is a unified diff, one file per object, labelled LIVE/<name> and MERGED/<name> where \
            <name> is group.version.Kind.namespace.name, in name order. Set DATUMCTL_EXTERNAL_DIFF to run your \
            own program instead (for example "colordiff -N -u"); it is given the two directories.

            Exit status: 0 when there are no differences, 1 when there are, greater than 1 when datumctl or \
            the external program failed.
            """,
        usage: "-f FILENAME",
        examples: [
            Example("Diff the resources in backendtlspolicy.yaml", "datumctl diff -f backendtlspolicy.yaml"),
            Example("Diff the manifest read from stdin", "cat policy.yaml | datumctl diff -f -"),
            Example(
                "Diff every manifest below a directory and show the result in colour",
                "DATUMCTL_EXTERNAL_DIFF=\"colordiff -N -u\" datumctl diff -R -f manifests/"),
        ],
        options: [ApplyFlags.filenameOption("diff")] + ApplyFlags.options)

    var flags: ApplyFlags

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        flags = try ApplyFlags(parsed, command: ["datumctl", "diff"])
    }

    /// The two versions of one object, printed as kubectl's diff prints them.
    struct Versions: Sendable, Equatable {
        /// `gateway.networking.k8s.io.v1.BackendTLSPolicy.default.secure-backend`
        var name: String
        var live: String
        var merged: String
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        // 1 means "differences found" here, so every failure exits with 2.
        do {
            return try compare(context)
        } catch {
            context.diagnostics.report(error)
            return .diffFailure
        }
    }

    private func compare(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let settings = try context.connectionSettings()
        let client = try context.projectClient(settings)
        let mapper = ResourceMapper(client: client, cache: context.openAPICache)
        guard
            let items = try flags.manifests(namespace: settings.namespace).load(
                context.environment, diagnostics: context.diagnostics,
                resolve: { gvk throws(CLIError) in try mapper.resource(for: gvk) },
                schemas: context.serverSchemas(client, mapper: mapper))
        else { return .diffFailure }
        guard !items.isEmpty else { throw CLIError(.manifest, "no objects passed to diff") }

        let engine = flags.engine(client, dryRun: true)
        let live = try engine.liveObjects(items)
        let progress = ApplyProgress(sink: context.stderr, total: items.count, label: "comparing")
        var onEach: (@Sendable () -> Void)?
        if let progress { onEach = { progress.advance() } }
        let results = engine.apply(items, live: live, onEach: onEach)
        progress?.finish()

        let warnings = context.warnings
        var failures: [ObjectFailure] = []
        var byName: [String: Versions] = [:]
        for (item, result) in zip(items, results) {
            let response: HTTPResponse
            switch result.response {
            case .failure(let error):
                failures.append(ObjectFailure(error))
                continue
            case .success(let answer):
                response = answer
            }
            warnings.print(from: response.headers)
            guard (200..<300).contains(response.status) else {
                failures.append(ObjectFailure(response: response, explainingConflicts: false))
                continue
            }
            guard let merged = try? JSONParser.parse(response.body) else {
                failures.append(
                    ObjectFailure(CLIError(.server, "the server sent an invalid JSON response", code: response.status)))
                continue
            }
            let pair = versions(item, live: result.live.object, merged: merged)
            byName[pair.name] = pair  // a repeated object is compared once, as its last document
        }

        let sorted = byName.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var status = ExitCode.success
        if let external = context.environment.variables["DATUMCTL_EXTERNAL_DIFF"], !external.isEmpty {
            status = try ExternalDiff(command: external, variables: context.environment.variables)
                .run(sorted, stdout: context.stdout, stderr: context.stderr)
        } else {
            let text = Self.render(sorted)
            context.stdout.write(text)
            if !text.isEmpty { status = .failure }
        }
        FailureReport.report(failures, to: context.diagnostics)
        return failures.isEmpty ? status : .diffFailure
    }

    /// Both versions as YAML, managedFields dropped (unless asked for) and Secret data masked.
    func versions(_ item: ApplyItem, live: JSONValue?, merged: JSONValue) -> Versions {
        var before = live.map(flags.printable)
        var after = flags.printable(merged)
        if item.resource.group.isEmpty && item.resource.version == "v1" && item.resource.kind == "Secret" {
            (before, after) = Self.maskSecretData(before, after)
        }
        let resource = item.resource
        let name =
            (resource.group.isEmpty ? "" : resource.group + ".")
            + "\(resource.version).\(resource.kind).\(item.namespace ?? "").\(item.name)"
        return Versions(name: name, live: before.map(YAMLEmitter.kubectl) ?? "", merged: YAMLEmitter.kubectl(after))
    }

    /// kubectl's masking of Secret values: every value under `data` becomes `***`, and a value
    /// that differs between the two becomes `*** (before)` / `*** (after)` so the change shows.
    static func maskSecretData(_ live: JSONValue?, _ merged: JSONValue) -> (JSONValue?, JSONValue) {
        let from = live?["data"]?.objectValue
        let to = merged["data"]?.objectValue
        var maskedFrom = JSONObject()
        var maskedTo = JSONObject()
        for (key, value) in from ?? JSONObject() {
            if let other = to?[key], other != value {
                maskedFrom[key] = "*** (before)"
                maskedTo[key] = "*** (after)"
            } else {
                maskedFrom[key] = "***"
                if to?[key] != nil { maskedTo[key] = "***" }
            }
        }
        for (key, _) in to ?? JSONObject() where maskedTo[key] == nil { maskedTo[key] = "***" }
        var newLive = live
        var newMerged = merged
        if from != nil { newLive?["data"] = .object(maskedFrom) }
        if to != nil { newMerged["data"] = .object(maskedTo) }
        return (newLive, newMerged)
    }

    /// The unified diff of every object that differs, in the layout of `diff -u -N LIVE MERGED`.
    static func render(_ versions: [Versions]) -> String {
        var out = ""
        let differ = UnifiedDiff()
        for version in versions {
            let live = "LIVE/" + version.name
            let merged = "MERGED/" + version.name
            let body = differ.diff(old: version.live, new: version.merged, oldLabel: live, newLabel: merged)
            if !body.isEmpty { out += "diff -u -N \(live) \(merged)\n" + body }
        }
        return out
    }
}
