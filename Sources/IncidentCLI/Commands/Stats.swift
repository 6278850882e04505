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
        let (a, b, problems) = inv.store.summariesOfBoth(runbook: snapshot, at: inv.at, active: .timers, archive: .timers)
        ProcessLifetime.keep((a, b))
        for p in problems { inv.err("warning: skipped \(p.path): \(p.reason).") }
        // Declined incidents and merged duplicates are not incidents to measure. One pass,
        // reading each summary in place (10,000 summaries are not copied into new arrays).
        var counted = 0, drills = 0
        var bySeverity: [String: Int] = [:]
        var spans: [(count: Int, total: Int64, worst: Int64?)] = Array(repeating: (0, 0, nil), count: 3)
        var breached: [String: Int] = [:]
        for list in [a, b] {
            for i in list.indices {
                guard list[i].outcome == nil, since.map({ list[i].declaredAt >= $0 }) ?? true else { continue }
                if list[i].drill { drills += 1; continue }
                counted += 1
                bySeverity[list[i].severity, default: 0] += 1
                let start = list[i].startedAt
                for (k, end) in [list[i].acknowledgedAt, list[i].containedAt, list[i].resolvedAt].enumerated() {
                    guard let end else { continue }
                    let span = start.distance(to: end) / 1000
                    spans[k].count += 1
                    spans[k].total += span
                    spans[k].worst = max(spans[k].worst ?? span, span)
                }
                for t in list[i].timers(at: inv.at) where t.state == .breached { breached[t.id, default: 0] += 1 }
            }
        }
        func measure(_ k: Int) -> Measure {
            let m = spans[k]
            return Measure(count: m.count, meanSeconds: m.count == 0 ? nil : m.total / Int64(m.count), maxSeconds: m.worst)
        }
        let report = Report(
            incidents: counted, drillsExcluded: drills, bySeverity: bySeverity,
            timeToAcknowledge: measure(0), timeToContain: measure(1), timeToResolve: measure(2),
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
        inv.out(lines.joinedLines)
        return ExitCode.success
    }
}
