import DatumJSON
import DatumYAML
import GoCompat

/// JSON manifests, read the way kubectl 1.32 reads them.
///
/// kubectl does not look at the file name. Its resource builder reads every file, directory
/// entry and stdin through the same steps (k8s.io/cli-runtime `FileVisitor` and
/// `StreamVisitor`, k8s.io/apimachinery `pkg/util/yaml`):
///
/// 1. The bytes pass through x/text's `BOMOverride(UTF8.NewDecoder())`: a UTF-8 BOM is dropped,
///    UTF-16 with a BOM becomes UTF-8, and each byte that is not valid UTF-8 becomes U+FFFD.
///    (``ManifestText/kubectlDecoded(_:)``)
/// 2. `NewYAMLOrJSONDecoder(r, 4096)` peeks at the first 4096 bytes: if, after leading
///    `unicode.IsSpace` characters, the next byte is `{`, the whole stream is JSON; otherwise it
///    is YAML. Only `{` counts: a file starting with `[` is YAML to kubectl (a flow sequence,
///    which it then rejects as not an object). (``ManifestText/isJSON(_:)``)
/// 3. A JSON stream is read with Go's `json.Decoder`: values one after another, with or without
///    white space between them; a top-level `null` is skipped; a syntax error ends the stream
///    (`error parsing x.json: json: offset 12: invalid character ...`).
///
/// datumctl follows steps 1–3 exactly, parsing with ``JSONStreamParser`` (Go's syntax and
/// messages) instead of libyaml, and turns each value into a ``YAMLDocument`` whose nodes carry
/// the positions of the JSON text, so everything downstream (the `kind: List` expansion,
/// schema-guided conversion, validation, `file:line:column` of any field path) works on JSON
/// as it does on YAML. The nodes say what the JSON said: strings are double-quoted scalars
/// tagged `!!str`, numbers plain scalars tagged `!!int` or `!!float`, `true`/`false` `!!bool`,
/// `null` `!!null`, so no YAML 1.1 resolution ever applies (`"yes"` stays a string, `0123` is a
/// syntax error, not 83). The JSON errors say where, in Go's words:
/// `x.json:3:14: error: invalid character '\'' looking for beginning of object key string`.
///
/// Beyond kubectl: a duplicate key is an error of its document (as in YAML; Go keeps the last
/// value and the API server rejects the object under `--validate=strict`), and a document
/// nesting deeper than ``YAMLLimits/maxDepth`` is rejected on its own, the stream going on.
///
/// kubectl 1.33 changed step 3: when the first JSON value fails to parse it retries the rest of
/// the stream as YAML, so `{'a': 1}` passes there. datumctl keeps 1.32's strict reading, the
/// version its compatibility tests run (docs/kubectl-compatibility.md).
public enum ManifestText {
    /// How far kubectl looks for the `{` (`StreamVisitor`'s buffer size).
    public static let sniffLength = 4096

