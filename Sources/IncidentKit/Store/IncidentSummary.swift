/// What `list`, `sla`, `stats` and `actions` need of an incident, without its events: the
/// derived indexes (`active/.index`, `archive/.index`) hold one of these per incident file.
///
/// `timers` are evaluated as of `evaluatedAt` (the latest event's time), when nothing about
/// them can change any more except whether an open one has run out; `timers(at:)` answers
/// for any later moment exactly as `SLAEngine.evaluate` would from the full record.
public struct IncidentSummary: Sendable, Equatable {
    public var id: IncidentID
    public var title: String
    public var severity: String
    public var status: IncidentStatus
    public var phase: String
    public var type: String?
    public var drill: Bool
    public var startedAt: Timestamp
    public var declaredAt: Timestamp
    public var acknowledgedAt: Timestamp?
    public var containedAt: Timestamp?
    public var resolvedAt: Timestamp?
    public var closedAt: Timestamp?
    public var roles: [String: String]
    /// The moment `timers` were evaluated at: the latest event's `at`.
    public var evaluatedAt: Timestamp
    /// Every timer of the runbook at this severity, as of `evaluatedAt`.
    public var timers: [TimerStatus]
    public var actionItems: [ActionItem]
    /// Required notifications owed (see `Checklist.owedNotifications`).
    public var owedNotifications: [ChecklistEntry]
    /// `declined` or `merged` (status is then `closed`); nil for every other incident.
    public var outcome: IncidentOutcome?
    public var mergedInto: IncidentID?
    /// The incident's summary text (for `list --search`).
    public var summary: String?

    /// Owners of the open action items (for `list --mine`).
    public var actionOwners: [String] { actionItems.filter { $0.status == .open }.compactMap(\.owner) }

    /// The list fields only (no timers, action items or notifications).
    public init(_ s: IncidentState) {
        id = s.id; title = s.title; severity = s.severity; status = s.status; phase = s.phase; type = s.type
        drill = s.drill; startedAt = s.startedAt; declaredAt = s.declaredAt; acknowledgedAt = s.acknowledgedAt
        containedAt = s.containedAt; resolvedAt = s.resolvedAt; closedAt = s.closedAt; roles = s.roles
        evaluatedAt = s.declaredAt; timers = []; actionItems = []; owedNotifications = []
        outcome = s.outcome; mergedInto = s.mergedInto; summary = s.summary
    }

    /// The list fields as an index line holds them (no timers, action items or notifications
    /// yet): built directly, not through a whole `IncidentState` (a fifth of decoding a line).
    init(id: IncidentID, title: String, severity: String, status: IncidentStatus, phase: String, type: String?, drill: Bool,
         startedAt: Timestamp, declaredAt: Timestamp, acknowledgedAt: Timestamp?, containedAt: Timestamp?,
         resolvedAt: Timestamp?, closedAt: Timestamp?, roles: [String: String], evaluatedAt: Timestamp,
         outcome: IncidentOutcome?, mergedInto: IncidentID?, summary: String?) {
        self.id = id; self.title = title; self.severity = severity; self.status = status; self.phase = phase
        self.type = type; self.drill = drill; self.startedAt = startedAt; self.declaredAt = declaredAt
        self.acknowledgedAt = acknowledgedAt; self.containedAt = containedAt; self.resolvedAt = resolvedAt
        self.closedAt = closedAt; self.roles = roles; self.evaluatedAt = evaluatedAt
        timers = []; actionItems = []; owedNotifications = []
        self.outcome = outcome; self.mergedInto = mergedInto; self.summary = summary
    }

    /// Everything, derived from the full record under `runbook` and its calendar.
    public init(_ record: IncidentRecord, runbook: Runbook, time: BusinessTime) {
        self.init(record.state)
        // The latest moment anything happened, corrections included: an amended time
        // (`amend --happened-at`) can fall after every entry as first written.
        let latest = record.events.map(\.at).max() ?? record.state.declaredAt
        let corrected = record.events.lazy.filter { $0.kind == BuiltInKind.amended }
            .compactMap { $0.fields["at"].flatMap(TimeParser.parseISO8601) }.max()
        evaluatedAt = max(latest, corrected ?? latest)
        timers = SLAEngine.evaluate(record, runbook: runbook, time: time, at: evaluatedAt)
        actionItems = ActionItems.items(in: record)
        owedNotifications = Checklist.owedNotifications(record, runbook: runbook)
    }

    /// The timers at `now`, which must not be before `evaluatedAt`: only whether an open
    /// timer has run out depends on the clock once every event has happened.
    public func timers(at now: Timestamp) -> [TimerStatus] {
        var copy = self
        copy.evaluateTimers(at: now)
        return copy.timers
    }

    /// `timers = timers(at: now)`, in place (`sla` does it for every active incident; a new
    /// array of timers each was a copy of every string they hold).
    public mutating func evaluateTimers(at now: Timestamp) {
        // Every timer a close stops is finished by then (`evaluatedAt` is at or after the
        // close); one still open runs on (see `SLAEngine.evaluate`).
        let horizon = now
        for i in timers.indices {
            guard timers[i].isStarted, !timers[i].finished, let due = timers[i].dueAt else { continue }
            let state: SLAState = horizon > due ? .breached : .pending
            if timers[i].state != state { timers[i].state = state }
        }
    }

    /// `timers(at: now)` of only the running timers (started and not finished), in one pass:
    /// no whole array made and freed per incident to be filtered.
    public func runningTimers(at now: Timestamp) -> [TimerStatus] {
        let horizon = now  // as in `evaluateTimers`
        var out: [TimerStatus] = []
        for t in timers where t.isStarted && !t.finished {
            var t = t
            if let due = t.dueAt { t.state = horizon > due ? .breached : .pending }
            out.append(t)
        }
        return out
    }
}
