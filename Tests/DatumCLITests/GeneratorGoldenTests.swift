import DatumArguments
import Foundation
import GoCompat
import TestSupport
import Testing

@testable import DatumCLI

/// A small but complete command tree for the generator and completion tests: every completion
/// kind, aliases, hidden commands and options, global options, groups and nesting. It is
/// independent of datumctl's real spec, so these goldens change only when a generator does.
enum GeneratorSample {
    static let filename = OptionSpec(
        "filename", short: "f",
        kind: .value(ValueSpec("FILENAME", completion: .files(extensions: ["yaml", "yml", "json"]))),
        help: "File, directory, or - (stdin) with the manifests.", isRepeatable: true)

    static let output = OptionSpec(
        "output", short: "o",
        kind: .value(
            ValueSpec(
                "FORMAT",
                kind: .formatted(values: ["json", "yaml", "name", "wide"], prefixes: ["jsonpath", "custom-columns"]))),
        help: "Output format.")

    static let get = CommandSpec(
        "get", aliases: ["g"], group: .basic, summary: "Display one or many resources",
        discussion: "Prints a table of the most important information about the specified resources.",
        examples: [
            Example("List all backend TLS policies", "datumctl get backendtlspolicies"),
            Example("List one policy in JSON\n(the \"v1\" version)", "datumctl get btlspolicy web -o json"),
        ],
        options: [
            output,
            OptionSpec(
                "all-namespaces", short: "A", help: "If present, list the requested object(s) across all namespaces."),
            OptionSpec(
                "selector", short: "l", kind: .value(ValueSpec("SELECTOR")),
                help:
                    "Selector (label query) to filter on, supports '=', '==', and '!='. Matching objects must satisfy all of the specified label constraints."
            ),
            OptionSpec(
                "chunk-size", kind: .value(ValueSpec("SIZE", kind: .int)), help: "Return large lists in chunks.",
                defaultValue: "500"),
            OptionSpec("raw-debug", help: "Internal.", isHidden: true),
        ],
        positionals: [
            PositionalSpec("TYPE", help: "The resource type.", completion: .resourceTypes),
            PositionalSpec(
                "NAME", help: "Names of resources.", isRepeating: true, isOptional: true, completion: .resourceNames),
        ])

    static let apply = CommandSpec(
        "apply", group: .deploy, summary: "Apply a configuration to a resource by file name or stdin",
        discussion: """
            The resource name must be specified. This resource will be created if it doesn't exist yet.

            JSON and YAML formats are accepted; a line may start with .dot or 'quote, and use \\backslashes \
            or <angle> *stars* | pipes.
            """,
        usage: "(-f FILENAME | -k DIRECTORY)",
        examples: [
            Example("Apply the configuration in policy.yaml", "datumctl apply -f ./policy.yaml"),
            Example("Apply the YAML passed into stdin", "cat policy.yaml | datumctl apply -f -"),
        ],
        options: [
            filename,
            OptionSpec("recursive", short: "R", help: "Process the directory used in -f, --filename recursively."),
            OptionSpec(
                "validate",
                kind: .value(ValueSpec("MODE", kind: .enumeration(["strict", "warn", "ignore", "true", "false"]))),
                help: "How unknown fields are handled.", defaultValue: "strict"),
            OptionSpec(
                "dry-run", kind: .value(ValueSpec("STRATEGY", kind: .enumeration(["none", "server", "client"]))),
                help: "Only print or check the object.", defaultValue: "none"),
            OptionSpec(
                "kustomize", short: "k", kind: .value(ValueSpec("DIRECTORY", completion: .directories)),
                help: "Process a kustomization directory."),
        ])

    static let describe = CommandSpec(
        "describe", group: .troubleshooting, summary: "Show details of a specific resource or group of resources",
        positionals: [
            PositionalSpec("TYPE", completion: .resourceTypes),
            PositionalSpec("NAME", isRepeating: true, isOptional: true, completion: .resourceNames),
        ])

