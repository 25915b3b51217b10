@testable import DatumHTTP
import Foundation
import TestSupport
import Testing

extension HTTPLayerTests {
    /// Transport failures on real sockets, and the text users read.
    @Suite struct Errors {
        @Test func connectionRefusedNamesTheServer() throws {
            let port = try Loopback.unusedPort()
            let client = try HTTPClient(HTTPClientConfiguration(retry: .none))

            let error = Retry.error(of: client, HTTPRequest(url: "http://127.0.0.1:\(port)/apis/x"))

            #expect(error?.description == "Unable to connect to the server http://127.0.0.1:\(port): connection refused (is the server running and is --server right?)")
            guard case .connectionRefused(let server, let detail)? = error else {
                Issue.record("expected connectionRefused, got \(String(describing: error))")
                return
            }
            #expect(server == "http://127.0.0.1:\(port)")
            // libcurl's own error buffer text is kept for debugging.
            #expect(detail.hasPrefix("Failed to connect to 127.0.0.1 port \(port)"))
        }

        @Test func requestTimeoutMentionsTheFlag() throws {
            var slow = ScriptedResponse.text("late")
            slow.delay = 5
            let server = try TestHTTPServer(script: [slow])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(requestTimeout: .milliseconds(300), retry: .none))

            let started = Date()
            let error = Retry.error(of: client, HTTPRequest(url: server.baseURL + "/slow"))
            let elapsed = Date().timeIntervalSince(started)

            #expect(error?.description == "Unable to connect to the server \(server.baseURL): request timed out after 300ms (raise --request-timeout if the server needs longer)")
            // The answer comes after 5 s: finishing before it proves the timeout fired (no speed assumed).
            #expect(elapsed < 5)
        }

        @Test func perRequestTimeoutOverridesTheClientDefault() throws {
            var slow = ScriptedResponse.text("late")
            slow.delay = 5
            let server = try TestHTTPServer(script: [slow])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(requestTimeout: .seconds(60), retry: .none))

            let error = Retry.error(of: client, HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(200)))

            guard case .timeout(_, let limit, let whileConnecting, _)? = error else {
                Issue.record("expected timeout, got \(String(describing: error))")
                return
            }
            #expect(limit == .milliseconds(200))
            #expect(!whileConnecting)
        }

        @Test func unknownHostSaysToCheckTheName() throws {
            let client = try HTTPClient(HTTPClientConfiguration(connectTimeout: .seconds(5), retry: .none))

            // .invalid never resolves (RFC 6761), with or without a network.
            let error = Retry.error(of: client, HTTPRequest(url: "https://api.datumctl-test.invalid:6443/x"))

            #expect(error?.description == "Unable to connect to the server https://api.datumctl-test.invalid:6443: lookup api.datumctl-test.invalid: no such host (check the host name in --server)")
        }

        @Test(arguments: [
            (HTTPError.connectionFailed(server: "https://h:1", reason: "no route to host", detail: "d"),
             "Unable to connect to the server https://h:1: no route to host (check the server address in --server and your network)"),
            (.proxyNotFound(server: "https://h", detail: "Could not resolve proxy: p"),
             "Unable to connect to the server https://h: Could not resolve proxy: p (check the HTTPS_PROXY, HTTP_PROXY and NO_PROXY environment variables)"),
            (.tlsVerification(server: "https://h", detail: "unable to get local issuer certificate"),
             "Unable to connect to the server https://h: tls: failed to verify certificate: unable to get local issuer certificate (pass the certificate authority that signed it with --certificate-authority; for testing only, --insecure-skip-tls-verify turns verification off)"),
            (.tls(server: "https://h", detail: "wrong version number"),
             "Unable to connect to the server https://h: TLS handshake failed: wrong version number"),
            (.certificateAuthority(source: "\"/tmp/ca.pem\"", detail: "error setting certificate file"),
             "Unable to load the certificate authority \"/tmp/ca.pem\": error setting certificate file (check --certificate-authority)"),
            (.timeout(server: "https://h", limit: .seconds(30), whileConnecting: true, detail: "d"),
             "Unable to connect to the server https://h: timed out connecting after 30s (is the server reachable? check --server and any proxy settings)"),
            (.timeout(server: "https://h", limit: .milliseconds(1500), whileConnecting: false, detail: "d"),
             "Unable to connect to the server https://h: request timed out after 1.5s (raise --request-timeout if the server needs longer)"),
            (.transfer(server: "https://h", code: 56, detail: "Recv failure: Connection reset by peer"),
             "Unable to connect to the server https://h: Recv failure: Connection reset by peer"),
            (.cancelled, "the request was cancelled"),
            (.setup(code: 2, detail: "curl_easy_init failed"), "HTTP client setup failed: curl_easy_init failed (libcurl error 2)"),
        ])
        func messages(error: HTTPError, text: String) {
            #expect(error.description == text)
        }

        @Test(arguments: [
            (HTTPError.connectionRefused(server: "s", detail: ""), true),
            (.emptyReply(server: "s", detail: ""), true),
            (.transfer(server: "s", code: 56, detail: ""), true),
            (.transfer(server: "s", code: 92, detail: ""), true),
            // A response cut off mid-body: an idempotent request may be sent again.
            (.transfer(server: "s", code: 18, detail: ""), true),
            (.transfer(server: "s", code: 23, detail: ""), false),
            (.hostNotFound(server: "s", host: "h", detail: ""), false),
            (.tlsVerification(server: "s", detail: ""), false),
            (.timeout(server: "s", limit: .seconds(1), whileConnecting: false, detail: ""), false),
            (.connectionLost(server: "s", method: "POST", detail: ""), false),
        ])
        func retryableFailures(error: HTTPError, retryable: Bool) {
            #expect(error.isRetryable == retryable)
        }

        @Test(arguments: [
            ("https://127.0.0.1:1234/apis/x?y=1", "https://127.0.0.1:1234", "127.0.0.1"),
            ("https://user:secret@api.example.com/x", "https://api.example.com", "api.example.com"),
            ("http://[::1]:8080#frag", "http://[::1]:8080", "::1"),
            ("api.example.com:6443/path", "api.example.com:6443", "api.example.com"),
        ])
        func serverAddress(url: String, server: String, host: String) {
            let address = ServerAddress(url: url)
            #expect(address.server == server)
            #expect(address.host == host)
        }

        @Test(arguments: [
            (Duration.zero, "0s"), (.nanoseconds(15), "15ns"), (.microseconds(1500), "1.5ms"),
            (.milliseconds(250), "250ms"), (.seconds(1), "1s"), (.milliseconds(1500), "1.5s"),
            (.seconds(90), "1m30s"), (.seconds(3600), "1h0m0s"), (.seconds(-2), "-2s"),
        ])
        func goDurationFormat(duration: Duration, text: String) {
            #expect(GoDuration.format(duration) == text)
        }
    }
}
