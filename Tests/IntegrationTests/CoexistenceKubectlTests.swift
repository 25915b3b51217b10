import DatumJSON
import Foundation
import Testing

/// Real kubectl and datumctl taking turns on the same objects in one sandbox. Each sequence
/// runs twice: once mixed (project `mixed`), once with kubectl alone doing what datumctl does
/// (project `kube`: `kubectl apply --server-side --field-manager=datumctl`, with
/// `--force-conflicts` where kubectl would meet the conflict datumctl avoids by upgrading the
/// object first). The printed outcomes and the final objects (data, annotations, managed
/// fields without their times) must agree.
@Suite(.serialized, .enabled(if: SandboxBinaries.hasKubectl, "kubectl is not installed; skipping kubectl tests"))
struct CoexistenceKubectlTests {
    static let annotation = "kubectl.kubernetes.io/last-applied-configuration"

    static func configMap(_ a: String, name: String = "c") -> String {
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \(name)\ndata:\n  a: \"\(a)\"\n  b: \"2\"\n"
    }

    /// What kubectl alone runs for a datumctl step.
    static let kubectlAsDatumctl = [
        "apply", "--server-side", "--field-manager=datumctl", "--force-conflicts", "-f", "-",
    ]

    /// The parts of an object both sequences must agree on.
    static func comparable(_ sandbox: SandboxInstance, project: String, name: String = "c") throws -> JSONValue {
        let object = try sandbox.request("GET", "/api/v1/namespaces/default/configmaps/" + name, project: project).json
        var entries: [JSONValue] = []
        for var entry in object["metadata"]?["managedFields"]?.arrayValue ?? [] {
            entry["time"] = nil
            entries.append(entry)
        }
        // The server orders entries by time (to the second) first; that is not compared.
        func key(_ entry: JSONValue) -> String {
            (entry["manager"]?.stringValue ?? "") + "/" + (entry["operation"]?.stringValue ?? "")
        }
        entries.sort { key($0) < key($1) }
        return [
            "data": object["data"] ?? .null,
            "annotations": object["metadata"]?["annotations"] ?? .null,
            "managedFields": .array(entries),
        ]
    }

    static func managers(_ value: JSONValue) -> [String] {
        (value["managedFields"]?.arrayValue ?? []).map {
            ($0["manager"]?.stringValue ?? "") + "/" + ($0["operation"]?.stringValue ?? "")
        }
    }

    /// kubectl client-side create → datumctl edit → kubectl client-side edit → datumctl edit.
    @Test func clientSideApplyAndDatumctlTakeTurns() throws {
        try withSandbox { sandbox in
            var steps: [(String, String)] = []
            for (step, value) in ["1", "10", "20", "30"].enumerated() {
                let input = Self.configMap(value)
                if step % 2 == 0 {
                    let mixed = try sandbox.kubectl(["apply", "-f", "-"], project: "mixed", input: input)
                    let alone = try sandbox.kubectl(["apply", "-f", "-"], project: "kube", input: input)
                    #expect(mixed.status == 0)
                    #expect(mixed.stdout == alone.stdout)
                    #expect(mixed.stderr == alone.stderr)
                    steps.append((mixed.stdout, mixed.stderr))
                } else {
                    let datumctl = try WriteCLI.run(sandbox, ["apply", "-f", "-"], project: "mixed", input: input)
                    let alone = try sandbox.kubectl(Self.kubectlAsDatumctl, project: "kube", input: input)
                    #expect(datumctl.status == 0)
                    #expect(alone.status == 0)
                    #expect(datumctl.stdout == "configmap/c configured\n")
                    #expect(datumctl.stderr == "")
                    #expect(alone.stdout == "configmap/c serverside-applied\n")
                }
                #expect(try Self.comparable(sandbox, project: "mixed") == Self.comparable(sandbox, project: "kube"))
            }
            // kubectl's own words for each of its steps.
            #expect(steps[0] == ("configmap/c created\n", ""))
            // datumctl's server-side apply upgraded the object and dropped the annotation, as
            // kubectl's does under a field manager of its own; kubectl says so and restores it.
            #expect(steps[1].0 == "configmap/c configured\n")
            #expect(steps[1].1.hasPrefix("Warning: resource configmaps/c is missing the \(Self.annotation) annotation"))
            let final = try Self.comparable(sandbox, project: "mixed")
            #expect(final["data"] == ["a": "30", "b": "2"])
            #expect(final["annotations"] == .null)
            #expect(Self.managers(final) == ["datumctl/Apply"])
            #expect(final["managedFields"]?[0]?["fieldsV1"] == ["f:data": ["f:a": [:], "f:b": [:]]])

            // The same manifest again changes nothing.
            let again = try WriteCLI.run(
                sandbox, ["apply", "-f", "-"], project: "mixed", input: Self.configMap("30"))
            #expect(again.stdout == "configmap/c unchanged\n")
        }
    }

