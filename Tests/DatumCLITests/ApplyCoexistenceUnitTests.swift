import DatumHTTP
import DatumJSON
import Testing

@testable import DatumCLI

/// The client side of datumctl's coexistence with kubectl: the upgrade of objects kubectl
/// applied client-side (client-go's csaupgrade), and the advice for kubectl's own appliers.
@Suite struct ApplyCoexistenceUnitTests {
    static let annotation = "kubectl.kubernetes.io/last-applied-configuration"

    static func entry(_ manager: String, _ operation: String, _ fields: JSONValue, apiVersion: String = "v1")
        -> JSONValue
    {
        [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields,
        ]
    }

    static let clientSideFields: JSONValue = [
        "f:data": [".": [:], "f:a": [:]],
        "f:metadata": ["f:annotations": [".": [:], "f:\(annotation)": [:]]],
    ]

    @Test func theFirstClientSideEntryBecomesTheApplyEntryWhenThereIsNone() throws {
        let entries = [Self.entry("kubectl-client-side-apply", "Update", Self.clientSideFields)]
        let upgraded = try #require(
            ClientSideApplyUpgrade.upgraded(
                entries, clientSideManagers: ["kubectl-client-side-apply"], manager: "datumctl"))
        #expect(upgraded == [Self.entry("datumctl", "Apply", Self.clientSideFields)])
    }

    @Test func clientSideFieldsJoinAnExistingApplyEntryOfTheSameVersionOnly() throws {
        let entries = [
            Self.entry("datumctl", "Apply", ["f:data": ["f:b": [:]]]),
            Self.entry("editor", "Update", ["f:data": ["f:c": [:]]]),
            Self.entry("kubectl-client-side-apply", "Update", Self.clientSideFields),
            Self.entry("kubectl-client-side-apply", "Update", ["f:data": ["f:z": [:]]], apiVersion: "v0"),
        ]
        let upgraded = try #require(
            ClientSideApplyUpgrade.upgraded(
                entries, clientSideManagers: ["kubectl-client-side-apply"], manager: "datumctl"))
        let merged: JSONValue = [
            "f:data": [".": [:], "f:a": [:], "f:b": [:]],
            "f:metadata": ["f:annotations": [".": [:], "f:\(Self.annotation)": [:]]],
        ]
        // The entry of another apiVersion is dropped, not merged, as csaupgrade does.
        #expect(upgraded == [Self.entry("datumctl", "Apply", merged), entries[1]])
        #expect(
            GoJSONEncoder.compact.encode(upgraded[0]["fieldsV1"] ?? .null)
                == #"{"f:data":{".":{},"f:a":{},"f:b":{}},"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}"#
        )
    }

    @Test func nothingToDoWithoutClientSideManagers() {
        let entries = [Self.entry("datumctl", "Apply", ["f:data": ["f:b": [:]]])]
        #expect(ClientSideApplyUpgrade.upgraded(entries, clientSideManagers: ["x"], manager: "datumctl") == nil)
        let object: JSONValue = ["metadata": ["managedFields": .array(entries)]]
        #expect(ClientSideApplyUpgrade.plan(for: object, manager: "datumctl") == nil)
    }

    @Test func thePlanFindsUpdateOwnersOfTheAnnotationAndSavesItOnlyForKubectl() {
        let object: JSONValue = [
            "metadata": [
                "annotations": [.init(stringLiteral: Self.annotation): "{}"],
                "managedFields": [
                    Self.entry("kubectl-client-side-apply", "Update", Self.clientSideFields),
                    Self.entry("editor", "Update", ["f:data": ["f:c": [:]]]),
                ],
            ]
        ]
        #expect(
            ClientSideApplyUpgrade.plan(for: object, manager: "datumctl")
                == .init(saveAnnotation: false, clientSideManagers: ["kubectl-client-side-apply"]))
        #expect(
            ClientSideApplyUpgrade.plan(for: object, manager: "kubectl")
                == .init(saveAnnotation: true, clientSideManagers: ["kubectl-client-side-apply"]))
        #expect(ApplyEngine.mayNeedUpgrade(ServerObject(object)))
        #expect(
            !ApplyEngine.mayNeedUpgrade(
                ServerObject(["metadata": ["annotations": [.init(stringLiteral: Self.annotation): "{}"]]])))
    }

    @Test func thePatchReplacesManagedFieldsAndTheResourceVersion() {
        let entries = [Self.entry("datumctl", "Apply", ["f:data": ["f:a": [:]]])]
        let text = String(
            decoding: ClientSideApplyUpgrade.patch(managedFields: entries, resourceVersion: "7"), as: UTF8.self)
        #expect(
            text
                == #"[{"op":"replace","path":"/metadata/managedFields","value":[{"manager":"datumctl","operation":"Apply","apiVersion":"v1","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}}]},{"op":"replace","path":"/metadata/resourceVersion","value":"7"}]"#
        )
    }

    @Test func theAnnotationAloneIsWhatKubectlSavesAsKubectlLastApplied() {
        let object: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": "c", "namespace": "n",
                "annotations": [.init(stringLiteral: Self.annotation): "x", "other": "y"],
            ],
            "data": ["a": "1"],
        ]
        #expect(
            ClientSideApplyUpgrade.annotationOnly(object)
                == [
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": [
                        "name": "c", "namespace": "n", "annotations": [.init(stringLiteral: Self.annotation): "x"],
                    ],
                ])
    }

    @Test(arguments: [
        (#"Apply failed with 1 conflict: conflict with "kubectl": .data.a"#, true),
        ("Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .data.a\n- .data.b", true),
        (#"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a"#, false),
        (#"Apply failed with 1 conflict: conflict with "kubectl" using v1: .data.a"#, false),
        (#"Apply failed with 1 conflict: conflict with "team-a": .data.a"#, false),
    ])
    func kubectlAdviceOnlyForKubectlsServerSideApply(_ message: String, _ expected: Bool) {
        #expect(ObjectFailure.conflictsWithKubectlApply(message) == expected)
    }

    @Test(
        arguments: [
            (#"conflict with "kubectl-client-side-apply" using v1"#, "kubectl-client-side-apply"),
            (#"conflict with "team a\"s" using v1"#, #"team a"s"#),
            (#"conflict with "kubectl""#, "kubectl"),
            ("conflict with kubectl", nil),
        ] as [(String, String?)])
    func conflictCausesNameTheirManager(_ message: String, _ manager: String?) {
        #expect(ApplyEngine.quotedManager(message) == manager)
    }

    @Test func conflictingManagersNeedEveryCauseToBeAFieldManagerConflict() {
        func error(_ causes: JSONValue) -> APIError {
            let status: JSONValue = [
                "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 409, "reason": "Conflict",
                "message": "m", "details": ["causes": causes],
            ]
            return APIError(response: ApplyUnitTests.response(409, status))
        }
        let csa: JSONValue = [
            "reason": "FieldManagerConflict", "message": #"conflict with "kubectl-client-side-apply" using v1"#,
            "field": ".data.a",
        ]
        #expect(ApplyEngine.conflictingManagers(error([csa])) == ["kubectl-client-side-apply"])
        #expect(ApplyEngine.conflictingManagers(error([csa, ["reason": "FieldValueInvalid", "message": "x"]])) == [])
        #expect(ApplyEngine.conflictingManagers(error([])) == [])
    }
}
