import Testing

@testable import GoCompat

/// `strings.TrimSpace` and Go's reading of bytes that are not UTF-8, against
/// `Fixtures/go-strings.json`, recorded from Go 1.23.
@Suite struct GoStringsTests {
    struct Fixture: Decodable {
        var trimSpace: [Pair]
        var utf8: [Pair]
    }

    static let fixture = GoFixtures.load(Fixture.self, from: "go-strings.json")

    @Test func theRecordingIsThere() throws {
        #expect(try #require(Self.fixture).utf8.count > 10)
    }

    @Test(arguments: fixture?.trimSpace ?? [])
    func trimSpaceAsGo(_ row: Pair) {
        #expect(row.input.trimmingGoWhitespace() == row.output)
    }

    /// Each byte `utf8.DecodeRune` refuses becomes one U+FFFD.
    @Test(arguments: fixture?.utf8 ?? [])
    func repairsUTF8AsGo(_ row: Pair) {
        #expect(GoFixtures.hex(GoUTF8.repaired(GoFixtures.bytes(hex: row.input))) == row.output)
    }
}

/// go-yaml v2's map key order, with kubectl 1.32 as the referee: `Fixtures/kubectl-yaml-key-order.json`
/// holds the order kubectl printed each key set in (`-o yaml`), recorded by `Fixtures/record`.
@Suite struct GoKeyOrderTests {
    struct Fixture: Decodable {
        var orders: [[String]]
    }

    static let orders = GoFixtures.load(Fixture.self, from: "kubectl-yaml-key-order.json")?.orders ?? []

    @Test func theRecordingIsThere() {
        #expect(Self.orders.count == 6)
    }

    @Test(arguments: orders)
    func sortsAsKubectlPrints(_ order: [String]) {
        #expect(GoKeyOrder.sorted(order.reversed()) == order)
        #expect(GoKeyOrder.sorted(order.sorted()) == order)
    }
}
