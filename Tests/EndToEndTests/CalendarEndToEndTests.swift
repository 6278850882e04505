import Foundation
import Testing
import IncidentKit
import TestSupport

/// The built binary with a business calendar, the reader's zone and monitoring windows.
/// Zone files come from Tests/Fixtures/zoneinfo (TZDIR), so the host's tzdata does not matter.
/// Every expected time is written out here.
@Suite(.serialized) struct CalendarEndToEndTests {
    final class Store: Sendable {
        let root = temporaryDirectory("cal") + "/store"
        let tzdir: String
        init(tzdir: String = fixtureZoneDirectory) { self.tzdir = tzdir }

        @discardableResult
        func run(_ args: [String], tz: String = "UTC") throws -> RunResult {
            let r = try runBinary(args, store: root, environment: ["TZ": tz, "TZDIR": tzdir])
            #expect(r.status < 128, "\(args) was killed by a signal")
            return r
        }

        func ok(_ args: String..., tz: String = "UTC") throws -> String {
            let r = try run(args, tz: tz)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            return r.stdout
        }

        func json(_ args: String..., tz: String = "UTC") throws -> Any {
            let r = try run(args + ["--json"], tz: tz)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        }

        func dueAt(_ id: String, timer: String) throws -> String? {
            let rows = try json("sla", id) as? [[String: Any]] ?? []
            return rows.first { $0["name"] as? String == timer }?["dueAt"] as? String
        }
    }

