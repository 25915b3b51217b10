import DatumJSON
import GoCompat

/// Which write is being validated; the API server validates each differently.
public enum ValidationMode: Sendable, Hashable {
    /// `POST`: `status` is dropped first (it is owned by the status subresource).
    case create
    /// `PUT`/`PATCH` of the main resource: `status` is ignored as on create.
    case update
    /// A write to the `/status` subresource: only `status` is validated (and metadata).
    case status
}

/// The outcome of validating one object.
public struct ValidationResult: Sendable {
    /// Field errors in the order kube-apiserver reports them.
    public var errors: [FieldError]
    /// Fields the schema does not know, e.g. `spec.foo` (schema fields sorted
    /// byte-wise, then unknown `metadata` fields). With
    /// `fieldValidation=Strict` the server rejects the request with these; with
    /// `Warn` it drops them and warns; with `Ignore` it drops them silently.
    public var unknownFields: [String]
    /// Metadata fields of the wrong JSON type; the server answers 400 while
    /// decoding such a request. They were dropped before validation.
    public var decodeErrors: [String]
    /// The object after decoding as the server would store it: unknown fields
    /// pruned, disallowed `null`s dropped, defaults applied, and `status`
    /// removed on create/update.
    public var object: JSONValue
    /// Whether CEL rules were skipped because of a blocking schema error.
    public var celSkipped: Bool

    public var isValid: Bool { errors.isEmpty && decodeErrors.isEmpty }

    /// `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`,
    /// or `nil` when there are no unknown fields.
    public var strictDecodingMessage: String? {
        guard !unknownFields.isEmpty else { return nil }
        return "strict decoding error: "
            + unknownFields.map { "unknown field \(GoFormat.quote($0))" }.joined(separator: ", ")
    }

    /// `unknown field "spec.foo"` per field, the warnings `fieldValidation=Warn` returns.
    public var unknownFieldWarnings: [String] { unknownFields.map { "unknown field \(GoFormat.quote($0))" } }
}

/// Validates custom resources the way kube-apiserver does for a CRD version.
///
/// The pipeline mirrors the server: decode (prune unknown fields, drop
/// non-nullable nulls, default), drop `status` on create/update, check
/// `apiVersion`/`kind`, validate ObjectMeta, run the OpenAPI schema checks,
/// check list-type uniqueness, then evaluate CEL rules — unless a *blocking*
/// error (Required, Unsupported, Too long, Too many, wrong type) was found,
/// in which case CEL is skipped and the server's notice is appended instead.
///
/// Not covered: `anyOf`/`oneOf`/`not` (accepted), formats other than `date`
/// and `date-time` (accepted), ratcheting of unchanged invalid fields on
/// update, and owner-reference checks beyond empty fields.
public struct SchemaValidator: Sendable {
    /// Knobs that come from the CRD rather than the schema.
    public struct Options: Sendable {
        /// Namespaced resources need `metadata.namespace`; cluster ones must not have it.
        public var namespaced: Bool
        /// Validate `metadata` with the ObjectMeta rules.
        public var validatesObjectMeta: Bool
        /// When set, `apiVersion` and `kind` must equal these (`ValidateTypeMeta`).
        public var apiVersion: String?
        public var kind: String?
        /// Whether the version has a status subresource (then `status` is
        /// dropped on create/update and `.status` writes validate only it).
        public var hasStatusSubresource: Bool
        public var rules: CELRuleRegistry

