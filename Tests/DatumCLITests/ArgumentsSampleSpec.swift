import DatumArguments
import DatumCLI
import GoCompat

/// A realistic datumctl command tree for parser and help tests; independent of the real spec
/// so these tests keep their meaning while the product's commands evolve.
enum ArgumentsSample {
    static let outputFormats = ValueKind.formatted(
        values: ["json", "yaml", "name", "wide"], prefixes: ["custom-columns", "jsonpath", "go-template"])

    static let filename = OptionSpec(
        "filename", short: "f",
        kind: .value(ValueSpec("FILENAME", completion: .files(extensions: ["yaml", "yml", "json"]))),
        help: "Filename, directory, or URL to files identifying the resources.", isRepeatable: true)

    static let recursive = OptionSpec(
        "recursive", short: "R",
        help: "Process the directory used in -f, --filename recursively. Useful when you want to manage "
            + "related manifests organized within the same directory.")

    static let selector = OptionSpec(
        "selector", short: "l", kind: .value(ValueSpec("SELECTOR")),
        help: "Selector (label query) to filter on, supports '=', '==', and '!='. "
            + "(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified "
            + "label constraints.")

    static let get = CommandSpec(
        "get", group: .basic, summary: "Display one or many resources",
        discussion: """
            Prints a table of the most important information about the specified resources.
            You can filter the list using a label selector and the --selector flag.

            Use "datumctl api-resources" for a complete list of supported resources.
            """,
        usage: "[(-o|--output=)json|yaml|name|wide|jsonpath=...] (TYPE [NAME | -l label] | TYPE/NAME ...)",
        examples: [
            Example(
                "List all backend TLS policies in ps output format",
                "datumctl get backendtlspolicies"),
            Example(
                "List a single backend TLS policy with specified NAME in ps output format",
                "datumctl get backendtlspolicy web-tls"),
            Example(
                "List backend TLS policies in JSON output format, in the \"v1\" version of the "
                    + "\"gateway.networking.k8s.io\" API group",
                "datumctl get backendtlspolicies.v1.gateway.networking.k8s.io -o json"),
            Example(
                "Return only the CA certificate reference of the specified policy",
                "datumctl get backendtlspolicy web-tls -o jsonpath='{.spec.validation.caCertificateRefs[0].name}'"),
        ],
        options: [
            OptionSpec(
                "all-namespaces", short: "A",
                help: "If present, list the requested object(s) across all namespaces. Namespace in "
                    + "current context is ignored even if specified with --namespace."),
            OptionSpec(
                "chunk-size", kind: .value(ValueSpec("SIZE", kind: .int)),
                help: "Return large lists in chunks rather than all at once. Pass 0 to disable.",
                defaultValue: "500"),
            filename,
            OptionSpec(
                "ignore-not-found",
                help: "If the requested object does not exist the command will return exit code 0."),
            OptionSpec(
                "label-columns", short: "L", kind: .value(ValueSpec("LABEL")),
                help: "Accepts a comma separated list of labels that are going to be presented as columns.",
                isRepeatable: true),
            OptionSpec(
                "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: outputFormats)),
                help: "Output format."),
            recursive,
            selector,
            OptionSpec(
                "show-labels",
                help: "When printing, show all labels as the last column (default hide labels column)"),
            OptionSpec(
                "sort-by", kind: .value(ValueSpec("JSONPATH")),
                help: "If non-empty, sort list types using this field specification."),
            OptionSpec("watch", short: "w", help: "After listing/getting the requested object, watch for changes."),
            OptionSpec(
                "server-print", help: "If true, have the server return the appropriate table output.",
                defaultValue: "true"),
            OptionSpec("experimental-cache", help: "Serve from the local cache.", isHidden: true),
        ],
        positionals: [
            PositionalSpec(
                "TYPE", help: "The resource type, optionally TYPE/NAME.", isOptional: true,
                completion: .resourceTypes),
            PositionalSpec("NAME", isRepeating: true, isOptional: true, completion: .resourceNames),
        ])

