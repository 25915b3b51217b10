import DatumArguments
import DatumJSON
import GoCompat
import Testing

@testable import DatumKit
@testable import GoCompat

struct PatternCase: Sendable, CustomTestStringConvertible {
    var name: String
    var pattern: String
    var accepted: [String]
    var rejected: [String]
    var testDescription: String { name }
}

private let dnsSubdomain = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#

let crdPatternCases: [PatternCase] = [
    PatternCase(
        name: "Group",
        pattern: #"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#,
        accepted: ["", "gateway.networking.k8s.io", "svc.other.io", "group", "a", "0-1.a-b"],
        rejected: ["Gateway.networking", "-foo", "foo-", "foo..bar", ".foo", "foo.", "foo_bar", "foo/bar", "grøup",
            "foo\n", "\n"]),
    PatternCase(
        name: "Kind",
        pattern: #"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"#,
        accepted: ["Service", "kind", "a", "My-Kind2", "InvalidKind"],
        rejected: ["", "1Service", "Service-", "Ser vice", "Ser.vice", "-a", "Sérvice"]),
    PatternCase(
        name: "SectionName / PreciseHostname",
        pattern: dnsSubdomain,
        accepted: ["section", "foo.example.com", "1.2.3.4", "a", "https-1", "abc.example.com"],
        rejected: ["", "Section", "*.example.com", "foo.example.com.", "foo_bar", "foo example", "ex\u{00E4}mple.com"]),
    PatternCase(
        name: "SubjectAltName hostname",
        pattern: #"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#,
        accepted: ["foo.example.com", "*.example.com", "*.a", "abc.example.com"],
        rejected: ["*", "*.", "**.example.com", "foo.*.com", "*example.com", "Foo.com", ".example.com"]),
    PatternCase(
        name: "AbsoluteURI (no $ anchor)",
        pattern: #"^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?"#,
        accepted: ["spiffe://mycluster.example", "spiffe://x", "http://a/b?c#d", "https://", "a://b c",
            "spiffe://x/y#frag\nmore", "spiffe://abc.example.com/ns/gateway-conformance-infra/sa/default"],
        rejected: ["foo.example.com", "test", "urn:x", "://x", "/x", ":x//", "a:/b", ""]),
    PatternCase(
        name: "WellKnownCACertificatesType",
        pattern:
            #"^(System|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]))$"#,
        accepted: ["System", "my.company.com/my-custom-ca-certificates", "a/b", "example.com/A_b.c",
            "x/" + String(repeating: "a", count: 63)],
        rejected: ["MySystem", "my-system", "in..va..lid./my-custom-ca-certificates", "System2", "system",
            "x/" + String(repeating: "a", count: 64), "a/-b", "a/b-", "/b", "a/", ""]),
    PatternCase(
        name: "Namespace (DNS label)",
        pattern: #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"#,
        accepted: ["gateway-conformance-infra", "default", "a1"],
        rejected: ["a.b", "", "A", "-a"]),
    PatternCase(
        name: "GatewayController",
        pattern:
            #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$"#,
        accepted: ["example.net/gateway-controller", "gateway.envoyproxy.io/gatewayclass-controller", "a/b/c:d",
            "x/~%!$&'()*+,;=:"],
        rejected: ["example.net", "example.net/", "Example.net/x", "example.net/a b", "/x", "example.net/a?b"]),
    PatternCase(
        name: "Condition reason",
        pattern: #"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"#,
        accepted: ["Accepted", "NoValidCACertificate", "A", "Reason_1", "a,b:c_"],
        rejected: ["", "1Reason", "Reason:", "Reason,", "Re ason", "Re-ason"]),
    PatternCase(
        name: "Condition type",
        pattern:
            #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#,
        accepted: ["Accepted", "ResolvedRefs", "example.com/Custom", "A", "a.b-c_d"],
        rejected: ["", "Accepted-", "example.com/", "/Accepted", "Ex.com/A", "A B"]),
]

@Suite struct RegexCRDPatternTests {
    @Test func everyPatternInTheCRDHasCases() throws {
        let crdPatterns = ValidationFixtures.patterns(in: try ValidationFixtures.crd())
        let covered = Set(crdPatternCases.map(\.pattern))
        #expect(crdPatterns.count == 10)
        for pattern in crdPatterns {
            #expect(covered.contains(pattern), "no test cases for \(pattern)")
        }
    }

    @Test(arguments: crdPatternCases)
    func crdPattern(_ c: PatternCase) throws {
        let regex = try GoRegex(c.pattern)
        for input in c.accepted {
            #expect(regex.matches(input), "\(c.name) should accept \(input.debugDescription)")
            #expect(regex.matches(input, using: .nfa), "NFA: \(c.name) should accept \(input.debugDescription)")
        }
        for input in c.rejected {
            #expect(!regex.matches(input), "\(c.name) should reject \(input.debugDescription)")
            #expect(!regex.matches(input, using: .nfa), "NFA: \(c.name) should reject \(input.debugDescription)")
        }
    }
}