    static let config = CommandSpec(
        "config", group: .settings, summary: "Modify datumctl configuration files",
        discussion: "Modify the datumctl configuration file.",
        subcommands: [
            CommandSpec(
                "use-context", aliases: ["use"], group: .settings,
                summary: "Set the current-context in the config file",
                examples: [Example("Use the staging context", "datumctl config use-context staging")],
                positionals: [PositionalSpec("CONTEXT_NAME", help: "The context to make current.")]),
            CommandSpec(
                "set-context", group: .settings, summary: "Set a context entry in the config file",
                usage: "datumctl config set-context [NAME | --current] [options]",
                examples: [
                    Example(
                        "Create a context and use it",
                        "datumctl config set-context prod --project=p\ndatumctl config use-context prod")
                ],
                options: [
                    OptionSpec(
                        "token-file", kind: .value(ValueSpec("FILE", completion: .files(extensions: []))),
                        help: "A file holding the bearer token."),
                    OptionSpec("current", help: "Modify the current context."),
                ],
                positionals: [PositionalSpec("NAME", isOptional: true)]),
        ])

    static let completion = CommandSpec(
        "completion", group: .settings, summary: "Output shell completion code for the specified shell",
        positionals: [PositionalSpec("SHELL", completion: .values(["bash", "zsh", "fish"]))])

    static let version = CommandSpec(
        "version", group: .other, summary: "Print the client and server version information",
        options: [
            OptionSpec("client", help: "Client version only."),
            OptionSpec(
                "output", short: "o", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["yaml", "json"]))),
                help: "One of 'yaml' or 'json'."),
        ])

    static let root = CommandSpec(
        "datumctl", summary: "datumctl controls resources in Datum Cloud projects.",
        discussion: "Find more information at: https://www.datum.net/docs/",
        options: [
            OptionSpec(
                "project", kind: .value(ValueSpec("PROJECT")), help: "The Datum Cloud project to act on.",
                isGlobal: true),
            OptionSpec(
                "namespace", short: "n", kind: .value(ValueSpec("NAMESPACE")),
                help: "The namespace within the project.",
                defaultValue: "default", isGlobal: true),
            OptionSpec(
                "request-timeout", kind: .value(ValueSpec("DURATION", kind: .duration)),
                help: "How long to wait for a single server request (e.g. 1s, 2m); 0 waits forever.",
                defaultValue: "0", isGlobal: true),
            OptionSpec(
                "error-format", kind: .value(ValueSpec("FORMAT", kind: .enumeration(["text", "json"]))),
                help: "How errors are printed.", defaultValue: "text", isGlobal: true),
            OptionSpec("insecure-skip-tls-verify", help: "Do not verify the server's certificate.", isGlobal: true),
            OptionSpec("trace-internal", help: "Internal.", isHidden: true, isGlobal: true),
        ],
        subcommands: [
            get, apply, describe, config, completion, version,
            CommandSpec(
                "__complete", summary: "Hidden callback",
                positionals: [PositionalSpec("WORD", isRepeating: true, isOptional: true)], isHidden: true),
        ])
}

@Suite struct GeneratorGoldenTests {
    static let snapshot = Snapshot(folder: "completions")

    @Test func sampleSpecIsConsistent() {
        #expect(GeneratorSample.root.consistencyProblems() == [])
    }

    @Test(arguments: CompletionShell.allCases)
    func completionScriptMatchesGolden(_ shell: CompletionShell) {
        let script = shell.script(for: GeneratorSample.root)
        Self.snapshot.expect(script, matches: "sample-" + shell.fileName(for: GeneratorSample.root))
        // Hidden commands are neither walked into nor offered. (Hidden options are known, so the
        // walk skips their values, but never offered: see the shell tests.)
        #expect(!script.contains("datumctl|__complete"))
        #expect(!script.contains("'__complete"))
    }

