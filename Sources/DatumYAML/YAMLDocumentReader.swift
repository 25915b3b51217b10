internal import CYAML

/// Reads a YAML stream one document at a time through libyaml's event API.
///
/// Only the current document's node tree is ever built, so long streams stay
/// small in memory. Aliases are expanded by sharing (copy-on-write) the anchored
/// node; their expanded size and depth are counted so a "billion laughs"
/// document fails fast against ``YAMLLimits``.
///
/// After a syntax or encoding error the stream cannot be resynchronised and every
/// later call throws the same error. Errors in one document's structure
/// (duplicate keys, unknown anchors, limits) skip that document only.
public final class YAMLDocumentReader {
    private let source: YAMLSource
    private let limits: YAMLLimits
    /// Where the bytes being read start in `source`: lines before them, and their first byte.
    private let lineOffset: Int
    private let byteOffset: Int
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: InputCursor
    private var nextIndex = 0
    private var failure: YAMLError?
    private var finished = false
    private var parserReady: Bool

    public convenience init(_ source: YAMLSource, limits: YAMLLimits = .default) {
        self.init(source, limits: limits, byteRange: 0..<source.bytes.count, lineOffset: 0)
    }

    /// Reads one chunk of a stream (see ``YAMLStreamSplitter``): only the bytes in `byteRange`,
    /// with marks and errors numbered as in the whole source.
    public convenience init(_ chunk: YAMLChunk, limits: YAMLLimits = .default) {
        self.init(chunk.source, limits: limits, byteRange: chunk.byteRange, lineOffset: chunk.lineOffset)
    }

    private init(_ source: YAMLSource, limits: YAMLLimits, byteRange: Range<Int>, lineOffset: Int) {
        self.source = source
        self.limits = limits
        self.lineOffset = lineOffset
        self.byteOffset = byteRange.lowerBound
        self.input = InputCursor(source.bytes, range: byteRange)
        parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parserReady = yaml_parser_initialize(parser) != 0
        if parserReady {
            yaml_parser_set_input(parser, readFromCursor, Unmanaged.passUnretained(input).toOpaque())
        } else {
            failure = YAMLError(
                kind: .syntax, sourceName: source.name, mark: nil, message: "cannot create a YAML parser: out of memory"
            )
        }
    }

    deinit {
        if parserReady { yaml_parser_delete(parser) }
        parser.deallocate()
    }

    /// The next document, or nil at the end of the stream.
    public func next() throws(YAMLError) -> YAMLDocument? {
        if let failure { throw failure }
        if finished { return nil }
        var event = try nextEvent()
        if case .streamStart = event { event = try nextEvent() }
        switch event {
        case .streamEnd:
            finished = true
            return nil
        case .documentStart(let start):
            let index = nextIndex
            nextIndex += 1
            var composer = Composer(limits: limits)
            do {
                while true {
                    let e = try nextEvent()
                    if case .documentEnd = e { break }
                    try composer.consume(e)
                }
            } catch {
                // After a nesting error the rest of the document is not read: libyaml spends time
                // in proportion to the open flow levels on every token, so skipping 40,000 open
                // brackets would take seconds (quadratic). The reader stops, as after a syntax error.
                if error.kind == .depthLimit {
                    finished = true
                } else if error.kind != .syntax && error.kind != .encoding {
                    skipRestOfDocument()
                }
                throw source.locate(error)
            }
            var root = composer.root
            if let node = root, node.tag == nil, case .scalar("", .plain) = node.content, !composer.rootHadAnchor {
                root = nil
            }
            return YAMLDocument(index: index, root: root, start: start, source: source)
        default:
            let error = YAMLError(kind: .syntax, mark: nil, message: "unexpected event outside a document")
            failure = source.locate(error)
            throw source.locate(error)
        }
    }

    /// Reads every remaining document.
    public func readAll() throws(YAMLError) -> [YAMLDocument] {
        var documents: [YAMLDocument] = []
        while let document = try next() { documents.append(document) }
        return documents
    }

    private func skipRestOfDocument() {
        while true {
            do {
                if case .documentEnd = try nextEvent() { return }
            } catch {
                return
            }
        }
    }

    /// Pulls one event from libyaml and copies out what the composer needs.
    private func nextEvent() throws(YAMLError) -> ParserEvent {
        if let failure { throw failure }
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) != 0 else {
            let error = source.locate(libyamlError())
            failure = error
            throw error
        }
        defer { yaml_event_delete(&event) }
        return ParserEvent(event, lineOffset: lineOffset)
    }

    private func libyamlError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown YAML error"
        switch p.error {
        case YAML_READER_ERROR:
            let mark = source.mark(atByteOffset: byteOffset + Int(p.problem_offset))
            var message = problem
            if p.problem_value >= 0 {
                if problem.contains("octet") {
                    message += " (0x" + hex(UInt32(p.problem_value), width: 2) + ")"
                } else {
                    message += " (U+" + hex(UInt32(p.problem_value), width: 4) + ")"
                }
            }
            return YAMLError(kind: .encoding, mark: mark, message: message)
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            let mark = YAMLMark(p.problem_mark, lineOffset: lineOffset)
            var message = problem
            if let context = p.context.map({ String(cString: $0) }) {
                let contextMark = YAMLMark(p.context_mark, lineOffset: lineOffset)
                message += contextMark == mark ? " (\(context))" : " (\(context) at \(contextMark))"
            }
            return YAMLError(kind: .syntax, mark: mark, message: message)
        case YAML_MEMORY_ERROR:
            return YAMLError(kind: .syntax, mark: nil, message: "out of memory while parsing YAML")
        default:
            return YAMLError(kind: .syntax, mark: YAMLMark(p.problem_mark, lineOffset: lineOffset), message: problem)
        }
    }

    private func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

