import DatumHTTP
import Foundation
import TestSupport
import Testing

extension HTTPLayerTests {
    /// Keep-alive: connections are counted on the test listener.
    @Suite struct ConnectionReuse {
        @Test func sequentialRequestsShareOneConnection() throws {
            let server = try TestHTTPServer { request in .text(request.target) }
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())

            for index in 0..<5 {
                let response = try client.send(HTTPRequest(url: server.baseURL + "/n/\(index)"))
                #expect(response.bodyText == "/n/\(index)")
            }

            #expect(server.requests.count == 5)
            #expect(server.connectionCount == 1)
            #expect(Set(server.requests.map(\.connection)) == [1])
        }

        @Test func requestsFromManyThreadsReuseConnections() throws {
            let server = try TestHTTPServer { request in .text(request.target) }
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())

            // Two threads, each sending sequentially: never more than two connections.
            let failures = Counter()
            DispatchQueue.concurrentPerform(iterations: 2) { thread in
                for index in 0..<5 {
                    let response = try? client.send(HTTPRequest(url: server.baseURL + "/t\(thread)/\(index)"))
                    if response?.bodyText != "/t\(thread)/\(index)" { _ = failures.next() }
                }
            }

            #expect(failures.next() == 0)
            #expect(server.requests.count == 10)
            #expect(server.connectionCount <= 2)
        }

        @Test func sendAllRunsConcurrentlyAndKeepsInputOrder() throws {
            // Later requests answer sooner, so completion order differs from input order.
            let server = try TestHTTPServer { request in
                let index = Int(request.target.split(separator: "/").last ?? "") ?? 0
                var response = ScriptedResponse.text("item \(index)")
                response.delay = 0.05 * Double(6 - index)
                return response
            }
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())
            let requests = (0..<6).map { HTTPRequest(url: server.baseURL + "/items/\($0)") }
            let completed = OrderLog()

            let results = client.sendAll(requests, concurrency: 3) { completed.append($0) }

            let bodies = try results.map { try $0.get().bodyText }
            #expect(bodies == (0..<6).map { "item \($0)" })
            #expect(Set(completed.values) == Set(0..<6))
            #expect(completed.values.count == 6)
            #expect(completed.values != Array(0..<6))
            // Overlap, capped at the concurrency: counted by the server, not timed, so a busy
            // machine cannot make it fail. Connections are reused (fewer than requests).
            #expect((2...3).contains(server.mostRequestsInFlight))
            #expect(server.connectionCount >= 2 && server.connectionCount < 6)
        }

        @Test func clientsCanBeCreatedUsedAndDroppedFromManyThreads() throws {
            // Exercises the once-only curl_global_init and the engine thread's shutdown on deinit.
            let server = try TestHTTPServer { request in .text(request.target) }
            defer { server.stop() }
            let failures = Counter()
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                let client = try? HTTPClient(HTTPClientConfiguration())
                let response = try? client?.send(HTTPRequest(url: server.baseURL + "/c\(index)"))
                if response?.bodyText != "/c\(index)" { _ = failures.next() }
            }
            #expect(failures.next() == 0)
            // Each client has its own pool, so each opened its own connection.
            #expect(server.connectionCount == 8)
        }

        @Test func sendAllWithConcurrencyOneUsesOneConnection() throws {
            let server = try TestHTTPServer { request in .text(request.target) }
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration())

            let results = client.sendAll((0..<4).map { HTTPRequest(url: server.baseURL + "/\($0)") }, concurrency: 1)

            #expect(try results.map { try $0.get().bodyText } == ["/0", "/1", "/2", "/3"])
            #expect(server.connectionCount == 1)
        }

        @Test func sendAllReportsEachFailureInPlace() throws {
            let server = try TestHTTPServer(script: [.text("ok")])
            defer { server.stop() }
            let client = try HTTPClient(HTTPClientConfiguration(retry: .none))
            let closedPort = try Loopback.unusedPort()

            let results = client.sendAll(
                [
                    HTTPRequest(url: server.baseURL + "/a"),
                    HTTPRequest(url: "http://127.0.0.1:\(closedPort)/b"),
                    HTTPRequest(method: "BAD METHOD", url: server.baseURL + "/c"),
                ], concurrency: 4)

            #expect(try results[0].get().bodyText == "ok")
            if case .failure(.connectionRefused(let server, _)) = results[1] {
                #expect(server == "http://127.0.0.1:\(closedPort)")
            } else {
                Issue.record("expected connection refused, got \(results[1])")
            }
            if case .failure(.invalidRequest) = results[2] {} else { Issue.record("expected invalidRequest, got \(results[2])") }
        }
    }
}

/// Records indices from `onEach`, which may run concurrently with the test.
final class OrderLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []

    func append(_ value: Int) {
        lock.lock()
        items.append(value)
        lock.unlock()
    }

    var values: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
