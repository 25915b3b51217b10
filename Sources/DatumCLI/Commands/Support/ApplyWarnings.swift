import DatumHTTP
import Synchronization

/// The server's `Warning` response headers (RFC 7234), as client-go reads them.
///
/// kube-apiserver sends `299 - "unknown field \"spec.foo\""`; only code 299 carries a message
/// for the user, and several warnings may share one header, separated by commas.
enum ServerWarnings {
    /// The messages of every 299 warning in `headers`, in order.
    static func messages(in headers: HTTPHeaders) -> [String] {
        headers.values(for: "Warning").flatMap(parse)
    }

    /// The messages of one header value; malformed entries are skipped.
    static func parse(_ value: String) -> [String] {
        var messages: [String] = []
        var scanner = Scanner(Array(value.unicodeScalars))
        while !scanner.isAtEnd {
            scanner.skipSpaces()
            let code = scanner.take { ("0"..."9").contains($0) }
            scanner.skipSpaces()
            _ = scanner.take { $0 != " " && $0 != "," }  // agent
            scanner.skipSpaces()
            let text = scanner.quoted()
            scanner.skipSpaces()
            if scanner.peek == "\"" { _ = scanner.quoted() }  // optional warn-date
            // Anything else up to the next entry is malformed; skip it.
            _ = scanner.take { $0 != "," }
            scanner.advance()
            if code == "299", let text, !text.isEmpty { messages.append(text) }
        }
        return messages
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var isAtEnd: Bool { position >= scalars.count }
        var peek: Unicode.Scalar? { isAtEnd ? nil : scalars[position] }

        mutating func advance() { position += 1 }

        mutating func skipSpaces() {
            while let next = peek, next == " " || next == "\t" { advance() }
        }

        mutating func take(while predicate: (Unicode.Scalar) -> Bool) -> String {
            var text = String.UnicodeScalarView()
            while let next = peek, predicate(next) {
                text.append(next)
                advance()
            }
            return String(text)
        }

        /// A quoted-string with backslash escapes; nil when the next character is not a quote
        /// or the string never ends.
        mutating func quoted() -> String? {
            guard peek == "\"" else { return nil }
            advance()
            var text = String.UnicodeScalarView()
            while let next = peek {
                advance()
                switch next {
                case "\"":
                    return String(text)
                case "\\":
                    guard let escaped = peek else { return nil }
                    text.append(escaped)
                    advance()
                default:
                    text.append(next)
                }
            }
            return nil
        }
    }
}

/// Prints server warnings on stderr once each, as kubectl's deduplicating warning writer does:
/// `Warning: <message>`, with a bold yellow `Warning:` on a terminal.
final class WarningPrinter: Sendable {
    private let sink: OutputSink
    private let diagnostics: Diagnostics
    private let seen = Mutex<Set<String>>([])

    /// How many distinct warnings were printed (`--warnings-as-errors` fails the command on any).
    var count: Int { seen.withLock { $0.count } }

    init(diagnostics: Diagnostics) {
        self.diagnostics = diagnostics
        sink = diagnostics.sink
    }

    func print(_ message: String) {
        let isNew = seen.withLock { $0.insert(message).inserted }
        guard isNew else { return }
        if diagnostics.format == .human && sink.isTerminal {
            sink.line("\u{1B}[33;1mWarning:\u{1B}[0m " + message)
        } else {
            diagnostics.warn(message)
        }
    }

    func print(from headers: HTTPHeaders) {
        for message in ServerWarnings.messages(in: headers) { print(message) }
    }

    func print(_ messages: [String]) {
        for message in messages { print(message) }
    }
}
