import DatumArguments
import DatumJSON
import DatumKit
import GoCompat

/// `datumctl api-resources`: the resource types the project's control plane serves (discovery).
struct APIResourcesCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let apiGroup = OptionSpec(
            "api-group", kind: .value(ValueSpec("GROUP")),
            help: "Limit to resources in the specified API group.")
        static let categories = OptionSpec(
            "categories", kind: .value(ValueSpec("CATEGORY")),
            help: "Limit to resources that belong to the specified categories.", isRepeatable: true)
        static let namespaced = OptionSpec(
            "namespaced",
            help: "If false, non-namespaced resources will be returned, otherwise returning namespaced resources "
                + "by default.",
            defaultValue: "true")
        static let output = OptionSpec(
            "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["wide", "name"]))),
            help: "Output format. One of: (wide, name).")
        static let sortBy = OptionSpec(
            "sort-by", kind: .value(ValueSpec("COLUMN", kind: .enumeration(["name", "kind"]))),
            help:
                "If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'."
        )
        static let verbs = OptionSpec(
            "verbs", kind: .value(ValueSpec("VERB")),
            help: "Limit to resources that support the specified verbs.", isRepeatable: true)
    }

    static let command = ["datumctl", "api-resources"]

    static let spec = CommandSpec(
        "api-resources", group: .other,
        summary: "Print the supported API resources on the server",
        discussion: """
            Print the supported API resources of the project's control plane, read from its discovery \
            documents: their names, short names, API versions, whether they are namespaced, and their kinds.
            """,
        examples: [
            Example("Print the supported API resources", "datumctl api-resources --project my-project"),
            Example("Print the supported API resources with more information", "datumctl api-resources -o wide"),
            Example("Print the supported API resources sorted by a column", "datumctl api-resources --sort-by=name"),
            Example("Print the supported namespaced resources", "datumctl api-resources --namespaced=true"),
            Example("Print the supported non-namespaced resources", "datumctl api-resources --namespaced=false"),
            Example(
                "Print the supported API resources with a specific APIGroup",
                "datumctl api-resources --api-group=gateway.networking.k8s.io"),
        ],
        options: [
            Option.apiGroup,
            Option.categories,
            Option.namespaced,
            ReadOptions.noHeaders,
            Option.output,
            Option.sortBy,
            Option.verbs,
        ])

    var apiGroup: String?
    var categories: [String]
    var namespaced: Bool?
    var noHeaders: Bool
    var output: String?
    var sortBy: String?
    var verbs: [String]

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        apiGroup = parsed.isSet(Option.apiGroup) ? parsed.string(Option.apiGroup) : nil
        categories = parsed.strings(Option.categories).flatMap { $0.split(separator: ",").map(String.init) }
        namespaced = parsed.isSet(Option.namespaced) ? parsed.flag(Option.namespaced) : nil
        noHeaders = parsed.flag(ReadOptions.noHeaders)
        output = parsed.string(Option.output)
        sortBy = parsed.string(Option.sortBy)
        verbs = parsed.strings(Option.verbs).flatMap { $0.split(separator: ",").map(String.init) }
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let client = try context.projectClient()
        let resources = select(try client.discoverResources(cache: context.openAPICache))
        context.stdout.write(render(resources))
        return .success
    }

    /// Filters, then orders by group (stable, so each group keeps discovery's order) or by the `--sort-by` column.
    func select(_ resources: [APIResource]) -> [APIResource] {
        var selected = resources.filter { resource in
            if let apiGroup, resource.group != apiGroup { return false }
            if let namespaced, resource.namespaced != namespaced { return false }
            if !verbs.allSatisfy({ resource.verbs.contains($0) }) { return false }
            if !categories.allSatisfy({ resource.categories.contains($0) }) { return false }
            return true
        }
        let key: (APIResource) -> String
        switch sortBy {
        case "name": key = { $0.name }
        case "kind": key = { $0.kind }
        default: key = { $0.group }
        }
        selected = selected.enumerated().sorted { a, b in
            let (x, y) = (key(a.element), key(b.element))
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        return selected
    }

    func render(_ resources: [APIResource]) -> String {
        if output == "name" {
            return resources.map { $0.qualifiedName + "\n" }.joined()
        }
        let wide = output == "wide"
        var writer = TabWriter.kubectlTable()
        if !noHeaders {
            var header = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
            if wide { header += ["VERBS", "CATEGORIES"] }
            writer.write(header.joined(separator: "\t") + "\n")
        }
        for resource in resources {
            var cells = [
                resource.name, resource.shortNames.joined(separator: ","), resource.apiVersion,
                resource.namespaced ? "true" : "false", resource.kind,
            ]
            if wide {
                cells.append(resource.verbs.joined(separator: ","))
                cells.append(resource.categories.joined(separator: ","))
            }
            writer.write(cells.joined(separator: "\t") + "\n")
        }
        return writer.finish()
    }
}
