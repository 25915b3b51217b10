/// Bearer tokens and the projects each one may use.
public struct TokenTable: Sendable, Equatable {
    /// Projects a token grants; `nil` means every project (`*`).
    public private(set) var grants: [String: Set<String>?] = [:]

    public init() {}

    /// Parses the `--tokens` file: one `TOKEN PROJECT[,PROJECT...]` per line, `*` for all projects.
    /// Blank lines and lines starting with `#` are skipped.
    public init(parsing text: String, source: String = "tokens") throws(SandboxConfigurationError) {
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                throw SandboxConfigurationError(
                    "\(source):\(offset + 1): expected \"TOKEN PROJECT[,PROJECT...]\", found \(fields.count) field(s)")
            }
            let projects = fields[1].split(separator: ",").map(String.init)
            if projects.contains("*") {
                grants[String(fields[0])] = .some(nil)
            } else {
                grants[String(fields[0])] = .some(Set(projects))
            }
        }
    }

    public mutating func grant(_ token: String, projects: Set<String>?) { grants[token] = .some(projects) }

    /// `nil` when the token is unknown; otherwise whether it may use `project`.
    public func allows(_ token: String, project: String) -> Bool? {
        guard let entry = grants[token] else { return nil }
        guard let projects = entry else { return true }
        return projects.contains(project)
    }

    public func isKnown(_ token: String) -> Bool { grants[token] != nil }

    /// A stable user name for messages, without revealing the token.
    public static func userName(for token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in token.utf8 {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "token-" + String(hex.prefix(8))
    }
}

/// A problem with command-line flags or the files they name.
public struct SandboxConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