    /// Whether kubectl reads these bytes (as they come from the file) as a JSON stream.
    /// Cheap: it looks at the leading white space only, without copying.
    public static func isJSON(_ bytes: [UInt8]) -> Bool {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            // 4096 UTF-16 code units make at least 4096 bytes of UTF-8.
            return hasJSONPrefix(kubectlDecoded(Array(bytes.prefix(2 + 2 * sniffLength)))[...])
        }
        // Valid UTF-8 is not changed by the transform, and the first invalid byte (U+FFFD once
        // decoded) ends the white space either way, so the raw bytes answer the same.
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        return hasJSONPrefix(bytes[start...])
    }

    /// apimachinery's `hasJSONPrefix` on decoded text: within the first 4096 bytes, after the
    /// characters Go's `unicode.IsSpace` accepts (ASCII white space, U+0085, U+00A0 and the
    /// other Unicode `White_Space` characters), the next byte is `{`.
    static func hasJSONPrefix(_ decoded: ArraySlice<UInt8>) -> Bool {
        let prefix = decoded.prefix(sniffLength)
        return prefix.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                if buffer[i] == UInt8(ascii: "{") { return true }
                guard let (value, width) = GoUTF8.decode(buffer, at: i), let scalar = Unicode.Scalar(value),
                    scalar.properties.isWhitespace
                else { return false }
                i += width
            }
            return false
        }
    }

    /// The text kubectl's decoders see: a UTF-8 BOM dropped, UTF-16 with a BOM (either byte
    /// order) converted to UTF-8, and every byte that is not valid UTF-8 replaced by U+FFFD.
    public static func kubectlDecoded(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return GoUTF8.repaired(Array(bytes.dropFirst(3))) }
        let bigEndian: Bool
        if bytes.starts(with: [0xFE, 0xFF]) {
            bigEndian = true
        } else if bytes.starts(with: [0xFF, 0xFE]) {
            bigEndian = false
        } else {
            return GoUTF8.repaired(bytes)
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = 2
        while i + 1 < bytes.count {
            let (high, low) = bigEndian ? (bytes[i], bytes[i + 1]) : (bytes[i + 1], bytes[i])
            units.append(UInt16(high) << 8 | UInt16(low))
            i += 2
        }
        // Unpaired surrogates become U+FFFD, as x/text's UTF-16 decoder makes them.
        var text = String(decoding: units, as: UTF16.self)
        if i < bytes.count { text += "\u{FFFD}" }  // an odd byte at the end
        return Array(text.utf8)
    }

    /// The source as kubectl would parse it: decoded when it is a JSON stream, untouched
    /// otherwise (libyaml reads YAML's encodings itself). Idempotent.
    static func prepare(_ source: YAMLSource) -> (isJSON: Bool, source: YAMLSource) {
        guard isJSON(source.bytes) else { return (false, source) }
        return (true, YAMLSource(name: source.name, bytes: kubectlDecoded(source.bytes)))
    }

    // MARK: - Errors in JSON text

    /// The text of a 1-based line of JSON text, split where ``JSONPosition`` splits lines.
    static func lineText(_ number: Int, in bytes: [UInt8]) -> String? {
        var current = 1
        var start = 0
        var i = 0
        while i <= bytes.count {
            let atEnd = i == bytes.count
            if atEnd || bytes[i] == 0x0A || bytes[i] == 0x0D {
                if current == number { return String(decoding: bytes[start..<i], as: UTF8.self) }
                if atEnd { return nil }
                if bytes[i] == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                current += 1
                start = i + 1
            }
            i += 1
        }
        return nil
    }

    /// An error at `line:column` of a JSON source, with the line and a caret as YAML errors
    /// show them.
    static func error(
        _ message: String, line: Int, column: Int, source: YAMLSource, documentIndex: Int?
    ) -> ManifestError {
        var excerpt: String?
        if let text = lineText(line, in: source.bytes) {
            excerpt = YAMLError.excerpt(of: text, column: column)
        }
        return ManifestError(
            message: message, location: SourceLocation(file: source.name, line: line, column: column), excerpt: excerpt,
            documentIndex: documentIndex)
    }

    /// A ``ManifestError`` for a YAML-style error raised on a JSON document's nodes, with the
    /// excerpt taken by JSON's line rules.
    static func error(_ error: YAMLError, source: YAMLSource, documentIndex: Int?) -> ManifestError {
        guard let mark = error.mark else {
            return ManifestError(message: error.message, documentIndex: documentIndex)
        }
        return self.error(
            error.message, line: mark.line, column: mark.column, source: source, documentIndex: documentIndex)
    }
}

/// Reads the values of a JSON stream as ``YAMLDocument``s whose nodes carry JSON positions.
struct JSONDocumentReader {
    /// The decoded source (see ``ManifestText/prepare(_:)``).
    let source: YAMLSource
    private var parser: JSONStreamParser
    /// How many values have been read (errors and skipped `null`s included).
    private(set) var count = 0

    init(_ source: YAMLSource, limits: YAMLLimits) {
        self.source = source
        parser = JSONStreamParser(source.bytes, maximumNodeDepth: limits.maxDepth)
    }

