import DatumArguments
import DatumHTTP
import DatumJSON
import DatumKit
import DatumSystem
import GoCompat

/// Options the read commands share, worded as kubectl words them.
enum ReadOptions {
    static let selector = OptionSpec(
        "selector", short: "l", kind: .value(ValueSpec("SELECTOR")),
        help: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin' and 'key' / '!key' "
            + "(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."
    )

    static let fieldSelector = OptionSpec(
        "field-selector", kind: .value(ValueSpec("SELECTOR")),
        help: "Selector (field query) to filter on, supports '=', '==', and '!=' (e.g. --field-selector "
            + "metadata.name=secure-backend). The server only supports a limited number of field queries per type.")

    static let allNamespaces = OptionSpec(
        "all-namespaces", short: "A",
        help: "If present, list the requested object(s) across all namespaces of the project. Namespace in the "
            + "current context is ignored even if specified with --namespace.")

    /// `-f, --filename`, declared once for every command that reads manifests; each words its help
    /// with `withHelp` (reads go by the option, so all of them read the same values).
    static let filenameOption = OptionSpec(
        "filename", short: "f",
        kind: .value(ValueSpec("FILENAME", completion: .files(extensions: ["yaml", "yml", "json"]))),
        help: "File, directory or - (stdin) with the manifests.", isRepeatable: true)

    static func filename(_ purpose: String) -> OptionSpec {
        filenameOption.withHelp("File, directory or - (stdin) with the manifests identifying the resources \(purpose).")
    }

    static let recursive = OptionSpec(
        "recursive", short: "R",
        help: "Process the directory used in -f, --filename recursively. Useful when you want to manage related "
            + "manifests organized within the same directory.")

    static let chunkSize = OptionSpec(
        "chunk-size", kind: .value(ValueSpec("SIZE", kind: .int)),
        help: "Return large lists in chunks rather than all at once. Pass 0 to disable.", defaultValue: "500")

    static func ignoreNotFound(_ help: String) -> OptionSpec {
        OptionSpec("ignore-not-found", help: help)
    }

    static let noHeaders = OptionSpec(
        "no-headers",
        help: "When using the default or custom-column output format, don't print headers (default print headers).")

    static let showManagedFields = OptionSpec(
        "show-managed-fields", help: "If true, keep the managedFields when printing objects in JSON or YAML format.")
}

/// Resource arguments in kubectl's two forms: `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME...`.
struct ResourceArguments: Sendable, Equatable {
    enum Form: Sendable, Equatable {
        /// `get backendtlspolicies,services a b`: every type, with these names (none: the collection).
        case typesAndNames(types: [String], names: [String])
        /// `get btlspolicy/a svc/b`.
        case pairs([Pair])
    }

    struct Pair: Sendable, Equatable {
        var type: String
        var name: String
    }

    var form: Form

    /// The words as the user typed them; `nil` when there are none (only `-f`).
    static func parse(_ words: [String], command: [String]) throws(CLIError) -> ResourceArguments? {
        guard let first = words.first else { return nil }
        let slashed = words.filter { $0.contains("/") }.count
        if slashed > 0 {
            guard slashed == words.count else {
                let tool = command.first ?? "datumctl"
                let verb = command.dropFirst().first ?? "get"
                throw CLIError.usage(
                    "there is no need to specify a resource type as a separate argument when passing arguments in "
                        + "resource/name form (e.g. '\(tool) \(verb) resource/<resource_name>' instead of "
                        + "'\(tool) \(verb) resource resource/<resource_name>'",
                    command: command)
            }
            var pairs: [Pair] = []
            for word in words {
                let parts = word.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[1].contains("/") else {
                    throw CLIError.usage(
                        "arguments in resource/name form must have a single resource and name", command: command)
                }
                pairs.append(Pair(type: String(parts[0]), name: String(parts[1])))
            }
            return ResourceArguments(form: .pairs(pairs))
        }
        let types = first.split(separator: ",").map(String.init)
        guard !types.isEmpty else {
            throw CLIError.usage("arguments must consist of a resource or a resource and name", command: command)
        }
        return ResourceArguments(form: .typesAndNames(types: types, names: Array(words.dropFirst())))
    }

    /// Whether the words name objects (not whole collections).
    var namesObjects: Bool {
        switch form {
        case .pairs: return true
        case .typesAndNames(_, let names): return !names.isEmpty
        }
    }

    /// kubectl's "single item implied": exactly one object was named, so `-o yaml` prints it
    /// rather than a `List`.
    var impliesSingleItem: Bool {
        switch form {
        case .pairs(let pairs): return pairs.count == 1
        case .typesAndNames(let types, let names): return types.count == 1 && names.count == 1
        }
    }
}

