import Foundation

/// The checked-out repository the tests were built from, for checked-in inputs (docs/examples,
/// completions, man pages, vendored sources).
public enum Repository {
    /// The repository root (this file is `Tests/TestSupport/Repository.swift`).
    public static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The repository root as a path, without a trailing slash.
    public static let root: String = url.path
}
