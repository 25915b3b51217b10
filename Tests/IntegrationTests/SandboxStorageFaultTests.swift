import DatumJSON
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A small file system of the test's own (tmpfs), mounted for one test and unmounted after it.
/// Needs root (CI and the development machines run as root); elsewhere the tests say why they
/// are skipped.
final class ScratchMount {
    let path: String
    private var mounted = false

    static let available: Bool = {
        guard getuid() == 0, let probe = try? ScratchMount(sizeKiB: 64) else { return false }
        probe.unmount()
        return true
    }()

    /// A tmpfs of `sizeKiB`; with `prepare`, filled by it and then made read-only.
    init(sizeKiB: Int, readOnlyAfter prepare: ((String) throws -> Void)? = nil) throws {
        path = NSTemporaryDirectory() + "sandbox-mount-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try TestProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k", "tmpfs", path])
        guard result.status == 0 else { throw SandboxTestError("mount: \(result.stderr)") }
        mounted = true
        if let prepare {
            try prepare(path)
            let remounted = try TestProcess.run("/bin/mount", ["-o", "remount,ro", path])
            guard remounted.status == 0 else { throw SandboxTestError("remount: \(remounted.stderr)") }
        }
    }

    func unmount() {
        if mounted { _ = try? TestProcess.run("/bin/umount", [path]) }
        mounted = false
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { unmount() }
}

/// The sandbox on a read-only data folder and on a full disk.
@Suite(.serialized, .enabled(if: ScratchMount.available, "mounting a tmpfs needs root; skipping storage fault tests"))
struct SandboxStorageFaultTests {
    /// A data folder on a read-only file system: the sandbox refuses to start and says why.
    @Test func aReadOnlyDataDirectoryRefusesToStart() throws {
        let mount = try ScratchMount(sizeKiB: 256) { path in
            try FileManager.default.createDirectory(atPath: path + "/data", withIntermediateDirectories: true)
        }
        defer { mount.unmount() }
        let data = mount.path + "/data"
        let run = try TestProcess.run(SandboxBinaries.sandbox, ["--listen", "127.0.0.1:0", "--data-dir", data])
        #expect(run.status == 1)
        #expect(
            run.stderr
                == "datumctl-sandbox: data directory \(data) is not writable: \(data)/lock: Read-only file system\n")
        #expect(run.stdout == "")
    }

    /// A disk that fills up: writes are refused with a Status that says so, every write that
    /// was acknowledged is still there, reads keep working, and writes work again once space
    /// returns.
    @Test func aFullDiskRefusesWritesKeepsReadsAndRecovers() throws {
        let mount = try ScratchMount(sizeKiB: 4096)
        defer { mount.unmount() }
        // Space to give back later.
        let filler = mount.path + "/filler"
        try Data(repeating: 0x2E, count: 1_500_000).write(to: URL(fileURLWithPath: filler))
        let sandbox = try SandboxInstance(tls: false, dataDirectory: mount.path + "/data")
        defer { sandbox.stop() }
        let collection = "/api/v1/namespaces/default/configmaps"
        func configMap(_ name: String) -> String {
            #"{"metadata":{"name":""# + name + #""},"data":{"a":""# + String(repeating: "x", count: 200_000) + #""}}"#
        }
        var acknowledged: [String] = []
        var refusal: SandboxInstance.HTTPResult?
        for index in 0..<40 {
            let name = "c\(index)"
            let result = try sandbox.request("POST", collection, body: configMap(name))
            if result.status == 201 {
                acknowledged.append(name)
            } else {
                refusal = result
                break
            }
        }
        let refused = try #require(refusal, "the disk never filled up")
        #expect(!acknowledged.isEmpty)
        #expect(refused.status == 500 || refused.status == 507)
        #expect(refused.json["kind"] == "Status")
        #expect(refused.json["message"]?.stringValue?.contains("disk is full") == true, "\(refused.body)")

        // Reads keep working, and every acknowledged write is there.
        let list = try sandbox.request("GET", collection)
        #expect(list.status == 200)
        let names = (list.json["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
        #expect(Set(names) == Set(acknowledged))

        // Space returns: writes work again, without a restart.
        try FileManager.default.removeItem(atPath: filler)
        let after = try sandbox.request("POST", collection, body: configMap("after-recovery"))
        #expect(after.status == 201, "\(after.body)")

        // And everything survives a restart.
        sandbox.stop()
        try sandbox.start()
        let again = try sandbox.request("GET", collection)
        let kept = (again.json["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
        #expect(Set(kept) == Set(acknowledged + ["after-recovery"]))
    }
}
