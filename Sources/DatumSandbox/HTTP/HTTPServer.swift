import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// Serves an ``APIServer`` over HTTP/1.1, and over TLS when given a certificate, where clients
/// that offer it (ALPN `h2`) get HTTP/2 with many requests multiplexed on one connection, as
/// kube-apiserver does. Every HTTP/2 stream gets its own ``HTTPRequestHandler`` behind a codec
/// that turns frames into HTTP/1-style request parts, so both protocols share one handler.
///
/// Event loops move bytes and answer the cheap reads (one object, discovery: less work than a
/// thread hand-off). Everything else is handled on request threads (``RequestThreads``): reads
/// that grow with what is stored (a LIST serializes its whole answer,
/// ``APIServer/isCollectionRead(path:)``) on one pool, writes (parsed, validated, committed to
/// SQLite) on another, so neither a long LIST nor a slow commit holds up the other connections
/// of a loop, and a LIST never queues behind writes. The answer is written back on the
/// connection's event loop. With no request threads (`--request-threads 0`) everything is
/// handled on the event loops, which saves two thread hand-offs per request (a little lower
/// latency for one client at a time).
public final class SandboxHTTPServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let workers: RequestThreads?
    private let channel: any Channel
    /// The address actually bound (port 0 resolved).
    public let port: Int
    public let host: String
    public let isTLS: Bool

    public convenience init(
        api: APIServer, host: String, port: Int, tls: NIOSSLContext?, threads: Int = System.coreCount,
        requestThreads: Int = System.coreCount
    ) throws {
        try self.init(
            api: api, socket: ListeningSocket(host: host, port: port), host: host, tls: tls, threads: threads,
            requestThreads: requestThreads)
    }

    /// Serves on a socket already bound to `host` (the sandbox binds first, before touching its data).
    init(
        api: APIServer, socket: consuming ListeningSocket, host: String, tls: NIOSSLContext?,
        threads: Int = System.coreCount, requestThreads: Int = System.coreCount
    ) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let workers = requestThreads > 0 ? RequestThreads(threadsPerPool: requestThreads) : nil
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 512)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                guard let tls else { return Self.configureHTTP1(channel, api: api, workers: workers) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                }.flatMap {
                    // Without ALPN (or with `http/1.1` chosen) the connection stays HTTP/1.1.
                    channel.configureHTTP2SecureUpgrade(
                        h2ChannelConfigurator: { Self.configureHTTP2($0, api: api, workers: workers) },
                        http1ChannelConfigurator: { Self.configureHTTP1($0, api: api, workers: workers) })
                }
            }
        do {
            channel = try bootstrap.withBoundSocket(socket.take()).wait()
        } catch {
            try? group.syncShutdownGracefully()
            workers?.shutdown()
            throw error
        }
        self.group = group
        self.workers = workers
        self.port = channel.localAddress?.port ?? 0
        self.host = host
        self.isTLS = tls != nil
    }

    private static func configureHTTP1(
        _ channel: any Channel, api: APIServer, workers: RequestThreads?
    ) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            // Pipelining assistance holds a connection's next request until this one is answered,
            // so answers computed off the loop still go out in order.
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: true, withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(HTTPRequestHandler(api: api, workers: workers))
        }
    }

    /// kube-apiserver's limit on concurrent streams per connection (Go's default, 250).
    static let maximumConcurrentStreams = 250

    private static func configureHTTP2(
        _ channel: any Channel, api: APIServer, workers: RequestThreads?
    ) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            var connection = NIOHTTP2Handler.ConnectionConfiguration()
            connection.initialSettings = [
                HTTP2Setting(parameter: .maxConcurrentStreams, value: maximumConcurrentStreams),
                // Room for long bearer tokens (NIO's default is 16 kB).
                HTTP2Setting(parameter: .maxHeaderListSize, value: 64 * 1024),
                HTTP2Setting(parameter: .initialWindowSize, value: 1024 * 1024),
            ]
            // Many small apply bodies at once must not wait a round trip for the connection's window.
            connection.targetWindowSize = 16 * 1024 * 1024
            var stream = NIOHTTP2Handler.StreamConfiguration()
            stream.targetWindowSize = 1024 * 1024
            // libcurl 7.88 (Debian 12's, datumctl's own) resets every stream once it has read the
            // response, so a busy client sends a reset per request. NIO's default (200 resets in
            // 30 s, against "rapid reset" floods) would close its connection after 200 requests;
            // resets of finished streams cost the server nothing, so allow as many as the
            // sandbox can answer requests (a few thousand a second).
            stream.streamResetFrameRateLimit.maximumCount = 100_000
            stream.streamResetFrameRateLimit.windowLength = .seconds(30)
            _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .server, connectionConfiguration: connection, streamConfiguration: stream
            ) { streamChannel in
                streamChannel.eventLoop.makeCompletedFuture {
                    try streamChannel.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                    try streamChannel.pipeline.syncOperations.addHandler(
                        HTTPRequestHandler(api: api, workers: workers))
                }
            }
        }
    }

    public var url: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(isTLS ? "https" : "http")://\(hostPart):\(port)"
    }

    /// Blocks until ``shutdown()`` closes the listening socket.
    public func waitUntilClosed() throws {
        try channel.closeFuture.wait()
    }

    /// Stops accepting connections and stops the event loops and the request threads.
    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
        workers?.shutdown()
    }

    /// Builds a TLS context from PEM files. It offers HTTP/2 and HTTP/1.1 by ALPN, or HTTP/1.1
    /// only when `http2` is false (kube-apiserver's `--disable-http2-serving`).
    public static func tlsContext(certificate: String, key: String, http2: Bool = true) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
        let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(privateKey))
        configuration.applicationProtocols = http2 ? ["h2", "http/1.1"] : ["http/1.1"]
        return try NIOSSLContext(configuration: configuration)
    }
}

