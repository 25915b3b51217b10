import DatumJSON
import DatumYAML
import Foundation
import Testing
import TestSupport

@testable import DatumKit

@Suite struct ManifestLoaderTests {
    static func configMap(_ name: String) -> String {
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \(name)\ndata:\n  enabled: \"yes\"\n"
    }

    func names(_ results: [Result<Manifest, ManifestError>]) -> [String] {
        results.map {
            switch $0 {
            case .success(let m): return "\(m.file)#\(m.documentIndex):\(m.object.name ?? "?")"
            case .failure(let e): return "error: \(e.message)"
            }
        }
    }

    @Test func readsDirectoriesInNameOrderAndRecursesOnlyWhenAsked() throws {
        let dir = try TemporaryDirectory()
        try dir.write("b.yaml", Self.configMap("b"))
        try dir.write("a.yml", Self.configMap("a") + "---\n" + Self.configMap("a2"))
        try dir.write("c.json", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#)
        try dir.write("notes.txt", "not a manifest")
        try dir.write("sub/d.yaml", Self.configMap("d"))

        let flat = ManifestLoader(currentDirectory: dir.path).loadAll(["."])
        #expect(names(flat) == ["./a.yml#0:a", "./a.yml#1:a2", "./b.yaml#0:b", "./c.json#0:c"])

        let deep = ManifestLoader(recursive: true, currentDirectory: dir.path).loadAll(["."])
        #expect(names(deep).last == "./sub/d.yaml#0:d")
        #expect(deep.count == 5)
    }

    /// A too-deep document is one error; the documents after its `---` are still read.
    @Test func aTooDeepDocumentIsOneErrorAndTheNextDocumentsAreRead() throws {
        let dir = try TemporaryDirectory()
        let deep = String(repeating: "[", count: 40_000) + String(repeating: "]", count: 40_000) + "\n"
        try dir.write("deep.yaml", Self.configMap("before") + "---\n" + deep + "---\n" + Self.configMap("after"))
        let results = ManifestLoader(currentDirectory: dir.path).loadAll(["deep.yaml"])
        #expect(
            names(results) == [
                "deep.yaml#0:before", "error: document nesting exceeds the limit of 1000 levels", "deep.yaml#2:after",
            ])
    }

    @Test func readsStandardInputOnceAsSTDIN() {
        let loader = ManifestLoader(readStandardInput: { Array(Self.configMap("from-stdin").utf8) })
        #expect(names(loader.loadAll(["-", "-"])) == ["STDIN#0:from-stdin"])
    }

    @Test func missingPathIsAnError() throws {
        let dir = try TemporaryDirectory()
        #expect(names(ManifestLoader(currentDirectory: dir.path).loadAll(["nope.yaml"])) == [
            "error: the path \"nope.yaml\" does not exist"
        ])
    }

    @Test func skipsEmptyDocumentsAndExpandsLists() throws {
        let text = """
            ---
            # only a comment
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: one}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: two}
            """
        var results: [Result<Manifest, ManifestError>] = []
        ManifestLoader().load(YAMLSource(name: "list.yaml", text: text)) { results.append($0); return true }
        #expect(names(results) == ["list.yaml#1:one", "list.yaml#1:two"])
        if case .success(let second) = results[1] {
            #expect(second.pathInDocument == [.key("items"), .index(1)])
            #expect(second.location.description == "list.yaml:10:3")
            #expect(second.location(of: [.key("metadata"), .key("name")]).description == "list.yaml:12:20")
        }
    }

    @Test(arguments: [
        ("- a\n- b\n", "list.yaml:1:1: error: document 1 is not a Kubernetes object: expected a mapping, found a sequence"),
        ("apiVersion: v1\nmetadata: {name: x}\n", "list.yaml:1:1: error: object is missing required field \"kind\""),
        ("metadata: {name: x}\n", "list.yaml:1:1: error: object is missing required fields \"apiVersion\" and \"kind\""),
        ("apiVersion: v1\nkind: {a: b}\n", "list.yaml:2:7: error: kind must be a non-empty string"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n bad: y\n",
         "list.yaml:5:2: error: did not find expected key (while parsing a block mapping at 1:1)"),
    ])
    func reportsDocumentErrorsWithPositions(text: String, expected: String) {
        var results: [Result<Manifest, ManifestError>] = []
        ManifestLoader().load(YAMLSource(name: "list.yaml", text: text)) { results.append($0); return true }
        guard case .failure(let error) = results.first else {
            Issue.record("expected an error for \(text)")
            return
        }
        #expect(error.description.split(separator: "\n").first.map(String.init) == expected)
    }

    @Test func syntaxErrorsCarryTheLineAndACaret() {
        var results: [Result<Manifest, ManifestError>] = []
        let text = Self.configMap("ok") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x: y\n"
        ManifestLoader().load(YAMLSource(name: "p.yaml", text: text)) { results.append($0); return true }
        #expect(results.count == 2)
        guard case .failure(let error) = results.last else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(error.documentIndex == 1)
        #expect(error.description == "p.yaml:11:10: error: mapping values are not allowed in this context\n  name: x: y\n         ^")
    }

    @Test func unmodelledKindsKeepEveryField() throws {
        let text = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: route
            spec:
              parentRefs: [{name: gw}]
              rules:
              - backendRefs: [{name: svc, port: 443}]
            """
        var results: [Result<Manifest, ManifestError>] = []
        ManifestLoader().load(YAMLSource(name: "r.yaml", text: text)) { results.append($0); return true }
        let manifest = try #require(try results.first?.get())
        #expect(manifest.object.value["spec"]?["rules"]?[0]?["backendRefs"]?[0]?["port"] == .int(443))
        #expect(manifest.object.gvk == GroupVersionKind(group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute"))
    }
}
