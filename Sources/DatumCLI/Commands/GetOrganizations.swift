import DatumJSON
import DatumKit
import GoCompat

/// `datumctl get organizations [NAME]`, as the official datumctl prints it: the signed-in user's
/// memberships, listed from the user's own control plane whatever scope is selected, one row per
/// organization with its onboarding status (read from each organization's `OnboardingComplete`
/// condition, also in the user's control plane).
struct GetOrganizations {
    let command: GetCommand
    let nameFilter: String?

    static func matches(_ arguments: ResourceArguments?) -> String?? {
        guard case .typesAndNames(let types, let names)? = arguments?.form, types.count == 1,
            types[0] == "organizations" || types[0] == "organization"
        else { return nil }
        return .some(names.first)
    }

    /// `organizationmemberships` in any of the official tool's spellings.
    static func namesMemberships(_ arguments: ResourceArguments?) -> Bool {
        guard case .typesAndNames(let types, _)? = arguments?.form, types.count == 1 else { return false }
        return [
            "organizationmemberships", "organizationmembership", "organizationmemberships.resourcemanager.miloapis.com",
            "organizationmembership.resourcemanager.miloapis.com",
        ].contains(types[0])
    }

    /// A client for the signed-in user's own control plane, whatever scope is selected.
    static func userClient(_ context: CommandContext) throws(CLIError) -> ProjectClient {
        var settings = try context.connectionSettings()
        guard let user = settings.userID, !user.isEmpty else {
            throw CLIError(
                .configuration,
                "listing organizations needs a signed-in session: run 'datumctl login' (a static token names no user)")
        }
        settings.project = nil
        settings.organization = nil
        settings.platformWide = false
        return try context.projectClient(settings)
    }

    func run(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let settings = try context.connectionSettings()
        let client = try Self.userClient(context)
        let group = "/apis/resourcemanager.miloapis.com/v1alpha1"
        var list = try client.getJSON(client.scope.url(group + "/organizationmemberships"))
        var items = list["items"]?.arrayValue ?? []
        if let nameFilter {
            items = items.filter {
                $0["spec"]?["organizationRef"]?["name"]?.stringValue == nameFilter
                    || $0["metadata"]?["name"]?.stringValue == nameFilter
            }
        }
        // Each organization's onboarding, fetched concurrently; a failure leaves it "unknown".
        var organizations: [String] = []
        for item in items {
            if let id = item["spec"]?["organizationRef"]?["name"]?.stringValue, !id.isEmpty, !organizations.contains(id)
            {
                organizations.append(id)
            }
        }
        var statuses: [String: Onboarding] = [:]
        let requests = organizations.map { id in
            client.request("GET", client.scope.url(group + "/organizations/" + ProjectScope.escapePathSegment(id)))
        }
        for (id, result) in zip(organizations, client.sendAll(requests, concurrency: 8)) {
            guard case .success(let response) = result, let object = try? ProjectClient.decode(response) else {
                continue
            }
            statuses[id] = Onboarding(object)
        }
        for index in items.indices {
            guard let id = items[index]["spec"]?["organizationRef"]?["name"]?.stringValue, let status = statuses[id]
            else { continue }
            var annotations = items[index]["metadata"]?["annotations"]?.objectValue ?? [:]
            annotations["datum.net/onboarding-status"] = .string(status.label)
            if !status.complete, let reason = status.reason {
                annotations["datum.net/onboarding-reason"] = .string(reason)
            }
            items[index]["metadata"]?["annotations"] = .object(annotations)
        }
        list["items"] = .array(items)

        switch command.output {
        case .standard, .wide:
            context.stdout.write(
                Self.table(
                    items, statuses: statuses, wide: command.output == .wide, now: Double(KubeTime.now()),
                    portal: Self.portal(for: settings.server)))
        case .name:
            for item in items {
                context.stdout.line("organization/\(item["spec"]?["organizationRef"]?["name"]?.stringValue ?? "")")
            }
        case .yaml, .json:
            try ObjectOutput.write(
                list, format: command.output, command: GetCommand.command, allowMissingKeys: command.allowMissingKeys,
                to: context.stdout)
        default:
            throw CLIError(
                .usage,
                "output format \(GoFormat.quote(command.output.printerName ?? "")) is not supported for organizations; "
                    + "use table, wide, yaml, json, or name")
        }
        return .success
    }

