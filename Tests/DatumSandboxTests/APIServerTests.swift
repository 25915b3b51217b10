import Foundation
import DatumJSON
import Testing

@testable import DatumSandbox

@Suite struct AuthenticationTests {
    @Test func missingAndUnknownTokensAre401() throws {
        let t = try TestAPI()
        for token in [nil, "nope"] as [String?] {
            let r = t.send("GET", TestAPI.policies, token: token)
            #expect(r.status == 401)
            #expect(
                r.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#
            )
        }
    }

    @Test func otherProjectIs403WithoutRevealingAnything() throws {
        let t = try TestAPI()
        let r = t.send("GET", TestAPI.policies, token: TestAPI.otherToken)
        #expect(r.status == 403)
        #expect(r.json["reason"] == "Forbidden")
        #expect(
            r.json["message"]
                == .string(
                    "projects.resourcemanager.miloapis.com \"p1\" is forbidden: User \"\(TokenTable.userName(for: TestAPI.otherToken))\" cannot access project \"p1\""
                ))
    }

    @Test(arguments: [
        ("tok-a p1\n", "tok-a", "p1", true), ("tok-a p1,p2\n", "tok-a", "p2", true), ("tok-a p1\n", "tok-a", "p2", false),
        ("# comment\n\ntok-b *\n", "tok-b", "anything", true),
    ])
    func tokenFile(text: String, token: String, project: String, allowed: Bool) throws {
        let table = try TokenTable(parsing: text)
        #expect(table.allows(token, project: project) == allowed)
        #expect(table.allows("unknown", project: project) == nil)
    }

    @Test func malformedTokenLineNamesTheLine() {
        #expect(throws: SandboxConfigurationError("tokens:2: expected \"TOKEN PROJECT[,PROJECT...]\", found 3 field(s)")) {
            try TokenTable(parsing: "a p1\nb p1 extra\n")
        }
    }
}

@Suite struct CRUDTests {
    @Test func createSetsServerFieldsAndDropsStatus() throws {
        let t = try TestAPI()
        let body = TestAPI.policy("a", extra: #","labels":{"app":"x"}"#).dropLast() + #","status":{"ancestors":null}}"#
        let r = t.send("POST", TestAPI.policies + "?fieldManager=kubectl-create", body: String(body))
        #expect(r.status == 201)
        let metadata = try #require(r.json["metadata"]?.objectValue)
        #expect(metadata.keys == ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "labels", "managedFields"])
        #expect(metadata["generation"] == 1)
        #expect(metadata["namespace"] == "default")
        #expect(metadata["uid"]?.stringValue?.count == 36)
        #expect(r.json["status"] == nil)
        let managed = try #require(metadata["managedFields"]?[0])
        #expect(managed["manager"] == "kubectl-create")
        #expect(managed["operation"] == "Update")
        #expect(
            managed["fieldsV1"]?.compactJSON
                == #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:targetRefs":{},"f:validation":{".":{},"f:caCertificateRefs":{},"f:hostname":{}}}}"#
        )
    }

