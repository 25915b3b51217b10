import DatumJSON
import DatumKit
import DatumYAML
import GoCompat

/// One request against a resource: the verbs list, get, create, update, patch, delete,
/// deletecollection and watch, with kube-apiserver's semantics.
struct ResourceHandler {
    let server: APIServer
    let request: SandboxRequest
    /// The storage key of the control plane (``ControlPlaneScope/storageKey``).
    let project: String
    let target: ResourceTarget
    var rules: ScopeRules = .none

    var type: ResourceType { target.type }
    var query: QueryParameters { request.query }
    var store: ObjectStore { server.store }
    var isStatus: Bool { target.subresource == "status" }
    var dryRun: Bool { query["dryRun"] == "All" }
    var wantsTable: Bool { (request.header("accept") ?? "").contains("as=Table") }

    func run() throws(APIError) -> SandboxResponse {
        // kube-apiserver's storage key functions: `..`, `.`, `a%b` (decoded) are no object name.
        if let name = target.name {
            let problems = NameValidation.isValidPathSegmentName(name)
            if !problems.isEmpty {
                throw APIError.badRequest(
                    "Name parameter invalid: \(GoFormat.quote(name)): \(problems.joined(separator: ";"))")
            }
        }
        if let dry = query["dryRun"], !dry.isEmpty, dry != "All" {
            throw APIError(
                code: 400, reason: "BadRequest",
                message: "Invalid dryRun value: \(dry): supported values: \"All\"")
        }
        switch (request.method, target.name) {
        case ("GET", nil):
            return query.flag("watch") ? try watch() : try list()
        case ("GET", let name?):
            return try get(name)
        case ("POST", nil):
            return try create()
        case ("DELETE", nil):
            return try deleteCollection()
        case ("PUT", let name?):
            return try update(name)
        case ("PATCH", let name?):
            return try patch(name)
        case ("DELETE", let name?):
            guard !isStatus else { throw APIError.methodNotAllowed }
            return try delete(name)
        default:
            throw APIError.methodNotAllowed
        }
    }

    // MARK: Reads

    private func selectors() throws(APIError) -> (LabelSelector, FieldSelector?) {
        let labels = try LabelSelector(parsing: query["labelSelector"] ?? "")
        var fields: FieldSelector?
        if let text = query["fieldSelector"], !text.isEmpty {
            let allowed: Set<String>? =
                type.plural == "events" ? nil : ["metadata.name", "metadata.namespace"]
            fields = try FieldSelector(parsing: text, allowed: allowed)
        }
        return (labels, fields)
    }

    /// An integer query parameter decoded as kube-apiserver decodes ListOptions
    /// (`strconv.ParseInt(s, 10, 64)`): a value that does not parse is a 400 in Go's words.
    private func int64Parameter(_ name: String) throws(APIError) -> Int64? {
        guard let text = query[name] else { return nil }
        if let value = Int64(text) { return value }
        let digits = text.first == "+" || text.first == "-" ? text.dropFirst() : Substring(text)
        let outOfRange = !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        let reason = outOfRange ? "value out of range" : "invalid syntax"
        throw APIError.badRequest("strconv.ParseInt: parsing \(GoFormat.quote(text)): \(reason)")
    }

    /// `timeoutSeconds` and `limit`, in the order kube-apiserver converts them.
    private func listParameters() throws(APIError) -> (timeoutSeconds: Int64?, limit: Int) {
        let timeoutSeconds = try int64Parameter("timeoutSeconds")
        let limit = try int64Parameter("limit") ?? 0
        return (timeoutSeconds, Int(clamping: limit))
    }

