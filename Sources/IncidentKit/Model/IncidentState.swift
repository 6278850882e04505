/// Where an incident is in its life.
public enum IncidentStatus: String, Codable, Sendable, CaseIterable {
    case active, resolved, closed
}

/// How an incident ended when it was not an incident to work through: declined (it was not
/// one after all) or merged into another as a duplicate. Both leave the status `closed`;
/// reports and metrics leave such incidents out.
public enum IncidentOutcome: String, Codable, Sendable, CaseIterable {
    case declined, merged
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
    /// Roles that two people were assigned to concurrently, on two clones, before a merge:
    /// role id → every name assigned concurrently (sorted). The holder is still decided by the
    /// fold (latest `at`, then canonical order); absent when nothing is contested.
    public var contestedRoles: [String: [String]]?
    /// Ids of entries written while the incident was closed (a note racing a close on another
    /// clone): nothing is dropped, but the timeline says they came after the close.
    public var afterClose: [String]?
    /// `declined` or `merged` (status is then `closed`); nil for every other incident.
    public var outcome: IncidentOutcome? = nil
    /// The incident this one was merged into, when `outcome` is `merged`.
    public var mergedInto: IncidentID? = nil
    /// Why it was declined.
    public var outcomeReason: String? = nil

    /// The keys of the cached state in a file; any other key is refused when it is read.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, title, publicTitle, summary, severity, status, phase, type, drill, startedAt, declaredAt, acknowledgedAt
        case containedAt, resolvedAt, closedAt, postmortemPublishedAt, resolutionSummary, roles, checked, phaseHistory
        case contestedRoles, afterClose
        case outcome, mergedInto, outcomeReason
    }

    public struct PhaseEntry: Codable, Sendable, Equatable {
        public var phase: String
        public var at: Timestamp
    }

    public var isDrill: Bool { drill }

    /// Folds the log into a state. The `declared` event (the first one written) sets the
    /// initial state; every other event is applied in time order (ties: order written), so a
    /// back-filled entry lands where it happened.
    /// Corrections (`amend`, `strike`) are applied first: the state follows the corrected log.
    public static func derive(id: IncidentID, events raw: [Event], asOf: Timestamp? = nil) throws -> IncidentState {
        let events = Corrections.effective(raw)
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
            resolutionSummary: nil, roles: [:], checked: [], phaseHistory: [PhaseEntry(phase: phase, at: declared.at)],
            contestedRoles: nil, afterClose: nil)
        for event in IncidentState.timeOrdered(events.dropFirst()) {
            if let asOf, event.at > asOf { continue }
            if state.status == .closed && event.kind != BuiltInKind.reopened && event.kind != BuiltInKind.numbered {
                state.afterClose = (state.afterClose ?? []) + [event.id]
            }
            state.apply(event)
        }
        state.contestedRoles = contested(events, asOf: asOf)
        return state
    }

    /// The state after `event`, appended to `previous` (which this state was derived from),
    /// without folding the whole log again, when that is certain to give what `derive` gives:
    /// an entry of a runbook kind (a note, a status update: no built-in kind, so no correction,
    /// assignment or lifecycle change) that happened no earlier than every other event, as
    /// corrected, so it is folded last. Nil: derive the state from the log.
    func folding(_ event: Event, after previous: [Event]) -> IncidentState? {
        guard !previous.isEmpty, !BuiltInKind.all.contains(event.kind) else { return nil }
        for e in previous {
            if e.at > event.at { return nil }
            if e.kind == BuiltInKind.amended, let at = e.fields["at"] {
                guard let corrected = TimeParser.parseISO8601(at), corrected <= event.at else { return nil }
            }
        }
        var next = self
        if next.status == .closed { next.afterClose = (next.afterClose ?? []) + [event.id] }
        next.apply(event)
        return next
    }

    /// Roles assigned to different people by events neither of which follows the other.
    static func contested(_ events: [Event], asOf: Timestamp?) -> [String: [String]]? {
        var byRole: [String: [Event]] = [:]
        for e in events where e.kind == BuiltInKind.assigned {
            if let asOf, e.at > asOf { continue }
            if let role = e.fields["role"], e.fields["name"] != nil { byRole[role, default: []].append(e) }
        }
        var out: [String: [String]] = [:]
        var ancestry: EventLog.Ancestry?
        for (role, list) in byRole where Set(list.compactMap { $0.fields["name"] }).count > 1 {
            if ancestry == nil { ancestry = EventLog.Ancestry(events) }
            var names = Set<String>()
            for i in list.indices {
                for j in list.indices where j > i && list[i].fields["name"] != list[j].fields["name"] {
                    if ancestry!.concurrent(list[i].hash, list[j].hash) {
                        names.insert(list[i].fields["name"]!)
                        names.insert(list[j].fields["name"]!)
                    }
                }
            }
            if !names.isEmpty { out[role] = names.sorted() }
        }
        return out.isEmpty ? nil : out
    }

    /// Events sorted by `at`, ties kept in the order they were written.
    public static func timeOrdered<C: Collection>(_ events: C) -> [Event] where C.Element == Event {
        let list = Array(events)
        // Nearly always already in order (entries are mostly written as they happen): then
        // the list is returned as it is, and otherwise positions are sorted, not events.
        if list.indices.dropFirst().allSatisfy({ list[$0 - 1].at <= list[$0].at }) { return list }
        let keys = list.map(\.at)
        let order = keys.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : a < b }
        return order.map { list[$0] }
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
            outcome = nil
            mergedInto = nil
            outcomeReason = nil
        case BuiltInKind.declined:
            status = .closed
            closedAt = event.at
            outcome = .declined
            outcomeReason = f["reason"]
        case BuiltInKind.merged:
            status = .closed
            closedAt = event.at
            outcome = .merged
            mergedInto = f["into"].flatMap { IncidentID($0) }
        case BuiltInKind.edited:
            if let t = f["title"] { title = t }
            if let s = f["summary"] { summary = s }
            if let p = f["publicTitle"] { publicTitle = p }
            if let t = f["startedAt"].flatMap(TimeParser.parseISO8601) { startedAt = t }
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
///
/// Schema versions: 1 hashed events in `HashFormat.v1`; 2 (current) hashes them in v2. A
/// version-1 file is read and verified as v1 and rewritten as v2 on its next change, after
/// its chain has verified (`migratedToCurrentFormat`).
public struct IncidentRecord: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 2

    public var schemaVersion: Int
    public var id: IncidentID
    /// The runbook (by name) the incident was declared under, as written at the top of the
    /// file. The hashed copy is the declaration's `runbook` field (`declaredRunbook`).
    public var runbook: String
    public var state: IncidentState
    /// In the order written: each event's `parents` names the hash of the one before it.
    public var events: [Event]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case schemaVersion, id, runbook, state, events
    }

    public init(id: IncidentID, runbook: String, events: [Event]) throws {
        self.schemaVersion = IncidentRecord.currentSchemaVersion
        self.id = id
        self.runbook = runbook
        self.events = events
        self.state = try IncidentState.derive(id: id, events: events)
    }

    /// A record as read from a file (its state is re-derived by the reader).
    init(schemaVersion: Int, id: IncidentID, runbook: String, state: IncidentState, events: [Event]) {
        self.schemaVersion = schemaVersion; self.id = id; self.runbook = runbook; self.state = state; self.events = events
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, allowed: CodingKeys.allCases.map(\.rawValue), what: "an incident file")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        id = try c.decode(IncidentID.self, forKey: .id)
        runbook = try c.decode(String.self, forKey: .runbook)
        events = try c.decode([Event].self, forKey: .events)
        // The cached state is derived from the events (readers recompute it anyway): one that
        // is missing or malformed is recomputed here, and `verify` and `doctor` report it,
        // rather than making the incident unreadable.
        if let cached = try? IncidentRecord.cachedState(in: c) {
            state = cached
        } else {
            state = try IncidentState.derive(id: id, events: events)
        }
    }

    /// The `state` object as stored, read strictly: only its own keys, each of its type.
    static func cachedState(in c: KeyedDecodingContainer<CodingKeys>) throws -> IncidentState {
        guard c.contains(.state) else {
            throw DecodingError.keyNotFound(CodingKeys.state, DecodingError.Context(codingPath: c.codingPath, debugDescription: "missing"))
        }
        let stateDecoder = try c.superDecoder(forKey: .state)
        try rejectUnknownKeys(stateDecoder, allowed: IncidentState.CodingKeys.allCases.map(\.rawValue), what: "the cached state")
        return try IncidentState(from: stateDecoder)
    }

    /// Reads only the stored `state` of an incident file, strictly (what `verify` compares).
    struct StoredState: Decodable {
        var state: IncidentState
        init(from decoder: Decoder) throws {
            state = try IncidentRecord.cachedState(in: try decoder.container(keyedBy: CodingKeys.self))
        }
    }

    /// How this file's events are hashed (from its schema version).
    public var hashFormat: HashFormat { HashFormat.forSchemaVersion(schemaVersion) }

    /// The runbook name covered by the hash: the declaration's `runbook` field (files from
    /// before that field fall back to the top-level name).
    public var declaredRunbook: String { events.first?.fields["runbook"] ?? runbook }

    /// The hash of the last event in the log.
    public var headHash: String { events.last?.hash ?? "" }

    /// Appends an event after every current head of the log (one on a single clone; several
    /// after a merge, which the new event joins, as a git merge commit does) and hashes it.
    public mutating func append(_ event: Event) throws {
        var e = event
        e.parents = events.isEmpty ? [] : EventLog.heads(events)
        e.hash = e.computedHash(hashFormat)
        // Folded before the append, so that no second reference to `events` makes the
        // append copy the whole log (five hundred events cost a note two million instructions).
        let next = state.folding(e, after: events)
        events.append(e)
        if let next {
            state = next
        } else {
            state = try IncidentState.derive(id: id, events: events)
        }
    }

    /// The record in the current schema and hash format. An older file is re-hashed only
    /// after its whole chain verifies in its own format, so migration never launders an
    /// edit; hashes quoted inside events (`headHash`) are translated with the chain.
    public func migratedToCurrentFormat() throws -> IncidentRecord {
        var r = self
        r.runbook = declaredRunbook
        guard hashFormat < .current else {
            r.schemaVersion = IncidentRecord.currentSchemaVersion
            return r
        }
        let report = Verifier.verify(self)
        guard report.ok else {
            throw IncidentError.corrupt(path: id.description, reason: "its timeline does not verify in hash format \(hashFormat.tag) (\(report.problems[0])), so it is not rewritten in the current format, which would hide the damage; run 'incident verify \(id)'")
        }
        var translated: [String: String] = [:]
        for i in r.events.indices {
            var e = r.events[i]
            let old = e.hash
            e.parents = e.parents.map { translated[$0] ?? $0 }
            if let quoted = e.fields["headHash"], let now = translated[quoted] { e.fields["headHash"] = now }
            e.hash = e.computedHash(.current)
            translated[old] = e.hash
            r.events[i] = e
        }
        r.schemaVersion = IncidentRecord.currentSchemaVersion
        return r
    }

    /// The timeline a person reads: every entry as corrected (amended text and times, struck
    /// entries left out), in time order. The correction events themselves are in `history`.
    public var timeline: [Event] {
        IncidentState.timeOrdered(Corrections.effective(events).filter { !Corrections.isCorrection($0.kind) })
    }

    /// Every event as written, in the order written: the audit trail.
    public var history: [Event] { events }
}
