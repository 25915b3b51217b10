import DatumJSON
import DatumYAML
import Foundation
import TestSupport
import Testing

/// String values whose `-o yaml` rendering kubectl decides; each is recorded from
/// `kubectl create configmap x --from-file=f=PATH --dry-run=client -o yaml`.
let configMapValues: [(name: String, value: String)] = {
    let long = "The quick brown fox jumps over the lazy dog and keeps running far beyond the eighty column limit of the emitter"
    let words = (1...40).map { "word\($0)" }.joined(separator: " ")
    return [
        ("plain", "hello"),
        ("empty", ""),
        ("space", " "),
        ("yes", "yes"), ("Yes", "Yes"), ("no", "no"), ("y", "y"), ("n", "n"), ("Y", "Y"), ("on", "on"), ("OFF", "OFF"),
        ("true", "true"), ("False", "False"), ("null", "null"), ("Null", "Null"), ("tilde", "~"),
        ("int", "123"), ("negative-int", "-42"), ("plus-int", "+7"), ("octal", "0123"), ("octal-o", "0o17"),
        ("hex", "0x1F"), ("binary", "0b101"), ("underscore-int", "1_000"), ("leading-zero-8", "08"),
        ("float", "1.5"), ("float-exp", "1e3"), ("float-dot", ".5"), ("float-trailing-dot", "1."), ("inf", ".inf"),
        ("minus-inf", "-.inf"), ("nan", ".nan"), ("NaN", ".NaN"), ("big-int", "123456789012345678901234567890"),
        ("uint64", "18446744073709551615"), ("hex-big", "0x1FFFFFFFFFFFFFFFFFFF"),
        ("date", "2001-12-14"), ("date-short", "2001-1-2"), ("datetime", "2024-01-01T00:00:00Z"),
        ("datetime-offset", "2001-12-14T21:59:43.10-05:00"), ("datetime-space", "2001-12-14 21:59:43.10"),
        ("datetime-lower-t", "2001-12-14t21:59:43.10Z"), ("not-a-date", "2001-13-14"), ("feb-30", "2001-02-30"),
        ("date-extra", "2001-12-14x"), ("year-5-digits", "20011-12-14"),
        ("base60", "1:20"), ("base60-float", "190:20:30.15"), ("time-like", "12:30:45"), ("base60-bad", "1:60"),
        ("merge", "<<"), ("colon-space", "a: b"), ("colon-end", "a:"), ("colon-inside", "a:b"), ("url", "http://example.com/a?b=c#d"),
        ("hash-space", "a #b"), ("hash-inside", "a#b"), ("hash-start", "#a"),
        ("dash", "-"), ("dash-space", "- a"), ("dash-word", "-a"), ("question", "?"), ("question-space", "? a"),
        ("star", "*a"), ("amp", "&a"), ("bang", "!a"), ("percent", "%a"), ("at", "@a"), ("backtick", "`a"),
        ("pipe", "|a"), ("gt", ">a"), ("bracket", "[a]"), ("brace", "{a}"), ("comma-start", ",a"), ("comma", "a,b"),
        ("single-quote", "it's"), ("single-quote-start", "'a'"), ("double-quote", "say \"hi\""), ("double-quote-start", "\"a\""),
        ("backslash", "a\\b"), ("three-dashes", "---"), ("three-dashes-text", "--- a"), ("three-dots", "..."),
        ("leading-space", " a"), ("trailing-space", "a "), ("tab", "a\tb"), ("tab-only", "\t"), ("cr", "a\rb"),
        ("crlf", "a\r\nb"), ("nul", "a\u{0}b"), ("bell", "\u{7}"), ("escape", "\u{1B}[0m"),
        ("nel", "a\u{85}b"), ("nbsp", "a\u{A0}b"), ("ls", "a\u{2028}b"), ("ps", "a\u{2029}b"), ("bom", "\u{FEFF}a"),
        ("private-use", "\u{E000}"),
        ("newline", "a\nb"), ("trailing-newline", "a\nb\n"), ("two-trailing-newlines", "a\n\n"), ("only-newline", "\n"),
        ("only-newlines", "\n\n"), ("leading-newline", "\na"), ("leading-space-lines", "  lead\nx"),
        ("space-before-newline", "a \nb"), ("space-after-newline", "a\n b"), ("tab-in-block", "a\n\tb"),
        ("trailing-space-block", "a\nb "), ("blank-lines", "a\n\n\nb"), ("newline-unicode", "é\n日本"),
        ("newline-emoji", "a\n😀"), ("newline-quote", "a\n'b'\n"), ("newline-colon", "key: value\nother: x\n"),
        ("script", "#!/bin/sh\necho \"hi\" | grep -v x\n"),
        ("pem", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ2\n-----END CERTIFICATE-----\n"),
        ("unicode", "héllo wörld"), ("cjk", "日本語"), ("emoji", "😀"), ("emoji-text", "emoji 😀 x"), ("rtl", "שלום"),
        ("long-plain", long), ("long-words", words), ("long-no-spaces", String(repeating: "x", count: 120)),
        ("long-single", "a: " + long), ("long-double", "\t" + long), ("long-double-spaces", "\"" + long.replacingOccurrences(of: " ", with: "  ")),
        ("long-single-spaces", "'" + long.replacingOccurrences(of: " ", with: "  ")),
        ("long-unicode", String(repeating: "é ", count: 60)), ("long-literal", long + "\n" + long + "\n"),
        ("long-yes-like", "yes " + long), ("exactly-80", String(repeating: "a", count: 79) + " b"),
        ("fold-at-81", String(repeating: "a", count: 81) + " b c"), ("long-double-escape", long + "\t" + long),
        ("long-quoted-trailing", long + " "), ("dash-number", "-1-2"), ("plus", "+"), ("dot", "."), ("dot-word", ".a"),
        ("e-number", "1e"), ("exp-only", "e3"), ("inf-word", "inf"), ("infinity", "Infinity"), ("true-suffix", "truex"),
        ("on-prefix", "only"), ("hex-upper", "0X1F"), ("hex-bad", "0x"), ("neg-hex", "-0x10"), ("neg-binary", "-0b11"),
        ("version", "1.2.3"), ("ip", "10.0.0.1"), ("cidr", "10.0.0.0/8"), ("semver-v", "v1.2.3"), ("sha", "sha256:abc"),
        ("equals", "="), ("brackets-inside", "a[0]"), ("question-inside", "a?b"), ("percent-inside", "50%"),
        ("json", "{\"a\": 1}"), ("quoted-json-list", "[1, 2]"),
    ]
}()

@Suite struct EmitterGoldenTests {
    static let configMapFile = "kubectl-configmap.yaml"

    static func configMap(_ value: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "x", "creationTimestamp": nil],
            "data": ["f": .string(value)],
        ]
    }

    @Test func recordsFromKubectlWhenAsked() throws {
        guard SectionedSnapshot.isRecording else { return }
        var sections: [(name: String, body: String)] = []
        for (name, value) in configMapValues {
            let file = try Kubectl.temporaryFile(Array(value.utf8), suffix: ".txt")
            defer { try? FileManager.default.removeItem(at: file) }
            let output = try Kubectl.run([
                "create", "configmap", "x", "--from-file=f=\(file.path)", "--dry-run=client", "-o", "yaml",
            ])
            sections.append((name, output))
        }
        try SectionedSnapshot.write(Self.configMapFile, sections: sections)
        var objects: [(name: String, body: String)] = []
        for (name, json) in kubectlObjects {
            let file = try Kubectl.temporaryFile(Array(json.utf8), suffix: ".json")
            defer { try? FileManager.default.removeItem(at: file) }
            let output = try Kubectl.run(["patch", "--local", "-f", file.path, "--type", "merge", "-p", "{}", "-o", "yaml"])
            objects.append((name, output))
        }
        try SectionedSnapshot.write(Self.objectFile, sections: objects)
    }

    @Test(arguments: configMapValues.map(\.name))
    func configMapValueMatchesKubectl(name: String) throws {
        let expected = try #require(try SectionedSnapshot.sections(of: Self.configMapFile)[name], "no recording for \(name)")
        let value = try #require(configMapValues.first { $0.name == name }?.value)
        let actual = YAMLEmitter.kubectl(Self.configMap(value))
        #expect(actual == expected, "\(name):\n\(Snapshot.lineDiff(expected: expected, actual: actual))")
    }

    static let objectFile = "kubectl-objects.yaml"

    @Test(arguments: kubectlObjects.map(\.name))
    func objectMatchesKubectl(name: String) throws {
        let expected = try #require(try SectionedSnapshot.sections(of: Self.objectFile)[name], "no recording for \(name)")
        let json = try #require(kubectlObjects.first { $0.name == name }?.json)
        let value = try JSONParser.parse(json)
        let actual = YAMLEmitter.kubectl(value)
        #expect(actual == expected, "\(name):\n\(Snapshot.lineDiff(expected: expected, actual: actual))")
    }
}

