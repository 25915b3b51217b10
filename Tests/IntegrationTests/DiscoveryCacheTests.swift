import Foundation
import TestSupport
import Testing

/// Aggregated discovery is cached under the cache folder and revalidated by its ETag, as
/// kube-apiserver serves it: a warm `api-resources` costs two `304 Not Modified` answers.
@Suite struct DiscoveryCacheTests {
    static func statusLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("GET ") else { return nil }
            let words = line.split(separator: " ")
            guard words.count > 3, let path = words[1].range(of: "/control-plane") else { return nil }
            return String(words[1][path.upperBound...]) + " " + words[2]
        }.sorted()
    }

    @Test func aWarmRunRevalidatesWithTheETag() throws {
        try withSandbox { sandbox in
            let cache = sandbox.directory + "/cache"
            let cold = try WriteCLI.run(sandbox, ["api-resources", "--cache-dir", cache, "-v", "6"])
            #expect(cold.status == 0, "\(cold.stderr)")
            #expect(Self.statusLines(cold.stderr) == ["/api 200", "/apis 200"])
            #expect(cold.stdout.contains("backendtlspolicies"))

            let warm = try WriteCLI.run(sandbox, ["api-resources", "--cache-dir", cache, "-v", "6"])
            #expect(warm.status == 0, "\(warm.stderr)")
            #expect(Self.statusLines(warm.stderr) == ["/api 304", "/apis 304"])
            #expect(warm.stdout == cold.stdout)

            // The copies are private to the user, as the OpenAPI documents are.
            let folder = try #require(
                FileManager.default.enumerator(atPath: cache + "/discovery")?.allObjects.compactMap { $0 as? String }
                    .first { $0.hasSuffix("apis.etag") })
            let attributes = try FileManager.default.attributesOfItem(atPath: cache + "/discovery/" + folder)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)

            // A damaged copy is warned about and fetched again in full.
            let body = cache + "/discovery/" + folder.replacingOccurrences(of: ".etag", with: ".json")
            try Data("{not json".utf8).write(to: URL(fileURLWithPath: body))
            let repaired = try WriteCLI.run(sandbox, ["api-resources", "--cache-dir", cache, "-v", "6"])
            #expect(repaired.status == 0, "\(repaired.stderr)")
            #expect(repaired.stdout == cold.stdout)
            #expect(repaired.stderr.contains("Warning: ignoring the damaged cache file \(body); fetching the document again"))
            #expect(Self.statusLines(repaired.stderr) == ["/api 304", "/apis 200", "/apis 304"])

            // Without a cache nothing is offered and nothing is kept.
            let off = try WriteCLI.run(sandbox, ["api-resources", "--cache-dir", "", "-v", "6"])
            #expect(Self.statusLines(off.stderr) == ["/api 200", "/apis 200"])
        }
    }

    /// The sandbox's ETag semantics, with curl: a matching If-None-Match gets 304 and no body,
    /// another one the document; the legacy (non-aggregated) form has no ETag.
    @Test func theSandboxAnswersIfNoneMatch() throws {
        try withSandbox { sandbox in
            let url = sandbox.base(project: "p1") + "/apis"
            let accept = "Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
            func curl(_ extra: [String]) throws -> String {
                try TestProcess.run(
                    "/usr/bin/curl",
                    ["-sS", "-D", "-", "-o", "/dev/null", "--cacert", sandbox.certificates?.caPath ?? "",
                        "-H", "Authorization: Bearer \(sandbox.adminToken)"] + extra + [url]
                ).stdout
            }
            let first = try curl(["-H", accept])
            let tag = try #require(
                first.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag: ") }.map { String($0.dropFirst(6)) })
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\""))
            #expect(try curl(["-H", accept, "-H", "If-None-Match: \(tag)"]).hasPrefix("HTTP/2 304"))
            #expect(try curl(["-H", accept, "-H", "If-None-Match: \"other\""]).hasPrefix("HTTP/2 200"))
            #expect(!(try curl([])).lowercased().contains("etag:"))
        }
    }
}
