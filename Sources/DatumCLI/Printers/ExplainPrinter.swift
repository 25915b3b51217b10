import DatumJSON
import GoCompat

/// `kubectl explain` (OpenAPI v3, plaintext) as kubectl 1.32 renders it.
///
/// kubectl runs a Go template (`explain/v2/templates/plaintext.tmpl`) over the
/// group-version OpenAPI document; this follows that template step by step,
/// including its blank lines, its `wrap`/`indent` helpers and its error texts.
public enum ExplainPrinter {
    /// What explain printed: kubectl writes the header before it can fail, so a
    /// failed explain still has output.
    public struct Result: Sendable, Equatable {
        public var output: String
        public var error: PrinterError?
    }

    /// The resource being explained (`backendtlspolicies` in `gateway.networking.k8s.io/v1`).
    public struct Resource: Sendable, Equatable {
        public var group: String
        public var version: String
        public var resource: String

        public init(group: String, version: String, resource: String) {
            self.group = group
            self.version = version
            self.resource = resource
        }

        /// `schema.GroupVersionResource.String()`.
        var description: String { "\(group)/\(version), Resource=\(resource)" }
    }

    /// Explains `fieldPath` (the parts after the resource: `["spec", "validation"]`).
    public static func explain(
        document: JSONValue, resource: Resource, fieldPath: [String], recursive: Bool = false
    ) -> Result {
        let context = Context(document: document)
        guard let gvk = findGVK(document: document, resource: resource) else {
            return Result(output: "", error: PrinterError("GVR (\(resource.description)) not found in OpenAPI schema"))
        }
        var out = ""
        let group = gvk["group"].map(templateText) ?? ""
        if !group.isEmpty { out += "GROUP:      \(group)\n" }
        out += "KIND:       \(gvk["kind"].map(templateText) ?? "")\n"
        out += "VERSION:    \(gvk["version"].map(templateText) ?? "")\n"
        out += "\n"
        let schemas = document["components"]?["schemas"]?.objectValue ?? JSONObject()
        var found = false
        for name in schemas.sortedKeys {
            guard let schema = schemas[name],
                let kinds = schema["x-kubernetes-group-version-kind"]?.arrayValue, kinds.contains(gvk)
            else { continue }
            found = true
            let text = context.output(schema: schema, history: [], fieldPath: fieldPath[...], recursive: recursive)
            if text.isEmpty {
                let field = fieldPath.last ?? ""
                return Result(output: out, error: PrinterError("field \"\(field)\" does not exist"))
            }
            out += text
            break
        }
        if !found {
            return Result(output: out, error: PrinterError("GVK \(GoFormat.value(gvk)) not found in OpenAPI schema"))
        }
        return Result(output: out + "\n", error: nil)
    }

    /// The GVK of the resource's operations, searched in the template's order.
    static func findGVK(document: JSONValue, resource: Resource) -> JSONValue? {
        let prefix = resource.group.isEmpty ? "/api" : "/apis/" + resource.group
        let base = prefix + "/" + resource.version
        let searchPaths = [
            base + "/" + resource.resource,
            base + "/" + resource.resource + "/{name}",
            base + "/namespaces/{namespace}/" + resource.resource,
            base + "/namespaces/{namespace}/" + resource.resource + "/{name}",
        ]
        var gvk: JSONValue?
        for path in searchPaths {
            guard let item = document["paths"]?[path], truthy(item) else { continue }
            for method in ["get", "post", "put", "patch", "delete"] {
                guard let operation = item[method], truthy(operation) else { continue }
                gvk = operation["x-kubernetes-group-version-kind"]
                if let gvk, truthy(gvk) { break }
            }
        }
        guard let gvk, truthy(gvk) else { return nil }
        return gvk
    }

    /// Go template truthiness: false, 0, nil and empty strings, arrays and maps are false.
    static func truthy(_ value: JSONValue?) -> Bool {
        guard let value else { return false }
        return GoValue.data(value).truth
    }

    /// How the template prints a value (`{{ . }}`): strings raw, numbers as Go float64 `%v`
    /// (JSON numbers decode to float64 in kubectl).
    static func templateText(_ value: JSONValue) -> String {
        switch value {
        case .int(let i): return GoFormat.formatFloat(Double(i))
        default: return GoFormat.value(value)
        }
    }

    /// `additionalProperties` that is a schema (not the boolean form).
    static func additionalSchema(_ schema: JSONValue) -> JSONValue? {
        guard let additional = schema["additionalProperties"], truthy(additional) else { return nil }
        if case .bool = additional { return nil }
        return additional
    }

