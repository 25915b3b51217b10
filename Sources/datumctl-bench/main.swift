// Helper for the scripts in bench/: measurements that need library code but must not
// live in the datumctl binary. Not installed; build with
//   swift build -c release --product datumctl-bench
import DatumYAML
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2, arguments[0] == "yaml-scan" else {
    FileHandle.standardError.write("usage: datumctl-bench yaml-scan FILE\n".data(using: .utf8) ?? Data())
    exit(64)
}
guard let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write("datumctl-bench: cannot read \(arguments[1])\n".data(using: .utf8) ?? Data())
    exit(1)
}
do {
    let events = try YAMLEventScanner.countEvents(in: YAMLSource(name: arguments[1], bytes: [UInt8](data)))
    print("\(events) events")
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
