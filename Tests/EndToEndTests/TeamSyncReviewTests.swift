import Foundation
import Testing
import TestSupport

/// Cases a hostile review of team sync found, each replayed against the binary with a bare
/// remote and clones on disk.
@Suite(.serialized) struct TeamSyncReviewTests {
    func expectOK(_ r: RunResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 0, "\(what): exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    }

    /// Clones a and b of one remote, both holding what `writes` (commands run on a) made.
    func twoClones(after writes: [[String]], sourceLocation: SourceLocation = #_sourceLocation) throws -> GitTeam {
        let t = try GitTeam()
        try t.start(["a", "b"])
        for w in writes { expectOK(try t.run("a", w), w.joined(separator: " "), sourceLocation: sourceLocation) }
        expectOK(try t.run("a", ["sync"]), "sync a", sourceLocation: sourceLocation)
        expectOK(try t.run("b", ["sync"], as: "bob"), "sync b", sourceLocation: sourceLocation)
        return t
    }

    /// Commits every change in `clone` and pushes it with plain git, as a teammate's hand edit.
    func pushByHand(_ t: GitTeam, _ clone: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        expectOK(try t.git(["commit", "-q", "-am", message], in: t.path(clone)), "commit", sourceLocation: sourceLocation)
        expectOK(try t.git(["push", "-q", "origin", "HEAD"], in: t.path(clone)), "push", sourceLocation: sourceLocation)
    }

    /// A store that numbered an incident before it had a remote joins the team's remote, where
    /// INC-1 is already someone else's: the team's INC-1 survives everywhere, the local one moves.
    @Test func joiningARemoteNeverDeletesTheTeamsIncident() throws {
        let t = try GitTeam()
        try t.start(["a"])
        expectOK(try t.run("a", ["declare", "Team incident", "--severity", "high"], as: "alice"), "declare a")
        expectOK(try t.run("a", ["note", "1", "alice's note"], as: "alice"), "note a")
        expectOK(try t.run("a", ["sync"], as: "alice"), "sync a")
        expectOK(try t.run("x", ["init", "--git"], as: "xavier"), "init x")
        expectOK(try t.run("x", ["declare", "Xavier's incident", "--severity", "low"], as: "xavier"), "declare x")
        expectOK(try t.run("x", ["init", "--git", "--remote", t.remote], as: "xavier"), "remote x")
        let sync = try t.run("x", ["sync"], as: "xavier")
        expectOK(sync, "sync x")
        #expect(sync.stderr.contains("yours is now INC-2"), "\(sync.stderr)")
        expectOK(try t.run("a", ["sync"], as: "alice"), "sync a again")
        for clone in ["a", "x"] {
            let one = try t.showObject(clone, "INC-1"), two = try t.showObject(clone, "INC-2")
            #expect(one["title"] as? String == "Team incident", "\(clone): \(one)")
            #expect((one["timeline"] as? [[String: Any]])?.contains { $0["text"] as? String == "alice's note" } == true)
            #expect(two["title"] as? String == "Xavier's incident", "\(clone): \(two)")
            expectOK(try t.run(clone, ["verify"]), "verify \(clone)")
        }
    }

    /// While git still has a conflicted file the tool does not own, a write is kept in its file
    /// but never committed: conflict markers are not published.
    @Test func noCommitWhileGitHasUnmergedFiles() throws {
        let t = try twoClones(after: [
            ["declare", "Disk full", "--severity", "high"],
        ])
        // Both edit the same line of a file that is not an incident, and commit it with git.
        for (clone, text) in [("a", "alpha\n"), ("b", "beta\n")] {
            try text.write(toFile: t.path(clone) + "/NOTES.txt", atomically: true, encoding: .utf8)
            expectOK(try t.git(["add", "NOTES.txt"], in: t.path(clone)), "add")
            expectOK(try t.git(["commit", "-q", "-m", "notes"], in: t.path(clone)), "commit")
        }
        expectOK(try t.run("a", ["sync"]), "sync a")
        // incident sync undoes such a merge (and says so); a plain git pull leaves it.
        let stopped = try t.run("b", ["sync"], as: "bob")
        #expect(stopped.status != 0 && stopped.status != 7 && stopped.stderr.contains("The merge was undone"), "\(stopped.status) \(stopped.stderr)")
        expectOK(try t.run("b", ["list"], as: "bob"), "the store still works after the stopped sync")
        let pull = try t.git(["pull", "-q", "--no-rebase"], in: t.path("b"))
        #expect(pull.status != 0)
        let note = try t.run("b", ["note", "1", "written during the conflict"], as: "bob")
        expectOK(note, "note during the conflict")
        #expect(note.stderr.contains("not committed"), "\(note.stderr)")
        let log = try t.git(["log", "-1", "--format=%s"], in: t.path("b"))
        #expect(!log.stdout.contains("written during"), "\(log.stdout)")
        let status = try t.git(["ls-files", "-u"], in: t.path("b"))
        #expect(!status.stdout.isEmpty, "the conflict must still be there for a person to resolve")
    }

    /// The tool's own files written on two clones (a published postmortem) do not stop sync.
    @Test func aPostmortemPublishedOnTwoClonesSyncs() throws {
        let t = try twoClones(after: [
            ["declare", "Login errors", "--severity", "high", "--at", "2026-11-23T14:05:00Z"],
        ])
        expectOK(try t.run("a", ["postmortem", "1", "--publish"]), "publish a")
        expectOK(try t.run("b", ["note", "1", "bob's late note"], as: "bob"), "note b")
        expectOK(try t.run("b", ["postmortem", "1", "--publish"], as: "bob"), "publish b")
        expectOK(try t.run("a", ["sync"]), "sync a")
        let b = try t.run("b", ["sync"], as: "bob")
        expectOK(b, "sync b after both published")
        #expect(b.stderr.contains("written on two clones"), "\(b.stderr)")
        expectOK(try t.run("a", ["sync"]), "sync a again")
        for clone in ["a", "b"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: t.path(clone) + "/postmortems")
            for f in files {
                let text = try String(contentsOfFile: t.path(clone) + "/postmortems/" + f, encoding: .utf8)
                #expect(!text.contains("<<<<<<<"), "\(clone)/\(f)")
            }
            expectOK(try t.run(clone, ["doctor"]), "doctor \(clone)")
        }
    }

