import DatumJSON
import DatumSystem
import DatumYAML

/// One Kubernetes object read from a manifest, with where it came from.
///
/// The YAML node tree is kept so any field path can be turned back into the
/// `file:line:column` the user wrote; it lives only as long as the manifest.
public struct Manifest: Sendable {
    public var object: KubeObject
    /// Display name of the file (`policy.yaml`, `STDIN`).
    public var file: String
    /// 0-based index of the YAML document (or JSON value) within its file.
    public var documentIndex: Int
    /// The object's node (the document root, or one item of a `kind: List`).
    public var node: YAMLNode
    /// Path of `node` inside its document (`items[2]` for a `List` item, empty otherwise).
    public var pathInDocument: [YAMLPathComponent]

    public init(
        object: KubeObject, file: String, documentIndex: Int, node: YAMLNode,
        pathInDocument: [YAMLPathComponent] = []
    ) {
        self.object = object
        self.file = file
        self.documentIndex = documentIndex
        self.node = node
        self.pathInDocument = pathInDocument
    }

    /// Where the object starts.
    public var location: SourceLocation { SourceLocation(file: file, mark: node.start) }

    /// The position of a field: the value's node, or for `pointAtKey` the key itself
    /// (unknown fields). A field that does not exist (a missing required value) points
    /// at its nearest existing parent.
    /// A mapping or sequence value is located by its key (`validation:`), since a block
    /// collection's own first character is on the following line.
    public func location(of path: [YAMLPathComponent], pointAtKey: Bool = false) -> SourceLocation {
        var prefix = path
        while true {
            if let value = node.node(atPath: prefix) {
                var target = value
                if pointAtKey && prefix.count == path.count {
                    target = node.keyNode(atPath: prefix) ?? value
                } else if case .scalar = value.content {
                    target = value
                } else if case .key = prefix.last, let key = node.keyNode(atPath: prefix) {
                    target = key
                }
                return SourceLocation(file: file, mark: target.start)
            }
            if prefix.isEmpty { return location }
            prefix.removeLast()
        }
    }

    /// `kind/name` as datumctl's messages show an object (`BackendTLSPolicy/secure-backend`).
    public var displayName: String {
        "\(object.kind ?? "<unknown kind>")/\(object.name ?? "<unnamed>")"
    }
}

/// A file (or stdin) to read manifests from.
public struct ManifestInput: Sendable, Hashable {
    /// The path to open; `-` for standard input.
    public var path: String
    /// How messages name it: the path as the user gave it, or `STDIN`.
    public var displayName: String
}

/// Turns a YAML node into JSON for a given kind. The default follows kubectl
/// (YAML 1.1 resolution); schema-aware conversion keeps strings as written.
public typealias ManifestConversion = @Sendable (YAMLNode, GroupVersionKind?) throws(YAMLError) -> JSONValue

/// Reads manifests from files, directories and stdin, one document at a time.
///
/// Directories contribute their `.yaml`, `.yml` and `.json` files in name order
/// (recursively with `-R`), as kubectl's `-f DIR` does. Documents are streamed: only the
/// document being handled is in memory, so very large streams stay small.
///
/// Whether an input is YAML or JSON is decided by its content, never its name, exactly as
/// kubectl decides it (see ``ManifestText``): a stream whose first non-space character is `{`
/// is read as a JSON stream by ``JSONStreamParser``, anything else by libyaml. Both give
/// ``YAMLDocument``s with a position on every node, so the rest of the pipeline is the same.
public struct ManifestLoader: Sendable {
    public static let manifestExtensions: Set<String> = ["yaml", "yml", "json"]

    public var recursive: Bool
    public var currentDirectory: String
    public var readStandardInput: @Sendable () -> [UInt8]
    public var limits: YAMLLimits
    public var conversion: ManifestConversion

    public init(
        recursive: Bool = false, currentDirectory: String = FileSystem.currentDirectory(),
        readStandardInput: @escaping @Sendable () -> [UInt8] = { [] }, limits: YAMLLimits = .default,
        conversion: @escaping ManifestConversion = { node, _ throws(YAMLError) in try node.jsonValue() }
    ) {
        self.recursive = recursive
        self.currentDirectory = currentDirectory
        self.readStandardInput = readStandardInput
        self.limits = limits
        self.conversion = conversion
    }

