import Foundation
import Testing
@testable import IncidentKit
import TestSupport

/// The derived summaries (`active/.index`, `archive/.index`) are hints: whatever happens to
/// them or to the incident files behind the tool's back, every read command must answer
/// exactly as it would from the incident files alone.
@Suite struct DerivedIndexTests {
    static let commands: [[String]] = [
        ["list", "--json"], ["list", "--all", "--json"], ["list", "--all"], ["list"], ["sla", "--json"], ["sla"],
        ["stats", "--json"], ["actions", "--json"], ["actions", "--overdue"],
    ]

    /// A store with active (one with an overdue timer, one with action items) and archived incidents.
    static func makeStore() -> InProcessCLI {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        for (n, severity) in ["critical", "high", "low", "medium", "high"].enumerated() {
            let r = cli.run(["declare", "Incident \(n) payments", "-s", severity, "--at", "2026-11-\(19 + n)T10:00:00Z"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        cli.run(["ack", "2", "--at", "2026-11-20T10:05:00Z"])
        cli.run(["assign", "2", "ic", "carol", "--at", "2026-11-20T10:06:00Z"])
        cli.run(["note", "2", "--kind", "comms", "Status page updated", "--at", "2026-11-20T10:10:00Z"])
        cli.run(["action", "add", "2", "Alert on pool exhaustion", "--owner", "bob", "--due", "2026-11-22T00:00:00Z"])
        cli.run(["action", "add", "3", "Write the runbook page", "--owner", "erin", "--due", "2026-12-30T00:00:00Z"])
        for id in ["1", "3"] {
            cli.run(["resolve", id, "--at", "2026-11-23T12:00:00Z"])
            #expect(cli.run(["close", id, "--force", "--reason", "test", "--at", "2026-11-23T12:30:00Z"]).status == 0)
        }
        return cli
    }

    /// What the commands print when computed from the incident files alone: a copy of the
    /// store without any derived file, read with the same clock.
    static func truth(_ cli: InProcessCLI, _ args: [String]) throws -> RunResult {
        let copy = temporaryDirectory("truth") + "/s"
        try FileManager.default.copyItem(atPath: cli.store, toPath: copy)
        for index in ["/active/.index", "/archive/.index"] { try? FileManager.default.removeItem(atPath: copy + index) }
        return InProcessCLI(store: copy, now: cli.now, user: cli.user).run(args)
    }

    /// Every read command answers as the files do (and again, once the index was rebuilt).
    static func expectTruth(_ cli: InProcessCLI, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for args in commands {
            let expected = try truth(cli, args)
            for pass in 1...2 {
                let got = cli.run(args)
                #expect(got.status == expected.status, "\(label): \(args) pass \(pass): \(got.stderr)", sourceLocation: sourceLocation)
                #expect(got.stdout == expected.stdout, "\(label): \(args) pass \(pass)", sourceLocation: sourceLocation)
            }
        }
    }

    static func indexes(_ cli: InProcessCLI) -> [String] { [cli.store + "/active/.index", cli.store + "/archive/.index"] }

    /// Rewrites a file keeping its size, modification time and access time (what `sed`
    /// followed by `touch -r` does): only the change time and maybe the inode move.
    static func editKeepingSizeAndTime(_ path: String, _ edit: (inout [UInt8]) -> Void) throws {
        var st = stat()
        #expect(lstat(path, &st) == 0)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let size = bytes.count
        edit(&bytes)
        #expect(bytes.count == size, "the edit must keep the size")
        let fd = open(path, O_WRONLY | O_TRUNC)
        #expect(fd >= 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var times = [st.st_atim, st.st_mtim]
        futimens(fd, &times)
        close(fd)
        var after = stat()
        lstat(path, &after)
        #expect(after.st_size == st.st_size && after.st_mtim.tv_sec == st.st_mtim.tv_sec && after.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
    }

    static func replace(_ bytes: inout [UInt8], _ from: String, _ to: String) {
        let a = Array(from.utf8), b = Array(to.utf8)
        precondition(a.count == b.count)
        guard let i = (0...(bytes.count - a.count)).first(where: { bytes[$0..<($0 + a.count)].elementsEqual(a) }) else {
            Issue.record("'\(from)' not found"); return
        }
        bytes.replaceSubrange(i..<(i + a.count), with: b)
    }

    @Test func summariesAreWrittenByWritesAndServeReads() throws {
        let cli = Self.makeStore()
        for index in Self.indexes(cli) {
            let text = try String(contentsOfFile: index, encoding: .utf8)
            #expect(text.hasPrefix("incident-index 4\t"))
        }
        let active = try String(contentsOfFile: cli.store + "/active/.index", encoding: .utf8)
        #expect(active.split(separator: "\n").count == 4)  // header + INC-2, INC-4, INC-5
        try Self.expectTruth(cli, "fresh")
    }

    @Test(arguments: ["delete", "truncate", "empty", "garbage", "flipped byte", "other version", "duplicate lines"])
    func damagedIndexesAreIgnoredAndRebuilt(_ damage: String) throws {
        let cli = Self.makeStore()
        _ = cli.run(["list", "--all"])
        for index in Self.indexes(cli) {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: index)))
            switch damage {
            case "delete": try FileManager.default.removeItem(atPath: index); continue
            case "truncate": bytes = Array(bytes.prefix(bytes.count * 2 / 3))
            case "empty": bytes = []
            case "garbage": bytes = Array("incident-index 4\tx\ty\n\u{1E}\t\t\\zz{\n".utf8) + (0..<500).map { _ in UInt8.random(in: 0...255) }
            case "flipped byte": bytes[bytes.count - 20] ^= 0x01
            case "other version": bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "incident-index 4", with: "incident-index 9").utf8)
            default: bytes += bytes.split(separator: 0x0A).dropFirst().flatMap { Array($0) + [0x0A] }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: index))
        }
        try Self.expectTruth(cli, damage)
        for index in Self.indexes(cli) { #expect(FileManager.default.fileExists(atPath: index), "rebuilt after \(damage)") }
    }

    @Test func anIndexEditedInPlaceKeepingSizeAndTimeIsNotBelieved() throws {
        let cli = Self.makeStore()
        _ = cli.run(["list", "--all"])
        // The attack from the review: sed the index, keep size and mtime.
        try Self.editKeepingSizeAndTime(cli.store + "/archive/.index") { Self.replace(&$0, "Incident 0 payments", "Incident 0 PAYMENTS") }
        try Self.editKeepingSizeAndTime(cli.store + "/active/.index") { Self.replace(&$0, "Incident 1 payments", "Incident 1 PAYMENTS") }
        #expect(!cli.run(["list", "--all"]).stdout.contains("PAYMENTS"))
        try Self.expectTruth(cli, "index sed")
    }

    @Test func aForgedIndexLineIsReportedByVerifyAndDoctorAndHealed() throws {
        let cli = Self.makeStore()
        _ = cli.run(["list", "--all"])
        // A forger who also recomputes the line's checksum: the hint is believed by list
        // (it is a hint), but verify and doctor compare it with the file, and verify heals it.
        let path = cli.store + "/archive/.index"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let i = try #require(lines.firstIndex { $0.contains("Incident 0 payments") })
        let body = String(lines[i].dropFirst(17)).replacingOccurrences(of: "Incident 0 payments", with: "Nothing happened")
        lines[i] = String(decoding: IndexLine.hex16(IndexLine.checksum(Array(body.utf8))), as: UTF8.self) + "\t" + body
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(cli.run(["list", "--all"]).stdout.contains("Nothing happened"))
        let doctor = cli.run(["doctor"])
        #expect(doctor.status == 6)
        #expect(doctor.stdout.contains("archive/.index") && doctor.stdout.contains("INC-1") && doctor.stdout.contains("title"))
        let verify = cli.run(["verify"])
        #expect(verify.status == 6)
        #expect(verify.stderr.contains("derived index disagrees"))
        #expect(!cli.run(["list", "--all"]).stdout.contains("Nothing happened"))
        #expect(cli.run(["verify"]).status == 0)
        #expect(cli.run(["doctor"]).status == 0)
        try Self.expectTruth(cli, "after heal")
    }

    @Test func incidentFilesChangedBehindTheToolsBack() throws {
        let cli = Self.makeStore()
        _ = cli.run(["list", "--all"])
        _ = cli.run(["sla"])
        // An edit keeping size and modification time, in an active and an archived file:
        // the change time gives it away; verify names the broken event.
        try Self.editKeepingSizeAndTime(cli.store + "/active/INC-2.json") { Self.replace(&$0, "Incident 1 payments", "Incident 1 paymentz") }
        try Self.editKeepingSizeAndTime(cli.store + "/archive/2026/INC-1.json") { Self.replace(&$0, "Incident 0 payments", "Incident 0 paymentz") }
        try Self.expectTruth(cli, "same-size edits")
        #expect(cli.run(["list", "--all"]).stdout.contains("Incident 0 paymentz"))
        let verify = cli.run(["verify"])
        #expect(verify.status == 6)
        #expect(verify.stdout.contains("INC-1: BROKEN") && verify.stdout.contains("INC-2: BROKEN"))
        #expect(cli.run(["doctor"]).status == 6)

        // A file removed, one added (written by another store), one moved to the archive by hand.
        try FileManager.default.removeItem(atPath: cli.store + "/active/INC-4.json")
        let other = InProcessCLI(now: cli.now)
        for n in 1...7 { other.run(["declare", "Other \(n)", "-s", "critical", "--at", "2026-11-23T13:00:00Z"]) }
        other.run(["action", "add", "7", "From elsewhere", "--owner", "dan", "--due", "2026-11-01T00:00:00Z"])
        try FileManager.default.copyItem(atPath: other.store + "/active/INC-7.json", toPath: cli.store + "/active/INC-7.json")
        try FileManager.default.createDirectory(atPath: cli.store + "/archive/2025", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: other.store + "/active/INC-6.json", toPath: cli.store + "/archive/2025/INC-6.json")
        try Self.expectTruth(cli, "added and removed")
        #expect(cli.run(["actions", "--json"]).stdout.contains("From elsewhere"))

        // A damaged incident file is reported, not served from the index.
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: cli.store + "/active/INC-5.json"))
        let list = cli.run(["list"])
        #expect(list.stderr.contains("INC-5.json"))
        try Self.expectTruth(cli, "damaged file")
    }

    @Test func timersAreReEvaluatedAgainstTheClock() throws {
        let cli = Self.makeStore()
        _ = cli.run(["sla"])
        // Hours later nothing was written, yet pending timers must now show as breached.
        for later in ["2026-11-23T16:00:00Z", "2026-11-25T00:00:00Z", "2027-01-10T00:00:00Z"] {
            let clock = InProcessCLI(store: cli.store, now: ts(later), user: cli.user)
            try Self.expectTruth(clock, "at \(later)")
        }
        // A clock behind the latest event (a teammate's entry dated ahead): still the truth.
        #expect(cli.run(["note", "4", "From the future", "--at", "2026-11-23T15:00:00Z", "--future"]).status == 0)
        let behind = InProcessCLI(store: cli.store, now: ts("2026-11-23T14:30:00Z"), user: cli.user)
        try Self.expectTruth(behind, "clock behind")
        // --at answers as things stood then.
        for args in [["sla", "--at", "2026-11-21T11:00:00Z", "--json"], ["list", "--at", "2026-11-21T11:00:00Z", "--json"]] {
            #expect(cli.run(args).stdout == (try Self.truth(cli, args)).stdout)
        }
    }

    @Test func aChangedRunbookInvalidatesTheTimers() throws {
        let cli = Self.makeStore()
        _ = cli.run(["sla"])
        _ = cli.run(["stats"])
        let path = cli.store + "/runbook.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"15m\""))
        try text.replacingOccurrences(of: "\"15m\"", with: "\"17m\"").write(toFile: path, atomically: true, encoding: .utf8)
        try Self.expectTruth(cli, "runbook edited")
    }

    @Test func writesKeepTheSummaryCurrentWithoutReadingTheArchive() throws {
        let cli = Self.makeStore()
        _ = cli.run(["list", "--all"])
        let archive = cli.store + "/archive/.index"
        let before = try Data(contentsOf: URL(fileURLWithPath: archive))
        cli.run(["note", "2", "An ordinary note"])
        cli.run(["severity", "4", "critical", "--reason", "worse"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive)) == before, "a write to an active incident left the archive index alone")
        let active = try String(contentsOfFile: cli.store + "/active/.index", encoding: .utf8)
        #expect(active.contains("\tcritical\t"))
        // Closing moves the line from one index to the other; reopening moves it back.
        cli.run(["resolve", "5"])
        cli.run(["close", "5", "--force", "--reason", "done"])
        #expect(try String(contentsOfFile: archive, encoding: .utf8).contains("2026/INC-5.json"))
        #expect(!(try String(contentsOfFile: cli.store + "/active/.index", encoding: .utf8)).contains("\tINC-5.json"))
        try Self.expectTruth(cli, "after close")
        cli.run(["reopen", "5", "--reason", "again"])
        #expect(!(try String(contentsOfFile: archive, encoding: .utf8)).contains("2026/INC-5.json"))
        try Self.expectTruth(cli, "after reopen")
    }

    @Test func everyLineRoundTrips() throws {
        let cli = Self.makeStore()
        let store = Store(root: cli.store)
        let snapshot = try store.loadRunbookSnapshot()
        for area in [SummaryArea.active, .archive] {
            let (files, _) = store.incidentFiles(area)
            for f in files {
                let record = try store.decodeRecord(at: f.path)
                var summary = IncidentSummary(record, runbook: snapshot.runbook, time: snapshot.time)
                summary.title += "\t\\ \n \u{1}\u{1E}\u{1F}\u{1D} é 日本"
                summary.roles["x\u{1F}y"] = "a\u{1E}b"
                let fp = FileFingerprint(size: 1, mtime: -2, ctime: 3, inode: UInt64.max)
                let line = IndexLine.encode(file: "2026/" + record.id.fileName, fingerprint: fp, summary: summary)
                #expect(line.last == 0x0A && line.dropLast().allSatisfy { $0 != 0x0A })
                let decoded = line.dropLast().withUnsafeBufferPointer { var decoder = IndexLine.Decoder(); return decoder.decode($0, detail: .all) }
                #expect(decoded?.summary == summary)
                #expect(decoded?.fingerprint == fp)
                #expect(decoded?.key == IndexLine.key(year: 2026, number: record.id.number))
            }
        }
    }

    /// The first active incident of a fresh test store, and its summary.
    static func firstActiveSummary() throws -> (IncidentRecord, IncidentSummary) {
        let cli = makeStore()
        let store = Store(root: cli.store)
        let snapshot = try store.loadRunbookSnapshot()
        let (files, _) = store.incidentFiles(.active)
        let record = try store.decodeRecord(at: try #require(files.first).path)
        return (record, IncidentSummary(record, runbook: snapshot.runbook, time: snapshot.time))
    }

    /// One decoder reads a whole index: thousands of distinct short texts (more than it
    /// remembers) come back exactly, and numbers at the edges of their range parse or fail.
    @Test func oneDecoderKeepsThousandsOfNamesApart() throws {
        let (record, base) = try Self.firstActiveSummary()
        var decoder = IndexLine.Decoder()
        let inodes: [UInt64] = [0, 9_999_999_999_999_999_999, 10_000_000_000_000_000_000, UInt64.max]
        for n in 0..<6000 {
            var s = base
            s.severity = "sev-\(n)"
            s.phase = n % 2 == 0 ? "p\(n % 7)" : "p\(n)"
            s.roles = ["r\(n)": "n\(n)", "commander": "alice"]
            let fp = FileFingerprint(size: Int64(n), mtime: Int64.max, ctime: Int64.min + 1, inode: inodes[n % inodes.count])
            let line = IndexLine.encode(file: record.id.fileName, fingerprint: fp, summary: s)
            let decoded = line.dropLast().withUnsafeBufferPointer { decoder.decode($0, detail: .all) }
            #expect(decoded?.summary == s, "line \(n)")
            #expect(decoded?.fingerprint == fp, "line \(n)")
        }
        for (digits, value) in [("18446744073709551615", UInt64.max), ("9999999999999999999", 9_999_999_999_999_999_999)] {
            #expect(Array(digits.utf8).withUnsafeBufferPointer { IndexLine.uint($0) } == value)
        }
        for bad in ["18446744073709551616", "99999999999999999999", "123456789012345678901", "", "12a", "-1", "1 "] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer { IndexLine.uint($0) } == nil, "\(bad)")
        }
    }

    /// A decoder reuses a timer's first four fields (id, title, duration, repeats) from an
    /// earlier line only when all four bytes agree; every state reads back; a damaged state
    /// fails the line.
    @Test func timerFieldsRepeatedAcrossLinesReadBackExactly() throws {
        let (record, base) = try Self.firstActiveSummary()
        try #require(!base.timers.isEmpty)
        var decoder = IndexLine.Decoder()
        let fp = FileFingerprint(size: 1, mtime: 2, ctime: 3, inode: 4)
        let durations = [SLADuration(15, .minutes), SLADuration(1, .hours), SLADuration(1, .hours), SLADuration(5, .businessDays)]
        let states: [SLAState] = [.pending, .met, .breached]
        for n in 0..<400 {
            var s = base
            for k in s.timers.indices {
                s.timers[k].id = n % 3 == 0 ? "t\(k)" : "t\(k)-\(n % 5)"
                s.timers[k].title = n % 4 == 0 ? "Title \(k)" : "Title \(k) é"
                s.timers[k].duration = durations[(n + k) % durations.count]
                s.timers[k].repeats = (n + k) % 2 == 0
                s.timers[k].state = states[(n + k) % states.count]
            }
            let line = IndexLine.encode(file: record.id.fileName, fingerprint: fp, summary: s)
            let decoded = line.dropLast().withUnsafeBufferPointer { decoder.decode($0, detail: .all) }
            #expect(decoded?.summary == s, "line \(n)")
        }
        for bad in ["Met", "pendingx", "", "breache", "met "] {
            var s = base
            s.timers[0].state = .met
            var line = IndexLine.encode(file: record.id.fileName, fingerprint: fp, summary: s)
            line.removeLast()
            // Swap the first timer's state field for `bad` and re-seal the line's checksum.
            var body = Array(line[17...])
            let tabs = body.indices.filter { body[$0] == 0x09 }
            let timers = Array(body[(tabs[19] + 1)..<tabs[20]])
            var parts = timers.split(separator: 0x1E, omittingEmptySubsequences: false)[0].split(separator: 0x1F, omittingEmptySubsequences: false).map(Array.init)
            #expect(parts[7] == Array("met".utf8))
            parts[7] = Array(bad.utf8)
            let first = Array(parts.joined(separator: [0x1F]))
            let rest = timers.split(separator: 0x1E, omittingEmptySubsequences: false).dropFirst().map(Array.init)
            let newTimers = Array(([first] + rest).joined(separator: [0x1E]))
            body.replaceSubrange((tabs[19] + 1)..<tabs[20], with: newTimers)
            let sum = String(IndexLine.checksum(body), radix: 16)
            let sealed = Array((String(repeating: "0", count: 16 - sum.count) + sum).utf8) + [0x09] + body
            let decoded = sealed.withUnsafeBufferPointer { decoder.decode($0, detail: .all) }
            #expect(decoded == nil, "state '\(bad)'")
        }
        // The shown timer's position (the field after the timers) must agree with the timers:
        // a sealed line naming another one is damaged to every reader that decodes timers.
        var line = IndexLine.encode(file: record.id.fileName, fingerprint: fp, summary: base)
        line.removeLast()
        var body = Array(line[17...])
        let tabs = body.indices.filter { body[$0] == 0x09 }
        let shown = String(decoding: body[(tabs[20] + 1)..<tabs[21]], as: UTF8.self)
        for other in ["0", "1", "5", "-", "?", "x", ""] where other != shown {
            var forged = body
            forged.replaceSubrange((tabs[20] + 1)..<tabs[21], with: Array(other.utf8))
            let sum = String(IndexLine.checksum(forged), radix: 16)
            let sealed = Array((String(repeating: "0", count: 16 - sum.count) + sum).utf8) + [0x09] + forged
            #expect(sealed.withUnsafeBufferPointer { decoder.decode($0, detail: .all) } == nil, "shown '\(other)' for '\(shown)'")
        }
    }

    /// `list` decodes one timer per line: it must be the running timer the table would pick
    /// from all of them (overdue first, the earliest due first; then the next due), at any moment.
    @Test func theUrgentTimerOfALineIsTheOneListWouldPick() throws {
        let cli = Self.makeStore()
        let store = Store(root: cli.store)
        let runbook = try store.loadRunbook()
        let (records, _) = store.loadActive()
        #expect(!records.isEmpty)
        var checked = 0
        var variants: [IncidentSummary] = []
        for record in records {
            let summary = IncidentSummary(record, runbook: runbook, time: .standard)
            variants.append(summary)
            // A running timer without a due time (a hand-made file) ranks by the moment: the
            // line then says so, and the reader ranks the timers itself.
            if let k = summary.timers.firstIndex(where: { $0.isStarted && !$0.finished }) {
                var odd = summary
                odd.timers[k].dueAt = nil
                variants.append(odd)
            }
        }
        for summary in variants {
            let fp = FileFingerprint(size: 1, mtime: 2, ctime: 3, inode: 4)
            let line = IndexLine.encode(file: summary.id.fileName, fingerprint: fp, summary: summary)
            for minutes in [-60, 0, 1, 14, 15, 16, 59, 60, 61, 240, 1440, 10_000] {
                let t = summary.evaluatedAt.adding(minutes: Int64(minutes))
                let running = summary.runningTimers(at: t)
                let expected = running.indices.min { a, b in
                    func rank(_ x: TimerStatus) -> (Int, Int64) { ((x.remaining(at: t) ?? 0) < 0 ? 0 : 1, x.dueAt?.milliseconds ?? 0) }
                    return rank(running[a]) != rank(running[b]) ? rank(running[a]) < rank(running[b]) : a < b
                }.map { running[$0] }
                let decoded = line.dropLast().withUnsafeBufferPointer {
                    var decoder = IndexLine.Decoder()
                    return decoder.decode($0, detail: .urgentTimer, urgentAt: t.milliseconds)
                }
                #expect(decoded != nil)
                #expect(decoded?.summary.timers.map(\.id) == expected.map { [$0.id] } ?? [], "\(summary.id) +\(minutes)m")
                if expected != nil { checked += 1 }
            }
        }
        #expect(checked > 10)
    }

    @Test func summaryTimersMatchTheEngineAtAnyLaterMoment() throws {
        let cli = Self.makeStore()
        let store = Store(root: cli.store)
        let runbook = try store.loadRunbook()
        let (records, _) = store.loadActive()
        let (archived, _) = store.loadArchived()
        #expect(records.count == 3 && archived.count == 2)
        for record in records + archived {
            let summary = IncidentSummary(record, runbook: runbook, time: .standard)
            for minutes in [0, 1, 14, 15, 16, 59, 60, 61, 240, 1440, 10_000, 100_000] {
                let t = summary.evaluatedAt.adding(minutes: Int64(minutes))
                #expect(summary.timers(at: t) == SLAEngine.evaluate(record, runbook: runbook, time: .standard, at: t), "\(record.id) +\(minutes)m")
                #expect(summary.runningTimers(at: t) == summary.timers(at: t).filter { $0.isStarted && !$0.finished })
            }
        }
    }
}

