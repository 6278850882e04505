import Dispatch
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
        // Both come from the derived summaries (active/.index, archive/.index), which are
        // checked against every file's fingerprint; --at re-reads active files to answer
        // as they stood then.
        // A runbook whose calendar cannot be used still lists closed incidents (their
        // deadlines are not shown); active ones need it.
        let snapshot: RunbookSnapshot
        var calendarError: Error?
        do { snapshot = try inv.runbookSnapshot() } catch {
            calendarError = error
            snapshot = RunbookSnapshot(runbook: runbook, time: .standard, stamp: "unusable calendar")
        }
        // Summaries and, for active incidents, their running timers, side by side; rows are
        // then picked and ordered by index (10,000 summaries are large values, not copied).
        var summaries: [IncidentSummary] = []
        var problems: [StoreProblem] = []
        // The archive first: its array is taken over as it is, and the (few) active summaries
        // are appended after it, from `activeStart` on, with their running timers beside them.
        // Both areas (list --all, and without --at): read as of one moment, so an incident
        // being closed or reopened meanwhile is not missed (see `summariesOfBoth`).
        // The table shows one timer per incident; --json counts the overdue ones.
        let timerDetail: SummaryDetail = inv.json ? .timers : .urgentTimer
        let activeDetail: SummaryDetail = me == nil ? timerDetail : [timerDetail, .actionItems]
        let archiveDetail: SummaryDetail = me == nil ? [] : .actionItems
        var both: [IncidentSummary]?
        if archivedToo && !inv.flag("archived") && !inv.atGiven {
            var read = inv.store.summariesOfBoth(runbook: snapshot, at: inv.at, active: activeDetail, archive: archiveDetail)
            problems += read.problems
            // Taken over, not shared: a second reference would make the append of the active
            // summaries below copy all ten thousand archived ones.
            swap(&summaries, &read.archive)
            both = read.active
        } else if archivedToo {
            var read = inv.store.summaries(.archive, runbook: snapshot, at: inv.at, detail: archiveDetail)
            problems += read.1
            swap(&summaries, &read.0)
        }
        // --at: the incidents open then, archived since or not; listed once, as they stood then.
        var openThen: [IncidentRecord] = []
        if inv.atGiven && !inv.flag("archived") {
            let (records, p) = inv.store.loadOpen(at: inv.at, runbook: snapshot)
            for q in p where !problems.contains(where: { $0.path == q.path }) { problems.append(q) }  // the archive's, once
            openThen = records
            if archivedToo {
                let shown = Set(records.map(\.id))
                summaries.removeAll { shown.contains($0.id) }
            }
        }
        let activeStart = summaries.count
        var running: [[TimerStatus]] = []
        if let active = both {
            if let calendarError, !active.isEmpty { throw calendarError }
            running = active.map { $0.runningTimers(at: inv.at) }
            summaries += active
        } else if !inv.flag("archived") {
            if inv.atGiven {
                let records = openThen
                if let calendarError, !records.isEmpty { throw calendarError }
                for r in records where r.state.declaredAt <= inv.at {  // not yet declared then: not listed (as sla --at)
                    let timers = SLAEngine.evaluate(r, runbook: runbook, time: snapshot.time, at: inv.at, asOf: true)
                    // As the incident stood then: its status, severity, phase and roles too.
                    var then = r
                    if let state = try? IncidentState.derive(id: r.id, events: r.events, asOf: inv.at) { then.state = state }
                    summaries.append(IncidentSummary(then, runbook: runbook, time: snapshot.time))
                    running.append(timers.filter { $0.isStarted && !$0.finished })
                }
            } else {
                let (active, p) = inv.store.summaries(.active, runbook: snapshot, at: inv.at, detail: activeDetail)
                if let calendarError, !active.isEmpty { throw calendarError }
                problems += p
                running = active.map { $0.runningTimers(at: inv.at) }
                summaries += active
            }
        }
        // Read-only from here: a constant is read in place, where the variable (captured by
        // the closures below) was copied whole at each access, a summary per row and filter.
        let all = summaries
        func runningTimers(_ i: Int) -> [TimerStatus] { i >= activeStart ? running[i - activeStart] : [] }
        // Looked up once, not per incident (two dictionary lookups a row showed in list --all).
        let drillsOnly = inv.flag("drills"), noDrills = inv.flag("no-drills")
        func wanted(_ s: IncidentSummary) -> Bool {
            (level == nil || s.severity == level) && (phase == nil || s.phase == phase)
                && (status == nil || s.status == status) && s.outcome == outcome
                && (!drillsOnly || s.drill) && (!noDrills || !s.drill)
                && (search.map { q in s.title.lowercased().contains(q) || (s.summary?.lowercased().contains(q) ?? false) } ?? true)
                && (me.map { who in s.roles.values.contains { $0.lowercased() == who } || s.actionOwners.contains { $0.lowercased() == who } } ?? true)
        }
        // Most severe first, closed last; sort small keys, not the summaries.
        var ranks = FewKeys<Int>()
        let order = all.indices.filter { wanted(all[$0]) }.map { i -> (closed: Bool, rank: Int, id: Int, index: Int) in
            let severity = all[i].severity
            let rank = ranks.known(severity) ?? ranks.remember(severity, runbook.levels.firstIndex { $0.id == severity } ?? runbook.levels.count)
            return (all[i].status == .closed, rank, all[i].id.number, i)
        }.sorted { a, b in
            if a.closed != b.closed { return b.closed }
            return a.rank != b.rank ? a.rank < b.rank : a.id != b.id ? a.id < b.id : a.index < b.index
        }.map(\.index)
        for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
        if inv.json {
            try inv.printJSON(order.map { i in
                let s = all[i]
                let timers = runningTimers(i)
                return ListItemJSON(
                    id: s.id.description, title: s.title, severity: s.severity, status: s.status.rawValue,
                    phase: s.phase, type: s.type, drill: s.drill, startedAt: s.startedAt,
                    declaredAt: s.declaredAt, acknowledgedAt: s.acknowledgedAt, resolvedAt: s.resolvedAt,
                    closedAt: s.closedAt, roles: s.roles, nextDueAt: timers.compactMap(\.dueAt).min(),
                    overdue: timers.filter { ($0.remaining(at: inv.at) ?? 0) < 0 }.count,
                    outcome: s.outcome?.rawValue, mergedInto: s.mergedInto?.description)
            })
            return ExitCode.success
        }
        if order.isEmpty {
            inv.out(archivedToo || search != nil || me != nil ? "No incidents match." : "No active incidents.")
            return ExitCode.success
        }
        let header = ["ID", "SEVERITY", "STATUS", "PHASE", "AGE", "NEXT", "IC", "TITLE"].map { inv.style.bold($0) }
        let commander = runbook.commanderRoleID
        /// The cells of the rows `order[range]`, eight to a row (nothing shared is written:
        /// each call has its own caches, so two run side by side).
        func rowCells(_ range: Range<Int>) -> [String] {
            var cells: [String] = []
            cells.reserveCapacity(8 * range.count)
            var levelTitles = FewKeys<String>(), phaseTitles = FewKeys<String>()
            for i in order[range] {
                let next = (i >= activeStart ? inv.mostUrgent(running[i - activeStart]) : nil).map { "\(inv.timerBadge($0)) \($0.title.lowercased())" } ?? "—"
                let severity = all[i].severity, phaseID = all[i].phase
                let end = all[i].closedAt ?? all[i].resolvedAt ?? inv.at
                let level = levelTitles.known(severity) ?? levelTitles.remember(severity, inv.levelTitle(severity, runbook))
                let phase = phaseTitles.known(phaseID) ?? phaseTitles.remember(phaseID, inv.phaseTitle(phaseID, runbook))
                let outcome = all[i].outcome
                let state = outcome == .merged ? "merged → \(all[i].mergedInto?.description ?? "?")" : outcome?.rawValue ?? all[i].status.rawValue
                // One append per cell: an array literal per row was an allocation per row.
                cells.append(all[i].id.description)
                cells.append(level)
                cells.append(all[i].drill ? state + " (drill)" : state)
                cells.append(phase)
                cells.append(formatSpan(milliseconds: max(0, all[i].startedAt.distance(to: end))))
                cells.append(next)
                cells.append(commander.flatMap { all[i].roles[$0] }.map(inv.safe) ?? "—")
                cells.append(inv.safe(all[i].title))
            }
            return cells
        }
        // Thousands of rows (list --all) are built in two halves on two threads; a few hundred
        // cost less than starting a thread.
        var parts: [[String]] = [header, [], []]
        if order.count >= 2000 {
            let halves = [0..<order.count / 2, order.count / 2..<order.count]
            parts.withUnsafeMutableBufferPointer { p in
                // Each half writes only its own element and reads values nothing writes.
                let buffer = p
                let work = UncheckedWork { k in buffer[k + 1] = rowCells(halves[k]) }
                DispatchQueue.concurrentPerform(iterations: 2) { k in work.run(k) }
            }
        } else {
            parts[1] = rowCells(0..<order.count)
        }
        inv.outUTF8(tableBytes(parts, columns: 8, newline: true))
        ProcessLifetime.keep((all, parts, running))
        return ExitCode.success
    }
}

/// A closure handed to `DispatchQueue.concurrentPerform` whose iterations touch disjoint
/// state (checked by reading, not by the compiler).
struct UncheckedWork: @unchecked Sendable {
    let run: (Int) -> Void
}
