import DatumJSON
import GoCompat

/// ObjectMeta checks as kube-apiserver applies them to custom resources
/// (`ValidateObjectMetaAccessor` with `NameIsDNSSubdomain`).
public enum ObjectMetaValidation {
    /// ObjectMeta's JSON fields; anything else under `metadata` is an unknown field.
    public static let knownFields: [String] = [
        "annotations", "creationTimestamp", "deletionGracePeriodSeconds", "deletionTimestamp", "finalizers",
        "generateName", "generation", "labels", "managedFields", "name", "namespace", "ownerReferences",
        "resourceVersion", "selfLink", "uid",
    ]

    /// `256 * (1 << 10)`, the annotation size limit.
    public static let totalAnnotationSizeLimit = 256 * 1024

    /// The expected JSON type of each ObjectMeta field, for decode checks.
    static let fieldTypes: [String: String] = [
        "annotations": "object", "creationTimestamp": "string", "deletionGracePeriodSeconds": "integer",
        "deletionTimestamp": "string", "finalizers": "array", "generateName": "string", "generation": "integer",
        "labels": "object", "managedFields": "array", "name": "string", "namespace": "string",
        "ownerReferences": "array", "resourceVersion": "string", "selfLink": "string", "uid": "string",
    ]

    /// A typed view of the ObjectMeta fields validation needs.
    struct Fields {
        var name = ""
        var generateName = ""
        var namespace = ""
        var uid = ""
        var generation: Int64 = 0
        var labels: [(String, String)] = []
        var annotations: [(String, String)] = []
        var finalizers: [String] = []
        var ownerReferences: [JSONObject] = []
        var hasDeletionTimestamp = false

        init(_ metadata: JSONValue?) {
            guard case .object(let o)? = metadata else { return }
            name = o["name"]?.stringValue ?? ""
            generateName = o["generateName"]?.stringValue ?? ""
            namespace = o["namespace"]?.stringValue ?? ""
            uid = o["uid"]?.stringValue ?? ""
            generation = o["generation"]?.intValue ?? 0
            if case .object(let l)? = o["labels"] {
                labels = l.compactMap { key, value in value.stringValue.map { (key, $0) } }
            }
            if case .object(let a)? = o["annotations"] {
                annotations = a.compactMap { key, value in value.stringValue.map { (key, $0) } }
            }
            if case .array(let f)? = o["finalizers"] { finalizers = f.compactMap(\.stringValue) }
            if case .array(let refs)? = o["ownerReferences"] { ownerReferences = refs.compactMap(\.objectValue) }
            hasDeletionTimestamp = o["deletionTimestamp"].map { !$0.isNull } ?? false
        }
    }

    static let knownFieldSet = Set(knownFields)

    /// Whether a metadata field has the JSON type ObjectMeta needs.
    private static func isWellTyped(_ key: String, _ value: JSONValue) -> Bool {
        guard let expected = fieldTypes[key], !value.isNull else { return true }
        switch value {
        case .object(let map) where expected == "object":
            // labels and annotations are map[string]string.
            return map.allSatisfy { $0.value.stringValue != nil }
        case .array(let items) where key == "finalizers":
            return items.allSatisfy { $0.stringValue != nil }
        default:
            return value.typeName == expected
        }
    }

    /// Problems that make the API server reject `metadata` while decoding
    /// (HTTP 400, before validation): fields of the wrong JSON type.
    static func decodeProblems(_ metadata: JSONObject) -> [String] {
        metadata.compactMap { key, value in
            guard !isWellTyped(key, value) else { return nil }
            let expected = key == "labels" || key == "annotations" ? "map of strings" : fieldTypes[key] ?? ""
            return "metadata.\(key): expected \(expected), got \(value.typeName)"
        }
    }

    /// Drops malformed fields so validation can go on, as the server's lenient decoder does.
    static func dropMalformed(_ metadata: inout JSONObject) {
        for (key, value) in metadata where !isWellTyped(key, value) { metadata[key] = nil }
    }

    /// Validation on create (and on update without the stored object).
    ///
    /// A missing `name` with a `generateName` is accepted here: the server
    /// generates the name (prefix + 5 random characters) before validating,
    /// and the random part cannot make a valid prefix invalid.
    public static func validate(_ metadata: JSONValue?, namespaced: Bool) -> [FieldError] {
        let meta = Fields(metadata)
        let path = FieldPath("metadata")
        var errors: [FieldError] = []
        if !meta.generateName.isEmpty {
            for message in NameValidation.nameIsDNSSubdomain(meta.generateName, prefix: true) {
                errors.append(.invalid(path.child("generateName"), .string(meta.generateName), message))
            }
        }
        if meta.name.isEmpty {
            if meta.generateName.isEmpty {
                errors.append(.required(path.child("name"), "name or generateName is required"))
            }
        } else {
            for message in NameValidation.nameIsDNSSubdomain(meta.name, prefix: false) {
                errors.append(.invalid(path.child("name"), .string(meta.name), message))
            }
        }
        errors += validateCommon(meta, namespaced: namespaced)
        return errors
    }