/// `list --all`, `stats` and `actions` read both areas at one moment: they compare the stat of
/// the incident directories before and after (or, for a directory changed in the last two
/// seconds, the names it holds). A rename into or out of any of them must show.
@Suite(.serialized) struct DirectoryStampTests {
    @Test func aMoveBetweenAreasChangesTheStampAndAnEditDoesNot() throws {
        let cli = DerivedIndexTests.makeStore()
        let store = Store(root: cli.store)
        #expect(store.incidentDirectoryStamp() == nil, "just written: compared by names")
        Thread.sleep(forTimeInterval: 2.2)
        let before = try #require(store.incidentDirectoryStamp(), "nothing changed for two seconds")
        // An edit in place (the file's own times move, not the directory's).
        let file = cli.store + "/active/INC-2.json"
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        try handle.seekToEnd(); try handle.write(contentsOf: Data(" ".utf8)); try handle.close()
        #expect(store.incidentDirectoryStamp() == before)
        // A close made by hand, behind the tool's back: the file moves to the archive.
        let year = cli.store + "/archive/2026"
        #expect(rename(file, year + "/INC-2.json") == 0)
        #expect(store.incidentDirectoryStamp() == nil || store.incidentDirectoryStamp() != before)
        Thread.sleep(forTimeInterval: 2.2)
        let after = try #require(store.incidentDirectoryStamp())
        #expect(after != before)
        // And the listing, read through the stamp, holds the moved incident once.
        let listed = cli.run(["list", "--all", "--json"])
        #expect(listed.status == 0)
        #expect(listed.stdout.components(separatedBy: "\"INC-2\"").count == 2, "\(listed.stdout)")
    }
}

