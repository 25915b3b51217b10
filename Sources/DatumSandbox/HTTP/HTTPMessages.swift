import DatumJSON
import DatumKit

/// An HTTP request as the API handler sees it, independent of SwiftNIO.
public struct SandboxRequest: Sendable {
    public var method: String
    /// The path without the query string, still percent-encoded.
    public var path: String
    public var query: QueryParameters
    /// Header names are lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = QueryParameters(String(target[target.index(after: mark)...]))
        } else {
            path = target
            query = QueryParameters("")
        }
        var lowered: [String: String] = [:]
        for (k, v) in headers {
            // The transport already passes lower-case names; only other callers pay for lowering.
            if k.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) { lowered[k.lowercased()] = v } else { lowered[k] = v }
        }
        self.headers = lowered
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Decoded `?a=b&c=d` parameters; the first value wins for repeated names, as Go's `Get` does.
public struct QueryParameters: Sendable {
    private var values: [String: [String]] = [:]

    public init(_ raw: String) {
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = QueryParameters.decode(String(parts[0]))
            let value = parts.count > 1 ? QueryParameters.decode(String(parts[1])) : ""
            values[key, default: []].append(value)
        }
    }

    public subscript(_ name: String) -> String? { values[name]?.first }

    public func has(_ name: String) -> Bool { values[name] != nil }

    /// `true`, `1` and the like, as Go's `strconv.ParseBool` accepts them.
    public func flag(_ name: String) -> Bool {
        guard let v = self[name] else { return false }
        return ["1", "t", "T", "true", "TRUE", "True"].contains(v)
    }

    /// Percent-decoding with `+` as space (form encoding, which client-go's query strings use).
    public static func decode(_ text: String) -> String {
        PercentEncoding.decodeQueryComponent(text)
    }
}

/// A complete HTTP response, or a watch stream the transport keeps open.
public enum SandboxResponse: Sendable {
    case complete(status: Int, headers: [(String, String)], body: [UInt8])
    case watch(WatchStream)

    public static func json(
        _ status: Int, _ value: JSONValue, contentType: String = "application/json", warnings: [String] = []
    ) -> SandboxResponse {
        var headers = [("Content-Type", contentType)]
        for warning in warnings {
            headers.append(("Warning", "299 - " + GoJSONEncoder.quote(warning, escapeHTML: false)))
        }
        return .complete(status: status, headers: headers, body: GoJSONEncoder(sortKeys: false).encodeBytes(value))
    }

    public static func bytes(_ status: Int, _ body: [UInt8], warnings: [String] = []) -> SandboxResponse {
        var headers = [("Content-Type", "application/json")]
        for warning in warnings {
            headers.append(("Warning", "299 - " + GoJSONEncoder.quote(warning, escapeHTML: false)))
        }
        return .complete(status: status, headers: headers, body: body)
    }

    public static func text(_ status: Int, _ text: String) -> SandboxResponse {
        .complete(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    public static func error(_ error: APIError) -> SandboxResponse {
        .json(error.code, error.status)
    }

    public var status: Int {
        switch self {
        case .complete(let status, _, _): return status
        case .watch: return 200
        }
    }

    public var body: [UInt8] {
        switch self {
        case .complete(_, _, let body): return body
        case .watch: return []
        }
    }

    public var headers: [(String, String)] {
        switch self {
        case .complete(_, let headers, _): return headers
        case .watch: return [("Content-Type", "application/json")]
        }
    }
}

/// A watch the transport must run: register with the store, then stream encoded events.
public struct WatchStream: Sendable {
    public var filter: WatchFilter
    public var sinceVersion: Int64?
    public var timeoutSeconds: Int64?
    /// Turns one event into one line of the stream (JSON or Table event).
    public var encode: @Sendable (WatchEvent) -> [UInt8]
}
