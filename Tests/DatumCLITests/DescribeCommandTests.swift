import DatumArguments
import DatumJSON
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// `describe` against a fake server: the events query, separators between objects, prefix
/// matching, and what happens when events cannot be read.
@Suite struct DescribeCommandTests {
    static let snapshot = Snapshot(folder: "read")

    /// A server with policies `secure-a`, `secure-b` and `other`, and one event about `secure-a`.
    /// `pagedWithoutUID`: a list selected without the uid comes back with a continue token.
    static func server(eventsStatus: Int = 200, pagedWithoutUID: Bool = false) throws -> FakeAPIServer {
        let names = ["secure-a", "secure-b", "other"]
        return try FakeAPIServer { request in
            let path = request.kubePath
            if path == FakeObjects.policies {
                return .json(FakeObjects.list(names.map { FakeObjects.policy($0) }))
            }
            if path.hasPrefix(FakeObjects.policies + "/") {
                let name = String(path.dropFirst(FakeObjects.policies.count + 1))
                return names.contains(name)
                    ? .json(FakeObjects.policy(name)) : .notFound("backendtlspolicies.gateway.networking.k8s.io", name)
            }
            if path == "/api/v1/namespaces/default/events" {
                if eventsStatus != 200 {
                    return .status(eventsStatus, reason: "Forbidden", message: "events is forbidden")
                }
                let selector = request.parameter("fieldSelector") ?? ""
                let items: [JSONValue] =
                    selector.contains("involvedObject.name=secure-a,") ? [Self.event, Self.eventOfAnEarlierObject] : []
                let paged = pagedWithoutUID && !selector.contains("involvedObject.uid=")
                let kept = selector.contains("involvedObject.uid=uid-secure-a") ? [Self.event] : items
                return .json([
                    "kind": "EventList", "apiVersion": "v1",
                    "metadata": paged ? ["resourceVersion": "9", "continue": "more"] : ["resourceVersion": "9"],
                    "items": .array(paged ? [] : kept),
                ])
            }
            return .status(404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    /// An event about the policy `secure-a` with `uid`.
    static func event(
        _ name: String, uid: String, reason: String, message: String, count: Int, first: String, last: String
    ) -> JSONValue {
        [
            "metadata": ["name": .string(name), "namespace": "default"],
            "involvedObject": [
                "kind": "BackendTLSPolicy", "name": "secure-a", "namespace": "default", "uid": .string(uid),
            ],
            "reason": .string(reason), "message": .string(message), "type": "Normal",
            "source": ["component": "datum-gateway"], "count": .int(Int64(count)),
            "firstTimestamp": .string(first), "lastTimestamp": .string(last),
        ]
    }

    static let event = event(
        "secure-a.1", uid: "uid-secure-a", reason: "ResolvedRefs", message: "All references resolved", count: 3,
        first: "2026-11-26T11:00:00Z", last: "2026-11-26T11:58:00Z")

    /// About an object of the same name that was deleted: kubectl's uid selector leaves it out.
    static let eventOfAnEarlierObject = event(
        "secure-a.0", uid: "uid-old", reason: "Deleted", message: "The earlier secure-a", count: 1,
        first: "2026-11-25T11:00:00Z", last: "2026-11-25T11:00:00Z")

    @Test func describesOneObjectWithItsEvents() throws {
        let server = try Self.server()
        defer { server.stop() }

        let run = FakeCLI.run(["describe", "btlspolicy", "secure-a"], server: server)

        #expect(run.exitCode == 0)
        #expect(run.stderr == "")
        Self.snapshot.expect(run.stdout, matches: "describe/secure-a.txt")
        #expect(!run.stdout.contains("The earlier secure-a"))
        // The events are asked for with the object, in one round trip, before its uid is known;
        // the uid is matched on the answer.
        #expect(server.requests.count == 2)
        let events = try #require(server.requests.first { $0.kubePath.hasSuffix("/events") })
        #expect(events.kubePath == "/api/v1/namespaces/default/events")
        #expect(
            events.parameter("fieldSelector")
                == "involvedObject.kind=BackendTLSPolicy,involvedObject.name=secure-a,involvedObject.namespace=default"
        )
        #expect(events.parameter("limit") == "500")
    }

    /// When the list without the uid does not fit one page, the events are asked for again with
    /// kubectl's exact selector once the object is in.
    @Test func aPagedEventListIsAskedForAgainWithTheUID() throws {
        let server = try Self.server(pagedWithoutUID: true)
        defer { server.stop() }

        let run = FakeCLI.run(["describe", "btlspolicy", "secure-a"], server: server)

        #expect(run.exitCode == 0)
        Self.snapshot.expect(run.stdout, matches: "describe/secure-a.txt")
        let selectors = server.requests.filter { $0.kubePath.hasSuffix("/events") }.map { $0.parameter("fieldSelector") }
        #expect(selectors.count == 2)
        #expect(
            selectors.last
                == "involvedObject.kind=BackendTLSPolicy,involvedObject.name=secure-a,involvedObject.namespace=default,involvedObject.uid=uid-secure-a"
        )
    }

    @Test func everyObjectOfATypeIsSeparatedByTwoBlankLines() throws {
        let server = try Self.server()
        defer { server.stop() }

        let run = FakeCLI.run(["describe", "backendtlspolicies", "--show-events=false"], server: server)

        #expect(run.exitCode == 0)
        Self.snapshot.expect(run.stdout, matches: "describe/all-no-events.txt")
        #expect(!server.requests.contains { $0.kubePath.hasSuffix("/events") })
    }

    /// `describe TYPE PREFIX`: no object is called `secure`, so every `secure*` one is described.
    @Test func anUnknownNameIsTakenAsAPrefix() throws {
        let server = try Self.server()
        defer { server.stop() }

        let run = FakeCLI.run(["describe", "btlspolicy", "secure", "--show-events=false"], server: server)

        #expect(run.exitCode == 0)
        Self.snapshot.expect(run.stdout, matches: "describe/prefix-secure.txt")

        let none = FakeCLI.run(["describe", "btlspolicy", "zzz"], server: server)
        #expect(none.exitCode == 1)
        #expect(none.stdout == "")
        #expect(
            none.stderr
                == "Error from server (NotFound): backendtlspolicies.gateway.networking.k8s.io \"zzz\" not found\n")
    }

