import DatumJSON
import Testing

@testable import DatumCLI

/// How `wait` reads conditions and JSONPath values, on objects written out by hand.
@Suite struct WaitConditionTests {
    static func policy(generation: Int64, ancestors: [[JSONValue]]) -> JSONValue {
        [
            "metadata": ["name": "p", "generation": .int(generation)],
            "status": [
                "ancestors": .array(
                    ancestors.map { conditions in
                        ["ancestorRef": ["name": "gw"], "controllerName": "x", "conditions": .array(conditions)]
                    })
            ],
        ]
    }

    static func condition(_ type: String, _ status: String, observed: Int64) -> JSONValue {
        ["type": .string(type), "status": .string(status), "observedGeneration": .int(observed)]
    }

    @Test func everyAncestorMustReportTheConditionForTheCurrentGeneration() {
        let accepted = Self.condition("Accepted", "True", observed: 2)
        #expect(WaitCommand.conditionMet(Self.policy(generation: 2, ancestors: [[accepted]]), name: "accepted", value: "true"))
        #expect(WaitCommand.conditionMet(Self.policy(generation: 2, ancestors: [[accepted], [accepted]]), name: "Accepted", value: "TRUE"))
        // One ancestor still on the old generation, or without the condition, or saying False.
        let stale = Self.condition("Accepted", "True", observed: 1)
        #expect(!WaitCommand.conditionMet(Self.policy(generation: 2, ancestors: [[accepted], [stale]]), name: "Accepted", value: "True"))
        #expect(!WaitCommand.conditionMet(Self.policy(generation: 2, ancestors: [[accepted], []]), name: "Accepted", value: "True"))
        let refused = Self.condition("Accepted", "False", observed: 2)
        #expect(!WaitCommand.conditionMet(Self.policy(generation: 2, ancestors: [[refused]]), name: "Accepted", value: "True"))
        #expect(WaitCommand.conditionMet(Self.policy(generation: 2, ancestors: [[refused]]), name: "Accepted", value: "False"))
        // No ancestors yet: nothing has accepted the policy.
        #expect(!WaitCommand.conditionMet(Self.policy(generation: 1, ancestors: []), name: "Accepted", value: "True"))
    }

    @Test func statusConditionsAreReadAsKubectlReadsThem() {
        let object: JSONValue = [
            "metadata": ["generation": 3],
            "status": [
                "observedGeneration": 2,
                "conditions": [["type": "Ready", "status": "True"]],
            ],
        ]
        // The status's observedGeneration stands in for the condition's own, and is older.
        #expect(!WaitCommand.conditionMet(object, name: "Ready", value: "True"))
        var current = object
        current["status"]?["observedGeneration"] = 3
        #expect(WaitCommand.conditionMet(current, name: "ready", value: "true"))
    }

    @Test func conditionsParseAsKubectlParsesThem() throws {
        #expect(try WaitCommand.Condition.parse("Delete") == .delete)
        #expect(try WaitCommand.Condition.parse("condition=Accepted") == .condition(name: "Accepted", value: "true"))
        #expect(try WaitCommand.Condition.parse("condition=Accepted=False") == .condition(name: "Accepted", value: "False"))
        #expect(try WaitCommand.Condition.parse("jsonpath={.a}=x") == .jsonPath(template: "{.a}", value: "x"))
        #expect(try WaitCommand.Condition.parse("jsonpath=.a") == .jsonPath(template: "{.a}", value: nil))
        #expect(WaitCommand.Condition.splitJSONPathInput("a.b.c====d.e.f===g.h.i===") == ["a.b.c====d.e.f==", "g.h.i==", ""])
        #expect(throws: CLIError.self) { try WaitCommand.Condition.parse("ready") }
        #expect(throws: CLIError.self) { try WaitCommand.Condition.parse("jsonpath={.a}=''") }
        #expect(throws: CLIError.self) { try WaitCommand.Condition.parse("jsonpath={.a}=b=c") }
    }

    @Test func jsonPathValuesCompareAsText() throws {
        let object: JSONValue = ["spec": ["replicas": 3, "ratio": 1.5, "on": true, "list": [1, 2], "name": " x "]]
        #expect(try WaitCommand.jsonPathMet(object, template: "{.spec.replicas}", value: "3"))
        #expect(try WaitCommand.jsonPathMet(object, template: "{.spec.ratio}", value: "1.5"))
        #expect(try WaitCommand.jsonPathMet(object, template: "{.spec.on}", value: "true"))
        #expect(try WaitCommand.jsonPathMet(object, template: "{.spec.name}", value: "x"))
        #expect(try !WaitCommand.jsonPathMet(object, template: "{.spec.missing}", value: "x"))
        #expect(try WaitCommand.jsonPathMet(object, template: "{.spec.name}", value: nil))
        #expect(throws: CLIError.self) { try WaitCommand.jsonPathMet(object, template: "{.spec.list}", value: "x") }
        #expect(throws: CLIError.self) { try WaitCommand.jsonPathMet(object, template: "{.spec.list[*]}", value: "1") }
    }
}
