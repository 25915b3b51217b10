import Foundation
import TestSupport
import Testing

@testable import DatumCLI

/// The built-in unified diff against what GNU `diff -u` prints for the same files (recorded
/// with diffutils 3.x; the labels are left out, as they hold temporary paths and times).
struct DiffUnifiedTests {
    static let base = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var old: String
        var new: String
        var hunks: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "equal", old: base, new: base, hunks: ""),
        Case(name: "both empty", old: "", new: "", hunks: ""),
        Case(
            name: "one line changed",
            old: base, new: base.replacingOccurrences(of: "d\n", with: "D\n"),
            hunks: "@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n"),
        Case(
            name: "six unchanged lines between changes: one hunk",
            old: base,
            new: base.replacingOccurrences(of: "d\n", with: "D\n").replacingOccurrences(of: "k\n", with: "K\n"),
            hunks: "@@ -1,14 +1,14 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n i\n j\n-k\n+K\n l\n m\n n\n"),
        Case(
            name: "seven unchanged lines between changes: two hunks",
            old: base,
            new: base.replacingOccurrences(of: "d\n", with: "D\n").replacingOccurrences(of: "l\n", with: "L\n"),
            hunks: "@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n@@ -9,6 +9,6 @@\n i\n j\n k\n-l\n+L\n m\n n\n"),
        Case(name: "insert at the top", old: base, new: "x\n" + base, hunks: "@@ -1,3 +1,4 @@\n+x\n a\n b\n c\n"),
        Case(
            name: "delete the last line",
            old: base, new: String(base.dropLast(2)),
            hunks: "@@ -11,4 +11,3 @@\n k\n l\n m\n-n\n"),
        Case(
            name: "no newline at end",
            old: base, new: String(base.dropLast()),
            hunks: "@@ -11,4 +11,4 @@\n k\n l\n m\n-n\n+n\n\\ No newline at end of file\n"),
        Case(name: "new file", old: "", new: "a\nb\n", hunks: "@@ -0,0 +1,2 @@\n+a\n+b\n"),
        Case(name: "removed file", old: "a\nb\n", new: "", hunks: "@@ -1,2 +0,0 @@\n-a\n-b\n"),
        Case(name: "one-line file changed", old: "a\n", new: "b\n", hunks: "@@ -1 +1 @@\n-a\n+b\n"),
        Case(
            name: "list item appended after a repeated block",
            old: "- group: \"\"\n  kind: Service\n  name: a\nvalidation:\n",
            new: "- group: \"\"\n  kind: Service\n  name: a\n- group: \"\"\n  kind: Service\n  name: b\nvalidation:\n",
            hunks:
                "@@ -1,4 +1,7 @@\n - group: \"\"\n   kind: Service\n   name: a\n+- group: \"\"\n+  kind: Service\n+  name: b\n validation:\n"
        ),
        // Equally short scripts: GNU deletes the later of two equal lines (its boundary shifting).
        Case(
            name: "repeated line removed",
            old: "x\nx\n  kind: Service\na\na\na\na\n  kind: Service\n  kind: Service\nb\n",
            new: "  kind: Service\na\na\na\na\n  kind: Service\nb\n",
            hunks:
                "@@ -1,10 +1,7 @@\n-x\n-x\n   kind: Service\n a\n a\n a\n a\n   kind: Service\n-  kind: Service\n b\n"),
        Case(
            name: "change next to a repeated line",
            old: "b\n  kind: Service\nb\n  kind: Service\n  kind: Service\nc\n",
            new: "c\n  kind: Service\nb\n  kind: Service\nc\n",
            hunks: "@@ -1,6 +1,5 @@\n-b\n+c\n   kind: Service\n b\n   kind: Service\n-  kind: Service\n c\n"),
    ]

    @Test(arguments: cases)
    func matchesGNUDiff(_ example: Case) {
        #expect(UnifiedDiff().hunks(old: example.old, new: example.new) == example.hunks)
    }

    @Test func fileDiffHasLabels() {
        let text = UnifiedDiff().diff(old: "a\n", new: "b\n", oldLabel: "LIVE/x", newLabel: "MERGED/x")
        #expect(text == "--- LIVE/x\n+++ MERGED/x\n@@ -1 +1 @@\n-a\n+b\n")
        #expect(UnifiedDiff().diff(old: "a\n", new: "a\n", oldLabel: "LIVE/x", newLabel: "MERGED/x") == "")
    }

    @Test func largeRewriteFallsBackToRemoveThenAdd() {
        let old = (0..<50).map { "old \($0)\n" }.joined()
        let new = (0..<50).map { "new \($0)\n" }.joined()
        let differ = UnifiedDiff(context: 3, maximumEditDistance: 10)
        let expected =
            "@@ -1,50 +1,50 @@\n" + (0..<50).map { "-old \($0)\n" }.joined() + (0..<50).map { "+new \($0)\n" }.joined()
        #expect(differ.hunks(old: old, new: new) == expected)
    }

    @Test(arguments: [(0, 0, "0,0"), (3, 1, "4"), (4, 2, "5,2"), (7, 0, "7,0")] as [(Int, Int, String)])
    func rangeNotation(_ start: Int, _ count: Int, _ expected: String) {
        #expect(UnifiedDiff.range(start: start, count: count) == expected)
    }

    /// Random edits of highly repetitive text: where several diffs are equally short, GNU may
    /// pick another one, so check what must hold for any of them: the hunks turn the old text
    /// into the new one, and change no more lines than a longest common subsequence requires.
    @Test func randomEditsGiveMinimalDiffsThatApply() {
        var generator = SeededGenerator(seed: 20_261_126)
        let alphabet = ["a", "b", "c", "- group: \"\"", "  kind: Service", "x"]
        for _ in 0..<300 {
            let old = (0..<Int.random(in: 0...20, using: &generator)).map { _ in
                alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
            }
            var new = old
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let word = alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
                switch Int.random(in: 0...2, using: &generator) {
                case 0 where !new.isEmpty: new.remove(at: Int.random(in: 0..<new.count, using: &generator))
                case 1 where !new.isEmpty: new[Int.random(in: 0..<new.count, using: &generator)] = word
                default: new.insert(word, at: Int.random(in: 0...new.count, using: &generator))
                }
            }
            let hunks = UnifiedDiff().hunks(old: Self.text(old), new: Self.text(new))
            #expect(Self.patch(old, with: hunks) == new, "old: \(old) new: \(new)")
            let changed = hunks.split(separator: "\n").filter { $0.hasPrefix("-") || $0.hasPrefix("+") }.count
            #expect(changed == old.count + new.count - 2 * Self.lcs(old, new), "old: \(old) new: \(new)")
        }
    }

    /// Random edits of kubectl-style YAML objects (values, list items, whole blocks), where the
    /// output must be exactly what the system's `diff -u` prints.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/diff")))
    func agreesWithSystemDiffOnObjectEdits() throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<150 {
            func random(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
            let old = Self.object(version: random(1...99), references: random(1...3), names: random(0...3), host: "a")
            let new = Self.object(
                version: random(1...99), references: random(1...3), names: random(0...3),
                host: random(0...1) == 0 ? "a" : "b")
            #expect(UnifiedDiff().hunks(old: old, new: new) == (try directory.systemDiff(old, new)))
        }
    }

    static func text(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

    static func object(version: Int, references: Int, names: Int, host: String) -> String {
        var lines = [
            "apiVersion: gateway.networking.k8s.io/v1", "kind: BackendTLSPolicy", "metadata:",
            "  generation: \(version % 3 + 1)", "  labels:", "    app: backend-\(version % 5)", "  name: p",
            "  resourceVersion: \"\(version)\"", "spec:", "  targetRefs:",
        ]
        for index in 0..<references {
            lines += ["  - group: \"\"", "    kind: Service", "    name: backend-\(index)"]
            if index % 2 == 0 { lines.append("    sectionName: https") }
        }
        lines += ["  validation:", "    hostname: \(host).example.com"]
        if names > 0 {
            lines.append("    subjectAltNames:")
            for index in 0..<names { lines += ["    - hostname: h\(index).example.com", "      type: Hostname"] }
        }
        lines += [
            "    wellKnownCACertificates: System", "status:", "  ancestors:", "  - ancestorRef:", "      group: \"\"",
            "      kind: Service", "      name: backend-0", "    conditions:", "    - observedGeneration: 1",
            "      reason: TargetNotFound", "      status: \"False\"", "      type: Accepted",
        ]
        return text(lines)
    }

    /// Applies unified hunks to `old` (context and removed lines are checked).
    static func patch(_ old: [String], with hunks: String) -> [String]? {
        var result: [String] = []
        var position = 0
        for line in hunks.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("@@") {
                let oldRange = line.split(separator: " ")[1].dropFirst().split(separator: ",")
                var start = Int(oldRange[0]) ?? 0
                if oldRange.count == 1 || oldRange[1] != "0" { start -= 1 }
                guard start >= position, start <= old.count else { return nil }
                result += old[position..<start]
                position = start
            } else if line.hasPrefix("+") {
                result.append(String(line.dropFirst()))
            } else {
                guard position < old.count, old[position] == line.dropFirst() else { return nil }
                if line.hasPrefix(" ") { result.append(old[position]) }
                position += 1
            }
        }
        return result + old[position...]
    }

    static func lcs(_ a: [String], _ b: [String]) -> Int {
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table[0][0]
    }
}

/// A deterministic generator (SplitMix64), so a failure can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension TemporaryDirectory {
    /// The hunks `/usr/bin/diff -u` prints for two files written here (its two label lines removed).
    func systemDiff(_ old: String, _ new: String) throws -> String {
        let oldFile = try write("old", old)
        let newFile = try write("new", new)
        let output = try TestProcess.run("/usr/bin/diff", ["-u", oldFile, newFile]).stdout
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 2 ? lines.dropFirst(2).joined(separator: "\n") : ""
    }
}
