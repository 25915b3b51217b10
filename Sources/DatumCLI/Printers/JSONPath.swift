import DatumJSON
import GoCompat

/// A kubectl JSONPath template (`-o jsonpath=...`, custom columns, `--sort-by`).
///
/// Parsing and evaluation follow `k8s.io/client-go/util/jsonpath` rule for rule,
/// including its `range`/`end` bookkeeping and its error texts. The one deliberate
/// difference: where Go walks a map in random order (`*`, `..`), keys are visited
/// in sorted order so output is deterministic.
public struct JSONPath: Sendable {
    public let template: String
    let nodes: [JSONPathNode]

    /// Parses a template; the error text is client-go's (`unclosed action`, ...).
    public init(_ template: String) throws(PrinterError) {
        self.template = template
        self.nodes = try JSONPathParser.parse(template)
    }

    /// One value met during evaluation: a piece of the input, or a literal from the template.
    public enum Value: Sendable, Equatable {
        case json(JSONValue)
        /// Template literals (`{"text"}`, numbers).
        case text(String)
        case int(Int)
        case float(Double)
        /// Bytes of a string visited by `*` or `..` (Go indexes strings by byte).
        case byte(UInt8)

        /// The value `Interface()` would hand to comparisons and sorting.
        var json: JSONValue? {
            if case .json(let v) = self { return v }
            return nil
        }
    }

    /// Evaluates the template; each inner array is one action's results.
    public func findResults(_ data: JSONValue, allowMissingKeys: Bool = true) throws(PrinterError) -> [[Value]] {
        var evaluator = JSONPathEvaluator(allowMissingKeys: allowMissingKeys)
        return try evaluator.findResults(data: .json(data), nodes: nodes[...])
    }

    /// `Execute`: results printed as kubectl does — strings raw, maps and arrays as
    /// compact JSON, several results of one action joined by a space. With
    /// `outputJSON` (`-o jsonpath-as-json`) each action prints an indented JSON array.
    public func execute(_ data: JSONValue, allowMissingKeys: Bool = true, outputJSON: Bool = false)
        throws(PrinterError) -> String
    {
        var out = ""
        for results in try findResults(data, allowMissingKeys: allowMissingKeys) {
            out += Self.printResults(results, outputJSON: outputJSON)
        }
        return out
    }

    static func printResults(_ results: [Value], outputJSON: Bool) -> String {
        if outputJSON {
            let array = JSONValue.array(results.map(asJSON))
            return GoJSONEncoder(indent: "    ").encode(array) + "\n"
        }
        var parts: [String] = []
        for value in results {
            switch value {
            case .json(let v):
                switch v {
                case .array, .object: parts.append(GoJSONEncoder.compact.encode(v))
                default: parts.append(GoFormat.value(v))
                }
            case .text(let s): parts.append(s)
            case .int(let i): parts.append(String(i))
            case .float(let d): parts.append(GoFormat.formatFloat(d))
            case .byte(let b): parts.append(String(b))
            }
        }
        return parts.joined(separator: " ")
    }

    static func asJSON(_ value: Value) -> JSONValue {
        switch value {
        case .json(let v): return v
        case .text(let s): return .string(s)
        case .int(let i): return .int(Int64(i))
        case .float(let d): return .double(d)
        case .byte(let b): return .int(Int64(b))
        }
    }

    /// kubectl's `RelaxedJSONPathExpression`: `.a.b`, `a.b`, `{a.b}` and `{.a.b}` all become `{.a.b}`.
    public static func relaxed(_ expression: String) throws(PrinterError) -> String {
        if expression.isEmpty { return expression }
        let scalars = Array(expression.unicodeScalars)
        var body = scalars[...]
        if body.first == "{" && body.last == "}" && body.count >= 2 {
            body = body.dropFirst().dropLast()
        }
        // `\.?` is optional and the body needs one character, so a lone `.` stays.
        if body.first == "." && body.count > 1 { body = body.dropFirst() }
        // The expression may not contain braces and must not be empty.
        guard !body.isEmpty, !body.contains("{"), !body.contains("}"),
            scalars.first != "{" || scalars.last == "}"
        else {
            throw PrinterError(
                "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"
            )
        }
        return "{." + String(String.UnicodeScalarView(body)) + "}"
    }
}

