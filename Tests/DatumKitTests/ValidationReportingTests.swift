import DatumJSON
import GoCompat
import Testing

@testable import DatumKit

@Suite struct ValidationInvalidStatusTests {
    let hostnameRequired = FieldError.required(FieldPath("spec", "validation", "hostname"))

    @Test func oneErrorIsPrintedAlone() {
        let status = InvalidStatus(group: "gateway.networking.k8s.io", kind: "BackendTLSPolicy", name: "p", errors: [hostnameRequired])
        #expect(
            status.message == #"BackendTLSPolicy.gateway.networking.k8s.io "p" is invalid: spec.validation.hostname: Required value"#)
        #expect(status.causes == [.init(reason: "FieldValueRequired", message: "Required value", field: "spec.validation.hostname")])
    }

    @Test func severalErrorsAreBracketedAndDeduplicated() {
        let errors = [hostnameRequired, hostnameRequired, SchemaValidator.celSkippedError]
        let status = InvalidStatus(group: "gateway.networking.k8s.io", kind: "BackendTLSPolicy", name: "p", errors: errors)
        #expect(
            status.message
                == #"BackendTLSPolicy.gateway.networking.k8s.io "p" is invalid: [spec.validation.hostname: Required value, <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]"#
        )
        // Causes keep duplicates; only the message is de-duplicated.
        #expect(status.causes.count == 3)
        #expect(
            status.causes[2]
                == .init(
                    reason: "FieldValueInvalid",
                    message:
                        #"Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"#,
                    field: "<nil>"))
    }

    @Test func noErrorsAndTheCoreGroup() {
        #expect(InvalidStatus(group: "", kind: "ConfigMap", name: "c\"m", errors: []).message == #"ConfigMap "c\"m" is invalid"#)
    }

    @Test func statusObjectIsTheServersBody() {
        let status = InvalidStatus(group: "gateway.networking.k8s.io", kind: "BackendTLSPolicy", name: "p", errors: [hostnameRequired])
        let expected: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(status.message), "reason": "Invalid", "code": 422,
            "details": [
                "name": "p", "group": "gateway.networking.k8s.io", "kind": "BackendTLSPolicy",
                "causes": [["reason": "FieldValueRequired", "message": "Required value", "field": "spec.validation.hostname"]],
            ],
        ]
        #expect(status.statusObject == expected)
    }
}

@Suite struct ValidationFieldErrorTests {
    @Test func bodiesFollowGoRendering() {
        let p = FieldPath("spec", "x")
        let cases: [(FieldError, String)] = [
            (.required(p), "spec.x: Required value"),
            (.required(p, "why"), "spec.x: Required value: why"),
            (.invalid(p, .string("a\"b"), "bad"), #"spec.x: Invalid value: "a\"b": bad"#),
            (.invalid(p, .int(-3), "bad"), "spec.x: Invalid value: -3: bad"),
            (.invalid(p, .double(0.5), "bad"), "spec.x: Invalid value: 0.5: bad"),
            (.invalid(p, .bool(true), "bad"), "spec.x: Invalid value: true: bad"),
            (.invalid(p, .null, "bad"), #"spec.x: Invalid value: "null": bad"#),
            (.invalid(p, .json(["a": [1, "b"]]), "bad"), #"spec.x: Invalid value: map[string]interface {}{"a":[]interface {}{1, "b"}}: bad"#),
            (.invalid(p, .omitted, "bad"), "spec.x: Invalid value: bad"),
            (.typeInvalid(p, .string("integer"), "d"), #"spec.x: Invalid value: "integer": d"#),
            (.notSupported(p, .string("c"), supported: ["a", "b"]), #"spec.x: Unsupported value: "c": supported values: "a", "b""#),
            (.notSupported(p, .string("c"), supported: []), #"spec.x: Unsupported value: "c""#),
            (.tooLong(p, maxLength: 1), "spec.x: Too long: may not be more than 1 byte"),
            (.tooLong(p, maxLength: -1), "spec.x: Too long: value is too long"),
            (.tooMany(p, actual: 3, max: 1), "spec.x: Too many: 3: must have at most 1 item"),
            (.tooMany(p, actual: -1, max: -1), "spec.x: Too many: has too many items"),
            (.duplicate(p, .string("a")), #"spec.x: Duplicate value: "a""#),
            (.forbidden(p, "no"), "spec.x: Forbidden: no"),
            (.internal(p, "oops"), "spec.x: Internal error: oops"),
            (.notFound(p, .string("a")), #"spec.x: Not found: "a""#),
        ]
        for (error, text) in cases {
            #expect(error.description == text)
        }
        #expect(FieldError.ErrorType.allCases.map(\.rawValue) == [
            "FieldValueNotFound", "FieldValueRequired", "FieldValueDuplicate", "FieldValueInvalid", "FieldValueNotSupported",
            "FieldValueForbidden", "FieldValueTooLong", "FieldValueTooMany", "InternalError", "FieldValueTypeInvalid",
        ])
    }

    @Test func pathsRenderLikeFieldPath() {
        #expect(FieldPath.root.description == "<nil>")
        #expect(FieldPath.root.isRoot)
        #expect(FieldPath("spec").child("targetRefs").index(0).child("name").description == "spec.targetRefs[0].name")
        #expect(FieldPath("spec").child("options").key("example.com/x").description == "spec.options[example.com/x]")
        #expect(FieldPath([.index(2), .field("a")]).description == "[2].a")
    }
}

@Suite struct ValidationGoFormatTests {
    @Test func quoteEscapesLikeStrconv() {
        let cases: [(String, String)] = [
            ("plain", #""plain""#),
            ("a\"b\\c", #""a\"b\\c""#),
            ("\n\t\r\u{07}\u{08}\u{0C}\u{0B}", #""\n\t\r\a\b\f\v""#),
            ("\u{01}\u{7F}", #""\x01\x7f""#),
            ("é😀", "\"é😀\""),
            ("\u{AD}", #""\u00ad""#),
            ("\u{200B}", #""\u200b""#),
            ("\u{E000}", #""\ue000""#),
            ("\u{F0000}", #""\U000f0000""#),
            ("\u{A0}", #""\u00a0""#),
        ]
        for (input, quoted) in cases { #expect(GoFormat.quote(input) == quoted) }
    }

    @Test func floatsPrintLikeFmtV() {
        let cases: [(Double, String)] = [
            (0.5, "0.5"), (1, "1"), (-2.5, "-2.5"), (65535, "65535"), (123_456, "123456"),
            (1_234_567, "1.234567e+06"), (1e21, "1e+21"), (1e100, "1e+100"), (0.0001, "0.0001"),
            (0.00001, "1e-05"), (1.5e-7, "1.5e-07"), (0, "0"), (-0.0, "-0"), (.infinity, "+Inf"), (-.infinity, "-Inf"),
            (.nan, "NaN"),
        ]
        for (value, text) in cases { #expect(GoFormat.formatFloat(value) == text, "\(value)") }
    }

    @Test func goSyntaxOfUnstructuredValues() {
        #expect(
            GoFormat.goSyntax(["b": [true, nil, 1.5, "x"], "a": 1])
                == #"map[string]interface {}{"a":1, "b":[]interface {}{true, interface {}(nil), 1.5, "x"}}"#)
        #expect(GoFormat.plain(3) == "3")
        #expect(GoFormat.plain(nil) == "<nil>")
    }
}