    // MARK: - Inputs

    /// Expands `-f` arguments into the files to read, in order. Fails on a path that
    /// does not exist (kubectl: `the path "x" does not exist`).
    public func inputs(for paths: [String]) throws(ManifestError) -> [ManifestInput] {
        var result: [ManifestInput] = []
        var seenStdin = false
        for path in paths {
            if path == "-" {
                if seenStdin { continue }
                seenStdin = true
                result.append(ManifestInput(path: "-", displayName: "STDIN"))
                continue
            }
            if path.hasPrefix("http://") || path.hasPrefix("https://") {
                throw ManifestError(message: "reading manifests from URLs is not supported: \(path)")
            }
            let absolute = path.hasPrefix("/") ? path : FileSystem.join(currentDirectory, path)
            guard let entry = FileSystem.entry(at: absolute) else {
                throw ManifestError(message: "the path \"\(path)\" does not exist")
            }
            if entry == .directory {
                result += try directoryInputs(absolute: absolute, display: path)
            } else {
                result.append(ManifestInput(path: absolute, displayName: path))
            }
        }
        return result
    }

    private func directoryInputs(absolute: String, display: String) throws(ManifestError) -> [ManifestInput] {
        let names: [String]
        do {
            names = try FileSystem.contents(ofDirectory: absolute)
        } catch {
            throw ManifestError(message: "cannot read directory \"\(display)\": \(error)")
        }
        var result: [ManifestInput] = []
        for name in names {
            let childAbsolute = FileSystem.join(absolute, name)
            let childDisplay = FileSystem.join(display, name)
            guard let entry = FileSystem.entry(at: childAbsolute) else { continue }
            if entry == .directory {
                if recursive { result += try directoryInputs(absolute: childAbsolute, display: childDisplay) }
            } else if Self.manifestExtensions.contains(FileSystem.pathExtension(name).lowercased()) {
                result.append(ManifestInput(path: childAbsolute, displayName: childDisplay))
            }
        }
        return result
    }

    // MARK: - Documents

    /// Reads one input and hands every object (or the error in its place) to `body`, in
    /// order. Return `false` from `body` to stop early. A YAML syntax error ends the file
    /// (the parser cannot resynchronise), after the documents before it were delivered.
    public func load(_ input: ManifestInput, _ body: (Result<Manifest, ManifestError>) -> Bool) {
        guard let source = readSource(input, body) else { return }
        load(source, body)
    }

    /// Reads manifests from in-memory YAML (or JSON) text.
    public func load(_ source: YAMLSource, _ body: (Result<Manifest, ManifestError>) -> Bool) {
        readDocuments(source) { step in
            switch step {
            case .failure(let error):
                return body(.failure(error))
            case .success(let document):
                for result in manifests(in: document) where !body(result) { return false }
                return true
            }
        }
    }

    /// The first, sequential stage of loading: YAML documents in stream order (empty ones
    /// skipped), or the error that ended the stream. Turning documents into manifests
    /// (``manifests(in:)``) is independent per document, so callers may do it concurrently.
    public func readDocuments(_ input: ManifestInput, _ body: (Result<YAMLDocument, ManifestError>) -> Bool) {
        guard let source = readSource(input, body) else { return }
        readDocuments(source, body)
    }

    public func readDocuments(_ source: YAMLSource, _ body: (Result<YAMLDocument, ManifestError>) -> Bool) {
        let (isJSON, source) = ManifestText.prepare(source)
        if isJSON {
            var reader = JSONDocumentReader(source, limits: limits)
            while let step = reader.next() {
                if !body(step) { return }
            }
            return
        }
        // Chunk by chunk, as the concurrent path (``chunks(of:)``, ``load(chunk:)``) reads: an
        // error that ends a chunk's reader (syntax, encoding, nesting) ends only that chunk.
        var documentIndex = 0
        for chunk in YAMLStreamSplitter.split(source) {
            let reader = YAMLDocumentReader(chunk, limits: limits)
            let first = documentIndex
            while true {
                var document: YAMLDocument
                do {
                    guard let next = try reader.next() else { break }
                    document = next
                } catch {
                    let failure = ManifestError(error, file: source.name, documentIndex: documentIndex)
                    documentIndex += 1
                    if !body(.failure(failure)) { return }
                    // Errors inside one document (duplicate keys, aliases) leave the chunk usable.
                    if error.kind == .syntax || error.kind == .encoding || error.kind == .depthLimit { break }
                    continue
                }
                document.index += first
                documentIndex = document.index + 1
                guard document.root != nil else { continue }  // empty documents are skipped, as kubectl does
                if !body(.success(document)) { return }
            }
        }
    }

