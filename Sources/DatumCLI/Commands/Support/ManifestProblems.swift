import DatumKit

/// How `validate`, `apply` and `diff` print a problem found in a manifest, so all three read
/// the same: `FILE:LINE:COL: error: Kind/name: field: message`.
enum ManifestProblemText {
    static func line(_ issue: ManifestIssue, subject: String) -> String {
        "\(issue.location): \(issue.severity.rawValue): \(subject): \(issue.field): \(issue.message)"
    }

    /// Reports an issue on stderr: the validate line in text mode, a JSON object otherwise
    /// (errors as `CLIError`s of kind `validation`, warnings as `"kind":"warning"`).
    static func report(_ issue: ManifestIssue, subject: String, to diagnostics: Diagnostics) {
        switch (diagnostics.format, issue.severity) {
        case (.human, _):
            diagnostics.sink.line(line(issue, subject: subject))
        case (.json, .error), (.yaml, .error):
            diagnostics.report(
                CLIError(.validation, "\(subject): \(issue.field): \(issue.message)", location: issue.location))
        case (.json, .warning), (.yaml, .warning):
            diagnostics.warn("\(subject): \(issue.field): \(issue.message)", location: issue.location)
        }
    }

    /// Reports a manifest that could not be read: `FILE:LINE:COL: error: message` and the
    /// source excerpt, exactly as `validate` prints it.
    static func report(_ error: ManifestError, to diagnostics: Diagnostics) {
        switch diagnostics.format {
        case .human: diagnostics.sink.line(error.description)
        case .json, .yaml: diagnostics.report(CLIError(.manifest, error.message, location: error.location))
        }
    }
}
