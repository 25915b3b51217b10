import DatumKit

/// A path below a project's control plane, split into percent-decoded segments, refusing the
/// shapes that would name an object other than the one written.
///
/// kube-apiserver's router (go-restful) splits the decoded path at `/`: an encoded slash
/// (`%2F`, `%2f`) becomes a separator there and matches no route, and so does an empty segment
/// inside the path (`a//b`); both are `404 page not found`. A dot segment (`.`, `..`, also
/// encoded as `%2e`) is never resolved: as an object name the storage layer refuses it
/// (``ResourceHandler``: `400 Name parameter invalid`), anywhere else it names nothing (404).
/// One trailing slash is allowed, as kube-apiserver trims it; after an object name the
/// sandbox is stricter (404): `DELETE .../namespaces/team/` is what a client that resolved
/// `configmaps/..` sends, and it must not delete the namespace.
struct RequestPath: Equatable {
    /// The decoded segments, without the empty ones a leading or trailing slash leaves.
    var segments: [String]
    /// Whether the path ended with `/` (other than the root path `/`).
    var trailingSlash: Bool

    /// `nil` for a path with an empty segment inside it or a segment that decodes to one with a `/`.
    init?(_ raw: String) {
        var parts = raw.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        trailingSlash = parts.count > 1 && parts.last == ""
        if trailingSlash || parts == [""] { parts.removeLast() }
        guard !parts.contains(where: \.isEmpty) else { return nil }
        segments = parts.map(Self.decode)
        guard !segments.contains(where: { $0.utf8.contains(UInt8(ascii: "/")) }) else { return nil }
    }

    /// Whether a decoded segment is `.` or `..`.
    static func isDotSegment(_ segment: String) -> Bool {
        segment == "." || segment == ".."
    }

    /// Percent-decoding of one path segment. Unlike a query, `+` is a plus sign here; an
    /// invalid escape is kept as it is (the name check then refuses its `%`).
    static func decode(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2, let hi = hexValue(bytes[bytes.startIndex]),
                let lo = hexValue(bytes[bytes.startIndex + 1])
            {
                out.append(hi << 4 | lo)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
