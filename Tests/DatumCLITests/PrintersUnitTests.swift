import DatumJSON
import DatumKit
import GoCompat
import Testing

@testable import DatumCLI

@Suite struct PrintersUnitTests {
    // MARK: Go formatting

    @Test(arguments: [
        (JSONValue.double(0.5), "0.5"), (.double(1_000_000), "1e+06"), (.double(123456), "123456"),
        (.double(2.25e-7), "2.25e-07"), (.double(0.0001), "0.0001"), (.double(0.00001), "1e-05"), (.double(12), "12"),
        (.double(-1.5e21), "-1.5e+21"), (.int(-7), "-7"), (.bool(true), "true"), (.null, "<nil>"),
        (JSONValue.object(["b": 1, "a": ["x", 2]]), "map[a:[x 2] b:1]"), (.array([]), "[]"), (.object(JSONObject()), "map[]"),
    ])
    func goValueFormatting(_ value: JSONValue, _ expected: String) {
        #expect(GoFormat.value(value) == expected)
    }

    @Test func goSyntaxFormatting() {
        let value: JSONValue = ["s": "a\"b\n\u{7}é", "n": nil, "l": [1, 2.5, true], "m": .object(JSONObject())]
        #expect(
            GoFormat.goSyntax(value)
                == #"map[string]interface {}{"l":[]interface {}{1, 2.5, true}, "m":map[string]interface {}{}, "n":interface {}(nil), "s":"a\"b\n\aé"}"#
        )
    }

    @Test func terminalEscaping() {
        #expect(GoFormat.escapeTerminal("\u{1B}[31mred\r") == "^[[31mred\\r")
        #expect(GoFormat.escapeTerminal("plain") == "plain")
    }

    // MARK: tab writer

    @Test func tabWriterAlignsColumnBlocks() {
        var w = TabWriter(minWidth: 0, padding: 2)
        w.write("a:\tb\nlonger:\tc\nno tabs here\nx:\ty\n")
        #expect(w.finish() == "a:       b\nlonger:  c\nno tabs here\nx:  y\n")
    }

    @Test func tabWriterMinimumWidthAndTrailingCells() {
        var w = TabWriter(minWidth: 6, padding: 3)
        w.write("A\tB\tC\n1\t\t3\nδέλτα\tx")
        // Column 0 is the widest cell plus padding (5 + 3); column 1 only exists on the first
        // two lines ("x" is a trailing cell), so it gets the minimum width of 6.
        #expect(w.finish() == "A       B     C\n1             3\nδέλτα   x")
    }

    @Test func tabWriterRemembersWidthsAcrossFlushes() {
        var w = TabWriter(minWidth: 0, padding: 1, rememberWidths: true)
        w.write("long-name\tx\n")
        w.flush()
        w.write("a\ty\n")
        #expect(w.finish() == "long-name x\na         y\n")
        var reset = TabWriter(minWidth: 0, padding: 1, rememberWidths: true)
        reset.write("long-name\tx\n")
        reset.flush()
        reset.resetRememberedWidths()
        reset.write("a\ty\n")
        #expect(reset.finish() == "long-name x\na y\n")
    }

    // MARK: table cells and labels

    @Test(arguments: [
        (JSONValue.string("one\ntwo"), "one..."), (.string("a\u{0C}b"), "a..."), (.string("\u{1B}[1m"), "^[[1m"),
        (.null, ""), (.int(3), "3"), (.double(0.25), "0.25"), (.bool(false), "false"), (.array(["a", 1]), "[a 1]"),
    ])
    func tableCells(_ cell: JSONValue, _ expected: String) {
        #expect(TablePrinter.renderCell(cell) == expected)
    }

    @Test func labelsFormatting() {
        #expect(TablePrinter.formatLabels([:]) == "<none>")
        #expect(TablePrinter.formatLabels(["b": "2", "a": "1", "A": ""]) == "A=,a=1,b=2")
    }

    @Test func emptyTablePrintsNothingUnlessHeadersAreOff() {
        let table = ServerTable(columns: [.init(name: "Name", format: "name")], rows: [])
        #expect(TablePrinter.print(table) == "")
        #expect(TablePrinter.print(table, options: TablePrintOptions(noHeaders: true)) == "")
    }

    @Test func priorityColumnsAndExtraCells() {
        let table = ServerTable(
            columns: [.init(name: "Name", format: "name"), .init(name: "Node", priority: 1)],
            rows: [.init(cells: ["a", "n1", "ignored-extra-cell"])])
        #expect(TablePrinter.print(table) == "NAME\na\n")
        #expect(TablePrinter.print(table, options: TablePrintOptions(wide: true)) == "NAME   NODE\na      n1\n")
    }

    @Test func rejectsDocumentsThatAreNotTables() {
        #expect(throws: PrinterError("expected a meta.k8s.io/v1 Table, got kind ConfigMap")) {
            try ServerTable(["kind": "ConfigMap"])
        }
    }

    @Test func namePrinterOperationsAndErrors() throws {
        let cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]]
        #expect(try NamePrinter.print(cm, operation: "created") == "configmap/x created\n")
        let unnamed: JSONValue = ["apiVersion": "gateway.networking.k8s.io/v1", "kind": "BackendTLSPolicy"]
        #expect(try NamePrinter.print(unnamed) == "backendtlspolicy.gateway.networking.k8s.io/<unknown>\n")
        #expect(throws: PrinterError.self) { try NamePrinter.print(["metadata": ["name": "x"]]) }
    }

    // MARK: JSONPath

    @Test(arguments: [
        ("{.a}", "{.a}"), (".a.b", "{.a.b}"), ("a.b", "{.a.b}"), ("{a}", "{.a}"), (".", "{..}"),
    ])
    func relaxedExpressions(_ input: String, _ expected: String) throws {
        #expect(try JSONPath.relaxed(input) == expected)
    }

    @Test(arguments: ["{}", "{a", "a}", "{.a}{.b}"])
    func relaxedExpressionErrors(_ input: String) {
        #expect(throws: PrinterError.self) { try JSONPath.relaxed(input) }
    }

    static let document: JSONValue = [
        "n": nil, "num": 1.5, "ints": [3, 1, 2], "s": "ab",
        "items": [["k": "a", "v": 1], ["k": "b", "v": 2.5], ["k": "c"]],
    ]

    @Test(arguments: [
        ("{.n}", "<nil>"), ("{.num}", "1.5"), ("{.ints[1:]}", "1 2"), ("{.ints[:1]}", "3"), ("{.ints[1:1]}", ""),
        ("{.s.*}", "97 98"), ("{.items[?(@.k>='b')].k}", "b c"), ("{.items[?(@.k<'b')].k}", "a"),
        ("{.items[?(@.k!='a')].k}", "b c"), ("{.items[*]['k']}", "a b c"), ("{$.s}", "ab"),
        ("{range .ints[*]}<{@}>{end}", "<3><1><2>"), ("x{.missing}y", "xy"), ("{.items[0].k,v}", ""),
    ])
    func jsonPathEvaluation(_ template: String, _ expected: String) throws {
        let result = try? JSONPath(template).execute(Self.document)
        if template == "{.items[0].k,v}" {
            #expect(result == nil)
        } else {
            #expect(result == expected)
        }
    }

    @Test(arguments: [
        ("{.ints[0:3:0]}", "step must be > 0"), ("{.ints[2:1]}", "starting index 2 is greater than ending index 1"),
        ("{.items[?(@.v==1.5)].k}", "incompatible types for comparison"),
        ("{.items[?(@.k<1)].k}", "incompatible types for comparison"),
        ("{.items[?(@==1)].k}", "invalid type for comparison"),
        ("{.s[?(@.a)]}", "ab is not array or slice and cannot be filtered"), ("{foo}", "unrecognized identifier foo"),
        ("{....a}", "invalid multiple recursive descent"), ("{.items[?(@.k=='a')}", "unclosed array expect ]"),
        ("{.items[?(@.k=='a'}", "unterminated filter"), ("{.ints[1.5]}", "invalid array index 1.5"),
        ("{1.2.3}", "cannot parse number 1.2.3"), ("{\t}", "unrecognized character in action: U+0009"),
        ("{'\\q'}", "unquote string '\\q' error invalid syntax"),
    ])
    func jsonPathErrors(_ template: String, _ message: String) {
        #expect(throws: PrinterError(message)) {
            try JSONPath(template).execute(Self.document, allowMissingKeys: false)
        }
    }

    // MARK: sorting

    @Test(arguments: [
        ("a2", "a10", false), ("a10", "a2", true), ("h10", "h9", true), ("a01", "a1", true), ("a1", "a01", false),
        ("abc", "abd", true), ("1x", "x", true), ("x", "1x", false), ("same", "same", false), ("short", "shorter", true),
        ("Z", "a", true), ("é", "z", false), ("a-b", "a_b", true),
    ])
    func byteOrder(_ a: String, _ b: String, _ expected: Bool) {
        #expect(ResourceSorter.byteLess(a, b) == expected)
    }

    @Test func sortsByQuantityThenByteOrderWithMissingFirst() throws {
        let objects: [JSONValue] = [
            ["name": "c", "q": "1Gi"], ["name": "a", "q": "500Mi"], ["name": "b"], ["name": "d", "q": "2"],
        ]
        let sorted = try ResourceSorter.sort(objects, by: ".q")
        #expect(sorted.map { $0["name"]?.stringValue ?? "" } == ["b", "d", "a", "c"])
        #expect(throws: PrinterError(#"couldn't find any field with path "{.nope}" in the list of objects"#)) {
            try ResourceSorter.sort(objects, by: ".nope")
        }
        #expect(throws: PrinterError.self) { try ResourceSorter.sort([["x": true], ["x": false]], by: ".x") }
    }

    // MARK: describe helpers

    @Test(arguments: [
        ("targetRefs", "Target Refs"), ("caCertificateRefs", "Ca Certificate Refs"), ("apiVersion", "API Version"),
        ("uid", "UID"), ("wellKnownCACertificates", "Well Known CA Certificates"), ("selfLink", "Self Link"),
        ("hostIP", "Host IP"), ("v1beta1", "v1beta1"), ("example.com/key", "example.com/key"),
        ("x-forwarded", "X - Forwarded"), ("URLPath", "URL Path"),
    ])
    func smartLabels(_ field: String, _ expected: String) {
        #expect(GenericDescriber.smartLabel(field) == expected)
    }

    @Test func describeAnnotationsAndScalars() {
        let long = String(repeating: "x", count: 150)
        let object: JSONValue = [
            "apiVersion": "v1", "kind": "Thing",
            "metadata": ["name": "n", "annotations": ["a": .string(long), "b": "short\n"]],
            "spec": ["list": ["one", 2, ["k": "v"], [1, 2]], "empty": .object(JSONObject()), "ratio": 1e6],
        ]
        let expected =
            "Name:         n\n" + "Namespace:    \n" + "Labels:       <none>\n" + "Annotations:  a:\n"
            + String(repeating: " ", count: 16) + String(repeating: "x", count: 138) + "...\n"
            + "              b: short\n" + "API Version:  v1\n" + "Kind:         Thing\n" + "Metadata:\n" + "Spec:\n"
            + "  Empty:\n" + "  List:\n" + "    one\n" + "    2\n" + "    K:  v\n" + "    [1 2]\n"
            + "  Ratio:  1e+06\n" + "Events:   <none>\n"
        #expect(GenericDescriber.describe(object, events: ["items": []], now: 0) == expected)
    }

    @Test func describeEventSeriesAndUnknownTimes() {
        let events: JSONValue = [
            "items": [
                [
                    "type": "Normal", "reason": "Sync", "message": "  ok  ", "eventTime": "2026-11-26T11:00:00.000000Z",
                    "series": ["count": 4, "lastObservedTime": "2026-11-26T11:59:00.000000Z"],
                    "lastTimestamp": "2026-11-26T11:59:00Z", "reportingComponent": "ctrl",
                ],
                ["type": "Warning", "reason": "Odd", "message": "m", "count": 1],
            ]
        ]
        let out = GenericDescriber.describe(["kind": "X"], events: events, now: KubeTime.parse("2026-11-26T12:00:00Z") ?? 0)
        let expected =
            "Name:         \n" + "Namespace:    \n" + "Labels:       <none>\n" + "Annotations:  <none>\n"
            + "Kind:         X\n" + "Events:\n"
            + "  Type     Reason  Age" + String(repeating: " ", count: 16) + "From  Message\n"
            + "  ----     ------  ----" + String(repeating: " ", count: 15) + "----  -------\n"
            + "  Warning  Odd     <unknown>" + String(repeating: " ", count: 10) + String(repeating: " ", count: 6) + "m\n"
            + "  Normal   Sync    60s (x4 over 60m)  ctrl  ok\n"
        #expect(out == expected)
    }

    // MARK: explain helpers

    @Test(arguments: [
        ("short text", 76, "short text"),
        ("aaa bbb ccc", 7, "aaa bbb\nccc"),
        ("  indented line\nnext", 10, "  indented\nline\nnext"),
        ("averyveryverylongword and", 5, "averyveryverylongword\nand"),
        ("trailing   ", 8, "trailing"),
        ("a\u{A0}b c", 3, "a\u{A0}b\nc"),
    ])
    func wordWrap(_ text: String, _ limit: Int, _ expected: String) {
        #expect(WordWrap.wrap(text, limit: limit) == expected)
    }

    @Test func explainReportsUnknownResources() {
        let result = ExplainPrinter.explain(
            document: ["paths": .object(JSONObject())], resource: .init(group: "", version: "v1", resource: "pods"),
            fieldPath: [])
        #expect(result == .init(output: "", error: PrinterError("GVR (/v1, Resource=pods) not found in OpenAPI schema")))
    }
}