/// Whole objects printed by `kubectl patch --local -f OBJ.json --type merge -p '{}' -o yaml`,
/// which re-prints any object without a server.
let kubectlObjects: [(name: String, json: String)] = [
    (
        "backendtlspolicy",
        #"""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy","metadata":{"name":"policy","namespace":"default","labels":{"app":"web","tier":"1"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"BackendTLSPolicy\",\"metadata\":{\"annotations\":{},\"name\":\"policy\",\"namespace\":\"default\"},\"spec\":{\"targetRefs\":[{\"group\":\"\",\"kind\":\"Service\",\"name\":\"web\"}],\"validation\":{\"hostname\":\"web.example.com\",\"wellKnownCACertificates\":\"System\"}}}\n"},"generation":3,"resourceVersion":"12345","uid":"0b5a1c3e-8f4d-4c1e-9a7b-2d6e8f0a1b2c","creationTimestamp":"2024-05-01T10:20:30Z"},"spec":{"targetRefs":[{"group":"","kind":"Service","name":"web","sectionName":"https"}],"validation":{"caCertificateRefs":[{"group":"","kind":"ConfigMap","name":"ca"}],"hostname":"web.example.com","subjectAltNames":[{"type":"Hostname","hostname":"web.example.com"},{"type":"URI","uri":"spiffe://cluster.local/ns/default/sa/web"}]},"options":{"example.com/tls-min":"1.2"}},"status":{"ancestors":[{"ancestorRef":{"group":"gateway.networking.k8s.io","kind":"Gateway","name":"gw","namespace":"default"},"controllerName":"example.com/controller","conditions":[{"lastTransitionTime":"2024-05-01T10:20:31Z","message":"Policy accepted","observedGeneration":3,"reason":"Accepted","status":"True","type":"Accepted"},{"lastTransitionTime":"2024-05-01T10:20:31Z","message":"","observedGeneration":3,"reason":"ResolvedRefs","status":"True","type":"ResolvedRefs"}]}]}}
        """#
    ),
    (
        "managed-fields-shape",
        #"""
        {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},"fields":{"fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}},"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:targetRefs":{},"f:validation":{".":{},"f:hostname":{},"f:wellKnownCACertificates":{}}},"f:status":{"f:ancestors":{"k:{\"ancestorRef\":{\"group\":\"gateway.networking.k8s.io\",\"kind\":\"Gateway\",\"name\":\"gw\"},\"controllerName\":\"example.com/controller\"}":{".":{},"f:conditions":{"k:{\"type\":\"Accepted\"}":{".":{},"f:status":{}}}}}},"v:\"a\"":{},"i:0":{}},"manager":"kubectl-client-side-apply","operation":"Update","time":"2024-05-01T10:20:30Z"}}
        """#
    ),
    (
        "key-order",
        #"""
        {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},"keys":{"a10":1,"a9":2,"a09":3,"a009":4,"a1":5,"a01":6,"a0":7,"a00":8,"A":9,"B":10,"a":11,"b":12,"_x":13,"-x":14,".":15,"1":16,"10":17,"2":18,"02":19,"x1":24,"é":25,"z":26,"Z":27,"f:spec":28,"k:{\"type\":\"Accepted\"}":29,"v:1":30,"v:10":31,"v:9":32,"":33,"0":34,"00":35,"1.5":36,"1.10":37,"file-10.txt":38,"file-9.txt":39,"file-09.txt":40,"ab":41,"a-b":42,"a_b":43,"a.b":44,"a b":45,"aB":46,"Ab":47,"日本":48,"١":49,"x١":50,"99999999999999999999":51,"a99999999999999999999":52}}
        """#
    ),
    (
        "numbers",
        #"""
        {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},"n":{"zero":0,"neg":-5,"max":9223372036854775807,"min":-9223372036854775808,"half":0.5,"third":0.3333333333333333,"mil":1500000.5,"thousand":1234.5,"small":0.00001,"tiny":1e-7,"big":1e21,"bigger":1.5e300,"e20":100000000000000000000,"u64":18446744073709551615,"e19":10000000000000000000,"negsmall":-0.000123,"float-int":2.0,"sixdigits":123456.5,"sevendigits":1234567.5}}
        """#
    ),
    (
        "nested",
        #"""
        {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},"spec":{"emptyList":[],"emptyMap":{},"nulls":[null,null],"matrix":[[1,2],[],[[3]],[{}]],"listOfMaps":[{"a":1,"b":{"c":[{"d":"e"}]}},{"x":[1,{"y":"z"}]}],"mapOfLists":{"l":["a","b"],"m":[{"k":"v","w":[]}]},"deep":{"a":{"b":{"c":{"d":{"e":"multi\nline\n","f":["x\ny"]}}}}},"bools":[true,false],"strings":["yes","no","","~","0123","a: b"]}}
        """#
    ),
    (
        "long-keys",
        #"""
        {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},"data":{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk":"v","kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk":"exactly 128","list key that is long enough to need the explicit question mark form because it exceeds one hundred and twenty eight bytes":["a",{"b":"c"}],"map key that is long enough to need the explicit question mark form because it exceeds one hundred and twenty eight bytes":{"x":"y"},"multi\nline key":"v","yes":"quoted key","key with: colon":1,"tab\tkey":2,"":"empty key","ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé":"unicode key of 132 bytes"}}
        """#
    ),
    (
        "complex-keys",
        #"""
        {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},"m":{"a very long key with many words that goes on and on well past the eighty column folding width and then past one hundred and twenty eight bytes too list":["a",{"b":"c"},["d"]],"a very long key with many words that goes on and on well past the eighty column folding width and then past one hundred and twenty eight bytes too map":{"x":"y","z":[1]},"a very long key with many words that goes on and on well past the eighty column folding width and then past one hundred and twenty eight bytes too empty":{},"a very long key with many words that goes on and on well past the eighty column folding width and then past one hundred and twenty eight bytes too scalar":"s","a very long key with many words that goes on and on well past the eighty column folding width and then past one hundred and twenty eight bytes too literal":"l1\nl2\n","nested":{"a very long key with many words that goes on and on well past the eighty column folding width and then past one hundred and twenty eight bytes too deeper":[{"a very long key with many words that goes on and on well past the eighty column folding width and then past one hundred and twenty eight bytes too inner":1}]}}}
        """#
    ),
    (
        "deep-literals",
        #"""
        {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},"entries":[{"script":"line1\nline2\n","folded":"The quick brown fox jumps over the lazy dog and keeps running far beyond the eighty column limit","nested":[["a\nb","  lead\nx"]]},"top level string in a list that is long enough to be folded by the emitter at eighty columns wide"]}
        """#
    ),
]
