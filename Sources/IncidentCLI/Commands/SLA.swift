import IncidentKit

enum SLACommand {
    static let spec = CommandSpec(
        path: ["sla"],
        aliases: ["timers"],
        summary: "Every timer of one incident, or of all active incidents: overdue first.",
        discussion: "State is pending, met or breached; a cadence timer (status updates) restarts at each comms entry. With --at, answers 'what was overdue at that moment?' using only what had happened by then.",
        arguments: [ArgumentSpec(name: "ID", help: "One incident (default: all active).", optional: true),
                    ArgumentSpec(name: "DURATION", help: "The window of --fail-on due-within.", optional: true)],
        options: [OptionSpec(name: "fail-on", value: "WHAT", help: "For schedulers: 'breached' or 'due-within DURATION'. Prints only the running timers that are breached (or due within DURATION, breached ones included) and exits \(ExitCode.slaAlert) if there are any, 0 if none.")],
        examples: ["incident sla", "incident sla 42", "incident sla --at 14:00 --json",
                   "incident sla --fail-on breached || notify-send 'incident: SLA breached'",
                   "incident sla --fail-on due-within 30m"],
        run: run)

    enum FailOn { case breached, dueWithin(Int64) }

    /// `--fail-on breached` / `--fail-on due-within 30m` (also `due-within=30m`). The
    /// window may arrive as the next word, which the parser hands over as a positional.
    static func failOn(_ inv: Invocation) throws -> (FailOn?, String?) {
        var id = inv.argument("ID")
        guard let raw = inv.option("fail-on") else {
            if let extra = inv.argument("DURATION") {
                throw UsageError("Unexpected argument '\(inv.safe(extra))' for 'incident sla'.", command: "sla")
            }
            return (nil, id)
        }
        let value = raw.lowercased()
        if value == "breached" {
            if let extra = inv.argument("DURATION") { throw UsageError("Unexpected argument '\(inv.safe(extra))' for 'incident sla'.", command: "sla") }
            return (.breached, id)
        }
        var window: String?
        if value.hasPrefix("due-within=") || value.hasPrefix("due-within:") {
            window = String(value.dropFirst("due-within=".count))
        } else if value == "due-within" {
            if let d = inv.argument("DURATION") { window = d } else { window = id; id = nil }
        } else {
            throw UsageError("--fail-on takes 'breached' or 'due-within DURATION' (not '\(inv.safe(raw))').", command: "sla")
        }
        guard let w = window, let ms = parseSpan(w), ms <= 365 * 86_400_000 else {
            throw UsageError("--fail-on due-within needs a DURATION such as 30m or 2h\(window.map { " (not '\(inv.safe($0))')" } ?? "").", command: "sla")
        }
        return (.dueWithin(ms), id)
    }

    static func run(_ inv: Invocation) throws -> Int32 {
        let (failOn, idArgument) = try failOn(inv)
        let runbook: Runbook
        var records: [IncidentRecord]
        if let id = idArgument {
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
        var evaluated = records.map { ($0, SLAEngine.evaluate($0, runbook: runbook, time: time, at: inv.at, asOf: inv.atGiven)) }
        if let failOn {
            // Only running timers count: one met late is history, not an alert.
            func alerting(_ t: TimerStatus) -> Bool {
                guard t.isStarted, !t.finished, let left = t.remaining(at: inv.at) else { return false }
                switch failOn {
                case .breached: return left < 0
                case let .dueWithin(window): return left <= window
                }
            }
            evaluated = evaluated.filter { $0.0.state.status != .closed }.map { ($0.0, $0.1.filter(alerting)) }.filter { !$0.1.isEmpty }
        }
        let alertStatus = failOn != nil && !evaluated.isEmpty ? ExitCode.slaAlert : ExitCode.success
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
            return alertStatus
        }
        if failOn != nil && evaluated.isEmpty { return ExitCode.success }
        if records.isEmpty {
            inv.out("No active incidents.")
            return ExitCode.success
        }
        var lines: [String] = []
        for (r, timers) in evaluated {
            if !lines.isEmpty { lines.append("") }
            lines.append("\(inv.style.bold(r.id.description)) \(inv.safe(r.state.title)) [\(inv.levelTitle(r.state.severity, runbook)), \(r.state.status.rawValue)]")
            let missing = r.state.status == .closed || failOn != nil ? [] : SLAEngine.missingRoles(r.state, runbook: runbook)
            if !missing.isEmpty {
                lines.append("  " + inv.style.red("Missing roles: ") + missing.map { inv.roleTitle($0, runbook) }.joined(separator: ", "))
            }
            let owed = failOn != nil ? [] : Checklist.owedNotifications(r, runbook: runbook)
            if !owed.isEmpty { lines.append("  " + inv.style.red("Missing: ") + inv.describeOwed(owed, r.id)) }
            lines += timers.isEmpty ? ["  no timers at this severity"] : inv.timerLines(timers)
            if failOn == nil, let m = SLAEngine.monitoring(r.state, runbook: runbook, time: time) {
                lines.append("  " + inv.monitoringLine(m, closed: r.state.status == .closed))
            }
        }
        inv.out(lines.joined(separator: "\n"))
        return alertStatus
    }
}
