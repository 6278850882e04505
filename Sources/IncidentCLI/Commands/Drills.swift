import IncidentKit

enum DrillsCommand {
    static let spec = CommandSpec(
        path: ["drills"],
        summary: "Drills (declared with --drill): dates and outcomes, and when the runbook's next drill is due.",
        discussion: "Drills are marked as drills everywhere ('list' shows them with '(drill)'; 'list --no-drills' hides them) and are left out of 'incident stats'. The runbook's 'drills' section says how often each kind is due (monthly, quarterly, yearly).",
        examples: ["incident declare \"Q4 tabletop: region failover\" --severity high --drill", "incident drills", "incident drills --json"],
        run: run)

    struct DrillJSON: Encodable {
        var id: String; var title: String; var severity: String; var status: String
        var declaredAt: Timestamp; var resolvedAt: Timestamp?; var outcome: String?
    }
    struct ScheduleJSON: Encodable {
        var drill: String; var title: String; var every: String; var level: String?
        var lastAt: Timestamp?; var nextDueAt: Timestamp; var overdue: Bool
    }
    struct ReportJSON: Encodable { var drills: [DrillJSON]; var schedule: [ScheduleJSON] }

    static func run(_ inv: Invocation) throws -> Int32 {
        let runbook = try inv.runbook()
        let (a, pa) = inv.store.loadActive()
        let (b, pb) = inv.store.loadArchived()
        for p in pa + pb { inv.err("warning: skipped \(p.path): \(p.reason).") }
        let drills = (a + b).filter(\.state.drill).sorted { $0.state.declaredAt < $1.state.declaredAt }
        let rows = drills.map { r in
            DrillJSON(id: r.id.description, title: r.state.title, severity: r.state.severity, status: r.state.status.rawValue,
                      declaredAt: r.state.declaredAt, resolvedAt: r.state.resolvedAt,
                      outcome: r.state.outcome == .declined ? "declined: " + (r.state.outcomeReason ?? "not held") : r.state.resolutionSummary)
        }
        let schedule = (runbook.drills ?? []).map { spec -> ScheduleJSON in
            // A declined drill (cancelled) was not held: it does not reset the schedule.
            let matching = drills.filter { (spec.level == nil || $0.state.severity == spec.level) && $0.state.outcome != .declined }
            let last = matching.last?.state.declaredAt
            let days: Int64 = spec.every.lowercased() == "monthly" ? 30 : spec.every.lowercased() == "quarterly" ? 91 : 365
            let next = (last ?? inv.at).adding(minutes: last == nil ? 0 : days * 1440)
            return ScheduleJSON(drill: spec.id, title: spec.title, every: spec.every, level: spec.level, lastAt: last,
                                nextDueAt: next, overdue: last == nil || next < inv.at)
        }
        if inv.json { try inv.printJSON(ReportJSON(drills: rows, schedule: schedule)); return ExitCode.success }
        var lines: [String] = []
        if rows.isEmpty { lines.append("No drills recorded.") } else {
            var t = [["ID", "DATE", "SEVERITY", "STATUS", "TITLE", "OUTCOME"].map { inv.style.bold($0) }]
            for r in rows {
                t.append([r.id, String(r.declaredAt.iso8601.prefix(10)), inv.levelTitle(r.severity, runbook), r.status, inv.safe(r.title), r.outcome.map(inv.safe) ?? "—"])
            }
            lines += table(t)
        }
        if !schedule.isEmpty {
            lines.append("")
            lines.append(inv.style.bold("Schedule") + " (from the runbook)")
            for s in schedule {
                let when = s.lastAt == nil ? inv.style.red("never held: due now") : (s.overdue ? inv.style.red("OVERDUE since \(inv.human(s.nextDueAt))") : "next by \(inv.human(s.nextDueAt))")
                lines.append("  \(s.title) (\(s.every)\(s.level.map { ", \(inv.levelTitle($0, runbook))" } ?? "")): \(when)")
            }
        }
        inv.out(lines.joinedLines)
        return ExitCode.success
    }
}
