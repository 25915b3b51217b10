import DatumJSON

/// A set of field paths in `fieldsV1` form (`f:spec` → `f:validation` → `f:hostname`).
///
/// Lists are treated as atomic (one leaf), which is what the BackendTLSPolicy schema declares
/// for every list (`x-kubernetes-list-type: atomic`); keys are kept in their encoded form.
public struct FieldSet: Sendable, Equatable {
    /// The node itself is owned (`.` in fieldsV1, or an empty `{}` leaf).
    public var isMember: Bool
    public var children: [String: FieldSet]

    public init(isMember: Bool = false, children: [String: FieldSet] = [:]) {
        self.isMember = isMember
        self.children = children
    }

    public var isEmpty: Bool { !isMember && children.isEmpty }

    /// Every owned path, as arrays of encoded keys.
    public var memberPaths: [[String]] {
        var result: [[String]] = []
        func walk(_ node: FieldSet, _ prefix: [String]) {
            if node.isMember && !prefix.isEmpty { result.append(prefix) }
            for key in node.children.keys.sorted() {
                if let child = node.children[key] { walk(child, prefix + [key]) }
            }
        }
        walk(self, [])
        return result
    }

    public func contains(_ path: [String]) -> Bool {
        var node = self
        for key in path {
            guard let next = node.children[key] else { return false }
            node = next
        }
        return node.isMember
    }

    public mutating func insert(_ path: [String]) {
        guard let first = path.first else {
            isMember = true
            return
        }
        var child = children[first] ?? FieldSet()
        child.insert(Array(path.dropFirst()))
        children[first] = child
    }

    public mutating func remove(_ path: [String]) {
        guard let first = path.first else {
            isMember = false
            return
        }
        guard var child = children[first] else { return }
        child.remove(Array(path.dropFirst()))
        children[first] = child.isEmpty ? nil : child
    }

    public func union(_ other: FieldSet) -> FieldSet {
        var result = self
        for path in other.memberPaths { result.insert(path) }
        return result
    }

    /// `fieldsV1` JSON: `{}` for a leaf, `.` marks an owned inner node.
    public var fieldsV1: JSONValue {
        var object = JSONObject()
        if isMember && !children.isEmpty { object["."] = .object([:]) }
        for key in children.keys.sorted() {
            if let child = children[key] { object[key] = child.fieldsV1 }
        }
        return .object(object)
    }

    public init(fieldsV1 value: JSONValue) {
        self.init()
        guard case .object(let object) = value else { return }
        if object.isEmpty {
            isMember = true
            return
        }
        for (key, child) in object {
            if key == "." {
                isMember = true
            } else {
                children[key] = FieldSet(fieldsV1: child)
            }
        }
    }