    @Test func markdownPagesMatchGoldens() {
        let pages = MarkdownReferenceGenerator(root: GeneratorSample.root).pages
        #expect(
            pages.map(\.fileName) == [
                "datumctl.md", "datumctl-get.md", "datumctl-apply.md", "datumctl-describe.md", "datumctl-config.md",
                "datumctl-config-use-context.md", "datumctl-config-set-context.md", "datumctl-completion.md",
                "datumctl-version.md",
            ])
        for page in pages {
            Self.snapshot.expect(page.text, matches: "markdown/" + page.fileName)
        }
    }

    @Test func manPagesMatchGoldens() {
        let pages = ManPageGenerator(root: GeneratorSample.root, version: "9.9.9").pages
        #expect(pages.count == 9)
        for page in pages {
            Self.snapshot.expect(page.text, matches: "man/" + page.fileName)
        }
    }

    @Test(arguments: [
        ("Show help for the command.", "Show help for the command"),
        ("How long to wait (e.g. 1s, 2m); 0 waits forever.", "How long to wait (e.g. 1s, 2m); 0 waits forever"),
        ("One. Two.", "One"),
        ("The project. Defaults to $DATUM_PROJECT.", "The project"),
        ("", ""),
        ("First paragraph\nstill first.\n\nSecond.", "First paragraph still first"),
    ])
    func firstSentence(_ text: String, _ expected: String) {
        #expect(GeneratorText.firstSentence(text) == expected)
    }

    @Test(arguments: [
        ("datumctl config SUBCOMMAND", "datumctl config SUBCOMMAND [options]"),
        (
            "datumctl config set-context [NAME | --current] [options]",
            "datumctl config set-context [NAME | --current] [options]"
        ),
        ("(-f FILENAME | -k DIRECTORY)", "datumctl config (-f FILENAME | -k DIRECTORY) [options]"),
        ("[options]", "datumctl config [options]"),
        ("datumctl config", "datumctl config [options]"),
    ])
    func synopsisToleratesUsageWithPathAndOptions(_ usage: String, _ expected: String) {
        let spec = CommandSpec("config", summary: "x", usage: usage)
        #expect(spec.synopsis(path: "datumctl config") == expected)
    }

    @Test func synopsisWithoutUsageListsCommandAndPositionals() {
        #expect(
            GeneratorSample.config.synopsis(path: "datumctl config")
                == "datumctl config COMMAND [options]")
        #expect(
            GeneratorSample.get.synopsis(path: "datumctl get")
                == "datumctl get TYPE [NAME...] [options]")
        #expect(
            GeneratorSample.version.synopsis(path: "datumctl version")
                == "datumctl version [options]")
    }

    @Test(arguments: [
        (ValueSpec("F", kind: .enumeration(["a", "b"])), CompletionKind.values(["a", "b"])),
        (
            ValueSpec("F", kind: .formatted(values: ["json", "jsonpath"], prefixes: ["jsonpath", "go-template"])),
            CompletionKind.values(["json", "jsonpath=", "go-template="])
        ),
        (
            ValueSpec("F", kind: .formatted(values: ["json"], prefixes: ["jsonpath="])),
            CompletionKind.values(["json", "jsonpath="])
        ),
        (ValueSpec("F", kind: .enumeration(["a"]), completion: .values(["z"])), CompletionKind.values(["z"])),
        (ValueSpec("F", kind: .duration), CompletionKind.none),
        (ValueSpec("F", completion: .directories), CompletionKind.directories),
    ])
    func effectiveCompletion(_ value: ValueSpec, _ expected: CompletionKind) {
        #expect(value.effectiveCompletion == expected)
    }

    @Test func builtinResourceTypeWordsArePluralsAndShortNames() {
        #expect(
            GeneratorText.builtinResourceTypeWords == [
                "backendtlspolicies", "btlspolicy", "configmaps", "cm", "services", "svc", "namespaces", "ns",
                "events", "ev",
            ])
    }

    @Test(arguments: [
        ("plain text", "plain text"),
        ("a *b* _c_ `d` [e] | f", #"a \*b\* \_c\_ \`d\` \[e\] \| f"#),
        (#"C:\path <x> y"#, #"C:\\path &lt;x&gt; y"#),
    ])
    func markdownEscape(_ text: String, _ expected: String) {
        #expect(MarkdownReferenceGenerator.escape(text) == expected)
    }

    @Test(arguments: [
        ("--dry-run=server", #"\-\-dry\-run=server"#),
        (".starts with a dot", #"\&.starts with a dot"#),
        ("'quote", #"\&'quote"#),
        (#"back\slash"#, #"back\eslash"#),
        ("mid . dot", "mid . dot"),
    ])
    func roffEscape(_ text: String, _ expected: String) {
        #expect(ManPageGenerator.escape(text) == expected)
    }

    @Test func optionDescriptionsListValuesAndRepeatability() {
        #expect(
            MarkdownReferenceGenerator.optionDescription(GeneratorSample.output)
                == "Output format. One of: json, yaml, name, wide, jsonpath=..., custom-columns=....")
        #expect(
            MarkdownReferenceGenerator.optionDescription(GeneratorSample.filename)
                == "File, directory, or - (stdin) with the manifests. May be repeated.")
    }
}
