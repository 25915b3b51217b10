import DatumHTTP
import Foundation
import Testing

extension HTTPLayerTests {
    /// TLS end to end against `openssl s_server` with a throwaway CA.
    @Suite struct TLS {
        @Test func verificationOutcomes() throws {
            let server = try TLSServer()
            defer { server.stop() }
            let request = HTTPRequest(url: server.baseURL + "/")

            // Trusted through the CA file.
            let trusted = try HTTPClient(HTTPClientConfiguration(caFile: server.caFile, retry: .none))
            let response = try trusted.send(request)
            #expect(response.status == 200)
            #expect(response.httpVersion == "1.0")
            #expect(response.bodyText.contains("<HTML>"))

            // Trusted through in-memory CA data (kubeconfig's certificate-authority-data).
            let caData = try [UInt8](Data(contentsOf: URL(fileURLWithPath: server.caFile)))
            let fromData = try HTTPClient(HTTPClientConfiguration(caData: caData, retry: .none))
            #expect(try fromData.send(request).status == 200)

            // Not trusted: the system store does not know the throwaway CA.
            let untrusted = try HTTPClient(HTTPClientConfiguration(retry: .none))
            let failure = Retry.error(of: untrusted, request)
            #expect(failure?.description == "Unable to connect to the server \(server.baseURL): tls: failed to verify certificate: unable to get local issuer certificate (pass the certificate authority that signed it with --certificate-authority; for testing only, --insecure-skip-tls-verify turns verification off)")

            // Verification off: both peer and host checks.
            let insecure = try HTTPClient(HTTPClientConfiguration(insecureSkipTLSVerify: true, retry: .none))
            #expect(try insecure.send(request).status == 200)
        }

        @Test func missingCAFileIsReported() throws {
            let server = try TLSServer()
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(caFile: "/nonexistent/ca.pem", retry: .none))

            let failure = Retry.error(of: client, HTTPRequest(url: server.baseURL + "/"))

            guard case .certificateAuthority(let source, _)? = failure else {
                Issue.record("expected certificateAuthority, got \(String(describing: failure))")
                return
            }
            #expect(source == "\"/nonexistent/ca.pem\"")
        }

        @Test func laterConnectionsResumeTheTLSSession() throws {
            // s_server -www closes the connection after each reply and reports whether the
            // handshake was "New" or "Reused" in its page.
            let server = try TLSServer()
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(caFile: server.caFile, retry: .none))

            let first = try client.send(HTTPRequest(url: server.baseURL + "/"))
            let second = try client.send(HTTPRequest(url: server.baseURL + "/"))

            #expect(first.bodyText.contains("New, TLS"))
            #expect(second.bodyText.contains("Reused, TLS"))
        }
    }
}