    /// Metadata fields the server owns; they never appear in managed fields.
    static let serverMetadata: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
        "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName",
    ]

    /// The fields an apply configuration sets: its leaves (objects are not owned themselves).
    public static func applied(_ object: JSONObject, includeStatus: Bool, includeSpec: Bool = true) -> FieldSet {
        var set = FieldSet()
        for (key, value) in object {
            if key == "apiVersion" || key == "kind" { continue }
            if key == "status" && !includeStatus { continue }
            if key != "metadata" && key != "status" && !includeSpec { continue }
            if key == "metadata" {
                for (metaKey, metaValue) in value.objectValue ?? [:] where !serverMetadata.contains(metaKey) {
                    set.insertLeaves(of: metaValue, at: ["f:metadata", "f:" + metaKey])
                }
                continue
            }
            set.insertLeaves(of: value, at: ["f:" + key])
        }
        return set
    }

    private mutating func insertLeaves(of value: JSONValue, at path: [String]) {
        if case .object(let object) = value, !object.isEmpty {
            for (key, child) in object { insertLeaves(of: child, at: path + ["f:" + key]) }
        } else {
            insert(path)
        }
    }

    /// The fields an update changed or added (inner objects it created are owned too),
    /// and the fields it removed.
    public static func changes(from old: JSONObject, to new: JSONObject) -> (changed: FieldSet, removed: FieldSet) {
        var changed = FieldSet()
        var removed = FieldSet()
        func diff(_ old: JSONValue?, _ new: JSONValue?, _ path: [String], topLevel: Bool) {
            switch (old, new) {
            case (nil, nil): return
            case (let o?, nil):
                _ = o
                removed.insert(path)
            case (nil, let n?):
                if case .object(let object) = n, !object.isEmpty {
                    if !topLevel { changed.insert(path) }
                    for (key, child) in object { diff(nil, child, path + ["f:" + key], topLevel: false) }
                } else {
                    changed.insert(path)
                }
            case (let o?, let n?):
                if o == n { return }
                if case .object(let oo) = o, case .object(let no) = n, !no.isEmpty {
                    for key in Set(oo.keys).union(no.keys) {
                        diff(oo[key], no[key], path + ["f:" + key], topLevel: false)
                    }
                } else {
                    changed.insert(path)
                }
            }
        }
        for key in Set(old.keys).union(new.keys) where key != "apiVersion" && key != "kind" {
            if key == "metadata" {
                let om = old["metadata"]?.objectValue ?? [:]
                let nm = new["metadata"]?.objectValue ?? [:]
                for metaKey in Set(om.keys).union(nm.keys) where !serverMetadata.contains(metaKey) {
                    diff(om[metaKey], nm[metaKey], ["f:metadata", "f:" + metaKey], topLevel: false)
                }
                continue
            }
            diff(old[key], new[key], ["f:" + key], topLevel: false)
        }
        return (changed, removed)
    }
}

/// One `metadata.managedFields` entry.
public struct ManagedFieldsEntry: Sendable, Equatable {
    public var manager: String
    public var operation: String
    public var apiVersion: String
    public var time: String
    public var fields: FieldSet
    public var subresource: String

    public var json: JSONValue {
        var object: JSONObject = ["manager": .string(manager), "operation": .string(operation)]
        object["apiVersion"] = .string(apiVersion)
        object["time"] = .string(time)
        object["fieldsType"] = "FieldsV1"
        object["fieldsV1"] = fields.fieldsV1
        if !subresource.isEmpty { object["subresource"] = .string(subresource) }
        return .object(object)
    }

    public init(
        manager: String, operation: String, apiVersion: String, time: String, fields: FieldSet, subresource: String
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.fields = fields
        self.subresource = subresource
    }

    init?(_ value: JSONValue) {
        guard let manager = value["manager"]?.stringValue, let operation = value["operation"]?.stringValue else {
            return nil
        }
        self.manager = manager
        self.operation = operation
        apiVersion = value["apiVersion"]?.stringValue ?? ""
        time = value["time"]?.stringValue ?? ""
        fields = FieldSet(fieldsV1: value["fieldsV1"] ?? .object([:]))
        subresource = value["subresource"]?.stringValue ?? ""
    }

    /// How conflict messages name a manager (apiserver's `printManager`).
    var conflictName: String {
        var text = GoJSONEncoder.quote(manager, escapeHTML: false)
        if !subresource.isEmpty { text += " with subresource " + GoJSONEncoder.quote(subresource, escapeHTML: false) }
        if operation == "Update" { text += " using \(apiVersion)" }
        return text
    }

