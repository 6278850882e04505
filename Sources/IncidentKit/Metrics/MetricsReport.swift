/// `incident report`: figures over a window of incidents, for people who chart them.
///
/// Definitions (also in the README):
/// - An incident is in the window when it was declared at or after `since` and before `until`.
/// - Drills, declined incidents and duplicates are counted separately and left out of every figure.
/// - Time to acknowledge / contain / resolve is measured twice: from the impact start
///   (`--started-at`, else the declaration) and from the declaration, to the first time the
///   milestone was reached (containment implies acknowledgement; resolution implies both);
///   resolution is the one that stands (after a reopen, the later one).
///   Incidents that have not reached it by the evaluation time are left out of that measure
///   (`n` says how many were measured). Negative spans (back-filled milestones) count as 0.
/// - mean; median (the middle value, or the mean of the two middle values); p90 is the
///   nearest-rank 90th percentile (the ⌈0.9·n⌉-th smallest); worst is the largest.
/// - A timer's breach rate is breached ÷ started over the incidents where the timer started:
///   a one-off timer is breached when met late or still running past its deadline; a cadence
///   when it missed at least one update.
/// - Action items: those of the incidents in the window that are open at the evaluation
///   time, and those of them past their due date.
/// - The evaluation time is `until` when given (and not later than `now`), else `now`.
public struct MetricsReport: Encodable, Sendable {
    public struct Summary: Encodable, Sendable, Equatable {
        public var n: Int
        public var meanSeconds: Int64?
        public var medianSeconds: Int64?
        public var p90Seconds: Int64?
        public var worstSeconds: Int64?

        public init(_ values: [Int64]) {
            let v = values.sorted()
            n = v.count
            guard !v.isEmpty else { return }
            meanSeconds = v.reduce(0, +) / Int64(v.count)
            medianSeconds = v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
            let rank = Int((Double(v.count) * 0.9).rounded(.up))
            p90Seconds = v[max(0, min(v.count, rank) - 1)]
            worstSeconds = v.last
        }
    }

    public struct Measure: Encodable, Sendable, Equatable {
        public var fromImpactStart: Summary
        public var fromDeclaration: Summary
    }

    public struct TimerRate: Encodable, Sendable, Equatable {
        public var name: String
        public var title: String
        public var started: Int
        public var breached: Int
        /// breached ÷ started, nil when none started.
        public var rate: Double?
    }

    public struct Figures: Encodable, Sendable {
        public var key: String
        public var title: String
        public var incidents: Int
        public var timeToAcknowledge: Measure
        public var timeToContain: Measure
        public var timeToResolve: Measure
        public var timers: [TimerRate]
        public var openActionItems: Int
        public var overdueActionItems: Int
    }

    public struct Excluded: Encodable, Sendable, Equatable {
        public var drills: Int
        public var declined: Int
        public var duplicates: Int
    }

    public var since: Timestamp?
    public var until: Timestamp?
    public var evaluatedAt: Timestamp
    public var by: String?
    public var excluded: Excluded
    public var overall: Figures
    public var groups: [Figures]

    public enum Grouping: String, Sendable, CaseIterable { case severity, type, month }

    public static func build(_ all: [IncidentRecord], runbook: Runbook, time: BusinessTime, since: Timestamp?, until: Timestamp?,
                             now: Timestamp, by: Grouping?) -> MetricsReport {
        let evaluatedAt = until.map { min($0, now) } ?? now
        let inWindow = all.filter { r in
            (since.map { r.state.declaredAt >= $0 } ?? true) && (until.map { r.state.declaredAt < $0 } ?? true)
        }
        var excluded = Excluded(drills: 0, declined: 0, duplicates: 0)
        var counted: [IncidentRecord] = []
        for r in inWindow {
            switch r.exclusion {
            case "drill": excluded.drills += 1
            case "declined": excluded.declined += 1
            case "duplicate": excluded.duplicates += 1
            case nil: counted.append(r)
            default: excluded.duplicates += 1
            }
        }
        let overall = figures(counted, key: "all", title: "All incidents", runbook: runbook, time: time, at: evaluatedAt)
        var groups: [Figures] = []
        if let by {
            var keyed: [String: [IncidentRecord]] = [:]
            for r in counted {
                let key: String
                switch by {
                case .severity: key = r.state.severity
                case .type: key = r.state.type ?? "none"
                case .month: key = String(r.state.declaredAt.iso8601.prefix(7))
                }
                keyed[key, default: []].append(r)
            }
            let keys: [String]
            switch by {
            case .severity: keys = keyed.keys.sorted { runbook.levelRank(id: $0) < runbook.levelRank(id: $1) }
            default: keys = keyed.keys.sorted()
            }
            for key in keys {
                let title: String
                switch by {
                case .severity: title = runbook.level(id: key)?.title ?? key
                case .type: title = key == "none" ? "No type" : runbook.incidentType(id: key)?.title ?? key
                case .month: title = key
                }
                groups.append(figures(keyed[key] ?? [], key: key, title: title, runbook: runbook, time: time, at: evaluatedAt))
            }
        }
        return MetricsReport(since: since, until: until, evaluatedAt: evaluatedAt, by: by?.rawValue, excluded: excluded,
                             overall: overall, groups: groups)
    }

