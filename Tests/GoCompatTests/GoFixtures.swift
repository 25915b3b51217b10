import Foundation

/// The fixtures Go recorded (`Fixtures/record`, `Fixtures/recorder/main.go`): Go's own answers, the
/// referee of everything in GoCompat. Decoded with Foundation so these tests need nothing of ours.
enum GoFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func load<T: Decodable>(_ type: T.Type, from name: String) -> T? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent(name)) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    /// Bytes from lower-case hex (the fixtures carry bytes that need not be UTF-8 as hex).
    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// A `[input, output]` pair as the recorder writes it.
struct Pair: Decodable, Sendable, CustomStringConvertible {
    var input: String
    var output: String
    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        input = try container.decode(String.self)
        output = try container.decode(String.self)
    }
    var description: String { input.debugDescription }
}
