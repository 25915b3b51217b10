import DatumJSON
import GoCompat

#if canImport(Glibc)
    import Glibc
#endif

/// Go's `text/template`, as kubectl's `-o go-template` printer runs it: the template is named
/// `output`, the data is the unstructured object (`map[string]interface{}`, integers as int64,
/// other numbers float64), and the functions are Go's built-ins plus kubectl's `exists` and
/// `base64decode`.
///
/// The parser builds a small tree (text, actions, `if`/`range`/`with`/`else`/`end`, `define`,
/// `template`, `block`, `break`, `continue`); the executor walks it with Go's rules for fields,
/// variables, pipelines, truth and printing, and Go's words for the common errors.
struct GoTextTemplate: Sendable {
    let root: [GoTemplateNode]
    let definitions: [String: [GoTemplateNode]]
    let source: String

    /// The name kubectl gives the template (it appears in every error).
    static let name = "output"

    init(_ text: String) throws(GoTextTemplateError) {
        var parser = GoTemplateParser(text)
        (root, definitions) = try parser.parse()
        source = text
    }

    /// The output, or the error and what was written before it (kubectl prints both).
    func execute(_ data: JSONValue, allowMissingKeys: Bool = true) -> (output: String, error: GoTextTemplateError?) {
        var executor = GoTemplateExecutor(
            definitions: definitions, source: source, missingKeyIsError: !allowMissingKeys)
        let dot = GoValue.data(data)
        executor.variables = [("$", dot)]
        do {
            try executor.run(root, dot: dot, depth: 0)
            return (executor.output, nil)
        } catch let error as GoTextTemplateError {
            return (executor.output, error)
        } catch {
            // `break`/`continue` outside `range` are refused when parsing; nothing else is thrown.
            return (executor.output, nil)
        }
    }
}

/// A parse or execution error, in Go's words (`template: output:1:2: executing "output" at <.a>: ...`).
struct GoTextTemplateError: Error, Sendable, Equatable {
    var message: String
}

// MARK: - Values

/// A value during execution: the object's data (integers int64, other numbers float64), Go ints
/// from functions and literals, or Go's invalid value (a missing map key), printed `<no value>`.
enum GoValue: Sendable, Equatable {
    case missing
    case data(JSONValue)
    case int(Int)

    static func string(_ s: String) -> GoValue { .data(.string(s)) }
    static func bool(_ b: Bool) -> GoValue { .data(.bool(b)) }

    /// Go's type name, for error messages.
    var typeName: String {
        switch self {
        case .missing: return "<invalid>"
        case .int: return "int"
        case .data(let v):
            switch v {
            case .null: return "<nil>"
            case .bool: return "bool"
            case .int: return "int64"
            case .double: return "float64"
            case .string: return "string"
            case .array: return "[]interface {}"
            case .object: return "map[string]interface {}"
            }
        }
    }

    /// `fmt.Sprint` of the value (`<no value>` for a missing one, as text/template prints it).
    var printed: String {
        switch self {
        case .missing: return "<no value>"
        case .int(let i): return String(i)
        case .data(let v): return GoFormat.value(v)
        }
    }

    /// text/template's `isTrue`.
    var truth: Bool {
        switch self {
        case .missing: return false
        case .int(let i): return i != 0
        case .data(let v):
            switch v {
            case .null: return false
            case .bool(let b): return b
            case .int(let i): return i != 0
            case .double(let d): return d != 0
            case .string(let s): return !s.isEmpty
            case .array(let a): return !a.isEmpty
            case .object(let o): return !o.isEmpty
            }
        }
    }
}

// MARK: - Tree

indirect enum GoTemplateNode: Sendable {
    case text(String)
    case action(GoPipeline)
    case conditional(kind: String, pipeline: GoPipeline, body: [GoTemplateNode], otherwise: [GoTemplateNode]?)
    case range(GoPipeline, body: [GoTemplateNode], otherwise: [GoTemplateNode]?)
    case include(name: String, pipeline: GoPipeline?, position: Int)
    case breakLoop
    case continueLoop
}

struct GoPipeline: Sendable {
    var declarations: [String] = []
    var isAssignment = false
    var commands: [GoCommand] = []
    var position: Int

    /// The pipeline as Go prints it in `at <...>`.
    var text: String {
        let body = commands.map(\.text).joined(separator: " | ")
        guard !declarations.isEmpty else { return body }
        return declarations.joined(separator: ", ") + (isAssignment ? " = " : " := ") + body
    }
}

struct GoCommand: Sendable {
    var arguments: [GoOperand]
    var position: Int

    /// The command as Go prints it in `at <...>`.
    var text: String { arguments.map(\.text).joined(separator: " ") }
}

indirect enum GoOperand: Sendable {
    /// `.a.b` (an empty chain is `.`).
    case field([String], position: Int, text: String)
    /// `$x.a.b`.
    case variable(String, [String], position: Int, text: String)
    case function(String, position: Int)
    case string(String)
    case number(GoValue, text: String)
    case boolean(Bool)
    case null
    /// `(pipeline).a.b`.
    case pipeline(GoPipeline, [String], position: Int, text: String)

    var position: Int {
        switch self {
        case .field(_, let p, _), .variable(_, _, let p, _), .function(_, let p), .pipeline(_, _, let p, _): return p
        default: return 0
        }
    }

    /// The node as Go prints it in `at <...>`.
    var text: String {
        switch self {
        case .field(_, _, let t), .variable(_, _, _, let t), .pipeline(_, _, _, let t): return t
        case .function(let name, _): return name
        case .string(let s): return GoFormat.quote(s)
        case .number(_, let t): return t
        case .boolean(let b): return b ? "true" : "false"
        case .null: return "nil"
        }
    }
}

