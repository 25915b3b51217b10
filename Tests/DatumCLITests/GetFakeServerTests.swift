import DatumJSON
import Foundation
import TestSupport
import Testing

@testable import DatumCLI

/// A scripted HTTP/1.1 server on loopback for request-building tests: it records every request
/// and answers from a handler. Connections are kept alive, as libcurl reuses them.
///
/// These tests complement, never replace, the integration tests against the real sandbox.
final class FakeAPIServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        /// Path and query as sent (`/apis/...?...`).
        var target: String
        /// Header names lower-cased.
        var headers: [String: String]
        var body: [UInt8]

        var path: String { String(target.prefix { $0 != "?" }) }

        /// Query parameters, percent-decoded, in order.
        var query: [(String, String)] {
            guard let mark = target.firstIndex(of: "?") else { return [] }
            return target[target.index(after: mark)...].split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (s: Substring) in s.removingPercentEncoding ?? String(s) }
                return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
            }
        }

        func parameter(_ name: String) -> String? { query.first { $0.0 == name }?.1 }

        /// The path below the project's control-plane prefix.
        var kubePath: String {
            let prefix = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/p1/control-plane"
            return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
        }
    }

    struct Response: Sendable {
        var status: Int
        var body: String
        var contentType = "application/json"

        static func json(_ value: JSONValue, status: Int = 200) -> Response {
            Response(status: status, body: GoJSONEncoder(sortKeys: false).encode(value))
        }

        /// A kube-apiserver `Status` for a failed request.
        static func status(_ code: Int, reason: String, message: String) -> Response {
            json(
                [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                    "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
                ], status: code)
        }

        static func notFound(_ resource: String, _ name: String) -> Response {
            status(404, reason: "NotFound", message: "\(resource) \"\(name)\" not found")
        }
    }

    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let handler: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var connections: Set<Int32> = []
    private var stopped = false
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    init(_ handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        (listener, port) = try Loopback.listener()
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Every request received so far, in arrival order.
    var requests: [Request] { lock.withLock { recorded } }

    /// Stops serving; once it returns the listening socket is closed, so its port refuses
    /// connections (a test of an unreachable server needs no sleep).
    func stop() {
        // Descriptors are shut down and closed under the lock, so a number another server reuses
        // after a close is never touched here.
        let first: Bool = lock.withLock {
            guard !stopped else { return false }
            stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
            return true
        }
        // The accept loop closes the listener as it ends; wait for that (bounded, never a hang).
        if first { _ = acceptLoopEnded.wait(timeout: .now() + 10) }
    }

    private func acceptLoop() {
        defer { acceptLoopEnded.signal() }
        while true {
            let fd = accept(listener, nil, nil)
            let keepGoing: Bool = lock.withLock {
                if stopped {
                    if fd >= 0 { close(fd) }
                    close(listener)
                    return false
                }
                if fd >= 0 { connections.insert(fd) }
                return true
            }
            guard keepGoing else { return }
            if fd >= 0 {
                Thread { [self] in serve(fd) }.start()
            } else if errno != EINTR && errno != ECONNABORTED {
                // Out of descriptors or another transient failure: wait rather than spin.
                usleep(10_000)
            }
        }
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer {
            lock.withLock {
                _ = connections.remove(fd)
                close(fd)
            }
        }
        while let request = readRequest(fd, &buffer) {
            lock.withLock { recorded.append(request) }
            let response = handler(request)
            let body = Array(response.body.utf8)
            var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            head += "Content-Type: \(response.contentType)\r\nContent-Length: \(body.count)\r\n\r\n"
            guard writeAll(fd, Array(head.utf8) + body) else { return }
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if let found = Self.find(separator, in: buffer) {
                headEnd = found
                break
            }
            guard readMore(fd, &buffer) else { return nil }
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        while buffer.count < bodyStart + length {
            guard readMore(fd, &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private func readMore(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { return false }
        buffer += chunk[..<n]
        return true
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 500: return "Internal Server Error"
        default: return "Status"
        }
    }
}

struct FakeServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Objects and tables shaped like the sandbox's, for the fake server's answers.
enum FakeObjects {
    static let group = "gateway.networking.k8s.io"
    static let policies = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"

    static func policy(_ name: String, uid: String? = nil, labels: JSONValue? = nil) -> JSONValue {
        var metadata: JSONObject = [
            "name": .string(name), "namespace": "default", "uid": .string(uid ?? "uid-\(name)"),
            "resourceVersion": "7", "creationTimestamp": "2026-11-30T12:00:00Z", "generation": 1,
        ]
        if let labels { metadata["labels"] = labels }
        return [
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "BackendTLSPolicy", "metadata": .object(metadata),
            "spec": [
                "targetRefs": [["group": "", "kind": "Service", "name": .string(name)]],
                "validation": ["hostname": .string("\(name).example.com"), "wellKnownCACertificates": "System"],
            ],
        ]
    }

    static func list(_ items: [JSONValue], continueToken: String? = nil) -> JSONValue {
        var metadata: JSONObject = ["resourceVersion": "42"]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return [
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "BackendTLSPolicyList", "items": .array(items),
            "metadata": .object(metadata),
        ]
    }

    /// The server's Table (NAME, AGE) for policies; ages are fixed strings.
    static func table(_ names: [String], continueToken: String? = nil, withObjects: Bool = false) -> JSONValue {
        var metadata: JSONObject = ["resourceVersion": "42"]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
            "columnDefinitions": [
                ["name": "Name", "type": "string", "format": "name", "description": "", "priority": 0],
                ["name": "Age", "type": "date", "format": "", "description": "", "priority": 0],
            ],
            "rows": .array(
                names.map { name in
                    var row: JSONObject = ["cells": [.string(name), "5m"]]
                    if withObjects { row["object"] = policy(name) }
                    return .object(row)
                }),
        ]
    }
}

/// Runs datumctl in-process against a fake server, with an empty configuration.
enum FakeCLI {
    static func run(_ arguments: [String], server: FakeAPIServer, stdin: String = "", in directory: String? = nil)
        -> CLIRun
    {
        // No OpenAPI cache unless a test asks for one: fake servers reuse hashes for different documents.
        let cache = arguments.contains { $0.hasPrefix("--cache-dir") } ? [] : ["--cache-dir="]
        return CLI.run(
            arguments + ["--server", server.url, "--project", "p1", "--token", "secret"] + cache, stdin: stdin,
            in: directory ?? CLI.repositoryRoot,
            variables: ["DATUMCTL_CONFIG": "/nonexistent/datumctl-test-config", "HOME": "/nonexistent"])
    }
}

@Suite struct GetFakeServerTests {
    @Test func severalNamesAreFetchedConcurrentlyAndPrintedInOrderWithTheMissingOneReported() throws {
        let server = try FakeAPIServer { request in
            let name = request.path.split(separator: "/").last.map(String.init) ?? ""
            if name == "missing" { return .notFound("backendtlspolicies.gateway.networking.k8s.io", name) }
            return .json(FakeObjects.table([name]))
        }
        defer { server.stop() }

        let run = FakeCLI.run(["get", "btlspolicy", "b", "missing", "a"], server: server)

        #expect(run.exitCode == 1)
        #expect(run.stdout == "NAME   AGE\nb      5m\na      5m\n")
        #expect(
            run.stderr
                == "Error from server (NotFound): backendtlspolicies.gateway.networking.k8s.io \"missing\" not found\n")
        let requests = server.requests
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.kubePath)) == Set(["b", "missing", "a"].map { FakeObjects.policies + "/" + $0 }))
        for request in requests {
            #expect(request.method == "GET")
            #expect(request.headers["accept"] == GetCommand.tableAccept)
            #expect(request.headers["authorization"] == "Bearer secret")
            #expect(request.parameter("includeObject") == "None")
            #expect(request.parameter("limit") == nil)
        }
    }

    @Test func listsFollowContinueTokensInChunks() throws {
        let server = try FakeAPIServer { request in
            switch request.parameter("continue") {
            case nil:
                return .json(FakeObjects.list([FakeObjects.policy("a"), FakeObjects.policy("b")], continueToken: "t1"))
            case "t1": return .json(FakeObjects.list([FakeObjects.policy("c")]))
            default: return .status(410, reason: "Expired", message: "continue token expired")
            }
        }
        defer { server.stop() }

        let run = FakeCLI.run(["get", "backendtlspolicies", "--chunk-size", "2", "-o", "name"], server: server)

        #expect(run.exitCode == 0)
        #expect(run.stderr == "")
        #expect(
            run.stdout
                == ["a", "b", "c"].map { "backendtlspolicy.gateway.networking.k8s.io/\($0)\n" }.joined())
        #expect(
            server.requests.map { $0.query.map { "\($0.0)=\($0.1)" } } == [["limit=2"], ["limit=2", "continue=t1"]])
        #expect(server.requests.allSatisfy { $0.headers["accept"] == "application/json" })
    }

    @Test func tableChunksShareOneHeaderAndColumnWidths() throws {
        let server = try FakeAPIServer { request in
            request.parameter("continue") == nil
                ? .json(FakeObjects.table(["a"], continueToken: "next"))
                : .json(FakeObjects.table(["a-much-longer-name"]))
        }
        defer { server.stop() }

        let run = FakeCLI.run(["get", "btlspolicy", "--chunk-size=1"], server: server)

        #expect(run.stdout == "NAME                 AGE\na                    5m\na-much-longer-name   5m\n")
        #expect(server.requests.map { $0.parameter("limit") } == ["1", "1"])
    }

    /// A server without server-side printing answers the Table request with the list itself:
    /// kubectl then prints its default client-side columns (NAME, AGE from metadata).
    @Test func aPlainListAnsweringATableRequestPrintsKubectlsDefaultColumns() throws {
        @Sendable func undated(_ name: String, labels: JSONValue? = nil) -> JSONValue {
            var object = FakeObjects.policy(name, labels: labels)
            if case .object(var root) = object, case .object(var metadata)? = root["metadata"] {
                metadata["creationTimestamp"] = nil
                root["metadata"] = .object(metadata)
                object = .object(root)
            }
            return object
        }
        let server = try FakeAPIServer { request in
            let items = [undated("h9", labels: ["app": "x"]), undated("h10")]
            return request.path.hasSuffix("/h9") ? .json(items[0]) : .json(FakeObjects.list(items))
        }
        defer { server.stop() }

        let list = FakeCLI.run(["get", "btlspolicy", "--sort-by=.metadata.name", "--show-labels"], server: server)
        #expect(list.exitCode == 0, "\(list.stderr)")
        #expect(list.stdout == "NAME   AGE         LABELS\nh10    <unknown>   <none>\nh9     <unknown>   app=x\n")
        #expect(server.requests.first?.headers["accept"]?.contains("as=Table") == true)

        let one = FakeCLI.run(["get", "btlspolicy", "h9", "--no-headers"], server: server)
        #expect(one.exitCode == 0, "\(one.stderr)")
        #expect(one.stdout == "h9    <unknown>\n")

        let dated = try FakeAPIServer { _ in .json(FakeObjects.list([FakeObjects.policy("a")])) }
        defer { dated.stop() }
        let age = FakeCLI.run(["get", "btlspolicy"], server: dated)
        #expect(age.stdout.hasPrefix("NAME   AGE\na      "))
        #expect(!age.stdout.contains("<unknown>"))
    }

    @Test func selectorsAndSortingShapeTheRequest() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.table(["b", "a"], withObjects: true)) }
        defer { server.stop() }

        let run = FakeCLI.run(
            [
                "get", "btlspolicy", "-l", "app in (web,api)", "--field-selector", "metadata.name!=c", "--sort-by",
                "{.metadata.name}",
            ],
            server: server)

        #expect(run.stdout == "NAME   AGE\na      5m\nb      5m\n")
        let request = try #require(server.requests.first)
        // Sorting needs whole objects and reads the list at once, as kubectl does.
        #expect(request.parameter("labelSelector") == "app in (web,api)")
        #expect(request.parameter("fieldSelector") == "metadata.name!=c")
        #expect(request.parameter("includeObject") == "Object")
        #expect(request.parameter("limit") == nil)
    }

    @Test func labelColumnsAskForMetadataInTheRows() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.table([])) }
        defer { server.stop() }

        let run = FakeCLI.run(["get", "btlspolicy", "-L", "app"], server: server)

        #expect(run.stdout == "")
        #expect(run.stderr == "No resources found in default namespace.\n")
        #expect(server.requests.first?.parameter("includeObject") == nil)
        #expect(server.requests.first?.parameter("limit") == "500")
    }

    @Test func allNamespacesListsTheClusterWideCollection() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.list([])) }
        defer { server.stop() }

        let run = FakeCLI.run(["get", "btlspolicy", "-A", "-o", "json"], server: server)

        #expect(server.requests.first?.kubePath == "/apis/gateway.networking.k8s.io/v1/backendtlspolicies")
        #expect(
            run.stdout
                == "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        )
        #expect(run.stderr == "")
    }

    @Test func aMissingObjectInAnotherNamespaceIsReportedAsTheMissingNamespace() throws {
        let server = try FakeAPIServer { request in
            request.kubePath == "/api/v1/namespaces/staging"
                ? .notFound("namespaces", "staging") : .notFound("backendtlspolicies.gateway.networking.k8s.io", "a")
        }
        defer { server.stop() }

        let run = FakeCLI.run(["get", "btlspolicy", "a", "-n", "staging"], server: server)

        #expect(run.exitCode == 1)
        #expect(run.stderr == "Error from server (NotFound): namespaces \"staging\" not found\n")
        #expect(
            server.requests.map(\.kubePath) == [
                "/apis/gateway.networking.k8s.io/v1/namespaces/staging/backendtlspolicies/a",
                "/api/v1/namespaces/staging",
            ])
    }

    @Test func jsonpathExecutionErrorsExitOneAndParseErrorsAreUsageErrors() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.policy("a")) }
        defer { server.stop() }

        let failed = FakeCLI.run(["get", "btlspolicy", "a", "-o", "jsonpath={.metadata.name[0]}"], server: server)
        #expect(failed.exitCode == 1)
        #expect(
            failed.stderr.hasPrefix(
                "error: error executing jsonpath \"{.metadata.name[0]}\": Error executing template: string is not array or slice."
            ))

        let malformed = FakeCLI.run(["get", "btlspolicy", "a", "-o", "jsonpath={.metadata.name"], server: server)
        #expect(malformed.exitCode == 64)
        #expect(
            malformed.stderr
                == "error: error parsing jsonpath {.metadata.name, unclosed action\nSee 'datumctl get -h' for help and examples\n"
        )
        #expect(server.requests.count == 1)
    }

    @Test func noProjectIsAnErrorAndSendsNothing() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.list([])) }
        defer { server.stop() }

        let run = CLI.run(
            ["get", "btlspolicy", "--server", server.url],
            variables: ["DATUMCTL_CONFIG": "/nonexistent/config", "HOME": "/nonexistent"])

        #expect(run.exitCode == 1)
        #expect(run.stderr.hasPrefix("error: no project selected: pass --project PROJECT"))
        #expect(server.requests.isEmpty)
    }
}
