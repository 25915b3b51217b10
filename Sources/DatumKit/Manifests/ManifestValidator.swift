import DatumJSON
import DatumYAML
import GoCompat

/// What to do with fields the schema does not know (kubectl's `--validate`).
public enum FieldValidationMode: String, Sendable, CaseIterable {
    /// Unknown fields are errors (kubectl's default, `--validate=strict`).
    case strict
    /// Unknown fields are reported as warnings; the object is sent as written and the server,
    /// told `fieldValidation=Warn`, decides what to keep.
    case warn
    /// Unknown fields are not reported; the object is sent as written (`fieldValidation=Ignore`).
    case ignore
}

/// One problem found in a manifest, located in the user's file.
public struct ManifestIssue: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation
    /// The Kubernetes field path (`spec.validation.hostname`), or `<nil>` for object-level issues.
    public var field: String
    /// What is wrong, in the API server's words (`Invalid value: "": ... at least 1 chars long`).
    public var message: String

    public init(severity: Severity, location: SourceLocation, field: String, message: String) {
        self.severity = severity
        self.location = location
        self.field = field
        self.message = message
    }
}

/// The outcome of checking one manifest locally.
public struct ManifestValidation: Sendable {
    /// Whether the kind is one datumctl validates (others are passed to the server untouched).
    public var isValidated: Bool
    public var errors: [ManifestIssue]
    public var warnings: [ManifestIssue]
    /// The object to send: exactly as loaded (with the default namespace filled in). Fields are
    /// never dropped here: what the server does not know, the server drops, and says so.
    public var object: KubeObject

    public var isValid: Bool { errors.isEmpty }
}

/// Validates manifests before anything is sent: exactly the API server's checks for the
/// kinds datumctl models, plus lints for what the documentation forbids but the schema
/// allows. Every issue carries the field path and the `file:line:column` of its node.
public struct ManifestValidator: Sendable {
    /// The model a kind is validated with, nil for kinds passed to the server unchecked.
    public typealias SchemaLookup = @Sendable (GroupVersionKind) -> CRDModel?

    public var fieldValidation: FieldValidationMode
    /// The namespace objects without one will be created in.
    public var namespace: String
    /// The schemas compiled in (offline), or the connected server's.
    public var schemas: SchemaLookup

    public init(
        fieldValidation: FieldValidationMode = .strict, namespace: String = "default",
        schemas: @escaping SchemaLookup = { BuiltinSchemas.model(for: $0) }
    ) {
        self.fieldValidation = fieldValidation
        self.namespace = namespace
        self.schemas = schemas
    }

    public func validate(_ manifest: Manifest) -> ManifestValidation {
        guard let gvk = manifest.object.gvk, let model = schemas(gvk) else {
            return ManifestValidation(isValidated: false, errors: [], warnings: [], object: manifest.object)
        }
        var object = manifest.object
        if object.namespace == nil || object.namespace?.isEmpty == true { object.namespace = namespace }

        let result = model.validator.validate(object.value, against: model.schema, mode: .create)
        var errors: [ManifestIssue] = []
        var warnings: [ManifestIssue] = []

        for unknown in result.unknownFields {
            let path = YAMLPathComponent.parse(unknown)
            let issue = ManifestIssue(
                severity: fieldValidation == .strict ? .error : .warning,
                location: manifest.location(of: path, pointAtKey: true), field: unknown,
                message: "unknown field \(GoFormat.quote(unknown))")
            switch fieldValidation {
            case .strict: errors.append(issue)
            case .warn: warnings.append(issue)
            case .ignore: break
            }
        }
        for problem in result.decodeErrors {
            errors.append(
                ManifestIssue(
                    severity: .error, location: manifest.location(of: [.key("metadata")]), field: "metadata",
                    message: problem))
        }
        for error in result.errors {
            errors.append(
                ManifestIssue(
                    severity: .error, location: manifest.location(of: error.path.yamlPath), field: error.field,
                    message: error.body))
        }
        for lint in BackendTLSPolicyLints.check(object.value) {
            warnings.append(
                ManifestIssue(
                    severity: .warning, location: manifest.location(of: lint.path.yamlPath),
                    field: lint.path.description,
                    message: lint.message))
        }

        return ManifestValidation(isValidated: true, errors: errors, warnings: warnings, object: object)
    }
}

extension FieldPath {
    /// The same path as YAML path components, for finding the node it names.
    public var yamlPath: [YAMLPathComponent] {
        elements.map {
            switch $0 {
            case .field(let name): return .key(name)
            case .key(let key): return .key(key)
            case .index(let index): return .index(index)
            }
        }
    }
}