@available(*, unavailable)
extension YAMLDocumentReader: Sendable {}

/// The input bytes and how far libyaml has read; libyaml calls back for more.
private final class InputCursor {
    let bytes: [UInt8]
    var offset: Int
    let end: Int
    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        offset = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }
}

/// libyaml's read handler: copies the next chunk of the cursor's bytes.
private func readFromCursor(
    _ data: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ size: Int,
    _ sizeRead: UnsafeMutablePointer<Int>?
) -> Int32 {
    guard let data, let buffer, let sizeRead else { return 0 }
    let cursor = Unmanaged<InputCursor>.fromOpaque(data).takeUnretainedValue()
    let count = min(size, cursor.end - cursor.offset)
    if count > 0 {
        cursor.bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress {
                buffer.update(from: base + cursor.offset, count: count)
            }
        }
    }
    cursor.offset += max(count, 0)
    sizeRead.pointee = max(count, 0)
    return 1
}

extension YAMLMark {
    /// libyaml marks are 0-based; ours are 1-based, and count lines from the start of the
    /// whole source when only a chunk of it is parsed.
    init(_ mark: yaml_mark_t, lineOffset: Int = 0) {
        self.init(line: Int(mark.line) + 1 + lineOffset, column: Int(mark.column) + 1)
    }
}

/// A libyaml event copied into Swift values.
enum ParserEvent {
    case streamStart
    case streamEnd
    case documentStart(YAMLMark)
    case documentEnd
    case alias(anchor: String, start: YAMLMark, end: YAMLMark)
    case scalar(text: String, style: YAMLScalarStyle, tag: String?, anchor: String?, start: YAMLMark, end: YAMLMark)
    case sequenceStart(tag: String?, anchor: String?, start: YAMLMark)
    case sequenceEnd(end: YAMLMark)
    case mappingStart(tag: String?, anchor: String?, start: YAMLMark)
    case mappingEnd(end: YAMLMark)
    case none

    init(_ event: yaml_event_t, lineOffset: Int) {
        let start = YAMLMark(event.start_mark, lineOffset: lineOffset)
        let end = YAMLMark(event.end_mark, lineOffset: lineOffset)
        switch event.type {
        case YAML_STREAM_START_EVENT: self = .streamStart
        case YAML_STREAM_END_EVENT: self = .streamEnd
        case YAML_DOCUMENT_START_EVENT: self = .documentStart(start)
        case YAML_DOCUMENT_END_EVENT: self = .documentEnd
        case YAML_ALIAS_EVENT:
            self = .alias(anchor: ParserEvent.string(event.data.alias.anchor) ?? "", start: start, end: end)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text: String
            if let value = scalar.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
            } else {
                text = ""
            }
            let style: YAMLScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            self = .scalar(
                text: text, style: style, tag: ParserEvent.string(scalar.tag),
                anchor: ParserEvent.string(scalar.anchor),
                start: start, end: end)
        case YAML_SEQUENCE_START_EVENT:
            let seq = event.data.sequence_start
            self = .sequenceStart(
                tag: ParserEvent.string(seq.tag), anchor: ParserEvent.string(seq.anchor), start: start)
        case YAML_SEQUENCE_END_EVENT: self = .sequenceEnd(end: end)
        case YAML_MAPPING_START_EVENT:
            let map = event.data.mapping_start
            self = .mappingStart(tag: ParserEvent.string(map.tag), anchor: ParserEvent.string(map.anchor), start: start)
        case YAML_MAPPING_END_EVENT: self = .mappingEnd(end: end)
        default: self = .none
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}

/// libyaml alone: parses a stream into events and throws them away.
///
/// This is the floor any YAML loader built on libyaml can reach; the benchmarks
/// (`bench/validate.sh`) print datumctl's time next to it.
public enum YAMLEventScanner {
    /// The number of events in the stream.
    public static func countEvents(in source: YAMLSource) throws(YAMLError) -> Int {
        let input = InputCursor(source.bytes)
        // libyaml keeps the parser's address between calls, so it lives at one fixed address (as
        // in YAMLDocumentReader): `&` on a Swift variable only promises a pointer for one call.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw YAMLError(
                kind: .syntax, sourceName: source.name, mark: nil, message: "cannot create a YAML parser: out of memory"
            )
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input(parser, readFromCursor, Unmanaged.passUnretained(input).toOpaque())
        var count = 0
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) != 0 else {
                let problem = parser.pointee.problem.map { String(cString: $0) } ?? "unknown error"
                let mark = YAMLMark(
                    line: Int(parser.pointee.problem_mark.line) + 1, column: Int(parser.pointee.problem_mark.column) + 1
                )
                throw source.error(problem, at: mark, kind: .syntax)
            }
            count += 1
            let done = event.type == YAML_STREAM_END_EVENT
            yaml_event_delete(&event)
            if done { return count }
        }
    }
}