    /// datumctl create → kubectl client-side edit → datumctl edit (an object datumctl made).
    @Test func kubectlClientSideApplyEditsWhatDatumctlCreated() throws {
        try withSandbox { sandbox in
            let first = try WriteCLI.run(sandbox, ["apply", "-f", "-"], project: "mixed", input: Self.configMap("1"))
            try sandbox.kubectl(Self.kubectlAsDatumctl, project: "kube", input: Self.configMap("1"))
            #expect(first.stdout == "configmap/c created\n")
            let mixed = try sandbox.kubectl(["apply", "-f", "-"], project: "mixed", input: Self.configMap("2"))
            let alone = try sandbox.kubectl(["apply", "-f", "-"], project: "kube", input: Self.configMap("2"))
            #expect(mixed.status == 0)
            #expect(mixed.stdout == "configmap/c configured\n")
            #expect(mixed.stderr == alone.stderr)
            #expect(try Self.comparable(sandbox, project: "mixed") == Self.comparable(sandbox, project: "kube"))
            let edit = try WriteCLI.run(sandbox, ["apply", "-f", "-"], project: "mixed", input: Self.configMap("3"))
            try sandbox.kubectl(Self.kubectlAsDatumctl, project: "kube", input: Self.configMap("3"))
            #expect(edit.status == 0)
            #expect(edit.stdout == "configmap/c configured\n")
            #expect(edit.stderr == "")
            let final = try Self.comparable(sandbox, project: "mixed")
            #expect(try final == Self.comparable(sandbox, project: "kube"))
            #expect(final["data"] == ["a": "3", "b": "2"])
            #expect(Self.managers(final) == ["datumctl/Apply"])
        }
    }

