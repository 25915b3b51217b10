/// Go's `strconv.FormatFloat(f, 'g', -1, bitSize)`, which go-yaml v2 uses to print floats
/// and sigs.k8s.io/yaml uses (with 32 bits) to turn float map keys into strings.
enum GoFloatFormat {
    static func g(_ value: Double, bitSize: Int = 64) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let narrowed = bitSize == 32 ? Double(Float(value)) : value
        if narrowed == 0 { return narrowed.sign == .minus ? "-0" : "0" }
        let text = bitSize == 32 ? Float(value).magnitude.description : value.magnitude.description
        let (digits, pointPosition) = decimalDigits(text)
        var out = narrowed < 0 ? "-" : ""
        // %e when the exponent is < -4 or >= 6 (the shortest-precision rule).
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            out += String(digits.first ?? "0")
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += exponent < 0 ? "e-" : "e+"
            let magnitude = abs(exponent)
            out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
            return out
        }
        if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            out += digits[..<split] + "." + digits[split...]
        }
        return out
    }

    /// The significant digits of Swift's shortest round-trip description and the
    /// position of the decimal point relative to them (`0.DIGITS × 10^position`).
    static func decimalDigits(_ description: String) -> (digits: String, pointPosition: Int) {
        var mantissa = Substring(description)
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(mantissa[mantissa.index(after: e)...]) ?? 0
            mantissa = mantissa[..<e]
        }
        var integerPart = mantissa
        var fraction: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fraction = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + fraction
        var position = integerPart.count + exponent
        while digits.count > 1, digits.hasPrefix("0") {
            digits.removeFirst()
            position -= 1
        }
        while digits.count > 1, digits.hasSuffix("0") {
            digits.removeLast()
        }
        return (digits, position)
    }
}