/// The threads requests are handled on: reads and writes in separate pools, so a read never
/// waits behind queued commits.
struct RequestThreads: Sendable {
    let reads: NIOThreadPool
    let writes: NIOThreadPool

    init(threadsPerPool: Int) {
        reads = NIOThreadPool(numberOfThreads: threadsPerPool)
        writes = NIOThreadPool(numberOfThreads: threadsPerPool)
        reads.start()
        writes.start()
    }

    func shutdown() {
        try? reads.syncShutdownGracefully()
        try? writes.syncShutdownGracefully()
    }
}

/// Collects one request, hands it to the API and writes the answer (or keeps a watch open).
final class HTTPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: APIServer
    private let workers: RequestThreads?
    private var head: HTTPRequestHead?
    /// Set once the connection (or stream) is gone: an answer computed meanwhile is dropped, and a
    /// watch is not started for nobody.
    private var closed = false
    private var body: ByteBuffer?
    private var watchToken: WatchToken?
    /// Watches can only end by the connection closing; no further requests are read on it.
    private var streaming = false
    private var tooLarge = false
    /// 3 MiB, as kube-apiserver (`MaxRequestBodyBytes`).
    static let maximumBodySize = 3 * 1024 * 1024

    init(api: APIServer, workers: RequestThreads?) {
        self.api = api
        self.workers = workers
    }

    static let headerNames = ["authorization", "accept", "content-type", "user-agent", "if-none-match"]
    static let framingHeaders: Set<String> = ["content-length", "transfer-encoding", "connection"]

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
            tooLarge = false
        case .body(var chunk):
            guard !tooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > HTTPRequestHandler.maximumBodySize {
                // kube-apiserver's limit; the rest of this request is read and dropped.
                tooLarge = true
                body = nil
                return
            }
            if body == nil {
                body = chunk
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head, !streaming else { return }
            head = nil
            if tooLarge {
                tooLarge = false
                let error = APIError(
                    code: 413, reason: "RequestEntityTooLarge",
                    message: "Request entity too large: limit is \(HTTPRequestHandler.maximumBodySize)")
                write(
                    context: context, status: 413, headers: [("Content-Type", "application/json")],
                    body: SandboxResponse.error(error).body, keepAlive: false)
                return
            }
            // Only the headers the API reads; repeated ones (e.g. Accept) are joined with commas, as HTTP allows.
            var headers: [String: String] = [:]
            for key in HTTPRequestHandler.headerNames {
                let values = requestHead.headers[key]
                if !values.isEmpty { headers[key] = values.count == 1 ? values[0] : values.joined(separator: ",") }
            }
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            let request = SandboxRequest(
                method: requestHead.method.rawValue, target: requestHead.uri, headers: headers, body: bytes)
            let isRead = requestHead.method == .GET || requestHead.method == .HEAD
            guard let workers, !isRead || APIServer.isCollectionRead(path: request.path) else {
                return answer(api.handle(request), head: requestHead, context: context)
            }
            let pool = isRead ? workers.reads : workers.writes
            let api = self.api
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            pool.runIfActive(eventLoop: context.eventLoop) { api.handle(request) }.whenComplete { result in
                let handler = handler.value
                let context = boundContext.value
                switch result {
                case .success(let response):
                    handler.answer(response, head: requestHead, context: context)
                case .failure:
                    // The worker threads are stopping: the server is shutting down.
                    let error = APIError(
                        code: 503, reason: "ServiceUnavailable", message: "the server is shutting down")
                    handler.answer(.error(error), head: requestHead, context: context)
                }
            }
        }
    }

    /// Writes `response` on the connection's event loop, where the handler's state lives.
    private func answer(_ response: SandboxResponse, head requestHead: HTTPRequestHead, context: ChannelHandlerContext)
    {
        guard !closed else { return }
        switch response {
        case .complete(let status, let responseHeaders, let responseBody):
            write(
                context: context, status: status, headers: responseHeaders, body: responseBody,
                keepAlive: requestHead.isKeepAlive)
        case .watch(let stream):
            startWatch(context: context, stream: stream, version: requestHead.version)
        }
    }

    private func write(
        context: ChannelHandlerContext, status: Int, headers: [(String, String)], body: [UInt8], keepAlive: Bool
    ) {
        var httpHeaders = HTTPHeaders()
        // The framing is the transport's: a Content-Length from the API would be sent twice,
        // which HTTP/2 clients refuse as a protocol error.
        for (name, value) in headers where !Self.framingHeaders.contains(name.lowercased()) {
            httpHeaders.add(name: name, value: value)
        }
        httpHeaders.add(name: "Content-Length", value: String(body.count))
        if !keepAlive { httpHeaders.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: httpHeaders)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func startWatch(context: ChannelHandlerContext, stream: WatchStream, version: HTTPVersion) {
        let channel = context.channel
        let encode = stream.encode
        let sink: @Sendable (WatchEvent) -> Void = { event in
            let line = encode(event)
            var buffer = channel.allocator.buffer(capacity: line.count)
            buffer.writeBytes(line)
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
        }
        let registration: (token: WatchToken, initial: [WatchEvent])
        do {
            registration = try api.store.watch(stream.filter, sinceVersion: stream.sinceVersion, sink: sink)
        } catch {
            write(
                context: context, status: error.code, headers: [("Content-Type", "application/json")],
                body: SandboxResponse.error(error).body, keepAlive: false)
            return
        }
        streaming = true
        watchToken = registration.token
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
        for event in registration.initial {
            var buffer = context.channel.allocator.buffer(capacity: 256)
            buffer.writeBytes(encode(event))
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        context.flush()
        if let seconds = stream.timeoutSeconds, seconds > 0 {
            let store = api.store
            let token = registration.token
            context.eventLoop.scheduleTask(in: .seconds(seconds)) {
                store.cancelWatch(token)
                channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                    channel.close(promise: nil)
                }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        if let watchToken { api.store.cancelWatch(watchToken) }
        watchToken = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closed = true
        if let watchToken { api.store.cancelWatch(watchToken) }
        watchToken = nil
        context.close(promise: nil)
    }
}
