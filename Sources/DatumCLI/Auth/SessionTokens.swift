import DatumJSON
import DatumKit

#if canImport(Glibc)
    import Glibc
#endif

/// The bearer token of a login session: read from the credential store and, when it is about to
/// expire, renewed under the store's lock (a service account mints a new assertion; a user session
/// uses its refresh token), so parallel processes renew once and all use the result.
enum SessionTokens {
    /// The settings with the session's token and user ID filled in, when no static token was given
    /// (`--token`, `DATUMCTL_TOKEN` and a context's token keep precedence, for servers not Datum's).
    static func apply(
        _ settings: ConnectionSettings, config: ConfigFile, context: CommandContext
    ) throws(CLIError) -> ConnectionSettings {
        guard settings.token == nil, let credential = try credential(settings, config: config, context: context) else {
            return settings
        }
        var resolved = settings
        resolved.token = credential.accessToken
        resolved.userID = credential.subject
        return resolved
    }

    /// The stored credential of the settings' session, renewed first when it is about to expire;
    /// nil when the settings name no session with credentials to look up.
    static func credential(
        _ settings: ConnectionSettings, config: ConfigFile, context: CommandContext
    ) throws(CLIError) -> StoredCredential? {
        guard let sessionName = settings.session, let session = config.session(named: sessionName),
            let key = session.userKey
        else { return nil }
        let store = CredentialStore(path: CredentialStore.defaultPath(variables: context.environment.variables))
        let now = Int64(context.environment.now().timeIntervalSince1970)
        return try store.withLock {
            (credentials: inout [String: StoredCredential]) throws(CLIError) -> StoredCredential in
            guard var credential = credentials[key] else {
                throw CLIError(
                    .authentication,
                    "no credentials for session \"\(sessionName)\"; run `datumctl login` to sign in again")
            }
            if credential.isFresh(now: now) { return credential }
            credential = try renew(credential, settings: settings, context: context, now: now)
            credentials[key] = credential
            return credential
        }
    }

    /// A new access token for an expiring credential.
    static func renew(
        _ credential: StoredCredential, settings: ConnectionSettings, context: CommandContext, now: Int64
    ) throws(CLIError) -> StoredCredential {
        let sink = context.environment.stderr
        let http = try OpenIDProvider.client(
            settings: .init(
                caFile: settings.certificateAuthority, caData: nil, insecureSkipTLSVerify: false,
                caPath: settings.certificateDirectory),
            verbosity: settings.verbosity, trace: { sink.line($0) })
        let provider = OpenIDProvider(
            issuer: "", tokenEndpoint: credential.tokenEndpoint, jwksURI: nil, http: http)
        var renewed = credential
        let tokens: OpenIDProvider.Tokens
        switch credential.kind {
        case .serviceAccount:
            guard let key = credential.serviceAccount else {
                throw CLIError(
                    .authentication, "the stored service account has no key; run `datumctl login --credentials FILE`")
            }
            tokens = try provider.exchange(key, now: now)
        case .user:
            guard let refresh = credential.refreshToken else {
                throw expired()
            }
            do {
                tokens = try provider.requestTokens(
                    [("grant_type", "refresh_token"), ("refresh_token", refresh)], now: now)
            } catch  where error.reason == "invalid_grant" {
                throw expired()
            }
            renewed.refreshToken = tokens.refreshToken ?? refresh
        }
        renewed.accessToken = tokens.accessToken
        renewed.expiresAt = tokens.expiresAt
        return renewed
    }

    static func expired() -> CLIError {
        var error = CLIError(
            .authentication,
            "Authentication session has expired or refresh token is no longer valid. Please run `datumctl login` again."
        )
        error.errorCodeOverride = "AUTH_EXPIRED"
        return error
    }
}
