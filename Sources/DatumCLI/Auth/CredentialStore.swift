import DatumJSON
import DatumKit
import DatumSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One signed-in identity's credentials, keyed like the official tool's keyring entries
/// (`<identity>@<auth host>`).
struct StoredCredential: Sendable, Equatable {
    enum Kind: String, Sendable { case user, serviceAccount = "service_account" }

    var kind: Kind
    var authHostname: String
    var apiHostname: String
    var tokenEndpoint: String
    var accessToken: String
    /// Unix seconds; nil when the provider did not say.
    var expiresAt: Int64?
    var refreshToken: String?
    var subject: String
    var email: String?
    var name: String?
    /// A service account re-mints its assertion with these (the key stays in this 0600 file).
    var serviceAccount: ServiceAccountKey?

    var json: JSONValue {
        var object: JSONObject = [
            "type": .string(kind.rawValue), "auth-hostname": .string(authHostname),
            "api-hostname": .string(apiHostname), "token-endpoint": .string(tokenEndpoint),
            "access-token": .string(accessToken), "subject": .string(subject),
        ]
        if let expiresAt { object["expires-at"] = .int(expiresAt) }
        if let refreshToken { object["refresh-token"] = .string(refreshToken) }
        if let email { object["email"] = .string(email) }
        if let name { object["name"] = .string(name) }
        if let key = serviceAccount {
            var account: JSONObject = [
                "client-id": .string(key.clientID), "private-key-id": .string(key.privateKeyID),
                "private-key": .string(key.privateKeyPEM),
            ]
            if let email = key.clientEmail { account["client-email"] = .string(email) }
            if let scope = key.scope { account["scope"] = .string(scope) }
            object["service-account"] = .object(account)
        }
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let object = json.objectValue, let kind = object["type"]?.stringValue.flatMap(Kind.init(rawValue:)),
            let auth = object["auth-hostname"]?.stringValue, let api = object["api-hostname"]?.stringValue,
            let endpoint = object["token-endpoint"]?.stringValue, let access = object["access-token"]?.stringValue,
            let subject = object["subject"]?.stringValue
        else { return nil }
        self.kind = kind
        authHostname = auth
        apiHostname = api
        tokenEndpoint = endpoint
        accessToken = access
        self.subject = subject
        expiresAt = object["expires-at"]?.intValue
        refreshToken = object["refresh-token"]?.stringValue
        email = object["email"]?.stringValue
        name = object["name"]?.stringValue
        if let account = object["service-account"]?.objectValue, let id = account["client-id"]?.stringValue,
            let keyID = account["private-key-id"]?.stringValue, let pem = account["private-key"]?.stringValue
        {
            serviceAccount = ServiceAccountKey(
                clientID: id, privateKeyID: keyID, privateKeyPEM: pem,
                clientEmail: account["client-email"]?.stringValue, scope: account["scope"]?.stringValue)
        }
    }

    init(
        kind: Kind, authHostname: String, apiHostname: String, tokenEndpoint: String, accessToken: String,
        expiresAt: Int64?, refreshToken: String?, subject: String, email: String?, name: String?,
        serviceAccount: ServiceAccountKey?
    ) {
        self.kind = kind
        self.authHostname = authHostname
        self.apiHostname = apiHostname
        self.tokenEndpoint = tokenEndpoint
        self.accessToken = accessToken
        self.expiresAt = expiresAt
        self.refreshToken = refreshToken
        self.subject = subject
        self.email = email
        self.name = name
        self.serviceAccount = serviceAccount
    }

    /// Fresh enough to send: more than a minute left (or no expiry known).
    func isFresh(now: Int64) -> Bool {
        guard let expiresAt else { return true }
        return expiresAt - now > 60
    }
}

extension ServiceAccountKey: Equatable {
    static func == (a: ServiceAccountKey, b: ServiceAccountKey) -> Bool {
        a.clientID == b.clientID && a.privateKeyID == b.privateKeyID && a.privateKeyPEM == b.privateKeyPEM
            && a.clientEmail == b.clientEmail && a.scope == b.scope
    }
}

/// `~/.datumctl/credentials.json`: tokens and keys, outside the shared config file. The folder is
/// 0700 and the file 0600; every change happens under an exclusive `flock` on
/// `credentials.json.lock` and is written atomically, so datumctl processes running side by side
/// in one CI job never lose an update or refresh the same token twice.
struct CredentialStore: Sendable {
    let path: String

    static func defaultPath(variables: [String: String]) -> String {
        if let override = variables["DATUMCTL_CREDENTIALS"], !override.isEmpty { return override }
        return FileSystem.join(FileSystem.homeDirectory(variables: variables), ".datumctl/credentials.json")
    }

    /// Runs `body` with the credentials under the lock; what it returns as `save` is written back.
    func withLock<T>(_ body: (inout [String: StoredCredential]) throws(CLIError) -> T) throws(CLIError) -> T {
        let directory = FileSystem.parent(of: path)
        do {
            try FileSystem.createDirectories(directory, mode: 0o700)
        } catch {
            throw CLIError(.io, "cannot create \(directory): \(error)")
        }
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw CLIError(.io, "cannot lock \(path): \(FileSystemError(errno))") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            if errno != EINTR { throw CLIError(.io, "cannot lock \(path): \(FileSystemError(errno))") }
        }
        var credentials = try read()
        let before = credentials
        let result = try body(&credentials)
        if credentials != before { try write(credentials) }
        return result
    }

    /// The stored credentials; an absent file is empty.
    func read() throws(CLIError) -> [String: StoredCredential] {
        guard FileSystem.entry(at: path) != nil else { return [:] }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw CLIError(.io, "cannot read \(path): \(error)")
        }
        guard case .object(let document)? = try? JSONParser.parse(bytes) else {
            throw CLIError(.configuration, "\(path) is not a JSON object; remove it and run `datumctl login` again")
        }
        var credentials: [String: StoredCredential] = [:]
        for (key, value) in document["credentials"]?.objectValue ?? [:] {
            if let credential = StoredCredential(json: value) { credentials[key] = credential }
        }
        return credentials
    }

    private func write(_ credentials: [String: StoredCredential]) throws(CLIError) {
        var entries = JSONObject()
        for key in credentials.keys.sorted() { entries[key] = credentials[key]?.json }
        let document: JSONValue = [
            "apiVersion": "datumctl.datum.net/v1", "kind": "Credentials", "credentials": .object(entries),
        ]
        do {
            try FileSystem.writeAtomically(
                path, Array((GoJSONEncoder(indent: "  ").encode(document) + "\n").utf8), mode: 0o600)
        } catch {
            throw CLIError(.io, "cannot write \(path): \(error)")
        }
        chmod(path, 0o600)
    }
}
