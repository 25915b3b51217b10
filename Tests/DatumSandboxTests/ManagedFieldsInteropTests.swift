import DatumJSON
import Testing

@testable import DatumSandbox

/// Server-side apply meeting kubectl's client-side apply, as kube-apiserver handles it:
/// managed fields written by a JSON patch, kubectl's leniency for what it applied client-side,
/// and the upkeep of the last-applied annotation.
@Suite struct ManagedFieldsInteropTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"
    static let apply = "application/apply-patch+yaml"
    static let annotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// A ConfigMap `c` as kubectl's client-side apply creates it: the annotation holds the
    /// manifest, and manager `kubectl-client-side-apply` owns everything it set.
    static func clientSideCreate(_ t: TestAPI, a: String = "1") -> JSONValue {
        let lastApplied =
            #"{"apiVersion":"v1","data":{"a":"\#(a)","b":"2"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"c","namespace":"default"}}\n"#
        let body =
            #"{"apiVersion":"v1","data":{"a":"\#(a)","b":"2"},"kind":"ConfigMap","metadata":{"annotations":{"\#(annotation)":"\#(lastApplied.replacingOccurrences(of: "\"", with: "\\\""))"},"name":"c","namespace":"default"}}"#
        return t.send("POST", configMaps + "?fieldManager=kubectl-client-side-apply", body: body).json
    }

    static func config(a: String, b: String? = "2") -> String {
        let data = b.map { #"{"a":"\#(a)","b":"\#($0)"}"# } ?? #"{"a":"\#(a)"}"#
        return #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"},"data":\#(data)}"#
    }

    static func managers(_ object: JSONValue) -> [String] {
        (object["metadata"]?["managedFields"]?.arrayValue ?? []).map {
            ($0["manager"]?.stringValue ?? "") + "/" + ($0["operation"]?.stringValue ?? "")
        }
    }

    static func entry(_ manager: String, in object: JSONValue) -> JSONValue? {
        object["metadata"]?["managedFields"]?.arrayValue?.first { $0["manager"]?.stringValue == manager }
    }

    @Test func aJSONPatchRewritesManagedFieldsUnderAResourceVersionPrecondition() throws {
        let t = try TestAPI()
        let created = Self.clientSideCreate(t)
        let version = try #require(created["metadata"]?["resourceVersion"]?.stringValue)
        var entry = try #require(created["metadata"]?["managedFields"]?[0])
        entry["manager"] = "datumctl"
        entry["operation"] = "Apply"
        let patch: JSONValue = [
            ["op": "replace", "path": "/metadata/managedFields", "value": [entry]],
            ["op": "replace", "path": "/metadata/resourceVersion", "value": .string(version)],
        ]
        let body = GoJSONEncoder.compact.encode(patch)
        let upgraded = t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=datumctl", body: body,
            contentType: "application/json-patch+json")
        #expect(upgraded.status == 200)
        #expect(Self.managers(upgraded.json) == ["datumctl/Apply"])
        #expect(upgraded.json["metadata"]?["managedFields"]?[0]?["fieldsV1"] == entry["fieldsV1"])
        #expect(upgraded.json["metadata"]?["resourceVersion"] != .string(version))
        #expect(upgraded.json["data"] == created["data"])

        // The same patch again names a resourceVersion that is gone: 409, nothing written.
        let stale = t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=datumctl", body: body,
            contentType: "application/json-patch+json")
        #expect(stale.status == 409)
        #expect(stale.json["reason"] == "Conflict")
        #expect(t.send("GET", Self.configMaps + "/c").json == upgraded.json)

        // Now the manager's own fields: a changed value is no conflict, and fields it no longer
        // applies go, the annotation among them (nobody else owns it).
        let applied = t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=datumctl", body: Self.config(a: "10", b: nil),
            contentType: Self.apply)
        #expect(applied.status == 200)
        #expect(applied.json["data"] == ["a": "10"])
        #expect(applied.json["metadata"]?["annotations"] == nil)
        #expect(Self.managers(applied.json) == ["datumctl/Apply"])
        #expect(applied.json["metadata"]?["managedFields"]?[0]?["fieldsV1"] == ["f:data": ["f:a": [:]]])
    }

    @Test func updatesWithoutManagedFieldsOrWithBrokenOnesKeepTheLiveOnes() throws {
        let t = try TestAPI()
        let created = Self.clientSideCreate(t)
        let live = created["metadata"]?["managedFields"]
        // A merge patch that does not mention them, and one with an entry the server cannot decode.
        let merge = t.send(
            "PATCH", Self.configMaps + "/c", body: #"{"metadata":{"labels":{"x":"y"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(Self.entry("kubectl-client-side-apply", in: merge.json) == live?[0])
        let broken = t.send(
            "PATCH", Self.configMaps + "/c",
            body: #"{"metadata":{"labels":{"x":"z"},"managedFields":[{"manager":"m","operation":"Bogus"}]}}"#,
            contentType: "application/merge-patch+json")
        #expect(Self.entry("kubectl-client-side-apply", in: broken.json) == live?[0])
        // `[]` resets them: only the update itself is recorded.
        let reset = t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=resetter",
            body: #"{"metadata":{"labels":{"x":"w"},"managedFields":[]}}"#, contentType: "application/merge-patch+json")
        #expect(Self.managers(reset.json) == ["resetter/Update"])
    }

    @Test func kubectlMayTakeOverWhatItAppliedClientSide() throws {
        let t = try TestAPI()
        _ = Self.clientSideCreate(t)
        // Another manager conflicts on the changed field, as in kube-apiserver.
        let other = t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=datumctl", body: Self.config(a: "10"), contentType: Self.apply)
        #expect(other.status == 409)
        #expect(
            other.json["message"]
                == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a"#)
        // kubectl does not: the field is in the annotation with the live value.
        let kubectl = t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=kubectl", body: Self.config(a: "10"), contentType: Self.apply)
        #expect(kubectl.status == 200)
        #expect(kubectl.json["data"] == ["a": "10", "b": "2"])
        #expect(Self.managers(kubectl.json) == ["kubectl/Apply", "kubectl-client-side-apply/Update"])
        // ... and the server rewrites the annotation it found to the applied configuration.
        #expect(
            kubectl.json["metadata"]?["annotations"]?[Self.annotation]
                == .string(
                    Self.config(a: "10").replacingOccurrences(
                        of:
                            #""kind":"ConfigMap","metadata":{"name":"c","namespace":"default"},"data":{"a":"10","b":"2"}"#,
                        with:
                            #""data":{"a":"10","b":"2"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}"#
                    ) + "\n"))
    }

    @Test func kubectlStillConflictsOnFieldsChangedSinceItsClientSideApply() throws {
        let t = try TestAPI()
        _ = Self.clientSideCreate(t)
        // Someone else changed data.a after the client-side apply: the annotation no longer vouches for it.
        t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=editor", body: #"{"data":{"a":"5"}}"#,
            contentType: "application/merge-patch+json")
        let kubectl = t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=kubectl", body: Self.config(a: "10"), contentType: Self.apply)
        #expect(kubectl.status == 409)
        #expect(kubectl.json["message"] == #"Apply failed with 1 conflict: conflict with "editor" using v1: .data.a"#)
    }

    @Test func theAnnotationIsLeftAloneForOtherManagersAndWhenAbsent() throws {
        let t = try TestAPI()
        let plain =
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"},"data":{"a":"1"}}"#
        let created = t.send(
            "PATCH", Self.configMaps + "/c?fieldManager=kubectl", body: plain, contentType: Self.apply)
        #expect(created.json["metadata"]?["annotations"] == nil)
    }

    @Test func anObjectOwnedAsAWholeLosesOnlyWhatNobodyOwns() throws {
        var live: JSONObject = ["metadata": ["name": "c"], "data": ["a": "1", "b": "2"]]
        let entry = ManagedFieldsEntry(
            manager: "m", operation: "Apply", apiVersion: "v1", time: "t",
            fields: FieldSet(fieldsV1: ["f:data": [".": [:], "f:a": [:], "f:b": [:]]]), subresource: "")
        live["metadata"]?["managedFields"] = [entry.json]
        let config: JSONObject = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["a": "3"],
        ]
        let result = FieldManagement.apply(
            live: live, config: config, manager: "m", apiVersion: "v1", subresource: "", force: false, time: "t2",
            includeStatus: true, includeSpec: true)
        guard case .success(let applied) = result else {
            Issue.record("apply failed: \(result)")
            return
        }
        #expect(applied.object["data"] == ["a": "3"])
    }

    @Test func anApplyMayNotBringManagedFields() throws {
        let t = try TestAPI()
        let body =
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","managedFields":[]},"data":{"a":"1"}}"#
        let r = t.send("PATCH", Self.configMaps + "/c?fieldManager=m", body: body, contentType: Self.apply)
        #expect(r.status == 400)
        #expect(r.json["message"] == "metadata.managedFields must be nil")
        let null = body.replacingOccurrences(of: #""managedFields":[]"#, with: #""managedFields":null"#)
        #expect(
            t.send("PATCH", Self.configMaps + "/c?fieldManager=m", body: null, contentType: Self.apply).status == 201)
    }
}
