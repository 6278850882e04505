/// `incident merge ID --into OTHER`: the same outage declared twice. (Not to be confused with
/// the git-level merge of two copies of one incident file.)
///
/// The survivor gets, as new events: a `merged-in` entry naming the duplicate; a copy of each
/// of the duplicate's entries, at the time it happened and by its author, marked with its
/// origin (`fields["origin"]`, `fields["originEvent"]`); state changes of the duplicate are
/// copied as `merged-entry` lines, so they show in the timeline without changing the
/// survivor's state; its roles where the survivor has nobody; its action items, renumbered.
/// The duplicate is then closed with the outcome `merged`, pointing at the survivor.
public enum DuplicateMerge {
    public struct Result: Sendable {
        public var entries = 0
        public var rolesMoved: [String] = []
        public var rolesKept: [String] = []
        public var actionItems: [String] = []
        /// The survivor already held the copies (an interrupted merge being completed).
        public var resumed = false
    }

    public static func merge(_ source: inout IncidentRecord, into survivor: inout IncidentRecord, runbook: Runbook,
                             actor: Actor) throws -> Result {
        guard source.id != survivor.id else {
            throw IncidentError.invalidInput("An incident cannot be merged into itself.")
        }
        if source.state.outcome == .merged, let into = source.state.mergedInto {
            throw IncidentError.refused("\(source.id) was already merged into \(into).")
        }
        if source.state.status == .closed {
            throw IncidentError.refused("\(source.id) is \(source.state.outcome == .declined ? "declined" : "closed"); 'incident reopen \(source.id)' before merging it.")
        }
        try Actions.requireNotAhead(source, "merged", actor)
        if survivor.state.status == .closed {
            let why = survivor.state.outcome == .merged ? "was itself merged into \(survivor.state.mergedInto?.description ?? "another incident")" : "is closed"
            throw IncidentError.refused("\(survivor.id) \(why); merge into an open incident.")
        }
        try Actions.requireAtOrAfter(source.state.declaredAt, "the declaration of \(source.id)", actor)
        try Actions.requireAtOrAfter(survivor.state.declaredAt, "the declaration of \(survivor.id)", actor)

        var result = Result()
        let origin = source.id.description
        let alreadyIn = survivor.events.contains { $0.kind == BuiltInKind.mergedIn && $0.fields["from"] == origin }
        if alreadyIn {
            result.resumed = true
        } else {
            let s = source.state
            // Action items are moved as items below; their log lines would only repeat them.
            let moved: Set<String> = [BuiltInKind.declared, ActionItems.addedKind, ActionItems.doneKind]
            let entries = source.timeline.filter { !moved.contains($0.kind) }
            let items = ActionItems.items(in: source)
            var roleNotes: [String] = []
            var roleEvents: [Event] = []
            for (role, name) in s.roles.sorted(by: { $0.key < $1.key }) {
                let title = runbook.role(id: role)?.title ?? role
                if let held = survivor.state.roles[role] {
                    if held != name { result.rolesKept.append("\(title): \(held) (not \(name))") }
                    continue
                }
                result.rolesMoved.append("\(title): \(name)")
                roleNotes.append("\(title) \(name)")
                roleEvents.append(event(BuiltInKind.assigned, "\(title): \(name)",
                                        ["role": role, "name": name, "origin": origin], actor))
            }
            var text = "Merged in \(origin) “\(s.title)” as a duplicate (declared \(s.declaredAt.humanUTC)): \(entries.count) entr\(entries.count == 1 ? "y" : "ies")"
            if !roleNotes.isEmpty { text += ", roles " + roleNotes.joined(separator: ", ") }
            if !items.isEmpty { text += ", \(items.count) action item\(items.count == 1 ? "" : "s")" }
            try survivor.append(event(BuiltInKind.mergedIn, text, ["from": origin, "title": s.title], actor))
            for e in entries {
                try survivor.append(copy(of: e, origin: origin, actor: actor))
                result.entries += 1
            }
            for e in roleEvents { try survivor.append(e) }
            for item in items {
                let id = ActionItems.nextID(in: survivor)
                var fields = ["id": id, "text": item.text, "origin": "\(origin) \(item.id)"]
                if let o = item.owner { fields["owner"] = o }
                if let d = item.dueAt { fields["due"] = d.iso8601 }
                if let t = item.term { fields["term"] = t.rawValue }
                try survivor.append(event(ActionItems.addedKind, "Action item \(id): \(item.text)", fields, actor))
                if item.status == .done {
                    try survivor.append(event(ActionItems.doneKind, "Action item \(id) done: \(item.text)", ["id": id, "origin": "\(origin) \(item.id)"], actor))
                }
                result.actionItems.append("\(origin) \(item.id) → \(id)")
            }
        }
        try source.append(event(BuiltInKind.merged, "Merged into \(survivor.id) as a duplicate",
                                ["into": survivor.id.description, "headHash": source.headHash], actor))
        return result
    }

