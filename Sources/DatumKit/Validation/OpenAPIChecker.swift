import DatumJSON
import GoCompat

/// Re-creates the kube-openapi schema validator that apiextensions-apiserver
/// runs on custom resources, including its error order and wording as
/// converted by `kubeOpenAPIResultToFieldErrors`.
///
/// Per node the checks run in kube-openapi's order: type, allOf, string
/// (maxLength → minLength → pattern, stopping at the first failure), format,
/// number (multipleOf, minimum, maximum), array (items, then minItems,
/// maxItems, uniqueItems), enum, object (min/maxProperties — which stop the
/// node —, additional properties, properties, then required).
///
/// Go iterates schema properties as a map, so the real server's order across
/// sibling fields varies between runs; we use the schema's document order.
struct OpenAPIChecker {
    /// Field path the validator was started at (`status` for the status
    /// subresource). Messages name fields relative to it, as upstream does.
    let base: [FieldPath.Element]
    private(set) var errors: [FieldError] = []
    private var path: [FieldPath.Element] = []

    init(base: [FieldPath.Element] = []) {
        self.base = base
    }

    /// The name kube-openapi uses in messages: the path below the validator root.
    private var name: String { path.isEmpty ? "" : FieldPath(path).description }
    private var fieldPath: FieldPath { FieldPath(base + path) }

    mutating func check(_ value: JSONValue, _ schema: OpenAPISchema) {
        if case .null = value {
            checkType(value, schema)
            checkEnum(value, schema)
            return
        }
        checkType(value, schema)
        checkAllOf(value, schema)
        switch value {
        case .string(let s):
            checkString(s, schema)
            checkFormat(s, schema)
        case .int, .double:
            checkNumber(value, schema)
        case .array(let items):
            checkArray(items, schema)
        default:
            break
        }
        checkEnum(value, schema)
        if case .object(let object) = value { checkObject(object, schema) }
    }

    // MARK: type

    private static func isJSONInteger(_ d: Double) -> Bool {
        d.isFinite && abs(d) <= 9_007_199_254_740_991 && d.rounded(.towardZero) == d
    }

    private mutating func checkType(_ value: JSONValue, _ schema: OpenAPISchema) {
        let allowed = schema.typeMask
        let format = schema.effectiveFormat
        guard allowed != 0 || format != nil else { return }
        let expected = schema.typeDescription
        if case .null = value {
            if allowed != 0 && allowed & JSONTypeMask.null == 0 && !schema.nullable {
                typeError(expected: expected, actual: "null")
            }
            return
        }
        let (schemaType, bit, valueFormat): (String, UInt8, String)
        var isFloatInt = false
        switch value {
        case .bool: (schemaType, bit, valueFormat) = ("boolean", JSONTypeMask.boolean, "")
        case .string: (schemaType, bit, valueFormat) = ("string", JSONTypeMask.string, "")
        case .int: (schemaType, bit, valueFormat) = ("integer", JSONTypeMask.integer, "int64")
        case .double(let d):
            (schemaType, bit, valueFormat) = ("number", JSONTypeMask.number, "float64")
            isFloatInt = OpenAPIChecker.isJSONInteger(d) && allowed & JSONTypeMask.integer != 0
        case .array: (schemaType, bit, valueFormat) = ("array", JSONTypeMask.array, "")
        case .object: (schemaType, bit, valueFormat) = ("object", JSONTypeMask.object, "")
        case .null: return
        }
        let isIntFloat = bit == JSONTypeMask.integer && allowed & JSONTypeMask.number != 0
        let contains = allowed & bit != 0
        let isStringOrArray = bit == JSONTypeMask.string || bit == JSONTypeMask.array
        if !isStringOrArray, let format, !(contains || valueFormat == format || isFloatInt || isIntFloat) {
            typeError(expected: format, actual: valueFormat)
            return
        }
        let numeric = allowed & (JSONTypeMask.number | JSONTypeMask.integer) != 0
        if !numeric && format != nil && isStringOrArray { return }
        if !(contains || isFloatInt || isIntFloat) {
            typeError(expected: expected, actual: schemaType)
        }
    }

    /// `InvalidType` with a string value: `<name> in body must be of type <t>: "<actual>"`.
    private mutating func typeError(expected: String, actual: String) {
        errors.append(
            .typeInvalid(
                fieldPath, .string(actual), "\(name) in body must be of type \(expected): \(GoFormat.quote(actual))"))
    }

    // MARK: allOf

