import DatumJSON
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `apply` of three policies while the network or the server misbehaves for the middle one:
/// datumctl reports each object's outcome honestly (what it prints as applied is on the
/// server), retries only what is safe to repeat, and never hangs.
@Suite(.serialized) struct ClientFaultInjectionTests {
    static let names = ["a", "b", "c"]
    static var manifest: String {
        names.enumerated().map { index, name in WriteCLI.policy(name, service: "svc-\(index)") }
            .joined(separator: "---\n")
    }
    static let collection = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"

    /// True for requests about policy `b` (server-side apply is a PATCH of the object's path).
    static func isB(_ method: String, _ path: String) -> Bool {
        method == "PATCH" && (path.contains("/backendtlspolicies/b?") || path.hasSuffix("/backendtlspolicies/b"))
    }

    static func created(_ names: [String]) -> String {
        names.map { "backendtlspolicy.gateway.networking.k8s.io/\($0) created\n" }.joined()
    }

    static func stored(_ sandbox: SandboxInstance) throws -> [String] {
        let list = try sandbox.request("GET", collection).json
        return (list["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }.sorted()
    }

    static func apply(
        _ sandbox: SandboxInstance, extra: [String] = [], plan: @escaping WriteFaultProxy.Plan
    ) throws -> (TestProcess.Output, WriteFaultProxy) {
        let proxy = try WriteFaultProxy(upstreamPort: sandbox.port, plan: plan)
        let run = try WriteCLI.run(sandbox, ["apply", "-f", "-"] + extra, server: proxy.url, input: manifest)
        return (run, proxy)
    }

    /// Faults after which a retry is safe (an apply is idempotent): the connection drops before
    /// or after the server acted, or the answer is cut off. One fault, then the retry succeeds.
    @Test(arguments: ["resetBeforeForwarding", "resetAfterForwarding", "cutOffMidBody"])
    func aDroppedConnectionIsRetriedOnceAndEveryObjectIsApplied(_ faultName: String) throws {
        try withSandbox(tls: false) { sandbox in
            let fault: WriteFaultProxy.Fault =
                switch faultName {
                case "resetBeforeForwarding": .resetBeforeForwarding
                case "resetAfterForwarding": .resetAfterForwarding
                default: .cutOffMidBody
                }
            let (run, proxy) = try Self.apply(sandbox) { method, path, attempt in
                Self.isB(method, path) && attempt == 0 ? fault : nil
            }
            defer { proxy.stop() }
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == Self.created(Self.names))
            #expect(try Self.stored(sandbox) == Self.names)
            #expect(proxy.log.filter { Self.isB($0.method, $0.path) }.map(\.status).first == 0)
            let b = try sandbox.request("GET", Self.collection + "/b").json
            #expect(b["metadata"]?["generation"] == 1)
        }
    }

    /// A 200 whose body is cut short or is not JSON at all: datumctl cannot know the outcome, so
    /// it reports an error for that object (never "created"), and still applies the others.
    @Test(arguments: ["truncatedJSON", "invalidJSON"])
    func anUnreadableAnswerIsAnErrorForThatObjectOnly(_ faultName: String) throws {
        try withSandbox(tls: false) { sandbox in
            let fault: WriteFaultProxy.Fault = faultName == "truncatedJSON" ? .truncatedJSON : .invalidJSON
            let (run, proxy) = try Self.apply(sandbox) { method, path, _ in Self.isB(method, path) ? fault : nil }
            defer { proxy.stop() }
            #expect(run.status == 1)
            #expect(run.stdout == Self.created(["a", "c"]))
            #expect(
                run.stderr
                    == "Error from server: the server answered 200 for backendtlspolicy.gateway.networking.k8s.io/b "
                    + "with a body that is not a JSON object; it may or may not have been applied\n")
        }
    }

    /// 429 with `Retry-After` twice, then the server accepts: retried, applied, exit 0.
    @Test func tooManyRequestsIsRetriedAfterTheServersDelay() throws {
        try withSandbox(tls: false) { sandbox in
            let (run, proxy) = try Self.apply(sandbox) { method, path, attempt in
                Self.isB(method, path) && attempt < 2
                    ? .status(429, reason: "TooManyRequests", retryAfter: "1") : nil
            }
            defer { proxy.stop() }
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == Self.created(Self.names))
            #expect(proxy.log.filter { Self.isB($0.method, $0.path) }.map(\.status).prefix(2) == [429, 429])
        }
    }

    /// A server error that does not go away: the server's words for `b`, exit 1, and `b` is not
    /// on the server; the others are applied and reported.
    @Test func aPersistentServerErrorIsReportedForThatObject() throws {
        try withSandbox(tls: false) { sandbox in
            let (run, proxy) = try Self.apply(sandbox) { method, path, _ in
                Self.isB(method, path) ? .status(500, reason: "InternalError", retryAfter: "0") : nil
            }
            defer { proxy.stop() }
            #expect(run.status == 1)
            #expect(run.stdout == Self.created(["a", "c"]))
            #expect(run.stderr == "Error from server (InternalError): injected fault\n")
            #expect(try Self.stored(sandbox) == ["a", "c"])
        }
    }

    /// A server slower than `--request-timeout`: a timeout for `b`, not a hang.
    @Test func aSlowServerTimesOutForThatObject() throws {
        try withSandbox(tls: false) { sandbox in
            let (run, proxy) = try Self.apply(sandbox, extra: ["--request-timeout=1s"]) { method, path, _ in
                Self.isB(method, path) ? .slow(.seconds(3)) : nil
            }
            defer { proxy.stop() }
            #expect(run.status == 1)
            #expect(run.stdout == Self.created(["a", "c"]))
            #expect(run.stderr.contains("timeout") || run.stderr.contains("timed out"), "\(run.stderr)")
        }
    }

    /// A server that resets the connection during the TLS handshake: a connection error, exit 1.
    @Test func aResetDuringTheTLSHandshakeIsAConnectionError() throws {
        let (listener, port) = try Loopback.listener()
        let served = DispatchGroup()
        served.enter()
        let thread = Thread {
            defer { served.leave() }
            for _ in 0..<5 {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var hello = [UInt8](repeating: 0, count: 512)
                _ = hello.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                WriteFaultProxy.reset(client)
                close(client)
            }
        }
        thread.start()
        defer {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
            served.wait()
        }
        let run = try TestProcess.run(
            WriteCLI.binary, ["get", "backendtlspolicies", "--request-timeout=5s"],
            environment: [
                "HOME": "/nonexistent", "PATH": "/usr/bin:/bin", "DATUMCTL_SERVER": "https://127.0.0.1:\(port)",
                "DATUMCTL_TOKEN": "secret-token-value", "DATUM_PROJECT": "p1",
            ])
        #expect(run.status == 1)
        #expect(run.stdout == "")
        #expect(run.stderr.hasPrefix("error: ") || run.stderr.hasPrefix("Unable to connect"), "\(run.stderr)")
        #expect(!run.stderr.contains("secret-token-value"))
    }
}
