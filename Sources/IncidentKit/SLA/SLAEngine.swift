public enum SLAState: String, Codable, Sendable {
    case pending, met, breached
}

/// One timer of one incident, evaluated at a moment.
public struct TimerStatus: Sendable, Equatable {
    public var id: String
    public var title: String
    public var duration: SLADuration
    public var repeats: Bool
    /// When the timer started (nil: its start trigger has not happened yet).
    public var startedAt: Timestamp?
    /// The deadline of the current (or last) cycle; nil while not started.
    public var dueAt: Timestamp?
    /// When it was stopped (for a cadence: the last update).
    public var metAt: Timestamp?
    public var state: SLAState
    /// For a cadence: how many cycles lapsed without an update.
    public var missed: Int
    /// True once the timer can no longer change (stopped, or a cadence that ended).
    public var finished: Bool
    /// What starts the timer, for "starts when resolved".
    public var startTrigger: String

    public var isStarted: Bool { startedAt != nil }

    /// Started, never met nor breached, and over: the incident was closed before it was due.
    public var stoppedByClose: Bool { isStarted && finished && state == .pending }

    /// Milliseconds until due (negative: overdue), for an open timer.
    public func remaining(at now: Timestamp) -> Int64? {
        guard let dueAt, !finished else { return nil }
        return now.distance(to: dueAt)
    }

    /// Where the timer stands at `now`, most urgent first: overdue (the earliest due first),
    /// then running (the next due first), then finished, then not started.
    public func urgency(at now: Timestamp) -> (Int, Int64) {
        Self.urgency(started: isStarted, finished: finished, dueAt: dueAt, at: now)
    }

    /// `urgency(at:)` from the three fields it depends on (the index decoder ranks timers
    /// before building them).
    public static func urgency(started: Bool, finished: Bool, dueAt: Timestamp?, at now: Timestamp) -> (Int, Int64) {
        guard started else { return (3, 0) }
        let due = dueAt?.milliseconds ?? 0
        if finished { return (2, due) }
        return (dueAt.map { $0 < now } ?? false ? 0 : 1, due)
    }
}

/// Computes every timer of an incident from the runbook's timer specs and the event log.
/// Deterministic: the evaluation moment is an argument, never the wall clock.
public enum SLAEngine {
    /// - Parameters:
    ///   - asOf: evaluate as the record stood at `now` (events after `now` ignored), for
    ///     "what was overdue at 14:00?". When false, every event counts.
    ///   - time: the runbook's calendar (`BusinessTime.of(runbook, …)`), which decides `bd`/`bh`.
    public static func evaluate(_ record: IncidentRecord, runbook: Runbook, time: BusinessTime, at now: Timestamp, asOf: Bool = false) -> [TimerStatus] {
        let corrected = Corrections.effective(record.events)
        let events = asOf ? corrected.filter { $0.at <= now || $0.kind == BuiltInKind.declared } : corrected
        guard let state = try? IncidentState.derive(id: record.id, events: events) else { return [] }
        let ordered = IncidentState.timeOrdered(events)
        return runbook.timers.compactMap { spec in
            guard let duration = spec.durations[state.severity] else { return nil }
            return evaluate(spec, duration: duration, time: time, state: state, events: ordered, now: now)
        }
    }

    static func triggerTime(_ trigger: String, state: IncidentState, events: [Event], notBefore: Timestamp?) -> Timestamp? {
        if BuiltInKind.milestones.contains(trigger) { return state.milestone(trigger) }
        if trigger.hasPrefix("phase:") {
            let phase = String(trigger.dropFirst(6))
            return state.phaseHistory.first { entry in entry.phase == phase && notBefore.map { entry.at >= $0 } ?? true }?.at
        }
        return events.first { event in event.kind == trigger && notBefore.map { event.at >= $0 } ?? true }?.at
    }

    /// When `trigger` first happened at or after `notBefore`, from the log's history: unlike
    /// the state, which a reopen clears of its resolution and close, so a deadline met by a
    /// resolution stays met after the incident is reopened.
    static func firstTime(_ trigger: String, state: IncidentState, events: [Event], notBefore: Timestamp) -> Timestamp? {
        switch trigger {
        case BuiltInKind.resolved:
            return events.first { $0.kind == BuiltInKind.resolved && $0.at >= notBefore }?.at
        case BuiltInKind.closed:
            return events.first { e in
                (e.kind == BuiltInKind.closed || e.kind == BuiltInKind.declined || e.kind == BuiltInKind.merged) && e.at >= notBefore
            }?.at
        default:
            return triggerTime(trigger, state: state, events: events, notBefore: notBefore)
        }
    }

