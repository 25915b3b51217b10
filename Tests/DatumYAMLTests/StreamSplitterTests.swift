import DatumJSON
import Testing

@testable import DatumYAML

/// Reading a stream chunk by chunk must give exactly what reading it whole gives:
/// the same documents, values and marks (errors may differ only in that later chunks
/// are still read after a syntax error).
@Suite struct StreamSplitterTests {
    struct Seen: Equatable {
        var start: YAMLMark
        var value: JSONValue?
        var rootStart: YAMLMark?
    }

    static func readWhole(_ text: String) -> [Seen] {
        var seen: [Seen] = []
        let reader = YAMLDocumentReader(YAMLSource(name: "s.yaml", text: text))
        while let document = try? reader.next() {
            seen.append(Seen(start: document.start, value: try? document.jsonValue(), rootStart: document.root?.start))
        }
        return seen
    }

    static func readChunks(_ text: String) -> [Seen] {
        var seen: [Seen] = []
        for chunk in YAMLStreamSplitter.split(YAMLSource(name: "s.yaml", text: text)) {
            let reader = YAMLDocumentReader(chunk)
            while let document = try? reader.next() {
                seen.append(Seen(start: document.start, value: try? document.jsonValue(), rootStart: document.root?.start))
            }
        }
        return seen
    }

    @Test(arguments: [
        "a: 1\n---\nb: 2\n",
        "---\na: 1\n---\nb: 2\n---\n",
        "# leading comment\n---\na: 1\n...\n---\nb: [1, 2]\n",
        "--- |\n  text\n---\nk: v\n",
        "---\nliteral: |\n  ---not a marker because indented\n  more\nnext: 1\n---\nx: y\n",
        "\u{FEFF}a: é\n---\nb: ü\n",
        "a: 1\r\n---\r\nb: 2\r\n",
        "---a: 1\n",
        "a: \"x\n  ---y\"\n---\nb: 2\n",
        "",
        "---\n",
        "--- {a: 1}\n--- [1, 2]\n--- plain\n",
    ])
    func chunksReadLikeTheWholeStream(text: String) {
        #expect(Self.readChunks(text) == Self.readWhole(text))
    }

    /// A syntax error ends a whole-stream read, but the documents after the next `---` are
    /// still independent, so chunked reading reports them too.
    @Test func documentsAfterABrokenChunkAreStillRead() {
        let text = "a: 1\n...\nb: 2\n---\nc: 3\n"
        #expect(Self.readWhole(text).map(\.value) == [["a": 1]])
        #expect(Self.readChunks(text).map(\.value) == [["a": 1], ["c": 3]])
    }

    @Test func splitsAtDocumentMarkersOnly() {
        let text = "a: 1\n---\nb: |\n  ---\n---x: 2\n--- \nc: 3\n"
        let chunks = YAMLStreamSplitter.split(YAMLSource(name: "s", text: text))
        #expect(chunks.map(\.byteRange) == [0..<5, 5..<28, 28..<text.utf8.count])
        #expect(chunks.map(\.lineOffset) == [0, 1, 5])
    }

    @Test(arguments: ["%YAML 1.1\n---\na: 1\n---\nb: 2\n", "a: 1\r---\rb: 2\r", "a: 1\u{85}---\u{85}b: 2", "a: 1\u{2028}---\n"])
    func streamsItCannotNumberStayWhole(text: String) {
        let chunks = YAMLStreamSplitter.split(YAMLSource(name: "s", text: text))
        #expect(chunks.count == 1)
        #expect(chunks.first?.byteRange == 0..<text.utf8.count)
    }

    @Test func errorsInAChunkKeepTheSourcePosition() {
        let text = "a: 1\n---\nb: 2\n---\nc: [1, 2\nd: 3\n"
        let chunks = YAMLStreamSplitter.split(YAMLSource(name: "s.yaml", text: text))
        #expect(chunks.count == 3)
        let reader = YAMLDocumentReader(chunks[2])
        do {
            _ = try reader.next()
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.headline == "s.yaml:6:2: error: did not find expected ',' or ']' (while parsing a flow sequence at 5:4)")
            #expect(error.sourceLine == "d: 3")
        }
    }
}