    static func decodeAll(_ object: JSONObject) -> [ManagedFieldsEntry] {
        (object["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap(ManagedFieldsEntry.init)
    }

    /// kube-apiserver's order: operation, then time, manager, apiVersion, subresource.
    static func sorted(_ entries: [ManagedFieldsEntry]) -> [ManagedFieldsEntry] {
        entries.sorted { p, q in
            if p.operation != q.operation { return p.operation < q.operation }
            if p.time != q.time { return p.time < q.time }
            if p.manager != q.manager { return p.manager < q.manager }
            if p.apiVersion != q.apiVersion { return p.apiVersion < q.apiVersion }
            return p.subresource < q.subresource
        }
    }
}

/// One field owned by another manager with a different value.
public struct ApplyConflict: Sendable, Equatable {
    public var manager: String
    public var path: String
}

/// Server-side apply and update bookkeeping over `metadata.managedFields`.
public enum FieldManagement {
    /// `.spec.validation.hostname` from `["f:spec", "f:validation", "f:hostname"]`.
    static func describe(_ path: [String]) -> String {
        path.map { key in
            if key.hasPrefix("f:") { return "." + key.dropFirst(2) }
            if key.hasPrefix("k:") { return "[" + key.dropFirst(2) + "]" }
            if key.hasPrefix("v:") { return "[=" + key.dropFirst(2) + "]" }
            if key.hasPrefix("i:") { return "[" + key.dropFirst(2) + "]" }
            return "." + key
        }.joined()
    }

    static func value(at path: [String], in object: JSONObject) -> JSONValue? {
        var current: JSONValue = .object(object)
        for key in path {
            guard key.hasPrefix("f:"), let next = current[String(key.dropFirst(2))] else { return nil }
            current = next
        }
        return current
    }

    static func removeValue(at path: [String], in object: inout JSONObject) {
        guard let first = path.first, first.hasPrefix("f:") else { return }
        let key = String(first.dropFirst(2))
        if path.count == 1 {
            object[key] = nil
            return
        }
        guard case .object(var child) = object[key] ?? .null else { return }
        removeValue(at: Array(path.dropFirst()), in: &child)
        if child.isEmpty && key != "metadata" {
            object[key] = nil
        } else {
            object[key] = .object(child)
        }
    }

    /// Recursively merges an apply configuration into the live object (objects merge, the rest replaces).
    static func merge(_ live: JSONValue, _ config: JSONValue) -> JSONValue {
        guard case .object(let c) = config, case .object(var l) = live else { return config }
        for (key, value) in c { l[key] = merge(l[key] ?? .null, value) }
        return .object(l)
    }

    /// Records an update (create, PUT, merge/JSON/strategic patch) by `manager`.
    static func recordUpdate(
        old: JSONObject, new: JSONObject, manager: String, apiVersion: String, subresource: String, time: String,
        separateStatus: Bool = false, base: [ManagedFieldsEntry]? = nil
    ) -> [ManagedFieldsEntry] {
        var entries = base ?? ManagedFieldsEntry.decodeAll(old)
        var (changed, removed) = FieldSet.changes(from: old, to: new)
        if separateStatus {
            // Reset fields: a main-resource write never owns status, a status write owns only status.
            if subresource == "status" {
                changed.children = changed.children.filter { $0.key == "f:status" }
            } else {
                changed.children["f:status"] = nil
            }
        }
        if changed.isEmpty && removed.isEmpty {
            return base == nil ? entries : ManagedFieldsEntry.sorted(entries.filter { !$0.fields.isEmpty })
        }
        for index in entries.indices {
            for path in changed.memberPaths
            where
                !(entries[index].manager == manager && entries[index].operation == "Update"
                && entries[index].subresource == subresource)
            {
                entries[index].fields.remove(path)
            }
            for path in removed.memberPaths { entries[index].fields.remove(path) }
        }
        if let index = entries.firstIndex(where: {
            $0.manager == manager && $0.operation == "Update" && $0.subresource == subresource
        }) {
            entries[index].fields = entries[index].fields.union(changed)
            entries[index].time = time
            entries[index].apiVersion = apiVersion
        } else if !changed.isEmpty {
            entries.append(
                ManagedFieldsEntry(
                    manager: manager, operation: "Update", apiVersion: apiVersion, time: time, fields: changed,
                    subresource: subresource))
        }
        return ManagedFieldsEntry.sorted(entries.filter { !$0.fields.isEmpty })
    }

    /// Server-side apply: merges `config` into `live`, returning the new object and its managers,
    /// or the conflicts with other managers when `force` is off.
    static func apply(
        live: JSONObject, config: JSONObject, manager: String, apiVersion: String, subresource: String,
        force: Bool, time: String, includeStatus: Bool, includeSpec: Bool
    ) -> Result<(object: JSONObject, entries: [ManagedFieldsEntry]), ApplyConflictError> {
        var entries = ManagedFieldsEntry.decodeAll(live)
        let applied = FieldSet.applied(config, includeStatus: includeStatus, includeSpec: includeSpec)
        let mineIndex = entries.firstIndex {
            $0.manager == manager && $0.operation == "Apply" && $0.subresource == subresource
        }
        let previous = mineIndex.map { entries[$0].fields } ?? FieldSet()
        var conflicts: [ApplyConflict] = []
        var conflictPaths: [(Int, [String])] = []
        for path in applied.memberPaths {
            let newValue = value(at: path, in: config)
            let oldValue = value(at: path, in: live)
            if newValue == oldValue { continue }
            for index in entries.indices where index != mineIndex && entries[index].fields.contains(path) {
                conflicts.append(ApplyConflict(manager: entries[index].conflictName, path: describe(path)))
                conflictPaths.append((index, path))
            }
        }
        if !conflicts.isEmpty && !force {
            // kubectl's own server-side apply may take over what it applied client-side before.
            guard manager == ClientSideApplyInterop.kubectlManager,
                let allowed = ClientSideApplyInterop.allowedConflicts(live: live, apiVersion: apiVersion)
            else { return .failure(ApplyConflictError(conflicts: conflicts)) }
            let remaining = zip(conflicts, conflictPaths).filter { !allowed.contains($0.1.1) }.map(\.0)
            if !remaining.isEmpty { return .failure(ApplyConflictError(conflicts: remaining)) }
        }
        for (index, path) in conflictPaths { entries[index].fields.remove(path) }

        var filtered = config
        filtered["apiVersion"] = nil
        filtered["kind"] = nil
        if !includeStatus { filtered["status"] = nil }
        if !includeSpec {
            for key in filtered.keys where key != "metadata" && key != "status" { filtered[key] = nil }
        }
        if var metadata = filtered["metadata"]?.objectValue {
            for key in FieldSet.serverMetadata { metadata[key] = nil }
            filtered["metadata"] = .object(metadata)
        }
        guard case .object(var result) = merge(.object(live), .object(filtered)) else {
            return .success((live, entries))
        }
        // Fields this manager applied before but no longer does are removed unless someone else
        // owns them. Deepest first: an object owned as a whole (`.`, as client-side apply's
        // fields are after the upgrade to server-side apply) goes only once nothing is left in it.
        let dropped = previous.memberPaths.filter { !applied.contains($0) }.sorted { $0.count > $1.count }
        for path in dropped {
            let ownedElsewhere = entries.indices.contains { $0 != mineIndex && entries[$0].fields.contains(path) }
            if ownedElsewhere { continue }
            if case .object(let rest)? = value(at: path, in: result), !rest.isEmpty { continue }
            removeValue(at: path, in: &result)
        }
        if manager == ClientSideApplyInterop.kubectlManager && subresource.isEmpty {
            ClientSideApplyInterop.refreshAnnotation(&result, config: config)
        }
        if let mineIndex {
            entries[mineIndex].fields = applied
            entries[mineIndex].time = time
            entries[mineIndex].apiVersion = apiVersion
        } else {
            entries.append(
                ManagedFieldsEntry(
                    manager: manager, operation: "Apply", apiVersion: apiVersion, time: time, fields: applied,
                    subresource: subresource))
        }
        return .success((result, ManagedFieldsEntry.sorted(entries.filter { !$0.fields.isEmpty })))
    }
}

/// Conflicts that stop an apply without `force`.
public struct ApplyConflictError: Error, Sendable, Equatable {
    public var conflicts: [ApplyConflict]

    /// The 409 `Status`, worded like the apiserver's `NewConflictError`.
    public var apiError: APIError {
        let message: String
        if conflicts.count == 1, let only = conflicts.first {
            message = "Apply failed with 1 conflict: conflict with \(only.manager): \(only.path)"
        } else {
            var byManager: [String: [String]] = [:]
            for c in conflicts { byManager[c.manager, default: []].append(c.path) }
            var lines: [String] = []
            for manager in byManager.keys.sorted() {
                lines.append("conflicts with \(manager):")
                for path in byManager[manager] ?? [] { lines.append("- \(path)") }
            }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        let causes = conflicts.map {
            StatusCause(type: "FieldManagerConflict", message: "conflict with \($0.manager)", field: $0.path)
        }
        return APIError(code: 409, reason: "Conflict", message: message, causes: causes)
    }
}

/// The interplay of server-side apply with kubectl's client-side apply, as kube-apiserver has it
/// (apimachinery's `lastAppliedManager`, `lastAppliedUpdater` and `decodeLiveOrNew`).
public enum ClientSideApplyInterop {
    public static let annotation = "kubectl.kubernetes.io/last-applied-configuration"
    /// Only kubectl's own server-side apply manager gets the leniency and the annotation
    /// upkeep; any other name opts out, as in kube-apiserver.
    public static let kubectlManager = "kubectl"
    /// apimachinery's `TotalAnnotationSizeLimitB`.
    static let annotationSizeLimit = 256 * 1024

    /// The managed fields an update starts from: those the request carries (so a client may
    /// rewrite them, as kubectl's client-side to server-side upgrade does), an empty list for
    /// `[]` or `[{}]` (a reset), and the live object's when the request has none, has entries
    /// the server cannot decode, or targets a subresource.
    static func updateBase(request: JSONObject, live: JSONObject, subresource: String) -> [ManagedFieldsEntry] {
        let liveEntries = ManagedFieldsEntry.decodeAll(live)
        guard subresource.isEmpty, case .array(let given)? = request["metadata"]?["managedFields"] else {
            return liveEntries
        }
        if given.isEmpty { return [] }
        if given.count == 1, given[0] == .object([:]) { return [] }
        var decoded: [ManagedFieldsEntry] = []
        for value in given {
            guard let entry = ManagedFieldsEntry(value), ["Apply", "Update"].contains(entry.operation),
                !entry.apiVersion.isEmpty, value["fieldsType"]?.stringValue == "FieldsV1"
            else { return liveEntries }
            decoded.append(entry)
        }
        return decoded
    }

    /// The conflicts kubectl's server-side apply may override because they are fields of the
    /// last-applied annotation whose values the live object still has: what kubectl applied
    /// client-side, now re-applied server-side. `nil` when there is no usable annotation.
    static func allowedConflicts(live: JSONObject, apiVersion: String) -> FieldSet? {
        guard let text = live["metadata"]?["annotations"]?[annotation]?.stringValue, !text.isEmpty,
            case .object(let lastApplied)? = try? JSONParser.parse(text),
            lastApplied["apiVersion"]?.stringValue == apiVersion
        else { return nil }
        var allowed = FieldSet()
        for path in FieldSet.applied(lastApplied, includeStatus: true).memberPaths {
            let before = FieldManagement.value(at: path, in: lastApplied)
            if before != nil && before == FieldManagement.value(at: path, in: live) { allowed.insert(path) }
        }
        return allowed
    }

    /// After an apply by `kubectl`, an existing annotation is rewritten to the applied
    /// configuration (without the annotation itself), compact JSON with sorted keys as Go's
    /// unstructured encoder writes it; it is dropped when it would not fit the size limit.
    static func refreshAnnotation(_ object: inout JSONObject, config: JSONObject) {
        guard var metadata = object["metadata"]?.objectValue,
            var annotations = metadata["annotations"]?.objectValue,
            let current = annotations[annotation]?.stringValue, !current.isEmpty
        else { return }
        var applied = config
        if var appliedMetadata = applied["metadata"]?.objectValue,
            var appliedAnnotations = appliedMetadata["annotations"]?.objectValue
        {
            appliedAnnotations[annotation] = nil
            appliedMetadata["annotations"] = .object(appliedAnnotations)
            applied["metadata"] = .object(appliedMetadata)
        }
        // Go's json.Encoder ends the text with a newline, as kubectl's own annotation does.
        annotations[annotation] = .string(GoJSONEncoder.compact.encode(.object(applied)) + "\n")
        let size = annotations.reduce(0) { $0 + $1.key.utf8.count + ($1.value.stringValue?.utf8.count ?? 0) }
        if size > annotationSizeLimit { annotations[annotation] = nil }
        metadata["annotations"] = .object(annotations)
        object["metadata"] = .object(metadata)
    }
}
