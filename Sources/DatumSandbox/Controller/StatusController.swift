import DatumJSON
import Dispatch
import NIOConcurrencyHelpers

/// Computes BackendTLSPolicy status as Datum's operators would (RULES.md §4–5), so `describe`
/// shows `Accepted` and `ResolvedRefs` conditions that follow policies, Services and ConfigMaps.
public final class StatusController: @unchecked Sendable {
    public static let controllerName = "datum.net/datumctl-sandbox"
    public static let fieldManager = "datumctl-sandbox-controller"

    private let store: ObjectStore
    private let queue = DispatchQueue(label: "datumctl-sandbox.status-controller")
    private let lock = NIOLock()
    private var dirty: Set<Scope> = []
    private var scheduled = false
    private var stopped = false
    /// How long changes are collected before one reconcile pass.
    private let delayMilliseconds: Int

    struct Scope: Hashable {
        var project: String
        var namespace: String
    }

    private static let watchedKeys: Set<String> = [
        ResourceCatalog.backendTLSPolicies.storageKey, ResourceCatalog.services.storageKey,
        ResourceCatalog.configMaps.storageKey,
    ]

    public init(store: ObjectStore, delayMilliseconds: Int = 20) {
        self.store = store
        self.delayMilliseconds = delayMilliseconds
    }

    /// Subscribes to commits and reconciles every existing namespace once.
    public func start() {
        store.addCommitListener { [weak self] project, changes in
            guard let self else { return }
            let scopes = changes.filter { StatusController.watchedKeys.contains($0.storageKey) }.map {
                Scope(project: project, namespace: $0.namespace)
            }
            if !scopes.isEmpty { self.markDirty(scopes) }
        }
        var initial: [Scope] = []
        for project in store.projectNames {
            let namespaces = (try? store.read(project: project) { tx in
                tx.list(ResourceCatalog.namespaces, namespace: nil).map(\.name)
            }) ?? []
            initial += namespaces.map { Scope(project: project, namespace: $0) }
        }
        markDirty(initial)
    }

    public func stop() {
        lock.withLock { stopped = true }
    }

    private func markDirty(_ scopes: [Scope]) {
        let schedule = lock.withLock { () -> Bool in
            dirty.formUnion(scopes)
            if scheduled || stopped || dirty.isEmpty { return false }
            scheduled = true
            return true
        }
        if schedule {
            queue.asyncAfter(deadline: .now() + .milliseconds(delayMilliseconds)) { [weak self] in self?.drain() }
        }
    }

    private func drain() {
        let work = lock.withLock { () -> Set<Scope> in
            let work = dirty
            dirty = []
            scheduled = false
            return work
        }
        for scope in work.sorted(by: { ($0.project, $0.namespace) < ($1.project, $1.namespace) }) {
            reconcile(project: scope.project, namespace: scope.namespace)
        }
    }

    /// Recomputes every policy's status in one namespace and stores those that changed.
    public func reconcile(project: String, namespace: String) {
        let now = Timestamps.format(Timestamps.now())
        let planned: [(name: String, version: Int64, object: JSONObject)]
        do {
            planned = try store.read(project: project) { tx in
                let policies = tx.list(ResourceCatalog.backendTLSPolicies, namespace: namespace)
                let world = World(
                    services: Dictionary(
                        tx.list(ResourceCatalog.services, namespace: namespace).map { ($0.name, $0.object) },
                        uniquingKeysWith: { a, _ in a }),
                    configMaps: Dictionary(
                        tx.list(ResourceCatalog.configMaps, namespace: namespace).map { ($0.name, $0.object) },
                        uniquingKeysWith: { a, _ in a }),
                    policies: policies.map(\.object))
                return policies.compactMap { policy in
                    let status = PolicyStatusComputer.status(for: policy.object, in: world, now: now)
                    guard status != policy.object["status"] else { return nil }
                    return (policy.name, policy.resourceVersion, updated(policy.object, status: status, time: now))
                }
            }
        } catch {
            return
        }
        if planned.isEmpty { return }
        _ = try? store.write(project: project) { (tx: inout ProjectTransaction) throws(APIError) in
            for plan in planned {
                // Skip objects that changed since the read; their commit schedules another pass.
                guard let current = tx.get(ResourceCatalog.backendTLSPolicies, namespace: namespace, name: plan.name),
                    current.resourceVersion == plan.version
                else { continue }
                tx.put(ResourceCatalog.backendTLSPolicies, plan.object, isCreate: false)
            }
        }
    }

