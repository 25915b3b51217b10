import Testing

@testable import DatumSandbox

@Suite struct TimestampsTests {
    @Test(arguments: [
        (Int64(0), "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (125, "2m5s"), (600, "10m"), (10_799, "179m"),
        (10_800, "3h"), (11_100, "3h5m"), (28_800, "8h"), (172_800, "2d"), (183_600, "2d3h"), (691_200, "8d"),
        (63_072_000, "2y"), (63_158_400, "2y1d"), (252_288_000, "8y"), (-1, "0s"), (-5, "<invalid>"),
    ])
    func humanDuration(seconds: Int64, expected: String) {
        #expect(Timestamps.humanDuration(seconds: seconds) == expected)
    }

    @Test func formatsAndParsesRFC3339() {
        #expect(Timestamps.format(1_764_182_594) == "2025-11-26T18:43:14Z")
        #expect(Timestamps.parse("2025-11-26T18:43:14Z") == 1_764_182_594)
        #expect(Timestamps.parse("2025-11-26 18:43:14") == nil)
    }
}
