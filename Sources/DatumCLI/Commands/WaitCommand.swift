import DatumArguments
import DatumHTTP
import DatumJSON
import DatumKit
import GoCompat

/// `datumctl wait`: blocks until objects are created, deleted, or meet a condition or a JSONPath
/// value, following kubectl's `wait` (texts, `--timeout`, exit statuses). For Gateway API
/// policies, whose conditions are kept per ancestor (`status.ancestors[*].conditions`), a
/// condition is met when every ancestor reports it for the object's current generation.
struct WaitCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let filename = ReadOptions.filename("to wait on")
        static let all = OptionSpec(
            "all", help: "Select all resources in the namespace of the specified resource types")
        static let `for` = OptionSpec(
            "for", kind: .value(ValueSpec("CONDITION")),
            help: "The condition to wait on: [create | delete | condition=condition-name[=condition-value] | "
                + "jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. "
                + "Condition values are compared after Unicode simple case folding, which is a more general "
                + "form of case-insensitivity. Multiple conditions are supported and AND'ed to each other in a "
                + "sequential order. If --for=create is passed, it is always waited first.",
            isRepeatable: true)
        static let output = OptionSpec(
            "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["name"]))),
            help: "Output format. Only \"name\" is supported: resource/name, without \"condition met\".")
        static let timeout = OptionSpec(
            "timeout", kind: .value(ValueSpec("DURATION", kind: .duration)),
            help: "The length of time to wait before giving up. Zero means check once and don't wait, "
                + "negative means wait for a week.",
            defaultValue: "30s")
    }

    static let command = ["datumctl", "wait"]

    static let spec = CommandSpec(
        "wait", group: .deploy,
        summary: "Experimental: Wait for a specific condition on one or many resources",
        discussion: """
            The command takes multiple resources and waits until the specified condition is seen in the Status \
            field of every given resource.

            Conditions are read from .status.conditions, as kubectl reads them. A BackendTLSPolicy (and any \
            policy whose status lists ancestors instead) meets a condition when every entry of \
            .status.ancestors reports it, and reports it for the object's current generation \
            (observedGeneration), so a condition about an older spec does not count.

            Alternatively, the command can wait for the given set of resources to be created or deleted by \
            providing the "create" or "delete" keyword as the value to the --for flag.

            A successful message will be printed to stdout indicating when the specified condition has been met. \
            You can use -o option to change to output destination. The command watches the objects; it does not \
            poll, except for --for=create, which checks twice a second until the objects exist.
            """,
        usage:
            "([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) "
            + "[--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]",
        examples: [
            Example(
                "Wait for the policy \"secure-backend\" to be accepted by every Gateway it is attached to",
                "datumctl wait --for=condition=Accepted backendtlspolicy/secure-backend"),
            Example(
                "The same, for the references it names to resolve",
                "datumctl wait --for=condition=ResolvedRefs=True btlspolicy secure-backend --timeout=60s"),
            Example(
                "Wait for a field to hold a value",
                "datumctl wait --for=jsonpath='{.spec.validation.hostname}'=api.example.com btlspolicy/secure-backend"),
            Example("Wait for the objects of a manifest to exist", "datumctl wait --for=create -f policy.yaml"),
            Example(
                "Delete a policy, then wait up to a minute for it to be gone",
                "datumctl delete btlspolicy/secure-backend --wait=false\n"
                    + "datumctl wait --for=delete btlspolicy/secure-backend --timeout=60s"),
        ],
        options: [
            Option.all,
            ReadOptions.allNamespaces,
            ReadOptions.fieldSelector,
            Option.filename,
            Option.`for`,
            Option.output,
            ReadOptions.recursive,
            ReadOptions.selector,
            Option.timeout,
        ],
        positionals: [
            PositionalSpec(
                "TYPE", help: "The resource type, optionally TYPE/NAME.", isOptional: true, completion: .resourceTypes),
            PositionalSpec(
                "NAME", help: "Names of the objects to wait for.", isRepeating: true, isOptional: true,
                completion: .resourceNames),
        ])

    /// One `--for` value.
    enum Condition: Sendable, Equatable {
        case create
        case delete
        /// `condition=NAME[=VALUE]`; the value defaults to `true`.
        case condition(name: String, value: String)
        /// `jsonpath=EXPR[=VALUE]`; no value means any value.
        case jsonPath(template: String, value: String?)

        static func parse(_ text: String) throws(CLIError) -> Condition {
            let lowered = text.lowercased()
            if lowered == "create" { return .create }
            if lowered == "delete" { return .delete }
            if text.hasPrefix("condition=") {
                var name = String(text.dropFirst("condition=".count))
                var value = "true"
                if let equals = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                return .condition(name: name, value: value)
            }
            if text.hasPrefix("jsonpath=") {
                let parts = splitJSONPathInput(String(text.dropFirst("jsonpath=".count)))
                guard parts.count == 1 || parts.count == 2 else {
                    throw CLIError(
                        .usage,
                        "jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or "
                            + "--for=jsonpath='{.status.readyReplicas}'")
                }
                let template: String
                do throws(PrinterError) {
                    template = try JSONPath.relaxed(parts[0])
                    if template.isEmpty { throw PrinterError("jsonpath expression cannot be empty") }
                    _ = try JSONPath(template)
                } catch {
                    throw CLIError(.usage, error.message)
                }
                guard parts.count == 2 else { return .jsonPath(template: template, value: nil) }
                let value = parts[1].trimmingCharacters(in: "'\"")
                if value.isEmpty {
                    throw CLIError(
                        .usage,
                        "jsonpath wait has to have a value after equal sign, like "
                            + "--for=jsonpath='{.status.readyReplicas}'=3")
                }
                return .jsonPath(template: template, value: value)
            }
            throw CLIError(.usage, "unrecognized condition: \(GoFormat.quote(text))")
        }

        /// Splits on single `=`; `==` stays in the expression (kubectl's `splitJSONPathInput`).
        static func splitJSONPathInput(_ input: String) -> [String] {
            var output: [String] = []
            var element = ""
            let characters = Array(input)
            var index = 0
            while index < characters.count {
                if characters[index] == "=" {
                    if index + 1 < characters.count && characters[index + 1] == "=" {
                        element += "=="
                        index += 2
                        continue
                    }
                    output.append(element)
                    element = ""
                    index += 1
                    continue
                }
                element.append(characters[index])
                index += 1
            }
            output.append(element)
            return output
        }
    }

    var arguments: ResourceArguments?
    var filenames: [String]
    var recursive: Bool
    var all: Bool
    var allNamespaces: Bool
    var labelSelector: String?
    var fieldSelector: String?
    var conditions: [Condition]
    var timeout: Duration
    var namesOnly: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        let command = Self.command
        arguments = try ResourceArguments.parse(parsed.positionals.map(\.text), command: command)
        filenames = parsed.strings(Option.filename)
        recursive = parsed.flag(ReadOptions.recursive)
        all = parsed.flag(Option.all)
        allNamespaces = parsed.flag(ReadOptions.allNamespaces)
        labelSelector = parsed.string(ReadOptions.selector).flatMap { $0.isEmpty ? nil : $0 }
        fieldSelector = parsed.string(ReadOptions.fieldSelector).flatMap { $0.isEmpty ? nil : $0 }
        namesOnly = parsed.string(Option.output) == "name"
        let given = parsed.strings(Option.`for`)
        var conditions: [Condition] = []
        for text in given { conditions.append(try Condition.parse(text)) }
        guard !conditions.isEmpty else {
            throw CLIError(.usage, "unrecognized condition: \"[]\"")
        }
        // --for=create is always waited first.
        self.conditions = conditions.filter { $0 == .create } + conditions.filter { $0 != .create }
        let limit = parsed.duration(Option.timeout) ?? .seconds(30)
        timeout = limit < .zero ? .seconds(168 * 3600) : limit
        if arguments == nil && filenames.isEmpty {
            throw CLIError.usage(
                "You must provide one or more resources by argument or filename.\nExample resource specifications "
                    + "include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
                command: command)
        }
        if arguments != nil && !filenames.isEmpty {
            throw CLIError.usage(
                "when paths, URLs, or stdin is provided as input, you may not specify a resource by arguments as well",
                command: command)
        }
        if let arguments, !arguments.namesObjects, !all, labelSelector == nil, fieldSelector == nil {
            throw CLIError.usage(
                "resource(s) were provided, but no name was specified", command: command)
        }
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let session = try ReadSession(context)
        let deadline = ContinuousClock.now + timeout
        var targets = try resolveTargets(session, context)
        let forDelete = conditions.contains(.delete)

        if conditions.first == .create {
            targets = try waitForCreation(targets, session, deadline: deadline)
        }
        // Selectors and --all name the objects that exist now.
        var named: [ReadTarget] = []
        for target in targets {
            if target.name != nil {
                named.append(target)
                continue
            }
            named += try list(target, session).map {
                ReadTarget(resource: target.resource, namespace: $0.namespace ?? target.namespace, name: $0.name)
            }
        }
        if named.isEmpty && !forDelete {
            throw CLIError(.resource, "no matching resources found")
        }
        // As kubectl: every object is waited for in turn under one deadline, a failure does not
        // stop the others, and the failures are reported together at the end.
        var errors: [CLIError] = []
        for target in named {
            do throws(CLIError) {
                for condition in conditions {
                    let met = try wait(for: condition, on: target, session, deadline: deadline)
                    if met {
                        let name = target.resource.kindQualifiedName + "/" + (target.name ?? "")
                        context.stdout.line(namesOnly ? name : name + " condition met")
                        context.stdout.flush()
                    }
                }
            } catch {
                errors.append(error)
            }
        }
        if errors.count == 1, let only = errors.first { throw only }
        ReadSession.report(errors, to: context.diagnostics)
        return errors.isEmpty ? .success : .failure
    }

    // MARK: Targets

    private func resolveTargets(_ session: ReadSession, _ context: CommandContext) throws(CLIError) -> [ReadTarget] {
        if let arguments {
            return try session.targets(arguments, allNamespaces: allNamespaces, command: Self.command)
        }
        let manifests = try ReadManifests.load(filenames, recursive: recursive, environment: context.environment)
        return try session.targets(manifests)
    }

    private struct Listed {
        var name: String
        var namespace: String?
    }

    /// The objects of a collection target that match the selectors.
    private func list(_ target: ReadTarget, _ session: ReadSession) throws(CLIError) -> [Listed] {
        var query: [(String, String)] = []
        if let labelSelector { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
        let url = session.client.scope.url(try target.path(), query: query)
        let list = try session.client.getJSON(url)
        return ObjectOutput.items(of: list).compactMap { item in
            guard let name = item["metadata"]?["name"]?.stringValue else { return nil }
            return Listed(name: name, namespace: item["metadata"]?["namespace"]?.stringValue)
        }
    }

    /// `--for=create`: checks twice a second until every named object exists (kubectl polls too).
    private func waitForCreation(_ targets: [ReadTarget], _ session: ReadSession, deadline: ContinuousClock.Instant)
        throws(CLIError) -> [ReadTarget]
    {
        while true {
            var missing = false
            for target in targets {
                if target.name == nil {
                    if try list(target, session).isEmpty { missing = true }
                } else if try get(target, session) == nil {
                    missing = true
                }
                if missing { break }
            }
            if !missing { return targets }
            if ContinuousClock.now + .milliseconds(500) > deadline {
                throw CLIError(.connection, "timed out waiting for the condition")
            }
            HTTPClient.sleep(for: .milliseconds(500))
        }
    }

    // MARK: Waiting on one object

    /// The object, or nil when it does not exist.
    private func get(_ target: ReadTarget, _ session: ReadSession) throws(CLIError) -> JSONValue? {
        let response = try session.client.send(
            session.client.request("GET", session.client.scope.url(try target.path())))
        if response.status == 404 { return nil }
        return try ProjectClient.decode(response)
    }

    private func timedOut(_ target: ReadTarget) -> CLIError {
        CLIError(.connection, "timed out waiting for the condition on \(target.resource.name)/\(target.name ?? "")")
    }

    private func notFound(_ target: ReadTarget) -> CLIError {
        APIError(
            code: 404, reason: "NotFound",
            message: "\(target.resource.qualifiedName) \(GoFormat.quote(target.name ?? "")) not found"
        ).cliError
    }

    /// Waits for one condition on one object: true when met (printed by the caller), false when
    /// there is nothing to report (`--for=delete` of an object that was never there).
    private func wait(
        for condition: Condition, on target: ReadTarget, _ session: ReadSession, deadline: ContinuousClock.Instant
    ) throws(CLIError) -> Bool {
        if condition == .create { return true }
        // One deadline for the whole command, as kubectl's: once it has passed, every object left
        // times out, even one that would meet the condition.
        if timeout != .zero && ContinuousClock.now >= deadline { throw timedOut(target) }
        let initial = try get(target, session)
        if condition == .delete {
            guard let initial else { return false }
            if timeout == .zero { throw CLIError(.server, "condition not met for \(objectName(target))") }
            let uid = initial["metadata"]?["uid"]?.stringValue
            return try watch(target, session, deadline: deadline, from: initial) { event, object in
                if event == "DELETED" { return true }
                // Replaced by a new object of the same name: the one we waited for is gone.
                return uid != nil && object["metadata"]?["uid"]?.stringValue != uid
            } onMissing: {
                true
            }
        }
        guard let initial else { throw notFound(target) }
        if try Self.check(condition, initial) { return true }
        if timeout == .zero { throw CLIError(.server, "condition not met for \(objectName(target))") }
        return try watch(target, session, deadline: deadline, from: initial) { event, object throws(CLIError) in
            guard event != "DELETED" else { return false }
            return try Self.check(condition, object)
        } onMissing: { () throws(CLIError) -> Bool in
            throw notFound(target)
        }
    }

    private func objectName(_ target: ReadTarget) -> String {
        target.resource.qualifiedName + "/" + (target.name ?? "")
    }

    /// Watches one object (field selector on its name) from the resourceVersion of `initial`
    /// until `isDone` says so or the deadline passes. A watch the server ends early is resumed
    /// from a fresh read; `onMissing` decides what an object that disappeared in between means.
    private func watch(
        _ target: ReadTarget, _ session: ReadSession, deadline: ContinuousClock.Instant, from initial: JSONValue,
        isDone: (String, JSONValue) throws(CLIError) -> Bool, onMissing: () throws(CLIError) -> Bool
    ) throws(CLIError) -> Bool {
        var resourceVersion = initial["metadata"]?["resourceVersion"]?.stringValue ?? ""
        let collection = try target.resource.collectionPath(namespace: target.namespace)
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { throw timedOut(target) }
            let seconds = max(1, Int(remaining.components.seconds) + (remaining.components.attoseconds > 0 ? 1 : 0))
            var query: [(String, String)] = [
                ("fieldSelector", "metadata.name=\(target.name ?? "")"), ("watch", "true"),
                ("timeoutSeconds", String(seconds)),
            ]
            if !resourceVersion.isEmpty { query.append(("resourceVersion", resourceVersion)) }
            let request = session.client.request(
                "GET", session.client.scope.url(collection, query: query), timeout: remaining + .seconds(2))
            var done = false
            var expired = false
            let end = try session.watchStream(request) { (event) throws(CLIError) -> Bool in
                if event.type == "ERROR" {
                    // 410 Gone: the resourceVersion is too old; read again and resume.
                    if event.object["code"]?.intValue == 410 {
                        expired = true
                        return false
                    }
                    throw APIError(status: event.object).cliError
                }
                if let version = event.object["metadata"]?["resourceVersion"]?.stringValue {
                    resourceVersion = version
                }
                done = try isDone(event.type, event.object)
                return !done
            }
            let status = end.status
            // The connection dropped or the request timed out: try again while time is left.
            if end.transportError != nil && status == 0 && ContinuousClock.now >= deadline { throw timedOut(target) }
            if done { return true }
            if status != 0 && !(200..<300).contains(status) {
                throw APIError(statusCode: status, body: end.errorBody).cliError
            }
            if ContinuousClock.now >= deadline { throw timedOut(target) }
            // The watch ended before the deadline (or expired): read the object again and resume.
            guard let current = try get(target, session) else { return try onMissing() }
            if expired || status == 0 { resourceVersion = current["metadata"]?["resourceVersion"]?.stringValue ?? "" }
            if try isDone("MODIFIED", current) { return true }
            if status == 0 { HTTPClient.sleep(for: .milliseconds(200)) }
        }
    }

    // MARK: Conditions

    /// Whether `object` meets a condition or JSONPath wait.
    static func check(_ condition: Condition, _ object: JSONValue) throws(CLIError) -> Bool {
        switch condition {
        case .create: return true
        case .delete: return false
        case .condition(let name, let value): return conditionMet(object, name: name, value: value)
        case .jsonPath(let template, let value): return try jsonPathMet(object, template: template, value: value)
        }
    }

    /// kubectl's check over `.status.conditions`; for objects that report per ancestor instead,
    /// every ancestor must report the condition with the value, for the current generation.
    static func conditionMet(_ object: JSONValue, name: String, value: String) -> Bool {
        let generation = object["metadata"]?["generation"]?.intValue
        let status = object["status"]
        if let conditions = status?["conditions"]?.arrayValue {
            return conditionsMet(conditions, name: name, value: value, generation: generation, status: status)
        }
        guard let ancestors = status?["ancestors"]?.arrayValue, !ancestors.isEmpty else { return false }
        return ancestors.allSatisfy { ancestor in
            conditionsMet(
                ancestor["conditions"]?.arrayValue ?? [], name: name, value: value, generation: generation,
                status: nil)
        }
    }

    /// The first condition of the type decides, as in kubectl: an observedGeneration older than
    /// the object's generation means "not yet".
    static func conditionsMet(
        _ conditions: [JSONValue], name: String, value: String, generation: Int64?, status: JSONValue?
    ) -> Bool {
        for condition in conditions {
            guard let type = condition["type"]?.stringValue, foldedEqual(type, name) else { continue }
            guard let current = condition["status"]?.stringValue else { continue }
            if let generation {
                let observed = condition["observedGeneration"]?.intValue ?? status?["observedGeneration"]?.intValue
                if let observed, observed < generation { return false }
            }
            return foldedEqual(current, value)
        }
        return false
    }

    /// `strings.EqualFold` for the ASCII and Latin texts conditions use.
    static func foldedEqual(_ a: String, _ b: String) -> Bool {
        a.lowercased() == b.lowercased()
    }

    /// kubectl's JSONPath wait: exactly one value; with a wanted value, its `%v` text equals it.
    static func jsonPathMet(_ object: JSONValue, template: String, value: String?) throws(CLIError) -> Bool {
        let results: [[JSONPath.Value]]
        do {
            results = try JSONPath(template).findResults(object, allowMissingKeys: true)
        } catch {
            throw CLIError(.validation, error.message)
        }
        guard let first = results.first, let found = first.first else { return false }
        if results.count > 1 { throw CLIError(.validation, "given jsonpath expression matches more than one list") }
        if first.count > 1 { throw CLIError(.validation, "given jsonpath expression matches more than one value") }
        guard let value else { return true }
        let json = JSONPath.asJSON(found)
        switch json {
        case .array, .object:
            throw CLIError(.validation, "jsonpath leads to a nested object or list which is not supported")
        default:
            return GoFormat.value(json).trimmingCharacters(in: " \t\n\r") == value.trimmingCharacters(in: " \t\n\r")
        }
    }
}

extension String {
    /// Trims any of the characters in `set` from both ends (Go's `strings.Trim`).
    fileprivate func trimmingCharacters(in set: String) -> String {
        let members = Set(set)
        var scalars = Substring(self)
        while let first = scalars.first, members.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, members.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
