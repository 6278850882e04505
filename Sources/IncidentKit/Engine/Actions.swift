/// Who is acting and when: `at` is when the thing happened (may be back-filled with
/// `--at`), `recordedAt` is the wall clock when it was written down.
public struct Actor: Sendable {
    public var name: String
    public var at: Timestamp
    public var recordedAt: Timestamp
    /// Keep text that looks like a credential instead of redacting it.
    public var allowSecrets: Bool
    /// Accept an `at` more than `Limits.futureTolerance` after `recordedAt` (`--future`).
    public var allowFuture: Bool

    public init(name: String, at: Timestamp, recordedAt: Timestamp, allowSecrets: Bool = false, allowFuture: Bool = false) {
        self.name = name; self.at = at; self.recordedAt = recordedAt; self.allowSecrets = allowSecrets
        self.allowFuture = allowFuture
    }
}

/// Input size limits, documented in the README.
public enum Limits {
    /// Titles, names, reasons and summaries.
    public static let shortText = 4_096
    /// A timeline entry (`note`), e.g. a pasted log excerpt: 1 MiB.
    public static let longText = 1 << 20
    /// How far ahead of the clock an event may be dated without `--future` (milliseconds):
    /// 5 minutes, room for clock skew between teammates, not for a mistyped year. Also the
    /// most a command's implicit "now" is moved forward to keep the log in order.
    public static let futureTolerance: Int64 = 5 * 60_000
}

/// The operations a responder performs. Each validates against the incident's state and the
/// runbook, then appends exactly one event (or throws and changes nothing).
public enum Actions {
    // MARK: Declare

    public struct Declaration: Sendable {
        public var title: String
        public var severity: String
        public var summary: String?
        public var startedAt: Timestamp?
        public var commander: String?
        public var drill: Bool
        public var type: String?
        /// The title customers may see (status page); absent: the incident is not public.
        public var publicTitle: String?

        public init(title: String, severity: String, summary: String? = nil, startedAt: Timestamp? = nil,
                    commander: String? = nil, drill: Bool = false, type: String? = nil, publicTitle: String? = nil) {
            self.title = title; self.severity = severity; self.summary = summary; self.startedAt = startedAt
            self.commander = commander; self.drill = drill; self.type = type; self.publicTitle = publicTitle
        }
    }

    /// Checks a declaration against the runbook without an ID, so usage errors surface
    /// before anything (even the store) is created.
    public static func validate(_ d: Declaration, runbook: Runbook, actor: Actor) throws {
        try requirePlausibleTime(actor)
        if let s = d.startedAt { try requireStorable(s, "The impact start") }
        _ = try cleanShort(d.title, what: "The title")
        _ = try runbook.level(named: d.severity)
        if let t = d.type { _ = try runbook.incidentType(named: t) }
        if let p = d.publicTitle { _ = try cleanShort(p, what: "The public title") }
        if let s = d.startedAt, s > actor.at {
            throw IncidentError.invalidInput("The impact start \(s.iso8601) is after the declaration time \(actor.at.iso8601); give --started-at a time at or before --at.")
        }
    }

    public static func declare(id: IncidentID, runbook: Runbook, _ d: Declaration, actor: Actor) throws -> IncidentRecord {
        try validate(d, runbook: runbook, actor: actor)
        let title = try cleanShort(d.title, what: "The title", allowSecrets: actor.allowSecrets)
        let level = try runbook.level(named: d.severity)
        guard let firstPhase = runbook.phases.first else {
            throw IncidentError.invalidRunbook(origin: runbook.name, reason: "it has no phases")
        }
        var fields: [String: String] = [
            "title": title, "severity": level.id, "phase": firstPhase.id,
            "startedAt": (d.startedAt ?? actor.at).iso8601, "runbook": runbook.name,
        ]
        if let s = d.summary { fields["summary"] = try cleanShort(s, what: "The summary", allowSecrets: actor.allowSecrets) }
        if d.drill { fields["drill"] = "true" }
        if let p = d.publicTitle { fields["publicTitle"] = try cleanShort(p, what: "The public title", allowSecrets: actor.allowSecrets) }
        if let t = d.type { fields["type"] = try runbook.incidentType(named: t).id }
        var text = "Declared \"\(title)\" at \(level.title)"
        if d.drill { text = "Drill: " + text }
        let first = Event(id: Event.newID(), kind: BuiltInKind.declared, at: actor.at, recordedAt: actor.recordedAt,
                          author: actor.name, text: text, fields: fields)
        var e = first
        e.hash = e.computedHash(.current)
        var record = try IncidentRecord(id: id, runbook: runbook.name, events: [e])
        if let commander = d.commander {
            if let role = runbook.commanderRoleID {
                try assign(&record, runbook: runbook, role: role, name: commander, actor: actor)
            }
        }
        return record
    }

