import DatumArguments
import DatumJSON
import DatumKit
import DatumYAML
import GoCompat
import Synchronization

/// `datumctl validate`: checks manifests offline, exactly as the API server would.
struct ValidateCommand: CLICommand {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let filename = ReadOptions.filenameOption.withHelp(
            "File, directory or - (stdin) containing the manifests to validate.")
        static let recursive = ReadOptions.recursive.withHelp(
            "Process the directory used in -f, --filename recursively.")
        static let validate = OptionSpec(
            "validate",
            kind: .value(ValueSpec("MODE", kind: .enumeration(["strict", "warn", "ignore", "true", "false"]))),
            help:
                "What to do with fields the schema does not know: strict (or true) rejects them, warn reports them as warnings, ignore (or false) says nothing about them.",
            defaultValue: "strict")
        static let strict = OptionSpec("strict", help: "Treat warnings as errors: exit 1 when any warning is reported.")
        static let output = OptionSpec(
            "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["text", "json"]))),
            help: "Report format: text (one line per problem and a summary) or json (one entry per document).",
            defaultValue: "text")
    }

    static let spec = CommandSpec(
        "validate", group: .deploy,
        summary: "Validate manifests locally, against the project's schema or the one built in",
        discussion: """
            Check manifests the way the API server would, before anything is sent: required fields, types, \
            lengths, patterns, enumerations, list and map sizes, metadata names and the CEL rules of the \
            BackendTLSPolicy CRD, with the server's own messages. Every error names the field and the \
            file:line:column of the offending node.

            Beyond the server, warnings point out what the Gateway API documentation forbids but the schema \
            lets through (un-prefixed option keys, IP addresses as hostnames, wildcard SANs, several targetRefs). \
            Warnings do not change the exit code unless --strict is given.

            Kinds datumctl does not model (Service, ConfigMap, HTTPRoute, ...) are reported as not validated. \
            No server and no credentials are needed, so this is the command for CI pipelines. With a project \
            selected (--project, DATUM_PROJECT or the current context), documents are checked against the \
            schema that project serves instead, which may be newer than the one built in; the summary says \
            which schema was used.

            Exit status: 0 when every document is valid, 1 when any is invalid, 64 for usage errors.
            """,
        usage: "-f FILENAME",
        examples: [
            Example("Validate one file", "datumctl validate -f backendtlspolicy.yaml"),
            Example("Validate every manifest under a directory, recursively", "datumctl validate -f manifests/ -R"),
            Example(
                "Validate from standard input and print a JSON report",
                "cat policy.yaml | datumctl validate -f - -o json"),
            Example(
                "Fail on warnings too, and only warn about unknown fields",
                "datumctl validate -f policy.yaml --strict --validate=warn"),
        ],
        options: [
            Option.filename,
            Option.recursive,
            Option.validate,
            Option.strict,
            Option.output,
        ])

    var filenames: [String]
    var recursive: Bool
    var fieldValidation: FieldValidationMode
    var strict: Bool
    var json: Bool

    init(_ parsed: ParsedCommand, environment: CommandEnvironment) throws(CLIError) {
        filenames = parsed.strings(Option.filename)
        guard !filenames.isEmpty else {
            throw .usage("must specify -f with a file, directory or - for stdin", command: ["datumctl", "validate"])
        }
        recursive = parsed.flag(Option.recursive)
        fieldValidation = FieldValidationMode(kubectlValue: parsed.string(Option.validate) ?? "strict") ?? .strict
        strict = parsed.flag(Option.strict)
        json = parsed.string(Option.output) == "json"
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let loader = ManifestLoader(
            recursive: recursive, currentDirectory: context.environment.currentDirectory,
            readStandardInput: context.environment.readStandardInput, conversion: SchemaGuidedConversion.default)
        let inputs: [ManifestInput]
        do {
            inputs = try loader.inputs(for: filenames)
        } catch {
            throw CLIError(.manifest, error.message)
        }
        var configured = ManifestValidator(
            fieldValidation: fieldValidation, namespace: context.globals.namespace ?? "default")
        // With a project selected (flag, environment or context) the server's schemas are the
        // truth; without one, the schema built into datumctl is.
        let used = Mutex<Set<SchemaOrigin>>([])
        let lookUp: @Sendable (GroupVersionKind) -> (CRDModel, SchemaOrigin)?
        if let schemas = serverSchemas(context) {
            lookUp = { gvk in schemas.model(for: gvk).map { ($0.0, $0.1 == .server ? .server : .builtinFallback) } }
        } else {
            lookUp = { gvk in BuiltinSchemas.model(for: gvk).map { ($0, .builtin) } }
        }
        configured.schemas = { gvk in
            guard let (model, origin) = lookUp(gvk) else { return nil }
            used.withLock { _ = $0.insert(origin) }
            return model
        }
        let validator = configured
        var report = ValidationReport(json: json, sink: context.stdout)
        // Files are split into documents here; parsing, conversion and validation of the
        // documents run on the other cores, and results come back in order.
        ManifestStream(loader: loader).run(
            inputs,
            transform: { result -> DocumentOutcome in
                switch result {
                case .success(let manifest): return .checked(manifest, validator.validate(manifest))
                case .failure(let error): return .unreadable(error)
                }
            },
            deliver: { delivery in
                switch delivery.output {
                case .checked(var manifest, let validation):
                    manifest.documentIndex += delivery.documentBase
                    report.add(manifest, validation)
                case .unreadable(var error):
                    error.documentIndex = error.documentIndex.map { $0 + delivery.documentBase }
                    report.add(error)
                }
            })
        report.finish(schemas: used.withLock { $0 })
        if report.invalid > 0 || (strict && report.warningCount > 0) { return .failure }
        return .success
    }
}

