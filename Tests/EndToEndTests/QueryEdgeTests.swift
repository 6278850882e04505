import Foundation
import Testing
import TestSupport

/// Queries at the edges a hostile review found: a moment before the incident existed, and an
/// argument that is neither an ID nor any title's text.
@Suite struct QueryEdgeTests {
    final class Store: Sendable {
        let root = temporaryDirectory("edge") + "/store"

        func run(_ args: [String]) throws -> RunResult {
            let r = try runBinary(args, store: root, environment: ["TZ": "UTC"])
            #expect(r.status < 128, "\(args) was killed by a signal")
            return r
        }

        @discardableResult
        func ok(_ args: String...) throws -> String {
            let r = try run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            return r.stdout
        }
    }

    /// The cached state in a file is derived from its events: a hand edit that breaks it
    /// (a wrong type, a key of its own, the object removed) leaves the incident readable and
    /// writable as its events say; `verify` names the problem until the next change rewrites it.
    @Test func aMalformedCachedStateLeavesTheIncidentUsable() throws {
        let s = Store()
        try s.ok("declare", "Checkout down", "--severity", "high")
        let path = s.root + "/active/INC-1.json"
        for (from, to) in [("\n    \"severity\" : \"high\",", "\n    \"severity\" : 42,"), ("\"state\" : {", "\"state\" : {\n    \"mood\" : \"grim\",")] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let edited = text.replacingOccurrences(of: from, with: to)
            #expect(edited != text, "\(from) is not in the file")
            try edited.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try s.ok("show", "1").contains("Checkout down"))
            #expect(try s.ok("list").contains("INC-1"))
            #expect(try s.ok("sla").contains("Acknowledge"))
            let verify = try s.run(["verify", "1"])
            #expect(verify.status == 6 && verify.stdout.contains("malformed"), "\(verify.stdout)\(verify.stderr)")
            let doctor = try s.run(["doctor"])
            #expect(doctor.status == 6 && doctor.stdout.contains("malformed"), "\(doctor.stdout)\(doctor.stderr)")
            try s.ok("note", "1", "rolled back the deploy")
            #expect(try s.run(["verify", "1"]).status == 0)
            #expect(try s.ok("show", "1").contains("rolled back the deploy"))
        }
    }

    /// A level removed or renamed in runbook.json leaves incidents at that level with no
    /// deadlines: sla says so on stderr and in the incident's block, `--fail-on` exits 4 rather
    /// than "all clear", doctor reports it, and giving the incident a real level tracks it again.
    @Test func anIncidentAtALevelTheRunbookLostIsNeverReportedAsFine() throws {
        let s = Store()
        try s.ok("declare", "Checkout down", "--severity", "high", "--at", "-3h")
        #expect(try s.run(["sla", "--fail-on", "breached"]).status == 8)
        let runbookPath = s.root + "/runbook.json"
        let runbook = try String(contentsOfFile: runbookPath, encoding: .utf8)
        try runbook.replacingOccurrences(of: "\"high\"", with: "\"major\"").write(toFile: runbookPath, atomically: true, encoding: .utf8)
        let sla = try s.run(["sla"])
        #expect(sla.status == 0 && sla.stdout.contains("severity 'high' is not in the runbook"), "\(sla.stdout)")
        #expect(sla.stderr.contains("INC-1 is at severity 'high', which the runbook does not define"), "\(sla.stderr)")
        let failOn = try s.run(["sla", "--fail-on", "breached"])
        #expect(failOn.status == 4 && failOn.stderr.contains("1 active incident could not be checked"), "\(failOn.stderr)")
        let json = try s.run(["sla", "--fail-on", "breached", "--json"])
        #expect(json.status == 4)
        let doctor = try s.run(["doctor"])
        #expect(doctor.status == 6 && doctor.stdout.contains("INC-1 is at severity 'high'"), "\(doctor.stdout)")
        try s.ok("severity", "1", "major", "--reason", "the runbook renamed the level")
        #expect(try s.run(["sla", "--fail-on", "breached"]).status == 8)
        #expect(try s.run(["doctor"]).status == 0)
    }

    /// An active incident whose file cannot be read is not "all clear" for a scheduler either.
    @Test func anUnreadableActiveIncidentFailsTheDeadlineCheck() throws {
        let s = Store()
        try s.ok("declare", "Checkout down", "--severity", "low")
        #expect(try s.run(["sla", "--fail-on", "breached"]).status == 0)
        try Data([0xff, 0x00, 0x13]).write(to: URL(fileURLWithPath: s.root + "/active/INC-1.json"))
        let r = try s.run(["sla", "--fail-on", "breached"])
        #expect(r.status == 4 && r.stderr.contains("skipped") && r.stderr.contains("could not be checked"), "\(r.stderr)")
    }

    /// Text a reader would see as nothing (tabs, blank lines, zero-width and direction
    /// characters) is refused like an empty string, wherever text is taken; text around such
    /// characters is kept.
    @Test func textThatLooksEmptyIsRefusedLikeEmptyText() throws {
        let s = Store()
        try s.ok("declare", "Checkout down", "--severity", "low")
        for blank in ["\t", "\n\n  \n", "\u{200B}", "\u{200B}\u{202E} \u{2060}", "\u{2800}", "\u{3164}", "\u{115F}", "\u{034F}"] {
            let note = try s.run(["note", "1", blank])
            #expect(note.status == 2 && note.stderr.contains("empty"), "note \(blank.debugDescription): \(note.stderr)")
            let piped = try runBinary(["note", "1", "-"], store: s.root, stdin: Data(blank.utf8))
            #expect(piped.status == 2, "note - \(blank.debugDescription): \(piped.stderr)")
            #expect(try s.run(["declare", blank, "--severity", "low"]).status == 2)
            #expect(try s.run(["assign", "1", "commander", blank]).status == 2)
        }
        try s.ok("note", "1", "\tindented, with a zero\u{200B}width space")
        #expect(try s.ok("show", "1").contains("indented"))
        #expect(try s.ok("list").contains("INC-1") )
    }

    /// Follow-through found by the second review: a duplicate's action item is listed once
    /// (under the survivor), a cancelled drill is not a drill held, tick never announces as of
    /// the future, `--output -` is standard output, and an output refused inside the store is
    /// named for what it is.
    @Test func followThroughEdges() throws {
        let s = Store()
        try s.ok("declare", "Main", "--severity", "high")
        try s.ok("declare", "Dup", "--severity", "high")
        try s.ok("action", "add", "2", "dup item", "--owner", "carol", "--due", "-2d")
        try s.ok("note", "2", "seen from the duplicate")
        try s.ok("merge", "2", "--into", "1")
        // Entries copied from the duplicate say where they came from, in every rendering.
        #expect(try s.ok("postmortem", "1").contains("\\[from INC-2\\] seen from the duplicate"))
        #expect(try s.ok("export", "1", "--html").contains("[from INC-2]</span> seen from the duplicate"))
        let listed = try s.ok("actions").split(separator: "\n").filter { $0.contains("dup item") }
        #expect(listed.count == 1 && listed[0].hasPrefix("INC-1"), "\(listed)")
        try s.ok("declare", "Drill cancelled", "--severity", "high", "--drill")
        try s.ok("decline", "3", "--reason", "Cancelled")
        let drills = try s.ok("drills")
        #expect(drills.contains("declined: Cancelled"), "\(drills)")
        for ahead in ["+1h", "+4m"] {
            let tick = try s.run(["tick", "--at", ahead])
            #expect(tick.status == 2 && tick.stderr.contains("ahead of the clock"), "\(ahead): \(tick.stderr)")
        }
        #expect(try s.run(["tick", "--at", "-1m"]).status == 0)
        let stdout = try s.run(["postmortem", "1", "--output", "-"])
        #expect(stdout.status == 0 && stdout.stdout.contains("Main") && !FileManager.default.fileExists(atPath: "-"))
        let inside = try s.run(["export", "1", "--html", "--output", s.root + "/page.html"])
        #expect(inside.status == 2 && inside.stderr.contains("write the page outside it") && !inside.stderr.contains("postmortem"), "\(inside.stderr)")
    }

    /// With --at, sla and list show the incident as it stood then (resolved, closed), and
    /// report counts a cadence that missed an update before a reopen as breached.
    @Test func atShowsTheStatusOfThatMomentAndReportsCountMissesAcrossAReopen() throws {
        let s = Store()
        try s.ok("declare", "R", "--severity", "critical", "--at", "2026-11-27T08:00:00Z")
        try s.ok("resolve", "1", "--at", "2026-11-27T08:40:00Z")
        try s.ok("reopen", "1", "--at", "2026-11-27T10:00:00Z", "--reason", "back")
        #expect(try s.ok("sla", "1", "--at", "2026-11-27T09:00:00Z").contains("resolved]"))
        #expect(try s.ok("list", "--at", "2026-11-27T09:00:00Z").contains("resolved"))
        #expect(try s.ok("sla", "1", "--at", "2026-11-27T10:20:00Z").contains("active]"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(s.ok("report", "--json", "--at", "2026-11-27T10:20:00Z").utf8)) as? [String: Any])
        let timers = ((report["overall"] as? [String: Any])?["timers"] as? [[String: Any]]) ?? []
        let cadence = try #require(timers.first { $0["name"] as? String == "comms-update" })
        #expect(cadence["breached"] as? Int == 1, "\(cadence)")
    }

    /// Many freshly damaged files (a pull that brought them) make a listing wait for them to
    /// settle once, about half a second in all, not a quarter of a second each.
    @Test func manyFreshlyDamagedFilesDelayAListingOnce() throws {
        let s = Store()
        try s.ok("declare", "Fine", "--severity", "low")
        for n in 2...21 { try Data("{\"events\": [".utf8).write(to: URL(fileURLWithPath: s.root + "/active/INC-\(n).json")) }
        let start = Date()
        let r = try s.run(["list"])
        let took = Date().timeIntervalSince(start)
        #expect(r.status == 0 && r.stdout.contains("INC-1") && r.stderr.contains("INC-21.json"), "\(r.stderr)")
        #expect(took < 3, "list took \(took) s over 20 damaged files")  // 5 s before: a quarter second each
    }

    @Test func showBeforeTheDeclarationSaysSoInsteadOfLiveTimers() throws {
        let s = Store()
        try s.ok("declare", "Checkout down", "--severity", "high", "--at", "2026-11-23T14:00:00Z")
        let before = try s.run(["show", "1", "--at", "2026-11-23T13:00:00Z"])
        #expect(before.status == 0)
        #expect(before.stdout.contains("INC-1 was not declared yet at"))
        #expect(before.stdout.contains("it was declared"))
        #expect(!before.stdout.contains("Timers"))
        #expect(before.stdout.split(separator: "\n").count == 1)
        // sla with the ID says the same; its JSON is an empty list (nothing was due then).
        let sla = try s.run(["sla", "1", "--at", "2026-11-23T13:00:00Z"])
        #expect(sla.status == 0 && sla.stdout == before.stdout, "\(sla.stdout)")
        let rows = try JSONSerialization.jsonObject(with: Data(try s.ok("sla", "1", "--json", "--at", "2026-11-23T13:00:00Z").utf8)) as? [Any]
        #expect(rows?.isEmpty == true)
        // From the declaration on, the incident is shown as usual.
        #expect(try s.ok("show", "1", "--at", "2026-11-23T14:00:00Z").contains("Timers"))
    }

    @Test func anArgumentThatIsNeitherIDNorTitleIsNamedAsGiven() throws {
        let s = Store()
        try s.ok("declare", "Checkout down", "--severity", "high")
        for text in ["-1", "INC-x1", "payments"] {
            let r = try s.run(["show", "--", text])
            #expect(r.status == 3, "\(text)")
            #expect(r.stderr.contains("No incident has '\(text)' in its title"), "\(r.stderr)")
            #expect(!r.stderr.contains("INC-INC") && !r.stderr.contains("INC--"), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func aResolvedIncidentsCadenceSaysWhenItWasLastMet() throws {
        let s = Store()
        try s.ok("declare", "Checkout down", "--severity", "high", "--at", "2026-11-23T14:00:00Z")
        try s.ok("note", "1", "Customers told", "--kind", "comms", "--at", "2026-11-23T14:20:00Z")
        try s.ok("resolve", "1", "--at", "2026-11-23T16:00:00Z")
        let shown = try s.ok("show", "1", "--at", "2026-11-23T16:30:00Z")
        let cadence = try #require(shown.split(separator: "\n").first { $0.contains("Status update") })
        #expect(cadence.contains("stopped, last met"), "\(cadence)")
        #expect(cadence.contains("14:20"), "\(cadence)")
        #expect(!cadence.contains("ended"), "\(cadence)")
        // Resolved before any update was due: met by the resolution itself.
        try s.ok("declare", "Search slow", "--severity", "high", "--at", "2026-11-23T14:00:00Z")
        try s.ok("resolve", "2", "--at", "2026-11-23T14:30:00Z")
        let early = try s.ok("show", "2", "--at", "2026-11-23T15:30:00Z")
        let line = try #require(early.split(separator: "\n").first { $0.contains("Status update") })
        #expect(line.contains("stopped, last met 2026-11-23 14:30"), "\(line)")
    }

    /// Output nobody got is not success: a full disk (here /dev/full) gives one sentence on
    /// stderr and a non-zero status; the store is untouched by the failure.
    @Test func aFailedWriteToStandardOutputIsReported() throws {
        let s = Store()
        try s.ok("declare", "Checkout down", "--severity", "high")
        for args in [["list"], ["show", "1"], ["timeline", "1", "--json"]] {
            let r = try runBinary(args, store: s.root, environment: ["TZ": "UTC"], shell: "\"$0\" \"$@\" > /dev/full")
            #expect(r.status != 0 && r.status < 128, "\(args): \(r.status)")
            #expect(r.stderr.contains("could not write to standard output"), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        #expect(try s.ok("list").contains("Checkout down"))
        // A change whose report is lost is still made, and says so with success: a script
        // that retried on failure would make it twice.
        let declared = try runBinary(["declare", "Second outage", "--severity", "low"], store: s.root, environment: ["TZ": "UTC"],
                                     shell: "\"$0\" \"$@\" > /dev/full")
        #expect(declared.status == 0, "\(declared.stderr)")
        #expect(declared.stderr.contains("the change is stored"), "\(declared.stderr)")
        #expect(try s.ok("list").contains("Second outage"))
    }
}