    // MARK: Milestones

    public static func acknowledge(_ r: inout IncidentRecord, actor: Actor) throws {
        try requireOpen(r, to: "acknowledge")
        if let at = r.state.acknowledgedAt {
            let by = r.events.first { $0.kind == BuiltInKind.acknowledged }?.author
            throw IncidentError.refused("\(r.id) was already acknowledged at \(at.humanUTC)\(by.map { " by \($0)" } ?? "").")
        }
        try requireAtOrAfter(r.state.startedAt, "the impact start", actor)
        try append(&r, BuiltInKind.acknowledged, "Acknowledged", [:], actor)
    }

    public static func contain(_ r: inout IncidentRecord, summary: String?, actor: Actor) throws {
        try requireOpen(r, to: "mark contained")
        if let at = r.state.containedAt {
            throw IncidentError.refused("\(r.id) was already contained at \(at.humanUTC).")
        }
        try requireAtOrAfter(r.state.startedAt, "the impact start", actor)
        var fields: [String: String] = [:]
        var text = "Contained"
        try annotate(&text, &fields, "summary", summary, actor)
        try append(&r, BuiltInKind.contained, text, fields, actor)
    }

    public static func resolve(_ r: inout IncidentRecord, summary: String?, actor: Actor) throws {
        switch r.state.status {
        case .resolved:
            throw IncidentError.refused("\(r.id) is already resolved (at \(r.state.resolvedAt?.humanUTC ?? "?")); 'incident reopen \(r.id)' if the problem came back.")
        case .closed:
            throw IncidentError.refused("\(r.id) is closed; 'incident reopen \(r.id)' first.")
        case .active: break
        }
        try requireAtOrAfter(r.state.startedAt, "the impact start", actor)
        if let reopened = r.events.filter({ $0.kind == BuiltInKind.reopened }).map(\.at).max() {
            try requireAtOrAfter(reopened, "the last reopening", actor)
        }
        var fields: [String: String] = [:]
        var text = "Resolved"
        try annotate(&text, &fields, "summary", summary, actor)
        try append(&r, BuiltInKind.resolved, text, fields, actor)
    }

    /// The reasons `close` would be refused at `at`, one sentence each. `time` is the
    /// runbook's calendar (for a monitoring window in business time); `format` prints a time.
    public static func unmetGates(_ r: IncidentRecord, runbook: Runbook, at: Timestamp, time: BusinessTime,
                                  format: (Timestamp) -> String = { $0.humanUTC }) -> [String] {
        var reasons: [String] = []
        let s = r.state
        for gate in runbook.closeGates {
            switch gate {
            case .resolved:
                if s.status != .resolved { reasons.append("it is not resolved (run 'incident resolve \(r.id)')") }
            case .checklist:
                let missing = Checklist.items(for: s, events: r.events, runbook: runbook).filter { $0.required && !$0.done }
                if !missing.isEmpty {
                    reasons.append("required checklist items are open: " + missing.map { "#\($0.number) \($0.text)" }.joined(separator: "; "))
                }
            case .roles:
                let missing = SLAEngine.missingRoles(s, runbook: runbook)
                if !missing.isEmpty {
                    reasons.append("required roles are unstaffed: " + missing.map { runbook.role(id: $0)?.title ?? $0 }.joined(separator: ", "))
                }
            case .postmortem:
                if s.postmortemPublishedAt == nil {
                    reasons.append("the postmortem is not published (run 'incident postmortem \(r.id) --publish')")
                }
            case .actionItems:
                let bad = ActionItems.items(in: r).filter { $0.owner == nil || $0.dueAt == nil }
                if !bad.isEmpty {
                    reasons.append("action items lack an owner or due date: " + bad.map(\.id).joined(separator: ", "))
                }
            case .actionsDone:
                let open = ActionItems.items(in: r).filter { $0.status == .open }
                if !open.isEmpty { reasons.append("action items are still open: " + open.map(\.id).joined(separator: ", ")) }
            }
        }
        if let m = SLAEngine.monitoring(s, runbook: runbook, time: time) {
            let what = "the monitoring window (\(m.duration.spelledOut) after resolve\(m.title.map { ": " + $0 } ?? ""))"
            if let end = m.endsAt {
                if at < end { reasons.append("\(what) ends at \(format(end)); close then") }
            } else if !runbook.closeGates.contains(.resolved) {
                reasons.append("\(what) has not started; it starts when the incident is resolved")
            }
        }
        return reasons
    }

