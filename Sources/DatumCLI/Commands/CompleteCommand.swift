import DatumArguments
import DatumHTTP
import DatumJSON
import GoCompat

/// `datumctl __complete WORD...`: the hidden callback of the completion scripts (kubectl's
/// `__complete`). It receives the words typed after `datumctl`, the last one being the word
/// under the cursor, and prints one candidate per line and a `:N` directive line.
///
/// It is dispatched before argument parsing, so the words are never taken as datumctl's own
/// options, and its name cannot be a plugin's or a user's flag.
enum CompleteCommand {
    static let name = "__complete"

    static let spec = CommandSpec(
        name,
        summary: "Print completion candidates for a partly typed command line",
        discussion: """
            Used by the completion scripts for what only the server knows (resource types and names). \
            Prints one candidate per line, then a line ':N' whose bits tell the shell how to use them \
            (1 error, 2 no space, 4 no file completion, 8 filter by extension, 16 directories only).
            """,
        positionals: [PositionalSpec("WORD", isRepeating: true, isOptional: true)],
        isHidden: true)

    /// How long all server requests of one completion may take together, unless
    /// `--request-timeout` is on the line: long enough for a healthy server, short enough that a
    /// slow one never freezes the shell.
    static let defaultBudget: Duration = .seconds(2)

    static func run(words: [String], environment: CommandEnvironment) -> Int32 {
        let engine = CompletionEngine(root: Datumctl.rootSpec)
        let source = ServerCompletionSource(environment: environment, budget: defaultBudget)
        let result = engine.complete(words.isEmpty ? [""] : words, source: source)
        environment.stdout.write(result.protocolText)
        // For people debugging their setup by hand; the scripts discard stderr.
        if let failure = result.failure { environment.stderr.line(failure.text) }
        return ExitCode.success.rawValue
    }
}

/// Resource types and names from the server, for completion: at most two requests (discovery
/// only for kinds datumctl does not know), no retries, all within one time budget.
struct ServerCompletionSource: DynamicCompletionSource {
    var environment: CommandEnvironment
    var budget: Duration
    private let started = ContinuousClock.now

    init(environment: CommandEnvironment, budget: Duration) {
        self.environment = environment
        self.budget = budget
    }

    static let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

    func resourceTypes(at point: CompletionPoint) throws(CLIError) -> [String] {
        var words = GeneratorText.builtinResourceTypeWords
        let connection = try connect(point)
        for resource in try connection.discover() {
            for word in [resource.name] + resource.shortNames where !words.contains(word) {
                words.append(word)
            }
        }
        return words.sorted()
    }

    func resourceNames(ofType type: String, at point: CompletionPoint) throws(CLIError) -> [String] {
        let connection = try connect(point)
        var resource = ResourceMapper.match(type, in: ResourceMapper.builtin)
        if resource == nil {
            resource = ResourceMapper.match(type, in: try connection.discover())
        }
        guard let resource else {
            throw CLIError(.usage, "the server doesn't have a resource type \"\(type)\"")
        }
        let allNamespaces = point.options["all-namespaces"]?.last == "true"
        // A namespace that cannot be a path segment fails here, before any request.
        let path = try resource.collectionPath(namespace: allNamespaces ? nil : connection.namespace)
        let list = try connection.get(path, query: [("includeObject", "None")], accept: Self.tableAccept)
        return Self.names(in: list).sorted()
    }

    /// The contexts of the config file (no server involved).
    func contextNames(at point: CompletionPoint) throws(CLIError) -> [String] {
        try ConfigCommands.store(environment).load().contexts.map(\.name).sorted()
    }

    /// Object names from a `Table` (its name column) or from a plain list.
    static func names(in document: JSONValue) -> [String] {
        if document["kind"]?.stringValue == "Table" {
            let columns = document["columnDefinitions"]?.arrayValue ?? []
            let column =
                columns.firstIndex { $0["format"]?.stringValue == "name" }
                ?? columns.firstIndex { $0["name"]?.stringValue?.lowercased() == "name" } ?? 0
            return (document["rows"]?.arrayValue ?? []).compactMap { $0["cells"]?[column]?.stringValue }
        }
        return (document["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
    }

    private func connect(_ point: CompletionPoint) throws(CLIError) -> Connection {
        guard let parsed = point.parsedCommand else { throw CLIError(.usage, "nothing to complete") }
        let globals = GlobalOptions(parsed).withEmptyNamespaceUnset
        let config = try ConfigCommands.store(environment).load()
        let settings = try ConnectionSettings.resolve(globals, variables: environment.variables, config: config)
        let plane = try settings.requireControlPlane()
        // `--request-timeout` on the line replaces the budget, so slow links can ask for more.
        let limit = settings.requestTimeout ?? budget
        var quiet = settings
        quiet.requestTimeout = limit
        quiet.verbosity = 0  // the shell reads stdout; traces would only get in the way
        let client = try ProjectClient(
            settings: quiet, plane: plane, trace: { _ in }, connectTimeout: limit, retry: .none)
        return Connection(client: client, deadline: started + limit)
    }

    /// One client and the deadline every request shares.
    private struct Connection {
        var client: ProjectClient
        var deadline: ContinuousClock.Instant

        var namespace: String { client.namespace }

        /// The server's non-core resources from aggregated discovery of `/apis` (one request);
        /// core kinds come from the built-in list.
        func discover() throws(CLIError) -> [APIResource] {
            let document = try get("/apis", query: [], accept: ResourceMapper.aggregatedDiscoveryAccept)
            return ResourceMapper.parseAggregated(document) ?? []
        }

        func get(_ path: String, query: [(String, String)], accept: String) throws(CLIError) -> JSONValue {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .milliseconds(1) else {
                throw CLIError(.connection, "completion gave up: the server did not answer in time")
            }
            let request = client.request(
                "GET", client.scope.url(path, query: query), accept: accept, timeout: remaining)
            return try ProjectClient.decode(try client.send(request))
        }
    }
}