/// The mutable state of one evaluation (client-go keeps it on the JSONPath object).
///
/// `range` pushes a loop: the nodes after it run once per value until an `end`
/// closes the body; evaluation then resumes after the `end` that closed it.
struct JSONPathEvaluator {
    typealias Value = JSONPath.Value
    let allowMissingKeys: Bool
    var beginRange = 0
    var inRange = 0
    var endRange = 0
    /// Absolute index (in the root node list) of the last `end` that closed a loop body.
    var lastEndNode: Int?

    init(allowMissingKeys: Bool) {
        self.allowMissingKeys = allowMissingKeys
    }

    mutating func findResults(data: Value, nodes: ArraySlice<JSONPathNode>) throws(PrinterError) -> [[Value]] {
        let cur: [Value] = [data]
        var full: [[Value]] = []
        var i = nodes.startIndex
        while i < nodes.endIndex {
            let results = try walk(cur, nodes[i])
            if endRange > 0 && endRange <= inRange {
                endRange -= 1
                lastEndNode = i
                break
            }
            if beginRange > 0 {
                beginRange -= 1
                inRange += 1
                let body = nodes[(i + 1)...]
                if results.isEmpty {
                    // Walk the body anyway so the matching `end` is found.
                    _ = try findResults(data: .json(.null), nodes: body)
                } else {
                    for value in results { full += try findResults(data: value, nodes: body) }
                }
                inRange -= 1
                if let end = lastEndNode, end > i, end < nodes.endIndex { i = end }
                i += 1
                continue
            }
            full.append(results)
            i += 1
        }
        return full
    }

    mutating func walk(_ values: [Value], _ node: JSONPathNode) throws(PrinterError) -> [Value] {
        switch node {
        case .list(let nodes): return try evalList(values, nodes)
        case .text(let text): return [.text(text)]
        case .field(let name): return try evalField(values, name)
        case .array(let slice): return try evalArray(values, slice)
        case .filter(let left, let right, let op): return try evalFilter(values, left: left, right: right, op: op)
        case .int(let i): return values.map { _ in .int(i) }
        case .float(let d): return values.map { _ in .float(d) }
        case .wildcard: return evalWildcard(values)
        case .recursive: return evalRecursive(values)
        case .union(let lists):
            var result: [Value] = []
            for list in lists { result += try evalList(values, list) }
            return result
        case .identifier(let name): return try evalIdentifier(values, name)
        case .bool(let b): throw PrinterError("unexpected Node Bool: \(b)")
        }
    }

    mutating func evalList(_ values: [Value], _ nodes: [JSONPathNode]) throws(PrinterError) -> [Value] {
        var current = values
        for node in nodes { current = try walk(current, node) }
        return current
    }

    mutating func evalIdentifier(_ input: [Value], _ name: String) throws(PrinterError) -> [Value] {
        switch name {
        case "range":
            beginRange += 1
            return input
        case "end":
            guard inRange > 0 else { throw PrinterError("not in range, nothing to end") }
            endRange += 1
            return []
        default:
            throw PrinterError("unrecognized identifier \(name)")
        }
    }

    /// Go's `template.Indirect`: `nil` for JSON null.
    static func indirect(_ value: Value) -> Value? {
        if case .json(.null) = value { return nil }
        return value
    }

    /// The Go type name client-go prints in "is not array or slice".
    static func goTypeName(_ value: Value) -> String {
        switch value {
        case .json(let v):
            switch v {
            case .null: return "interface {}"
            case .bool: return "bool"
            case .int: return "int64"
            case .double: return "float64"
            case .string: return "string"
            case .array: return "[]interface {}"
            case .object: return "map[string]interface {}"
            }
        case .text: return "string"
        case .int: return "int"
        case .float: return "float64"
        case .byte: return "uint8"
        }
    }

