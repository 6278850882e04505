import Foundation
import Testing
import TestSupport

/// Runs the built `incident` binary as a subprocess against a fresh store, once per
/// contract row and per error path.
final class E2E: Sendable {
    let store = temporaryDirectory("e2e") + "/store"

    @discardableResult
    func run(_ args: String..., stdin: String? = nil, user: String = "alice", env: [String: String] = [:]) throws -> RunResult {
        try runBinary(args, store: store, user: user, stdin: stdin.map { Data($0.utf8) }, environment: env)
    }

    func json(_ args: String...) throws -> Any {
        let r = try runBinary(args + ["--json"], store: store)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    func object(_ args: String...) throws -> [String: Any] {
        let r = try runBinary(args + ["--json"], store: store)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// Declared in the past (a Monday), so later commands without --at happen after it.
    func declare(_ title: String = "Checkout 500s", severity: String = "high", at: String = "2026-01-05T14:05:00Z") throws -> String {
        let r = try runBinary(["declare", title, "--severity", severity, "--at", at], store: store)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite(.serialized) struct ContractTests {
    @Test func walkThroughFromDeclareToArchivedPostmortem() throws {
        let e = E2E()
        let declared = try e.run("declare", "Checkout 500s", "--severity", "high", "--summary", "5% of checkouts fail",
                                 "--started-at", "2026-11-23T13:50:00Z", "--at", "2026-11-23T14:05:00Z")
        #expect(declared.status == 0)
        #expect(declared.stdout == "INC-1\n")
        #expect(declared.stderr.contains("Acknowledge") && declared.stderr.contains("2026-11-23 15:05 UTC"))
        #expect(declared.stderr.contains("Roles to staff: Incident Commander, Communications Lead"))
        #expect(try e.run("ack", "1", "--at", "2026-11-23T14:09:00Z").status == 0)
        #expect(try e.run("assign", "inc-1", "ic", "alice", "--at", "2026-11-23T14:10:00Z").status == 0)
        #expect(try e.run("assign", "INC-1", "commander", "bob", "--at", "2026-11-23T14:40:00Z").status == 0)  // hand-over
        #expect(try e.run("assign", "1", "comms", "carol", "--at", "2026-11-23T14:11:00Z").status == 0)
        #expect(try e.run("severity", "1", "critical", "--reason", "EU affected", "--at", "2026-11-23T14:20:00Z").status == 0)
        #expect(try e.run("note", "1", "Deploy v1.5 went out", "--at", "2026-11-23T13:45:00Z").status == 0)  // back-fill
        #expect(try e.run("note", "1", "-", "--kind", "comms", "--at", "2026-11-23T14:30:00Z", stdin: "Status page: investigating\n").status == 0)
        #expect(try e.run("phase", "1", "--at", "2026-11-23T14:35:00Z").status == 0)
        #expect(try e.run("phase", "1", "eradicate", "--at", "2026-11-23T14:45:00Z").status == 0)
        #expect(try e.run("resolve", "1", "--summary", "Rolled back", "--at", "2026-11-23T15:00:00Z").status == 0)

        let show = try e.object("show", "1")
        #expect(show["id"] as? String == "INC-1")
        #expect(show["severity"] as? String == "critical")
        #expect(show["status"] as? String == "resolved")
        #expect(show["phase"] as? String == "eradicate")
        #expect(show["startedAt"] as? String == "2026-11-23T13:50:00Z")
        #expect(show["declaredAt"] as? String == "2026-11-23T14:05:00Z")
        #expect(show["acknowledgedAt"] as? String == "2026-11-23T14:09:00Z")
        #expect(show["resolvedAt"] as? String == "2026-11-23T15:00:00Z")
        #expect(show["roles"] as? [String: String] == ["commander": "bob", "comms": "carol"])
        let timeline = try #require(show["timeline"] as? [[String: Any]])
        let times = timeline.compactMap { $0["at"] as? String }
        #expect(times == times.sorted())
        #expect(timeline.first?["text"] as? String == "Deploy v1.5 went out")
        for entry in timeline { for key in ["id", "at", "author", "kind", "text"] { #expect(entry[key] != nil) } }
        let sla = try #require(show["sla"] as? [[String: Any]])
        let ack = try #require(sla.first { $0["name"] as? String == "acknowledge" })
        #expect(ack["dueAt"] as? String == "2026-11-23T14:20:00Z")
        #expect(ack["metAt"] as? String == "2026-11-23T14:09:00Z")
        #expect(ack["state"] as? String == "met")

        let pm = try e.run("postmortem", "1", "--at", "2026-11-23T16:00:00Z")
        #expect(pm.status == 0 && pm.stdout.hasPrefix("# Postmortem: INC-1") && !pm.stdout.contains("{{"))
        let out = e.store + "-pm.md"
        #expect(try e.run("postmortem", "1", "--output", out).status == 0)
        #expect(FileManager.default.fileExists(atPath: out))

        #expect(try e.run("close", "1", "--at", "2026-11-23T16:05:00Z").status == 0)
        #expect(FileManager.default.fileExists(atPath: e.store + "/archive/2026/INC-1.json"))
        #expect(!FileManager.default.fileExists(atPath: e.store + "/active/INC-1.json"))
        #expect((try e.json("list") as? [Any])?.isEmpty == true)
        let archived = try #require(try e.json("list", "--archived") as? [[String: Any]])
        #expect(archived.count == 1 && archived[0]["status"] as? String == "closed")
        for key in ["id", "title", "severity", "status", "phase", "declaredAt"] { #expect(archived[0][key] != nil) }
        #expect(try e.run("reopen", "1", "--at", "2026-11-23T17:00:00Z").status == 0)
        #expect(FileManager.default.fileExists(atPath: e.store + "/active/INC-1.json"))
        #expect(try e.object("show", "1")["status"] as? String == "active")
        #expect(try e.run("verify").status == 0)
    }

    @Test func initIsIdempotentAndKeepsData() throws {
        let e = E2E()
        #expect(try e.run("init").status == 0)
        let id = try e.declare()
        let before = snapshot(e.store)
        let again = try e.run("init", "--runbook", "default")
        #expect(again.status == 0)
        #expect(snapshot(e.store) == before)
        #expect(id == "INC-1")
    }

    @Test func firstWriteCreatesTheStoreWithTheDefaultRunbook() throws {
        let e = E2E()
        #expect(!FileManager.default.fileExists(atPath: e.store))
        _ = try e.declare()
        #expect(FileManager.default.fileExists(atPath: e.store + "/runbook.json"))
        #expect(FileManager.default.fileExists(atPath: e.store + "/active/INC-1.json"))
    }

    @Test func declareJSONPrintsTheIncident() throws {
        let e = E2E()
        let obj = try e.object("declare", "DB down", "--severity", "Critical", "--commander", "dana", "--at", "2026-11-23T14:05:00Z")
        #expect(obj["id"] as? String == "INC-1")
        #expect(obj["status"] as? String == "active")
        #expect(obj["roles"] as? [String: String] == ["commander": "dana"])
        for key in ["title", "severity", "phase", "startedAt", "declaredAt", "timeline", "sla"] { #expect(obj[key] != nil, "\(key)") }
    }

    @Test func listFiltersBySeverityAndPhase() throws {
        let e = E2E()
        _ = try e.declare("A", severity: "high")
        _ = try e.declare("B", severity: "low")
        #expect(try e.run("phase", "2", "contain").status == 0)
        let high = try #require(try e.json("list", "--severity", "HIGH") as? [[String: Any]])
        #expect(high.map { $0["id"] as? String } == ["INC-1"])
        let contain = try #require(try e.json("list", "--phase", "Containment") as? [[String: Any]])
        #expect(contain.map { $0["id"] as? String } == ["INC-2"])
        #expect((try e.json("list", "--all") as? [Any])?.count == 2)
    }

    /// A declaration back-filled three hours shows its timers as of now: the hour to
    /// acknowledge ran out two hours ago, and says so (as `sla` does right after).
    @Test func aBackFilledDeclarationShowsItsTimersAsOfNow() throws {
        let e = E2E()
        let r = try e.run("declare", "Late", "--severity", "high", "--at", "-3h")
        #expect(r.status == 0, "\(r.stderr)")
        let ack = r.stderr.split(separator: "\n").first { $0.contains("Acknowledge") }.map(String.init) ?? ""
        #expect(ack.contains("OVERDUE 2h00m") || ack.contains("OVERDUE 1h59m"), "\(r.stderr)")
        let sla = try e.run("sla", "1")
        #expect(sla.stdout.contains("OVERDUE"), "\(sla.stdout)")
    }

    /// `list --at` and `sla --at` agree: an incident not yet declared at that moment is in
    /// neither.
    @Test func listAtBeforeADeclarationLeavesItOut() throws {
        let e = E2E()
        _ = try e.declare("Early", severity: "high", at: "2026-01-05T14:05:00Z")
        _ = try e.declare("Later", severity: "high", at: "2026-01-05T16:00:00Z")
        let at = "2026-01-05T15:00:00Z"
        let list = try #require(try e.json("list", "--at", at) as? [[String: Any]])
        #expect(list.map { $0["id"] as? String } == ["INC-1"])
        let sla = try e.run("sla", "--at", at)
        #expect(sla.stdout.contains("INC-1") && !sla.stdout.contains("INC-2"), "\(sla.stdout)")
    }

    @Test func unassignTimelineAndSla() throws {
        let e = E2E()
        _ = try e.declare(severity: "critical")
        _ = try e.run("assign", "1", "scribe", "sam")
        #expect(try e.run("unassign", "1", "Scribe").status == 0)
        #expect((try e.object("show", "1")["roles"] as? [String: String])?.isEmpty == true)
        let tl = try #require(try e.json("timeline", "1") as? [[String: Any]])
        #expect(tl.map { $0["kind"] as? String } == ["declared", "assigned", "unassigned"])
        let rows = try #require(try e.json("sla", "--at", "2026-01-05T14:30:00Z") as? [[String: Any]])
        let ack = try #require(rows.first { $0["name"] as? String == "acknowledge" })
        #expect(ack["id"] as? String == "INC-1" && ack["state"] as? String == "breached")
        #expect(ack["dueAt"] as? String == "2026-01-05T14:20:00Z")
        for row in rows { for key in ["id", "name", "dueAt", "state"] { #expect(row[key] != nil) } }
        let one = try #require(try e.json("sla", "1", "--at", "2026-01-05T14:10:00Z") as? [[String: Any]])
        #expect(one.first { $0["name"] as? String == "acknowledge" }?["state"] as? String == "pending")
        #expect(try e.run("sla").status == 0)
    }

    /// One entry dated ahead of the wall clock never re-dates the commands after it: a time
    /// more than five minutes ahead needs --future, and later commands keep their own "now".
    @Test func implicitNowNeverPrecedesTheLog() throws {
        let e = E2E()
        let typo = try e.run("declare", "future", "-s", "high", "--at", "2099-01-01T10:00:00Z")
        #expect(typo.status == 2 && typo.stderr.contains("--future"), "\(typo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: e.store + "/active/INC-1.json"))
        #expect(try e.run("declare", "planned", "-s", "high", "--at", "2099-01-01T10:00:00Z", "--future").status == 0)
        // The next command is not moved to 2099: it is dated now, which is before the declaration.
        let ack = try e.run("ack", "1")
        #expect(ack.status == 1 && ack.stderr.contains("before"), "\(ack.stderr)")
        #expect(try e.run("note", "1", "dated now").status == 0)
        let shown = try #require(try e.json("show", "1") as? [String: Any])
        let timeline = try #require(shown["timeline"] as? [[String: Any]])
        #expect(timeline.contains { ($0["text"] as? String) == "dated now" && !(($0["at"] as? String) ?? "").hasPrefix("2099") })
        // An explicit --at that contradicts the log is still refused.
        #expect(try e.run("resolve", "1", "--at", "2099-01-01T11:00:00Z", "--future").status == 0)
        #expect(try e.run("reopen", "1", "--at", "2098-01-01T00:00:00Z", "--future").status == 1)
    }

    @Test func helpAndVersion() throws {
        let e = E2E()
        for args in [["--help"], ["-h"], ["help"], ["declare", "--help"], ["help", "declare"], ["runbook", "--help"]] {
            let r = try runBinary(args, store: e.store)
            #expect(r.status == 0 && r.stdout.contains("USAGE"), "\(args)")
        }
        let v = try e.run("--version")
        #expect(v.status == 0 && v.stdout.hasPrefix("incident "))
        #expect(!FileManager.default.fileExists(atPath: e.store))
    }

    @Test func globalOptionsWorkBeforeOrAfterTheCommand() throws {
        let e = E2E()
        let other = e.store + "-other"
        let r = try runBinary(["--store", other, "--as", "zoe", "declare", "X", "-s", "low", "--at", "2026-11-23T14:05:00Z"], store: e.store)
        #expect(r.status == 0)
        let r2 = try runBinary(["show", "1", "--json", "--store=\(other)"], store: e.store)
        let obj = try JSONSerialization.jsonObject(with: Data(r2.stdout.utf8)) as? [String: Any]
        #expect((obj?["timeline"] as? [[String: Any]])?.first?["author"] as? String == "zoe")
        #expect(!FileManager.default.fileExists(atPath: e.store))
    }
}

@Suite(.serialized) struct ErrorPathTests {
    /// Each of these is a command-line mistake: exit 2, one sentence on stderr, nothing written.
    @Test(arguments: [
        ["frobnicate"],
        ["declare", "Title"],
        ["declare", "", "--severity", "high"],
        ["declare", "Title", "--severity", "sev9"],
        ["declare", "Title", "--sevrity", "high"],
        ["declare", "Title", "--severity", "high", "--at", "yesterday-ish"],
        ["declare", "Title", "--severity", "high", "--started-at", "2026-13-45T00:00:00Z"],
        ["assign", "1", "wizard", "bob"],
        ["phase", "1", "nowhere"],
        ["severity", "1", "apocalyptic"],
        ["note", "1", "hi", "--kind", "gossip"],
        ["note", "1"],
        ["close", "1", "--force"],
        ["list", "--severity", "nope"],
        ["show"],
    ])
    func usageErrorsExitTwoAndWriteNothing(args: [String]) throws {
        let e = E2E()
        _ = try e.declare()
        let before = snapshot(e.store)
        let r = try runBinary(args, store: e.store)
        #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("incident: ") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(snapshot(e.store) == before)
    }

    @Test func usageErrorOnAMissingStoreCreatesNothing() throws {
        let e = E2E()
        let r = try e.run("declare", "X", "--severity", "bogus")
        #expect(r.status == 2)
        #expect(!FileManager.default.fileExists(atPath: e.store))
    }

    @Test(arguments: [
        (["ack", "INC-99"], Int32(3)),
        (["show", "../../etc/passwd"], Int32(3)),
        (["ack", "1"], Int32(1)),  // second acknowledgement
        (["phase", "1", "recover"], Int32(1)),  // a skip without --force
        (["close", "1"], Int32(1)),  // not resolved
        (["reopen", "1"], Int32(1)),  // already active
    ])
    func refusalsAndUnknownIDs(args: [String], code: Int32) throws {
        let e = E2E()
        _ = try e.declare()
        _ = try e.run("ack", "1")
        let before = snapshot(e.store)
        let r = try runBinary(args, store: e.store)
        #expect(r.status == code, "\(args): \(r.stderr)")
        #expect(!r.stderr.isEmpty && r.stderr.split(separator: "\n").count == 1)
        #expect(snapshot(e.store) == before)
    }

    @Test func closeRefusalListsReasonsAndForceRecordsThem() throws {
        let e = E2E()
        _ = try e.declare()
        let refused = try e.run("close", "1")
        #expect(refused.status == 1 && refused.stderr.contains("not resolved"))
        let forced = try e.run("close", "1", "--force", "--reason", "duplicate of INC-0")
        #expect(forced.status == 0)
        let r = try runBinary(["timeline", "1", "--json"], store: e.store)
        let tl = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
        #expect((tl?.last?["text"] as? String)?.contains("duplicate of INC-0") == true)
    }

    @Test func corruptFileIsReportedAndOthersKeepWorking() throws {
        let e = E2E()
        _ = try e.declare("good")
        _ = try e.declare("bad")
        let bad = e.store + "/active/INC-2.json"
        try "{ \"schemaVersion\": 1, \"id\": ".write(toFile: bad, atomically: false, encoding: .utf8)
        let show = try e.run("show", "2")
        #expect(show.status == 4 && show.stderr.contains(bad))
        let note = try e.run("note", "2", "hello")
        #expect(note.status == 4)
        #expect(try String(contentsOfFile: bad, encoding: .utf8) == "{ \"schemaVersion\": 1, \"id\": ")
        let list = try e.run("list", "--json")
        #expect(list.status == 0 && list.stderr.contains(bad))
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any])?.count == 1)
        #expect(try e.run("note", "1", "still works").status == 0)
        #expect(try e.run("doctor").status == 6)
    }

    @Test func editingAStoredEventMakesVerifyFailAndNameIt() throws {
        let e = E2E()
        _ = try e.declare()
        _ = try e.run("note", "1", "original text")
        #expect(try e.run("verify", "1").status == 0)
        let path = e.store + "/active/INC-1.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "original text", with: "original texT").write(toFile: path, atomically: false, encoding: .utf8)
        let r = try e.run("verify", "1")
        #expect(r.status == 6)
        #expect(r.stdout.contains("event #2"))
    }

    @Test func hostileText() throws {
        let e = E2E()
        _ = try e.declare()
        let huge = String(repeating: "x", count: (1 << 20) + 10)
        let r = try e.run("note", "1", "-", stdin: huge)
        #expect(r.status == 2 && r.stderr.contains("1 MiB"))
        let binary = try runBinary(["note", "1", "-"], store: e.store, stdin: Data([0xff, 0xfe, 0x00, 0x41]))
        #expect(binary.status == 2 && binary.stderr.contains("UTF-8"))
        #expect(try e.run("note", "1", "key AKIAIOSFODNN7EXAMPLE").stderr.contains("Redacted"))
        let tl = try e.run("timeline", "1", "--json")
        #expect(!tl.stdout.contains("AKIAIOSFODNN7EXAMPLE"))
        _ = try e.run("note", "1", "evil \u{1B}[2J text")
        let human = try e.run("timeline", "1")
        #expect(!human.stdout.contains("\u{1B}[2J"))
    }

    /// An event past 9899 would start deadlines no store file can hold: refused even with
    /// --future (it made every later verify fail on the index line it could not keep).
    @Test func eventTimesNearTheYear10000AreRefused() throws {
        let e = E2E()
        for args in [["declare", "Far", "--severity", "high", "--at", "9999-12-31T23:30:00Z", "--future"],
                     ["declare", "Far", "--severity", "high", "--started-at", "9950-01-01T00:00:00Z", "--future"],
                     ["declare", "Far", "--severity", "high", "--at", "9900-01-01T00:00:00Z", "--future"]] {  // the first instant of 9900
            let r = try runBinary(args, store: e.store)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("before the year 10000"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: e.store + "/active/INC-1.json"))
        // The last millisecond of 9899 is still a time an event may carry.
        #expect(try runBinary(["declare", "Far", "--severity", "high", "--at", "9899-12-31T23:59:59.999Z", "--future"], store: e.store).status == 0)
    }
}

@Suite(.serialized) struct ConcurrencyTests {
    /// Many processes append to one incident and declare new ones at once: nothing is lost,
    /// IDs are distinct, the chain verifies.
    @Test func parallelWritersLoseNothing() throws {
        let e = E2E()
        _ = try e.declare()
        let writers = 24
        let group = DispatchGroup()
        let failures = Counter()
        for i in 0..<writers {
            DispatchQueue.global().async(group: group) {
                let note = (try? runBinary(["note", "1", "entry \(i)"], store: e.store, environment: ["INCIDENT_LOCK_TIMEOUT": "60"]))?.status
                let decl = (try? runBinary(["declare", "parallel \(i)", "-s", "low"], store: e.store, environment: ["INCIDENT_LOCK_TIMEOUT": "60"]))?.status
                if note != 0 || decl != 0 { failures.add() }
            }
        }
        group.wait()
        #expect(failures.value == 0)
        let show = try e.object("show", "1")
        let texts = Set((show["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String })
        for i in 0..<writers { #expect(texts.contains("entry \(i)")) }
        let list = try #require(try e.json("list") as? [[String: Any]])
        let ids = list.compactMap { $0["id"] as? String }
        #expect(ids.count == writers + 1 && Set(ids).count == writers + 1)
        #expect(try e.run("verify").status == 0)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
