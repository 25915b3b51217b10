/// One HTTP request: what to send, and whether it is safe to send twice.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Safe to retry: the client re-sends it after a connection failure, 429 or 503.
    /// Defaults to true only for GET, HEAD and OPTIONS.
    public var isIdempotent: Bool
    /// Overrides `HTTPClientConfiguration.requestTimeout` for this request.
    public var timeout: Duration?

    public init(
        method: String = "GET", url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
        isIdempotent: Bool? = nil, timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.isIdempotent = isIdempotent ?? ["GET", "HEAD", "OPTIONS"].contains(method)
        self.timeout = timeout
    }
}

/// A complete HTTP response, after any retries.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// The status line as Go prints it (`200 OK`): the server's reason phrase when it sent one.
    public var statusText: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// `1.0`, `1.1`, `2` or `3`.
    public var httpVersion: String
    /// Wall time of the whole call, retries and their delays included.
    public var duration: Duration
    /// How many times the request was sent (1 when it was not retried).
    public var attempts: Int

    public init(
        status: Int, statusText: String, headers: HTTPHeaders, body: [UInt8], httpVersion: String,
        duration: Duration, attempts: Int
    ) {
        self.status = status
        self.statusText = statusText
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        self.duration = duration
        self.attempts = attempts
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
