/// Renders an incident's postmortem from the `postmortem` template: the record fills every
/// section it can (timeline, durations, SLA results, roles, decisions, action items); the
/// sections only people can write are left in the template as prompts.
public enum Postmortem {
    /// Times are shown in the runbook's calendar zone (`time.zone`), the team's, whoever
    /// renders it; the `time_zone` value says which.
    public static func values(for record: IncidentRecord, runbook: Runbook, time: BusinessTime, now: Timestamp) -> [String: String] {
        let s = record.state
        let zone = time.zone
        let calendar = time
        let level = runbook.level(id: s.severity)
        var v: [String: String] = [:]
        v["id"] = s.id.description
        v["title"] = Sanitizer.markdownInline(s.title)
        v["severity"] = Sanitizer.tableCell(level?.title ?? s.severity)
        v["severity_id"] = Sanitizer.tableCell(s.severity)
        v["status"] = s.status.rawValue
        v["phase"] = Sanitizer.tableCell(runbook.phase(id: s.phase)?.title ?? s.phase)
        v["type"] = Sanitizer.tableCell(s.type.flatMap { runbook.incidentType(id: $0)?.title ?? $0 } ?? "—")
        v["runbook"] = Sanitizer.tableCell(runbook.title)
        v["date"] = String(zone.dateTime(s.startedAt).prefix(10))
        v["summary"] = s.summary.map(Sanitizer.markdownBlock) ?? "_No summary recorded; add one with `incident declare --summary` or write it here._"
        v["resolution"] = s.resolutionSummary.map(Sanitizer.markdownInline) ?? "—"
        func show(_ t: Timestamp?) -> String { t.map { zone.human($0) } ?? "—" }
        v["time_zone"] = runbook.calendar == nil ? "UTC" : Sanitizer.tableCell("\(zone.name) (the runbook's calendar)")
        v["started_at"] = show(s.startedAt)
        v["declared_at"] = show(s.declaredAt)
        v["acknowledged_at"] = show(s.acknowledgedAt)
        v["contained_at"] = show(s.containedAt)
        v["resolved_at"] = show(s.resolvedAt)
        v["closed_at"] = show(s.closedAt)
        v["generated_at"] = zone.human(now)
        v["head_hash"] = record.headHash
        v["event_count"] = String(record.events.count)
        let end = s.resolvedAt
        v["impact_window"] = "\(zone.human(s.startedAt)) → \(end.map { zone.human($0) } ?? "ongoing")"
        v["impact_duration"] = end.map { formatSpan(milliseconds: s.startedAt.distance(to: $0)) } ?? "ongoing"
        v["draft_note"] = s.status == .active
            ? "> **Draft:** \(s.id) is still active; this postmortem will change as the incident goes on.\n"
            : ""
        v["drill_note"] = s.drill ? "> **Drill:** this was an exercise, not a real incident; it is kept out of incident metrics.\n" : ""
        let verification = Verifier.verify(record)
        v["chain"] = verification.ok
            ? "The timeline's hash chain verifies: \(record.events.count) events, head `\(record.headHash)`."
            : "**The timeline's hash chain does not verify:** \(verification.problems.first ?? "unknown problem"). Treat this record as edited."
        v["responders"] = orderedUnique(record.events.map(\.author)).map(Sanitizer.tableCell).joined(separator: ", ")
        v["detection"] = record.timeline.first { $0.kind == "detection" }.map { Sanitizer.markdownBlock($0.text) }
            ?? "_Not recorded; add a `--kind detection` entry or write it here._"
        v["roles_table"] = rolesTable(s, runbook: runbook)
        v["timeline_table"] = timelineTable(record, runbook: runbook, zone: zone)
        v["timeline_mermaid"] = mermaid(record, runbook: runbook, zone: zone)
        v["durations_table"] = durationsTable(s)
        v["sla_table"] = slaTable(record, runbook: runbook, time: calendar, now: now)
        v["decision_log"] = entryList(record, zone: zone, kind: "decision", empty: "_No decisions recorded (`incident note ID --kind decision TEXT`)._")
        v["containment_actions"] = entryList(record, zone: zone, kind: "mitigation", empty: "_No mitigation entries recorded (`--kind mitigation`)._")
        v["communications"] = entryList(record, zone: zone, kinds: ["comms", "exec-notification", "customer-notification", "regulator-notification"],
                                        empty: "_No communications recorded (`--kind comms`)._")
        v["action_items_table"] = actionItemsTable(record, zone: zone)
        v["checklist_table"] = checklistTable(record, runbook: runbook)
        v["evidence_table"] = evidenceTable(record, zone: zone)
        v["preventive_actions"] = preventiveActions(record, zone: zone)
        v["start_end"] = "\(zone.human(s.startedAt)) / \((s.resolvedAt ?? s.closedAt).map { zone.human($0) } ?? "ongoing")"
        return v
    }

