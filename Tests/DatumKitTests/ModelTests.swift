import DatumJSON
import Testing

@testable import DatumKit

@Suite struct ModelTests {
    /// A policy using every field of the CRD, as the API server would return it.
    static let fullPolicyJSON = #"""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy",
         "metadata":{"name":"secure-backend","namespace":"default","uid":"0d1f6f0e-2c1b-4e8a-9a43-5d2b7d1c9e11",
           "resourceVersion":"42","generation":3,"creationTimestamp":"2026-11-26T18:00:00Z",
           "deletionTimestamp":"2026-11-26T19:00:00Z","deletionGracePeriodSeconds":0,
           "labels":{"app":"web"},"annotations":{"example.com/note":"yes"},"finalizers":["example.com/keep"],
           "ownerReferences":[{"apiVersion":"v1","kind":"Service","name":"web","uid":"u-1","controller":true,"blockOwnerDeletion":false}],
           "managedFields":[{"manager":"datumctl","operation":"Apply","apiVersion":"gateway.networking.k8s.io/v1",
             "time":"2026-11-26T18:00:00Z","fieldsType":"FieldsV1",
             "fieldsV1":{"f:spec":{"f:targetRefs":{},"f:validation":{"f:hostname":{}}}}}]},
         "spec":{"targetRefs":[{"group":"","kind":"Service","name":"web","sectionName":"https"}],
           "validation":{"caCertificateRefs":[{"group":"","kind":"ConfigMap","name":"ca"}],
             "hostname":"web.example.com",
             "subjectAltNames":[{"type":"Hostname","hostname":"web.example.com"},{"type":"URI","uri":"spiffe://example.com/web"}]},
           "options":{"example.com/min-tls":"1.3"}},
         "status":{"ancestors":[{"ancestorRef":{"group":"gateway.networking.k8s.io","kind":"Gateway","namespace":"default",
             "name":"gw","sectionName":"https","port":443},
           "controllerName":"datum.net/sandbox-controller",
           "conditions":[{"type":"Accepted","status":"True","observedGeneration":3,
             "lastTransitionTime":"2026-11-26T18:00:01Z","reason":"Accepted","message":"Policy is accepted"}]}]}}
        """#

    @Test func decodesEveryFieldAndRoundTripsLosslessly() throws {
        let json = try JSONParser.parse(Self.fullPolicyJSON)
        let policy = try KubeObject(json).decode(BackendTLSPolicy.self)
        #expect(policy.metadata.generation == 3)
        #expect(policy.metadata.ownerReferences?.first?.controller == true)
        #expect(policy.metadata.managedFields?.first?.fieldsV1?["f:spec"]?["f:targetRefs"] == .object([:]))
        #expect(policy.spec.targetRefs == [.init(group: "", kind: "Service", name: "web", sectionName: "https")])
        #expect(policy.spec.validation.subjectAltNames?.last?.uri == "spiffe://example.com/web")
        #expect(policy.spec.options == ["example.com/min-tls": "1.3"])
        #expect(policy.status?.ancestors.first?.ancestorRef.port == 443)
        #expect(policy.status?.ancestors.first?.conditions.first?.observedGeneration == 3)

        let encoded = JSONValueEncoder().encode(policy)
        #expect(encoded == json)
        #expect(try JSONValueDecoder().decode(BackendTLSPolicy.self, from: encoded) == policy)
    }

    @Test func encodesInDeclarationOrderAndOmitsAbsentFields() {
        let policy = BackendTLSPolicy(
            metadata: ObjectMeta(name: "p"),
            spec: BackendTLSPolicySpec(
                targetRefs: [.init(group: "", kind: "Service", name: "svc")],
                validation: .init(wellKnownCACertificates: "System", hostname: "svc.example.com")))
        let text = GoJSONEncoder(sortKeys: false).encode(JSONValueEncoder().encode(policy))
        #expect(
            text == #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy","metadata":{"name":"p"},"#
                + #""spec":{"targetRefs":[{"group":"","kind":"Service","name":"svc"}],"#
                + #""validation":{"wellKnownCACertificates":"System","hostname":"svc.example.com"}}}"#)
    }

    @Test func decodingErrorsNameTheFieldPath() throws {
        let json = try JSONParser.parse(
            #"{"metadata":{"name":"p"},"spec":{"targetRefs":[{"group":"","kind":7,"name":"x"}],"validation":{"hostname":"h"}}}"#)
        #expect(throws: JSONDecodingError.self) { try KubeObject(json).decode(BackendTLSPolicy.self) }
        do {
            _ = try KubeObject(json).decode(BackendTLSPolicy.self)
        } catch {
            #expect(error.description == "spec.targetRefs[0].kind: expected string, got integer")
        }
        let missing = try JSONParser.parse(#"{"metadata":{},"spec":{"targetRefs":[],"validation":{}}}"#)
        do {
            _ = try KubeObject(missing).decode(BackendTLSPolicy.self)
            Issue.record("decoding should fail")
        } catch {
            #expect(error.description == "spec.validation.hostname: Required value")
        }
    }

    @Test func untypedObjectsKeepEveryField() throws {
        let json = try JSONParser.parse(
            #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"ns"},"spec":{"ports":[{"port":443,"x-extra":[1.5,null]}]}}"#)
        var object = KubeObject(json)
        #expect(object.gvk == GroupVersionKind(group: "", version: "v1", kind: "Service"))
        #expect(object.name == "web")
        object.namespace = "default"
        #expect(object.value["spec"] == json["spec"])
        #expect(object.value["metadata"]?.objectValue?.keys == ["name", "namespace"])
        #expect(object.namespace == "default")
    }

    @Test func parsesGroupVersionKinds() {
        #expect(GroupVersionKind(apiVersion: "gateway.networking.k8s.io/v1", kind: "BackendTLSPolicy") == .backendTLSPolicy)
        #expect(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap").group == "")
        #expect(GroupVersionKind.backendTLSPolicy.description == "gateway.networking.k8s.io/v1, Kind=BackendTLSPolicy")
    }
}
