import IncidentKit

enum StatsCommand {
    static let spec = CommandSpec(
        path: ["stats"],
        aliases: ["metrics"],
        summary: "Incident metrics: counts by severity, mean and worst time to acknowledge, contain and resolve, SLA breaches. Drills, declined incidents and merged duplicates are left out.",
        options: [OptionSpec(name: "since", value: "TIME", help: "Only incidents declared at or after TIME.")],
        examples: ["incident stats", "incident stats --since 2026-10-01T00:00:00Z --json"],
        run: run)

    struct Measure: Encodable { var count: Int; var meanSeconds: Int64?; var maxSeconds: Int64? }
    struct Report: Encodable {
        var incidents: Int; var drillsExcluded: Int; var bySeverity: [String: Int]
        var timeToAcknowledge: Measure; var timeToContain: Measure; var timeToResolve: Measure
        var breachedTimers: [String: Int]
    }

    static func run(_ inv: Invocation) throws -> Int32 {
        let snapshot = try inv.runbookSnapshot()
        let runbook = snapshot.runbook
        let since = try inv.time("since")
        // From the derived summaries: no incident file is decoded unless it changed.
        let (a, pa) = inv.store.summaries(.active, runbook: snapshot, at: inv.at, detail: .timers)
        let (b, pb) = inv.store.summaries(.archive, runbook: snapshot, at: inv.at, detail: .timers)
        for p in pa + pb { inv.err("warning: skipped \(p.path): \(p.reason).") }
        // Declined incidents and merged duplicates are not incidents to measure.
        let all = (a + b).filter { s in (since.map { s.declaredAt >= $0 } ?? true) && s.outcome == nil }
        let real = all.filter { !$0.drill }
        func measure(_ pick: (IncidentSummary) -> Timestamp?) -> Measure {
            let spans = real.compactMap { s in pick(s).map { s.startedAt.distance(to: $0) / 1000 } }
            return Measure(count: spans.count, meanSeconds: spans.isEmpty ? nil : spans.reduce(0, +) / Int64(spans.count), maxSeconds: spans.max())
        }
        var breached: [String: Int] = [:]
        for s in real {
            for t in s.timers(at: inv.at) where t.state == .breached { breached[t.id, default: 0] += 1 }
        }
        let report = Report(
            incidents: real.count, drillsExcluded: all.count - real.count,
            bySeverity: Dictionary(grouping: real, by: \.severity).mapValues(\.count),
            timeToAcknowledge: measure(\.acknowledgedAt), timeToContain: measure(\.containedAt), timeToResolve: measure(\.resolvedAt),
            breachedTimers: breached)
        if inv.json { try inv.printJSON(report); return ExitCode.success }
        func show(_ m: Measure) -> String {
            guard let mean = m.meanSeconds, let worst = m.maxSeconds else { return "—" }
            return "mean \(formatSpan(milliseconds: mean * 1000)), worst \(formatSpan(milliseconds: worst * 1000)) (\(m.count) incidents)"
        }
        var lines = ["\(report.incidents) incidents\(report.drillsExcluded > 0 ? " (\(report.drillsExcluded) drills left out)" : "")"]
        for level in runbook.levels where report.bySeverity[level.id] != nil {
            lines.append("  \(level.title.padding(16)) \(report.bySeverity[level.id]!)")
        }
        lines.append("From impact start:")
        lines.append("  to acknowledge  " + show(report.timeToAcknowledge))
        lines.append("  to contain      " + show(report.timeToContain))
        lines.append("  to resolve      " + show(report.timeToResolve))
        if !breached.isEmpty {
            lines.append("Breached timers: " + breached.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        }
        inv.out(lines.joined(separator: "\n"))
        return ExitCode.success
    }
}