    static func figures(_ records: [IncidentRecord], key: String, title: String, runbook: Runbook, time: BusinessTime, at: Timestamp) -> Figures {
        func measure(_ pick: (IncidentState) -> Timestamp?) -> Measure {
            var fromStart: [Int64] = []
            var fromDeclared: [Int64] = []
            for r in records {
                let s = (try? IncidentState.derive(id: r.id, events: r.events, asOf: at)) ?? r.state
                guard let t = pick(s), t <= at else { continue }
                fromStart.append(max(0, s.startedAt.distance(to: t) / 1000))
                fromDeclared.append(max(0, s.declaredAt.distance(to: t) / 1000))
            }
            return Measure(fromImpactStart: Summary(fromStart), fromDeclaration: Summary(fromDeclared))
        }
        var started: [String: Int] = [:]
        var breached: [String: Int] = [:]
        var open = 0, overdue = 0
        for r in records {
            for t in SLAEngine.evaluate(r, runbook: runbook, time: time, at: at, asOf: true) where t.isStarted {
                started[t.id, default: 0] += 1
                // A cadence is breached once it missed an update, even while the next one is not yet due.
                if t.state == .breached || (t.repeats && t.missed > 0) { breached[t.id, default: 0] += 1 }
            }
            for item in ActionItems.items(in: r) where item.createdAt <= at && (item.doneAt.map { $0 > at } ?? true) {
                open += 1
                if let due = item.dueAt, due < at { overdue += 1 }
            }
        }
        let timers = runbook.timers.compactMap { spec -> TimerRate? in
            let s = started[spec.id] ?? 0
            guard s > 0 else { return nil }
            let b = breached[spec.id] ?? 0
            return TimerRate(name: spec.id, title: spec.title, started: s, breached: b, rate: Double(b) / Double(s))
        }
        return Figures(key: key, title: title, incidents: records.count,
                       timeToAcknowledge: measure(\.acknowledgedAt), timeToContain: measure(\.containedAt),
                       timeToResolve: measure(\.resolvedAt), timers: timers, openActionItems: open, overdueActionItems: overdue)
    }
}

// MARK: Renderings

