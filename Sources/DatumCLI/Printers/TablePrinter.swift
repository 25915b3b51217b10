import DatumJSON
import DatumKit
import GoCompat

/// A `meta.k8s.io/v1` `Table` as the server returns it for `kubectl get`.
public struct ServerTable: Sendable, Equatable {
    /// One column definition; only `priority == 0` columns show without `-o wide`.
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: String
        public var format: String
        public var priority: Int

        public init(name: String, type: String = "string", format: String = "", priority: Int = 0) {
            self.name = name
            self.type = type
            self.format = format
            self.priority = priority
        }
    }

    /// One row: its cells and, when the server included it, the object it describes.
    public struct Row: Sendable, Equatable {
        public var cells: [JSONValue]
        public var object: JSONValue?

        public init(cells: [JSONValue], object: JSONValue? = nil) {
            self.cells = cells
            self.object = object
        }
    }

    public var columns: [Column]
    public var rows: [Row]

    public init(columns: [Column], rows: [Row]) {
        self.columns = columns
        self.rows = rows
    }

    /// Reads a `Table` document; throws when it is not one.
    public init(_ value: JSONValue) throws(PrinterError) {
        guard value["kind"]?.stringValue == "Table" else {
            throw PrinterError("expected a meta.k8s.io/v1 Table, got kind \(value["kind"]?.stringValue ?? "<none>")")
        }
        columns = (value["columnDefinitions"]?.arrayValue ?? []).map { column in
            Column(
                name: column["name"]?.stringValue ?? "",
                type: column["type"]?.stringValue ?? "",
                format: column["format"]?.stringValue ?? "",
                priority: Int(column["priority"]?.intValue ?? 0))
        }
        rows = (value["rows"]?.arrayValue ?? []).map { row in
            Row(cells: row["cells"]?.arrayValue ?? [], object: row["object"])
        }
    }
}

extension ServerTable {
    /// The server's Table, or, when the server answered the Table request with a plain object or
    /// list, kubectl's default client-side columns (cli-runtime's `printObjectMeta`): NAME and AGE
    /// for each item, the object kept in the row so labels and sorting still work.
    public static func parse(_ value: JSONValue, now: Double) throws(PrinterError) -> ServerTable {
        if value["kind"]?.stringValue == "Table" { return try ServerTable(value) }
        guard case .object = value else {
            throw PrinterError("expected a meta.k8s.io/v1 Table or an object, got \(value.typeName)")
        }
        let objects: [JSONValue]
        if let items = value["items"] {
            guard let array = items.arrayValue else {
                throw PrinterError("expected the items of \(value["kind"]?.stringValue ?? "the list") to be an array")
            }
            objects = array
        } else {
            objects = [value]
        }
        let columns = [
            Column(name: "Name", type: "string", format: "name", priority: 0),
            Column(name: "Age", type: "string", format: "", priority: 0),
        ]
        let rows = objects.map { object in
            Row(
                cells: [
                    .string(object["metadata"]?["name"]?.stringValue ?? ""),
                    .string(
                        HumanDuration.age(
                            sinceCreation: object["metadata"]?["creationTimestamp"]?.stringValue, now: now)),
                ], object: object)
        }
        return ServerTable(columns: columns, rows: rows)
    }
}

/// An error a printer reports; `message` is what kubectl prints after `error: `.
public struct PrinterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A group and kind, rendered the way `schema.GroupKind.String()` does (`Kind.group`).
public struct GroupKind: Sendable, Hashable {
    public var group: String
    public var kind: String

    public init(group: String, kind: String) {
        self.group = group
        self.kind = kind
    }

    /// Reads `apiVersion` and `kind` of an object (`v1` means the core group).
    public init?(object: JSONValue) {
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else { return nil }
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let group = apiVersion.firstIndex(of: "/").map { String(apiVersion[..<$0]) } ?? ""
        self.init(group: group, kind: kind)
    }

    public var description: String { group.isEmpty ? kind : kind + "." + group }
}

