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
            OptionSpec(name: "status", value: "STATUS", help: "Only active, resolved, closed, declined or merged (the last two are left out otherwise)."),
            OptionSpec(name: "mine", help: "Only incidents where --as (or $INCIDENT_USER) holds a role or owns an open action item."),
            OptionSpec(name: "search", value: "TEXT", help: "Only incidents whose title or summary contains TEXT (ignoring case)."),
            OptionSpec(name: "drills", help: "Only drills."),
            OptionSpec(name: "no-drills", help: "Leave drills out."),
        ],
        examples: ["incident list", "incident list --all --severity critical", "incident list --phase contain --json",
                   "incident list --mine --as alice", "incident list --all --search checkout", "incident list --status declined"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        let runbook = try inv.runbook()
        let level = try inv.option("severity").map { try runbook.level(named: $0).id }
        let phase = try inv.option("phase").map { try runbook.phase(named: $0).id }
        var status: IncidentStatus?
        var outcome: IncidentOutcome?
        if let text = inv.option("status") {
            if let o = IncidentOutcome(rawValue: text.lowercased()) { outcome = o }
            else if let st = IncidentStatus(rawValue: text.lowercased()) { status = st }
            else { throw UsageError("Unknown status '\(Sanitizer.forTerminal(text))'; use active, resolved, closed, declined or merged.") }
        }
        if inv.flag("all") && inv.flag("archived") { throw UsageError("Give --all or --archived, not both.") }
        let search = try inv.option("search").map { try Actions.cleanShort($0, what: "The search text (--search)").lowercased() }
        let me = inv.flag("mine") ? try inv.author.lowercased() : nil
        // Declined and merged incidents are archived: asking for them searches the archive.
        let archivedToo = inv.flag("all") || inv.flag("archived") || outcome != nil || status == .closed
        // Active incidents are read whole (their timers run); closed ones come from the
        // archive index, which stays fast however large the archive grows.
        var rows: [(summary: IncidentSummary, timers: [TimerStatus])] = []
        var problems: [StoreProblem] = []
        if !inv.flag("archived") {
            let (records, p) = inv.store.loadActive()
            problems += p
            let time = records.isEmpty ? BusinessTime.standard : try inv.businessTime(runbook)
            rows += records.map { r in
                let timers = SLAEngine.evaluate(r, runbook: runbook, time: time, at: inv.at, asOf: inv.atGiven)
                return (IncidentSummary(r), timers.filter { $0.isStarted && !$0.finished })
            }
        }
        if archivedToo {
            let (summaries, p) = inv.store.archivedSummaries()
            problems += p
            rows += summaries.map { ($0, []) }
        }
        rows = rows.filter { row in
            let s = row.summary
            return (level == nil || s.severity == level) && (phase == nil || s.phase == phase)
                && (status == nil || s.status == status) && s.outcome == outcome
                && (!inv.flag("drills") || s.drill) && (!inv.flag("no-drills") || !s.drill)
                && (search.map { q in s.title.lowercased().contains(q) || (s.summary?.lowercased().contains(q) ?? false) } ?? true)
                && (me.map { who in s.roles.values.contains { $0.lowercased() == who } || (s.actionOwners ?? []).contains { $0.lowercased() == who } } ?? true)
        }
        rows.sort { a, b in
            let ra = runbook.levelRank(id: a.summary.severity), rb = runbook.levelRank(id: b.summary.severity)
            if (a.summary.status == .closed) != (b.summary.status == .closed) { return b.summary.status == .closed }
            return ra != rb ? ra < rb : a.summary.id < b.summary.id
        }
        for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
        if inv.json {
            try inv.printJSON(rows.map { s, running in
                ListItemJSON(
                    id: s.id.description, title: s.title, severity: s.severity, status: s.status.rawValue,
                    phase: s.phase, type: s.type, drill: s.drill, startedAt: s.startedAt,
                    declaredAt: s.declaredAt, acknowledgedAt: s.acknowledgedAt, resolvedAt: s.resolvedAt,
                    closedAt: s.closedAt, roles: s.roles, nextDueAt: running.compactMap(\.dueAt).min(),
                    overdue: running.filter { ($0.remaining(at: inv.at) ?? 0) < 0 }.count,
                    outcome: s.outcome?.rawValue, mergedInto: s.mergedInto?.description)
            })
            return ExitCode.success
        }
        if rows.isEmpty {
            inv.out(archivedToo || search != nil || me != nil ? "No incidents match." : "No active incidents.")
            return ExitCode.success
        }
        var cells = [["ID", "SEVERITY", "STATUS", "PHASE", "AGE", "NEXT", "IC", "TITLE"].map { inv.style.bold($0) }]
        for (s, running) in rows {
            let ordered = inv.urgencyOrder(running)
            let next = ordered.first.map { "\(inv.timerBadge($0)) \($0.title.lowercased())" } ?? "—"
            let end = s.closedAt ?? s.resolvedAt ?? inv.at
            cells.append([
                s.id.description, inv.levelTitle(s.severity, runbook),
                (s.outcome == .merged ? "merged → \(s.mergedInto?.description ?? "?")" : s.outcome?.rawValue ?? s.status.rawValue) + (s.drill ? " (drill)" : ""),
                inv.phaseTitle(s.phase, runbook), formatSpan(milliseconds: max(0, s.startedAt.distance(to: end))), next,
                runbook.commanderRoleID.flatMap { s.roles[$0] }.map(inv.safe) ?? "—", inv.safe(s.title),
            ])
        }
        inv.out(table(cells).joined(separator: "\n"))
        return ExitCode.success
    }
}