/// One thing a read command fetches: a collection or one named object of a resource.
struct ReadTarget: Sendable {
    var resource: APIResource
    /// `nil` for cluster-scoped resources and for lists across every namespace (`-A`).
    var namespace: String?
    /// `nil` for the collection.
    var name: String?
    /// The manifest file the object was named in (`-f`), for kubectl's `error when ... "file"`.
    var source: String?

    /// The target's URL path below the project prefix; throws, before any request, for a name or
    /// namespace that cannot be a path segment (``PathSegmentName``).
    func path() throws(CLIError) -> String {
        if let name { return try resource.objectPath(namespace: namespace, name: name) }
        return try resource.collectionPath(namespace: namespace)
    }
}

/// What every read command starts with: the connection, the project client and the mapper.
struct ReadSession {
    let client: ProjectClient
    let mapper: ResourceMapper
    /// The namespace of this invocation (`-n`, the context's, or `default`).
    let namespace: String

    init(_ context: CommandContext) throws(CLIError) {
        let client = try context.projectClient()
        self.init(client: client, cache: context.openAPICache)
    }

    init(client: ProjectClient, cache: OpenAPICache? = nil) {
        self.client = client
        mapper = ResourceMapper(client: client, cache: cache)
        namespace = client.namespace
    }

    /// The targets named by the arguments. Categories (`gateway-api`) expand to their resources.
    func targets(_ arguments: ResourceArguments, allNamespaces: Bool, command: [String]) throws(CLIError)
        -> [ReadTarget]
    {
        var targets: [ReadTarget] = []
        switch arguments.form {
        case .pairs(let pairs):
            if allNamespaces { throw Self.namedAcrossNamespaces(command) }
            for pair in pairs {
                for resource in try mapper.resolve(pair.type) {
                    targets.append(ReadTarget(resource: resource, namespace: scope(resource), name: pair.name))
                }
            }
        case .typesAndNames(let types, let names):
            if !names.isEmpty && allNamespaces { throw Self.namedAcrossNamespaces(command) }
            var resources: [APIResource] = []
            for type in types {
                for resource in try mapper.resolve(type) where !resources.contains(resource) {
                    resources.append(resource)
                }
            }
            for resource in resources {
                let namespace = allNamespaces ? nil : scope(resource)
                if names.isEmpty {
                    targets.append(ReadTarget(resource: resource, namespace: namespace, name: nil))
                } else {
                    for name in names {
                        targets.append(ReadTarget(resource: resource, namespace: namespace, name: name))
                    }
                }
            }
        }
        return targets
    }

    /// The objects named by manifests (`-f`): each manifest's kind, namespace and name.
    func targets(_ manifests: [Manifest]) throws(CLIError) -> [ReadTarget] {
        var targets: [ReadTarget] = []
        for manifest in manifests {
            guard let gvk = manifest.object.gvk else {
                throw CLIError(
                    .manifest, "Object 'Kind' is missing in \(manifest.displayName)", location: manifest.location)
            }
            let resource = try mapper.resource(for: gvk)
            guard let name = manifest.object.name, !name.isEmpty else {
                throw CLIError(.manifest, "resource name may not be empty", location: manifest.location)
            }
            var namespace = resource.namespaced ? namespace : nil
            if resource.namespaced, let given = manifest.object.namespace, !given.isEmpty { namespace = given }
            targets.append(ReadTarget(resource: resource, namespace: namespace, name: name, source: manifest.file))
        }
        return targets
    }

    private func scope(_ resource: APIResource) -> String? {
        resource.namespaced ? namespace : nil
    }

    static func namedAcrossNamespaces(_ command: [String]) -> CLIError {
        CLIError.usage("a resource cannot be retrieved by name across all namespaces", command: command)
    }

    /// GETs every target concurrently over the shared connections. Collections are read in
    /// chunks of `chunkSize` (0: at once), following `continue` tokens; each page is one element.
    /// A target whose name or namespace cannot be a path segment fails without a request.
    func fetch(
        _ targets: [ReadTarget], accept: String = "application/json", query: [(String, String)] = [],
        chunkSize: Int = 0
    ) -> [Result<[JSONValue], CLIError>] {
        fetch(targets, accept: accept, query: query, chunkSize: chunkSize, alongside: []).objects
    }

