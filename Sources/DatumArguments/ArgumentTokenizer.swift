/// One lexical piece of an argv word, remembering where it came from so errors can point at it.
public struct ArgumentToken: Sendable, Hashable {
    /// What the word looks like, before the spec says which options take values.
    public enum Kind: Sendable, Hashable {
        /// `--name` or `--name=value`.
        case long(name: String, value: String?)
        /// One letter of a short cluster: `-Rf` yields `R` then `f`. `remainder` is the rest of
        /// the word after the letter, which becomes the value if the letter takes one (`-fx.yaml`).
        case short(Character, remainder: String)
        /// A positional word (including a lone `-`, which conventionally means stdin).
        case word(String)
        /// `--`: every later word is positional.
        case terminator
        /// Something pflag rejects outright, such as `---x` or `--=x`.
        case malformed(String)
    }

    public var kind: Kind
    /// Index of the word in the argument list (which excludes the program name).
    public var argvIndex: Int
    /// For short options, the letter's character offset inside the word (`-Rf`: R is 1, f is 2).
    public var clusterOffset: Int?

    public init(_ kind: Kind, argvIndex: Int, clusterOffset: Int? = nil) {
        self.kind = kind
        self.argvIndex = argvIndex
        self.clusterOffset = clusterOffset
    }
}

/// Splits argv words into tokens; purely lexical, the matcher decides what consumes what.
public enum ArgumentTokenizer {
    /// The tokens of one word. Whether the word is an option's value or follows `--` is decided
    /// by the matcher, which therefore tokenizes word by word rather than all of argv up front.
    public static func tokens(of word: String, at argvIndex: Int) -> [ArgumentToken] {
        if word == "--" { return [ArgumentToken(.terminator, argvIndex: argvIndex)] }
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            let name: Substring
            let value: String?
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                value = String(body[body.index(after: equals)...])
            } else {
                name = body
                value = nil
            }
            if name.isEmpty || name.hasPrefix("-") {
                return [ArgumentToken(.malformed(word), argvIndex: argvIndex)]
            }
            return [ArgumentToken(.long(name: String(name), value: value), argvIndex: argvIndex)]
        }
        if word.hasPrefix("-") && word.count > 1 {
            let letters = Array(word.dropFirst())
            return letters.indices.map { position in
                ArgumentToken(
                    .short(letters[position], remainder: String(letters[(position + 1)...])),
                    argvIndex: argvIndex, clusterOffset: position + 1)
            }
        }
        return [ArgumentToken(.word(word), argvIndex: argvIndex)]
    }
}