    public static func render(_ record: IncidentRecord, runbook: Runbook, time: BusinessTime, template: Template, now: Timestamp) throws -> String {
        try template.render(values(for: record, runbook: runbook, time: time, now: now))
    }

    static func orderedUnique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    static func rolesTable(_ s: IncidentState, runbook: Runbook) -> String {
        let required = Set(runbook.requiredRoles(level: s.severity, type: s.type))
        let rows = runbook.roles.compactMap { role -> String? in
            if let who = s.roles[role.id] { return "| \(Sanitizer.tableCell(role.title)) | \(Sanitizer.tableCell(who)) |" }
            if required.contains(role.id) { return "| \(Sanitizer.tableCell(role.title)) | _unstaffed (required)_ |" }
            return nil
        }
        if rows.isEmpty { return "_No roles were assigned._" }
        return (["| Role | Person |", "| --- | --- |"] + rows).joined(separator: "\n")
    }

    static func timelineTable(_ record: IncidentRecord, runbook: Runbook, zone: ZoneRules) -> String {
        let utc = zone.isUTC
        var rows = ["| Time\(utc ? " (UTC)" : "") | Kind | Author | Entry |", "| --- | --- | --- | --- |"]
        for e in record.timeline {
            let late = e.recordedAt.distance(to: e.at) < -300_000 ? " _(back-filled)_" : ""
            rows.append("| \(utc ? zone.dateTime(e.at) : zone.human(e.at)) | \(kindTitle(e.kind, runbook)) | \(Sanitizer.tableCell(e.author)) | \(Sanitizer.tableCell((e.fields["origin"].map { "[from \($0)] " } ?? "") + e.text))\(late) |")
        }
        return rows.joined(separator: "\n")
    }

    static func kindTitle(_ kind: String, _ runbook: Runbook) -> String {
        Sanitizer.tableCell(runbook.entryKinds.first { $0.id == kind }?.title ?? kind)
    }

    static let milestoneKinds: Set<String> = [
        BuiltInKind.declared, BuiltInKind.acknowledged, BuiltInKind.severity, BuiltInKind.phase,
        BuiltInKind.contained, BuiltInKind.resolved, BuiltInKind.closed, BuiltInKind.reopened, "decision",
    ]

    /// A Mermaid `timeline` of the milestones, which GitHub renders as a diagram.
    static func mermaid(_ record: IncidentRecord, runbook: Runbook, zone: ZoneRules) -> String {
        let clean = Sanitizer.mermaid
        var lines = ["```mermaid", "timeline", "    title \(record.id) \(clean(record.state.title))"]
        var lastDay = ""
        let events = record.timeline.filter { milestoneKinds.contains($0.kind) }
        for e in events {
            let day = String(zone.dateTime(e.at).prefix(10))
            if day != lastDay { lines.append("    section \(day)"); lastDay = day }
            lines.append("        \(zone.clock(e.at).replacingOccurrences(of: ":", with: "h")) : \(clean(e.text))")
        }
        lines.append("```")
        return lines.joined(separator: "\n")
    }

    static func durationsTable(_ s: IncidentState) -> String {
        func span(_ from: Timestamp, _ to: Timestamp?) -> String {
            guard let to else { return "—" }
            return formatSpan(milliseconds: max(0, from.distance(to: to)))
        }
        return [
            "| Measure | From impact start | From declaration |",
            "| --- | --- | --- |",
            "| Time to declare | \(span(s.startedAt, s.declaredAt)) | — |",
            "| Time to acknowledge | \(span(s.startedAt, s.acknowledgedAt)) | \(span(s.declaredAt, s.acknowledgedAt)) |",
            "| Time to contain | \(span(s.startedAt, s.containedAt)) | \(span(s.declaredAt, s.containedAt)) |",
            "| Time to resolve | \(span(s.startedAt, s.resolvedAt)) | \(span(s.declaredAt, s.resolvedAt)) |",
        ].joined(separator: "\n")
    }

