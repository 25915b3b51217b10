import DatumJSON
import Foundation
import Testing

/// `apply` through a proxy that makes the sandbox look unhealthy: `503`s before it recovers,
/// `503`s that never stop, and server warnings.
@Suite(.serialized) struct ClientWriteFaultTests {
    /// The server answers 503 twice, then works: the apply is retried (it is safe to repeat)
    /// and succeeds, and nothing is applied twice.
    @Test func serverUnavailableTwiceThenApplies() throws {
        try withSandbox(tls: false) { sandbox in
            let proxy = try WriteFaultProxy(upstreamPort: sandbox.port, failing: "PATCH", times: 2)
            defer { proxy.stop() }
            let started = ContinuousClock.now
            let run = try WriteCLI.run(
                sandbox, ["apply", "-f", "-", "-v=6"], server: proxy.url, input: WriteCLI.policy("retried"))
            let elapsed = started.duration(to: .now)
            #expect(run.status == 0)
            #expect(run.stdout == "backendtlspolicy.gateway.networking.k8s.io/retried created\n")
            #expect(proxy.log.filter { $0.method == "PATCH" }.map(\.status) == [503, 503, 201])
            let traces = run.stderr.split(separator: "\n")
            #expect(traces.filter { $0.hasPrefix("PATCH ") && $0.contains(" 503 Service Unavailable in ") }.count == 2)
            #expect(traces.filter { $0.hasPrefix("Retrying PATCH ") }.count == 2)
            // Backoff of 250 ms, then 500 ms (plus up to 20% jitter each).
            #expect(elapsed >= .milliseconds(750))
            let stored = try sandbox.request(
                "GET", "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/retried")
            #expect(stored.status == 200)
            #expect(stored.json["metadata"]?["generation"] == 1)
        }
    }

    /// `Retry-After: 0` from the server is honoured instead of the backoff.
    @Test func retryAfterIsHonoured() throws {
        try withSandbox(tls: false) { sandbox in
            let proxy = try WriteFaultProxy(upstreamPort: sandbox.port, failing: "PATCH", times: 3, retryAfter: "0")
            defer { proxy.stop() }
            let started = ContinuousClock.now
            let run = try WriteCLI.run(
                sandbox, ["apply", "-f", "-"], server: proxy.url, input: WriteCLI.policy("quick"))
            #expect(run.status == 0)
            #expect(run.stdout == "backendtlspolicy.gateway.networking.k8s.io/quick created\n")
            #expect(proxy.log.filter { $0.method == "PATCH" }.map(\.status) == [503, 503, 503, 201])
            #expect(started.duration(to: .now) < .milliseconds(700))
        }
    }

    /// A server that stays unavailable: four attempts, then the server's error, exit 1.
    @Test func serverThatStaysUnavailableFails() throws {
        try withSandbox(tls: false) { sandbox in
            let proxy = try WriteFaultProxy(upstreamPort: sandbox.port, failing: "PATCH", times: 100, retryAfter: "0")
            defer { proxy.stop() }
            let run = try WriteCLI.run(
                sandbox, ["apply", "-f", "-"], server: proxy.url, input: WriteCLI.policy("never"))
            #expect(run.status == 1)
            #expect(run.stdout == "")
            #expect(run.stderr == "Error from server (ServiceUnavailable): injected fault\n")
            #expect(proxy.log.filter { $0.method == "PATCH" }.count == 4)
            let stored = try sandbox.request(
                "GET", "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies/never")
            #expect(stored.status == 404)
        }
    }

    /// Reads are retried as well: the first reads (the server's OpenAPI index, for validation),
    /// then the schema document and the live state that precede the apply.
    @Test func unavailableReadsAreRetried() throws {
        try withSandbox(tls: false) { sandbox in
            let proxy = try WriteFaultProxy(upstreamPort: sandbox.port, failing: "GET", times: 2, retryAfter: "0")
            defer { proxy.stop() }
            let run = try WriteCLI.run(
                sandbox, ["apply", "-f", "-"], server: proxy.url, input: WriteCLI.policy("read"))
            #expect(run.status == 0)
            #expect(run.stdout == "backendtlspolicy.gateway.networking.k8s.io/read created\n")
            let log = proxy.log
            #expect(log.map(\.method) == ["GET", "GET", "GET", "GET", "GET", "PATCH"])
            // The failed read was repeated as it was, until it succeeded.
            #expect(Set(log.prefix(3).map(\.path)).count == 1, "\(log.map(\.path))")
            #expect(log.first?.path.hasSuffix("/openapi/v3") == true, "\(log.map(\.path))")
        }
    }

    /// The server's `Warning` headers are printed once each, as kubectl prints them.
    @Test func serverWarningsArePrinted() throws {
        try withSandbox(tls: false) { sandbox in
            let proxy = try WriteFaultProxy(
                upstreamPort: sandbox.port, failing: "PATCH", times: 0,
                extraHeader: #"Warning: 299 - "this API is going away""#)
            defer { proxy.stop() }
            let two = WriteCLI.policy("w1") + "---\n" + WriteCLI.policy("w2", service: "other")
            let run = try WriteCLI.run(sandbox, ["apply", "-f", "-"], server: proxy.url, input: two)
            #expect(run.status == 0)
            #expect(run.stderr == "Warning: this API is going away\n")
            #expect(run.stdout.split(separator: "\n").count == 2)

            // Every command prints the server's warnings, not only apply.
            let get = try WriteCLI.run(sandbox, ["get", "backendtlspolicies", "-o", "name"], server: proxy.url)
            #expect(get.status == 0)
            #expect(get.stderr == "Warning: this API is going away\n")

            // --warnings-as-errors: the command's work is done and printed, then it fails as kubectl's does.
            let strict = try WriteCLI.run(
                sandbox, ["apply", "-f", "-", "--warnings-as-errors"], server: proxy.url, input: two)
            #expect(strict.status == 1)
            #expect(strict.stdout.split(separator: "\n").count == 2)
            #expect(strict.stderr == "Warning: this API is going away\nerror: 1 warning received\n")
            let json = try WriteCLI.run(
                sandbox, ["get", "btlspolicy", "--warnings-as-errors", "--error-format", "json"], server: proxy.url)
            #expect(json.status == 1)
            #expect(json.stderr.contains(#""code":"WARNINGS_AS_ERRORS","#) && json.stderr.contains(#""kind":"warnings""#))
        }
    }
}