    /// The same, with `alongside` sent in the same concurrent batch as the first pages, so a
    /// command that also needs them (describe's events) waits one round trip, not two.
    func fetch(
        _ targets: [ReadTarget], accept: String = "application/json", query: [(String, String)] = [],
        chunkSize: Int = 0, alongside: [HTTPRequest]
    ) -> (objects: [Result<[JSONValue], CLIError>], alongside: [Result<HTTPResponse, CLIError>]) {
        func url(_ target: ReadTarget, continueToken: String?) throws(CLIError) -> String {
            var parameters: [(String, String)] = []
            if target.name == nil {
                parameters += query
                if chunkSize > 0 { parameters.append(("limit", String(chunkSize))) }
                if let continueToken { parameters.append(("continue", continueToken)) }
            } else {
                parameters += query.filter { $0.0 == "includeObject" }
            }
            return client.scope.url(try target.path(), query: parameters)
        }
        // Only targets with a valid path are sent; the others keep their error, in order.
        var firstPages = [Result<HTTPResponse, CLIError>?](repeating: nil, count: targets.count)
        var sent: [Int] = []
        var requests: [HTTPRequest] = []
        for (index, target) in targets.enumerated() {
            do throws(CLIError) {
                requests.append(client.request("GET", try url(target, continueToken: nil), accept: accept))
                sent.append(index)
            } catch {
                firstPages[index] = .failure(error)
            }
        }
        let responses = client.sendAll(requests + alongside, concurrency: HTTPClient.defaultConcurrency)
        for (index, outcome) in zip(sent, responses) { firstPages[index] = outcome }
        var results: [Result<[JSONValue], CLIError>] = []
        var missingNamespaces: [String: CLIError?] = [:]
        for (index, target) in targets.enumerated() {
            let outcome = firstPages[index] ?? .failure(CLIError(.connection, "no response"))
            do throws(CLIError) {
                var page = try ProjectClient.decode(try outcome.get())
                var pages = [page]
                // Later chunks depend on the token of the previous one, so they are sequential.
                while target.name == nil, let token = page["metadata"]?["continue"]?.stringValue, !token.isEmpty {
                    page = try client.getJSON(try url(target, continueToken: token), accept: accept)
                    pages.append(page)
                }
                results.append(.success(pages))
            } catch {
                // Like kubectl, a named object missing from a namespace other than `default` is
                // reported as the namespace missing, when that is the cause.
                if error.reason == "NotFound", target.name != nil, let namespace = target.namespace,
                    !namespace.isEmpty, namespace != "default"
                {
                    if missingNamespaces[namespace] == nil {
                        missingNamespaces[namespace] = .some(namespaceError(namespace))
                    }
                    if case .some(.some(let replacement)) = missingNamespaces[namespace] {
                        results.append(.failure(replacement))
                        continue
                    }
                }
                results.append(.failure(error))
            }
        }
        return (results, Array(responses.dropFirst(sent.count)))
    }

    /// The `NotFound` error of a namespace that does not exist, or `nil` when it exists (or cannot be read).
    private func namespaceError(_ namespace: String) -> CLIError? {
        let namespaces = APIResource(
            group: "", version: "v1", name: "namespaces", singularName: "namespace", kind: "Namespace",
            namespaced: false)
        do {
            _ = try client.getJSON(client.scope.url(try namespaces.objectPath(namespace: nil, name: namespace)))
            return nil
        } catch {
            return error.reason == "NotFound" ? error : nil
        }
    }
}

/// Reads `-f` manifests for commands that only need each object's identity.
enum ReadManifests {
    static func load(_ filenames: [String], recursive: Bool, environment: CommandEnvironment) throws(CLIError)
        -> [Manifest]
    {
        let loader = ManifestLoader(
            recursive: recursive, currentDirectory: environment.currentDirectory,
            readStandardInput: environment.readStandardInput)
        var manifests: [Manifest] = []
        var failure: CLIError?
        let inputs: [ManifestInput]
        do {
            inputs = try loader.inputs(for: filenames)
        } catch {
            throw CLIError(.manifest, error.message)
        }
        for input in inputs {
            loader.load(input) { result in
                switch result {
                case .success(let manifest):
                    manifests.append(manifest)
                    return true
                case .failure(let error):
                    failure = CLIError(.manifest, error.message, location: error.location)
                    return false
                }
            }
            if let failure { throw failure }
        }
        return manifests
    }

    /// kubectl's "single item implied" for `-f`: one file (not a directory or stdin).
    static func impliesSingleItem(_ filenames: [String], environment: CommandEnvironment) -> Bool {
        guard filenames.count == 1, let only = filenames.first, only != "-" else { return false }
        return FileSystem.entry(at: environment.absolutePath(only)) == .file
    }
}

extension ReadSession {
    /// The failures to report, in order. Server errors are kept as they are (kubectl repeats
    /// them); a connection error is reported once, since kubectl's discovery would have failed
    /// once before any request.
    static func distinct(_ errors: [CLIError]) -> [CLIError] {
        var seen = Set<String>()
        return errors.filter { $0.kind != .connection || seen.insert($0.text).inserted }
    }

    /// Prints the failures as kubectl's aggregate does: a lone one with its `error: ` prefix,
    /// several one per line, client-side errors bare (`invalid resource name ...`) and the
    /// server's as `Error from server (...)`.
    static func report(_ errors: [CLIError], to diagnostics: Diagnostics) {
        FailureReport.report(distinct(errors).map(ObjectFailure.init), to: diagnostics)
    }
}
