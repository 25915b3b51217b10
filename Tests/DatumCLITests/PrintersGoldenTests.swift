import DatumJSON
import DatumKit
import Testing

@testable import DatumCLI

/// Goldens recorded from kubectl v1.32.4 against a stand-in API server serving the
/// documents in `Snapshots/printers/fixtures/` (see `Snapshots/printers/README.md`).
@Suite struct PrintersGoldenTests {
    static let btls = GroupKind(group: "gateway.networking.k8s.io", kind: "BackendTLSPolicy")
    static let configMap = GroupKind(group: "", kind: "ConfigMap")
    static let service = GroupKind(group: "", kind: "Service")

    struct TableCase: Sendable, CustomTestStringConvertible {
        var golden: String
        var groups: [(fixture: String, options: TablePrintOptions)]
        var sortBy: String? = nil
        var testDescription: String { golden }
    }

    static let tableCases: [TableCase] = [
        TableCase(golden: "btls-default", groups: [("table-btls-default", TablePrintOptions())]),
        TableCase(golden: "btls-wide", groups: [("table-btls-default", TablePrintOptions(wide: true))]),
        TableCase(golden: "btls-all-namespaces", groups: [("table-btls-all", TablePrintOptions(withNamespace: true))]),
        TableCase(golden: "btls-show-labels", groups: [("table-btls-default", TablePrintOptions(showLabels: true))]),
        TableCase(
            golden: "btls-all-namespaces-show-labels",
            groups: [("table-btls-all", TablePrintOptions(showLabels: true, withNamespace: true))]),
        TableCase(golden: "btls-no-headers", groups: [("table-btls-default", TablePrintOptions(noHeaders: true))]),
        TableCase(
            golden: "btls-label-columns",
            groups: [("table-btls-default", TablePrintOptions(columnLabels: ["app", "gateway.networking.k8s.io/policy"]))]),
        TableCase(
            golden: "multi-kinds",
            groups: [
                ("table-btls-default", TablePrintOptions(kind: btls)),
                ("table-configmaps", TablePrintOptions(kind: configMap)),
                ("table-services", TablePrintOptions(kind: service)),
            ]),
        TableCase(
            golden: "multi-kinds-no-headers",
            groups: [
                ("table-btls-default", TablePrintOptions(noHeaders: true, kind: btls)),
                ("table-configmaps", TablePrintOptions(noHeaders: true, kind: configMap)),
            ]),
        TableCase(
            golden: "single-with-kind",
            groups: [
                ("table-btls-secure-backend", TablePrintOptions(kind: btls)),
                ("table-configmaps", TablePrintOptions(kind: configMap)),
            ]),
        TableCase(golden: "show-kind", groups: [("table-btls-default", TablePrintOptions(kind: btls))]),
        TableCase(golden: "widgets", groups: [("table-widgets", TablePrintOptions())]),
        TableCase(golden: "widgets-wide-labels", groups: [("table-widgets", TablePrintOptions(wide: true, showLabels: true))]),
        TableCase(golden: "widgets-no-headers", groups: [("table-widgets", TablePrintOptions(noHeaders: true))]),
        TableCase(
            golden: "btls-sort-by-creation", groups: [("table-btls-all", TablePrintOptions(withNamespace: true))],
            sortBy: ".metadata.creationTimestamp"),
        TableCase(
            golden: "btls-sort-by-name", groups: [("table-btls-all", TablePrintOptions(withNamespace: true))],
            sortBy: "{.metadata.name}"),
    ]

    @Test(arguments: tableCases)
    func table(_ c: TableCase) throws {
        var groups: [TablePrinter.Group] = []
        for (fixture, options) in c.groups {
            var table = try ServerTable(PrintersSnapshot.fixture(fixture))
            if let sortBy = c.sortBy { table = try ResourceSorter.sort(table, by: sortBy) }
            groups.append(TablePrinter.Group(table: table, options: options))
        }
        PrintersSnapshot.expect(TablePrinter.print(groups: groups), matches: "table/\(c.golden).txt")
    }

    @Test(arguments: [("btls", "list-btls-default"), ("multi", "list-multi"), ("single", "secure-backend")])
    func name(_ golden: String, _ fixture: String) throws {
        let out = try NamePrinter.print(PrintersSnapshot.fixture(fixture))
        PrintersSnapshot.expect(out, matches: "name/\(golden).txt")
    }

