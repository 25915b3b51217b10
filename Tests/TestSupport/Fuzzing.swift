#if canImport(Glibc)
    import Glibc
#endif

/// SplitMix64: a fixed seed gives the same corpus on every run and machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How much the standing fuzz suites run. CI uses the defaults (a few thousand cases, fixed
/// seed, well under two minutes); `bench/fuzz.sh` raises them for a long run:
///
/// - `DATUMCTL_FUZZ_SCALE`: a multiplier for every suite's case count (default 1).
/// - `DATUMCTL_FUZZ_SEED`: the seed (decimal or 0x hex); the default is fixed so runs repeat.
///
/// A failure message always names the seed and case number, so a long run's finding can be
/// replayed and turned into a regression test.
public enum FuzzSettings {
    public static let defaultSeed: UInt64 = 0x00D4_7C71_F022

    public static var seed: UInt64 {
        guard let text = variable("DATUMCTL_FUZZ_SEED") else { return defaultSeed }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) ?? defaultSeed }
        return UInt64(text) ?? defaultSeed
    }

    public static var scale: Int {
        guard let text = variable("DATUMCTL_FUZZ_SCALE"), let value = Int(text), value > 0 else { return 1 }
        return min(value, 10_000)
    }

    /// `base` cases times the scale.
    public static func cases(_ base: Int) -> Int { base * scale }

    private static func variable(_ name: String) -> String? {
        guard let pointer = getenv(name) else { return nil }
        let text = String(cString: pointer)
        return text.isEmpty ? nil : text
    }
}

/// Byte-level mutations of a seed input: flips, insertions of hostile fragments, truncation,
/// duplication and deletion of slices.
public struct ByteMutator: Sendable {
    /// Fragments spliced into inputs (tokens of the format under test, control bytes, invalid UTF-8).
    public var fragments: [[UInt8]]

    public init(fragments: [String], rawFragments: [[UInt8]] = ByteMutator.hostileBytes) {
        self.fragments = fragments.map { Array($0.utf8) } + rawFragments
    }

    /// NUL, CR LF, a BOM, lone continuation bytes, an overlong encoding, a surrogate, U+0085, U+2028.
    public static let hostileBytes: [[UInt8]] = [
        [0x00], [0x0D, 0x0A], [0x0D], [0xEF, 0xBB, 0xBF], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF],
        [0xC2, 0x85], [0xE2, 0x80, 0xA8], [0x09], [0x1B],
    ]

    /// One to `maxSteps` mutations of `input`.
    public func mutate(_ input: [UInt8], maxSteps: Int = 4, using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...max(1, maxSteps), using: &random) {
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty:
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] ^= UInt8(truncatingIfNeeded: 1 << Int.random(in: 0..<8, using: &random))
            case 1 where !fragments.isEmpty:
                let index = Int.random(in: 0...bytes.count, using: &random)
                let fragment = fragments[Int.random(in: 0..<fragments.count, using: &random)]
                bytes.insert(contentsOf: fragment, at: index)
            case 2 where !bytes.isEmpty:
                bytes.removeLast(Int.random(in: 0..<bytes.count, using: &random))
            case 3 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = Int.random(in: start...min(bytes.count, start + 64), using: &random)
                bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &random))
            case 4 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = Int.random(in: start...min(bytes.count, start + 16), using: &random)
                bytes.removeSubrange(start..<end)
            default:
                let index = Int.random(in: 0...bytes.count, using: &random)
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
            }
        }
        return bytes
    }
}
