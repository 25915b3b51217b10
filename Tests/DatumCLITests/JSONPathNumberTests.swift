import DatumJSON
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
