import DatumHTTP
import DatumJSON
import DatumKit

/// kubectl's upgrade of an object from client-side to server-side apply (client-go's
/// `csaupgrade`), made before datumctl applies it.
///
/// `kubectl apply` without `--server-side` records what it set under `Update` entries of
/// `metadata.managedFields` (manager `kubectl-client-side-apply`) and in the
/// `kubectl.kubernetes.io/last-applied-configuration` annotation. A server-side apply by another
/// manager would then conflict on every field it changes. kubectl's own server-side apply merges
/// those `Update` entries into its `Apply` entry with a JSON patch on `/metadata/managedFields`
/// that also replaces `/metadata/resourceVersion` (so a concurrent write makes it fail with 409
/// and it is recomputed), and re-applies. datumctl makes the same patch first and applies once:
/// the end state is the same, without the conflict kubectl would meet under another manager.
enum ClientSideApplyUpgrade {
    static let annotation = "kubectl.kubernetes.io/last-applied-configuration"
    /// The annotation in `fieldsV1` form; the client-side managers are the `Update` entries owning it.
    static let annotationPath = ["f:metadata", "f:annotations", "f:" + annotation]
    /// kubectl's default server-side apply manager, for which it keeps the annotation alive.
    static let kubectlManager = "kubectl"
    /// The manager kubectl applies the annotation alone with, so the server keeps it.
    static let lastAppliedManager = "kubectl-last-applied"
    /// kubectl's `maxPatchRetry`.
    static let maximumAttempts = 5

    // MARK: Managed fields (pure)

    /// The managers of `operation` entries that own the annotation (`csaupgrade.FindFieldsOwners`).
    static func owners(of path: [String], operation: String, in entries: [JSONValue]) -> [String] {
        var names: [String] = []
        for entry in entries where entry["operation"]?.stringValue == operation {
            guard let manager = entry["manager"]?.stringValue, FieldsV1(entry["fieldsV1"] ?? .null).contains(path)
            else { continue }
            if !names.contains(manager) { names.append(manager) }
        }
        return names
    }

    /// The managed fields after moving every client-side manager into `manager`'s `Apply` entry
    /// (`csaupgrade.UpgradeManagedFields`), or `nil` when there is nothing to move. Managers are
    /// taken in name order, so the result does not depend on a map's order as Go's does.
    static func upgraded(_ entries: [JSONValue], clientSideManagers: [String], manager: String) -> [JSONValue]? {
        var result = entries
        for name in clientSideManagers.sorted() {
            result = upgraded(result, clientSideManager: name, manager: manager)
        }
        return result == entries ? nil : result
    }

    private static func isEntry(_ entry: JSONValue, manager: String, operation: String) -> Bool {
        entry["manager"]?.stringValue == manager && entry["operation"]?.stringValue == operation
            && (entry["subresource"]?.stringValue ?? "").isEmpty
    }

    private static func upgraded(_ entries: [JSONValue], clientSideManager: String, manager: String) -> [JSONValue] {
        var entries = entries
        var target = entries.firstIndex { isEntry($0, manager: manager, operation: "Apply") }
        if target == nil {
            // No Apply entry yet: the first client-side entry becomes it.
            guard
                let first = entries.firstIndex(where: { isEntry($0, manager: clientSideManager, operation: "Update") })
            else { return entries }
            entries[first]["operation"] = "Apply"
            entries[first]["manager"] = .string(manager)
            target = first
        }
        guard let target else { return entries }
        // Only the client-side entry of the same apiVersion is merged; the others are dropped.
        let apiVersion = entries[target]["apiVersion"]
        var fields = FieldsV1(entries[target]["fieldsV1"] ?? .null)
        if let source = entries.firstIndex(where: {
            isEntry($0, manager: clientSideManager, operation: "Update") && $0["apiVersion"] == apiVersion
        }) {
            fields.formUnion(FieldsV1(entries[source]["fieldsV1"] ?? .null))
        }
        entries[target]["fieldsV1"] = fields.json
        return entries.filter { !isEntry($0, manager: clientSideManager, operation: "Update") }
    }

