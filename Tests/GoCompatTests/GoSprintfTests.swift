import GoCompat
import Testing

/// `fmt.Sprintf` with Go 1.23 as the referee: `Fixtures/go-sprintf.json` holds what Go printed for
/// every format of `inputs.json` with every value, and for the listed cases (argument indexes,
/// `*`, missing and extra arguments, bad verbs), recorded by `Fixtures/record`.
@Suite struct GoSprintfTests {
    /// An argument as the recorder typed it: `{"int64": 42}`, `{"slice": [1, "a"]}`, `{"nil": null}`.
    /// Inside slices and maps, integers are int64 and other numbers float64, as kubectl decodes.
    indirect enum Value: GoFormattable, Decodable, Sendable {
        case null
        case bool(Bool)
        case int(Int)
        case int64(Int64)
        case float64(Double)
        case string(String)
        case slice([Value])
        case map([String: Value])

        var goDynamic: GoDynamic<Value> {
            switch self {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .int64(let i): return .int64(i)
            case .float64(let d): return .float64(d)
            case .string(let s): return .string(s)
            case .slice(let items): return .slice(items)
            case .map(let map): return .map(map.map { ($0.key, $0.value) })
            }
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// An untyped JSON value, as kubectl's decoding makes it.
        init(untyped decoder: any Decoder) throws {
            if let object = try? decoder.container(keyedBy: Key.self) {
                var map: [String: Value] = [:]
                for key in object.allKeys {
                    map[key.stringValue] = try Value(untyped: object.superDecoder(forKey: key))
                }
                self = .map(map)
            } else if var array = try? decoder.unkeyedContainer() {
                var items: [Value] = []
                while !array.isAtEnd { items.append(try Value(untyped: array.superDecoder())) }
                self = .slice(items)
            } else {
                let single = try decoder.singleValueContainer()
                if single.decodeNil() {
                    self = .null
                } else if let b = try? single.decode(Bool.self) {
                    self = .bool(b)
                } else if let i = try? single.decode(Int64.self) {
                    self = .int64(i)
                } else if let d = try? single.decode(Double.self) {
                    self = .float64(d)
                } else {
                    self = .string(try single.decode(String.self))
                }
            }
        }

        init(from decoder: any Decoder) throws {
            let typed = try decoder.container(keyedBy: Key.self)
            guard let key = typed.allKeys.first, typed.allKeys.count == 1 else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "one key, the type"))
            }
            switch key.stringValue {
            case "nil": self = .null
            case "bool": self = .bool(try typed.decode(Bool.self, forKey: key))
            case "int": self = .int(try typed.decode(Int.self, forKey: key))
            case "int64": self = .int64(try typed.decode(Int64.self, forKey: key))
            case "float64":
                switch try? typed.decode(String.self, forKey: key) {
                case "NaN"?: self = .float64(.nan)
                case "+Inf"?: self = .float64(.infinity)
                case "-Inf"?: self = .float64(-.infinity)
                default: self = .float64(try typed.decode(Double.self, forKey: key))
                }
            case "string": self = .string(try typed.decode(String.self, forKey: key))
            case "slice", "map": self = try Value(untyped: typed.superDecoder(forKey: key))
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: [key], debugDescription: "unknown type"))
            }
        }
    }

    struct Case: Decodable, Sendable, CustomStringConvertible {
        var format: String
        var args: [Value]
        var output: String
        var description: String { "\(format.debugDescription) \(args.count) args" }

        /// A top-level `nil` is a nil `interface{}`, which fmt treats apart from a typed value.
        var arguments: [Value?] {
            args.map { if case .null = $0 { return nil } else { return $0 } }
        }
    }

    struct Fixture: Decodable {
        var cases: [Case]
    }

    static let cases = GoFixtures.load(Fixture.self, from: "go-sprintf.json")?.cases ?? []

    @Test func theRecordingIsThere() {
        #expect(Self.cases.count > 2_000)
    }

    @Test(arguments: cases)
    func formatsAsGo(_ c: Case) {
        #expect(GoSprintf.format(c.format, c.arguments) == c.output, "Sprintf(\(c.format.debugDescription))")
    }

    @Test func sprintAndGoSyntaxOfNestedValues() {
        let value = Value.slice([.map(["b": .null, "a": .slice([.int64(1), .float64(2.5)])]), .string("q\"")])
        #expect(GoSprintf.sprint(value) == "[map[a:[1 2.5] b:<nil>] q\"]")
        #expect(
            GoSprintf.goSyntax(value)
                == #"[]interface {}{map[string]interface {}{"a":[]interface {}{1, 2.5}, "b":interface {}(nil)}, "q\""}"#
        )
        #expect(GoSprintf.typeName(value) == "[]interface {}")
        #expect(GoSprintf.typeName(Value?.none) == "<nil>")
    }
}
