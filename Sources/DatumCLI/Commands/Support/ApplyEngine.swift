import DatumHTTP
import DatumJSON
import DatumKit
import Dispatch

/// What the server held for an object before it was applied.
enum LiveObject: Sendable, Equatable {
    case absent
    case present(ServerObject)
    /// The read failed in a way that says nothing about the object (a 500, say).
    case unknown

    /// The object itself, parsed (diff prints it; apply compares it).
    var object: JSONValue? {
        if case .present(let copy) = self { return copy.parsed() }
        return nil
    }
}

/// How an apply changed an object, decided from the server's answers.
enum ApplyOutcome: String, Sendable {
    case created
    case configured
    case unchanged

    /// The outcome when the answer alone tells: `201 Created`; no object before; an unreadable
    /// one before; or, outside dry runs, an unchanged resourceVersion (the server wrote nothing).
    /// `nil` means the objects must be compared (``decide(before:applied:)``).
    static func decide(status: Int, live: LiveObject, appliedVersion: String?, dryRun: Bool) -> ApplyOutcome? {
        if status == 201 { return .created }
        switch live {
        case .absent: return .created
        case .unknown: return .configured
        case .present(let before):
            // A dry run's resourceVersion says nothing: servers may keep the old one.
            guard !dryRun, let appliedVersion, before.resourceVersion == appliedVersion else { return nil }
            return .unchanged
        }
    }

    /// The object returned is compared with the one read before: equal apart from what the
    /// server maintains on its own (`resourceVersion`, `managedFields`, `status`) means
    /// unchanged. Comparing content keeps a status update by a controller between the two
    /// requests from reading as a change.
    static func decide(before: JSONValue, applied: JSONValue) -> ApplyOutcome {
        comparable(before) == comparable(applied) ? .unchanged : .configured
    }

    static func comparable(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy["status"] = nil
        if var metadata = copy["metadata"]?.objectValue {
            metadata["resourceVersion"] = nil
            metadata["managedFields"] = nil
            copy["metadata"] = .object(metadata)
        }
        return copy
    }
}

/// One object's result: the state read before, and the server's answer to the apply.
struct ApplyResult: Sendable {
    var live: LiveObject
    var response: Result<HTTPResponse, CLIError>
}

/// Server-side apply of many objects over one connection pool.
///
/// The live objects are read first — one list per resource and namespace when many objects
/// share them, single GETs otherwise — and those reads double as a probe: if the server cannot
/// be reached, rejects the token or the project, nothing is written. Then every object is
/// applied concurrently (`PATCH` with `application/apply-patch+yaml`, safe to retry); objects
/// appearing more than once are applied in input order, one round per repetition.
struct ApplyEngine: Sendable {
    var client: ProjectClient
    var dryRun: Bool
    var concurrency: Int
    /// Above this many objects of one resource and namespace, one paginated list replaces the GETs.
    var listThreshold: Int = 16
    static let listPageSize = 500
    /// `?fieldManager=...`, the same for every object, escaped once.
    let querySuffix: String
    /// The same with `force=true`, for dry runs of objects still owned by client-side apply.
    let forcedQuerySuffix: String
    let fieldManager: String

    init(
        client: ProjectClient, fieldManager: String, force: Bool, dryRun: Bool,
        fieldValidation: FieldValidationMode, concurrency: Int
    ) {
        self.client = client
        self.dryRun = dryRun
        self.concurrency = concurrency
        self.fieldManager = fieldManager
        func suffix(force: Bool) -> String {
            var query: [(String, String)] = [("fieldManager", fieldManager)]
            if force { query.append(("force", "true")) }
            if dryRun { query.append(("dryRun", "All")) }
            query.append(("fieldValidation", Self.serverFieldValidation(fieldValidation)))
            return String(client.scope.url("", query: query).dropFirst(client.scope.baseURL.count))
        }
        querySuffix = suffix(force: force)
        forcedQuerySuffix = suffix(force: true)
    }

    /// The apply request for one object.
    func request(for item: ApplyItem, forced: Bool = false) -> HTTPRequest {
        let body = GoJSONEncoder(sortKeys: false).encodeBytes(item.object)
        return client.request(
            "PATCH", client.scope.baseURL + item.path + (forced ? forcedQuerySuffix : querySuffix),
            contentType: "application/apply-patch+yaml", body: body, idempotent: true)
    }

    /// The `fieldValidation` query value for a `--validate` mode.
    static func serverFieldValidation(_ mode: FieldValidationMode) -> String {
        switch mode {
        case .strict: return "Strict"
        case .warn: return "Warn"
        case .ignore: return "Ignore"
        }
    }