    private func readSource<T>(_ input: ManifestInput, _ body: (Result<T, ManifestError>) -> Bool) -> YAMLSource? {
        if input.path == "-" {
            return YAMLSource(name: input.displayName, bytes: readStandardInput())
        }
        do {
            return YAMLSource(name: input.displayName, bytes: try FileSystem.read(input.path))
        } catch {
            _ = body(.failure(ManifestError(message: "cannot read \"\(input.displayName)\": \(error)")))
            return nil
        }
    }

    /// The sequential first step of concurrent loading: reads the input and splits it at its
    /// document markers into chunks that ``load(chunk:)`` can parse independently. A JSON
    /// stream is one chunk (its values have no markers to split at).
    public func chunks(of input: ManifestInput) -> Result<[YAMLChunk], ManifestError> {
        var failure: ManifestError?
        let source: YAMLSource? = readSource(input) { (result: Result<Never, ManifestError>) in
            if case .failure(let error) = result { failure = error }
            return false
        }
        guard let source else {
            return .failure(failure ?? ManifestError(message: "cannot read \"\(input.displayName)\""))
        }
        let (isJSON, prepared) = ManifestText.prepare(source)
        let chunks = YAMLStreamSplitter.split(prepared)
        // The first chunk starts at byte 0, which ``load(chunk:)`` takes as the whole JSON stream.
        return .success(isJSON ? Array(chunks.prefix(1)) : chunks)
    }

    /// Parses one chunk into objects (or errors in their place). Document indexes are local to
    /// the chunk; `documents` is how many documents it held, so a caller that sees the chunks
    /// in order can number documents across the file.
    public func load(chunk: YAMLChunk) -> (documents: Int, results: [Result<Manifest, ManifestError>]) {
        let (isJSON, source) = ManifestText.prepare(chunk.source)
        if isJSON {
            // A JSON stream is read whole from its first chunk; any other chunk of it is empty.
            guard chunk.byteRange.lowerBound == 0 else { return (0, []) }
            var reader = JSONDocumentReader(source, limits: limits)
            var results: [Result<Manifest, ManifestError>] = []
            while let step = reader.next() {
                switch step {
                case .success(let document): results += manifests(in: document)
                case .failure(let error): results.append(.failure(error))
                }
            }
            return (reader.count, results)
        }
        let reader = YAMLDocumentReader(chunk, limits: limits)
        var results: [Result<Manifest, ManifestError>] = []
        var documents = 0
        while true {
            do {
                guard let document = try reader.next() else { break }
                documents = document.index + 1
                if document.root != nil { results += manifests(in: document) }
            } catch {
                results.append(.failure(ManifestError(error, file: chunk.source.name, documentIndex: documents)))
                documents += 1
                if error.kind == .syntax || error.kind == .encoding || error.kind == .depthLimit { break }
            }
        }
        return (documents, results)
    }

    /// The objects of one document: the document itself, or the items of a `kind: List`.
    public func manifests(in document: YAMLDocument) -> [Result<Manifest, ManifestError>] {
        guard let root = document.root else { return [] }
        return manifests(in: root, document: document, source: document.source)
    }

    /// Convenience for tests and small inputs: every result of every input, in order.
    public func loadAll(_ paths: [String]) -> [Result<Manifest, ManifestError>] {
        var results: [Result<Manifest, ManifestError>] = []
        do {
            for input in try inputs(for: paths) {
                load(input) {
                    results.append($0); return true
                }
            }
        } catch {
            results.append(.failure(error))
        }
        return results
    }

