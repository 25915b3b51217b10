/// How an `HTTPClient` connects, verifies TLS, retries and traces.
public struct HTTPClientConfiguration: Sendable {
    public var userAgent: String
    /// PEM bundle of certificate authorities to trust instead of the system store.
    public var caFile: String?
    /// PEM bytes of certificate authorities (kubeconfig's `certificate-authority-data`).
    public var caData: [UInt8]?
    /// A folder of hashed CA certificates to trust as well (`SSL_CERT_DIR`).
    public var caPath: String?
    /// Turns off both peer certificate and host name verification. For testing only.
    public var insecureSkipTLSVerify: Bool
    /// Explicit proxy URL (kubeconfig's `proxy-url`). When nil, libcurl reads
    /// `HTTPS_PROXY`, `https_proxy`, `http_proxy`, `NO_PROXY`... from the environment.
    public var proxy: String?
    public var connectTimeout: Duration
    /// Limit for a whole request; nil waits forever. `HTTPRequest.timeout` overrides it.
    public var requestTimeout: Duration?
    public var retry: RetryPolicy
    /// kubectl's `-v` level: 6 prints one line per request, 7 adds request headers,
    /// 8 response headers and bodies (long ones truncated), 9 full bodies and timings.
    public var verbosity: Int
    /// Receives each trace line, without a trailing newline.
    public var trace: @Sendable (String) -> Void

    public init(
        userAgent: String = "datumctl",
        caFile: String? = nil,
        caData: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false,
        proxy: String? = nil,
        connectTimeout: Duration = .seconds(30),
        requestTimeout: Duration? = nil,
        retry: RetryPolicy = .default,
        verbosity: Int = 0,
        trace: @escaping @Sendable (String) -> Void = { _ in },
        caPath: String? = nil
    ) {
        self.caPath = caPath
        self.userAgent = userAgent
        self.caFile = caFile
        self.caData = caData
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.verbosity = verbosity
        self.trace = trace
    }
}

/// Capped exponential backoff with jitter, honouring `Retry-After`.
public struct RetryPolicy: Sendable, Equatable {
    /// Total sends, the first included; 1 disables retries.
    public var maxAttempts: Int
    /// Delay before the first retry; each later retry doubles it.
    public var baseDelay: Duration
    /// Upper bound for every delay, `Retry-After` included.
    public var maxDelay: Duration
    /// Up to this fraction of the backoff is added at random, so clients that failed together
    /// do not retry together.
    public var jitter: Double

    public init(maxAttempts: Int, baseDelay: Duration, maxDelay: Duration, jitter: Double = 0.2) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
    }

    public static let `default` = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(250), maxDelay: .seconds(10))
    public static let none = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero, jitter: 0)

    /// The wait before sending attempt `failedAttempt + 1`.
    ///
    /// - Parameters:
    ///   - failedAttempt: the attempt that just failed, 1-based.
    ///   - retryAfter: the server's `Retry-After`, already parsed; it wins over the backoff.
    public func delay<R: RandomNumberGenerator>(
        afterAttempt failedAttempt: Int, retryAfter: Duration?, using random: inout R
    ) -> Duration {
        if let retryAfter {
            return min(max(retryAfter, .zero), maxDelay)
        }
        let exponent = min(max(failedAttempt - 1, 0), 30)
        var backoff = baseDelay * (1 << exponent)
        if backoff > maxDelay || backoff < .zero { backoff = maxDelay }
        if jitter > 0 {
            // A uniform fraction in [0, 1) from the top 53 bits: one draw, never a rejection loop.
            let unit = Double(random.next() >> 11) * 0x1p-53
            backoff += backoff * (jitter * unit)
        }
        return min(backoff, maxDelay)
    }
}
