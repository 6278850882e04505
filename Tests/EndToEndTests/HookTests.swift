import Foundation
import Testing
import TestSupport

/// A store with hooks: writes executables into <store>/hooks and trusts them.
extension E2E {
    var hooks: String { store + "/hooks" }

    func installHook(_ event: String, _ script: String, executable: Bool = true, trust: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        let path = hooks + "/" + event
        try script.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
        if trust {
            let r = try run("hooks", "trust", event)
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}

@Suite(.serialized) struct HookTests {
    @Test func hookGetsThePayloadAndEnvironmentAfterTheEventIsStored() throws {
        let e = E2E()
        #expect(try e.run("init").status == 0)
        let out = e.store + "-out"
        try e.installHook("declared", """
        #!/bin/sh
        cat > \(out).json
        echo "$INCIDENT_ID|$INCIDENT_EVENT|$INCIDENT_SEVERITY|$INCIDENT_TITLE" > \(out).env
        test -f "$INCIDENT_STORE/active/$INCIDENT_ID.json" && echo stored > \(out).stored
        echo "posted to chat"
        """)
        let r = try e.run("declare", "DB down", "--severity", "high", "--at", "2026-01-05T14:05:00Z")
        #expect(r.status == 0)
        #expect(r.stdout == "INC-1\n")
        #expect(r.stderr.contains("[hooks/declared] posted to chat"))
        #expect(e.read(out + ".env") == "INC-1|declared|high|DB down\n")
        #expect(e.read(out + ".stored") == "stored\n")
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(e.read(out + ".json").utf8)) as? [String: Any])
        #expect(payload["event"] as? String == "declared")
        #expect(payload["test"] as? Bool == false)
        let incident = try #require(payload["incident"] as? [String: Any])
        #expect(incident["id"] as? String == "INC-1")
        #expect(incident["status"] as? String == "active")
        #expect((incident["sla"] as? [Any])?.isEmpty == false)
        #expect((payload["entry"] as? [String: Any])?["kind"] as? String == "declared")
        #expect((payload["store"] as? String)?.hasSuffix("/store") == true)
    }