    /// The JSON patch kubectl sends: the managed fields, and the resourceVersion they were
    /// computed from (a `replace`, so the server answers 409 Conflict if it moved on).
    static func patch(managedFields: [JSONValue], resourceVersion: String) -> [UInt8] {
        let operations: JSONValue = [
            ["op": "replace", "path": "/metadata/managedFields", "value": .array(managedFields)],
            ["op": "replace", "path": "/metadata/resourceVersion", "value": .string(resourceVersion)],
        ]
        return GoJSONEncoder(sortKeys: false).encodeBytes(operations)
    }

    /// What an object needs before `manager` applies it, judged from the object the server holds.
    struct Plan: Equatable {
        /// Apply the annotation alone as `kubectl-last-applied` first (only under manager
        /// `kubectl`, whose annotation the server keeps up to date).
        var saveAnnotation: Bool
        /// The client-side managers to merge into `manager`'s Apply entry.
        var clientSideManagers: [String]
    }

    /// `nil` when the object has no client-side managed fields to upgrade.
    static func plan(for object: JSONValue, manager: String) -> Plan? {
        let entries = object["metadata"]?["managedFields"]?.arrayValue ?? []
        let clientSide = owners(of: annotationPath, operation: "Update", in: entries)
        guard !clientSide.isEmpty, upgraded(entries, clientSideManagers: clientSide, manager: manager) != nil else {
            return nil
        }
        let hasAnnotation = object["metadata"]?["annotations"]?[annotation]?.stringValue != nil
        let save =
            manager == kubectlManager && hasAnnotation
            && owners(of: annotationPath, operation: "Apply", in: entries).isEmpty
        return Plan(saveAnnotation: save, clientSideManagers: clientSide)
    }

    /// The apply configuration holding just the annotation (kubectl's `justAnnotation`).
    static func annotationOnly(_ object: JSONValue) -> JSONValue? {
        guard let value = object["metadata"]?["annotations"]?[annotation]?.stringValue else { return nil }
        var metadata = JSONObject()
        metadata["name"] = object["metadata"]?["name"] ?? ""
        if let namespace = object["metadata"]?["namespace"]?.stringValue, !namespace.isEmpty {
            metadata["namespace"] = .string(namespace)
        }
        metadata["annotations"] = .object([annotation: .string(value)])
        var config = JSONObject()
        config["apiVersion"] = object["apiVersion"] ?? ""
        config["kind"] = object["kind"] ?? ""
        config["metadata"] = .object(metadata)
        return .object(config)
    }

    // MARK: Requests

    /// kubectl's words when a step fails; the apply goes ahead and the upgrade is retried next time.
    static func annotationWarning(_ error: String) -> String {
        "failed to migrate \(annotation) for Server-Side Apply. This is non-fatal and will be retried next time "
            + "you apply. Error: \(error)"
    }

    static func patchWarning(_ error: String) -> String {
        "server rejected managed fields migration to Server-Side Apply. This is non-fatal and will be retried "
            + "next time you apply. Error: \(error)"
    }

    /// One object to upgrade: where it is, and the object as last read or written.
    struct Pending {
        var index: Int
        var path: String
        var object: JSONValue
        var plan: Plan
    }

