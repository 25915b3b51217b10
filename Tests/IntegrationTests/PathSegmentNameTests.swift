import Foundation
import TestSupport
import Testing

/// Names that would change the URL they go into (`..`, `.`, `a/b`, `a%b`, an empty name) are
/// refused before any request, for every verb, in kubectl's words.
///
/// The referee is kubectl v1.32.4: `kubectlRecording` holds what it printed and its exit status,
/// run against `datumctl-sandbox` (kubectl needs discovery first, so a server must answer; it
/// then fails without sending the object's request). `kubectlStillSaysSo` re-runs kubectl on
/// every row whenever kubectl is installed, so a recording that no longer matches fails.
@Suite(.serialized) struct PathSegmentNameTests {
    /// The manifests the `-f` rows read, by file name (the messages quote the name as given).
    static let manifests: [String: String] = [
        "bad-name.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ..\ndata: {a: b}\n",
        "bad-ns.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: ..\ndata: {a: b}\n",
        "slash-name.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a/b\ndata: {a: b}\n",
        "ok.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata: {a: b}\n",
    ]

    struct Recorded: CustomStringConvertible, Sendable {
        var arguments: [String]
        var stderr: String
        var status: Int32
        /// Whether datumctl prints exactly this too; otherwise `docs/kubectl-compatibility.md` says why.
        var datumctlMatches = true
        var description: String { arguments.joined(separator: " ") }
    }

    /// kubectl v1.32.4's stderr and exit status, recorded against the sandbox (namespace `default`).
    static let kubectlRecording: [Recorded] = [
        Recorded(
            arguments: ["get", "configmap", ".."], stderr: "error: invalid resource name \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["get", "configmap", "."], stderr: "error: invalid resource name \".\": [may not be '.']\n",
            status: 1),
        Recorded(
            arguments: ["get", "cm", "a%b"], stderr: "error: invalid resource name \"a%b\": [may not contain '%']\n",
            status: 1),
        Recorded(
            arguments: ["get", "cm", ""], stderr: "error: resource name may not be empty\n", status: 1),
        Recorded(
            arguments: ["delete", "configmap", "..", "-n", "team"],
            stderr: "error: invalid resource name \"..\": [may not be '..']\n", status: 1),
        Recorded(
            arguments: ["delete", "cm", "."], stderr: "error: invalid resource name \".\": [may not be '.']\n",
            status: 1),
        Recorded(
            arguments: ["describe", "cm", ".."], stderr: "error: invalid resource name \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["get", "cm", "x", "-n", ".."], stderr: "error: invalid namespace \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["get", "cm", "x", "-n", "a%b"],
            stderr: "error: invalid namespace \"a%b\": [may not contain '%']\n", status: 1),
        Recorded(
            arguments: ["describe", "cm", "x", "-n", ".."],
            stderr: "error: invalid namespace \"..\": [may not be '..']\n", status: 1),
        Recorded(
            arguments: ["delete", "cm", "x", "-n", ".."],
            stderr: "error: invalid namespace \"..\": [may not be '..']\n", status: 1),
        Recorded(
            arguments: ["delete", "cm", "--all", "-n", ".."],
            stderr: "error: invalid namespace \"..\": [may not be '..']\n", status: 1),
        Recorded(
            arguments: ["get", "cm", "-n", "..", "-o", "name"],
            stderr: "error: invalid namespace \"..\": [may not be '..']\n", status: 1),
        Recorded(
            arguments: ["get", "cm/.."], stderr: "error: invalid resource name \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["get", "cm", "..", "-w"], stderr: "error: invalid resource name \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["get", "cm", "-w", "-n", ".."], stderr: "error: invalid namespace \"..\": [may not be '..']\n",
            status: 1),
        // Several errors: kubectl's aggregate prints each bare.
        Recorded(
            arguments: ["get", "cm,svc", ".."],
            stderr: "invalid resource name \"..\": [may not be '..']\ninvalid resource name \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["get", "cm/..", "svc/.."],
            stderr: "invalid resource name \"..\": [may not be '..']\ninvalid resource name \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["delete", "-f", "bad-name.yaml"],
            stderr: "error: error when deleting \"bad-name.yaml\": invalid resource name \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["delete", "-f", "bad-ns.yaml"],
            stderr: "error: error when deleting \"bad-ns.yaml\": invalid namespace \"..\": [may not be '..']\n",
            status: 1),
        Recorded(
            arguments: ["get", "-f", "bad-name.yaml", "-o", "yaml"],
            stderr: "error: invalid resource name \"..\": [may not be '..']\n", status: 1),
        // kubectl prints a lone list error bare in its table path; datumctl keeps `error: `.
        Recorded(
            arguments: ["get", "cm", "-n", ".."], stderr: "invalid namespace \"..\": [may not be '..']\n", status: 1,
            datumctlMatches: false),
        // datumctl reports manifest problems at FILE:LINE:COL before sending anything.
        Recorded(
            arguments: ["apply", "--server-side", "-f", "bad-name.yaml"],
            stderr: "error: invalid resource name \"..\": [may not be '..']\n", status: 1, datumctlMatches: false),
        Recorded(
            arguments: ["apply", "--server-side", "-f", "bad-ns.yaml"],
            stderr: "error: invalid namespace \"..\": [may not be '..']\n", status: 1, datumctlMatches: false),
        Recorded(
            arguments: ["apply", "--server-side", "-f", "slash-name.yaml"],
            stderr: "error: invalid resource name \"a/b\": [may not contain '/']\n", status: 1, datumctlMatches: false),
        Recorded(
            arguments: ["diff", "--server-side", "-f", "bad-name.yaml"],
            stderr: "error: invalid resource name \"..\": [may not be '..']\n", status: 2, datumctlMatches: false),
        Recorded(
            arguments: ["diff", "--server-side", "-f", "bad-ns.yaml"],
            stderr: "error: invalid namespace \"..\": [may not be '..']\n", status: 2, datumctlMatches: false),
    ]

