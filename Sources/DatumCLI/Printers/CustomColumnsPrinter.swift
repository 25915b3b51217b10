import DatumJSON
import GoCompat

/// `-o custom-columns=HEADER:path,...`: one tab-aligned row per object.
public struct CustomColumnsPrinter: Sendable {
    /// One column: its header (printed as given) and its relaxed JSONPath.
    public struct Column: Sendable, Equatable {
        public var header: String
        public var fieldSpec: String

        public init(header: String, fieldSpec: String) {
            self.header = header
            self.fieldSpec = fieldSpec
        }
    }

    public var columns: [Column]
    public var noHeaders: Bool
    let parsers: [JSONPath]

    public init(columns: [Column], noHeaders: Bool = false) throws(PrinterError) {
        self.columns = columns
        self.noHeaders = noHeaders
        var parsers: [JSONPath] = []
        for column in columns { parsers.append(try JSONPath(column.fieldSpec)) }
        self.parsers = parsers
    }

    /// Parses the flag value (`NAME:.metadata.name,HOST:.spec.validation.hostname`).
    public init(spec: String, noHeaders: Bool = false) throws(PrinterError) {
        if spec.isEmpty { throw PrinterError("custom-columns format specified but no custom columns given") }
        var columns: [Column] = []
        for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
            guard let colon = part.firstIndex(of: ":") else {
                throw PrinterError("unexpected custom-columns spec: \(part), expected <header>:<json-path-expr>")
            }
            let header = String(part[..<colon])
            let path = try JSONPath.relaxed(String(part[part.index(after: colon)...]))
            columns.append(Column(header: header, fieldSpec: path))
        }
        try self.init(columns: columns, noHeaders: noHeaders)
    }

    /// The columns of a `-o custom-columns-file` template: a line of headers and a line of field
    /// specifications, each separated by white space (kubectl's `NewCustomColumnsPrinterFromTemplate`).
    public static func columns(fromFile text: String) throws(PrinterError) -> [Column] {
        let expected =
            "Expected format is one line of space separated headers, one line of space separated column specs."
        // bufio.Scanner's lines: split at \n, a \r before it dropped.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        if text.hasSuffix("\n") { lines.removeLast() }
        guard lines.count >= 1, !text.isEmpty else {
            throw PrinterError("invalid template, missing header line. " + expected)
        }
        guard lines.count >= 2 else { throw PrinterError("invalid template, missing spec line. " + expected) }
        let fields = { (line: Substring) in
            line.split(whereSeparator: {
                $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}"
            })
            .map(String.init)
        }
        let headers = fields(lines[0])
        let specs = fields(lines[1])
        guard headers.count == specs.count else {
            throw PrinterError(
                "number of headers (\(headers.count)) and field specifications (\(specs.count)) don't match")
        }
        var columns: [Column] = []
        for (header, spec) in zip(headers, specs) {
            columns.append(Column(header: header, fieldSpec: try JSONPath.relaxed(spec)))
        }
        return columns
    }

    /// Prints the objects (items of a `List` are expanded) with one header line.
    public func print(_ objects: [JSONValue]) throws(PrinterError) -> String {
        var writer = TabWriter.kubectlTable()
        if !noHeaders {
            writer.write(columns.map(\.header).joined(separator: "\t") + "\n")
        }
        for object in Self.flatten(objects) {
            var cells: [String] = []
            for parser in parsers {
                let results = try parser.findResults(object, allowMissingKeys: true)
                var values: [String] = []
                if results.first?.isEmpty ?? true { values.append("<none>") }
                for set in results {
                    for value in set { values.append(GoFormat.escapeTerminal(Self.sprint(value))) }
                }
                cells.append(values.joined(separator: ","))
            }
            writer.write(cells.joined(separator: "\t") + "\n")
        }
        return writer.finish()
    }

    /// `fmt.Sprint` of one JSONPath result.
    static func sprint(_ value: JSONPath.Value) -> String {
        switch value {
        case .json(let v): return GoFormat.value(v)
        case .text(let s): return s
        case .int(let i): return String(i)
        case .float(let d): return GoFormat.formatFloat(d)
        case .byte(let b): return String(b)
        }
    }

    static func flatten(_ objects: [JSONValue]) -> [JSONValue] {
        objects.flatMap { object -> [JSONValue] in
            if object["kind"]?.stringValue?.hasSuffix("List") ?? false, let items = object["items"]?.arrayValue {
                return items
            }
            return [object]
        }
    }
}

/// `--sort-by`: kubectl's ordering of objects or table rows by one JSONPath field.
public enum ResourceSorter {
    /// Sorts objects by `field` (any relaxed form: `.metadata.name`, `{.metadata.name}`).
    public static func sort(_ objects: [JSONValue], by field: String) throws(PrinterError) -> [JSONValue] {
        let path = try JSONPath(try JSONPath.relaxed(field))
        var keys: [JSONPath.Value?] = []
        for object in objects {
            keys.append(try path.findResults(object, allowMissingKeys: true).first?.first)
        }
        if !objects.isEmpty && !keys.contains(where: { $0 != nil }) {
            throw PrinterError(
                "couldn't find any field with path \(GoFormat.quote(path.template)) in the list of objects")
        }
        let order = try sortedIndices(keys, field: path.template)
        return order.map { objects[$0] }
    }