    /// Upgrades the objects on the server, each step sent for all of them concurrently over the
    /// pool (taking over a directory that kubectl applied means many objects). Returns each
    /// upgraded object by its index: the state the apply's outcome is judged against. A failure
    /// is reported through `warn`, in kubectl's words, and leaves that object as it was.
    static func run(
        _ objects: [Pending], manager: String, client: ProjectClient, querySuffix: String, concurrency: Int,
        warn: (String) -> Void
    ) -> [Int: JSONValue] {
        var done: [Int: JSONValue] = [:]
        var pending: [Pending] = []
        // kubectl's saveLastApplyAnnotationIfNecessary, for its own manager only.
        let saving = objects.filter { $0.plan.saveAnnotation && annotationOnly($0.object) != nil }
        let saveQuery = String(
            client.scope.url("", query: [("fieldManager", lastAppliedManager)]).dropFirst(client.scope.baseURL.count))
        let saveRequests = saving.map { entry in
            client.request(
                "PATCH", client.scope.baseURL + entry.path + saveQuery, contentType: "application/apply-patch+yaml",
                body: GoJSONEncoder(sortKeys: false).encodeBytes(annotationOnly(entry.object) ?? .null),
                idempotent: true)
        }
        let saved = client.sendAll(saveRequests, concurrency: concurrency)
        var savedByIndex: [Int: Result<JSONValue, CLIError>] = [:]
        for (entry, answer) in zip(saving, saved) { savedByIndex[entry.index] = object(from: answer) }
        for var entry in objects {
            switch savedByIndex[entry.index] {
            case .success(let object)?: entry.object = object
            case .failure(let error)?:
                warn(annotationWarning(error.message))
                continue
            case nil: break
            }
            pending.append(entry)
        }
        // The JSON patch, recomputed from a fresh read after each 409 (kubectl's maxPatchRetry).
        for attempt in 1...maximumAttempts where !pending.isEmpty {
            var patches: [(Pending, [UInt8])] = []
            for entry in pending {
                let entries = entry.object["metadata"]?["managedFields"]?.arrayValue ?? []
                guard
                    let fields = upgraded(entries, clientSideManagers: entry.plan.clientSideManagers, manager: manager)
                else {
                    done[entry.index] = entry.object
                    continue
                }
                let version = entry.object["metadata"]?["resourceVersion"]?.stringValue ?? ""
                patches.append((entry, patch(managedFields: fields, resourceVersion: version)))
            }
            let answers = client.sendAll(
                patches.map { entry, body in
                    client.request(
                        "PATCH", client.scope.baseURL + entry.path + querySuffix,
                        contentType: "application/json-patch+json", body: body)
                }, concurrency: concurrency)
            var conflicted: [Pending] = []
            for ((entry, _), answer) in zip(patches, answers) {
                if case .success(let response) = answer, response.status == 409, attempt < maximumAttempts {
                    conflicted.append(entry)
                    continue
                }
                switch object(from: answer) {
                case .success(let object): done[entry.index] = object
                case .failure(let error): warn(patchWarning(error.message))
                }
            }
            // Someone wrote in between: read those objects again.
            let reads = client.sendAll(
                conflicted.map { client.request("GET", client.scope.baseURL + $0.path) }, concurrency: concurrency)
            pending = []
            for (var entry, answer) in zip(conflicted, reads) {
                switch object(from: answer) {
                case .success(let fresh):
                    guard let next = plan(for: fresh, manager: manager) else {
                        done[entry.index] = fresh
                        continue
                    }
                    entry.object = fresh
                    entry.plan.clientSideManagers = next.clientSideManagers
                    pending.append(entry)
                case .failure(let error):
                    warn(patchWarning(error.message))
                }
            }
        }
        return done
    }

    /// The object a successful answer carries, or the error (kubectl's text for API errors).
    private static func object(from answer: Result<HTTPResponse, CLIError>) -> Result<JSONValue, CLIError> {
        switch answer {
        case .failure(let error): return .failure(error)
        case .success(let response):
            guard (200..<300).contains(response.status) else { return .failure(APIError(response: response).cliError) }
            guard let value = try? JSONParser.parse(response.body), value.objectValue != nil else {
                return .failure(CLIError(.server, "the server sent an invalid JSON response", code: response.status))
            }
            return .success(value)
        }
    }
}

/// A `fieldsV1` set as a tree: whether the node itself is owned (`.`, or an empty `{}`
/// leaf), and its children by encoded key (`f:name`, `k:{...}`, `v:...`, `i:N`).
struct FieldsV1: Equatable {
    var isMember: Bool
    var children: [String: FieldsV1]

    init(_ value: JSONValue, root: Bool = true) {
        let object = value.objectValue ?? [:]
        isMember = !root && (object.isEmpty || object["."] != nil)
        var children: [String: FieldsV1] = [:]
        for (key, child) in object where key != "." { children[key] = FieldsV1(child, root: false) }
        self.children = children
    }

    func contains(_ path: [String]) -> Bool {
        guard let first = path.first else { return isMember }
        return children[first]?.contains(Array(path.dropFirst())) ?? false
    }

    mutating func formUnion(_ other: FieldsV1) {
        isMember = isMember || other.isMember
        for (key, child) in other.children {
            if var mine = children[key] {
                mine.formUnion(child)
                children[key] = mine
            } else {
                children[key] = child
            }
        }
    }

    /// `{}` for a leaf, `.` first for an owned inner node, then the children in key order.
    var json: JSONValue {
        var object = JSONObject()
        if isMember && !children.isEmpty { object["."] = .object([:]) }
        for key in children.keys.sorted() {
            if let child = children[key] { object[key] = child.json }
        }
        return .object(object)
    }
}