extension MetricsReport {
    /// A horizontal bar of `width` cells, in eighths of a cell (Unicode block elements).
    public static func bar(_ value: Double, max: Double, width: Int) -> String {
        guard max > 0, value > 0, value.isFinite else { return "" }
        let eighths = Int((value / max * Double(width) * 8).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let full = Swift.min(eighths / 8, width)
        var s = String(repeating: "█", count: full)
        if full < width { s += partials[eighths % 8] }
        if s.isEmpty { s = "▏" }
        return s
    }

    static func span(_ seconds: Int64?) -> String { seconds.map { formatSpan(milliseconds: $0 * 1000) } ?? "—" }

    /// The terminal rendering, with bar charts.
    public func text(runbook: Runbook) -> String {
        var lines: [String] = []
        let window = "from \(since.map { $0.humanUTC } ?? "the first") to \(until.map { $0.humanUTC } ?? "now")"
        lines.append("Incidents declared \(window): \(overall.incidents)")
        let ex = excluded
        if ex.drills + ex.declined + ex.duplicates > 0 {
            lines.append("  left out of every figure: \(ex.drills) drill\(ex.drills == 1 ? "" : "s"), \(ex.declined) declined, \(ex.duplicates) duplicate\(ex.duplicates == 1 ? "" : "s")")
        }
        let rows = groups.isEmpty ? [overall] : groups
        func chart(_ heading: String, _ items: [(String, Double, String)]) {
            lines.append("")
            lines.append(heading)
            let labelWidth = (items.map { $0.0.count }.max() ?? 4) + 2
            let top = items.map(\.1).max() ?? 0
            for (label, value, shown) in items {
                let b = MetricsReport.bar(value, max: top, width: 30)
                lines.append("  " + label.padded(labelWidth) + b.padded(31) + shown)
            }
        }
        if !groups.isEmpty {
            chart("Incidents by \(by ?? "group")", groups.map { ($0.title, Double($0.incidents), String($0.incidents)) })
            chart("Median time to resolve, from impact start", groups.map {
                ($0.title, Double($0.timeToResolve.fromImpactStart.medianSeconds ?? 0), MetricsReport.span($0.timeToResolve.fromImpactStart.medianSeconds))
            })
        }
        lines.append("")
        lines.append("Time to …                      n   mean      median    p90       worst")
        for f in rows {
            if !groups.isEmpty { lines.append("  \(f.title)") }
            for (name, m) in [("acknowledge", f.timeToAcknowledge), ("contain", f.timeToContain), ("resolve", f.timeToResolve)] {
                for (from, s) in [("from impact", m.fromImpactStart), ("from declared", m.fromDeclaration)] {
                    let label = "  \(name) \(from)".padded(30)
                    lines.append(label + String(s.n).leftPadded(3) + "   " + [s.meanSeconds, s.medianSeconds, s.p90Seconds, s.worstSeconds].map { MetricsReport.span($0).padded(10) }.joined())
                }
            }
        }
        if !overall.timers.isEmpty {
            chart("SLA breach rate (breached of started)", overall.timers.map {
                ($0.title, ($0.rate ?? 0) * 100, "\(Int((($0.rate ?? 0) * 100).rounded()))% (\($0.breached) of \($0.started))")
            })
        }
        lines.append("")
        lines.append("Action items: \(overall.openActionItems) open, \(overall.overdueActionItems) overdue")
        return lines.joined(separator: "\n")
    }

    /// RFC 4180 CSV: one row for all incidents, then one per group. Cells are quoted when
    /// needed, and a cell that a spreadsheet would read as a formula is prefixed with '.
    public func csv(runbook: Runbook) -> String {
        var header = ["group", "title", "incidents"]
        for m in ["acknowledge", "contain", "resolve"] {
            for from in ["impact", "declared"] {
                for stat in ["n", "mean_s", "median_s", "p90_s", "worst_s"] { header.append("\(m)_from_\(from)_\(stat)") }
            }
        }
        for t in runbook.timers { header += ["\(t.id)_started", "\(t.id)_breached"] }
        header += ["open_action_items", "overdue_action_items", "excluded_drills", "excluded_declined", "excluded_duplicates"]
        var rows = [header]
        for f in [overall] + groups {
            var row = [f.key, f.title, String(f.incidents)]
            for m in [f.timeToAcknowledge, f.timeToContain, f.timeToResolve] {
                for s in [m.fromImpactStart, m.fromDeclaration] {
                    row += [String(s.n)] + [s.meanSeconds, s.medianSeconds, s.p90Seconds, s.worstSeconds].map { $0.map(String.init) ?? "" }
                }
            }
            for t in runbook.timers {
                let rate = f.timers.first { $0.name == t.id }
                row += [String(rate?.started ?? 0), String(rate?.breached ?? 0)]
            }
            row += [String(f.openActionItems), String(f.overdueActionItems)]
            row += f.key == "all" ? [String(excluded.drills), String(excluded.declined), String(excluded.duplicates)] : ["", "", ""]
            rows.append(row)
        }
        return rows.map { $0.map(MetricsReport.csvCell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvCell(_ s: String) -> String {
        var v = s
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Int(v) == nil { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    /// A self-contained page with inline SVG bar charts (no JavaScript).
    public func html(runbook: Runbook) -> String {
        let e = HTML.escape
        var body = "<h1>Incident report</h1>\n"
        body += "<p class=\"muted\">Incidents declared \(e(since?.humanUTC ?? "from the beginning")) → \(e(until?.humanUTC ?? "now")), evaluated \(e(evaluatedAt.humanUTC)).</p>\n"
        body += "<p><span class=\"badge\" id=\"count\">\(overall.incidents) incidents</span>"
        body += "<span class=\"badge\">left out: \(excluded.drills) drills, \(excluded.declined) declined, \(excluded.duplicates) duplicates</span>"
        body += "<span class=\"badge\">\(overall.openActionItems) open action items, \(overall.overdueActionItems) overdue</span></p>\n"
        let rows = groups.isEmpty ? [overall] : groups
        if !groups.isEmpty {
            body += "<section><h2>Incidents by \(e(by ?? "group"))</h2>\n"
            body += MetricsReport.svgBars(groups.map { ($0.title, Double($0.incidents), String($0.incidents)) }, id: "chart-count", color: "#1f5fbf")
            body += "</section>\n<section><h2>Median time to resolve, from impact start</h2>\n"
            body += MetricsReport.svgBars(groups.map { ($0.title, Double($0.timeToResolve.fromImpactStart.medianSeconds ?? 0), MetricsReport.span($0.timeToResolve.fromImpactStart.medianSeconds)) }, id: "chart-resolve", color: "#b26a00")
            body += "</section>\n"
        }
        if !overall.timers.isEmpty {
            body += "<section><h2>SLA breach rate</h2>\n"
            body += MetricsReport.svgBars(overall.timers.map { ($0.title, ($0.rate ?? 0) * 100, "\(Int((($0.rate ?? 0) * 100).rounded()))% (\($0.breached)/\($0.started))") }, id: "chart-breach", color: "#c62828", max: 100)
            body += "</section>\n"
        }
        body += "<section><h2>Time to acknowledge, contain and resolve</h2>\n<table><tr><th>Group</th><th>Measure</th><th>n</th><th>mean</th><th>median</th><th>p90</th><th>worst</th></tr>\n"
        for f in rows {
            for (name, m) in [("acknowledge", f.timeToAcknowledge), ("contain", f.timeToContain), ("resolve", f.timeToResolve)] {
                for (from, s) in [("from impact start", m.fromImpactStart), ("from declaration", m.fromDeclaration)] {
                    body += "<tr><td>\(e(f.title))</td><td>\(e(name)) \(e(from))</td><td>\(s.n)</td>"
                    body += [s.meanSeconds, s.medianSeconds, s.p90Seconds, s.worstSeconds].map { "<td>\(e(MetricsReport.span($0)))</td>" }.joined()
                    body += "</tr>\n"
                }
            }
        }
        body += "</table>\n<p class=\"muted\">Measured from the impact start and from the declaration to the first time the milestone was reached; incidents that have not reached it are left out (n). p90 is the nearest-rank 90th percentile.</p></section>\n"
        body += "<footer>Generated by incident. Times are UTC.</footer>\n"
        return HTML.page(title: "Incident report", css: "svg.bars { display: block; margin: 6px 0 12px; }", body: body)
    }

    static func svgBars(_ items: [(String, Double, String)], id: String, color: String, max fixedMax: Double? = nil) -> String {
        let e = HTML.escape
        let rowHeight = 26, labelWidth = 220, barWidth = 520
        let top = fixedMax ?? (items.map(\.1).max() ?? 0)
        var s = "<svg class=\"bars\" id=\"\(id)\" viewBox=\"0 0 900 \(items.count * rowHeight + 8)\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for (i, item) in items.enumerated() {
            let y = i * rowHeight + 4
            let w = top > 0 ? Swift.max(item.1 > 0 ? 2 : 0, Int((item.1 / top * Double(barWidth)).rounded())) : 0
            s += "<g class=\"bar\"><text x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" font-size=\"13\" text-anchor=\"end\" fill=\"#1d2330\">\(e(String(item.0.prefix(40))))</text>"
            s += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"18\" rx=\"3\" fill=\"\(color)\"><title>\(e(item.0)): \(e(item.2))</title></rect>"
            s += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 16)\" font-size=\"12\" fill=\"#5b6475\">\(e(item.2))</text></g>\n"
        }
        return s + "</svg>\n"
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
