import DatumJSON
import DatumKit
import DatumYAML
import Synchronization

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
    /// Extra lines printed after the message in text mode (how to resolve it); the envelope's `hint`.
    public var detail: String?
    /// The envelope's `code` when the kind's default does not say it (`AUTH_EXPIRED`).
    public var errorCodeOverride: String?
    /// For usage errors: the index of the argv word at fault (`"argv": N` in the envelope).
    public var argvIndex: Int?

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

    /// The real datumctl's envelope for `--error-format json|yaml`:
    /// `{"error":{"code","message","hint","retryable","details"}}`, in its field order, with
    /// ours after them (`kind`, the server's `reason` and HTTP `status`, `file`/`line`/`column`).
    /// A server error's message is kubectl's whole line (`Error from server (NotFound): ...`), as
    /// the official tool passes kubectl's text through.
    public var envelope: JSONValue {
        var object: JSONObject = [:]
        object["code"] = .string(errorCode)
        if kind == .server {
            object["message"] = .string("Error from server" + (reason.map { " (\($0))" } ?? "") + ": " + message)
        } else {
            object["message"] = .string(message)
        }
        if let detail, !detail.isEmpty { object["hint"] = .string(detail) }
        object["retryable"] = .bool(retryable)
        object["kind"] = .string(kind.rawValue)
        if let reason { object["reason"] = .string(reason) }
        if let code { object["status"] = .int(Int64(code)) }
        if let location {
            object["file"] = .string(location.file)
            object["line"] = .int(Int64(location.line))
            object["column"] = .int(Int64(location.column))
        }
        if let argvIndex { object["argv"] = .int(Int64(argvIndex)) }
        return .object(["error": .object(object)])
    }

    /// One line of JSON for `--error-format json`.
    public var json: String { GoJSONEncoder(sortKeys: false).encode(envelope) }

    /// The machine-readable code of the envelope (the table is in `docs/exit-codes.md`): the
    /// official tool's `AUTH_EXPIRED` where it applies, the server's reason in upper snake case
    /// for API errors (`NOT_FOUND`, `CONFLICT`), and one code per kind otherwise.
    public var errorCode: String {
        if let errorCodeOverride { return errorCodeOverride }
        switch kind {
        case .usage: return "USAGE"
        case .authentication: return code == 401 ? "UNAUTHORIZED" : "AUTH_REQUIRED"
        case .resource: return reason.map(Self.snakeCase) ?? "NOT_FOUND"
        case .manifest: return "INVALID_MANIFEST"
        case .validation: return "VALIDATION_FAILED"
        case .server:
            if let reason, !reason.isEmpty { return Self.snakeCase(reason) }
            return code == 429 ? "TOO_MANY_REQUESTS" : "SERVER_ERROR"
        case .connection: return "CONNECTION_FAILED"
        case .configuration: return "CONFIGURATION"
        case .io: return "IO_ERROR"
        case .warnings: return "WARNINGS_AS_ERRORS"
        }
    }

    /// Whether running the same command again, unchanged, may succeed: connection failures and
    /// timeouts, `429 Too Many Requests` and 5xx answers (and the reasons that stand for them).
    public var retryable: Bool {
        switch kind {
        case .connection: return true
        case .server, .resource, .authentication:
            if let code, code == 429 || code >= 500 { return true }
            return ["TooManyRequests", "ServerTimeout", "Timeout", "InternalError", "ServiceUnavailable"]
                .contains(reason ?? "")
        default: return false
        }
    }

    /// `NotFound` → `NOT_FOUND`, `TooManyRequests` → `TOO_MANY_REQUESTS`.
    static func snakeCase(_ reason: String) -> String {
        var out = ""
        var previousLower = false
        for character in reason {
            if character.isUppercase && previousLower { out += "_" }
            out += character.isLetter || character.isNumber ? character.uppercased() : "_"
            previousLower = character.isLowercase || character.isNumber
        }
        return out
    }
}

/// How errors are printed: kubectl's text (`human`, the default), or the official datumctl's
/// envelope as one line of JSON or one YAML document per error.
public enum ErrorFormat: String, Sendable, CaseIterable {
    case human
    case json
    case yaml

    /// The values `--error-format` takes (`text` is accepted as an older name of `human`).
    static let accepted = ["human", "json", "yaml", "text"]

    init?(argument: String) {
        if argument == "text" {
            self = .human
        } else {
            self.init(rawValue: argument)
        }
    }
}

/// Renders errors and warnings to stderr in the chosen format.
public struct Diagnostics: Sendable {
    public var format: ErrorFormat
    public var sink: OutputSink
    /// YAML records after the first are separated by `---`, so several errors stay one stream.
    private let printed = RecordCounter()

    public init(format: ErrorFormat, sink: OutputSink) {
        self.format = format
        self.sink = sink
    }

    public func report(_ error: CLIError) {
        switch format {
        case .human: sink.line(error.text)
        case .json, .yaml: emit(error.envelope)
        }
    }

    /// A warning; in the structured formats `{"warning":{"message","file","line","column"}}`.
    public func warn(_ message: String, location: SourceLocation? = nil) {
        switch format {
        case .human:
            sink.line((location.map { "\($0): " } ?? "") + "Warning: " + message)
        case .json, .yaml:
            var object: JSONObject = ["message": .string(message)]
            if let location {
                object["file"] = .string(location.file)
                object["line"] = .int(Int64(location.line))
                object["column"] = .int(Int64(location.column))
            }
            emit(.object(["warning": .object(object)]))
        }
    }

    private func emit(_ record: JSONValue) {
        switch format {
        case .human: return
        case .json: sink.line(GoJSONEncoder(sortKeys: false).encode(record))
        case .yaml: sink.write((printed.next() == 0 ? "" : "---\n") + YAMLEmitter.kubectl(record))
        }
    }
}

/// Counts the records printed through the copies of one ``Diagnostics``.
private final class RecordCounter: Sendable {
    private let value = Mutex(0)

    /// The count before this call.
    func next() -> Int {
        value.withLock { count in
            count += 1
            return count - 1
        }
    }
}
