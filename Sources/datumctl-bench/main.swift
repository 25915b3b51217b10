// Helper for the scripts in bench/: measurements that need library code but must not
// live in the datumctl binary. Not installed; build with
//   swift build -c release --product datumctl-bench
import DatumYAML
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2, ["yaml-scan", "yaml-compose"].contains(arguments[0]) else {
    FileHandle.standardError.write("usage: datumctl-bench yaml-scan|yaml-compose FILE\n".data(using: .utf8) ?? Data())
    exit(64)
}
guard let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write("datumctl-bench: cannot read \(arguments[1])\n".data(using: .utf8) ?? Data())
    exit(1)
}
do {
    let source = YAMLSource(name: arguments[1], bytes: [UInt8](data))
    if arguments[0] == "yaml-scan" {
        // libyaml alone: the floor.
        print("\(try YAMLEventScanner.countEvents(in: source)) events")
    } else {
        // libyaml plus composing each document's node tree (what every loader pays).
        let reader = YAMLDocumentReader(source)
        var documents = 0
        while try reader.next() != nil { documents += 1 }
        print("\(documents) documents")
    }
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
