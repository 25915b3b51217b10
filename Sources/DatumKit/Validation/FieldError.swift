import DatumJSON
import GoCompat

/// A field-level validation error, modelled on k8s.io/apimachinery's `field.Error`.
///
/// `description` is Go's `Error()` (`<field>: <body>`) and `body` is
/// `ErrorBody()`, as rendered by Kubernetes 1.32: the value is quoted with
/// `%q` for strings, printed plainly for numbers and booleans, and with
/// `%#v` for objects and arrays; Required, Forbidden, TooLong and Internal
/// errors never show a value.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Machine-readable kind; the raw value is the `StatusCause` reason.
    public enum ErrorType: String, Sendable, Hashable, CaseIterable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case `internal` = "InternalError"
        case typeInvalid = "FieldValueTypeInvalid"

        /// The human label (`ErrorType.String()` in Go).
        public var label: String {
            switch self {
            case .notFound: return "Not found"
            case .required: return "Required value"
            case .duplicate: return "Duplicate value"
            case .invalid, .typeInvalid: return "Invalid value"
            case .notSupported: return "Unsupported value"
            case .forbidden: return "Forbidden"
            case .tooLong: return "Too long"
            case .tooMany: return "Too many"
            case .internal: return "Internal error"
            }
        }
    }

    /// The offending value, as Go would have it in `BadValue`.
    public enum BadValue: Sendable, Hashable {
        /// No value is printed (Go's `omitValue`).
        case omitted
        /// Go's `nil`, printed `"null"`.
        case null
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
        /// A JSON value as decoded into `interface{}`; objects and arrays print with `%#v`.
        case json(JSONValue)
        /// Text already in Go's `%#v` form (e.g. `[]string{"a"}`), printed as is.
        case rendered(String)

        public init(_ value: JSONValue) {
            switch value {
            case .null: self = .null
            case .string(let s): self = .string(s)
            case .int(let i): self = .int(i)
            case .double(let d): self = .double(d)
            case .bool(let b): self = .bool(b)
            case .array, .object: self = .json(value)
            }
        }

        /// The text after `<label>: `, or `nil` when nothing is printed.
        var rendered: String? {
            switch self {
            case .omitted: return nil
            case .null: return GoFormat.quote("null")
            case .string(let s): return GoFormat.quote(s)
            case .int(let i): return String(i)
            case .double(let d): return GoFormat.formatFloat(d)
            case .bool(let b): return b ? "true" : "false"
            case .json(let v): return GoFormat.goSyntax(v)
            case .rendered(let text): return text
            }
        }
    }

    public var type: ErrorType
    /// The empty path stands for Go's nil path (`<nil>`).
    public var path: FieldPath
    public var badValue: BadValue
    public var detail: String

    public init(type: ErrorType, path: FieldPath, badValue: BadValue, detail: String) {
        self.type = type
        self.path = path
        self.badValue = badValue
        self.detail = detail
    }

    /// The `field` string of a status cause.
    public var field: String { path.description }

    /// Go's `ErrorBody()`: the message without the field.
    public var body: String {
        var s = type.label
        switch type {
        case .required, .forbidden, .tooLong, .internal:
            break
        default:
            if let value = badValue.rendered { s += ": " + value }
        }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    /// Go's `Error()`: `<field>: <body>`.
    public var description: String { "\(field): \(body)" }
}

extension FieldError {
    public static func required(_ path: FieldPath, _ detail: String = "") -> FieldError {
        FieldError(type: .required, path: path, badValue: .string(""), detail: detail)
    }

    public static func invalid(_ path: FieldPath, _ value: BadValue, _ detail: String) -> FieldError {
        FieldError(type: .invalid, path: path, badValue: value, detail: detail)
    }

    public static func typeInvalid(_ path: FieldPath, _ value: BadValue, _ detail: String) -> FieldError {
        FieldError(type: .typeInvalid, path: path, badValue: value, detail: detail)
    }

    /// `supported values: "a", "b"` (each value `strconv.Quote`d).
    public static func notSupported(_ path: FieldPath, _ value: BadValue, supported: [String]) -> FieldError {
        let detail =
            supported.isEmpty ? "" : "supported values: " + supported.map(GoFormat.quote).joined(separator: ", ")
        return FieldError(type: .notSupported, path: path, badValue: value, detail: detail)
    }

    /// Kubernetes ≥ 1.32 wording: `may not be more than 253 bytes`.
    public static func tooLong(_ path: FieldPath, maxLength: Int) -> FieldError {
        let detail =
            maxLength >= 0
            ? "may not be more than \(maxLength) \(maxLength == 1 ? "byte" : "bytes")" : "value is too long"
        return FieldError(type: .tooLong, path: path, badValue: .string(""), detail: detail)
    }

    public static func tooMany(_ path: FieldPath, actual: Int, max: Int) -> FieldError {
        let detail = max >= 0 ? "must have at most \(max) \(max == 1 ? "item" : "items")" : "has too many items"
        return FieldError(
            type: .tooMany, path: path, badValue: actual >= 0 ? .int(Int64(actual)) : .omitted, detail: detail)
    }

    public static func duplicate(_ path: FieldPath, _ value: BadValue) -> FieldError {
        FieldError(type: .duplicate, path: path, badValue: value, detail: "")
    }

    public static func forbidden(_ path: FieldPath, _ detail: String) -> FieldError {
        FieldError(type: .forbidden, path: path, badValue: .string(""), detail: detail)
    }

    public static func `internal`(_ path: FieldPath, _ detail: String) -> FieldError {
        FieldError(type: .internal, path: path, badValue: .null, detail: detail)
    }

    public static func notFound(_ path: FieldPath, _ value: BadValue) -> FieldError {
        FieldError(type: .notFound, path: path, badValue: value, detail: "")
    }
}