    /// Sorts a table's rows by the field of each row's object (the server must include objects).
    public static func sort(_ table: ServerTable, by field: String) throws(PrinterError) -> ServerTable {
        let path = try JSONPath(try JSONPath.relaxed(field))
        var keys: [JSONPath.Value?] = []
        for row in table.rows {
            keys.append(try path.findResults(row.object ?? .null, allowMissingKeys: true).first?.first)
        }
        if !table.rows.isEmpty && !keys.contains(where: { $0 != nil }) {
            throw PrinterError(
                "couldn't find any field with path \(GoFormat.quote(path.template)) in the list of objects")
        }
        var sorted = table
        sorted.rows = try sortedIndices(keys, field: path.template).map { table.rows[$0] }
        return sorted
    }

    /// A stable insertion sort: Go's `sort.Sort` is an insertion sort for up to 12
    /// elements, so small inputs (and all inputs without ties) order exactly as kubectl.
    static func sortedIndices(_ keys: [JSONPath.Value?], field: String) throws(PrinterError) -> [Int] {
        var order = Array(keys.indices)
        for i in order.indices.dropFirst() {
            var j = i
            while j > 0 {
                let a = keys[order[j]]
                let b = keys[order[j - 1]]
                guard try less(a, b, field: field) else { break }
                order.swapAt(j, j - 1)
                j -= 1
            }
        }
        return order
    }

    /// kubectl's `isLess` for values of an unstructured object; missing values sort first.
    static func less(_ a: JSONPath.Value?, _ b: JSONPath.Value?, field: String) throws(PrinterError) -> Bool {
        guard let a else { return true }
        guard let b else { return false }
        switch (a, b) {
        case (.json(.null), .json(.null)): return false
        case (.json(.null), _): return true
        case (_, .json(.null)): return false
        case (.json(.int(let x)), .json(.int(let y))): return x < y
        case (.json(.double(let x)), .json(.double(let y))): return x < y
        case (.json(.string(let x)), .json(.string(let y))):
            if let qx = Quantity(x), let qy = Quantity(y) { return qx < qy }
            return byteLess(x, y)
        default:
            throw PrinterError("Field \(field) is an unsortable type: \(unsortableKind(a))")
        }
    }

    static func unsortableKind(_ value: JSONPath.Value) -> String {
        JSONPathEvaluator.goTypeName(value)
    }

    /// Go's `<` on strings: byte-wise over UTF-8, so `h10` sorts before `h9` (kubectl 1.32, checked
    /// side by side; not natural order).
    public static func byteLess(_ s1: String, _ s2: String) -> Bool {
        s1.utf8.lexicographicallyPrecedes(s2.utf8)
    }
}

/// A Kubernetes resource quantity (`100m`, `1Gi`, `1e3`), enough to order them as kubectl does.
struct Quantity: Comparable {
    var value: Double

    /// Parses the canonical quantity grammar; `nil` when the text is not a quantity.
    init?(_ text: String) {
        var s = Substring(text)
        var sign = 1.0
        if s.first == "+" || s.first == "-" {
            if s.first == "-" { sign = -1 }
            s = s.dropFirst()
        }
        let numberEnd = s.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? s.endIndex
        let number = s[..<numberEnd]
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != ".",
            let magnitude = Double(number.hasPrefix(".") ? "0" + number : String(number))
        else { return nil }
        let suffix = String(s[numberEnd...])
        let binary: [String: Double] = [
            "Ki": 1024, "Mi": 1_048_576, "Gi": 1_073_741_824, "Ti": 1_099_511_627_776,
            "Pi": 1_125_899_906_842_624, "Ei": 1_152_921_504_606_846_976,
        ]
        let decimal: [String: Double] = [
            "": 1, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
        ]
        let multiplier: Double
        if let m = binary[suffix] {
            multiplier = m
        } else if let m = decimal[suffix] {
            multiplier = m
        } else if let first = suffix.first, first == "e" || first == "E",
            let exponent = JSONPathParser.goAtoi(String(suffix.dropFirst()))
        {
            multiplier = pow10(exponent)
        } else {
            return nil
        }
        value = sign * magnitude * multiplier
    }

    static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value < rhs.value }
}

private func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    if exponent >= 0 {
        for _ in 0..<min(exponent, 400) { result *= 10 }
    } else {
        // `magnitude`, not `-exponent`: negating Int.min (from a value such as `1e-9223372036854775808`) traps.
        for _ in 0..<min(exponent.magnitude, 400) { result /= 10 }
    }
    return result
}
