import DatumJSON
import DatumKit
import DatumYAML
import GoCompat

/// One object from `-f` that passed the local checks, ready to be applied (or diffed).
struct ApplyItem: Sendable {
    /// The object to send: validated, exactly as written (unknown fields too: the server decides
    /// under `--validate=warn|ignore`), and given the namespace it will live in.
    var object: JSONValue
    let resource: APIResource
    /// `nil` for cluster-scoped resources.
    let namespace: String?
    let name: String
    /// Where the object starts in its file (`policy.yaml:12:1`).
    var location: SourceLocation
    /// The object's URL path below the project prefix, built once; an item exists only if its
    /// name and namespace are valid path segments.
    let path: String

    init(object: JSONValue, resource: APIResource, namespace: String?, name: String, location: SourceLocation)
        throws(CLIError)
    {
        self.object = object
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.location = location
        path = try Self.path(resource, namespace: namespace, name: name)
    }

    /// ``APIResource/objectPath(namespace:name:subresource:)``, without its checks and
    /// percent-encoding for the names that need neither (nearly all: DNS labels and
    /// subdomains); they showed in profiles of large applies.
    static func path(_ resource: APIResource, namespace: String?, name: String) throws(CLIError) -> String {
        func plain(_ text: String) -> Bool {
            !text.isEmpty
                && text.utf8.allSatisfy {
                    ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                        || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                        || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
                }
        }
        // Dot segments take the checked path, which refuses them.
        guard plain(name), namespace.map(plain) ?? true, name != ".", name != "..", namespace != ".",
            namespace != ".."
        else {
            return try resource.objectPath(namespace: namespace, name: name)
        }
        var path = resource.group.isEmpty ? "/api/\(resource.version)" : "/apis/\(resource.group)/\(resource.version)"
        if resource.namespaced, let namespace { path += "/namespaces/" + namespace }
        return path + "/" + resource.name + "/" + name
    }

    /// Objects sharing a key are the same server object.
    var key: String { resource.qualifiedName + "/" + (namespace ?? "") + "/" + name }
}

/// Reads `-f` for `apply` and `diff`: loads every document, validates it like `datumctl validate`,
/// maps its kind to a resource and settles its namespace, reporting every problem at its
/// `file:line:col`. Nothing is returned unless every document is fine, so nothing is sent for
/// a partly broken input.
struct ApplyManifests: Sendable {
    var filenames: [String]
    var recursive: Bool
    var fieldValidation: FieldValidationMode
    /// The namespace for objects that name none (`-n`, the context's, or `default`).
    var namespace: String
    /// The namespace given with `-n`; objects naming another one are errors, as in kubectl.
    var enforcedNamespace: String?

    /// What one document contributed, in input order.
    private enum Loaded: Sendable {
        case object(LoadedObject)
        case unreadable(ManifestError)
    }

    private struct LoadedObject: Sendable {
        var object: KubeObject
        var location: SourceLocation
        var subject: String
        var issues: [ManifestIssue]
        /// Reported only if the kind turns out to be namespaced.
        var namespaceIssues: [ManifestIssue]
    }

