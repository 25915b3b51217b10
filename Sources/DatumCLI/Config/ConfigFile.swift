import DatumJSON
import DatumYAML
import DatumKit
#if canImport(Glibc)
    import Glibc
#endif

/// One named context in `~/.datumctl/config`: where to connect and as whom.
public struct ConfigContext: Codable, Sendable, Hashable {
    public var name: String
    public var server: String?
    public var project: String?
    public var namespace: String?
    /// The bearer token itself, or ...
    public var token: String?
    /// ... a file holding it (read at use, so rotating the file needs no config change).
    public var tokenFile: String?
    public var certificateAuthority: String?
    public var insecureSkipTLSVerify: Bool?

    enum CodingKeys: String, CodingKey {
        case name, server, project, namespace, token
        case tokenFile = "token-file"
        case certificateAuthority = "certificate-authority"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
    }

    public init(name: String) {
        self.name = name
    }
}

/// The datumctl configuration file (YAML), kubectl's kubeconfig reduced to what a
/// project-scoped client needs.
public struct ConfigFile: Codable, Sendable, Hashable {
    public static let apiVersion = "datumctl.datum.net/v1alpha1"
    public static let kind = "Config"

    public var apiVersion: String
    public var kind: String
    public var currentContext: String?
    public var contexts: [ConfigContext]

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, contexts
        case currentContext = "current-context"
    }

    public init() {
        apiVersion = Self.apiVersion
        kind = Self.kind
        contexts = []
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? Self.apiVersion
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? Self.kind
        currentContext = try container.decodeIfPresent(String.self, forKey: .currentContext)
        contexts = try container.decodeIfPresent([ConfigContext].self, forKey: .contexts) ?? []
    }

    public func context(named name: String) -> ConfigContext? {
        contexts.first { $0.name == name }
    }

    /// Inserts or replaces the context with the same name, keeping its position.
    public mutating func upsert(_ context: ConfigContext) {
        if let index = contexts.firstIndex(where: { $0.name == context.name }) {
            contexts[index] = context
        } else {
            contexts.append(context)
        }
    }

    /// The file as YAML, in field order.
    public var yaml: String {
        YAMLEmitter.preservingOrder(JSONValueEncoder().encode(self))
    }

    /// The same with credentials replaced, for `config view` (as kubectl prints `REDACTED`).
    public var redacted: ConfigFile {
        var copy = self
        for index in copy.contexts.indices where copy.contexts[index].token != nil {
            copy.contexts[index].token = "REDACTED"
        }
        return copy
    }
}

/// Reads and writes the config file; writes are atomic and private (mode 0600).
public struct ConfigStore: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// `$DATUMCTL_CONFIG`, else `$HOME/.datumctl/config`.
    public static func defaultPath(variables: [String: String]) -> String {
        if let explicit = variables["DATUMCTL_CONFIG"], !explicit.isEmpty { return explicit }
        return FileSystem.join(FileSystem.homeDirectory(variables: variables), ".datumctl/config")
    }

    /// The configuration, or an empty one when the file does not exist yet.
    public func load() throws(CLIError) -> ConfigFile {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            if error.code == ENOENT { return ConfigFile() }
            throw CLIError(.configuration, "cannot read config file \(path): \(error)")
        }
        let source = YAMLSource(name: path, bytes: bytes)
        do {
            guard let document = try YAMLDocumentReader(source).next(), let json = try document.jsonValue() else {
                return ConfigFile()
            }
            return try JSONValueDecoder().decode(ConfigFile.self, from: json)
        } catch let error as YAMLError {
            throw CLIError(.configuration, "invalid config file: \(error.headline)")
        } catch let error as JSONDecodingError {
            throw CLIError(.configuration, "invalid config file \(path): \(error)")
        } catch {
            throw CLIError(.configuration, "invalid config file \(path): \(error)")
        }
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
        let temporary = FileSystem.join(directory, ".config-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw CLIError(.configuration, "cannot write \(temporary): \(FileSystemError(errno))")
        }
        var failure: FileSystemError?
        do {
            try FileSystem.writeAll(fd, Array(config.yaml.utf8))
            if fsync(fd) != 0 { failure = FileSystemError(errno) }
        } catch {
            failure = error
        }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 { failure = FileSystemError(errno) }
        if let failure {
            unlink(temporary)
            throw CLIError(.configuration, "cannot write config file \(path): \(failure)")
        }
        // Make sure a file that existed with looser permissions is private now.
        chmod(path, 0o600)
    }
}
