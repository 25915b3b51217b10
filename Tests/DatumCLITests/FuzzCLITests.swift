import DatumArguments
import DatumJSON
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// The standing fuzz suite for the client, run in-process (a trap stops the whole test run, so
/// "no crash" is checked by the run itself). Fixed seed and a bounded number of cases in CI;
/// `bench/fuzz.sh` runs it longer (`DATUMCTL_FUZZ_SCALE`, `DATUMCTL_FUZZ_SEED`).
///
/// Pass: an exit status in the documented set, `validate -o json` always prints one JSON array,
/// errors are printed for failures, and no case takes longer than the bound.
@Suite struct FuzzCLITests {
    static let documentedStatuses: Set<Int32> = [
        ExitCode.success.rawValue, ExitCode.failure.rawValue, ExitCode.usage.rawValue,
    ]
    /// Far above any honest case (a few milliseconds); a case this slow is a hang in the making.
    static let caseBound: Duration = .seconds(5)

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var elapsed: Duration
    }

    /// Runs datumctl in-process with raw bytes on stdin, no config, and a server nobody listens on.
    static func run(_ arguments: [String], stdin: [UInt8] = []) -> Outcome {
        let out = OutputSink.memory()
        let err = OutputSink.memory()
        let environment = CommandEnvironment(
            arguments: arguments,
            variables: ["DATUMCTL_CONFIG": "/nonexistent/datumctl-fuzz-config", "HOME": "/nonexistent"],
            stdout: out, stderr: err, readStandardInput: { stdin }, currentDirectory: Repository.root,
            now: { Date(timeIntervalSince1970: 1_796_000_000) })
        let clock = ContinuousClock()
        var status: Int32 = -1
        let elapsed = clock.measure { status = Datumctl.main(environment) }
        return Outcome(status: status, stdout: out.text, stderr: err.text, elapsed: elapsed)
    }

    static func seeds() throws -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        for path in [
            "docs/examples/backendtlspolicy.yaml",
            "docs/examples/gateway-api/backendtlspolicy-ca-certs.yaml",
            "docs/examples/gateway-api/backendtlspolicy-system-certs.yaml",
        ] {
            seeds.append(Array(try Data(contentsOf: URL(fileURLWithPath: Repository.root + "/" + path))))
        }
        // The same policy as a JSON stream (JSON manifests take the JSON path, not libyaml).
        seeds.append(
            Array(
                """
                {"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy",
                 "metadata":{"name":"p\\u00e9","labels":{"a":"b"}},
                 "spec":{"targetRefs":[{"group":"","kind":"Service","name":"svc","sectionName":"https"}],
                  "validation":{"hostname":"svc.example.com","wellKnownCACertificates":"System"},
                  "options":{"k":"v"}}}
                {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"x":"\\ud83d\\ude00"}}]}
                """.utf8))
        return seeds
    }

    static let mutator = ByteMutator(fragments: [
        "&a ", "*a", "<<: *a\n", "!!binary ", "!!int ", "!!str ", "!!map ", "!custom ", "? ", ": ", "- ", "---\n",
        "...\n", "%YAML 1.1\n", "{", "}", "[", "]", "\"", "'", "\\", "\\u", "\\ud800", ",", "#", "|\n", ">-\n",
        "\n  ", "\t", "0x", "1e999", "-9223372036854775809", "18446744073709551616", ".nan", "~", "null", "true",
        "yes", "2026-02-31T00:00:00Z", "apiVersion: v1\n", "kind: List\n", "items:\n", "metadata:\n  name: ..\n",
        "name: a/b\n", "hostname: EXAMPLE.com\n", "wellKnownCACertificates: Nope\n", "caCertificateRefs: []\n",
        String(repeating: "[", count: 200), String(repeating: "{\"a\":", count: 120),
        String(repeating: "x", count: 70_000),
    ])

    /// A few hostile inputs every run includes as they are, besides the random ones.
    static let fixedCases: [[UInt8]] = [
        [],
        Array("\u{FEFF}".utf8),
        Array(String(repeating: "- ", count: 20_000).utf8),
        Array((String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)).utf8),
        Array(
            """
            a: &a ["x","x","x","x","x","x","x","x","x"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            """.utf8),
        Array("apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: \"a\u{0}b\"}\r\n".utf8),
        [0xFF, 0xFE, 0x61, 0x00, 0x3A, 0x00],
        Array("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[1,\"x\",null,[]]}".utf8),
        Array("data: !!binary \"A\"\n".utf8),
    ]

    @Test func mutatedManifestsThroughValidateAndClientDryRunEndWithADocumentedStatus() throws {
        let seeds = try Self.seeds()
        var random = SplitMix64(seed: FuzzSettings.seed)
        let count = FuzzSettings.cases(500)
        var inputs = Self.fixedCases
        for _ in 0..<count {
            let seed = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            inputs.append(Self.mutator.mutate(seed, maxSteps: 5, using: &random))
        }
        var slowest: Duration = .zero
        var statuses: [Int32: Int] = [:]
        for (index, input) in inputs.enumerated() {
            let label = "seed \(FuzzSettings.seed), case \(index)"
            let validate = Self.run(["validate", "-f", "-", "-o", "json"], stdin: input)
            statuses[validate.status, default: 0] += 1
            slowest = max(slowest, validate.elapsed)
            #expect(Self.documentedStatuses.contains(validate.status), "validate exit \(validate.status), \(label)")
            if validate.status != ExitCode.usage.rawValue {
                // Whatever the input, -o json is one JSON array a script can read.
                let parsed = try? JSONParser.parse(validate.stdout)
                #expect(parsed?.arrayValue != nil, "validate -o json printed no JSON array, \(label)")
            }
            if validate.status != 0 {
                #expect(!validate.stderr.isEmpty || validate.stdout.contains("\"errors\""), "silent failure, \(label)")
            }
            if index % 3 == 0 {
                let apply = Self.run(
                    ["apply", "-f", "-", "--dry-run=client", "--project", "p1", "--server", "http://127.0.0.1:9"],
                    stdin: input)
                slowest = max(slowest, apply.elapsed)
                #expect(Self.documentedStatuses.contains(apply.status), "apply exit \(apply.status), \(label)")
                #expect(!apply.stdout.contains(" created") || apply.status == 0 || apply.stderr.contains("error"))
            }
        }
        #expect(slowest < Self.caseBound, "slowest case took \(slowest)")
        // The corpus must exercise both outcomes, or it is not testing much.
        #expect((statuses[0] ?? 0) > 0 && (statuses[1] ?? 0) > 0, "statuses seen: \(statuses)")
    }

    /// Every word the command tree knows, for argv fuzzing.
    static func vocabulary() -> [String] {
        var words: Set<String> = []
        func visit(_ spec: CommandSpec) {
            words.insert(spec.name)
            words.formUnion(spec.aliases)
            for option in spec.options {
                words.insert("--" + option.long)
                words.insert("--" + option.long + "=")
                if let short = option.short { words.insert("-" + String(short)) }
                if case .enumeration(let values)? = option.valueSpec?.kind { words.formUnion(values) }
            }
            spec.subcommands.forEach(visit)
        }
        visit(Datumctl.rootSpec)
        return words.sorted()
    }

    static let junk: [String] = [
        "", "-", "--", "---", "=", "-=", "--=x", "-oyaml", "-o=json", "-ojsonpath={.x", "-vvv", "-v=99999999999999999999",
        "--v=-1", "-n", "..", ".", "a/b", "%2F", "x\u{0}y", "é", "\u{202E}", String(repeating: "a", count: 5_000),
        "--request-timeout=1e309s", "--request-timeout=-1s", "--chunk-size=-5", "--concurrency=0",
        "--concurrency=99999999999999999999", "-f", "--filename=/nonexistent/x.yaml", "-R", "help", "--help", "-h",
    ]

    /// Random argv into the parser: it parses or names a usage error; help and usage errors are
    /// rendered through the real entry point (commands that would act are parsed, not run).
    @Test func randomArgvParsesOrIsAUsageError() {
        let vocabulary = Self.vocabulary() + Self.junk
        let parser = CommandLineParser(root: Datumctl.rootSpec)
        var random = SplitMix64(seed: FuzzSettings.seed &+ 1)
        var outcomes = (run: 0, help: 0, usage: 0)
        for index in 0..<FuzzSettings.cases(2_000) {
            var argv: [String] = []
            for _ in 0..<Int.random(in: 0...7, using: &random) {
                var word = vocabulary[Int.random(in: 0..<vocabulary.count, using: &random)]
                if word.hasSuffix("="), Bool.random(using: &random) {
                    word += Self.junk[Int.random(in: 0..<Self.junk.count, using: &random)]
                }
                argv.append(word)
            }
            let label = "argv \(argv), seed \(FuzzSettings.seed), case \(index)"
            do {
                switch try parser.parse(argv) {
                case .run: outcomes.run += 1
                case .help:
                    outcomes.help += 1
                    let shown = Self.run(argv)
                    #expect(shown.status == 0 || shown.status == 64, "help exit \(shown.status), \(label)")
                }
            } catch {
                outcomes.usage += 1
                // The hidden completion command reads partial command lines itself and never fails.
                if argv.first == "__complete" { continue }
                #expect(!error.message.isEmpty, "empty usage error, \(label)")
                let shown = Self.run(argv)
                #expect(shown.status == ExitCode.usage.rawValue, "usage error exit \(shown.status), \(label)")
                // Text, or the JSON envelope when the words include `--error-format json`.
                let described =
                    shown.stderr.hasPrefix("error: ")
                    || (try? JSONParser.parse(shown.stderr))?["error"]?["kind"]?.stringValue == "usage"
                    || shown.stderr.hasPrefix("error:\n  ")
                #expect(described, "usage error text \(shown.stderr), \(label)")
                #expect(shown.stdout.isEmpty, "usage error wrote stdout, \(label)")
            }
        }
        #expect(outcomes.run > 0 && outcomes.help > 0 && outcomes.usage > 0, "\(outcomes)")
    }
}
