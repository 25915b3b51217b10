import DatumJSON
import DatumKit
import GoCompat

/// Names that go into a request URL as one path segment: object names, namespaces and the project.
///
/// Each is checked before any request is built, the way client-go's request builder checks them
/// (`Request.Name`, `Request.Namespace`: `IsValidPathSegmentName`), and rejected in its words. A
/// name such as `..` would otherwise become a dot segment that resolves to another object's URL
/// (`configmaps/..` is the namespace itself), and `/` or `%` would change which object the
/// path names. The project is a DNS-1123 label besides, as Datum Cloud project IDs are.
///
/// All of them exit 1 (a failure), whether the name was typed, read from a manifest or taken
/// from the configuration; like kubectl, a command that names several objects still handles
/// the valid ones.
enum PathSegmentName {
    /// `invalid resource name "..": [may not be '..']`, client-go's text.
    static func checkName(_ name: String) throws(CLIError) {
        guard !name.isEmpty else { throw CLIError(.validation, "resource name may not be empty") }
        let problems = NameValidation.isValidPathSegmentName(name)
        guard problems.isEmpty else {
            throw CLIError(
                .validation, "invalid resource name \(GoFormat.quote(name)): \(NameValidation.goList(problems))")
        }
    }

    /// `invalid namespace "..": [may not be '..']`, client-go's text. The empty namespace is
    /// not checked here: it never reaches a URL (callers use `default` instead, as kubectl does).
    static func checkNamespace(_ namespace: String) throws(CLIError) {
        let problems = NameValidation.isValidPathSegmentName(namespace)
        guard problems.isEmpty else {
            throw CLIError(
                .validation, "invalid namespace \(GoFormat.quote(namespace)): \(NameValidation.goList(problems))")
        }
    }

    /// `invalid project "..": [may not be '..']`, worded like the namespace check; a project that
    /// is a valid segment but no DNS-1123 label gets that check's messages instead.
    static func checkProject(_ project: String) throws(CLIError) {
        try checkLabel(project, kind: "project")
    }

    /// An organization ID: a path segment and a DNS-1123 label, like a project.
    static func checkOrganization(_ organization: String) throws(CLIError) {
        try checkLabel(organization, kind: "organization")
    }

    /// The signed-in user's ID (the token's `sub`) as it goes into the user control plane's path.
    static func checkUser(_ user: String) throws(CLIError) {
        let problems = NameValidation.isValidPathSegmentName(user)
        guard problems.isEmpty else {
            throw CLIError(.validation, "invalid user ID \(GoFormat.quote(user)): \(NameValidation.goList(problems))")
        }
    }

    private static func checkLabel(_ value: String, kind: String) throws(CLIError) {
        var problems = NameValidation.isValidPathSegmentName(value)
        if problems.isEmpty { problems = NameValidation.isDNS1123Label(value) }
        guard problems.isEmpty else {
            throw CLIError(.validation, "invalid \(kind) \(GoFormat.quote(value)): \(NameValidation.goList(problems))")
        }
    }
}
