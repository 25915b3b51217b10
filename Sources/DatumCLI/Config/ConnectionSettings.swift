import DatumKit

/// Where datumctl connects, as whom, and in which project: the result of applying
/// the precedence flag → environment → context → default to every setting.
public struct ConnectionSettings: Sendable, Equatable {
    public static let defaultServer = "https://api.datum.net"

    public var server: String
    public var project: String?
    public var namespace: String
    public var token: String?
    public var certificateAuthority: String?
    public var insecureSkipTLSVerify: Bool
    public var requestTimeout: Duration?
    public var verbosity: Int

    /// Resolves the settings for one invocation.
    static func resolve(_ globals: GlobalOptions, variables: [String: String], config: ConfigFile) throws(CLIError)
        -> ConnectionSettings
    {
        var context: ConfigContext?
        if let name = globals.context {
            guard let named = config.context(named: name) else {
                throw CLIError(.configuration, "context \"\(name)\" does not exist")
            }
            context = named
        } else if let current = config.currentContext, !current.isEmpty {
            // A current-context that was deleted behaves like none, as in kubectl.
            context = config.context(named: current)
        }

        func environment(_ name: String) -> String? {
            guard let value = variables[name], !value.isEmpty else { return nil }
            return value
        }

        var token = globals.token ?? environment("DATUMCTL_TOKEN") ?? context?.token
        if token == nil, let file = context?.tokenFile {
            let path = FileSystem.expandingTilde(file, home: FileSystem.homeDirectory(variables: variables))
            do {
                token = String(decoding: try FileSystem.read(path), as: UTF8.self).trimmingGoWhitespace()
            } catch {
                throw CLIError(
                    .configuration, "cannot read token file \(file) of context \"\(context?.name ?? "")\": \(error)")
            }
        }

        return ConnectionSettings(
            server: globals.server ?? environment("DATUMCTL_SERVER") ?? context?.server ?? defaultServer,
            project: globals.project ?? environment("DATUM_PROJECT") ?? context?.project,
            namespace: globals.namespace ?? context?.namespace ?? "default",
            token: token,
            certificateAuthority: globals.certificateAuthority ?? context?.certificateAuthority,
            insecureSkipTLSVerify: globals.insecureSkipTLSVerify || (context?.insecureSkipTLSVerify ?? false),
            requestTimeout: globals.requestTimeout,
            verbosity: globals.verbosity)
    }

    /// The project, or the error telling the user how to give one (no request is sent without it).
    func requireProject() throws(CLIError) -> String {
        guard let project, !project.isEmpty else {
            throw CLIError(
                .configuration,
                "no project selected: pass --project NAME, set DATUM_PROJECT, or save one in a context with "
                    + "'datumctl config set-context NAME --project NAME --current'")
        }
        return project
    }
}