    /// Reads every object's live state. Throws when the server is unreachable, rejects the
    /// token (401), or refuses every read (403, as for a project the token does not grant):
    /// then no object could be applied either, and nothing has been written yet.
    func liveObjects(_ items: [ApplyItem]) throws(CLIError) -> [LiveObject] {
        var firstIndex: [String: Int] = [:]
        var groups: [String: [Int]] = [:]
        var groupOrder: [String] = []
        for (index, item) in items.enumerated() where firstIndex[item.key] == nil {
            firstIndex[item.key] = index
            let group = item.resource.qualifiedName + "/" + (item.namespace ?? "")
            if groups[group] == nil { groupOrder.append(group) }
            groups[group, default: []].append(index)
        }
        var live = [LiveObject](repeating: .unknown, count: items.count)
        var reads = 0
        var denied: [CLIError] = []
        var singles: [Int] = []
        for group in groupOrder {
            guard let members = groups[group], let first = members.first else { continue }
            guard members.count >= listThreshold else {
                singles += members
                continue
            }
            switch try list(items[first].resource, namespace: items[first].namespace) {
            case .objects(let byName):
                reads += 1
                for index in members { live[index] = byName[items[index].name].map { .present($0) } ?? .absent }
            case .failed:
                reads += 1
            case .forbidden:
                singles += members  // listing may be forbidden where reading one object is not
            }
        }
        if !singles.isEmpty {
            let requests = singles.map { client.request("GET", client.scope.baseURL + items[$0].path) }
            for (index, result) in zip(singles, client.sendAll(requests, concurrency: concurrency)) {
                let response = try result.get()
                reads += 1
                switch response.status {
                case 401: throw APIError(response: response).cliError
                case 403: denied.append(APIError(response: response).cliError)
                case 404: live[index] = .absent
                case 200..<300: live[index] = .present(ServerObject(bytes: response.body[...]))
                default: break
                }
            }
        }
        if let refusal = denied.first, denied.count == reads { throw refusal }
        // Repeated objects share the first occurrence's state.
        for (index, item) in items.enumerated() {
            if let first = firstIndex[item.key], first != index { live[index] = live[first] }
        }
        return live
    }

    /// Upgrades the objects kubectl's client-side apply managed to server-side apply under this
    /// engine's field manager (``ClientSideApplyUpgrade``), one after the other: it is rare, and
    /// at most a few requests each. Returns the live states the outcomes are judged against (the
    /// upgraded objects). Dry runs upgrade nothing, as nothing they send may change an object.
    func upgradeClientSideApplied(_ items: [ApplyItem], live: [LiveObject], warn: (String) -> Void) -> [LiveObject] {
        guard !dryRun else { return live }
        var pending: [ClientSideApplyUpgrade.Pending] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() where seen.insert(item.key).inserted {
            guard case .present(let copy) = live[index], Self.mayNeedUpgrade(copy), let object = copy.parsed(),
                let plan = ClientSideApplyUpgrade.plan(for: object, manager: fieldManager)
            else { continue }
            pending.append(.init(index: index, path: item.path, object: object, plan: plan))
        }
        guard !pending.isEmpty else { return live }
        let upgraded = ClientSideApplyUpgrade.run(
            pending, manager: fieldManager, client: client, querySuffix: querySuffix, concurrency: concurrency,
            warn: warn)
        var byKey: [String: LiveObject] = [:]
        for (index, object) in upgraded { byKey[items[index].key] = .present(ServerObject(object)) }
        // Repeated objects share the first occurrence's state.
        return items.indices.map { byKey[items[$0].key] ?? live[$0] }
    }

