/// A path to a field, rendered like k8s.io/apimachinery's `field.Path`.
///
/// `spec.targetRefs[0].name` for fields and list indexes, `spec.options[key]`
/// for map keys. The empty path stands for Go's nil `*field.Path`, which
/// renders as `<nil>` (the API server uses it for object-level errors).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Element: Sendable, Hashable {
        case field(String)
        case index(Int)
        case key(String)
    }

    public private(set) var elements: [Element]

    public init(_ elements: [Element] = []) {
        self.elements = elements
    }

    /// A path of field names: `FieldPath("spec", "validation")`.
    public init(_ first: String, _ rest: String...) {
        self.elements = [.field(first)] + rest.map(Element.field)
    }

    /// Go's nil path, rendered `<nil>`.
    public static let root = FieldPath()

    public var isRoot: Bool { elements.isEmpty }

    public func child(_ name: String) -> FieldPath {
        var copy = self
        copy.elements.append(.field(name))
        return copy
    }

    public func index(_ i: Int) -> FieldPath {
        var copy = self
        copy.elements.append(.index(i))
        return copy
    }

    public func key(_ k: String) -> FieldPath {
        var copy = self
        copy.elements.append(.key(k))
        return copy
    }

    public var description: String {
        guard !elements.isEmpty else { return "<nil>" }
        var out = ""
        for (i, element) in elements.enumerated() {
            switch element {
            case .field(let name):
                if i > 0 { out += "." }
                out += name
            case .index(let index):
                out += "[\(index)]"
            case .key(let key):
                // field.Path prints keys bare, without quoting.
                out += "[\(key)]"
            }
        }
        return out
    }
}