    /// A directory holding ``manifests``, removed when the test ends.
    static func withManifests<T>(_ body: (String) throws -> T) throws -> T {
        let directory = NSTemporaryDirectory() + "path-segments-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text) in manifests { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        return try body(directory)
    }

    @Test(.enabled(if: SandboxBinaries.hasKubectl, "kubectl is not installed; the recording is not re-checked"))
    func kubectlStillSaysSo() throws {
        let sandbox = try SandboxInstance()
        try Self.withManifests { directory in
            guard let kubectl = SandboxBinaries.kubectl else { return }
            for row in Self.kubectlRecording {
                let result = try TestProcess.run(
                    kubectl, row.arguments, environment: try sandbox.kubectlEnvironment(),
                    currentDirectory: directory)
                #expect(result.stderr == row.stderr, "kubectl \(row)")
                #expect(result.status == row.status, "kubectl \(row)")
            }
        }
    }

    @Test func datumctlSaysWhatKubectlSays() throws {
        let sandbox = try SandboxInstance()
        try Self.withManifests { directory in
            for row in Self.kubectlRecording {
                let result = try TestProcess.run(
                    ReadIT.datumctl, row.arguments + sandbox.connectionFlags(),
                    environment: sandbox.datumctlEnvironment(), currentDirectory: directory)
                #expect(result.status == row.status, "datumctl \(row)")
                if row.datumctlMatches {
                    #expect(result.stderr == row.stderr, "datumctl \(row)")
                } else {
                    // The message itself is kubectl's, after datumctl's own prefix.
                    let message = row.stderr.split(separator: "\n").first.map { String($0) } ?? ""
                    let bare = message.hasPrefix("error: ") ? String(message.dropFirst(7)) : message
                    #expect(result.stderr.contains(bare), "datumctl \(row): \(result.stderr)")
                }
            }
        }
    }