    static func slaTable(_ record: IncidentRecord, runbook: Runbook, time: BusinessTime, now: Timestamp) -> String {
        let zone = time.zone
        let timers = SLAEngine.evaluate(record, runbook: runbook, time: time, at: now)
        if timers.isEmpty { return "_This severity has no timers in the runbook._" }
        var rows = ["| Timer | Target | Due | Met | Result |", "| --- | --- | --- | --- | --- |"]
        for t in timers {
            let target = t.repeats ? "every \(t.duration.spelledOut)" : t.duration.spelledOut
            let due = t.dueAt.map { zone.human($0) } ?? "starts when \(Sanitizer.tableCell(t.startTrigger))"
            var result = t.isStarted ? (t.stoppedByClose ? "stopped (closed first)" : t.state.rawValue) : "not started"
            if t.missed > 0 { result += " (\(t.missed) missed)" }
            if t.state == .breached { result = "**\(result)**" }
            rows.append("| \(Sanitizer.tableCell(t.title)) | \(target) | \(due) | \(t.metAt.map { zone.human($0) } ?? "—") | \(result) |")
        }
        return rows.joined(separator: "\n")
    }

    static func entryList(_ record: IncidentRecord, zone: ZoneRules, kind: String? = nil, kinds: [String] = [], empty: String) -> String {
        let wanted = Set(kinds + (kind.map { [$0] } ?? []))
        let entries = record.timeline.filter { wanted.contains($0.kind) }
        if entries.isEmpty { return empty }
        return entries.map { "- **\(zone.human($0.at))** (\(Sanitizer.markdownInline($0.author))): \(Sanitizer.markdownInline($0.text))" }
            .joined(separator: "\n")
    }

    static func actionItemsTable(_ record: IncidentRecord, zone: ZoneRules) -> String {
        let items = ActionItems.items(in: record)
        if items.isEmpty { return "_No action items recorded yet (`incident action add \(record.id) TEXT --owner NAME --due TIME`)._" }
        var rows = ["| ID | Action | Term | Owner | Due | Status |", "| --- | --- | --- | --- | --- | --- |"]
        for i in items {
            rows.append("| \(i.id) | \(Sanitizer.tableCell(i.text)) | \(i.term?.rawValue ?? "—") | \(i.owner.map(Sanitizer.tableCell) ?? "**no owner**") | \(i.dueAt.map { zone.human($0) } ?? "**no due date**") | \(i.status.rawValue) |")
        }
        return rows.joined(separator: "\n")
    }

    static func evidenceTable(_ r: IncidentRecord, zone: ZoneRules) -> String {
        let items = Evidence.items(in: r)
        if items.isEmpty { return "_No evidence recorded (`incident evidence add \(r.id) FILE`)._" }
        var rows = ["| ID | Item | SHA-256 | Size | Collected | Chain of custody |", "| --- | --- | --- | --- | --- | --- |"]
        for i in items {
            let custody = ([Sanitizer.tableCell(i.collectedBy)] + i.custody.map { "\(Sanitizer.tableCell($0.to)) (\(zone.human($0.at)))" }).joined(separator: " → ")
            rows.append("| \(i.id) | \(Sanitizer.tableCell(i.location))\(i.note.map { "<br>" + Sanitizer.tableCell($0) } ?? "") | \(i.sha256.map { "`\($0)`" } ?? "reference") | \(i.size.map { "\($0) B" } ?? "—") | \(zone.human(i.collectedAt)) by \(Sanitizer.tableCell(i.collectedBy)) | \(custody) |")
        }
        return rows.joined(separator: "\n")
    }

    static func preventiveActions(_ r: IncidentRecord, zone: ZoneRules) -> String {
        let items = ActionItems.items(in: r).filter { $0.term == .long }
        if items.isEmpty { return "_No long-term preventive actions recorded (`incident action add ... --term long`)._" }
        return items.map { "- \(Sanitizer.markdownInline($0.text)) — \($0.owner.map(Sanitizer.markdownInline) ?? "**no owner**"), due \($0.dueAt.map { zone.human($0) } ?? "**no date**") (\($0.id), \($0.status.rawValue))" }.joined(separator: "\n")
    }

    static func checklistTable(_ r: IncidentRecord, runbook: Runbook) -> String {
        let items = Checklist.items(for: r.state, events: r.events, runbook: runbook)
        if items.isEmpty { return "_The runbook has no checklist._" }
        return items.map { "- [\($0.done ? "x" : " ")] \(Sanitizer.markdownInline($0.text))\($0.required ? " _(required)_" : "")" }.joined(separator: "\n")
    }
}