    static func evaluate(_ spec: Runbook.TimerSpec, duration: SLADuration, time: BusinessTime, state: IncidentState, events: [Event], now: Timestamp) -> TimerStatus {
        var status = TimerStatus(id: spec.id, title: spec.title, duration: duration, repeats: spec.repeats ?? false,
                                 startedAt: nil, dueAt: nil, metAt: nil, state: .pending, missed: 0, finished: false,
                                 startTrigger: spec.start)
        guard let start = triggerTime(spec.start, state: state, events: events, notBefore: nil) else {
            return status
        }
        status.startedAt = start
        // A closed incident's open timers stop ageing at the close, except a deadline that
        // something a closed incident still takes can meet (publishing the postmortem): that
        // one still runs, and can still be met, or missed, after the close.
        // (Not for a declined or merged incident: a duplicate's postmortem is its survivor's.)
        let runsAfterClose = spec.repeats != true && state.outcome == nil && spec.stop.contains { Actions.allowedAfterClose.contains($0) }
        let horizon = runsAfterClose ? now : state.closedAt.map { min($0, now) } ?? now

        if spec.repeats != true {
            let due = time.add(duration, to: start)
            status.dueAt = due
            let stops = spec.stop.compactMap { firstTime($0, state: state, events: events, notBefore: start) }
            if let stop = stops.min() {
                status.metAt = stop
                status.state = stop <= due ? .met : .breached
                status.finished = true
            } else {
                status.state = horizon > due ? .breached : .pending
                // Closing stops every clock: a deadline still open then is over (breached if
                // it had passed, else never due), not counting down or running overdue.
                if !runsAfterClose, let closed = state.closedAt, closed <= now { status.finished = true }
            }
            return status
        }

        // A cadence runs from its start to its end (by default the resolution). A resolution
        // or close undone by a reopen pauses it: it runs again from the reopen, the first
        // update due one interval later, and nothing is owed for the time it stood resolved.
        // Whatever else ends it, a cadence ends when the incident is closed (no update is owed
        // for a closed incident); a reopen resumes it like a reopen after a resolution.
        var until = spec.until ?? [BuiltInKind.resolved]
        if !until.contains(BuiltInKind.closed) { until.append(BuiltInKind.closed) }
        let resumable = until.allSatisfy { $0 == BuiltInKind.resolved || $0 == BuiltInKind.closed }
        var from = start
        var due = time.add(duration, to: start)
        while true {
            let end = until.compactMap { firstTime($0, state: state, events: events, notBefore: from) }.min()
            let limit = min(end ?? horizon, horizon)
            due = time.add(duration, to: from)
            for update in events where spec.stop.contains(update.kind) && update.at >= from && update.at <= limit {
                if update.at > due { status.missed += 1 }
                status.metAt = update.at
                due = time.add(duration, to: update.at)
            }
            guard let end, end <= horizon else {
                status.dueAt = due
                status.state = horizon > due ? .breached : .pending
                return status
            }
            if due < end { status.missed += 1 }
            if status.metAt == nil { status.metAt = end }
            guard resumable, let reopen = events.first(where: { $0.kind == BuiltInKind.reopened && $0.at >= end })?.at,
                  reopen <= horizon, reopen > from else { break }
            from = reopen
        }
        status.dueAt = due
        status.finished = true
        status.state = status.missed > 0 ? .breached : .met
        return status
    }

    /// Roles the incident's level and type require that nobody holds.
    public static func missingRoles(_ state: IncidentState, runbook: Runbook) -> [String] {
        runbook.requiredRoles(level: state.severity, type: state.type).filter { state.roles[$0] == nil }
    }
}

/// Where an incident stands in its runbook's monitoring window (resolve → close).
public struct MonitoringStatus: Sendable, Equatable {
    public var title: String?
    public var duration: SLADuration
    /// The resolve that started the window (nil: not resolved yet).
    public var startedAt: Timestamp?
    /// When `close` becomes possible (nil: not resolved yet).
    public var endsAt: Timestamp?

    /// True once the window has passed at `now`.
    public func isOver(at now: Timestamp) -> Bool { endsAt.map { now >= $0 } ?? false }
}

extension SLAEngine {
    /// The monitoring window of an incident's level, if the runbook asks for one.
    public static func monitoring(_ state: IncidentState, runbook: Runbook, time: BusinessTime) -> MonitoringStatus? {
        monitoring(severity: state.severity, resolvedAt: state.resolvedAt, runbook: runbook, time: time)
    }

    /// The same from the two fields it depends on (what a derived summary holds).
    public static func monitoring(severity: String, resolvedAt: Timestamp?, runbook: Runbook, time: BusinessTime) -> MonitoringStatus? {
        guard let spec = runbook.monitoring, let duration = spec.duration(level: severity) else { return nil }
        let start = resolvedAt
        return MonitoringStatus(title: spec.title, duration: duration, startedAt: start, endsAt: start.map { time.add(duration, to: $0) })
    }
}
