/// Go's `time.Parse` for the two layouts Kubernetes parses text with: `time.RFC3339`
/// (`2006-01-02T15:04:05Z07:00`, how `metav1.Time` decodes) and `2006-01-02` (the OpenAPI
/// `date` format, also the date part of `date-time`).
///
/// It follows Go 1.23's general parser step by step, so it accepts and refuses exactly what Go
/// does and words the refusal the same (`Tests/DatumKitTests/Fixtures/go-time-parse.json` holds
/// Go's own verdicts): four-digit years only (no sign), month 1–12, the day checked against the
/// month and leap years, hour 0–23 (one digit allowed), minute and second 0–59 (no leap second),
/// an optional `.` or `,` fraction, `Z` or `±hh:mm` with hh ≤ 24 and mm ≤ 60, nothing after.
public enum GoTimeParse {
    public enum Layout: Sendable {
        case rfc3339
        case date

        /// The layout string Go quotes in its errors.
        var text: String {
            switch self {
            case .rfc3339: return "2006-01-02T15:04:05Z07:00"
            case .date: return "2006-01-02"
            }
        }

        /// Go's `nextStdChunk` walk over the layout: literal prefix, then the element.
        fileprivate var steps: [(prefix: String, element: Element?)] {
            switch self {
            case .rfc3339:
                return [
                    ("", .year), ("-", .month), ("-", .day), ("T", .hour), (":", .minute), (":", .second), ("", .zone),
                    ("", nil),
                ]
            case .date:
                return [("", .year), ("-", .month), ("-", .day), ("", nil)]
            }
        }
    }

    /// A parsed instant.
    public struct Time: Sendable, Equatable {
        public var unixSeconds: Int64
        public var nanoseconds: Int
    }

    /// Go's `*time.ParseError`, as its `Error()` prints it.
    public struct ParseError: Error, Sendable, Equatable {
        public var message: String
    }

    fileprivate enum Element {
        case year, month, day, hour, minute, second, zone

        var layoutText: String {
            switch self {
            case .year: return "2006"
            case .month: return "01"
            case .day: return "02"
            case .hour: return "15"
            case .minute: return "04"
            case .second: return "05"
            case .zone: return "Z07:00"
            }
        }
    }

