import IncidentKit

enum SLACommand {
    static let spec = CommandSpec(
        path: ["sla"],
        aliases: ["timers"],
        summary: "Every timer of one incident, or of all active incidents: overdue first.",
        discussion: "State is pending, met or breached; a cadence timer (status updates) restarts at each comms entry. With --at, answers 'what was overdue at that moment?' using only what had happened by then.",
        arguments: [ArgumentSpec(name: "ID", help: "One incident (default: all active).", optional: true),
                    ArgumentSpec(name: "DURATION", help: "The window of --fail-on due-within.", optional: true)],
        options: [OptionSpec(name: "fail-on", value: "WHAT", help: "For schedulers: 'breached' or 'due-within DURATION'. Prints only the running timers that are breached (or due within DURATION, breached ones included) and exits \(ExitCode.slaAlert) if there are any, \(ExitCode.store) if none but an active incident could not be checked (an unreadable file, a severity the runbook lacks), 0 otherwise.")],
        examples: ["incident sla", "incident sla 42", "incident sla --at 14:00 --json",
                   "incident sla --fail-on breached || notify-send 'incident: SLA breached'",
                   "incident sla --fail-on due-within 30m"],
        run: run)

    enum FailOn { case breached, dueWithin(Int64) }

    /// `--fail-on breached` / `--fail-on due-within 30m` (also `due-within=30m`). The
    /// window may arrive as the next word, which the parser hands over as a positional.
    static func failOn(_ inv: Invocation) throws -> (FailOn?, String?) {
        var id = inv.argument("ID")
        // Given twice, even with the same word, the second window would be taken for an ID.
        if inv.repeatedOptions.contains("fail-on") {
            throw UsageError("The option '--fail-on' was given twice; give it once.", command: "sla")
        }
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

    /// One incident's SLA view, from its file or from its derived summary.
    struct Row {
        var id: IncidentID
        var title: String
        var severity: String
        var status: IncidentStatus
        var resolvedAt: Timestamp?
        var missingRoles: [String]
        var owed: [ChecklistEntry]
        var timers: [TimerStatus]
    }

    static func run(_ inv: Invocation) throws -> Int32 {
        let (failOn, idArgument) = try failOn(inv)
        let runbook: Runbook
        var rows: [Row] = []
        // Active incidents whose deadlines could not be checked: a file that could not be
        // read, or a severity the runbook does not define (its timers are then unknown).
        var unchecked = 0
        var time = BusinessTime.standard
        func row(_ r: IncidentRecord, _ runbook: Runbook) -> Row {
            // With --at, as the incident stood then (its status, severity and roles too).
            let state = inv.atGiven ? ((try? IncidentState.derive(id: r.id, events: r.events, asOf: inv.at)) ?? r.state) : r.state
            return Row(id: r.id, title: state.title, severity: state.severity, status: state.status, resolvedAt: state.resolvedAt,
                missingRoles: state.status == .closed ? [] : SLAEngine.missingRoles(state, runbook: runbook),
                owed: Checklist.owedNotifications(r, runbook: runbook),
                timers: SLAEngine.evaluate(r, runbook: runbook, time: time, at: inv.at, asOf: inv.atGiven))
        }
        if let id = idArgument {
            let (record, rb) = try inv.load(id)
            if let notYet = inv.notDeclaredYet(record) {
                // Nothing was due then (as sla --at leaves such an incident out of the list).
                if inv.json { try inv.printJSON([SLARowJSON]()) } else { inv.out(notYet) }
                return ExitCode.success
            }
            runbook = rb
            time = try inv.businessTime(rb)
            rows = [row(record, rb)]
        } else if inv.atGiven {
            // As things stood at --at: only the full logs can say.
            let snapshot = try inv.runbookSnapshot()
            runbook = snapshot.runbook
            time = snapshot.time
            let (active, problems) = inv.store.loadOpen(at: inv.at, runbook: snapshot)
            for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
            unchecked += problems.count
            rows = active.filter { $0.state.declaredAt <= inv.at }.map { row($0, runbook) }
        } else {
            // The derived summary of active/ carries each incident's timers as of its last
            // write; only whether an open timer has run out is re-evaluated against the clock.
            let snapshot = try inv.runbookSnapshot()
            runbook = snapshot.runbook
            time = snapshot.time
            var (summaries, problems) = inv.store.summaries(.active, runbook: snapshot, at: inv.at, detail: [.timers, .owedNotifications])
            for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
            unchecked += problems.count
            // The roles a level and type require, worked out once per pair, not per incident.
            var required = FewKeys<[String]>()
            func requiredRoles(_ s: IncidentSummary) -> [String] {
                let key = s.severity + (s.type.map { "\u{0}" + $0 } ?? "")
                return required.known(key) ?? required.remember(key, runbook.requiredRoles(level: s.severity, type: s.type))
            }
            for i in summaries.indices { summaries[i].evaluateTimers(at: inv.at) }
            rows = summaries.map { s in
                Row(id: s.id, title: s.title, severity: s.severity, status: s.status, resolvedAt: s.resolvedAt,
                    missingRoles: s.status == .closed ? [] : requiredRoles(s).filter { s.roles[$0] == nil },
                    owed: s.owedNotifications, timers: s.timers)
            }
        }
        if idArgument == nil {
            // Positions are sorted, not rows (a row carries every timer of its incident).
            let ranks = rows.map { runbook.levelRank(id: $0.severity) }
            let order = rows.indices.sorted { a, b in
                if ranks[a] != ranks[b] { return ranks[a] < ranks[b] }
                return rows[a].severity == rows[b].severity ? rows[a].id < rows[b].id : a < b
            }
            rows = order.map { rows[$0] }
        }
        for r in rows where r.status != .closed && runbook.level(id: r.severity) == nil {
            unchecked += 1
            let untracked = Store.untrackedSeverity(r.id, r.severity)
            inv.err("warning: \(untracked.problem); \(untracked.repair).")
        }
        let anyIncident = !rows.isEmpty
        if let failOn {
            // Only running timers count: one met late is history, not an alert.
            func alerting(_ t: TimerStatus) -> Bool {
                guard t.isStarted, !t.finished, let left = t.remaining(at: inv.at) else { return false }
                switch failOn {
                case .breached: return left < 0
                case let .dueWithin(window): return left <= window
                }
            }
            rows = rows.filter { $0.status != .closed }.map { r in
                var r = r
                r.timers = r.timers.filter(alerting)
                return r
            }.filter { !$0.timers.isEmpty }
        }
        // A scheduler reading only the exit status must not see "all clear" for an incident
        // it could not check: that is exit 4 (a breach found elsewhere still exits 8).
        var alertStatus = failOn != nil && !rows.isEmpty ? ExitCode.slaAlert : ExitCode.success
        if failOn != nil && rows.isEmpty && unchecked > 0 {
            alertStatus = ExitCode.store
            inv.err("incident: \(unchecked) active incident\(unchecked == 1 ? "" : "s") could not be checked (see above); --fail-on does not report \(unchecked == 1 ? "it" : "them") as within deadline.")
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
            return alertStatus
        }
        if failOn != nil && rows.isEmpty { return alertStatus }
        if !anyIncident {
            inv.out("No active incidents.")
            return ExitCode.success
        }
        // One buffer for the whole report, a line and its newline at a time.
        var text = TextBuilder(capacity: 512 * rows.count)
        func line(_ s: String) { text.add(s); text.add(byte: 0x0A) }
        for (n, r) in rows.enumerated() {
            if n > 0 { text.add(byte: 0x0A) }
            text.add(inv.style.bold(r.id.description)); text.add(byte: 0x20); text.add(inv.safe(r.title)); text.add(" [")
            text.add(inv.levelTitle(r.severity, runbook)); text.add(", "); text.add(r.status.rawValue); text.add("]\n")
            let missing = failOn != nil ? [] : r.missingRoles
            if !missing.isEmpty {
                line("  " + inv.style.red("Missing roles: ") + missing.map { inv.roleTitle($0, runbook) }.joined(separator: ", "))
            }
            let owed = failOn != nil ? [] : r.owed
            if !owed.isEmpty { line("  " + inv.style.red("Missing: ") + inv.describeOwed(owed, r.id)) }
            if r.timers.isEmpty && runbook.level(id: r.severity) == nil {
                line("  " + inv.style.red("severity '\(inv.safe(r.severity))' is not in the runbook: no deadlines are tracked"))
            } else if r.timers.isEmpty {
                line("  no timers at this severity")
            } else {
                inv.addTimerLines(r.timers, to: &text)
            }
            if failOn == nil, let m = SLAEngine.monitoring(severity: r.severity, resolvedAt: r.resolvedAt, runbook: runbook, time: time) {
                line("  " + inv.monitoringLine(m, closed: r.status == .closed))
            }
        }
        inv.outUTF8(text.bytes)
        ProcessLifetime.keep((rows, text))
        return alertStatus
    }
}