    private mutating func checkAllOf(_ value: JSONValue, _ schema: OpenAPISchema) {
        guard !schema.allOf.isEmpty else { return }
        var validated = 0
        for sub in schema.allOf {
            let before = errors.count
            check(value, sub)
            if errors.count == before { validated += 1 }
        }
        if validated != schema.allOf.count {
            // A composite error, which the API server reports at the validator's root path.
            errors.append(
                .invalid(
                    FieldPath(base), .string(""),
                    "\(name) must validate all the schemas (allOf)\(validated == 0 ? ". None validated" : "")"))
        }
    }

    // MARK: string

    private mutating func checkString(_ s: String, _ schema: OpenAPISchema) {
        // go-openapi counts runes (code points), not bytes. A code point takes
        // one to four bytes, so the byte count often settles it without counting.
        let bytes = Int64(s.utf8.count)
        var runes: Int64?
        func runeCount() -> Int64 {
            if let runes { return runes }
            let counted = Int64(s.unicodeScalars.count)
            runes = counted
            return counted
        }
        if let max = schema.maxLength, bytes > max, runeCount() > max {
            errors.append(.tooLong(fieldPath, maxLength: Int(max)))
            return
        }
        if let min = schema.minLength, bytes < min || (bytes < 4 * min && runeCount() < min) {
            errors.append(.invalid(fieldPath, .string(s), "\(name) in body should be at least \(min) chars long"))
            return
        }
        if let pattern = schema.pattern, !pattern.matches(s) {
            errors.append(.invalid(fieldPath, .string(s), "\(name) in body should match '\(pattern.pattern)'"))
        }
    }

    private mutating func checkFormat(_ s: String, _ schema: OpenAPISchema) {
        guard let format = schema.effectiveFormat else { return }
        let valid: Bool
        switch OpenAPISchema.normalizedFormat(format) {
        case "datetime": valid = DateTimeFormat.isDateTime(s)
        case "date": valid = DateTimeFormat.isDate(s)
        // Other supported formats are accepted unchecked (see the validator's documentation).
        default: valid = true
        }
        if !valid {
            errors.append(
                .typeInvalid(fieldPath, .string(s), "\(name) in body must be of type \(format): \(GoFormat.quote(s))"))
        }
    }

    // MARK: number

    private mutating func checkNumber(_ value: JSONValue, _ schema: OpenAPISchema) {
        let bad = FieldError.BadValue(value)
        if let factor = schema.multipleOf {
            switch value {
            case .int(let i):
                // Go converts the factor to int64 (truncating) for integer data.
                let f = Int64(exactly: factor.rounded(.towardZero)) ?? 0
                if f != 0 && i % f != 0 {
                    errors.append(.invalid(fieldPath, bad, "\(name) in body should be a multiple of \(f)"))
                }
            case .double(let d):
                let multiple = factor < 1 ? 1 / factor * d : d / factor
                if factor != 0 && !OpenAPIChecker.isJSONInteger(multiple) {
                    errors.append(
                        .invalid(
                            fieldPath, bad, "\(name) in body should be a multiple of \(GoFormat.formatFloat(factor))"))
                }
            default: break
            }
        }
        if let minimum = schema.minimum {
            let exclusive = schema.exclusiveMinimum
            let relation = exclusive ? "greater than" : "greater than or equal to"
            switch value {
            case .int(let i):
                let m = Int64(exactly: minimum.rounded(.towardZero)) ?? (minimum < 0 ? Int64.min : Int64.max)
                if exclusive ? i <= m : i < m {
                    errors.append(.invalid(fieldPath, bad, "\(name) in body should be \(relation) \(m)"))
                }
            case .double(let d):
                if exclusive ? d <= minimum : d < minimum {
                    errors.append(
                        .invalid(
                            fieldPath, bad, "\(name) in body should be \(relation) \(GoFormat.formatFloat(minimum))"))
                }
            default: break
            }
        }
        if let maximum = schema.maximum {
            let exclusive = schema.exclusiveMaximum
            let relation = exclusive ? "less than" : "less than or equal to"
            switch value {
            case .int(let i):
                let m = Int64(exactly: maximum.rounded(.towardZero)) ?? (maximum < 0 ? Int64.min : Int64.max)
                if exclusive ? i >= m : i > m {
                    errors.append(.invalid(fieldPath, bad, "\(name) in body should be \(relation) \(m)"))
                }
            case .double(let d):
                if exclusive ? d >= maximum : d > maximum {
                    errors.append(
                        .invalid(
                            fieldPath, bad, "\(name) in body should be \(relation) \(GoFormat.formatFloat(maximum))"))
                }
            default: break
            }
        }
    }

    // MARK: array