    @Test func unreadableEventsLeaveTheSectionOut() throws {
        let server = try Self.server(eventsStatus: 403)
        defer { server.stop() }

        let run = FakeCLI.run(["describe", "btlspolicy/secure-b"], server: server)

        #expect(run.exitCode == 0)
        #expect(!run.stdout.contains("Events:"))
        #expect(run.stdout.hasPrefix("Name:         secure-b\nNamespace:    default\n"))
    }

    @Test func nothingMatchingTheSelectorSaysSo() throws {
        let server = try FakeAPIServer { _ in .json(FakeObjects.list([])) }
        defer { server.stop() }
        let run = FakeCLI.run(["describe", "btlspolicy", "-l", "app=none"], server: server)
        #expect(run.exitCode == 0)
        #expect(run.stdout == "")
        #expect(run.stderr == "No resources found in default namespace.\n")
        #expect(server.requests.first?.parameter("labelSelector") == "app=none")
    }

    /// ConfigMaps get kubectl's dedicated layout: values verbatim, binary data by size.
    @Test func configMapsUseKubectlsConfigMapLayout() throws {
        let configMap: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "ca", "namespace": "default", "uid": "uid-ca", "labels": ["app": "web"]],
            "data": ["z.txt": "last\n", "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"],
            "binaryData": ["blob": "AAECAw=="],
        ]
        let server = try FakeAPIServer { request in
            request.kubePath == "/api/v1/namespaces/default/configmaps/ca"
                ? .json(configMap) : .json(["kind": "EventList", "apiVersion": "v1", "metadata": [:], "items": []])
        }
        defer { server.stop() }

        let run = FakeCLI.run(["describe", "cm", "ca"], server: server)

        #expect(run.exitCode == 0)
        Self.snapshot.expect(run.stdout, matches: "describe/configmap.txt")
        #expect(ReadDescribers.decodedLength("AAECAw==") == 4)
        #expect(ReadDescribers.decodedLength("AAECAwQ=") == 5)
        #expect(ReadDescribers.decodedLength("") == 0)
    }

    @Test func eventSelectorValuesAreEscaped() throws {
        let scope = ProjectScope(server: "https://h", project: "p")
        let object: JSONValue = ["kind": "Thing", "metadata": ["name": "a,b=c\\d"]]
        let url = try DescribeCommand.eventsURL(for: object, scope: scope, limit: 0)
        #expect(
            url == "https://h/apis/resourcemanager.miloapis.com/v1alpha1/projects/p/control-plane/api/v1/events"
                + "?fieldSelector=involvedObject.kind%3DThing%2CinvolvedObject.name%3Da%5C%2Cb%5C%3Dc%5C%5Cd%2CinvolvedObject.namespace%3D"
        )
    }

    /// An object whose namespace cannot be a path segment (a server could send one) gets no
    /// events request: `namespaces/../events` would be another URL.
    @Test(arguments: ["..", ".", "a/b", "a%2Fb"])
    func eventsOfObjectsInUnusableNamespacesAreNotRequested(_ namespace: String) {
        let scope = ProjectScope(server: "https://h", project: "p")
        let object: JSONValue = ["kind": "Thing", "metadata": ["name": "x", "namespace": .string(namespace)]]
        #expect(throws: CLIError.self) { try DescribeCommand.eventsURL(for: object, scope: scope, limit: 0) }
    }

    @Test func usageErrors() {
        let none = CLI.run(["describe"])
        #expect(none.exitCode == 64)
        #expect(none.stderr.hasPrefix("error: You must specify the type of resource to describe."))
        let both = CLI.run(["describe", "btlspolicy", "a", "-l", "x=y"])
        #expect(both.exitCode == 64)
        #expect(both.stderr.hasPrefix("error: name cannot be provided when a selector is specified\n"))
    }

    @Test func helpPageMatchesGolden() {
        let text = HelpRenderer(root: Datumctl.rootSpec, width: 100).render(commandPath: ["datumctl", "describe"])
        Self.snapshot.expect(text, matches: "help/describe.txt")
    }
}
