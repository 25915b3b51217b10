/// Why a request failed before a complete response arrived. `description` is the text users see.
///
/// Messages open with kubectl's "Unable to connect to the server", then name the server and say
/// what to check. `detail` values keep libcurl's own error text for `-v` and bug reports.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request itself is malformed (URL, header, method); nothing was sent.
    case invalidRequest(reason: String)
    case connectionRefused(server: String, detail: String)
    /// Any other failure to open a TCP connection, `reason` being the system's (`no route to host`).
    case connectionFailed(server: String, reason: String, detail: String)
    case hostNotFound(server: String, host: String, detail: String)
    case proxyNotFound(server: String, detail: String)
    /// The server's certificate did not verify against the trusted authorities.
    case tlsVerification(server: String, detail: String)
    /// Any other TLS failure (handshake, protocol, client certificate).
    case tls(server: String, detail: String)
    /// The configured certificate authority file or data could not be loaded.
    case certificateAuthority(source: String, detail: String)
    /// `limit` is the timeout that fired; `whileConnecting` tells the connect timeout apart.
    case timeout(server: String, limit: Duration, whileConnecting: Bool, detail: String)
    /// The server closed the connection without sending any response.
    case emptyReply(server: String, detail: String)
    /// A reused connection died mid-request, and the request is not idempotent, so it was not re-sent.
    case connectionLost(server: String, method: String, detail: String)
    /// Any other libcurl failure during the transfer; `code` is the `CURLcode`.
    case transfer(server: String, code: Int, detail: String)
    /// The caller stopped the request.
    case cancelled
    /// libcurl could not be initialised or refused an option; `code` is the `CURLcode`.
    case setup(code: Int, detail: String)

    public var description: String {
        switch self {
        case .invalidRequest(let reason):
            return "invalid request: \(reason)"
        case .connectionRefused(let server, _):
            return "Unable to connect to the server \(server): connection refused"
                + " (is the server running and is --server right?)"
        case .connectionFailed(let server, let reason, _):
            return "Unable to connect to the server \(server): \(reason)"
                + " (check the server address in --server and your network)"
        case .hostNotFound(let server, let host, _):
            return "Unable to connect to the server \(server): lookup \(host): no such host"
                + " (check the host name in --server)"
        case .proxyNotFound(let server, let detail):
            return "Unable to connect to the server \(server): \(detail)"
                + " (check the HTTPS_PROXY, HTTP_PROXY and NO_PROXY environment variables)"
        case .tlsVerification(let server, let detail):
            return "Unable to connect to the server \(server): tls: failed to verify certificate: \(detail)"
                + " (pass the certificate authority that signed it with --certificate-authority;"
                + " for testing only, --insecure-skip-tls-verify turns verification off)"
        case .tls(let server, let detail):
            return "Unable to connect to the server \(server): TLS handshake failed: \(detail)"
        case .certificateAuthority(let source, let detail):
            return "Unable to load the certificate authority \(source): \(detail)"
                + " (check --certificate-authority)"
        case .timeout(let server, let limit, let whileConnecting, _):
            if whileConnecting {
                return "Unable to connect to the server \(server): timed out connecting after"
                    + " \(GoDuration.format(limit)) (is the server reachable? check --server and any proxy settings)"
            }
            return "Unable to connect to the server \(server): request timed out after"
                + " \(GoDuration.format(limit)) (raise --request-timeout if the server needs longer)"
        case .emptyReply(let server, _):
            return "Unable to connect to the server \(server): the server closed the connection without replying"
        case .connectionLost(let server, let method, _):
            return "Unable to connect to the server \(server): the connection closed before a reply;"
                + " the \(method) was not sent again because it may already have been applied"
        case .transfer(let server, _, let detail):
            return "Unable to connect to the server \(server): \(detail)"
        case .cancelled:
            return "the request was cancelled"
        case .setup(let code, let detail):
            return "HTTP client setup failed: \(detail) (libcurl error \(code))"
        }
    }

    /// Failures after which an idempotent request may be sent again.
    var isRetryable: Bool {
        switch self {
        case .connectionRefused, .connectionFailed, .emptyReply:
            return true
        case .transfer(_, let code, _):
            // send/recv errors (connection reset) and HTTP/2 stream or session errors.
            // 18: the connection closed in the middle of the body (partial response).
            return [18, 55, 56, 16, 92].contains(code)
        default:
            return false
        }
    }
}

/// The part of a URL that names the server: `https://host:port`, without credentials or path.
struct ServerAddress: Equatable {
    var server: String
    var host: String

    init(url: String) {
        var rest = Substring(url)
        var scheme = ""
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(colon, offsetBy: 3)...]
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
        server = scheme.isEmpty ? String(hostPort) : "\(scheme)://\(hostPort)"
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
        } else {
            host = String(hostPort.prefix { $0 != ":" })
        }
    }
}

/// Formats durations the way Go's `time.Duration.String` does (`1s`, `1.5s`, `250ms`, `1m30s`).
enum GoDuration {
    static func format(_ duration: Duration) -> String {
        let parts = duration.components
        let totalNanos = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !totalNanos.overflow else { return "\(parts.seconds)s" }
        var nanos = totalNanos.partialValue + parts.attoseconds / 1_000_000_000
        if nanos == 0 { return "0s" }
        let negative = nanos < 0
        nanos = nanos.magnitude > Int64.max.magnitude ? Int64.max : abs(nanos)
        let sign = negative ? "-" : ""
        if nanos < 1_000 { return "\(sign)\(nanos)ns" }
        if nanos < 1_000_000 { return sign + decimal(nanos, unit: 1_000) + "µs" }
        if nanos < 1_000_000_000 { return sign + decimal(nanos, unit: 1_000_000) + "ms" }
        let hours = nanos / 3_600_000_000_000
        let minutes = (nanos / 60_000_000_000) % 60
        let seconds = decimal(nanos % 60_000_000_000, unit: 1_000_000_000) + "s"
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(seconds)" }
        if minutes > 0 { return "\(sign)\(minutes)m\(seconds)" }
        return sign + seconds
    }

    /// `value / unit` with the fraction's trailing zeros dropped.
    private static func decimal(_ value: Int64, unit: Int64) -> String {
        let whole = value / unit
        var fraction = String(value % unit)
        guard fraction != "0" else { return "\(whole)" }
        let width = String(unit).count - 1
        fraction = String(repeating: "0", count: width - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