extension ValidateCommand {
    /// The selected project's schemas, or nil when no project is selected (or no client can be
    /// made for it, which is said).
    func serverSchemas(_ context: CommandContext) -> ServerSchemas? {
        guard let settings = try? context.connectionSettings(), settings.hasControlPlane else { return nil }
        do throws(CLIError) {
            let client = try context.projectClient(settings)
            return context.serverSchemas(client, mapper: ResourceMapper(client: client, cache: context.openAPICache))
        } catch {
            context.diagnostics.warn(
                "cannot reach the project (\(error.message)); validating with the schema built into datumctl")
            return nil
        }
    }
}

/// Which schema `validate` checked documents with.
enum SchemaOrigin: Sendable, Hashable {
    /// The connected control plane's (`/openapi/v3`).
    case server
    /// The one compiled into datumctl, offline.
    case builtin
    /// The one compiled in, because the server's could not be read.
    case builtinFallback
}

/// What happened to one object in `validate`.
enum DocumentOutcome: Sendable {
    case checked(Manifest, ManifestValidation)
    case unreadable(ManifestError)
}

extension FieldValidationMode {
    /// kubectl's `--validate` spellings: `true` means strict and `false` ignore.
    init?(kubectlValue: String) {
        switch kubectlValue {
        case "true": self = .strict
        case "false": self = .ignore
        default: self.init(rawValue: kubectlValue)
        }
    }
}

/// Accumulates and prints validation results, streaming one document at a time.
///
/// Text: `FILE:LINE:COL: error: <kind>/<name>: <field>: <message>` per problem, then a summary.
/// JSON: an array with one entry per document (see docs/validate-report.md for the schema).
struct ValidationReport {
    let json: Bool
    let sink: OutputSink
    private(set) var documents = 0
    private(set) var valid = 0
    private(set) var invalid = 0
    private(set) var warningCount = 0
    private var notValidatedKinds: [String: Int] = [:]

    init(json: Bool, sink: OutputSink) {
        self.json = json
        self.sink = sink
        if json { sink.write("[") }
    }

    mutating func add(_ manifest: Manifest, _ result: ManifestValidation) {
        documents += 1
        if !result.isValidated {
            notValidatedKinds[manifest.object.kind ?? "<unknown>", default: 0] += 1
        } else if result.isValid {
            valid += 1
        } else {
            invalid += 1
        }
        warningCount += result.warnings.count
        let subject = manifest.displayName
        if json {
            var entry: JSONObject = [
                "file": .string(manifest.file),
                "document": .int(Int64(manifest.documentIndex)),
                "line": .int(Int64(manifest.location.line)),
                "column": .int(Int64(manifest.location.column)),
                "apiVersion": manifest.object.apiVersion.map(JSONValue.string) ?? .null,
                "kind": manifest.object.kind.map(JSONValue.string) ?? .null,
                "name": manifest.object.name.map(JSONValue.string) ?? .null,
                "validated": .bool(result.isValidated),
                "valid": .bool(result.isValid),
            ]
            entry["errors"] = .array(result.errors.map(Self.issueJSON))
            entry["warnings"] = .array(result.warnings.map(Self.issueJSON))
            emit(entry)
            return
        }
        for issue in result.errors + result.warnings {
            sink.line(ManifestProblemText.line(issue, subject: subject))
        }
    }

    mutating func add(_ error: ManifestError) {
        documents += 1
        invalid += 1
        if json {
            var problem: JSONObject = ["field": .null, "message": .string(error.message)]
            problem["line"] = error.location.map { .int(Int64($0.line)) } ?? .null
            problem["column"] = error.location.map { .int(Int64($0.column)) } ?? .null
            let entry: JSONObject = [
                "file": error.location.map { .string($0.file) } ?? .null,
                "document": error.documentIndex.map { .int(Int64($0)) } ?? .null,
                "line": error.location.map { .int(Int64($0.line)) } ?? .null,
                "column": error.location.map { .int(Int64($0.column)) } ?? .null,
                "apiVersion": .null, "kind": .null, "name": .null,
                "validated": .bool(false), "valid": .bool(false),
                "errors": .array([.object(problem)]), "warnings": .array([]),
            ]
            emit(entry)
            return
        }
        sink.line(error.description)
    }

    private static func issueJSON(_ issue: ManifestIssue) -> JSONValue {
        .object([
            "field": .string(issue.field), "message": .string(issue.message),
            "line": .int(Int64(issue.location.line)), "column": .int(Int64(issue.location.column)),
        ])
    }

    private var emitted = 0

    private mutating func emit(_ entry: JSONObject) {
        sink.write(emitted == 0 ? "\n  " : ",\n  ")
        sink.write(GoJSONEncoder(sortKeys: false).encode(.object(entry)))
        emitted += 1
    }

    func finish(schemas: Set<SchemaOrigin> = []) {
        if json {
            sink.line(emitted == 0 ? "]" : "\n]")
            return
        }
        var summary = "\(documents) document\(documents == 1 ? "" : "s"), \(valid) valid, \(invalid) invalid"
        let skipped = notValidatedKinds.values.reduce(0, +)
        if skipped > 0 {
            summary += ", \(skipped) not validated (\(notValidatedKinds.keys.sorted().joined(separator: ", ")))"
        }
        if warningCount > 0 { summary += ", \(warningCount) warning\(warningCount == 1 ? "" : "s")" }
        var origins: [String] = []
        if schemas.contains(.server) { origins.append("the server's") }
        if schemas.contains(.builtinFallback) { origins.append("built in (the server's could not be read)") }
        if schemas.contains(.builtin) { origins.append("built in") }
        if !origins.isEmpty { summary += "; schema: " + origins.joined(separator: " and ") }
        sink.line(summary)
    }
}
