import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct RunbookCommandTests {
    @Test func slaMatrixMediumOnFridayIsDueMonday() throws {
        let e = E2E()
        #expect(try e.run("init", "--runbook", "sla-matrix").status == 0)
        #expect(try e.run("declare", "Authz gap", "--severity", "medium", "--at", "2026-11-27T16:00:00Z", "--future").status == 0)
        let rows = try #require(try e.json("sla", "1", "--at", "2026-11-27T16:00:00Z") as? [[String: Any]])
        #expect(rows.first { $0["name"] as? String == "acknowledge" }?["dueAt"] as? String == "2026-11-30T16:00:00Z")
        let human = try e.run("sla", "1", "--at", "2026-11-27T16:00:00Z")
        #expect(human.stdout.contains("2026-11-30 16:00 UTC"))
    }

    @Test func checklistGatesPhaseAndCheckTicksWithAuthor() throws {
        let e = E2E()
        _ = try e.run("init", "--runbook", "sla-matrix")
        _ = try e.declare(severity: "critical")
        let refused = try e.run("phase", "1")
        #expect(refused.status == 1 && refused.stderr.contains("#1 Incident channel opened and IC assigned"))
        #expect(try e.run("check", "1", "1", user: "bob").status == 0)
        #expect(try e.run("check", "1", "start time").status == 0)
        #expect(try e.run("check", "1", "#3").status == 0)
        #expect(try e.run("phase", "1").status == 0)
        let list = try #require(try e.json("checklist", "1") as? [[String: Any]])
        #expect(list.prefix(3).allSatisfy { $0["done"] as? Bool == true })
        let tl = try #require(try e.json("timeline", "1", "--kind", "checked") as? [[String: Any]])
        #expect(tl.first?["author"] as? String == "bob")
        #expect(try e.run("check", "1", "99").status == 2)
        #expect(try e.run("check", "1", "1").status == 1)  // already checked
    }

    @Test func forcedPhaseChangeIsRecorded() throws {
        let e = E2E()
        _ = try e.run("init", "--runbook", "sla-matrix")
        _ = try e.declare(severity: "high")
        #expect(try e.run("phase", "1", "containment", "--force", "--reason", "bridge already contained it").status == 0)
        let tl = try #require(try e.json("timeline", "1", "--kind", "phase") as? [[String: Any]])
        #expect((tl.first?["text"] as? String)?.contains("forced: bridge already contained it") == true)
    }

    @Test func runbookShowValidateAndList() throws {
        let e = E2E()
        #expect(try e.run("runbook", "list").stdout.contains("sla-matrix"))
        #expect(try e.run("runbook", "show", "sev0-2").stdout.contains("Deputy IC"))
        let bad = e.store + "-bad.json"
        try "{\"schemaVersion\": 1, \"name\": \"x\", \"title\": \"x\", \"levels\": [{\"id\": \"a\", \"title\": \"A\"}], \"roles\": [], \"phases\": [{\"id\": \"p\", \"title\": \"P\"}], \"timers\": [{\"id\": \"t\", \"title\": \"T\", \"start\": \"declared\", \"stop\": [\"acknowledged\"], \"durations\": {\"zzz\": \"5m\"}}], \"entryKinds\": [], \"closeGates\": [\"resolved\"]}"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try e.run("runbook", "validate", bad)
        #expect(r.status != 0 && r.stderr.contains("timers[0].durations"))
        let initBad = try e.run("init", "--runbook", bad)
        #expect(initBad.status == 2)
        #expect(!FileManager.default.fileExists(atPath: e.store))
    }

    @Test func namesMatchAcrossSpellings() throws {
        let e = E2E()
        _ = try e.run("init", "--runbook", "sev0-2")
        for (i, level) in ["Sev 0", "sev0", "SEV-0"].enumerated() {
            let r = try e.run("declare", "x\(i)", "--severity", level)
            #expect(r.status == 0, "\(level)")
        }
        #expect(try e.run("assign", "1", "Deputy IC", "dee").status == 0)
        #expect(try e.run("assign", "1", "deputy-ic", "dan").status == 0)
    }

    @Test func drillsAreMarkedAndListedApart() throws {
        let e = E2E()
        _ = try e.run("init", "--runbook", "sev0-4")
        #expect(try e.run("declare", "Q4 tabletop", "--severity", "sev2", "--drill", "--at", "2026-10-01T10:00:00Z").status == 0)
        _ = try e.declare("real one", severity: "sev1")
        #expect(try e.run("resolve", "1", "--summary", "failover took 12 minutes").status == 0)
        let list = try #require(try e.json("list") as? [[String: Any]])
        #expect(list.map { $0["id"] as? String } == ["INC-1", "INC-2"])  // SEV2 drill before SEV1
        #expect(list.first { $0["id"] as? String == "INC-1" }?["drill"] as? Bool == true)
        #expect((try e.json("list", "--no-drills") as? [[String: Any]])?.map { $0["id"] as? String } == ["INC-2"])
        #expect((try e.json("list", "--drills") as? [[String: Any]])?.map { $0["id"] as? String } == ["INC-1"])
        let drills = try #require(try e.object("drills"))
        let held = try #require(drills["drills"] as? [[String: Any]])
        #expect(held.count == 1 && held[0]["outcome"] as? String == "failover took 12 minutes")
        #expect((drills["schedule"] as? [[String: Any]])?.count == 2)
        #expect(try e.run("show", "1").stdout.contains("[DRILL]"))
        let stats = try e.object("stats")
        #expect(stats["incidents"] as? Int == 1 && stats["drillsExcluded"] as? Int == 1)
    }

    @Test func owedNotificationsAreSurfacedFirst() throws {
        let e = E2E()
        _ = try e.run("init", "--runbook", "sev0-4")
        _ = try e.declare("Full outage", severity: "SEV3")
        #expect(try e.run("sla", "1").stdout.contains("Missing: Exec SMS list notified"))
        #expect(try e.run("show", "1").stdout.contains("Missing: Exec SMS list notified"))
        _ = try e.run("note", "1", "--kind", "exec", "SMS sent to the exec list")
        #expect(!(try e.run("show", "1").stdout.contains("Missing: Exec SMS")))
    }

    @Test func incidentTypeAddsItemsAndRoles() throws {
        let e = E2E()
        let obj = try e.object("declare", "Key in public repo", "--severity", "high", "--type", "leaked credential")
        #expect(obj["type"] as? String == "leaked-credential")
        #expect((obj["missingRoles"] as? [String])?.contains("security") == true)
        #expect(try e.run("declare", "x", "--severity", "high", "--type", "alien-invasion").status == 2)
    }
}
