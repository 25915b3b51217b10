import DatumArguments
import DatumHTTP
import DatumJSON
import DatumKit
import GoCompat

/// The options `apply` and `diff` share: where the manifests are, how they are checked, and
/// how the server-side apply is made.
struct ApplyFlags: Sendable {
    /// The options, declared once: the spec lists them and `init` reads them by these values.
    enum Option {
        static let filename = ReadOptions.filenameOption
        static let validate = OptionSpec(
            "validate",
            kind: .value(ValueSpec("MODE", kind: .enumeration(["strict", "warn", "ignore", "true", "false"]))),
            help: "How unknown fields are handled, locally and by the server: strict (or true) rejects them, "
                + "warn reports them, ignore (or false) says nothing; either way they are sent as written and the "
                + "server drops what it does not know. Every other problem "
                + "is always an error, and nothing is sent while any document has one.",
            defaultValue: "strict")
        static let fieldManager = OptionSpec(
            "field-manager", kind: .value(ValueSpec("NAME")),
            help: "Name of the manager used to track field ownership.", defaultValue: defaultFieldManager)
        static let forceConflicts = OptionSpec(
            "force-conflicts",
            help: "If true, server-side apply will force the changes against conflicts: fields owned by another "
                + "manager are taken over.")
        static let serverSide = OptionSpec(
            "server-side",
            help: "Accepted for kubectl compatibility: datumctl always applies on the server.", defaultValue: "true")
        static let concurrency = OptionSpec(
            "concurrency", kind: .value(ValueSpec("N", kind: .int)),
            help: "At most how many objects are sent to the server at the same time (1 to \(maximumConcurrency)); "
                + "fewer while the server answers 429 or 5xx.",
            defaultValue: String(defaultConcurrency))
    }

    static let defaultFieldManager = "datumctl"
    static let defaultConcurrency = HTTPClient.defaultConcurrency
    static let maximumConcurrency = 1024

    /// `-f` as apply and diff declare it: `Option.filename`, with help naming the command's purpose.
    static func filenameOption(_ purpose: String) -> OptionSpec {
        Option.filename.withHelp("File, directory or - (stdin) that contains the configuration to \(purpose).")
    }

    static let options: [OptionSpec] = [
        ReadOptions.recursive,
        Option.validate,
        Option.fieldManager,
        Option.forceConflicts,
        Option.serverSide,
        Option.concurrency,
        ReadOptions.showManagedFields,
    ]

    var filenames: [String]
    var recursive: Bool
    var fieldValidation: FieldValidationMode
    var fieldManager: String
    var force: Bool
    var concurrency: Int
    var showManagedFields: Bool
    /// `--server-side` was given (and true): outcomes are reported with kubectl's
    /// `serverside-applied`, which scripts written for `kubectl apply --server-side` look for.
    var serverSideGiven: Bool
    /// The namespace given with `-n`, which objects naming a namespace must match.
    var explicitNamespace: String?

    init(_ parsed: ParsedCommand, command: [String]) throws(CLIError) {
        filenames = parsed.strings(Option.filename)
        guard !filenames.isEmpty else {
            throw .usage("must specify -f with a file, directory or - for stdin", command: command)
        }
        recursive = parsed.flag(ReadOptions.recursive)
        fieldValidation = FieldValidationMode(kubectlValue: parsed.string(Option.validate) ?? "strict") ?? .strict
        fieldManager = parsed.string(Option.fieldManager) ?? Self.defaultFieldManager
        guard !fieldManager.isEmpty else {
            throw .usage("--field-manager must not be empty", command: command)
        }
        force = parsed.flag(Option.forceConflicts)
        guard parsed.flag(Option.serverSide) else {
            throw .usage(
                "--server-side=false is not supported: datumctl always applies on the server", command: command)
        }
        serverSideGiven = parsed.isSet(Option.serverSide)
        concurrency = parsed.int(Option.concurrency) ?? Self.defaultConcurrency
        guard (1...Self.maximumConcurrency).contains(concurrency) else {
            throw .usage(
                "--concurrency must be between 1 and \(Self.maximumConcurrency), not \(concurrency)", command: command)
        }
        showManagedFields = parsed.flag(ReadOptions.showManagedFields)
        explicitNamespace =
            parsed.isSet(GlobalOptions.Option.namespace) ? parsed.string(GlobalOptions.Option.namespace) : nil
    }

    /// Reads `-f` for this invocation; objects without a namespace get `namespace` (from the
    /// connection settings).
    func manifests(namespace: String) -> ApplyManifests {
        ApplyManifests(
            filenames: filenames, recursive: recursive, fieldValidation: fieldValidation, namespace: namespace,
            enforcedNamespace: explicitNamespace)
    }

    func engine(_ client: ProjectClient, dryRun: Bool) -> ApplyEngine {
        ApplyEngine(
            client: client, fieldManager: fieldManager, force: force, dryRun: dryRun, fieldValidation: fieldValidation,
            concurrency: concurrency)
    }

    /// The object as printed with `-o yaml|json`: without managedFields unless asked for.
    func printable(_ object: JSONValue) -> JSONValue {
        showManagedFields ? object : ObjectOutput.withoutManagedFields(object)
    }
}