    private func updated(_ object: JSONObject, status: JSONValue, time: String) -> JSONObject {
        var next = object
        next["status"] = status
        var metadata = next["metadata"]?.objectValue ?? [:]
        var old = object
        if var m = old["metadata"]?.objectValue {
            m["resourceVersion"] = nil
            old["metadata"] = .object(m)
        }
        let entries = FieldManagement.recordUpdate(
            old: old, new: next, manager: StatusController.fieldManager,
            apiVersion: ResourceCatalog.backendTLSPolicies.apiVersion, subresource: "status", time: time)
        metadata["managedFields"] = .array(entries.map(\.json))
        next["metadata"] = .object(metadata)
        return ObjectShape.canonical(next)
    }

    /// The objects of one namespace that policy status depends on.
    struct World {
        var services: [String: JSONObject]
        var configMaps: [String: JSONObject]
        var policies: [JSONObject]
    }
}

/// The pure status computation, separated so it can be tested table-driven.
enum PolicyStatusComputer {
    static func condition(
        _ type: String, _ isTrue: Bool, reason: String, message: String, generation: Int64, now: String,
        previous: [JSONValue]
    ) -> JSONValue {
        let status = isTrue ? "True" : "False"
        var transition = now
        if let old = previous.first(where: { $0["type"]?.stringValue == type }),
            old["status"]?.stringValue == status, let time = old["lastTransitionTime"]?.stringValue
        {
            transition = time
        }
        return [
            "type": .string(type), "status": .string(status), "observedGeneration": .int(generation),
            "lastTransitionTime": .string(transition), "reason": .string(reason), "message": .string(message),
        ]
    }

    private static func sameTarget(_ a: JSONValue, _ b: JSONValue) -> Bool {
        func section(_ v: JSONValue) -> String { v["sectionName"]?.stringValue ?? "" }
        return a["group"] == b["group"] && a["kind"] == b["kind"] && a["name"] == b["name"] && section(a) == section(b)
    }

    /// Whether `other` takes precedence over `policy`: older first, then `{namespace}/{name}`.
    private static func precedes(_ other: JSONObject, _ policy: JSONObject) -> Bool {
        let a = other["metadata"]?["creationTimestamp"]?.stringValue ?? ""
        let b = policy["metadata"]?["creationTimestamp"]?.stringValue ?? ""
        if a != b { return a < b }
        func key(_ o: JSONObject) -> String {
            (o["metadata"]?["namespace"]?.stringValue ?? "") + "/" + (o["metadata"]?["name"]?.stringValue ?? "")
        }
        return key(other) < key(policy)
    }

