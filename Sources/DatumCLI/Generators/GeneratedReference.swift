import DatumArguments
import GoCompat

/// Every file generated from the command spec and committed to the repository: the completion
/// scripts, the Markdown reference and the man pages. The drift tests compare the committed
/// files with these and rewrite them when recording (`DATUMCTL_RECORD=1`).
public enum GeneratedReference {
    /// One generated file: its path relative to the repository root, and its text.
    public struct File: Sendable, Hashable {
        public var path: String
        public var text: String
    }

    /// The folders that hold nothing but generated files (with the prefix their names share),
    /// so files of commands that no longer exist can be found.
    public static func folders(for root: CommandSpec) -> [(folder: String, namePrefix: String)] {
        [("completions", ""), ("docs/commands", root.name), ("docs/man", root.name)]
    }

    public static func files(for root: CommandSpec, version: String) -> [File] {
        var files = CompletionShell.allCases.map {
            File(path: "completions/" + $0.fileName(for: root), text: $0.script(for: root))
        }
        files += MarkdownReferenceGenerator(root: root).pages.map {
            File(path: "docs/commands/" + $0.fileName, text: $0.text)
        }
        files += ManPageGenerator(root: root, version: version).pages.map {
            File(path: "docs/man/" + $0.fileName, text: $0.text)
        }
        return files
    }
}
