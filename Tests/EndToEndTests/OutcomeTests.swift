import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct OutcomeTests {
    func ids(_ e: E2E, _ args: String...) throws -> [String] {
        let r = try runBinary(["list", "--json"] + args, store: e.store)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["id"] as? String }
    }

    @Test func declineArchivesAndLeavesListAndStats() throws {
        let e = E2E()
        _ = try e.declare("Real outage")
        _ = try e.declare("Synthetic check flapped", severity: "low")
        #expect(try e.run("decline", "2").status == 2)  // --reason required
        let r = try e.run("decline", "2", "--reason", "Synthetic check misconfigured")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: e.store + "/archive/2026/INC-2.json"))
        #expect(try ids(e) == ["INC-1"])
        #expect(try ids(e, "--all") == ["INC-1"])
        #expect(try ids(e, "--status", "declined") == ["INC-2"])
        #expect(try ids(e, "--status", "closed").isEmpty)
        let show = try e.object("show", "2")
        #expect(show["status"] as? String == "closed" && show["outcome"] as? String == "declined")
        #expect(show["outcomeReason"] as? String == "Synthetic check misconfigured")
        #expect(try e.run("show", "2").stdout.contains("declined"))
        let stats = try e.object("stats")
        #expect(stats["incidents"] as? Int == 1)
        #expect(try e.run("decline", "2", "--reason", "again").status == 1)
        #expect(try e.verifies())
        // Reopening says it was an incident after all.
        #expect(try e.run("reopen", "2", "--reason", "It was real").status == 0)
        #expect(try ids(e).sorted() == ["INC-1", "INC-2"])
        #expect(try e.object("show", "2")["outcome"] == nil)
        #expect(try e.verifies())
    }

    /// A closed incident's clocks have stopped: `sla`, `show` and `list --all` never show one
    /// counting down or running overdue hours after it was closed, in text or JSON.
    @Test func aClosedIncidentsDeadlinesStayStopped() throws {
        let e = E2E()
        _ = try e.declare("Checkout 500s", severity: "critical", at: "2026-01-05T14:00:00Z")
        let closed = try e.run("close", "1", "--force", "--reason", "false alarm", "--at", "2026-01-05T14:20:00Z")
        #expect(closed.status == 0, "\(closed.stderr)")
        for at in ["2026-01-05T14:30:00Z", "2026-01-06T09:00:00Z"] {
            let text = try e.run("sla", "1", "--at", at)
            #expect(text.status == 0, "\(text.stderr)")
            #expect(!text.stdout.contains("OVERDUE") && !text.stdout.contains("due in"), "\(text.stdout)")
            #expect(text.stdout.contains("stopped") && text.stdout.contains("breached"), "\(text.stdout)")
            let rows = try e.json("sla", "1", "--at", at) as? [[String: Any]] ?? []
            #expect(!rows.isEmpty && rows.allSatisfy { $0["remainingSeconds"] == nil }, "\(rows)")
            let byName = Dictionary(rows.compactMap { r in (r["name"] as? String).map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
            #expect(byName["acknowledge"]?["state"] as? String == "breached")  // due 14:15, before the close
            #expect(byName["resolve"]?["state"] as? String == "pending")       // due 15:00, after it
            #expect(!(try e.run("show", "1", "--at", at).stdout.contains("OVERDUE")))
            #expect(!(try e.run("list", "--all", "--at", at).stdout.contains("OVERDUE")))
        }
        #expect(try e.run("sla", "--fail-on", "breached", "--at", "2026-01-06T09:00:00Z").status == 0)
        // A close dated ahead of the clock would archive now an incident whose deadlines still
        // run: refused even with --future (so are decline and merge), and nothing is written.
        _ = try e.declare("Maintenance window", severity: "low", at: "2026-01-05T15:00:00Z")
        for args in [["close", "2", "--force", "--reason", "window ends", "--at", "+4h", "--future"],
                     ["decline", "2", "--reason", "planned", "--at", "+4h", "--future"]] {
            let r = try runBinary(args, store: e.store)
            #expect(r.status == 1 && r.stderr.contains("ahead of the clock"), "\(args): \(r.stderr)")
        }
        // Without --future too: the refusal does not offer --future as the way out.
        let plain = try runBinary(["close", "2", "--force", "--reason", "window ends", "--at", "+1h"], store: e.store)
        #expect(plain.status == 1 && plain.stderr.contains("not even with --future"), "\(plain.stderr)")
        #expect(try e.object("show", "2")["status"] as? String == "active")
    }

    /// "What was overdue at 21:00?" includes an incident that was open then and has been
    /// closed (and archived) since; one closed before then, or declared after, is left out.
    @Test func atAMomentIncludesIncidentsClosedSince() throws {
        let e = E2E()
        _ = try e.declare("Open then, closed since", severity: "high", at: "2026-01-05T18:00:00Z")
        _ = try e.declare("Closed before", severity: "high", at: "2026-01-05T17:00:00Z")
        _ = try e.declare("Declared after", severity: "high", at: "2026-01-05T21:30:00Z")
        #expect(try e.run("close", "1", "--force", "--reason", "x", "--at", "2026-01-05T22:30:00Z").status == 0)
        #expect(try e.run("close", "2", "--force", "--reason", "x", "--at", "2026-01-05T20:00:00Z").status == 0)
        let at = "2026-01-05T21:00:00Z"
        func ids(_ value: Any) -> [String] { (value as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
        #expect(ids(try e.json("list", "--at", at)) == ["INC-1"])
        let all = try e.json("list", "--all", "--at", at) as? [[String: Any]] ?? []
        #expect(all.filter { $0["id"] as? String == "INC-1" }.count == 1 && all.first { $0["id"] as? String == "INC-1" }?["status"] as? String == "active", "\(all)")
        #expect(Set(ids(try e.json("sla", "--at", at))) == ["INC-1"])
        #expect(try e.run("sla", "--at", at, "--fail-on", "breached").status == 8)
        #expect(ids(try e.json("list")) == ["INC-3"])
    }

    @Test func mergeMovesEntriesRolesAndActionItemsAndTheIDKeepsResolving() throws {
        let e = E2E()
        _ = try e.declare("Checkout 500s", at: "2026-01-05T14:00:00Z")
        _ = try e.declare("Payments failing", severity: "medium", at: "2026-01-05T14:03:00Z")
        try e.run("assign", "1", "commander", "dave")
        try e.run("assign", "2", "commander", "bob")
        try e.run("assign", "2", "scribe", "carol")
        try e.run("note", "2", "Card auth errors in EU", "--at", "2026-01-05T14:04:00Z", user: "bob")
        try e.run("action", "add", "1", "Add alert", "--owner", "dave", "--due", "2026-02-01T00:00:00Z")
        try e.run("action", "add", "2", "Fix retries", "--owner", "bob", "--due", "2026-02-01T00:00:00Z")
        let merged = try e.run("merge", "2", "--into", "1")
        #expect(merged.status == 0, "\(merged.stderr)")
        // The survivor's timeline has the duplicate's entries, marked with their origin.
        let timeline = try e.json("timeline", "1") as? [[String: Any]] ?? []
        let copied = timeline.first { $0["text"] as? String == "Card auth errors in EU" }
        #expect(copied?["author"] as? String == "bob")
        #expect(copied?["at"] as? String == "2026-01-05T14:04:00Z")
        #expect((copied?["fields"] as? [String: String])?["origin"] == "INC-2")
        #expect(try e.run("timeline", "1").stdout.contains("[from INC-2] Card auth errors in EU"))
        // Roles go where the survivor has nobody; its own commander stays.
        let show = try e.object("show", "1")
        #expect((show["roles"] as? [String: String]) == ["commander": "dave", "scribe": "carol"])
        let items = (show["actionItems"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(items == ["Add alert", "Fix retries"])
        // The duplicate is archived, closed as merged, and points at the survivor.
        #expect(FileManager.default.fileExists(atPath: e.store + "/archive/2026/INC-2.json"))
        #expect(!FileManager.default.fileExists(atPath: e.store + "/active/INC-2.json"))
        let dup = try e.object("show", "2")
        #expect(dup["status"] as? String == "closed" && dup["outcome"] as? String == "merged" && dup["mergedInto"] as? String == "INC-1")
        #expect(try e.run("show", "2").stdout.contains("merged into INC-1"))
        let write = try e.run("note", "2", "late note")
        #expect(write.status == 1 && write.stderr.contains("INC-1"))
        #expect(try e.run("reopen", "2").status == 1)
        #expect(try ids(e) == ["INC-1"])
        #expect(try ids(e, "--all") == ["INC-1"])
        #expect(try ids(e, "--status", "merged") == ["INC-2"])
        #expect(try e.object("stats")["incidents"] as? Int == 1)
        #expect(try e.verifies())
    }

    @Test func mergeRefusesWhatCannotBeMerged() throws {
        let e = E2E()
        _ = try e.declare("A")
        _ = try e.declare("B")
        _ = try e.declare("C")
        try e.run("resolve", "3")
        try e.run("close", "3", "--force", "--reason", "done")
        let before = snapshot(e.store)
        #expect(try e.run("merge", "1", "--into", "1").status == 2)
        #expect(try e.run("merge", "1").status == 2)
        #expect(try e.run("merge", "1", "--into", "9").status == 3)
        #expect(try e.run("merge", "1", "--into", "3").status == 1)  // closed survivor
        #expect(try e.run("merge", "3", "--into", "1").status == 1)  // closed duplicate
        #expect(snapshot(e.store) == before)
        // A chain: 1 into 2, then 2 into 4; INC-1 names the final survivor.
        _ = try e.declare("D")
        #expect(try e.run("merge", "1", "--into", "2").status == 0)
        // Run again into the same survivor: nothing new reached INC-1, so nothing is written.
        let unchanged = snapshot(e.store)
        let again = try e.run("merge", "1", "--into", "2")
        #expect(again.status == 0 && again.stdout.contains("already merged into INC-2"), "\(again.stdout)")
        #expect(snapshot(e.store) == unchanged)
        #expect(try e.run("merge", "2", "--into", "4").status == 0)
        let notice = try e.run("show", "1").stdout
        #expect(notice.contains("merged into INC-2") && notice.contains("INC-4"))
        #expect(try e.verifies())
    }
}

@Suite(.serialized) struct FindTests {
    @Test func aUniquePartOfATitleWorksWhereAnIDIsExpected() throws {
        let e = E2E()
        _ = try e.declare("Checkout 500s")
        _ = try e.declare("Checkout latency in EU")
        _ = try e.declare("Incident 1 retro follow-up")
        #expect(try e.run("note", "500s", "found it").status == 0)
        #expect(try e.timelineTexts("1").contains("found it"))
        #expect(try e.run("ack", "latency").status == 0)
        #expect(try e.object("show", "2")["acknowledgedAt"] != nil)
        let ambiguous = try e.run("show", "checkout")
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("INC-1") && ambiguous.stderr.contains("INC-2"))
        // A number is always an ID, even when a title contains it.
        #expect(try e.object("show", "1")["title"] as? String == "Checkout 500s")
        #expect(try e.run("show", "4").status == 3)
        #expect(try e.run("show", "nothing like this").status == 3)
        #expect(try e.run("show", "INC-0").status == 3)
    }

    @Test func listMineAndSearch() throws {
        let e = E2E()
        _ = try e.declare("Checkout 500s")
        _ = try e.declare("DNS outage")
        _ = try e.declare("Disk full")
        try e.run("assign", "1", "commander", "alice")
        try e.run("action", "add", "2", "Add DNS alert", "--owner", "Alice", "--due", "2026-02-01T00:00:00Z")
        try e.run("edit", "3", "--summary", "The checkout database ran out of disk")
        func ids(_ args: String...) throws -> [String] {
            let r = try runBinary(["list", "--json"] + args, store: e.store)
            #expect(r.status == 0, "\(r.stderr)")
            return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }.sorted()
        }
        #expect(try ids("--mine", "--as", "alice") == ["INC-1", "INC-2"])
        #expect(try ids("--mine", "--as", "bob").isEmpty)
        #expect(try ids("--search", "CHECKOUT") == ["INC-1", "INC-3"])
        #expect(try ids("--search", "dns", "--mine", "--as", "alice") == ["INC-2"])
        try e.run("action", "done", "2", "A1")
        #expect(try ids("--mine", "--as", "alice") == ["INC-1"])
    }

    @Test func timelineSinceAndAuthor() throws {
        let e = E2E()
        _ = try e.declare(at: "2026-01-05T14:00:00Z")
        try e.run("note", "1", "early", "--at", "2026-01-05T14:10:00Z", user: "bob")
        try e.run("note", "1", "late by bob", "--at", "2026-01-05T15:10:00Z", user: "bob")
        try e.run("note", "1", "late by carol", "--at", "2026-01-05T15:20:00Z", user: "carol")
        #expect(try e.timelineTexts("1", "--since", "2026-01-05T15:00:00Z") == ["late by bob", "late by carol"])
        #expect(try e.timelineTexts("1", "--author", "BOB") == ["early", "late by bob"])
        #expect(try e.timelineTexts("1", "--since", "2026-01-05T15:00:00Z", "--author", "bob") == ["late by bob"])
        #expect(try e.run("timeline", "1", "--since", "not a time").status == 2)
    }
}
