import DatumJSON
import GoCompat
import Testing

@testable import DatumKit

/// One edit of the base object and the exact errors it must produce.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var name: String
    var edits: [(path: String, value: JSONValue?)]
    var mode: ValidationMode = .create
    var errors: [String]
    var testDescription: String { name }
}

enum RuleFixtures {
    static let notice =
        #"<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"#

    static let groupPattern = #"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
    static let kindPattern = #"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"#
    static let dnsPattern = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
    static let sanHostnamePattern = #"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
    static let namespacePattern = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"#
    static let controllerPattern =
        #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$"#
    static let reasonPattern = #"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"#
    static let conditionTypePattern =
        #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#

    static let mustSpecifyEither =
        #"spec.validation: Invalid value: "object": must specify either CACertificateRefs or WellKnownCACertificates"#

    static let policy: JSONValue = [
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "BackendTLSPolicy",
        "metadata": ["name": "policy", "namespace": "default"],
        "spec": [
            "targetRefs": [["group": "", "kind": "Service", "name": "backend"]],
            "validation": [
                "caCertificateRefs": [["group": "", "kind": "ConfigMap", "name": "ca"]],
                "hostname": "backend.example.com",
            ],
        ],
    ]

    static let status: JSONValue = [
        "ancestors": [
            [
                "ancestorRef": [
                    "group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw", "namespace": "default",
                    "sectionName": "https", "port": 443,
                ],
                "controllerName": "example.net/gateway-controller",
                "conditions": [
                    [
                        "type": "Accepted", "status": "True", "reason": "Accepted", "message": "ok",
                        "lastTransitionTime": "2024-01-01T00:00:00Z", "observedGeneration": 1,
                    ]
                ],
            ]
        ]
    ]

    static let policyWithStatus: JSONValue = policy.setting("status", to: status)

    static func string(_ count: Int, _ c: Character = "a") -> JSONValue { .string(String(repeating: c, count: count)) }

    static func refs(_ count: Int) -> JSONValue {
        .array((0..<count).map { ["group": "", "kind": "Service", "name": .string("backend-\($0)")] })
    }

    static func patternError(_ path: String, _ value: String, _ pattern: String, name: String? = nil) -> String {
        #"\#(path): Invalid value: \#(GoFormat.quote(value)): \#(name ?? path) in body should match '\#(pattern)'"#
    }

    static func minLengthError(_ path: String, name: String? = nil) -> String {
        #"\#(path): Invalid value: "": \#(name ?? path) in body should be at least 1 chars long"#
    }

    static func tooLong(_ path: String, _ max: Int) -> String { "\(path): Too long: may not be more than \(max) bytes" }

    static func tooMany(_ path: String, _ actual: Int, _ max: Int) -> String {
        "\(path): Too many: \(actual): must have at most \(max) items"
    }

    static func required(_ path: String) -> String { "\(path): Required value" }

    static func typeError(_ path: String, expected: String, actual: String, name: String? = nil) -> String {
        #"\#(path): Invalid value: "\#(actual)": \#(name ?? path) in body must be of type \#(expected): "\#(actual)""#
    }

    static func run(_ c: RuleCase) -> ValidationResult {
        let base = c.mode == .status ? policyWithStatus : policy
        var object = base
        for edit in c.edits { object = object.setting(edit.path, to: edit.value) }
        return SchemaValidator.validate(object, against: ValidationRulesTests.schema, mode: c.mode)
    }
}

private typealias F = RuleFixtures

