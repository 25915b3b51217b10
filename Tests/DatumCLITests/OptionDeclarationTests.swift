import DatumArguments
import Foundation
import Testing

@testable import DatumCLI

/// Options are read by the `OptionSpec` that declares them, never by a name typed twice; and every
/// option a command reads is one its spec declares (own or inherited global), so a read can never
/// fall back to a default the user cannot change.
@Suite struct OptionDeclarationTests {
    /// Every runnable command path.
    static let paths = Datumctl.routes.keys.map { ["datumctl"] + $0 }.sorted { $0.lexicographicallyPrecedes($1) }

    static func chain(_ path: [String]) -> [CommandSpec] {
        var chain = [Datumctl.rootSpec]
        for word in path.dropFirst() {
            guard let next = chain.last?.subcommand(named: word) else { break }
            chain.append(next)
        }
        return chain
    }

    /// Values a string option needs to be valid at all.
    static let knownGood = ["for": "delete"]

    static func sampleValue(_ option: OptionSpec) -> String {
        if let value = knownGood[option.long] { return value }
        switch option.valueSpec?.kind {
        case nil: return "true"
        case .int: return "1"
        case .duration: return "0s"
        case .enumeration(let values): return values.first ?? "x"
        case .formatted(let values, _): return values.first ?? "x"
        case .string: return "x"
        }
    }

    @Test(arguments: paths)
    func everyReadOptionIsDeclared(path: [String]) throws {
        let chain = Self.chain(path)
        let command = try #require(chain.last)
        let type = try #require(Datumctl.commandType(for: path))
        let available = OptionTable(chain: chain).options
        let environment = CommandEnvironment(
            arguments: path, variables: [:], stdout: .memory(), stderr: .memory(), readStandardInput: { [] },
            currentDirectory: "/nonexistent", now: { Date(timeIntervalSince1970: 0) }, terminalWidth: 80)
        let everything = Dictionary(
            available.map { ($0.long, [ParsedValue(Self.sampleValue($0), argvIndex: 0)]) }, uniquingKeysWith: { a, _ in a })
        // An init stops reading at its first complaint, so it is tried with several shapes: bare,
        // with positionals, with every option, and with both.
        let positionals = command.positionals.map { positional in
            switch positional.completion {
            case .resourceTypes: ParsedValue("backendtlspolicies", argvIndex: 0)
            case .values(let values): ParsedValue(values.first ?? "x", argvIndex: 0)
            default: ParsedValue("x", argvIndex: 0)
            }
        }
        var completed = 0
        var refusals: [String] = []
        for options in [[:], everything] {
            for words in [[], positionals] {
                let audit = OptionReadAudit()
                var parsed = ParsedCommand(
                    commandPath: path, spec: command, options: options, positionals: words,
                    availableOptions: available, positionalCounts: command.positionals.map { _ in words.isEmpty ? 0 : 1 })
                parsed.audit = audit
                _ = GlobalOptions(parsed)
                do {
                    _ = try type.init(parsed, environment: environment)
                    completed += 1
                } catch {
                    refusals.append("\(error)")
                }
                #expect(audit.undeclaredReads == [], "\(path.joined(separator: " ")) reads undeclared options")
            }
        }
        // At least one shape gets through every read of the init.
        #expect(completed > 0, "no command line shape was accepted by \(path.joined(separator: " ")): \(refusals)")
    }

    /// The audit itself: a read of an option the command does not declare is written down.
    @Test func anUndeclaredReadIsWrittenDown() {
        let declared = OptionSpec("declared", help: "")
        let stray = OptionSpec("stray", kind: .value(ValueSpec("X")), help: "", defaultValue: "d")
        let audit = OptionReadAudit()
        var parsed = ParsedCommand(
            commandPath: ["tool"], spec: CommandSpec("tool", summary: "", options: [declared]), options: [:],
            positionals: [], availableOptions: [declared], positionalCounts: [])
        parsed.audit = audit
        #expect(parsed.flag(declared) == false)
        #expect(parsed.string(stray) == "d")
        #expect(audit.undeclaredReads == ["tool --stray"])
    }
}
