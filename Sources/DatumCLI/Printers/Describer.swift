import DatumJSON
import DatumKit
import GoCompat

/// `kubectl describe` for objects without a dedicated describer (kubectl's `genericDescriber`).
///
/// Prints name, namespace, labels and annotations, then every other field of the
/// object as nested "Title Case" sections, then the events table. Built-in kinds
/// such as Service and ConfigMap have their own describers in kubectl; this prints
/// them the generic way.
public enum GenericDescriber {
    /// Describes `object`. `events` is a `v1` `EventList` (nil to leave the section out,
    /// as `--show-events=false` does); `now` is seconds since the Unix epoch.
    public static func describe(_ object: JSONValue, events: JSONValue?, now: Double) -> String {
        var w = PrefixWriter()
        let metadata = object["metadata"]
        w.write(0, "Name:\t\(metadata?["name"]?.stringValue ?? "")\n")
        w.write(0, "Namespace:\t\(metadata?["namespace"]?.stringValue ?? "")\n")
        printLabels(&w, title: "Labels", labels: stringMap(metadata?["labels"]))
        printAnnotations(&w, title: "Annotations", annotations: stringMap(metadata?["annotations"]))
        printContent(
            &w, level: 0, content: object.objectValue ?? JSONObject(), skipPrefix: "",
            skip: [
                ".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
                ".metadata.annotations",
            ])
        if let events {
            describeEvents(&w, events: events["items"]?.arrayValue ?? [], now: now)
        }
        return w.finish()
    }

    /// Writes lines through describe's tab writer, two spaces per level, escaping
    /// terminal control characters as kubectl's `PrefixWriter` does.
    struct PrefixWriter {
        var writer = TabWriter.kubectlDescribe()

        mutating func write(_ level: Int, _ text: String) {
            writer.write(GoFormat.escapeTerminal(String(repeating: "  ", count: level) + text))
        }

        mutating func flush() { writer.flush() }

        mutating func finish() -> String { writer.finish() }
    }

    /// Annotations longer than this (key + value + 2) go on their own indented lines.
    static let maxAnnotationLength = 140
    static let skippedAnnotations: Set<String> = ["kubectl.kubernetes.io/last-applied-configuration"]

    static func printLabels(_ w: inout PrefixWriter, title: String, labels: [String: String]?) {
        w.write(0, "\(title):\t")
        guard let labels, !labels.isEmpty else {
            w.write(0, "<none>\n")
            return
        }
        for (i, key) in sortedKeys(labels).enumerated() {
            if i != 0 { w.write(0, "\t") }
            w.write(0, "\(key)=\(labels[key] ?? "")\n")
        }
    }

    static func printAnnotations(_ w: inout PrefixWriter, title: String, annotations: [String: String]?) {
        w.write(0, "\(title):\t")
        let keys = sortedKeys(annotations ?? [:]).filter { !skippedAnnotations.contains($0) }
        guard let annotations, !keys.isEmpty else {
            w.write(0, "<none>\n")
            return
        }
        for (i, key) in keys.enumerated() {
            if i != 0 { w.write(0, "\t") }
            var value = annotations[key] ?? ""
            if value.hasSuffix("\n") { value.removeLast() }
            if value.utf8.count + key.utf8.count + 2 > maxAnnotationLength || value.contains("\n") {
                w.write(0, "\(key):\n")
                for line in value.split(separator: "\n", omittingEmptySubsequences: false) {
                    w.write(0, "\t  \(shorten(String(line), maxAnnotationLength - 2))\n")
                }
            } else {
                w.write(0, "\(key): \(value)\n")
            }
        }
    }

    /// Cuts to `max` bytes and appends `...`, as Go slices the string.
    static func shorten(_ s: String, _ max: Int) -> String {
        let bytes = Array(s.utf8)
        guard bytes.count > max else { return s }
        return String(decoding: bytes[..<max], as: UTF8.self) + "..."
    }

    static func printContent(
        _ w: inout PrefixWriter, level: Int, content: JSONObject, skipPrefix: String, skip: [String]
    ) {
        for field in content.sortedKeys {
            let value = content[field] ?? .null
            let skipExpr = skipPrefix + "." + field
            if skip.contains(skipExpr) { continue }
            switch value {
            case .object(let object):
                w.write(level, "\(smartLabel(field)):\n")
                printContent(&w, level: level + 1, content: object, skipPrefix: skipExpr, skip: skip)
            case .array(let items):
                w.write(level, "\(smartLabel(field)):\n")
                for child in items {
                    if case .object(let object) = child {
                        printContent(&w, level: level + 1, content: object, skipPrefix: skipExpr, skip: skip)
                    } else {
                        w.write(level + 1, "\(GoFormat.value(child))\n")
                    }
                }
            default:
                w.write(level, "\(smartLabel(field)):\t\(GoFormat.value(value))\n")
            }
        }
    }

