import DatumJSON
import GoCompat
import Testing

@testable import DatumCLI

/// The go-template engine without a server (kubectl's own output is the referee in
/// `ClientReadKubectlTests.goTemplatesMatchKubectl`): the rules that decide what prints.
struct GoTextTemplateTests {
    static let object: JSONValue = [
        "kind": "BackendTLSPolicy", "metadata": ["name": "web", "generation": 3, "labels": ["b": "2", "a": "1"]],
        "spec": ["targetRefs": [["name": "svc-a"], ["name": "svc-b"]], "ratio": 0.5, "empty": [], "nothing": .null],
    ]

    static func run(_ template: String, allowMissingKeys: Bool = true) throws -> (String, String?) {
        let (output, error) = try GoTextTemplate(template).execute(object, allowMissingKeys: allowMissingKeys)
        return (output, error?.message)
    }

    @Test(
        arguments: [
            ("{{.metadata.name}}/{{.metadata.generation}}/{{.spec.ratio}}", "web/3/0.5"),
            ("{{.missing}} {{.spec.nothing}} {{.missing.deeper}}", "<no value> <no value> <no value>"),
            ("{{range $k, $v := .metadata.labels}}{{$k}}={{$v}} {{end}}", "a=1 b=2 "),
            ("{{range .spec.empty}}x{{else}}empty{{end}}", "empty"),
            ("{{range .spec.targetRefs}}{{if eq .name \"svc-b\"}}{{break}}{{end}}{{.name}}{{end}}", "svc-a"),
            ("{{if not .spec.empty}}no refs{{else if .kind}}kind{{end}}", "no refs"),
            ("{{with .spec.targetRefs}}{{len .}}{{end}} {{len .metadata.name | printf \"%03d\"}}", "2 003"),
            (
                "{{printf \"%d %v %s %q\" .metadata.generation .spec.ratio .kind .kind}}",
                "3 0.5 BackendTLSPolicy \"BackendTLSPolicy\""
            ),
            (
                "{{printf \"%d\" .spec.ratio}} {{printf \"%s\"}} {{printf \"%v\" 1 2}}",
                "%!d(float64=0.5) %!s(MISSING) 1%!(EXTRA int=2)"
            ),
            ("{{and 1 0 2}} {{or 0 \"\" \"x\"}} {{eq .metadata.generation 3}} {{lt \"a\" \"b\"}}", "0 x true true"),
            (
                "{{define \"n\"}}<{{.name}}>{{end}}{{range .spec.targetRefs}}{{template \"n\" .}}{{end}}",
                "<svc-a><svc-b>"
            ),
            ("a  {{- \" b \" -}}  c {{/* note */}}d", "a b c d"),
            (
                "{{base64decode \"aGl=\"}} {{exists . \"spec\" \"targetRefs\"}} {{exists . \"spec\" \"nothing\"}}",
                "hi true false"
            ),
            ("{{html \"<&>\"}} {{urlquery \"a b/c\"}} {{js \"'x'\"}}", "&lt;&amp;&gt; a+b%2Fc \\'x\\'"),
            ("{{$n := .metadata.name}}{{$n = \"other\"}}{{$n}} {{(index .spec.targetRefs 1).name}}", "other svc-b"),
        ] as [(String, String)])
    func prints(_ template: String, _ expected: String) throws {
        let (output, error) = try Self.run(template)
        #expect(error == nil, "\(template)")
        #expect(output == expected, "\(template)")
    }

    @Test func errorsSayWhereInGosWords() throws {
        #expect(
            try Self.run("{{.metadata.name.first}}").1
                == "template: output:1:11: executing \"output\" at <.metadata.name.first>: can't evaluate field first in type interface {}"
        )
        #expect(
            try Self.run("{{.nope}}", allowMissingKeys: false).1
                == "template: output:1:2: executing \"output\" at <.nope>: map has no entry for key \"nope\"")
        #expect(
            try Self.run("ab{{eq .kind 1}}").1
                == "template: output:1:4: executing \"output\" at <eq .kind 1>: error calling eq: incompatible types for comparison"
        )
        // What was printed before the error is kept: kubectl prints it.
        #expect(try Self.run("ok {{index .spec.targetRefs 9}}").0 == "ok ")
        for (text, message) in [
            ("{{nope}}", "template: output:1: function \"nope\" not defined"),
            ("{{.kind", "template: output:1: unclosed action"),
            ("{{end}}", "template: output:1: unexpected {{end}}"),
            ("{{break}}", "template: output:1: {{break}} outside {{range}}"),
        ] {
            #expect(throws: GoTextTemplateError(message: message)) { try GoTextTemplate(text) }
        }
    }

    /// Hostile templates: arbitrary bytes, deep nesting and self-inclusion end with an error or
    /// output, never a crash or a hang.
    @Test func hostileTemplatesNeverCrash() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "{{", "}}", "{{-", "-}}", ".a", ".", "$x", ":=", "=", "|", "(", ")", "range", "if", "else", "end",
            "with", "define", "template", "\"s\"", "`r`", "'c'", "1", "-2.5e3", "printf", "index", "len", "and",
            " ", "\n", "/*", "*/", "break", "nil", "true", "\\", "\u{0}", "é",
        ]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 1...24, using: &generator)).map { _ in
                pieces.randomElement(using: &generator) ?? ""
            }.joined()
            if let template = try? GoTextTemplate(text) { _ = template.execute(Self.object) }
        }
        // An overlong width ends the format as Go's parsenum does (go-sprintf.json has Go's word).
        #expect(
            GoSprintf.format("%99999999999999999999999d|%.99999999999999f", [GoValue.int(1), .data(.double(1))])
                == "%!(NOVERB)%!(EXTRA int=1, float64=1)")
        let deep = String(repeating: "{{if 1}}", count: 5000) + String(repeating: "{{end}}", count: 5000)
        #expect(throws: GoTextTemplateError.self) { try GoTextTemplate(deep) }
        let recursive = try GoTextTemplate("{{define \"r\"}}x{{template \"r\" .}}{{end}}{{template \"r\" .}}")
        let (output, error) = recursive.execute(Self.object)
        #expect(error?.message.contains("exceeded maximum template depth") == true)
        #expect(output.hasPrefix("xxx"))
    }
}
