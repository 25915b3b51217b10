import DatumHTTP
import DatumJSON
import DatumKit
import GoCompat

/// One object's failure in `apply` or `diff`, with the texts kubectl prints for it.
///
/// kubectl collects per-object errors and prints them at the end: a lone error goes through
/// its top-level handler (`error: ...`, or `The Kind "name" is invalid: ...` for validation
/// failures), while each of several errors is printed bare, one after the other.
struct ObjectFailure: Sendable, Equatable {
    /// The structured error, for `--error-format json`.
    var error: CLIError
    /// kubectl's text when this is the only error.
    var standalone: String
    /// kubectl's text when it is one of several errors.
    var inList: String

    init(error: CLIError, standalone: String, inList: String) {
        self.error = error
        self.standalone = standalone
        self.inList = inList
    }

    /// A failure that prints the same either way (`error: ...` becomes bare in a list, as
    /// kubectl's aggregate printer drops the prefix it adds to lone errors).
    init(_ error: CLIError) {
        self.error = error
        standalone = error.text
        if error.kind != .server, error.location == nil, standalone.hasPrefix("error: ") {
            inList = String(standalone.dropFirst("error: ".count))
        } else {
            inList = standalone
        }
    }

    /// The failure a non-2xx apply response stands for. `apply` explains how to resolve a
    /// conflict; `diff` reports it bare, as kubectl does.
    init(response: HTTPResponse, explainingConflicts: Bool = true) {
        let api = APIError(response: response)
        let error = api.cliError
        if explainingConflicts && api.code == 409 && api.reason == "Conflict" {
            // Apply conflicts name the other managers in the server's message; kubectl adds
            // how to resolve them (in its own words; these are ours).
            var text = api.message + "\n" + Self.conflictAdvice
            if Self.conflictsWithKubectlApply(api.message) { text += "\n" + Self.kubectlManagerAdvice }
            self.init(error: error, standalone: "error: " + text, inList: text)
            return
        }
        if api.reason == "Invalid" {
            var standalone = "The request is invalid" + (api.message.isEmpty ? "" : ": " + api.message)
            if let details = api.status?["details"], details.objectValue != nil {
                standalone = Self.invalidText(api.message, details: details)
            }
            self.init(error: error, standalone: standalone, inList: error.text)
            return
        }
        self.init(error)
    }

    static let conflictAdvice = """
        The fields above are owned by another field manager. To resolve the conflict, either:
        * re-run with --force-conflicts to take ownership of them,
        * remove them from your manifest so they keep their current manager, or
        * set them to their current values to share ownership with the other manager.
        See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
        """

    /// Said when fields belong to `kubectl apply --server-side` (manager `kubectl`, operation
    /// Apply): most often the same person's manifests, applied before with kubectl.
    static let kubectlManagerAdvice =
        "Fields owned by \"kubectl\" were applied with kubectl apply --server-side; to go on managing them "
        + "with datumctl as the same owner, re-run with --field-manager=kubectl."

    /// Whether a conflict message names the manager `kubectl` as an applier (the apiserver adds
    /// `using <apiVersion>` after managers of Update operations only).
    static func conflictsWithKubectlApply(_ message: String) -> Bool {
        message.contains("conflict with \"kubectl\":") || message.contains("conflicts with \"kubectl\":")
    }

    /// kubectl's text for a lone `Invalid` status: `The Kind "name" is invalid: field: message`,
    /// or a `* field: message` list when there are several causes (duplicates dropped).
    static func invalidText(_ message: String, details: JSONValue) -> String {
        let kind = details["kind"]?.stringValue ?? ""
        let name = details["name"]?.stringValue ?? ""
        var causes: [String] = []
        for cause in details["causes"]?.arrayValue ?? [] {
            let line = (cause["field"]?.stringValue ?? "") + ": " + (cause["message"]?.stringValue ?? "")
            if !causes.contains(line) { causes.append(line) }
        }
        var head = "The request is invalid"
        if !kind.isEmpty || !name.isEmpty {
            head = "The \(kind) \(GoFormat.quote(name)) is invalid"
        } else if !message.isEmpty && causes.isEmpty {
            head += ": " + message
        }
        switch causes.count {
        case 0: return head
        case 1: return head + ": " + causes[0]
        default: return head + ": \n" + causes.map { "* " + $0 }.joined(separator: "\n")
        }
    }
}

/// Prints the failures collected during `apply` or `diff`, after the per-object lines.
enum FailureReport {
    /// kubectl's rendering of the collected errors: one error as a lone error, several one
    /// after the other. A connection failure is printed once: it is about the server, not the
    /// object, and a server that is down fails every object with the same message.
    static func unique(_ failures: [ObjectFailure]) -> [ObjectFailure] {
        var unique: [ObjectFailure] = []
        for failure in failures {
            if failure.error.kind == .connection, unique.contains(failure) { continue }
            unique.append(failure)
        }
        return unique
    }

    static func text(_ failures: [ObjectFailure]) -> String {
        let shown = unique(failures)
        if shown.count == 1, let only = shown.first { return only.standalone + "\n" }
        return shown.map { $0.inList + "\n" }.joined()
    }

    static func report(_ failures: [ObjectFailure], to diagnostics: Diagnostics) {
        guard !failures.isEmpty else { return }
        switch diagnostics.format {
        case .human: diagnostics.sink.write(text(failures))
        case .json, .yaml: for failure in unique(failures) { diagnostics.report(failure.error) }
        }
    }
}
