import DatumJSON

/// Uniqueness of `x-kubernetes-list-type: set` elements and `map` keys
/// (apiextensions' `ValidateListSetsAndMaps`).
enum ListTypeValidation {
    static func validate(_ value: JSONValue, _ schema: OpenAPISchema, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        walk(value, schema, path, &errors)
        return errors
    }

    private static func walk(
        _ value: JSONValue, _ schema: OpenAPISchema, _ path: FieldPath, _ errors: inout [FieldError]
    ) {
        guard schema.hasListTypesBelow else { return }
        switch value {
        case .object(let object):
            if let additional = schema.additionalPropertiesSchema {
                for (key, child) in object { walk(child, additional, path.key(key), &errors) }
            }
            for (name, propertySchema) in schema.properties {
                if let child = object[name] {
                    walk(child, propertySchema, path.child(name), &errors)
                }
            }
        case .array(let items):
            switch schema.listType {
            case "set":
                for i in firstRepeats(items) { errors.append(.duplicate(path.index(i), FieldError.BadValue(items[i]))) }
            case "map":
                errors += validateMap(items, schema, path)
            default:
                break
            }
            if let itemSchema = schema.items {
                for (i, item) in items.enumerated() { walk(item, itemSchema, path.index(i), &errors) }
            }
        default:
            break
        }
    }

    /// Indexes of the second occurrence of each repeated element (later repeats are not reported).
    private static func firstRepeats(_ items: [JSONValue]) -> [Int] {
        var seen: [JSONValue: Int] = [:]
        var result: [Int] = []
        for (i, item) in items.enumerated() {
            let times = seen[item, default: 0]
            seen[item] = times + 1
            if times == 1 { result.append(i) }
        }
        return result
    }

    private static func validateMap(_ items: [JSONValue], _ schema: OpenAPISchema, _ path: FieldPath) -> [FieldError] {
        for (i, item) in items.enumerated() {
            switch item {
            case .object, .null: continue
            default:
                return [
                    .invalid(
                        path.index(i), FieldError.BadValue(item), "must be an object for an array of list-type map")
                ]
            }
        }
        guard items.count > 1 else { return [] }
        // An absent key differs from every present value, including null.
        let absent: JSONValue = .object(["\u{0}absent": true])
        var keys: [JSONValue] = []
        var keyMaps: [JSONObject] = []
        for item in items {
            var keyMap = JSONObject()
            if case .object(let object) = item {
                for field in schema.listMapKeys {
                    if let v = object[field] { keyMap[field] = v }
                }
            }
            keyMaps.append(keyMap)
            if schema.listMapKeys.count == 1 {
                keys.append(keyMap[schema.listMapKeys[0]] ?? absent)
            } else {
                keys.append(.object(keyMap))
            }
        }
        return firstRepeats(keys).map { i in
            .duplicate(path.index(i), .json(.object(keyMaps[i])))
        }
    }
}
