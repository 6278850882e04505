import IncidentKit

enum ShowCommand {
    static let spec = CommandSpec(
        path: ["show"],
        summary: "One incident: what is overdue and missing first, then state, roles, checklist and recent entries.",
        discussion: "With --at, shows the incident as it stood at that moment.",
        arguments: [Invocation.idArgument],
        examples: ["incident show 42", "incident show INC-42 --json", "incident show 42 --at 2026-11-23T14:00:00Z"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        let (record, runbook) = try inv.load(inv.required("ID"))
        if inv.json {
            try inv.printJSON(IncidentJSON(record, runbook: runbook, time: try inv.businessTime(runbook), now: inv.at, asOf: inv.atGiven))
            return ExitCode.success
        }
        if let notYet = inv.notDeclaredYet(record) {
            // Nothing to show as of then (list --at and sla --at leave it out too).
            inv.out(notYet)
            return ExitCode.success
        }
        let s = inv.atGiven ? try IncidentState.derive(id: record.id, events: record.events, asOf: inv.at) : record.state
        let st = inv.style
        var lines: [String] = []
        if let notice = inv.outcomeNotice(record) { lines.append(st.yellow(notice)); lines.append("") }
        lines.append("\(st.bold(record.id.description))  \(inv.safe(s.title))\(s.drill ? "  " + st.yellow("[DRILL]") : "")")
        lines.append("  \(inv.levelTitle(s.severity, runbook)) · \(s.status.rawValue) · phase \(inv.phaseTitle(s.phase, runbook))"
                     + (s.type.map { " · type \(runbook.incidentType(id: $0)?.title ?? $0)" } ?? ""))
        if let summary = s.summary { lines.append("  " + inv.safe(summary)) }
        if let p = s.publicTitle { lines.append("  Public title: " + inv.safe(p)) }
        let timers = SLAEngine.evaluate(record, runbook: runbook, time: try inv.businessTime(runbook), at: inv.at, asOf: inv.atGiven)
        let monitoring = SLAEngine.monitoring(s, runbook: runbook, time: try inv.businessTime(runbook))
        let missing = s.status == .closed ? [] : SLAEngine.missingRoles(s, runbook: runbook)
        if !missing.isEmpty {
            lines.append("  " + st.red("Missing roles: ") + missing.map { inv.roleTitle($0, runbook) }.joined(separator: ", "))
        }
        let owed = Checklist.owedNotifications(record, state: s, runbook: runbook)
        if !owed.isEmpty { lines.append("  " + st.red("Missing: ") + inv.describeOwed(owed, record.id)) }
        if !timers.isEmpty {
            lines.append("")
            lines.append(st.bold("Timers") + " (at \(inv.human(inv.at)))")
            lines += inv.timerLines(timers)
        }
        if let monitoring {
            lines.append("")
            lines.append("  " + inv.monitoringLine(monitoring, closed: s.status == .closed))
        }
        lines.append("")
        lines.append(st.bold("Milestones"))
        var milestoneRows: [[String]] = [["  impact started", inv.human(s.startedAt)], ["  declared", inv.human(s.declaredAt)]]
        for (name, t) in [("acknowledged", s.acknowledgedAt), ("contained", s.containedAt), ("resolved", s.resolvedAt), ("closed", s.closedAt), ("postmortem", s.postmortemPublishedAt)] {
            if let t { milestoneRows.append(["  \(name)", inv.human(t) + "  (+\(formatSpan(milliseconds: s.startedAt.distance(to: t))) from impact)"]) }
        }
        lines += table(milestoneRows)
        lines.append("")
        lines.append(st.bold("Roles"))
        let required = Set(runbook.requiredRoles(level: s.severity, type: s.type))
        var roleRows: [[String]] = []
        for role in runbook.roles {
            if let names = s.contestedRoles?[role.id] {
                let holder = s.roles[role.id].map(inv.safe) ?? "nobody"
                roleRows.append(["  " + role.title, holder + st.yellow("  (contested: " + names.map(inv.safe).joined(separator: " and ") + " were assigned at the same time on different machines; \(holder) holds it by the latest assignment — reassign to settle it)")])
            } else if let who = s.roles[role.id] { roleRows.append(["  " + role.title, inv.safe(who)]) }
            else if required.contains(role.id) { roleRows.append(["  " + role.title, st.red("unstaffed (required)")]) }
        }
        lines += roleRows.isEmpty ? ["  none assigned"] : table(roleRows)
        let checklist = Checklist.items(for: s, events: inv.atGiven ? record.events.filter { $0.at <= inv.at } : record.events, runbook: runbook)
        if !checklist.isEmpty {
            let phaseItems = checklist.filter { $0.phase == s.phase }
            let done = checklist.filter(\.done).count
            lines.append("")
            lines.append(st.bold("Checklist") + " (\(done)/\(checklist.count) done; this phase:)")
            for item in phaseItems {
                lines.append("  [\(item.done ? "x" : " ")] #\(item.number) \(item.text)\(item.required ? st.yellow(" (required)") : "")")
            }
        }
        let actions = ActionItems.items(in: record)
        if !actions.isEmpty {
            lines.append("")
            lines.append(st.bold("Action items"))
            for a in actions {
                let flag = a.owner == nil || a.dueAt == nil ? st.red(" (needs owner and due date)") : (a.isOverdue(at: inv.at) ? st.red(" OVERDUE") : "")
                lines.append("  \(a.id) [\(a.status.rawValue)] \(inv.safe(a.text)) — \(a.owner.map(inv.safe) ?? "no owner"), due \(a.dueAt.map { inv.human($0) } ?? "—")\(flag)")
            }
        }
        let entries = inv.atGiven ? record.timeline.filter { $0.at <= inv.at } : record.timeline
        lines.append("")
        lines.append(st.bold("Latest entries") + " (\(entries.count) in all; 'incident timeline \(record.id)' shows every one)")
        let late = Set(s.afterClose ?? [])
        for e in entries.suffix(5) { lines.append(TimelineCommand.line(e, inv: inv, runbook: runbook, afterClose: late.contains(e.id))) }
        inv.out(lines.joinedLines)
        return ExitCode.success
    }
}
