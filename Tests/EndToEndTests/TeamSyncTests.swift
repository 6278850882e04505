import Foundation
import Testing
import TestSupport

/// A team of three clones of one bare repository, each running the real binary: every case
/// ends with every event on every clone, identical `show --json` (timers aside), distinct IDs
/// whose old references still resolve, and `verify` passing.
@Suite(.serialized) struct TeamSyncTests {
    static let clones = ["a", "b", "c"]

    func expectOK(_ r: RunResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 0, "\(what): exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    }

    func declare(_ t: GitTeam, _ clone: String, _ title: String, as user: String = "alice", at: String = "2026-11-23T14:05:00Z") throws -> String {
        let r = try t.run(clone, ["declare", title, "--severity", "high", "--at", at], as: user)
        expectOK(r, "declare on \(clone)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Syncs every clone twice (so each sees what the later ones pushed), then checks that all
    /// clones agree on each incident and that everything verifies.
    func converge(_ t: GitTeam, _ ids: [String], clones: [String] = clones, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for _ in 0..<2 {
            for c in clones { expectOK(try t.run(c, ["sync"], as: "sync-\(c)"), "sync \(c)", sourceLocation: sourceLocation) }
        }
        for id in ids {
            let first = try t.show(clones[0], id)
            #expect(!first.hasPrefix("show failed"), "\(first)", sourceLocation: sourceLocation)
            for c in clones.dropFirst() {
                #expect(try t.show(c, id) == first, "\(id) differs between \(clones[0]) and \(c)", sourceLocation: sourceLocation)
            }
        }
        for c in clones {
            let v = try t.run(c, ["verify"])
            #expect(v.status == 0, "verify on \(c): \(v.stdout) \(v.stderr)", sourceLocation: sourceLocation)
            let status = try t.git(["status", "--porcelain"], in: t.path(c))
            #expect(status.stdout.isEmpty, "\(c) left changes uncommitted: \(status.stdout)", sourceLocation: sourceLocation)
            #expect(t.incidentFiles(c) == t.incidentFiles(clones[0]), sourceLocation: sourceLocation)
        }
    }

    func timeline(_ t: GitTeam, _ clone: String, _ id: String) throws -> [[String: Any]] {
        (try t.showObject(clone, id)["timeline"] as? [[String: Any]]) ?? []
    }

    @Test func initCloneAndListJustWork() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Checkout 500s")
        #expect(id == "INC-1")
        let attributes = try String(contentsOfFile: t.path("a") + "/.gitattributes", encoding: .utf8)
        #expect(attributes.contains("merge=incident"))
        #expect(attributes.contains("-text"))
        // The lock, the counter, temp files and derived indexes are ignored; incidents are not.
        for f in [".lock", ".last-id", "archive/.index", "active/.tmp-INC-1.json.1.a"] {
            #expect(try t.git(["check-ignore", "-q", f], in: t.path("a")).status == 0, "\(f) should be ignored")
        }
        #expect(try t.git(["check-ignore", "-q", "active/INC-1.json"], in: t.path("a")).status == 1)
        #expect(try t.git(["check-ignore", "-q", ".gitattributes"], in: t.path("a")).status == 1)
        // A fresh clone works with no set-up: the driver is configured by the first command.
        expectOK(try t.git(["clone", "-q", t.remote, t.path("d")], in: t.directory), "clone")
        let list = try t.run("d", ["list"])
        expectOK(list, "list on a fresh clone")
        #expect(list.stdout.contains("INC-1"))
        let driver = try t.git(["config", "--get", "merge.incident.driver"], in: t.path("d"))
        #expect(driver.stdout.contains("merge-driver %O %A %B %P"))
        #expect(driver.stdout.hasPrefix("'/"))
        // Every write is a commit a person can read.
        expectOK(try t.run("a", ["phase", id, "--at", "2026-11-23T14:20:00Z"]), "phase")
        let log = try t.git(["log", "-1", "--format=%s"], in: t.path("a"))
        #expect(log.stdout.hasPrefix("INC-1: "))
        #expect(log.stdout.contains("(alice)"))
        let status = try t.git(["status", "--porcelain"], in: t.path("a"))
        #expect(status.stdout.isEmpty)
        // The setting turns commits off; sync commits what is pending.
        expectOK(try t.git(["config", "incident.autocommit", "false"], in: t.path("a")), "config")
        expectOK(try t.run("a", ["note", id, "not committed yet", "--at", "2026-11-23T14:21:00Z"]), "note")
        #expect(!(try t.git(["status", "--porcelain"], in: t.path("a"))).stdout.isEmpty)
        try converge(t, [id], clones: ["a", "b", "c", "d"])
    }

    @Test func notesInterleavedFromThreeClones() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Payments degraded")
        try converge(t, [id])
        for (i, minute) in [10, 11, 12, 13, 14, 15].enumerated() {
            let c = Self.clones[i % 3]
            expectOK(try t.run(c, ["note", id, "from \(c) #\(i)", "--at", "2026-11-23T14:\(minute):00Z"], as: "user-\(c)"), "note")
        }
        try converge(t, [id])
        let texts = try timeline(t, "b", id).compactMap { $0["text"] as? String }
        #expect(texts.filter { $0.hasPrefix("from ") } == (0..<6).map { "from \(Self.clones[$0 % 3]) #\($0)" })
    }

    @Test func twoPeopleAssignTheSameRole() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Login failures")
        try converge(t, [id])
        expectOK(try t.run("a", ["assign", id, "commander", "alice", "--at", "2026-11-23T14:10:00Z"]), "assign a")
        expectOK(try t.run("b", ["assign", id, "commander", "bob", "--at", "2026-11-23T14:10:00Z"], as: "bob"), "assign b")
        try converge(t, [id])
        let shown = try t.showObject("c", id)
        let contested = shown["contestedRoles"] as? [String: [String]]
        #expect(contested?["commander"] == ["alice", "bob"])
        #expect((shown["roles"] as? [String: String])?["commander"] != nil)
        #expect(try timeline(t, "c", id).filter { $0["kind"] as? String == "assigned" }.count == 2)
        let human = try t.run("a", ["show", id])
        #expect(human.stdout.contains("contested"))
    }