    /// What runs is a private copy of the bytes that were hashed and trusted (found by review:
    /// the file was hashed, then run again by its path, so one swapped in between ran
    /// untrusted). The original path is in INCIDENT_HOOK_PATH; the copy is gone afterwards.
    @Test func aHookRunsFromAPrivateCopyOfWhatWasTrusted() throws {
        let e = E2E()
        _ = try e.declare()
        let out = e.store + "-copy"
        try e.installHook("entry-added", """
        #!/bin/sh
        echo "$0|$INCIDENT_HOOK_PATH" > \(out)
        cmp -s "$0" "$INCIDENT_HOOK_PATH" && echo same >> \(out)
        """)
        let r = try e.run("note", "1", "first")
        #expect(r.status == 0, "\(r.stderr)")
        let seen = e.read(out).split(separator: "\n").map(String.init)
        let parts = (seen.first ?? "").split(separator: "|").map(String.init)
        #expect(parts.count == 2 && parts[1] == e.hooks + "/entry-added" && parts[0] != parts[1], "\(seen)")
        #expect(seen.count == 2 && seen[1] == "same", "\(seen)")
        #expect(!FileManager.default.fileExists(atPath: parts.first ?? "/"))
        let left = try FileManager.default.contentsOfDirectory(atPath: e.store).filter { $0.hasPrefix(".hook-run") }
        #expect(left.isEmpty, "\(left)")
        // A hook that detaches by running "$0" again in the background still works (its copy
        // stays while it runs); a copy a day old (a detached or killed run) is swept.
        let stale = e.store + "/.hook-run-OLD123"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: false)
        try "x".write(toFile: stale + "/entry-added", atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -2 * 86_400)], ofItemAtPath: stale)
        try e.installHook("entry-added", """
        #!/bin/sh
        if [ -z "$DETACHED" ]; then DETACHED=1 nohup "$0" >/dev/null 2>&1 & exit 0; fi
        sleep 0.3; echo detached-ran > \(out)-detached
        """)
        #expect(try e.run("note", "1", "second").status == 0)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(e.read(out + "-detached") == "detached-ran\n")
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    /// `hooks` made a symbolic link (pushed by a teammate) runs nothing, as links in the store
    /// never are followed, and says so wherever a hook would have run (it was silent).
    @Test func aHooksDirectoryThatIsALinkIsNamedNotSilentlyIgnored() throws {
        let e = E2E()
        _ = try e.declare()
        let real = e.store + "-realhooks"
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try "#!/bin/sh\necho ran > \(real)/ran\n".write(toFile: real + "/any", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: real + "/any")
        try FileManager.default.createSymbolicLink(atPath: e.hooks, withDestinationPath: real)
        let note = try e.run("note", "1", "hello")
        #expect(note.status == 0 && note.stderr.contains("hooks is a symbolic link"), "\(note.stderr)")
        #expect(!FileManager.default.fileExists(atPath: real + "/ran"))
        #expect(try e.run("hooks").stdout.contains("none can run"))
        for args in [["hooks", "trust"], ["hooks", "test", "declared"]] {
            let r = try runBinary(args, store: e.store)
            #expect(r.status == 1 && r.stderr.contains("symbolic link"), "\(args): \(r.stderr)")
        }
    }

    @Test func aFailingHookIsReportedAndChangesNothingStored() throws {
        let e = E2E()
        _ = try e.declare()
        try e.installHook("acknowledged", "#!/bin/sh\necho 'webhook said 500' >&2\nexit 3\n")
        let r = try e.run("ack", "1", "--json")
        #expect(r.status == 0)
        let ack = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(ack?["acknowledgedAt"] != nil)  // stdout is still one JSON document
        #expect(r.stderr.contains("[hooks/acknowledged] webhook said 500"))
        #expect(r.stderr.contains("hooks/acknowledged for INC-1 acknowledged failed with exit status 3"))
        let show = try e.object("show", "1")
        #expect(show["acknowledgedAt"] != nil)
        #expect(try e.run("verify", "1").status == 0)
    }

    @Test func aHangingHookIsStoppedAtItsTimeLimitWithItsChildren() throws {
        let e = E2E()
        _ = try e.declare()
        let pidFile = e.store + "-sleep.pid"
        try e.installHook("entry-added", "#!/bin/sh\nsleep 30 &\necho $! > \(pidFile)\necho waiting\nwait\n")
        let start = Date()
        let r = try e.run("note", "1", "still looking", env: ["INCIDENT_HOOK_TIMEOUT": "1"])
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 0)
        #expect(elapsed < 8, "took \(elapsed)s")
        #expect(r.stderr.contains("[hooks/entry-added] waiting"))
        #expect(r.stderr.contains("timed out after 1s and was stopped (status 124)"))
        let pid = Int32(e.read(pidFile).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(pid > 0)
        if pid > 0 {
            // Gone, or a zombie waiting for a parent that does not reap (PID 1 in a container).
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? "gone"
            #expect(state == "gone" || state == "Z", "the hook's child \(pid) is still running (\(state))")
        }
        let timeline = try #require(try e.object("show", "1")["timeline"] as? [[String: Any]])
        #expect(timeline.contains { $0["text"] as? String == "still looking" })
    }

    @Test func aHookThatIsNotExecutableIsReported() throws {
        let e = E2E()
        _ = try e.declare()
        try e.installHook("severity-changed", "#!/bin/sh\necho ran > /dev/null\n", executable: false)
        let r = try e.run("severity", "1", "critical")
        #expect(r.status == 0)
        #expect(r.stderr.contains("hooks/severity-changed for INC-1 severity-changed is not executable"))
        #expect(r.stderr.contains("status 126") && r.stderr.contains("chmod +x"))
        #expect(try e.object("show", "1")["severity"] as? String == "critical")
        let list = try e.run("hooks")
        #expect(list.stdout.contains("not executable"))
    }

    @Test func anUntrustedOrChangedHookIsSkippedWithTheTrustCommand() throws {
        let e = E2E()
        _ = try e.declare()
        let marker = e.store + "-ran"
        try e.installHook("entry-added", "#!/bin/sh\necho one >> \(marker)\n", trust: false)
        var r = try e.run("note", "1", "first")
        #expect(r.status == 0)
        #expect(r.stderr.contains("skipped hook hooks/entry-added") && r.stderr.contains("new and has not been trusted"))
        #expect(r.stderr.contains("incident hooks trust entry-added"))
        #expect(e.read(marker).isEmpty)

        #expect(try e.run("hooks", "trust").status == 0)
        #expect(try e.run("note", "1", "second").status == 0)
        #expect(e.read(marker) == "one\n")

        // A pull or an edit changes it: skipped until trusted again.
        try "#!/bin/sh\necho two >> \(marker)\n".write(toFile: e.hooks + "/entry-added", atomically: false, encoding: .utf8)
        r = try e.run("note", "1", "third")
        #expect(r.stderr.contains("it changed since it was trusted on this machine"))
        #expect(r.stderr.contains("'incident hooks trust entry-added'"))
        #expect(e.read(marker) == "one\n")
        let list = try e.run("hooks")
        #expect(list.stdout.contains("NOT TRUSTED (changed since trusted)"))
        #expect(try e.run("hooks", "trust", "entry-added").status == 0)
        #expect(try e.run("note", "1", "fourth").status == 0)
        #expect(e.read(marker) == "one\ntwo\n")

        // Trust is per machine: another HOME does not trust it.
        r = try e.run("note", "1", "fifth", env: ["HOME": e.store + "-other-home"])
        #expect(r.stderr.contains("skipped hook hooks/entry-added"))
        #expect(e.read(marker) == "one\ntwo\n")
    }

    @Test func tickAnnouncesEachBreachExactlyOnce() throws {
        let e = E2E()
        _ = try e.declare()  // 2026-01-05: every timer is long overdue by now
        let log = e.store + "-breaches"
        try e.installHook("sla-breached", "#!/bin/sh\necho \"$INCIDENT_ID $INCIDENT_TIMER $INCIDENT_DUE_AT\" >> \(log)\n")
        let first = try e.run("tick")
        #expect(first.status == 0)
        #expect(first.stdout.contains("BREACHED"))
        let lines = e.read(log).split(separator: "\n")
        #expect(lines.count >= 3)
        #expect(Set(lines).count == lines.count)
        // Cron runs it every minute, sometimes from two machines at once.
        for _ in 0..<2 { #expect(try e.run("tick").stdout.isEmpty) }
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) { _ = try? e.run("tick") }
        }
        group.wait()
        #expect(e.read(log).split(separator: "\n").count == lines.count)
        let again = try #require(try e.json("tick") as? [Any])
        #expect(again.isEmpty)

        // A new deadline (a new cadence cycle after an update) is a new announcement.
        #expect(try e.run("note", "1", "--kind", "comms", "Posted an update", "--at", "2026-01-06T10:00:00Z").status == 0)
        let next = try #require(try e.json("tick") as? [[String: Any]])
        #expect(next.count == 1 && next.first?["name"] as? String == "comms-update")
        #expect(next.first?["dueAt"] as? String == "2026-01-06T11:00:00Z")
    }

    @Test func tickWarnsOnceBeforeADeadlineAndForOverdueActions() throws {
        let e = E2E()
        _ = try e.declare(at: "2026-01-05T14:05:00Z")
        #expect(try e.run("action", "add", "1", "Add canary", "--owner", "bob", "--due", "2026-01-06T00:00:00Z", "--at", "2026-01-05T14:06:00Z").status == 0)
        let soon = try #require(try e.json("tick", "--at", "2026-01-05T14:55:00Z") as? [[String: Any]])
        #expect(soon.contains { $0["event"] as? String == "sla-due-soon" && $0["name"] as? String == "acknowledge" })
        #expect(!soon.contains { $0["event"] as? String == "sla-breached" })
        #expect(try (e.json("tick", "--at", "2026-01-05T14:58:00Z") as? [Any])?.isEmpty == true)
        let later = try #require(try e.json("tick", "--at", "2026-01-06T01:00:00Z") as? [[String: Any]])
        #expect(later.contains { $0["event"] as? String == "action-overdue" && $0["name"] as? String == "A1" })
        #expect(later.contains { $0["event"] as? String == "sla-breached" && $0["name"] as? String == "acknowledge" })
        #expect(try e.run("tick", "--due-soon", "soon").status == 2)
    }

    @Test func slaFailOnExitsWithItsOwnStatusAndPrintsOnlyThose() throws {
        let e = E2E()
        _ = try e.declare(at: "2026-01-05T14:05:00Z")
        var r = try e.run("sla", "--fail-on", "breached", "--at", "2026-01-05T14:10:00Z")
        #expect(r.status == 0 && r.stdout.isEmpty)
        r = try e.run("sla", "--fail-on", "breached", "--at", "2026-01-05T15:10:00Z")
        #expect(r.status == 8)
        #expect(r.stdout.contains("Acknowledge") && !r.stdout.contains("Contain"))
        r = try e.run("sla", "--fail-on", "due-within", "2h", "--at", "2026-01-05T14:10:00Z")
        #expect(r.status == 8)
        #expect(r.stdout.contains("Acknowledge") && !r.stdout.contains("Contain"))
        r = try e.run("sla", "1", "--fail-on", "due-within", "5m", "--at", "2026-01-05T14:10:00Z")
        #expect(r.status == 0)
        r = try e.run("sla", "--fail-on", "breached", "--json", "--at", "2026-01-05T15:10:00Z")
        #expect(r.status == 8)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(!rows.isEmpty && rows.allSatisfy { $0["state"] as? String == "breached" })
        #expect(try e.run("sla", "--fail-on", "late").status == 2)
        #expect(try e.run("sla", "--fail-on", "due-within").status == 2)
        #expect(try e.run("sla", "--fail-on", "due-within", "soon").status == 2)
    }

    @Test func hooksListsInstalledAndMissingAndTestFeedsASample() throws {
        let e = E2E()
        #expect(try e.run("init").status == 0)
        let out = e.store + "-sample.json"
        try e.installHook("sla-breached", "#!/bin/sh\ncat > \(out)\necho \"paged for $INCIDENT_TIMER\"\n")
        let list = try e.run("hooks")
        #expect(list.stdout.contains("sla-breached") && list.stdout.contains("trusted"))
        #expect(list.stdout.contains("No hook for: declared, acknowledged"))
        let t = try e.run("hooks", "test", "sla-breached")
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stderr.contains("[hooks/sla-breached] paged for"))
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(e.read(out).utf8)) as? [String: Any])
        #expect(payload["test"] as? Bool == true)
        #expect(payload["timer"] != nil)
        #expect(try e.run("hooks", "test", "exploded").status == 2)
        #expect(try e.run("hooks", "test", "declared").status == 3)
        try e.installHook("declared", "#!/bin/sh\nexit 9\n")
        #expect(try e.run("hooks", "test", "declared").status == 1)
        let json = try #require(try e.json("hooks") as? [String: Any])
        #expect((json["missing"] as? [String])?.contains("acknowledged") == true)
    }

    @Test func aDamagedAnnouncementFileNeverReannouncesEverything() throws {
        let e = E2E()
        _ = try e.declare()
        let log = e.store + "-breaches"
        try e.installHook("sla-breached", "#!/bin/sh\necho \"$INCIDENT_TIMER\" >> \(log)\n")
        #expect(!(try e.run("tick").stdout.isEmpty))
        let fired = e.read(log)
        try "{ not json".write(toFile: e.store + "/.announced.json", atomically: true, encoding: .utf8)
        let r = try e.run("tick")
        #expect(r.status == 0 && r.stdout.isEmpty)
        #expect(r.stderr.contains(".announced.json was damaged"))
        #expect(e.read(log) == fired)
        #expect(try e.run("tick").stderr.isEmpty)  // rebuilt
        // No store: tick creates nothing.
        let none = E2E()
        #expect(try none.run("tick").status == 0)
        #expect(!FileManager.default.fileExists(atPath: none.store))
    }
}
