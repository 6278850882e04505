import IncidentKit

enum CommsCommand {
    static let spec = CommandSpec(
        path: ["comms"],
        summary: "Render a communication template with the incident's fields; --record logs it (restarting the update cadence).",
        discussion: "Templates: internal-update, status-page, customer-email, regulator-notice (from <store>/templates/NAME.md if present, else the shipped ones; edit freely, no rebuild). Placeholders: id, title, public_title (the customer-facing title; 'Service disruption' until one is set), severity, status, phase, scope, impact, mitigation, next_update, started_at, declared_at, now, commander, comms_lead, roles. An unknown placeholder is an error naming it; status-page and customer-email go to customers, so a store version of either that uses title, severity, phase, commander, comms_lead or roles is refused. --record writes the rendered text to the timeline as a comms entry (customer-email as customer-notification, regulator-notice as regulator-notification, when the runbook has those kinds).",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "TEMPLATE", help: "The template name.")],
        options: [
            OptionSpec(name: "record", help: "Log the message in the timeline (restarts the cadence timer)."),
            OptionSpec(name: "scope", value: "TEXT", help: "Override the affected scope (default: the summary; for status-page and customer-email, 'some of our services', since they go to customers)."),
        ],
        examples: ["incident comms 42 status-page", "incident comms 42 internal-update --record", "incident comms 42 customer-email --scope \"EU card payments\""],
        run: run)

    /// Templates whose text goes to customers: nothing internal is filled in by default.
    static let customerFacing: Set<String> = [StatusPage.template, "customer-email"]
    /// Fields customer-facing templates may not use: the internal title, severity, phase and names.
    static let internalFields: Set<String> = ["title", "severity", "phase", "commander", "comms_lead", "roles"]

    static func kind(for template: String, runbook: Runbook) -> String {
        let preferred = ["customer-email": "customer-notification", "regulator-notice": "regulator-notification"][template] ?? "comms"
        if runbook.entryKinds.contains(where: { $0.id == preferred }) { return preferred }
        return runbook.entryKinds.first { $0.id == "comms" }?.id ?? runbook.entryKinds.first?.id ?? "note"
    }

    static func values(_ r: IncidentRecord, runbook: Runbook, time: BusinessTime, zone: ZoneRules, at: Timestamp, scope: String?) -> [String: String] {
        let s = r.state
        let timers = SLAEngine.evaluate(r, runbook: runbook, time: time, at: at)
        let cadence = timers.first { $0.repeats && !$0.finished }
        let next = cadence.map { zone.human(time.add($0.duration, to: at)) } ?? "when there is news"
        let mitigation = r.timeline.last { $0.kind == "mitigation" || $0.kind == BuiltInKind.contained }?.text
        let commander = runbook.commanderRoleID.flatMap { s.roles[$0] } ?? "unassigned"
        let commsRole = runbook.roles.first { $0.matches("comms") || $0.matches("communications") }?.id
        var v: [String: String] = [
            "id": s.id.description, "title": s.title, "severity": runbook.level(id: s.severity)?.title ?? s.severity,
            "status": s.status == .active ? (s.containedAt != nil ? "contained, fix in progress" : "investigating") : s.status.rawValue,
            "phase": runbook.phase(id: s.phase)?.title ?? s.phase,
            "scope": scope ?? s.summary ?? s.title,
            "impact": s.summary ?? s.title,
            "mitigation": mitigation ?? (s.containedAt != nil ? "contained" : "in progress"),
            "next_update": next, "started_at": zone.human(s.startedAt), "declared_at": zone.human(s.declaredAt), "now": zone.human(at),
            "commander": commander, "comms_lead": commsRole.flatMap { s.roles[$0] } ?? "unassigned",
            "public_title": s.publicTitle ?? "Service disruption",
        ]
        v["roles"] = runbook.roles.compactMap { role in s.roles[role.id].map { "\(role.title): \($0)" } }.joined(separator: ", ")
        if v["roles"]!.isEmpty { v["roles"] = "none assigned" }
        return v
    }

    static func run(_ inv: Invocation) throws -> Int32 {
        var (record, runbook) = try inv.load(inv.required("ID"))
        let name = try inv.required("TEMPLATE").lowercased()
        let template = try Template.load(name, store: inv.store)
        guard name != "postmortem" else { throw UsageError("Use 'incident postmortem' for the postmortem.") }
        // The templates are Markdown: what is printed (to paste) has every value escaped for
        // Markdown; what is recorded is the message as people read it, escaped again by
        // whatever renders the timeline later.
        // The status page and the customer email are public: their scope, impact and
        // mitigation never default to the internal summary or timeline.
        let customerFacing = Self.customerFacing.contains(name)
        // A team's own version of a customer-facing template may not pull internal fields in.
        if customerFacing, let leak = template.placeholders.first(where: { Self.internalFields.contains($0) }) {
            throw UsageError("The \(name) template (\(template.origin)) uses {{\(leak)}}, which is internal; the \(name) message goes to customers. Use {{public_title}} and {{scope}} instead.", command: "comms")
        }
        let scope = inv.option("scope") ?? (customerFacing ? "some of our services" : nil)
        var raw = values(record, runbook: runbook, time: try inv.businessTime(runbook), zone: inv.readerZone, at: inv.at, scope: scope)
        if customerFacing {
            raw["impact"] = scope
            let s = record.state
            raw["mitigation"] = s.resolvedAt != nil || s.status == .closed ? "the service is working normally again"
                : s.containedAt != nil ? "we have contained the problem and are working on a full fix" : "we are investigating"
        }
        let text = try template.render(raw.mapValues(Sanitizer.markdownInline))
        let message = try template.render(raw)
        if inv.flag("record") {
            let kind = kind(for: name, runbook: runbook)
            (record, runbook) = try inv.mutate(record.id.description) { r, rb, actor in
                try Actions.note(&r, runbook: rb, text: message, kind: kind, fields: ["template": name], actor: actor)
            }
        }
        if inv.json {
            try inv.printJSON(["id": record.id.description, "template": name, "text": text, "recorded": inv.flag("record") ? "true" : "false"])
        } else {
            inv.context.stdout.write(Sanitizer.forTerminal(text.hasSuffix("\n") ? text : text + "\n"))
            if inv.flag("record") { inv.err("Recorded in the timeline of \(record.id).") }
        }
        return ExitCode.success
    }
}