// MARK: - Parser

/// Go's lexer and parser, as far as templates use them.
struct GoTemplateParser {
    private let text: [UInt8]
    private var offset = 0
    private var definitions: [String: [GoTemplateNode]] = [:]
    /// How many `range`s enclose the list being parsed (`break`/`continue` need one).
    private var loops = 0

    init(_ text: String) { self.text = Array(text.utf8) }

    /// The template text between two offsets (exclusive), for error contexts.
    func source(from start: Int, to end: Int) -> String {
        guard start + 1 <= end, end <= text.count else { return "" }
        return String(decoding: text[(start + 1)..<end], as: UTF8.self)
    }

    private func line(at position: Int) -> Int {
        1 + text[..<min(position, text.count)].filter { $0 == 0x0A }.count
    }

    private func fail(_ message: String, at position: Int) -> GoTextTemplateError {
        GoTextTemplateError(message: "template: \(GoTextTemplate.name):\(line(at: position)): \(message)")
    }

    mutating func parse() throws(GoTextTemplateError) -> ([GoTemplateNode], [String: [GoTemplateNode]]) {
        let (nodes, end) = try parseList(depth: 0)
        if let end {
            throw fail("unexpected {{\(end.word)}}", at: end.position)
        }
        return (nodes, definitions)
    }

    /// How a list ended: `{{end}}`, `{{else ...}}`, with the rest of the else action's words.
    private struct ListEnd {
        var word: String
        var position: Int
        var rest: [Token]
    }

