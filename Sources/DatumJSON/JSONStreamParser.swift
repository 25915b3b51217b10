import GoCompat

/// A place in JSON text: the byte offset, and the 1-based line and column.
///
/// Columns count Unicode scalars (as libyaml's marks do), so `é` advances the column by one.
/// Lines end at LF, CRLF or a lone CR: the only line breaks JSON allows, and only between
/// tokens (a raw U+0085, U+2028 or U+2029 can only sit inside a string, where it is text).
public struct JSONPosition: Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var line: Int
    public var column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// A JSON value with the position of every node, as ``JSONStreamParser`` reads it.
///
/// Numbers keep the literal as written; ``JSONNode/jsonValue()`` turns them into `.int` or
/// `.double` by ``JSONParser``'s rules. Object members stay in source order with any
/// duplicates, so a caller can point at both occurrences.
public struct JSONNode: Sendable {
    public enum Content: Sendable {
        case null
        case bool(Bool)
        /// The number's literal text (`-1.5e3`).
        case number(String)
        case string(String)
        case array([JSONNode])
        case object([JSONNodeMember])
    }

    public var content: Content
    /// The first character (the opening quote of a string, the bracket of a collection).
    public var start: JSONPosition
    /// Just after the last character.
    public var end: JSONPosition

    public init(content: Content, start: JSONPosition, end: JSONPosition) {
        self.content = content
        self.start = start
        self.end = end
    }

    /// The node as a ``JSONValue``: numbers as ``JSONParser`` reads them, and for duplicate
    /// keys the last value (as Go keeps it). Recurses once per nesting level, so callers
    /// bound the depth with ``JSONStreamParser/maximumNodeDepth``.
    public func jsonValue() throws(JSONParseError) -> JSONValue {
        switch content {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .number(let literal):
            do {
                return try JSONParser.parseFast(Array(literal.utf8)).value
            } catch {
                throw JSONParseError(
                    message: error.message, offset: start.offset, line: start.line, column: start.column)
            }
        case .array(let items):
            var array: [JSONValue] = []
            array.reserveCapacity(items.count)
            for item in items { array.append(try item.jsonValue()) }
            return .array(array)
        case .object(let members):
            var object = JSONObject()
            for member in members { object[member.key] = try member.value.jsonValue() }
            return .object(object)
        }
    }
}

/// One `"key": value` of a JSON object, with where the key starts.
public struct JSONNodeMember: Sendable {
    public var key: String
    public var keyStart: JSONPosition
    public var value: JSONNode

    public init(key: String, keyStart: JSONPosition, value: JSONNode) {
        self.key = key
        self.keyStart = keyStart
        self.value = value
    }
}

/// Reads JSON the way Go's `encoding/json` does, keeping the position of every node: a stream
/// of values (`json.Decoder`, what kubectl reads a JSON manifest with) or exactly one value
/// (`json.Unmarshal`).
///
/// What it accepts and rejects is Go's: RFC 8259 syntax, values concatenated with or without
/// whitespace between them in a stream, and in strings Go's lenience — a lone surrogate escape
/// (`"\ud800"`) and each byte that is not valid UTF-8 become U+FFFD instead of an error. The
/// error messages are the text of Go's `*json.SyntaxError` (`invalid character 'x' looking for
/// beginning of value`), or `unexpected EOF` (stream; Go's `io.ErrUnexpectedEOF`) and
/// `unexpected end of JSON input` (single value) when the input stops inside a value — or, for a
/// single value, Go's complaint about the space its scanner is fed at the end where a space is
/// invalid (`tru` ends in `invalid character ' ' in literal true (expecting 'e')`); each is
/// located at the offending byte (the end of input for the last ones). Checked against Go over
/// all of JSONTestSuite (`go-json-verdicts.json`).
///
/// Nesting is bounded twice, and neither bound uses the call stack (the parser keeps its own
/// stack, so any depth is safe):
/// - ``goMaximumDepth`` (10,000, Go's `maxNestingDepth`): deeper input is a syntax error with
///   Go's message (`invalid character '[' exceeded max depth`), which ends the stream as Go's does.
/// - ``maximumNodeDepth`` (the caller's choice, at most Go's): a value nesting deeper is still
///   read to its end, without building nodes, and reported as its own error; the stream goes on.
///   This keeps the trees that callers walk recursively shallow.
public struct JSONStreamParser: Sendable {
    /// Go's `encoding/json` nesting limit (`maxNestingDepth`).
    public static let goMaximumDepth = 10_000

