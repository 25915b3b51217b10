import DatumJSON
import Foundation
import TestSupport
import Testing

/// The server's schema is the truth: a sandbox serving a modified BackendTLSPolicy CRD (a new
/// optional field, an enumeration narrowed) proves that datumctl validates by what the project
/// publishes when connected, by the schema compiled in when offline, and never drops a field.
@Suite(.serialized) struct ServerSchemaTests {
    /// The v1.6.1 CRD with `spec.validation.minimumTLSVersion` added and `wellKnownCACertificates`
    /// narrowed from a pattern to the enumeration `[System]`.
    static func modifiedCRD() throws -> String {
        let path = Repository.root + "/Sources/DatumKit/Upstream/gateway.networking.k8s.io_backendtlspolicies.yaml"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let field = "                  wellKnownCACertificates:\n"
        guard let first = text.range(of: field) else { throw SandboxTestError("no wellKnownCACertificates") }
        text.replaceSubrange(
            first,
            with: "                  minimumTLSVersion:\n"
                + "                    description: The lowest TLS version the gateway may negotiate.\n"
                + "                    type: string\n" + field)
        let pattern =
            "                    pattern: ^(System|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]))$\n"
        guard let narrowed = text.range(of: pattern) else { throw SandboxTestError("no wellKnown pattern") }
        text.replaceSubrange(narrowed, with: "                    enum:\n                    - System\n")
        return text
    }

    static func policy(_ name: String, validation: String) -> String {
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: BackendTLSPolicy
        metadata:
          name: \(name)
        spec:
          targetRefs:
          - {group: "", kind: Service, name: web}
          validation:
            hostname: web.example.com
        \(validation)

        """
    }

    static let newField = policy("newer", validation: "    wellKnownCACertificates: System\n    minimumTLSVersion: \"1.3\"")
    static let customCA = policy("custom", validation: "    wellKnownCACertificates: example.com/custom-ca")

    static func write(_ text: String, to directory: String, _ name: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theServersSchemaDecidesOnlineAndTheBuiltInOneOffline() throws {
        let files = try TemporaryDirectory()
        let crd = try Self.write(try Self.modifiedCRD(), to: files.path, "crd.yaml")
        let newer = try Self.write(Self.newField, to: files.path, "newer.yaml")
        let custom = try Self.write(Self.customCA, to: files.path, "custom.yaml")
        let sandbox = try SandboxInstance(extraArguments: ["--crd", crd])
        defer { sandbox.stop() }
        let cache = ["XDG_CACHE_HOME": files.path + "/cache"]

        // Offline, the built-in schema knows no minimumTLSVersion, and takes any prefixed CA name.
        let offline = try sandbox.datumctl(["validate", "-f", newer], connect: false)
        #expect(offline.status == 1)
        #expect(offline.stdout.contains("newer.yaml:11:5: error: BackendTLSPolicy/newer: spec.validation.minimumTLSVersion: unknown field"))
        #expect(offline.stdout.hasSuffix("1 document, 0 valid, 1 invalid; schema: built in\n"), "\(offline.stdout)")
        let offlineCustom = try sandbox.datumctl(["validate", "-f", custom], connect: false)
        #expect(offlineCustom.status == 0, "\(offlineCustom.stdout)")

        // Connected, the project's schema decides: the new field is valid, the narrowed enum is not.
        let online = try sandbox.datumctl(["validate", "-f", newer], environment: cache)
        #expect(online.status == 0, "\(online.stdout)\(online.stderr)")
        #expect(online.stdout == "1 document, 1 valid, 0 invalid; schema: the server's\n")
        let onlineCustom = try sandbox.datumctl(["validate", "-f", custom], environment: cache)
        #expect(onlineCustom.status == 1)
        #expect(
            onlineCustom.stdout.contains(
                "custom.yaml:10:30: error: BackendTLSPolicy/custom: spec.validation.wellKnownCACertificates: "
                    + "Unsupported value: \"example.com/custom-ca\": supported values: \"System\""),
            "\(onlineCustom.stdout)")

        // apply validates the same way: the new field lands; the narrowed value is never sent.
        let applied = try sandbox.datumctl(["apply", "-f", newer, "-v", "6"], environment: cache)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout == "backendtlspolicy.gateway.networking.k8s.io/newer serverside-applied\n"
            || applied.stdout == "backendtlspolicy.gateway.networking.k8s.io/newer created\n")
        // The document was in the cache already: only the small index was asked for.
        #expect(applied.stderr.contains("/openapi/v3 200"), "\(applied.stderr)")
        #expect(!applied.stderr.contains("/openapi/v3/apis/gateway.networking.k8s.io/v1"), "\(applied.stderr)")
        let stored = try sandbox.datumctl(
            ["get", "btlspolicy", "newer", "-o", "jsonpath={.spec.validation.minimumTLSVersion}"])
        #expect(stored.stdout == "1.3")
        let refused = try sandbox.datumctl(["apply", "-f", custom], environment: cache)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Unsupported value: \"example.com/custom-ca\""), "\(refused.stderr)")
        let absent = try sandbox.datumctl(["get", "btlspolicy", "custom", "--ignore-not-found"])
        #expect(absent.stdout.isEmpty)
    }

    /// `--validate=warn|ignore` never drops a field: it is sent as written, and the server (told
    /// `fieldValidation=Warn`) decides, as kubectl does.
    @Test func unknownFieldsAreSentAsWrittenAndTheServerDecides() throws {
        let files = try TemporaryDirectory()
        let newer = try Self.write(Self.newField, to: files.path, "newer.yaml")
        try withSandbox { sandbox in
            let warned = try sandbox.datumctl(["apply", "-f", newer, "--validate=warn", "-v", "8"])
            #expect(warned.status == 0, "\(warned.stderr)")
            #expect(warned.stderr.contains(#""minimumTLSVersion":"1.3""#), "the request body keeps the field")
            #expect(warned.stderr.contains("Warning: unknown field \"spec.validation.minimumTLSVersion\""))
            let kubectl = try sandbox.kubectl(["apply", "--server-side", "--validate=warn", "-f", "-"], input: Self.newField)
            #expect(kubectl.stderr.contains("Warning: unknown field \"spec.validation.minimumTLSVersion\""))
        }
    }
}
