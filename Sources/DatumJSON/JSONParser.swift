import GoCompat

/// A syntax error in JSON text, with its 1-based position.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Byte offset of the offending byte.
    public var offset: Int
    public var line: Int
    public var column: Int

    public var description: String { "\(line):\(column): \(message)" }
}

/// A fast, strict JSON parser producing ``JSONValue``.
///
/// Numbers without a fraction or exponent that fit in 64 bits become `.int`,
/// everything else `.double`, as Go's unstructured decoding does. Duplicate
/// object keys keep the last value (as Go does) and are reported through
/// ``JSONParser/duplicateKeys`` so a strict server can reject them.
public struct JSONParser {
    /// Nesting limit; deeper input is rejected instead of exhausting the stack.
    public static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private var path: [String] = []
    /// Dotted paths of keys that appeared more than once in one object.
    public private(set) var duplicateKeys: [String] = []

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses one JSON value; trailing whitespace is allowed, anything else is not.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ data: [UInt8]) throws(JSONParseError) -> JSONValue {
        try parseReportingDuplicates(data).value
    }

    /// Parses and also returns the dotted paths of duplicated keys.
    ///
    /// Errors are `json.Unmarshal`'s, word for word and at its offset: this parser is the fast
    /// path, and when it refuses the input, ``JSONStreamParser/parseDocument(_:maximumNodeDepth:)``
    /// (which follows Go's scanner state by state) says why. Only nesting beyond
    /// ``maximumDepth``, which Go accepts up to 10,000 levels, keeps this parser's own words.
    public static func parseReportingDuplicates(_ data: [UInt8]) throws(JSONParseError) -> (
        value: JSONValue, duplicateKeys: [String]
    ) {
        do {
            return try parseFast(data)
        } catch {
            throw goError(data) ?? error
        }
    }

    /// `json.Unmarshal`'s error for bytes this parser refused, or nil when only the depth limit refused them.
    private static func goError(_ data: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSONStreamParser.parseDocument(data, maximumNodeDepth: maximumDepth).jsonValue()
            return nil
        } catch {
            return error.message == JSONStreamParser.nestingLimitMessage(maximumDepth) ? nil : error
        }
    }

    /// The parse itself, with this parser's own error words.
    static func parseFast(_ data: [UInt8]) throws(JSONParseError) -> (
        value: JSONValue, duplicateKeys: [String]
    ) {
        let result: Result<(JSONValue, [String]), JSONParseError> = data.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            do {
                parser.skipWhitespace()
                let value = try parser.parseValue()
                parser.skipWhitespace()
                if parser.index < buffer.count {
                    throw parser.error("invalid character after top-level value")
                }
                return .success((value, parser.duplicateKeys))
            } catch let e as JSONParseError {
                return .failure(e)
            } catch {
                return .failure(JSONParseError(message: "\(error)", offset: 0, line: 1, column: 1))
            }
        }
        switch result {
        case .success(let pair): return (pair.0, pair.1)
        case .failure(let e): throw e
        }
    }

    // MARK: - Scanning

    private func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let position = min(offset ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        var i = 0
        while i < position {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        // Count characters, not bytes, so columns match what an editor shows.
        var column = 1
        i = lineStart
        while i < position {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return JSONParseError(message: message, offset: position, line: line, column: column)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of JSON input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw error("invalid character \(describe(bytes[index])) looking for beginning of value")
        }
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "0x" + String(byte, radix: 16)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        guard index + count <= bytes.count else { throw error("unexpected end of JSON input") }
        for i in 0..<count where bytes[index + i] != start[i] {
            throw error("invalid character \(describe(bytes[index + i])) in literal")
        }
        index += count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maximumDepth { throw error("exceeded max depth of \(JSONParser.maximumDepth)") }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error("invalid character \(describe(bytes[index])) looking for beginning of object key string")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw error("invalid character \(describe(bytes[index])) after object key")
            }
            index += 1
            skipWhitespace()
            path.append(key)
            let value = try parseValue()
            path.removeLast()
            if object[key] != nil { duplicateKeys.append((path + [key]).joined(separator: ".")) }
            object[key] = value
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(object)
            }
            throw error("invalid character \(describe(bytes[index])) after object key:value pair")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(array)
            }
            throw error("invalid character \(describe(bytes[index])) after array element")
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let openQuote = index
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                // Go replaces each byte that is not valid UTF-8 with U+FFFD rather than failing.
                return String(validating: slice, as: UTF8.self)
                    ?? String(decoding: GoUTF8.repaired(Array(slice)), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("invalid character \(describe(b)) in string literal") }
            index += 1
        }
        var buffer: [UInt8] = Array(bytes[start..<index])
        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return String(validating: buffer, as: UTF8.self)
                    ?? String(decoding: GoUTF8.repaired(buffer), as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end of JSON input") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by a low one; otherwise Go writes U+FFFD.
                        if index + 1 < bytes.count && bytes[index] == UInt8(ascii: "\\")
                            && bytes[index + 1] == UInt8(ascii: "u")
                        {
                            let save = index
                            index += 2
                            let low = try parseHex4()
                            if (0xDC00..<0xE000).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                index = save
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    let unicodeScalar = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    buffer.append(contentsOf: String(Character(unicodeScalar)).utf8)
                default:
                    throw error("invalid character \(describe(e)) in string escape code", at: index - 1)
                }
            default:
                if b < 0x20 { throw error("invalid character \(describe(b)) in string literal") }
                buffer.append(b)
                index += 1
            }
        }
        throw error("unexpected end of JSON input", at: openQuote)
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of JSON input") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid character \(describe(b)) in \\u hexadecimal character escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("unexpected end of JSON input") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]) {
            while index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        } else {
            throw error("invalid character \(describe(bytes[index])) in numeric literal")
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let digitsStart = index
            while index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            if index == digitsStart { throw error("invalid character after decimal point in numeric literal") }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            isInteger = false
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            let digitsStart = index
            while index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            if index == digitsStart { throw error("invalid character in exponent of numeric literal") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        guard let d = Double(text), d.isFinite else {
            // Go's words when a number does not fit in a float64 (1e400).
            throw error("json: cannot unmarshal number \(text) into Go value of type float64", at: start)
        }
        return .double(d)
    }
}
