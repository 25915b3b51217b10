extension YAMLNode {
    /// The node at a Kubernetes field path (`spec.targetRefs[0].name`), or nil.
    ///
    /// Keys match by their JSON form (`1` matches `"1"`), and `<<` merges are
    /// followed with go-yaml v2's precedence, so the node found is the one whose
    /// value the JSON holds.
    public func node(atPath components: [YAMLPathComponent]) -> YAMLNode? {
        var current = self
        for component in components {
            guard let next = current.child(component)?.value else { return nil }
            current = next
        }
        return current
    }

    /// For a path ending in `.key`, the key node itself (where to point at an unknown
    /// or duplicated field); for a path ending in `.index`, the element.
    public func keyNode(atPath components: [YAMLPathComponent]) -> YAMLNode? {
        guard let last = components.last else { return self }
        guard let parent = node(atPath: Array(components.dropLast())), let child = parent.child(last) else {
            return nil
        }
        return child.key ?? child.value
    }

    private func child(_ component: YAMLPathComponent) -> (key: YAMLNode?, value: YAMLNode)? {
        switch (component, content) {
        case (.index(let i), .sequence(let items)):
            return items.indices.contains(i) ? (nil, items[i]) : nil
        case (.key(let name), .mapping):
            return lookup(name).map { ($0.key, $0.value) }
        default:
            return nil
        }
    }

    /// The pair that supplies `name` after merges, following document order: a later
    /// explicit key or merge overrides an earlier one.
    private func lookup(_ name: String) -> YAMLNodePair? {
        guard case .mapping(let pairs) = content else { return nil }
        var found: YAMLNodePair?
        for pair in pairs {
            if pair.key.isMergeKey {
                if let merged = pair.value.mergedLookup(name) { found = merged }
            } else if pair.key.jsonKeyIfValid == name {
                found = pair
            }
        }
        return found
    }

    private func mergedLookup(_ name: String) -> YAMLNodePair? {
        switch content {
        case .mapping:
            return lookup(name)
        case .sequence(let items):
            // Earlier maps take precedence.
            for item in items {
                if let pair = item.lookup(name) { return pair }
            }
            return nil
        case .scalar:
            return nil
        }
    }
}

extension YAMLPathComponent {
    /// Splits `spec.targetRefs[0].name` into components. Keys containing `.` or `[`
    /// cannot be written this way; build the array directly for those.
    public static func parse(_ path: String) -> [YAMLPathComponent] {
        var components: [YAMLPathComponent] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: true) {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                let key = rest[..<bracket]
                if !key.isEmpty { components.append(.key(String(key))) }
                rest = rest[bracket...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    let inner = rest[rest.index(after: rest.startIndex)..<close]
                    if let index = Int(inner) {
                        components.append(.index(index))
                    } else {
                        components.append(.key(String(inner)))
                    }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                components.append(.key(String(rest)))
            }
        }
        return components
    }
}
