import DatumJSON
import DatumKit
import Dispatch
import NIOConcurrencyHelpers

/// Computes BackendTLSPolicy status as Datum's operators would (RULES.md §4–5), so `describe`
/// shows `Accepted` and `ResolvedRefs` conditions that follow policies, Services and ConfigMaps.
public final class StatusController: Sendable {
    public static let controllerName = "datum.net/datumctl-sandbox"
    public static let fieldManager = "datumctl-sandbox-controller"

    private let store: ObjectStore
    private let queue = DispatchQueue(label: "datumctl-sandbox.status-controller")
    /// What changed and is waiting for a pass; the lock owns it.
    private struct Pending {
        var dirty: [Scope: Work] = [:]
        var scheduled = false
        var stopped = false
        /// When the pending changes started to accumulate, and when the last one arrived.
        var firstPending = DispatchTime.now()
        var lastChange = DispatchTime.now()
    }

    private let pending = NIOLockedValueBox(Pending())
    /// A pass runs once no change has arrived for this long ...
    private let delayMilliseconds: Int
    /// ... or once changes have waited this long, whichever comes first. A burst of writes (a
    /// large apply) is thus reconciled in a few passes after it instead of competing with it,
    /// and status still follows within a second under continuous writes.
    private let maximumDelayMilliseconds: Int

    struct Scope: Hashable {
        var project: String
        var namespace: String
    }

    /// What changed in one namespace since the last pass.
    public struct Work: Sendable {
        public var everything: Bool
        public var policies: Set<String>
        /// Names of Services and ConfigMaps that changed; policies referring to them are recomputed.
        public var referents: Set<String>

        public init(everything: Bool = false, policies: Set<String> = [], referents: Set<String> = []) {
            self.everything = everything
            self.policies = policies
            self.referents = referents
        }
    }

    public init(store: ObjectStore, delayMilliseconds: Int = 20, maximumDelayMilliseconds: Int = 1_000) {
        self.store = store
        self.delayMilliseconds = delayMilliseconds
        self.maximumDelayMilliseconds = max(delayMilliseconds, maximumDelayMilliseconds)
    }

    /// Subscribes to commits and reconciles every existing namespace once.
    public func start() {
        let policyKey = ResourceCatalog.backendTLSPolicies.storageKey
        let referentKeys: Set<String> = [ResourceCatalog.services.storageKey, ResourceCatalog.configMaps.storageKey]
        store.addCommitListener { [weak self] project, changes in
            guard let self else { return }
            var work: [Scope: Work] = [:]
            for change in changes {
                let scope = Scope(project: project, namespace: change.namespace)
                if change.storageKey == policyKey {
                    work[scope, default: Work()].policies.insert(change.name)
                } else if referentKeys.contains(change.storageKey) {
                    work[scope, default: Work()].referents.insert(change.name)
                }
            }
            if !work.isEmpty { self.markDirty(work) }
        }
        var initial: [Scope: Work] = [:]
        for project in store.projectNames {
            let namespaces =
                (try? store.read(project: project) { tx in
                    tx.list(ResourceCatalog.namespaces, namespace: nil).map(\.name)
                }) ?? []
            for namespace in namespaces {
                initial[Scope(project: project, namespace: namespace)] = Work(everything: true)
            }
        }
        markDirty(initial)
    }

    public func stop() {
        pending.withLockedValue { $0.stopped = true }
    }

    private func markDirty(_ work: [Scope: Work]) {
        let schedule = pending.withLockedValue { state -> Bool in
            let now = DispatchTime.now()
            if state.dirty.isEmpty { state.firstPending = now }
            state.lastChange = now
            for (scope, item) in work {
                var merged = state.dirty[scope] ?? Work()
                merged.everything = merged.everything || item.everything
                merged.policies.formUnion(item.policies)
                merged.referents.formUnion(item.referents)
                state.dirty[scope] = merged
            }
            if state.scheduled || state.stopped || state.dirty.isEmpty { return false }
            state.scheduled = true
            return true
        }
        if schedule {
            queue.asyncAfter(deadline: .now() + .milliseconds(delayMilliseconds)) { [weak self] in self?.drain() }
        }
    }

