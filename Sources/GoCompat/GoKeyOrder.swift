/// The order in which go-yaml v2 writes map keys (`keyList.Less`), for string keys: the order of
/// every map in kubectl's `-o yaml` (`a9` before `a10`, `_x` before `B`), which a plain string sort
/// would not give (`Tests/GoCompatTests/Fixtures/kubectl-yaml-key-order.json`, recorded from kubectl).
///
/// Runs of digits compare by numeric value (`a9` < `a10`), a letter sorts after
/// any non-letter at the first difference, and letters compare by code point.
/// Numbers are accumulated with Go's wrapping `int64` arithmetic, and non-ASCII
/// digits count as digits with Go's odd values (`rune - '0'`), as in the original.
public enum GoKeyOrder {
    public static func sorted(_ keys: [String]) -> [String] {
        let decoded = keys.map { (key: $0, scalars: Array($0.unicodeScalars)) }
        // The comparison is not transitive for some mixes of leading zeros (`x10` < `x1y2` <
        // `x1y10` < `x01y3` < `x10`); kubectl sorts Go map keys, which arrive in random order, so
        // for such keys it prints varying orders, and any order a sort gives here is one of them.
        // For ordinary keys every sort agrees.
        return decoded.sorted { less($0.scalars, $1.scalars) }.map(\.key)
    }

    public static func less(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Bool {
        var i = 0
        while i < a.count && i < b.count {
            let ca = a[i]
            let cb = b[i]
            if ca == cb {
                i += 1
                continue
            }
            let aLetter = isLetter(ca)
            let bLetter = isLetter(cb)
            if aLetter && bLetter { return ca.value < cb.value }
            if aLetter || bLetter { return bLetter }
            var an: Int64 = 0
            var bn: Int64 = 0
            if ca == "0" || cb == "0" {
                // A zero after non-zero digits is not a leading zero.
                var j = i - 1
                while j >= 0 && isDigit(a[j]) {
                    if a[j] != "0" {
                        an = 1
                        bn = 1
                        break
                    }
                    j -= 1
                }
            }
            var ai = i
            while ai < a.count && isDigit(a[ai]) {
                an = an &* 10 &+ (Int64(a[ai].value) &- 48)
                ai += 1
            }
            var bi = i
            while bi < b.count && isDigit(b[bi]) {
                bn = bn &* 10 &+ (Int64(b[bi].value) &- 48)
                bi += 1
            }
            if an != bn { return an < bn }
            if ai != bi { return ai < bi }
            return ca.value < cb.value
        }
        return a.count < b.count
    }

    /// Go's `unicode.IsLetter`: general categories Lu, Ll, Lt, Lm, Lo.
    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            return (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
        }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Go's `unicode.IsDigit`: general category Nd.
    private static func isDigit(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c.value >= 0x30 && c.value <= 0x39 }
        return c.properties.generalCategory == .decimalNumber
    }
}
