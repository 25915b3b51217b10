import DatumJSON
import DatumKit
import DatumSystem
import DatumYAML
import GoCompat

#if canImport(Glibc)
    import Glibc
#endif

/// Reads and writes one list entry or map of the config file without losing what datumctl does
/// not know: every accessor reads and writes a key of ``entry``, and a key set to nil is removed.
public protocol ConfigEntry: Sendable, Hashable {
    var entry: JSONObject { get set }
}

extension ConfigEntry {
    func string(_ key: String) -> String? {
        guard let value = entry[key]?.stringValue, !value.isEmpty else { return nil }
        return value
    }

    mutating func set(_ key: String, _ value: String?) {
        if let value, !value.isEmpty { entry[key] = .string(value) } else { entry[key] = nil }
    }

    func bool(_ key: String) -> Bool? { entry[key]?.boolValue }

    mutating func set(_ key: String, _ value: Bool?) {
        if let value { entry[key] = .bool(value) } else { entry[key] = nil }
    }
}

/// One context of the config file. Contexts the official datumctl discovers after `login` name a
/// session, an organization and maybe a project (`<session>/<org>[/<project>]`); contexts made with
/// `datumctl config set-context` hold their own server and static credentials instead (`server`,
/// `token`, `token-file`, `certificate-authority`, `insecure-skip-tls-verify`), for servers that are
/// not Datum's. Every other key of the entry is kept as it was.
public struct ConfigContext: ConfigEntry {
    public var entry: JSONObject

    public init(name: String) {
        entry = ["name": .string(name)]
    }

    public init(entry: JSONObject) {
        self.entry = entry
    }

    public var name: String {
        get { string("name") ?? "" }
        set { set("name", newValue) }
    }
    /// The login session whose credentials and endpoint this context uses.
    public var session: String? {
        get { string("session") }
        set { set("session", newValue) }
    }
    public var organization: String? {
        get { string("organization-id") }
        set { set("organization-id", newValue) }
    }
    public var project: String? {
        get { string("project-id") }
        set { set("project-id", newValue) }
    }
    public var namespace: String? {
        get { string("namespace") }
        set { set("namespace", newValue) }
    }
    public var server: String? {
        get { string("server") }
        set { set("server", newValue) }
    }
    /// The bearer token itself, or ...
    public var token: String? {
        get { string("token") }
        set { set("token", newValue) }
    }
    /// ... a file holding it (read at use, so rotating the file needs no config change).
    public var tokenFile: String? {
        get { string("token-file") }
        set { set("token-file", newValue) }
    }
    public var certificateAuthority: String? {
        get { string("certificate-authority") }
        set { set("certificate-authority", newValue) }
    }
    public var insecureSkipTLSVerify: Bool? {
        get { bool("insecure-skip-tls-verify") }
        set { set("insecure-skip-tls-verify", newValue) }
    }

    /// `org` or `org/project`: how `datumctl ctx use` names a login context within its session.
    public var reference: String? {
        guard let organization else { return nil }
        return project.map { organization + "/" + $0 } ?? organization
    }
}

/// One login session of the official datumctl (`<email>@<api host>`): who signed in, and the API
/// endpoint the session's contexts talk to. The tokens are not here: they live in the credential
/// store.
public struct ConfigSession: ConfigEntry {
    public var entry: JSONObject

    public init(name: String) {
        entry = ["name": .string(name)]
    }

    public init(entry: JSONObject) {
        self.entry = entry
    }

    public var name: String {
        get { string("name") ?? "" }
        set { set("name", newValue) }
    }
    public var userKey: String? {
        get { string("user-key") }
        set { set("user-key", newValue) }
    }
    public var userEmail: String? {
        get { string("user-email") }
        set { set("user-email", newValue) }
    }
    public var userName: String? {
        get { string("user-name") }
        set { set("user-name", newValue) }
    }
    public var lastContext: String? {
        get { string("last-context") }
        set { set("last-context", newValue) }
    }