    static let apply = CommandSpec(
        "apply", group: .deploy, summary: "Apply a configuration to a resource by file name or stdin",
        discussion: """
            The resource name must be specified. This resource will be created if it doesn't exist yet.

            JSON and YAML formats are accepted.
            """,
        usage: "(-f FILENAME | -k DIRECTORY)",
        examples: [
            Example(
                "Apply the configuration in policy.yaml to a backend TLS policy", "datumctl apply -f ./policy.yaml"),
            Example("Apply the YAML passed into stdin", "cat policy.yaml | datumctl apply -f -"),
            Example(
                "Apply every manifest below the directory, recursively, and print the result as YAML\n"
                    + "Note: nothing is changed on the server with --dry-run=server",
                "datumctl apply -R -f manifests/ --dry-run=server -o yaml"),
        ],
        options: [
            OptionSpec(
                "dry-run", kind: .value(ValueSpec("STRATEGY", kind: .enumeration(["none", "server", "client"]))),
                help: "If client strategy, only print the object that would be sent, without sending it. "
                    + "If server strategy, submit server-side request without persisting the resource.",
                defaultValue: "none"),
            OptionSpec(
                "field-manager", kind: .value(ValueSpec("NAME")),
                help: "Name of the manager used to track field ownership.",
                defaultValue: "datumctl-client-side-apply"),
            filename,
            OptionSpec("force-conflicts", help: "If true, server-side apply will force the changes against conflicts."),
            OptionSpec(
                "kustomize", short: "k", kind: .value(ValueSpec("DIRECTORY", completion: .directories)),
                help: "Process a kustomization directory. This flag can't be used together with -f or -R."),
            OptionSpec(
                "output", short: "o",
                kind: .value(
                    ValueSpec("FORMAT", kind: .formatted(values: ["json", "yaml", "name"], prefixes: ["jsonpath"]))),
                help: "Output format."),
            recursive,
            selector,
            OptionSpec("server-side", help: "If true, apply runs in the server instead of the client."),
            OptionSpec(
                "timeout", kind: .value(ValueSpec("DURATION", kind: .duration)),
                help: "The length of time to wait before giving up on a delete, zero means determine a timeout "
                    + "from the size of the object.",
                defaultValue: "0s"),
            OptionSpec(
                "validate",
                kind: .value(ValueSpec("MODE", kind: .enumeration(["strict", "warn", "ignore", "true", "false"]))),
                help: "\"true\" or \"strict\" fails the request on unknown or duplicate fields, \"warn\" only warns "
                    + "about them, \"false\" or \"ignore\" drops them silently.",
                defaultValue: "strict"),
        ])

    static let describe = CommandSpec(
        "describe", group: .troubleshooting, summary: "Show details of a specific resource or group of resources",
        options: [
            filename, selector,
            OptionSpec(
                "show-events", help: "If true, display events related to the described object.", defaultValue: "true"),
        ],
        positionals: [
            PositionalSpec("TYPE", completion: .resourceTypes),
            PositionalSpec("NAME", isRepeating: true, isOptional: true, completion: .resourceNames),
        ])

    static let delete = CommandSpec(
        "delete", group: .basic,
        summary: "Delete resources by file names, stdin, resources and names, or by resources and label selector",
        options: [
            OptionSpec(
                "cascade",
                kind: .value(ValueSpec("STRATEGY", kind: .enumeration(["background", "orphan", "foreground"]))),
                help: "Selects the deletion cascading strategy for the dependents.", defaultValue: "background"),
            filename,
            OptionSpec(
                "grace-period", kind: .value(ValueSpec("SECONDS", kind: .int)),
                help: "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative.",
                defaultValue: "-1"),
            OptionSpec("wait", help: "If true, wait for resources to be gone before returning.", defaultValue: "true"),
        ],
        positionals: [
            PositionalSpec("TYPE", isOptional: true, completion: .resourceTypes),
            PositionalSpec("NAME", isRepeating: true, isOptional: true, completion: .resourceNames),
        ])

    static let explain = CommandSpec(
        "explain", group: .basic, summary: "Get documentation for a resource",
        options: [
            OptionSpec("recursive", help: "When true, print the name of all the fields recursively."),
            OptionSpec(
                "api-version", kind: .value(ValueSpec("GROUP/VERSION")),
                help: "Use the given api-version (group/version) of the resource."),
        ],
        positionals: [
            PositionalSpec(
                "TYPE.FIELDPATH", help: "The resource and field to explain, e.g. backendtlspolicies.spec.",
                completion: .resourceTypes)
        ])

