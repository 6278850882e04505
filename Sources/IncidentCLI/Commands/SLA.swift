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

    static func run(_ inv: Invocation) throws -> Int32 {
        let runbook: Runbook
        var records: [IncidentRecord]
        if let id = inv.argument("ID") {
            let (record, rb) = try inv.load(id)
            (records, runbook) = ([record], rb)
        } else {
            runbook = try inv.runbook()
            let (active, problems) = inv.store.loadActive()
            for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
            records = active.filter { !inv.atGiven || $0.state.declaredAt <= inv.at }
            records.sort { runbook.levelRank(id: $0.state.severity) < runbook.levelRank(id: $1.state.severity) || ($0.state.severity == $1.state.severity && $0.id < $1.id) }
        }
        let time = try inv.businessTime(runbook)
        let evaluated = records.map { ($0, SLAEngine.evaluate($0, runbook: runbook, time: time, at: inv.at, asOf: inv.atGiven)) }
        if inv.json {
            var rows: [SLARowJSON] = []
            for (r, timers) in evaluated {
                for t in timers where t.isStarted {
                    rows.append(SLARowJSON(id: r.id.description, title: r.state.title, severity: r.state.severity, name: t.id,
                                           timerTitle: t.title, dueAt: t.dueAt, metAt: t.metAt, state: t.state.rawValue,
                                           missed: t.missed, remainingSeconds: t.remaining(at: inv.at).map { $0 / 1000 }))
                }
            }
            try inv.printJSON(rows)
            return ExitCode.success
        }
        if records.isEmpty {
            inv.out("No active incidents.")
            return ExitCode.success
        }
        var lines: [String] = []
        for (r, timers) in evaluated {
            if !lines.isEmpty { lines.append("") }
            lines.append("\(inv.style.bold(r.id.description)) \(inv.safe(r.state.title)) [\(inv.levelTitle(r.state.severity, runbook)), \(r.state.status.rawValue)]")
            let missing = r.state.status == .closed ? [] : SLAEngine.missingRoles(r.state, runbook: runbook)
            if !missing.isEmpty {
                lines.append("  " + inv.style.red("Missing roles: ") + missing.map { inv.roleTitle($0, runbook) }.joined(separator: ", "))
            }
            let owed = Checklist.owedNotifications(r, runbook: runbook)
            if !owed.isEmpty { lines.append("  " + inv.style.red("Missing: ") + inv.describeOwed(owed, r.id)) }
            lines += timers.isEmpty ? ["  no timers at this severity"] : inv.timerLines(timers)
            if let m = SLAEngine.monitoring(r.state, runbook: runbook, time: time) {
                lines.append("  " + inv.monitoringLine(m, closed: r.state.status == .closed))
            }
        }
        inv.out(lines.joined(separator: "\n"))
        return ExitCode.success
    }
}
