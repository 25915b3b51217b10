import DatumJSON
import Foundation
import TestSupport
import Testing

/// JSON syntax errors side by side with kubectl (the one on PATH; the compatibility tests use
/// 1.32): the same message, and kubectl's byte offset where datumctl says line and column.
///
/// kubectl reads the file before it needs a server, so a server nothing listens on is enough:
/// it prints `error: error parsing x.json: json: offset N: <message>` (or `unexpected EOF`
/// without an offset) and exits 1. This is the referee for the wording of every JSON syntax
/// error datumctl reports.
@Suite(.enabled(if: SandboxBinaries.hasKubectl, "kubectl is not installed; skipping kubectl tests"))
struct JSONManifestKubectlTests {
    @Test(arguments: [
        "{\"apiVersion\": \"v1\",\n \"kind\": ConfigMap}",
        "{'kind': 'List'}",
        "{\"kind\": \"List\",}",
        "{\"items\": [1,]}",
        "{\"kind\": \"\\x41\"}",
        "{\"kind\": \"a\tb\"}",
        "{\"kind\": \"a\u{1}b\"}",
        "{\"kind\": tru}",
        "{\"n\": 01}",
        "{\"n\": -x}",
        "{\"n\": 1.}",
        "{\"s\": \"\\u12G4\"}",
        "{\"a\" 1}",
        "{} x",
        "{\"kind\":\u{A0} 1}",
        "{\"kind\": \"List\"",
    ])
    func syntaxErrorsMatchKubectl(_ text: String) throws {
        let kubectl = try #require(SandboxBinaries.kubectl)
        let dir = try TemporaryDirectory()
        try dir.write("x.json", text)
        let run = try TestProcess.run(
            kubectl,
            [
                "create", "--dry-run=client", "-o", "name", "--validate=false", "--server=http://127.0.0.1:9", "-f",
                "x.json",
            ],
            environment: ["HOME": dir.path, "KUBECONFIG": dir.path + "/none", "PATH": "/usr/bin:/bin"],
            currentDirectory: dir.path)
        #expect(run.status == 1)
        // kubectl reports objects read before the error first (`{}` lacks a kind), then the error.
        let marker = "error parsing x.json: "
        let line = run.stderr.split(separator: "\n").map(String.init).first { $0.contains(marker) }
        let found = try #require(line.flatMap { $0.range(of: marker) }, "kubectl said: \(run.stderr)")
        var kubectlMessage = String(try #require(line)[found.upperBound...])
        var kubectlOffset: Int?
        if kubectlMessage.hasPrefix("json: offset "), let colon = kubectlMessage.firstIndex(of: ":"),
            let end = kubectlMessage[kubectlMessage.index(after: colon)...].firstIndex(of: ":")
        {
            let number = kubectlMessage[kubectlMessage.index(colon, offsetBy: 9)..<end]
            kubectlOffset = Int(number)
            kubectlMessage = String(kubectlMessage[kubectlMessage.index(end, offsetBy: 2)...])
        }

        var parser = JSONStreamParser(Array(text.utf8))
        var error: JSONParseError?
        while let step = parser.next() {
            if case .failure(let failure) = step { error = failure }
        }
        let ours = try #require(error)
        #expect(ours.message == kubectlMessage)
        // Go's offset counts the offending byte; ours is its 0-based index (`unexpected EOF`
        // has no offset in kubectl's message and sits at the end for us).
        #expect((kubectlOffset ?? text.utf8.count) == (kubectlOffset == nil ? ours.offset : ours.offset + 1))

        let datumctl = try TestProcess.run(
            SandboxBinaries.directory.appendingPathComponent("datumctl").path, ["validate", "-f", "x.json"],
            environment: ["HOME": dir.path], currentDirectory: dir.path)
        #expect(datumctl.status == 1)
        #expect(datumctl.stdout.contains("x.json:\(ours.line):\(ours.column): error: \(kubectlMessage)\n"))
    }
}