    static let config = CommandSpec(
        "config", group: .settings, summary: "Modify kubeconfig files",
        discussion: """
            Modify kubeconfig files using subcommands like "datumctl config use-context my-context".

            The loading order follows these rules: if the --kubeconfig flag is set, then only that file \
            is loaded; otherwise $KUBECONFIG is used as a list of paths; otherwise ${HOME}/.kube/config is used.
            """,
        options: [
            OptionSpec(
                "kubeconfig", kind: .value(ValueSpec("FILE", completion: .files(extensions: []))),
                help: "Use a particular kubeconfig file.", isGlobal: true)
        ],
        subcommands: [
            CommandSpec(
                "current-context", summary: "Display the current-context",
                examples: [Example("Display the current-context", "datumctl config current-context")]),
            CommandSpec(
                "get-contexts", summary: "Describe one or many contexts",
                options: [
                    OptionSpec(
                        "no-headers",
                        help: "When using the default or custom-column output format, don't print headers."),
                    OptionSpec(
                        "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["name"]))),
                        help: "Output format."),
                ],
                positionals: [PositionalSpec("CONTEXT", isRepeating: true, isOptional: true)]),
            CommandSpec(
                "rename-context", summary: "Rename a context from the kubeconfig file",
                positionals: [
                    PositionalSpec("CONTEXT_NAME", help: "The context name that you want to change."),
                    PositionalSpec("NEW_NAME", help: "The new name you want to set."),
                ]),
            CommandSpec(
                "set-context", summary: "Set a context entry in kubeconfig",
                options: [
                    OptionSpec("current", help: "Modify the current context."),
                    OptionSpec(
                        "project", kind: .value(ValueSpec("PROJECT")),
                        help: "project for the context entry in kubeconfig"),
                ],
                positionals: [PositionalSpec("CONTEXT", isOptional: true)]),
            CommandSpec(
                "use-context", aliases: ["use"], summary: "Set the current-context in a kubeconfig file",
                examples: [Example("Use the context for the staging project", "datumctl config use-context staging")],
                positionals: [PositionalSpec("CONTEXT_NAME", completion: .values(["staging", "production"]))]),
            CommandSpec(
                "view", summary: "Display merged kubeconfig settings or a specified kubeconfig file",
                discussion:
                    "You can use --output jsonpath={...} to extract specific values using a jsonpath expression.",
                examples: [
                    Example("Show merged kubeconfig settings", "datumctl config view"),
                    Example(
                        "Get the token for the e2e user",
                        "datumctl config view -o jsonpath='{.users[?(@.name == \"e2e\")].user.token}'"),
                ],
                options: [
                    OptionSpec(
                        "flatten",
                        help:
                            "Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)"
                    ),
                    OptionSpec("minify", help: "Remove all information not used by current-context from the output"),
                    OptionSpec(
                        "output", short: "o",
                        kind: .value(
                            ValueSpec("FORMAT", kind: .formatted(values: ["json", "yaml"], prefixes: ["jsonpath"]))),
                        help: "Output format.", defaultValue: "yaml"),
                    OptionSpec("raw", help: "Display raw byte data and sensitive data"),
                ]),
        ])

    static let version = CommandSpec(
        "version", group: .other, summary: "Print the client and server version information",
        options: [
            OptionSpec("client", help: "If true, shows client version only (no server required)."),
            OptionSpec(
                "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["yaml", "json"]))),
                help: "Output format."),
        ])

    static let completion = CommandSpec(
        "completion", group: .settings,
        summary: "Output shell completion code for the specified shell (bash, zsh, or fish)",
        positionals: [PositionalSpec("SHELL", completion: .values(["bash", "zsh", "fish"]))])

    static let apiResources = CommandSpec(
        "api-resources", group: .other, summary: "Print the supported API resources on the server",
        options: [
            OptionSpec(
                "api-group", kind: .value(ValueSpec("GROUP")), help: "Limit to resources in the specified API group."),
            OptionSpec(
                "namespaced",
                help:
                    "If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.",
                defaultValue: "true"),
        ])

    static let root = CommandSpec(
        "datumctl", summary: "datumctl controls Datum Cloud's project-scoped control plane",
        discussion: "Find more information at: https://www.datum.net/docs/",
        usage: "[flags]",
        options: [
            OptionSpec(
                "namespace", short: "n", kind: .value(ValueSpec("NAMESPACE", completion: .resourceNames)),
                help: "If present, the namespace scope for this CLI request", isGlobal: true),
            OptionSpec(
                "project", kind: .value(ValueSpec("PROJECT")),
                help: "The Datum Cloud project whose control plane to use", isGlobal: true),
            OptionSpec(
                "request-timeout", kind: .value(ValueSpec("DURATION", kind: .duration)),
                help: "The length of time to wait before giving up on a single server request. Non-zero values "
                    + "should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't "
                    + "timeout requests.",
                defaultValue: "0", isGlobal: true),
            OptionSpec(
                "server", short: "s", kind: .value(ValueSpec("URL")),
                help: "The address and port of the Datum Cloud API server", isGlobal: true),
            OptionSpec(
                "v", short: "v", kind: .value(ValueSpec("LEVEL", kind: .int)),
                help: "number for the log level verbosity", defaultValue: "0", isGlobal: true),
            OptionSpec(
                "token-file", kind: .value(ValueSpec("FILE")), help: "Read the bearer token from a file.",
                isHidden: true, isGlobal: true),
        ],
        subcommands: [
            get, describe, apply, delete, explain, config, version, completion, apiResources,
            CommandSpec("options", summary: "Print the list of flags inherited by all commands", isHidden: true),
        ])
}
