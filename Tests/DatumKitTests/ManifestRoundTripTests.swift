import DatumJSON
import DatumYAML
import Foundation
import TestSupport
import Testing

@testable import DatumKit

/// Load → emit (kubectl's YAML, and JSON) → load gives back the same objects, for every
/// manifest shipped in docs/examples, and the typed model survives the trip too.
@Suite struct ManifestRoundTripTests {
    static let examples = Repository.url.appendingPathComponent("docs/examples").path

    static func load(_ source: YAMLSource) -> [Manifest] {
        var manifests: [Manifest] = []
        ManifestLoader(conversion: SchemaGuidedConversion.default).load(source) { result in
            if case .success(let manifest) = result { manifests.append(manifest) }
            return true
        }
        return manifests
    }

    @Test func everyExampleSurvivesYAMLAndJSONRoundTrips() throws {
        let loader = ManifestLoader(recursive: true, currentDirectory: Self.examples, conversion: SchemaGuidedConversion.default)
        let results = loader.loadAll(["."])
        let originals = try results.map { try $0.get() }
        #expect(originals.count == 31)
        for original in originals {
            let yaml = YAMLEmitter.kubectl(original.object.value)
            let fromYAML = Self.load(YAMLSource(name: "emitted.yaml", text: yaml))
            #expect(fromYAML.map(\.object) == [original.object], "YAML round trip of \(original.displayName)")

            let json = GoJSONEncoder.kubectl.encode(original.object.value)
            let fromJSON = Self.load(YAMLSource(name: "emitted.json", text: json))
            #expect(fromJSON.map(\.object) == [original.object], "JSON round trip of \(original.displayName)")

            if original.object.kind == "BackendTLSPolicy" {
                let model = try original.object.decode(BackendTLSPolicy.self)
                #expect(KubeObject(encoding: model) == original.object, "model round trip of \(original.displayName)")
            }
        }
    }

    @Test func stringsThatLookLikeOtherTypesStayStringsThroughTheTrip() throws {
        let text = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata:
              name: "on"
              labels: {a: yes, b: "0123", c: 1.10, d: ~}
              annotations: {note: "line one\\nline two"}
            spec:
              targetRefs: [{group: "", kind: Service, name: 0x1F, sectionName: "080"}]
              validation: {wellKnownCACertificates: System, hostname: true}
              options: {example.com/a: no, example.com/b: 2001-12-14}

            """
        let first = try #require(Self.load(YAMLSource(name: "p.yaml", text: text)).first)
        #expect(first.object.value["metadata"]?["labels"] == ["a": "yes", "b": "0123", "c": "1.10", "d": .null])
        #expect(first.object.value["spec"]?["targetRefs"]?[0]?["name"] == "0x1F")
        #expect(first.object.value["spec"]?["validation"]?["hostname"] == "true")
        #expect(first.object.value["spec"]?["options"] == ["example.com/a": "no", "example.com/b": "2001-12-14"])
        let again = Self.load(YAMLSource(name: "again.yaml", text: YAMLEmitter.kubectl(first.object.value)))
        #expect(again.map(\.object) == [first.object])
    }
}
