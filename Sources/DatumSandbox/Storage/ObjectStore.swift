import DatumJSON

/// An object as stored: the decoded value and its compact JSON, encoded once at write time.
public struct StoredObject: Sendable {
    public var object: JSONObject
    public var bytes: [UInt8]
    public var resourceVersion: Int64

    public var name: String { object["metadata"]?["name"]?.stringValue ?? "" }
    public var namespace: String { object["metadata"]?["namespace"]?.stringValue ?? "" }
}

/// One change, as a watch stream reports it.
public struct WatchEvent: Sendable {
    public enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    public var kind: Kind
    public var project: String
    public var storageKey: String
    public var object: StoredObject
}

/// What a watch wants to see: one project, one resource type, optionally one namespace.
public struct WatchFilter: Sendable {
    public var project: String
    public var storageKey: String
    public var namespace: String?
    public var name: String?
    public var labels: LabelSelector
    public var fields: FieldSelector?

    func matches(_ event: WatchEvent) -> Bool {
        guard event.project == project, event.storageKey == storageKey else { return false }
        if let namespace, event.object.namespace != namespace { return false }
        if let name, event.object.name != name { return false }
        if !labels.matches(event.object.object["metadata"]?["labels"]?.objectValue) { return false }
        if let fields, !fields.matches(event.object.object) { return false }
        return true
    }
}

/// A handle to cancel a watch registration.
public struct WatchToken: Sendable, Hashable {
    let id: Int
}

/// The mutable view of one project inside a write transaction.
///
/// Changes go to an overlay so the shared dictionaries are never copied per write.
public struct ProjectTransaction {
    let project: String
    fileprivate var base: [String: [String: StoredObject]]
    fileprivate var overlay: [String: [String: StoredObject?]] = [:]
    fileprivate var nextVersion: Int64
    fileprivate var changes: [(key: String, id: String, event: WatchEvent.Kind, object: StoredObject)] = []

    private func lookup(_ key: String, _ id: String) -> StoredObject? {
        if let pending = overlay[key]?[id] { return pending }
        return base[key]?[id]
    }

    public func get(_ type: ResourceType, namespace: String, name: String) -> StoredObject? {
        lookup(type.storageKey, ObjectStore.objectID(namespace: namespace, name: name))
    }

    /// Every object of a type, in etcd key order (namespace, then name).
    public func list(_ type: ResourceType, namespace: String?) -> [StoredObject] {
        guard let pending = overlay[type.storageKey], !pending.isEmpty else {
            return ObjectStore.sortedObjects(base[type.storageKey], namespace: namespace)
        }
        var merged = base[type.storageKey] ?? [:]
        for (id, object) in pending { merged[id] = object }
        return ObjectStore.sortedObjects(merged, namespace: namespace)
    }

    public func namespaceExists(_ namespace: String) -> Bool {
        lookup(ResourceCatalog.namespaces.storageKey, ObjectStore.objectID(namespace: "", name: namespace)) != nil
    }

    /// Stores `object` with a new resourceVersion and returns it as stored.
    @discardableResult
    public mutating func put(_ type: ResourceType, _ object: JSONObject, isCreate: Bool) -> StoredObject {
        nextVersion += 1
        let stored = Self.stamp(object, version: nextVersion)
        let id = ObjectStore.objectID(namespace: stored.namespace, name: stored.name)
        overlay[type.storageKey, default: [:]][id] = .some(stored)
        changes.append((type.storageKey, id, isCreate ? .added : .modified, stored))
        return stored
    }

    /// Removes an object; the returned copy carries the deletion's resourceVersion, as watch reports it.
    @discardableResult
    public mutating func delete(_ type: ResourceType, namespace: String, name: String) -> StoredObject? {
        let id = ObjectStore.objectID(namespace: namespace, name: name)
        guard let existing = lookup(type.storageKey, id) else { return nil }
        nextVersion += 1
        overlay[type.storageKey, default: [:]][id] = .some(nil)
        let stored = Self.stamp(existing.object, version: nextVersion)
        changes.append((type.storageKey, id, .deleted, stored))
        return stored
    }

    public var isEmpty: Bool { changes.isEmpty }

