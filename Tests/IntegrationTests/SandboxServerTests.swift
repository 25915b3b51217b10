import DatumJSON
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

private let policiesPath = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"

private func policy(_ name: String, hostname: String = "a.example.com") -> String {
    """
    {"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy","metadata":{"name":"\(name)"},\
    "spec":{"targetRefs":[{"group":"","kind":"Service","name":"svc"}],\
    "validation":{"wellKnownCACertificates":"System","hostname":"\(hostname)"}}}
    """
}

/// Direct HTTP against the real binary: isolation, watch, persistence and crash safety.
@Suite(.serialized) struct SandboxServerTests {
    @Test func aTokenForProjectAIsForbiddenEverywhereInProjectB() throws {
        try withSandbox(tokens: "token-a a\ntoken-b b\n") { sandbox in
            for (project, token, host) in [("a", "token-a", "a.example.com"), ("b", "token-b", "b.example.com")] {
                let r = try sandbox.request("POST", policiesPath, project: project, token: token, body: policy("same", hostname: host))
                #expect(r.status == 201)
            }
            let apply = "application/apply-patch+yaml"
            let cases: [(String, String, String?, String)] = [
                ("GET", policiesPath, nil, "application/json"),
                ("GET", policiesPath + "?watch=1&timeoutSeconds=1", nil, "application/json"),
                ("GET", policiesPath + "/same", nil, "application/json"),
                ("GET", policiesPath + "/same/status", nil, "application/json"),
                ("POST", policiesPath, policy("new"), "application/json"),
                ("PUT", policiesPath + "/same", policy("same"), "application/json"),
                ("PATCH", policiesPath + "/same", "{}", "application/merge-patch+json"),
                ("PATCH", policiesPath + "/same?fieldManager=x", policy("same"), apply),
                ("DELETE", policiesPath + "/same", nil, "application/json"),
                ("DELETE", policiesPath, nil, "application/json"),
                ("GET", "/api/v1/namespaces", nil, "application/json"),
                ("GET", "/apis", nil, "application/json"),
                ("GET", "/openapi/v3", nil, "application/json"),
                ("GET", "/version", nil, "application/json"),
            ]
            for (method, path, body, contentType) in cases {
                let r = try sandbox.request(method, path, project: "b", token: "token-a", body: body, contentType: contentType)
                #expect(r.status == 403, "\(method) \(path)")
                #expect(r.json["reason"] == "Forbidden", "\(method) \(path)")
                #expect(!r.body.contains("b.example.com"))
            }
            let list = try sandbox.request("GET", policiesPath, project: "a", token: "token-a")
            let hosts = list.json["items"]?.arrayValue?.compactMap { $0["spec"]?["validation"]?["hostname"]?.stringValue }
            #expect(hosts == ["a.example.com"])
            let watched = try sandbox.request("GET", policiesPath + "?watch=1&timeoutSeconds=1", project: "a", token: "token-a")
            #expect(watched.body.contains("a.example.com"))
            #expect(!watched.body.contains("b.example.com"))
            let unauthenticated = try sandbox.request("GET", policiesPath, project: "a", token: "wrong")
            #expect(unauthenticated.status == 401)
            // The B object is untouched by every forbidden attempt.
            let b = try sandbox.request("GET", policiesPath + "/same", project: "b", token: "token-b")
            #expect(b.json["metadata"]?["resourceVersion"] != nil)
            #expect(b.json["spec"]?["validation"]?["hostname"] == "b.example.com")
        }
    }

