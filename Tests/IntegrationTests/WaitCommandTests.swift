import DatumJSON
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `datumctl wait` against the sandbox's status controller, and side by side with kubectl's
/// `wait` where both read the same thing (JSONPath, deletion, timeouts, missing objects).
@Suite(.serialized) struct WaitCommandTests {
    static let policy = "backendtlspolicy.gateway.networking.k8s.io/secure-backend"
    static let policies = "/apis/gateway.networking.k8s.io/v1/namespaces/default/backendtlspolicies"

    static func populate(_ sandbox: SandboxInstance) throws {
        let applied = try sandbox.datumctl(["apply", "-f", "-"], input: try ClientReadKubectlTests.quickStart)
        #expect(applied.status == 0, "\(applied.stderr)")
    }

    /// The status controller accepts the policy for its Gateway: every ancestor reports
    /// Accepted and ResolvedRefs for the current generation.
    @Test func conditionsAreReadFromEveryAncestor() throws {
        try withSandbox { sandbox in
            try Self.populate(sandbox)
            for condition in ["condition=Accepted", "condition=accepted=true", "condition=ResolvedRefs=True"] {
                let run = try sandbox.datumctl(["wait", "--for=" + condition, "btlspolicy/secure-backend"])
                #expect(run.status == 0, "\(condition): \(run.stderr)")
                #expect(run.stdout == Self.policy + " condition met\n")
            }
            let negative = try sandbox.datumctl([
                "wait", "--for=condition=Accepted=False", "btlspolicy", "secure-backend", "--timeout=1s",
            ])
            #expect(negative.status == 1)
            #expect(
                negative.stderr == "error: timed out waiting for the condition on backendtlspolicies/secure-backend\n")
            let once = try sandbox.datumctl(["wait", "--for=condition=Bogus", "btlspolicy/secure-backend", "--timeout=0"])
            #expect(once.status == 1)
            #expect(
                once.stderr
                    == "Error from server: condition not met for backendtlspolicies.gateway.networking.k8s.io/secure-backend\n"
                    || once.stderr.hasSuffix("condition not met for backendtlspolicies.gateway.networking.k8s.io/secure-backend\n"))
        }
    }

    /// Where kubectl can read the same thing, the two print the same and exit the same.
    @Test func matchesKubectlOnJSONPathDeletionTimeoutsAndMissingObjects() throws {
        try withSandbox { sandbox in
            try Self.populate(sandbox)
            for arguments in [
                ["wait", "--for=jsonpath={.metadata.name}=secure-backend", "btlspolicy/secure-backend"],
                ["wait", "--for=jsonpath={.spec.validation.hostname}", "btlspolicy", "secure-backend"],
                ["wait", "--for=jsonpath={.metadata.name}=other", "btlspolicy/secure-backend", "--timeout=1s"],
                ["wait", "--for=jsonpath={.metadata.name}=secure-backend", "btlspolicy", "-l", "app=none"],
                ["wait", "--for=jsonpath={.metadata.name}=x", "btlspolicy/missing", "--timeout=1s"],
                ["wait", "--for=delete", "btlspolicy/missing", "--timeout=1s"],
                ["wait", "--for=delete", "btlspolicy/secure-backend", "--timeout=1s"],
                ["wait", "--for=create", "btlspolicy/secure-backend", "--timeout=1s"],
                ["wait", "--for=jsonpath={.metadata.name}=secure-backend", "-f", "-", "--timeout=2s"],
            ] {
                let input = arguments.contains("-f") ? try ClientReadKubectlTests.quickStart : nil
                let kubectl = try sandbox.kubectl(arguments, input: input)
                let datumctl = try sandbox.datumctl(arguments, input: input)
                #expect(datumctl.stdout == kubectl.stdout, "stdout of \(arguments)")
                // client-go's own log lines (`W1203 17:29:29.266606 ... reflector.go`) are not kubectl's output.
                let kubectlErrors = kubectl.stderr.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { $0.range(of: #"^[IWE]\d{4} \d\d:\d\d:\d\d"#, options: .regularExpression) == nil }
                    .joined(separator: "\n")
                #expect(datumctl.stderr == kubectlErrors, "stderr of \(arguments)")
                #expect(datumctl.status == kubectl.status, "exit status of \(arguments)")
            }
        }
    }

    /// A change that happens while waiting is seen through the watch, and a deletion as well.
    @Test func changesAndDeletionsWhileWaitingAreSeen() throws {
        try withSandbox { sandbox in
            try Self.populate(sandbox)
            let flags = sandbox.connectionFlags()
            let labelled = try ChildProcess(
                ReadIT.datumctl,
                ["wait", "--for=jsonpath={.metadata.labels.ready}=yes", "btlspolicy/secure-backend", "--timeout=20s",
                 "-v=6"] + flags, environment: sandbox.datumctlEnvironment(), withInput: false)
            // -v=6 traces each answered request: change the object once the watch is open.
            let opened = labelled.read(until: "watch=true", from: labelled.errorOutput)
            #expect(opened.hasSuffix("watch=true"), "\(opened)")
            labelled.discardErrorOutput()
            #expect(labelled.isRunning, "wait returned before the label was set")
            let patched = try sandbox.request(
                "PATCH", Self.policies + "/secure-backend", body: #"{"metadata":{"labels":{"ready":"yes"}}}"#,
                contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            let output = ChildProcess.readAll(labelled.output)
            #expect(labelled.wait().status == 0)
            #expect(String(decoding: output, as: UTF8.self) == Self.policy + " condition met\n")

            let deleted = try ChildProcess(
                ReadIT.datumctl, ["wait", "--for=delete", "btlspolicy/secure-backend", "--timeout=20s", "-v=6"] + flags,
                environment: sandbox.datumctlEnvironment(), withInput: false)
            let watching = deleted.read(until: "watch=true", from: deleted.errorOutput)
            #expect(watching.hasSuffix("watch=true"), "\(watching)")
            deleted.discardErrorOutput()
            #expect(deleted.isRunning, "wait returned before the policy was deleted")
            #expect(try sandbox.request("DELETE", Self.policies + "/secure-backend").status == 200)
            let gone = ChildProcess.readAll(deleted.output)
            #expect(deleted.wait().status == 0)
            #expect(String(decoding: gone, as: UTF8.self) == Self.policy + " condition met\n")
        }
    }
}