    private func manifests(in root: YAMLNode, document: YAMLDocument, source: YAMLSource)
        -> [Result<Manifest, ManifestError>]
    {
        func failure(_ message: String, at node: YAMLNode) -> Result<Manifest, ManifestError> {
            .failure(located(source.error(message, at: node.start), source: source, documentIndex: document.index))
        }

        guard case .mapping = root.content else {
            // Sniffed only here: errors are rare, documents many.
            if ManifestText.isJSON(source.bytes) {
                let message =
                    "JSON value \(document.index + 1) is not a Kubernetes object: expected an object, found \(root.jsonKindName)"
                return [failure(message, at: root)]
            }
            return [
                failure(
                    "document \(document.index + 1) is not a Kubernetes object: expected a mapping, found \(root.kindName)",
                    at: root)
            ]
        }
        // kubectl accepts `kind: List` (and `*List` kinds) whose items are objects.
        if let kind = root.node(atPath: [.key("kind")])?.scalarText, kind == "List" || kind.hasSuffix("List"),
            let items = root.node(atPath: [.key("items")]), case .sequence(let elements) = items.content
        {
            var results: [Result<Manifest, ManifestError>] = []
            for (index, element) in elements.enumerated() {
                results.append(
                    object(
                        from: element, pathInDocument: [.key("items"), .index(index)], document: document,
                        source: source))
            }
            return results
        }
        return [object(from: root, pathInDocument: [], document: document, source: source)]
    }

    private func object(
        from node: YAMLNode, pathInDocument: [YAMLPathComponent], document: YAMLDocument, source: YAMLSource
    ) -> Result<Manifest, ManifestError> {
        let file = source.name
        func failure(_ message: String, at mark: YAMLMark) -> Result<Manifest, ManifestError> {
            .failure(located(source.error(message, at: mark), source: source, documentIndex: document.index))
        }
        guard case .mapping = node.content else {
            if ManifestText.isJSON(source.bytes) {
                return failure(
                    "expected a Kubernetes object (a JSON object), found \(node.jsonKindName)", at: node.start)
            }
            return failure("expected a Kubernetes object (a mapping), found \(node.kindName)", at: node.start)
        }
        var missing: [String] = []
        var typeErrors: [(String, YAMLNode)] = []
        for field in ["apiVersion", "kind"] {
            guard let value = node.node(atPath: [.key(field)]) else {
                missing.append(field)
                continue
            }
            // A string: untagged (as YAML writes it) or tagged `!!str` (every JSON string).
            if case .scalar(let text, _) = value.content, !text.isEmpty,
                value.tag == nil || value.tag == JSONDocumentReader.Tag.str
            {
                continue
            }
            typeErrors.append((field, value))
        }
        if let (field, value) = typeErrors.first {
            return failure("\(field) must be a non-empty string", at: value.start)
        }
        if !missing.isEmpty {
            let list = missing.map { "\"\($0)\"" }.joined(separator: " and ")
            return failure("object is missing required field\(missing.count > 1 ? "s" : "") \(list)", at: node.start)
        }
        let apiVersion = node.node(atPath: [.key("apiVersion")])?.scalarText ?? ""
        let kind = node.node(atPath: [.key("kind")])?.scalarText ?? ""
        let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
        do {
            let value = try conversion(node, gvk)
            return .success(
                Manifest(
                    object: KubeObject(value), file: file, documentIndex: document.index, node: node,
                    pathInDocument: pathInDocument))
        } catch {
            return .failure(located(source.locate(error), source: source, documentIndex: document.index))
        }
    }

    /// A ``ManifestError`` from an error on a document's nodes; the excerpt of a JSON source is
    /// cut by JSON's line rules, which differ from YAML's (U+0085 is no line break in JSON).
    private func located(_ error: YAMLError, source: YAMLSource, documentIndex: Int) -> ManifestError {
        if ManifestText.isJSON(source.bytes) {
            return ManifestText.error(error, source: source, documentIndex: documentIndex)
        }
        return ManifestError(error, file: source.name, documentIndex: documentIndex)
    }
}

extension YAMLNode {
    /// "a mapping", "a sequence", "a scalar": for messages.
    var kindName: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .scalar: return "a scalar"
        }
    }

    /// "an array", "a string", "a number", ...: for messages about JSON documents.
    var jsonKindName: String {
        switch content {
        case .mapping: return "an object"
        case .sequence: return "an array"
        case .scalar:
            switch tag {
            case JSONDocumentReader.Tag.str: return "a string"
            case JSONDocumentReader.Tag.int, JSONDocumentReader.Tag.float: return "a number"
            case JSONDocumentReader.Tag.bool: return "a boolean"
            default: return "a scalar"
            }
        }
    }
}
