/// The one description of datumctl's exit statuses and error kinds. `docs/exit-codes.md` and
/// `docs/ci.md` carry tables rendered from it between `<!-- BEGIN GENERATED: ... -->` markers, and
/// a drift test keeps them equal, so the documents cannot disagree with the binary or each other.
public enum ErrorReference {
    /// What an exit status means, and when it happens.
    struct Status {
        var code: ExitCode
        var meaning: String
        var examples: String
    }

    static let statuses: [Status] = [
        Status(
            code: .success, meaning: "Success: everything asked for was done.",
            examples: "`apply` where every object was accepted; `validate` where every document is valid; `get` "
                + "that found the objects (an empty list is success too)"),
        Status(
            code: .failure,
            meaning: "Failure: something could not be done. Nothing is ever reported as done that the server did "
                + "not accept.",
            examples: "an invalid manifest (`validate`, or `apply` before it sends anything); a server error "
                + "(`Error from server (NotFound): ...`); an unknown resource type; no project selected; the server "
                + "unreachable, a TLS or timeout failure; one object of a multi-object `apply` or `delete` failed "
                + "(the others are still attempted and reported); a name, namespace or project that cannot be a URL "
                + "path segment (`invalid resource name \"..\"`, as kubectl words it and exits), from the command "
                + "line, a manifest, the environment or a context: nothing is sent for it"),
        Status(
            code: .usage,
            meaning: "Usage error: the command line itself is wrong, and nothing was attempted. (BSD `EX_USAGE`; "
                + "kubectl uses 1 here.)",
            examples: "an unknown command or flag (with a \"did you mean\" suggestion), a missing flag value, an "
                + "invalid `--validate` or `-o` value, a missing required argument"),
    ]

    /// Every kind, its meaning and the exit status it leads to (`diff` maps failures to 2).
    static func summary(of kind: CLIError.Kind) -> String {
        switch kind {
        case .usage: "The command line is wrong (unknown command or flag, bad value); nothing was attempted."
        case .authentication: "The server rejected the credentials (401): a missing, wrong or expired token."
        case .resource:
            "The server does not serve the resource type the command names (`the server doesn't have a resource type`)."
        case .manifest: "A manifest cannot be read or parsed (YAML or JSON syntax, no kind, no name)."
        case .validation:
            "A manifest breaks the resource's schema or rules (`file:line:column` points at it), or a name, namespace "
                + "or project cannot be a URL path segment (`invalid resource name \"..\"`)."
        case .server: "The API server refused the request: `reason` and `code` are its Status reason and HTTP status."
        case .connection: "The server could not be reached or did not answer: DNS, refused, TLS, timeout, proxy."
        case .configuration: "The settings are incomplete or inconsistent: no project, a missing context or token file."
        case .io: "A local file or program failed: unreadable input, an unwritable output, a plugin that cannot start."
        case .warnings:
            "`--warnings-as-errors` was given and the server sent warnings (`N warnings received`); what the "
                + "command printed before it did happen."
        }
    }

    /// The `code`s of the `--error-format json|yaml` envelope a kind yields.
    static func envelopeCodes(of kind: CLIError.Kind) -> String {
        switch kind {
        case .usage: "`USAGE`; `UNKNOWN_SUBCOMMAND` for an unknown command"
        case .authentication:
            "`UNAUTHORIZED` (401); `AUTH_EXPIRED` when the session is over (run `datumctl login`); `AUTH_REQUIRED`"
        case .resource: "`NOT_FOUND`"
        case .manifest: "`INVALID_MANIFEST`"
        case .validation: "`VALIDATION_FAILED`"
        case .server:
            "the Status reason in upper snake case: `NOT_FOUND`, `ALREADY_EXISTS`, `CONFLICT`, `INVALID`, `FORBIDDEN`, "
                + "`TOO_MANY_REQUESTS`, `INTERNAL_ERROR`, `SERVICE_UNAVAILABLE`, ...; `SERVER_ERROR` without one"
        case .connection: "`CONNECTION_FAILED`"
        case .configuration: "`CONFIGURATION`"
        case .io: "`IO_ERROR`"
        case .warnings: "`WARNINGS_AS_ERRORS`"
        }
    }

    /// When the envelope's `retryable` is true for a kind.
    static func retryable(_ kind: CLIError.Kind) -> String {
        switch kind {
        case .connection: "always"
        case .server, .resource, .authentication: "on 429 and 5xx (and their reasons: `ServerTimeout`, `Timeout`, ...)"
        default: "never"
        }
    }

    /// The Markdown table of exit statuses (`docs/exit-codes.md`).
    public static var exitStatusTable: String {
        var lines = ["| code | meaning | examples |", "|---:|---|---|"]
        for status in statuses {
            lines.append("| \(status.code.rawValue) | \(status.meaning) | \(status.examples) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The Markdown table of error kinds (`docs/exit-codes.md` and `docs/ci.md`).
    public static var errorKindTable: String {
        var lines = ["| `kind` | exit status | meaning | `code` | `retryable` |", "|---|---:|---|---|---|"]
        for kind in CLIError.Kind.allCases {
            let status = CLIError(kind, "").exitCode.rawValue
            lines.append(
                "| `\(kind.rawValue)` | \(status) | \(summary(of: kind)) | \(envelopeCodes(of: kind)) | \(retryable(kind)) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The generated blocks: the document, the block's name, and its text.
    public static let blocks: [(path: String, name: String, text: String)] = [
        ("docs/exit-codes.md", "exit statuses", exitStatusTable),
        ("docs/exit-codes.md", "error kinds", errorKindTable),
        ("docs/ci.md", "error kinds", errorKindTable),
    ]

    /// `document` with the block called `name` replaced by `text`; nil when the markers are missing.
    public static func replacingBlock(named name: String, with text: String, in document: String) -> String? {
        let begin = "<!-- BEGIN GENERATED: \(name) (ErrorReference.swift) -->\n"
        let end = "<!-- END GENERATED: \(name) -->"
        guard let start = document.firstRange(of: begin), let stop = document.firstRange(of: end),
            start.upperBound <= stop.lowerBound
        else { return nil }
        return String(document[..<start.upperBound]) + text + String(document[stop.lowerBound...])
    }
}
