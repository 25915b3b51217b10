import DatumJSON

/// A Gateway API `BackendTLSPolicy` (`gateway.networking.k8s.io/v1`): how a
/// Gateway connects to a backend over TLS.
///
/// Every field of the v1.6.1 CRD is modelled. String-typed enumerations stay
/// `String` so that invalid input decodes and can be reported by validation
/// rather than failing to decode.
public struct BackendTLSPolicy: Codable, Sendable, Hashable {
    public static let group = "gateway.networking.k8s.io"
    public static let version = "v1"
    public static let apiVersion = "gateway.networking.k8s.io/v1"
    public static let kind = "BackendTLSPolicy"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: BackendTLSPolicySpec
    public var status: PolicyStatus?

    public init(metadata: ObjectMeta, spec: BackendTLSPolicySpec, status: PolicyStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The desired state of a ``BackendTLSPolicy``.
public struct BackendTLSPolicySpec: Codable, Sendable, Hashable {
    public var targetRefs: [LocalPolicyTargetReferenceWithSectionName]
    public var validation: BackendTLSPolicyValidation
    /// Implementation-specific TLS options; keys should be domain-prefixed.
    public var options: [String: String]?

    public init(
        targetRefs: [LocalPolicyTargetReferenceWithSectionName], validation: BackendTLSPolicyValidation,
        options: [String: String]? = nil
    ) {
        self.targetRefs = targetRefs
        self.validation = validation
        self.options = options
    }
}

/// The object a direct policy attaches to, optionally narrowed to one section (a Service port name).
public struct LocalPolicyTargetReferenceWithSectionName: Codable, Sendable, Hashable {
    public var group: String
    public var kind: String
    public var name: String
    public var sectionName: String?

    public init(group: String, kind: String, name: String, sectionName: String? = nil) {
        self.group = group
        self.kind = kind
        self.name = name
        self.sectionName = sectionName
    }
}

/// How the backend's certificate is validated.
public struct BackendTLSPolicyValidation: Codable, Sendable, Hashable {
    public var caCertificateRefs: [LocalObjectReference]?
    /// `System`, or an implementation-specific `domain/name`.
    public var wellKnownCACertificates: String?
    /// The SNI and (without subjectAltNames) the name the certificate must match.
    public var hostname: String
    public var subjectAltNames: [SubjectAltName]?

    public init(
        caCertificateRefs: [LocalObjectReference]? = nil, wellKnownCACertificates: String? = nil, hostname: String,
        subjectAltNames: [SubjectAltName]? = nil
    ) {
        self.caCertificateRefs = caCertificateRefs
        self.wellKnownCACertificates = wellKnownCACertificates
        self.hostname = hostname
        self.subjectAltNames = subjectAltNames
    }
}

/// A reference to an object in the referrer's namespace (a CA ConfigMap).
public struct LocalObjectReference: Codable, Sendable, Hashable {
    public var group: String
    public var kind: String
    public var name: String

    public init(group: String, kind: String, name: String) {
        self.group = group
        self.kind = kind
        self.name = name
    }
}

/// A subject alternative name the backend certificate must carry.
public struct SubjectAltName: Codable, Sendable, Hashable {
    /// `Hostname` or `URI`.
    public var type: String
    public var hostname: String?
    public var uri: String?

    public init(type: String, hostname: String? = nil, uri: String? = nil) {
        self.type = type
        self.hostname = hostname
        self.uri = uri
    }
}

/// The shared Gateway API `PolicyStatus`.
public struct PolicyStatus: Codable, Sendable, Hashable {
    public var ancestors: [PolicyAncestorStatus]

    public init(ancestors: [PolicyAncestorStatus]) {
        self.ancestors = ancestors
    }
}

/// A policy's status with respect to one ancestor (usually a Gateway) and controller.
public struct PolicyAncestorStatus: Codable, Sendable, Hashable {
    public var ancestorRef: ParentReference
    public var controllerName: String
    public var conditions: [Condition]

    public init(ancestorRef: ParentReference, controllerName: String, conditions: [Condition]) {
        self.ancestorRef = ancestorRef
        self.controllerName = controllerName
        self.conditions = conditions
    }
}

/// A Gateway API `ParentReference` (group defaults to `gateway.networking.k8s.io`, kind to `Gateway`).
public struct ParentReference: Codable, Sendable, Hashable {
    public var group: String?
    public var kind: String?
    public var namespace: String?
    public var name: String
    public var sectionName: String?
    public var port: Int32?

    public init(
        group: String? = nil, kind: String? = nil, namespace: String? = nil, name: String, sectionName: String? = nil,
        port: Int32? = nil
    ) {
        self.group = group
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.sectionName = sectionName
        self.port = port
    }
}

/// `BackendTLSPolicyList`.
public struct BackendTLSPolicyList: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [BackendTLSPolicy]

    public init(metadata: ListMeta = ListMeta(), items: [BackendTLSPolicy]) {
        self.apiVersion = BackendTLSPolicy.apiVersion
        self.kind = "BackendTLSPolicyList"
        self.metadata = metadata
        self.items = items
    }
}

/// Condition types and reasons of Gateway API policies (`apis/v1` constants).
public enum PolicyConditions {
    public static let accepted = "Accepted"
    public static let resolvedRefs = "ResolvedRefs"

    public enum Reason {
        public static let accepted = "Accepted"
        public static let conflicted = "Conflicted"
        public static let invalid = "Invalid"
        public static let targetNotFound = "TargetNotFound"
        public static let noValidCACertificate = "NoValidCACertificate"
        public static let resolvedRefs = "ResolvedRefs"
        public static let invalidCACertificateRef = "InvalidCACertificateRef"
        public static let invalidKind = "InvalidKind"
    }
}