    /// The `status` a policy should have, keeping other controllers' ancestor entries.
    static func status(for policy: JSONObject, in world: StatusController.World, now: String) -> JSONValue {
        let generation = policy["metadata"]?["generation"]?.intValue ?? 1
        let namespace = policy["metadata"]?["namespace"]?.stringValue ?? ""
        let name = policy["metadata"]?["name"]?.stringValue ?? ""
        let previousAncestors = policy["status"]?["ancestors"]?.arrayValue ?? []
        let others = previousAncestors.filter {
            $0["controllerName"]?.stringValue != StatusController.controllerName
        }
        let validation = policy["spec"]?["validation"]
        // References to CA certificates: resolved once, shared by every target.
        var refProblem: (reason: String, message: String)?
        var validRefs = 0
        let refs = validation?["caCertificateRefs"]?.arrayValue ?? []
        for ref in refs {
            let group = ref["group"]?.stringValue ?? ""
            let kind = ref["kind"]?.stringValue ?? ""
            let refName = ref["name"]?.stringValue ?? ""
            if group != "" || kind != "ConfigMap" {
                refProblem = refProblem ?? ("InvalidKind", "Unsupported CA certificate reference kind \(group.isEmpty ? "" : group + "/")\(kind)")
                continue
            }
            guard let configMap = world.configMaps[refName] else {
                refProblem = refProblem ?? ("InvalidCACertificateRef", "ConfigMap \"\(refName)\" not found")
                continue
            }
            guard let ca = configMap["data"]?["ca.crt"]?.stringValue, !ca.isEmpty else {
                refProblem = refProblem ?? ("InvalidCACertificateRef", "ConfigMap \"\(refName)\" does not contain a non-empty \"ca.crt\" key")
                continue
            }
            validRefs += 1
        }
        let wellKnown = validation?["wellKnownCACertificates"]?.stringValue ?? ""
        var ancestors: [JSONValue] = []
        for target in (policy["spec"]?["targetRefs"]?.arrayValue ?? []).prefix(16 - min(16, others.count)) {
            let previousConditions =
                previousAncestors.first {
                    $0["controllerName"]?.stringValue == StatusController.controllerName
                        && $0["ancestorRef"]?["name"] == target["name"]
                        && $0["ancestorRef"]?["sectionName"] == target["sectionName"]
                }?["conditions"]?.arrayValue ?? []
            let group = target["group"]?.stringValue ?? ""
            let kind = target["kind"]?.stringValue ?? ""
            let targetName = target["name"]?.stringValue ?? ""
            let section = target["sectionName"]?.stringValue
            var accepted: (Bool, String, String) = (true, "Accepted", "Policy has been accepted")
            if group != "" || kind != "Service" {
                accepted = (false, "TargetNotFound", "Target kind \(group.isEmpty ? "" : group + "/")\(kind) is not supported")
            } else if let service = world.services[targetName] {
                if let section {
                    let names = (service["spec"]?["ports"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
                    if !names.contains(section) {
                        accepted = (false, "TargetNotFound", "Service \"\(targetName)\" has no port named \"\(section)\"")
                    }
                }
            } else {
                accepted = (false, "TargetNotFound", "Service \"\(targetName)\" not found")
            }
            if accepted.0 && !wellKnown.isEmpty && wellKnown != "System" {
                accepted = (false, "Invalid", "wellKnownCACertificates \"\(wellKnown)\" is not supported")
            }
            if accepted.0 && !refs.isEmpty && validRefs == 0 {
                accepted = (false, "NoValidCACertificate", "All CA certificate references are invalid")
            }
            if accepted.0,
                let winner = world.policies.first(where: { other in
                    let otherName = other["metadata"]?["name"]?.stringValue ?? ""
                    guard otherName != name, precedes(other, policy) else { return false }
                    return (other["spec"]?["targetRefs"]?.arrayValue ?? []).contains { sameTarget($0, target) }
                })
            {
                let winnerName = winner["metadata"]?["name"]?.stringValue ?? ""
                accepted = (
                    false, "Conflicted",
                    "Conflicts with BackendTLSPolicy \(namespace)/\(winnerName), which takes precedence for Service \"\(targetName)\""
                )
            }
            let resolved: (Bool, String, String) =
                refProblem.map { (false, $0.reason, $0.message) } ?? (true, "ResolvedRefs", "All references resolved")
            var ancestorRef: JSONObject = [
                "group": .string(group), "kind": .string(kind), "namespace": .string(namespace),
                "name": .string(targetName),
            ]
            if let section { ancestorRef["sectionName"] = .string(section) }
            ancestors.append([
                "ancestorRef": .object(ancestorRef),
                "controllerName": .string(StatusController.controllerName),
                "conditions": [
                    condition(
                        "Accepted", accepted.0, reason: accepted.1, message: accepted.2, generation: generation,
                        now: now, previous: previousConditions),
                    condition(
                        "ResolvedRefs", resolved.0, reason: resolved.1, message: resolved.2, generation: generation,
                        now: now, previous: previousConditions),
                ],
            ])
        }
        return ["ancestors": .array(others + ancestors)]
    }
}