    @Test func watchStreamsEventsAndResumesFromAResourceVersion() throws {
        try withSandbox { sandbox in
            let first = try sandbox.request("POST", policiesPath, body: policy("w1"))
            let rv = try #require(first.json["metadata"]?["resourceVersion"]?.stringValue)
            #expect(try sandbox.request("POST", policiesPath, body: policy("w2")).status == 201)
            #expect(try sandbox.request("DELETE", policiesPath + "/w1").status == 200)
            let watch = try sandbox.request("GET", policiesPath + "?watch=1&timeoutSeconds=1&resourceVersion=" + rv)
            #expect(watch.status == 200)
            let events = watch.body.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            // The status controller adds MODIFIED events at its own pace; the user's changes come in order.
            let summary = events.map { "\($0["type"]?.stringValue ?? "") \($0["object"]?["metadata"]?["name"]?.stringValue ?? "")" }
            #expect(summary.filter { !$0.hasPrefix("MODIFIED") } == ["ADDED w2", "DELETED w1"])
            let versions = events.compactMap { Int($0["object"]?["metadata"]?["resourceVersion"]?.stringValue ?? "") }
            #expect(versions == versions.sorted())
            #expect(versions.allSatisfy { $0 > Int(rv) ?? 0 })
            let fresh = try sandbox.request("GET", policiesPath + "?watch=1&timeoutSeconds=1")
            let names = fresh.body.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }.map {
                "\($0["type"]?.stringValue ?? "") \($0["object"]?["metadata"]?["name"]?.stringValue ?? "")"
            }
            #expect(names == ["ADDED w2"])
            let tooOld = try sandbox.request("GET", policiesPath + "?watch=1&timeoutSeconds=1&resourceVersion=abc")
            #expect(tooOld.status == 400)
        }
    }

    @Test func stateSurvivesARestart() throws {
        try withSandbox { sandbox in
            let created = try sandbox.request("POST", policiesPath, body: policy("keep"))
            let uid = created.json["metadata"]?["uid"]
            sandbox.stop()
            #expect(sandbox.lastExitStatus == 0)
            let token = try FileManager.default.attributesOfItem(atPath: sandbox.dataDirectory + "/admin-token")
            #expect((token[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            try sandbox.start()
            let again = try sandbox.request("GET", policiesPath + "/keep")
            #expect(again.status == 200)
            #expect(again.json["metadata"]?["uid"] == uid)
            let next = try sandbox.request("POST", policiesPath, body: policy("later"))
            let before = Int(created.json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
            let after = Int(next.json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
            #expect(after > before)
        }
    }

    @Test func oneDataDirectoryServesOneProcessAndBodiesAreLimited() throws {
        try withSandbox { sandbox in
            let second = try TestProcess.run(
                SandboxBinaries.sandbox, ["--listen", "127.0.0.1:0", "--data-dir", sandbox.dataDirectory])
            #expect(second.status == 1)
            #expect(
                second.stderr
                    == "datumctl-sandbox: data directory \(sandbox.dataDirectory) is in use by another datumctl-sandbox\n")
            let huge = "{\"metadata\":{\"name\":\"x\"},\"data\":{\"a\":\"" + String(repeating: "x", count: 3 * 1024 * 1024) + "\"}}"
            let r = try sandbox.request("POST", "/api/v1/namespaces/default/configmaps", body: huge)
            #expect(r.status == 413)
            #expect(r.json["message"] == "Request entity too large: limit is 3145728")
        }
    }

    @Test func everyAcknowledgedWriteSurvivesKillNine() throws {
        try withSandbox(tls: false) { sandbox in
            let token = sandbox.adminToken
            let base = sandbox.base(project: "p1") + policiesPath
            let acknowledged = LockedNames()
            let killed = LockedFlag()
            // Dedicated threads: concurrentPerform would run only as many workers as there are cores,
            // and the killer must run alongside the writers.
            let finished = DispatchGroup()
            var threads: [Thread] = []
            for worker in 0..<4 {
                finished.enter()
                threads.append(
                    Thread {
                        var index = 0
                        while !killed.isSet && index < 5000 {
                            let name = "w\(worker)-\(index)"
                            index += 1
                            if postSynchronously(url: base, token: token, body: policy(name)) == 201 {
                                acknowledged.insert(name)
                            }
                        }
                        finished.leave()
                    })
            }
            threads.forEach { $0.start() }
            // Strike once enough writes are acknowledged, while the writers are mid-stream; if writes
            // fail, the deadline ends the wait and the count below says so.
            let deadline = ContinuousClock.now + .seconds(60)
            while acknowledged.count < 300 && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.002) }
            sandbox.stop(kill: true)
            killed.set()
            finished.wait()
            let acked = acknowledged.names
            #expect(acked.count >= 300)
            try sandbox.start()
            let list = try sandbox.request("GET", policiesPath)
            let stored = Set(list.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? [])
            let lost = acked.subtracting(stored)
            #expect(lost.isEmpty, "lost acknowledged writes: \(lost.sorted().prefix(10))")
        }
    }
}

/// One blocking POST over plain HTTP; returns the status code, or 0 when the connection failed.
private func postSynchronously(url: String, token: String, body: String) -> Int {
    guard let target = URL(string: url) else { return 0 }
    var request = URLRequest(url: target)
    request.httpMethod = "POST"
    request.httpBody = Data(body.utf8)
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    request.timeoutInterval = 5
    let result = LockedStatus()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: request) { _, response, _ in
        result.set((response as? HTTPURLResponse)?.statusCode ?? 0)
        done.signal()
    }.resume()
    done.wait()
    return result.value
}

private final class LockedNames: @unchecked Sendable {
    private let lock = NSLock()
    private var storage = Set<String>()
    func insert(_ name: String) { lock.withLock { _ = storage.insert(name) } }
    var count: Int { lock.withLock { storage.count } }
    var names: Set<String> { lock.withLock { storage } }
}

private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var isSet: Bool { lock.withLock { flag } }
}

private final class LockedStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var status = 0
    func set(_ value: Int) { lock.withLock { status = value } }
    var value: Int { lock.withLock { status } }
}