/// A close or reopen writes the new copy and then removes the old one: a reader between the
/// two (or a crash there) finds the incident in both areas. Readers merge the copies, as
/// `show` does, and list it once, where its merged status puts it.
@Suite struct CopiesInBothAreasTests {
    /// INC-1 (high) and INC-2 (`second` severity) declared; INC-1 closed, then its active file
    /// put back as it was: the state a crash between writing the archive copy and removing the
    /// active one leaves. `move` runs between the close and the putting back.
    func closedWithItsActiveFileLeftBehind(second: String = "low", move: (InProcessCLI) throws -> Void = { _ in }) throws -> InProcessCLI {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        #expect(cli.run(["declare", "Payments down", "-s", "high", "--at", "2026-11-23T10:00:00Z"]).status == 0)
        #expect(cli.run(["declare", "Search slow", "-s", second, "--at", "2026-11-23T10:01:00Z"]).status == 0)
        let active = cli.store + "/active/INC-1.json"
        let stale = try Data(contentsOf: URL(fileURLWithPath: active))
        #expect(cli.run(["close", "1", "--force", "--reason", "test", "--at", "2026-11-23T12:00:00Z"]).status == 0)
        try move(cli)
        try stale.write(to: URL(fileURLWithPath: active))
        return cli
    }

