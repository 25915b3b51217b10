/// A value as Go's `fmt` receives it through an `interface{}`: its dynamic type and contents.
/// Values decoded from JSON (kubectl's unstructured objects) are `int64`, `float64`, `string`,
/// `bool`, `nil`, `[]interface {}` and `map[string]interface {}`; `int` is what text/template
/// makes of an integer literal or `len`.
public enum GoDynamic<Element: GoFormattable> {
    /// A nil `interface{}`.
    case null
    case bool(Bool)
    case int(Int)
    case int64(Int64)
    case float64(Double)
    case string(String)
    /// `[]interface {}`.
    case slice([Element])
    /// `map[string]interface {}`, in any order (fmt sorts the keys).
    case map([(key: String, value: Element)])
}

/// A type whose values `GoSprintf` formats as Go's `fmt` formats the Go value it stands for.
public protocol GoFormattable {
    var goDynamic: GoDynamic<Self> { get }
}

/// `fmt.Sprintf`, `fmt.Sprint` and `%#v` over ``GoFormattable`` values, ported from Go 1.23's
/// `fmt` (print.go, format.go) for the dynamic types in ``GoDynamic``: every verb, flag, width,
/// precision, `*` and `[n]` argument index, and Go's `%!verb(type=value)`, `%!verb(MISSING)`,
/// `%!verb(BADINDEX)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!(NOVERB)` and `%!(EXTRA ...)`.
/// Checked against Go itself (`Tests/GoCompatTests/Fixtures/go-sprintf.json`).
///
/// Two deviations, both for values Go would treat differently only in their address: `%p` of a
/// slice or map prints the bad-verb form (Go prints a pointer), and values nested deeper than
/// ``maximumDepth`` print `...` (Go recurses without limit; no parser here produces them).
public enum GoSprintf {
    /// Nesting beyond this prints `...`.
    public static let maximumDepth = 512

    /// `fmt.Sprintf(format, arguments...)`.
    public static func format<V: GoFormattable>(_ format: String, _ arguments: [V?]) -> String {
        var printer = Printer<V>()
        printer.doPrintf(Array(format.utf8), arguments)
        return printer.text
    }

    /// `fmt.Sprint(value)` / `%v`: `[a b]`, `map[k:v]`, `<nil>`.
    public static func sprint<V: GoFormattable>(_ value: V?) -> String {
        var printer = Printer<V>()
        printer.printArg(value, verb: "v")
        return printer.text
    }

    /// `%#v`: `map[string]interface {}{"a":1}`, `[]interface {}{"x"}`, `interface {}(nil)` inside.
    public static func goSyntax<V: GoFormattable>(_ value: V?) -> String {
        var printer = Printer<V>()
        printer.flags.sharpV = true
        printer.printArg(value, verb: "v")
        return printer.text
    }

    /// Go's name for the value's dynamic type (`%T`): `int64`, `[]interface {}`, `<nil>`.
    public static func typeName<V: GoFormattable>(_ value: V?) -> String {
        guard let value else { return "<nil>" }
        return typeName(value.goDynamic)
    }

    static func typeName<V>(_ dynamic: GoDynamic<V>) -> String {
        switch dynamic {
        case .null: return "<nil>"
        case .bool: return "bool"
        case .int: return "int"
        case .int64: return "int64"
        case .float64: return "float64"
        case .string: return "string"
        case .slice: return "[]interface {}"
        case .map: return "map[string]interface {}"
        }
    }
}

// MARK: - The printer (print.go)

/// fmt's `fmtFlags`.
struct GoFormatFlags {
    var widthPresent = false
    var precisionPresent = false
    var minus = false
    var plus = false
    var sharp = false
    var space = false
    var zero = false
    var plusV = false
    var sharpV = false
    var width = 0
    var precision = 0
}

/// fmt's `ldigits`/`udigits`: the hex digits, then the `x` of a `0x` prefix.
let lowerDigits = Array("0123456789abcdefx".utf8)
let upperDigits = Array("0123456789ABCDEFX".utf8)

struct Printer<V: GoFormattable> {
    var buffer: [UInt8] = []
    var flags = GoFormatFlags()
    var reordered = false
    var goodArgumentNumber = true

    var text: String { String(decoding: buffer, as: UTF8.self) }

    mutating func write(_ s: String) { buffer.append(contentsOf: s.utf8) }