    /// A cheap first look: only objects whose managed fields mention the last-applied
    /// annotation are parsed and examined.
    static func mayNeedUpgrade(_ object: ServerObject) -> Bool {
        guard let fields = JSONScan.value(at: ["metadata", "managedFields"], in: object.bytes) else { return false }
        let needle = Array(("f:" + ClientSideApplyUpgrade.annotation).utf8)
        guard fields.count >= needle.count else { return false }
        var start = fields.startIndex
        while start + needle.count <= fields.endIndex {
            if fields[start] == needle[0], fields[start..<(start + needle.count)].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    private enum ListResult {
        case objects([String: ServerObject])
        case forbidden
        /// Any other failure: the objects' states are unknown, the apply goes ahead.
        case failed
    }

    /// Every object of a resource in a namespace by name, following pages. The items are only
    /// scanned for their names here; they are parsed if and when they must be compared.
    private func list(_ resource: APIResource, namespace: String?) throws(CLIError) -> ListResult {
        var byName: [String: ServerObject] = [:]
        var token = ""
        repeat {
            var query = [("limit", String(Self.listPageSize))]
            if !token.isEmpty { query.append(("continue", token)) }
            let url = client.scope.url(try resource.collectionPath(namespace: namespace), query: query)
            let response = try client.send(client.request("GET", url))
            if response.status == 401 { throw APIError(response: response).cliError }
            if response.status == 403 { return .forbidden }
            let page = response.body[...]
            guard (200..<300).contains(response.status), let items = JSONScan.value(at: ["items"], in: page),
                let elements = JSONScan.elements(of: items)
            else { return .failed }
            // Items of core lists carry no apiVersion and kind; they are compared with objects that do.
            let apiVersion = JSONScan.string(at: ["apiVersion"], in: page)
            var kind = JSONScan.string(at: ["kind"], in: page)
            if let listKind = kind, listKind.hasSuffix("List") { kind = String(listKind.dropLast(4)) }
            for element in elements {
                let object = ServerObject(bytes: element, fallbackAPIVersion: apiVersion, fallbackKind: kind)
                if let name = object.name { byName[name] = object }
            }
            token = JSONScan.string(at: ["metadata", "continue"], in: page) ?? ""
        } while !token.isEmpty
        return .objects(byName)
    }

    /// Applies every object; results in input order. `onEach` is called as each one finishes.
    func apply(_ items: [ApplyItem], live: [LiveObject], onEach: (@Sendable () -> Void)? = nil) -> [ApplyResult] {
        var results = [ApplyResult?](repeating: nil, count: items.count)
        var occurrence: [String: Int] = [:]
        var rounds: [[Int]] = []
        for (index, item) in items.enumerated() {
            let round = occurrence[item.key, default: 0]
            occurrence[item.key] = round + 1
            if rounds.count <= round { rounds.append([]) }
            rounds[round].append(index)
        }
        var appliedByKey: [String: ServerObject] = [:]
        for round in rounds {
            let requests = round.map { request(for: items[$0]) }
            var finished: (@Sendable (Int) -> Void)?
            if let onEach { finished = { _ in onEach() } }
            let responses = client.sendAll(requests, concurrency: concurrency, onEach: finished)
            for (index, response) in zip(round, responses) {
                let key = items[index].key
                // A repeated object is compared with what the previous round made of it (a dry
                // run changes nothing, so there it is compared with the live object again).
                var before = live[index]
                if !dryRun, let previous = appliedByKey[key] { before = .present(previous) }
                results[index] = ApplyResult(live: before, response: response)
                if case .success(let ok) = response, (200..<300).contains(ok.status), rounds.count > 1 {
                    appliedByKey[key] = ServerObject(bytes: ok.body[...])
                }
            }
        }
        let all = results.map { $0 ?? ApplyResult(live: .unknown, response: .failure(CLIError(.io, "not applied"))) }
        return dryRun ? redoClientSideConflicts(items, all) : all
    }

    /// A dry run cannot upgrade an object kubectl applied client-side (nothing it sends may
    /// change the object), so its apply meets the conflicts with kubectl's client-side manager
    /// that the real apply avoids. Those objects, when every conflict is with such a manager, are
    /// dry-run again with `force`: the fields applied take the values the real apply would give
    /// them. (The real apply also removes what the client-side manager owned and the manifest no
    /// longer sets, the annotation among them; the forced dry run keeps those.)
    func redoClientSideConflicts(_ items: [ApplyItem], _ results: [ApplyResult]) -> [ApplyResult] {
        var redo: [Int] = []
        for (index, result) in results.enumerated() {
            guard case .success(let response) = result.response, response.status == 409,
                case .present(let copy) = result.live, Self.mayNeedUpgrade(copy), let object = copy.parsed(),
                let plan = ClientSideApplyUpgrade.plan(for: object, manager: fieldManager)
            else { continue }
            let managers = Self.conflictingManagers(APIError(response: response))
            if !managers.isEmpty && managers.isSubset(of: plan.clientSideManagers) { redo.append(index) }
        }
        guard !redo.isEmpty else { return results }
        var updated = results
        let responses = client.sendAll(redo.map { request(for: items[$0], forced: true) }, concurrency: concurrency)
        for (index, response) in zip(redo, responses) { updated[index].response = response }
        return updated
    }

    /// The Go-quoted name after `conflict with ` (escapes included), unquoted.
    static func quotedManager(_ message: String) -> String? {
        let prefix = "conflict with "
        guard message.hasPrefix(prefix + "\"") else { return nil }
        let text = Array(message.utf8.dropFirst(prefix.utf8.count))
        var index = 1
        while index < text.count {
            if text[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if text[index] == UInt8(ascii: "\"") {
                return try? JSONParser.parse(Array(text[...index])).stringValue
            }
            index += 1
        }
        return nil
    }

    /// The managers a conflict names in its causes (`conflict with "kubectl-client-side-apply"
    /// using v1`); empty when any cause is not a field manager conflict.
    static func conflictingManagers(_ error: APIError) -> Set<String> {
        guard error.code == 409, let causes = error.status?["details"]?["causes"]?.arrayValue, !causes.isEmpty else {
            return []
        }
        var managers: Set<String> = []
        for cause in causes {
            guard cause["reason"]?.stringValue == "FieldManagerConflict",
                let message = cause["message"]?.stringValue, let name = quotedManager(message)
            else { return [] }
            managers.insert(name)
        }
        return managers
    }
}
