import DatumArguments
import DatumJSON
import DatumKit
import GoCompat

/// `datumctl get`: lists or fetches resources, printing the server's table or the objects.
struct GetCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let ignoreNotFound = ReadOptions.ignoreNotFound(
            "If the requested object does not exist the command will return exit code 0.")
        static let filename = ReadOptions.filename("to get from a server")
        static let labelColumns = OptionSpec(
            "label-columns", short: "L", kind: .value(ValueSpec("LABEL")),
            help: "Accepts a comma separated list of labels that are going to be presented as columns. Names are "
                + "case-sensitive. You can also use multiple flag options like -L label1 -L label2...",
            isRepeatable: true)
        static let showKind = OptionSpec(
            "show-kind",
            help: "If present, list the resource type for the requested object(s).")
        static let showLabels = OptionSpec(
            "show-labels", help: "When printing, show all labels as the last column (default hide labels column)")
        static let sortBy = OptionSpec(
            "sort-by", kind: .value(ValueSpec("JSONPATH")),
            help: "If non-empty, sort list types using this field specification. The field specification is "
                + "expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource "
                + "specified by this JSONPath expression must be an integer or a string.")
        static let watch = OptionSpec(
            "watch", short: "w",
            help: "After listing/getting the requested object, watch for changes and print each changed object.")
        static let watchOnly = OptionSpec(
            "watch-only", help: "Watch for changes to the requested object(s), without listing/getting first.")
    }

    static let command = ["datumctl", "get"]

    static let spec = CommandSpec(
        "get", group: .basic,
        summary: "Display one or many resources",
        discussion: """
            Prints a table of the most important information about the specified resources. You can filter the \
            list using a label selector and the --selector flag. Resources are read from the project's control \
            plane, in the namespace given with -n (default "default") unless --all-namespaces is passed.

            The table comes from the server (server-side printing), so its columns are those kubectl shows. \
            Several names are fetched concurrently and printed in the order given; a name that does not exist \
            is reported and makes the exit status 1 while the others still print.

            Use "datumctl api-resources" for a complete list of supported resources.
            """,
        usage: "[(-o|--output=)json|yaml|name|wide|jsonpath=...|custom-columns=...] "
            + "(TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...)",
        examples: [
            Example(
                "List all backend TLS policies in ps output format",
                "datumctl get backendtlspolicies --project my-project"),
            Example(
                "List a single backend TLS policy with specified NAME in ps output format",
                "datumctl get backendtlspolicy secure-backend"),
            Example(
                "List backend TLS policies in JSON output format, in the \"v1\" version of the \"gateway.networking.k8s.io\" API group",
                "datumctl get backendtlspolicies.v1.gateway.networking.k8s.io -o json"),
            Example("List every Gateway API resource of the project (a category)", "datumctl get gateway-api"),
            Example(
                "List one or more resources by their type and names",
                "datumctl get btlspolicy/secure-backend service/backend"),
            Example(
                "Return only the hostname the specified policy validates",
                "datumctl get backendtlspolicy secure-backend -o jsonpath='{.spec.validation.hostname}'"),
            Example(
                "List policies with custom columns, sorted by name",
                "datumctl get btlspolicy -o custom-columns=NAME:.metadata.name,HOST:.spec.validation.hostname --sort-by=.metadata.name"
            ),
            Example("Watch policies change, printing a row per change", "datumctl get backendtlspolicies --watch"),
        ],
        options: [
            ReadOptions.allNamespaces,
            OutputFormat.allowMissingKeysOption,
            ReadOptions.chunkSize,
            ReadOptions.fieldSelector,
            Option.filename,
            Option.ignoreNotFound,
            Option.labelColumns,
            ReadOptions.noHeaders,
            OutputFormat.getOption,
            ReadOptions.recursive,
            ReadOptions.selector,
            Option.showKind,
            Option.showLabels,
            ReadOptions.showManagedFields,
            OutputFormat.templateOption,
            Option.sortBy,
            Option.watch,
            Option.watchOnly,
        ],
        positionals: [
            PositionalSpec(
                "TYPE",
                help: "The resource type (or category), optionally TYPE/NAME; several types are separated by commas.",
                isOptional: true, completion: .resourceTypes),
            PositionalSpec(
                "NAME", help: "Names of the objects to get; all objects when none is given.", isRepeating: true,
                isOptional: true, completion: .resourceNames),
        ])

    var arguments: ResourceArguments?
    var filenames: [String]
    var recursive: Bool
    var output: OutputFormat
    /// `--allow-missing-template-keys` (default true): a missing key prints nothing, not an error.
    var allowMissingKeys: Bool
    var allNamespaces: Bool
    var chunkSize: Int
    var labelSelector: String?
    var fieldSelector: String?
    var ignoreNotFound: Bool
    var labelColumns: [String]
    var noHeaders: Bool
    var showKind: Bool
    var showLabels: Bool
    var showManagedFields: Bool
    var sortBy: String?
    var watch: Bool
    var watchOnly: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        let command = Self.command
        arguments = try ResourceArguments.parse(parsed.positionals.map(\.text), command: command)
        filenames = parsed.strings(Option.filename)
        recursive = parsed.flag(ReadOptions.recursive)
        output = try OutputFormat(
            parsed.formatted(OutputFormat.getOption), template: parsed.string(OutputFormat.templateOption),
            directory: environment.currentDirectory,
            command: command)
        allowMissingKeys = parsed.flag(OutputFormat.allowMissingKeysOption)
        allNamespaces = parsed.flag(ReadOptions.allNamespaces)
        chunkSize = max(0, parsed.int(ReadOptions.chunkSize) ?? 500)
        labelSelector = parsed.string(ReadOptions.selector).flatMap { $0.isEmpty ? nil : $0 }
        fieldSelector = parsed.string(ReadOptions.fieldSelector).flatMap { $0.isEmpty ? nil : $0 }
        ignoreNotFound = parsed.flag(Option.ignoreNotFound)
        labelColumns = parsed.strings(Option.labelColumns).flatMap { $0.split(separator: ",").map(String.init) }
        noHeaders = parsed.flag(ReadOptions.noHeaders)
        showKind = parsed.flag(Option.showKind)
        showLabels = parsed.flag(Option.showLabels)
        showManagedFields = parsed.flag(ReadOptions.showManagedFields)
        sortBy = parsed.string(Option.sortBy).flatMap { $0.isEmpty ? nil : $0 }
        watch = parsed.flag(Option.watch)
        watchOnly = parsed.flag(Option.watchOnly)

        if arguments == nil && filenames.isEmpty {
            throw CLIError(
                .usage, "Required resource not specified.",
                detail: "You must specify the type of resource to get. Use \"datumctl api-resources\" for a complete "
                    + "list of supported resources.\nUse \"datumctl explain <resource>\" for a detailed description of "
                    + "that resource (e.g. datumctl explain backendtlspolicies).\nSee 'datumctl get -h' for help and examples"
            )
        }
        if arguments != nil && !filenames.isEmpty {
            throw CLIError.usage(
                "when paths, URLs, or stdin is provided as input, you may not specify a resource by arguments as well",
                command: command)
        }
        if let arguments, arguments.namesObjects, labelSelector != nil {
            throw CLIError.usage("name cannot be provided when a selector is specified", command: command)
        }
        if showLabels, let name = output.printerName, name != "wide" {
            throw CLIError.usage("--show-labels option cannot be used with \(name) printer", command: command)
        }
        try output.validateTemplate(command: command)
        if let sortBy {
            do {
                _ = try JSONPath(try JSONPath.relaxed(sortBy))
            } catch {
                throw CLIError.usage(error.message, command: command)
            }
        }
    }

    /// Human-readable output (the server's table) or one of the object printers.
    var isTable: Bool { output == .standard || output == .wide }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        if let filter = GetOrganizations.matches(arguments), !(watch || watchOnly) {
            return try GetOrganizations(command: self, nameFilter: filter).run(context)
        }
        if GetOrganizations.namesMemberships(arguments) {
            // As the official tool: memberships are read from the user's own control plane, across
            // namespaces, whatever project or organization is selected.
            var command = self
            command.allNamespaces = true
            return try command.run(context, session: ReadSession(client: GetOrganizations.userClient(context)))
        }
        return try run(context, session: ReadSession(context))
    }

    private func run(_ context: CommandContext, session: ReadSession) throws(CLIError) -> ExitCode {
        let targets: [ReadTarget]
        if let arguments {
            targets = try session.targets(arguments, allNamespaces: allNamespaces, command: Self.command)
        } else {
            let manifests = try ReadManifests.load(filenames, recursive: recursive, environment: context.environment)
            targets = try session.targets(manifests)
        }
        if watch || watchOnly {
            if sortBy != nil {
                context.stderr.line("warning: --watch or --watch-only requested, --sort-by will be ignored")
            }
            return try GetWatch(command: self, session: session, context: context).run(targets)
        }
        let pages = session.fetch(targets, accept: accept, query: query(), chunkSize: sortBy == nil ? chunkSize : 0)
        var fetched: [(ReadTarget, [JSONValue])] = []
        var errors: [CLIError] = []
        for (target, result) in zip(targets, pages) {
            switch result {
            case .success(let documents): fetched.append((target, documents))
            case .failure(let error):
                if ignoreNotFound && error.reason == "NotFound" { continue }
                errors.append(error)
            }
        }
        if isTable {
            try printTables(fetched, context: context, hadErrors: !errors.isEmpty, namespace: session.namespace)
        } else {
            let singleItem =
                arguments?.impliesSingleItem
                ?? ReadManifests.impliesSingleItem(filenames, environment: context.environment)
            if singleItem && !errors.isEmpty {
                return report(errors, context)
            }
            try printObjects(fetched, singleItem: singleItem, context: context)
        }
        return report(errors, context)
    }

    private func report(_ errors: [CLIError], _ context: CommandContext) -> ExitCode {
        ReadSession.report(errors, to: context.diagnostics)
        return errors.isEmpty ? .success : .failure
    }

    static let tableAccept =
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

    var accept: String { isTable ? Self.tableAccept : "application/json" }

    /// Selectors, and how much of each object the table rows carry: the whole object to sort by
    /// any field, metadata for labels and namespaces, nothing otherwise (a smaller response).
    /// A watch ignores `--sort-by`, so it never asks for whole objects.
    func query(sorting: Bool = true) -> [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
        if isTable {
            if sorting && sortBy != nil {
                query.append(("includeObject", "Object"))
            } else if !(showLabels || !labelColumns.isEmpty || allNamespaces) {
                query.append(("includeObject", "None"))
            }
        }
        return query
    }

    func tableOptions(for resource: APIResource, withKind: Bool) -> TablePrintOptions {
        TablePrintOptions(
            noHeaders: noHeaders, wide: output == .wide, showLabels: showLabels, columnLabels: labelColumns,
            withNamespace: allNamespaces && resource.namespaced,
            kind: withKind ? GroupKind(group: resource.group, kind: resource.kind) : nil)
    }

    private func printTables(
        _ fetched: [(ReadTarget, [JSONValue])], context: CommandContext, hadErrors: Bool, namespace: String
    ) throws(CLIError) {
        var kinds = Set<String>()
        for (target, _) in fetched { kinds.insert(target.resource.qualifiedName) }
        let withKind = showKind || kinds.count > 1
        var groups: [TablePrinter.Group] = []
        var lastResource: String?
        let now = context.environment.now().timeIntervalSince1970
        for (target, documents) in fetched {
            var tables: [ServerTable] = []
            for document in documents {
                var table: ServerTable
                do {
                    table = try ServerTable.parse(document, now: now)
                } catch {
                    throw CLIError(.server, error.message)
                }
                if let sortBy {
                    do {
                        table = try ResourceSorter.sort(table, by: sortBy)
                    } catch {
                        throw CLIError(.validation, error.message)
                    }
                }
                tables.append(table)
            }
            if lastResource == target.resource.qualifiedName, !groups.isEmpty {
                groups[groups.count - 1].tables += tables
            } else {
                groups.append(
                    TablePrinter.Group(tables: tables, options: tableOptions(for: target.resource, withKind: withKind)))
                lastResource = target.resource.qualifiedName
            }
        }
        let text = TablePrinter.print(groups: groups)
        context.stdout.write(text)
        if text.isEmpty && !ignoreNotFound && !hadErrors {
            let allNamespaced = !allNamespaces && fetched.allSatisfy { $0.0.resource.namespaced }
            context.stderr.line(allNamespaced ? "No resources found in \(namespace) namespace." : "No resources found")
        }
    }

    private func printObjects(_ fetched: [(ReadTarget, [JSONValue])], singleItem: Bool, context: CommandContext)
        throws(CLIError)
    {
        var items: [JSONValue] = []
        for (target, documents) in fetched {
            for document in documents {
                if target.name == nil { items += ObjectOutput.items(of: document) } else { items.append(document) }
            }
        }
        if items.isEmpty && ignoreNotFound { return }
        var value: JSONValue
        if singleItem && items.count == 1 {
            value = items[0]
        } else {
            if let sortBy {
                do {
                    items = try ResourceSorter.sort(items, by: sortBy)
                } catch {
                    throw CLIError(.validation, error.message)
                }
            }
            value = ObjectOutput.list(items)
        }
        if !showManagedFields && (output == .yaml || output == .json) {
            value = ObjectOutput.withoutManagedFields(value)
        }
        try ObjectOutput.write(
            value, format: output, command: Self.command, noHeaders: noHeaders, allowMissingKeys: allowMissingKeys,
            to: context.stdout)
    }
}

extension OutputFormat {
    /// The printer's name in kubectl's messages (`yaml`, `jsonpath`), `nil` for the default table.
    var printerName: String? {
        switch self {
        case .standard: return nil
        case .wide: return "wide"
        case .yaml: return "yaml"
        case .json: return "json"
        case .name: return "name"
        case .jsonpath, .jsonpathAsJSON: return "jsonpath"
        case .customColumns, .customColumnsFile: return "custom-columns"
        case .goTemplate: return "go-template"
        }
    }
}
