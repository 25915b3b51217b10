import DatumArguments
import DatumJSON
import Foundation
import GoCompat
import TestSupport
import Testing

/// Real kubectl against a real `datumctl-sandbox` over HTTPS (client-go sends bearer tokens only over TLS).
@Suite(.serialized, .enabled(if: SandboxBinaries.hasKubectl, "kubectl is not installed; skipping kubectl tests"))
struct SandboxKubectlTests {
    /// The upstream conformance manifests, vendored in the repository under docs/examples.
    static let examples = Repository.url.appendingPathComponent("docs/examples/gateway-api").path
    static var hasExamples: Bool { FileManager.default.fileExists(atPath: examples + "/conformance") }

    /// The two policies of the Gateway API TLS guide (a CA ConfigMap, and the system CAs).
    static func example(_ name: String) throws -> String {
        let (policy, validation) =
            name == "backendtlspolicy-ca-certs.yaml"
            ? ("tls-upstream-auth", "    caCertificateRefs:\n      - kind: ConfigMap\n        name: auth-cert\n        group: \"\"\n    hostname: auth.example.com\n")
            : ("tls-upstream-dev", "    wellKnownCACertificates: \"System\"\n    hostname: dev.example.com\n")
        let service = policy == "tls-upstream-auth" ? "auth" : "dev"
        return """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata:
              name: \(policy)
            spec:
              targetRefs:
                - kind: Service
                  name: \(service)
                  group: ""
              validation:

            """ + validation
    }

