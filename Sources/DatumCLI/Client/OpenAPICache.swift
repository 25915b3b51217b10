import DatumHTTP
import DatumJSON
import DatumKit
import DatumSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The OpenAPI v3 documents of a control plane, kept on disk as kubectl keeps them.
///
/// `/openapi/v3` lists each group-version's document under a URL that carries a hash of its
/// content (`...?hash=ABC`). Such a URL names one immutable document, so a copy saved under the
/// hash never goes stale: a warm `explain` costs the small index request and no download. A new
/// schema comes with a new hash, which misses the cache and replaces the old copy.
///
/// The cache is an optimisation only. A copy that cannot be read or parsed is ignored (with a
/// warning) and fetched again; a folder that cannot be written is warned about once and the
/// command goes on without it.
struct OpenAPICache: Sendable {
    /// The root folder (`--cache-dir`, else `$XDG_CACHE_HOME/datumctl`, else `~/.cache/datumctl`);
    /// nil turns caching off.
    let root: String?
    let warn: @Sendable (String) -> Void

    /// The default root for an environment.
    static func defaultRoot(variables: [String: String]) -> String {
        if let xdg = variables["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return FileSystem.join(xdg, "datumctl") }
        return FileSystem.join(FileSystem.homeDirectory(variables: variables), ".cache/datumctl")
    }

    /// The folder for one control plane: the server's host and port, then the control plane's
    /// path, each reduced to characters that are safe in a file name.
    func folder(server: String, plane: String) -> String? {
        guard let root else { return nil }
        var host = Substring(server)
        if let colon = host.firstIndex(of: ":"), host[colon...].hasPrefix("://") {
            host = host[host.index(colon, offsetBy: 3)...]
        }
        host = host.prefix { $0 != "/" }
        return FileSystem.join(
            FileSystem.join(FileSystem.join(root, "openapi"), Self.safe(String(host))),
            Self.safe(plane.isEmpty ? "root" : plane))
    }

    /// `[A-Za-z0-9._-]` kept, everything else `_`, as kubectl's cache folder names do.
    static func safe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "-": out.unicodeScalars.append(scalar)
            default: out.append("_")
            }
        }
        while out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out.isEmpty ? "_" : out
    }

    /// The hash a document URL carries, if any.
    static func hash(inURL url: String) -> String? {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") where pair.hasPrefix("hash=") {
            let value = pair.dropFirst("hash=".count)
            let valid = !value.isEmpty && value.count <= 256 && value.allSatisfy { $0.isLetter || $0.isNumber }
            return valid ? String(value) : nil
        }
        return nil
    }

    /// The document for `key` (`apis/gateway.networking.k8s.io/v1`) at `url`: from the cache when
    /// the URL's hash is there, otherwise fetched and saved.
    func document(
        key: String, url: String, server: String, plane: String, fetch: () throws(CLIError) -> [UInt8]
    ) throws(CLIError) -> JSONValue {
        guard let folder = folder(server: server, plane: plane), let hash = Self.hash(inURL: url) else {
            return try Self.parse(try fetch())
        }
        let stem = Self.safe(key)
        let path = FileSystem.join(folder, "\(stem).\(hash).json")
        if FileSystem.entry(at: path) != nil {
            do {
                let bytes = try FileSystem.read(path)
                if let value = try? JSONParser.parse(bytes), case .object = value { return value }
                warn("ignoring the damaged cache file \(path); fetching the document again")
            } catch {
                warn("cannot read the cache file \(path) (\(error)); fetching the document again")
            }
        }
        let bytes = try fetch()
        let value = try Self.parse(bytes)
        save(bytes, to: path, folder: folder, stem: stem)
        return value
    }

    /// The document of `key` (`apis/gateway.networking.k8s.io/v1`) that `index` (`/openapi/v3`)
    /// lists, read through the cache when there is one; nil when the index lists no such document.
    static func groupVersionDocument(key: String, index: JSONValue, client: ProjectClient, cache: OpenAPICache?)
        throws(CLIError) -> JSONValue?
    {
        guard let relative = index["paths"]?[key]?["serverRelativeURL"]?.stringValue else { return nil }
        let url = client.scope.reroot(relative)
        guard let cache else { return try client.getJSON(url) }
        return try cache.document(key: key, url: url, server: client.scope.server, plane: client.scope.pathPrefix) {
            () throws(CLIError) -> [UInt8] in
            let response = try client.send(client.request("GET", url))
            guard (200..<300).contains(response.status) else { throw APIError(response: response).cliError }
            return response.body
        }
    }

    private static func parse(_ bytes: [UInt8]) throws(CLIError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw CLIError(.server, "the server sent an invalid JSON response: \(error)")
        }
    }

    /// Where a discovery document (`api` or `apis`) is kept, with the `ETag` it came with.
    struct DiscoveryCopy {
        let folder: String
        let bodyPath: String
        let tagPath: String
        /// The ETag saved, to offer as `If-None-Match`; nil when there is no copy yet.
        let tag: String?
    }

    /// The copy of discovery document `key` for a control plane; nil without a cache.
    func discoveryCopy(key: String, server: String, plane: String) -> DiscoveryCopy? {
        guard let root, let planeFolder = folder(server: server, plane: plane) else { return nil }
        // The same layout as the OpenAPI documents, under discovery/ instead of openapi/.
        let folder = FileSystem.join(root, "discovery") + planeFolder.dropFirst(FileSystem.join(root, "openapi").count)
        let bodyPath = FileSystem.join(folder, Self.safe(key) + ".json")
        let tagPath = FileSystem.join(folder, Self.safe(key) + ".etag")
        let tag =
            FileSystem.entry(at: bodyPath) == nil
            ? nil
            : (try? FileSystem.read(tagPath)).map {
                String(decoding: $0, as: UTF8.self)
            }
        return DiscoveryCopy(folder: folder, bodyPath: bodyPath, tagPath: tagPath, tag: tag)
    }

    /// The answer to a request that offered `copy.tag`: a `304 Not Modified` becomes the saved
    /// document, a `200` with an ETag is saved. Nil when the saved copy turns out damaged (it is
    /// warned about): the document must then be asked for without the ETag.
    func resolve(_ response: HTTPResponse, with copy: DiscoveryCopy) -> HTTPResponse? {
        if response.status == 304 {
            if let body = try? FileSystem.read(copy.bodyPath), (try? JSONParser.parse(body)) != nil {
                return HTTPResponse(
                    status: 200, statusText: "200 OK", headers: response.headers, body: body,
                    httpVersion: response.httpVersion, duration: response.duration, attempts: response.attempts)
            }
            warn("ignoring the damaged cache file \(copy.bodyPath); fetching the document again")
            return nil
        }
        if response.status == 200, let tag = response.headers["ETag"], !tag.isEmpty, tag.utf8.count <= 256 {
            do {
                try FileSystem.createDirectories(copy.folder, mode: 0o700)
                try FileSystem.writeAtomically(copy.bodyPath, response.body, mode: 0o600)
                try FileSystem.writeAtomically(copy.tagPath, Array(tag.utf8), mode: 0o600)
            } catch {
                warn("cannot write the cache in \(copy.folder) (\(error)); continuing without it")
            }
        }
        return response
    }

    /// Writes the copy (folders 0700: they name projects) and drops copies of older hashes.
    private func save(_ bytes: [UInt8], to path: String, folder: String, stem: String) {
        do {
            try FileSystem.createDirectories(folder, mode: 0o700)
            try FileSystem.writeAtomically(path, bytes, mode: 0o600)
        } catch {
            warn("cannot write the cache in \(folder) (\(error)); continuing without it")
            return
        }
        let name = FileSystem.lastComponent(of: path)
        if let names = try? FileSystem.contents(ofDirectory: folder) {
            for other in names where other != name && other.hasPrefix(stem + ".") && other.hasSuffix(".json") {
                let hash = other.dropFirst(stem.count + 1).dropLast(".json".count)
                guard !hash.isEmpty, hash.allSatisfy({ $0.isLetter || $0.isNumber }) else { continue }
                unlink(FileSystem.join(folder, other))
            }
        }
    }
}