    /// `object` at resourceVersion `version`, with its stored (encoded) form.
    private static func stamp(_ object: JSONObject, version: Int64) -> StoredObject {
        var object = object
        var metadata = object["metadata"]?.objectValue ?? [:]
        metadata["resourceVersion"] = .string(String(version))
        object["metadata"] = .object(metadata)
        return StoredObject(
            object: object, bytes: GoJSONEncoder(sortKeys: false).encodeBytes(.object(object)), resourceVersion: version
        )
    }

    /// The store's resourceVersion as of this transaction (including its own writes).
    public var resourceVersion: Int64 { nextVersion }
}

/// What one committed change touched, for commit listeners.
public struct ChangeSummary: Sendable, Hashable {
    public var storageKey: String
    public var namespace: String
    public var name: String
}

/// All objects of every project: in memory for reads, persisted in SQLite for durability.
///
/// Every read and write takes one lock, and everything it guards (the database handle included)
/// lives inside it, so no access can bypass it. Writes commit to SQLite before the lock is
/// released, so a response is only sent for a write that is already in the WAL.
public final class ObjectStore: Sendable {
    /// The guarded state: only reachable through `state.withLock`.
    private struct State {
        let database: SQLiteDatabase
        var projects: [String: [String: [String: StoredObject]]] = [:]
        var resourceVersion: Int64 = 0
        /// Recent events for watch resumption, oldest first.
        var history: [WatchEvent] = []
        var watchers: [Int: (filter: WatchFilter, sink: @Sendable (WatchEvent) -> Void)] = [:]
        var nextWatcherID = 0
        var listeners: [@Sendable (String, [ChangeSummary]) -> Void] = []
    }

    private let state: Locked<State>
    private let historyLimit: Int

    public init(path: String, historyLimit: Int = 10_000) throws {
        var loaded = State(database: try SQLiteDatabase(path: path))
        self.historyLimit = historyLimit
        try loaded.database.execute(
            """
            CREATE TABLE IF NOT EXISTS objects(
              project TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL,
              rv INTEGER NOT NULL, body BLOB NOT NULL,
              PRIMARY KEY(project, resource, id)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """)
        try loaded.database.query("SELECT value FROM meta WHERE key = 'rv'") { row in
            loaded.resourceVersion = row.integer(0)
        }
        try loaded.database.query("SELECT project, resource, id, rv, body FROM objects") { row in
            let body = row.blob(4)
            guard case .object(let object) = try JSONParser.parse(body) else { return }
            let rv = row.integer(3)
            loaded.projects[row.text(0), default: [:]][row.text(1), default: [:]][row.text(2)] = StoredObject(
                object: object, bytes: body, resourceVersion: rv)
            loaded.resourceVersion = max(loaded.resourceVersion, rv)
        }
        state = Locked(loaded)
    }

    static func objectID(namespace: String, name: String) -> String { namespace + "/" + name }

    static func sortedObjects(_ objects: [String: StoredObject]?, namespace: String?) -> [StoredObject] {
        guard let objects else { return [] }
        let prefix = namespace.map { $0 + "/" }
        return objects.keys.sorted().compactMap { id in
            if let prefix, !id.hasPrefix(prefix) { return nil }
            return objects[id]
        }
    }

    /// The latest resourceVersion handed out (what a list reports).
    public var currentResourceVersion: Int64 { state.withLock { $0.resourceVersion } }

    /// Projects that hold any object, for the status controller's start-up pass.
    public var projectNames: [String] { state.withLock { $0.projects.keys.sorted() } }

    /// Called after each commit (outside the lock) with the project and what changed.
    public func addCommitListener(_ listener: @escaping @Sendable (String, [ChangeSummary]) -> Void) {
        state.withLock { $0.listeners.append(listener) }
    }

    /// Runs `body` against a consistent snapshot of one project.
    public func read<T>(project: String, _ body: (ProjectTransaction) throws(APIError) -> T) throws(APIError) -> T {
        let snapshot = state.withLock {
            ProjectTransaction(project: project, base: $0.projects[project] ?? [:], nextVersion: $0.resourceVersion)
        }
        return try body(snapshot)
    }

