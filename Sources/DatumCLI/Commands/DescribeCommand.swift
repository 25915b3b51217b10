import DatumArguments
import DatumHTTP
import DatumJSON
import DatumKit
import GoCompat

/// `datumctl describe`: every field of the selected objects in kubectl's layout, with their events.
struct DescribeCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let filename = ReadOptions.filename("to describe")
        static let showEvents = OptionSpec(
            "show-events", help: "If true, display events related to the described object.", defaultValue: "true")
    }

    static let command = ["datumctl", "describe"]

    static let spec = CommandSpec(
        "describe", group: .troubleshooting,
        summary: "Show details of a specific resource or group of resources",
        discussion: """
            Print a detailed description of the selected resources: name, namespace, labels and annotations, \
            then every other field (API Version, Kind, Metadata, Spec, Status) as indented sections, then the \
            events that mention the object. For a BackendTLSPolicy the Status section lists each ancestor and \
            its conditions (Accepted, ResolvedRefs) with their reasons and messages.

            If NAME is given and no object has exactly that name, every object whose name starts with NAME is \
            described. Without NAME, every object of the type is described.

            Use "datumctl api-resources" for a complete list of supported resources.
            """,
        usage: "(-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)",
        examples: [
            Example(
                "Describe a backend TLS policy",
                "datumctl describe backendtlspolicy secure-backend --project my-project"),
            Example("Describe the policies whose names start with \"secure\"", "datumctl describe btlspolicy secure"),
            Example("Describe every policy of the namespace", "datumctl describe backendtlspolicies"),
            Example("Describe the objects of a manifest", "datumctl describe -f backendtlspolicy.yaml"),
            Example(
                "Describe the policies labelled app=web, without their events",
                "datumctl describe btlspolicy -l app=web --show-events=false"),
        ],
        options: [
            ReadOptions.allNamespaces,
            ReadOptions.chunkSize,
            Option.filename,
            ReadOptions.recursive,
            ReadOptions.selector,
            Option.showEvents,
        ],
        positionals: [
            PositionalSpec(
                "TYPE", help: "The resource type, optionally TYPE/NAME.", isOptional: true, completion: .resourceTypes),
            PositionalSpec(
                "NAME", help: "Names, or a prefix of the names, of the objects to describe.", isRepeating: true,
                isOptional: true, completion: .resourceNames),
        ])

    var words: [String]
    var arguments: ResourceArguments?
    var filenames: [String]
    var recursive: Bool
    var allNamespaces: Bool
    var chunkSize: Int
    var labelSelector: String?
    var showEvents: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        let command = Self.command
        words = parsed.positionals.map(\.text)
        arguments = try ResourceArguments.parse(words, command: command)
        filenames = parsed.strings(Option.filename)
        recursive = parsed.flag(ReadOptions.recursive)
        allNamespaces = parsed.flag(ReadOptions.allNamespaces)
        chunkSize = max(0, parsed.int(ReadOptions.chunkSize) ?? 500)
        labelSelector = parsed.string(ReadOptions.selector).flatMap { $0.isEmpty ? nil : $0 }
        showEvents = parsed.flag(Option.showEvents)
        if arguments == nil && filenames.isEmpty {
            throw CLIError.usage(
                "You must specify the type of resource to describe. Use \"datumctl api-resources\" for a complete "
                    + "list of supported resources.",
                command: command)
        }
        if arguments != nil && !filenames.isEmpty {
            throw CLIError.usage(
                "when paths, URLs, or stdin is provided as input, you may not specify a resource by arguments as well",
                command: command)
        }
        if let arguments, arguments.namesObjects, labelSelector != nil {
            throw CLIError.usage("name cannot be provided when a selector is specified", command: command)
        }
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let session = try ReadSession(context)
        let targets: [ReadTarget]
        if let arguments {
            targets = try session.targets(arguments, allNamespaces: allNamespaces, command: Self.command)
        } else {
            let manifests = try ReadManifests.load(filenames, recursive: recursive, environment: context.environment)
            targets = try session.targets(manifests)
        }
        var query: [(String, String)] = []
        if let labelSelector { query.append(("labelSelector", labelSelector)) }
        var objects: [JSONValue] = []
        var errors: [CLIError] = []
        // Events of named objects are asked for with the objects themselves, selected by kind,
        // name and namespace; the uid kubectl also selects by is matched here once the object is in.
        let prefetch = showEvents ? targets.compactMap { Self.eventsPrefetch(for: $0, session, limit: chunkSize) } : []
        let fetched = session.fetch(
            targets, query: query, chunkSize: chunkSize,
            alongside: prefetch.map { session.client.request("GET", $0.url) })
        var prefetched: [String: JSONValue] = [:]
        for (entry, result) in zip(prefetch, fetched.alongside) {
            // A failed or paged answer is asked for again, exactly, after the object.
            guard case .success(let response) = result, let list = try? ProjectClient.decode(response),
                (list["metadata"]?["continue"]?.stringValue ?? "").isEmpty
            else { continue }
            prefetched[entry.key] = list
        }
        for (target, result) in zip(targets, fetched.objects) {
            switch result {
            case .success(let pages):
                for page in pages {
                    if target.name == nil { objects += ObjectOutput.items(of: page) } else { objects.append(page) }
                }
            case .failure(let error):
                errors.append(error)
            }
        }

        // `describe TYPE PREFIX`: a name that does not exist is taken as a prefix, as in kubectl.
        if words.count == 2, arguments?.namesObjects == true, case .typesAndNames = arguments?.form,
            errors.count == 1, errors[0].reason == "NotFound", let target = targets.first
        {
            return try describeMatching(prefix: words[1], target: target, original: errors[0], session, context)
        }

        let texts = describeAll(objects, session, context, prefetched: prefetched)
        for (index, text) in texts.enumerated() {
            context.stdout.write(index == 0 ? text : "\n\n" + text)
        }
        if objects.isEmpty && errors.isEmpty {
            context.stderr.line(
                allNamespaces ? "No resources found" : "No resources found in \(session.namespace) namespace.")
        }
        ReadSession.report(errors, to: context.diagnostics)
        return errors.isEmpty ? .success : .failure
    }

    private func describeMatching(
        prefix: String, target: ReadTarget, original: CLIError, _ session: ReadSession, _ context: CommandContext
    ) throws(CLIError) -> ExitCode {
        let collection = ReadTarget(resource: target.resource, namespace: target.namespace, name: nil)
        guard let result = session.fetch([collection], chunkSize: chunkSize).first else { throw original }
        let pages = try result.get()
        let matching = pages.flatMap(ObjectOutput.items(of:)).filter {
            ($0["metadata"]?["name"]?.stringValue ?? "").hasPrefix(prefix)
        }
        guard !matching.isEmpty else { throw original }
        for text in describeAll(matching, session, context) { context.stdout.write(text + "\n") }
        return .success
    }

    /// The description of each object, events fetched for all of them concurrently (unless
    /// `prefetched` already holds them, by ``eventsKey(kind:namespace:name:)``).
    private func describeAll(
        _ objects: [JSONValue], _ session: ReadSession, _ context: CommandContext,
        prefetched: [String: JSONValue] = [:]
    ) -> [String] {
        var events: [JSONValue?] = Array(repeating: nil, count: objects.count)
        if showEvents && !objects.isEmpty {
            // An object whose namespace cannot be a path segment gets no events request.
            var indices: [Int] = []
            var requests: [HTTPRequest] = []
            for (index, object) in objects.enumerated() {
                let metadata = object["metadata"]
                let key = Self.eventsKey(
                    kind: object["kind"]?.stringValue ?? "", namespace: metadata?["namespace"]?.stringValue ?? "",
                    name: metadata?["name"]?.stringValue ?? "")
                if let list = prefetched[key] {
                    events[index] = Self.events(in: list, about: metadata?["uid"]?.stringValue ?? "")
                    continue
                }
                guard let url = try? Self.eventsURL(for: object, scope: session.client.scope, limit: chunkSize)
                else { continue }
                indices.append(index)
                requests.append(session.client.request("GET", url))
            }
            let responses = session.client.sendAll(requests, concurrency: HTTPClient.defaultConcurrency)
            for (index, result) in zip(indices, responses) {
                // kubectl leaves the Events section out when they cannot be read.
                if case .success(let response) = result, let list = try? ProjectClient.decode(response) {
                    events[index] = list
                }
            }
        }
        let now = context.environment.now().timeIntervalSince1970
        return zip(objects, events).map { object, events in
            ReadDescribers.describe(object, events: events, now: now)
        }
    }

    /// Where a named object's events are, asked for before the object (and its uid) is known.
    static func eventsPrefetch(
        for target: ReadTarget, _ session: ReadSession, limit: Int
    ) -> (key: String, url: String)? {
        // Only for an object that is itself asked for: a name that cannot be a path segment sends nothing.
        guard let name = target.name, let namespace = target.namespace, !target.resource.kind.isEmpty,
            (try? target.path()) != nil
        else { return nil }
        let stand: JSONValue = [
            "kind": .string(target.resource.kind),
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
        ]
        guard let url = try? eventsURL(for: stand, scope: session.client.scope, limit: limit) else { return nil }
        return (eventsKey(kind: target.resource.kind, namespace: namespace, name: name), url)
    }

    static func eventsKey(kind: String, namespace: String, name: String) -> String {
        kind + "\u{0}" + namespace + "\u{0}" + name
    }

    /// The list with only the events about the object with `uid`, as the server's
    /// `involvedObject.uid` selector would have left it.
    static func events(in list: JSONValue, about uid: String) -> JSONValue {
        guard !uid.isEmpty, let items = list["items"]?.arrayValue else { return list }
        var filtered = list
        filtered["items"] = .array(items.filter { $0["involvedObject"]?["uid"]?.stringValue == uid })
        return filtered
    }

    /// The events that mention `object`, selected as kubectl selects them: by the involved
    /// object's kind, name, namespace and uid.
    static func eventsURL(for object: JSONValue, scope: ProjectScope, limit: Int) throws(CLIError) -> String {
        let metadata = object["metadata"]
        let namespace = metadata?["namespace"]?.stringValue ?? ""
        var fields: [(String, String)] = []
        if let kind = object["kind"]?.stringValue, !kind.isEmpty { fields.append(("involvedObject.kind", kind)) }
        fields.append(("involvedObject.name", metadata?["name"]?.stringValue ?? ""))
        fields.append(("involvedObject.namespace", namespace))
        if let uid = metadata?["uid"]?.stringValue, !uid.isEmpty { fields.append(("involvedObject.uid", uid)) }
        let selector = fields.map { "\($0.0)=\(escapeFieldValue($0.1))" }.joined(separator: ",")
        var query = [("fieldSelector", selector)]
        if limit > 0 { query.append(("limit", String(limit))) }
        let events = APIResource(
            group: "", version: "v1", name: "events", singularName: "event", kind: "Event", namespaced: true)
        return scope.url(try events.collectionPath(namespace: namespace), query: query)
    }

    /// `fields.EscapeValue`: backslash, comma and equals sign are escaped with a backslash.
    static func escapeFieldValue(_ value: String) -> String {
        var out = ""
        for character in value {
            if character == "\\" || character == "," || character == "=" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
