import FoundationEssentials
import Testing

/// What the `datumctl` binary links decides how fast it starts: the client's modules must not
/// import the full Foundation (swift-corelibs-foundation and ICU) nor anything of the sandbox.
@Suite struct ClientDependencyTests {
    static let clientModules = ["DatumJSON", "DatumYAML", "DatumHTTP", "DatumKit", "DatumCLI", "datumctl"]
    static let forbidden = ["Foundation", "FoundationNetworking", "FoundationXML", "DatumSandbox", "NIOCore", "NIOPosix"]

    @Test(arguments: clientModules)
    func moduleImportsNothingHeavy(_ module: String) throws {
        let root = CLI.repositoryRoot + "/Sources/" + module
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(decoding: Data(contentsOf: URL(fileURLWithPath: root + "/" + file)), as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                let name = line.split(separator: " ").last.map(String.init) ?? ""
                #expect(!Self.forbidden.contains(name), "\(module)/\(file): \(line)")
            }
        }
    }
}
