import Testing

@testable import DatumKit

@Suite struct KubeTimeTests {
    // MARK: durations (apimachinery's duration package)

    static let humanDurations: [(Double, String)] = [
        (-3, "<invalid>"), (-1.5, "0s"), (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (125, "2m5s"),
        (192, "3m12s"), (599, "9m59s"), (600, "10m"), (179 * 60 + 59, "179m"), (3 * 3600, "3h"), (11_100, "3h5m"),
        (7 * 3600 + 59 * 60, "7h59m"), (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"), (183_600, "2d3h"),
        (7 * 86400 + 23 * 3600, "7d23h"), (8 * 86400, "8d"), (729 * 86400, "729d"), (730 * 86400, "2y"),
        (731 * 86400, "2y1d"), (733 * 86400, "2y3d"), (8 * 365 * 86400, "8y"), (20 * 365 * 86400 + 86400 * 100, "20y"),
    ]

    @Test(arguments: humanDurations)
    func humanDuration(_ seconds: Double, _ expected: String) {
        #expect(HumanDuration.format(seconds: seconds) == expected)
    }

    static let shortDurations: [(Double, String)] = [
        (-2, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (60, "1m"), (119, "1m"), (3599, "59m"), (3600, "1h"),
        (86399, "23h"), (86400, "1d"), (364 * 86400, "364d"), (365 * 86400, "1y"), (800 * 86400, "2y"),
    ]

    @Test(arguments: shortDurations)
    func shortHumanDuration(_ seconds: Double, _ expected: String) {
        #expect(HumanDuration.formatShort(seconds: seconds) == expected)
    }

    // MARK: RFC 3339

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0), ("2026-11-26T12:00:00Z", 1_795_694_400), ("2026-11-26T09:00:10.5Z", 1_795_683_610.5),
        ("2026-11-26T14:00:00+02:00", 1_795_694_400), ("2000-02-29T00:00:00Z", 951_782_400),
        ("2025-11-26T18:43:14Z", 1_764_182_594),
    ])
    func parsesRFC3339(_ text: String, _ expected: Double) {
        #expect(KubeTime.parse(text) == expected)
    }

    @Test(arguments: [
        "", "2026-11-26", "2026-13-01T00:00:00Z", "2026-11-26T12:00:00", "x026-11-26T12:00:00Z", "2025-11-26 18:43:14",
    ])
    func rejectsMalformedTimes(_ text: String) {
        #expect(KubeTime.parse(text) == nil)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"), (1_764_182_594, "2025-11-26T18:43:14Z"), (951_782_400, "2000-02-29T00:00:00Z"),
        (951_868_799, "2000-02-29T23:59:59Z"), (4_102_444_800, "2100-01-01T00:00:00Z"), (-1, "1969-12-31T23:59:59Z"),
    ])
    func formatsAsTheAPIServerWrites(_ seconds: Int64, _ expected: String) {
        #expect(KubeTime.format(seconds) == expected)
        #expect(KubeTime.parse(expected) == Double(seconds))
    }

    @Test func formatAndParseAgreeAcrossFourCenturies() {
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 10_413_792_000 {  // 2300-01-01
            #expect(KubeTime.parse(KubeTime.format(seconds)) == Double(seconds))
            seconds += 86_400 * 37 + 3_661
        }
    }
}