    private var endpoint: JSONObject {
        get { entry["endpoint"]?.objectValue ?? [:] }
        set { entry["endpoint"] = .object(newValue) }
    }
    /// The API server (`https://api.datum.net`); the official tool may store it without a scheme.
    public var server: String? {
        get { endpoint["server"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        set { endpoint["server"] = .string(newValue ?? "") }
    }
    public var authHostname: String? {
        get { endpoint["auth-hostname"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        set { endpoint["auth-hostname"] = .string(newValue ?? "") }
    }
    /// PEM, base64-encoded, as in a kubeconfig.
    public var certificateAuthorityData: String? {
        endpoint["certificate-authority-data"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }
    public var insecureSkipTLSVerify: Bool { endpoint["insecure-skip-tls-verify"]?.boolValue ?? false }
    public var tlsServerName: String? {
        endpoint["tls-server-name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// `~/.datumctl/config`, shared with the official datumctl: `datumctl.config.datum.net/v1beta1`,
/// kind `DatumctlConfig`. The whole document is kept as read, so fields and entries this datumctl
/// does not know survive a rewrite, and the file is written the way the official tool writes it
/// (sigs.k8s.io/yaml: keys sorted, two-space indent), so what a command did not change stays the same
/// byte for byte.
public struct ConfigFile: Sendable, Hashable {
    public static let apiVersion = "datumctl.config.datum.net/v1beta1"
    public static let kind = "DatumctlConfig"
    /// The format this datumctl wrote before it shared the official tool's file.
    public static let legacyAPIVersion = "datumctl.datum.net/v1alpha1"

    /// The document, unknown fields included.
    public private(set) var document: JSONObject

    /// An empty configuration, as the official tool starts one.
    public init() {
        document = ["apiVersion": .string(Self.apiVersion), "kind": .string(Self.kind), "cache": .object([:])]
    }

    /// A configuration read from a file's document (already checked to be v1beta1).
    public init(document: JSONObject) {
        self.document = document
    }

    /// The discovered organizations and projects (`cache`), as the official tool keeps them.
    public var cache: JSONObject {
        get { document["cache"]?.objectValue ?? [:] }
        set { document["cache"] = .object(newValue) }
    }

    public var currentContext: String? {
        get { document["current-context"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        set {
            if let newValue, !newValue.isEmpty {
                document["current-context"] = .string(newValue)
            } else {
                document["current-context"] = nil
            }
        }
    }

    public var activeSession: String? {
        get { document["active-session"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        set {
            if let newValue, !newValue.isEmpty {
                document["active-session"] = .string(newValue)
            } else {
                document["active-session"] = nil
            }
        }
    }

    public var contexts: [ConfigContext] {
        get { (document["contexts"]?.arrayValue ?? []).compactMap { $0.objectValue.map(ConfigContext.init(entry:)) } }
        set {
            if newValue.isEmpty {
                document["contexts"] = nil
            } else {
                document["contexts"] = .array(newValue.map { .object($0.entry) })
            }
        }
    }

    public var sessions: [ConfigSession] {
        get { (document["sessions"]?.arrayValue ?? []).compactMap { $0.objectValue.map(ConfigSession.init(entry:)) } }
        set {
            if newValue.isEmpty {
                document["sessions"] = nil
            } else {
                document["sessions"] = .array(newValue.map { .object($0.entry) })
            }
        }
    }

    public func context(named name: String) -> ConfigContext? {
        contexts.first { $0.name == name }
    }

    public func session(named name: String) -> ConfigSession? {
        sessions.first { $0.name == name }
    }

    /// The session commands use: the current context's, else `active-session` (as the official tool).
    public var activeSessionEntry: ConfigSession? {
        if let current = currentContext, let session = context(named: current)?.session,
            let entry = self.session(named: session)
        {
            return entry
        }
        return activeSession.flatMap { session(named: $0) }
    }

    /// The login context `reference` (`org` or `org/project`) names within `session`, or the context
    /// with that exact name.
    public func resolveContext(_ reference: String, session: String?) -> ConfigContext? {
        if let exact = context(named: reference) { return exact }
        return contexts.first { $0.reference == reference && (session == nil || $0.session == session) }
    }

    /// Inserts or replaces the context with the same name, keeping its position.
    public mutating func upsert(_ context: ConfigContext) {
        var list = contexts
        if let index = list.firstIndex(where: { $0.name == context.name }) {
            list[index] = context
        } else {
            list.append(context)
        }
        contexts = list
    }

    /// Inserts or replaces the session with the same name, keeping its position.
    public mutating func upsert(_ session: ConfigSession) {
        var list = sessions
        if let index = list.firstIndex(where: { $0.name == session.name }) {
            list[index] = session
        } else {
            list.append(session)
        }
        sessions = list
    }

    /// The file's text: sigs.k8s.io/yaml's layout (sorted keys), as the official tool writes it.
    public var yaml: String {
        YAMLEmitter.kubectl(.object(document))
    }

    /// The same with static tokens replaced, for `config view` (as kubectl prints `REDACTED`).
    public var redacted: ConfigFile {
        var copy = self
        copy.contexts = copy.contexts.map { context in
            var context = context
            if context.token != nil { context.token = "REDACTED" }
            return context
        }
        return copy
    }

    /// A file in this datumctl's earlier format (`datumctl.datum.net/v1alpha1`, kind `Config`):
    /// its contexts become static contexts of the shared format, in the same order, with the same
    /// current context.
    static func migrating(legacy: JSONObject) -> ConfigFile {
        var config = ConfigFile()
        var migrated: [ConfigContext] = []
        for item in legacy["contexts"]?.arrayValue ?? [] {
            guard let old = item.objectValue, let name = old["name"]?.stringValue, !name.isEmpty else { continue }
            var context = ConfigContext(name: name)
            for (key, value) in old where key != "name" {
                context.entry[key == "project" ? "project-id" : key] = value
            }
            migrated.append(context)
        }
        config.contexts = migrated
        config.currentContext = legacy["current-context"]?.stringValue
        return config
    }
}

/// Reads and writes the config file; writes are atomic and private (mode 0600).
public struct ConfigStore: Sendable {
    public var path: String
    /// Where a one-time migration is announced (stderr); nil keeps it quiet.
    public var notice: (@Sendable (String) -> Void)?

    public init(path: String, notice: (@Sendable (String) -> Void)? = nil) {
        self.path = path
        self.notice = notice
    }

    /// `$DATUMCTL_CONFIG`, else `$HOME/.datumctl/config` (the official datumctl's file).
    public static func defaultPath(variables: [String: String]) -> String {
        if let explicit = variables["DATUMCTL_CONFIG"], !explicit.isEmpty { return explicit }
        return FileSystem.join(FileSystem.homeDirectory(variables: variables), ".datumctl/config")
    }

    /// Where the file in the earlier format is kept when it is migrated.
    public var legacyBackupPath: String { path + ".v1alpha1.bak" }

    /// The configuration, or an empty one when the file does not exist yet. A file in this
    /// datumctl's earlier format is migrated once: the old file is kept beside it
    /// (``legacyBackupPath``) and the shared format is written in its place.
    public func load() throws(CLIError) -> ConfigFile {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            if error.code == ENOENT { return ConfigFile() }
            throw CLIError(.configuration, "cannot read config file \(path): \(error)")
        }
        let source = YAMLSource(name: path, bytes: bytes)
        let json: JSONValue?
        do {
            json = try YAMLDocumentReader(source).next()?.jsonValue()
        } catch {
            throw CLIError(.configuration, "invalid config file: \(error.headline)")
        }
        guard let json, !json.isNull else { return ConfigFile() }
        guard let document = json.objectValue else {
            throw CLIError(.configuration, "invalid config file \(path): expected a mapping, found \(json.typeName)")
        }
        let apiVersion = document["apiVersion"]?.stringValue ?? ""
        switch apiVersion {
        case ConfigFile.apiVersion, "":
            return ConfigFile(document: document)
        case ConfigFile.legacyAPIVersion:
            let migrated = ConfigFile.migrating(legacy: document)
            try migrate(from: bytes, to: migrated)
            return migrated
        default:
            throw CLIError(
                .configuration,
                "config file \(path) has apiVersion \(GoFormat.quote(apiVersion)), which this datumctl does not read "
                    + "(expected \(ConfigFile.apiVersion)); run the official datumctl once to migrate it")
        }
    }

    /// Keeps the old bytes beside the file (once; an existing backup is not replaced), then writes
    /// the migrated configuration.
    private func migrate(from bytes: [UInt8], to config: ConfigFile) throws(CLIError) {
        let backup = legacyBackupPath
        let fd = open(backup, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd >= 0 {
            defer { close(fd) }
            do {
                try FileSystem.writeAll(fd, bytes)
            } catch {
                throw CLIError(.configuration, "cannot keep a backup of \(path) in \(backup): \(error)")
            }
        } else if errno != EEXIST {
            throw CLIError(.configuration, "cannot keep a backup of \(path) in \(backup): \(FileSystemError(errno))")
        }
        try save(config)
        notice?(
            "note: \(path) now uses the format shared with the official datumctl (\(ConfigFile.apiVersion)); "
                + "the previous file is kept as \(backup)")
    }

    /// Writes `config` atomically: a private temporary file in the same directory, flushed
    /// to disk, then renamed over the old file. The directory is created 0700 if needed.
    public func save(_ config: ConfigFile) throws(CLIError) {
        let directory = FileSystem.parent(of: path)
        do {
            try FileSystem.createDirectories(directory, mode: 0o700)
        } catch {
            throw CLIError(.configuration, "cannot create \(directory): \(error)")
        }
        do {
            try FileSystem.writeAtomically(path, Array(config.yaml.utf8), mode: 0o600)
        } catch {
            throw CLIError(.configuration, "cannot write config file \(path): \(error)")
        }
        // Make sure a file that existed with looser permissions is private now.
        chmod(path, 0o600)
    }
}