/// How `kubectl get` decorates and filters a table (`printers.PrintOptions`).
public struct TablePrintOptions: Sendable, Equatable {
    public var noHeaders = false
    /// `-o wide`: also show columns with a non-zero priority.
    public var wide = false
    public var showLabels = false
    /// `-L key,...`: one column per label key.
    public var columnLabels: [String] = []
    /// `-A`: a leading NAMESPACE column.
    public var withNamespace = false
    /// Prefix names with `kind.group/` (several kinds requested, or `--show-kind`).
    public var kind: GroupKind?

    public init(
        noHeaders: Bool = false, wide: Bool = false, showLabels: Bool = false, columnLabels: [String] = [],
        withNamespace: Bool = false, kind: GroupKind? = nil
    ) {
        self.noHeaders = noHeaders
        self.wide = wide
        self.showLabels = showLabels
        self.columnLabels = columnLabels
        self.withNamespace = withNamespace
        self.kind = kind
    }
}

/// kubectl's human-readable table output (`kubectl get` without `-o`, or `-o wide`).
public enum TablePrinter {
    /// One resource kind's worth of output: usually one table, several when kubectl
    /// fetched objects one by one (`get kind/a kind/b`).
    public struct Group: Sendable {
        public var tables: [ServerTable]
        public var options: TablePrintOptions

        public init(tables: [ServerTable], options: TablePrintOptions) {
            self.tables = tables
            self.options = options
        }

        public init(table: ServerTable, options: TablePrintOptions) {
            self.init(tables: [table], options: options)
        }
    }

    /// Prints one table.
    public static func print(_ table: ServerTable, options: TablePrintOptions = TablePrintOptions()) -> String {
        print(groups: [Group(table: table, options: options)])
    }

    /// Prints several kinds the way `kubectl get a,b,c` does: widths are measured per
    /// kind, and a blank line separates kinds once something has been printed (not
    /// with `--no-headers`).
    public static func print(groups: [Group]) -> String {
        var output = ""
        for (index, group) in groups.enumerated() {
            var writer = TabWriter.kubectlTable()
            var lastColumns: [ServerTable.Column]?
            var printedHeaders = false
            for table in group.tables {
                var options = group.options
                if printedHeaders && (table.columns.isEmpty || table.columns == lastColumns) {
                    options.noHeaders = true
                }
                var table = table
                if table.columns.isEmpty {
                    table.columns = lastColumns ?? []
                } else if table.columns != lastColumns {
                    lastColumns = table.columns
                    printedHeaders = false
                }
                if !table.rows.isEmpty { printedHeaders = true }
                writeTable(decorate(table, options: options), options: options, into: &writer)
            }
            let text = writer.finish()
            if index > 0 && !group.options.noHeaders && !output.isEmpty && !text.isEmpty {
                output += "\n"
            }
            output += text
        }
        return output
    }

    /// Adds the NAMESPACE, label and LABELS columns and the `kind/` name prefix.
    static func decorate(_ table: ServerTable, options: TablePrintOptions) -> ServerTable {
        var table = table
        var columns = table.columns
        let extraColumns = options.columnLabels.count + (options.showLabels ? 1 : 0) + (options.withNamespace ? 1 : 0)
        if extraColumns > 0 {
            columns = []
            if options.withNamespace { columns.append(ServerTable.Column(name: "Namespace")) }
            columns += table.columns
            for header in labelHeaders(options.columnLabels) { columns.append(ServerTable.Column(name: header)) }
            if options.showLabels { columns.append(ServerTable.Column(name: "Labels")) }
        }
        var nameColumn: Int?
        if let kind = options.kind, !kind.kind.isEmpty {
            nameColumn = table.columns.firstIndex { $0.format == "name" && $0.type == "string" }
        }
        let includeLabels = !options.columnLabels.isEmpty || options.showLabels
        if includeLabels || options.withNamespace || nameColumn != nil {
            let width = columns.count
            for i in table.rows.indices {
                var row = table.rows[i]
                if let nameColumn, nameColumn < row.cells.count, let kind = options.kind {
                    row.cells[nameColumn] = .string(
                        kind.description.lowercased() + "/" + GoFormat.value(row.cells[nameColumn]))
                }
                guard let metadata = row.object?["metadata"], metadata.objectValue != nil else {
                    // No metadata: pad the decorated columns with empty cells.
                    if options.withNamespace { row.cells.insert(.null, at: 0) }
                    while row.cells.count < width { row.cells.append(.null) }
                    table.rows[i] = row
                    continue
                }
                if options.withNamespace {
                    row.cells.insert(.string(metadata["namespace"]?.stringValue ?? ""), at: 0)
                }
                if includeLabels {
                    let labels = stringMap(metadata["labels"])
                    for key in options.columnLabels { row.cells.append(.string(labels[key] ?? "")) }
                    if options.showLabels { row.cells.append(.string(formatLabels(labels))) }
                }
                table.rows[i] = row
            }
        }
        table.columns = columns
        return table
    }