    /// Every verb and every source of a name, against a listener that records what reaches it:
    /// nothing may. (Built-in kinds need no discovery, so a refused name means no request at all.)
    @Test(arguments: [
        (["get", "configmap", ".."], 1), (["get", "cm", "a/b/c"], 64), (["get", "cm", "a%2Fb"], 1),
        (["get", "cm", "x", "-n", ".."], 1), (["get", "cm", "-n", "."], 1), (["get", "cm", "-A", "-n", "ok", "."], 64),
        (["get", "cm", "..", "-w"], 1), (["get", "cm", "-w", "-n", ".."], 1), (["get", "-f", "bad-name.yaml"], 1),
        (["describe", "cm", ".."], 1), (["describe", "cm", "-n", ".."], 1), (["describe", "-f", "bad-ns.yaml"], 1),
        (["delete", "configmap", "..", "-n", "team"], 1), (["delete", "cm", "."], 1), (["delete", "cm", ""], 1),
        (["delete", "cm", "--all", "-n", ".."], 1), (["delete", "-f", "bad-name.yaml"], 1),
        (["delete", "-f", "bad-ns.yaml"], 1), (["delete", "cm", "..", "--dry-run=client"], 1),
        (["apply", "-f", "bad-name.yaml"], 1), (["apply", "-f", "bad-ns.yaml"], 1),
        (["apply", "-f", "slash-name.yaml"], 1), (["apply", "-f", "ok.yaml", "-n", ".."], 1),
        (["diff", "-f", "bad-name.yaml"], 2), (["diff", "-f", "ok.yaml", "-n", ".."], 2),
        (["get", "cm", "--project", ".."], 1), (["get", "cm", "--project", "a/b"], 1),
        (["get", "cm", "--project", "My_Project"], 1), (["delete", "cm", "x", "--project", "%2e%2e"], 1),
        (["apply", "-f", "ok.yaml", "--project", ".."], 1), (["explain", "configmaps", "--project", ".."], 1),
        (["describe", "cm", "x", "--project", "."], 1),
    ] as [([String], Int32)])
    func noRequestLeavesForABadName(_ arguments: [String], _ status: Int32) throws {
        let listener = try RecordingProxy(response: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
        defer { listener.stop() }
        let project = arguments.contains("--project") ? [] : ["--project", "p1"]
        let result = try Self.withManifests { directory in
            try TestProcess.run(
                ReadIT.datumctl, arguments + project + ["--server", listener.url, "--token", "t"],
                environment: ["HOME": directory, "PATH": "/usr/bin:/bin", "DATUMCTL_CONFIG": directory + "/config"],
                currentDirectory: directory)
        }
        #expect(listener.requests.isEmpty, "requests for \(arguments): \(listener.requests)")
        #expect(result.status == status, "\(arguments): \(result.stderr)")
    }

    /// The project from the environment is checked like `--project`.
    @Test(arguments: [
        (["DATUM_PROJECT": ".."], "error: invalid project \"..\": [may not be '..']\n"),
        (["DATUM_PROJECT": "a%b"], "error: invalid project \"a%b\": [may not contain '%']\n"),
    ])
    func theProjectFromTheEnvironmentIsChecked(_ environment: [String: String], _ stderr: String) throws {
        let listener = try RecordingProxy(response: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
        defer { listener.stop() }
        let home = NSTemporaryDirectory() + "path-segments-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: home) }
        var variables = ["HOME": home, "PATH": "/usr/bin:/bin", "DATUMCTL_CONFIG": home + "/config"]
        for (key, value) in environment { variables[key] = value }
        let result = try TestProcess.run(
            ReadIT.datumctl, ["get", "cm", "--server", listener.url, "--token", "t"], environment: variables)
        #expect(result.stderr == stderr)
        #expect(result.status == 1)
        #expect(listener.requests.isEmpty)
    }

    /// Completion asks the server for names; with a namespace or project that cannot be a path
    /// segment it asks nothing and offers nothing.
    @Test(arguments: [
        ["__complete", "get", "cm", "-n", "..", ""], ["__complete", "get", "cm", "--project", "..", ""],
        ["__complete", "delete", "cm", "--namespace=a/b", ""],
    ])
    func completionSendsNothingForABadName(_ arguments: [String]) throws {
        let listener = try RecordingProxy(response: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
        defer { listener.stop() }
        let home = NSTemporaryDirectory() + "path-segments-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: home) }
        let project = arguments.contains("--project") ? [] : ["--project", "p1"]
        let words = Array(arguments.dropLast()) + project + ["--server", listener.url, "--token", "t", ""]
        let result = try TestProcess.run(
            ReadIT.datumctl, words,
            environment: ["HOME": home, "PATH": "/usr/bin:/bin", "DATUMCTL_CONFIG": home + "/config"])
        #expect(listener.requests.isEmpty, "\(listener.requests)")
        // Directive 5: an error (1), and no file names instead (4).
        #expect(result.stdout == ":5\n", "\(result.stdout)")
        #expect(result.stderr.contains("invalid "), "\(result.stderr)")
    }

    /// The server over the wire (SwiftNIO, not only the handler): dot segments, encoded slashes
    /// and a slash after a name are refused for every verb, and nothing changes.
    @Test func theSandboxRefusesPathsThatNameAnotherObject() throws {
        let sandbox = try SandboxInstance()
        try sandbox.create("/api/v1/namespaces", #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}}"#)
        try sandbox.create(
            "/api/v1/namespaces/team/configmaps",
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"team"}}"#)
        let cases: [(String, Int)] = [
            ("/api/v1/namespaces/team/", 404), ("/api/v1/namespaces/team/configmaps/..", 400),
            ("/api/v1/namespaces/team/configmaps/.", 400), ("/api/v1/namespaces/team/configmaps/%2e%2e", 400),
            ("/api/v1/namespaces/team/configmaps/%2E%2E/", 404), ("/api/v1/namespaces/team/configmaps/a%2Fb", 404),
            ("/api/v1/namespaces/team/configmaps/cm/", 404), ("/api/v1/namespaces/../configmaps/cm", 404),
        ]
        for (path, status) in cases {
            for method in ["GET", "PUT", "PATCH", "DELETE", "POST"] {
                let body = method == "GET" || method == "DELETE" ? nil : #"{"metadata":{"name":"cm"}}"#
                let result = try sandbox.request(
                    method, path, body: body, contentType: "application/merge-patch+json", pathAsIs: true)
                #expect(result.status == status, "\(method) \(path): \(result.body)")
            }
        }
        #expect(try sandbox.request("GET", "/api/v1/namespaces/team").status == 200)
        #expect(try sandbox.request("GET", "/api/v1/namespaces/team/configmaps/cm").status == 200)
    }

    /// The bug as found: `delete configmap .. -n team` deleted the namespace `team`.
    @Test func deletingDotDotLeavesTheNamespaceAlone() throws {
        let sandbox = try SandboxInstance()
        try sandbox.create("/api/v1/namespaces", #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}}"#)
        let result = try sandbox.datumctl(["delete", "configmap", "..", "-n", "team"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: invalid resource name \"..\": [may not be '..']\n")
        #expect(try sandbox.request("GET", "/api/v1/namespaces/team").status == 200)
    }
}