    @Test func conflictingSeverityAndPhaseChanges() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Queue backlog")
        try converge(t, [id])
        expectOK(try t.run("a", ["severity", id, "critical", "--at", "2026-11-23T14:10:00Z"]), "severity a")
        expectOK(try t.run("b", ["severity", id, "low", "--at", "2026-11-23T14:12:00Z"], as: "bob"), "severity b")
        expectOK(try t.run("a", ["phase", id, "--at", "2026-11-23T14:13:00Z"]), "phase a")
        expectOK(try t.run("c", ["phase", id, "--force", "--reason", "skip", "recovery", "--at", "2026-11-23T14:11:00Z"], as: "carol"), "phase c")
        try converge(t, [id])
        let shown = try t.showObject("b", id)
        #expect(shown["severity"] as? String == "low")   // the latest change wins
        #expect(try timeline(t, "b", id).filter { $0["kind"] as? String == "severity" }.count == 2)
    }

    @Test func closeRacingANoteAndAnActionItemWhileArchiving() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Disk full")
        try converge(t, [id])
        expectOK(try t.run("a", ["close", id, "--force", "--reason", "false alarm", "--at", "2026-11-23T14:20:00Z"]), "close")
        expectOK(try t.run("b", ["note", id, "one more finding", "--at", "2026-11-23T14:25:00Z"], as: "bob"), "note")
        expectOK(try t.run("c", ["action", "add", id, "Add disk alerts", "--owner", "carol", "--due", "2026-12-01T00:00:00Z", "--at", "2026-11-23T14:26:00Z"], as: "carol"), "action")
        try converge(t, [id])
        for c in Self.clones {
            #expect(t.incidentFiles(c) == ["archive/2026/\(id).json"], "\(c): \(t.incidentFiles(c))")
        }
        let entries = try timeline(t, "a", id)
        let note = entries.first { $0["text"] as? String == "one more finding" }
        #expect(note?["afterClose"] as? Bool == true)
        #expect(entries.contains { ($0["text"] as? String)?.contains("Add disk alerts") == true })
        #expect(try t.showObject("a", id)["status"] as? String == "closed")
        #expect(try t.run("b", ["timeline", id]).stdout.contains("after the close"))
    }

    @Test func reopenRacingClose() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Cache stampede")
        expectOK(try t.run("a", ["resolve", id, "--at", "2026-11-23T14:30:00Z"]), "resolve")
        try converge(t, [id])
        // a closes it; b, still seeing it resolved, reopens it a minute later.
        expectOK(try t.run("a", ["close", id, "--force", "--reason", "done", "--at", "2026-11-23T14:40:00Z"]), "close")
        expectOK(try t.run("b", ["reopen", id, "--at", "2026-11-23T14:41:00Z"], as: "bob"), "reopen")
        try converge(t, [id])
        #expect(try t.showObject("c", id)["status"] as? String == "active")
        for c in Self.clones { #expect(t.incidentFiles(c) == ["active/\(id).json"]) }
    }

    @Test func simultaneousDeclarationsGetDistinctNumbers() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        // Both clones are online and declare at the same moment: one push wins, the other
        // merges, takes the next number and pushes again.
        let group = DispatchGroup()
        let box = Box()
        for c in ["a", "b"] {
            DispatchQueue.global().async(group: group) {
                let r = try? t.run(c, ["declare", "Outage seen by \(c)", "--severity", "high", "--at", "2026-11-23T14:05:00Z"], as: "user-\(c)")
                box.set(c, r)
            }
        }
        group.wait()
        let ra = try #require(box.get("a")), rb = try #require(box.get("b"))
        expectOK(ra, "declare a"); expectOK(rb, "declare b")
        let ida = ra.stdout.trimmingCharacters(in: .whitespacesAndNewlines), idb = rb.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Set([ida, idb]) == ["INC-1", "INC-2"], "\(ida) \(idb) \(ra.stderr) \(rb.stderr)")
        try converge(t, [ida, idb])
        #expect(try t.showObject("c", ida)["title"] as? String == "Outage seen by a")
        #expect(try t.showObject("c", idb)["title"] as? String == "Outage seen by b")
    }

    @Test func anOfflineCloneSyncsADayLate() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "VPN down")
        try converge(t, [id])
        // c loses the network: its remote points nowhere.
        expectOK(try t.git(["remote", "set-url", "origin", t.directory + "/unreachable.git"], in: t.path("c")), "set-url")
        let offline = try t.run("c", ["declare", "Second outage", "--severity", "medium", "--at", "2026-11-23T15:00:00Z"], as: "carol")
        expectOK(offline, "offline declare")
        let provisional = offline.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(provisional.hasPrefix("INC-") && provisional.count == 14, "\(provisional)")
        #expect(offline.stderr.contains("provisional"))
        expectOK(try t.run("c", ["note", provisional, "seen from the train", "--at", "2026-11-23T15:05:00Z"], as: "carol"), "note on provisional")
        expectOK(try t.run("c", ["note", id, "offline note", "--at", "2026-11-23T15:06:00Z"], as: "carol"), "note")
        let sync = try t.run("c", ["sync"], as: "carol")
        #expect(sync.status == 7, "\(sync.stderr)")
        #expect(sync.stderr.contains("could not reach"))
        // Meanwhile the others carry on, and a declares another incident.
        let other = try declare(t, "a", "Third", at: "2026-11-23T16:00:00Z")
        #expect(other == "INC-2")
        // A day later c is back online.
        expectOK(try t.git(["remote", "set-url", "origin", t.remote], in: t.path("c")), "set-url back")
        let late = try t.run("c", ["sync", "--at", "2026-11-24T15:00:00Z"], as: "carol")
        expectOK(late, "late sync")
        #expect(late.stdout.contains("\(provisional) is now INC-3"), "\(late.stdout)")
        try converge(t, [id, other, "INC-3"])
        for c in Self.clones {
            // The provisional ID keeps working everywhere, as an alias.
            let r = try t.run(c, ["show", provisional, "--json"])
            expectOK(r, "show \(provisional) on \(c)")
            #expect(r.stdout.contains("\"id\" : \"INC-3\"") || r.stdout.contains("\"id\": \"INC-3\""))
        }
        #expect(try timeline(t, "b", id).contains { $0["text"] as? String == "offline note" })
    }

    @Test func aPlainGitPullMergesTheSameWay() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "DNS flapping")
        try converge(t, [id])
        expectOK(try t.run("a", ["note", id, "alice here", "--at", "2026-11-23T14:10:00Z"]), "note a")
        expectOK(try t.run("b", ["note", id, "bob here", "--at", "2026-11-23T14:11:00Z"], as: "bob"), "note b")
        expectOK(try t.run("a", ["sync"]), "sync a")
        let pull = try t.git(["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], in: t.path("b"))
        expectOK(pull, "git pull")
        let texts = try timeline(t, "b", id).compactMap { $0["text"] as? String }
        #expect(texts.contains("alice here") && texts.contains("bob here"))
        expectOK(try t.run("b", ["verify", id]), "verify after git pull")
        expectOK(try t.git(["push", "-q", "origin", "main"], in: t.path("b")), "git push")
        // A close (a move to archive/) pulled into a clone that wrote a note meanwhile: the
        // driver merges the two logs and the next command puts the file where it belongs.
        expectOK(try t.run("a", ["sync"]), "sync a")
        expectOK(try t.run("a", ["close", id, "--force", "--reason", "done", "--at", "2026-11-23T14:20:00Z"]), "close")
        expectOK(try t.run("a", ["sync"]), "sync a")
        expectOK(try t.run("b", ["note", id, "bob again", "--at", "2026-11-23T14:25:00Z"], as: "bob"), "note b")
        expectOK(try t.git(["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], in: t.path("b")), "git pull")
        expectOK(try t.run("b", ["list", "--all"], as: "bob"), "next command")
        #expect(t.incidentFiles("b") == ["archive/2026/\(id).json"])
        #expect(try t.git(["status", "--porcelain"], in: t.path("b")).stdout.isEmpty)
        try converge(t, [id])
    }

    @Test func aRenameModifyConflictLeftByGitIsMergedByTheNextCommand() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Certificate expired")
        try converge(t, [id])
        expectOK(try t.run("a", ["close", id, "--force", "--reason", "renewed", "--at", "2026-11-23T14:20:00Z"]), "close")
        expectOK(try t.run("a", ["sync"]), "sync a")
        // b writes a lot (so git no longer sees the archive move as a rename), then pulls.
        for i in 0..<12 {
            expectOK(try t.run("b", ["note", id, String(repeating: "long finding \(i) ", count: 20), "--at", "2026-11-23T14:\(30 + i):00Z"], as: "bob"), "note")
        }
        _ = try t.git(["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], in: t.path("b"))
        let next = try t.run("b", ["list", "--all"], as: "bob")
        expectOK(next, "the next command")
        try converge(t, [id])
        for c in Self.clones { #expect(t.incidentFiles(c) == ["archive/2026/\(id).json"], "\(c): \(t.incidentFiles(c))") }
        #expect(try timeline(t, "c", id).count >= 14)
    }

    @Test func anEventAlteredOnAnotherCloneIsNamedAfterSync() throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Data export leak")
        expectOK(try t.run("a", ["note", id, "the original words", "--at", "2026-11-23T14:10:00Z"]), "note")
        try converge(t, [id])
        let file = t.path("b") + "/active/\(id).json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "the original words", with: "softer words").write(toFile: file, atomically: true, encoding: .utf8)
        expectOK(try t.git(["commit", "-q", "-am", "tidy"], in: t.path("b")), "commit the edit")
        expectOK(try t.git(["push", "-q", "origin", "main"], in: t.path("b")), "push the edit")
        expectOK(try t.run("a", ["note", id, "later entry", "--at", "2026-11-23T14:20:00Z"]), "note")
        _ = try t.run("a", ["sync"])
        let v = try t.run("a", ["verify", id])
        #expect(v.status == 6)
        #expect(v.stdout.contains("two different versions") || v.stdout.contains("does not match its hash"), "\(v.stdout)")
    }

    @Test func doctorReportsDetachedAndMidMergeStores() throws {
        let t = try GitTeam()
        try t.start(["a"])
        _ = try declare(t, "a", "Something")
        expectOK(try t.git(["checkout", "-q", "--detach"], in: t.path("a")), "detach")
        let d = try t.run("a", ["doctor"])
        #expect(d.status == 6)
        #expect(d.stdout.contains("detached"))
        #expect(d.stdout.contains("switch"))
        let s = try t.run("a", ["sync"])
        #expect(s.status != 0 && s.stderr.contains("detached"))
    }

    /// The end-to-end version of the property test: random operations on three clones, synced
    /// in a random order, always converge.
    @Test(arguments: [3, 17])
    func randomInterleavingsConverge(seed: UInt64) throws {
        let t = try GitTeam()
        try t.start(Self.clones)
        let id = try declare(t, "a", "Random walk")
        try converge(t, [id])
        var rng = Seeded(seed)
        var minute = 10
        for _ in 0..<9 {
            let c = Self.clones[Int(rng.next() % 3)]
            minute += Int(rng.next() % 2)
            let at = "2026-11-23T14:\(minute):00Z"
            switch rng.next() % 5 {
            case 0: _ = try t.run(c, ["severity", id, ["critical", "high", "medium"][Int(rng.next() % 3)], "--at", at], as: c)
            case 1: _ = try t.run(c, ["assign", id, "scribe", c, "--at", at], as: c)
            case 2: _ = try t.run(c, ["sync"], as: c)
            default: _ = try t.run(c, ["note", id, "\(c) at \(minute)", "--at", at], as: c)
            }
        }
        try converge(t, [id])
    }
}

struct Seeded {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
}

final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: RunResult] = [:]
    func set(_ k: String, _ v: RunResult?) { lock.lock(); values[k] = v; lock.unlock() }
    func get(_ k: String) -> RunResult? { lock.lock(); defer { lock.unlock() }; return values[k] }
}
