import DatumJSON

/// Builds one document's node tree from parser events, without recursion.
///
/// Keeps, per anchor, the node plus its expanded size and height, so aliases
/// are checked against the limits by arithmetic rather than by copying.
struct Composer {
    private struct Anchored {
        var node: YAMLNode
        var size: Int
        var height: Int
    }

    /// An open collection waiting for its children.
    private struct Frame {
        var isMapping: Bool
        var tag: String?
        var anchor: String?
        var start: YAMLMark
        var items: [YAMLNode] = []
        var pairs: [YAMLNodePair] = []
        var pendingKey: YAMLNode?
        /// JSON key → where it was written, built only once a mapping grows past a few keys.
        var keyIndex: [String: YAMLMark]?
        /// Nodes this collection expands to, itself included.
        var size = 1
        /// Collection levels from this one down to its deepest child collection.
        var height = 1

        init(isMapping: Bool, tag: String?, anchor: String?, start: YAMLMark) {
            self.isMapping = isMapping
            self.tag = tag
            self.anchor = anchor
            self.start = start
        }
    }

    private let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var openAnchors: [String: Int] = [:]
    private var expandedNodes = 0
    private(set) var root: YAMLNode?
    private(set) var rootHadAnchor = false

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    mutating func consume(_ event: consuming ParserEvent) throws(YAMLError) {
        switch consume event {
        case .scalar(let text, let style, let tag, let anchor, let start, let end):
            try count(1, at: start)
            let node = YAMLNode(content: .scalar(text, style), tag: tag, start: start, end: end)
            try complete(node, size: 1, height: 0, anchor: anchor)
        case .sequenceStart(let tag, let anchor, let start):
            try open(Frame(isMapping: false, tag: tag, anchor: anchor, start: start))
        case .mappingStart(let tag, let anchor, let start):
            try open(Frame(isMapping: true, tag: tag, anchor: anchor, start: start))
        case .sequenceEnd(let end), .mappingEnd(let end):
            guard let frame = stack.popLast() else { return }
            if let anchor = frame.anchor { openAnchors[anchor, default: 1] -= 1 }
            let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
            let node = YAMLNode(content: content, tag: frame.tag, start: frame.start, end: end)
            try complete(node, size: frame.size, height: frame.height, anchor: frame.anchor)
        case .alias(let name, let start, let end):
            guard let anchored = anchors[name] else {
                if openAnchors[name, default: 0] > 0 {
                    throw YAMLError(
                        kind: .recursiveAlias, mark: start, message: "anchor \"\(name)\" value contains itself")
                }
                throw YAMLError(kind: .unknownAnchor, mark: start, message: "unknown anchor \"\(name)\" referenced")
            }
            if stack.count + anchored.height > limits.maxDepth {
                throw depthError(at: start)
            }
            try count(anchored.size, at: start)
            // The copy's own span is the alias, so errors about it point where it is used.
            var copy = anchored.node
            copy.start = start
            copy.end = end
            try complete(copy, size: anchored.size, height: anchored.height, anchor: nil)
        case .streamStart, .streamEnd, .documentStart, .documentEnd, .none:
            break
        }
    }

    private mutating func open(_ frame: Frame) throws(YAMLError) {
        if stack.count + 1 > limits.maxDepth { throw depthError(at: frame.start) }
        try count(1, at: frame.start)
        if let anchor = frame.anchor { openAnchors[anchor, default: 0] += 1 }
        stack.append(frame)
    }

    private func depthError(at mark: YAMLMark) -> YAMLError {
        YAMLError(
            kind: .depthLimit, mark: mark, message: "document nesting exceeds the limit of \(limits.maxDepth) levels")
    }

    private mutating func count(_ nodes: Int, at mark: YAMLMark) throws(YAMLError) {
        expandedNodes += nodes
        if expandedNodes > limits.maxExpandedNodes {
            throw YAMLError(
                kind: .expansionLimit, mark: mark,
                message: "document expands to more than \(limits.maxExpandedNodes) nodes (through aliases?)")
        }
    }

    private mutating func complete(_ node: consuming YAMLNode, size: Int, height: Int, anchor: String?)
        throws(YAMLError)
    {
        if let anchor { anchors[anchor] = Anchored(node: copy node, size: size, height: height) }
        guard !stack.isEmpty else {
            root = node
            rootHadAnchor = anchor != nil
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        stack[top].height = max(stack[top].height, height + 1)
        if !stack[top].isMapping {
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey.take() else {
            try checkDuplicate(node, in: top)
            stack[top].pendingKey = node
            return
        }
        stack[top].pairs.append(YAMLNodePair(key: key, value: node))
    }

    /// Rejects a key that turns into the same JSON key as an earlier one (`1` and `"1"` too).
    ///
    /// Small mappings, the common case, are scanned without allocating; larger ones get
    /// a dictionary.
    private mutating func checkDuplicate(_ key: YAMLNode, in top: Int) throws(YAMLError) {
        guard let name = key.duplicateCheckName else { return }
        if stack[top].keyIndex == nil {
            let pairs = stack[top].pairs
            if pairs.count < 12 {
                for pair in pairs where pair.key.duplicateCheckName == name {
                    throw duplicateError(name, key.start, pair.key.start)
                }
                return
            }
            var index: [String: YAMLMark] = [:]
            index.reserveCapacity(pairs.count * 2)
            for pair in pairs {
                if let existing = pair.key.duplicateCheckName, index[existing] == nil {
                    index[existing] = pair.key.start
                }
            }
            stack[top].keyIndex = index
        }
        if let first = stack[top].keyIndex?[name] { throw duplicateError(name, key.start, first) }
        stack[top].keyIndex?[name] = key.start
    }

    private func duplicateError(_ name: String, _ mark: YAMLMark, _ first: YAMLMark) -> YAMLError {
        YAMLError(
            kind: .duplicateKey, mark: mark,
            message: "duplicate key \(GoJSONEncoder.quote(name, escapeHTML: false)); first defined at \(first)")
    }
}