    /// `targetRefs` → `Target Refs`, `apiVersion` → `API Version`, `wellKnownCACertificates`
    /// → `Well Known CA Certificates`; names with characters other than letters and `-` stay as they are.
    public static func smartLabel(_ field: String) -> String {
        if field.unicodeScalars.contains(where: { !$0.properties.isAlphabetic && $0 != "-" }) {
            return field
        }
        let acronyms: Set<String> = ["API", "URL", "UID", "OSB", "GUID"]
        var result: [String] = []
        for part in camelCaseSplit(field) where part != "_" {
            if acronyms.contains(part.uppercased()) {
                result.append(part.uppercased())
            } else {
                result.append(goTitle(part))
            }
        }
        return result.joined(separator: " ")
    }

    /// `strings.Title`: upper-cases the first letter of each word, leaves the rest.
    static func goTitle(_ s: String) -> String {
        var out = ""
        var previousIsLetter = false
        for scalar in s.unicodeScalars {
            let isLetter =
                scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_"
                || scalar.properties.generalCategory == .nonspacingMark
            if isLetter && !previousIsLetter {
                out += String(scalar).uppercased()
            } else {
                out.unicodeScalars.append(scalar)
            }
            previousIsLetter = isLetter
        }
        return out
    }

    /// `fatih/camelcase.Split`: runs of lower, upper, digit and other characters, with
    /// the last upper letter of an upper run moved onto a following lower run (`CACertificates` → `CA`, `Certificates`).
    static func camelCaseSplit(_ s: String) -> [String] {
        enum Class { case lower, upper, digit, other }
        func classify(_ c: Unicode.Scalar) -> Class {
            if c.properties.isLowercase { return .lower }
            if c.properties.isUppercase { return .upper }
            if c.properties.numericType == .decimal { return .digit }
            return .other
        }
        var runs: [[Unicode.Scalar]] = []
        var lastClass: Class?
        for c in s.unicodeScalars {
            let cls = classify(c)
            if cls == lastClass, !runs.isEmpty {
                runs[runs.count - 1].append(c)
            } else {
                runs.append([c])
            }
            lastClass = cls
        }
        var i = 0
        while i + 1 < runs.count {
            if let first = runs[i].first, classify(first) == .upper,
                let next = runs[i + 1].first, classify(next) == .lower, let moved = runs[i].popLast()
            {
                runs[i + 1].insert(moved, at: 0)
            }
            i += 1
        }
        return runs.filter { !$0.isEmpty }.map { String(String.UnicodeScalarView($0)) }
    }

    static func describeEvents(_ w: inout PrefixWriter, events: [JSONValue], now: Double) {
        if events.isEmpty {
            w.write(0, "Events:\t<none>\n")
            return
        }
        w.flush()
        // Ordered by lastTimestamp (missing first); insertion sort like Go's for small lists.
        let sorted = stableSorted(events) { a, b in
            (KubeTime.parse(a["lastTimestamp"]?.stringValue) ?? -.infinity)
                < (KubeTime.parse(b["lastTimestamp"]?.stringValue) ?? -.infinity)
        }
        w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
        w.write(1, "----\t------\t----\t----\t-------\n")
        for event in sorted {
            var first = since(event["eventTime"]?.stringValue, now: now)
            if KubeTime.parse(event["eventTime"]?.stringValue) == nil {
                first = since(event["firstTimestamp"]?.stringValue, now: now)
            }
            let count = event["count"]?.intValue ?? 0
            let interval: String
            if let series = event["series"], series.objectValue != nil {
                let last = since(series["lastObservedTime"]?.stringValue, now: now)
                interval = "\(last) (x\(series["count"]?.intValue ?? 0) over \(first))"
            } else if count > 1 {
                interval = "\(since(event["lastTimestamp"]?.stringValue, now: now)) (x\(count) over \(first))"
            } else {
                interval = first
            }
            var source = event["source"]?["component"]?.stringValue ?? ""
            if source.isEmpty { source = event["reportingComponent"]?.stringValue ?? "" }
            let message = (event["message"]?.stringValue ?? "").trimmingGoWhitespace()
            let type = event["type"]?.stringValue ?? ""
            let reason = event["reason"]?.stringValue ?? ""
            w.write(1, "\(type)\t\(reason)\t\(interval)\t\(source)\t\(message)\n")
        }
    }

    /// `translateTimestampSince`: `<unknown>` for a missing time, else a human duration.
    static func since(_ timestamp: String?, now: Double) -> String {
        guard let t = KubeTime.parse(timestamp) else { return "<unknown>" }
        return HumanDuration.format(seconds: now - t)
    }

    static func stableSorted(_ items: [JSONValue], by less: (JSONValue, JSONValue) -> Bool) -> [JSONValue] {
        var result = items
        for i in result.indices.dropFirst() {
            var j = i
            while j > 0 && less(result[j], result[j - 1]) {
                result.swapAt(j, j - 1)
                j -= 1
            }
        }
        return result
    }

    static func sortedKeys(_ map: [String: String]) -> [String] {
        map.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// `unstructured.GetLabels`: a string map, or nil when any value is not a string.
    static func stringMap(_ value: JSONValue?) -> [String: String]? {
        guard let object = value?.objectValue else { return nil }
        var result: [String: String] = [:]
        for (key, v) in object {
            guard let s = v.stringValue else { return nil }
            result[key] = s
        }
        return result
    }
}