    @Test func anIncidentWithAFileInBothAreasIsListedOnceAsItsMergedStatusSays() throws {
        let cli = try closedWithItsActiveFileLeftBehind()
        let all = cli.run(["list", "--all", "--json"])
        #expect(all.stdout.components(separatedBy: "\"INC-1\"").count == 2, "\(all.stdout)")
        #expect(all.stdout.contains("\"closed\""))
        let open = cli.run(["list", "--json"])
        #expect(!open.stdout.contains("\"INC-1\""), "\(open.stdout)")
        #expect(open.stdout.contains("\"INC-2\""))
        let sla = cli.run(["sla", "--json"])
        #expect(!sla.stdout.contains("\"INC-1\""), "\(sla.stdout)")
        // The commands that read the files themselves (--at, reports) merge the copies too.
        let then = cli.run(["sla", "--json", "--at", "2026-11-23T13:00:00Z"])
        #expect(then.status == 0 && !then.stdout.contains("\"INC-1\""), "\(then.stdout)")
        let listThen = cli.run(["list", "--all", "--json", "--at", "2026-11-23T13:00:00Z"])
        #expect(listThen.stdout.components(separatedBy: "\"INC-1\"").count == 2, "\(listThen.stdout)")
        #expect(cli.run(["sla", "--fail-on", "due-within", "1000h"]).stdout.contains("INC-1") == false)
        let stats = cli.run(["stats", "--json"])
        let whole = InProcessCLI(store: cli.store, now: cli.now, user: cli.user)
        #expect(stats.status == 0)
        #expect(cli.run(["list", "--archived", "--json"]).stdout.components(separatedBy: "\"INC-1\"").count == 2)
        // Reopened, with the closed archive copy left behind: active, once.
        let archived = cli.store + "/archive/2026/INC-1.json"
        let closedCopy = try Data(contentsOf: URL(fileURLWithPath: archived))
        #expect(whole.run(["reopen", "1", "--reason", "again", "--at", "2026-11-23T13:00:00Z"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: archived))
        try closedCopy.write(to: URL(fileURLWithPath: archived))
        #expect(cli.run(["list", "--json"]).stdout.components(separatedBy: "\"INC-1\"").count == 2)
        #expect(!cli.run(["list", "--archived", "--json"]).stdout.contains("\"INC-1\""))
        let both = cli.run(["list", "--all", "--json"]).stdout
        #expect(both.components(separatedBy: "\"INC-1\"").count == 2, "\(both)")
        #expect(cli.run(["sla", "--json"]).stdout.contains("\"INC-1\""))
    }