    private func list() throws(APIError) -> SandboxResponse {
        let limit = try listParameters().limit
        let (labels, fields) = try selectors()
        var startAfter: String?
        if let token = query["continue"], !token.isEmpty {
            guard let decoded = ContinueToken.decode(token) else {
                throw APIError.badRequest("continue key is not valid: invalid continue token")
            }
            startAfter = decoded
        }
        let (items, version, next, remaining) = try store.read(project: project) { tx in
            var matched = tx.list(type, namespace: target.namespace).filter {
                labels.matches($0.object["metadata"]?["labels"]?.objectValue)
                    && (fields?.matches($0.object) ?? true)
            }
            if let startAfter {
                matched = matched.filter { ObjectStore.objectID(namespace: $0.namespace, name: $0.name) > startAfter }
            }
            var next: String?
            var remaining = 0
            if limit > 0 && matched.count > limit {
                remaining = matched.count - limit
                matched = Array(matched.prefix(limit))
                if let last = matched.last {
                    next = ContinueToken.encode(ObjectStore.objectID(namespace: last.namespace, name: last.name))
                }
            }
            return (matched, tx.resourceVersion, next, remaining)
        }
        if wantsTable {
            return .json(
                200,
                TableConverter.table(
                    for: type, objects: items.map(\.object), resourceVersion: version, continueToken: next,
                    remaining: remaining, includeObject: query["includeObject"]))
        }
        // Items are spliced in as their stored bytes, so a list never re-encodes objects.
        var body: [UInt8] = []
        body.reserveCapacity(items.reduce(128) { $0 + $1.bytes.count + 1 })
        body.append(contentsOf: "{\"apiVersion\":\"\(type.apiVersion)\",\"items\":[".utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: item.bytes)
        }
        body.append(contentsOf: "],\"kind\":\"\(type.listKind)\",\"metadata\":{".utf8)
        if let next {
            body.append(contentsOf: "\"continue\":".utf8)
            GoJSONEncoder.writeString(next, into: &body)
            body.append(contentsOf: ",\"remainingItemCount\":\(remaining),".utf8)
        }
        body.append(contentsOf: "\"resourceVersion\":\"\(version)\"}}".utf8)
        return .bytes(200, body)
    }

    private func get(_ name: String) throws(APIError) -> SandboxResponse {
        let found = try store.read(project: project) { tx in
            tx.get(type, namespace: target.namespace ?? "", name: name)
        }
        guard let found else { throw APIError.notFound(type, name) }
        if wantsTable {
            return .json(
                200,
                TableConverter.table(
                    for: type, objects: [found.object], resourceVersion: nil, continueToken: nil, remaining: 0,
                    includeObject: query["includeObject"]))
        }
        return .bytes(200, found.bytes)
    }

    private func watch() throws(APIError) -> SandboxResponse {
        let timeoutSeconds = try listParameters().timeoutSeconds
        let (labels, fields) = try selectors()
        let since: Int64?
        if let rv = query["resourceVersion"], !rv.isEmpty, rv != "0" {
            // Unsigned, as the API server parses it (`strconv.ParseUint`): "-5" is no version.
            guard let value = Int64(rv), value >= 0 else {
                throw APIError.badRequest("invalid resource version: \(rv)")
            }
            since = value
        } else {
            since = nil
        }
        let table = wantsTable
        let type = self.type
        let includeObject = query["includeObject"]
        let filter = WatchFilter(
            project: project, storageKey: type.storageKey, namespace: target.namespace, name: nil, labels: labels,
            fields: fields)
        return .watch(
            WatchStream(
                filter: filter, sinceVersion: since, timeoutSeconds: timeoutSeconds,
                encode: { event in
                    WatchEncoding.line(event, type: type, table: table, includeObject: includeObject)
                }))
    }

    // MARK: Body decoding and field validation

    private enum BodyKind { case object, mergePatch, jsonPatch, strategicPatch, apply }

    private func decodeJSON() throws(APIError) -> (JSONValue, [String]) {
        let contentType = request.header("content-type") ?? "application/json"
        if contentType.hasPrefix("application/vnd.kubernetes.protobuf") && request.method == "POST" {
            return (.object(try ProtobufBodyDecoder.decode(request.body, as: type)), [])
        }
        if contentType.hasPrefix("application/vnd.kubernetes.protobuf") || contentType.hasPrefix("application/cbor") {
            throw APIError.unsupportedBodyEncoding
        }
        do {
            let parsed = try JSONParser.parseReportingDuplicates(request.body)
            return (parsed.value, parsed.duplicateKeys)
        } catch {
            throw APIError.badRequest(
                "error decoding request body: \(error.message) at line \(error.line), column \(error.column)")
        }
    }

    private func fieldValidationMode() throws(APIError) -> String {
        let mode = query["fieldValidation"] ?? "Warn"
        guard ["Strict", "Warn", "Ignore"].contains(mode) else {
            throw APIError.badRequest(
                "fieldValidation parameter unsupported: \(mode) (supported: \"Ignore\", \"Warn\", \"Strict\")")
        }
        return mode
    }

    /// Decodes like the server (pruning undeclared fields) and applies `fieldValidation` to the
    /// unknown and duplicate fields; returns the pruned object and the warnings for `Warn`.
    private func normalize(_ object: JSONObject, duplicates: [String], kind: BodyKind) throws(APIError) -> (
        JSONObject, [String]
    ) {
        let (pruned, unknown) = server.validator.normalize(object, of: type)
        return (pruned, try fieldWarnings(unknown: unknown, duplicates: duplicates, kind: kind))
    }

    private func fieldWarnings(unknown: [String], duplicates: [String], kind: BodyKind) throws(APIError) -> [String] {
        let mode = try fieldValidationMode()
        if mode == "Ignore" { return [] }
        if kind == .apply {
            guard mode == "Strict", !unknown.isEmpty else {
                return mode == "Warn" ? unknown.map { "unknown field \"\($0)\"" } : []
            }
            throw APIError.badRequest(
                unknown.map { ".\($0): field not declared in schema" }.joined(separator: ", "))
        }
        let problems = duplicates.map { "duplicate field \"\($0)\"" } + unknown.map { "unknown field \"\($0)\"" }
        if problems.isEmpty { return [] }
        if mode == "Warn" { return problems }
        let detail = "strict decoding error: " + problems.joined(separator: ", ")
        if kind == .object {
            throw APIError.badRequest(
                "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): \(detail)")
        }
        throw APIError.badRequest(detail)
    }

    private func checkTypeMeta(_ object: JSONObject, requireBoth: Bool) throws(APIError) {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        if requireBoth && (apiVersion.isEmpty || kind.isEmpty) {
            throw APIError.badRequest(
                "Object 'Kind' is missing in '\(String(decoding: request.body.prefix(200), as: UTF8.self))'")
        }
        if !apiVersion.isEmpty && apiVersion != type.apiVersion {
            throw APIError.badRequest(
                "the API version in the data (\(apiVersion)) does not match the expected API version (\(type.apiVersion))"
            )
        }
        if !kind.isEmpty && kind != type.kind {
            throw APIError.badRequest(
                "the kind in the data (\(kind)) does not match the expected kind (\(type.kind))")
        }
    }

    /// The `metav1.Time` fields of built-in kinds, which kube-apiserver decodes with Go's
    /// `time.Parse(time.RFC3339, ...)` before anything else: a value it refuses fails the whole
    /// request with the decoder's error (`ConfigMap in version "v1" cannot be handled as a
    /// ConfigMap: parsing time "2026-02-31T00:00:00Z": day out of range`). Custom resources keep
    /// no such typed fields (their metadata timestamps are dropped or replaced by the server).
    private func checkTimes(_ object: JSONObject) throws(APIError) {
        guard !type.isCustom else { return }
        var values: [JSONValue?] = [
            object["metadata"]?["creationTimestamp"], object["metadata"]?["deletionTimestamp"],
        ]
        if type == ResourceCatalog.events { values += [object["firstTimestamp"], object["lastTimestamp"]] }
        for case .string(let text)? in values {
            guard let problem = KubeTime.parseError(text) else { continue }
            throw APIError.badRequest(
                "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): \(problem)")
        }
    }

    private func manager() -> String {
        if let name = query["fieldManager"], !name.isEmpty { return name }
        let agent = request.header("user-agent") ?? ""
        let prefix = agent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return prefix.isEmpty ? "unknown" : String(prefix.prefix(128))
    }

    // MARK: Writes

    private func create() throws(APIError) -> SandboxResponse {
        guard !isStatus else { throw APIError.methodNotAllowed }
        let (value, duplicates) = try decodeJSON()
        guard case .object(var object) = value else {
            throw APIError.badRequest("the body of the request was in an unknown format")
        }
        try checkTypeMeta(object, requireBoth: false)
        try checkTimes(object)
        let warnings: [String]
        (object, warnings) = try normalize(object, duplicates: duplicates, kind: .object)
        object["apiVersion"] = .string(type.apiVersion)
        object["kind"] = .string(type.kind)
        var metadata = object["metadata"]?.objectValue ?? [:]
        if type.namespaced {
            let bodyNamespace = metadata["namespace"]?.stringValue ?? ""
            let namespace = target.namespace ?? bodyNamespace
            if !bodyNamespace.isEmpty && bodyNamespace != namespace {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            guard !namespace.isEmpty else {
                throw APIError.badRequest("the namespace of the object must be set")
            }
            metadata["namespace"] = .string(namespace)
        } else {
            metadata["namespace"] = nil
        }
        var name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            name = prefix + NameGenerator.suffix()
            metadata["name"] = .string(name)
        }
        if name.isEmpty {
            throw APIError(
                invalid: InvalidStatus(
                    group: type.group, kind: type.kind, name: "",
                    errors: [.required(FieldPath("metadata", "name"), "name or generateName is required")]))
        }
        object["metadata"] = .object(metadata)
        let manager = self.manager()
        let namespace = metadata["namespace"]?.stringValue ?? ""
        let stored = try store.write(project: project, dryRun: dryRun) {
            (tx: inout ProjectTransaction) throws(APIError) in
            if type.namespaced && !tx.namespaceExists(namespace) { throw APIError.namespaceNotFound(namespace) }
            if tx.get(type, namespace: namespace, name: name) != nil { throw APIError.alreadyExists(type, name) }
            let fresh = try prepareNew(object, manager: manager, entries: nil)
            return tx.put(type, fresh, isCreate: true)
        }
        return .bytes(201, stored.bytes, warnings: warnings)
    }

    /// Server-owned metadata, defaults, validation and managed fields for a new object.
    private func prepareNew(_ input: JSONObject, manager: String, entries: [ManagedFieldsEntry]?) throws(APIError)
        -> JSONObject
    {
        var object = input
        var metadata = object["metadata"]?.objectValue ?? [:]
        for key in ["resourceVersion", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"] {
            metadata[key] = nil
        }
        metadata["uid"] = .string(UIDGenerator.make())
        let now = KubeTime.format(KubeTime.now())
        metadata["creationTimestamp"] = .string(now)
        if type.isCustom { metadata["generation"] = 1 } else { metadata["generation"] = nil }
        if type.plural == "namespaces" {
            var labels = metadata["labels"]?.objectValue ?? [:]
            labels["kubernetes.io/metadata.name"] = metadata["name"]
            metadata["labels"] = .object(labels)
        }
        object["metadata"] = .object(metadata)
        if type.hasStatus { object["status"] = rules.serverStatus.map(JSONValue.object) }
        ObjectShape.applyDefaults(&object, type: type, old: nil)
        if let failure = server.validator.validate(object, old: nil, of: type, subresource: nil) { throw failure }
        if let failure = rules.check?(object) { throw failure }
        let managed =
            entries
            ?? FieldManagement.recordUpdate(
                old: [:], new: object, manager: manager, apiVersion: type.apiVersion, subresource: "", time: now,
                separateStatus: type.hasStatus)
        metadata["managedFields"] = .array(managed.map(\.json))
        object["metadata"] = .object(metadata)
        try checkStorable(object)
        return ObjectShape.canonical(object)
    }

    /// The store reads its objects back with the JSON parser when the sandbox starts, and that
    /// refuses more than 512 levels. Managed fields mirror an object's fields five levels deeper,
    /// and a YAML apply may nest 1000, so without this an object could be stored that then stops
    /// the sandbox from starting again.
    private func checkStorable(_ object: JSONObject) throws(APIError) {
        let limit = JSONParser.maximumDepth
        guard PatchFormats.nesting(of: .object(object), limit: limit) > limit else { return }
        throw APIError.badRequest(
            "the object would exceed the maximum nesting depth of \(limit) once stored with its managed fields")
    }

    /// Turns a candidate for an existing object into what is stored, or `nil` for a no-op.
    private func prepareUpdate(
        old: StoredObject, candidate: JSONObject, manager: String, entries: [ManagedFieldsEntry]?,
        checkVersion: Bool
    ) throws(APIError) -> JSONObject? {
        let name = old.name
        var object = candidate
        var metadata = object["metadata"]?.objectValue ?? [:]
        let oldMetadata = old.object["metadata"]?.objectValue ?? [:]
        if checkVersion {
            let requested = metadata["resourceVersion"]?.stringValue ?? ""
            if requested.isEmpty && type.isCustom {
                throw APIError(
                    invalid: InvalidStatus(
                        group: type.group, kind: type.kind, name: name,
                        errors: [
                            .invalid(
                                FieldPath("metadata", "resourceVersion"), .int(0), "must be specified for an update")
                        ]))
            }
            if !requested.isEmpty && requested != String(old.resourceVersion) { throw APIError.modified(type, name) }
        }
        for key in ["uid", "creationTimestamp", "name", "namespace", "generation", "deletionTimestamp"] {
            metadata[key] = oldMetadata[key]
        }
        // An update may rewrite the managed fields themselves (kubectl's upgrade from client-side
        // to server-side apply does, with a JSON patch); an apply brings its own.
        let base =
            entries == nil
            ? ClientSideApplyInterop.updateBase(
                request: candidate, live: old.object, subresource: target.subresource ?? "") : nil
        metadata["resourceVersion"] = nil
        metadata["managedFields"] = nil
        object["metadata"] = .object(metadata)
        object["apiVersion"] = .string(type.apiVersion)
        object["kind"] = .string(type.kind)
        if isStatus {
            // A /status write changes status only.
            var merged = old.object
            merged["status"] = object["status"]
            object = merged
        } else if type.hasStatus {
            object["status"] = old.object["status"]
            if let fresh = rules.serverStatus, var status = old.object["status"]?.objectValue {
                // What the server owns in status follows the objects it summarises.
                for (key, value) in fresh where key != "conditions" { status[key] = value }
                object["status"] = .object(status)
            }
        }
        ObjectShape.applyDefaults(&object, type: type, old: old.object)
        if type.isCustom, ObjectShape.specPart(object) != ObjectShape.specPart(old.object) {
            var m = object["metadata"]?.objectValue ?? [:]
            m["generation"] = .int((oldMetadata["generation"]?.intValue ?? 1) + 1)
            object["metadata"] = .object(m)
        }
        let unchanged = ObjectShape.comparable(object) == ObjectShape.comparable(old.object)
        let liveEntries = ManagedFieldsEntry.decodeAll(old.object)
        if unchanged && entries == nil && base == liveEntries { return nil }
        // An apply that changes neither the object nor who owns what is a no-op (same resourceVersion).
        if let entries, unchanged, entries.map({ $0.fields }) == liveEntries.map({ $0.fields }) {
            return nil
        }
        if let failure = server.validator.validate(object, old: old.object, of: type, subresource: target.subresource) {
            throw failure
        }
        if !isStatus, let failure = rules.check?(object) { throw failure }
        if let failure = MiloResources.immutabilityError(object, old: old.object, type: type) { throw failure }
        let now = KubeTime.format(KubeTime.now())
        let managed =
            entries
            ?? FieldManagement.recordUpdate(
                old: old.object, new: object, manager: manager, apiVersion: type.apiVersion,
                subresource: target.subresource ?? "", time: now, separateStatus: type.hasStatus,
                base: base == liveEntries ? nil : base)
        var m = object["metadata"]?.objectValue ?? [:]
        m["managedFields"] = .array(managed.map(\.json))
        object["metadata"] = .object(m)
        try checkStorable(object)
        return ObjectShape.canonical(object)
    }

    private func update(_ name: String) throws(APIError) -> SandboxResponse {
        let (value, duplicates) = try decodeJSON()
        guard case .object(var object) = value else {
            throw APIError.badRequest("the body of the request was in an unknown format")
        }
        try checkTypeMeta(object, requireBoth: false)
        try checkTimes(object)
        let warnings: [String]
        (object, warnings) = try normalize(object, duplicates: duplicates, kind: .object)
        try checkNameAndNamespace(object, name: name)
        let manager = self.manager()
        let (stored, _) = try commitPlanned(name: name) { (old, _) throws(APIError) -> WritePlan in
            guard let old else { throw APIError.notFound(type, name) }
            guard
                let next = try prepareUpdate(
                    old: old, candidate: object, manager: manager, entries: nil, checkVersion: true)
            else { return .unchanged(old) }
            return .update(next)
        }
        return .bytes(200, stored.bytes, warnings: warnings)
    }

    private func patch(_ name: String) throws(APIError) -> SandboxResponse {
        let contentType =
            (request.header("content-type") ?? "").split(separator: ";").first.map {
                String($0).trimmingGoSpaces()
            } ?? ""
        switch contentType {
        case "application/apply-patch+yaml", "application/apply-patch+cbor":
            return try apply(name)
        case "application/merge-patch+json":
            return try ordinaryPatch(name, kind: .mergePatch)
        case "application/json-patch+json":
            return try ordinaryPatch(name, kind: .jsonPatch)
        case "application/strategic-merge-patch+json":
            guard !type.isCustom else { throw APIError.unsupportedMediaType }
            return try ordinaryPatch(name, kind: .strategicPatch)
        default:
            throw APIError.unsupportedMediaType
        }
    }

    private func ordinaryPatch(_ name: String, kind: BodyKind) throws(APIError) -> SandboxResponse {
        let (patchValue, duplicates) = try decodeJSON()
        if query.has("force") {
            throw APIError.badRequest(
                "force flag is not allowed for patch type \(request.header("content-type") ?? "")")
        }
        let manager = self.manager()
        _ = try fieldValidationMode()
        var warnings: [String] = []
        let (stored, _) = try commitPlanned(name: name) { (old, _) throws(APIError) -> WritePlan in
            guard let old else { throw APIError.notFound(type, name) }
            let patched: JSONValue
            switch kind {
            case .jsonPatch: patched = try PatchFormats.jsonPatch(.object(old.object), patchValue)
            case .strategicPatch: patched = try PatchFormats.strategicMergePatch(.object(old.object), patchValue)
            default: patched = PatchFormats.mergePatch(.object(old.object), patchValue)
            }
            guard case .object(var candidate) = patched else {
                throw APIError.badRequest("the patch did not produce an object")
            }
            (candidate, warnings) = try normalize(candidate, duplicates: duplicates, kind: kind)
            let patchedVersion = candidate["metadata"]?["resourceVersion"]?.stringValue ?? ""
            if !patchedVersion.isEmpty && patchedVersion != String(old.resourceVersion) {
                throw APIError.modified(type, name)
            }
            guard
                let next = try prepareUpdate(
                    old: old, candidate: candidate, manager: manager, entries: nil, checkVersion: false)
            else { return .unchanged(old) }
            return .update(next)
        }
        return .bytes(200, stored.bytes, warnings: warnings)
    }

    /// A PUT or apply body must name the object of the URL, in the URL's namespace.
    private func checkNameAndNamespace(_ object: JSONObject, name: String) throws(APIError) {
        let bodyName = object["metadata"]?["name"]?.stringValue ?? ""
        if bodyName != name {
            throw APIError.badRequest(
                "the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let ns = object["metadata"]?["namespace"]?.stringValue, !ns.isEmpty, ns != (target.namespace ?? "") {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
    }

    private func apply(_ name: String) throws(APIError) -> SandboxResponse {
        guard let fieldManager = query["fieldManager"], !fieldManager.isEmpty else {
            throw APIError(
                invalid: InvalidStatus(
                    group: "meta.k8s.io", kind: "PatchOptions", name: "",
                    errors: [.required(FieldPath("fieldManager"), "is required for apply patch")]))
        }
        let config = try ApplyBodyDecoder.decode(request.body)
        let duplicates = config.duplicates
        var object = config.object
        try checkTypeMeta(object, requireBoth: true)
        try checkNameAndNamespace(object, name: name)
        // Managed fields are the server's to compute for an apply (an update may set them).
        if case .array? = object["metadata"]?["managedFields"] {
            throw APIError.badRequest("metadata.managedFields must be nil")
        }
        let warnings: [String]
        (object, warnings) = try normalize(object, duplicates: duplicates, kind: .apply)
        let force = query.flag("force")
        let subresource = target.subresource ?? ""
        let includeStatus = isStatus || !type.hasStatus
        let includeSpec = !isStatus
        let namespace = target.namespace ?? ""
        let (stored, created) = try commitPlanned(name: name) { (live, namespaceExists) throws(APIError) -> WritePlan in
            let now = KubeTime.format(KubeTime.now())
            if live == nil {
                if isStatus { throw APIError.notFound(type, name) }
                if !namespaceExists { throw APIError.namespaceNotFound(namespace) }
            }
            // A new object is applied onto one that has only its name (and namespace).
            var seed: JSONObject = ["metadata": ["name": .string(name)]]
            if type.namespaced { seed["metadata"]?["namespace"] = .string(namespace) }
            let outcome = FieldManagement.apply(
                live: live?.object ?? seed, config: object, manager: fieldManager, apiVersion: type.apiVersion,
                subresource: subresource, force: force, time: now, includeStatus: includeStatus,
                includeSpec: includeSpec)
            let result: (object: JSONObject, entries: [ManagedFieldsEntry])
            switch outcome {
            case .failure(let conflict): throw conflict.apiError
            case .success(let applied): result = applied
            }
            guard let old = live else {
                var fresh = result.object
                fresh["apiVersion"] = .string(type.apiVersion)
                fresh["kind"] = .string(type.kind)
                return .create(try prepareNew(fresh, manager: fieldManager, entries: result.entries))
            }
            let requested = object["metadata"]?["resourceVersion"]?.stringValue ?? ""
            if !requested.isEmpty && requested != String(old.resourceVersion) {
                throw APIError.modified(type, name)
            }
            guard
                let next = try prepareUpdate(
                    old: old, candidate: result.object, manager: fieldManager, entries: result.entries,
                    checkVersion: false)
            else { return .unchanged(old) }
            return .update(next)
        }
        return .bytes(created ? 201 : 200, stored.bytes, warnings: warnings)
    }

    // MARK: Optimistic writes

    /// What a write computed from the object it read.
    private enum WritePlan {
        case unchanged(StoredObject)
        case create(JSONObject)
        case update(JSONObject)
    }

    private static let retryReason = "SandboxRetry"

    /// Plans a write outside the store lock (merging, validation and managed fields are the
    /// expensive part), then commits it only if the object is still the one planned against.
    /// After a few lost races the plan is made under the lock, so a write always completes.
    private func commitPlanned(
        name: String, _ plan: (StoredObject?, Bool) throws(APIError) -> WritePlan
    ) throws(APIError) -> (StoredObject, Bool) {
        let namespace = target.namespace ?? ""
        let type = self.type
        func commit(_ planned: WritePlan, expecting version: Int64?, _ tx: inout ProjectTransaction) throws(APIError)
            -> (StoredObject, Bool)
        {
            switch planned {
            case .unchanged(let old): return (old, false)
            case .create(let object):
                guard tx.get(type, namespace: namespace, name: name) == nil else {
                    throw APIError(code: 0, reason: ResourceHandler.retryReason, message: "")
                }
                if type.namespaced && !tx.namespaceExists(namespace) { throw APIError.namespaceNotFound(namespace) }
                return (tx.put(type, object, isCreate: true), true)
            case .update(let object):
                guard tx.get(type, namespace: namespace, name: name)?.resourceVersion == version else {
                    throw APIError(code: 0, reason: ResourceHandler.retryReason, message: "")
                }
                return (tx.put(type, object, isCreate: false), false)
            }
        }
        for _ in 0..<4 {
            let (old, namespaceExists) = try store.read(project: project) { tx in
                (tx.get(type, namespace: namespace, name: name), !type.namespaced || tx.namespaceExists(namespace))
            }
            let planned = try plan(old, namespaceExists)
            if case .unchanged(let same) = planned { return (same, false) }
            do {
                return try store.write(project: project, dryRun: dryRun) {
                    (tx: inout ProjectTransaction) throws(APIError) in
                    try commit(planned, expecting: old?.resourceVersion, &tx)
                }
            } catch {
                if error.reason != ResourceHandler.retryReason { throw error }
            }
        }
        return try store.write(project: project, dryRun: dryRun) { (tx: inout ProjectTransaction) throws(APIError) in
            let old = tx.get(type, namespace: namespace, name: name)
            let planned = try plan(old, !type.namespaced || tx.namespaceExists(namespace))
            return try commit(planned, expecting: old?.resourceVersion, &tx)
        }
    }

    // MARK: Deletes

    private struct DeleteOptions {
        var uid: String?
        var resourceVersion: String?
        var dryRun: Bool
    }

    private func deleteOptions() throws(APIError) -> DeleteOptions {
        var options = DeleteOptions(uid: nil, resourceVersion: nil, dryRun: dryRun)
        guard !request.body.isEmpty else { return options }
        let (value, _) = try decodeJSON()
        if let preconditions = value["preconditions"] {
            options.uid = preconditions["uid"]?.stringValue
            options.resourceVersion = preconditions["resourceVersion"]?.stringValue
        }
        if let dry = value["dryRun"]?.arrayValue, dry.contains("All") { options.dryRun = true }
        return options
    }

    private func delete(_ name: String) throws(APIError) -> SandboxResponse {
        let options = try deleteOptions()
        let namespace = target.namespace ?? ""
        if type.plural == "namespaces" && name == "default" {
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "namespaces \"default\" is forbidden: this namespace may not be deleted", name: "default",
                kind: "namespaces")
        }
        let deleted = try store.write(project: project, dryRun: options.dryRun) {
            (tx: inout ProjectTransaction) throws(APIError) -> StoredObject in
            guard let existing = tx.get(type, namespace: namespace, name: name) else {
                throw APIError.notFound(type, name)
            }
            let uid = existing.object["metadata"]?["uid"]?.stringValue ?? ""
            if let expected = options.uid, expected != uid {
                throw APIError.conflict(
                    type, name, "Precondition failed: UID in precondition: \(expected), UID in object meta: \(uid)")
            }
            if let expected = options.resourceVersion, expected != String(existing.resourceVersion) {
                throw APIError.conflict(
                    type, name,
                    "Precondition failed: ResourceVersion in precondition: \(expected), ResourceVersion in object meta: \(existing.resourceVersion)"
                )
            }
            if type.plural == "namespaces" {
                for other in ResourceCatalog.all + MiloResources.all where other.namespaced {
                    for object in tx.list(other, namespace: name) {
                        tx.delete(other, namespace: name, name: object.name)
                    }
                }
            }
            return tx.delete(type, namespace: namespace, name: name) ?? existing
        }
        if type.isCustom { return .bytes(200, deleted.bytes) }
        if type.plural == "namespaces" {
            var object = deleted.object
            object["status"] = ["phase": "Terminating"]
            return .json(200, .object(object))
        }
        var details: JSONObject = ["name": .string(name), "kind": .string(type.plural)]
        details["uid"] = deleted.object["metadata"]?["uid"]
        return .json(
            200,
            [
                "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success",
                "details": .object(details),
            ])
    }

    private func deleteCollection() throws(APIError) -> SandboxResponse {
        let options = try deleteOptions()
        let (labels, fields) = try selectors()
        let version = try store.write(project: project, dryRun: options.dryRun) {
            (tx: inout ProjectTransaction) throws(APIError) -> Int64 in
            for object in tx.list(type, namespace: target.namespace) {
                guard labels.matches(object.object["metadata"]?["labels"]?.objectValue),
                    fields?.matches(object.object) ?? true
                else { continue }
                if type.plural == "namespaces" && object.name == "default" { continue }
                tx.delete(type, namespace: object.namespace, name: object.name)
            }
            return tx.resourceVersion
        }
        return .json(
            200,
            [
                "kind": .string(type.listKind), "apiVersion": .string(type.apiVersion),
                "metadata": ["resourceVersion": .string(String(version))], "items": [],
            ])
    }
}

/// `metadata.generateName` suffixes: five characters from apimachinery's alphabet (no vowels).
enum NameGenerator {
    static func suffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }
}

/// Opaque continue tokens for paginated lists: the last key returned, base64-encoded.
enum ContinueToken {
    static func encode(_ key: String) -> String {
        Base64.standard.encode(Array(("{\"v\":\"meta.k8s.io/v1\",\"start\":" + GoJSONEncoder.quote(key) + "}").utf8))
    }

    static func decode(_ token: String) -> String? {
        guard let bytes = Base64.standard.decoded(token), let value = try? JSONParser.parse(bytes) else { return nil }
        return value["start"]?.stringValue
    }
}
