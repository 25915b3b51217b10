import DatumJSON

/// A position in YAML text: 1-based line and 1-based column counted in Unicode scalars.
///
/// libyaml counts columns in characters, not bytes, so `é` advances the column by one.
public struct YAMLMark: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`, the form used in diagnostics.
    public var description: String { "\(line):\(column)" }
}

/// YAML text to read, with the name diagnostics show (`policy.yaml`, `<stdin>`).
public struct YAMLSource: Sendable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public init(name: String, text: String) {
        self.name = name
        self.bytes = Array(text.utf8)
    }
}

/// How a scalar was written in the source.
public enum YAMLScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// Bounds that keep hostile input from exhausting time, memory or the stack.
public struct YAMLLimits: Sendable, Hashable {
    /// Nodes one document may expand to once every alias is counted as a copy of its anchor.
    public var maxExpandedNodes: Int
    /// Deepest nesting of collections, aliases included.
    public var maxDepth: Int

    public init(maxExpandedNodes: Int = 1_000_000, maxDepth: Int = 1_000) {
        self.maxExpandedNodes = maxExpandedNodes
        self.maxDepth = maxDepth
    }

    public static let `default` = YAMLLimits()
}

/// One node of a composed YAML document, with its source span.
///
/// Aliases are already replaced by (copy-on-write) copies of their anchored
/// node, so consumers never see anchors or aliases.
public struct YAMLNode: Sendable {
    /// What the node holds.
    public enum Content: Sendable {
        case scalar(String, YAMLScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLNodePair])
    }

    public var content: Content
    /// The explicit tag as libyaml resolved it (`tag:yaml.org,2002:str` for `!!str`), nil if none.
    public var tag: String?
    public var start: YAMLMark
    public var end: YAMLMark

    public init(content: Content, tag: String? = nil, start: YAMLMark, end: YAMLMark) {
        self.content = content
        self.tag = tag
        self.start = start
        self.end = end
    }

    /// The scalar text, or nil for collections.
    public var scalarText: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }
}

/// A key and its value in a mapping node, in source order.
public struct YAMLNodePair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// One document of a YAML stream.
public struct YAMLDocument: Sendable {
    /// 0-based position within the stream.
    public var index: Int
    /// The root node; nil for an empty document (`---` alone).
    public var root: YAMLNode?
    /// Where the document starts (its `---`, or its first token).
    public var start: YAMLMark
    /// The text the document came from; errors use it to show the offending line.
    public var source: YAMLSource

    public init(index: Int, root: YAMLNode?, start: YAMLMark, source: YAMLSource) {
        self.index = index
        self.root = root
        self.start = start
        self.source = source
    }

    /// The document as JSON (`nil` for an empty document), resolved the way kubectl does;
    /// errors carry the source name and line.
    public func jsonValue() throws(YAMLError) -> JSONValue? {
        guard let root else { return nil }
        do {
            return try root.jsonValue()
        } catch {
            throw source.locate(error)
        }
    }
}

/// One step of a Kubernetes field path such as `spec.targetRefs[0].name`.
public enum YAMLPathComponent: Sendable, Hashable {
    case key(String)
    case index(Int)
}