    /// Runs `body` with exclusive access to one project, then commits what it changed.
    ///
    /// When `body` throws, or `dryRun` is set, nothing is stored.
    @discardableResult
    public func write<T>(
        project: String, dryRun: Bool = false, _ body: (inout ProjectTransaction) throws(APIError) -> T
    ) throws(APIError) -> T {
        let historyLimit = self.historyLimit
        let (result, touched): (T, [ChangeSummary]) = try state.withLock {
            (state: inout State) throws(APIError) -> (T, [ChangeSummary]) in
            var transaction = ProjectTransaction(
                project: project, base: state.projects[project] ?? [:], nextVersion: state.resourceVersion)
            let result = try body(&transaction)
            if dryRun || transaction.isEmpty { return (result, []) }
            do {
                try Self.persist(project: project, transaction: transaction, to: state.database)
            } catch {
                throw APIError.internalError("storage: \(error)")
            }
            // Drop the transaction's reference first so the in-place updates below do not copy.
            transaction.base = [:]
            for (key, pending) in transaction.overlay {
                for (id, object) in pending {
                    state.projects[project, default: [:]][key, default: [:]][id] = object
                }
            }
            state.resourceVersion = transaction.nextVersion
            var touched: [ChangeSummary] = []
            for change in transaction.changes {
                let event = WatchEvent(
                    kind: change.event, project: project, storageKey: change.key, object: change.object)
                touched.append(
                    ChangeSummary(storageKey: change.key, namespace: change.object.namespace, name: change.object.name))
                state.history.append(event)
                for watcher in state.watchers.values where watcher.filter.matches(event) { watcher.sink(event) }
            }
            if state.history.count > historyLimit + historyLimit / 4 {
                state.history.removeFirst(state.history.count - historyLimit)
            }
            return (result, touched)
        }
        if !touched.isEmpty {
            let current = state.withLock { $0.listeners }
            for listener in current { listener(project, touched) }
        }
        return result
    }

    private static func persist(project: String, transaction: ProjectTransaction, to database: SQLiteDatabase) throws {
        // Prepared once and reused: transaction control runs on every write.
        try database.run("BEGIN IMMEDIATE")
        do {
            for change in transaction.changes {
                if change.event == .deleted {
                    try database.run(
                        "DELETE FROM objects WHERE project = ? AND resource = ? AND id = ?",
                        [.text(project), .text(change.key), .text(change.id)])
                } else {
                    try database.run(
                        "INSERT OR REPLACE INTO objects(project, resource, id, rv, body) VALUES(?, ?, ?, ?, ?)",
                        [
                            .text(project), .text(change.key), .text(change.id),
                            .integer(change.object.resourceVersion), .blob(change.object.bytes),
                        ])
                }
            }
            try database.run(
                "INSERT OR REPLACE INTO meta(key, value) VALUES('rv', ?)", [.integer(transaction.nextVersion)])
            try database.run("COMMIT")
        } catch {
            try? database.run("ROLLBACK")
            throw error
        }
    }

    /// Registers a watcher and returns the events it must see first, atomically with registration.
    ///
    /// `sinceVersion == nil` replays the current objects as ADDED (a watch without resourceVersion);
    /// otherwise history after that version is replayed, or 410 Gone when it is no longer kept.
    public func watch(
        _ filter: WatchFilter, sinceVersion: Int64?, sink: @escaping @Sendable (WatchEvent) -> Void
    ) throws(APIError) -> (token: WatchToken, initial: [WatchEvent]) {
        try state.withLock { (state: inout State) throws(APIError) -> (WatchToken, [WatchEvent]) in
            var initial: [WatchEvent] = []
            if let since = sinceVersion, since > 0 {
                if since < state.resourceVersion {
                    guard let oldest = state.history.first, oldest.object.resourceVersion <= since + 1 else {
                        throw APIError.gone("too old resource version: \(since) (\(state.resourceVersion))")
                    }
                }
                initial = state.history.filter { $0.object.resourceVersion > since && filter.matches($0) }
            } else {
                let objects = ObjectStore.sortedObjects(
                    state.projects[filter.project]?[filter.storageKey], namespace: filter.namespace)
                for object in objects {
                    let event = WatchEvent(
                        kind: .added, project: filter.project, storageKey: filter.storageKey, object: object)
                    if filter.matches(event) { initial.append(event) }
                }
            }
            state.nextWatcherID += 1
            state.watchers[state.nextWatcherID] = (filter, sink)
            return (WatchToken(id: state.nextWatcherID), initial)
        }
    }

    public func cancelWatch(_ token: WatchToken) {
        state.withLock { _ = $0.watchers.removeValue(forKey: token.id) }
    }

    public var watcherCount: Int { state.withLock { $0.watchers.count } }
}
