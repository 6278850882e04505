import IncidentKit

enum ListCommand {
    static let spec = CommandSpec(
        path: ["list"],
        aliases: ["ls"],
        summary: "List incidents: active ones by default, most severe first.",
        discussion: "Active means not closed (resolved incidents stay in active/ until closed). A damaged file is reported on stderr and skipped; the rest are listed.",
        options: [
            OptionSpec(name: "all", short: "a", help: "Active and archived."),
            OptionSpec(name: "archived", help: "Archived (closed) only."),
            OptionSpec(name: "severity", short: "s", value: "LEVEL", help: "Only this severity."),
            OptionSpec(name: "phase", value: "PHASE", help: "Only this phase."),
            OptionSpec(name: "status", value: "STATUS", help: "Only active, resolved or closed."),
            OptionSpec(name: "drills", help: "Only drills."),
            OptionSpec(name: "no-drills", help: "Leave drills out."),
        ],
        examples: ["incident list", "incident list --all --severity critical", "incident list --phase contain --json"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        let runbook = try inv.runbook()
        let level = try inv.option("severity").map { try runbook.level(named: $0).id }
        let phase = try inv.option("phase").map { try runbook.phase(named: $0).id }
        let status = try inv.option("status").map { text -> IncidentStatus in
            guard let s = IncidentStatus(rawValue: text.lowercased()) else {
                throw UsageError("Unknown status '\(text)'; use active, resolved or closed.")
            }
            return s
        }
        if inv.flag("all") && inv.flag("archived") { throw UsageError("Give --all or --archived, not both.") }
        var records: [IncidentRecord] = []
        var problems: [StoreProblem] = []
        if !inv.flag("archived") { let (r, p) = inv.store.loadActive(); records += r; problems += p }
        if inv.flag("all") || inv.flag("archived") { let (r, p) = inv.store.loadArchived(); records += r; problems += p }
        records = records.filter { r in
            (level == nil || r.state.severity == level) && (phase == nil || r.state.phase == phase)
                && (status == nil || r.state.status == status)
                && (!inv.flag("drills") || r.state.drill) && (!inv.flag("no-drills") || !r.state.drill)
        }
        records.sort { a, b in
            let ra = runbook.levelRank(id: a.state.severity), rb = runbook.levelRank(id: b.state.severity)
            if (a.state.status == .closed) != (b.state.status == .closed) { return b.state.status == .closed }
            return ra != rb ? ra < rb : a.id < b.id
        }
        for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
        let evaluated = records.map { r in (r, SLAEngine.evaluate(r, runbook: runbook, at: inv.at, asOf: inv.atGiven)) }
        if inv.json {
            try inv.printJSON(evaluated.map { r, timers in
                let running = r.state.status == .closed ? [] : timers.filter { $0.isStarted && !$0.finished }
                return ListItemJSON(
                    id: r.id.description, title: r.state.title, severity: r.state.severity, status: r.state.status.rawValue,
                    phase: r.state.phase, type: r.state.type, drill: r.state.drill, startedAt: r.state.startedAt,
                    declaredAt: r.state.declaredAt, acknowledgedAt: r.state.acknowledgedAt, resolvedAt: r.state.resolvedAt,
                    closedAt: r.state.closedAt, roles: r.state.roles, nextDueAt: running.compactMap(\.dueAt).min(),
                    overdue: running.filter { ($0.remaining(at: inv.at) ?? 0) < 0 }.count)
            })
            return ExitCode.success
        }
        if records.isEmpty {
            inv.out(inv.flag("archived") || inv.flag("all") ? "No incidents." : "No active incidents.")
            return ExitCode.success
        }
        var rows = [["ID", "SEVERITY", "STATUS", "PHASE", "AGE", "NEXT", "IC", "TITLE"].map { inv.style.bold($0) }]
        for (r, timers) in evaluated {
            let s = r.state
            let running = inv.urgencyOrder(timers.filter { $0.isStarted && !$0.finished })
            let next = s.status == .closed ? "—" : running.first.map { "\(inv.timerBadge($0)) \($0.title.lowercased())" } ?? "—"
            let end = s.closedAt ?? s.resolvedAt ?? inv.at
            rows.append([
                r.id.description, inv.levelTitle(s.severity, runbook), s.status.rawValue + (s.drill ? " (drill)" : ""),
                inv.phaseTitle(s.phase, runbook), formatSpan(milliseconds: max(0, s.startedAt.distance(to: end))), next,
                runbook.commanderRoleID.flatMap { s.roles[$0] }.map(inv.safe) ?? "—", inv.safe(s.title),
            ])
        }
        inv.out(table(rows).joined(separator: "\n"))
        return ExitCode.success
    }
}