    /// Entries and action items written on a duplicate after it was merged (on a clone that
    /// had not yet seen the merge, delivered by a sync) are copied to the survivor the same way
    /// the merge copied the others; what was copied already (by `originEvent`, or an action
    /// item's `origin`) is not copied again. Returns how many entries and items were copied.
    public static func carryLateEntries(from source: IncidentRecord, into survivor: inout IncidentRecord, actor: Actor) throws -> Int {
        guard source.state.outcome == .merged, source.state.mergedInto == survivor.id else { return 0 }
        let origin = source.id.description
        let copied = Set(survivor.events.compactMap { $0.fields["originEvent"] })
        let itemOrigins = Set(survivor.events.filter { $0.kind == ActionItems.addedKind }.compactMap { $0.fields["origin"] })
        let doneOrigins = Set(survivor.events.filter { $0.kind == ActionItems.doneKind }.compactMap { $0.fields["origin"] })
        let skipped: Set<String> = [BuiltInKind.declared, ActionItems.addedKind, ActionItems.doneKind, BuiltInKind.merged,
                                    BuiltInKind.numbered, BuiltInKind.mergedIn]
        var count = 0
        // Copies the duplicate itself holds of the survivor's own entries (two incidents merged
        // into each other on two clones) are not brought back.
        let home = survivor.id.description
        let fromSurvivor = Set(source.events.filter { $0.kind == ActionItems.addedKind && $0.fields["origin"]?.hasPrefix(home + " ") == true }
            .compactMap { $0.fields["id"] })
        for e in source.timeline where !skipped.contains(e.kind) && !copied.contains(e.id)
            && !(e.fields["originEvent"].map(copied.contains) ?? false) && e.fields["origin"] != home {
            try survivor.append(copy(of: e, origin: origin, actor: actor))
            count += 1
        }
        for item in ActionItems.items(in: source) where !fromSurvivor.contains(item.id) {
            let key = "\(origin) \(item.id)"
            var id = survivor.events.first { $0.kind == ActionItems.addedKind && $0.fields["origin"] == key }?.fields["id"]
            if !itemOrigins.contains(key) {
                let next = ActionItems.nextID(in: survivor)
                var fields = ["id": next, "text": item.text, "origin": key]
                if let o = item.owner { fields["owner"] = o }
                if let d = item.dueAt { fields["due"] = d.iso8601 }
                if let t = item.term { fields["term"] = t.rawValue }
                try survivor.append(event(ActionItems.addedKind, "Action item \(next): \(item.text)", fields, actor))
                id = next
                count += 1
            }
            if item.status == .done, !doneOrigins.contains(key), let id {
                try survivor.append(event(ActionItems.doneKind, "Action item \(id) done: \(item.text)", ["id": id, "origin": key], actor))
                count += 1
            }
        }
        return count
    }

    /// The survivor's copy of one of the duplicate's entries: a free entry (a note) as it
    /// was, marked with its origin; a state change as a `merged-entry` line, which shows in
    /// the timeline without changing the survivor's state.
    static func copy(of e: Event, origin: String, actor: Actor) -> Event {
        var fields = e.fields
        fields["origin"] = e.fields["origin"] ?? origin
        fields["originEvent"] = e.fields["originEvent"] ?? e.id
        var kind = e.kind
        if !Actions.isFreeEntry(e) {
            kind = BuiltInKind.mergedEntry
            fields = ["origin": origin, "originEvent": e.id, "originKind": e.kind]
        }
        return Event(id: Event.newID(), kind: kind, at: e.at, recordedAt: actor.recordedAt, author: e.author, text: e.text, fields: fields)
    }

    static func event(_ kind: String, _ text: String, _ fields: [String: String], _ actor: Actor) -> Event {
        Event(id: Event.newID(), kind: kind, at: actor.at, recordedAt: actor.recordedAt, author: actor.name, text: text, fields: fields)
    }
}
