import DatumJSON
import DatumKit

/// Process exit statuses (documented in `docs/exit-codes.md`).
public enum ExitCode: Int32, Sendable {
    /// Everything asked for was done.
    case success = 0
    /// Something failed: invalid manifests, a server error, an unreachable server, ...
    case failure = 1
    /// `diff` only, as in kubectl: the comparison failed (there 1 means "differences found").
    case diffFailure = 2
    /// The command line itself was wrong (BSD `EX_USAGE`); nothing was attempted.
    case usage = 64
}

/// A failure reported to the user, rendered in exactly one place (``Diagnostics``).
public struct CLIError: Error, Sendable, Hashable {
    /// What kind of failure; also the `kind` field of `--error-format json`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case usage
        /// The server rejected the credentials (401); printed as kubectl does, without "Error from server".
        case authentication
        /// A resource type or object the request names does not exist on the server.
        case resource
        case manifest
        case validation
        case server
        case connection
        case configuration
        case io
        /// `--warnings-as-errors` and the server sent warnings (the command itself succeeded).
        case warnings
    }

    public var kind: Kind
    public var message: String
    public var location: SourceLocation?
    /// For server errors: the `Status` reason (`NotFound`) and HTTP code.
    public var reason: String?
    public var code: Int?
    /// Extra lines printed after the message in text mode (a source excerpt, hints).
    public var detail: String?

    public init(
        _ kind: Kind, _ message: String, location: SourceLocation? = nil, reason: String? = nil, code: Int? = nil,
        detail: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.location = location
        self.reason = reason
        self.code = code
        self.detail = detail
    }

    public var exitCode: ExitCode { kind == .usage ? .usage : .failure }

    /// kubectl's text: `Error from server (NotFound): ...` for API errors, `error: ...` otherwise,
    /// prefixed by `file:line:col: ` when the error points into a file.
    public var text: String {
        var head: String
        if kind == .server {
            head = "Error from server" + (reason.map { " (\($0))" } ?? "") + ": " + message
        } else {
            head = "error: " + message
        }
        if let location { head = "\(location): " + head }
        if let detail, !detail.isEmpty { head += "\n" + detail }
        return head
    }

    /// One line of JSON for `--error-format json`.
    public var json: String {
        var object: JSONObject = ["kind": .string(kind.rawValue), "message": .string(message)]
        if let reason { object["reason"] = .string(reason) }
        if let code { object["code"] = .int(Int64(code)) }
        if let location {
            object["file"] = .string(location.file)
            object["line"] = .int(Int64(location.line))
            object["column"] = .int(Int64(location.column))
        }
        return GoJSONEncoder(sortKeys: false).encode(.object(object))
    }
}

/// How errors are printed: kubectl's text (default) or one JSON object per line.
public enum ErrorFormat: String, Sendable, CaseIterable {
    case text
    case json
}

/// Renders errors and warnings to stderr in the chosen format.
public struct Diagnostics: Sendable {
    public var format: ErrorFormat
    public var sink: OutputSink

    public init(format: ErrorFormat, sink: OutputSink) {
        self.format = format
        self.sink = sink
    }

    public func report(_ error: CLIError) {
        switch format {
        case .text: sink.line(error.text)
        case .json: sink.line(error.json)
        }
    }

    /// A warning; in JSON mode it is an object with `"kind":"warning"`.
    public func warn(_ message: String, location: SourceLocation? = nil) {
        switch format {
        case .text:
            sink.line((location.map { "\($0): " } ?? "") + "Warning: " + message)
        case .json:
            var object: JSONObject = ["kind": "warning", "message": .string(message)]
            if let location {
                object["file"] = .string(location.file)
                object["line"] = .int(Int64(location.line))
                object["column"] = .int(Int64(location.column))
            }
            sink.line(GoJSONEncoder(sortKeys: false).encode(.object(object)))
        }
    }
}
