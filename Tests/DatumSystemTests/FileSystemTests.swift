import Glibc
import TestSupport
import Testing

@testable import DatumSystem

@Suite struct FileSystemTests {
    @Test(arguments: [
        ("a", "b", "a/b"), ("a/", "b", "a/b"), ("", "b", "b"), ("/", "b", "/b"), ("a", "", "a"), (".", "x.yaml", "./x.yaml"),
    ])
    func joinsLikeAppendingPathComponent(_ base: String, _ name: String, _ expected: String) {
        #expect(FileSystem.join(base, name) == expected)
    }

    @Test(arguments: [
        ("a/b/c", "a/b", "c"), ("/c", "/", "c"), ("c", ".", "c"), ("a/b/", "a", "b"), ("/", "/", "/"),
        ("/home/u/.datumctl/config", "/home/u/.datumctl", "config"),
    ])
    func splitsPaths(_ path: String, _ parent: String, _ last: String) {
        #expect(FileSystem.parent(of: path) == parent)
        #expect(FileSystem.lastComponent(of: path) == last)
    }

    @Test(arguments: [("a.yaml", "yaml"), ("dir/a.YML", "YML"), (".yaml", ""), ("a", ""), ("a.b.json", "json"), ("d.x/a", "")])
    func pathExtensions(_ name: String, _ expected: String) {
        #expect(FileSystem.pathExtension(name) == expected)
    }

    @Test func expandsTildeOnlyAtTheStart() {
        #expect(FileSystem.expandingTilde("~/t", home: "/h") == "/h/t")
        #expect(FileSystem.expandingTilde("~", home: "/h") == "/h")
        #expect(FileSystem.expandingTilde("a/~/t", home: "/h") == "a/~/t")
        #expect(FileSystem.expandingTilde("~other/t", home: "/h") == "~other/t")
    }

    @Test func homeComesFromTheEnvironmentFirst() {
        #expect(FileSystem.homeDirectory(variables: ["HOME": "/h"]) == "/h")
        #expect(!FileSystem.homeDirectory(variables: [:]).isEmpty)
    }

    @Test func readsFilesAndListsDirectories() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("b.yaml", "kind: X\n")
        try directory.write("a/c.yaml", "")
        #expect(try FileSystem.read(file) == Array("kind: X\n".utf8))
        #expect(try FileSystem.contents(ofDirectory: directory.path) == ["a", "b.yaml"])
        #expect(FileSystem.entry(at: file) == .file)
        #expect(FileSystem.entry(at: directory.path + "/a") == .directory)
        #expect(FileSystem.entry(at: directory.path + "/missing") == nil)
    }

    @Test func failuresCarryTheSystemsWords() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: FileSystemError(ENOENT)) { try FileSystem.read(directory.path + "/missing") }
        #expect(throws: FileSystemError(EISDIR)) { try FileSystem.read(directory.path) }
        #expect(FileSystemError(ENOENT).description == "No such file or directory")
        #expect(throws: FileSystemError(ENOTDIR)) { try FileSystem.contents(ofDirectory: try directory.write("f", "")) }
    }

    @Test func createsMissingParentsWithTheMode() throws {
        let directory = try TemporaryDirectory()
        let nested = directory.path + "/x/y/z"
        try FileSystem.createDirectories(nested, mode: 0o700)
        try FileSystem.createDirectories(nested, mode: 0o700)
        var info = stat()
        #expect(stat(nested, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }
}