    mutating func evalArray(_ input: [Value], _ slice: JSONPathSlice) throws(PrinterError) -> [Value] {
        var result: [Value] = []
        for raw in input {
            guard let value = Self.indirect(raw) else { continue }
            guard case .json(.array(let items)) = value else {
                throw PrinterError("\(Self.goTypeName(value)) is not array or slice")
            }
            var p = slice.params
            let length = items.count
            if !p[0].known { p[0].value = 0 }
            if p[0].value < 0 { p[0].value += length }
            if !p[1].known { p[1].value = length }
            if p[1].value < 0 || (p[1].value == 0 && p[1].derived) { p[1].value += length }
            if p[1].value != p[0].value {
                if p[0].value >= length || p[0].value < 0 {
                    throw PrinterError("array index out of bounds: index \(p[0].value), length \(length)")
                }
                if p[1].value > length || p[1].value < 0 {
                    throw PrinterError("array index out of bounds: index \(p[1].value - 1), length \(length)")
                }
                if p[0].value > p[1].value {
                    throw PrinterError("starting index \(p[0].value) is greater than ending index \(p[1].value)")
                }
            } else {
                // client-go returns here, dropping any further inputs.
                return result
            }
            var step = 1
            if p[2].known {
                if p[2].value <= 0 { throw PrinterError("step must be > 0") }
                step = p[2].value
            }
            var index = p[0].value
            while index < p[1].value {
                result.append(.json(items[index]))
                // A step near Int.max would overflow past the end; there is no further element then.
                let (next, overflow) = index.addingReportingOverflow(step)
                if overflow { break }
                index = next
            }
        }
        return result
    }

    mutating func evalField(_ input: [Value], _ name: String) throws(PrinterError) -> [Value] {
        var results: [Value] = []
        if input.isEmpty { return results }
        for raw in input {
            guard let value = Self.indirect(raw) else { continue }
            if case .json(.object(let object)) = value, let found = object[name] {
                results.append(.json(found))
            }
        }
        if results.isEmpty {
            if allowMissingKeys { return results }
            throw PrinterError("\(name) is not found")
        }
        return results
    }

    /// The children `*` and `..` visit: map values (sorted by key), array items, string bytes.
    static func children(_ value: Value) -> [Value] {
        switch value {
        case .json(.object(let object)): return object.sortedKeys.map { .json(object[$0] ?? .null) }
        case .json(.array(let items)): return items.map { .json($0) }
        case .json(.string(let s)), .text(let s): return s.utf8.map { .byte($0) }
        default: return []
        }
    }

    func evalWildcard(_ input: [Value]) -> [Value] {
        var results: [Value] = []
        for raw in input {
            guard let value = Self.indirect(raw) else { continue }
            results += Self.children(value)
        }
        return results
    }

    func evalRecursive(_ input: [Value]) -> [Value] {
        var result: [Value] = []
        for raw in input {
            guard let value = Self.indirect(raw) else { continue }
            let children = Self.children(value)
            if !children.isEmpty {
                result.append(value)
                result += evalRecursive(children)
            }
        }
        return result
    }

    mutating func evalFilter(_ input: [Value], left: [JSONPathNode], right: [JSONPathNode], op: String)
        throws(PrinterError) -> [Value]
    {
        var results: [Value] = []
        for raw in input {
            guard case .json(.array(let items)) = raw else {
                let shown: String
                switch raw {
                case .json(let v): shown = GoFormat.value(v)
                default: shown = JSONPath.printResults([raw], outputJSON: false)
                }
                throw PrinterError("\(shown) is not array or slice and cannot be filtered")
            }
            for item in items {
                let temp: [Value] = [.json(item)]
                let lefts: [Value]
                var leftError: PrinterError?
                do {
                    lefts = try evalList(temp, left)
                } catch {
                    lefts = []
                    leftError = error
                }
                if op == "exists" {
                    if !lefts.isEmpty { results.append(.json(item)) }
                    continue
                }
                if let leftError { throw leftError }
                if lefts.isEmpty { continue }
                if lefts.count > 1 { throw PrinterError("can only compare one element at a time") }
                let rights = try evalList(temp, right)
                if rights.isEmpty { continue }
                if rights.count > 1 { throw PrinterError("can only compare one element at a time") }
                if try Self.compare(lefts[0], rights[0], op: op) { results.append(.json(item)) }
            }
        }
        return results
    }