    mutating func writeScalar(_ scalar: Unicode.Scalar) { buffer.append(contentsOf: String(scalar).utf8) }

    // MARK: doPrintf

    /// fmt's `tooLarge`: widths and precisions beyond a million are refused.
    static func tooLarge(_ x: Int) -> Bool { x > 1_000_000 || x < -1_000_000 }

    /// fmt's `parsenum`: a run of digits; an overlong one consumes the rest of the format.
    static func parseNumber(_ s: [UInt8], _ start: Int, _ end: Int) -> (number: Int, isNumber: Bool, next: Int) {
        guard start < end else { return (0, false, end) }
        var number = 0
        var isNumber = false
        var i = start
        while i < end, s[i] >= UInt8(ascii: "0"), s[i] <= UInt8(ascii: "9") {
            if tooLarge(number) { return (0, false, end) }
            number = number * 10 + Int(s[i] - UInt8(ascii: "0"))
            isNumber = true
            i += 1
        }
        return (number, isNumber, i)
    }

    /// fmt's `intFromArg`: an integer argument for `*`.
    static func integerArgument(_ arguments: [V?], _ index: Int) -> (number: Int, isInteger: Bool, next: Int) {
        guard index < arguments.count else { return (0, false, index) }
        var number = 0
        var isInteger = false
        switch arguments[index]?.goDynamic {
        case .int(let i)?:
            number = i
            isInteger = true
        case .int64(let i)?:
            if let n = Int(exactly: i) {
                number = n
                isInteger = true
            }
        default: break
        }
        if tooLarge(number) { return (0, false, index + 1) }
        return (number, isInteger, index + 1)
    }

    /// fmt's `parseArgNumber`: `[n]` at `format[start]`, as a zero-based index.
    static func parseArgumentNumber(_ format: [UInt8], _ start: Int) -> (index: Int, width: Int, ok: Bool) {
        guard format.count - start >= 3 else { return (0, 1, false) }
        var i = start + 1
        while i < format.count {
            if format[i] == UInt8(ascii: "]") {
                let (number, ok, next) = parseNumber(format, start + 1, i)
                if !ok || next != i { return (0, i - start + 1, false) }
                return (number - 1, i - start + 1, true)
            }
            i += 1
        }
        return (0, 1, false)
    }

    mutating func argumentNumber(_ current: Int, _ format: [UInt8], _ i: Int, _ count: Int) -> (Int, Int, Bool) {
        guard i < format.count, format[i] == UInt8(ascii: "[") else { return (current, i, false) }
        reordered = true
        let (index, width, ok) = Self.parseArgumentNumber(format, i)
        if ok && 0 <= index && index < count { return (index, i + width, true) }
        goodArgumentNumber = false
        return (current, i + width, ok)
    }