    private mutating func parseList(depth: Int) throws(GoTextTemplateError) -> ([GoTemplateNode], ListEnd?) {
        guard depth < 100 else { throw fail("template nests too deeply", at: offset) }
        var nodes: [GoTemplateNode] = []
        var trimNext = false
        while offset < text.count {
            guard let open = find([0x7B, 0x7B], from: offset) else {
                appendText(String(decoding: text[offset...], as: UTF8.self), trimLeft: trimNext, to: &nodes)
                offset = text.count
                break
            }
            var leading = String(decoding: text[offset..<open], as: UTF8.self)
            var cursor = open + 2
            // `{{- ` trims the white space before the action.
            if cursor + 1 < text.count, text[cursor] == 0x2D, isSpace(text[cursor + 1]) {
                leading = trimRight(leading)
                cursor += 1
            }
            appendText(leading, trimLeft: trimNext, to: &nodes)
            trimNext = false
            // A comment: `{{/* ... */}}`.
            var probe = cursor
            while probe < text.count, isSpace(text[probe]) { probe += 1 }
            if probe + 1 < text.count, text[probe] == 0x2F, text[probe + 1] == 0x2A {
                guard let close = find([0x2A, 0x2F], from: probe + 2) else { throw fail("unclosed comment", at: open) }
                var after = close + 2
                while after < text.count, isSpace(text[after]) { after += 1 }
                if after + 2 < text.count, text[after] == 0x2D, text[after + 1] == 0x7D, text[after + 2] == 0x7D {
                    trimNext = true
                    offset = after + 3
                } else if after + 1 < text.count, text[after] == 0x7D, text[after + 1] == 0x7D {
                    offset = after + 2
                } else {
                    throw fail("comment ends before closing delimiter", at: open)
                }
                continue
            }
            let (tokens, closeEnd, trims) = try lexAction(from: cursor, open: open)
            offset = closeEnd
            trimNext = trims
            guard let first = tokens.first else { throw fail("missing value for command", at: open) }
            if case .identifier(let word) = first.kind {
                switch word {
                case "end":
                    return (nodes, ListEnd(word: "end", position: first.position, rest: []))
                case "else":
                    return (nodes, ListEnd(word: "else", position: first.position, rest: Array(tokens.dropFirst())))
                case "if", "with":
                    nodes.append(
                        try parseConditional(word, Array(tokens.dropFirst()), at: first.position, depth: depth))
                    continue
                case "range":
                    var reader = TokenReader(tokens: Array(tokens.dropFirst()), parser: self)
                    let pipeline = try reader.pipeline(allowDeclarations: true)
                    loops += 1
                    let (body, end) = try parseList(depth: depth + 1)
                    loops -= 1
                    var otherwise: [GoTemplateNode]?
                    guard let end else { throw fail("unexpected EOF", at: text.count) }
                    if end.word == "else" {
                        guard end.rest.isEmpty else {
                            throw fail("unexpected \"\(end.rest[0].text)\" in else", at: end.position)
                        }
                        let (elseBody, elseEnd) = try parseList(depth: depth + 1)
                        guard elseEnd?.word == "end" else { throw fail("expected end; found else", at: end.position) }
                        otherwise = elseBody
                    }
                    nodes.append(.range(pipeline, body: body, otherwise: otherwise))
                    continue
                case "define", "block":
                    guard tokens.count >= 2, case .string(let name) = tokens[1].kind else {
                        throw fail(
                            "unexpected \"\(tokens.count > 1 ? tokens[1].text : "}}")\" in \(word) clause",
                            at: first.position)
                    }
                    var pipeline: GoPipeline?
                    if word == "block" {
                        var reader = TokenReader(tokens: Array(tokens.dropFirst(2)), parser: self)
                        pipeline = try reader.pipeline(allowDeclarations: false)
                    } else if tokens.count > 2 {
                        throw fail("unexpected \"\(tokens[2].text)\" in define clause", at: first.position)
                    }
                    let (body, end) = try parseList(depth: depth + 1)
                    guard end?.word == "end" else { throw fail("unexpected EOF", at: text.count) }
                    definitions[name] = body
                    if word == "block" {
                        nodes.append(.include(name: name, pipeline: pipeline, position: first.position))
                    }
                    continue
                case "template":
                    guard tokens.count >= 2, case .string(let name) = tokens[1].kind else {
                        throw fail(
                            "unexpected \"\(tokens.count > 1 ? tokens[1].text : "}}")\" in template clause",
                            at: first.position)
                    }
                    var pipeline: GoPipeline?
                    if tokens.count > 2 {
                        var reader = TokenReader(tokens: Array(tokens.dropFirst(2)), parser: self)
                        pipeline = try reader.pipeline(allowDeclarations: false)
                    }
                    nodes.append(.include(name: name, pipeline: pipeline, position: tokens[1].position))
                    continue
                case "break", "continue":
                    guard loops > 0 else { throw fail("{{\(word)}} outside {{range}}", at: first.position) }
                    nodes.append(word == "break" ? .breakLoop : .continueLoop)
                    continue
                default:
                    break
                }
            }
            var reader = TokenReader(tokens: tokens, parser: self)
            nodes.append(.action(try reader.pipeline(allowDeclarations: true)))
        }
        return (nodes, nil)
    }

    private mutating func parseConditional(_ word: String, _ tokens: [Token], at position: Int, depth: Int)
        throws(GoTextTemplateError) -> GoTemplateNode
    {
        var reader = TokenReader(tokens: tokens, parser: self)
        let pipeline = try reader.pipeline(allowDeclarations: true)
        let (body, end) = try parseList(depth: depth + 1)
        guard let end else { throw fail("unexpected EOF", at: text.count) }
        var otherwise: [GoTemplateNode]?
        if end.word == "else" {
            if let next = end.rest.first, case .identifier(let chained) = next.kind,
                chained == "if" || chained == "with"
            {
                // `{{else if ...}}` is an `if` inside the else branch, sharing its `{{end}}`.
                otherwise = [
                    try parseConditional(chained, Array(end.rest.dropFirst()), at: next.position, depth: depth + 1)
                ]
            } else {
                guard end.rest.isEmpty else {
                    throw fail("unexpected \"\(end.rest[0].text)\" in else", at: end.position)
                }
                let (elseBody, elseEnd) = try parseList(depth: depth + 1)
                guard let elseEnd, elseEnd.word == "end" else {
                    throw fail(elseEnd == nil ? "unexpected EOF" : "expected end; found else", at: end.position)
                }
                otherwise = elseBody
            }
        }
        return .conditional(kind: word, pipeline: pipeline, body: body, otherwise: otherwise)
    }

    private func appendText(_ s: String, trimLeft: Bool, to nodes: inout [GoTemplateNode]) {
        let value = trimLeft ? trimLeftSpace(s) : s
        if !value.isEmpty { nodes.append(.text(value)) }
    }

    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    private func trimRight(_ s: String) -> String {
        var u = Array(s.utf8)
        while let last = u.last, isSpace(last) { u.removeLast() }
        return String(decoding: u, as: UTF8.self)
    }
    private func trimLeftSpace(_ s: String) -> String {
        String(decoding: s.utf8.drop(while: { isSpace($0) }), as: UTF8.self)
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + needle.count <= text.count {
            if text[i] == needle[0], needle.count == 1 || text[i + 1] == needle[1] { return i }
            i += 1
        }
        return nil
    }

    // MARK: Lexing one action

    struct Token {
        enum Kind: Equatable {
            case identifier(String)
            case field(String)  // ".a" or "." alone
            case variable(String)  // "$x"
            case string(String)
            case number(String)
            case character(Int)
            case leftParen, rightParen, pipe, declare, assign, comma
        }
        var kind: Kind
        var position: Int
        var text: String
    }

    /// The tokens of the action starting at `start`, where its `}}` ends, and whether it trims after.
    private func lexAction(from start: Int, open: Int) throws(GoTextTemplateError) -> ([Token], Int, Bool) {
        var tokens: [Token] = []
        var i = start
        func word(_ from: Int, _ to: Int) -> String { String(decoding: text[from..<to], as: UTF8.self) }
        while true {
            guard i < text.count else { throw fail("unclosed action", at: open) }
            let c = text[i]
            if isSpace(c) {
                // ` -}}` trims the white space after the action.
                var j = i
                while j < text.count, isSpace(text[j]) { j += 1 }
                if j + 2 < text.count, text[j] == 0x2D, text[j + 1] == 0x7D, text[j + 2] == 0x7D {
                    return (tokens, j + 3, true)
                }
                i = j
                continue
            }
            if c == 0x7D {
                guard i + 1 < text.count, text[i + 1] == 0x7D else { throw fail("unexpected \"}\" in operand", at: i) }
                return (tokens, i + 2, false)
            }
            let begin = i
            switch c {
            case 0x28: tokens.append(Token(kind: .leftParen, position: i, text: "(")); i += 1
            case 0x29: tokens.append(Token(kind: .rightParen, position: i, text: ")")); i += 1
            case 0x7C: tokens.append(Token(kind: .pipe, position: i, text: "|")); i += 1
            case 0x2C: tokens.append(Token(kind: .comma, position: i, text: ",")); i += 1
            case 0x3D: tokens.append(Token(kind: .assign, position: i, text: "=")); i += 1
            case 0x3A:
                guard i + 1 < text.count, text[i + 1] == 0x3D else { throw fail("expected :=", at: i) }
                tokens.append(Token(kind: .declare, position: i, text: ":=")); i += 2
            case 0x22:  // "string"
                i += 1
                var bytes: [UInt8] = []
                while true {
                    guard i < text.count, text[i] != 0x0A else { throw fail("unterminated quoted string", at: begin) }
                    if text[i] == 0x22 { break }
                    if text[i] == 0x5C {
                        guard i + 1 < text.count else { throw fail("unterminated quoted string", at: begin) }
                        i += 1
                        switch text[i] {
                        case 0x6E: bytes.append(0x0A)
                        case 0x74: bytes.append(0x09)
                        case 0x72: bytes.append(0x0D)
                        case 0x5C: bytes.append(0x5C)
                        case 0x22: bytes.append(0x22)
                        case 0x27: bytes.append(0x27)
                        case 0x30: bytes.append(0x00)
                        case 0x61: bytes.append(0x07)
                        case 0x62: bytes.append(0x08)
                        case 0x66: bytes.append(0x0C)
                        case 0x76: bytes.append(0x0B)
                        case 0x75, 0x78:
                            let digits = text[i] == 0x75 ? 4 : 2
                            guard i + digits < text.count,
                                let code = UInt32(word(i + 1, i + 1 + digits), radix: 16),
                                let scalar = Unicode.Scalar(code)
                            else { throw fail("invalid syntax", at: begin) }
                            if digits == 2 {
                                bytes.append(UInt8(code))
                            } else {
                                bytes += Array(String(Character(scalar)).utf8)
                            }
                            i += digits
                        default: throw fail("invalid syntax", at: begin)
                        }
                        i += 1
                        continue
                    }
                    bytes.append(text[i])
                    i += 1
                }
                i += 1
                tokens.append(
                    Token(kind: .string(String(decoding: bytes, as: UTF8.self)), position: begin, text: word(begin, i)))
            case 0x60:  // `raw`
                guard let close = find([0x60], from: i + 1) else {
                    throw fail("unterminated raw quoted string", at: begin)
                }
                tokens.append(Token(kind: .string(word(i + 1, close)), position: begin, text: word(begin, close + 1)))
                i = close + 1
            case 0x27:  // 'c'
                guard let close = find([0x27], from: i + 1), close > i + 1 else {
                    throw fail("unterminated character constant", at: begin)
                }
                let inner = word(i + 1, close)
                let value: Int
                if inner == "\\n" {
                    value = 10
                } else if inner == "\\t" {
                    value = 9
                } else if inner == "\\\\" {
                    value = 92
                } else if inner == "\\'" {
                    value = 39
                } else if let scalar = inner.unicodeScalars.first, inner.unicodeScalars.count == 1 {
                    value = Int(scalar.value)
                } else {
                    throw fail("malformed character constant: \(word(begin, close + 1))", at: begin)
                }
                tokens.append(Token(kind: .character(value), position: begin, text: word(begin, close + 1)))
                i = close + 1
            case 0x2E:  // .a.b or .
                i += 1
                while i < text.count,
                    isIdentifier(text[i]) || (text[i] == 0x2E && i + 1 < text.count && isIdentifier(text[i + 1]))
                {
                    i += 1
                }
                tokens.append(Token(kind: .field(word(begin, i)), position: begin, text: word(begin, i)))
            case 0x24:  // $x.a.b
                i += 1
                while i < text.count,
                    isIdentifier(text[i]) || (text[i] == 0x2E && i + 1 < text.count && isIdentifier(text[i + 1]))
                {
                    i += 1
                }
                tokens.append(Token(kind: .variable(word(begin, i)), position: begin, text: word(begin, i)))
            default:
                if isDigit(c) || ((c == 0x2D || c == 0x2B) && i + 1 < text.count && isDigit(text[i + 1])) {
                    i += 1
                    while i < text.count,
                        isIdentifier(text[i]) || text[i] == 0x2E
                            || ((text[i] == 0x2D || text[i] == 0x2B) && (text[i - 1] == 0x65 || text[i - 1] == 0x45))
                    {
                        i += 1
                    }
                    tokens.append(Token(kind: .number(word(begin, i)), position: begin, text: word(begin, i)))
                } else if isIdentifier(c) {
                    while i < text.count, isIdentifier(text[i]) { i += 1 }
                    tokens.append(Token(kind: .identifier(word(begin, i)), position: begin, text: word(begin, i)))
                } else {
                    let scalar = String(decoding: text[i..<min(i + 1, text.count)], as: UTF8.self)
                    throw fail("unexpected \(GoFormat.quote(scalar)) in command", at: i)
                }
            }
            // A field or call chained on a parenthesised pipeline or variable: `(...).a`, `$x.a`.
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private func isIdentifier(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
    }

    /// Reads pipelines from an action's tokens.
    struct TokenReader {
        var tokens: [Token]
        let parser: GoTemplateParser
        var index = 0

        static let builtins: Set<String> = [
            "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "eq", "ne", "lt", "le",
            "gt", "ge", "html", "js", "urlquery", "call", "exists", "base64decode",
        ]

        mutating func pipeline(allowDeclarations: Bool) throws(GoTextTemplateError) -> GoPipeline {
            var pipeline = GoPipeline(position: tokens.first?.position ?? 0)
            // `$x :=` / `$x, $y :=` / `$x =`.
            if allowDeclarations, index < tokens.count, case .variable(let name) = tokens[index].kind {
                var names = [name]
                var look = index + 1
                if look + 1 < tokens.count, tokens[look].kind == .comma,
                    case .variable(let second) = tokens[look + 1].kind
                {
                    names.append(second)
                    look += 2
                }
                if look < tokens.count, tokens[look].kind == .declare || tokens[look].kind == .assign {
                    pipeline.declarations = names
                    pipeline.isAssignment = tokens[look].kind == .assign
                    index = look + 1
                }
            }
            while index < tokens.count {
                if tokens[index].kind == .rightParen { break }
                let command = try self.command()
                pipeline.commands.append(command)
                if index < tokens.count, tokens[index].kind == .pipe {
                    index += 1
                    guard index < tokens.count, tokens[index].kind != .rightParen else {
                        throw parser.fail("missing command", at: tokens[index - 1].position)
                    }
                }
            }
            if pipeline.commands.isEmpty { throw parser.fail("missing value for command", at: pipeline.position) }
            return pipeline
        }

        mutating func command() throws(GoTextTemplateError) -> GoCommand {
            var command = GoCommand(arguments: [], position: tokens[index].position)
            while index < tokens.count, tokens[index].kind != .pipe, tokens[index].kind != .rightParen {
                command.arguments.append(try operand())
            }
            return command
        }

        mutating func operand() throws(GoTextTemplateError) -> GoOperand {
            let token = tokens[index]
            index += 1
            switch token.kind {
            case .field(let text):
                let chain = text == "." ? [] : text.dropFirst().split(separator: ".").map(String.init)
                // Go places a chain of several fields at its second one.
                let position = chain.count > 1 ? token.position + 1 + chain[0].utf8.count : token.position
                return .field(chain, position: position, text: text)
            case .variable(let text):
                let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                // ... and a variable with fields at its first field.
                let position = parts.count > 1 ? token.position + parts[0].utf8.count : token.position
                return .variable(parts[0], Array(parts.dropFirst()), position: position, text: text)
            case .identifier(let word):
                switch word {
                case "true": return .boolean(true)
                case "false": return .boolean(false)
                case "nil": return .null
                default:
                    guard Self.builtins.contains(word) else {
                        throw parser.fail("function \(GoFormat.quote(word)) not defined", at: token.position)
                    }
                    return .function(word, position: token.position)
                }
            case .string(let s): return .string(s)
            case .character(let c): return .number(.int(c), text: token.text)
            case .number(let text):
                if let i = Int(text) { return .number(.int(i), text: text) }
                if text.hasPrefix("0x"), let i = Int(text.dropFirst(2), radix: 16) {
                    return .number(.int(i), text: text)
                }
                if let d = Double(text) { return .number(.data(.double(d)), text: text) }
                throw parser.fail("bad number syntax: \(GoFormat.quote(text))", at: token.position)
            case .leftParen:
                let inner = try pipeline(allowDeclarations: true)
                guard index < tokens.count, tokens[index].kind == .rightParen else {
                    throw parser.fail("unclosed left paren", at: token.position)
                }
                let close = tokens[index]
                index += 1
                var chain: [String] = []
                var text = "(" + parser.source(from: token.position, to: close.position) + ")"
                // `(...).a.b`: a field chain right after the parenthesis.
                if index < tokens.count, case .field(let more) = tokens[index].kind, more != ".",
                    tokens[index].position == close.position + 1
                {
                    chain = more.dropFirst().split(separator: ".").map(String.init)
                    text += more
                    index += 1
                }
                return .pipeline(inner, chain, position: token.position, text: text)
            default:
                throw parser.fail("unexpected \(GoFormat.quote(token.text)) in operand", at: token.position)
            }
        }
    }
}

// MARK: - Execution

private enum LoopControl: Error {
    case breakLoop
    case continueLoop
}

struct GoTemplateExecutor {
    let definitions: [String: [GoTemplateNode]]
    let source: String
    let missingKeyIsError: Bool
    var output = ""
    var variables: [(String, GoValue)] = []
    /// The output is bounded, so a template cannot exhaust memory on hostile data.
    static let outputLimit = 64 << 20

    init(definitions: [String: [GoTemplateNode]], source: String, missingKeyIsError: Bool) {
        self.definitions = definitions
        self.source = source
        self.missingKeyIsError = missingKeyIsError
    }

    /// `template: output:LINE:COL: executing "output" at <CONTEXT>: message`.
    func fail(_ message: String, at position: Int, context: String) -> GoTextTemplateError {
        let bytes = Array(source.utf8)
        let before = bytes[..<min(position, bytes.count)]
        let line = 1 + before.filter { $0 == 0x0A }.count
        let column = before.lastIndex(of: 0x0A).map { position - $0 - 1 } ?? position
        let shown = context
        return GoTextTemplateError(
            message:
                "template: \(GoTextTemplate.name):\(line):\(column): executing \"\(GoTextTemplate.name)\" at <\(shown)>: \(message)"
        )
    }

    /// Runs nodes; throws ``GoTextTemplateError`` or, for `break`/`continue`, `LoopControl` to the
    /// enclosing `range`.
    mutating func run(_ nodes: [GoTemplateNode], dot: GoValue, depth: Int) throws {
        guard depth < Self.depthLimit else {
            throw GoTextTemplateError(
                message: "template: \(GoTextTemplate.name): exceeded maximum template depth (\(Self.depthLimit))")
        }
        for node in nodes { try runNode(node, dot: dot, depth: depth) }
    }

    /// Templates that include themselves stop here (Go allows 100000; a thread's stack does not).
    static let depthLimit = 1000

    private mutating func runNode(_ node: GoTemplateNode, dot: GoValue, depth: Int) throws {
        switch node {
        case .text(let s):
            write(s)
        case .action(let pipeline):
            let value = try evaluate(pipeline, dot: dot)
            // A pipeline's nil interface result is Go's invalid value: `<no value>`, not `<nil>`.
            if pipeline.declarations.isEmpty { write(value == .data(.null) ? "<no value>" : value.printed) }
        case .conditional(let kind, let pipeline, let body, let otherwise):
            let mark = variables.count
            defer { variables.removeSubrange(mark...) }
            let value = try evaluate(pipeline, dot: dot)
            if value.truth {
                try run(body, dot: kind == "with" ? value : dot, depth: depth + 1)
            } else if let otherwise {
                try run(otherwise, dot: dot, depth: depth + 1)
            }
        case .range(let pipeline, let body, let otherwise):
            let mark = variables.count
            defer { variables.removeSubrange(mark...) }
            var declarations = pipeline
            declarations.declarations = []
            let value = try evaluate(declarations, dot: dot)
            var items: [(GoValue, GoValue)] = []
            switch value {
            case .missing: break
            case .data(.array(let list)): items = list.enumerated().map { (.int($0.offset), .data($0.element)) }
            case .data(.object(let map)): items = map.sortedKeys.map { (.string($0), .data(map[$0] ?? .null)) }
            case .int(let n) where n >= 0:
                // Counted, not listed: `range 1000000000` must not allocate a billion entries.
                for k in 0..<n {
                    guard output.utf8.count < Self.outputLimit else { break }
                    let inner = variables.count
                    for name in pipeline.declarations { variables.append((name, .int(k))) }
                    do {
                        try run(body, dot: .int(k), depth: depth + 1)
                    } catch let control as LoopControl {
                        variables.removeSubrange(inner...)
                        if case .breakLoop = control { break }
                        continue
                    }
                    variables.removeSubrange(inner...)
                }
                if n == 0, let otherwise { try run(otherwise, dot: dot, depth: depth + 1) }
                return
            default:
                throw fail("range can't iterate over \(value.printed)", at: pipeline.position, context: pipeline.text)
            }
            if items.isEmpty {
                if let otherwise { try run(otherwise, dot: dot, depth: depth + 1) }
                return
            }
            for (key, element) in items {
                let inner = variables.count
                if pipeline.declarations.count == 1 {
                    variables.append((pipeline.declarations[0], element))
                } else if pipeline.declarations.count == 2 {
                    variables.append((pipeline.declarations[0], key))
                    variables.append((pipeline.declarations[1], element))
                }
                do {
                    try run(body, dot: element, depth: depth + 1)
                } catch let control as LoopControl {
                    variables.removeSubrange(inner...)
                    if case .breakLoop = control { break }
                    continue
                }
                variables.removeSubrange(inner...)
            }
        case .include(let name, let pipeline, let position):
            guard let body = definitions[name] else {
                let shown = "{{template \(GoFormat.quote(name))" + (pipeline.map { " " + $0.text } ?? "") + "}}"
                throw fail("template \(GoFormat.quote(name)) not defined", at: position, context: shown)
            }
            let value =
                try pipeline.map { (p) throws(GoTextTemplateError) -> GoValue in try evaluate(p, dot: dot) }
                ?? .data(.null)
            let saved = variables
            variables = [("$", value)]
            defer { variables = saved }
            do {
                try run(body, dot: value, depth: depth + 1)
            } catch is LoopControl {
                // A template's own loops handle these; none leave it.
            }
        case .breakLoop: throw LoopControl.breakLoop
        case .continueLoop: throw LoopControl.continueLoop
        }
    }

    private mutating func write(_ s: String) {
        guard output.utf8.count < Self.outputLimit else { return }
        output += s
    }

    // MARK: Pipelines

    mutating func evaluate(_ pipeline: GoPipeline, dot: GoValue) throws(GoTextTemplateError) -> GoValue {
        var value: GoValue?
        for command in pipeline.commands {
            value = try evaluate(command, dot: dot, final: value)
        }
        let result = value ?? .missing
        if pipeline.isAssignment {
            for name in pipeline.declarations {
                guard let slot = variables.lastIndex(where: { $0.0 == name }) else {
                    throw fail("undefined variable: \(name)", at: pipeline.position, context: name)
                }
                variables[slot].1 = result
            }
        } else if pipeline.declarations.count == 1 {
            variables.append((pipeline.declarations[0], result))
        }
        return result
    }

    private mutating func evaluate(_ command: GoCommand, dot: GoValue, final: GoValue?) throws(GoTextTemplateError)
        -> GoValue
    {
        guard let first = command.arguments.first else { return .missing }
        if case .function(let name, _) = first {
            return try call(
                name, Array(command.arguments.dropFirst()), final: final, dot: dot, position: command.position,
                context: command.text)
        }
        if command.arguments.count > 1 || final != nil {
            let extra = command.arguments.count > 1 ? command.arguments[1] : first
            switch first {
            case .field, .variable, .pipeline:
                if case .field(let chain, _, _) = first, !chain.isEmpty {
                    throw fail(
                        "\(chain.last ?? "") is not a method but has arguments", at: first.position, context: first.text
                    )
                }
            default: break
            }
            throw fail("can't give argument to non-function \(first.text)", at: extra.position, context: first.text)
        }
        return try value(of: first, dot: dot)
    }

    private mutating func value(of operand: GoOperand, dot: GoValue) throws(GoTextTemplateError) -> GoValue {
        switch operand {
        case .field(let chain, let position, let text):
            return try walk(dot, chain, position: position, context: text)
        case .variable(let name, let chain, let position, let text):
            guard let found = variables.last(where: { $0.0 == name }) else {
                throw fail("undefined variable: \(name)", at: position, context: text)
            }
            return try walk(found.1, chain, position: position, context: text)
        case .pipeline(let inner, let chain, let position, let text):
            let result = try evaluate(inner, dot: dot)
            return try walk(result, chain, position: position, context: text)
        case .function(let name, let position):
            return try call(name, [], final: nil, dot: dot, position: position, context: name)
        case .string(let s): return .string(s)
        case .number(let v, _): return v
        case .boolean(let b): return .bool(b)
        case .null: return .data(.null)
        }
    }

    /// Go's `evalField` along a chain: map keys, with `missingkey` deciding about absent ones.
    private func walk(_ value: GoValue, _ chain: [String], position: Int, context: String)
        throws(GoTextTemplateError) -> GoValue
    {
        var current = value
        // A field of dot names dot's own type; every other receiver came out of a map: interface {}.
        let receiverType = context.hasPrefix(".") ? value.typeName : "interface {}"
        for (step, name) in chain.enumerated() {
            let typ = step == 0 ? receiverType : "interface {}"
            switch current {
            case .missing:
                if missingKeyIsError {
                    throw fail("nil data; no entry for key \(GoFormat.quote(name))", at: position, context: context)
                }
                return .missing
            case .data(.null):
                throw fail("nil pointer evaluating interface {}.\(name)", at: position, context: context)
            case .data(.object(let map)):
                if let found = map[name] {
                    current = .data(found)
                } else {
                    if missingKeyIsError {
                        throw fail("map has no entry for key \(GoFormat.quote(name))", at: position, context: context)
                    }
                    current = .missing
                }
            default:
                throw fail("can't evaluate field \(name) in type \(typ)", at: position, context: context)
            }
        }
        return current
    }

    // MARK: Functions

    private mutating func call(
        _ name: String, _ operands: [GoOperand], final: GoValue?, dot: GoValue, position: Int, context: String
    ) throws(GoTextTemplateError) -> GoValue {
        // and/or evaluate their arguments only as far as needed.
        if name == "and" || name == "or" {
            var all = operands.map { Optional($0) }
            if final != nil { all.append(nil) }
            guard !all.isEmpty else {
                throw fail("wrong number of args for \(name): want at least 1 got 0", at: position, context: context)
            }
            var last = GoValue.missing
            for operand in all {
                last =
                    try operand.map { (o) throws(GoTextTemplateError) -> GoValue in try value(of: o, dot: dot) }
                    ?? (final ?? .missing)
                if (name == "and") != last.truth { return last }
            }
            return last
        }
        var arguments: [GoValue] = []
        for operand in operands { arguments.append(try value(of: operand, dot: dot)) }
        if let final { arguments.append(final) }
        func want(_ n: Int) throws(GoTextTemplateError) {
            guard arguments.count == n else {
                throw fail(
                    "wrong number of args for \(name): want \(n) got \(arguments.count)", at: position, context: context
                )
            }
        }
        func callError(_ message: String) -> GoTextTemplateError {
            fail("error calling \(name): \(message)", at: position, context: context)
        }
        switch name {
        case "not":
            try want(1)
            return .bool(!arguments[0].truth)
        case "len":
            try want(1)
            switch arguments[0] {
            case .data(.string(let s)): return .int(s.utf8.count)
            case .data(.array(let a)): return .int(a.count)
            case .data(.object(let o)): return .int(o.count)
            default: throw callError("len of type \(arguments[0].typeName)")
            }
        case "index":
            guard !arguments.isEmpty else {
                throw fail("wrong number of args for index: want at least 1 got 0", at: position, context: context)
            }
            var current = arguments[0]
            for given in arguments.dropFirst() {
                var key = given
                if case .data(.int(let i)) = given { key = .int(Int(clamping: i)) }
                switch (current, key) {
                case (.data(.object(let map)), .data(.string(let k))):
                    current = map[k].map(GoValue.data) ?? .data(.null)
                case (.data(.array(let list)), .int(let i)):
                    guard i >= 0, i < list.count else { throw callError("index out of range: \(i)") }
                    current = .data(list[i])
                case (.data(.string(let s)), .int(let i)):
                    let bytes = Array(s.utf8)
                    guard i >= 0, i < bytes.count else { throw callError("index out of range: \(i)") }
                    current = .int(Int(bytes[i]))
                case (.missing, _), (.data(.null), _):
                    throw callError("index of untyped nil")
                case (.data(.array), _), (.data(.string), _):
                    throw callError("cannot index slice/array with type \(key.typeName)")
                case (.data(.object), _):
                    throw callError("value has type \(key.typeName); should be string")
                default:
                    throw callError("can't index item of type \(current.typeName)")
                }
            }
            return current
        case "slice":
            guard !arguments.isEmpty, arguments.count <= 4 else {
                throw fail(
                    "wrong number of args for slice: want at least 1 got \(arguments.count)", at: position,
                    context: context)
            }
            var bounds: [Int] = []
            for bound in arguments.dropFirst() {
                guard let i = bound.integer else {
                    throw callError("cannot index slice/array with type \(bound.typeName)")
                }
                bounds.append(Int(clamping: i))
            }
            switch arguments[0] {
            case .data(.string(let s)):
                let bytes = Array(s.utf8)
                let low = bounds.first ?? 0, high = bounds.count > 1 ? bounds[1] : bytes.count
                guard bounds.count < 3 else { throw callError("cannot 3-index slice a string") }
                guard low >= 0, low <= high, high <= bytes.count else {
                    throw callError("invalid slice index: \(low) > \(high)")
                }
                return .string(String(decoding: bytes[low..<high], as: UTF8.self))
            case .data(.array(let list)):
                let low = bounds.first ?? 0, high = bounds.count > 1 ? bounds[1] : list.count
                guard low >= 0, low <= high, high <= list.count else {
                    throw callError("invalid slice index: \(low) > \(high)")
                }
                return .data(.array(Array(list[low..<high])))
            default:
                throw callError("can't slice item of type \(arguments[0].typeName)")
            }
        case "print": return .string(Self.sprint(arguments))
        case "println": return .string(arguments.map(\.printed).joined(separator: " ") + "\n")
        case "printf":
            guard case .data(.string(let format))? = arguments.first else {
                throw fail(
                    "wrong type for value; expected string; got \(arguments.first?.typeName ?? "<nil>")", at: position,
                    context: context)
            }
            return .string(GoSprintf.format(format, arguments.dropFirst().map { $0 }))
        case "eq", "ne", "lt", "le", "gt", "ge":
            guard arguments.count >= 2 || (name == "eq" && arguments.count >= 2) else {
                throw fail(
                    "wrong number of args for \(name): want 2 got \(arguments.count)", at: position, context: context)
            }
            if name == "eq" {
                for other in arguments.dropFirst()
                where try compare(arguments[0], other, name, position: position, context: context) == 0 {
                    return .bool(true)
                }
                return .bool(false)
            }
            try want(2)
            let order = try compare(arguments[0], arguments[1], name, position: position, context: context)
            switch name {
            case "ne": return .bool(order != 0)
            case "lt": return .bool(order < 0)
            case "le": return .bool(order <= 0)
            case "gt": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "html": return .string(Self.htmlEscape(Self.sprint(arguments)))
        case "js": return .string(Self.jsEscape(Self.sprint(arguments)))
        case "urlquery": return .string(Self.queryEscape(Self.sprint(arguments)))
        case "base64decode":
            try want(1)
            guard case .data(.string(let s)) = arguments[0] else {
                throw fail(
                    "wrong type for value; expected string; got \(arguments[0].typeName)", at: position,
                    context: context)
            }
            switch Base64.standard.decode(s) {
            case .success(let decoded): return .string(String(decoding: decoded, as: UTF8.self))
            case .failure(let error): throw callError("base64 decode failed: \(error)")
            }
        case "exists":
            guard !arguments.isEmpty else {
                throw fail("wrong number of args for exists: want at least 1 got 0", at: position, context: context)
            }
            var current = arguments[0]
            for key in arguments.dropFirst() {
                switch (current, key) {
                case (.data(.array(let list)), .int(let i)):
                    guard i >= 0, i < list.count else { return .bool(false) }
                    current = .data(list[i])
                case (.data(.string(let s)), .int(let i)):
                    guard i >= 0, i < s.utf8.count else { return .bool(false) }
                    current = .int(0)
                case (.data(.object(let map)), .data(.string(let k))):
                    current = map[k].map(GoValue.data) ?? .data(.null)
                default:
                    return .bool(false)
                }
            }
            if case .data(.null) = current { return .bool(false) }
            if case .missing = current { return .bool(false) }
            return .bool(true)
        default:
            throw fail("can't call method/function \(GoFormat.quote(name))", at: position, context: context)
        }
    }

    /// text/template's `eq`/`lt` on basic kinds: numbers of one kind, strings, booleans.
    private func compare(_ a: GoValue, _ b: GoValue, _ name: String, position: Int, context: String)
        throws(GoTextTemplateError) -> Int
    {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        func problem(_ message: String) -> GoTextTemplateError {
            fail("error calling \(name): \(message)", at: position, context: context)
        }
        // int (functions, literals) and int64 (the object's integers) are both Go's intKind.
        func integer(_ v: GoValue) -> Int64? {
            switch v {
            case .int(let i): return Int64(i)
            case .data(.int(let i)): return i
            default: return nil
            }
        }
        if let x = integer(a), let y = integer(b) { return cmp(x, y) }
        switch (a, b) {
        case (.data(.double(let x)), .data(.double(let y))): return cmp(x, y)
        case (.data(.string(let x)), .data(.string(let y))):
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : (x == y ? 0 : 1)
        case (.data(.bool(let x)), .data(.bool(let y))):
            guard name == "eq" || name == "ne" else { throw problem("invalid type for comparison") }
            return x == y ? 0 : 1
        case (.data(.null), .data(.null)) where name == "eq" || name == "ne": return 0
        case (.missing, _), (_, .missing):
            throw problem("incompatible types for comparison")
        default:
            let basic = { (v: GoValue) -> Bool in
                switch v {
                case .int, .data(.int), .data(.double), .data(.string), .data(.bool): return true
                default: return false
                }
            }
            if basic(a) && basic(b) { throw problem("incompatible types for comparison") }
            if name == "eq" || name == "ne" {
                throw problem(
                    "uncomparable type \(basic(a) ? b.typeName : a.typeName): \(basic(a) ? b.printed : a.printed)")
            }
            throw problem("invalid type for comparison")
        }
    }

    /// `fmt.Sprint`: a space between operands when neither side is a string.
    static func sprint(_ values: [GoValue]) -> String {
        var out = ""
        for (i, value) in values.enumerated() {
            if i > 0 {
                let isString = { (v: GoValue) -> Bool in
                    if case .data(.string) = v { return true } else { return false }
                }
                if !isString(values[i - 1]) && !isString(value) { out += " " }
            }
            out += value.printed
        }
        return out
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "'": out += "&#39;"
            case "\"": out += "&#34;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func jsEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 {
                    out += "\\u" + String(c.value, radix: 16, uppercase: true).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// `url.QueryEscape`.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x5F, 0x2E, 0x7E:
                out.unicodeScalars.append(Unicode.Scalar(b))
            case 0x20: out += "+"
            default: out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension GoValue: GoFormattable {
    /// What a template function receives: a missing key is a nil `interface{}`, a literal or
    /// `len` an `int`, the object's data what kubectl decoded (int64, float64, ...).
    var goDynamic: GoDynamic<GoValue> {
        switch self {
        case .missing: return .null
        case .int(let i): return .int(i)
        case .data(let v): return v.goDynamic.mapElements(GoValue.data)
        }
    }

    /// The value as an integer index, if it is one.
    var integer: Int64? {
        switch self {
        case .int(let i): return Int64(i)
        case .data(.int(let i)): return i
        default: return nil
        }
    }
}