/// RULES.md §2: every constraint of `spec`.
let specRuleCases: [RuleCase] = [
    RuleCase(name: "the base policy is valid", edits: [], errors: []),
    RuleCase(name: "spec is required", edits: [("spec", nil)], errors: [F.required("spec"), F.notice]),
    RuleCase(
        name: "spec must be an object", edits: [("spec", "x")],
        errors: [F.typeError("spec", expected: "object", actual: "string"), F.notice]),
    RuleCase(
        name: "spec.targetRefs is required", edits: [("spec.targetRefs", nil)],
        errors: [F.required("spec.targetRefs"), F.notice]),
    RuleCase(
        name: "spec.validation is required", edits: [("spec.validation", nil)],
        errors: [F.required("spec.validation"), F.notice]),
    RuleCase(
        name: "targetRefs minItems 1 (not blocking, CEL still runs)", edits: [("spec.targetRefs", [])],
        errors: ["spec.targetRefs: Invalid value: 0: spec.targetRefs in body should have at least 1 items"]),
    RuleCase(
        name: "targetRefs maxItems 16", edits: [("spec.targetRefs", F.refs(17))],
        errors: [F.tooMany("spec.targetRefs", 17, 16), F.notice]),
    RuleCase(name: "16 targetRefs are allowed", edits: [("spec.targetRefs", F.refs(16))], errors: []),
    RuleCase(
        name: "targetRefs must be an array", edits: [("spec.targetRefs", [:])],
        errors: [F.typeError("spec.targetRefs", expected: "array", actual: "object"), F.notice]),
    RuleCase(
        name: "a null targetRef is a type error", edits: [("spec.targetRefs", [nil])],
        errors: [F.typeError("spec.targetRefs[0]", expected: "object", actual: "null"), F.notice]),
    RuleCase(
        name: "targetRefs[].group is required (no default)", edits: [("spec.targetRefs[0].group", nil)],
        errors: [F.required("spec.targetRefs[0].group"), F.notice]),
    RuleCase(name: "group \"\" means the core group", edits: [("spec.targetRefs[0].group", "")], errors: []),
    RuleCase(
        name: "group maxLength 253", edits: [("spec.targetRefs[0].group", F.string(254))],
        errors: [F.tooLong("spec.targetRefs[0].group", 253), F.notice]),
    RuleCase(
        name: "group pattern", edits: [("spec.targetRefs[0].group", "Core")],
        errors: [F.patternError("spec.targetRefs[0].group", "Core", F.groupPattern)]),
    RuleCase(
        name: "targetRefs[].kind is required", edits: [("spec.targetRefs[0].kind", nil)],
        errors: [F.required("spec.targetRefs[0].kind"), F.notice]),
    RuleCase(
        name: "kind minLength 1", edits: [("spec.targetRefs[0].kind", "")],
        errors: [F.minLengthError("spec.targetRefs[0].kind")]),
    RuleCase(
        name: "kind maxLength 63", edits: [("spec.targetRefs[0].kind", F.string(64))],
        errors: [F.tooLong("spec.targetRefs[0].kind", 63), F.notice]),
    RuleCase(name: "kind of 63 characters", edits: [("spec.targetRefs[0].kind", F.string(63))], errors: []),
    RuleCase(
        name: "kind pattern", edits: [("spec.targetRefs[0].kind", "1Service")],
        errors: [F.patternError("spec.targetRefs[0].kind", "1Service", F.kindPattern)]),
    RuleCase(
        name: "targetRefs[].name is required", edits: [("spec.targetRefs[0].name", nil)],
        errors: [F.required("spec.targetRefs[0].name"), F.notice]),
    RuleCase(
        name: "name minLength 1", edits: [("spec.targetRefs[0].name", "")],
        errors: [F.minLengthError("spec.targetRefs[0].name")]),
    RuleCase(
        name: "name maxLength 253", edits: [("spec.targetRefs[0].name", F.string(254))],
        errors: [F.tooLong("spec.targetRefs[0].name", 253), F.notice]),
    RuleCase(name: "name has no pattern", edits: [("spec.targetRefs[0].name", "Any name! é")], errors: []),
    RuleCase(
        name: "sectionName minLength 1", edits: [("spec.targetRefs[0].sectionName", "")],
        errors: [F.minLengthError("spec.targetRefs[0].sectionName")]),
    RuleCase(
        name: "sectionName maxLength 253", edits: [("spec.targetRefs[0].sectionName", F.string(254))],
        errors: [F.tooLong("spec.targetRefs[0].sectionName", 253), F.notice]),
    RuleCase(
        name: "sectionName has no capitals", edits: [("spec.targetRefs[0].sectionName", "HTTPS")],
        errors: [F.patternError("spec.targetRefs[0].sectionName", "HTTPS", F.dnsPattern)]),
    RuleCase(
        name: "caCertificateRefs maxItems 8",
        edits: [("spec.validation.caCertificateRefs", .array(Array(repeating: ["group": "", "kind": "ConfigMap", "name": "ca"], count: 9)))],
        errors: [F.tooMany("spec.validation.caCertificateRefs", 9, 8), F.notice]),
    RuleCase(
        name: "an empty caCertificateRefs counts as unset", edits: [("spec.validation.caCertificateRefs", [])],
        errors: [F.mustSpecifyEither]),
    RuleCase(
        name: "caCertificateRefs[].group is required", edits: [("spec.validation.caCertificateRefs[0].group", nil)],
        errors: [F.required("spec.validation.caCertificateRefs[0].group"), F.notice]),
    RuleCase(
        name: "caCertificateRefs[].group pattern", edits: [("spec.validation.caCertificateRefs[0].group", "-x")],
        errors: [F.patternError("spec.validation.caCertificateRefs[0].group", "-x", F.groupPattern)]),
    RuleCase(
        name: "caCertificateRefs[].kind minLength 1", edits: [("spec.validation.caCertificateRefs[0].kind", "")],
        errors: [F.minLengthError("spec.validation.caCertificateRefs[0].kind")]),
    RuleCase(
        name: "caCertificateRefs[].kind pattern", edits: [("spec.validation.caCertificateRefs[0].kind", "Config Map")],
        errors: [F.patternError("spec.validation.caCertificateRefs[0].kind", "Config Map", F.kindPattern)]),
    RuleCase(
        name: "caCertificateRefs[].name maxLength 253",
        edits: [("spec.validation.caCertificateRefs[0].name", F.string(254))],
        errors: [F.tooLong("spec.validation.caCertificateRefs[0].name", 253), F.notice]),
    RuleCase(
        name: "wellKnownCACertificates \"\" fails minLength and counts as unset",
        edits: [("spec.validation.caCertificateRefs", nil), ("spec.validation.wellKnownCACertificates", "")],
        errors: [F.minLengthError("spec.validation.wellKnownCACertificates"), F.mustSpecifyEither]),
    RuleCase(
        name: "wellKnownCACertificates \"\" next to caCertificateRefs",
        edits: [("spec.validation.wellKnownCACertificates", "")],
        errors: [F.minLengthError("spec.validation.wellKnownCACertificates")]),
    RuleCase(
        name: "wellKnownCACertificates maxLength 253",
        edits: [("spec.validation.caCertificateRefs", nil), ("spec.validation.wellKnownCACertificates", F.string(254))],
        errors: [F.tooLong("spec.validation.wellKnownCACertificates", 253), F.notice]),
    RuleCase(
        name: "wellKnownCACertificates System alone",
        edits: [("spec.validation.caCertificateRefs", nil), ("spec.validation.wellKnownCACertificates", "System")],
        errors: []),
    RuleCase(
        name: "a null wellKnownCACertificates is dropped",
        edits: [("spec.validation.wellKnownCACertificates", .null)], errors: []),
    RuleCase(
        name: "validation.hostname is required", edits: [("spec.validation.hostname", nil)],
        errors: [F.required("spec.validation.hostname"), F.notice]),
    RuleCase(
        name: "a null hostname is dropped, then required", edits: [("spec.validation.hostname", .null)],
        errors: [F.required("spec.validation.hostname"), F.notice]),
    RuleCase(
        name: "hostname: no wildcard", edits: [("spec.validation.hostname", "*.example.com")],
        errors: [F.patternError("spec.validation.hostname", "*.example.com", F.dnsPattern)]),
    RuleCase(
        name: "hostname: lowercase", edits: [("spec.validation.hostname", "Backend.example.com")],
        errors: [F.patternError("spec.validation.hostname", "Backend.example.com", F.dnsPattern)]),
    RuleCase(
        name: "hostname: no trailing dot", edits: [("spec.validation.hostname", "backend.example.com.")],
        errors: [F.patternError("spec.validation.hostname", "backend.example.com.", F.dnsPattern)]),
    RuleCase(name: "hostname: the pattern accepts an IPv4 address", edits: [("spec.validation.hostname", "1.2.3.4")], errors: []),
    RuleCase(
        name: "hostname maxLength 253", edits: [("spec.validation.hostname", F.string(254))],
        errors: [F.tooLong("spec.validation.hostname", 253), F.notice]),
    RuleCase(
        name: "hostname must be a string (integer)", edits: [("spec.validation.hostname", 5)],
        errors: [F.typeError("spec.validation.hostname", expected: "string", actual: "integer"), F.notice]),
    RuleCase(
        name: "hostname must be a string (number)", edits: [("spec.validation.hostname", 1.5)],
        errors: [F.typeError("spec.validation.hostname", expected: "string", actual: "number"), F.notice]),
    RuleCase(
        name: "hostname must be a string (boolean)", edits: [("spec.validation.hostname", true)],
        errors: [F.typeError("spec.validation.hostname", expected: "string", actual: "boolean"), F.notice]),
    RuleCase(
        name: "subjectAltNames maxItems 5",
        edits: [("spec.validation.subjectAltNames", .array(Array(repeating: ["type": "Hostname", "hostname": "a.b"], count: 6)))],
        errors: [F.tooMany("spec.validation.subjectAltNames", 6, 5), F.notice]),
    RuleCase(
        name: "subjectAltNames[].type enum", edits: [("spec.validation.subjectAltNames", [["type": "DNS", "hostname": "a.b"]])],
        errors: [
            #"spec.validation.subjectAltNames[0].type: Unsupported value: "DNS": supported values: "Hostname", "URI""#,
            F.notice,
        ]),
    RuleCase(
        name: "subjectAltNames[].type is required", edits: [("spec.validation.subjectAltNames", [["hostname": "a.b"]])],
        errors: [F.required("spec.validation.subjectAltNames[0].type"), F.notice]),
    RuleCase(
        name: "SAN hostname may be a wildcard",
        edits: [("spec.validation.subjectAltNames", [["type": "Hostname", "hostname": "*.example.com"]])], errors: []),
    RuleCase(
        name: "SAN hostname pattern (CEL still runs and passes)",
        edits: [("spec.validation.subjectAltNames", [["type": "Hostname", "hostname": "*"]])],
        errors: [F.patternError("spec.validation.subjectAltNames[0].hostname", "*", F.sanHostnamePattern)]),
    RuleCase(
        name: "SAN hostname \"\" fails minLength and the CEL rule",
        edits: [("spec.validation.subjectAltNames", [["type": "Hostname", "hostname": ""]])],
        errors: [
            F.minLengthError("spec.validation.subjectAltNames[0].hostname"),
            #"spec.validation.subjectAltNames[0]: Invalid value: "object": SubjectAltName element must contain Hostname, if Type is set to Hostname"#,
        ]),
    RuleCase(
        name: "SAN uri maxLength 253",
        edits: [("spec.validation.subjectAltNames", [["type": "URI", "uri": .string("spiffe://" + String(repeating: "a", count: 245))]])],
        errors: [F.tooLong("spec.validation.subjectAltNames[0].uri", 253), F.notice]),
    RuleCase(
        name: "SAN uri urn: has no //",
        edits: [("spec.validation.subjectAltNames", [["type": "URI", "uri": "urn:x"]])],
        errors: [F.patternError("spec.validation.subjectAltNames[0].uri", "urn:x", UpstreamObjects.uriPattern)]),
    RuleCase(
        name: "options maxProperties 16",
        edits: [("spec.options", .object(JSONObject((0..<17).map { ("example.com/o\($0)", JSONValue.string("v")) })))],
        errors: [F.tooMany("spec.options", 17, 16), F.notice]),
    RuleCase(
        name: "16 options are allowed",
        edits: [("spec.options", .object(JSONObject((0..<16).map { ("example.com/o\($0)", JSONValue.string("v")) })))],
        errors: []),
    RuleCase(
        name: "option values maxLength 4096 (map entries are named parent.key)",
        edits: [("spec.options", ["example.com/key": F.string(4097)])],
        errors: [F.tooLong("spec.options.example.com/key", 4096), F.notice]),
    RuleCase(name: "option values may be empty", edits: [("spec.options", ["example.com/key": ""])], errors: []),
    RuleCase(
        name: "option values are strings", edits: [("spec.options", ["example.com/key": 5])],
        errors: [F.typeError("spec.options.example.com/key", expected: "string", actual: "integer"), F.notice]),
    RuleCase(name: "option keys are not validated by the server", edits: [("spec.options", ["not a key!": "x"])], errors: []),
]