    public static func close(_ r: inout IncidentRecord, runbook: Runbook, time: BusinessTime, force: Bool, reason: String?, actor: Actor,
                             format: (Timestamp) -> String = { $0.humanUTC }) throws {
        if r.state.status == .closed {
            throw IncidentError.refused("\(r.id) is already closed (at \(r.state.closedAt?.humanUTC ?? "?")).")
        }
        if let resolvedAt = r.state.resolvedAt, actor.at < resolvedAt {
            throw IncidentError.refused("\(r.id) cannot be closed at \(actor.at.iso8601), before it was resolved at \(resolvedAt.iso8601).")
        }
        try requireNotAhead(r, "closed", actor)
        try requireAtOrAfter(r.state.declaredAt, "the declaration", actor)
        let unmet = unmetGates(r, runbook: runbook, at: actor.at, time: time, format: format)
        var fields: [String: String] = ["headHash": r.headHash]
        var text = "Closed"
        if !unmet.isEmpty {
            guard force else {
                throw IncidentError.refused("\(r.id) cannot be closed: " + unmet.joined(separator: "; ") + ". Meet these or use --force --reason TEXT.")
            }
            let why = try cleanShort(reason ?? "", what: "The reason")
            fields["forced"] = "true"
            fields["reason"] = why
            fields["unmetGates"] = unmet.joined(separator: "; ")
            text = "Closed with unmet gates (\(unmet.joined(separator: "; "))): \(why)"
        } else if let reason {
            fields["reason"] = try cleanShort(reason, what: "The reason")
        }
        try append(&r, BuiltInKind.closed, text, fields, actor)
    }

    public static func reopen(_ r: inout IncidentRecord, reason: String?, actor: Actor) throws {
        guard r.state.status != .active else {
            throw IncidentError.refused("\(r.id) is already active.")
        }
        let last = r.state.closedAt ?? r.state.resolvedAt ?? r.state.declaredAt
        if actor.at < last {
            throw IncidentError.refused("\(r.id) cannot be reopened at \(actor.at.iso8601), before it was \(r.state.status.rawValue) at \(last.iso8601).")
        }
        var fields: [String: String] = ["from": r.state.status.rawValue]
        var text = "Reopened"
        try annotate(&text, &fields, "reason", reason, actor)
        try append(&r, BuiltInKind.reopened, text, fields, actor)
    }

    // MARK: Classification, roles, phases

    public static func changeSeverity(_ r: inout IncidentRecord, runbook: Runbook, to name: String, reason: String?, actor: Actor) throws {
        let level = try runbook.level(named: name)
        try requireOpen(r, to: "re-classify")
        try requireAtOrAfter(r.state.declaredAt, "the declaration", actor)
        let from = r.state.severity
        if level.id == from {
            throw IncidentError.refused("\(r.id) is already \(level.title).")
        }
        let fromTitle = runbook.level(id: from)?.title ?? from
        let direction = runbook.levelRank(id: level.id) < runbook.levelRank(id: from) ? "Escalated" : "Downgraded"
        var text = "\(direction) severity \(fromTitle) → \(level.title)"
        var fields = ["from": from, "to": level.id]
        try annotate(&text, &fields, "reason", reason, actor)
        try append(&r, BuiltInKind.severity, text, fields, actor)
    }

    public static func assign(_ r: inout IncidentRecord, runbook: Runbook, role name: String, name person: String, actor: Actor) throws {
        let role = try runbook.role(named: name)
        let who = try cleanShort(person, what: "The person's name")
        try requireOpen(r, to: "assign roles on")
        try requireAtOrAfter(r.state.declaredAt, "the declaration", actor)
        let previous = r.state.roles[role.id]
        if previous == who { throw IncidentError.refused("\(who) is already \(role.title) of \(r.id).") }
        var fields = ["role": role.id, "name": who]
        var text = "\(role.title): \(who)"
        if let previous {
            fields["previous"] = previous
            text += " (handed over from \(previous))"
        }
        try append(&r, BuiltInKind.assigned, text, fields, actor)
    }

