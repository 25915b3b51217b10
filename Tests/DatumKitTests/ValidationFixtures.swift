import DatumJSON
import Foundation
import TestSupport

/// Loads the JSON fixtures that live next to the tests (the YAML loader is
/// built elsewhere, so YAML inputs were converted to JSON once; see
/// `Fixtures/README.md`).
enum ValidationFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The package root, for the vendored copies under `Sources/DatumKit/Upstream`.
    static let packageRoot: URL = Repository.url

    static func json(_ relativePath: String) throws -> JSONValue {
        let data = try Data(contentsOf: directory.appendingPathComponent(relativePath))
        return try JSONParser.parse(Array(data))
    }

    static func vendored(_ name: String) throws -> JSONValue {
        let url = packageRoot.appendingPathComponent("Sources/DatumKit/Upstream").appendingPathComponent(name)
        return try JSONParser.parse(Array(try Data(contentsOf: url)))
    }

    static func crd() throws -> JSONValue { try json("backendtlspolicies.crd.json") }

    /// Every `pattern` string in a schema tree, in document order, without duplicates.
    static func patterns(in value: JSONValue) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        func walk(_ v: JSONValue) {
            switch v {
            case .object(let o):
                for (key, child) in o {
                    if key == "pattern", case .string(let p) = child {
                        if seen.insert(p).inserted { result.append(p) }
                    } else {
                        walk(child)
                    }
                }
            case .array(let a):
                a.forEach(walk)
            default:
                break
            }
        }
        walk(value)
        return result
    }
}

/// One step of a test edit path.
enum EditStep {
    case key(String)
    case index(Int)
}

extension JSONValue {
    /// Parses `spec.targetRefs[0].group` into steps (keys must not contain `.` or `[`).
    static func editSteps(_ path: String) -> [EditStep] {
        var steps: [EditStep] = []
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
                let number = name[name.index(after: open)..<name.index(before: name.endIndex)]
                indexes.insert(Int(number) ?? 0, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { steps.append(.key(String(name))) }
            steps += indexes.map(EditStep.index)
        }
        return steps
    }

    /// A copy with the value at `path` replaced (`nil` removes it); missing objects are created.
    func setting(_ path: String, to newValue: JSONValue?) -> JSONValue {
        setting(steps: JSONValue.editSteps(path)[...], to: newValue)
    }

    func setting(steps: ArraySlice<EditStep>, to newValue: JSONValue?) -> JSONValue {
        guard let step = steps.first else { return newValue ?? .null }
        let rest = steps.dropFirst()
        switch step {
        case .key(let key):
            var object = objectValue ?? JSONObject()
            if rest.isEmpty {
                object[key] = newValue
            } else {
                object[key] = (object[key] ?? .null).setting(steps: rest, to: newValue)
            }
            return .object(object)
        case .index(let i):
            var items = arrayValue ?? []
            while items.count <= i { items.append(.null) }
            if rest.isEmpty {
                if let newValue { items[i] = newValue } else { items.remove(at: i) }
            } else {
                items[i] = items[i].setting(steps: rest, to: newValue)
            }
            return .array(items)
        }
    }
}
