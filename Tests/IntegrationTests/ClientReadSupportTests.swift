import DatumJSON
import Foundation
import TestSupport
import Testing

/// Running the real `datumctl` binary against a sandbox: its environment, objects to read, and
/// the masking that makes clock- and id-dependent output comparable.
enum ReadIT {
    static var datumctl: String { SandboxBinaries.directory.appendingPathComponent("datumctl").path }
    static let snapshot = Snapshot(folder: "read")
    static let policies = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"

    /// A policy as JSON, for creating objects with plain HTTP.
    static func policy(_ name: String, labels: [String: String] = [:], host: String? = nil) -> String {
        let labelText = labels.keys.sorted().map { "\"\($0)\":\"\(labels[$0] ?? "")\"" }.joined(separator: ",")
        return """
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy",\
            "metadata":{"name":"\(name)"\(labels.isEmpty ? "" : ",\"labels\":{\(labelText)}")},\
            "spec":{"targetRefs":[{"group":"","kind":"Service","name":"\(name)","sectionName":"https"}],\
            "validation":{"caCertificateRefs":[{"group":"","kind":"ConfigMap","name":"\(name)-ca"}],\
            "hostname":"\(host ?? name + ".example.com")"}}}
            """
    }

    /// An event about a policy, as a controller would record it; times are relative to now so
    /// both clients print the same ages.
    static func event(about name: String, uid: String, reason: String = "ResolvedRefs") -> String {
        let now = Date()
        func time(_ secondsAgo: Double) -> String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.string(from: now.addingTimeInterval(-secondsAgo))
        }
        return """
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"\(name).\(reason.lowercased())","namespace":"default"},\
            "involvedObject":{"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy","name":"\(name)",\
            "namespace":"default","uid":"\(uid)"},"reason":"\(reason)","message":"Resolved the CA bundle of \(name)",\
            "type":"Normal","source":{"component":"datum-gateway"},"count":3,\
            "firstTimestamp":"\(time(7300))","lastTimestamp":"\(time(3700))"}
            """
    }

    /// Replaces what differs between runs: ages, uids, timestamps, resource versions, cluster IPs.
    static func normalize(_ text: String) -> String {
        var out = maskAges(text)
        let rules: [(String, String)] = [
            (#"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, "<uid>"),
            (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, "<time>"),
            (#"(?m)(resourceVersion"?:\s*"?)\d+"#, "$1<rv>"),
            (#"(?m)(Resource Version:\s+)\d+"#, "$1<rv>"),
            (#"\b10\.\d+\.\d+\.\d+\b"#, "<ip>"),
            (#"(?m)\b\d+[smhd](\d+[smh])?( \(x\d+ over \d+[smhd](\d+[smh])?\))?(\s|$)"#, "<age>$4"),
        ]
        for (pattern, template) in rules {
            out = out.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        // An age's width sets its column's; the padding after it says nothing else.
        return out.replacingOccurrences(of: "<age> +", with: "<age> ", options: .regularExpression)
    }
}

extension SandboxInstance {
    /// A home with no datumctl configuration, so nothing from the machine leaks in.
    var datumctlHome: String { directory + "/datumctl-home" }

    /// The environment `datumctl` runs with: only what the test gives it.
    func datumctlEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        try? FileManager.default.createDirectory(atPath: datumctlHome, withIntermediateDirectories: true)
        var environment = ["HOME": datumctlHome, "PATH": "/usr/bin:/bin", "DATUMCTL_CONFIG": datumctlHome + "/config"]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// The flags that reach this sandbox over TLS with its throwaway CA.
    func connectionFlags(project: String = "p1", token: String? = nil) -> [String] {
        var flags = ["--server", url, "--project", project, "--token", token ?? adminToken]
        if let certificates { flags += ["--certificate-authority", certificates.caPath] }
        return flags
    }

    /// Runs the real datumctl binary against this sandbox.
    @discardableResult
    func datumctl(
        _ arguments: [String], project: String = "p1", token: String? = nil, input: String? = nil,
        connect: Bool = true, environment extra: [String: String] = [:]
    ) throws -> TestProcess.Output {
        let flags = connect ? connectionFlags(project: project, token: token) : []
        return try TestProcess.run(
            ReadIT.datumctl, arguments + flags, environment: datumctlEnvironment(extra), input: input)
    }

    /// Creates an object with plain HTTP and returns it.
    @discardableResult
    func create(_ path: String, _ body: String, project: String = "p1") throws -> JSONValue {
        let result = try request("POST", path, project: project, body: body)
        guard result.status == 201 else { throw SandboxTestError("POST \(path): \(result.status) \(result.body)") }
        return result.json
    }
}

/// Starts a process and hands it back running, for commands that run until stopped (watch).
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private var collected: (Data, Data)?
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()

    init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isOut) in [(out, true), (err, false)] {
            group.enter()
            DispatchQueue.global().async { [self] in
                // Read as it arrives, so a test can wait for a line before it acts.
                while true {
                    let data = pipe.fileHandleForReading.availableData
                    if data.isEmpty { break }
                    lock.withLock {
                        if isOut { stdoutData.append(data) } else { stderrData.append(data) }
                    }
                }
                group.leave()
            }
        }
    }

    /// Waits until standard output contains `text` (at most `timeout` seconds); whether it did.
    func waitForOutput(containing text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if lock.withLock({ String(decoding: stdoutData, as: UTF8.self).contains(text) }) { return true }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return lock.withLock { String(decoding: stdoutData, as: UTF8.self).contains(text) }
    }

    /// Waits for the process to end on its own (at most `timeout` seconds, then it is killed).
    func finish(timeout: Double) -> TestProcess.Output {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        stop()
        group.wait()
        return lock.withLock {
            TestProcess.Output(
                status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                stderr: String(decoding: stderrData, as: UTF8.self))
        }
    }

    /// Kills the process by its pid if it is still running.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    deinit { stop() }
}

@Suite struct ClientReadSupportTests {
    @Test func normalizationMasksWhatChangesBetweenRuns() {
        let text = """
            uid: 59b4c702-25b0-4e27-8d4a-4c009d50e2ec
            creationTimestamp: "2026-11-26T20:20:41Z"
            resourceVersion: "48"
              Resource Version:    12
            clusterIP: 10.109.138.177
            a   5s
              Normal  ResolvedRefs  62m (x3 over 2h1m)  datum-gateway  Resolved
            """
        #expect(
            ReadIT.normalize(text) == """
                uid: <uid>
                creationTimestamp: "<time>"
                resourceVersion: "<rv>"
                  Resource Version:    <rv>
                clusterIP: <ip>
                a <age>
                  Normal  ResolvedRefs  <age> datum-gateway  Resolved
                """)
    }

    @Test func theBinaryRunsWithoutAnyServer() throws {
        let result = try TestProcess.run(
            ReadIT.datumctl, ["version", "--client"],
            environment: ["HOME": "/nonexistent", "DATUMCTL_CONFIG": "/nonexistent/config"])
        #expect(result.status == 0)
        #expect(result.stdout == "Client Version: v0.1.0\n")
    }
}