    public static func unassign(_ r: inout IncidentRecord, runbook: Runbook, role name: String, actor: Actor) throws {
        let role = try runbook.role(named: name)
        try requireOpen(r, to: "unassign roles on")
        try requireAtOrAfter(r.state.declaredAt, "the declaration", actor)
        guard let previous = r.state.roles[role.id] else {
            throw IncidentError.refused("Nobody is \(role.title) of \(r.id).")
        }
        try append(&r, BuiltInKind.unassigned, "\(role.title) unassigned (was \(previous))", ["role": role.id, "previous": previous], actor)
    }

    public static func changePhase(_ r: inout IncidentRecord, runbook: Runbook, to name: String?, force: Bool, reason: String?, actor: Actor) throws {
        let target: Runbook.Phase
        // A phase the runbook no longer has (renamed or removed since the incident entered
        // it) has no "next" and no position to skip from: the move must name its phase.
        let known = runbook.phaseIndex(id: r.state.phase)
        let current = known ?? -1
        if let name {
            target = try runbook.phase(named: name)
        } else {
            guard known != nil else {
                throw IncidentError.refused("\(r.id) is in phase '\(r.state.phase)', which this runbook no longer has (its phases: \(runbook.phases.map(\.id).joined(separator: ", "))), so there is no next phase; name one: 'incident phase \(r.id) PHASE'.")
            }
            guard current + 1 < runbook.phases.count else {
                throw IncidentError.refused("\(r.id) is in the last phase (\(runbook.phases[current].title)); 'incident close \(r.id)' when it is done.")
            }
            target = runbook.phases[current + 1]
        }
        try requireOpen(r, to: "change the phase of")
        try requireAtOrAfter(r.state.declaredAt, "the declaration", actor)
        let targetIndex = runbook.phaseIndex(id: target.id)!
        if target.id == r.state.phase {
            throw IncidentError.refused("\(r.id) is already in \(target.title).")
        }
        var problems: [String] = []
        if known != nil, targetIndex > current + 1 {
            let skipped = runbook.phases[(current + 1)..<targetIndex].map(\.title)
            problems.append("it skips \(skipped.joined(separator: ", "))")
        }
        if known != nil, targetIndex > current {
            let leaving = Set(runbook.phases[current..<targetIndex].map(\.id))
            let open = Checklist.items(for: r.state, events: r.events, runbook: runbook).filter { leaving.contains($0.phase) && $0.required && !$0.done }
            if !open.isEmpty {
                problems.append("required checklist items are open: " + open.map { "#\($0.number) \($0.text)" }.joined(separator: "; "))
            }
        }
        var fields = ["from": r.state.phase, "to": target.id]
        let fromTitle = runbook.phase(id: r.state.phase)?.title ?? r.state.phase
        var text = "Phase \(fromTitle) → \(target.title)"
        if !problems.isEmpty {
            guard force else {
                throw IncidentError.refused("Moving \(r.id) to \(target.title) is refused: \(problems.joined(separator: "; ")). Use --force --reason TEXT to override.")
            }
            let why = try cleanShort(reason ?? "", what: "The reason")
            fields["forced"] = "true"
            fields["reason"] = why
            text += " (forced: \(why))"
        } else {
            try annotate(&text, &fields, "reason", reason, actor)
        }
        if let marks = target.marks, !marks.isEmpty { fields["marks"] = marks.joined(separator: ",") }
        try append(&r, BuiltInKind.phase, text, fields, actor)
    }

    // MARK: Timeline

    public static func note(_ r: inout IncidentRecord, runbook: Runbook, text: String, kind: String?,
                            fields extra: [String: String] = [:], actor: Actor) throws {
        let k = try runbook.entryKind(named: kind ?? "note")
        let (clean, redactions) = try cleanLong(text, allowSecrets: actor.allowSecrets)
        var fields = extra
        if !redactions.isEmpty { fields["redacted"] = redactions.joined(separator: ", ") }
        try append(&r, k.id, clean, fields, actor)
    }

