/// Corrections, edits and the outcomes other than "resolved and closed". Each appends
/// events; nothing already written changes, so the hash chain stays valid.
extension Actions {
    /// Entries whose text may be amended or struck: the runbook's entry kinds (notes,
    /// decisions, comms...), as opposed to state changes, which are corrected by the
    /// command that changes that state (`severity`, `unassign`, `reopen`...) or retimed.
    static func isFreeEntry(_ e: Event) -> Bool {
        !BuiltInKind.all.contains(e.kind) || e.kind == BuiltInKind.mergedEntry
    }

    /// Corrects an entry: its text, the time it happened, and/or its kind.
    public static func amend(_ r: inout IncidentRecord, runbook: Runbook, entry selector: String, text: String?,
                             happenedAt: Timestamp?, kind: String?, actor: Actor) throws {
        try requireOpen(r, to: "amend entries of")
        let target = try Corrections.findEntry(selector, in: r)
        let current = Corrections.effective(r.events).first { $0.id == target.id } ?? target
        guard text != nil || happenedAt != nil || kind != nil else {
            throw IncidentError.invalidInput("Say what to correct: the new TEXT, --happened-at TIME and/or --kind KIND.")
        }
        if target.kind == BuiltInKind.declared {
            throw IncidentError.refused("The declaration cannot be amended; 'incident edit \(r.id) --title|--summary|--started-at' changes those facts.")
        }
        var fields = ["target": target.id]
        var parts: [String] = []
        if let text {
            guard isFreeEntry(target) else {
                throw IncidentError.refused("Entry \(Corrections.shortID(target.id)) records a state change (\(target.kind)); its text is generated. Correct its time with --happened-at, or use the command that changes that state.")
            }
            let (clean, redactions) = try cleanLong(text, allowSecrets: actor.allowSecrets)
            if clean == current.text && happenedAt == nil && kind == nil {
                throw IncidentError.refused("Entry \(Corrections.shortID(target.id)) already says that.")
            }
            fields["text"] = clean
            if !redactions.isEmpty { fields["redacted"] = redactions.joined(separator: ", ") }
            parts.append("text corrected")
        }
        if let kind {
            guard isFreeEntry(target) else {
                throw IncidentError.refused("Entry \(Corrections.shortID(target.id)) records a state change (\(target.kind)); its kind cannot change.")
            }
            let k = try runbook.entryKind(named: kind)
            if k.id != current.kind { fields["kind"] = k.id; parts.append("kind \(current.kind) → \(k.id)") }
        }
        if let happenedAt {
            let limit = actor.recordedAt.adding(milliseconds: Limits.futureTolerance)
            if happenedAt > limit {
                throw IncidentError.invalidInput("--happened-at \(happenedAt.iso8601) is in the future; an entry cannot have happened after it was corrected.")
            }
            if !isFreeEntry(target), happenedAt < r.state.declaredAt {
                throw IncidentError.refused("\(happenedAt.iso8601) is before the declaration (\(r.state.declaredAt.iso8601)); a state change cannot be moved before it.")
            }
            if happenedAt != current.at { fields["at"] = happenedAt.iso8601; parts.append("time \(current.at.humanUTC) → \(happenedAt.humanUTC)") }
        }
        guard fields.count > 1 else {
            throw IncidentError.refused("Entry \(Corrections.shortID(target.id)) already reads that way; nothing to amend.")
        }
        try append(&r, BuiltInKind.amended, "Amended entry \(Corrections.shortID(target.id)): " + parts.joined(separator: ", "), fields, actor)
        // The corrected log must still make a valid incident (e.g. a retimed acknowledgement).
        _ = try IncidentState.derive(id: r.id, events: r.events)
    }

    /// Withdraws an entry: it leaves the timeline, the postmortem and the timers; the
    /// strike (who, when, why) and the original stay in the history.
    public static func strike(_ r: inout IncidentRecord, entry selector: String, reason: String, actor: Actor) throws {
        try requireOpen(r, to: "strike entries of")
        let why = try cleanShort(reason, what: "The reason (--reason)", allowSecrets: actor.allowSecrets)
        let target = try Corrections.findEntry(selector, in: r)
        guard isFreeEntry(target) else {
            throw IncidentError.refused("Entry \(Corrections.shortID(target.id)) records a state change (\(target.kind)) and cannot be struck; use the command that changes that state, or correct its time with 'incident amend \(r.id) \(Corrections.shortID(target.id)) --happened-at TIME'.")
        }
        try append(&r, BuiltInKind.struck, "Struck entry \(Corrections.shortID(target.id)): \(why)", ["target": target.id, "reason": why], actor)
    }

    public struct Edit: Sendable {
        public var title: String?
        public var summary: String?
        public var startedAt: Timestamp?
        public var publicTitle: String?
        public init(title: String? = nil, summary: String? = nil, startedAt: Timestamp? = nil, publicTitle: String? = nil) {
            self.title = title; self.summary = summary; self.startedAt = startedAt; self.publicTitle = publicTitle
        }
        public var isEmpty: Bool { title == nil && summary == nil && startedAt == nil && publicTitle == nil }
    }

    /// Changes the incident's facts (title, summary, impact start, public title) with one event.
    public static func edit(_ r: inout IncidentRecord, _ edit: Edit, actor: Actor) throws {
        try requireOpen(r, to: "edit")
        guard !edit.isEmpty else {
            throw IncidentError.invalidInput("Say what to change: --title, --summary, --started-at and/or --public-title.")
        }
        let s = r.state
        var fields: [String: String] = [:]
        var parts: [String] = []
        if let t = edit.title {
            let clean = try cleanShort(t, what: "The title", allowSecrets: actor.allowSecrets)
            if clean != s.title { fields["title"] = clean; parts.append("title “\(clean)”") }
        }
        if let t = edit.summary {
            let clean = try cleanShort(t, what: "The summary", allowSecrets: actor.allowSecrets)
            if clean != s.summary { fields["summary"] = clean; parts.append("summary “\(clean)”") }
        }
        if let t = edit.publicTitle {
            let clean = try cleanShort(t, what: "The public title", allowSecrets: actor.allowSecrets)
            if clean != s.publicTitle { fields["publicTitle"] = clean; parts.append("public title “\(clean)”") }
        }
        if let t = edit.startedAt {
            if t > s.declaredAt {
                throw IncidentError.invalidInput("The impact start \(t.iso8601) is after the declaration (\(s.declaredAt.iso8601)); give --started-at a time at or before it.")
            }
            if t != s.startedAt { fields["startedAt"] = t.iso8601; parts.append("impact start \(t.humanUTC)") }
        }
        guard !fields.isEmpty else { throw IncidentError.refused("\(r.id) already has those values; nothing changed.") }
        try append(&r, BuiltInKind.edited, "Edited " + parts.joined(separator: ", "), fields, actor)
    }

    /// Not an incident after all: closed with the outcome `declined` and the reason.
    public static func decline(_ r: inout IncidentRecord, reason: String, actor: Actor) throws {
        if r.state.outcome == .declined { throw IncidentError.refused("\(r.id) was already declined.") }
        try requireOpen(r, to: "decline")
        try requireNotAhead(r, "declined", actor)
        let why = try cleanShort(reason, what: "The reason (--reason)", allowSecrets: actor.allowSecrets)
        try requireAtOrAfter(r.state.declaredAt, "the declaration", actor)
        try append(&r, BuiltInKind.declined, "Declined: not an incident: \(why)", ["reason": why, "headHash": r.headHash], actor)
    }
}
