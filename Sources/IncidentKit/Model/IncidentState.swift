/// Where an incident is in its life.
public enum IncidentStatus: String, Codable, Sendable, CaseIterable {
    case active, resolved, closed
}

/// The incident as it stands: a pure function of its events (`derive`). The store keeps a
/// copy in each file for readers such as `grep` and `list`; `verify` recomputes it.
public struct IncidentState: Codable, Sendable, Equatable {
    public var id: IncidentID
    public var title: String
    /// The title customers may see (status page, public comms); nil: nothing public.
    public var publicTitle: String?
    public var summary: String?
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
    public var postmortemPublishedAt: Timestamp?
    public var resolutionSummary: String?
    /// Role id → person.
    public var roles: [String: String]
    /// Checklist items ticked, by their text.
    public var checked: [String]
    /// Every phase entry, in time order (the first is the initial phase at declaration).
    public var phaseHistory: [PhaseEntry]

    public struct PhaseEntry: Codable, Sendable, Equatable {
        public var phase: String
        public var at: Timestamp
    }

    public var isDrill: Bool { drill }

    /// Folds the log into a state. The `declared` event (the first one written) sets the
    /// initial state; every other event is applied in time order (ties: order written), so a
    /// back-filled entry lands where it happened.
    public static func derive(id: IncidentID, events: [Event], asOf: Timestamp? = nil) throws -> IncidentState {
        guard let declared = events.first, declared.kind == BuiltInKind.declared else {
            throw IncidentError.corrupt(path: id.description, reason: "its first event is not a declaration")
        }
        let f = declared.fields
        guard let severity = f["severity"], let phase = f["phase"] else {
            throw IncidentError.corrupt(path: id.description, reason: "its declaration lacks a severity or phase")
        }
        var state = IncidentState(
            id: id, title: f["title"] ?? declared.text, publicTitle: f["publicTitle"], summary: f["summary"], severity: severity, status: .active,
            phase: phase, type: f["type"], drill: f["drill"] == "true",
            startedAt: f["startedAt"].flatMap(TimeParser.parseISO8601) ?? declared.at, declaredAt: declared.at,
            acknowledgedAt: nil, containedAt: nil, resolvedAt: nil, closedAt: nil, postmortemPublishedAt: nil,
            resolutionSummary: nil, roles: [:], checked: [], phaseHistory: [PhaseEntry(phase: phase, at: declared.at)])
        for event in IncidentState.timeOrdered(events.dropFirst()) {
            if let asOf, event.at > asOf { continue }
            state.apply(event)
        }
        return state
    }

    /// Events sorted by `at`, ties kept in the order they were written.
    public static func timeOrdered<C: Collection>(_ events: C) -> [Event] where C.Element == Event {
        events.enumerated().sorted { a, b in
            a.element.at != b.element.at ? a.element.at < b.element.at : a.offset < b.offset
        }.map(\.element)
    }

    mutating func apply(_ event: Event) {
        let f = event.fields
        switch event.kind {
        case BuiltInKind.acknowledged:
            if acknowledgedAt == nil { acknowledgedAt = event.at }
        case BuiltInKind.severity:
            if let to = f["to"] { severity = to }
        case BuiltInKind.assigned:
            if let role = f["role"], let name = f["name"] { roles[role] = name }
        case BuiltInKind.unassigned:
            if let role = f["role"] { roles[role] = nil }
        case BuiltInKind.phase:
            if let to = f["to"] {
                phase = to
                phaseHistory.append(PhaseEntry(phase: to, at: event.at))
                for mark in (f["marks"] ?? "").split(separator: ",") { setMilestone(String(mark), at: event.at) }
            }
        case BuiltInKind.contained:
            setMilestone("contained", at: event.at)
        case BuiltInKind.resolved:
            status = .resolved
            resolvedAt = event.at
            if let s = f["summary"] { resolutionSummary = s }
            setMilestone("resolved", at: event.at)
        case BuiltInKind.closed:
            status = .closed
            closedAt = event.at
        case BuiltInKind.reopened:
            status = .active
            resolvedAt = nil
            closedAt = nil
        case BuiltInKind.checked:
            if let item = f["item"], !checked.contains(item) { checked.append(item) }
        case BuiltInKind.unchecked:
            if let item = f["item"] { checked.removeAll { $0 == item } }
        case BuiltInKind.postmortem:
            if postmortemPublishedAt == nil { postmortemPublishedAt = event.at }
        case BuiltInKind.retitled:
            if let t = f["title"] { title = t }
            if let s = f["summary"] { summary = s }
            if let p = f["publicTitle"] { publicTitle = p.isEmpty ? nil : p }
        default:
            break
        }
    }

    /// Containment implies acknowledgement; resolution implies both.
    mutating func setMilestone(_ name: String, at: Timestamp) {
        switch name {
        case "acknowledged":
            if acknowledgedAt == nil { acknowledgedAt = at }
        case "contained":
            if containedAt == nil { containedAt = at }
            if acknowledgedAt == nil { acknowledgedAt = at }
        case "resolved":
            if containedAt == nil { containedAt = at }
            if acknowledgedAt == nil { acknowledgedAt = at }
        default:
            break
        }
    }

    /// The time a milestone trigger happened, if it has.
    public func milestone(_ name: String) -> Timestamp? {
        switch name {
        case "started": return startedAt
        case "declared": return declaredAt
        case "acknowledged": return acknowledgedAt
        case "contained": return containedAt
        case "resolved": return resolvedAt
        case "closed": return closedAt
        default: return nil
        }
    }
}

/// One incident file: a schema version, the cached state and the event log.
public struct IncidentRecord: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var id: IncidentID
    /// The runbook (by name) the incident was declared under.
    public var runbook: String
    public var state: IncidentState
    /// In the order written: each event's `parents` names the hash of the one before it.
    public var events: [Event]

    public init(id: IncidentID, runbook: String, events: [Event]) throws {
        self.schemaVersion = IncidentRecord.currentSchemaVersion
        self.id = id
        self.runbook = runbook
        self.events = events
        self.state = try IncidentState.derive(id: id, events: events)
    }

    /// The hash of the last event written.
    public var headHash: String { events.last?.hash ?? "" }

    /// Appends an event, chaining it to the current head and hashing it.
    public mutating func append(_ event: Event) throws {
        var e = event
        e.parents = events.isEmpty ? [] : [headHash]
        e.hash = e.computedHash
        events.append(e)
        state = try IncidentState.derive(id: id, events: events)
    }

    /// The timeline a person reads: every event in time order.
    public var timeline: [Event] { IncidentState.timeOrdered(events) }
}
