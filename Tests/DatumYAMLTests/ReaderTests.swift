import DatumJSON
import DatumYAML
import Testing

/// Reads every document of `text`, converted to JSON.
func readJSON(_ text: String, name: String = "t.yaml") throws(YAMLError) -> [JSONValue?] {
    let reader = YAMLDocumentReader(YAMLSource(name: name, text: text))
    var values: [JSONValue?] = []
    while let document = try reader.next() { values.append(try document.jsonValue()) }
    return values
}

/// The first error reading `bytes`, or nil.
func firstError(_ bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLError? {
    let reader = YAMLDocumentReader(YAMLSource(name: "t.yaml", bytes: bytes), limits: limits)
    do {
        while let document = try reader.next() { _ = try document.jsonValue() }
        return nil
    } catch {
        return error
    }
}

@Suite struct ReaderErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input: [UInt8]
        var headline: String
        var kind: YAMLError.Kind
        var sourceLine: String?
        var testDescription: String { name }

        init(_ name: String, _ input: String, _ headline: String, _ kind: YAMLError.Kind, line: String? = nil) {
            self.init(name, Array(input.utf8), headline, kind, line: line)
        }

        init(_ name: String, _ input: [UInt8], _ headline: String, _ kind: YAMLError.Kind, line: String? = nil) {
            self.name = name
            self.input = input
            self.headline = headline
            self.kind = kind
            self.sourceLine = line
        }
    }

    static let cases: [Case] = [
        Case(
            "bad indentation", "a:\n  b: 1\n c: 2\n",
            "t.yaml:3:2: error: did not find expected key (while parsing a block mapping at 1:1)", .syntax, line: " c: 2"),
        Case(
            "mapping value in a value", "key: value: x\n",
            "t.yaml:1:11: error: mapping values are not allowed in this context", .syntax, line: "key: value: x"),
        Case(
            "tab indentation", "a:\n\tb: 1\n",
            "t.yaml:2:1: error: found character that cannot start any token (while scanning for the next token)", .syntax,
            line: "\tb: 1"),
        Case(
            "unclosed double quote", "a: \"abc\n",
            "t.yaml:2:1: error: found unexpected end of stream (while scanning a quoted scalar at 1:4)", .syntax, line: ""),
        Case(
            "unclosed single quote", "a: 'abc\nb: 1\n",
            "t.yaml:3:1: error: found unexpected end of stream (while scanning a quoted scalar at 1:4)", .syntax, line: ""),
        Case(
            "unclosed flow sequence", "a: [1, 2\n",
            "t.yaml:2:1: error: did not find expected ',' or ']' (while parsing a flow sequence at 1:4)", .syntax, line: ""),
        Case(
            "duplicate key", "metadata:\n  name: a\n  labels: {}\n  name: b\n",
            "t.yaml:4:3: error: duplicate key \"name\"; first defined at 2:3", .duplicateKey, line: "  name: b"),
        Case(
            "duplicate key after resolution", "1: a\n\"1\": b\n",
            "t.yaml:2:1: error: duplicate key \"1\"; first defined at 1:1", .duplicateKey, line: "\"1\": b"),
        Case(
            "duplicate key in a large mapping",
            (0..<20).map { "k\($0): v\n" }.joined() + "k7: again\n",
            "t.yaml:21:1: error: duplicate key \"k7\"; first defined at 8:1", .duplicateKey, line: "k7: again"),
        Case(
            "undefined alias", "a: 1\nb: *missing\n",
            "t.yaml:2:4: error: unknown anchor \"missing\" referenced", .unknownAnchor, line: "b: *missing"),
        Case(
            "alias inside its own anchor", "a: &x [1, *x]\n",
            "t.yaml:1:11: error: anchor \"x\" value contains itself", .recursiveAlias, line: "a: &x [1, *x]"),
        Case(
            "invalid UTF-8 in line 3", [UInt8]("a: 1\nb: 2\nc: x".utf8) + [0xFF] + [UInt8]("y\n".utf8),
            "t.yaml:3:5: error: invalid leading UTF-8 octet (0xFF)", .encoding, line: "c: x\u{FFFD}y"),
        Case(
            "truncated UTF-8 sequence", [UInt8]("a: b\nc: \u{E9}".utf8).dropLast(1) + [UInt8]("x\n".utf8),
            "t.yaml:2:5: error: invalid trailing UTF-8 octet (0x78)", .encoding, line: "c: \u{FFFD}x"),
        Case(
            "control character", "a: \u{1}\n",
            "t.yaml:1:4: error: control characters are not allowed (U+0001)", .encoding, line: "a: \u{1}"),
        Case(
            "error after a BOM keeps columns", "\u{FEFF}key: value: x\n",
            "t.yaml:1:11: error: mapping values are not allowed in this context", .syntax, line: "key: value: x"),
        Case(
            "error after CRLF lines", "a: 1\r\nb: 2\r\nc: d: e\r\n",
            "t.yaml:3:5: error: mapping values are not allowed in this context", .syntax, line: "c: d: e"),
        Case(
            "non-ASCII columns", "name: \"é…\": x\n",
            "t.yaml:1:11: error: mapping values are not allowed in this context", .syntax, line: "name: \"é…\": x"),
        Case(
            "non-ASCII columns on a later line", "a: 1\nnamé: 日本語: x\n",
            "t.yaml:2:10: error: mapping values are not allowed in this context", .syntax, line: "namé: 日本語: x"),
        Case(
            "document end marker alone", "...\n",
            "t.yaml:1:1: error: did not find expected node content (while parsing a block node)", .syntax, line: "..."),
        Case(
            "merge of a scalar", "a: &s x\nb:\n  <<: *s\n",
            "t.yaml:3:7: error: map merge requires map or sequence of maps as the value", .conversion, line: "  <<: *s"),
        Case(
            "null key", "~: a\n", "t.yaml:1:1: error: unsupported map key: null keys have no JSON form", .conversion,
            line: "~: a"),
        Case(
            "collection key", "? [a]\n: b\n",
            "t.yaml:1:3: error: invalid map key: a key must be a scalar, not a collection", .conversion, line: "? [a]"),
        Case(
            "uint64 key", "18446744073709551615: a\n",
            "t.yaml:1:1: error: unsupported map key: integer 18446744073709551615 does not fit in int64", .conversion,
            line: "18446744073709551615: a"),
        Case(
            "infinity has no JSON form", "a: .inf\n", "t.yaml:1:4: error: json: unsupported value: +Inf", .conversion,
            line: "a: .inf"),
        Case(
            "bad !!int", "a: !!int abc\n", "t.yaml:1:4: error: cannot decode !!str `abc` as a !!int", .conversion,
            line: "a: !!int abc"),
        Case(
            "bad !!binary", "a: !!binary '%%%'\n", "t.yaml:1:4: error: !!binary value contains invalid base64 data",
            .conversion, line: "a: !!binary '%%%'"),
        Case(
            "too deep", String(repeating: "[", count: 1001) + String(repeating: "]", count: 1001),
            "t.yaml:1:1001: error: document nesting exceeds the limit of 1000 levels", .depthLimit),
    ]

    @Test(arguments: cases)
    func reportsErrorWithPosition(_ c: Case) throws {
        let error = try #require(firstError(c.input))
        #expect(error.headline == c.headline)
        #expect(error.kind == c.kind)
        if let line = c.sourceLine {
            #expect(error.sourceLine == line)
        }
    }

    @Test func rendersSourceLineAndCaret() throws {
        let error = try #require(firstError(Array("a: 1\nkey: value: x\n".utf8)))
        #expect(
            error.description == """
                t.yaml:2:11: error: mapping values are not allowed in this context
                key: value: x
                          ^
                """)
    }

    @Test func caretKeepsTabsAligned() throws {
        let error = try #require(firstError(Array("a:\n\t b: c: d\n".utf8)))
        #expect(error.headline == "t.yaml:2:1: error: found character that cannot start any token (while scanning for the next token)")
        let located = YAMLSource(name: "t.yaml", text: "x:\t\"v\": q: 1\n").error("boom", at: YAMLMark(line: 1, column: 10))
        #expect(located.description == "t.yaml:1:10: error: boom\nx:\t\"v\": q: 1\n  \t      ^")
    }

    @Test func linesAndOffsetsFollowLibyamlLineBreaks() {
        let source = YAMLSource(name: "b.yaml", bytes: [0xEF, 0xBB, 0xBF] + Array("a\rb\r\nc\u{85}d\u{2028}é\nf".utf8))
        #expect((1...7).map { source.line($0) } == ["a", "b", "c", "d", "é", "f", nil])
        #expect(source.mark(atByteOffset: 3) == YAMLMark(line: 1, column: 1))
        #expect(source.mark(atByteOffset: 6) == YAMLMark(line: 2, column: 2))
        let eAcute = source.bytes.count - 4
        #expect(source.mark(atByteOffset: eAcute) == YAMLMark(line: 5, column: 1))
        #expect(source.mark(atByteOffset: eAcute + 2) == YAMLMark(line: 5, column: 2))
    }

    @Test func semanticErrorSkipsOnlyItsDocument() throws {
        let reader = YAMLDocumentReader(YAMLSource(name: "t.yaml", text: "a: 1\n---\nb: 1\nb: 2\n---\nc: 3\n"))
        #expect(try reader.next()?.jsonValue() == ["a": 1])
        #expect(throws: YAMLError.self) { try reader.next() }
        let third = try #require(try reader.next())
        #expect(third.index == 2)
        #expect(try third.jsonValue() == ["c": 3])
        #expect(try reader.next() == nil)
    }

    @Test func syntaxErrorIsFinal() throws {
        let reader = YAMLDocumentReader(YAMLSource(name: "t.yaml", text: "a: 1\n---\nb: [\n---\nc: 3\n"))
        #expect(try reader.next()?.jsonValue() == ["a": 1])
        var first: YAMLError?
        do { _ = try reader.next() } catch { first = error }
        var second: YAMLError?
        do { _ = try reader.next() } catch { second = error }
        #expect(first != nil)
        #expect(first == second)
    }

    @Test func aliasBombIsRejectedQuickly() throws {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        // The node budget, not a clock, is the proof: expansion stops at a million nodes
        // (bench/ measures how long that takes).
        let found = try #require(firstError(Array(text.utf8)))
        #expect(found.kind == .expansionLimit)
        // Levels a-f expand to 672,610 nodes; the first alias in g adds 597,871 more.
        #expect(found.headline == "t.yaml:7:8: error: document expands to more than 1000000 nodes (through aliases?)")
    }

    /// Found by the fuzz suite: after the nesting error the reader used to skip the rest of the
    /// document through libyaml, which costs the number of open flow levels on every token
    /// (40,000 brackets took 9 s). The reader now stops at the error, as after a syntax error.
    @Test func aTooDeepDocumentStopsTheReaderAtTheError() throws {
        let depth = 40_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let reader = YAMLDocumentReader(YAMLSource(name: "t.yaml", bytes: Array(text.utf8)))
        #expect(throws: YAMLError.self) { try reader.next() }
        #expect(try reader.next() == nil)
    }

    @Test func aliasDepthCountsTowardsTheLimit() throws {
        let text = "a: &a [[[1]]]\nb: [[*a]]\n"
        let error = try #require(firstError(Array(text.utf8), limits: YAMLLimits(maxDepth: 5)))
        #expect(error.headline == "t.yaml:2:6: error: document nesting exceeds the limit of 5 levels")
        #expect(firstError(Array(text.utf8), limits: YAMLLimits(maxDepth: 6)) == nil)
    }

    @Test func nestingAtTheLimitIsAccepted() throws {
        let text = String(repeating: "[", count: 1000) + "x" + String(repeating: "]", count: 1000)
        let values = try readJSON(text)
        var value = try #require(values.first ?? nil)
        var depth = 0
        while case .array(let items) = value, let first = items.first {
            value = first
            depth += 1
        }
        #expect(depth == 1000)
        #expect(value == "x")
        let yaml = YAMLEmitter.kubectl(try #require(values.first ?? nil))
        #expect(yaml.hasPrefix(String(repeating: "- ", count: 1000) + "x\n"))
    }
}

@Suite struct ErrorExcerptTests {
    @Test func shortLinesAreShownWhole() {
        #expect(YAMLError.excerpt(of: "a:\tb", column: 4) == "a:\tb\n  \t^")
    }

    @Test func longLinesAreAWindowAroundTheColumn() {
        let line = String(repeating: "a", count: 500) + "X" + String(repeating: "b", count: 500)
        let excerpt = YAMLError.excerpt(of: line, column: 501)
        let lines = excerpt.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("...") && lines[0].hasSuffix("..."))
        #expect(lines[0].count == YAMLError.excerptWidth + 6)
        let caret = lines[1].count - 1
        #expect(Array(lines[0])[caret] == "X")
        // At either end the window stays inside the line.
        #expect(YAMLError.excerpt(of: line, column: 1).hasPrefix("aaa"))
        #expect(YAMLError.excerpt(of: line, column: 1001).split(separator: "\n")[0].hasSuffix("bbb"))
    }
}