    /// What came in besides incidents is said too: a changed runbook (its levels now), a new or
    /// changed hook (which does not run here until trusted), a template; a runbook that came in
    /// broken is a warning (exit 6), not "nothing new came in".
    @Test func syncSaysWhenTheRunbookHooksOrTemplatesCameIn() throws {
        let t = try twoClones(after: [
            ["declare", "Queue stuck", "--severity", "high"],
        ])
        let runbookPath = t.path("a") + "/runbook.json"
        let runbook = try String(contentsOfFile: runbookPath, encoding: .utf8)
        #expect(runbook.contains("\"title\" : \"Critical\""))
        try runbook.replacingOccurrences(of: "\"title\" : \"Critical\"", with: "\"title\" : \"Sev 1\"")
            .write(toFile: runbookPath, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: t.path("a") + "/hooks", withIntermediateDirectories: true)
        try "#!/bin/sh\necho hi\n".write(toFile: t.path("a") + "/hooks/declared", atomically: true, encoding: .utf8)
        #expect(chmod(t.path("a") + "/hooks/declared", 0o755) == 0)
        expectOK(try t.run("a", ["sync"]), "sync a")
        let b = try t.run("b", ["sync"], as: "bob")
        expectOK(b, "sync b")
        #expect(b.stdout.contains("the runbook changed (now 'default': Sev 1,"), "\(b.stdout)")
        #expect(b.stdout.contains("hooks/declared added: it does not run on this machine until"), "\(b.stdout)")
        #expect(!b.stdout.contains("nothing new came in"))
        // A runbook that renamed a level open incidents are at: they would lose their deadlines.
        let renamed = try String(contentsOfFile: runbookPath, encoding: .utf8).replacingOccurrences(of: "\"high\"", with: "\"major\"")
        try renamed.write(toFile: runbookPath, atomically: true, encoding: .utf8)
        try pushByHand(t, "a", "rename high")
        let orphaned = try t.run("b", ["sync"], as: "bob")
        #expect(orphaned.status == 6, "\(orphaned.stdout) \(orphaned.stderr)")
        #expect(orphaned.stderr.contains("With the runbook that came in, INC-1 is at severity 'high'"), "\(orphaned.stderr)")
        // A runbook that came in broken: said, and the sync exits as a failed verify does.
        try "{ \"name\": ".write(toFile: runbookPath, atomically: true, encoding: .utf8)
        try pushByHand(t, "a", "oops")
        let broken = try t.run("b", ["sync"], as: "bob")
        #expect(broken.status == 6, "\(broken.stdout) \(broken.stderr)")
        #expect(broken.stdout.contains("the runbook changed"))
        #expect(broken.stderr.contains("The runbook that came in does not load"), "\(broken.stderr)")
    }

    /// A teammate's commit that strips `.gitattributes` does not turn the store into a plain
    /// directory: the next command puts the lines back, and writes are still commits.
    @Test func aStrippedGitattributesIsRepaired() throws {
        let t = try twoClones(after: [
            ["declare", "Queue stuck", "--severity", "high"],
        ])
        try "* -text\n".write(toFile: t.path("b") + "/.gitattributes", atomically: true, encoding: .utf8)
        try pushByHand(t, "b", "simplify")
        expectOK(try t.git(["pull", "-q", "--no-rebase"], in: t.path("a")), "pull")
        let doctor = try t.run("a", ["doctor"])
        let note = try t.run("a", ["note", "1", "after the attributes change"])
        expectOK(note, "note")
        #expect(note.stderr.contains("put back"), "\(note.stderr) / doctor: \(doctor.stdout)")
        let attributes = try String(contentsOfFile: t.path("a") + "/.gitattributes", encoding: .utf8)
        #expect(attributes.contains("merge=incident"))
        let status = try t.git(["status", "--porcelain"], in: t.path("a"))
        #expect(status.stdout.isEmpty, "everything committed: \(status.stdout)")
        expectOK(try t.run("a", ["sync"]), "sync a")
    }

    /// A pushed `.gitattributes` line that hands incident files to another merge (`merge=union`)
    /// does not reach a clone that has run incident: its own `info/attributes` outranks every
    /// `.gitattributes`, so two-sided edits still go through the driver and stay valid JSON.
    @Test func aPushedAttributeCannotTurnTheDriverOff() throws {
        let t = try twoClones(after: [["declare", "Checkout down", "--severity", "high"]])
        for c in ["a", "b"] {
            let local = try String(contentsOfFile: t.path(c) + "/.git/info/attributes", encoding: .utf8)
            #expect(local.contains("\"/active/*.json\" merge=incident") && local.contains("\"/archive/**/*.json\" merge=incident"), "\(local)")
        }
        let attributes = t.path("a") + "/.gitattributes"
        try (String(contentsOfFile: attributes, encoding: .utf8) + "active/*.json merge=union\n").write(toFile: attributes, atomically: true, encoding: .utf8)
        try pushByHand(t, "a", "tweak attributes")
        expectOK(try t.run("b", ["sync"], as: "bob"), "b takes the attributes")
        expectOK(try t.run("a", ["note", "1", "from a"]), "note a")
        expectOK(try t.run("b", ["note", "1", "from b"], as: "bob"), "note b")
        expectOK(try t.run("a", ["sync"]), "sync a")
        expectOK(try t.run("b", ["sync"], as: "bob"), "sync b")
        expectOK(try t.run("a", ["sync"]), "sync a again")
        for c in ["a", "b"] {
            let shown = try t.run(c, ["timeline", "1"])
            #expect(shown.status == 0 && shown.stdout.contains("from a") && shown.stdout.contains("from b"), "\(c): \(shown.stdout) \(shown.stderr)")
        }
        let remote = try t.git(["show", "HEAD:active/INC-1.json"], in: t.remote)
        #expect((try? JSONSerialization.jsonObject(with: Data(remote.stdout.utf8))) != nil, "the remote's file is JSON")
    }

    /// A store in a subdirectory of a larger repository, whatever its directory's name (a
    /// space, glob characters, a quote, a backslash, `#`, bytes past ASCII), gets patterns
    /// that name exactly its incident files, and nothing else in the repository.
    @Test func theLocalAttributesNameAnyStoreDirectoryExactly() throws {
        let t = try GitTeam()
        let repo = t.directory + "/big"
        expectOK(try t.git(["init", "-q", repo], in: t.directory), "git init")
        let subs = ["ops/my inc", "ops/a[b]*c", "ops/q\"x\\y", "ops/é#"]
        for sub in subs {
            let r = try runBinary(["init", "--git"], store: repo + "/" + sub, environment: t.environment)
            expectOK(r, "init \(sub)")
        }
        let paths = subs.flatMap { [$0 + "/active/INC-1.json", $0 + "/archive/2026/INC-1.json"] } + ["ops/aXbYc/active/INC-1.json", "active/INC-1.json", "ops/my inc/other.json"]
        let checked = try t.git(["check-attr", "-z", "merge", "--"] + paths, in: repo)
        let fields = checked.stdout.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        var merge: [String: String] = [:]
        for k in stride(from: 0, to: fields.count - 2, by: 3) { merge[fields[k]] = fields[k + 2] }
        for (k, path) in paths.enumerated() {
            #expect(merge[path] == (k < 2 * subs.count ? "incident" : "unspecified"), "\(path): \(merge[path] ?? "?")")
        }
    }