    /// The `OnboardingComplete` condition of an organization, as the official tool reads it.
    struct Onboarding {
        var complete: Bool
        var reason: String?

        init(_ organization: JSONValue) {
            let condition = organization["status"]?["conditions"]?.arrayValue?.first {
                $0["type"]?.stringValue == "OnboardingComplete"
            }
            guard let condition else {
                complete = false
                reason = "ContactInfoIncomplete"
                return
            }
            let reason = condition["reason"]?.stringValue ?? ""
            complete = condition["status"]?.stringValue == "True" && reason == "Ready"
            self.reason = reason.isEmpty ? "ContactInfoIncomplete" : reason
        }

        var label: String {
            if complete { return "ready" }
            switch reason {
            case "ContactInfoIncomplete": return "contact details needed"
            case "BillingAccountMissing": return "billing setup needed"
            case "PaymentMethodNotReady": return "payment method needed"
            case "Ready": return "ready"
            case let other?: return other
            case nil: return "setup needed"
            }
        }
    }

    /// The cloud portal of a Datum API host (where unfinished organizations are set up), if known.
    static func portal(for server: String) -> String? {
        var host = server
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host.removeFirst(scheme.count) }
        host = String(host.prefix { $0 != "/" && $0 != ":" })
        if host.hasSuffix(".staging.env.datum.net") { return "https://cloud.staging.env.datum.net" }
        if host.hasSuffix(".datum.net") { return "https://cloud.datum.net" }
        return nil
    }

    /// The official tool's table (github.com/rodaine/table: columns padded to the widest cell plus
    /// two spaces), sorted by organization, then the setup hints for unfinished organizations.
    static func table(
        _ items: [JSONValue], statuses: [String: Onboarding], wide: Bool, now: Double, portal: String?
    ) -> String {
        let sorted = items.sorted {
            ($0["spec"]?["organizationRef"]?["name"]?.stringValue ?? "").utf8.lexicographicallyPrecedes(
                ($1["spec"]?["organizationRef"]?["name"]?.stringValue ?? "").utf8)
        }
        var rows: [[String]] = []
        var incomplete: [(String, String)] = []
        var seen: Set<String> = []
        for item in sorted {
            let id = item["spec"]?["organizationRef"]?["name"]?.stringValue ?? ""
            var display = item["status"]?["organization"]?["displayName"]?.stringValue ?? ""
            if display.isEmpty { display = id }
            var label = "unknown"
            if let status = statuses[id] {
                label = status.label
                if !status.complete && seen.insert(id).inserted { incomplete.append((id, display)) }
            }
            let created = item["metadata"]?["creationTimestamp"]?.stringValue
            let age = created.map { HumanDuration.age(sinceCreation: $0, now: now) } ?? "<unknown>"
            if wide {
                var user = item["status"]?["user"]?["email"]?.stringValue ?? ""
                if user.isEmpty { user = item["spec"]?["userRef"]?["name"]?.stringValue ?? "" }
                rows.append([id, display, label, user, age])
            } else {
                rows.append([id, display, label, age])
            }
        }
        let header =
            wide
            ? ["ORGANIZATION", "DISPLAY NAME", "STATUS", "USER", "AGE"]
            : ["ORGANIZATION", "DISPLAY NAME", "STATUS", "AGE"]
        var text = ContextTree.table(header: header, rows: rows)
        if !incomplete.isEmpty {
            text += "\nSome organizations still need setup before you can use them with datumctl:\n"
            for (id, display) in incomplete {
                text += "  \(display) (\(statuses[id]?.label ?? "unknown"))\n"
                if let portal { text += "    \(portal)/org/\(ProjectScope.escapePathSegment(id))/projects\n" }
            }
        }
        return text
    }
}