    /// Validation on update and status update (`ValidateObjectMetaAccessorUpdate`),
    /// given the stored object's metadata: identity fields are immutable and
    /// the generation may not go down.
    public static func validateUpdate(_ metadata: JSONValue?, old: JSONValue?) -> [FieldError] {
        let meta = Fields(metadata)
        let previous = Fields(old)
        let path = FieldPath("metadata")
        var errors: [FieldError] = []
        if previous.hasDeletionTimestamp {
            let added = Set(meta.finalizers).subtracting(previous.finalizers).sorted {
                $0.utf8.lexicographicallyPrecedes($1.utf8)
            }
            if !added.isEmpty {
                let list = "[]string{" + added.map(GoFormat.quote).joined(separator: ", ") + "}"
                errors.append(
                    .forbidden(
                        path.child("finalizers"),
                        "no new finalizers can be added if the object is being deleted, found new finalizers \(list)"))
            }
        }
        if meta.generation < previous.generation {
            errors.append(.invalid(path.child("generation"), .int(meta.generation), "must not be decremented"))
        }
        let immutable: [(String, String, String)] = [
            ("name", meta.name, previous.name), ("namespace", meta.namespace, previous.namespace),
            ("uid", meta.uid, previous.uid),
        ]
        for (field, new, old) in immutable where !new.utf8.elementsEqual(old.utf8) {
            errors.append(.invalid(path.child(field), .string(new), "field is immutable"))
        }
        errors += validateLabels(meta, path)
        errors += validateAnnotations(meta, path)
        errors += validateOwnerReferences(meta, path)
        errors += validateFinalizers(meta, path)
        return errors
    }

    private static func validateCommon(_ meta: Fields, namespaced: Bool) -> [FieldError] {
        let path = FieldPath("metadata")
        var errors: [FieldError] = []
        if namespaced {
            if meta.namespace.isEmpty {
                errors.append(.required(path.child("namespace")))
            } else {
                for message in NameValidation.nameIsDNSLabel(meta.namespace, prefix: false) {
                    errors.append(.invalid(path.child("namespace"), .string(meta.namespace), message))
                }
            }
        } else if !meta.namespace.isEmpty {
            errors.append(.forbidden(path.child("namespace"), "not allowed on this type"))
        }
        if meta.generation < 0 {
            errors.append(
                .invalid(path.child("generation"), .int(meta.generation), "must be greater than or equal to 0"))
        }
        errors += validateLabels(meta, path)
        errors += validateAnnotations(meta, path)
        errors += validateOwnerReferences(meta, path)
        errors += validateFinalizers(meta, path)
        return errors
    }

    private static func validateLabels(_ meta: Fields, _ path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let labelsPath = path.child("labels")
        for (key, value) in meta.labels {
            for message in NameValidation.isQualifiedName(key) {
                errors.append(.invalid(labelsPath, .string(key), message))
            }
            for message in NameValidation.isValidLabelValue(value) {
                errors.append(.invalid(labelsPath, .string(value), message))
            }
        }
        return errors
    }

    private static func validateAnnotations(_ meta: Fields, _ path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let annotationsPath = path.child("annotations")
        var totalSize = 0
        for (key, value) in meta.annotations {
            // Annotation keys are qualified names, compared case-insensitively.
            for message in NameValidation.isQualifiedName(key.lowercased()) {
                errors.append(.invalid(annotationsPath, .string(key), message))
            }
            totalSize += key.utf8.count + value.utf8.count
        }
        if totalSize > totalAnnotationSizeLimit {
            errors.append(.tooLong(annotationsPath, maxLength: totalAnnotationSizeLimit))
        }
        return errors
    }

    /// The per-reference checks; all use the list's path without an index, as upstream does.
    private static func validateOwnerReferences(_ meta: Fields, _ path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let refsPath = path.child("ownerReferences")
        for ref in meta.ownerReferences {
            let apiVersion = ref["apiVersion"]?.stringValue ?? ""
            let kind = ref["kind"]?.stringValue ?? ""
            if groupVersionVersion(apiVersion).isEmpty {
                errors.append(.invalid(refsPath.child("apiVersion"), .string(apiVersion), "version must not be empty"))
            }
            if kind.isEmpty {
                errors.append(.invalid(refsPath.child("kind"), .string(kind), "must not be empty"))
            }
            for field in ["name", "uid"] {
                let value = ref[field]?.stringValue ?? ""
                if value.isEmpty { errors.append(.invalid(refsPath.child(field), .string(value), "must not be empty")) }
            }
        }
        return errors
    }

    /// The version part of an apiVersion as `schema.ParseGroupVersion` reads it;
    /// empty when missing or malformed.
    private static func groupVersionVersion(_ apiVersion: String) -> String {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return String(parts[0])
        case 2: return String(parts[1])
        default: return ""
        }
    }

    private static func validateFinalizers(_ meta: Fields, _ path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let finalizersPath = path.child("finalizers")
        for finalizer in meta.finalizers {
            for message in NameValidation.isQualifiedName(finalizer) {
                errors.append(.invalid(finalizersPath, .string(finalizer), message))
            }
        }
        if meta.finalizers.contains("orphan") && meta.finalizers.contains("foregroundDeletion") {
            let rendered = "[]string{" + meta.finalizers.map(GoFormat.quote).joined(separator: ", ") + "}"
            errors.append(
                .invalid(
                    finalizersPath, .rendered(rendered), "finalizer orphan and foregroundDeletion cannot be both set"))
        }
        return errors
    }
}
