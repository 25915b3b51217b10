#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few file-system calls manifest loading needs, straight over POSIX, with `strerror`
/// texts for the messages users see.
public enum FileSystem {
    public enum Entry: Sendable, Equatable {
        case file
        case directory
    }

    /// What is at `path` (following links), or nil when nothing is there.
    public static func entry(at path: String) -> Entry? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
    }

    /// The names in a directory (without `.` and `..`), sorted by their bytes.
    public static func contents(ofDirectory path: String) throws(FileSystemError) -> [String] {
        guard let directory = opendir(path) else { throw FileSystemError(errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The whole contents of a regular file.
    public static func read(_ path: String) throws(FileSystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw FileSystemError(EISDIR) }
        return try readToEnd(fd, sizeHint: Int(info.st_size))
    }

    /// Everything left to read on `descriptor` (standard input, a pipe, a file).
    public static func readToEnd(_ descriptor: Int32, sizeHint: Int = 0) throws(FileSystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(sizeHint, 4096))
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Writes all of `bytes` to `descriptor`, retrying after interrupts and short writes.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(FileSystemError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let count = Glibc.write(descriptor, base + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += count
            }
        }
        if failure != 0 { throw FileSystemError(failure) }
    }

    /// Replaces `path` with `bytes` atomically: a temporary file beside it, flushed, then renamed
    /// over it, so a reader sees the old file or the new one, never a part.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(FileSystemError) {
        let temporary = join(
            parent(of: path), ".\(lastComponent(of: path)).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileSystemError(errno) }
        var failure: FileSystemError?
        do {
            try writeAll(fd, bytes)
            if fsync(fd) != 0 { failure = FileSystemError(errno) }
        } catch {
            failure = error
        }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 { failure = FileSystemError(errno) }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    /// Creates `path` and any missing parents with `mode` (like `mkdir -p`); an existing
    /// directory is fine.
    public static func createDirectories(_ path: String, mode: mode_t) throws(FileSystemError) {
        if entry(at: path) == .directory { return }
        let parent = parent(of: path)
        if parent != path && parent != "." && parent != "/" { try createDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw FileSystemError(errno) }
    }

    /// `base/name`, without doubling a slash (as `appendingPathComponent` joins).
    public static func join(_ base: String, _ name: String) -> String {
        if base.isEmpty { return name }
        if name.isEmpty { return base }
        return base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// The directory part of `path`: `a/b` for `a/b/c`, `/` for `/c`, `.` for `c`.
    public static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// The last component of `path`: `c` for `a/b/c` (and for `a/b/c/`).
    public static func lastComponent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/"), trimmed.count > 1 else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The extension of a file name without its dot: `yaml` for `a.yaml`, empty for `.yaml` or `a`.
    public static func pathExtension(_ name: String) -> String {
        let last = lastComponent(of: name)
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return "" }
        return String(last[last.index(after: dot)...])
    }

    /// `~` and `~/x` expanded with `home`; any other path as given.
    public static func expandingTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return join(home, String(path.dropFirst(2))) }
        return path
    }

    /// The user's home directory: `$HOME`, else the password database's entry, else `/`.
    public static func homeDirectory(variables: [String: String]) -> String {
        if let home = variables["HOME"], !home.isEmpty { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }

    /// The process's working directory ("." when it cannot be read).
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A failed file-system call: its `errno` and the system's text for it.
public struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32

    public init(_ code: Int32) { self.code = code }

    /// `No such file or directory`, `Permission denied`, ...
    public var description: String { String(cString: strerror(code)) }
}
