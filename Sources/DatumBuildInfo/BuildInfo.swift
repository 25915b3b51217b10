/// What this binary is: its version and the source it was built from.
///
/// The values come from `BuildInfo.generated.swift`, which `BuildInfoPlugin` writes before every
/// build from the `VERSION` file (the one place the version number lives) and from git.
public enum BuildInfo {
    /// The release version, without a leading `v` (`0.1.0`).
    public static let version = generatedVersion
    /// The full git commit id, or empty when built outside a git checkout (a source tarball).
    public static let gitCommit = generatedGitCommit
    /// `clean`, `dirty` (tracked files differed from the commit), or empty outside a git checkout.
    public static let gitTreeState = generatedGitTreeState
}
