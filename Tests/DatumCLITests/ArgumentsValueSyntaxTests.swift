import DatumCLI
import DatumJSON
import Testing

/// Expected values are Go's own results for the same inputs (strconv and time packages).
@Suite struct ArgumentsValueSyntaxTests {
    static let bools: [(String, Bool?)] = [
        ("1", true), ("t", true), ("T", true), ("TRUE", true), ("true", true), ("True", true),
        ("0", false), ("f", false), ("F", false), ("FALSE", false), ("false", false), ("False", false),
        ("yes", nil), ("tRUE", nil), ("", nil), (" true", nil),
    ]

    @Test(arguments: bools)
    func parsesBooleansLikeStrconv(_ text: String, expected: Bool?) {
        switch GoValueSyntax.parseBool(text) {
        case .success(let value): #expect(value == expected)
        case .failure(let error):
            #expect(expected == nil)
            #expect(error.message == "strconv.ParseBool: parsing \(GoFormat.quote(text)): invalid syntax")
        }
    }

    static let ints: [(String, Int64?, String?)] = [
        ("0", 0, nil), ("42", 42, nil), ("-1", -1, nil), ("+7", 7, nil),
        ("0x1F", 31, nil), ("0X1f", 31, nil), ("0o17", 15, nil), ("017", 15, nil), ("0b101", 5, nil),
        ("1_000", 1000, nil), ("0x_1F", 31, nil), ("-0b1_0", -2, nil),
        ("9223372036854775807", Int64.max, nil), ("-9223372036854775808", Int64.min, nil),
        ("9223372036854775808", nil, "value out of range"), ("-9223372036854775809", nil, "value out of range"),
        ("99999999999999999999x", nil, "value out of range"),
        ("", nil, "invalid syntax"), ("-", nil, "invalid syntax"), ("abc", nil, "invalid syntax"),
        ("08", nil, "invalid syntax"), ("0x", nil, "invalid syntax"), ("1__0", nil, "invalid syntax"),
        ("_1", nil, "invalid syntax"), ("1_", nil, "invalid syntax"), ("1.5", nil, "invalid syntax"),
        (" 1", nil, "invalid syntax"), ("١", nil, "invalid syntax"),
    ]

    @Test(arguments: ints)
    func parsesIntegersLikeParseIntBaseZero(_ text: String, expected: Int64?, failure: String?) {
        switch GoValueSyntax.parseInt(text) {
        case .success(let value):
            #expect(value == expected)
            #expect(failure == nil)
        case .failure(let error):
            #expect(expected == nil)
            #expect(error.message == "strconv.ParseInt: parsing \(GoFormat.quote(text)): \(failure ?? "")")
        }
    }

    static let durations: [(String, Duration?, String?)] = [
        ("0", .zero, nil), ("-0", .zero, nil), ("+0", .zero, nil), ("0s", .zero, nil),
        ("30s", .seconds(30), nil), ("1m", .seconds(60), nil), ("1m30s", .seconds(90), nil),
        ("1.5h", .seconds(5400), nil), (".5s", .milliseconds(500), nil), ("1.s", .seconds(1), nil),
        ("-1.5m", .seconds(-90), nil), ("300ms", .milliseconds(300), nil), ("2h45m", .seconds(9900), nil),
        ("10us", .microseconds(10), nil), ("10µs", .microseconds(10), nil), ("10μs", .microseconds(10), nil),
        ("7ns", .nanoseconds(7), nil), ("1h1h", .seconds(7200), nil),
        ("1.0000000000000000000001s", .seconds(1), nil),
        ("2562047h47m16.854775807s", .nanoseconds(Int64.max), nil),
        ("-2562047h47m16.854775808s", .nanoseconds(Int64.min), nil),
        ("", nil, #"time: invalid duration """#), ("abc", nil, #"time: invalid duration "abc""#),
        (".s", nil, #"time: invalid duration ".s""#), ("-", nil, #"time: invalid duration "-""#),
        ("1", nil, #"time: missing unit in duration "1""#), ("1.5", nil, #"time: missing unit in duration "1.5""#),
        ("1d", nil, #"time: unknown unit "d" in duration "1d""#),
        ("1sec", nil, #"time: unknown unit "sec" in duration "1sec""#),
        ("1é", nil, #"time: unknown unit "\xc3\xa9" in duration "1\xc3\xa9""#),
        ("2562047h47m16.854775808s", nil, #"time: invalid duration "2562047h47m16.854775808s""#),
        ("9999999999999999999h", nil, #"time: invalid duration "9999999999999999999h""#),
        ("1s ", nil, #"time: unknown unit "s " in duration "1s ""#),
    ]

    @Test(arguments: durations)
    func parsesDurationsLikeTimePackage(_ text: String, expected: Duration?, failure: String?) {
        switch GoValueSyntax.parseDuration(text) {
        case .success(let value):
            #expect(value == expected)
            #expect(failure == nil)
        case .failure(let error):
            #expect(expected == nil)
            #expect(error.message == failure)
        }
    }

    static let quotes: [(String, String)] = [
        ("plain", #""plain""#), (#"say "hi""#, #""say \"hi\"""#), (#"a\b"#, #""a\\b""#),
        ("tab\there", #""tab\there""#), ("line\n", #""line\n""#), ("\u{1B}[0m", #""\x1b[0m""#),
        ("\u{7F}", #""\x7f""#), ("\u{85}", #""\u0085""#), ("café", #""café""#),
    ]

    @Test(arguments: quotes)
    func quotesLikeStrconvQuote(_ text: String, expected: String) {
        #expect(GoFormat.quote(text) == expected)
    }
}
