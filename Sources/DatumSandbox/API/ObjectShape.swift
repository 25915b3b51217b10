import DatumJSON

/// Key order and server-set defaults of stored objects, as kube-apiserver returns them.
enum ObjectShape {
    /// ObjectMeta's field order in Go's struct, which is the JSON order kube-apiserver writes.
    static let metadataOrder = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    ]

    /// Top-level keys sorted (what unstructured encoding gives) and metadata in struct order.
    static func canonical(_ object: JSONObject) -> JSONObject {
        var object = object
        // Reserve resourceVersion's slot; the store fills in the value when it commits.
        if var metadata = object["metadata"]?.objectValue, metadata["resourceVersion"] == nil {
            metadata["resourceVersion"] = ""
            object["metadata"] = .object(metadata)
        }
        var result = JSONObject()
        for key in object.sortedKeys {
            guard let value = object[key] else { continue }
            if key == "metadata", case .object(let metadata) = value {
                var ordered = JSONObject()
                for name in metadataOrder { if let v = metadata[name] { ordered[name] = v } }
                for (name, v) in metadata where ordered[name] == nil { ordered[name] = v }
                result[key] = .object(ordered)
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// Everything but the fields the server rewrites on every write, for no-op detection.
    static func comparable(_ object: JSONObject) -> JSONObject {
        var copy = object
        if var metadata = copy["metadata"]?.objectValue {
            metadata["resourceVersion"] = nil
            metadata["managedFields"] = nil
            copy["metadata"] = .object(metadata)
        }
        return copy
    }

    /// The object minus metadata and status: what `generation` tracks.
    static func specPart(_ object: JSONObject) -> JSONObject {
        var copy = object
        copy["metadata"] = nil
        copy["status"] = nil
        copy["apiVersion"] = nil
        copy["kind"] = nil
        return copy
    }

    /// Defaults the API server fills in for built-in kinds on create and update.
    static func applyDefaults(_ object: inout JSONObject, type: ResourceType, old: JSONObject?) {
        switch type.plural {
        case "services":
            var spec = object["spec"]?.objectValue ?? [:]
            if spec["type"] == nil { spec["type"] = "ClusterIP" }
            if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = "None" }
            let isHeadlessOrExternal = spec["type"]?.stringValue == "ExternalName"
            if !isHeadlessOrExternal {
                if spec["clusterIP"] == nil {
                    spec["clusterIP"] = old?["spec"]?["clusterIP"] ?? .string(allocateClusterIP(object))
                }
                if spec["clusterIPs"] == nil, let ip = spec["clusterIP"] { spec["clusterIPs"] = [ip] }
                if spec["ipFamilies"] == nil { spec["ipFamilies"] = ["IPv4"] }
                if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = "SingleStack" }
                if spec["internalTrafficPolicy"] == nil { spec["internalTrafficPolicy"] = "Cluster" }
            }
            if case .array(let ports) = spec["ports"] ?? .null {
                spec["ports"] = .array(
                    ports.map { port in
                        guard case .object(var p) = port else { return port }
                        if p["protocol"] == nil { p["protocol"] = "TCP" }
                        if p["targetPort"] == nil, let number = p["port"] { p["targetPort"] = number }
                        return .object(p)
                    })
            }
            object["spec"] = .object(spec)
            if object["status"] == nil { object["status"] = ["loadBalancer": .object([:])] }
        case "namespaces":
            if object["spec"] == nil { object["spec"] = ["finalizers": ["kubernetes"]] }
            if object["status"] == nil { object["status"] = ["phase": "Active"] }
        default:
            break
        }
    }

    /// A stable address in 10.96.0.0/12 derived from the object's uid.
    static func allocateClusterIP(_ object: JSONObject) -> String {
        var hash: UInt32 = 2_166_136_261
        for b in (object["metadata"]?["uid"]?.stringValue ?? "").utf8 {
            hash = (hash ^ UInt32(b)) &* 16_777_619
        }
        let offset = hash % (1 << 20 - 2) + 1
        return "10.\(96 + (offset >> 16) & 0x0F).\((offset >> 8) & 0xFF).\(offset & 0xFF)"
    }
}