    mutating func doPrintf(_ format: [UInt8], _ arguments: [V?]) {
        let end = format.count
        var argument = 0
        var afterIndex = false
        reordered = false
        var i = 0
        formatLoop: while i < end {
            goodArgumentNumber = true
            let last = i
            while i < end && format[i] != UInt8(ascii: "%") { i += 1 }
            if i > last { buffer.append(contentsOf: format[last..<i]) }
            if i >= end { break }
            i += 1
            flags = GoFormatFlags()
            simpleFormat: while i < end {
                let c = format[i]
                switch c {
                case UInt8(ascii: "#"): flags.sharp = true
                case UInt8(ascii: "0"): flags.zero = true
                case UInt8(ascii: "+"): flags.plus = true
                case UInt8(ascii: "-"): flags.minus = true
                case UInt8(ascii: " "): flags.space = true
                default:
                    // The fast path: a lower-case verb straight after the flags.
                    if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") && argument < arguments.count {
                        if c == UInt8(ascii: "v") || c == UInt8(ascii: "w") { moveVerbVFlags() }
                        printArg(arguments[argument], verb: Unicode.Scalar(c))
                        argument += 1
                        i += 1
                        continue formatLoop
                    }
                    break simpleFormat
                }
                i += 1
            }
            (argument, i, afterIndex) = argumentNumber(argument, format, i, arguments.count)
            if i < end && format[i] == UInt8(ascii: "*") {
                i += 1
                (flags.width, flags.widthPresent, argument) = Self.integerArgument(arguments, argument)
                if !flags.widthPresent { write("%!(BADWIDTH)") }
                if flags.width < 0 {
                    flags.width = -flags.width
                    flags.minus = true
                    flags.zero = false
                }
                afterIndex = false
            } else {
                (flags.width, flags.widthPresent, i) = Self.parseNumber(format, i, end)
                if afterIndex && flags.widthPresent { goodArgumentNumber = false }
            }
            if i + 1 < end && format[i] == UInt8(ascii: ".") {
                i += 1
                if afterIndex { goodArgumentNumber = false }
                (argument, i, afterIndex) = argumentNumber(argument, format, i, arguments.count)
                if i < end && format[i] == UInt8(ascii: "*") {
                    i += 1
                    (flags.precision, flags.precisionPresent, argument) = Self.integerArgument(arguments, argument)
                    if flags.precision < 0 {
                        flags.precision = 0
                        flags.precisionPresent = false
                    }
                    if !flags.precisionPresent { write("%!(BADPREC)") }
                    afterIndex = false
                } else {
                    (flags.precision, flags.precisionPresent, i) = Self.parseNumber(format, i, end)
                    if !flags.precisionPresent {
                        flags.precision = 0
                        flags.precisionPresent = true
                    }
                }
            }
            if !afterIndex {
                (argument, i, afterIndex) = argumentNumber(argument, format, i, arguments.count)
            }
            if i >= end {
                write("%!(NOVERB)")
                break
            }
            let (verb, size) = Self.decodeVerb(format, i)
            i += size
            if verb == "%" {
                buffer.append(UInt8(ascii: "%"))
            } else if !goodArgumentNumber {
                write("%!")
                writeScalar(verb)
                write("(BADINDEX)")
            } else if argument >= arguments.count {
                write("%!")
                writeScalar(verb)
                write("(MISSING)")
            } else {
                if verb == "v" || verb == "w" { moveVerbVFlags() }
                printArg(arguments[argument], verb: verb)
                argument += 1
            }
        }
        if !reordered && argument < arguments.count {
            flags = GoFormatFlags()
            write("%!(EXTRA ")
            for (n, extra) in arguments[argument...].enumerated() {
                if n > 0 { write(", ") }
                if let extra {
                    write(GoSprintf.typeName(extra.goDynamic))
                    buffer.append(UInt8(ascii: "="))
                    printArg(extra, verb: "v")
                } else {
                    write("<nil>")
                }
            }
            buffer.append(UInt8(ascii: ")"))
        }
    }

    /// `%#v` and `%+v` are their own formats: the flags move to `sharpV` and `plusV`.
    mutating func moveVerbVFlags() {
        flags.sharpV = flags.sharp
        flags.sharp = false
        flags.plusV = flags.plus
        flags.plus = false
    }

    /// The verb at `format[i]` (Go decodes one rune; bad UTF-8 is U+FFFD of width 1).
    static func decodeVerb(_ format: [UInt8], _ i: Int) -> (Unicode.Scalar, Int) {
        let first = format[i]
        if first < 0x80 { return (Unicode.Scalar(first), 1) }
        return format.withUnsafeBufferPointer { pointer in
            guard let (value, width) = GoUTF8.decode(pointer, at: i), let scalar = Unicode.Scalar(value) else {
                return ("\u{FFFD}", 1)
            }
            return (scalar, width)
        }
    }

    // MARK: printArg / printValue

    mutating func printArg(_ argument: V?, verb: Unicode.Scalar) {
        guard let argument, case let dynamic = argument.goDynamic, !dynamic.isNull else {
            if verb == "T" || verb == "v" { padString("<nil>") } else { badVerb(verb, nil) }
            return
        }
        if verb == "T" {
            fmtS(GoSprintf.typeName(dynamic))
            return
        }
        printValue(dynamic, verb: verb, depth: 0)
    }

    mutating func printValue(_ value: GoDynamic<V>, verb: Unicode.Scalar, depth: Int) {
        switch value {
        case .null:
            // A nil element of a slice or map.
            write(flags.sharpV ? "interface {}(nil)" : "<nil>")
        case .bool(let b):
            if verb == "t" || verb == "v" { fmtBoolean(b) } else { badVerb(verb, value) }
        case .int(let i): fmtInteger(Int64(i), verb: verb, value)
        case .int64(let i): fmtInteger(i, verb: verb, value)
        case .float64(let d): fmtFloat(d, verb: verb, value)
        case .string(let s): fmtString(s, verb: verb, value)
        case .map(let pairs):
            let sorted = pairs.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            printElements(
                sorted.map { (key: Optional($0.key), value: $0.value) }, verb: verb, depth: depth, value,
                open: flags.sharpV ? "map[string]interface {}{" : "map[")
        case .slice(let items):
            printElements(
                items.map { (key: String?.none, value: $0) }, verb: verb, depth: depth, value,
                open: flags.sharpV ? "[]interface {}{" : "[")
        }
    }

    /// A map's entries (`key:value`, keys sorted) or a slice's items, each printed with the verb.
    mutating func printElements(
        _ elements: [(key: String?, value: V)], verb: Unicode.Scalar, depth: Int, _ value: GoDynamic<V>,
        open: String
    ) {
        if verb == "p" { return badVerb(verb, value) }
        write(open)
        if depth >= GoSprintf.maximumDepth {
            write("...")
        } else {
            for (n, element) in elements.enumerated() {
                if n > 0 { write(flags.sharpV ? ", " : " ") }
                if let key = element.key {
                    printValue(.string(key), verb: verb, depth: depth + 1)
                    buffer.append(UInt8(ascii: ":"))
                }
                printValue(element.value.goDynamic, verb: verb, depth: depth + 1)
            }
        }
        buffer.append(UInt8(ascii: flags.sharpV ? "}" : "]"))
    }

    /// fmt's `badVerb`: `%!verb(type=value)`, the value printed with `%v` and the same flags.
    mutating func badVerb(_ verb: Unicode.Scalar, _ value: GoDynamic<V>?) {
        write("%!")
        writeScalar(verb)
        buffer.append(UInt8(ascii: "("))
        if let value, !value.isNull {
            write(GoSprintf.typeName(value))
            buffer.append(UInt8(ascii: "="))
            printValue(value, verb: "v", depth: 0)
        } else {
            write("<nil>")
        }
        buffer.append(UInt8(ascii: ")"))
    }

    /// fmt's `fmtInteger` for the signed types (Go's `int` and `int64`; %#v is decimal for them too).
    mutating func fmtInteger(_ v: Int64, verb: Unicode.Scalar, _ value: GoDynamic<V>) {
        switch verb {
        case "v", "d": formatInteger(v, base: 10, verb: verb, digits: lowerDigits)
        case "b": formatInteger(v, base: 2, verb: verb, digits: lowerDigits)
        case "o", "O": formatInteger(v, base: 8, verb: verb, digits: lowerDigits)
        case "x": formatInteger(v, base: 16, verb: verb, digits: lowerDigits)
        case "X": formatInteger(v, base: 16, verb: verb, digits: upperDigits)
        case "c": fmtC(UInt64(bitPattern: v))
        case "q": fmtQc(UInt64(bitPattern: v))
        case "U": fmtUnicode(UInt64(bitPattern: v))
        default: badVerb(verb, value)
        }
    }

    mutating func fmtFloat(_ d: Double, verb: Unicode.Scalar, _ value: GoDynamic<V>) {
        switch verb {
        case "v": formatFloat(d, verb: "g", precision: -1)
        case "b", "g", "G", "x", "X": formatFloat(d, verb: verb, precision: -1)
        case "f", "e", "E": formatFloat(d, verb: verb, precision: 6)
        case "F": formatFloat(d, verb: "f", precision: 6)
        default: badVerb(verb, value)
        }
    }

    mutating func fmtString(_ s: String, verb: Unicode.Scalar, _ value: GoDynamic<V>) {
        switch verb {
        case "v":
            if flags.sharpV { fmtQ(s) } else { fmtS(s) }
        case "s": fmtS(s)
        case "x": fmtSx(s, digits: lowerDigits)
        case "X": fmtSx(s, digits: upperDigits)
        case "q": fmtQ(s)
        default: badVerb(verb, value)
        }
    }
}

extension GoDynamic {
    /// The same value with its elements (a slice's items, a map's values) transformed: for a
    /// type that wraps another ``GoFormattable`` type.
    public func mapElements<T>(_ transform: (Element) -> T) -> GoDynamic<T> {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .int64(let i): return .int64(i)
        case .float64(let d): return .float64(d)
        case .string(let s): return .string(s)
        case .slice(let items): return .slice(items.map(transform))
        case .map(let pairs): return .map(pairs.map { (key: $0.key, value: transform($0.value)) })
        }
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