    struct Context {
        let document: JSONValue

        /// `resolveRef`: follows a `#/...` fragment inside the document.
        func resolve(_ ref: JSONValue?) -> JSONValue? {
            guard let ref = ref?.stringValue, ref.hasPrefix("#") else { return nil }
            var current = document
            for component in ref.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
                let key = String(component).replacing("~1", with: "/").replacing("~0", with: "~")
                guard let next = current[key], next.objectValue != nil else { return nil }
                current = next
            }
            return current
        }

        /// `or (resolveRef $ref) $schema` — an empty resolved map counts as missing.
        func resolved(_ schema: JSONValue) -> JSONValue {
            if let target = resolve(schema["$ref"]), truthy(target) { return target }
            return schema
        }

        func output(schema: JSONValue, history: Set<String>, fieldPath: ArraySlice<String>, recursive: Bool) -> String {
            let ref = schema["$ref"]?.stringValue ?? ""
            var nextHistory = history
            nextHistory.insert(ref)
            let resolvedSchema = resolved(schema)
            guard let first = fieldPath.first else {
                var out = "DESCRIPTION:\n"
                var text = description(resolvedSchema)
                if text.isEmpty { text = "<empty>" }
                out += indent(4, wrap(76, text)) + "\n"
                let fields = fieldList(schema: resolvedSchema, level: 1, history: [], recursive: recursive)
                if !fields.isEmpty { out += "FIELDS:\n" + fields }
                return out
            }
            if !ref.isEmpty && history.contains(ref) { return "" }
            if let properties = resolvedSchema["properties"], truthy(properties),
                let subschema = properties[first], truthy(subschema)
            {
                var out = ""
                if fieldPath.count == 1 {
                    out += "FIELD: \(first) <\(typeGuess(subschema))>\n"
                    out += extractEnum(subschema, longView: true, limit: -1, indentAmount: 0) + "\n"
                    out += "\n"
                }
                return out
                    + output(schema: subschema, history: [], fieldPath: fieldPath.dropFirst(), recursive: recursive)
            }
            if let items = resolvedSchema["items"], truthy(items) {
                return output(schema: items, history: nextHistory, fieldPath: fieldPath, recursive: recursive)
            }
            if let additional = additionalSchema(resolvedSchema) {
                return output(schema: additional, history: nextHistory, fieldPath: fieldPath, recursive: recursive)
            }
            for subschema in resolvedSchema["allOf"]?.arrayValue ?? [] {
                let text = output(schema: subschema, history: nextHistory, fieldPath: fieldPath, recursive: recursive)
                if !text.isEmpty { return text }
            }
            return ""
        }

        func fieldList(schema: JSONValue, level: Int, history: Set<String>, recursive: Bool) -> String {
            let ref = schema["$ref"]?.stringValue ?? ""
            if !ref.isEmpty && history.contains(ref) { return "" }
            var nextHistory = history
            nextHistory.insert(ref)
            let resolvedSchema = resolved(schema)
            var out = ""
            if let properties = resolvedSchema["properties"]?.objectValue {
                for name in properties.sortedKeys {
                    out += fieldDetail(name: name, parent: resolvedSchema, short: recursive, level: level)
                    if recursive, let child = properties[name] {
                        out += fieldList(schema: child, level: level + 1, history: nextHistory, recursive: recursive)
                    }
                }
            }
            for subschema in resolvedSchema["allOf"]?.arrayValue ?? [] {
                out += fieldList(schema: subschema, level: level, history: nextHistory, recursive: recursive)
            }
            if let items = resolvedSchema["items"], truthy(items) {
                out += fieldList(schema: items, level: level, history: nextHistory, recursive: recursive)
            }
            if let additional = additionalSchema(resolvedSchema) {
                out += fieldList(schema: additional, level: level, history: nextHistory, recursive: recursive)
            }
            return out
        }

        func fieldDetail(name: String, parent: JSONValue, short: Bool, level: Int) -> String {
            let indentAmount = level * 2
            let field = parent["properties"]?[name] ?? .object(JSONObject())
            var out = indent(indentAmount, name) + "\t<" + typeGuess(field) + ">"
            if (parent["required"]?.arrayValue ?? []).contains(.string(name)) { out += " -required-" }
            out += extractEnum(field, longView: false, limit: 4, indentAmount: indentAmount)
            out += "\n"
            if !short {
                var text = field["description"]?.stringValue ?? ""
                if text.isEmpty { text = "<no description>" }
                out += indent(indentAmount + 2, wrap(78 - indentAmount, text)) + "\n"
                out += "\n"
            }
            return out
        }

