import DatumJSON
import TestSupport
import Testing

@testable import DatumCLI

/// Array indexes in a JSONPath template (`-o jsonpath`, custom columns, `--sort-by`) at the
/// 64-bit limits. `[i]` is `[i:i+1]` and a slice steps by its third number; both used to trap for
/// values near `Int.max`, killing datumctl on its own command line.
@Suite struct JSONPathNumberTests {
    static let document: JSONValue = ["ints": [3, 1, 2]]

    @Test(arguments: [
        // Go wraps `i+1` to MinInt64 and then reports the start index.
        ("{.ints[9223372036854775807]}", "array index out of bounds: index 9223372036854775807, length 3"),
        ("{.ints[9223372036854775807:]}", "array index out of bounds: index 9223372036854775807, length 3"),
        ("{.ints[-9223372036854775808]}", "array index out of bounds: index -9223372036854775805, length 3"),
        ("{.ints[:-9223372036854775808]}", "array index out of bounds: index -9223372036854775806, length 3"),
        ("{.ints[99999999999999999999]}", "array index 99999999999999999999 is not a number"),
        ("{.ints[0:3:-9223372036854775808]}", "step must be > 0"),
        ("{.ints[0:9223372036854775807:2]}", "array index out of bounds: index 9223372036854775806, length 3"),
    ])
    func indexesAtTheLimitsAreErrors(_ template: String, _ message: String) {
        #expect(throws: PrinterError(message)) {
            try JSONPath(template).execute(Self.document, allowMissingKeys: false)
        }
    }

    @Test(arguments: [
        ("{.ints[1:3:9223372036854775807]}", "1"),
        ("{.ints[0:3:9223372036854775807]}", "3"),
        ("{.ints[2:3:9223372036854775806]}", "2"),
        ("{.ints[-1:]}", "2"),
    ])
    func stepsNearIntMaxEndTheSlice(_ template: String, _ expected: String) throws {
        #expect(try JSONPath(template).execute(Self.document) == expected)
    }

    @Test func sortByWithAHugeIndexIsAnErrorNotATrap() {
        let objects: [JSONValue] = [["a": [1]], ["a": [2]]]
        #expect(throws: PrinterError.self) { try ResourceSorter.sort(objects, by: "{.a[9223372036854775807]}") }
    }
}

/// `--sort-by` compares strings that look like quantities by value; the exponent of a value such
/// as `1e-9223372036854775808` comes from the server's objects and used to be negated (a trap).
@Suite struct QuantitySortNumberTests {
    @Test func exponentsAtTheLimitsSortWithoutTrapping() throws {
        let objects: [JSONValue] = [
            ["n": "a", "q": "1e9223372036854775807"], ["n": "b", "q": "1e-9223372036854775808"], ["n": "c", "q": "1"],
            ["n": "d", "q": "-1e-9223372036854775808"],
        ]
        let sorted = try ResourceSorter.sort(objects, by: ".q")
        #expect(sorted.map { $0["n"]?.stringValue ?? "" } == ["b", "d", "c", "a"])
    }
}

/// Mutated templates through the JSONPath parser and evaluator, with numbers at the 64-bit
/// limits spliced in. Pass = output or a `PrinterError`, never a trap.
@Suite struct JSONPathFuzzTests {

    static let document: JSONValue = [
        "items": [["a": 1, "s": "xy", "l": [1, 2, 3]], ["a": 2.5, "s": "z", "l": []], ["a": nil]]
    ]
    static let seeds = [
        "{.items[0:3:1].s}", "{range .items[*]}[{.a}]{end}", "{.items[?(@.a>=1)].s}", "{..l[-1:]}",
        "{.items[1]['s']}", "x{.items[*].l[0,2]}y", "{\"lit\\x41\"}{.items[-3].a}",
    ]
    static let numbers = [
        "9223372036854775807", "-9223372036854775808", "9223372036854775806", "-1", "0", "99999999999999999999",
        ":", "::", "1.5", "\\u0041", "\\777", "\\U0010FFFF", "[", "]", "{", "}", "(", "'", "\"",
    ]

    @Test func mutatedTemplatesEvaluateOrFail() {
        var random = SplitMix64(seed: FuzzSettings.seed)
        var printed = 0
        var failed = 0
        for round in 0..<FuzzSettings.cases(5000) {
            var scalars = Array(Self.seeds[round % Self.seeds.count].unicodeScalars)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0...scalars.count, using: &random)
                if Int.random(in: 0..<3, using: &random) == 0, position < scalars.count {
                    scalars.remove(at: position)
                } else {
                    let token = Self.numbers[Int.random(in: 0..<Self.numbers.count, using: &random)]
                    scalars.insert(contentsOf: token.unicodeScalars, at: position)
                }
            }
            var template = String.UnicodeScalarView()
            template.append(contentsOf: scalars)
            do {
                _ = try JSONPath(String(template)).execute(Self.document, allowMissingKeys: round % 2 == 0)
                printed += 1
            } catch {
                failed += 1
            }
        }
        #expect(printed > 100 && failed > 100)
    }
}