    private mutating func checkArray(_ items: [JSONValue], _ schema: OpenAPISchema) {
        if let itemSchema = schema.items {
            for (i, item) in items.enumerated() {
                path.append(.index(i))
                check(item, itemSchema)
                path.removeLast()
            }
        }
        let size = Int64(items.count)
        if let min = schema.minItems, size < min {
            errors.append(.invalid(fieldPath, .int(size), "\(name) in body should have at least \(min) items"))
        }
        if let max = schema.maxItems, size > max {
            errors.append(.tooMany(fieldPath, actual: Int(size), max: Int(max)))
        }
        if schema.uniqueItems && Set(items).count != items.count {
            errors.append(.invalid(fieldPath, .string(""), "\(name) in body shouldn't contain duplicates"))
        }
    }

    // MARK: enum

    /// Go's enum test: the value is converted to each allowed value's type
    /// (when Go allows the conversion) and compared deeply.
    static func enumMatches(_ value: JSONValue, _ allowed: JSONValue) -> Bool {
        switch (value, allowed) {
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.int(let i), .string(let b)):
            // Go converts an integer to a one-rune string.
            let scalar = (i >= 0 && i <= 0x10FFFF) ? Unicode.Scalar(UInt32(i)) : nil
            return String(Character(scalar ?? "\u{FFFD}")).utf8.elementsEqual(b.utf8)
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .int(let b)):
            guard a.isFinite, let t = Int64(exactly: a.rounded(.towardZero)) else { return false }
            return t == b
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .double(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.array, .array), (.object, .object): return value == allowed
        default: return false
        }
    }

    private mutating func checkEnum(_ value: JSONValue, _ schema: OpenAPISchema) {
        guard let allowed = schema.enumValues, !allowed.isEmpty else { return }
        if allowed.contains(where: { OpenAPIChecker.enumMatches(value, $0) }) { return }
        let supported = allowed.map { v -> String in
            if case .string(let s) = v { return s }
            return v.compactJSON
        }
        errors.append(.notSupported(fieldPath, FieldError.BadValue(value), supported: supported))
    }

    // MARK: object

    private mutating func checkObject(_ object: JSONObject, _ schema: OpenAPISchema) {
        let count = Int64(object.count)
        if let min = schema.minProperties, count < min {
            errors.append(.invalid(fieldPath, .int(count), "\(name) in body should have at least \(min) properties"))
            return
        }
        if let max = schema.maxProperties, count > max {
            errors.append(.tooMany(fieldPath, actual: Int(count), max: Int(max)))
            return
        }
        switch schema.additionalProperties {
        case .allowed(false)?:
            for key in object.keys where schema.property(key) == nil {
                let prefix = name
                errors.append(.invalid(fieldPath, .string(key), "\(prefix).\(key) in body is a forbidden property"))
            }
        case .schema(let valueSchema)?:
            let hasProperties = !schema.properties.isEmpty
            for (key, value) in object where !hasProperties || schema.property(key) == nil {
                // kube-openapi names map entries `parent.key` (not `parent[key]`).
                path.append(.field(key))
                check(value, valueSchema)
                path.removeLast()
            }
        default:
            break
        }
        for (name, propertySchema) in schema.properties {
            guard let value = object[name] else { continue }
            path.append(.field(name))
            check(value, propertySchema)
            path.removeLast()
        }
        for key in schema.required where object[key] == nil {
            path.append(.field(key))
            errors.append(.required(fieldPath))
            path.removeLast()
        }
    }
}

/// The `date` and `date-time` string formats as kube-openapi's strfmt checks them.
enum DateTimeFormat {
    static let timePattern = try? GoRegex(#"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$"#)

    /// kube-openapi's `IsDate`: Go's `time.Parse("2006-01-02", s)` accepts it (four digits for
    /// the year, no sign; the day within its month).
    static func isDate(_ s: String) -> Bool {
        if case .success = GoTimeParse.parse(s, layout: .date) { return true }
        return false
    }

    /// kube-openapi's `IsDateTime`: a date, `t`, then a time matched by its
    /// regex with hour ≤ 23, minute and second ≤ 59 (compared as text).
    static func isDateTime(_ s: String) -> Bool {
        guard s.utf8.count >= 4 else { return false }
        let parts = s.lowercased().split(separator: "t", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, isDate(parts[0]), timePattern?.matches(parts[1]) ?? false else { return false }
        let time = Array(parts[1].utf8)
        let hour = String(decoding: time[0..<2], as: UTF8.self)
        let minute = String(decoding: time[3..<5], as: UTF8.self)
        let second = String(decoding: time[6..<8], as: UTF8.self)
        return hour <= "23" && minute <= "59" && second <= "59"
    }
}