/// RULES.md §4: `status` on writes to the status subresource.
let statusRuleCases: [RuleCase] = [
    RuleCase(name: "the base status is valid", edits: [], mode: .status, errors: []),
    RuleCase(
        name: "status.ancestors is required", edits: [("status", [:])], mode: .status,
        errors: [F.required("status.ancestors"), F.notice]),
    RuleCase(
        name: "status must be an object (message names are relative to status)", edits: [("status", "x")],
        mode: .status,
        errors: [#"status: Invalid value: "string":  in body must be of type object: "string""#, F.notice]),
    RuleCase(
        name: "ancestors maxItems 16",
        edits: [("status.ancestors", .array(Array(repeating: F.status["ancestors"]?[0] ?? .null, count: 17)))],
        mode: .status, errors: [F.tooMany("status.ancestors", 17, 16), F.notice]),
    RuleCase(
        name: "ancestors[] require ancestorRef, conditions and controllerName", edits: [("status.ancestors", [[:]])],
        mode: .status,
        errors: [
            F.required("status.ancestors[0].ancestorRef"), F.required("status.ancestors[0].conditions"),
            F.required("status.ancestors[0].controllerName"), F.notice,
        ]),
    RuleCase(
        name: "ancestorRef.name is required", edits: [("status.ancestors[0].ancestorRef.name", nil)], mode: .status,
        errors: [F.required("status.ancestors[0].ancestorRef.name"), F.notice]),
    RuleCase(
        name: "ancestorRef.namespace pattern", edits: [("status.ancestors[0].ancestorRef.namespace", "Default")],
        mode: .status,
        errors: [
            F.patternError(
                "status.ancestors[0].ancestorRef.namespace", "Default", F.namespacePattern,
                name: "ancestors[0].ancestorRef.namespace")
        ]),
    RuleCase(
        name: "ancestorRef.namespace maxLength 63", edits: [("status.ancestors[0].ancestorRef.namespace", F.string(64))],
        mode: .status, errors: [F.tooLong("status.ancestors[0].ancestorRef.namespace", 63), F.notice]),
    RuleCase(
        name: "ancestorRef.port minimum 1", edits: [("status.ancestors[0].ancestorRef.port", 0)], mode: .status,
        errors: [
            "status.ancestors[0].ancestorRef.port: Invalid value: 0: ancestors[0].ancestorRef.port in body should be greater than or equal to 1"
        ]),
    RuleCase(
        name: "ancestorRef.port maximum 65535", edits: [("status.ancestors[0].ancestorRef.port", 65536)], mode: .status,
        errors: [
            "status.ancestors[0].ancestorRef.port: Invalid value: 65536: ancestors[0].ancestorRef.port in body should be less than or equal to 65535"
        ]),
    RuleCase(
        name: "ancestorRef.port is an integer (format int32 is not checked)",
        edits: [("status.ancestors[0].ancestorRef.port", "443")], mode: .status,
        errors: [
            F.typeError(
                "status.ancestors[0].ancestorRef.port", expected: "integer", actual: "string",
                name: "ancestors[0].ancestorRef.port"), F.notice,
        ]),
    RuleCase(
        name: "ancestorRef.port 1.5 is not an integer", edits: [("status.ancestors[0].ancestorRef.port", 1.5)],
        mode: .status,
        errors: [
            F.typeError(
                "status.ancestors[0].ancestorRef.port", expected: "integer", actual: "number",
                name: "ancestors[0].ancestorRef.port"), F.notice,
        ]),
    RuleCase(
        name: "ancestorRef.port 443.0 counts as an integer", edits: [("status.ancestors[0].ancestorRef.port", 443.0)],
        mode: .status, errors: []),
    RuleCase(
        name: "ancestorRef.kind minLength 1", edits: [("status.ancestors[0].ancestorRef.kind", "")], mode: .status,
        errors: [F.minLengthError("status.ancestors[0].ancestorRef.kind", name: "ancestors[0].ancestorRef.kind")]),
    RuleCase(
        name: "ancestorRef.group maxLength 253", edits: [("status.ancestors[0].ancestorRef.group", F.string(254))],
        mode: .status, errors: [F.tooLong("status.ancestors[0].ancestorRef.group", 253), F.notice]),
    RuleCase(
        name: "ancestorRef.sectionName pattern", edits: [("status.ancestors[0].ancestorRef.sectionName", "HTTPS")],
        mode: .status,
        errors: [
            F.patternError(
                "status.ancestors[0].ancestorRef.sectionName", "HTTPS", F.dnsPattern,
                name: "ancestors[0].ancestorRef.sectionName")
        ]),
    RuleCase(
        name: "controllerName pattern", edits: [("status.ancestors[0].controllerName", "example.net")], mode: .status,
        errors: [
            F.patternError(
                "status.ancestors[0].controllerName", "example.net", F.controllerPattern,
                name: "ancestors[0].controllerName")
        ]),
    RuleCase(
        name: "controllerName maxLength 253",
        edits: [("status.ancestors[0].controllerName", .string("example.net/" + String(repeating: "a", count: 242)))],
        mode: .status, errors: [F.tooLong("status.ancestors[0].controllerName", 253), F.notice]),
    RuleCase(
        name: "conditions minItems 1", edits: [("status.ancestors[0].conditions", [])], mode: .status,
        errors: [
            "status.ancestors[0].conditions: Invalid value: 0: ancestors[0].conditions in body should have at least 1 items"
        ]),
    RuleCase(
        name: "conditions maxItems 8",
        edits: [
            (
                "status.ancestors[0].conditions",
                .array(
                    (0..<9).map {
                        [
                            "type": .string("T\($0)"), "status": "True", "reason": "R", "message": "",
                            "lastTransitionTime": "2024-01-01T00:00:00Z",
                        ]
                    })
            )
        ], mode: .status, errors: [F.tooMany("status.ancestors[0].conditions", 9, 8), F.notice]),
    RuleCase(
        name: "conditions are a list-type map keyed by type",
        edits: [("status.ancestors[0].conditions[1]", F.status["ancestors"]?[0]?["conditions"]?[0])], mode: .status,
        errors: [#"status.ancestors[0].conditions[1]: Duplicate value: map[string]interface {}{"type":"Accepted"}"#]),
    RuleCase(
        name: "conditions[] require five fields", edits: [("status.ancestors[0].conditions[0]", [:])], mode: .status,
        errors: [
            F.required("status.ancestors[0].conditions[0].lastTransitionTime"),
            F.required("status.ancestors[0].conditions[0].message"),
            F.required("status.ancestors[0].conditions[0].reason"),
            F.required("status.ancestors[0].conditions[0].status"),
            F.required("status.ancestors[0].conditions[0].type"), F.notice,
        ]),
    RuleCase(
        name: "lastTransitionTime is a date-time",
        edits: [("status.ancestors[0].conditions[0].lastTransitionTime", "yesterday")], mode: .status,
        errors: [
            #"status.ancestors[0].conditions[0].lastTransitionTime: Invalid value: "yesterday": ancestors[0].conditions[0].lastTransitionTime in body must be of type date-time: "yesterday""#,
            F.notice,
        ]),
    RuleCase(
        name: "lastTransitionTime: February 30th is not a date",
        edits: [("status.ancestors[0].conditions[0].lastTransitionTime", "2024-02-30T00:00:00Z")], mode: .status,
        errors: [
            #"status.ancestors[0].conditions[0].lastTransitionTime: Invalid value: "2024-02-30T00:00:00Z": ancestors[0].conditions[0].lastTransitionTime in body must be of type date-time: "2024-02-30T00:00:00Z""#,
            F.notice,
        ]),
    RuleCase(
        name: "lastTransitionTime: a signed year is not a date (Go's time.Parse refuses it)",
        edits: [("status.ancestors[0].conditions[0].lastTransitionTime", "+202-01-01T00:00:00Z")], mode: .status,
        errors: [
            #"status.ancestors[0].conditions[0].lastTransitionTime: Invalid value: "+202-01-01T00:00:00Z": ancestors[0].conditions[0].lastTransitionTime in body must be of type date-time: "+202-01-01T00:00:00Z""#,
            F.notice,
        ]),
    RuleCase(
        name: "lastTransitionTime: second 60 is not a time",
        edits: [("status.ancestors[0].conditions[0].lastTransitionTime", "2016-12-31T23:59:60Z")], mode: .status,
        errors: [
            #"status.ancestors[0].conditions[0].lastTransitionTime: Invalid value: "2016-12-31T23:59:60Z": ancestors[0].conditions[0].lastTransitionTime in body must be of type date-time: "2016-12-31T23:59:60Z""#,
            F.notice,
        ]),
    RuleCase(
        name: "lastTransitionTime with an offset and fraction",
        edits: [("status.ancestors[0].conditions[0].lastTransitionTime", "2024-02-29t23:59:59.123+01:00")],
        mode: .status, errors: []),
    RuleCase(
        name: "condition message maxLength 32768",
        edits: [("status.ancestors[0].conditions[0].message", F.string(32769))], mode: .status,
        errors: [F.tooLong("status.ancestors[0].conditions[0].message", 32768), F.notice]),
    RuleCase(
        name: "observedGeneration minimum 0", edits: [("status.ancestors[0].conditions[0].observedGeneration", -1)],
        mode: .status,
        errors: [
            "status.ancestors[0].conditions[0].observedGeneration: Invalid value: -1: ancestors[0].conditions[0].observedGeneration in body should be greater than or equal to 0"
        ]),
    RuleCase(
        name: "reason minLength 1", edits: [("status.ancestors[0].conditions[0].reason", "")], mode: .status,
        errors: [
            F.minLengthError("status.ancestors[0].conditions[0].reason", name: "ancestors[0].conditions[0].reason")
        ]),
    RuleCase(
        name: "reason pattern", edits: [("status.ancestors[0].conditions[0].reason", "Bad-Reason")], mode: .status,
        errors: [
            F.patternError(
                "status.ancestors[0].conditions[0].reason", "Bad-Reason", F.reasonPattern,
                name: "ancestors[0].conditions[0].reason")
        ]),
    RuleCase(
        name: "reason maxLength 1024", edits: [("status.ancestors[0].conditions[0].reason", F.string(1025))],
        mode: .status, errors: [F.tooLong("status.ancestors[0].conditions[0].reason", 1024), F.notice]),
    RuleCase(
        name: "condition status enum", edits: [("status.ancestors[0].conditions[0].status", "Maybe")], mode: .status,
        errors: [
            #"status.ancestors[0].conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown""#,
            F.notice,
        ]),
    RuleCase(
        name: "condition type pattern", edits: [("status.ancestors[0].conditions[0].type", "bad type")], mode: .status,
        errors: [
            F.patternError(
                "status.ancestors[0].conditions[0].type", "bad type", F.conditionTypePattern,
                name: "ancestors[0].conditions[0].type")
        ]),
    RuleCase(
        name: "condition type maxLength 316", edits: [("status.ancestors[0].conditions[0].type", F.string(317))],
        mode: .status, errors: [F.tooLong("status.ancestors[0].conditions[0].type", 316), F.notice]),
]

@Suite struct ValidationRulesTests {
    static let schema: OpenAPISchema = {
        (try? ValidationFixtures.crd()).flatMap { try? CRDSchemas.load(crd: $0)["v1"] } ?? OpenAPISchema()
    }()

    @Test(arguments: specRuleCases)
    func specRule(_ c: RuleCase) {
        let result = RuleFixtures.run(c)
        #expect(result.errors.map(\.description) == c.errors)
        #expect(result.celSkipped == c.errors.contains(RuleFixtures.notice))
    }

    @Test(arguments: statusRuleCases)
    func statusRule(_ c: RuleCase) {
        let result = RuleFixtures.run(c)
        #expect(result.errors.map(\.description) == c.errors)
    }

    @Test func stringChecksStopAtTheFirstFailure() {
        // Too long and not matching the pattern: only maxLength is reported.
        let tooLongAndUppercase = RuleCase(
            name: "", edits: [("spec.validation.hostname", F.string(254, "A"))],
            errors: [F.tooLong("spec.validation.hostname", 253), F.notice])
        #expect(RuleFixtures.run(tooLongAndUppercase).errors.map(\.description) == tooLongAndUppercase.errors)
        // Empty and not matching the pattern: only minLength.
        let empty = RuleCase(
            name: "", edits: [("spec.validation.hostname", "")], errors: [F.minLengthError("spec.validation.hostname")])
        #expect(RuleFixtures.run(empty).errors.map(\.description) == empty.errors)
    }

    @Test func lengthsCountCodePointsNotBytes() {
        // 253 two-byte characters are 506 bytes, yet within maxLength 253.
        let value = String(repeating: "é", count: 253)
        let result = RuleFixtures.run(RuleCase(name: "", edits: [("spec.targetRefs[0].name", .string(value))], errors: []))
        #expect(result.errors.isEmpty)
    }
}
