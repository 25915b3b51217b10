import DatumJSON
import DatumYAML

/// An `-o` choice, parsed once so every command prints objects the same way.
enum OutputFormat: Sendable, Equatable {
    /// The server's table (get) or the command's own lines (apply, delete).
    case standard
    case wide
    case yaml
    case json
    case name
    case jsonpath(String)
    case customColumns(String)

    /// The `-o` option as `get` accepts it.
    static let getOption = OptionSpec(
        "output", short: "o",
        kind: .value(
            ValueSpec(
                "FORMAT",
                kind: .formatted(
                    values: ["json", "yaml", "name", "wide", "jsonpath", "custom-columns"],
                    prefixes: ["jsonpath=", "custom-columns="]),
                completion: .values(["json", "yaml", "name", "wide", "jsonpath=", "custom-columns="]))),
        help: "Output format. One of: (json, yaml, name, wide, jsonpath=TEMPLATE, custom-columns=SPEC).")

    /// The `-o` option for commands that print the objects they changed (apply).
    static let objectOption = OptionSpec(
        "output", short: "o",
        kind: .value(
            ValueSpec(
                "FORMAT", kind: .formatted(values: ["json", "yaml", "name", "jsonpath"], prefixes: ["jsonpath="]),
                completion: .values(["json", "yaml", "name", "jsonpath="]))),
        help: "Output format. One of: (json, yaml, name, jsonpath=TEMPLATE).")

    init(_ value: FormattedValue?, command: [String]) throws(CLIError) {
        guard let value else {
            self = .standard
            return
        }
        switch value.format {
        case "wide": self = .wide
        case "yaml": self = .yaml
        case "json": self = .json
        case "name": self = .name
        case "jsonpath", "custom-columns":
            guard let argument = value.argument, !argument.isEmpty else {
                throw CLIError.usage("\(value.format) template format specified but no template given", command: command)
            }
            self = value.format == "jsonpath" ? .jsonpath(argument) : .customColumns(argument)
        default:
            throw CLIError.usage("unable to match a printer suitable for the output format \"\(value.format)\"", command: command)
        }
    }
}

/// Renders objects for `-o yaml|json|name|jsonpath|custom-columns` exactly as kubectl does.
enum ObjectOutput {
    /// kubectl's wrapper around several objects: `kind: List`, `apiVersion: v1`, empty resourceVersion.
    static func list(_ items: [JSONValue]) -> JSONValue {
        .object([
            "apiVersion": "v1", "items": .array(items), "kind": "List",
            "metadata": .object(["resourceVersion": ""]),
        ])
    }

    /// A server list's items, each given the `apiVersion`/`kind` the list's items lack
    /// (core lists omit them; kubectl's decoding fills them in).
    static func items(of list: JSONValue) -> [JSONValue] {
        let apiVersion = list["apiVersion"]?.stringValue
        var kind = list["kind"]?.stringValue ?? ""
        if kind.hasSuffix("List") { kind.removeLast(4) }
        return (list["items"]?.arrayValue ?? []).map { item in
            guard case .object(var object) = item else { return item }
            if object["apiVersion"] == nil, let apiVersion { object["apiVersion"] = .string(apiVersion) }
            if object["kind"] == nil, !kind.isEmpty { object["kind"] = .string(kind) }
            return .object(object)
        }
    }

    /// Prints one object (or a `List`) in a machine format. `.standard`/`.wide` are not handled here.
    static func render(_ value: JSONValue, format: OutputFormat, command: [String]) throws(CLIError) -> String {
        do {
            switch format {
            case .yaml:
                return YAMLEmitter.kubectl(value)
            case .json:
                return GoJSONEncoder.kubectl.encode(value) + "\n"
            case .name:
                return try NamePrinter.print(value)
            case .jsonpath(let template):
                return try JSONPathPrinter.print(value, template: try JSONPathPrinter.parse(template))
            case .customColumns(let spec):
                let objects = value["kind"]?.stringValue == "List" ? value["items"]?.arrayValue ?? [] : [value]
                return try CustomColumnsPrinter(spec: spec).print(objects)
            case .standard, .wide:
                return GoJSONEncoder.kubectl.encode(value) + "\n"
            }
        } catch {
            throw CLIError(.usage, error.message)
        }
    }
}
