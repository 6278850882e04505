/// Checks an incident's tamper evidence. The log is a hash DAG: every event's hash matches its
/// content (hashed in the format the file's schema version names, `HashFormat`), the first
/// event is the declaration and has no parent, every other event names the hash(es) of events
/// stored before it, no event id carries two different contents, and the stored order is the
/// canonical one (so a reordering shows). An honest merge of two clones' copies passes; an
/// event altered, dropped or moved on any clone is named.
public enum Verifier {
    public struct Report: Sendable, Equatable {
        public var ok: Bool { problems.isEmpty }
        public var problems: [String]
        /// The id of the first event at fault.
        public var firstBrokenEvent: String?
    }

    public static func verify(_ record: IncidentRecord) -> Report {
        var problems: [String] = []
        var first: String?
        var seenIDs: [String: Event] = [:]
        var earlier = Set<String>()
        let all = Set(record.events.map(\.hash))
        for (index, event) in record.events.enumerated() {
            func fail(_ what: String) {
                problems.append("event #\(index + 1) (\(event.id), \(event.kind) at \(event.at.iso8601)) \(what)")
                if first == nil { first = event.id }
            }
            if let other = seenIDs[event.id] {
                fail(other == event ? "is stored twice" : "exists in two different versions: one copy was edited after it was written (on this clone or on another before a sync)")
            }
            seenIDs[event.id] = event
            if let why = event.ambiguity(in: record.hashFormat) { fail(why) }
            if event.hash != event.computedHash(record.hashFormat) { fail("does not match its hash: its content was edited after it was written") }
            if index == 0 {
                if !event.parents.isEmpty { fail("should have no parent: events before it were removed") }
                if event.kind != BuiltInKind.declared { fail("is not the declaration the log must start with") }
            } else if event.parents.isEmpty {
                fail("has no parent: it was inserted, or the events before it were removed")
            } else {
                for parent in event.parents where !earlier.contains(parent) {
                    if all.contains(parent) {
                        fail("is stored before an event it follows: events were reordered")
                    } else {
                        fail("follows an event that is missing: an event was removed")
                    }
                    break
                }
            }
            earlier.insert(event.hash)
        }
        if problems.isEmpty {
            let canonical = EventLog.canonicalOrder(record.events)
            if let i = zip(canonical, record.events).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                let event = record.events[i]
                problems.append("event #\(i + 1) (\(event.id), \(event.kind) at \(event.at.iso8601)) is out of its place in the log: events were reordered")
                first = event.id
            }
        }
        if record.runbook != record.declaredRunbook {
            problems.append("the runbook named at the top of the file ('\(record.runbook)') differs from the one recorded in the hashed declaration ('\(record.declaredRunbook)')")
            if first == nil { first = record.events.first?.id }
        }
        return Report(problems: problems, firstBrokenEvent: first)
    }
}
