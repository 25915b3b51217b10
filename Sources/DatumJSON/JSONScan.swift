/// Finds a few fields in JSON bytes without building the whole value: a lexer that skips the
/// values it does not need instead of building them.
///
/// `apply` reads thousands of objects (a list before, one response per object after) but
/// usually needs only their names and resourceVersions; building every value would cost more
/// than the requests. Anything the scanner does not understand yields `nil`, and callers then
/// parse the bytes fully, which reports the problem properly.
public enum JSONScan {
    /// The bytes of the value under `path` (object keys) inside `json`, or nil.
    public static func value(at path: [String], in json: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var current = json
        for key in path {
            guard let member = member(key, of: current) else { return nil }
            current = member
        }
        guard let start = skipSpace(current, from: current.startIndex), let end = skipValue(current, from: start)
        else { return nil }
        return current[start..<end]
    }

    /// The string under `path`, or nil when absent or not a string.
    public static func string(at path: [String], in json: ArraySlice<UInt8>) -> String? {
        value(at: path, in: json).flatMap(string)
    }

    /// The elements of the array `json`, or nil when it is not an array.
    public static func elements(of json: ArraySlice<UInt8>) -> [ArraySlice<UInt8>]? {
        guard var index = skipSpace(json, from: json.startIndex), json[index] == UInt8(ascii: "[") else { return nil }
        var elements: [ArraySlice<UInt8>] = []
        index += 1
        guard var next = skipSpace(json, from: index) else { return nil }
        if json[next] == UInt8(ascii: "]") { return elements }
        while true {
            guard let end = skipValue(json, from: next) else { return nil }
            elements.append(json[next..<end])
            guard let separator = skipSpace(json, from: end) else { return nil }
            if json[separator] == UInt8(ascii: "]") { return elements }
            guard json[separator] == UInt8(ascii: ","), let following = skipSpace(json, from: separator + 1) else {
                return nil
            }
            next = following
        }
    }

    /// Whether `json` is one object and nothing else but white space: balanced brackets outside
    /// strings, so a body cut short or a page that is not JSON is caught without parsing it.
    public static func isWholeObject(_ json: ArraySlice<UInt8>) -> Bool {
        guard let start = skipSpace(json, from: json.startIndex), json[start] == UInt8(ascii: "{"),
            let end = skipValue(json, from: start)
        else { return false }
        return skipSpace(json, from: end) == nil
    }

    /// A JSON string value's text; escapes are rare, so only then does the real parser run.
    public static func string(_ value: ArraySlice<UInt8>) -> String? {
        guard value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") else { return nil }
        let inner = value.dropFirst().dropLast()
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        return (try? JSONParser.parse(Array(value)))?.stringValue
    }

    // MARK: - Scanning

    /// The value of `key` in the object `json` (with leading spaces), or nil.
    private static func member(_ key: String, of json: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard var index = skipSpace(json, from: json.startIndex), json[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        let wanted = Array(key.utf8)
        while true {
            guard let keyStart = skipSpace(json, from: index) else { return nil }
            if json[keyStart] == UInt8(ascii: "}") { return nil }
            guard json[keyStart] == UInt8(ascii: "\""), let keyEnd = skipValue(json, from: keyStart),
                let colon = skipSpace(json, from: keyEnd), json[colon] == UInt8(ascii: ":"),
                let valueStart = skipSpace(json, from: colon + 1), let valueEnd = skipValue(json, from: valueStart)
            else { return nil }
            let rawKey = json[(keyStart + 1)..<(keyEnd - 1)]
            if rawKey.elementsEqual(wanted)
                || (rawKey.contains(UInt8(ascii: "\\")) && string(json[keyStart..<keyEnd]) == key)
            {
                return json[valueStart..<valueEnd]
            }
            guard let separator = skipSpace(json, from: valueEnd) else { return nil }
            if json[separator] == UInt8(ascii: "}") { return nil }
            guard json[separator] == UInt8(ascii: ",") else { return nil }
            index = separator + 1
        }
    }

    private static func skipSpace(_ json: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < json.endIndex {
            switch json[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return index
            }
        }
        return nil
    }

    /// The index just past the value starting at `start`.
    private static func skipValue(_ json: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard start < json.endIndex else { return nil }
        switch json[start] {
        case UInt8(ascii: "\""):
            return skipString(json, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < json.endIndex {
                switch json[index] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(json, from: index) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            while index < json.endIndex {
                switch json[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                    return index > start ? index : nil
                default:
                    index += 1
                }
            }
            return index > start ? index : nil
        }
    }

    private static func skipString(_ json: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        while index < json.endIndex {
            switch json[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }
}