    @Test func clientSideApplyGetDescribeDelete() throws {
        try withSandbox { sandbox in
            let manifest = try Self.example("backendtlspolicy-ca-certs.yaml")
            let created = try sandbox.kubectl(["apply", "-f", "-"], input: manifest)
            #expect(created.stderr == "")
            #expect(created.stdout == "backendtlspolicy.gateway.networking.k8s.io/tls-upstream-auth created\n")
            let again = try sandbox.kubectl(["apply", "-f", "-"], input: manifest)
            #expect(again.stdout == "backendtlspolicy.gateway.networking.k8s.io/tls-upstream-auth unchanged\n")

            let table = try sandbox.kubectl(["get", "backendtlspolicies"])
            #expect(table.status == 0)
            #expect(maskAges(table.stdout) == "NAME                AGE\ntls-upstream-auth <age>\n")
            let short = try sandbox.kubectl(["get", "btlspolicy", "tls-upstream-auth", "-o", "name"])
            #expect(short.stdout == "backendtlspolicy.gateway.networking.k8s.io/tls-upstream-auth\n")

            let yaml = try sandbox.kubectl(["get", "btlspolicy", "tls-upstream-auth", "-o", "yaml"])
            #expect(yaml.stdout.contains("  hostname: auth.example.com\n"))
            #expect(yaml.stdout.contains("kubectl.kubernetes.io/last-applied-configuration"))
            #expect(yaml.stdout.contains("  generation: 1\n"))
            #expect(!yaml.stdout.contains("managedFields"))

            let describe = try waitFor { () -> TestProcess.Output? in
                let out = try sandbox.kubectl(["describe", "btlspolicy", "tls-upstream-auth"])
                return out.stdout.contains("Reason:                TargetNotFound") ? out : nil
            }
            #expect(describe.stdout.contains("Name:         tls-upstream-auth\nNamespace:    default\n"))
            #expect(describe.stdout.contains("      Message:               Service \"auth\" not found\n"))
            #expect(describe.stdout.contains("      Reason:                InvalidCACertificateRef\n"))
            #expect(describe.stdout.contains("    Controller Name:         datum.net/datumctl-sandbox\n"))
            #expect(describe.stdout.hasSuffix("Events:                      <none>\n"))

            let deleted = try sandbox.kubectl(["delete", "-f", "-"], input: manifest)
            #expect(deleted.stdout == "backendtlspolicy.gateway.networking.k8s.io \"tls-upstream-auth\" deleted\n")
            let gone = try sandbox.kubectl(["get", "btlspolicy", "tls-upstream-auth"])
            #expect(gone.status == 1)
            #expect(
                gone.stderr
                    == "Error from server (NotFound): backendtlspolicies.gateway.networking.k8s.io \"tls-upstream-auth\" not found\n"
            )
        }
    }

    @Test func serverSideApplyAndConflicts() throws {
        try withSandbox { sandbox in
            let manifest = try Self.example("backendtlspolicy-system-certs.yaml")
            let applied = try sandbox.kubectl(["apply", "--server-side", "-f", "-"], input: manifest)
            #expect(applied.stdout == "backendtlspolicy.gateway.networking.k8s.io/tls-upstream-dev serverside-applied\n")
            let changed = manifest.replacingOccurrences(of: "dev.example.com", with: "other.example.com")
            let conflict = try sandbox.kubectl(
                ["apply", "--server-side", "--field-manager", "someone-else", "-f", "-"], input: changed)
            #expect(conflict.status == 1)
            #expect(
                conflict.stderr.hasPrefix(
                    "error: Apply failed with 1 conflict: conflict with \"kubectl\": .spec.validation.hostname\n"))
            let forced = try sandbox.kubectl(
                ["apply", "--server-side", "--force-conflicts", "--field-manager", "someone-else", "-f", "-"],
                input: changed)
            #expect(forced.status == 0)
            let managers = try sandbox.kubectl([
                "get", "btlspolicy", "tls-upstream-dev", "-o",
                "jsonpath={.spec.validation.hostname} {.metadata.managedFields[*].manager}",
            ])
            #expect(managers.stdout.hasPrefix("other.example.com kubectl someone-else"))
        }
    }

    @Test func invalidManifestIsRejectedWithTheServersMessage() throws {
        try withSandbox { sandbox in
            let both = try Self.example("backendtlspolicy-system-certs.yaml")
                .replacingOccurrences(of: "    hostname: dev.example.com\n", with: "    hostname: Dev.Example.com\n    caCertificateRefs:\n      - {group: \"\", kind: ConfigMap, name: ca}\n")
            let invalid = try sandbox.kubectl(["apply", "-f", "-"], input: both)
            #expect(invalid.status == 1)
            #expect(
                invalid.stderr
                    == "The BackendTLSPolicy \"tls-upstream-dev\" is invalid: \n* spec.validation.hostname: Invalid value: \"Dev.Example.com\": spec.validation.hostname in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'\n* spec.validation: Invalid value: \"object\": must not contain both CACertificateRefs and WellKnownCACertificates\n"
            )
            let unknown = try Self.example("backendtlspolicy-system-certs.yaml")
                .replacingOccurrences(of: "  validation:\n", with: "  foo: bar\n  validation:\n")
            let strict = try sandbox.kubectl(["apply", "-f", "-"], input: unknown)
            #expect(strict.status == 1)
            #expect(
                strict.stderr
                    == "Error from server (BadRequest): error when creating \"STDIN\": BackendTLSPolicy in version \"v1\" cannot be handled as a BackendTLSPolicy: strict decoding error: unknown field \"spec.foo\"\n"
            )
            let warned = try sandbox.kubectl(["apply", "--validate=warn", "-f", "-"], input: unknown)
            #expect(warned.status == 0)
            #expect(warned.stderr == "Warning: unknown field \"spec.foo\"\n")
            let badName = try sandbox.kubectl(
                ["apply", "-f", "-"], input: unknown.replacingOccurrences(of: "name: tls-upstream-dev", with: "name: Not_Valid")
                    .replacingOccurrences(of: "  foo: bar\n", with: ""))
            #expect(badName.stderr.hasPrefix("The BackendTLSPolicy \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\""))
        }
    }

    @Test func explainRecursiveMatchesSnapshot() throws {
        try withSandbox { sandbox in
            let result = try sandbox.kubectl(["explain", "backendtlspolicies", "--recursive"])
            #expect(result.status == 0)
            Snapshot(folder: "sandbox").expect(result.stdout, matches: "explain-backendtlspolicies-recursive.txt")
            let field = try sandbox.kubectl(["explain", "btlspolicy.spec.validation.hostname"])
            #expect(field.stdout.contains("FIELD: hostname <string>\n"))
        }
    }

    @Test(.enabled(if: SandboxKubectlTests.hasExamples, "docs/examples/gateway-api/conformance is missing"))
    func conformanceManifestsApplyAndGetStatus() throws {
        try withSandbox { sandbox in
            let namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gateway-conformance-infra\n"
            #expect(try sandbox.kubectl(["apply", "-f", "-"], input: namespace).status == 0)
            let applied = try sandbox.kubectl(["apply", "-f", Self.examples + "/conformance/"])
            #expect(applied.status == 0)
            #expect(applied.stdout.split(separator: "\n").count == 26)
            let ssa = try sandbox.kubectl(["apply", "--server-side", "-f", Self.examples + "/conformance/"])
            #expect(ssa.status == 0)
            let configMap = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: tls-checks-ca-certificate
                  namespace: gateway-conformance-infra
                data:
                  ca.crt: "-----BEGIN CERTIFICATE-----"
                """
            #expect(try sandbox.kubectl(["apply", "-f", "-"], input: configMap).status == 0)
            let query = [
                "get", "btlspolicy", "-n", "gateway-conformance-infra", "-o",
                #"jsonpath={range .items[*]}{.metadata.name}={range .status.ancestors[*].conditions[*]}{.reason},{end}{"\n"}{end}"#,
            ]
            let expected = """
                conflicted-with-section-name-1=Accepted,ResolvedRefs,
                conflicted-with-section-name-2=Conflicted,ResolvedRefs,
                conflicted-without-section-name-1=Accepted,ResolvedRefs,
                conflicted-without-section-name-2=Conflicted,ResolvedRefs,
                invalid-kind=NoValidCACertificate,InvalidKind,
                multiple-mismatch-sans=Accepted,ResolvedRefs,
                multiple-sans=Accepted,ResolvedRefs,
                not-conflicted-with-section-name=Accepted,ResolvedRefs,
                not-conflicted-without-section-name=Accepted,ResolvedRefs,
                san-dns=Accepted,ResolvedRefs,
                san-dns-mismatch=Accepted,ResolvedRefs,
                san-uri=Accepted,ResolvedRefs,
                san-uri-mismatch=Accepted,ResolvedRefs,

                """
            let status = try waitFor { () -> String? in
                let out = try sandbox.kubectl(query).stdout
                return out == expected ? out : nil
            }
            #expect(status == expected)
        }
    }
}

/// Polls `body` until it returns a value (status is written asynchronously), for up to 10 s.
func waitFor<T>(_ body: () throws -> T?) throws -> T {
    for _ in 0..<100 {
        if let value = try body() { return value }
        Thread.sleep(forTimeInterval: 0.1)
    }
    throw SandboxTestError("condition not reached within 10 s")
}
