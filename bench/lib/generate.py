"""Generates BackendTLSPolicy manifests for the benchmarks: N documents in one stream."""
import sys


def policy(i):
    name = f"policy-{i:05d}"
    lines = [
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: BackendTLSPolicy",
        "metadata:",
        f"  name: {name}",
        "  labels:",
        f"    app: backend-{i % 50}",
        "    tier: edge",
        "spec:",
        "  targetRefs:",
        "  - group: \"\"",
        "    kind: Service",
        f"    name: backend-{i}",
    ]
    if i % 3 == 0:
        lines.append("    sectionName: https")
    lines.append("  validation:")
    if i % 2 == 0:
        lines += ["    caCertificateRefs:", "    - group: \"\"", "      kind: ConfigMap", f"      name: ca-{i % 20}"]
    else:
        lines.append("    wellKnownCACertificates: System")
    lines.append(f"    hostname: backend-{i}.example.com")
    if i % 4 == 0:
        lines += [
            "    subjectAltNames:",
            "    - type: Hostname",
            f"      hostname: backend-{i}.example.com",
            "    - type: URI",
            f"      uri: spiffe://example.com/ns/default/sa/backend-{i}",
        ]
    if i % 5 == 0:
        lines += ["  options:", "    example.com/min-tls-version: \"1.3\""]
    return "\n".join(lines) + "\n"


def main():
    count = int(sys.argv[1])
    out = sys.stdout
    for i in range(count):
        if i:
            out.write("---\n")
        out.write(policy(i))


if __name__ == "__main__":
    main()
