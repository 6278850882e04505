import Foundation
import Testing
import TestSupport

extension E2E {
    /// The ID of the first timeline entry whose text contains `text`.
    func entryID(_ incident: String, containing text: String) throws -> String {
        let entries = try json("timeline", incident) as? [[String: Any]] ?? []
        return entries.first { ($0["text"] as? String)?.contains(text) == true }?["id"] as? String ?? "missing"
    }

    func timelineTexts(_ incident: String, _ extra: String...) throws -> [String] {
        let r = try runBinary(["timeline", incident, "--json"] + extra, store: store)
        #expect(r.status == 0, "\(r.stderr)")
        let entries = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        return entries.compactMap { $0["text"] as? String }
    }

    func verifies() throws -> Bool {
        let r = try run("verify")
        #expect(r.status == 0, "verify: \(r.stdout) \(r.stderr)")
        return r.status == 0
    }
}

@Suite(.serialized) struct CorrectionTests {
    @Test func amendCorrectsTextTimeAndKindWithoutRewriting() throws {
        let e = E2E()
        _ = try e.declare()
        try e.run("note", "1", "Rolled back to v1.4.1", "--at", "2026-01-05T14:20:00Z")
        let id = try e.entryID("1", containing: "v1.4.1")
        let before = try String(contentsOfFile: e.store + "/active/INC-1.json", encoding: .utf8)
        let amended = try e.run("amend", "1", String(id.dropFirst(3).prefix(6)), "Rolled back to v1.4.2", user: "bob")
        #expect(amended.status == 0, "\(amended.stderr)")
        #expect(try e.run("amend", "1", id, "--happened-at", "2026-01-05T14:12:00Z", "--kind", "decision").status == 0)
        // The corrected entry is what the timeline and the postmortem show, in its corrected place.
        let entries = try e.json("timeline", "1") as? [[String: Any]] ?? []
        let entry = entries.first { $0["id"] as? String == id }
        #expect(entry?["text"] as? String == "Rolled back to v1.4.2")
        #expect(entry?["at"] as? String == "2026-01-05T14:12:00Z")
        #expect(entry?["kind"] as? String == "decision")
        #expect(!entries.contains { ($0["kind"] as? String) == "amended" })
        let postmortem = try e.run("postmortem", "1")
        #expect(postmortem.stdout.contains("v1.4.2") && !postmortem.stdout.contains("v1.4.1"))
        // The history keeps the original and says who changed what, when.
        let history = try e.run("timeline", "1", "--history")
        #expect(history.stdout.contains("“Rolled back to v1.4.1” → “Rolled back to v1.4.2”"))
        #expect(history.stdout.contains("changed by bob"))
        #expect(history.stdout.contains("“2026-01-05T14:20:00Z” → “2026-01-05T14:12:00Z”"))
        #expect(history.stdout.contains("“note” → “decision”"))
        // Nothing rewritten: the file still starts with every byte of the old events.
        let after = try String(contentsOfFile: e.store + "/active/INC-1.json", encoding: .utf8)
        let oldNote = before.components(separatedBy: "Rolled back to v1.4.1").count
        #expect(after.components(separatedBy: "Rolled back to v1.4.1").count == oldNote)
        #expect(try e.verifies())
    }

    @Test func strikeWithdrawsAnEntryFromTimelineTimersAndPostmortem() throws {
        let e = E2E()
        _ = try e.declare(at: "2026-01-05T14:00:00Z")
        try e.run("note", "1", "--kind", "comms", "Status page updated", "--at", "2026-01-05T14:30:00Z")
        func statusDue() throws -> String? {
            let timers = try e.json("sla", "1", "--at", "2026-01-05T14:40:00Z") as? [[String: Any]] ?? []
            return timers.first { ($0["name"] as? String)?.contains("update") == true }?["dueAt"] as? String
        }
        #expect(try statusDue() == "2026-01-05T15:30:00Z")
        let id = try e.entryID("1", containing: "Status page")
        #expect(try e.run("strike", "1", id).status == 2)  // --reason is required
        let struck = try e.run("strike", "1", id, "--reason", "Posted to the wrong incident", user: "carol")
        #expect(struck.status == 0, "\(struck.stderr)")
        #expect(try !e.timelineTexts("1").contains("Status page updated"))
        #expect(try statusDue() == "2026-01-05T15:00:00Z")  // the update no longer counts
        #expect(try !e.run("postmortem", "1").stdout.contains("Status page updated"))
        let history = try e.run("timeline", "1", "--history")
        #expect(history.stdout.contains("Status page updated") && history.stdout.contains("struck by carol"))
        #expect(history.stdout.contains("Posted to the wrong incident"))
        // A struck entry cannot be struck or amended again.
        #expect(try e.run("strike", "1", id, "--reason", "again").status == 1)
        #expect(try e.verifies())
    }

