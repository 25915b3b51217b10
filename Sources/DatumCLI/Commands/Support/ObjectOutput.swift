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
                    values: ["json", "yaml", "name", "wide"],
                    prefixes: ["jsonpath", "custom-columns"]),
                completion: .values(["json", "yaml", "name", "wide", "jsonpath=", "custom-columns="]))),
        help: "Output format.")

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
                throw CLIError.usage(
                    value.format == "jsonpath"
                        ? "template format specified but no template given"
                        : "custom-columns format specified but no custom columns given",
                    command: command)
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
    ///
    /// A template that does not parse is a usage error (64); one that fails on the data is an
    /// ordinary failure (1), as kubectl exits 1 for jsonpath execution errors.
    static func render(_ value: JSONValue, format: OutputFormat, command: [String], noHeaders: Bool = false)
        throws(CLIError) -> String
    {
        switch format {
        case .yaml:
            return YAMLEmitter.kubectl(value)
        case .json, .standard, .wide:
            return GoJSONEncoder.kubectl.encode(value) + "\n"
        case .name:
            do {
                return try NamePrinter.print(value)
            } catch {
                throw CLIError(.validation, error.message)
            }
        case .jsonpath(let template):
            let parsed: JSONPath
            do {
                parsed = try JSONPathPrinter.parse(template)
            } catch {
                throw CLIError(.usage, error.message)
            }
            do {
                return try JSONPathPrinter.print(value, template: parsed)
            } catch {
                throw CLIError(.validation, error.message)
            }
        case .customColumns(let spec):
            let printer: CustomColumnsPrinter
            do {
                printer = try CustomColumnsPrinter(spec: spec, noHeaders: noHeaders)
            } catch {
                throw CLIError(.usage, error.message)
            }
            let objects = value["kind"]?.stringValue == "List" ? value["items"]?.arrayValue ?? [] : [value]
            do {
                return try printer.print(objects)
            } catch {
                throw CLIError(.validation, error.message)
            }
        }
    }

    /// `metadata.managedFields` removed from an object or from each item of a `List`, as kubectl's
    /// JSON and YAML printers do unless `--show-managed-fields` is given.
    static func withoutManagedFields(_ value: JSONValue) -> JSONValue {
        guard case .object(var object) = value else { return value }
        if object["kind"]?.stringValue == "List", let items = object["items"]?.arrayValue {
            object["items"] = .array(items.map(withoutManagedFields))
            return .object(object)
        }
        if case .object(var metadata)? = object["metadata"], metadata["managedFields"] != nil {
            metadata["managedFields"] = nil
            object["metadata"] = .object(metadata)
        }
        return .object(object)
    }
}

extension OutputFormat {
    /// Parses a jsonpath or custom-columns template without printing anything, so a bad one is
    /// reported as a usage error before any request is sent.
    func validateTemplate(command: [String]) throws(CLIError) {
        do {
            switch self {
            case .jsonpath(let template): _ = try JSONPathPrinter.parse(template)
            case .customColumns(let spec): _ = try CustomColumnsPrinter(spec: spec)
            default: break
            }
        } catch {
            throw CLIError.usage(error.message, command: command)
        }
    }
}
