import Foundation
import TestSupport
import Testing

@testable import DatumCLI

/// The man pages are valid roff: groff reports no warning at its strictest (`-ww`), and
/// `man -l` renders them at 80 columns with the sections a reader expects.
@Suite struct GeneratorManPageTests {
    static let groff = TestProcess.which("groff")
    static let man = TestProcess.which("man")

    static var committedPages: [String] {
        let folder = CLI.repositoryRoot + "/docs/man"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".1") }.sorted().map { folder + "/" + $0 }
    }

    static var samplePages: [(fileName: String, text: String)] {
        ManPageGenerator(root: GeneratorSample.root, version: "9.9.9").pages
    }

    @Test(.enabled(if: groff != nil))
    func everyPageIsFreeOfGroffWarnings() throws {
        let groff = try #require(Self.groff)
        let scratch = try TemporaryDirectory()
        var pages = Self.committedPages
        for page in Self.samplePages { pages.append(try scratch.write(page.fileName, page.text)) }
        #expect(pages.count > Self.samplePages.count)
        for page in pages {
            let result = try TestProcess.run(groff, ["-ww", "-z", "-man", page])
            #expect(result.status == 0, "\(page)")
            #expect(result.stderr == "", "\(page): \(result.stderr)")
        }
    }

    @Test(.enabled(if: man != nil))
    func manRendersTheCommittedPages() throws {
        let man = try #require(Self.man)
        for page in Self.committedPages {
            let result = try TestProcess.run(
                man, ["--warnings", "-l", page],
                environment: ["MANWIDTH": "80", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
            #expect(result.status == 0, "\(page)")
            #expect(result.stderr == "", "\(page): \(result.stderr)")
            for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"] {
                #expect(result.stdout.contains("\n\(section)\n"), "\(page) lacks \(section)")
            }
            for line in result.stdout.split(separator: "\n") where !line.hasPrefix("           ") {
                // Only example lines (indented, never wrapped) may be longer than the page.
                #expect(line.count <= 80, "\(page): \(line)")
            }
        }
    }

    @Test(.enabled(if: man != nil))
    func renderedSamplePageKeepsOptionsAndEscapesIntact() throws {
        let man = try #require(Self.man)
        let scratch = try TemporaryDirectory()
        let page = try #require(Self.samplePages.first { $0.fileName == "datumctl-apply.1" })
        let path = try scratch.write(page.fileName, page.text)
        let result = try TestProcess.run(
            man, ["-l", path], environment: ["MANWIDTH": "80", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
        // Compare words, not line breaks: man wraps the text to the page.
        let text = result.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(text.contains("datumctl-apply - Apply a configuration to a resource by file name or stdin"))
        #expect(text.contains("datumctl apply (-f FILENAME | -k DIRECTORY) [options]"))
        #expect(text.contains("--dry-run=STRATEGY"))
        #expect(text.contains("One of: strict, warn, ignore, true, false. Default: strict."))
        for fragment in [".dot", "'quote", #"\backslashes"#, "<angle>", "*stars*", "| pipes."] {
            #expect(text.contains(fragment), "\(fragment)")
        }
        #expect(text.contains("cat policy.yaml | datumctl apply -f -"))
        // ASCII hyphen-minus, so options can be copied from the page.
        #expect(!text.contains("\u{2010}") && !text.contains("\u{2212}"))
    }
}