    /// The basic kinds Go's template comparisons accept.
    enum BasicKind { case bool, int, uint, float, string }

    static func basicKind(_ value: Value) throws(PrinterError) -> BasicKind {
        switch value {
        case .json(.bool): return .bool
        case .json(.int), .int: return .int
        case .byte: return .uint
        case .json(.double), .float: return .float
        case .json(.string), .text: return .string
        default: throw PrinterError("invalid type for comparison")
        }
    }

    static func compare(_ a: Value, _ b: Value, op: String) throws(PrinterError) -> Bool {
        switch op {
        case "==": return try equal(a, b)
        case "!=": return try !equal(a, b)
        case "<": return try less(a, b)
        case "<=": return try lessOrEqual(a, b)
        case ">": return try !lessOrEqual(a, b)
        case ">=": return try !less(a, b)
        default: throw PrinterError("unrecognized filter operator \(op)")
        }
    }

    static func equal(_ a: Value, _ b: Value) throws(PrinterError) -> Bool {
        let k1 = try basicKind(a)
        let k2 = try basicKind(b)
        guard k1 == k2 else { throw PrinterError("incompatible types for comparison") }
        switch k1 {
        case .bool: return a == b
        case .int, .uint: return integer(a) == integer(b)
        case .float: return float(a) == float(b)
        case .string: return string(a) == string(b)
        }
    }

    static func less(_ a: Value, _ b: Value) throws(PrinterError) -> Bool {
        let k1 = try basicKind(a)
        let k2 = try basicKind(b)
        guard k1 == k2 else { throw PrinterError("incompatible types for comparison") }
        switch k1 {
        case .bool: throw PrinterError("invalid type for comparison")
        case .int, .uint: return integer(a) < integer(b)
        case .float: return float(a) < float(b)
        case .string: return string(a).utf8.lexicographicallyPrecedes(string(b).utf8)
        }
    }

    static func lessOrEqual(_ a: Value, _ b: Value) throws(PrinterError) -> Bool {
        if try less(a, b) { return true }
        return try equal(a, b)
    }

    static func integer(_ v: Value) -> Int64 {
        switch v {
        case .json(.int(let i)): return i
        case .int(let i): return Int64(i)
        case .byte(let b): return Int64(b)
        default: return 0
        }
    }

    static func float(_ v: Value) -> Double {
        switch v {
        case .json(.double(let d)), .float(let d): return d
        default: return 0
        }
    }

    static func string(_ v: Value) -> String {
        switch v {
        case .json(.string(let s)), .text(let s): return s
        default: return ""
        }
    }
}

/// `kubectl get -o jsonpath=...` as a whole, including kubectl's error wrapping.
public enum JSONPathPrinter {
    /// Parses a template the way the `-o jsonpath` flag does.
    public static func parse(_ template: String) throws(PrinterError) -> JSONPath {
        do {
            return try JSONPath(template)
        } catch {
            throw PrinterError("error parsing jsonpath \(template), \(error.message)")
        }
    }

    /// Prints `object` (a single object or a `List`); on an evaluation error the
    /// message is kubectl's, including the `%#v` dump of the object.
    public static func print(
        _ object: JSONValue, template: JSONPath, allowMissingKeys: Bool = true, outputJSON: Bool = false
    ) throws(PrinterError) -> String {
        do {
            return try template.execute(object, allowMissingKeys: allowMissingKeys, outputJSON: outputJSON)
        } catch {
            let debug =
                "Error executing template: \(error.message). Printing more information for debugging the template:\n"
                + "\ttemplate was:\n\t\t\(template.template)\n"
                + "\tobject given to jsonpath engine was:\n\t\t\(GoFormat.goSyntax(object))\n\n"
            // kubectl's message ends with one more newline, which the caller's "error: ...\n" supplies.
            throw PrinterError("error executing jsonpath \(GoFormat.quote(template.template)): \(debug)")
        }
    }
}
