#if canImport(Glibc)
    import Glibc
#endif

/// A TCP socket bound to the sandbox's address before anything else happens, so a port that is
/// taken is reported in words and before the data directory or a token file is touched. SwiftNIO
/// adopts the descriptor (`ServerBootstrap.withBoundSocket`), which also calls `listen`.
struct ListeningSocket: ~Copyable {
    /// The descriptor; ownership passes to SwiftNIO with ``take()``.
    private(set) var descriptor: Int32

    /// Binds `host:port` (a name, an IPv4 or an IPv6 address; port 0 picks a free port).
    init(host: String, port: Int) throws(SandboxConfigurationError) {
        let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard (0...65535).contains(port) else {
            throw SandboxConfigurationError("invalid port in address \(shown)")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SandboxConfigurationError(
                "cannot listen on \(shown): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw SandboxConfigurationError("cannot listen on \(shown): \(String(cString: strerror(errno)))")
        }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let error = errno
            close(fd)
            switch error {
            case EADDRINUSE:
                throw SandboxConfigurationError("address \(shown) is already in use")
            case EADDRNOTAVAIL:
                throw SandboxConfigurationError("address \(shown) is not an address of this machine")
            case EACCES:
                throw SandboxConfigurationError("permission denied to listen on \(shown) (ports below 1024 need root)")
            default:
                throw SandboxConfigurationError("cannot listen on \(shown): \(String(cString: strerror(error)))")
            }
        }
        descriptor = fd
    }

    /// Hands the descriptor over; the caller closes it (SwiftNIO does, with the channel).
    consuming func take() -> Int32 {
        let fd = descriptor
        discard self
        return fd
    }

    deinit { close(descriptor) }
}