        public init(
            namespaced: Bool = true, validatesObjectMeta: Bool = true, apiVersion: String? = nil, kind: String? = nil,
            hasStatusSubresource: Bool = true, rules: CELRuleRegistry = .gatewayAPI
        ) {
            self.namespaced = namespaced
            self.validatesObjectMeta = validatesObjectMeta
            self.apiVersion = apiVersion
            self.kind = kind
            self.hasStatusSubresource = hasStatusSubresource
            self.rules = rules
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Options taken from a CRD: scope, `group/version`, kind, status subresource.
    public init(descriptor: CRDDescriptor, version: String, rules: CELRuleRegistry = .gatewayAPI) {
        self.options = Options(
            namespaced: descriptor.scope == .namespaced,
            apiVersion: descriptor.apiVersion(version),
            kind: descriptor.names.kind,
            hasStatusSubresource: descriptor.version(version)?.hasStatusSubresource ?? false,
            rules: rules)
    }

    /// Validates with default options (namespaced, status subresource, Gateway API rules).
    public static func validate(_ value: JSONValue, against schema: OpenAPISchema, mode: ValidationMode = .create)
        -> ValidationResult
    {
        SchemaValidator().validate(value, against: schema, mode: mode)
    }

    /// The error types that make the server skip CEL rules.
    static let blockingTypes: Set<FieldError.ErrorType> = [.notSupported, .required, .tooLong, .tooMany, .typeInvalid]

    /// The notice the server appends when CEL rules were skipped.
    public static let celSkippedError = FieldError.invalid(
        .root, .null,
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"
    )

    /// Validates `value` (a whole object) against the version's root schema.
    /// `old` is the stored object for updates; when given, immutable
    /// metadata is checked.
    public func validate(_ value: JSONValue, against schema: OpenAPISchema, mode: ValidationMode, old: JSONValue? = nil)
        -> ValidationResult
    {
        guard case .object = value else {
            let error = FieldError.typeInvalid(.root, .string(value.typeName), "the object must be a JSON object")
            return ValidationResult(
                errors: [error], unknownFields: [], decodeErrors: [], object: value, celSkipped: false)
        }

        // Decoding.
        var (object, unknownFields) = SchemaNormalization.decode(value, schema: schema)
        var decodeErrors: [String] = []
        if case .object(var root) = object, case .object(var metadata)? = root["metadata"] {
            let unknownMetadata = metadata.keys.filter { !ObjectMetaValidation.knownFieldSet.contains($0) }
            decodeErrors = ObjectMetaValidation.decodeProblems(metadata)
            if !unknownMetadata.isEmpty || !decodeErrors.isEmpty {
                for key in unknownMetadata {
                    unknownFields.append("metadata.\(key)")
                    metadata[key] = nil
                }
                ObjectMetaValidation.dropMalformed(&metadata)
                root["metadata"] = .object(metadata)
                object = .object(root)
            }
        }
        if mode != .status && options.hasStatusSubresource, case .object(var root) = object, root["status"] != nil {
            root["status"] = nil
            object = .object(root)
        }

        var errors: [FieldError] = []
        // ValidateTypeMeta returns alone when it fails.
        if let typeErrors = typeMetaErrors(object), !typeErrors.isEmpty {
            return ValidationResult(
                errors: typeErrors, unknownFields: unknownFields, decodeErrors: decodeErrors, object: object,
                celSkipped: false)
        }
        if options.validatesObjectMeta {
            switch (mode, old) {
            case (.create, _), (_, nil):
                errors += ObjectMetaValidation.validate(object["metadata"], namespaced: options.namespaced)
            case (.update, let old?), (.status, let old?):
                errors += ObjectMetaValidation.validateUpdate(object["metadata"], old: old["metadata"])
            }
        }

        if mode == .status && options.hasStatusSubresource {
            if let status = object["status"], let statusSchema = schema.property("status") {
                var checker = OpenAPIChecker(base: [.field("status")])
                checker.check(status, statusSchema)
                errors += checker.errors
            }
        } else {
            var checker = OpenAPIChecker()
            checker.check(object, schema)
            errors += checker.errors
        }
        errors += ListTypeValidation.validate(object, schema, path: .root)

        var celSkipped = false
        if schema.hasValidationRules {
            if errors.contains(where: { SchemaValidator.blockingTypes.contains($0.type) }) {
                errors.append(SchemaValidator.celSkippedError)
                celSkipped = true
            } else {
                var walker = CELWalker(registry: options.rules)
                if mode == .status {
                    // Spec rules are ratcheted on status writes (spec cannot change there).
                    if let status = object["status"], let statusSchema = schema.property("status") {
                        walker.walk(status, statusSchema, at: FieldPath("status"))
                    }
                } else {
                    walker.walk(object, schema, at: .root)
                }
                errors += walker.errors
            }
        }
        return ValidationResult(
            errors: errors, unknownFields: unknownFields, decodeErrors: decodeErrors, object: object,
            celSkipped: celSkipped)
    }

    private func typeMetaErrors(_ object: JSONValue) -> [FieldError]? {
        guard options.apiVersion != nil || options.kind != nil else { return nil }
        var errors: [FieldError] = []
        if let kind = options.kind {
            let actual = object["kind"]?.stringValue ?? ""
            if actual != kind { errors.append(.invalid(FieldPath("kind"), .string(actual), "must be \(kind)")) }
        }
        if let apiVersion = options.apiVersion {
            let actual = object["apiVersion"]?.stringValue ?? ""
            if actual != apiVersion {
                errors.append(.invalid(FieldPath("apiVersion"), .string(actual), "must be \(apiVersion)"))
            }
        }
        return errors
    }
}