    @Test func errorsAreWordedLikeKubeAPIServer() throws {
        let t = try TestAPI()
        #expect(t.send("POST", TestAPI.policies, body: TestAPI.policy("a")).status == 201)
        let duplicate = t.send("POST", TestAPI.policies, body: TestAPI.policy("a"))
        #expect(duplicate.status == 409)
        #expect(
            duplicate.text
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"backendtlspolicies.gateway.networking.k8s.io \"a\" already exists","reason":"AlreadyExists","details":{"name":"a","group":"gateway.networking.k8s.io","kind":"backendtlspolicies"},"code":409}"#
        )
        let missing = t.send("GET", TestAPI.policies + "/zz")
        #expect(missing.status == 404)
        #expect(missing.json["message"] == #"backendtlspolicies.gateway.networking.k8s.io "zz" not found"#)
        let noNamespace = t.send(
            "POST", "/apis/gateway.networking.k8s.io/v1/namespaces/nope/backendtlspolicies", body: TestAPI.policy("a"))
        #expect(noNamespace.status == 404)
        #expect(
            noNamespace.text
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"namespaces"},"code":404}"#
        )
        let configMap = t.send("GET", "/api/v1/namespaces/default/configmaps/cm")
        #expect(configMap.json["message"] == #"configmaps "cm" not found"#)
        let badName = t.send("POST", TestAPI.policies, body: TestAPI.policy("Bad_Name"))
        #expect(badName.status == 422)
        #expect(badName.json["reason"] == "Invalid")
        #expect(
            badName.json["message"]?.stringValue?.hasPrefix(
                #"BackendTLSPolicy.gateway.networking.k8s.io "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain"#)
                == true)
        #expect(t.send("PUT", TestAPI.policies).status == 405)
        #expect(t.send("GET", "/apis/gateway.networking.k8s.io/v1/nothings").status == 404)
    }

    @Test func updateChecksResourceVersionAndTracksGeneration() throws {
        let t = try TestAPI()
        let created = t.send("POST", TestAPI.policies, body: TestAPI.policy("a"))
        let rv = try #require(created.json["metadata"]?["resourceVersion"]?.stringValue)
        func put(_ hostname: String, rv: String?, labels: String = "") -> (status: Int, json: JSONValue, text: String, headers: [(String, String)]) {
            let extra = (rv.map { #","resourceVersion":"\#($0)""# } ?? "") + labels
            return t.send("PUT", TestAPI.policies + "/a", body: TestAPI.policy("a", hostname: hostname, extra: extra))
        }
        let missingVersion = put("b.example.com", rv: nil)
        #expect(missingVersion.status == 422)
        #expect(
            missingVersion.json["message"]
                == #"BackendTLSPolicy.gateway.networking.k8s.io "a" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update"#
        )
        let changed = put("b.example.com", rv: rv)
        #expect(changed.status == 200)
        #expect(changed.json["metadata"]?["generation"] == 2)
        let stale = put("c.example.com", rv: rv)
        #expect(stale.status == 409)
        #expect(
            stale.json["message"]
                == #"Operation cannot be fulfilled on backendtlspolicies.gateway.networking.k8s.io "a": the object has been modified; please apply your changes to the latest version and try again"#
        )
        let rv2 = try #require(changed.json["metadata"]?["resourceVersion"]?.stringValue)
        let labelsOnly = put("b.example.com", rv: rv2, labels: #","labels":{"x":"y"}"#)
        #expect(labelsOnly.json["metadata"]?["generation"] == 2)
        #expect(labelsOnly.json["metadata"]?["labels"]?["x"] == "y")
        let rv3 = try #require(labelsOnly.json["metadata"]?["resourceVersion"]?.stringValue)
        let noop = put("b.example.com", rv: rv3, labels: #","labels":{"x":"y"}"#)
        #expect(noop.json["metadata"]?["resourceVersion"]?.stringValue == rv3)
    }

    @Test func statusSubresourceSeparatesSpecAndStatus() throws {
        let t = try TestAPI()
        t.send("POST", TestAPI.policies, body: TestAPI.policy("a"))
        let status = #"{"ancestors":[{"ancestorRef":{"name":"gw"},"controllerName":"example.net/c","conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}]}"#
        let main = t.send(
            "PATCH", TestAPI.policies + "/a", body: #"{"status":\#(status),"spec":{"validation":{"hostname":"x.example.com"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(main.json["status"] == nil)
        #expect(main.json["spec"]?["validation"]?["hostname"] == "x.example.com")
        let sub = t.send(
            "PATCH", TestAPI.policies + "/a/status",
            body: #"{"status":\#(status),"spec":{"validation":{"hostname":"y.example.com"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(sub.status == 200)
        #expect(sub.json["spec"]?["validation"]?["hostname"] == "x.example.com")
        #expect(sub.json["status"]?["ancestors"]?[0]?["controllerName"] == "example.net/c")
        #expect(sub.json["metadata"]?["generation"] == 2)
    }

    @Test func jsonAndStrategicPatches() throws {
        let t = try TestAPI()
        t.send("POST", TestAPI.policies, body: TestAPI.policy("a"))
        let jsonPatch = t.send(
            "PATCH", TestAPI.policies + "/a",
            body: #"[{"op":"replace","path":"/spec/validation/hostname","value":"j.example.com"},{"op":"add","path":"/metadata/labels","value":{"k":"v"}}]"#,
            contentType: "application/json-patch+json")
        #expect(jsonPatch.json["spec"]?["validation"]?["hostname"] == "j.example.com")
        #expect(jsonPatch.json["metadata"]?["labels"]?["k"] == "v")
        let failed = t.send(
            "PATCH", TestAPI.policies + "/a", body: #"[{"op":"remove","path":"/spec/nothing"}]"#,
            contentType: "application/json-patch+json")
        #expect(failed.status == 422)
        #expect(t.send("PATCH", TestAPI.policies + "/a", body: "{}", contentType: "application/strategic-merge-patch+json").status == 415)

        let service = #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"name":"a","port":80},{"name":"b","port":81}]}}"#
        #expect(t.send("POST", "/api/v1/namespaces/default/services", body: service).status == 201)
        let smp = t.send(
            "PATCH", "/api/v1/namespaces/default/services/s",
            body: #"{"spec":{"$setElementOrder/ports":[{"port":81},{"port":82}],"ports":[{"name":"c","port":82},{"$patch":"delete","port":80}]}}"#,
            contentType: "application/strategic-merge-patch+json")
        #expect(smp.status == 200)
        let ports = smp.json["spec"]?["ports"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" }
        #expect(ports == ["b", "c"])
        #expect(smp.json["spec"]?["ports"]?[1]?["targetPort"] == 82)
        #expect(smp.json["spec"]?["type"] == "ClusterIP")
    }

    @Test func deletesHonourPreconditionsAndReturnKubeShapes() throws {
        let t = try TestAPI()
        let created = t.send("POST", TestAPI.policies, body: TestAPI.policy("a"))
        let uid = try #require(created.json["metadata"]?["uid"]?.stringValue)
        let wrong = t.send("DELETE", TestAPI.policies + "/a", body: #"{"preconditions":{"uid":"other"}}"#)
        #expect(wrong.status == 409)
        #expect(
            wrong.json["message"]
                == .string(
                    "Operation cannot be fulfilled on backendtlspolicies.gateway.networking.k8s.io \"a\": Precondition failed: UID in precondition: other, UID in object meta: \(uid)"
                ))
        let dry = t.send("DELETE", TestAPI.policies + "/a?dryRun=All")
        #expect(dry.status == 200)
        #expect(t.send("GET", TestAPI.policies + "/a").status == 200)
        let deleted = t.send("DELETE", TestAPI.policies + "/a", body: #"{"propagationPolicy":"Background"}"#)
        #expect(deleted.status == 200)
        #expect(deleted.json["kind"] == "BackendTLSPolicy")
        #expect(t.send("GET", TestAPI.policies + "/a").status == 404)

        t.send("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"cm"},"data":{"a":"1"}}"#)
        let core = t.send("DELETE", "/api/v1/namespaces/default/configmaps/cm")
        #expect(core.json["status"] == "Success")
        #expect(core.json["details"]?["kind"] == "configmaps")
        let protected = t.send("DELETE", "/api/v1/namespaces/default")
        #expect(protected.status == 403)
        #expect(protected.json["message"] == #"namespaces "default" is forbidden: this namespace may not be deleted"#)
    }

    @Test func dryRunStoresNothing() throws {
        let t = try TestAPI()
        let r = t.send("POST", TestAPI.policies + "?dryRun=All", body: TestAPI.policy("a"))
        #expect(r.status == 201)
        #expect(t.send("GET", TestAPI.policies + "/a").status == 404)
        #expect(t.send("POST", TestAPI.policies + "?dryRun=Some", body: TestAPI.policy("a")).status == 400)
    }

    @Test func namespacesCascadeAndHaveDefaults() throws {
        let t = try TestAPI()
        let ns = t.send("POST", "/api/v1/namespaces", body: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}}"#)
        #expect(ns.status == 201)
        #expect(ns.json["status"]?["phase"] == "Active")
        #expect(ns.json["metadata"]?["labels"]?["kubernetes.io/metadata.name"] == "team")
        let path = "/apis/gateway.networking.k8s.io/v1/namespaces/team/backendtlspolicies"
        #expect(t.send("POST", path, body: TestAPI.policy("a")).status == 201)
        #expect(t.send("DELETE", "/api/v1/namespaces/team").json["status"]?["phase"] == "Terminating")
        #expect(t.send("GET", path + "/a").status == 404)
    }
}

@Suite struct ListTests {
    func seeded() throws -> TestAPI {
        let t = try TestAPI()
        for (name, tier) in [("c", "web"), ("a", "db"), ("b", "web"), ("d", "cache")] {
            let r = t.send("POST", TestAPI.policies, body: TestAPI.policy(name, extra: #","labels":{"tier":"\#(tier)"}"#))
            #expect(r.status == 201)
        }
        return t
    }

    func names(_ json: JSONValue) -> [String] {
        (json["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
    }

    @Test(arguments: [
        ("", ["a", "b", "c", "d"]), ("labelSelector=tier%3Dweb", ["b", "c"]), ("labelSelector=tier!%3Dweb", ["a", "d"]),
        ("labelSelector=tier+in+(db,cache)", ["a", "d"]), ("labelSelector=tier+notin+(db)", ["b", "c", "d"]),
        ("labelSelector=tier", ["a", "b", "c", "d"]), ("labelSelector=!tier", []),
        ("fieldSelector=metadata.name%3Db", ["b"]), ("fieldSelector=metadata.name!%3Db", ["a", "c", "d"]),
    ])
    func selectors(query: String, expected: [String]) throws {
        let t = try seeded()
        let r = t.send("GET", TestAPI.policies + "?" + query)
        #expect(r.status == 200)
        #expect(names(r.json) == expected)
        #expect(r.json["kind"] == "BackendTLSPolicyList")
    }

    @Test func unsupportedFieldSelectorIs400() throws {
        let t = try seeded()
        let r = t.send("GET", TestAPI.policies + "?fieldSelector=spec.x%3D1")
        #expect(r.status == 400)
        #expect(r.json["message"] == "field label not supported: spec.x")
    }

    @Test func paginationWithContinue() throws {
        let t = try seeded()
        let first = t.send("GET", TestAPI.policies + "?limit=3")
        #expect(names(first.json) == ["a", "b", "c"])
        #expect(first.json["metadata"]?["remainingItemCount"] == 1)
        let token = try #require(first.json["metadata"]?["continue"]?.stringValue)
        let second = t.send("GET", TestAPI.policies + "?limit=3&continue=" + token)
        #expect(names(second.json) == ["d"])
        #expect(second.json["metadata"]?["continue"] == nil)
        #expect(t.send("GET", TestAPI.policies + "?continue=%%%").status == 400)
    }

    @Test func allNamespacesAndDeleteCollection() throws {
        let t = try seeded()
        #expect(names(t.send("GET", "/apis/gateway.networking.k8s.io/v1/backendtlspolicies").json) == ["a", "b", "c", "d"])
        #expect(t.send("DELETE", TestAPI.policies + "?labelSelector=tier%3Dweb").status == 200)
        #expect(names(t.send("GET", TestAPI.policies).json) == ["a", "d"])
    }

    @Test func tableFormatUsesCRDPrinterColumns() throws {
        let t = try seeded()
        let r = t.send(
            "GET", TestAPI.policies + "?limit=500",
            accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
        #expect(r.json["kind"] == "Table")
        #expect(r.json["columnDefinitions"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" } == ["Name", "Age"])
        #expect(r.json["columnDefinitions"]?[1]?["type"] == "date")
        #expect(r.json["rows"]?[0]?["cells"]?[0] == "a")
        #expect(r.json["rows"]?[0]?["cells"]?[1]?.stringValue?.hasSuffix("s") == true)
        #expect(r.json["rows"]?[0]?["object"]?["kind"] == "PartialObjectMetadata")
        let cm = t.send("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"cm"},"data":{"a":"1","b":"2"}}"#)
        #expect(cm.status == 201)
        let cms = t.send("GET", "/api/v1/namespaces/default/configmaps", accept: "application/json;as=Table;v=v1;g=meta.k8s.io")
        #expect(cms.json["columnDefinitions"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" } == ["Name", "Data", "Age"])
        #expect(cms.json["rows"]?[0]?["cells"]?[1] == 2)
    }
}

@Suite struct FieldValidationAndApplyTests {
    static let apply = "application/apply-patch+yaml"

    @Test func serverSideApplyCreatesConflictsAndForces() throws {
        let t = try TestAPI()
        let created = t.send(
            "PATCH", TestAPI.policies + "/a?fieldManager=alice", body: TestAPI.policy("a"), contentType: Self.apply)
        #expect(created.status == 201)
        let rv = created.json["metadata"]?["resourceVersion"]
        #expect(created.json["metadata"]?["managedFields"]?[0]?["operation"] == "Apply")
        let again = t.send(
            "PATCH", TestAPI.policies + "/a?fieldManager=alice", body: TestAPI.policy("a"), contentType: Self.apply)
        #expect(again.status == 200)
        #expect(again.json["metadata"]?["resourceVersion"] == rv)
        let conflict = t.send(
            "PATCH", TestAPI.policies + "/a?fieldManager=bob", body: TestAPI.policy("a", hostname: "b.example.com"),
            contentType: Self.apply)
        #expect(conflict.status == 409)
        #expect(
            conflict.text
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 1 conflict: conflict with \"alice\": .spec.validation.hostname","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"alice\"","field":".spec.validation.hostname"}]},"code":409}"#
        )
        let shared = t.send(
            "PATCH", TestAPI.policies + "/a?fieldManager=bob", body: TestAPI.policy("a"), contentType: Self.apply)
        #expect(shared.status == 200)
        let forced = t.send(
            "PATCH", TestAPI.policies + "/a?fieldManager=bob&force=true", body: TestAPI.policy("a", hostname: "b.example.com"),
            contentType: Self.apply)
        #expect(forced.status == 200)
        #expect(forced.json["spec"]?["validation"]?["hostname"] == "b.example.com")
        let managers = forced.json["metadata"]?["managedFields"]?.arrayValue ?? []
        #expect(managers.map { $0["manager"]?.stringValue ?? "" } == ["alice", "bob"])
        #expect(
            managers[0]["fieldsV1"]?.compactJSON
                == #"{"f:spec":{"f:targetRefs":{},"f:validation":{"f:caCertificateRefs":{}}}}"#)
    }

    @Test func applyRemovesFieldsItNoLongerSets() throws {
        let t = try TestAPI()
        let withLabel = TestAPI.policy("a", extra: #","labels":{"x":"1","y":"2"}"#)
        t.send("PATCH", TestAPI.policies + "/a?fieldManager=m", body: withLabel, contentType: Self.apply)
        let fewer = TestAPI.policy("a", extra: #","labels":{"x":"1"}"#)
        let r = t.send("PATCH", TestAPI.policies + "/a?fieldManager=m", body: fewer, contentType: Self.apply)
        #expect(r.json["metadata"]?["labels"]?.compactJSON == #"{"x":"1"}"#)
    }

    @Test func applyConflictWithUpdateManagerNamesItsVersion() throws {
        let t = try TestAPI()
        t.send("POST", TestAPI.policies + "?fieldManager=kubectl-client-side-apply", body: TestAPI.policy("a"))
        let r = t.send(
            "PATCH", TestAPI.policies + "/a?fieldManager=kubectl", body: TestAPI.policy("a", hostname: "z.example.com"),
            contentType: Self.apply)
        #expect(
            r.json["message"]
                == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using gateway.networking.k8s.io/v1: .spec.validation.hostname"#
        )
    }

    @Test func applyNeedsAFieldManager() throws {
        let t = try TestAPI()
        let r = t.send("PATCH", TestAPI.policies + "/a", body: TestAPI.policy("a"), contentType: Self.apply)
        #expect(r.status == 422)
        #expect(
            r.json["message"]
                == "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
    }

    @Test func duplicateFieldsFollowFieldValidation() throws {
        let t = try TestAPI()
        let body = String(TestAPI.policy("a").replacingOccurrences(of: #""name":"a""#, with: #""name":"a","name":"a""#))
        let strict = t.send("POST", TestAPI.policies + "?fieldValidation=Strict", body: body)
        #expect(strict.status == 400)
        #expect(
            strict.json["message"]
                == #"BackendTLSPolicy in version "v1" cannot be handled as a BackendTLSPolicy: strict decoding error: duplicate field "metadata.name""#
        )
        let warn = t.send("POST", TestAPI.policies + "?fieldValidation=Warn", body: body)
        #expect(warn.status == 201)
        #expect(warn.headers.contains { $0.0 == "Warning" && $0.1 == #"299 - "duplicate field \"metadata.name\"""# })
        #expect(t.send("POST", TestAPI.policies + "?fieldValidation=Loose", body: body).status == 400)
    }

    @Test func unknownFieldsAreRejectedWarnedOrDropped() throws {
        let t = try TestAPI()
        let body = TestAPI.policy("a").replacingOccurrences(of: #""spec":{"#, with: #""spec":{"foo":1,"#)
        let strict = t.send("POST", TestAPI.policies + "?fieldValidation=Strict", body: body)
        #expect(strict.status == 400)
        #expect(
            strict.json["message"]
                == #"BackendTLSPolicy in version "v1" cannot be handled as a BackendTLSPolicy: strict decoding error: unknown field "spec.foo""#
        )
        let warn = t.send("POST", TestAPI.policies + "?fieldValidation=Warn", body: body)
        #expect(warn.status == 201)
        #expect(warn.json["spec"]?["foo"] == nil)
        #expect(warn.headers.contains { $0.0 == "Warning" && $0.1 == #"299 - "unknown field \"spec.foo\"""# })
        let apply = t.send(
            "PATCH", TestAPI.policies + "/b?fieldManager=m&fieldValidation=Strict",
            body: body.replacingOccurrences(of: #""name":"a""#, with: #""name":"b""#), contentType: "application/apply-patch+yaml")
        #expect(apply.status == 400)
        #expect(apply.json["message"] == ".spec.foo: field not declared in schema")
    }

    @Test func schemaAndCELErrorsAre422WithCauses() throws {
        let t = try TestAPI()
        let body = TestAPI.policy("a", hostname: "Bad_Host").replacingOccurrences(
            of: #""caCertificateRefs":[{"group":"","kind":"ConfigMap","name":"auth-cert"}],"#, with: "")
        let r = t.send("POST", TestAPI.policies, body: body)
        #expect(r.status == 422)
        #expect(
            r.json["message"]
                == #"BackendTLSPolicy.gateway.networking.k8s.io "a" is invalid: [spec.validation.hostname: Invalid value: "Bad_Host": spec.validation.hostname in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', spec.validation: Invalid value: "object": must specify either CACertificateRefs or WellKnownCACertificates]"#
        )
        #expect(r.json["details"]?["causes"]?.arrayValue?.count == 2)
        #expect(r.json["details"]?["kind"] == "BackendTLSPolicy")
        #expect(r.json["details"]?["causes"]?[1]?["field"] == "spec.validation")
        let yaml = "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata:\n  name: from-yaml\nspec:\n  targetRefs: []\n  validation:\n    hostname: a.example.com\n    wellKnownCACertificates: System\n"
        let applied = t.send("PATCH", TestAPI.policies + "/from-yaml?fieldManager=m", body: yaml, contentType: "application/apply-patch+yaml")
        #expect(applied.status == 422)
        #expect(
            applied.json["message"]
                == #"BackendTLSPolicy.gateway.networking.k8s.io "from-yaml" is invalid: spec.targetRefs: Invalid value: 0: spec.targetRefs in body should have at least 1 items"#
        )
    }
}

@Suite struct DiscoveryTests {
    @Test func aggregatedDiscoveryAnswersWithItsContentType() throws {
        let t = try TestAPI()
        let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        let r = t.send("GET", "/apis", accept: accept)
        #expect(r.headers.first { $0.0 == "Content-Type" }?.1 == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        let resource = r.json["items"]?[0]?["versions"]?[0]?["resources"]?.arrayValue?.first {
            $0["resource"] == "backendtlspolicies"
        }
        #expect(resource?["shortNames"] == ["btlspolicy"])
        #expect(resource?["categories"] == ["gateway-api"])
        #expect(resource?["scope"] == "Namespaced")
        #expect(resource?["subresources"]?[0]?["subresource"] == "status")
        let core = t.send("GET", "/api", accept: accept)
        #expect(core.json["items"]?[0]?["metadata"]?["name"] == nil)
        #expect(t.send("GET", "/api").json["versions"] == ["v1"])
    }

    @Test func legacyDocuments() throws {
        let t = try TestAPI()
        #expect(t.send("GET", "/apis").json["groups"]?[0]?["name"] == "gateway.networking.k8s.io")
        let list = t.send("GET", "/apis/gateway.networking.k8s.io/v1").json
        let names = list["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["backendtlspolicies", "backendtlspolicies/status", "httproutes", "httproutes/status"])
        #expect(t.send("GET", "/version").json["minor"] == "32")
        #expect(t.send("GET", "//healthz", token: nil).text == "ok")
    }

    @Test func openAPIIndexCarriesTheProjectPrefixAndFieldValidation() throws {
        let t = try TestAPI()
        let index = t.send("GET", "/openapi/v3").json
        let url = try #require(index["paths"]?["apis/gateway.networking.k8s.io/v1"]?["serverRelativeURL"]?.stringValue)
        #expect(url.hasPrefix(TestAPI.base + "/openapi/v3/apis/gateway.networking.k8s.io/v1?hash="))
        let doc = t.send("GET", "/" + url).json
        let item = doc["paths"]?["/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/backendtlspolicies/{name}"]
        let params = item?["patch"]?["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(params == ["dryRun", "fieldManager", "fieldValidation", "force"])
        #expect(item?["patch"]?["x-kubernetes-group-version-kind"]?["kind"] == "BackendTLSPolicy")
        let schema = doc["components"]?["schemas"]?["io.k8s.networking.gateway.v1.BackendTLSPolicy"]
        #expect(schema?["properties"]?["metadata"]?["allOf"]?[0]?["$ref"] == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        #expect(schema?["required"] == ["spec"])
        #expect(doc["components"]?["schemas"]?["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] != nil)
        #expect(doc["components"]?["schemas"]?["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]?["_source"] == nil)
    }
}

@Suite struct ApplyRemovalTests {
    @Test func removingTheLastLabelDropsTheEmptyMap() throws {
        let t = try TestAPI()
        let apply = "application/apply-patch+yaml"
        t.send("PATCH", TestAPI.policies + "/a?fieldManager=m", body: TestAPI.policy("a", extra: #","labels":{"x":"1"}"#), contentType: apply)
        let r = t.send("PATCH", TestAPI.policies + "/a?fieldManager=m", body: TestAPI.policy("a"), contentType: apply)
        #expect(r.json["metadata"]?["labels"] == nil)
        #expect(r.json["metadata"]?["name"] == "a")
    }
}

@Suite struct ConcurrencyTests {
    @Test func parallelWritersLoseNoUpdates() throws {
        let t = try TestAPI()
        #expect(t.send("POST", TestAPI.policies, body: TestAPI.policy("shared")).status == 201)
        let api = t.api
        DispatchQueue.concurrentPerform(iterations: 8) { writer in
            for round in 1...25 {
                let patch = #"{"metadata":{"labels":{"w\#(writer)":"\#(round)"}}}"#
                let response = api.handle(
                    SandboxRequest(
                        method: "PATCH", target: TestAPI.base + TestAPI.policies + "/shared",
                        headers: ["Authorization": "Bearer \(TestAPI.token)", "Content-Type": "application/merge-patch+json"],
                        body: Array(patch.utf8)))
                #expect(response.status == 200)
                let apply = #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy","metadata":{"name":"shared","annotations":{"a\#(writer)":"\#(round)"}}}"#
                let applied = api.handle(
                    SandboxRequest(
                        method: "PATCH", target: TestAPI.base + TestAPI.policies + "/shared?fieldManager=m\(writer)",
                        headers: ["Authorization": "Bearer \(TestAPI.token)", "Content-Type": "application/apply-patch+yaml"],
                        body: Array(apply.utf8)))
                #expect(applied.status == 200)
            }
        }
        let final = t.send("GET", TestAPI.policies + "/shared").json
        for writer in 0..<8 {
            #expect(final["metadata"]?["labels"]?["w\(writer)"] == "25")
            #expect(final["metadata"]?["annotations"]?["a\(writer)"] == "25")
        }
        // 1 create + 8 × 25 × 2 writes, each with its own resourceVersion.
        let created = Int(t.send("GET", "/api/v1/namespaces/default").json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
        #expect(Int(final["metadata"]?["resourceVersion"]?.stringValue ?? "") == created + 401)
    }
}

@Suite struct MetadataOnlyValidationTests {
    @Test func metadataOnlyWritesStillCheckObjectMeta() throws {
        let t = try TestAPI()
        t.send("POST", TestAPI.policies, body: TestAPI.policy("a"))
        let bad = t.send(
            "PATCH", TestAPI.policies + "/a", body: #"{"metadata":{"labels":{"tier":"not valid!"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(bad.status == 422)
        #expect(bad.json["details"]?["causes"]?[0]?["field"] == "metadata.labels")
        let good = t.send(
            "PATCH", TestAPI.policies + "/a", body: #"{"metadata":{"labels":{"tier":"web"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(good.status == 200)
    }
}

@Suite struct ResetFieldsTests {
    @Test func mainWritesNeverOwnStatusAndStatusWritesOwnOnlyStatus() throws {
        let t = try TestAPI()
        let service = t.send(
            "POST", "/api/v1/namespaces/default/services?fieldManager=creator",
            body: #"{"metadata":{"name":"s"},"spec":{"ports":[{"port":80}]}}"#)
        let fields = service.json["metadata"]?["managedFields"]?[0]?["fieldsV1"]
        #expect(fields?["f:status"] == nil)
        #expect(fields?["f:spec"]?["f:ports"] != nil)
        t.send("POST", TestAPI.policies, body: TestAPI.policy("a"))
        let status = #"{"status":{"ancestors":[{"ancestorRef":{"name":"gw"},"controllerName":"example.net/c","conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}]}}"#
        let r = t.send(
            "PATCH", TestAPI.policies + "/a/status?fieldManager=ctl", body: status, contentType: "application/merge-patch+json")
        let entry = r.json["metadata"]?["managedFields"]?.arrayValue?.first { $0["manager"] == "ctl" }
        #expect(entry?["subresource"] == "status")
        #expect(entry?["fieldsV1"]?.compactJSON == #"{"f:status":{".":{},"f:ancestors":{}}}"#)
    }
}
