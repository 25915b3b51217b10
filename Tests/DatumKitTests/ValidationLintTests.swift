import DatumJSON
import Testing

@testable import DatumKit

@Suite struct ValidationLintTests {
    @Test func cleanPolicyHasNoWarnings() {
        #expect(BackendTLSPolicyLints.check(RuleFixtures.policy).isEmpty)
    }

    @Test func warnsAboutWhatTheServerAccepts() {
        var object = RuleFixtures.policy
        object = object.setting("spec.targetRefs[1]", to: ["group": "", "kind": "Service", "name": "other"])
        object = object.setting("spec.validation.hostname", to: "10.0.0.1")
        object = object.setting(
            "spec.validation.subjectAltNames",
            to: [["type": "Hostname", "hostname": "*.example.com"], ["type": "URI", "uri": "spiffe://x"]])
        object = object.setting("spec.options", to: ["minVersion": "1.3", "example.com/ciphers": "x", "local/x": "y"])
        let warnings = BackendTLSPolicyLints.check(object).map(\.description)
        #expect(
            warnings == [
                "spec.targetRefs: 2 target references given; implementations SHOULD NOT support more than one targetRef yet, so only the first may take effect",
                #"spec.validation.hostname: "10.0.0.1" is an IP address; the API documents hostname as a DNS name for SNI, and IP addresses are not allowed"#,
                #"spec.validation.subjectAltNames[0].hostname: wildcard SAN "*.example.com": the Gateway API documentation does not allow wildcards here, and implementations may reject it"#,
                #"spec.options[minVersion]: option key "minVersion" is not domain-prefixed; un-prefixed keys are reserved for Gateway API, use a name such as "example.com/minVersion""#,
                #"spec.options[local/x]: option key "local/x" is not domain-prefixed; un-prefixed keys are reserved for Gateway API, use a name such as "example.com/local/x""#,
            ])
    }

    @Test func ipDetection() {
        #expect(BackendTLSPolicyLints.isIPv4Address("1.2.3.4"))
        #expect(!BackendTLSPolicyLints.isIPv4Address("1.2.3.256"))
        #expect(!BackendTLSPolicyLints.isIPv4Address("1.2.3"))
        #expect(!BackendTLSPolicyLints.isIPv4Address("a.b.c.d"))
        #expect(!BackendTLSPolicyLints.isIPv4Address("1.2.3.4444"))
    }
}
