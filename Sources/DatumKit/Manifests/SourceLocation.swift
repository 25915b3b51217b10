import DatumYAML

/// A place in a user's file: `policy.yaml:12:7` (1-based line and column, columns in characters).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public init(file: String, mark: YAMLMark) {
        self.init(file: file, line: mark.line, column: mark.column)
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A manifest that could not be read or understood, pointing at where.
public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?
    /// The offending source line and a caret under the column, when known.
    public var excerpt: String?
    /// 0-based index of the document within its file, when the error belongs to one.
    public var documentIndex: Int?

    public init(message: String, location: SourceLocation? = nil, excerpt: String? = nil, documentIndex: Int? = nil) {
        self.message = message
        self.location = location
        self.excerpt = excerpt
        self.documentIndex = documentIndex
    }

    init(_ error: YAMLError, file: String, documentIndex: Int?) {
        message = error.message
        location = error.mark.map { SourceLocation(file: file, mark: $0) }
        // YAMLError renders "headline\nline\ncaret"; keep the part after the headline.
        let rendered = error.description
        if let newline = rendered.firstIndex(of: "\n") {
            excerpt = String(rendered[rendered.index(after: newline)...])
        }
        self.documentIndex = documentIndex
    }

    /// `policy.yaml:7:3: error: message`, then the excerpt.
    public var description: String {
        var text = (location.map { "\($0): " } ?? "") + "error: " + message
        if let excerpt { text += "\n" + excerpt }
        return text
    }
}
