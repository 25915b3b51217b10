import DatumArguments
import DatumJSON
import DatumKit
import DatumSystem
import DatumYAML
import GoCompat

/// An `-o` choice, parsed once so every command prints objects the same way.
enum OutputFormat: Sendable, Equatable {
    /// The server's table (get) or the command's own lines (apply, delete).
    case standard
    case wide
    case yaml
    case json
    case name
    case jsonpath(String)
    /// `-o jsonpath-as-json=`: each action's results as an indented JSON array.
    case jsonpathAsJSON(String)
    case customColumns(String)
    /// `-o custom-columns-file=`: the file's columns (kubectl prints their headers even with `--no-headers`).
    case customColumnsFile([CustomColumnsPrinter.Column])
    /// `-o go-template=`, `-o template=`, `-o go-template-file=`, `-o templatefile=`: the template's text.
    case goTemplate(String)

    /// The formats `get` prints, in kubectl's words (its `allowed formats are:` list).
    static let getFormats = ["json", "yaml", "name", "wide"]
    static let getTemplateFormats = [
        "jsonpath", "jsonpath-as-json", "jsonpath-file", "custom-columns", "custom-columns-file", "go-template",
        "go-template-file", "template", "templatefile",
    ]

    /// The `-o` option as `get` accepts it.
    static let getOption = OptionSpec(
        "output", short: "o",
        kind: .value(
            ValueSpec(
                "FORMAT",
                kind: .formatted(values: getFormats, prefixes: getTemplateFormats),
                completion: .values(getFormats + getTemplateFormats.map { $0 + "=" }))),
        help: "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, "
            + "jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide).")

    /// kubectl's `--template`, the template of `-o go-template|jsonpath|...` given without `=`.
    static let templateOption = OptionSpec(
        "template", kind: .value(ValueSpec("TEMPLATE", completion: .files(extensions: []))),
        help: "Template string or path to template file to use when -o=go-template, -o=go-template-file. The "
            + "template format is golang templates (Go's text/template).")

    /// kubectl's `--allow-missing-template-keys`.
    static let allowMissingKeysOption = OptionSpec(
        "allow-missing-template-keys",
        help: "If true, ignore any errors in templates when a field or map key is missing in the template. Only "
            + "applies to golang and jsonpath output formats.",
        defaultValue: "true")

    /// Parses `-o` (with `--template` for a template format given without `=`); the `-file`
    /// formats read their template now, relative to `directory`.
    init(
        _ value: FormattedValue?, template: String? = nil, directory: String = ".", command: [String]
    ) throws(CLIError) {
        guard let value else {
            self = .standard
            return
        }
        switch value.format {
        case "wide": self = .wide
        case "yaml": self = .yaml
        case "json": self = .json
        case "name": self = .name
        default:
            guard Self.getTemplateFormats.contains(value.format) else {
                throw CLIError.usage(
                    "unable to match a printer suitable for the output format \"\(value.format)\"", command: command)
            }
            var argument = value.argument ?? ""
            if argument.isEmpty, let template { argument = template }
            guard !argument.isEmpty else {
                throw CLIError.usage(
                    value.format.hasPrefix("custom-columns")
                        ? "custom-columns format specified but no custom columns given"
                        : "template format specified but no template given",
                    command: command)
            }
            switch value.format {
            case "jsonpath": self = .jsonpath(argument)
            case "jsonpath-as-json": self = .jsonpathAsJSON(argument)
            case "jsonpath-file": self = .jsonpath(try Self.read(argument, directory: directory, quoted: "--template"))
            case "custom-columns": self = .customColumns(argument)
            case "custom-columns-file":
                let text = try Self.read(argument, directory: directory, quoted: "template")
                do {
                    self = .customColumnsFile(try CustomColumnsPrinter.columns(fromFile: text))
                } catch {
                    // The file's content is wrong, not the command line: exit 1, as kubectl.
                    throw CLIError(.validation, error.message)
                }
            case "go-template-file", "templatefile":
                self = .goTemplate(try Self.read(argument, directory: directory, quoted: "--template"))
            default: self = .goTemplate(argument)
            }
        }
    }