    public static func check(_ r: inout IncidentRecord, runbook: Runbook, item selector: String, uncheck: Bool, actor: Actor) throws {
        try requireOpen(r, to: "tick the checklist of")
        let item = try Checklist.find(selector, in: Checklist.items(for: r.state, events: r.events, runbook: runbook))
        if item.done != uncheck {
            throw IncidentError.refused("Checklist item #\(item.number) is already \(uncheck ? "open" : "checked").")
        }
        try append(&r, uncheck ? BuiltInKind.unchecked : BuiltInKind.checked,
                   (uncheck ? "Unchecked: " : "Checked: ") + item.text, ["item": item.text, "phase": item.phase], actor)
    }

    /// Sets (or, with nil, withdraws) the title customers may see on the status page.
    public static func setPublicTitle(_ r: inout IncidentRecord, to title: String?, actor: Actor) throws {
        try requireAtOrAfter(r.state.declaredAt, "the declaration", actor)
        let clean = try title.map { try cleanShort($0, what: "The public title", allowSecrets: actor.allowSecrets) }
        if clean == r.state.publicTitle {
            throw IncidentError.refused(clean == nil ? "\(r.id) has no public title." : "\(r.id)'s public title is already that.")
        }
        let text = clean.map { "Public title: \($0)" } ?? "Public title withdrawn"
        try append(&r, BuiltInKind.retitled, text, ["publicTitle": clean ?? ""], actor)
    }

    public static func publishPostmortem(_ r: inout IncidentRecord, path: String?, actor: Actor) throws {
        var fields: [String: String] = ["headHash": r.headHash]
        if let path { fields["path"] = path }
        try append(&r, BuiltInKind.postmortem, "Postmortem published" + (path.map { " to \($0)" } ?? ""), fields, actor)
    }

    // MARK: Helpers

    /// Event kinds a closed incident still accepts: what naturally happens after closing
    /// (follow-ups get done, evidence changes hands, the postmortem is (re)published) and
    /// reopening it. Anything else needs 'incident reopen' first.
    public static let allowedAfterClose: Set<String> = [
        BuiltInKind.reopened, ActionItems.doneKind, BuiltInKind.custody, BuiltInKind.postmortem,
    ]

    /// Refuses an event of `kind` on a closed incident unless it is one of `allowedAfterClose`.
    public static func requireAccepts(_ r: IncidentRecord, kind: String) throws {
        if r.state.status == .closed && !allowedAfterClose.contains(kind) {
            throw IncidentError.refused("\(r.id) is closed; run 'incident reopen \(r.id)' before adding to it (a closed incident only takes action items marked done, evidence custody and the postmortem).")
        }
    }

    /// The one way an event is added: every rule that holds for all events is checked here.
    static func append(_ r: inout IncidentRecord, _ kind: String, _ text: String, _ fields: [String: String], _ actor: Actor) throws {
        try requireAccepts(r, kind: kind)
        try requirePlausibleTime(actor)
        try r.append(Event(id: Event.newID(), kind: kind, at: actor.at, recordedAt: actor.recordedAt,
                           author: actor.name, text: text, fields: fields))
    }

    /// An optional free-text value (`--summary`, `--reason`): stored under `key` and
    /// appended to the timeline line.
    static func annotate(_ text: inout String, _ fields: inout [String: String], _ key: String, _ value: String?, _ actor: Actor) throws {
        guard let value else { return }
        let clean = try cleanShort(value, what: "The \(key)", allowSecrets: actor.allowSecrets)
        fields[key] = clean
        text += ": " + clean
    }

    /// Closing (also declining, merging) archives the incident when it is recorded, whatever
    /// its date: one dated ahead of the clock, even with --future, would take an incident whose
    /// deadlines still run out of `list`, `sla` and the alerts until then.
    static func requireNotAhead(_ r: IncidentRecord, _ verb: String, _ actor: Actor) throws {
        if actor.recordedAt.distance(to: actor.at) > Limits.futureTolerance {
            throw IncidentError.refused("\(r.id) cannot be \(verb) at \(actor.at.iso8601), ahead of the clock: it would leave the active list now while its deadlines still run; run the command when it happens.")
        }
    }

    static func requireOpen(_ r: IncidentRecord, to verb: String) throws {
        if r.state.status == .closed {
            throw IncidentError.refused("\(r.id) is closed; 'incident reopen \(r.id)' before you \(verb) it.")
        }
    }

