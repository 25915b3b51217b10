import DatumHTTP
import DatumJSON
import DatumKit
import Foundation
import Testing

@testable import DatumCLI

/// The pieces of `apply` and `diff` that need no server: warnings, outcomes, error texts,
/// progress, request building and Secret masking.
struct ApplyUnitTests {
    // MARK: Warning headers

    @Test(
        arguments: [
            (#"299 - "unknown field \"spec.foo\"""#, [#"unknown field "spec.foo""#]),
            (#"299 - "a", 299 - "b""#, ["a", "b"]),
            (#"299 kube-apiserver "with agent" "Tue, 15 Nov 1994 08:12:31 GMT""#, ["with agent"]),
            (#"199 - "not for users", 299 - "for users""#, ["for users"]),
            (#"299 - "comma, inside", 299 - "back\\slash""#, ["comma, inside", #"back\slash"#]),
            (#"299 - "unterminated"#, []),
            (#"299 - """#, []),
            ("garbage", []),
        ] as [(String, [String])])
    func warningHeaderValues(_ header: String, _ expected: [String]) {
        #expect(ServerWarnings.parse(header) == expected)
    }

    @Test func warningsPrintOncePerMessage() {
        let sink = OutputSink.memory()
        let printer = WarningPrinter(diagnostics: Diagnostics(format: .human, sink: sink))
        var headers = HTTPHeaders()
        headers.add("Warning", #"299 - "first""#)
        headers.add("Warning", #"299 - "second""#)
        printer.print(from: headers)
        printer.print(from: headers)
        #expect(sink.text == "Warning: first\nWarning: second\n")

        let terminal = OutputSink.memory(isTerminal: true)
        WarningPrinter(diagnostics: Diagnostics(format: .human, sink: terminal)).print("coloured")
        #expect(terminal.text == "\u{1B}[33;1mWarning:\u{1B}[0m coloured\n")

        let json = OutputSink.memory(isTerminal: true)
        WarningPrinter(diagnostics: Diagnostics(format: .json, sink: json)).print("as json")
        #expect(json.text == #"{"warning":{"message":"as json"}}"# + "\n")
    }

    // MARK: Outcomes

    static let live: JSONValue = [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": [
            "name": "a", "namespace": "default", "resourceVersion": "7",
            "managedFields": [["manager": "datumctl", "time": "2026-01-01T00:00:00Z"]],
        ],
        "data": ["k": "v"], "status": ["phase": "old"],
    ]

    static func changed(_ change: (inout JSONValue) -> Void) -> JSONValue {
        var copy = live
        change(&copy)
        return copy
    }

    static let present = LiveObject.present(ServerObject(live))

    @Test(
        arguments: [
            ("201 is created", 201, present, "8", false, ApplyOutcome.created),
            ("absent before", 200, .absent, "8", false, .created),
            ("unknown before", 200, .unknown, "8", false, .configured),
            ("same resourceVersion", 200, present, "7", false, .unchanged),
            ("new resourceVersion: compare", 200, present, "8", false, nil),
            ("dry run: always compare", 200, present, "7", true, nil),
            ("no resourceVersion: compare", 200, present, nil, false, nil),
        ] as [(String, Int, LiveObject, String?, Bool, ApplyOutcome?)])
    func outcomeFromTheAnswer(
        _ name: String, _ status: Int, _ before: LiveObject, _ version: String?, _ dryRun: Bool,
        _ expected: ApplyOutcome?
    ) {
        #expect(
            ApplyOutcome.decide(status: status, live: before, appliedVersion: version, dryRun: dryRun) == expected,
            "\(name)")
    }

    @Test(
        arguments: [
            ("same object", live, ApplyOutcome.unchanged),
            (
                "only server-maintained fields differ",
                changed {
                    $0["metadata"]?["resourceVersion"] = "9"
                    $0["metadata"]?["managedFields"] = [["manager": "datumctl", "time": "2026-02-02T00:00:00Z"]]
                    $0["status"] = ["phase": "new"]
                }, .unchanged
            ),
            ("data changed", changed { $0["data"] = ["k": "w"] }, .configured),
            ("label added", changed { $0["metadata"]?["labels"] = ["a": "b"] }, .configured),
        ] as [(String, JSONValue, ApplyOutcome)])
    func outcomeFromComparison(_ name: String, _ after: JSONValue, _ expected: ApplyOutcome) {
        #expect(ApplyOutcome.decide(before: Self.live, applied: after) == expected, "\(name)")
    }

    // MARK: Scanning JSON

    static let scanned =
        Array(
            #"{"kind": "ConfigMapList", "apiVersion":"v1","metadata":{"continue":"tok\"en","resourceVersion":"12"},"#
                .utf8)
        + Array(#" "items" : [ {"metadata":{"name":"a","resourceVersion":"3","labels":{"resourceVersion":"x"}}},"#.utf8)
        + Array(#"{"metadata":{"annotations":{"k":"[{\"}"},"name":"b\u00e9"},"data":{"x":[1,2.5e3,true,null]}}]}"#.utf8)

    @Test func scannerFindsFieldsWithoutParsing() throws {
        let json = Self.scanned[...]
        #expect(JSONScan.string(at: ["kind"], in: json) == "ConfigMapList")
        #expect(JSONScan.string(at: ["metadata", "continue"], in: json) == "tok\"en")
        #expect(JSONScan.string(at: ["metadata", "missing"], in: json) == nil)
        #expect(JSONScan.string(at: ["items"], in: json) == nil)
        let items = try #require(JSONScan.value(at: ["items"], in: json).flatMap(JSONScan.elements))
        #expect(items.count == 2)
        let first = ServerObject(bytes: items[0], fallbackAPIVersion: "v1", fallbackKind: "ConfigMap")
        #expect(first.name == "a")
        #expect(first.resourceVersion == "3")
        let second = ServerObject(bytes: items[1])
        #expect(second.name == "bé")
        #expect(second.resourceVersion == nil)
        #expect(
            JSONScan.value(at: ["data", "x"], in: items[1]).map { String(decoding: $0, as: UTF8.self) }
                == "[1,2.5e3,true,null]")
        #expect(
            first.parsed()
                == [
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": ["name": "a", "resourceVersion": "3", "labels": ["resourceVersion": "x"]],
                ])
        #expect(JSONScan.elements(of: Array(" [ ] ".utf8)[...])?.count == 0)
    }

    @Test(arguments: [#"{"a":"#, #"{"a" 1}"#, #"["x","#, #"{"a":"unterminated}"#, "", "[1 2]"])
    func scannerRejectsMalformedJSON(_ text: String) {
        let json = Array(text.utf8)[...]
        #expect(JSONScan.value(at: ["a"], in: json) == nil)
        #expect(JSONScan.elements(of: json) == nil)
    }

    // MARK: Error texts

    static func response(_ status: Int, _ body: JSONValue) -> HTTPResponse {
        HTTPResponse(
            status: status, statusText: "\(status)", headers: [:], body: GoJSONEncoder.compact.encodeBytes(body),
            httpVersion: "1.1", duration: .zero, attempts: 1)
    }

    static func status(_ code: Int, _ reason: String, _ message: String, details: JSONValue? = nil) -> JSONValue {
        var object: JSONObject = [
            "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": .int(Int64(code)),
            "reason": .string(reason), "message": .string(message),
        ]
        if let details { object["details"] = details }
        return .object(object)
    }

    @Test func conflictIsExplainedForApplyOnly() {
        let answer = Self.response(
            409, Self.status(409, "Conflict", "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.x"))
        let failure = ObjectFailure(response: answer)
        let first = "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.x\n"
        // The manager `kubectl` as an applier: the advice adds --field-manager=kubectl.
        let advice = ObjectFailure.conflictAdvice + "\n" + ObjectFailure.kubectlManagerAdvice
        #expect(failure.standalone == "error: " + first + advice)
        #expect(failure.inList == first + advice)
        #expect(failure.error.reason == "Conflict")
        let bare = ObjectFailure(response: answer, explainingConflicts: false)
        #expect(bare.standalone == "Error from server (Conflict): " + first.dropLast())
    }

    @Test func invalidStatusReadsLikeKubectl() {
        let causes: JSONValue = [
            ["field": "spec.ports[0].port", "message": "Invalid value: 0: must be between 1 and 65535, inclusive"],
            ["field": "spec.ports[0].port", "message": "Invalid value: 0: must be between 1 and 65535, inclusive"],
            ["field": "spec.type", "message": "Unsupported value: \"Nope\""],
        ]
        let message = "Service \"web\" is invalid: [spec.ports[0].port: Invalid value: 0, spec.type: Unsupported value]"
        let several = ObjectFailure(
            response: Self.response(
                422,
                Self.status(422, "Invalid", message, details: ["kind": "Service", "name": "web", "causes": causes])))
        #expect(
            several.standalone
                == "The Service \"web\" is invalid: \n* spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n* spec.type: Unsupported value: \"Nope\""
        )
        #expect(several.inList == "Error from server (Invalid): " + message)

        let one = ObjectFailure(
            response: Self.response(
                422,
                Self.status(
                    422, "Invalid", "x", details: ["kind": "Service", "name": "web", "causes": [causes[2] ?? .null]])))
        #expect(one.standalone == "The Service \"web\" is invalid: spec.type: Unsupported value: \"Nope\"")
        let noDetails = ObjectFailure(response: Self.response(422, Self.status(422, "Invalid", "bad request body")))
        #expect(noDetails.standalone == "The request is invalid: bad request body")
    }

    @Test func failureReportPrintsLoneAndSeveralErrorsLikeKubectl() {
        let notFound = ObjectFailure(
            response: Self.response(404, Self.status(404, "NotFound", "namespaces \"other\" not found")))
        let conflict = ObjectFailure(
            response: Self.response(409, Self.status(409, "Conflict", "Apply failed with 1 conflict: x")))
        let refused = ObjectFailure(
            CLIError(.connection, "Unable to connect to the server https://h: connection refused"))
        #expect(FailureReport.text([notFound]) == "Error from server (NotFound): namespaces \"other\" not found\n")
        #expect(
            FailureReport.text([conflict, notFound])
                == "Apply failed with 1 conflict: x\n" + ObjectFailure.conflictAdvice
                + "\nError from server (NotFound): namespaces \"other\" not found\n")
        // A server that is down is reported once; API errors are reported per object.
        #expect(
            FailureReport.text([refused, refused, refused])
                == "error: Unable to connect to the server https://h: connection refused\n")
        #expect(FailureReport.text([notFound, notFound]).components(separatedBy: "\n").count == 3)
        #expect(
            FailureReport.text([refused, notFound, refused])
                == "Unable to connect to the server https://h: connection refused\n"
                + "Error from server (NotFound): namespaces \"other\" not found\n")

        let sink = OutputSink.memory()
        FailureReport.report([refused, notFound, refused], to: Diagnostics(format: .json, sink: sink))
        // The official datumctl's envelope: code, message, retryable first; ours after them.
        #expect(
            sink.text
                == #"{"error":{"code":"CONNECTION_FAILED","message":"Unable to connect to the server https://h: connection refused","retryable":true,"kind":"connection"}}"#
                + "\n"
                + #"{"error":{"code":"NOT_FOUND","message":"Error from server (NotFound): namespaces \"other\" not found","retryable":false,"kind":"server","reason":"NotFound","status":404}}"#
                + "\n"
        )
        // YAML: one document per error, as sigs.k8s.io/yaml sorts the keys.
        let yaml = OutputSink.memory()
        FailureReport.report([refused, notFound], to: Diagnostics(format: .yaml, sink: yaml))
        #expect(
            yaml.text == """
                error:
                  code: CONNECTION_FAILED
                  kind: connection
                  message: 'Unable to connect to the server https://h: connection refused'
                  retryable: true
                ---
                error:
                  code: NOT_FOUND
                  kind: server
                  message: 'Error from server (NotFound): namespaces "other" not found'
                  reason: NotFound
                  retryable: false
                  status: 404

                """)
    }

    // MARK: Progress

    @Test func progressBarOnlyOnTerminalsAndForManyObjects() {
        #expect(ApplyProgress(sink: .memory(isTerminal: false), total: 100, label: "applying") == nil)
        #expect(ApplyProgress(sink: .memory(isTerminal: true), total: 20, label: "applying") == nil)
        let sink = OutputSink.memory(isTerminal: true)
        let progress = ApplyProgress(sink: sink, total: 60, label: "applying")
        for _ in 0..<60 { progress?.advance() }
        progress?.finish()
        // 60 objects over a 30-wide bar: the first object, then one redraw per two objects.
        let frames = sink.text.split(separator: "\r", omittingEmptySubsequences: true)
        #expect(frames.count == 32)
        #expect(frames.first == "applying [>                             ] 1/60")
        #expect(frames.dropFirst().first == "applying [=>                            ] 2/60")
        #expect(frames.dropLast().last == "applying [==============================] 60/60")
        #expect(frames.last == "\u{1B}[K")
    }

    @Test(
        arguments: [(0, 10, "[>                             ] 0/10"), (5, 10, "[===============>              ] 5/10")]
            as [(Int, Int, String)])
    func progressRendering(_ done: Int, _ total: Int, _ expected: String) {
        #expect(ApplyProgress.render(label: "x", done: done, total: total) == "x " + expected)
    }

    // MARK: Requests

    static func client(server: String = "https://api.example.com") throws -> ProjectClient {
        let settings = ConnectionSettings(
            server: server, project: "my-project", namespace: "default", token: "secret", certificateAuthority: nil,
            insecureSkipTLSVerify: false, requestTimeout: nil, verbosity: 0)
        return try ProjectClient(settings: settings, plane: .project("my-project"), trace: { _ in })
    }

    static var policy: APIResource { ResourceMapper.builtin[0] }

    @Test(
        arguments: [
            (false, false, FieldValidationMode.strict, "?fieldManager=datumctl&fieldValidation=Strict"),
            (true, false, .warn, "?fieldManager=datumctl&force=true&fieldValidation=Warn"),
            (false, true, .ignore, "?fieldManager=datumctl&dryRun=All&fieldValidation=Ignore"),
            (true, true, .strict, "?fieldManager=datumctl&force=true&dryRun=All&fieldValidation=Strict"),
        ] as [(Bool, Bool, FieldValidationMode, String)])
    func applyRequest(_ force: Bool, _ dryRun: Bool, _ mode: FieldValidationMode, _ query: String) throws {
        let engine = ApplyEngine(
            client: try Self.client(), fieldManager: "datumctl", force: force, dryRun: dryRun, fieldValidation: mode,
            concurrency: 4)
        let object: JSONValue = [
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "BackendTLSPolicy",
            "metadata": ["name": "secure-backend", "namespace": "team a"], "spec": ["targetRefs": []],
        ]
        let item = try ApplyItem(
            object: object, resource: Self.policy, namespace: "team a", name: "secure-backend",
            location: SourceLocation(file: "p.yaml", line: 1, column: 1))
        let request = engine.request(for: item)
        #expect(item.path == (try Self.policy.objectPath(namespace: "team a", name: "secure-backend")))
        #expect(request.method == "PATCH")
        #expect(
            request.url
                == "https://api.example.com/apis/resourcemanager.miloapis.com/v1alpha1/projects/my-project/control-plane"
                + "/apis/gateway.networking.k8s.io/v1/namespaces/team%20a/backendtlspolicies/secure-backend" + query)
        #expect(request.headers["Content-Type"] == "application/apply-patch+yaml")
        #expect(request.headers["Authorization"] == "Bearer secret")
        #expect(request.isIdempotent)
        #expect(
            String(decoding: request.body ?? [], as: UTF8.self)
                == #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy","metadata":{"name":"secure-backend","namespace":"team a"},"spec":{"targetRefs":[]}}"#
        )
    }

    @Test(arguments: [("default", "web"), ("team a", "web"), ("default", "Web:1"), ("x", "..."), ("ns", "a.b-c")])
    func fastPathsEqualEscapedOnes(_ namespace: String, _ name: String) throws {
        for resource in ResourceMapper.builtin {
            let scoped = resource.namespaced ? namespace : nil
            #expect(
                try ApplyItem.path(resource, namespace: scoped, name: name)
                    == resource.objectPath(namespace: scoped, name: name))
        }
    }