    public let maximumNodeDepth: Int
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// A known column on the current line, so positions cost amortised constant time.
    private var cursorOffset = 0
    private var cursorColumn = 1
    private var finished = false
    /// The message for input that stops inside a value.
    private let endOfInputMessage: String
    /// `json.Unmarshal`'s end of input: Go's scanner is fed one space there, so input that stops
    /// where a space is invalid (in `tru`, after `\` or `1.`) is refused for that space.
    private let feedsSpaceAtEnd: Bool

    /// A parser over `bytes` (a BOM is not skipped: Go rejects it).
    public init(_ bytes: [UInt8], maximumNodeDepth: Int = JSONStreamParser.goMaximumDepth) {
        self.init(bytes, maximumNodeDepth: maximumNodeDepth, endOfInputMessage: "unexpected EOF")
    }

    private init(_ bytes: [UInt8], maximumNodeDepth: Int, endOfInputMessage: String) {
        self.bytes = bytes
        self.maximumNodeDepth = min(max(1, maximumNodeDepth), JSONStreamParser.goMaximumDepth)
        self.endOfInputMessage = endOfInputMessage
        self.feedsSpaceAtEnd = endOfInputMessage == JSONStreamParser.unmarshalEndOfInput
    }

    /// The error for a value nesting deeper than `depth` levels (the caller's bound, not Go's).
    static func nestingLimitMessage(_ depth: Int) -> String {
        "document nesting exceeds the limit of \(depth) levels"
    }

    /// `json.Unmarshal`'s words for input that stops inside a value where a space is valid.
    static let unmarshalEndOfInput = "unexpected end of JSON input"

    /// The next value of the stream; nil at its end. A syntax error is returned once and ends
    /// the stream (nil afterwards); a value nesting deeper than ``maximumNodeDepth`` is returned
    /// as an error and reading goes on after it.
    public mutating func next() -> Result<JSONNode, JSONParseError>? {
        if finished { return nil }
        skipWhitespace()
        if index >= bytes.count {
            finished = true
            return nil
        }
        do {
            return try parseValue()
        } catch {
            finished = true
            return .failure(error)
        }
    }