    /// The objects, or `nil` after reporting the problems found (on stderr, through
    /// `diagnostics`). `resolve` maps a kind to its resource (built-in kinds, then discovery).
    func load(
        _ environment: CommandEnvironment, diagnostics: Diagnostics,
        resolve: (GroupVersionKind) throws(CLIError) -> APIResource, schemas: ServerSchemas? = nil
    ) throws(CLIError) -> [ApplyItem]? {
        let loader = ManifestLoader(
            recursive: recursive, currentDirectory: environment.currentDirectory,
            readStandardInput: environment.readStandardInput, conversion: SchemaGuidedConversion.default)
        let inputs: [ManifestInput]
        do {
            inputs = try loader.inputs(for: filenames)
        } catch {
            throw CLIError(.manifest, error.message)
        }
        var configured = ManifestValidator(fieldValidation: fieldValidation, namespace: namespace)
        if let schemas { configured.schemas = { gvk in schemas.model(for: gvk)?.0 } }
        let validator = configured
        let enforced = enforcedNamespace
        var loaded: [LoadedObject] = []
        var problems = 0
        // Files are split into documents here; parsing, conversion and validation run on the
        // other cores, and results come back in input order.
        ManifestStream(loader: loader).run(
            inputs,
            transform: { result -> Loaded in
                switch result {
                case .success(let manifest):
                    return .object(Self.check(manifest, validator: validator, enforcedNamespace: enforced))
                case .failure(let error):
                    return .unreadable(error)
                }
            },
            deliver: { delivery in
                switch delivery.output {
                case .unreadable(let error):
                    problems += 1
                    ManifestProblemText.report(error, to: diagnostics)
                case .object(let object):
                    for issue in object.issues {
                        ManifestProblemText.report(issue, subject: object.subject, to: diagnostics)
                    }
                    if object.issues.contains(where: { $0.severity == .error }) { problems += 1 }
                    loaded.append(object)
                }
            })

        // The namespace for objects that name none goes into their URLs too.
        var defaultNamespaceProblem: CLIError?
        do throws(CLIError) {
            try PathSegmentName.checkNamespace(namespace)
        } catch {
            defaultNamespaceProblem = error
        }
        var reportedDefaultNamespace = false

        // Map kinds to resources once per kind; an unknown kind is a problem of its document.
        var resources: [GroupVersionKind: Result<APIResource, CLIError>] = [:]
        var items: [ApplyItem] = []
        items.reserveCapacity(loaded.count)
        for entry in loaded {
            guard let gvk = entry.object.gvk else { continue }
            let mapping: Result<APIResource, CLIError>
            if let known = resources[gvk] {
                mapping = known
            } else {
                do {
                    mapping = .success(try resolve(gvk))
                } catch  where error.kind == .manifest {
                    mapping = .failure(error)
                }
                resources[gvk] = mapping
            }
            switch mapping {
            case .failure:
                problems += 1
                let name = GoFormat.quote(entry.object.name ?? "")
                let namespace = GoFormat.quote(entry.object.namespace ?? "")
                diagnostics.report(
                    CLIError(
                        .manifest,
                        "resource mapping not found for name: \(name) namespace: \(namespace) from "
                            + "\(GoFormat.quote(entry.location.file)): no matches for kind "
                            + "\(GoFormat.quote(gvk.kind)) in version \(GoFormat.quote(gvk.apiVersion))",
                        location: entry.location, detail: "ensure CRDs are installed first"))
            case .success(let resource):
                if resource.namespaced, !entry.namespaceIssues.isEmpty {
                    problems += 1
                    for issue in entry.namespaceIssues {
                        ManifestProblemText.report(issue, subject: entry.subject, to: diagnostics)
                    }
                    continue
                }
                var object = entry.object
                var itemNamespace: String?
                if resource.namespaced {
                    let given = object.namespace ?? ""
                    itemNamespace = given.isEmpty ? namespace : given
                    if given.isEmpty {
                        object.namespace = itemNamespace
                        // `-n ..` (or a context's namespace) would put every such object at another URL.
                        if let problem = defaultNamespaceProblem {
                            problems += 1
                            if !reportedDefaultNamespace { diagnostics.report(problem) }
                            reportedDefaultNamespace = true
                            continue
                        }
                    }
                }
                guard problems == 0 else { continue }
                do throws(CLIError) {
                    items.append(
                        try ApplyItem(
                            object: object.value, resource: resource, namespace: itemNamespace,
                            name: object.name ?? "", location: entry.location))
                } catch {
                    // Checked above for every document; kept so no item can exist without a valid path.
                    problems += 1
                    diagnostics.report(error)
                }
            }
        }
        guard problems == 0 else {
            let count = problems == 1 ? "1 invalid object" : "\(problems) invalid objects"
            diagnostics.report(CLIError(.validation, "\(count); nothing was sent to the server"))
            return nil
        }
        return items
    }

    /// The local checks of one object: the validator's, plus what kubectl's builder refuses
    /// (no name, a namespace other than `-n`).
    private static func check(_ manifest: Manifest, validator: ManifestValidator, enforcedNamespace: String?)
        -> LoadedObject
    {
        let validation = validator.validate(manifest)
        var issues = validation.errors + validation.warnings
        let name = manifest.object.name ?? ""
        if name.isEmpty {
            let generateName = manifest.object.value["metadata"]?["generateName"]?.stringValue ?? ""
            let message =
                generateName.isEmpty
                ? "resource name may not be empty" : "from \(generateName): cannot use generate name with apply"
            // The validator already requires a name for the kinds it models.
            if !issues.contains(where: { $0.field == "metadata.name" && $0.severity == .error }) {
                issues.append(
                    ManifestIssue(
                        severity: .error, location: manifest.location(of: [.key("metadata")]), field: "metadata.name",
                        message: message))
            }
        }
        // The name and namespace become URL path segments: kubectl's request builder refuses
        // `..`, `a/b` and `a%b` before sending anything, in these words.
        if !name.isEmpty,
            let problem = pathSegmentProblem({ () throws(CLIError) in try PathSegmentName.checkName(name) }),
            !issues.contains(where: { $0.field == "metadata.name" && $0.severity == .error && $0.message == problem })
        {
            issues.append(
                ManifestIssue(
                    severity: .error, location: manifest.location(of: [.key("metadata"), .key("name")]),
                    field: "metadata.name", message: problem))
        }
        var namespaceIssues: [ManifestIssue] = []
        if let given = manifest.object.namespace, !given.isEmpty,
            let problem = pathSegmentProblem({ () throws(CLIError) in try PathSegmentName.checkNamespace(given) })
        {
            namespaceIssues.append(
                ManifestIssue(
                    severity: .error, location: manifest.location(of: [.key("metadata"), .key("namespace")]),
                    field: "metadata.namespace", message: problem))
        }
        if let enforcedNamespace, let given = manifest.object.namespace, !given.isEmpty, given != enforcedNamespace {
            namespaceIssues.append(
                ManifestIssue(
                    severity: .error, location: manifest.location(of: [.key("metadata"), .key("namespace")]),
                    field: "metadata.namespace",
                    message: "the namespace from the provided object \(GoFormat.quote(given)) does not match the "
                        + "namespace \(GoFormat.quote(enforcedNamespace)). You must pass "
                        + "'--namespace=\(given)' to perform this operation."))
        }
        return LoadedObject(
            object: validation.object, location: manifest.location, subject: manifest.displayName, issues: issues,
            namespaceIssues: namespaceIssues)
    }

    /// The message of a failed path-segment check, or `nil` when the value passes.
    private static func pathSegmentProblem(_ check: () throws(CLIError) -> Void) -> String? {
        do {
            try check()
            return nil
        } catch {
            return error.message
        }
    }
}
