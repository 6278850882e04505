/// Checks an incident's tamper evidence: every event's hash matches its content, every
/// event names the hash of the one before it, and no two events share an id. Events are
/// hashed in the format the file's schema version names (`HashFormat`).
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
        var seen = Set<String>()
        var previous: String?
        for (index, event) in record.events.enumerated() {
            func fail(_ what: String) {
                problems.append("event #\(index + 1) (\(event.id), \(event.kind) at \(event.at.iso8601)) \(what)")
                if first == nil { first = event.id }
            }
            if !seen.insert(event.id).inserted { fail("reuses an event id") }
            if let why = event.ambiguity(in: record.hashFormat) { fail(why) }
            if event.hash != event.computedHash(record.hashFormat) { fail("does not match its hash: its content was edited after it was written") }
            let expectedParents = previous.map { [$0] } ?? []
            if event.parents != expectedParents {
                fail(index == 0 ? "should have no parent" : "does not follow the event before it: an event was removed, reordered or inserted")
            }
            previous = event.hash
        }
        if record.runbook != record.declaredRunbook {
            problems.append("the runbook named at the top of the file ('\(record.runbook)') differs from the one recorded in the hashed declaration ('\(record.declaredRunbook)')")
            if first == nil { first = record.events.first?.id }
        }
        return Report(problems: problems, firstBrokenEvent: first)
    }
}
