import DatumJSON
import Foundation
import TestSupport
import Testing

/// HTTP/2 end to end: the sandbox offers `h2` by ALPN over TLS, datumctl (libcurl) multiplexes
/// its requests over it, and kubectl (Go's HTTP/2 client) keeps working, watches included.
@Suite struct HTTP2SandboxTests {
    static func protocolLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.hasPrefix("Using HTTP/") }
    }

    @Test func datumctlSpeaksHTTP2AndMultiplexesItsApplies() throws {
        try withSandbox { sandbox in
            let get = try WriteCLI.run(sandbox, ["get", "backendtlspolicies", "-v", "6"])
            #expect(get.status == 0, "\(get.stderr)")
            #expect(Self.protocolLines(get.stderr) == ["Using HTTP/2 with \(sandbox.url)"[...]])

            // 300 objects at up to 64 in flight: all on HTTP/2, every one created, in input order.
            let names = (0..<300).map { String(format: "h2-%03d", $0) }
            let input = names.map { WriteCLI.policy($0, service: "svc-" + $0) }.joined(separator: "---\n")
            let apply = try WriteCLI.run(sandbox, ["apply", "-f", "-", "--concurrency", "64", "-v", "6"], input: input)
            #expect(apply.status == 0, "\(apply.stderr.suffix(2000))")
            #expect(
                apply.stdout
                    == names.map { "backendtlspolicy.gateway.networking.k8s.io/\($0) created\n" }.joined())
            #expect(Self.protocolLines(apply.stderr) == ["Using HTTP/2 with \(sandbox.url)"[...]])
            let patches = apply.stderr.split(separator: "\n").filter { $0.hasPrefix("PATCH ") }
            #expect(patches.filter { $0.contains(" 201 Created in ") }.count == 300, "\(patches.filter { !$0.contains(" 201 Created in ") }.prefix(5))")

            let list = try sandbox.request("GET", "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies")
            #expect(list.json["items"]?.arrayValue?.count == 300)
        }
    }

    @Test func disablingHTTP2ServingLeavesHTTP1() throws {
        let sandbox = try SandboxInstance(extraArguments: ["--disable-http2-serving"])
        defer { sandbox.stop() }
        let get = try WriteCLI.run(sandbox, ["get", "backendtlspolicies", "-v", "6"])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(Self.protocolLines(get.stderr) == ["Using HTTP/1.1 with \(sandbox.url)"[...]])
        let curl = try TestProcess.run(
            "/usr/bin/curl",
            ["-sS", "-o", "/dev/null", "-w", "%{http_version}", "--cacert", sandbox.certificates?.caPath ?? "",
                sandbox.url + "/version"])
        #expect(curl.stdout == "1.1")
    }

    /// Go's HTTP/2 transport (`GODEBUG=http2debug=1` logs its connections) reads, applies and
    /// watches; a change made during the watch arrives on the open stream.
    @Test(.enabled(if: SandboxBinaries.kubectl != nil))
    func kubectlWorksOverHTTP2() throws {
        try withSandbox { sandbox in
            guard let kubectl = SandboxBinaries.kubectl else { return }
            var environment = try sandbox.kubectlEnvironment()
            environment["GODEBUG"] = "http2debug=1"
            let apply = try TestProcess.run(
                kubectl, ["apply", "--server-side", "-f", "-"], environment: environment,
                input: WriteCLI.policy("over-h2"))
            #expect(apply.status == 0, "\(apply.stderr)")
            #expect(apply.stdout == "backendtlspolicy.gateway.networking.k8s.io/over-h2 serverside-applied\n")
            #expect(apply.stderr.contains("http2: Transport creating client conn"))

            let watch = try ChildProcess(
                kubectl, ["get", "backendtlspolicies", "--watch", "--request-timeout=0", "-o", "name"],
                environment: environment, withInput: false)
            watch.discardErrorOutput()
            defer {
                watch.signal(SIGKILL)
                _ = watch.wait()
            }
            func awaitLine(_ line: String) throws {
                let seen = watch.read(until: line + "\n", timeout: .seconds(20))
                guard seen.hasSuffix(line + "\n") else {
                    throw SandboxTestError("the watch did not print \(line); it printed \(seen)")
                }
            }
            try awaitLine("backendtlspolicy.gateway.networking.k8s.io/over-h2")
            #expect(try WriteCLI.run(sandbox, ["apply", "-f", "-"], input: WriteCLI.policy("during-watch")).status == 0)
            try awaitLine("backendtlspolicy.gateway.networking.k8s.io/during-watch")
        }
    }
}