    struct PathCase: Sendable, CustomTestStringConvertible {
        var golden: String
        var fixture: String
        var template: String
        var allowMissingKeys = true
        var asJSON = false
        var testDescription: String { golden }
    }

    static let jsonPathCases: [PathCase] = [
        PathCase(golden: "names", fixture: "list-btls-default", template: "{.items[*].metadata.name}"),
        PathCase(golden: "single-name", fixture: "secure-backend", template: "{.metadata.name}"),
        PathCase(
            golden: "range", fixture: "list-btls-default",
            template: #"{range .items[*]}{.metadata.name}{"\t"}{.spec.validation.hostname}{"\n"}{end}"#),
        PathCase(
            golden: "range-after-end", fixture: "list-btls-default",
            template: #"{range .items[*]}[{.metadata.name}]{end}{"|done\n"}"#),
        PathCase(
            golden: "filter", fixture: "secure-backend",
            template: #"{.status.ancestors[0].conditions[?(@.type=="Accepted")].status}"#),
        PathCase(
            golden: "filter-all", fixture: "secure-backend",
            template: #"{.status.ancestors[*].conditions[?(@.status!="True")].reason}"#),
        PathCase(
            golden: "filter-missing", fixture: "list-btls-all",
            template: #"{.items[?(@.metadata.labels.app=="web")].metadata.name}"#),
        PathCase(golden: "filter-exists", fixture: "list-btls-all", template: "{.items[?(@.status)].metadata.name}"),
        PathCase(
            golden: "filter-number", fixture: "list-btls-all", template: "{.items[?(@.metadata.generation>1)].metadata.name}"),
        PathCase(golden: "slice", fixture: "list-btls-all", template: "{.items[0:2].metadata.name}"),
        PathCase(golden: "negative-index", fixture: "list-btls-all", template: "{.items[-1].metadata.name}"),
        PathCase(golden: "slice-step", fixture: "list-btls-all", template: "{.items[0:3:2].metadata.name}"),
        PathCase(golden: "recursive", fixture: "payments-tls", template: "{.spec.targetRefs..name}"),
        PathCase(golden: "recursive-top", fixture: "list-btls-all", template: "{..hostname}"),
        PathCase(golden: "target-name", fixture: "secure-backend", template: "{.spec.targetRefs[0].name}"),
        PathCase(golden: "map-as-json", fixture: "secure-backend", template: "{.metadata.labels}"),
        PathCase(
            golden: "array-as-json", fixture: "secure-backend",
            template: #"{.spec.targetRefs}{"\n"}{.spec.validation.subjectAltNames[*]}"#),
        PathCase(
            golden: "numbers", fixture: "secure-backend",
            template: "{.metadata.generation} {.status.ancestors[0].conditions[0].observedGeneration}"),
        PathCase(
            golden: "literals", fixture: "secure-backend",
            template: #"name={.metadata.name}{"\t"}{'single'}{"quote\"d"}{"\u00e9\x41"}{"\\"}"#),
        PathCase(
            golden: "literals-ok", fixture: "secure-backend",
            template: #"name={.metadata.name}{"\t"}{'single'}{"quote\"d"}{"\u00e9\x41"}{"-"}{3}{1.5}"#),
        PathCase(golden: "missing-allowed", fixture: "secure-backend", template: "[{.spec.nothing}]"),
        PathCase(golden: "wildcard", fixture: "secure-backend", template: "{.spec.targetRefs[0].*}"),
        PathCase(golden: "union", fixture: "secure-backend", template: "{.spec.targetRefs[0]['kind','name']}"),
        PathCase(
            golden: "bracket-key", fixture: "secure-backend",
            template: #"{.metadata.labels['gateway\.networking\.k8s\.io/policy']}"#),
        PathCase(
            golden: "escaped-dot", fixture: "secure-backend",
            template: #"{.metadata.labels.gateway\.networking\.k8s\.io/policy}"#),
        PathCase(golden: "as-json", fixture: "secure-backend", template: "{.spec.targetRefs[*].name}", asJSON: true),
        PathCase(
            golden: "nested-range", fixture: "list-btls-all",
            template: #"{range .items[*]}{.metadata.name}:{range .spec.targetRefs[*]} {.name}{end}{"\n"}{end}"#),
        PathCase(golden: "error-unclosed", fixture: "list-btls-default", template: "{.a"),
        PathCase(golden: "error-unrecognized", fixture: "list-btls-default", template: "{.a,b}"),
        PathCase(golden: "error-unterminated-array", fixture: "list-btls-default", template: "{.items[0}"),
        PathCase(golden: "error-unterminated-quote", fixture: "list-btls-default", template: #"{"abc}"#),
        PathCase(golden: "error-invalid-index", fixture: "list-btls-default", template: "{.items[x]}"),
        PathCase(golden: "error-missing-key", fixture: "configmap-auth-cert", template: "{.nope}", allowMissingKeys: false),
        PathCase(golden: "error-out-of-bounds", fixture: "secure-backend", template: "{.spec.targetRefs[5].name}"),
        PathCase(golden: "error-not-array", fixture: "secure-backend", template: "{.metadata.name[0]}"),
        PathCase(golden: "error-end-without-range", fixture: "secure-backend", template: "{end}"),
        PathCase(
            golden: "error-bad-compare", fixture: "secure-backend",
            template: #"{.status.ancestors[0].conditions[?(@.observedGeneration=="2")].type}"#),
    ]

    @Test(arguments: jsonPathCases)
    func jsonPath(_ c: PathCase) throws {
        let data = try PrintersSnapshot.fixture(c.fixture)
        var stdout = ""
        var stderr = ""
        do {
            let template = try JSONPathPrinter.parse(c.template)
            stdout = try JSONPathPrinter.print(
                data, template: template, allowMissingKeys: c.allowMissingKeys, outputJSON: c.asJSON)
        } catch {
            stderr = "error: \(error.message)\n"
        }
        PrintersSnapshot.expect(stdout, matches: "jsonpath/\(c.golden).txt")
        PrintersSnapshot.expect(stderr, matches: "jsonpath/\(c.golden).stderr.txt")
    }

    struct ColumnsCase: Sendable, CustomTestStringConvertible {
        var golden: String
        var fixtures: [String]
        var spec: String
        var noHeaders = false
        var sortBy: String? = nil
        var testDescription: String { golden }
    }

    static let customColumnCases: [ColumnsCase] = [
        ColumnsCase(
            golden: "basic", fixtures: ["list-btls-all"],
            spec:
                "NAME:.metadata.name,HOST:.spec.validation.hostname,TARGETS:.spec.targetRefs[*].name,STATUS:.status.ancestors[0].conditions[0].status"
        ),
        ColumnsCase(
            golden: "no-headers", fixtures: ["list-btls-default"], spec: "NAME:.metadata.name,GEN:{.metadata.generation}",
            noHeaders: true),
        ColumnsCase(
            golden: "map-value", fixtures: ["list-btls-default"],
            spec: "NAME:.metadata.name,LABELS:.metadata.labels,REFS:.spec.targetRefs"),
        ColumnsCase(golden: "error-spec", fixtures: ["list-btls-default"], spec: "NAME"),
        ColumnsCase(
            golden: "multi-kinds", fixtures: ["list-btls-default", "configmap-auth-cert"], spec: "KIND:.kind,NAME:.metadata.name"),
        ColumnsCase(
            golden: "sort", fixtures: ["list-btls-all"], spec: "NAME:.metadata.name,NS:.metadata.namespace",
            sortBy: ".metadata.name"),
    ]

    @Test(arguments: customColumnCases)
    func customColumns(_ c: ColumnsCase) throws {
        var objects = try c.fixtures.map(PrintersSnapshot.fixture)
        var stdout = ""
        var stderr = ""
        do {
            let printer = try CustomColumnsPrinter(spec: c.spec, noHeaders: c.noHeaders)
            if let sortBy = c.sortBy {
                objects = try ResourceSorter.sort(CustomColumnsPrinter.flatten(objects), by: sortBy)
            }
            stdout = try printer.print(objects)
        } catch {
            stderr = "error: \(error.message)\n"
        }
        PrintersSnapshot.expect(stdout, matches: "custom/\(c.golden).txt")
        PrintersSnapshot.expect(stderr, matches: "custom/\(c.golden).stderr.txt")
    }

    /// 2026-11-26T12:00:00Z, the stand-in server's clock for the recorded events.
    static let now = KubeTime.parse("2026-11-26T12:00:00Z") ?? 0

    @Test(arguments: [
        ("secure-backend", "secure-backend", true),
        ("tls-upstream-auth", "tls-upstream-auth", true),
        ("payments-tls", "payments-tls", true),
        ("secure-backend-no-events", "secure-backend", false),
    ])
    func describe(_ golden: String, _ fixture: String, _ showEvents: Bool) throws {
        let object = try PrintersSnapshot.fixture(fixture)
        var events: JSONValue?
        if showEvents {
            // The server filters events by involved object, as kube-apiserver's field selector does.
            var list = try PrintersSnapshot.fixture("events-secure-backend")
            let name = object["metadata"]?["name"]
            list["items"] = .array((list["items"]?.arrayValue ?? []).filter { $0["involvedObject"]?["name"] == name })
            events = list
        }
        let out = GenericDescriber.describe(object, events: events, now: Self.now)
        PrintersSnapshot.expect(out, matches: "describe/\(golden).txt")
    }

    static func builtDocument() throws -> JSONValue {
        try OpenAPIV3Document.forCRD(
            PrintersSnapshot.fixture("crd-backendtlspolicies"), version: "v1",
            metaSchemas: OpenAPIV3Document.embeddedMetaSchemas())
    }

    @Test func documentBuilderMatchesTheDocumentKubectlWasShown() throws {
        let built = try Self.builtDocument()
        #expect(built == (try PrintersSnapshot.fixture("openapi")))
        let schemas = built["components"]?["schemas"]?.objectValue
        #expect(schemas?.contains("io.k8s.networking.gateway.v1.BackendTLSPolicy") == true)
        #expect(schemas?.contains("io.k8s.networking.gateway.v1.BackendTLSPolicyList") == true)
        #expect(schemas?.contains("_source") == false)
    }

    struct ExplainCase: Sendable, CustomTestStringConvertible {
        var golden: String
        var path: [String]
        var recursive = false
        var extras = false
        var testDescription: String { golden }
    }

    static let explainCases: [ExplainCase] = [
        ExplainCase(golden: "resource", path: []),
        ExplainCase(golden: "spec", path: ["spec"]),
        ExplainCase(golden: "targetRefs", path: ["spec", "targetRefs"]),
        ExplainCase(golden: "validation", path: ["spec", "validation"]),
        ExplainCase(golden: "subjectAltNames-type", path: ["spec", "validation", "subjectAltNames", "type"]),
        ExplainCase(golden: "metadata", path: ["metadata"]),
        ExplainCase(golden: "options", path: ["spec", "options"]),
        ExplainCase(golden: "status-conditions", path: ["status", "ancestors", "conditions"]),
        ExplainCase(golden: "recursive", path: [], recursive: true),
        ExplainCase(golden: "spec-recursive", path: ["spec"], recursive: true),
        ExplainCase(golden: "error-missing-field", path: ["spec", "foo"]),
        ExplainCase(golden: "error-missing-top", path: ["foo"]),
        ExplainCase(golden: "shortname", path: ["spec", "validation", "wellKnownCACertificates"]),
        ExplainCase(golden: "metadata-creationTimestamp", path: ["metadata", "creationTimestamp"]),
        ExplainCase(golden: "metadata-recursive", path: ["metadata"], recursive: true),
        ExplainCase(golden: "extras", path: ["spec", "extras"], extras: true),
        ExplainCase(golden: "extras-recursive", path: ["spec", "extras"], recursive: true, extras: true),
        ExplainCase(golden: "extras-mode", path: ["spec", "extras", "mode"], extras: true),
        ExplainCase(golden: "extras-labels", path: ["spec", "extras", "labels"], extras: true),
        ExplainCase(golden: "extras-matrix", path: ["spec", "extras", "matrix"], extras: true),
        ExplainCase(golden: "extras-anything", path: ["spec", "extras", "anything"], extras: true),
        ExplainCase(golden: "extras-spec", path: ["spec"], extras: true),
    ]

    @Test(arguments: explainCases)
    func explain(_ c: ExplainCase) throws {
        let document = c.extras ? try PrintersSnapshot.fixture("openapi-extras") : try Self.builtDocument()
        let result = ExplainPrinter.explain(
            document: document,
            resource: .init(group: "gateway.networking.k8s.io", version: "v1", resource: "backendtlspolicies"),
            fieldPath: c.path, recursive: c.recursive)
        PrintersSnapshot.expect(result.output, matches: "explain/\(c.golden).txt")
        PrintersSnapshot.expect(result.error.map { "error: \($0.message)\n" } ?? "", matches: "explain/\(c.golden).stderr.txt")
    }
}