    static func writeTable(_ table: ServerTable, options: TablePrintOptions, into writer: inout TabWriter) {
        let visible = table.columns.enumerated().filter { options.wide || $0.element.priority == 0 }.map(\.offset)
        if !options.noHeaders {
            // kubectl prints no header at all for an empty table.
            if table.rows.isEmpty { return }
            writer.write(visible.map { table.columns[$0].name.uppercased() }.joined(separator: "\t") + "\n")
        }
        for row in table.rows {
            var cells: [String] = []
            for index in visible where index < row.cells.count {
                cells.append(renderCell(row.cells[index]))
            }
            writer.write(cells.joined(separator: "\t") + "\n")
        }
    }

    /// A cell as kubectl writes it: strings cut at the first line break (with `...`),
    /// other values through `%v`, terminal escapes neutralised, `null` left empty.
    public static func renderCell(_ cell: JSONValue) -> String {
        switch cell {
        case .null:
            return ""
        case .string(let text):
            if let cut = text.unicodeScalars.firstIndex(where: { $0 == "\u{0C}" || $0 == "\n" || $0 == "\r" }) {
                return GoFormat.escapeTerminal(String(text.unicodeScalars[..<cut])) + "..."
            }
            return GoFormat.escapeTerminal(text)
        default:
            return GoFormat.escapeTerminal(GoFormat.value(cell))
        }
    }

    /// `-L` headers: the upper-cased last path segment of each label key.
    static func labelHeaders(_ keys: [String]) -> [String] {
        keys.map { key in
            (key.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? key).uppercased()
        }
    }

    /// `labels.FormatLabels`: `k=v` pairs sorted by key, or `<none>`.
    public static func formatLabels(_ labels: [String: String]) -> String {
        if labels.isEmpty { return "<none>" }
        return labels.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
    }

    static func stringMap(_ value: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for (key, v) in value?.objectValue ?? JSONObject() {
            result[key] = v.stringValue ?? GoFormat.value(v)
        }
        return result
    }
}

/// `-o name`: `kind.group/name` per object, items of a list one per line.
public enum NamePrinter {
    /// `operation` is the past-tense verb some commands append (`created`, `deleted`).
    public static func print(_ object: JSONValue, operation: String = "") throws(PrinterError) -> String {
        if let items = object["items"]?.arrayValue, object["kind"]?.stringValue?.hasSuffix("List") ?? false {
            var out = ""
            for item in items { out += try print(item, operation: operation) }
            return out
        }
        guard let groupKind = GroupKind(object: object) else {
            throw PrinterError(
                "missing apiVersion or kind; try GetObjectKind().SetGroupVersionKind() if you know the type")
        }
        var name = object["metadata"]?["name"]?.stringValue ?? ""
        if name.isEmpty { name = "<unknown>" }
        let suffix = operation.isEmpty ? "" : " " + operation
        let prefix =
            groupKind.group.isEmpty
            ? groupKind.kind.lowercased() : groupKind.kind.lowercased() + "." + groupKind.group
        return prefix + "/" + name + suffix + "\n"
    }
}
