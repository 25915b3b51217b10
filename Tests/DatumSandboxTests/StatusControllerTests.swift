import DatumJSON
import Testing

@testable import DatumSandbox

@Suite struct PolicyStatusComputerTests {
    static func policy(
        _ name: String, created: String = "2026-01-01T00:00:00Z", target: String = "svc", section: String? = nil,
        refs: [(group: String, kind: String, name: String)] = [("", "ConfigMap", "ca")], wellKnown: String? = nil,
        generation: Int64 = 3
    ) -> JSONObject {
        var targetRef: JSONObject = ["group": "", "kind": "Service", "name": .string(target)]
        if let section { targetRef["sectionName"] = .string(section) }
        var validation: JSONObject = ["hostname": "a.example.com"]
        if let wellKnown {
            validation["wellKnownCACertificates"] = .string(wellKnown)
        } else {
            validation["caCertificateRefs"] = .array(
                refs.map { ["group": .string($0.group), "kind": .string($0.kind), "name": .string($0.name)] })
        }
        return [
            "metadata": [
                "name": .string(name), "namespace": "ns", "generation": .int(generation),
                "creationTimestamp": .string(created),
            ],
            "spec": ["targetRefs": [.object(targetRef)], "validation": .object(validation)],
        ]
    }

    static let service: JSONObject = ["spec": ["ports": [["name": "https", "port": 443]]]]
    static let goodCA: JSONObject = ["data": ["ca.crt": "PEM"]]
    static let emptyCA: JSONObject = ["data": ["other": "x"]]

    static func conditions(
        _ policy: JSONObject, services: [String: JSONObject] = ["svc": service],
        configMaps: [String: JSONObject] = ["ca": goodCA], others: [JSONObject] = []
    ) -> [String] {
        let world = StatusController.World(
            service: { services[$0] }, configMap: { configMaps[$0] }, policies: [policy] + others)
        let status = PolicyStatusComputer.status(for: policy, in: world, now: "2026-02-02T00:00:00Z")
        return (status["ancestors"]?[0]?["conditions"]?.arrayValue ?? []).map {
            "\($0["type"]?.stringValue ?? "")=\($0["status"]?.stringValue ?? "")/\($0["reason"]?.stringValue ?? "")"
        }
    }

