import IncidentKit

enum ReportCommand {
    static let spec = CommandSpec(
        path: ["report"],
        summary: "Metrics over a window: counts, time to acknowledge/contain/resolve (mean, median, p90, worst), SLA breach rates, action items; bar charts.",
        discussion: "Incidents declared in [--since, --until). Times are measured from the impact start and from the declaration to the first time each milestone was reached; incidents that have not reached it are left out of that measure (n counts those measured). p90 is the nearest-rank 90th percentile. A timer's breach rate is breached ÷ started (a one-off timer met late or overdue, a cadence that missed an update). Drills, declined incidents and duplicates are counted separately and kept out of every figure. In a terminal the figures come with Unicode bar charts; --json, --csv (one row per group, RFC 4180) and --html (a self-contained page with inline SVG charts) are for dashboards and spreadsheets.",
        options: [
            OptionSpec(name: "since", value: "TIME", help: "Incidents declared at or after TIME."),
            OptionSpec(name: "until", value: "TIME", help: "Incidents declared before TIME (also the moment figures are evaluated at)."),
            OptionSpec(name: "by", value: "GROUP", help: "Group the figures by severity, type or month."),
            OptionSpec(name: "csv", help: "CSV on stdout (or FILE): one row for all incidents, then one per group."),
            OptionSpec(name: "html", help: "A self-contained HTML page with inline SVG bar charts."),
            OptionSpec(name: "output", short: "o", value: "FILE", help: "Write the CSV or HTML to FILE instead of stdout."),
        ],
        examples: ["incident report --since 2026-10-01T00:00:00Z --by severity",
                   "incident report --by month --csv > incidents.csv",
                   "incident report --since -90d --by type --html --output report.html",
                   "incident report --json | jq .overall.timeToResolve"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        let formats = [inv.json, inv.flag("csv"), inv.flag("html")].filter { $0 }.count
        if formats > 1 { throw UsageError("Choose one of --json, --csv and --html.", command: "report") }
        var by: MetricsReport.Grouping?
        if let text = inv.option("by") {
            guard let g = MetricsReport.Grouping(rawValue: text.lowercased()) else {
                throw UsageError("--by takes severity, type or month (not '\(inv.safe(text))').", command: "report")
            }
            by = g
        }
        let since = try inv.time("since")
        let until = try inv.time("until")
        if let since, let until, until <= since {
            throw UsageError("--until (\(until.iso8601)) must be after --since (\(since.iso8601)).", command: "report")
        }
        if inv.option("output") != nil && !inv.flag("csv") && !inv.flag("html") {
            throw UsageError("--output writes the --csv or --html form; add one of them.", command: "report")
        }
        let runbook = try inv.runbook()
        var records: [IncidentRecord] = []
        if inv.store.exists {
            let (a, pa) = inv.store.loadActive()
            let (b, pb) = inv.store.loadArchived()
            for p in pa + pb { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
            records = a + b
        }
        let report = MetricsReport.build(records, runbook: runbook, time: try inv.businessTime(runbook), since: since, until: until, now: inv.at, by: by)
        if inv.json { try inv.printJSON(report); return ExitCode.success }
        let body: String
        if inv.flag("csv") {
            body = report.csv(runbook: runbook)
        } else if inv.flag("html") {
            body = report.html(runbook: runbook)
        } else {
            inv.out(inv.safe(report.text(runbook: runbook)))
            return ExitCode.success
        }
        if let output = inv.option("output"), output != "-" {
            try writeUserFile(output, body, store: inv.store, what: "the report")
            inv.out("Wrote the report to \(inv.shownPath(output)).")
        } else {
            inv.context.stdout.write(body)
        }
        return ExitCode.success
    }
}
