/// A run of whole documents inside a YAML stream, which can be parsed on its own.
public struct YAMLChunk: Sendable {
    public var source: YAMLSource
    public var byteRange: Range<Int>
    /// Line breaks before `byteRange` (so marks inside the chunk keep the source's numbering).
    public var lineOffset: Int
}

/// Splits a multi-document YAML stream at its `---` lines so the documents can be parsed
/// independently (and concurrently).
///
/// The YAML spec forbids a line that starts with `---` followed by a space, a tab or a line
/// break (a document marker) inside any content, even quoted or block scalars, so such a
/// line always starts a new document. Streams the splitter cannot number exactly as libyaml
/// would — `%` directives (which apply to the next document), carriage returns without line
/// feeds, NEL/LS/PS line breaks, UTF-16 — are returned whole as one chunk.
public enum YAMLStreamSplitter {
    public static func split(_ source: YAMLSource) -> [YAMLChunk] {
        let bytes = source.bytes
        let whole = [YAMLChunk(source: source, byteRange: 0..<bytes.count, lineOffset: 0)]
        let count = bytes.count
        if count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) {
            return whole
        }
        var chunks: [YAMLChunk] = []
        var chunkStart = 0
        var chunkLineOffset = 0
        var line = 0
        var index = 0
        var atLineStart = true
        while index < count {
            let byte = bytes[index]
            if atLineStart {
                if byte == UInt8(ascii: "%") { return whole }
                if byte == UInt8(ascii: "-"), index + 2 < count, bytes[index + 1] == UInt8(ascii: "-"),
                    bytes[index + 2] == UInt8(ascii: "-"),
                    index + 3 == count || [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index + 3]), index > chunkStart
                {
                    chunks.append(YAMLChunk(source: source, byteRange: chunkStart..<index, lineOffset: chunkLineOffset))
                    chunkStart = index
                    chunkLineOffset = line
                }
            }
            atLineStart = false
            switch byte {
            case 0x0A:
                line += 1
                atLineStart = true
            case 0x0D:
                guard index + 1 < count, bytes[index + 1] == 0x0A else { return whole }
            case 0xC2:
                if index + 1 < count, bytes[index + 1] == 0x85 { return whole }  // NEL
            case 0xE2:
                if index + 2 < count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 {
                    return whole  // LS, PS
                }
            default:
                break
            }
            index += 1
        }
        chunks.append(YAMLChunk(source: source, byteRange: chunkStart..<count, lineOffset: chunkLineOffset))
        return chunks
    }
}
