import DatumJSON
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The standing fuzz suite for the sandbox: malformed HTTP over raw sockets into a real
/// `datumctl-sandbox` process (request lines, headers, framing, chunked encoding, bodies of every
/// content type and patch type, deep and duplicate-key JSON, watch and paging parameters).
///
/// Pass: every request gets an answer (or its connection closed) within a bound, never a 500,
/// the process keeps running and answering a well-behaved client between batches, a client
/// that never finishes its request does not stall the others, and memory stays bounded.
/// Fixed seed; `DATUMCTL_FUZZ_SCALE` / `DATUMCTL_FUZZ_SEED` for longer runs (`bench/fuzz.sh`).
@Suite(.serialized) struct SandboxHTTPFuzzTests {
    /// What came back for one raw request.
    struct Answer {
        /// The status code, or nil when the server closed the connection without answering.
        var status: Int?
        var timedOut: Bool
        var head: String
    }

    /// Sends `bytes` on a new connection and reads until the response head is complete (the body
    /// is not awaited: a watch streams forever), the server closes, or `timeout` passes.
    static func exchange(_ bytes: [UInt8], port: Int, timeout: Int = 10, halfClose: Bool = false) -> Answer {
        guard let fd = Loopback.connection(toPort: port) else { return Answer(status: nil, timedOut: false, head: "") }
        defer { close(fd) }
        var interval = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may stop reading a request it already refused
            sent += n
        }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while !received.containsHeadEnd {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    return Answer(status: nil, timedOut: true, head: String(decoding: received, as: UTF8.self))
                }
                break
            }
            received += buffer[0..<n]
            if received.count > 1 << 20 { break }
        }
        let head = String(decoding: received, as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = statusLine.split(separator: " ")
        let status = parts.count >= 2 && parts[0].hasPrefix("HTTP/1.") ? Int(parts[1]) : nil
        return Answer(status: status, timedOut: false, head: head)
    }

    static let configMap = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fz","labels":{"a":"b"}},"data":{"k":"v"}}"#
    static let base = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/p1/control-plane"
    static let collection = base + "/api/v1/namespaces/default/configmaps"

    static func request(
        _ method: String, _ target: String, token: String, headers: [String] = [], body: [UInt8] = [],
        contentLength: Bool = true
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
        for header in headers { head += header + "\r\n" }
        if contentLength && !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// Hand-written hostile requests: framing, request lines, headers, parameters.
    static func fixedCorpus(token: String) -> [(String, [UInt8])] {
        let auth = "Authorization: Bearer \(token)\r\n"
        let raw: [(String, String)] = [
            ("garbage", "\u{0}\u{1}\u{2}\r\n\r\n"),
            ("no version", "GET /\r\n\r\n"),
            ("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n"),
            ("HTTP/2 preface as text", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            ("unknown method", "BREW \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"),
            ("asterisk target", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"),
            ("absolute form", "GET http://127.0.0.1\(collection) HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"),
            ("NUL in path", "GET \(collection)/a\u{0}b HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"),
            ("bad percent", "GET \(collection)/%zz%2 HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"),
            ("encoded slash", "DELETE \(collection)/a%2Fb HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"),
            ("dot segments", "DELETE \(collection)/.. HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"),
            ("empty segment", "DELETE \(base)/api/v1/namespaces//configmaps HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"),
            ("long target", "GET /" + String(repeating: "a", count: 200_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
            ("long header", "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + String(repeating: "b", count: 200_000) + "\r\n\r\n"),
            (
                "many headers",
                "GET / HTTP/1.1\r\nHost: x\r\n" + (0..<5_000).map { "X-\($0): y\r\n" }.joined() + "\r\n"
            ),
            ("header without colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n"),
            ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
            ("bare LF", "GET / HTTP/1.1\nHost: x\n\n"),
            ("no Host", "GET \(collection) HTTP/1.1\r\n\(auth)\r\n"),
            (
                "two Content-Lengths",
                "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
            ),
            ("negative Content-Length", "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Content-Length: -1\r\n\r\n"),
            (
                "Content-Length beyond 2^64",
                "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Content-Length: 184467440737095516160\r\n\r\n{}"
            ),
            (
                "Content-Length larger than the body, then close",
                "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            ),
            (
                "chunked and Content-Length",
                "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
            (
                "chunk size overflow",
                "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nx\r\n0\r\n\r\n"
            ),
            (
                "chunk size not hex",
                "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Transfer-Encoding: chunked\r\n\r\nzz\r\nx\r\n0\r\n\r\n"
            ),
            (
                "chunked JSON body",
                "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\n{\"a\":\r\n3\r\n1}\n\r\n0\r\n\r\n"
            ),
            ("unknown transfer coding", "POST \(collection) HTTP/1.1\r\nHost: x\r\n\(auth)Transfer-Encoding: gzip\r\n\r\n"),
        ]
        var corpus = raw.map { ($0.0, Array($0.1.utf8)) }
        for query in [
            "watch=1&resourceVersion=abc", "watch=1&resourceVersion=-1", "watch=1&resourceVersion=99999999999999999999",
            "watch=1&resourceVersion=1&timeoutSeconds=-5", "watch=1&timeoutSeconds=99999999999999999999",
            "watch=true&resourceVersionMatch=Exact", "watch=1&allowWatchBookmarks=maybe",
            "limit=-1", "limit=abc", "limit=99999999999999999999", "limit=1&continue=garbage",
            "limit=1&continue=eyJydiI6LTEsInN0YXJ0IjoiXHUwMDAwIn0", "continue=" + String(repeating: "A", count: 10_000),
            "labelSelector=a%20in%20(((", "labelSelector=" + String(repeating: "a=b,", count: 5_000),
            "fieldSelector=metadata.name%3D%3D%3Dx", "resourceVersion=x&resourceVersionMatch=NotOlderThan",
            "timeoutSeconds=1e9", "dryRun=Maybe", "fieldManager=" + String(repeating: "m", count: 300),
            "fieldValidation=Bogus", "pretty=2",
        ] {
            corpus.append(("GET ?\(query)", request("GET", collection + "?" + query, token: token)))
        }
        return corpus
    }

    static let contentTypes = [
        "application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
        "application/apply-patch+yaml", "application/merge-patch+json", "application/strategic-merge-patch+json",
        "application/json-patch+json", "text/plain", "application/json; charset=latin1", "",
    ]

    static let bodyMutator = ByteMutator(fragments: [
        "{", "}", "[", "]", "\"", ":", ",", "null", "1e999", "-0", "\\u0000", "\\ud800", "\"metadata\":",
        "\"name\":\"..\"", "\"kind\":\"List\"", "\"op\":\"remove\",\"path\":\"/metadata\"", "\"path\":\"/~2\"",
        "\"a\":1,\"a\":2", String(repeating: "[", count: 20_000), String(repeating: "{\"a\":", count: 5_000),
        "!!binary ", "&a ", "*a", "---\n", "k8s\u{0}",
    ])

    /// Random bodies, methods and content types built from a valid object.
    static func mutatedCorpus(token: String, count: Int, random: inout SplitMix64) -> [(String, [UInt8])] {
        let seeds: [[UInt8]] = [
            Array(configMap.utf8),
            Array("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fz\ndata:\n  k: v\n".utf8),
            Array(#"[{"op":"add","path":"/data/x","value":"y"},{"op":"test","path":"/data/k","value":"v"}]"#.utf8),
            Array(#"{"data":{"k":null,"n":"1"},"metadata":{"$patch":"replace"}}"#.utf8),
        ]
        var corpus: [(String, [UInt8])] = []
        for index in 0..<count {
            let seed = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            let body = bodyMutator.mutate(seed, maxSteps: 4, using: &random)
            let contentType = contentTypes[Int.random(in: 0..<contentTypes.count, using: &random)]
            let (method, target): (String, String) =
                switch Int.random(in: 0..<4, using: &random) {
                case 0: ("POST", collection)
                case 1: ("PUT", collection + "/fz")
                case 2: ("PATCH", collection + "/fz?fieldManager=fuzz&force=true")
                default: ("PATCH", collection + "/fz")
                }
            let headers = contentType.isEmpty ? [] : ["Content-Type: \(contentType)"]
            corpus.append(("mutated #\(index) \(method) \(contentType)", request(method, target, token: token, headers: headers, body: body)))
        }
        return corpus
    }

    static func residentKiB(of pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    @Test func malformedHTTPNeverStopsTheSandboxOrStallsOtherClients() throws {
        try withSandbox(tls: false) { sandbox in
            let token = sandbox.adminToken
            let port = sandbox.port
            let pid = try #require(sandbox.process?.pid)
            var random = SplitMix64(seed: FuzzSettings.seed &+ 2)
            let corpus =
                Self.fixedCorpus(token: token)
                + Self.mutatedCorpus(token: token, count: FuzzSettings.cases(600), random: &random)

            // A client that sends half a request and then nothing, for the whole run.
            let stalled = try #require(Loopback.connection(toPort: port))
            defer { close(stalled) }
            let half = Array("POST \(Self.collection) HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{".utf8)
            _ = half.withUnsafeBytes { Glibc.send(stalled, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }

            var statuses: [Int: Int] = [:]
            for (index, (name, bytes)) in corpus.enumerated() {
                let answer = Self.exchange(bytes, port: port, halfClose: name.hasSuffix("then close"))
                let label = "\(name) (seed \(FuzzSettings.seed), case \(index))"
                #expect(!answer.timedOut, "no answer within the bound: \(label)")
                if let status = answer.status {
                    statuses[status, default: 0] += 1
                    #expect(status != 500, "internal error for \(label): \(answer.head.prefix(300))")
                }
                if index % 50 == 49 || index == corpus.count - 1 {
                    // Someone else's ordinary request still works.
                    let check = try sandbox.request("GET", "/api/v1/namespaces/default/configmaps")
                    #expect(check.status == 200, "the sandbox stopped answering after \(label)")
                    #expect(kill(pid, 0) == 0, "the sandbox died after \(label)")
                }
            }
            #expect(sandbox.process?.isRunning == true)
            let rss = try #require(Self.residentKiB(of: pid))
            #expect(rss < 1_048_576, "the sandbox holds \(rss) KiB after the run")
            // The corpus reaches the handlers, not only the HTTP parser.
            #expect(statuses.keys.contains { (200..<300).contains($0) }, "\(statuses)")
            #expect(statuses.keys.contains { (400..<500).contains($0) }, "\(statuses)")
        }
    }
}

extension [UInt8] {
    fileprivate var containsHeadEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 {
            return true
        }
        return false
    }
}
