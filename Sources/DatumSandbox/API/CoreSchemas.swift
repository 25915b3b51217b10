import DatumJSON
import DatumKit

/// OpenAPI schemas for the built-in kinds the sandbox serves (ConfigMap, Service, Namespace, Event).
///
/// These cover the fields the sandbox and the conformance manifests use; unknown fields of
/// built-in kinds are accepted and kept (`x-kubernetes-preserve-unknown-fields` on open parts).
enum CoreSchemas {
    private static func string(_ description: String) -> JSONValue {
        ["description": .string(description), "type": "string"]
    }

    private static func typeMeta(_ properties: JSONObject, description: String, kind: String) -> JSONValue {
        var props: JSONObject = [
            "apiVersion": PublishedSchemas.apiVersionProperty, "kind": PublishedSchemas.kindProperty,
            "metadata": PublishedSchemas.objectMetaProperty,
        ]
        for (k, v) in properties { props[k] = v }
        return [
            "description": .string(description), "type": "object",
            "properties": .object(JSONObject(props.sortedEntries)),
            "x-kubernetes-group-version-kind": [
                PublishedSchemas.groupVersionKind(group: "", version: "v1", kind: kind)
            ],
        ]
    }

    static func schema(for type: ResourceType) -> JSONValue {
        switch type.plural {
        case "configmaps":
            return typeMeta(
                [
                    "binaryData": [
                        "description":
                            "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'.",
                        "type": "object", "additionalProperties": ["type": "string", "format": "byte"],
                    ],
                    "data": [
                        "description":
                            "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'.",
                        "type": "object", "additionalProperties": ["type": "string", "default": ""],
                    ],
                    "immutable": [
                        "description":
                            "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).",
                        "type": "boolean",
                    ],
                ], description: "ConfigMap holds configuration data for pods to consume.", kind: "ConfigMap")
        case "services":
            return typeMeta(
                [
                    "spec": [
                        "description": "Spec defines the behavior of a service.",
                        "allOf": [OpenAPIPublisher.ref("io.k8s.api.core.v1.ServiceSpec")], "default": .object([:]),
                    ],
                    "status": [
                        "description": "Most recently observed status of the service.", "type": "object",
                        "x-kubernetes-preserve-unknown-fields": true,
                    ],
                ],
                description:
                    "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
                kind: "Service")
        case "namespaces":
            return typeMeta(
                [
                    "spec": [
                        "description": "Spec defines the behavior of the Namespace.", "type": "object",
                        "properties": [
                            "finalizers": [
                                "description":
                                    "Finalizers is an opaque list of values that must be empty to permanently remove object from storage.",
                                "type": "array", "items": ["type": "string", "default": ""],
                                "x-kubernetes-list-type": "atomic",
                            ]
                        ],
                    ],
                    "status": [
                        "description": "Status describes the current status of a Namespace.", "type": "object",
                        "properties": ["phase": string("Phase is the current lifecycle phase of the namespace.")],
                    ],
                ], description: "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
                kind: "Namespace")
        default:
            return typeMeta(
                [:], description: "Event is a report of an event somewhere in the cluster.", kind: type.kind
            )
            .withPreservedUnknownFields()
        }
    }

    /// Referenced helper schemas.
    static let supporting: JSONObject = [
        "io.k8s.api.core.v1.ServiceSpec": [
            "description": "ServiceSpec describes the attributes that a user creates on a service.",
            "type": "object",
            "properties": [
                "clusterIP": string("clusterIP is the IP address of the service and is usually assigned randomly."),
                "ports": [
                    "description": "The list of ports that are exposed by this service.", "type": "array",
                    "items": [
                        "default": .object([:]), "allOf": [OpenAPIPublisher.ref("io.k8s.api.core.v1.ServicePort")],
                    ],
                    "x-kubernetes-list-map-keys": ["port", "protocol"], "x-kubernetes-list-type": "map",
                    "x-kubernetes-patch-merge-key": "port", "x-kubernetes-patch-strategy": "merge",
                ],
                "selector": [
                    "description": "Route service traffic to pods with label keys and values matching this selector.",
                    "type": "object", "additionalProperties": ["type": "string", "default": ""],
                    "x-kubernetes-map-type": "atomic",
                ],
                "type": string("type determines how the Service is exposed. Defaults to ClusterIP."),
            ],
            "x-kubernetes-preserve-unknown-fields": true,
        ],
        "io.k8s.api.core.v1.ServicePort": [
            "description": "ServicePort contains information on service's port.", "type": "object",
            "required": ["port"],
            "properties": [
                "appProtocol": string("The application protocol for this port."),
                "name": string("The name of this port within the service. This must be a DNS_LABEL."),
                "nodePort": [
                    "description": "The port on each node on which this service is exposed.", "type": "integer",
                    "format": "int32",
                ],
                "port": [
                    "description": "The port that will be exposed by this service.", "type": "integer",
                    "format": "int32", "default": 0,
                ],
                "protocol": string(
                    "The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is TCP."),
                "targetPort": [
                    "description": "Number or name of the port to access on the pods targeted by the service.",
                    "type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": true,
                ],
            ],
        ],
    ]
}

extension JSONValue {
    fileprivate func withPreservedUnknownFields() -> JSONValue {
        var copy = self
        copy["x-kubernetes-preserve-unknown-fields"] = true
        return copy
    }
}