    /// Exactly one value, as `json.Unmarshal` reads it: whitespace around it is allowed,
    /// anything else after it is `invalid character 'x' after top-level value`.
    public static func parseDocument(
        _ bytes: [UInt8], maximumNodeDepth: Int = JSONStreamParser.goMaximumDepth
    ) throws(JSONParseError) -> JSONNode {
        var parser = JSONStreamParser(
            bytes, maximumNodeDepth: maximumNodeDepth, endOfInputMessage: unmarshalEndOfInput)
        parser.skipWhitespace()
        guard parser.index < bytes.count else { throw parser.error(unmarshalEndOfInput) }
        let result = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw parser.error("invalid character \(GoUTF8.quoteChar(bytes[parser.index])) after top-level value")
        }
        switch result {
        case .success(let node): return node
        case .failure(let error): throw error
        }
    }

    // MARK: - Positions

    /// The position of `offset`, which must be on the current line.
    private mutating func position(_ offset: Int) -> JSONPosition {
        if cursorOffset < lineStart || cursorOffset > offset {
            cursorOffset = lineStart
            cursorColumn = 1
        }
        var column = cursorColumn
        var i = cursorOffset
        let end = min(offset, bytes.count)
        while i < end {
            // Continuation bytes do not start a column.
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        cursorOffset = end
        cursorColumn = column
        return JSONPosition(offset: offset, line: line, column: column + (offset - end))
    }

    private mutating func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let p = position(offset ?? index)
        return JSONParseError(message: message, offset: p.offset, line: p.line, column: p.column)
    }

    /// The input stopped inside a value; `spaceRefused` is what Go's scanner says of a space there.
    private mutating func endOfInput(spaceRefused: String? = nil) -> JSONParseError {
        if feedsSpaceAtEnd, let spaceRefused {
            return error("invalid character ' ' \(spaceRefused)", at: bytes.count)
        }
        return error(endOfInputMessage, at: bytes.count)
    }

    private mutating func invalid(_ context: String, at offset: Int? = nil) -> JSONParseError {
        let at = offset ?? index
        return error("invalid character \(GoUTF8.quoteChar(bytes[at])) \(context)", at: at)
    }

    /// Skips JSON white space (space, tab, LF, CR), counting lines.
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09:
                index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            case 0x0D:
                index += 1
                if index < bytes.count && bytes[index] == 0x0A { index += 1 }
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    // MARK: - Values

    private enum State {
        case value, firstElement, firstKey, key, afterValue
    }

    /// An open collection whose nodes are being built.
    private struct Frame {
        var isObject: Bool
        var start: JSONPosition
        var items: [JSONNode] = []
        var members: [JSONNodeMember] = []
        var key = ""
        var keyStart: JSONPosition
    }

    /// One value, read without recursion. Throws syntax errors; returns a too-deep value as
    /// a failure after reading it to its end.
    private mutating func parseValue() throws(JSONParseError) -> Result<JSONNode, JSONParseError> {
        var open: [Bool] = []  // isObject, for every open collection (built or not)
        var frames: [Frame] = []  // the collections being built (all of them while `tooDeep` is nil)
        var tooDeep: JSONParseError?
        var state = State.value
        var result: JSONNode?

        func store(_ node: JSONNode, into frames: inout [Frame], result: inout JSONNode?) {
            guard let top = frames.indices.last else {
                result = node
                return
            }
            if frames[top].isObject {
                frames[top].members.append(
                    JSONNodeMember(key: frames[top].key, keyStart: frames[top].keyStart, value: node))
            } else {
                frames[top].items.append(node)
            }
        }

        while true {
            switch state {
            case .value, .firstElement:
                skipWhitespace()
                guard index < bytes.count else { throw endOfInput() }
                let c = bytes[index]
                if state == .firstElement && c == UInt8(ascii: "]") {
                    state = .afterValue
                    try close(&open, &frames, building: tooDeep == nil, store: store, result: &result)
                    continue
                }
                let start = position(index)
                let node: JSONNode
                switch c {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if open.count >= JSONStreamParser.goMaximumDepth { throw invalid("exceeded max depth") }
                    let isObject = c == UInt8(ascii: "{")
                    open.append(isObject)
                    index += 1
                    if tooDeep == nil && open.count > maximumNodeDepth {
                        tooDeep = JSONParseError(
                            message: JSONStreamParser.nestingLimitMessage(maximumNodeDepth),
                            offset: start.offset,
                            line: start.line, column: start.column)
                    }
                    if tooDeep == nil { frames.append(Frame(isObject: isObject, start: start, keyStart: start)) }
                    state = isObject ? .firstKey : .firstElement
                    continue
                case UInt8(ascii: "\""):
                    let text = try parseString()
                    node = JSONNode(content: .string(text), start: start, end: position(index))
                case UInt8(ascii: "t"):
                    try expectLiteral("true")
                    node = JSONNode(content: .bool(true), start: start, end: position(index))
                case UInt8(ascii: "f"):
                    try expectLiteral("false")
                    node = JSONNode(content: .bool(false), start: start, end: position(index))
                case UInt8(ascii: "n"):
                    try expectLiteral("null")
                    node = JSONNode(content: .null, start: start, end: position(index))
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let literal = try parseNumber()
                    node = JSONNode(content: .number(literal), start: start, end: position(index))
                default:
                    throw invalid("looking for beginning of value")
                }
                if tooDeep == nil { store(node, into: &frames, result: &result) }
                state = .afterValue
            case .firstKey, .key:
                skipWhitespace()
                guard index < bytes.count else { throw endOfInput() }
                let c = bytes[index]
                if state == .firstKey && c == UInt8(ascii: "}") {
                    state = .afterValue
                    try close(&open, &frames, building: tooDeep == nil, store: store, result: &result)
                    continue
                }
                guard c == UInt8(ascii: "\"") else { throw invalid("looking for beginning of object key string") }
                let keyStart = position(index)
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count else { throw endOfInput() }
                guard bytes[index] == UInt8(ascii: ":") else { throw invalid("after object key") }
                index += 1
                if tooDeep == nil, let top = frames.indices.last {
                    frames[top].key = key
                    frames[top].keyStart = keyStart
                }
                state = .value
            case .afterValue:
                guard let isObject = open.last else {
                    if let tooDeep { return .failure(tooDeep) }
                    guard let result else { throw error("internal error: no value was read") }
                    return .success(result)
                }
                skipWhitespace()
                guard index < bytes.count else { throw endOfInput() }
                let c = bytes[index]
                if c == UInt8(ascii: ",") {
                    index += 1
                    state = isObject ? .key : .value
                } else if c == UInt8(ascii: isObject ? "}" : "]") {
                    try close(&open, &frames, building: tooDeep == nil, store: store, result: &result)
                } else {
                    throw invalid(isObject ? "after object key:value pair" : "after array element")
                }
            }
        }
    }

    /// Consumes the closing bracket at `index` and completes the innermost collection.
    private mutating func close(
        _ open: inout [Bool], _ frames: inout [Frame], building: Bool,
        store: (JSONNode, inout [Frame], inout JSONNode?) -> Void, result: inout JSONNode?
    ) throws(JSONParseError) {
        index += 1
        open.removeLast()
        guard building, let frame = frames.popLast() else { return }
        let content: JSONNode.Content = frame.isObject ? .object(frame.members) : .array(frame.items)
        store(JSONNode(content: content, start: frame.start, end: position(index)), &frames, &result)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let text = literal.utf8Start
        let name = String(describing: literal)
        for i in 1..<count {
            let expected = text[i]
            guard index + i < bytes.count else {
                throw endOfInput(spaceRefused: "in literal \(name) (expecting \(GoUTF8.quoteChar(expected)))")
            }
            if bytes[index + i] != expected {
                throw invalid(
                    "in literal \(name) (expecting \(GoUTF8.quoteChar(expected)))", at: index + i)
            }
        }
        index += count
    }

    /// A number's literal text, checked against JSON's grammar as Go's scanner checks it.
    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            guard index < bytes.count else { throw endOfInput(spaceRefused: "in numeric literal") }
            guard isDigit(bytes[index]) else { throw invalid("in numeric literal") }
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count else {
                throw endOfInput(spaceRefused: "after decimal point in numeric literal")
            }
            guard isDigit(bytes[index]) else { throw invalid("after decimal point in numeric literal") }
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            guard index < bytes.count else { throw endOfInput(spaceRefused: "in exponent of numeric literal") }
            if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
                guard index < bytes.count else { throw endOfInput(spaceRefused: "in exponent of numeric literal") }
            }
            guard isDigit(bytes[index]) else { throw invalid("in exponent of numeric literal") }
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A string starting at the opening quote at `index`, unescaped as Go's `unquote` does.
    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes and valid UTF-8.
        let plainEnd: Int? = bytes.withUnsafeBufferPointer { buffer in
            var i = start
            while i < buffer.count {
                let b = buffer[i]
                if b == UInt8(ascii: "\"") { return i }
                if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
                if b < 0x80 {
                    i += 1
                } else if let (_, width) = GoUTF8.decode(buffer, at: i) {
                    i += width
                } else {
                    return nil
                }
            }
            return nil
        }
        if let plainEnd {
            index = plainEnd + 1
            return String(decoding: bytes[start..<plainEnd], as: UTF8.self)
        }
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw endOfInput() }
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw endOfInput(spaceRefused: "in string escape code") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xE000).contains(scalar) {
                        // Go: a surrogate pair becomes one character; any other surrogate is
                        // U+FFFD, and what follows it is read on its own.
                        if (0xD800..<0xDC00).contains(scalar), let low = peekEscapedLowSurrogate() {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    }
                    appendScalar(scalar, to: &out)
                default:
                    throw invalid("in string escape code", at: index - 1)
                }
            case 0x00..<0x20:
                throw invalid("in string literal")
            case 0x20..<0x80:
                out.append(b)
                index += 1
            default:
                let decoded = bytes.withUnsafeBufferPointer { GoUTF8.decode($0, at: index) }
                if let (_, width) = decoded {
                    out.append(contentsOf: bytes[index..<index + width])
                    index += width
                } else {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    index += 1
                }
            }
        }
    }

    /// Four hex digits of a `\u` escape.
    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw endOfInput(spaceRefused: "in \\u hexadecimal character escape") }
            guard let digit = JSONStreamParser.hexValue(bytes[index]) else {
                throw invalid("in \\u hexadecimal character escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// A `\uDC00`–`\uDFFF` escape right at `index`, without consuming it.
    private func peekEscapedLowSurrogate() -> UInt32? {
        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
            return nil
        }
        var value: UInt32 = 0
        for i in 2..<6 {
            guard let digit = JSONStreamParser.hexValue(bytes[index + i]) else { return nil }
            value = value << 4 | digit
        }
        return (0xDC00..<0xE000).contains(value) ? value : nil
    }

    private static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        out.append(contentsOf: String(Character(scalar)).utf8)
    }
}