    /// kubectl server-side create (manager `kubectl`) → datumctl edit: a conflict, as for any two
    /// appliers, with advice naming `--field-manager=kubectl`; with it, both tools keep working.
    @Test func kubectlServerSideApplyAndDatumctlShareTheManagerKubectl() throws {
        try withSandbox { sandbox in
            for project in ["mixed", "kube"] {
                let created = try sandbox.kubectl(
                    ["apply", "--server-side", "-f", "-"], project: project, input: Self.configMap("1"))
                #expect(created.stdout == "configmap/c serverside-applied\n")
            }
            let conflict = try WriteCLI.run(
                sandbox, ["apply", "-f", "-"], project: "mixed", input: Self.configMap("2"))
            let kubectlConflict = try sandbox.kubectl(
                ["apply", "--server-side", "--field-manager=datumctl", "-f", "-"], project: "kube",
                input: Self.configMap("2"))
            #expect(conflict.status == 1)
            #expect(kubectlConflict.status == 1)
            #expect(conflict.stdout == "")
            #expect(
                conflict.stderr.split(separator: "\n").first == kubectlConflict.stderr.split(separator: "\n").first)
            #expect(conflict.stderr.contains("re-run with --field-manager=kubectl"))
            #expect(conflict.stderr.contains("--force-conflicts"))

            let asKubectl = ["apply", "--field-manager=kubectl", "-f", "-"]
            let edit = try WriteCLI.run(sandbox, asKubectl, project: "mixed", input: Self.configMap("2"))
            try sandbox.kubectl(["apply", "--server-side", "-f", "-"], project: "kube", input: Self.configMap("2"))
            #expect(edit.status == 0)
            #expect(edit.stdout == "configmap/c configured\n")
            for (value, project) in [("3", "mixed"), ("3", "kube")] {
                let further = try sandbox.kubectl(
                    ["apply", "--server-side", "-f", "-"], project: project, input: Self.configMap(value))
                #expect(further.stdout == "configmap/c serverside-applied\n")
            }
            let explicit = try WriteCLI.run(
                sandbox, asKubectl + ["--server-side"], project: "mixed", input: Self.configMap("4"))
            try sandbox.kubectl(["apply", "--server-side", "-f", "-"], project: "kube", input: Self.configMap("4"))
            #expect(explicit.stdout == "configmap/c serverside-applied\n")
            let final = try Self.comparable(sandbox, project: "mixed")
            #expect(try final == Self.comparable(sandbox, project: "kube"))
            #expect(final["data"] == ["a": "4", "b": "2"])
            #expect(Self.managers(final) == ["kubectl/Apply"])
        }
    }

    /// kubectl client-side create → datumctl as manager `kubectl` → kubectl client-side edit:
    /// datumctl does what kubectl's server-side apply does to such an object (the annotation is
    /// kept as `kubectl-last-applied` and kept up to date by the server).
    @Test func datumctlAsKubectlUpgradesLikeKubectlServerSideApply() throws {
        try withSandbox { sandbox in
            for project in ["mixed", "kube"] {
                try sandbox.kubectl(["apply", "-f", "-"], project: project, input: Self.configMap("1"))
            }
            let edit = try WriteCLI.run(
                sandbox, ["apply", "--field-manager=kubectl", "-f", "-"], project: "mixed", input: Self.configMap("2"))
            let alone = try sandbox.kubectl(
                ["apply", "--server-side", "-f", "-"], project: "kube", input: Self.configMap("2"))
            #expect(edit.stdout == "configmap/c configured\n")
            #expect(edit.stderr == "")
            #expect(alone.stdout == "configmap/c serverside-applied\n")
            let upgraded = try Self.comparable(sandbox, project: "mixed")
            #expect(try upgraded == Self.comparable(sandbox, project: "kube"))
            #expect(Self.managers(upgraded) == ["kubectl-last-applied/Apply", "kubectl/Apply"])
            #expect(
                upgraded["annotations"]?[Self.annotation]
                    == .string(
                        #"{"apiVersion":"v1","data":{"a":"2","b":"2"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}"#
                            + "\n"))
            for project in ["mixed", "kube"] {
                let back = try sandbox.kubectl(["apply", "-f", "-"], project: project, input: Self.configMap("3"))
                #expect(back.stdout == "configmap/c configured\n")
                #expect(back.stderr == "")
            }
            #expect(try Self.comparable(sandbox, project: "mixed") == Self.comparable(sandbox, project: "kube"))
        }
    }

    /// `--dry-run=client` reads the object as kubectl does; `--server-side` with it is refused
    /// in kubectl's words (exit 64, datumctl's usage status).
    @Test func clientDryRunMatchesKubectl() throws {
        try withSandbox { sandbox in
            for project in ["mixed", "kube"] {
                try sandbox.kubectl(["apply", "-f", "-"], project: project, input: Self.configMap("1"))
            }
            let input = Self.configMap("1") + "---\n" + Self.configMap("1", name: "new")
            let kubectl = try sandbox.kubectl(["apply", "--dry-run=client", "-f", "-"], project: "kube", input: input)
            let datumctl = try WriteCLI.run(
                sandbox, ["apply", "--dry-run=client", "-f", "-"], project: "mixed", input: input)
            #expect(kubectl.stdout == "configmap/c configured (dry run)\nconfigmap/new created (dry run)\n")
            #expect(datumctl.stdout == kubectl.stdout)
            #expect(datumctl.status == 0)

            let both = ["apply", "--dry-run=client", "--server-side", "-f", "-"]
            let refusedByKubectl = try sandbox.kubectl(both, project: "kube", input: input)
            let refused = try WriteCLI.run(sandbox, both, project: "mixed", input: input)
            #expect(refusedByKubectl.status == 1)
            #expect(refused.status == 64)
            #expect(refused.stdout == "")
            #expect(refused.stderr.split(separator: "\n").first == refusedByKubectl.stderr.split(separator: "\n").first)

            // Nothing was written by either dry run.
            #expect(
                try sandbox.request("GET", "/api/v1/namespaces/default/configmaps/new", project: "mixed").status == 404)
        }
    }
}

/// Dry runs cannot upgrade an object kubectl applied client-side; they still preview the edit.
@Suite(.serialized, .enabled(if: SandboxBinaries.hasKubectl, "kubectl is not installed; skipping kubectl tests"))
struct CoexistenceDryRunTests {
    @Test func serverDryRunAndDiffOfAClientSideAppliedObjectPreviewTheEdit() throws {
        try withSandbox { sandbox in
            try sandbox.kubectl(["apply", "-f", "-"], project: "p1", input: CoexistenceKubectlTests.configMap("1"))
            let before = try sandbox.request("GET", "/api/v1/namespaces/default/configmaps/c").json
            let edited = CoexistenceKubectlTests.configMap("5")
            let dryRun = try WriteCLI.run(
                sandbox, ["apply", "--dry-run=server", "-o", "json", "-f", "-"], input: edited)
            #expect(dryRun.status == 0)
            #expect(dryRun.stderr == "")
            let preview = try JSONParser.parse(dryRun.stdout)
            #expect(preview["data"] == ["a": "5", "b": "2"])
            let lines = try WriteCLI.run(sandbox, ["apply", "--dry-run=server", "-f", "-"], input: edited)
            #expect(lines.stdout == "configmap/c configured (server dry run)\n")
            let diff = try WriteCLI.run(sandbox, ["diff", "-f", "-"], input: edited)
            #expect(diff.status == 1)
            #expect(diff.stdout.contains("-  a: \"1\"\n+  a: \"5\"\n"))
            // Nothing changed, the managed fields included.
            #expect(try sandbox.request("GET", "/api/v1/namespaces/default/configmaps/c").json == before)
        }
    }
}