    /// Times must be storable, and an event dated more than `Limits.futureTolerance` after
    /// it is written is refused unless the actor said so (`--future`).
    static func requirePlausibleTime(_ actor: Actor) throws {
        try requireStorable(actor.at, "The time")
        if !actor.allowFuture, actor.recordedAt.distance(to: actor.at) > Limits.futureTolerance {
            throw IncidentError.invalidInput("\(actor.at.iso8601) is \(formatSpan(milliseconds: actor.recordedAt.distance(to: actor.at))) ahead of the clock; a time more than \(Limits.futureTolerance / 60_000) minutes ahead is refused as a likely typo unless --future.")
        }
    }

    static func requireStorable(_ t: Timestamp, _ what: String) throws {
        if !t.isStorable {
            throw IncidentError.invalidInput("\(what) is outside 1970-01-01 to 9999-12-31 UTC, the times an incident file can hold.")
        }
    }

    static func requireAtOrAfter(_ t: Timestamp, _ what: String, _ actor: Actor) throws {
        if actor.at < t {
            throw IncidentError.refused("\(actor.at.iso8601) is before \(what) (\(t.iso8601)); check --at.")
        }
    }

    /// Trims a one-line value, refusing empty, oversized or control-character input.
    /// The size limit is checked on the text as stored, after redaction (which can lengthen it).
    /// True for text a reader would see as nothing: whitespace of any kind (spaces, tabs, line
    /// breaks) and invisible format characters (zero-width spaces and joiners, direction marks).
    public static func isBlank(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { c in
            let p = c.properties
            return p.isWhitespace || p.generalCategory == .format || p.generalCategory == .nonspacingMark
                || p.generalCategory == .enclosingMark || p.isVariationSelector || blankLooking.contains(c.value)
        }
    }

    /// Letters and symbols that print as nothing: Hangul fillers, the Braille blank, Khmer
    /// inherent vowels, the combining grapheme joiner.
    static let blankLooking: Set<UInt32> = [0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x17B4, 0x17B5, 0x034F]

    public static func cleanShort(_ s: String, what: String, allowSecrets: Bool = false) throws -> String {
        if s.utf8.count > 4 * Limits.shortText {
            throw IncidentError.invalidInput("\(what) is \(s.utf8.count) bytes; the limit is \(Limits.shortText).")
        }
        let trimmed = joinedWithSpaces(s.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" }))
            .trimmingCharacters(in: " ")
        if isBlank(trimmed) { throw IncidentError.invalidInput("\(what) is empty\(trimmed.isEmpty ? "" : " (only spaces or invisible characters)").") }
        if trimmed.unicodeScalars.contains(where: { $0.value == 0 }) {
            throw IncidentError.invalidInput("\(what) contains a NUL byte.")
        }
        let stored = allowSecrets ? trimmed : SecretRedactor.redact(trimmed).text
        if stored.utf8.count > Limits.shortText {
            throw IncidentError.invalidInput("\(what) is \(stored.utf8.count) bytes\(stored == trimmed ? "" : " once credentials are redacted"); the limit is \(Limits.shortText).")
        }
        return stored
    }

    /// Validates a timeline entry and redacts credentials unless allowed.
    public static func cleanLong(_ s: String, allowSecrets: Bool) throws -> (String, [String]) {
        var text = s
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        if isBlank(text) { throw IncidentError.invalidInput("The entry text is empty\(text.isEmpty ? "" : " (only spaces, line breaks or invisible characters)").") }
        func tooLong(_ n: Int, _ note: String) -> IncidentError {
            IncidentError.invalidInput("The entry is \(n) bytes\(note); the limit is \(Limits.longText) (1 MiB). Attach large logs as evidence instead.")
        }
        if text.utf8.count > Limits.longText { throw tooLong(text.utf8.count, "") }
        if text.unicodeScalars.contains(where: { $0.value == 0 }) {
            throw IncidentError.invalidInput("The entry contains a NUL byte; is it binary?")
        }
        if allowSecrets { return (text, []) }
        let result = SecretRedactor.redact(text)
        // Redaction markers can be longer than what they replace: the limit is on what is stored.
        if result.text.utf8.count > Limits.longText { throw tooLong(result.text.utf8.count, " once credentials are redacted") }
        return (result.text, result.kinds)
    }
}
