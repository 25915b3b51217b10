/// The command line as typed, with a caret under the word a usage error is about:
///
///     datumctl get backendtlspolicies --wath
///                                     ^^^^^^
///
/// Shown in text errors on a terminal (the words stay kubectl's; scripts and logs see no change),
/// and as `"argv": N` in JSON errors. Words are shown as a shell would need them typed.
public enum ArgvPointer {
    /// The two lines (no trailing newline), or nil when `index` is not a word of `arguments`.
    /// `clusterOffset` (the character offset in the word, as the parser keeps it) narrows the caret
    /// to one letter of a short-option cluster (`Z` of `-AZ`).
    public static func render(program: String, arguments: [String], index: Int?, clusterOffset: Int? = nil) -> String? {
        guard let index, arguments.indices.contains(index) else { return nil }
        var line = "  " + program
        var start = 0
        var width = 0
        for (position, word) in arguments.enumerated() {
            let shown = quoted(word)
            line += " "
            if position == index {
                start = line.count
                width = shown.count
                if let clusterOffset, shown == word, clusterOffset < word.count {
                    start += clusterOffset
                    width = 1
                }
            }
            line += shown
        }
        return line + "\n" + String(repeating: " ", count: start) + String(repeating: "^", count: max(1, width))
    }

    /// The word as a POSIX shell would need it: unchanged when it has no special characters,
    /// otherwise in single quotes (an empty word is `''`).
    static func quoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy { scalar in
            (scalar.value > 0x7F && scalar.properties.isAlphabetic)
                || "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%^".unicodeScalars.contains(
                    scalar)
        }
        if plain && !word.isEmpty { return word }
        return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