    /// No item, hence no request, exists for a name or namespace that cannot be a path segment.
    @Test(arguments: [("default", ".."), ("default", "."), ("..", "web"), ("default", "a/b"), ("a%b", "web"), ("default", "")])
    func itemsNeedPathSegmentNames(_ namespace: String, _ name: String) {
        let configMaps = APIResource(
            group: "", version: "v1", name: "configmaps", singularName: "configmap", kind: "ConfigMap", namespaced: true)
        #expect(throws: CLIError.self) {
            try ApplyItem(
                object: [:], resource: configMaps, namespace: namespace, name: name,
                location: SourceLocation(file: "f", line: 1, column: 1))
        }
    }

    @Test func clusterScopedObjectsHaveNoNamespaceInTheirPath() throws {
        let namespaces = try #require(ResourceMapper.builtin.first { $0.kind == "Namespace" })
        let item = try ApplyItem(
            object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "infra"]], resource: namespaces,
            namespace: nil, name: "infra", location: SourceLocation(file: "ns.yaml", line: 1, column: 1))
        #expect(item.path == "/api/v1/namespaces/infra")
        #expect(ApplyCommand.line(item, "created") == "namespace/infra created")
        #expect(ApplyCommand.line(item, nil) == "namespace/infra")
    }

    // MARK: Secrets in diffs

    @Test func secretValuesAreMasked() {
        let live: JSONValue = ["kind": "Secret", "data": ["same": "YQ==", "changed": "Yg==", "removed": "Yw=="]]
        let merged: JSONValue = ["kind": "Secret", "data": ["same": "YQ==", "changed": "Zg==", "added": "ZA=="]]
        let (before, after) = DiffCommand.maskSecretData(live, merged)
        #expect(before?["data"] == ["same": "***", "changed": "*** (before)", "removed": "***"])
        #expect(after["data"] == ["same": "***", "changed": "*** (after)", "added": "***"])
        let (none, created) = DiffCommand.maskSecretData(nil, merged)
        #expect(none == nil)
        #expect(created["data"] == ["same": "***", "changed": "***", "added": "***"])
        let (_, noData) = DiffCommand.maskSecretData(nil, ["kind": "Secret"])
        #expect(noData == ["kind": "Secret"])
    }

    @Test func externalDiffArgumentsAreFiltered() {
        let external = ExternalDiff(command: "colordiff -N -u --label=x $(rm) a/b", variables: ["PATH": "/bin"])
        #expect(external.program == "colordiff")
        #expect(external.arguments == ["-N", "-u", "--label=x"])
        #expect(external.ignoredArguments == ["$(rm)", "a/b"])
    }
}