    /// `list` and `sla` remember which active incidents had no archive copy while the year's
    /// directory stood unchanged (`active/.copies`). A copy made behind the tool's back once
    /// that is recorded changes the directory, so it is still found; a damaged or foreign
    /// `.copies` is ignored and replaced, a link there ignored and left alone.
    @Test func aCopyMadeAfterTheLookIsStillFound() throws {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        for n in 1...4 {
            #expect(cli.run(["declare", "Incident \(n)", "-s", "high", "--at", "2026-11-23T10:0\(n):00Z"]).status == 0)
        }
        #expect(cli.run(["close", "4", "--force", "--reason", "test", "--at", "2026-11-23T12:00:00Z"]).status == 0)
        let copies = cli.store + "/active/.copies"
        // Recorded only once the year directory's times are two seconds old.
        #expect(cli.run(["list"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: copies))
        Thread.sleep(forTimeInterval: 2.2)
        #expect(cli.run(["list"]).status == 0)
        let recorded = try #require(FileManager.default.contents(atPath: copies))
        #expect(String(decoding: recorded, as: UTF8.self).contains("\t1,2,3\n"), "\(String(decoding: recorded, as: UTF8.self))")
        // The tool's own hint, not a stray file (found by review: doctor failed every store that had one).
        let doctor = cli.run(["doctor"])
        #expect(doctor.status == 0 && !doctor.stdout.contains(".copies"), "\(doctor.stdout)")
        // A copy of an active incident put into the archive by hand: still listed once, active.
        try FileManager.default.copyItem(atPath: cli.store + "/active/INC-3.json", toPath: cli.store + "/archive/2026/INC-3.json")
        #expect(cli.run(["list", "--json"]).stdout.components(separatedBy: "\"INC-3\"").count == 2)
        #expect(cli.run(["list", "--all", "--json"]).stdout.components(separatedBy: "\"INC-3\"").count == 2)
        #expect(!cli.run(["list", "--archived", "--json"]).stdout.contains("\"INC-3\""))
        try FileManager.default.removeItem(atPath: cli.store + "/archive/2026/INC-3.json")
        Thread.sleep(forTimeInterval: 2.2)
        #expect(cli.run(["list"]).status == 0)
        // Closed with its active file left behind (a crash mid-close): no longer active.
        let active = cli.store + "/active/INC-2.json"
        let stale = try Data(contentsOf: URL(fileURLWithPath: active))
        #expect(cli.run(["close", "2", "--force", "--reason", "test", "--at", "2026-11-23T12:40:00Z"]).status == 0)
        try stale.write(to: URL(fileURLWithPath: active))
        for args in [["list", "--json"], ["sla", "--json"]] {
            let out = cli.run(args).stdout
            #expect(!out.contains("\"INC-2\"") && out.contains("\"INC-1\"") && out.contains("\"INC-3\""), "\(args): \(out)")
        }
        #expect(cli.run(["list", "--all", "--json"]).stdout.components(separatedBy: "\"INC-2\"").count == 2)
        // Whatever is at .copies that is not a check is looked past, and replaced once settled.
        for junk in ["", "incident-copies 1\t0\n2026\t1.2.3.4\t1,2,3\n", "garbage\n", String(repeating: "x", count: 5000)] {
            try Data(junk.utf8).write(to: URL(fileURLWithPath: copies))
            let out = cli.run(["list", "--json"]).stdout
            #expect(!out.contains("\"INC-2\"") && out.contains("\"INC-1\""), "\(junk.prefix(40)): \(out)")
        }
        try FileManager.default.removeItem(atPath: copies)
        try FileManager.default.createSymbolicLink(atPath: copies, withDestinationPath: cli.store + "/runbook.json")
        let runbookBefore = try Data(contentsOf: URL(fileURLWithPath: cli.store + "/runbook.json"))
        Thread.sleep(forTimeInterval: 2.2)
        let out = cli.run(["list", "--json"]).stdout
        #expect(!out.contains("\"INC-2\"") && out.contains("\"INC-1\""), "\(out)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.store + "/runbook.json")) == runbookBefore)
        // A link there is never written through, nor replaced (as with the indexes).
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: copies)) == cli.store + "/runbook.json")
    }

    /// An incident declared offline in a git store (a provisional ID), closed with its active
    /// file left behind, is not shown as open either (found by review: provisional IDs were
    /// never looked for in the archive).
    @Test func aProvisionalIncidentClosedMidwayIsNotShownAsOpen() throws {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        #expect(cli.run(["init", "--git", "--remote", temporaryDirectory("no-remote") + "/none.git"]).status == 0)
        let declared = cli.run(["declare", "offline", "-s", "high", "--at", "2026-11-23T10:00:00Z"])
        let id = declared.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(declared.status == 0 && id.count > "INC-99".count, "\(declared.stdout) \(declared.stderr)")
        let active = cli.store + "/active/" + id + ".json"
        let stale = try Data(contentsOf: URL(fileURLWithPath: active))
        #expect(cli.run(["close", id, "--force", "--reason", "test", "--at", "2026-11-23T12:00:00Z"]).status == 0)
        try stale.write(to: URL(fileURLWithPath: active))
        #expect(!cli.run(["list", "--json"]).stdout.contains(id))
        #expect(!cli.run(["sla", "--json"]).stdout.contains(id))
        #expect(cli.run(["sla", "--fail-on", "breached"]).status == 0)
        #expect(cli.run(["list", "--all", "--json"]).stdout.components(separatedBy: id).count == 2)
    }

    /// A closed copy in another archive year than the one it was declared in (moved by hand)
    /// is still the incident's: `list`, `sla`, `list --all` and `show` agree it is closed,
    /// before and after the look is remembered in `.copies` (found by review: only the
    /// declared year was looked in, so `list` showed it open and `list --all` closed).
    @Test func aClosedCopyInAnotherYearIsFoundByEveryView() throws {
        let cli = try closedWithItsActiveFileLeftBehind(second: "high") { cli in
            try FileManager.default.createDirectory(atPath: cli.store + "/archive/2024", withIntermediateDirectories: true)
            #expect(rename(cli.store + "/archive/2026/INC-1.json", cli.store + "/archive/2024/INC-1.json") == 0)
        }
        for round in 0..<2 {
            for args in [["list", "--json"], ["sla", "--json"]] {
                let out = cli.run(args).stdout
                #expect(!out.contains("\"INC-1\"") && out.contains("\"INC-2\""), "round \(round) \(args): \(out)")
            }
            let all = cli.run(["list", "--all", "--json"]).stdout
            #expect(all.components(separatedBy: "\"INC-1\"").count == 2 && all.contains("\"closed\""), "\(all)")
            #expect(cli.run(["show", "1", "--json"]).stdout.contains("\"status\" : \"closed\""))
            // Every other view that reads active incidents in full agrees (found by review:
            // they still looked in the declared year only).
            for args in [["list", "--at", "2026-11-23T14:00:00Z", "--json"], ["sla", "--at", "2026-11-23T14:00:00Z", "--json"], ["watch"], ["tick"]] {
                let out = cli.run(args)
                #expect(!out.stdout.contains("INC-1") && !out.stderr.contains("INC-1"), "round \(round) \(args): \(out.stdout) \(out.stderr)")
            }
            Thread.sleep(forTimeInterval: 2.2)  // the second round reads the remembered look
        }
    }

    /// The check's file round-trips, and any change to it (a flipped byte, a cut) makes it
    /// no check at all rather than a different one.
    @Test func aCopiesCheckReadsBackOrNotAtAll() {
        var check = CopiesCheck()
        let stamp = CopiesCheck.Stamp(device: 2049, inode: 77, mtime: 1_795_000_000_123_456_789, ctime: 1_795_000_001_000_000_000)
        for n in [1, 2, 17, 999_999] { check.add(n, year: 2026, stamp: stamp) }
        check.add(5, year: 2025, stamp: CopiesCheck.Stamp(device: 1, inode: 2, mtime: -3, ctime: 4))
        let bytes = check.encoded()
        #expect(CopiesCheck(bytes: bytes) == check)
        #expect(check.covers(17, year: 2026, stamp: stamp))
        #expect(!check.covers(18, year: 2026, stamp: stamp))
        #expect(!check.covers(17, year: 2026, stamp: CopiesCheck.Stamp(device: 2049, inode: 77, mtime: stamp.mtime, ctime: stamp.ctime + 1)))
        #expect(!check.covers(17, year: 2025, stamp: stamp))
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= 0x01
            #expect(CopiesCheck(bytes: damaged) != check, "byte \(i)")
            #expect(CopiesCheck(bytes: Array(bytes[..<i])) == nil || i == 0 && bytes.isEmpty, "cut at \(i)")
        }
        // Every check reads back, whatever its checksum (one in sixteen starts with a zero).
        for n in 1...300 {
            var other = CopiesCheck()
            let s = CopiesCheck.Stamp(device: UInt64(n), inode: UInt64(n * 7), mtime: Int64(n) * 1_000_003, ctime: Int64(n) * 999_983)
            for k in 1...(n % 9 + 1) { other.add(k * n, year: 2000 + n % 30, stamp: s) }
            #expect(CopiesCheck(bytes: other.encoded()) == other, "check \(n)")
        }
        // Recorded only when settled: two seconds after both of the directory's times.
        #expect(stamp.isSettled(wallClock: stamp.ctime + 2_000_000_000))
        #expect(!stamp.isSettled(wallClock: stamp.ctime + 1_999_999_999))
        #expect(check.settled(wallClock: stamp.ctime + 1_000_000_000).years.keys.sorted() == [2025])
    }

    @Test func doctorNamesAFileMovedByHandIntoTheWrongArea() throws {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        #expect(cli.run(["declare", "Payments down", "-s", "high", "--at", "2026-11-23T10:00:00Z"]).status == 0)
        #expect(cli.run(["declare", "Search slow", "-s", "low", "--at", "2026-11-23T10:01:00Z"]).status == 0)
        #expect(cli.run(["close", "2", "--force", "--reason", "test", "--at", "2026-11-23T12:00:00Z"]).status == 0)
        #expect(cli.run(["doctor"]).status == 0)
        #expect(rename(cli.store + "/archive/2026/INC-2.json", cli.store + "/active/INC-2.json") == 0)
        #expect(rename(cli.store + "/active/INC-1.json", cli.store + "/archive/2026/INC-1.json") == 0)
        let doctor = cli.run(["doctor"])
        #expect(doctor.status != 0)
        #expect(doctor.stdout.contains("INC-2 is closed but its file is not in the archive"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("INC-1 is active but its file is in the archive"), "\(doctor.stdout)")
    }
}