    public static func parse(_ text: String, layout: Layout) -> Result<Time, ParseError> {
        let all = Array(text.utf8)
        var value = all[...]
        var year = 0
        var month = -1
        var day = -1
        var hour = 0
        var minute = 0
        var second = 0
        var nanoseconds = 0
        var offset = 0

        func cannotParse(_ rest: ArraySlice<UInt8>, as element: String) -> Result<Time, ParseError> {
            .failure(
                ParseError(
                    message: "parsing time \(quote(all[...])) as \(quote(Array(layout.text.utf8)[...])): cannot parse "
                        + "\(quote(rest)) as \(quote(Array(element.utf8)[...]))"))
        }
        func failure(_ message: String) -> Result<Time, ParseError> {
            .failure(ParseError(message: "parsing time \(quote(all[...]))" + message))
        }

        for (prefix, element) in layout.steps {
            for expected in prefix.utf8 {
                guard value.first == expected else { return cannotParse(value, as: prefix) }
                value = value.dropFirst()
            }
            guard let element else {
                if !value.isEmpty { return failure(": extra text: " + quote(value)) }
                break
            }
            let hold = value
            var bad = false
            var outOfRange: String?
            switch element {
            case .year:
                if value.count < 4 || !isDigit(value, 0) {
                    bad = true
                } else if let number = digits(value.prefix(4)) {
                    year = number
                    value = value.dropFirst(4)
                } else {
                    bad = true
                }
            case .month:
                if let (number, rest) = getnum(value, fixed: true) {
                    month = number
                    value = rest
                    if month <= 0 || month > 12 { outOfRange = "month" }
                } else {
                    bad = true
                }
            case .day:
                // Any two digits here; the day is checked against the month at the end.
                if let (number, rest) = getnum(value, fixed: true) {
                    day = number
                    value = rest
                } else {
                    bad = true
                }
            case .hour:
                if let (number, rest) = getnum(value, fixed: false) {
                    hour = number
                    value = rest
                    if hour >= 24 { outOfRange = "hour" }
                } else {
                    bad = true
                }
            case .minute:
                if let (number, rest) = getnum(value, fixed: true) {
                    minute = number
                    value = rest
                    if minute >= 60 { outOfRange = "minute" }
                } else {
                    bad = true
                }
            case .second:
                guard let (number, rest) = getnum(value, fixed: true) else {
                    bad = true
                    break
                }
                second = number
                value = rest
                if second >= 60 {
                    outOfRange = "second"
                    break
                }
                // A fraction the layout does not name is taken all the same, up to nanoseconds.
                if value.count >= 2, value.first == UInt8(ascii: ".") || value.first == UInt8(ascii: ","),
                    isDigit(value, 1)
                {
                    var count = 2
                    while count < value.count && isDigit(value, count) { count += 1 }
                    let kept = value.dropFirst().prefix(min(count, 10) - 1)
                    nanoseconds = (digits(kept) ?? 0) * power10(10 - min(count, 10))
                    value = value.dropFirst(count)
                }
            case .zone:
                if value.first == UInt8(ascii: "Z") {
                    value = value.dropFirst()
                    break
                }
                guard value.count >= 6, value[value.startIndex + 3] == UInt8(ascii: ":") else {
                    bad = true
                    break
                }
                let start = value.startIndex
                let sign = value[start]
                let hours = getnum(value[(start + 1)..<(start + 3)], fixed: true)
                let minutes = getnum(value[(start + 4)..<(start + 6)], fixed: true)
                value = value.dropFirst(6)
                // Go reads the minutes only when the hours were digits.
                let hh = hours?.0 ?? 0
                let mm = hours == nil ? 0 : minutes?.0 ?? 0
                if hh > 24 { outOfRange = "time zone offset hour" }
                if mm > 60 { outOfRange = "time zone offset minute" }
                offset = (hh * 60 + mm) * 60
                if hours == nil || minutes == nil { bad = true }
                switch sign {
                case UInt8(ascii: "+"): break
                case UInt8(ascii: "-"): offset = -offset
                default: bad = true
                }
            }
            if let outOfRange { return failure(": \(outOfRange) out of range") }
            if bad { return cannotParse(hold, as: element.layoutText) }
        }
        if month < 0 { month = 1 }
        if day < 0 { day = 1 }
        guard day >= 1, day <= daysIn(month: month, year: year) else { return failure(": day out of range") }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return .success(Time(unixSeconds: seconds, nanoseconds: nanoseconds))
    }

    /// Days in a month of the proleptic Gregorian calendar.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func isDigit(_ bytes: ArraySlice<UInt8>, _ offset: Int) -> Bool {
        guard offset < bytes.count else { return false }
        let b = bytes[bytes.startIndex + offset]
        return b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }

    /// The value of a run made only of digits (at most 10 of them here), else nil.
    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var number = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            number = number * 10 + Int(b - UInt8(ascii: "0"))
        }
        return number
    }

    /// Go's `getnum`: one or two leading digits (`fixed` requires two).
    private static func getnum(_ bytes: ArraySlice<UInt8>, fixed: Bool) -> (Int, ArraySlice<UInt8>)? {
        guard isDigit(bytes, 0) else { return nil }
        let first = Int(bytes[bytes.startIndex] - UInt8(ascii: "0"))
        guard isDigit(bytes, 1) else { return fixed ? nil : (first, bytes.dropFirst()) }
        return (first * 10 + Int(bytes[bytes.startIndex + 1] - UInt8(ascii: "0")), bytes.dropFirst(2))
    }

    private static func power10(_ exponent: Int) -> Int {
        var result = 1
        for _ in 0..<max(0, exponent) { result *= 10 }
        return result
    }

    /// Go's `time.quote`: `"` and `\` escaped, control and non-ASCII bytes as `\xNN`.
    static func quote(_ bytes: ArraySlice<UInt8>) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in bytes {
            if b >= 0x80 || b < 0x20 {
                out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
            } else {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date of day `days` since 1970-01-01 (proleptic Gregorian), the inverse of `daysFromCivil`.
    public static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
