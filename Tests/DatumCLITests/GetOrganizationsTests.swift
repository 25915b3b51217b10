import DatumJSON
import Testing

@testable import DatumCLI

/// The official datumctl's `get organizations` table and onboarding labels
/// (internal/cmd/get_organizations.go, internal/onboarding).
@Suite struct GetOrganizationsTests {
    static func membership(_ organization: String, display: String?, created: String) -> JSONValue {
        var status: JSONObject = [:]
        if let display { status["organization"] = ["displayName": .string(display)] }
        return [
            "metadata": ["name": .string("m-" + organization), "creationTimestamp": .string(created)],
            "spec": ["organizationRef": ["name": .string(organization)], "userRef": ["name": "u1"]],
            "status": .object(status),
        ]
    }

    @Test func onboardingLabelsFollowTheCondition() {
        func label(_ conditions: JSONValue) -> String {
            GetOrganizations.Onboarding(["status": ["conditions": conditions]]).label
        }
        #expect(label([["type": "OnboardingComplete", "status": "True", "reason": "Ready"]]) == "ready")
        #expect(label([]) == "contact details needed")
        #expect(label([["type": "OnboardingComplete", "status": "False", "reason": "BillingAccountMissing"]]) == "billing setup needed")
        #expect(label([["type": "OnboardingComplete", "status": "False", "reason": "PaymentMethodNotReady"]]) == "payment method needed")
        #expect(label([["type": "OnboardingComplete", "status": "False", "reason": "Other"]]) == "Other")
    }

    @Test func tableIsSortedPaddedAndEndsWithSetupHints() {
        let now = 1_800_000_000.0
        let items = [
            Self.membership("zeta", display: "Zeta Labs", created: "2027-01-15T08:00:00Z"),
            Self.membership("acme", display: nil, created: "2027-01-15T07:59:00Z"),
            Self.membership("beta", display: "Beta", created: "2027-01-15T07:00:00Z"),
        ]
        let statuses: [String: GetOrganizations.Onboarding] = [
            "zeta": .init(["status": ["conditions": [["type": "OnboardingComplete", "status": "True", "reason": "Ready"]]]]),
            "acme": .init(["status": ["conditions": []]]),
        ]
        let text = GetOrganizations.table(
            items, statuses: statuses, wide: false, now: now, portal: "https://cloud.datum.net")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "ORGANIZATION  DISPLAY NAME  STATUS                  AGE  ")
        #expect(lines[1].hasPrefix("acme          acme          contact details needed  "))
        #expect(lines[2].hasPrefix("beta          Beta          unknown                 "))
        #expect(lines[3].hasPrefix("zeta          Zeta Labs     ready                   "))
        #expect(Array(lines[4...]) == [
            "", "Some organizations still need setup before you can use them with datumctl:",
            "  acme (contact details needed)", "    https://cloud.datum.net/org/acme/projects", "",
        ])
        #expect(GetOrganizations.portal(for: "https://api.staging.env.datum.net") == "https://cloud.staging.env.datum.net")
        #expect(GetOrganizations.portal(for: "https://api.datum.net:443/x") == "https://cloud.datum.net")
        #expect(GetOrganizations.portal(for: "https://127.0.0.1:8443") == nil)
    }
}