    @Test func aWrongAtOnAStateChangeIsRetimedAndTheTimersFollow() throws {
        let e = E2E()
        _ = try e.declare(at: "2026-01-05T14:00:00Z")
        #expect(try e.run("ack", "1", "--at", "2026-01-05T15:30:00Z").status == 0)
        var show = try e.object("show", "1")
        #expect(show["acknowledgedAt"] as? String == "2026-01-05T15:30:00Z")
        let ack = try e.entryID("1", containing: "cknowledged")
        #expect(try e.run("amend", "1", ack, "Acked by phone").status == 1)  // generated text stays
        #expect(try e.run("strike", "1", ack, "--reason", "x").status == 1)
        #expect(try e.run("amend", "1", ack, "--happened-at", "2026-01-05T13:00:00Z").status == 1)  // before declaration
        #expect(try e.run("amend", "1", ack, "--happened-at", "2026-01-05T14:20:00Z").status == 0)
        show = try e.object("show", "1")
        #expect(show["acknowledgedAt"] as? String == "2026-01-05T14:20:00Z")
        let ackTimer = (show["sla"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "acknowledge" }
        #expect(ackTimer?["state"] as? String == "met")
        #expect(try e.verifies())
    }

    @Test func badCorrectionsAreRefusedAndWriteNothing() throws {
        let e = E2E()
        _ = try e.declare()
        try e.run("note", "1", "first note")
        try e.run("note", "1", "second note")
        let declared = try e.entryID("1", containing: "Declared")
        let note = try e.entryID("1", containing: "first note")
        let before = snapshot(e.store)
        #expect(try e.run("amend", "1", note).status == 2)  // nothing to correct
        #expect(try e.run("amend", "1", declared, "x").status == 1)
        #expect(try e.run("amend", "1", "ev-00000000", "x").status == 3)
        #expect(try e.run("amend", "1", "ab", "x").status == 2)  // too short to name an entry
        #expect(try e.run("amend", "1", note, "--happened-at", "2099-01-01T00:00:00Z").status == 2)
        #expect(try e.run("amend", "1", note, "--happened-at", "yesterday-ish").status == 2)
        #expect(try e.run("amend", "1", note, "first note").status == 1)  // already says that
        #expect(try e.run("amend", "1", note, "--kind", "no-such-kind").status == 2)
        #expect(try e.run("edit", "1").status == 2)
        #expect(try e.run("edit", "1", "--started-at", "2026-01-05T15:00:00Z").status == 2)  // after the declaration
        #expect(try e.run("amend", "9", note, "x").status == 3)
        #expect(snapshot(e.store) == before)
    }

    @Test func closedIncidentsTakeNoCorrections() throws {
        let e = E2E()
        _ = try e.declare()
        try e.run("note", "1", "a note")
        let note = try e.entryID("1", containing: "a note")
        #expect(try e.run("resolve", "1").status == 0)
        #expect(try e.run("close", "1", "--force", "--reason", "test").status == 0)
        let before = snapshot(e.store)
        #expect(try e.run("amend", "1", note, "changed").status == 1)
        #expect(try e.run("strike", "1", note, "--reason", "x").status == 1)
        #expect(try e.run("edit", "1", "--title", "New").status == 1)
        #expect(snapshot(e.store) == before)
    }

    @Test func editChangesTheFactsAndKeepsTheOldValues() throws {
        let e = E2E()
        _ = try e.declare("Checkout 500s", at: "2026-01-05T14:05:00Z")
        let r = try e.run("edit", "1", "--title", "Checkout 500s in EU", "--summary", "5% of EU checkouts fail",
                          "--started-at", "2026-01-05T13:40:00Z", "--public-title", "Payment issues", user: "dana")
        #expect(r.status == 0, "\(r.stderr)")
        let show = try e.object("show", "1")
        #expect(show["title"] as? String == "Checkout 500s in EU")
        #expect(show["summary"] as? String == "5% of EU checkouts fail")
        #expect(show["startedAt"] as? String == "2026-01-05T13:40:00Z")
        #expect(show["publicTitle"] as? String == "Payment issues")
        let history = try e.run("timeline", "1", "--history").stdout
        #expect(history.contains("title changed by dana"))
        #expect(history.contains("“Checkout 500s” → “Checkout 500s in EU”"))
        #expect(history.contains("“2026-01-05T14:05:00Z” → “2026-01-05T13:40:00Z”"))
        #expect(try e.run("postmortem", "1").stdout.contains("Checkout 500s in EU"))
        #expect(try e.verifies())
    }
}

/// A state change retimed later than every entry as first written: the all-incident views
/// (from the derived summaries) agree with `sla ID` and `show`.
@Suite(.serialized) struct CorrectedTimeSummaryTests {
    @Test func aResolveRetimedLaterKeepsSlaListAndStatsInAgreement() throws {
        let e = E2E()
        _ = try e.declare(at: "2026-01-05T14:00:00Z")
        #expect(try e.run("ack", "1", "--at", "2026-01-05T14:05:00Z").status == 0)
        #expect(try e.run("resolve", "1", "--at", "2026-01-05T14:30:00Z").status == 0)
        let resolved = try e.entryID("1", containing: "esolved")
        #expect(try e.run("amend", "1", resolved, "--happened-at", "2026-01-05T14:45:00Z", "--at", "2026-01-05T14:40:00Z").status == 0)
        // Both views at the real clock, long after: `sla 1` reads the file, `sla` the summaries.
        func states(_ args: String...) throws -> [String: String] {
            let r = try runBinary(args + ["--json"], store: e.store)
            let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
            return Dictionary(rows.compactMap { row in (row["name"] as? String).map { ($0, row["state"] as? String ?? "") } }, uniquingKeysWith: { a, _ in a })
        }
        let one = try states("sla", "1")
        let fromSummary = try states("sla")
        #expect(!one.isEmpty)
        #expect(one["comms-update"] != "breached", "\(one)")
        #expect(fromSummary == one, "sla (all): \(fromSummary) vs sla 1: \(one)")
        #expect(try e.run("sla", "--fail-on", "breached").status == (one.values.contains("breached") ? 8 : 0))
    }
}
