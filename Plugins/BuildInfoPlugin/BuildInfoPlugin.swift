import Foundation
import PackagePlugin

/// Stamps the version (the `VERSION` file) and the git commit the binaries are built from into
/// `DatumBuildInfo`, before every build. The work is done by `scripts/build-info`, which rewrites its
/// output only when the contents change, so an unchanged tree recompiles nothing.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        return [
            .prebuildCommand(
                displayName: "Stamping the version and git commit into \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    root.appending(path: "scripts/build-info").path(),
                    root.path(),
                    output.appending(path: "BuildInfo.generated.swift").path(),
                ],
                outputFilesDirectory: output)
        ]
    }
}