    /// Both sides changed an incident and the incoming copy cannot be read (written by a
    /// newer incident, or damaged): sync stops (exit 4), undoes the merge and pushes nothing,
    /// rather than merge this clone's copy alone and drop the other's entries.
    @Test func anUnreadableIncomingCopyStopsTheMergeInsteadOfDroppingIt() throws {
        let t = try twoClones(after: [["declare", "Checkout down", "--severity", "high"]])
        expectOK(try t.run("a", ["note", "1", "a: rolled back the canary"]), "note a")
        let path = t.path("a") + "/active/INC-1.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 3").write(toFile: path, atomically: true, encoding: .utf8)
        try pushByHand(t, "a", "INC-1 written by incident 0.2")
        expectOK(try t.run("b", ["note", "1", "b: paged the DBA"], as: "bob"), "note b")
        let before = try t.git(["rev-parse", "HEAD"], in: t.remote).stdout
        let sync = try t.run("b", ["sync"], as: "bob")
        #expect(sync.status == 4, "\(sync.stdout) \(sync.stderr)")
        #expect(sync.stderr.contains("the incoming copy of active/INC-1.json cannot be read") && sync.stderr.contains("newer"), "\(sync.stderr)")
        #expect(try t.git(["rev-parse", "HEAD"], in: t.remote).stdout == before, "nothing pushed")
        #expect(!FileManager.default.fileExists(atPath: t.path("b") + "/.git/MERGE_HEAD"), "the merge was undone")
        #expect(try t.run("b", ["show", "1"], as: "bob").stdout.contains("b: paged the DBA"))
    }

    /// A damaged incident file arriving from a clone that alone changed it (git takes it as it
    /// is, without the driver) does not make the incident vanish: sync keeps the last good
    /// copy, warns naming it (exit 6), and pushes the repair.
    @Test func aDamagedIncomingFileIsReplacedByTheLastGoodCopy() throws {
        let t = try twoClones(after: [["declare", "Checkout down", "--severity", "high"], ["note", "1", "first note"]])
        // a's teammate entry, pushed in a readable version before the damage, is kept too.
        expectOK(try t.run("a", ["note", "1", "pushed before the damage"]), "note a")
        expectOK(try t.run("a", ["sync"]), "sync a")
        let path = t.path("a") + "/active/INC-1.json"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(300).write(to: URL(fileURLWithPath: path))
        try pushByHand(t, "a", "fix typo")
        let sync = try t.run("b", ["sync"], as: "bob")
        #expect(sync.status == 6, "\(sync.stdout) \(sync.stderr)")
        #expect(sync.stderr.contains("INC-1: what came in for active/INC-1.json cannot be read") && sync.stderr.contains("kept the last good copy"), "\(sync.stderr)")
        let shown = try t.run("b", ["show", "1"], as: "bob").stdout
        #expect(shown.contains("first note") && shown.contains("pushed before the damage"), "\(shown)")
        expectOK(try t.run("b", ["note", "1", "next step"], as: "bob"), "note b")
        expectOK(try t.git(["pull", "-q", "--no-rebase"], in: t.path("a")), "a pulls the repair")
        #expect(try t.run("a", ["show", "1"]).stdout.contains("first note"))
        for c in ["a", "b"] { expectOK(try t.run(c, ["verify"]), "verify \(c)") }
    }

    /// The last good copy is the newest readable version that came in, wherever the incident
    /// lay in it (found by review 4): an incident this clone never saw, one closed (moved to
    /// the archive) before the damage, and one deleted after a teammate's entry all keep what
    /// the team had pushed, and sync says so (exit 6).
    @Test func theLastGoodCopyIsTheNewestReadableVersionThatCameIn() throws {
        let t = try twoClones(after: [["declare", "Checkout down", "--severity", "high"], ["declare", "Disk full", "--severity", "low"]])
        func damage(_ clone: String, _ relative: String) throws {
            try Data("{ \"events\": [ broken".utf8).write(to: URL(fileURLWithPath: t.path(clone) + "/" + relative))
        }
        // b: a new incident (INC-3) with an entry, then damaged; INC-1 closed, then damaged;
        // INC-2 given an entry, then deleted.
        expectOK(try t.run("b", ["declare", "Queue stuck", "--severity", "low"], as: "bob"), "declare b")
        expectOK(try t.run("b", ["note", "3", "bob on the queue"], as: "bob"), "note 3")
        expectOK(try t.run("b", ["note", "1", "bob before the close"], as: "bob"), "note 1")
        expectOK(try t.run("b", ["resolve", "1"], as: "bob"), "resolve 1")
        expectOK(try t.run("b", ["close", "1", "--force", "--reason", "done"], as: "bob"), "close 1")
        expectOK(try t.run("b", ["note", "2", "bob before the delete"], as: "bob"), "note 2")
        expectOK(try t.run("b", ["sync"], as: "bob"), "sync b")
        let archived = try #require(t.incidentFiles("b").first { $0.hasPrefix("archive/") && $0.hasSuffix("/INC-1.json") })
        try damage("b", "active/INC-3.json")
        try damage("b", archived)
        expectOK(try t.git(["rm", "-q", "active/INC-2.json"], in: t.path("b")), "rm")
        try pushByHand(t, "b", "tidy up")
        let sync = try t.run("a", ["sync"])
        #expect(sync.status == 6, "\(sync.stdout) \(sync.stderr)")
        #expect(try t.run("a", ["show", "3"]).stdout.contains("bob on the queue"))
        let one = try t.run("a", ["show", "1"]).stdout
        #expect(one.contains("bob before the close") && one.contains("closed"), "\(one)")
        #expect(t.incidentFiles("a").contains(archived) && !t.incidentFiles("a").contains("active/INC-1.json"))
        #expect(try t.run("a", ["show", "2"]).stdout.contains("bob before the delete"))
        for c in ["a"] { expectOK(try t.run(c, ["verify"]), "verify \(c)") }
        let remote = try t.git(["show", "HEAD:active/INC-3.json"], in: t.remote)
        #expect((try? JSONSerialization.jsonObject(with: Data(remote.stdout.utf8))) != nil, "the repair was pushed")
    }

    /// A hook's private copy (kept while a detached hook runs) is never committed, even when a
    /// pushed .gitignore stops ignoring it.
    @Test func aHooksPrivateCopyIsNeverCommitted() throws {
        let t = try twoClones(after: [["declare", "Checkout down", "--severity", "high"]])
        let hooks = t.path("a") + "/hooks"
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        try "#!/bin/sh\nif [ -z \"$DETACHED\" ]; then cat >/dev/null; DETACHED=1 nohup \"$0\" >/dev/null 2>&1 & exit 0; fi\nsleep 2\n"
            .write(toFile: hooks + "/entry-added", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/entry-added")
        expectOK(try t.run("a", ["hooks", "trust"]), "trust")
        let ignore = t.path("a") + "/.gitignore"
        try (String(contentsOfFile: ignore, encoding: .utf8) + "!.hook-run-*\n").write(toFile: ignore, atomically: true, encoding: .utf8)
        expectOK(try t.git(["add", "-A"], in: t.path("a")), "add")
        expectOK(try t.git(["commit", "-qm", "hooks and ignore"], in: t.path("a")), "commit")
        expectOK(try t.run("a", ["note", "1", "fires the hook"]), "note")
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.path("a")).contains { $0.hasPrefix(".hook-run-") }, "the detached hook's copy is kept")
        expectOK(try t.run("a", ["note", "1", "commits again"]), "note again")
        expectOK(try t.run("a", ["sync"]), "sync")
        let tracked = try t.git(["ls-files"], in: t.path("a")).stdout
        #expect(!tracked.contains(".hook-run-"), "\(tracked)")
    }

    /// A store kept in a subdirectory of the team's repository gets the same checks of what
    /// comes in as one at its top (found by review: git's paths are the repository's, so none
    /// of them matched and a damaged incoming file was taken silently, exit 0).
    @Test func aStoreInASubdirectoryChecksWhatComesIn() throws {
        let t = try GitTeam()
        func inc(_ clone: String, _ args: [String], as user: String = "alice") throws -> RunResult {
            try runBinary(args, store: t.path(clone) + "/ops/incidents", user: user, environment: t.environment)
        }
        expectOK(try t.git(["clone", "-q", t.remote, "a"], in: t.directory), "clone a")
        try "team repository\n".write(toFile: t.path("a") + "/README", atomically: true, encoding: .utf8)
        expectOK(try t.git(["add", "README"], in: t.path("a")), "add")
        expectOK(try t.git(["commit", "-qm", "start"], in: t.path("a")), "commit")
        expectOK(try t.git(["push", "-q", "origin", "HEAD"], in: t.path("a")), "push")
        expectOK(try inc("a", ["init", "--git"]), "init")
        expectOK(try inc("a", ["declare", "Checkout down", "--severity", "high"]), "declare")
        expectOK(try inc("a", ["sync"]), "sync a")
        expectOK(try t.git(["clone", "-q", t.remote, "b"], in: t.directory), "clone b")
        expectOK(try inc("b", ["note", "1", "bob's note"], as: "bob"), "note b")
        expectOK(try inc("b", ["sync"], as: "bob"), "sync b")
        let fromB = try inc("a", ["sync"])
        expectOK(fromB, "a takes b's note")
        #expect(fromB.stdout.contains("1 new entry on INC-1 (bob)"), "\(fromB.stdout)")
        let path = t.path("b") + "/ops/incidents/active/INC-1.json"
        try Data(contentsOf: URL(fileURLWithPath: path)).prefix(300).write(to: URL(fileURLWithPath: path))
        try pushByHand(t, "b", "fix typo")
        let sync = try inc("a", ["sync"])
        #expect(sync.status == 6 && sync.stderr.contains("kept the last good copy"), "\(sync.stdout) \(sync.stderr)")
        #expect(try inc("a", ["show", "1"]).stdout.contains("bob's note"))
    }

    /// A remote whose URL scheme git has no helper for is a mistake, not an outage: exit 4
    /// (a cron job retrying on 7 would loop for ever), in one sentence.
    @Test func aTransportGitCannotUseIsNotAnOutage() throws {
        let t = try twoClones(after: [["declare", "Checkout down", "--severity", "high"]])
        expectOK(try t.git(["remote", "set-url", "origin", "foo://example.com/x.git"], in: t.path("a")), "set-url")
        let sync = try t.run("a", ["sync"])
        #expect(sync.status == 4, "\(sync.stderr)")
        #expect(sync.stderr.contains("Waiting will not fix this") && !sync.stderr.contains(".."), "\(sync.stderr)")
        #expect(sync.stderr.utf8.filter { $0 == 0x0A }.count == 1, "\(sync.stderr)")
    }

    /// A teammate's commit that deletes an entry from an incident file (git takes a file
    /// changed on one side only as it is, without the merge driver): the sync keeps the entry,
    /// warns (exit 6), and pushes it back, so the log only grows on every clone.
    @Test func anEntryRemovedOnAnotherCloneIsKeptAndRestored() throws {
        let t = try twoClones(after: [
            ["declare", "Checkout down", "--severity", "high"],
            ["note", "1", "important evidence note"],
        ])
        let path = t.path("b") + "/active/INC-1.json"
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let events = try #require(object["events"] as? [[String: Any]])
        object["events"] = events.filter { ($0["text"] as? String) != "important evidence note" }
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
        try pushByHand(t, "b", "cleanup")
        let sync = try t.run("a", ["sync"])
        #expect(sync.status == 6, "\(sync.stdout) \(sync.stderr)")
        #expect(sync.stderr.contains("INC-1: what came in had removed or rewritten 1 entry that was here"), "\(sync.stderr)")
        #expect(try t.run("a", ["show", "1"]).stdout.contains("important evidence note"))
        #expect(try t.git(["status", "--porcelain"], in: t.path("a")).stdout.isEmpty)
        // The repair was pushed: b has the entry back, and both clones verify.
        expectOK(try t.run("b", ["sync"], as: "bob"), "sync b again")
        #expect(try t.run("b", ["show", "1"]).stdout.contains("important evidence note"))
        for c in ["a", "b"] { expectOK(try t.run(c, ["verify"]), "verify \(c)") }
        expectOK(try t.run("a", ["sync"]), "a settles")
    }

    /// An entry whose text was edited by hand on another clone (its hash field left as it
    /// was), and an incident whose file was deleted there: the sync keeps the original entry
    /// beside the edited one and puts the incident back, warns, and pushes both repairs.
    @Test func anEditedEntryAndADeletedIncidentAreKept() throws {
        let t = try twoClones(after: [
            ["declare", "Login slow", "--severity", "high"],
            ["note", "1", "the original words"],
            ["declare", "Third", "--severity", "low"],
        ])
        let path = t.path("b") + "/active/INC-1.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("the original words"))
        try text.replacingOccurrences(of: "the original words", with: "words put in later").write(toFile: path, atomically: true, encoding: .utf8)
        expectOK(try t.git(["rm", "-q", "active/INC-2.json"], in: t.path("b")), "rm")
        try pushByHand(t, "b", "tidy")
        let sync = try t.run("a", ["sync"])
        #expect(sync.status == 6, "\(sync.stdout) \(sync.stderr)")
        #expect(sync.stderr.contains("INC-2: what came in deleted the incident"), "\(sync.stderr)")
        let timeline = try t.run("a", ["timeline", "1"]).stdout
        #expect(timeline.contains("the original words") && timeline.contains("words put in later"), "\(timeline)")
        #expect(try t.run("a", ["show", "2"]).status == 0)
        #expect(try t.git(["status", "--porcelain"], in: t.path("a")).stdout.isEmpty)
        // Pushed: b gets the incident and the original entry back. verify names the edit.
        _ = try t.run("b", ["sync"], as: "bob")
        #expect(try t.run("b", ["show", "2"]).status == 0)
        #expect(try t.run("b", ["timeline", "1"]).stdout.contains("the original words"))
        #expect(try t.run("b", ["verify", "1"]).status == 6)
        // Settled: another sync neither warns again nor commits.
        let again = try t.run("a", ["sync"])
        #expect(!again.stderr.contains("what came in"), "\(again.stderr)")
    }

    /// The same stripped `.gitattributes`, arriving through `incident sync`: the sync itself
    /// puts the lines back, says so, commits and pushes the repair, so the team's branch is whole
    /// again and the clone is clean.
    @Test func syncRepairsAStrippedGitattributesThatCameIn() throws {
        let t = try twoClones(after: [
            ["declare", "Queue stuck", "--severity", "high"],
        ])
        try "* -text\n".write(toFile: t.path("b") + "/.gitattributes", atomically: true, encoding: .utf8)
        try pushByHand(t, "b", "simplify")
        let sync = try t.run("a", ["sync"])
        expectOK(sync, "sync a")
        #expect(sync.stderr.contains("Put back the lines of .gitattributes"), "\(sync.stdout) \(sync.stderr)")
        let attributes = try String(contentsOfFile: t.path("a") + "/.gitattributes", encoding: .utf8)
        #expect(attributes.contains("merge=incident") && attributes.contains("* -text"))
        #expect(try t.git(["status", "--porcelain"], in: t.path("a")).stdout.isEmpty)
        // The repair reached the remote: b gets it back with a plain pull.
        expectOK(try t.git(["pull", "-q", "--no-rebase"], in: t.path("b")), "pull b")
        #expect(try String(contentsOfFile: t.path("b") + "/.gitattributes", encoding: .utf8).contains("merge=incident"))
    }

    /// A teammate's commit that deletes `.gitignore` does not make writes commit the clone's
    /// lock, ID counter and derived files (every sync would then conflict on them): the next
    /// command puts it back and untracks anything the gap let in.
    @Test func aDeletedGitignoreIsRepairedAndPerCloneFilesStayOut() throws {
        let t = try twoClones(after: [
            ["declare", "Queue stuck", "--severity", "high"],
        ])
        expectOK(try t.git(["rm", "-q", ".gitignore"], in: t.path("b")), "rm")
        expectOK(try t.git(["commit", "-q", "-m", "no ignore"], in: t.path("b")), "commit")
        // The gap: a plain git commit in b tracks per-clone files.
        expectOK(try t.run("b", ["list"], as: "bob"), "list b")
        expectOK(try t.git(["add", "-A", "-f", "--", ".lock", ".runbook-checked", "active/.index"], in: t.path("b")), "add")
        expectOK(try t.git(["commit", "-q", "-m", "per-clone files"], in: t.path("b")), "commit files")
        expectOK(try t.git(["push", "-q", "origin", "HEAD"], in: t.path("b")), "push")
        let sync = try t.run("a", ["sync"])
        expectOK(sync, "sync a")
        #expect((sync.stdout + sync.stderr).contains("Put back .gitignore"), "\(sync.stdout) \(sync.stderr)")
        #expect(FileManager.default.fileExists(atPath: t.path("a") + "/.gitignore"))
        let note = try t.run("a", ["note", "1", "after the ignore change"])
        expectOK(note, "note")
        let ignore = try String(contentsOfFile: t.path("a") + "/.gitignore", encoding: .utf8)
        #expect(ignore.contains(".*"))
        let tracked = try t.git(["ls-files"], in: t.path("a")).stdout.split(separator: "\n").map(String.init)
        for f in tracked { #expect(!f.split(separator: "/").last!.hasPrefix(".") || f == ".gitignore" || f == ".gitattributes", "\(f) is tracked") }
        let status = try t.git(["status", "--porcelain"], in: t.path("a"))
        #expect(status.stdout.isEmpty, "everything committed: \(status.stdout)")
        // Both clones keep writing and syncing without a conflict on a per-clone file.
        for round in 0..<2 {
            expectOK(try t.run("a", ["note", "1", "a \(round)"]), "note a")
            expectOK(try t.run("b", ["note", "1", "b \(round)"], as: "bob"), "note b")
            expectOK(try t.run("a", ["sync"]), "sync a \(round)")
            expectOK(try t.run("b", ["sync"], as: "bob"), "sync b \(round)")
        }
        expectOK(try t.run("a", ["sync"]), "sync a")
        expectOK(try t.run("a", ["verify"]), "verify a")
        expectOK(try t.run("b", ["verify"], as: "bob"), "verify b")
    }

    /// Whatever .gitignore says (a teammate's lines that un-ignore them, a forced add of the
    /// tick record), a write never commits a per-clone file and sync keeps working.
    @Test func perCloneFilesStayOutEvenWhenGitignoreLetsThemIn() throws {
        let t = try GitTeam()
        try t.start(["a", "b"])
        // Declared hours ago, so that every tick below has breaches to record.
        expectOK(try t.run("a", ["declare", "Queue stuck", "--severity", "critical", "--at", "-6h"]), "declare")
        expectOK(try t.run("a", ["sync"]), "sync a")
        expectOK(try t.run("b", ["sync"], as: "bob"), "sync b")
        let ignore = t.path("b") + "/.gitignore"
        let text = try String(contentsOfFile: ignore, encoding: .utf8)
        try (text + "!.last-id\n!.lock\n!.runbook-checked\n!active/.index\n!.announced.json\n").write(toFile: ignore, atomically: true, encoding: .utf8)
        expectOK(try t.run("b", ["tick"], as: "bob"), "tick b")
        expectOK(try t.git(["add", "-A", "-f", "--", ".gitignore", ".announced.json"], in: t.path("b")), "add")
        expectOK(try t.git(["commit", "-q", "-m", "unignore"], in: t.path("b")), "commit")
        expectOK(try t.git(["push", "-q", "origin", "HEAD"], in: t.path("b")), "push")
        for round in 0..<3 {
            expectOK(try t.run("a", ["note", "1", "a \(round)"]), "note a")
            expectOK(try t.run("b", ["note", "1", "b \(round)"], as: "bob"), "note b")
            expectOK(try t.run("a", ["tick", "--due-soon", "\(1 + round)h"]), "tick a")
            expectOK(try t.run("a", ["sync"]), "sync a \(round)")
            expectOK(try t.run("b", ["sync"], as: "bob"), "sync b \(round)")
        }
        for clone in ["a", "b"] {
            let tracked = try t.git(["ls-files"], in: t.path(clone)).stdout.split(separator: "\n").map(String.init)
            for f in tracked { #expect(!f.split(separator: "/").last!.hasPrefix(".") || f == ".gitignore" || f == ".gitattributes", "\(clone): \(f) is tracked") }
        }
        expectOK(try t.run("a", ["verify"]), "verify a")
    }

    /// An author git refuses as a name (only `<>` and punctuation) still commits, as
    /// "incident": the write is not left uncommitted for the next writer to sweep up.
    @Test func anAuthorGitRefusesStillCommits() throws {
        let t = try GitTeam()
        try t.start(["a"])
        // The author's own name for git: no GIT_AUTHOR_NAME from the environment, and no
        // committer name either (a uid with no password entry and no user.name).
        var env = t.environment
        env["GIT_AUTHOR_NAME"] = nil
        env["GIT_COMMITTER_NAME"] = nil
        try "[user]\n\temail = x@example.com\n".write(toFile: env["HOME"]! + "/.gitconfig-noname", atomically: true, encoding: .utf8)
        env["GIT_CONFIG_GLOBAL"] = env["HOME"]! + "/.gitconfig-noname"
        let r = try runBinary(["declare", "Odd author", "--severity", "low"], store: t.path("a"), user: "<>", environment: env)
        expectOK(r, "declare")
        #expect(!r.stderr.contains("could not"), "\(r.stderr)")
        let status = try t.git(["status", "--porcelain"], in: t.path("a"))
        #expect(status.stdout.isEmpty, "everything committed: \(status.stdout)")
        let log = try t.git(["log", "-2", "--format=%an|%s"], in: t.path("a")).stdout.split(separator: "\n")
        #expect(log.count == 2 && log.allSatisfy { $0.hasPrefix("incident|") }, "\(log)")
        #expect(log.contains { $0.contains("Declared") }, "\(log)")
    }

    /// A remote that can never work (a refused transport) is an error, not "offline": exit 7
    /// means "try again later", which would loop forever.
    @Test func aRemoteThatCannotWorkIsNotReportedAsOffline() throws {
        let t = try GitTeam()
        try t.start(["a"])
        expectOK(try t.git(["remote", "set-url", "origin", "ext::false"], in: t.path("a")), "set-url")
        let r = try t.run("a", ["sync"])
        #expect(r.status != 0 && r.status != 7, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("Waiting will not fix this"), "\(r.stderr)")
        // With --json a scheduler still gets a document, naming the error.
        let json = try t.run("a", ["sync", "--json"])
        #expect(json.status == r.status)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["error"] as? String)?.contains("Waiting will not fix this") == true, "\(json.stdout)")
        #expect(object?["pushed"] as? Bool == false)
    }

    /// Incidents declared offline are numbered in the order they were declared.
    @Test func provisionalIncidentsAreNumberedInDeclarationOrder() throws {
        let t = try GitTeam()
        try t.start(["a"])
        expectOK(try t.git(["remote", "set-url", "origin", t.directory + "/unreachable.git"], in: t.path("a")), "set-url")
        var provisional: [String] = []
        for (n, title) in ["First", "Second", "Third", "Fourth"].enumerated() {
            let r = try t.run("a", ["declare", title, "--severity", "low", "--at", "2026-11-23T14:0\(n):00Z"])
            expectOK(r, "declare \(title)")
            provisional.append(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        expectOK(try t.git(["remote", "set-url", "origin", t.remote], in: t.path("a")), "set-url back")
        expectOK(try t.run("a", ["sync"]), "sync")
        for (n, title) in ["First", "Second", "Third", "Fourth"].enumerated() {
            #expect(try t.showObject("a", "INC-\(n + 1)")["title"] as? String == title)
            #expect(try t.showObject("a", provisional[n])["title"] as? String == title)
        }
    }

    /// Two clones each add an action item (both written as A1) and evidence (both E1): after
    /// sync every clone shows two distinct IDs, and each command acts on the item it names.
    @Test func itemsAddedOnTwoClonesKeepDistinctIDs() throws {
        let t = try twoClones(after: [
            ["declare", "Keys leaked", "--severity", "high", "--at", "2026-11-23T14:05:00Z"],
        ])
        expectOK(try t.run("a", ["action", "add", "1", "rotate keys", "--owner", "alice", "--at", "2026-11-23T14:10:00Z"]), "action a")
        expectOK(try t.run("b", ["action", "add", "1", "audit access logs", "--owner", "bob", "--at", "2026-11-23T14:11:00Z"], as: "bob"), "action b")
        expectOK(try t.run("a", ["evidence", "add", "1", "--ref", "s3://logs/a", "--at", "2026-11-23T14:12:00Z"]), "evidence a")
        expectOK(try t.run("b", ["evidence", "add", "1", "--ref", "s3://logs/b", "--at", "2026-11-23T14:13:00Z"], as: "bob"), "evidence b")
        for _ in 0..<2 { for c in ["a", "b"] { expectOK(try t.run(c, ["sync"], as: "sync-\(c)"), "sync \(c)") } }
        func items(_ clone: String) throws -> [String: String] {
            let r = try t.run(clone, ["actions", "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: list.compactMap { i in (i["id"] as? String).map { ($0, i["text"] as? String ?? "") } })
        }
        let onA = try items("a")
        #expect(onA.count == 2 && Set(onA.keys) == ["A1", "A2"], "\(onA)")
        #expect(try items("b") == onA)
        // bob closes his own item, whichever number it shows under.
        let bobs = onA.first { $0.value == "audit access logs" }!.key
        let done = try t.run("b", ["action", "done", "1", bobs], as: "bob")
        expectOK(done, "done")
        #expect(done.stdout.contains("audit access logs"), "\(done.stdout)")
        for _ in 0..<2 { for c in ["a", "b"] { expectOK(try t.run(c, ["sync"], as: "sync-\(c)"), "sync \(c)") } }
        let open = try t.run("a", ["actions", "--open", "--json"])
        #expect(open.stdout.contains("rotate keys") && !open.stdout.contains("audit access logs"), "\(open.stdout)")
        let evidence = try t.run("a", ["evidence", "list", "1"])
        #expect(evidence.stdout.contains("E1") && evidence.stdout.contains("E2"), "\(evidence.stdout)")
        // A new item after the merge takes the next number.
        expectOK(try t.run("a", ["action", "add", "1", "write the timeline", "--at", "2026-11-23T15:00:00Z"]), "third action")
        #expect(try items("a")["A3"] == "write the timeline")
        for c in ["a", "b"] { expectOK(try t.run(c, ["verify"]), "verify \(c)") }
    }

    /// Evidence copies and published postmortems are recorded relative to the store, so every
    /// clone finds them; `evidence verify` checks the copy the store keeps.
    @Test func evidenceCopiesAreRecordedInTheStoreAndVerified() throws {
        let t = try GitTeam()
        try t.start(["a", "b"])
        expectOK(try t.run("a", ["declare", "Intrusion", "--severity", "high"]), "declare")
        let original = t.directory + "/dump.bin"
        try Data("disk image".utf8).write(to: URL(fileURLWithPath: original))
        expectOK(try t.run("a", ["evidence", "add", "1", original, "--copy"]), "evidence")
        expectOK(try t.run("a", ["postmortem", "1", "--publish"]), "publish")
        expectOK(try t.run("a", ["sync"]), "sync a")
        expectOK(try t.run("b", ["sync"], as: "bob"), "sync b")
        let list = try t.run("b", ["evidence", "list", "1", "--json"], as: "bob")
        let items = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        let copy = items.first?["copy"] as? String ?? ""
        #expect(copy.hasPrefix(t.path("b") + "/evidence/INC-1/E1-") && copy.hasSuffix("-dump.bin"), "\(list.stdout)")
        let relative = String(copy.dropFirst(t.path("b").count + 1))
        let timeline = try t.run("b", ["timeline", "1", "--json"], as: "bob")
        #expect(timeline.stdout.contains("\"copy\" : \"\(relative)\""), "\(timeline.stdout)")
        #expect(timeline.stdout.contains("Postmortem published to postmortems/"), "\(timeline.stdout)")
        // On b the original is not where a collected it; the copy is what counts.
        try FileManager.default.removeItem(atPath: original)
        let ok = try t.run("b", ["evidence", "verify", "1"], as: "bob")
        expectOK(ok, "verify with the original gone")
        #expect(ok.stdout.contains("copy ok"), "\(ok.stdout)")
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: copy))
        let bad = try t.run("b", ["evidence", "verify", "1"], as: "bob")
        #expect(bad.status == 6, "\(bad.status) \(bad.stdout) \(bad.stderr)")
        #expect(bad.stdout.contains("copy CHANGED"), "\(bad.stdout)")
    }

    /// An entry rewritten by hand on another clone and pushed with plain git: sync merges,
    /// warns naming the incident and exits 6; verify names the entry.
    @Test func syncWarnsWhenWhatCameInRewroteHistory() throws {
        let t = try twoClones(after: [
            ["declare", "Payments down", "--severity", "high"],
            ["note", "1", "restarted the gateway at 04:10"],
        ])
        let file = t.path("b") + "/active/INC-1.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "at 04:10", with: "at 03:10").write(toFile: file, atomically: true, encoding: .utf8)
        try pushByHand(t, "b", "fix typo")
        let r = try t.run("a", ["sync"])
        #expect(r.status == 6, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("came back changed"), "\(r.stderr)")
        #expect(try t.run("a", ["verify", "1"]).status == 6)
    }

    /// A duplicate merged on one clone while another clone adds to it: after sync the
    /// survivor has every entry and the late action item, on every clone.
    @Test func entriesWrittenOnADuplicateAfterItsMergeReachTheSurvivor() throws {
        let t = try twoClones(after: [
            ["declare", "API errors", "--severity", "high", "--at", "2026-11-23T14:05:00Z"],
            ["declare", "API errors again", "--severity", "high", "--at", "2026-11-23T14:06:00Z"],
        ])
        expectOK(try t.run("a", ["merge", "2", "--into", "1", "--at", "2026-11-23T14:10:00Z"]), "merge on a")
        expectOK(try t.run("b", ["note", "2", "bob's late note", "--at", "2026-11-23T14:11:00Z"], as: "bob"), "note on b")
        expectOK(try t.run("b", ["action", "add", "2", "bob's late item", "--at", "2026-11-23T14:12:00Z"], as: "bob"), "action on b")
        for _ in 0..<2 { for c in ["a", "b"] { expectOK(try t.run(c, ["sync"], as: "sync-\(c)"), "sync \(c)") } }
        for c in ["a", "b"] {
            let survivor = try t.showObject(c, "INC-1")
            let texts = (survivor["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(texts.contains("bob's late note"), "\(c): \(texts)")
            let items = (survivor["actionItems"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(items.contains("bob's late item"), "\(c): \(items)")
            #expect(texts.filter { $0 == "bob's late note" }.count == 1)
            expectOK(try t.run(c, ["verify"]), "verify \(c)")
        }
        #expect(try t.show("a", "INC-1") == (try t.show("b", "INC-1")))
    }

    /// An incident declared offline (a provisional ID) is listed, timed and counted like any
    /// other, with no warning: offline is when responders rely on `list` and `sla`.
    @Test func provisionalIncidentsAppearInEveryView() throws {
        let t = try GitTeam()
        try t.start(["a"])
        expectOK(try t.run("a", ["declare", "Known incident", "--severity", "low"]), "declare")
        expectOK(try t.git(["remote", "set-url", "origin", t.directory + "/unreachable.git"], in: t.path("a")), "set-url")
        let offline = try t.run("a", ["declare", "Offline outage", "--severity", "critical"])
        expectOK(offline, "offline declare")
        let id = offline.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        expectOK(try t.run("a", ["action", "add", id, "page the DBA"]), "action")
        let list = try t.run("a", ["list"])
        expectOK(list, "list")
        #expect(list.stdout.contains(id) && list.stdout.contains("Offline outage"), "\(list.stdout)")
        #expect(!list.stderr.contains("skipped"), "\(list.stderr)")
        #expect(try t.run("a", ["list", "--all"]).stdout.contains(id))
        #expect(try t.run("a", ["sla"]).stdout.contains(id))
        #expect(try t.run("a", ["actions"]).stdout.contains("page the DBA"))
        let stats = try t.run("a", ["stats", "--json"])
        #expect(stats.stdout.contains("\"incidents\" : 2"), "\(stats.stdout)")
        let doctor = try t.run("a", ["doctor"])
        #expect(!doctor.stdout.contains(id), "\(doctor.stdout)")
    }

    /// Two clones merge two incidents into each other: after sync one of them is live again
    /// (the lower number), holding both incidents' entries once, on every clone.
    @Test func incidentsMergedIntoEachOtherOnTwoClonesLeaveOneLive() throws {
        let t = try twoClones(after: [
            ["declare", "Checkout errors", "--severity", "high", "--at", "2026-11-23T14:05:00Z"],
            ["declare", "Checkout errors (dup)", "--severity", "high", "--at", "2026-11-23T14:06:00Z"],
            ["note", "1", "alice on one", "--at", "2026-11-23T14:07:00Z"],
            ["note", "2", "alice on two", "--at", "2026-11-23T14:08:00Z"],
        ])
        expectOK(try t.run("a", ["merge", "2", "--into", "1", "--at", "2026-11-23T14:10:00Z"]), "a merges 2 into 1")
        expectOK(try t.run("b", ["merge", "1", "--into", "2", "--at", "2026-11-23T14:11:00Z"], as: "bob"), "b merges 1 into 2")
        for _ in 0..<2 { for c in ["a", "b"] { expectOK(try t.run(c, ["sync"], as: "sync-\(c)"), "sync \(c)") } }
        for c in ["a", "b"] {
            let list = try t.run(c, ["list", "--json"])
            let ids = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == ["INC-1"], "\(c): \(ids)")
            let texts = ((try t.showObject(c, "INC-1"))["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(texts.filter { $0 == "alice on one" }.count == 1, "\(c): \(texts)")
            #expect(texts.filter { $0 == "alice on two" }.count == 1, "\(c): \(texts)")
            expectOK(try t.run(c, ["verify"]), "verify \(c)")
        }
        #expect(try t.show("a", "INC-1") == (try t.show("b", "INC-1")))
    }

    /// A clone working on another branch still shares the team's branch: its entries reach
    /// the others, and IDs stay distinct.
    @Test func aCloneOnAnotherBranchStillSyncsWithTheTeam() throws {
        let t = try twoClones(after: [
            ["declare", "First", "--severity", "low"],
        ])
        expectOK(try t.git(["switch", "-q", "-c", "bobs-work"], in: t.path("b")), "switch")
        expectOK(try t.run("b", ["note", "1", "from bob's branch"], as: "bob"), "note on b")
        let declared = try t.run("b", ["declare", "Second", "--severity", "low"], as: "bob")
        expectOK(declared, "declare on b")
        expectOK(try t.run("b", ["sync"], as: "bob"), "sync b")
        let other = try t.run("a", ["declare", "Third", "--severity", "low"])
        expectOK(other, "declare on a")
        for _ in 0..<2 { for c in ["a", "b"] { expectOK(try t.run(c, ["sync"], as: "sync-\(c)"), "sync \(c)") } }
        let branches = try t.git(["ls-remote", "--heads", t.remote], in: t.directory)
        #expect(!branches.stdout.contains("bobs-work"), "\(branches.stdout)")
        for c in ["a", "b"] {
            let list = try t.run(c, ["list", "--json"])
            let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(Set(rows.compactMap { $0["title"] as? String }) == ["First", "Second", "Third"], "\(c): \(rows)")
            #expect(Set(rows.compactMap { $0["id"] as? String }).count == 3)
            let texts = ((try t.showObject(c, "INC-1"))["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(texts.contains("from bob's branch"), "\(c)")
        }
    }

    /// Several first commands at once on a fresh clone all configure (or find) the merge
    /// driver: none fails on git's config lock.
    @Test func concurrentFirstCommandsOnAFreshCloneAllWork() throws {
        let t = try GitTeam()
        try t.start(["a"])
        expectOK(try t.run("a", ["declare", "Busy", "--severity", "low"]), "declare")
        expectOK(try t.run("a", ["sync"]), "sync")
        expectOK(try t.git(["clone", "-q", t.remote, t.path("fresh")], in: t.directory), "clone")
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 8) { n in
            results.set(String(n), try? t.run("fresh", ["list"], as: "user\(n)"))
        }
        for n in 0..<8 {
            let r = results.get(String(n))
            #expect(r?.status == 0, "\(n): \(r?.stderr ?? "no result")")
            #expect(r?.stderr.contains("could not lock") == false)
        }
    }
}

/// `list --all` while incidents are closed and reopened: each one is listed every time.
@Suite(.serialized) struct MovingIncidentsTests {
    @Test func listAllNeverMissesAnIncidentBeingClosedOrReopened() throws {
        let e = E2E()
        for n in 1...4 { _ = try e.declare("Incident \(n)") }
        let stop = StopFlag()
        let churn = Thread {
            var n = 0
            while !stop.value {
                let id = String(n % 4 + 1)
                _ = try? e.run("close", id, "--force", "--reason", "churn")
                _ = try? e.run("reopen", id)
                n += 1
            }
        }
        churn.start()
        defer { stop.value = true }
        var seen = 0
        for _ in 0..<20 {
            let r = try e.run("list", "--all", "--json")
            let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
            let ids = Set(rows.compactMap { $0["id"] as? String })
            #expect(ids == ["INC-1", "INC-2", "INC-3", "INC-4"], "\(ids) \(r.stderr)")
            seen += rows.filter { $0["status"] as? String == "closed" }.count
        }
        stop.value = true
        churn.cancel()
        _ = seen
        stop.value = true
    }
}

private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool {
        get { lock.lock(); defer { lock.unlock() }; return flag }
        set { lock.lock(); flag = newValue; lock.unlock() }
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: RunResult] = [:]
    func set(_ k: String, _ v: RunResult?) { lock.lock(); values[k] = v; lock.unlock() }
    func get(_ k: String) -> RunResult? { lock.lock(); defer { lock.unlock() }; return values[k] }
}