    @Test func acceptedWhenEverythingResolves() {
        #expect(Self.conditions(Self.policy("p")) == ["Accepted=True/Accepted", "ResolvedRefs=True/ResolvedRefs"])
        #expect(
            Self.conditions(Self.policy("p", wellKnown: "System"))
                == ["Accepted=True/Accepted", "ResolvedRefs=True/ResolvedRefs"])
    }

    @Test(arguments: [
        ("missing service", [:], ["ca": goodCA], "Accepted=False/TargetNotFound", "ResolvedRefs=True/ResolvedRefs"),
        ("missing configmap", ["svc": service], [:], "Accepted=False/NoValidCACertificate", "ResolvedRefs=False/InvalidCACertificateRef"),
        ("no ca.crt", ["svc": service], ["ca": emptyCA], "Accepted=False/NoValidCACertificate", "ResolvedRefs=False/InvalidCACertificateRef"),
    ] as [(String, [String: JSONObject], [String: JSONObject], String, String)])
    func referenceProblems(
        label: String, services: [String: JSONObject], configMaps: [String: JSONObject], accepted: String, resolved: String
    ) {
        #expect(Self.conditions(Self.policy("p"), services: services, configMaps: configMaps) == [accepted, resolved], "\(label)")
    }

    @Test func unsupportedKindAndPartialRefs() {
        let invalidKind = Self.policy("p", refs: [("invalid.io", "InvalidKind", "x")])
        #expect(Self.conditions(invalidKind) == ["Accepted=False/NoValidCACertificate", "ResolvedRefs=False/InvalidKind"])
        let oneGood = Self.policy("p", refs: [("", "ConfigMap", "ca"), ("", "ConfigMap", "missing")])
        #expect(Self.conditions(oneGood) == ["Accepted=True/Accepted", "ResolvedRefs=False/InvalidCACertificateRef"])
        #expect(
            Self.conditions(Self.policy("p", wellKnown: "example.com/custom"))
                == ["Accepted=False/Invalid", "ResolvedRefs=True/ResolvedRefs"])
        #expect(
            Self.conditions(Self.policy("p", section: "nope"))
                == ["Accepted=False/TargetNotFound", "ResolvedRefs=True/ResolvedRefs"])
    }

    @Test func olderPolicyWinsThenAlphabetical() {
        let older = Self.policy("b", created: "2026-01-01T00:00:00Z")
        let newer = Self.policy("a", created: "2026-01-02T00:00:00Z")
        #expect(Self.conditions(newer, others: [older]) == ["Accepted=False/Conflicted", "ResolvedRefs=True/ResolvedRefs"])
        #expect(Self.conditions(older, others: [newer]) == ["Accepted=True/Accepted", "ResolvedRefs=True/ResolvedRefs"])
        let tie = Self.policy("c", created: "2026-01-01T00:00:00Z")
        #expect(Self.conditions(tie, others: [older]) == ["Accepted=False/Conflicted", "ResolvedRefs=True/ResolvedRefs"])
        let otherSection = Self.policy("d", created: "2026-01-03T00:00:00Z", section: "https")
        #expect(Self.conditions(otherSection, others: [older]) == ["Accepted=True/Accepted", "ResolvedRefs=True/ResolvedRefs"])
    }

    @Test func conditionsCarryGenerationAndKeepTransitionTimes() throws {
        var policy = Self.policy("p", generation: 7)
        let world = StatusController.World(service: { _ in Self.service }, configMap: { _ in Self.goodCA }, policies: [policy])
        let first = PolicyStatusComputer.status(for: policy, in: world, now: "2026-02-02T00:00:00Z")
        let condition = try #require(first["ancestors"]?[0]?["conditions"]?[0])
        #expect(
            condition.compactJSON
                == #"{"lastTransitionTime":"2026-02-02T00:00:00Z","message":"Policy has been accepted","observedGeneration":7,"reason":"Accepted","status":"True","type":"Accepted"}"#
        )
        #expect(first["ancestors"]?[0]?["ancestorRef"]?.compactJSON == #"{"group":"","kind":"Service","name":"svc","namespace":"ns"}"#)
        #expect(first["ancestors"]?[0]?["controllerName"] == "datum.net/datumctl-sandbox")
        policy["status"] = first
        let later = PolicyStatusComputer.status(for: policy, in: world, now: "2026-03-03T00:00:00Z")
        #expect(later == first)
    }

    @Test func keepsOtherControllersEntries() {
        var policy = Self.policy("p")
        let foreign: JSONValue = [
            "ancestorRef": ["name": "gw"], "controllerName": "example.net/other", "conditions": [],
        ]
        policy["status"] = ["ancestors": [foreign]]
        let world = StatusController.World(service: { _ in Self.service }, configMap: { _ in Self.goodCA }, policies: [policy])
        let status = PolicyStatusComputer.status(for: policy, in: world, now: "2026-02-02T00:00:00Z")
        #expect(status["ancestors"]?.arrayValue?.count == 2)
        #expect(status["ancestors"]?[0] == foreign)
    }

    @Test func controllerWritesStatusThroughTheStore() throws {
        let t = try TestAPI()
        let controller = StatusController(store: t.store)
        t.send("POST", TestAPI.policies, body: TestAPI.policy("a"))
        controller.reconcile(project: "p1", namespace: "default")
        let first = t.send("GET", TestAPI.policies + "/a").json
        #expect(first["status"]?["ancestors"]?[0]?["conditions"]?[0]?["reason"] == "TargetNotFound")
        let managers = first["metadata"]?["managedFields"]?.arrayValue?.map { $0["manager"]?.stringValue ?? "" }
        #expect(managers?.contains("datumctl-sandbox-controller") == true)
        let rv = first["metadata"]?["resourceVersion"]
        controller.reconcile(project: "p1", namespace: "default")
        #expect(t.send("GET", TestAPI.policies + "/a").json["metadata"]?["resourceVersion"] == rv)
        t.send("POST", "/api/v1/namespaces/default/services", body: #"{"metadata":{"name":"auth"},"spec":{"ports":[{"port":443}]}}"#)
        t.send("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"auth-cert"},"data":{"ca.crt":"PEM"}}"#)
        controller.reconcile(
            project: "p1", namespace: "default", work: .init(everything: false, policies: [], referents: ["auth"]))
        let second = t.send("GET", TestAPI.policies + "/a").json
        #expect(second["status"]?["ancestors"]?[0]?["conditions"]?[0]?["reason"] == "Accepted")
        #expect(second["metadata"]?["generation"] == 1)
    }
}