    private func drain() {
        let delayMilliseconds = self.delayMilliseconds
        let maximumDelayMilliseconds = self.maximumDelayMilliseconds
        let work = pending.withLockedValue { state -> [Scope: Work]? in
            let now = DispatchTime.now().uptimeNanoseconds
            let quietFor = (now - min(now, state.lastChange.uptimeNanoseconds)) / 1_000_000
            let waitedFor = (now - min(now, state.firstPending.uptimeNanoseconds)) / 1_000_000
            if quietFor < delayMilliseconds && waitedFor < maximumDelayMilliseconds && !state.stopped {
                // Still busy: look again when the quiet period could have passed.
                let wait = min(delayMilliseconds - Int(quietFor), maximumDelayMilliseconds - Int(waitedFor))
                queue.asyncAfter(deadline: .now() + .milliseconds(max(1, wait))) { [weak self] in self?.drain() }
                return nil
            }
            let work = state.dirty
            state.dirty = [:]
            state.scheduled = false
            return work
        }
        guard let work else { return }
        for scope in work.keys.sorted(by: { ($0.project, $0.namespace) < ($1.project, $1.namespace) }) {
            reconcile(project: scope.project, namespace: scope.namespace, work: work[scope] ?? Work(everything: true))
        }
    }

    /// Recomputes the status of the policies `work` affects in one namespace and stores those that changed.
    public func reconcile(project: String, namespace: String, work: Work = Work(everything: true)) {
        let now = KubeTime.format(KubeTime.now())
        var work = work
        if !work.everything && work.referents.isEmpty {
            // Metadata-only writes (labels, annotations) leave status alone: skip them in O(1) each,
            // so a stream of such writes costs the controller nothing per object in the namespace.
            let pending =
                (try? store.read(project: project) { tx in
                    work.policies.filter { name in
                        guard let policy = tx.get(ResourceCatalog.backendTLSPolicies, namespace: namespace, name: name)
                        else {
                            return true
                        }
                        return !PolicyStatusComputer.isCurrent(policy.object)
                    }
                }) ?? work.policies
            if pending.isEmpty { return }
            work.policies = pending
        }
        let planned: [(name: String, version: Int64, object: JSONObject)]
        do {
            planned = try store.read(project: project) { tx in
                let policies = tx.list(ResourceCatalog.backendTLSPolicies, namespace: namespace)
                let world = World(
                    service: { tx.get(ResourceCatalog.services, namespace: namespace, name: $0)?.object },
                    configMap: { tx.get(ResourceCatalog.configMaps, namespace: namespace, name: $0)?.object },
                    policies: policies.map(\.object))
                // A policy's status depends on its own spec, its referents, and its peers on the same target.
                var selected = Set<String>()
                if !work.everything {
                    var touchedTargets = Set<String>()
                    for policy in policies {
                        let refs = PolicyStatusComputer.referencedNames(policy.object)
                        if work.policies.contains(policy.name) || !refs.isDisjoint(with: work.referents) {
                            selected.insert(policy.name)
                            touchedTargets.formUnion(PolicyStatusComputer.targetKeys(policy.object))
                        }
                    }
                    for name in work.policies {
                        // A deleted or changed policy may have held targets its peers now win.
                        if policies.first(where: { $0.name == name }) == nil {
                            touchedTargets.formUnion(world.allTargetKeys)
                        }
                    }
                    for policy in policies where !selected.contains(policy.name) {
                        if !PolicyStatusComputer.targetKeys(policy.object).isDisjoint(with: touchedTargets) {
                            selected.insert(policy.name)
                        }
                    }
                }
                return policies.compactMap { policy in
                    guard work.everything || selected.contains(policy.name) else { return nil }
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
        let entries = FieldManagement.recordUpdate(
            old: object, new: next, manager: StatusController.fieldManager,
            apiVersion: ResourceCatalog.backendTLSPolicies.apiVersion, subresource: "status", time: time,
            separateStatus: true)
        metadata["managedFields"] = .array(entries.map(\.json))
        next["metadata"] = .object(metadata)
        return next
    }

    /// The objects of one namespace that policy status depends on.
    struct World {
        var service: (String) -> JSONObject?
        var configMap: (String) -> JSONObject?
        /// Policies by target key (`group/kind/name/section`), oldest first, for conflict resolution.
        var peers: [String: [JSONObject]]

        init(
            service: @escaping (String) -> JSONObject?, configMap: @escaping (String) -> JSONObject?,
            policies: [JSONObject]
        ) {
            self.service = service
            self.configMap = configMap
            var peers: [String: [JSONObject]] = [:]
            for policy in policies {
                for key in PolicyStatusComputer.targetKeys(policy) { peers[key, default: []].append(policy) }
            }
            self.peers = peers
        }

        var allTargetKeys: Set<String> { Set(peers.keys) }
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

    /// Whether this controller's status entries were computed for the policy's current generation.
    static func isCurrent(_ policy: JSONObject) -> Bool {
        let generation = policy["metadata"]?["generation"]?.intValue ?? 1
        let mine = (policy["status"]?["ancestors"]?.arrayValue ?? []).filter {
            $0["controllerName"]?.stringValue == StatusController.controllerName
        }
        let targets = policy["spec"]?["targetRefs"]?.arrayValue?.count ?? 0
        guard mine.count == targets, targets > 0 else { return false }
        return mine.allSatisfy { ancestor in
            (ancestor["conditions"]?.arrayValue ?? []).allSatisfy { $0["observedGeneration"]?.intValue == generation }
        }
    }

    /// `group/kind/name/section` of one targetRef: refs with equal keys compete.
    static func targetKey(_ ref: JSONValue) -> String {
        [ref["group"], ref["kind"], ref["name"], ref["sectionName"]].map { $0?.stringValue ?? "" }.joined(
            separator: "/")
    }

    static func targetKeys(_ policy: JSONObject) -> Set<String> {
        Set((policy["spec"]?["targetRefs"]?.arrayValue ?? []).map(targetKey))
    }

    /// Names of the Services and ConfigMaps a policy refers to.
    static func referencedNames(_ policy: JSONObject) -> Set<String> {
        var names = Set<String>()
        for ref in policy["spec"]?["targetRefs"]?.arrayValue ?? [] {
            if let n = ref["name"]?.stringValue { names.insert(n) }
        }
        for ref in policy["spec"]?["validation"]?["caCertificateRefs"]?.arrayValue ?? [] {
            if let n = ref["name"]?.stringValue { names.insert(n) }
        }
        return names
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
                refProblem =
                    refProblem ?? (
                        "InvalidKind",
                        "Unsupported CA certificate reference kind \(group.isEmpty ? "" : group + "/")\(kind)"
                    )
                continue
            }
            guard let configMap = world.configMap(refName) else {
                refProblem = refProblem ?? ("InvalidCACertificateRef", "ConfigMap \"\(refName)\" not found")
                continue
            }
            guard let ca = configMap["data"]?["ca.crt"]?.stringValue, !ca.isEmpty else {
                refProblem =
                    refProblem ?? (
                        "InvalidCACertificateRef",
                        "ConfigMap \"\(refName)\" does not contain a non-empty \"ca.crt\" key"
                    )
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
                accepted = (
                    false, "TargetNotFound", "Target kind \(group.isEmpty ? "" : group + "/")\(kind) is not supported"
                )
            } else if let service = world.service(targetName) {
                if let section {
                    let names = (service["spec"]?["ports"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
                    if !names.contains(section) {
                        accepted = (
                            false, "TargetNotFound", "Service \"\(targetName)\" has no port named \"\(section)\""
                        )
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
                let winner = (world.peers[targetKey(target)] ?? []).first(where: { other in
                    (other["metadata"]?["name"]?.stringValue ?? "") != name && precedes(other, policy)
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
