/// A syntax error in a Go (RE2) regular expression.
///
/// The message follows Go's `regexp/syntax` wording where we have an
/// equivalent, so a pattern rejected here reads like the API server's own
/// complaint about the same CRD.
public struct GoRegexSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. `missing closing )`.
    public var message: String
    /// The offending part of the pattern.
    public var fragment: String

    public init(message: String, fragment: String) {
        self.message = message
        self.fragment = fragment
    }

    public var description: String { "error parsing regexp: \(message): `\(fragment)`" }
}

/// A set of Unicode scalar values kept as sorted, non-overlapping ranges.
struct ScalarSet: Sendable, Hashable {
    private(set) var ranges: [ClosedRange<UInt32>] = []

    static let maxScalar: UInt32 = 0x10FFFF

    mutating func insert(_ range: ClosedRange<UInt32>) {
        ranges.append(range)
    }

    mutating func insert(_ scalar: UInt32) {
        ranges.append(scalar...scalar)
    }

    mutating func formUnion(_ other: ScalarSet) {
        ranges.append(contentsOf: other.ranges)
    }

    /// Sorts and merges ranges; call once the set is complete.
    mutating func normalize() {
        guard ranges.count > 1 else { return }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        merged.reserveCapacity(ranges.count)
        for range in ranges {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        ranges = merged
    }

    /// The complement over all Unicode scalars (surrogates included, as Go's
    /// rune space does; they never occur in a Swift string anyway).
    func inverted() -> ScalarSet {
        var copy = self
        copy.normalize()
        var result = ScalarSet()
        var next: UInt32 = 0
        for range in copy.ranges {
            if range.lowerBound > next { result.insert(next...(range.lowerBound - 1)) }
            if range.upperBound >= ScalarSet.maxScalar { return result }
            next = range.upperBound + 1
        }
        if next <= ScalarSet.maxScalar { result.insert(next...ScalarSet.maxScalar) }
        return result
    }

    static let digits: ScalarSet = {
        var s = ScalarSet()
        s.insert(0x30...0x39)
        return s
    }()

    static let word: ScalarSet = {
        var s = ScalarSet()
        s.insert(0x30...0x39)
        s.insert(0x41...0x5A)
        s.insert(0x5F)
        s.insert(0x61...0x7A)
        return s
    }()

    /// Go's Perl `\s` is `[\t\n\f\r ]` (no vertical tab).
    static let space: ScalarSet = {
        var s = ScalarSet()
        s.insert(0x09...0x0A)
        s.insert(0x0C...0x0D)
        s.insert(0x20)
        return s
    }()
}

/// The parsed form of a pattern.
indirect enum RegexNode: Sendable {
    case empty
    case literal(UInt32)
    /// `.`: any scalar except newline (Go's default without the `s` flag).
    case anyExceptNewline
    case set(ScalarSet)
    case beginText
    case endText
    case concat([RegexNode])
    case alternate([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?)

    /// Whether every match must start at the beginning of the input, which
    /// lets the matcher skip trying later start positions.
    var isAnchoredAtStart: Bool {
        switch self {
        case .beginText: return true
        case .concat(let nodes):
            for node in nodes {
                if node.isAnchoredAtStart { return true }
                if !node.isEmptyWidthOnly { return false }
            }
            return false
        case .alternate(let nodes): return !nodes.isEmpty && nodes.allSatisfy(\.isAnchoredAtStart)
        case .repetition(let node, let min, _): return min > 0 && node.isAnchoredAtStart
        default: return false
        }
    }

    /// Nodes that match only the empty string and carry no assertion.
    private var isEmptyWidthOnly: Bool {
        if case .empty = self { return true }
        return false
    }
}

/// Recursive-descent parser for the RE2 subset CRD patterns use.
struct RegexParser {
    /// Go's repeat limit. Nesting is capped lower than Go's 1000 because the
    /// parser recurses and test threads have small stacks; CRD patterns nest
    /// a handful of levels.
    static let maximumRepeat = 1000
    static let maximumDepth = 250

    private let scalars: [UInt32]
    private let pattern: String
    private var index = 0
    private var depth = 0

    init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = pattern.unicodeScalars.map(\.value)
    }

    /// The POSIX classes Go accepts inside brackets (`[[:alpha:]]`), negated forms included.
    static let posixClassNames: Set<String> = Set(
        [
            "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper",
            "word", "xdigit",
        ].flatMap { ["[:\($0):]", "[:^\($0):]"] })

    static func parse(_ pattern: String) throws(GoRegexSyntaxError) -> RegexNode {
        var parser = RegexParser(pattern)
        let node = try parser.parseAlternation()
        if parser.index < parser.scalars.count {
            // Only an unmatched `)` stops the top-level alternation early.
            throw GoRegexSyntaxError(message: "unexpected )", fragment: pattern)
        }
        return node
    }

    private func text(_ range: Range<Int>) -> String {
        var s = String.UnicodeScalarView()
        for v in scalars[range.clamped(to: 0..<scalars.count)] {
            if let scalar = Unicode.Scalar(v) { s.append(scalar) }
        }
        return String(s)
    }

    private func peek(_ offset: Int = 0) -> UInt32? {
        let i = index + offset
        return i < scalars.count ? scalars[i] : nil
    }

    private static func ascii(_ c: Character) -> UInt32 { c.unicodeScalars.first.map(\.value) ?? 0 }

    private mutating func parseAlternation() throws(GoRegexSyntaxError) -> RegexNode {
        depth += 1
        defer { depth -= 1 }
        if depth > RegexParser.maximumDepth {
            throw GoRegexSyntaxError(message: "expression nests too deeply", fragment: pattern)
        }
        var branches: [RegexNode] = [try parseConcatenation()]
        while peek() == RegexParser.ascii("|") {
            index += 1
            branches.append(try parseConcatenation())
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private mutating func parseConcatenation() throws(GoRegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek(), c != RegexParser.ascii("|"), c != RegexParser.ascii(")") {
            items.append(try parseQuantifiers(try parseAtom()))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at the current position without
    /// consuming it; `nil` means the brace is a literal, as in Go.
    private func repeatBounds(at start: Int) -> (min: Int, max: Int?, end: Int)? {
        var i = start
        guard i < scalars.count, scalars[i] == RegexParser.ascii("{") else { return nil }
        i += 1
        func number(_ i: inout Int) -> Int? {
            let begin = i
            var value = 0
            while i < scalars.count, (0x30...0x39).contains(scalars[i]) {
                // Saturate instead of overflowing; anything above the limit is rejected later.
                value = min(value * 10 + Int(scalars[i] - 0x30), 1_000_000)
                i += 1
            }
            return i > begin ? value : nil
        }
        guard let low = number(&i) else { return nil }
        var high: Int? = low
        if i < scalars.count, scalars[i] == RegexParser.ascii(",") {
            i += 1
            if i < scalars.count, scalars[i] == RegexParser.ascii("}") {
                high = nil
            } else {
                guard let h = number(&i) else { return nil }
                high = h
            }
        }
        guard i < scalars.count, scalars[i] == RegexParser.ascii("}") else { return nil }
        return (low, high, i + 1)
    }

    private mutating func parseQuantifiers(_ atom: RegexNode) throws(GoRegexSyntaxError) -> RegexNode {
        var node = atom
        var previousOperatorStart: Int?
        while let c = peek() {
            let opStart = index
            var bounds: (min: Int, max: Int?)
            switch c {
            case RegexParser.ascii("*"):
                bounds = (0, nil)
                index += 1
            case RegexParser.ascii("+"):
                bounds = (1, nil)
                index += 1
            case RegexParser.ascii("?"):
                bounds = (0, 1)
                index += 1
            case RegexParser.ascii("{"):
                guard let parsed = repeatBounds(at: index) else { return node }
                if parsed.min > RegexParser.maximumRepeat || (parsed.max ?? 0) > RegexParser.maximumRepeat
                    || (parsed.max.map { $0 < parsed.min } ?? false)
                {
                    throw GoRegexSyntaxError(message: "invalid repeat count", fragment: text(opStart..<parsed.end))
                }
                bounds = (parsed.min, parsed.max)
                index = parsed.end
            default:
                return node
            }
            if let previousOperatorStart {
                // Go quotes the stacked operators, e.g. `**`.
                throw GoRegexSyntaxError(
                    message: "invalid nested repetition operator", fragment: text(previousOperatorStart..<index))
            }
            let operatorEnd = index
            // A trailing `?` asks for a lazy match; match/no-match is unaffected.
            if peek() == RegexParser.ascii("?") { index += 1 }
            node = .repetition(node, min: bounds.min, max: bounds.max)
            // Go refuses counted repeats whose nesting multiplies past 1000 (`(x{1000}){2}`).
            if c == RegexParser.ascii("{"), bounds.min >= 2 || (bounds.max ?? 0) >= 2,
                !RegexParser.repeatIsValid(node, RegexParser.maximumRepeat)
            {
                throw GoRegexSyntaxError(message: "invalid repeat count", fragment: text(opStart..<operatorEnd))
            }
            previousOperatorStart = opStart
        }
        return node
    }

    /// Go's `repeatIsValid`: every counted repeat's count fits in what the repeats around it leave
    /// of `budget` (`*`, `+` and `?` do not count; `{0}` ends the descent).
    private static func repeatIsValid(_ node: RegexNode, _ budget: Int) -> Bool {
        var budget = budget
        switch node {
        case .repetition(let inner, let min, let max):
            // `*`, `+` and `?` are not counted repeats in Go's tree. (The tree does not keep whether
            // `{0,}`, `{1,}` or `{0,1}` was written instead, so those count as their short forms.)
            let counted = !(max == nil && min <= 1) && !(min == 0 && max == 1)
            if counted {
                let m = max ?? min
                if m == 0 { return true }
                if m > budget { return false }
                budget /= m
            }
            return repeatIsValid(inner, budget)
        case .concat(let items), .alternate(let items):
            return items.allSatisfy { repeatIsValid($0, budget) }
        default:
            return true
        }
    }

    private mutating func parseAtom() throws(GoRegexSyntaxError) -> RegexNode {
        guard let c = peek() else { return .empty }
        switch c {
        case RegexParser.ascii("("):
            return try parseGroup()
        case RegexParser.ascii("["):
            return .set(try parseClass())
        case RegexParser.ascii("."):
            index += 1
            return .anyExceptNewline
        case RegexParser.ascii("^"):
            index += 1
            return .beginText
        case RegexParser.ascii("$"):
            index += 1
            return .endText
        case RegexParser.ascii("\\"):
            return try parseEscapeOutsideClass()
        case RegexParser.ascii("*"), RegexParser.ascii("+"), RegexParser.ascii("?"):
            throw GoRegexSyntaxError(
                message: "missing argument to repetition operator", fragment: text(index..<(index + 1)))
        case RegexParser.ascii("{"):
            if let bounds = repeatBounds(at: index) {
                throw GoRegexSyntaxError(
                    message: "missing argument to repetition operator", fragment: text(index..<bounds.end))
            }
            index += 1
            return .literal(c)
        default:
            index += 1
            return .literal(c)
        }
    }

    private mutating func parseGroup() throws(GoRegexSyntaxError) -> RegexNode {
        let start = index
        index += 1
        if peek() == RegexParser.ascii("?") {
            // Only non-capturing and named groups are supported; flags are not.
            if peek(1) == RegexParser.ascii(":") {
                index += 2
            } else if peek(1) == RegexParser.ascii("P") && peek(2) == RegexParser.ascii("<") && peek(3) != nil {
                index += 3
                try skipGroupName(start: start)
            } else if peek(1) == RegexParser.ascii("<") && peek(2) != nil {
                index += 2
                try skipGroupName(start: start)
            } else {
                throw flagGroupError(start: start)
            }
        }
        let inner = try parseAlternation()
        guard peek() == RegexParser.ascii(")") else {
            throw GoRegexSyntaxError(message: "missing closing )", fragment: pattern)
        }
        index += 1
        return inner
    }

    /// A `(?` group that is neither `(?:` nor named: Go's flag syntax (`(?i)`, `(?s-m:`), which is
    /// valid in Go but outside our subset, or Go's error for what is not flag syntax.
    private func flagGroupError(start: Int) -> GoRegexSyntaxError {
        var i = start + 2
        var negated = false
        var sawFlag = false
        while i < scalars.count {
            let c = scalars[i]
            i += 1
            switch c {
            case RegexParser.ascii("i"), RegexParser.ascii("m"), RegexParser.ascii("s"), RegexParser.ascii("U"):
                sawFlag = true
                continue
            case RegexParser.ascii("-") where !negated:
                negated = true
                sawFlag = false
                continue
            case RegexParser.ascii(":"), RegexParser.ascii(")"):
                if !negated || sawFlag {
                    return GoRegexSyntaxError(
                        message: "unsupported group syntax (flags are not supported)", fragment: text(start..<i))
                }
            default:
                break
            }
            break
        }
        return GoRegexSyntaxError(message: "invalid or unsupported Perl syntax", fragment: text(start..<i))
    }

    /// `(?P<name>` or `(?<name>`, the cursor after `<`: the name runs to the first `>` and must be
    /// word characters; Go quotes the whole capture (or the rest of the pattern without a `>`).
    private mutating func skipGroupName(start: Int) throws(GoRegexSyntaxError) {
        let nameStart = index
        guard let end = scalars[nameStart...].firstIndex(of: RegexParser.ascii(">")) else {
            throw GoRegexSyntaxError(message: "invalid named capture", fragment: text(start..<scalars.count))
        }
        let isWord = { (c: UInt32) in ScalarSet.word.ranges.contains { $0.contains(c) } }
        guard end > nameStart, scalars[nameStart..<end].allSatisfy(isWord) else {
            throw GoRegexSyntaxError(message: "invalid named capture", fragment: text(start..<(end + 1)))
        }
        index = end + 1
    }

    private enum Escape {
        case scalar(UInt32)
        case set(ScalarSet)
        case beginText
        case endText
    }

    private mutating func parseEscapeOutsideClass() throws(GoRegexSyntaxError) -> RegexNode {
        switch try parseEscape(inClass: false) {
        case .scalar(let v): return .literal(v)
        case .set(let s): return .set(s)
        case .beginText: return .beginText
        case .endText: return .endText
        }
    }

    /// Parses the escape starting at the backslash under the cursor.
    private mutating func parseEscape(inClass: Bool) throws(GoRegexSyntaxError) -> Escape {
        let start = index
        index += 1
        guard let c = peek() else {
            throw GoRegexSyntaxError(message: "trailing backslash at end of expression", fragment: "")
        }
        index += 1
        // Any ASCII punctuation may be escaped to stand for itself.
        if c < 0x80, !(0x30...0x39).contains(c), !(0x41...0x5A).contains(c), !(0x61...0x7A).contains(c) {
            return .scalar(c)
        }
        switch c {
        case RegexParser.ascii("d"): return .set(ScalarSet.digits)
        case RegexParser.ascii("D"): return .set(ScalarSet.digits.inverted())
        case RegexParser.ascii("w"): return .set(ScalarSet.word)
        case RegexParser.ascii("W"): return .set(ScalarSet.word.inverted())
        case RegexParser.ascii("s"): return .set(ScalarSet.space)
        case RegexParser.ascii("S"): return .set(ScalarSet.space.inverted())
        case RegexParser.ascii("n"): return .scalar(0x0A)
        case RegexParser.ascii("t"): return .scalar(0x09)
        case RegexParser.ascii("r"): return .scalar(0x0D)
        case RegexParser.ascii("f"): return .scalar(0x0C)
        case RegexParser.ascii("v"): return .scalar(0x0B)
        case RegexParser.ascii("a"): return .scalar(0x07)
        case RegexParser.ascii("A") where !inClass: return .beginText
        case RegexParser.ascii("z") where !inClass: return .endText
        case RegexParser.ascii("x"):
            return .scalar(try parseHexEscape(start: start))
        case RegexParser.ascii("1")...RegexParser.ascii("7") where !isOctal(peek()):
            // A lone digit would be a backreference, which Go does not have.
            throw GoRegexSyntaxError(message: "invalid escape sequence", fragment: text(start..<index))
        case RegexParser.ascii("0")...RegexParser.ascii("7"):
            // Octal: up to three digits in all.
            var value = c - 0x30
            for _ in 0..<2 {
                guard let next = peek(), isOctal(next) else { break }
                value = value * 8 + (next - 0x30)
                index += 1
            }
            return .scalar(value)
        case RegexParser.ascii("p"), RegexParser.ascii("P"):
            throw unicodeClassError(start: start)
        case RegexParser.ascii("b") where !inClass, RegexParser.ascii("B") where !inClass, RegexParser.ascii("Q"):
            // Valid in Go, but no CRD pattern we serve needs them.
            throw GoRegexSyntaxError(message: "unsupported escape sequence", fragment: text(start..<index))
        default:
            throw GoRegexSyntaxError(message: "invalid escape sequence", fragment: text(start..<index))
        }
    }

    private func isOctal(_ c: UInt32?) -> Bool {
        c.map { (0x30...0x37).contains($0) } ?? false
    }

    /// `\pN`, `\p{Name}` or `\P…`, the cursor after `p`: a class Go knows is outside our subset;
    /// any other name is Go's "invalid character class range".
    private func unicodeClassError(start: Int) -> GoRegexSyntaxError {
        var end = index + 1
        var name: String
        if peek() == RegexParser.ascii("{") {
            guard let close = scalars[index...].firstIndex(of: RegexParser.ascii("}")) else {
                return GoRegexSyntaxError(
                    message: "invalid character class range", fragment: text(start..<scalars.count))
            }
            end = close + 1
            name = text((index + 1)..<close)
            if name.hasPrefix("^") { name.removeFirst() }
        } else {
            end = min(index + 1, scalars.count)
            name = text(index..<end)
        }
        if RegexParser.unicodeClassNames.contains(name) {
            return GoRegexSyntaxError(message: "unsupported escape sequence", fragment: text(start..<index))
        }
        return GoRegexSyntaxError(message: "invalid character class range", fragment: text(start..<end))
    }

    /// `\xHH` or `\x{H…}`, the cursor after `x`. Go names everything it read before giving up.
    private mutating func parseHexEscape(start: Int) throws(GoRegexSyntaxError) -> UInt32 {
        func hexValue(_ c: UInt32?) -> UInt32? {
            switch c {
            case .some(let c) where (0x30...0x39).contains(c): return c - 0x30
            case .some(let c) where (0x41...0x46).contains(c): return c - 0x41 + 10
            case .some(let c) where (0x61...0x66).contains(c): return c - 0x61 + 10
            default: return nil
            }
        }
        func invalid() -> GoRegexSyntaxError {
            GoRegexSyntaxError(message: "invalid escape sequence", fragment: text(start..<index))
        }
        guard let first = peek() else { throw invalid() }
        index += 1
        if first == RegexParser.ascii("{") {
            var value: UInt32 = 0
            var digits = 0
            while true {
                guard let c = peek() else { throw invalid() }
                index += 1
                if c == RegexParser.ascii("}") { break }
                guard let h = hexValue(c) else { throw invalid() }
                value = value * 16 + h
                if value > ScalarSet.maxScalar { throw invalid() }
                digits += 1
            }
            guard digits > 0 else { throw invalid() }
            return value
        }
        let second = peek()
        if second != nil { index += 1 }
        guard let a = hexValue(first), let b = hexValue(second) else { throw invalid() }
        return a * 16 + b
    }

    /// One class member: a scalar (possibly the start of a range) or a set.
    private mutating func parseClassItem() throws(GoRegexSyntaxError) -> Escape {
        guard let c = peek() else {
            throw GoRegexSyntaxError(message: "missing closing ]", fragment: pattern)
        }
        if c == RegexParser.ascii("\\") { return try parseEscape(inClass: true) }
        index += 1
        return .scalar(c)
    }

    private mutating func parseClass() throws(GoRegexSyntaxError) -> ScalarSet {
        let start = index
        index += 1
        var negated = false
        if peek() == RegexParser.ascii("^") {
            negated = true
            index += 1
        }
        var set = ScalarSet()
        var first = true
        while true {
            guard let c = peek() else {
                throw GoRegexSyntaxError(message: "missing closing ]", fragment: text(start..<scalars.count))
            }
            if c == RegexParser.ascii("]") && !first { break }
            if c == RegexParser.ascii("[") && peek(1) == RegexParser.ascii(":"),
                let close = (index + 2..<max(index + 2, scalars.count - 1)).first(where: {
                    scalars[$0] == RegexParser.ascii(":") && scalars[$0 + 1] == RegexParser.ascii("]")
                })
            {
                let name = text(index..<(close + 2))
                if RegexParser.posixClassNames.contains(name) {
                    throw GoRegexSyntaxError(
                        message: "unsupported POSIX character class", fragment: text(start..<scalars.count))
                }
                throw GoRegexSyntaxError(message: "invalid character class range", fragment: name)
            }
            first = false
            let itemStart = index
            switch try parseClassItem() {
            case .set(let s):
                set.formUnion(s)
            case .beginText, .endText:
                throw GoRegexSyntaxError(message: "invalid escape sequence", fragment: text(itemStart..<index))
            case .scalar(let low):
                // `a-` followed by `]` means the two characters `a` and `-`.
                if peek() == RegexParser.ascii("-"), let after = peek(1), after != RegexParser.ascii("]") {
                    index += 1
                    let highStart = index
                    guard case .scalar(let high) = try parseClassItem() else {
                        // Go reads the high end as one character: `\d` there is an invalid escape.
                        throw GoRegexSyntaxError(message: "invalid escape sequence", fragment: text(highStart..<index))
                    }
                    guard high >= low else {
                        throw GoRegexSyntaxError(
                            message: "invalid character class range", fragment: text(itemStart..<index))
                    }
                    set.insert(low...high)
                } else {
                    set.insert(low)
                }
            }
        }
        index += 1
        set.normalize()
        return negated ? set.inverted() : set
    }
}