    /// The next document (top-level `null`s skipped, as kubectl skips them), the error in its
    /// place, or nil at the end. After a syntax error there is nothing more.
    mutating func next() -> Result<YAMLDocument, ManifestError>? {
        while let step = parser.next() {
            let index = count
            count += 1
            switch step {
            case .failure(let error):
                return .failure(
                    ManifestText.error(
                        error.message, line: error.line, column: error.column, source: source, documentIndex: index))
            case .success(let node):
                if case .null = node.content { continue }
                do {
                    let root = try Self.yamlNode(node)
                    return .success(YAMLDocument(index: index, root: root, start: YAMLMark(node.start), source: source))
                } catch {
                    return .failure(ManifestText.error(error, source: source, documentIndex: index))
                }
            }
        }
        return nil
    }

    /// The node tree the YAML reader would have built for the same data, with types fixed by
    /// tags. Recursion is bounded by the parser's node depth (``YAMLLimits/maxDepth``).
    static func yamlNode(_ node: JSONNode) throws(YAMLError) -> YAMLNode {
        let start = YAMLMark(node.start)
        let end = YAMLMark(node.end)
        switch node.content {
        case .null:
            return YAMLNode(content: .scalar("null", .plain), tag: Tag.null, start: start, end: end)
        case .bool(let value):
            return YAMLNode(content: .scalar(value ? "true" : "false", .plain), tag: Tag.bool, start: start, end: end)
        case .string(let text):
            return YAMLNode(content: .scalar(text, .doubleQuoted), tag: Tag.str, start: start, end: end)
        case .number(let literal):
            let tag = numberTag(literal)
            if tag == Tag.float, !(Double(literal)?.isFinite ?? false) {
                // Go's message when a number does not fit in a float64 (1e400).
                throw YAMLError(
                    kind: .conversion, mark: start,
                    message: "json: cannot unmarshal number \(literal) into Go value of type float64")
            }
            return YAMLNode(content: .scalar(literal, .plain), tag: tag, start: start, end: end)
        case .array(let items):
            var nodes: [YAMLNode] = []
            nodes.reserveCapacity(items.count)
            for item in items { nodes.append(try yamlNode(item)) }
            return YAMLNode(content: .sequence(nodes), start: start, end: end)
        case .object(let members):
            var pairs: [YAMLNodePair] = []
            pairs.reserveCapacity(members.count)
            var seen: [String: JSONPosition] = [:]
            for member in members {
                if let first = seen[member.key] {
                    throw YAMLError(
                        kind: .duplicateKey, mark: YAMLMark(member.keyStart),
                        message:
                            "duplicate key \(GoJSONEncoder.quote(member.key, escapeHTML: false)); first defined at \(first)"
                    )
                }
                seen[member.key] = member.keyStart
                let key = YAMLNode(
                    content: .scalar(member.key, .doubleQuoted), tag: Tag.str, start: YAMLMark(member.keyStart),
                    end: YAMLMark(member.keyStart))
                pairs.append(YAMLNodePair(key: key, value: try yamlNode(member.value)))
            }
            return YAMLNode(content: .mapping(pairs), start: start, end: end)
        }
    }

    /// `!!int` for integer literals go-yaml resolves as integers (those that fit in int64 or
    /// uint64); `!!float` for the rest. Either way
    /// the value is what Go's JSON decoding gives once kubectl has sent it: an int64 if the
    /// number is integral and Go prints it without an exponent, a float64 otherwise.
    private static func numberTag(_ literal: String) -> String {
        let isIntegerLiteral = !literal.utf8.contains {
            $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
        }
        if isIntegerLiteral && (Int64(literal) != nil || UInt64(literal) != nil) { return Tag.int }
        return Tag.float
    }

    enum Tag {
        static let str = "tag:yaml.org,2002:str"
        static let int = "tag:yaml.org,2002:int"
        static let float = "tag:yaml.org,2002:float"
        static let bool = "tag:yaml.org,2002:bool"
        static let null = "tag:yaml.org,2002:null"
    }
}

extension YAMLMark {
    init(_ position: JSONPosition) {
        self.init(line: position.line, column: position.column)
    }
}