    /// A template file's text, or kubectl's `error reading --template FILE, open FILE: ...`.
    static func read(_ path: String, directory: String, quoted flag: String) throws(CLIError) -> String {
        let resolved = path.hasPrefix("/") ? path : FileSystem.join(directory, path)
        do {
            return String(decoding: try FileSystem.read(resolved), as: UTF8.self)
        } catch {
            var reason = error.description
            if let first = reason.first { reason = first.lowercased() + reason.dropFirst() }
            throw CLIError(.io, "error reading \(flag) \(path), open \(path): \(reason)")
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
    static func render(
        _ value: JSONValue, format: OutputFormat, command: [String], noHeaders: Bool = false,
        allowMissingKeys: Bool = true
    ) throws(CLIError) -> String {
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
        case .jsonpath(let template), .jsonpathAsJSON(let template):
            let parsed: JSONPath
            do {
                parsed = try JSONPathPrinter.parse(template)
            } catch {
                throw CLIError(.usage, error.message)
            }
            do {
                return try JSONPathPrinter.print(
                    value, template: parsed, allowMissingKeys: allowMissingKeys,
                    outputJSON: format == .jsonpathAsJSON(template))
            } catch {
                throw CLIError(.validation, error.message)
            }
        case .goTemplate(let text):
            let rendered = GoTemplatePrinter.print(value, template: text, allowMissingKeys: allowMissingKeys)
            if let failure = rendered.failure { throw failure }
            return rendered.text
        case .customColumns, .customColumnsFile:
            let printer: CustomColumnsPrinter
            do throws(PrinterError) {
                if case .customColumnsFile(let columns) = format {
                    printer = try CustomColumnsPrinter(columns: columns, noHeaders: false)
                } else if case .customColumns(let spec) = format {
                    printer = try CustomColumnsPrinter(spec: spec, noHeaders: noHeaders)
                } else {
                    throw PrinterError("custom-columns format specified but no custom columns given")
                }
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

    /// Writes `value` in `format` to `sink`. A go-template that fails while executing leaves what
    /// it printed so far and kubectl's debugging lines on the sink before the error is thrown.
    static func write(
        _ value: JSONValue, format: OutputFormat, command: [String], noHeaders: Bool = false,
        allowMissingKeys: Bool = true, to sink: OutputSink
    ) throws(CLIError) {
        if case .goTemplate(let text) = format {
            let rendered = GoTemplatePrinter.print(value, template: text, allowMissingKeys: allowMissingKeys)
            sink.write(rendered.text)
            if let failure = rendered.failure { throw failure }
            return
        }
        sink.write(
            try render(
                value, format: format, command: command, noHeaders: noHeaders, allowMissingKeys: allowMissingKeys))
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
        // A go-template that does not parse fails as kubectl fails then: exit 1, no usage hint.
        if case .goTemplate(let text) = self, let failure = GoTemplatePrinter.parse(text) { throw failure }
        do {
            switch self {
            case .jsonpath(let template), .jsonpathAsJSON(let template): _ = try JSONPathPrinter.parse(template)
            case .customColumns(let spec): _ = try CustomColumnsPrinter(spec: spec)
            default: break
            }
        } catch {
            throw CLIError.usage(error.message, command: command)
        }
    }
}

/// kubectl's go-template printer: the object goes through JSON into Go's `map[string]interface{}`
/// (so every number is a float64), the template is named `output` and has kubectl's `exists` and
/// `base64decode` besides Go's functions. On an execution error kubectl prints, on stdout, what
/// the template wrote so far and the debugging lines, then fails with the error.
enum GoTemplatePrinter {
    /// kubectl's parse error, or nil when the template parses.
    static func parse(_ text: String) -> CLIError? {
        do {
            _ = try GoTextTemplate(text)
            return nil
        } catch {
            return CLIError(.validation, "error parsing template \(text), \(error.message)")
        }
    }

    /// The text for stdout and, when parsing or executing failed, the error.
    static func print(_ value: JSONValue, template text: String, allowMissingKeys: Bool) -> (
        text: String, failure: CLIError?
    ) {
        let template: GoTextTemplate
        do {
            template = try GoTextTemplate(text)
        } catch {
            return ("", CLIError(.validation, "error parsing template \(text), \(error.message)"))
        }
        let (output, error) = template.execute(value, allowMissingKeys: allowMissingKeys)
        guard let error else { return (output, nil) }
        var out = output
        out += "Error executing template: \(error.message). Printing more information for debugging the template:\n"
        out += "\ttemplate was:\n\t\t\(text)\n"
        out += "\traw data was:\n\t\t\(GoJSONEncoder.compact.encode(value))\n"
        out += "\tobject given to template engine was:\n\t\t\(GoFormat.value(value))\n\n"
        return (out, CLIError(.validation, "error executing template \(GoFormat.quote(text)): \(error.message)"))
    }
}
