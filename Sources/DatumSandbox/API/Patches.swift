import DatumJSON

/// The patch formats the API server accepts.
public enum PatchFormats {
    /// RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces.
    public static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchObject {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = mergePatch(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }

    /// kube-apiserver's `JSONPatchMaxCopyBytes`: how much the "copy" operations of one patch may add.
    /// Copies share storage in memory, but each is encoded and stored in full, so without it a
    /// patch of a few kilobytes grows an object past what memory and SQLite can hold.
    public static let maximumCopyBytes = 3 * 1024 * 1024

    /// RFC 6902 JSON patch. Errors are worded like evanphx/json-patch, which the API server uses.
    public static func jsonPatch(_ target: JSONValue, _ operations: JSONValue) throws(APIError) -> JSONValue {
        guard case .array(let ops) = operations else {
            throw APIError.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        }
        var document = target
        var copied = 0
        for op in ops {
            guard let name = op["op"]?.stringValue else {
                throw APIError(code: 422, reason: "Invalid", message: "Unexpected kind: <nil>")
            }
            let path = op["path"]?.stringValue ?? ""
            let pointer = try parsePointer(path)
            switch name {
            case "add":
                try checkDepth(pointer, op["value"] ?? .null)
                document = try add(document, pointer, op["value"] ?? .null)
            case "remove":
                document = try remove(document, pointer, path: path)
            case "replace":
                _ = try get(document, pointer, path: path)
                try checkDepth(pointer, op["value"] ?? .null)
                document = try remove(document, pointer, path: path)
                document = try add(document, pointer, op["value"] ?? .null)
            case "move":
                let fromPath = op["from"]?.stringValue ?? ""
                let from = try parsePointer(fromPath)
                let value = try get(document, from, path: fromPath)
                try checkDepth(pointer, value)
                document = try remove(document, from, path: fromPath)
                document = try add(document, pointer, value)
            case "copy":
                let fromPath = op["from"]?.stringValue ?? ""
                let value = try get(document, try parsePointer(fromPath), path: fromPath)
                // Bounded: the sum stops growing at the first copy past the limit.
                copied += GoJSONEncoder.compact.encodeBytes(value).count
                if copied > maximumCopyBytes {
                    throw APIError(
                        code: 422, reason: "Invalid",
                        message: "Unable to complete the copy, the accumulated size increase of copy is \(copied), "
                            + "exceeding the limit \(maximumCopyBytes)")
                }
                try checkDepth(pointer, value)
                document = try add(document, pointer, value)
            case "test":
                let value = try get(document, pointer, path: path)
                if value != (op["value"] ?? .null) {
                    throw APIError(
                        code: 422, reason: "Invalid", message: "testing value \(path) failed: test failed")
                }
            default:
                throw APIError(code: 422, reason: "Invalid", message: "Unexpected kind: \(name)")
            }
        }
        return document
    }

    /// How deep a patched object may nest: the JSON parser's limit for request bodies. A patch
    /// that copies an object into its own deepest member doubles its depth with every operation
    /// (500 levels became 128,000 in nine operations) and the recursive code that patches, encodes
    /// and frees it then overflows the stack, so no operation may place a value deeper than this.
    public static let maximumDepth = JSONParser.maximumDepth

    /// Refuses a value that would end deeper than ``maximumDepth`` at `pointer`. Every document
    /// already nests at most that deep, so the walk below never goes further either.
    private static func checkDepth(_ pointer: [String], _ value: JSONValue) throws(APIError) {
        guard pointer.count + nesting(of: value, limit: maximumDepth - pointer.count) > maximumDepth else { return }
        throw APIError(
            code: 422, reason: "Invalid",
            message: "the patched object would exceed the maximum nesting depth of \(maximumDepth)")
    }

    /// Nesting levels of objects and arrays in `value`; stops counting past `limit`.
    static func nesting(of value: JSONValue, limit: Int) -> Int {
        guard limit >= 0 else { return 1 }
        var deepest = 0
        switch value {
        case .object(let object):
            for (_, child) in object {
                deepest = max(deepest, nesting(of: child, limit: limit - 1))
                if deepest >= limit { break }
            }
        case .array(let items):
            for child in items {
                deepest = max(deepest, nesting(of: child, limit: limit - 1))
                if deepest >= limit { break }
            }
        default:
            return 0
        }
        return deepest + 1
    }

    static func parsePointer(_ path: String) throws(APIError) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else {
            throw APIError(code: 422, reason: "Invalid", message: "invalid JSON pointer: \(path)")
        }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).replacing("~1", with: "/").replacing("~0", with: "~")
        }
    }

    private static func missing(_ path: String) -> APIError {
        APIError(code: 422, reason: "Invalid", message: "doc is missing path: \"\(path)\": missing value")
    }

    private static func get(_ document: JSONValue, _ pointer: [String], path: String) throws(APIError) -> JSONValue {
        var current = document
        for token in pointer {
            switch current {
            case .object(let o):
                guard let next = o[token] else { throw missing(path) }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { throw missing(path) }
                current = a[i]
            default: throw missing(path)
            }
        }
        return current
    }

    private static func add(_ document: JSONValue, _ pointer: [String], _ value: JSONValue) throws(APIError)
        -> JSONValue
    {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var o):
            if rest.isEmpty {
                o[token] = value
            } else {
                guard let child = o[token] else { throw missing("/" + pointer.joined(separator: "/")) }
                o[token] = try add(child, rest, value)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if token == "-" {
                    a.append(value)
                } else {
                    guard let i = Int(token), i >= 0, i <= a.count else {
                        throw APIError(
                            code: 422, reason: "Invalid",
                            message:
                                "add operation does not apply: doc is missing path: \"/\(pointer.joined(separator: "/"))\": missing value"
                        )
                    }
                    a.insert(value, at: i)
                }
            } else {
                guard let i = Int(token), a.indices.contains(i) else {
                    throw missing("/" + pointer.joined(separator: "/"))
                }
                a[i] = try add(a[i], rest, value)
            }
            return .array(a)
        default:
            throw missing("/" + pointer.joined(separator: "/"))
        }
    }

    private static func remove(_ document: JSONValue, _ pointer: [String], path: String) throws(APIError) -> JSONValue {
        guard let token = pointer.first else { return .null }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var o):
            guard let child = o[token] else { throw missing(path) }
            // Not a ternary: `nil` would become JSONValue.null (it is ExpressibleByNilLiteral).
            if rest.isEmpty {
                o[token] = nil
            } else {
                o[token] = try remove(child, rest, path: path)
            }
            return .object(o)
        case .array(var a):
            guard let i = Int(token), a.indices.contains(i) else { throw missing(path) }
            if rest.isEmpty { a.remove(at: i) } else { a[i] = try remove(a[i], rest, path: path) }
            return .array(a)
        default:
            throw missing(path)
        }
    }

    // MARK: Strategic merge patch (built-in kinds only)

    /// Merge keys of the lists a strategic merge patch merges instead of replacing, by field name.
    /// Covers the fields of the built-in kinds the sandbox serves (Service, ConfigMap, Namespace).
    static let mergeKeys: [String: String] = ["ports": "port", "ownerReferences": "uid", "conditions": "type"]
    /// Primitive lists merged as sets.
    static let mergedPrimitiveLists: Set<String> = ["finalizers"]

    /// Strategic merge patch with the directives kubectl's three-way patches use:
    /// `$patch`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys`.
    public static func strategicMergePatch(_ target: JSONValue, _ patch: JSONValue) throws(APIError) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        if patchObject["$patch"]?.stringValue == "replace" {
            var replaced = patchObject
            replaced["$patch"] = nil
            return .object(replaced)
        }
        if patchObject["$patch"]?.stringValue == "delete" { return .null }
        var result = target.objectValue ?? [:]
        if let retain = patchObject["$retainKeys"]?.arrayValue {
            let keep = Set(retain.compactMap(\.stringValue))
            for key in result.keys where !keep.contains(key) { result[key] = nil }
        }
        for (key, value) in patchObject {
            if key == "$retainKeys" || key == "$patch" { continue }
            if key.hasPrefix("$setElementOrder/") {
                continue
            }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                if case .array(let existing) = result[field] ?? .null, case .array(let drop) = value {
                    result[field] = .array(existing.filter { !drop.contains($0) })
                }
                continue
            }
            if value.isNull {
                result[key] = nil
                continue
            }
            switch value {
            case .object:
                result[key] = try strategicMergePatch(result[key] ?? .null, value)
            case .array(let items):
                if let mergeKey = mergeKeys[key] {
                    result[key] = .array(
                        mergeList(
                            result[key]?.arrayValue ?? [], items, key: mergeKey,
                            order: patchObject["$setElementOrder/\(key)"]?.arrayValue))
                } else if mergedPrimitiveLists.contains(key) {
                    var merged = result[key]?.arrayValue ?? []
                    for item in items where !merged.contains(item) { merged.append(item) }
                    result[key] = .array(merged)
                } else {
                    result[key] = value
                }
            default:
                result[key] = value
            }
        }
        // Apply element order for lists that were not themselves patched.
        for (key, value) in patchObject where key.hasPrefix("$setElementOrder/") {
            let field = String(key.dropFirst("$setElementOrder/".count))
            if patchObject[field] == nil, let mergeKey = mergeKeys[field], let order = value.arrayValue {
                result[field] = .array(mergeList(result[field]?.arrayValue ?? [], [], key: mergeKey, order: order))
            }
        }
        return .object(result)
    }

    private static func mergeList(_ existing: [JSONValue], _ patch: [JSONValue], key: String, order: [JSONValue]?)
        -> [JSONValue]
    {
        var items = existing
        for element in patch {
            let id = element[key]
            if let index = items.firstIndex(where: { $0[key] == id }) {
                if element["$patch"]?.stringValue == "delete" {
                    items.remove(at: index)
                } else if element["$patch"]?.stringValue == "replace" {
                    var replaced = element
                    replaced["$patch"] = nil
                    items[index] = replaced
                } else {
                    items[index] = (try? strategicMergePatch(items[index], element)) ?? element
                }
            } else if element["$patch"]?.stringValue != "delete" {
                items.append(element)
            }
        }
        guard let order else { return items }
        // Elements named in the order come first, in that order; the rest keep their relative order.
        var ordered: [JSONValue] = []
        var remaining = items
        for entry in order {
            if let index = remaining.firstIndex(where: { $0[key] == entry[key] }) {
                ordered.append(remaining.remove(at: index))
            }
        }
        return ordered + remaining
    }
}
