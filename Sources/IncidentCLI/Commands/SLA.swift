import IncidentKit

enum SLACommand {
    static let spec = CommandSpec(
        path: ["sla"],
        aliases: ["timers"],
        summary: "Every timer of one incident, or of all active incidents: overdue first.",
        discussion: "State is pending, met or breached; a cadence timer (status updates) restarts at each comms entry. With --at, answers 'what was overdue at that moment?' using only what had happened by then.",
        arguments: [ArgumentSpec(name: "ID", help: "One incident (default: all active).", optional: true)],
        examples: ["incident sla", "incident sla 42", "incident sla --at 14:00 --json"],
        run: run)

    /// One incident's SLA view, from its file or from its derived summary.
    struct Row {
        var id: IncidentID
        var title: String
        var severity: String
        var status: IncidentStatus
        var missingRoles: [String]
        var owed: [ChecklistEntry]
        var timers: [TimerStatus]
    }

    static func run(_ inv: Invocation) throws -> Int32 {
        let runbook: Runbook
        var rows: [Row] = []
        func row(_ r: IncidentRecord, _ runbook: Runbook) -> Row {
            Row(id: r.id, title: r.state.title, severity: r.state.severity, status: r.state.status,
                missingRoles: r.state.status == .closed ? [] : SLAEngine.missingRoles(r.state, runbook: runbook),
                owed: Checklist.owedNotifications(r, runbook: runbook),
                timers: SLAEngine.evaluate(r, runbook: runbook, at: inv.at, asOf: inv.atGiven))
        }
        if let id = inv.argument("ID") {
            let (record, rb) = try inv.load(id)
            runbook = rb
            rows = [row(record, rb)]
        } else if inv.atGiven {
            // As things stood at --at: only the full logs can say.
            runbook = try inv.runbook()
            let (active, problems) = inv.store.loadActive()
            for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
            rows = active.filter { $0.state.declaredAt <= inv.at }.map { row($0, runbook) }
        } else {
            // The derived summary of active/ carries each incident's timers as of its last
            // write; only whether an open timer has run out is re-evaluated against the clock.
            let snapshot = try inv.runbookSnapshot()
            runbook = snapshot.runbook
            let (summaries, problems) = inv.store.summaries(.active, runbook: snapshot, at: inv.at, detail: [.timers, .owedNotifications])
            for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
            rows = summaries.map { s in
                Row(id: s.id, title: s.title, severity: s.severity, status: s.status,
                    missingRoles: s.status == .closed ? [] : runbook.requiredRoles(level: s.severity, type: s.type).filter { s.roles[$0] == nil },
                    owed: s.owedNotifications, timers: s.timers(at: inv.at))
            }
        }
        if inv.argument("ID") == nil {
            rows.sort { runbook.levelRank(id: $0.severity) < runbook.levelRank(id: $1.severity) || ($0.severity == $1.severity && $0.id < $1.id) }
        }
        if inv.json {
            var out: [SLARowJSON] = []
            for r in rows {
                for t in r.timers where t.isStarted {
                    out.append(SLARowJSON(id: r.id.description, title: r.title, severity: r.severity, name: t.id,
                                          timerTitle: t.title, dueAt: t.dueAt, metAt: t.metAt, state: t.state.rawValue,
                                          missed: t.missed, remainingSeconds: t.remaining(at: inv.at).map { $0 / 1000 }))
                }
            }
            try inv.printJSON(out)
            return ExitCode.success
        }
        if rows.isEmpty {
            inv.out("No active incidents.")
            return ExitCode.success
        }
        var lines: [String] = []
        for r in rows {
            if !lines.isEmpty { lines.append("") }
            lines.append("\(inv.style.bold(r.id.description)) \(inv.safe(r.title)) [\(inv.levelTitle(r.severity, runbook)), \(r.status.rawValue)]")
            if !r.missingRoles.isEmpty {
                lines.append("  " + inv.style.red("Missing roles: ") + r.missingRoles.map { inv.roleTitle($0, runbook) }.joined(separator: ", "))
            }
            if !r.owed.isEmpty { lines.append("  " + inv.style.red("Missing: ") + inv.describeOwed(r.owed, r.id)) }
            lines += r.timers.isEmpty ? ["  no timers at this severity"] : inv.timerLines(r.timers)
        }
        inv.out(lines.joined(separator: "\n"))
        return ExitCode.success
    }
}
