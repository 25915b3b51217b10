import DatumArguments
import DatumJSON
import DatumKit
import DatumYAML
import GoCompat

/// `datumctl explain`: documentation of a resource's fields, from the project's live OpenAPI v3
/// schema, or from the schema built into datumctl when there is no server to ask.
struct ExplainCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let apiVersion = OptionSpec(
            "api-version", kind: .value(ValueSpec("GROUP/VERSION")),
            help: "Use the given api-version (group/version) of the resource.")
        static let output = OptionSpec(
            "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["plaintext"]))),
            help: "Format in which to render the schema.", defaultValue: "plaintext")
        static let recursive = OptionSpec(
            "recursive",
            help:
                "When true, print the name of all the fields recursively. Otherwise, print the available fields with their description."
        )
    }

    static let command = ["datumctl", "explain"]

    static let spec = CommandSpec(
        "explain", group: .basic,
        summary: "Get documentation for a resource",
        discussion: """
            Describe fields and structure of various resources. This command describes the fields associated \
            with each supported API resource. Fields are identified via a simple JSONPath identifier:

                <type>.<fieldName>[.<fieldName>]

            Information about each field is retrieved from the project's control plane in OpenAPI v3 format, \
            so it describes exactly what that control plane serves.

            When no project is selected, or the server cannot be reached, BackendTLSPolicy is explained from \
            the Gateway API schema built into datumctl instead, and a note on stderr says so. Authentication \
            and permission errors are reported as errors, never hidden by the fallback.

            Use "datumctl api-resources" for a complete list of supported resources.
            """,
        usage: "TYPE[.FIELD.PATH] [--recursive] [--api-version=GROUP/VERSION]",
        examples: [
            Example("Get the documentation of the resource and its fields", "datumctl explain backendtlspolicies"),
            Example("Get all the fields in the resource", "datumctl explain backendtlspolicies --recursive"),
            Example(
                "Get the documentation of a specific field of a resource",
                "datumctl explain btlspolicy.spec.validation.hostname"),
            Example(
                "Get the explanation for the policy in a given version of the API group",
                "datumctl explain backendtlspolicies --api-version=gateway.networking.k8s.io/v1"),
        ],
        options: [
            Option.apiVersion,
            Option.output,
            Option.recursive,
        ],
        positionals: [
            PositionalSpec(
                "TYPE.FIELD.PATH",
                help: "The resource, optionally followed by the path of a field (backendtlspolicies.spec.validation).",
                isOptional: true, completion: .resourceTypes)
        ])

    var input: String
    var recursive: Bool
    var apiVersion: GroupVersionKind?

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        let words = parsed.positionals.map(\.text)
        guard let first = words.first else {
            throw CLIError.usage(
                "You must specify the type of resource to explain. Use \"datumctl api-resources\" for a complete list of supported resources.",
                command: Self.command)
        }
        input = first
        while input.hasSuffix(".") { input.removeLast() }
        recursive = parsed.flag(Option.recursive)
        if let version = parsed.string(Option.apiVersion), !version.isEmpty {
            let parts = version.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, !parts.contains(where: \.isEmpty) else {
                throw CLIError.usage("unexpected GroupVersion string: \(version)", command: Self.command)
            }
            apiVersion = GroupVersionKind(apiVersion: version, kind: "")
        }
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let settings = try context.connectionSettings()
        guard settings.hasControlPlane else {
            context.stderr.line(
                "note: no project selected; explaining the schema built into datumctl (pass --project to read the project's live schema)"
            )
            return try explainEmbedded(context)
        }
        let session = ReadSession(client: try context.projectClient(settings))
        let resource: APIResource
        let fieldPath: [String]
        do {
            (resource, fieldPath) = try resolve(session.mapper)
        } catch  where error.kind == .connection {
            return try fallBack(after: error, context)
        }
        let document: JSONValue
        do {
            document = try Self.liveDocument(resource, client: session.client, cache: context.openAPICache)
        } catch  where error.kind == .connection {
            return try fallBack(after: error, context)
        }
        return print(document, resource, fieldPath, context)
    }

    /// The resource and the field path after it. A group-qualified resource
    /// (`backendtlspolicies.gateway.networking.k8s.io.spec`) is recognised by its prefix, as kubectl does.
    func resolve(_ mapper: ResourceMapper) throws(CLIError) -> (APIResource, [String]) {
        let parts = input.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let head = parts.first ?? input
        let matches = try mapper.resolve(head)
        guard var resource = matches.first else {
            throw CLIError(.resource, "the server doesn't have a resource type \"\(head)\"")
        }
        var fieldPath = Array(parts.dropFirst())
        if apiVersion == nil, input.hasPrefix(resource.qualifiedName) {
            let rest = input.dropFirst(resource.qualifiedName.count)
            fieldPath =
                rest.isEmpty
                ? [] : rest.split(separator: ".", omittingEmptySubsequences: false).dropFirst().map(String.init)
        }
        if let apiVersion {
            resource.group = apiVersion.group
            resource.version = apiVersion.version
        }
        return (resource, fieldPath)
    }

    /// `/openapi/v3` lists one document per group-version; its URL is re-rooted under the project
    /// prefix so it reads this project's control plane, not the server's root.
    static func liveDocument(_ resource: APIResource, client: ProjectClient, cache: OpenAPICache? = nil)
        throws(CLIError) -> JSONValue
    {
        let index = try client.getJSON(client.scope.url("/openapi/v3"))
        let key = resource.group.isEmpty ? "api/\(resource.version)" : "apis/\(resource.group)/\(resource.version)"
        guard let document = try OpenAPICache.groupVersionDocument(key: key, index: index, client: client, cache: cache)
        else {
            throw CLIError(
                .validation,
                "couldn't find resource for \"\(resource.group.isEmpty ? "" : resource.group + "/")\(resource.version), Resource=\(resource.name)\""
            )
        }
        return document
    }

    private func fallBack(after error: CLIError, _ context: CommandContext) throws(CLIError) -> ExitCode {
        context.stderr.line("note: \(error.message); explaining the schema built into datumctl instead")
        return try explainEmbedded(context)
    }

    /// The BackendTLSPolicy schema compiled into the binary, published as kube-apiserver would.
    func explainEmbedded(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let offline = ResourceMapper(discover: { () throws(CLIError) -> [APIResource] in ResourceMapper.builtin })
        let (resource, fieldPath) = try resolve(offline)
        let document = try Self.embeddedDocument(for: resource)
        return print(document, resource, fieldPath, context)
    }

    /// The document `/openapi/v3/apis/gateway.networking.k8s.io/v1` would return, built from the
    /// vendored CRD. Only the CRD text is read (no validator is compiled), which keeps this fast.
    static func embeddedDocument(for resource: APIResource) throws(CLIError) -> JSONValue {
        let crd: JSONValue
        do {
            let reader = YAMLDocumentReader(
                YAMLSource(name: "backendtlspolicies CRD", text: EmbeddedUpstream.backendTLSPolicyCRD))
            guard let parsed = try reader.next()?.jsonValue() else {
                throw CLIError(.configuration, "the built-in BackendTLSPolicy schema is empty")
            }
            crd = parsed
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.configuration, "the built-in BackendTLSPolicy schema is unreadable: \(error)")
        }
        let group = crd["spec"]?["group"]?.stringValue ?? ""
        let plural = crd["spec"]?["names"]?["plural"]?.stringValue ?? ""
        guard resource.group == group, resource.name == plural else {
            throw CLIError(
                .configuration,
                "cannot explain \(resource.qualifiedName) without a server: only \(plural) is built in; "
                    + "select a project with --project and check that the server is reachable")
        }
        do {
            return try OpenAPIV3Document.forCRD(
                crd, version: resource.version, metaSchemas: OpenAPIV3Document.embeddedMetaSchemas())
        } catch {
            throw CLIError(.configuration, error.message)
        }
    }

    private func print(_ document: JSONValue, _ resource: APIResource, _ fieldPath: [String], _ context: CommandContext)
        -> ExitCode
    {
        let result = ExplainPrinter.explain(
            document: document,
            resource: .init(group: resource.group, version: resource.version, resource: resource.name),
            fieldPath: fieldPath, recursive: recursive)
        context.stdout.write(result.output)
        if let error = result.error {
            context.diagnostics.report(CLIError(.validation, error.message))
            return .failure
        }
        return .success
    }
}