        func description(_ schema: JSONValue) -> String {
            let target = resolved(schema)
            guard truthy(target) else { return "" }
            var out = ""
            if let text = target["description"], truthy(text) { out += templateText(text) + "\n" }
            for subschema in target["allOf"]?.arrayValue ?? [] { out += description(subschema) }
            if let items = target["items"], truthy(items) { out += description(items) }
            if let additional = additionalSchema(target) { out += description(additional) }
            return out
        }

        func typeGuess(_ schema: JSONValue) -> String {
            if let items = schema["items"], truthy(items) { return "[]" + typeGuess(items) }
            if let additional = additionalSchema(schema) { return "map[string]" + typeGuess(additional) }
            if let allOf = schema["allOf"]?.arrayValue, allOf.count == 1, !truthy(schema["properties"]) {
                return typeGuess(allOf[0])
            }
            if let ref = schema["$ref"], truthy(ref) {
                let refSchema = resolve(ref)
                let refType = refSchema?["type"]
                if refSchema == nil || !truthy(refSchema) || !truthy(refType) || refType == .string("object") {
                    let name = ref.stringValue?.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
                    let last = name.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? ""
                    return last.isEmpty ? "Object" : last
                }
                return refType.map(templateText) ?? "Object"
            }
            let type = schema["type"]
            if type == .string("object") { return "Object" }
            if let type, truthy(type) { return templateText(type) }
            return "Object"
        }

        func extractEnum(_ schema: JSONValue, longView: Bool, limit: Int, indentAmount: Int) -> String {
            guard let values = schema["enum"]?.arrayValue, !values.isEmpty else { return "" }
            var out = longView ? "ENUM:" : "\n" + indent(indentAmount, "") + "enum: "
            for (index, element) in values.enumerated() {
                if limit > -1 && index >= limit {
                    out += ", ...."
                    break
                }
                if index > 0 && !longView {
                    out += ", "
                } else if longView {
                    out += "\n" + indent(4, "")
                }
                if element == .string("") {
                    out += "\"\""
                } else {
                    out += templateText(element)
                }
            }
            return out
        }
    }

    /// The template's `indent`: pads the start and every line after a newline.
    static func indent(_ amount: Int, _ text: String) -> String {
        let pad = String(repeating: " ", count: amount)
        return pad + text.replacing("\n", with: "\n" + pad)
    }

    /// The template's `wrap`: `mitchellh/go-wordwrap` v1.0.1 `WrapString`.
    static func wrap(_ limit: Int, _ text: String) -> String {
        WordWrap.wrap(text, limit: limit)
    }
}

/// `github.com/mitchellh/go-wordwrap` `WrapString` (v1.0.1): breaks only at whitespace,
/// keeps existing newlines, lets a word longer than the limit overflow.
public enum WordWrap {
    public static func wrap(_ s: String, limit: Int) -> String {
        var buf = ""
        var current = 0
        var word = ""
        var wordLength = 0
        var space = ""
        var spaceLength = 0
        for scalar in s.unicodeScalars {
            if scalar == "\n" {
                if wordLength == 0 {
                    if current + spaceLength > limit {
                        current = 0
                    } else {
                        current += spaceLength
                        buf += space
                    }
                    space = ""
                    spaceLength = 0
                } else {
                    current += spaceLength + wordLength
                    buf += space + word
                    space = ""
                    spaceLength = 0
                    word = ""
                    wordLength = 0
                }
                buf += "\n"
                current = 0
            } else if scalar.properties.isWhitespace && scalar != "\u{A0}" {
                if spaceLength == 0 || wordLength > 0 {
                    current += spaceLength + wordLength
                    buf += space + word
                    space = ""
                    spaceLength = 0
                    word = ""
                    wordLength = 0
                }
                space.unicodeScalars.append(scalar)
                spaceLength += 1
            } else {
                word.unicodeScalars.append(scalar)
                wordLength += 1
                if current + spaceLength + wordLength > limit && wordLength < limit {
                    buf += "\n"
                    current = 0
                    space = ""
                    spaceLength = 0
                }
            }
        }
        if wordLength == 0 {
            if current + spaceLength <= limit { buf += space }
        } else {
            buf += space + word
        }
        return buf
    }
}