    /// The `sla-matrix` runbook (seed 002) with a calendar, and holidays where given.
    func runbookFile(holidays: [String]? = nil, calendar: [String: Any]? = nil) throws -> String {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(Runbook.shippedText(named: "sla-matrix")!.utf8)) as? [String: Any])
        var cal: [String: Any] = calendar ?? ["timeZone": "UTC"]
        if let holidays { cal["holidays"] = holidays }
        object["calendar"] = cal
        let path = temporaryDirectory("rb") + "/runbook.json"
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The four cases of the issue, end to end: deadline in UTC (JSON) and in the team's zone.
    @Test(arguments: [
        // San Francisco, Friday 20:00: Monday 20:00 local (UTC arithmetic said Monday 16:00).
        ("America/Los_Angeles", "medium", "2026-11-20T20:00:00-08:00", "2026-11-24T04:00:00Z", "due 2026-11-23 20:00 PST"),
        // Tokyo, Saturday 08:00: counted from Monday 00:00, so Wednesday 00:00 local.
        ("Asia/Tokyo", "low", "2026-11-21T08:00:00+09:00", "2026-11-24T15:00:00Z", "due 2026-11-25 00:00 JST"),
        // San Francisco, the Friday before the spring change: Monday 10:00 PDT, not 11:00.
        ("America/Los_Angeles", "medium", "2026-03-06T10:00:00-08:00", "2026-03-09T17:00:00Z", "due 2026-03-09 10:00 PDT"),
        // Berlin, 23 December, with 24 and 25 December as holidays: Monday 28th.
        ("Europe/Berlin", "medium", "2026-12-23T10:00:00+01:00", "2026-12-28T09:00:00Z", "due 2026-12-28 10:00 CET"),
    ])
    func theIssuesFourCases(zone: String, level: String, declared: String, due: String, human: String) throws {
        let s = Store()
        let file = try runbookFile(holidays: ["2026-12-24", "2026-12-25"])
        #expect(try s.ok("init", "--runbook", file, "--time-zone", zone).contains("business time is counted in \(zone)"))
        _ = try s.ok("declare", "Authorization gap", "--severity", level, "--at", declared, "--future")
        #expect(try s.dueAt("1", timer: "acknowledge") == due)
        // The same deadline for a teammate in another zone; shown in each reader's zone.
        #expect(try s.ok("sla", "1", tz: zone).contains(human))
        let stored = try String(contentsOfFile: s.root + "/runbook.json", encoding: .utf8)
        #expect(stored.contains("\"timeZone\" : \"\(zone)\""))
    }

    /// `init` records the zone: --time-zone, else TZ (the system's zone), and every teammate
    /// then computes the same deadline whatever their own TZ.
    @Test func initRecordsTheZoneAndTeammatesAgree() throws {
        let s = Store()
        _ = try s.ok("init", "--runbook", "sla-matrix", tz: "America/Los_Angeles")  // no --time-zone: the machine's
        #expect(try String(contentsOfFile: s.root + "/runbook.json", encoding: .utf8).contains("\"timeZone\" : \"America/Los_Angeles\""))
        _ = try s.ok("declare", "Gap", "--severity", "medium", "--at", "2026-11-20T20:00:00-08:00", tz: "Asia/Kolkata")
        for tz in ["UTC", "Asia/Kolkata", "Europe/Berlin"] {
            let rows = try s.json("sla", "1", tz: tz) as? [[String: Any]] ?? []
            #expect(rows.first { $0["name"] as? String == "acknowledge" }?["dueAt"] as? String == "2026-11-24T04:00:00Z")
        }
        // A store created by its first write keeps the shipped runbook: no calendar, UTC.
        let t = Store()
        _ = try t.ok("declare", "Gap", "--severity", "high", "--at", "2026-11-20T20:00:00Z", tz: "America/Los_Angeles")
        #expect(!(try String(contentsOfFile: t.root + "/runbook.json", encoding: .utf8)).contains("calendar"))
    }

    /// One instant shown under three TZ values; --json stays UTC.
    @Test func oneInstantUnderThreeZones() throws {
        let s = Store()
        _ = try s.ok("init")
        _ = try s.ok("declare", "Checkout 500s", "--severity", "high", "--at", "2026-11-23T14:05:00Z")
        #expect(try s.ok("show", "1", tz: "UTC").contains("declared        2026-11-23 14:05 UTC"))
        #expect(try s.ok("show", "1", tz: "America/Los_Angeles").contains("declared        2026-11-23 06:05 PST"))
        #expect(try s.ok("show", "1", tz: "Asia/Kolkata").contains("declared        2026-11-23 19:35 IST"))
        #expect(try s.ok("timeline", "1", tz: "UTC").contains("  2026-11-23 14:05  "))
        #expect(try s.ok("timeline", "1", tz: "Asia/Kolkata").contains("  2026-11-23 19:35 IST  "))
        #expect(try s.ok("sla", "1", tz: "America/Los_Angeles").contains("due 2026-11-23 07:05 PST"))
        for tz in ["UTC", "America/Los_Angeles", "Asia/Kolkata"] {
            let object = try s.json("show", "1", tz: tz) as? [String: Any] ?? [:]
            #expect(object["declaredAt"] as? String == "2026-11-23T14:05:00Z")
        }
        // A TZ that names no zone: a warning, and times labelled UTC.
        let bad = try s.run(["show", "1"], tz: "Europe/Berln")
        #expect(bad.status == 0)
        #expect(bad.stderr == "warning: TZ=Europe/Berln: Unknown time zone 'Europe/Berln'; did you mean Europe/Berlin? Times are shown in UTC.\n")
        #expect(bad.stdout.contains("2026-11-23 14:05 UTC"))
    }

    /// A time typed without a zone is in the reader's zone.
    @Test func bareTimesAreInTheReadersZone() throws {
        let s = Store()
        _ = try s.ok("init")
        _ = try s.ok("declare", "Checkout 500s", "--severity", "high", "--at", "2026-11-23 14:05", tz: "Europe/Berlin")
        #expect((try s.json("show", "1") as? [String: Any])?["declaredAt"] as? String == "2026-11-23T13:05:00Z")
        _ = try s.ok("note", "1", "Rollback started", "--at", "2026-11-23T07:00", tz: "America/Los_Angeles")
        let timeline = (try s.json("show", "1") as? [String: Any])?["timeline"] as? [[String: Any]] ?? []
        #expect(timeline.last?["at"] as? String == "2026-11-23T15:00:00Z")
        // A bare clock time, with a fixed clock (in process): 14:05 in Berlin is 13:05 UTC.
        let cli = InProcessCLI(now: ts("2026-11-23T14:30:00Z"), environment: ["TZ": "Europe/Berlin", "TZDIR": fixtureZoneDirectory])
        #expect(cli.run(["declare", "Queue backlog", "--severity", "high", "--at", "14:05"]).status == 0)
        let declared = try cli.json(["show", "1"]) as? [String: Any]
        #expect(declared?["declaredAt"] as? String == "2026-11-23T13:05:00Z")
        // Skipped by the clocks, or a date that does not exist: one sentence, exit 2.
        let gap = try s.run(["note", "1", "x", "--at", "2026-03-08 02:30"], tz: "America/Los_Angeles")
        #expect(gap.status == 2)
        #expect(gap.stderr == "incident: --at '2026-03-08 02:30' does not exist in America/Los_Angeles: the clocks skip it when daylight saving time starts; give a time outside the gap or one with a zone.\n")
        let feb30 = try s.run(["note", "1", "x", "--at", "2026-02-30"])
        #expect(feb30.status == 2)
        #expect(feb30.stderr == "incident: --at '2026-02-30': there is no such date: February 2026 has 28 days.\n")
        // The help says so.
        let help = try s.ok("--help")
        #expect(help.contains("or a time in YOUR zone (TZ,"))
    }

    /// Bad zones and calendars: one sentence, a documented exit status, nothing written.
    @Test func badZonesAndCalendars() throws {
        let s = Store()
        let unknown = try s.run(["init", "--time-zone", "Europe/Berln"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "incident: --time-zone: Unknown time zone 'Europe/Berln'; did you mean Europe/Berlin?\n")
        #expect(!FileManager.default.fileExists(atPath: s.root))
        let traversal = try s.run(["init", "--time-zone", "../../../etc/passwd"])
        #expect(traversal.status == 2)
        #expect(traversal.stderr.contains("is not a time zone name"))

        // Runbook files: each fault named in one line by `runbook validate`.
        for (calendar, expected) in [
            (["timeZone": "Europe/Berlin", "workdays": [String]()] as [String: Any], "calendar.workdays is empty; a calendar needs at least one working day"),
            (["timeZone": "Europe/Berlin", "businessHours": ["start": "17:00", "end": "09:00"]], "calendar.businessHours end 09:00 is not after start 17:00"),
            (["timeZone": "Europe/Berlin", "holidays": ["2026-02-30"]], "calendar.holidays[0] '2026-02-30' is not a date that exists"),
            (["timeZone": "Europe/Berln"], "calendar.timeZone: Unknown time zone 'Europe/Berln'; did you mean Europe/Berlin?"),
        ] {
            let file = try runbookFile(calendar: calendar)
            let r = try s.run(["runbook", "validate", file])
            #expect(r.status == 1, "\(calendar)")
            #expect(r.stderr.contains(expected), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        let good = try s.run(["runbook", "validate", try runbookFile(calendar: ["timeZone": "Europe/Berlin", "holidays": ["2026-12-24"]])])
        #expect(good.status == 0)
        #expect(good.stdout.contains("calendar: Europe/Berlin; mon, tue, wed, thu, fri; 09:00–17:00; 1 holiday"))

        // A garbage zone file in the database: refused where it is used, never UTC.
        let db = temporaryDirectory("tzdb")
        try FileManager.default.createDirectory(atPath: db + "/Bad", withIntermediateDirectories: true)
        try Data("this is not a TZif file".utf8).write(to: URL(fileURLWithPath: db + "/Bad/Zone"))
        let g = Store(tzdir: db)
        let initBad = try g.run(["init", "--time-zone", "Bad/Zone"])
        #expect(initBad.status == 2)
        #expect(initBad.stderr == "incident: --time-zone: The time zone file for 'Bad/Zone' is not a usable TZif file (it does not start with 'TZif'); reinstall the tzdata package or set TZDIR.\n")
        // A store whose runbook names it (edited by hand): commands that need deadlines refuse.
        _ = try g.ok("init")
        _ = try g.ok("declare", "Gap", "--severity", "high", "--at", "2026-11-20T10:00:00Z")
        let path = g.root + "/runbook.json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"timeZone\" : \"UTC\"", with: "\"timeZone\" : \"Bad/Zone\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try g.run(["declare", "Another", "--severity", "high", "--at", "2026-11-20T10:00:00Z"]).status == 4)
        #expect(!FileManager.default.fileExists(atPath: g.root + "/active/INC-2.json"))
        let sla = try g.run(["sla", "1"])
        #expect(sla.status == 4)
        #expect(sla.stderr == "incident: The runbook's calendar cannot be used: The time zone file for 'Bad/Zone' is not a usable TZif file (it does not start with 'TZif'); reinstall the tzdata package or set TZDIR.\n")
        // A write whose report shows deadlines is refused before writing; one that needs no
        // calendar (a note, reported in one line) still works.
        let before = try String(contentsOfFile: g.root + "/active/INC-1.json", encoding: .utf8)
        #expect(try g.run(["severity", "1", "critical", "--at", "2026-11-20T10:05:00Z"]).status == 4)
        #expect(try g.run(["note", "1", "x", "--at", "2026-11-20T10:05:00Z", "--json"]).status == 4)
        #expect(try String(contentsOfFile: g.root + "/active/INC-1.json", encoding: .utf8) == before)
        #expect(try g.run(["note", "1", "still here", "--at", "2026-11-20T10:05:00Z"]).status == 0)
    }

    /// Each shipped runbook with a monitoring window: close refused until it ends (with the
    /// time it ends), shown by show and sla, --force --reason records the override.
    @Test(arguments: [
        ("sev0-4", "sev3", "2026-11-23T15:00:00Z", "30 minutes", "2026-11-23T15:29:00Z", "2026-11-23 15:30 UTC", "2026-11-23T15:30:00Z"),
        ("sla-matrix", "high", "2026-11-23T15:00:00Z", "24 hours", "2026-11-24T14:59:00Z", "2026-11-24 15:00 UTC", "2026-11-24T15:00:00Z"),
        ("nist-800-61", "high", "2026-11-23T15:00:00Z", "24 hours", "2026-11-24T14:59:00Z", "2026-11-24 15:00 UTC", "2026-11-24T15:00:00Z"),
    ])
    func monitoringWindows(runbook: String, level: String, resolvedAt: String, window: String, early: String, endsHuman: String, endsISO: String) throws {
        let s = Store()
        _ = try s.ok("init", "--runbook", runbook)
        _ = try s.ok("declare", "Outage", "--severity", level, "--at", "2026-11-23T14:00:00Z")
        #expect(try s.ok("show", "1").contains("Monitoring window (\(window) after resolve"))
        #expect(try s.ok("show", "1").contains("starts when resolved"))
        _ = try s.ok("resolve", "1", "--at", resolvedAt)
        let refused = try s.run(["close", "1", "--at", early])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the monitoring window (\(window) after resolve"))
        #expect(refused.stderr.contains("ends at \(endsHuman); close then"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        // In the reader's zone too.
        let la = try s.run(["close", "1", "--at", early], tz: "America/Los_Angeles")
        #expect(la.stderr.contains("ends at \(endsHuman.replacingOccurrences(of: "15:", with: "07:").replacingOccurrences(of: "UTC", with: "PST"))"))
        #expect(try s.ok("show", "1", "--at", early).contains("close from \(endsHuman) (in 1m)"))
        #expect(try s.ok("sla", "1", "--at", early).contains("Monitoring window (\(window) after resolve"))
        let monitoring = (try s.json("show", "1") as? [String: Any])?["monitoring"] as? [String: Any]
        #expect(monitoring?["endsAt"] as? String == endsISO)
        // Once it has passed, the window is no longer a reason (other gates may still be).
        let later = try s.run(["close", "1", "--at", endsISO])
        #expect(!later.stderr.contains("monitoring window"))
        _ = try s.ok("close", "1", "--at", early, "--force", "--reason", "Stable on every dashboard")
        let timeline = try s.ok("timeline", "1")
        #expect(timeline.contains("Stable on every dashboard"))
        #expect(timeline.contains("monitoring window"))
    }
}
