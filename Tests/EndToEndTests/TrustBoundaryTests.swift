import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The file-system and process trust boundaries (DESIGN.md §8, "Writes" and "Reads"), attacked
/// the way a teammate with commit access to a shared store, a cron job beside a human, or a
/// full disk would: every test here runs the real binary.
@Suite(.serialized) struct TrustBoundaryTests {
    static let guardSeconds = 20.0

    /// A store with INC-1 (resolved) and INC-2 (closed, so archive/2026 and its index exist).
    func populatedStore() throws -> E2E {
        let e = E2E()
        _ = try e.declare("First one")
        _ = try e.declare("Second one", severity: "low")
        #expect(try e.run("resolve", "1", "--at", "2026-01-05T15:00:00Z").status == 0)
        #expect(try e.run("resolve", "2", "--at", "2026-01-05T15:00:00Z").status == 0)
        #expect(try e.run("close", "2", "--force", "--reason", "test", "--at", "2026-01-05T15:01:00Z").status == 0)
        #expect(try e.run("list", "--all").status == 0)  // writes archive/.index
        return e
    }

    func sha256(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: out, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    // MARK: Blocking opens

    /// A FIFO planted at any file the store reads must not hang any command (several of them
    /// hold the lock while reading): each is an error or a reported problem, within seconds.
    @Test func aFIFOAnywhereInTheStoreNeverHangs() throws {
        let targets = ["active/INC-1.json", "archive/2026/INC-2.json", "runbook.json", ".last-id", "archive/.index",
                       "templates/postmortem.md", ".lock", "evidence/INC-1/E1-x"]
        let template = try populatedStore()
        for target in targets {
            let store = temporaryDirectory("fifo") + "/store"
            try FileManager.default.copyItem(atPath: template.store, toPath: store)
            let path = store + "/" + target
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: path)
            #expect(mkfifo(path, 0o600) == 0)
            // doctor first: declare replaces a FIFO at .last-id (a derived file) by design.
            let commands: [[String]] = [["doctor"], ["list", "--all"], ["verify"], ["show", "1"], ["postmortem", "1"],
                                        ["note", "1", "after the fifo"], ["declare", "Third", "--severity", "low"]]
            for args in commands {
                let r = try runBinary(args, store: store, timeout: Self.guardSeconds)
                #expect(!r.timedOut, "\(args) hung on a FIFO at \(target)")
                #expect(!r.signalled && r.status < 64, "\(args) crashed with a FIFO at \(target): \(r.status) \(r.stderr)")
                #expect(r.stderr.split(separator: "\n").allSatisfy { $0.count < 600 }, "\(args): \(r.stderr)")
                if args == ["doctor"] {
                    #expect(r.status == 6 && r.stdout.contains(String(target.split(separator: "/").last ?? "")),
                            "doctor does not report the FIFO at \(target): \(r.stdout)")
                }
            }
        }
    }

    /// A FIFO, directory or device given as a file on the command line is refused at once.
    @Test func aFIFOOnTheCommandLineIsRefusedNotWaitedOn() throws {
        let e = try populatedStore()
        let fifo = temporaryDirectory("fifo") + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        for args in [["evidence", "add", "1", fifo], ["evidence", "add", "1", fifo, "--copy"], ["runbook", "validate", fifo],
                     ["init", "--runbook", fifo], ["evidence", "add", "1", "/dev/null"], ["evidence", "add", "1", "/tmp"]] {
            let r = try runBinary(args, store: e.store, timeout: Self.guardSeconds)
            #expect(!r.timedOut, "\(args) hung")
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("not a regular file") && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        // An evidence item recorded on a file later replaced by a FIFO: verify reports, never hangs.
        let file = temporaryDirectory("ev") + "/log.txt"
        try "log".write(toFile: file, atomically: false, encoding: .utf8)
        #expect(try e.run("evidence", "add", "1", file).status == 0)
        try FileManager.default.removeItem(atPath: file)
        #expect(mkfifo(file, 0o600) == 0)
        let r = try runBinary(["evidence", "verify", "1"], store: e.store, timeout: Self.guardSeconds)
        #expect(!r.timedOut && r.status == 6)
    }

    // MARK: Symbolic links

    /// Every file the tool writes, and every directory on the way, refuses a planted link with
    /// one sentence, and the link's target is never touched.
    @Test func aPlantedLinkIsRefusedForEveryWriteTarget() throws {
        struct Case { var link: String; var args: [String]; var directory: Bool }
        let cases = [
            Case(link: "postmortems/20260105-inc-1-first-one.md", args: ["postmortem", "1", "--publish"], directory: false),
            Case(link: "postmortems", args: ["postmortem", "1", "--publish"], directory: true),
            Case(link: "evidence", args: ["evidence", "add", "1", "SOURCE", "--copy"], directory: true),
            Case(link: "evidence/INC-1", args: ["evidence", "add", "1", "SOURCE", "--copy"], directory: true),
            Case(link: "runbook.json", args: ["note", "1", "x"], directory: false),
            Case(link: ".last-id", args: ["declare", "Third", "--severity", "low"], directory: false),
            Case(link: ".lock", args: ["note", "1", "x"], directory: false),
            Case(link: "active/INC-1.json", args: ["note", "1", "x"], directory: false),
            Case(link: "active", args: ["note", "1", "x"], directory: true),
            Case(link: "archive", args: ["close", "1", "--force", "--reason", "r"], directory: true),
            Case(link: "archive/2026", args: ["reopen", "2"], directory: true),
            Case(link: "templates", args: ["postmortem", "1"], directory: true),
            Case(link: "templates/postmortem.md", args: ["postmortem", "1"], directory: false),
        ]
        let template = try populatedStore()
        for c in cases {
            let e = E2E()
            try FileManager.default.copyItem(atPath: template.store, toPath: e.store)
            let source = temporaryDirectory("src") + "/evidence.log"
            try "evidence bytes".write(toFile: source, atomically: false, encoding: .utf8)
            let victimDir = temporaryDirectory("victim")
            let victim = victimDir + "/precious"
            try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
            // Make the victim look like whatever the link replaces, so following it would "work".
            let path = e.store + "/" + c.link
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if c.directory, FileManager.default.fileExists(atPath: path) {
                for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                    try FileManager.default.copyItem(atPath: path + "/" + name, toPath: victimDir + "/" + name)
                }
            } else if FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: victim)
                try FileManager.default.copyItem(atPath: path, toPath: victim)
            }
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: c.directory ? victimDir : victim)
            let before = snapshot(victimDir)
            let args = c.args.map { $0 == "SOURCE" ? source : $0 }
            let r = try runBinary(args, store: e.store, timeout: Self.guardSeconds)
            #expect(r.status == 4, "\(c.link): \(args) exited \(r.status): \(r.stderr)")
            #expect(r.stderr.contains("symbolic link") && r.stderr.split(separator: "\n").count == 1, "\(c.link): \(r.stderr)")
            #expect(snapshot(victimDir) == before, "\(c.link): the link's target was changed")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == (c.directory ? victimDir : victim))
        }
    }

    /// `--output FILE` goes through the same path: a link at FILE is refused, the target kept.
    @Test func outputRefusesALinkAndNeverDumpsAnError() throws {
        let e = try populatedStore()
        let dir = temporaryDirectory("out")
        try "precious\n".write(toFile: dir + "/precious", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/pm.md", withDestinationPath: dir + "/precious")
        let r = try e.run("postmortem", "1", "--output", dir + "/pm.md")
        #expect(r.status == 4 && r.stderr.contains("symbolic link"))
        #expect(try String(contentsOfFile: dir + "/precious", encoding: .utf8) == "precious\n")
        // A path through a regular file: one sentence, no NSError dump.
        let bad = try e.run("postmortem", "1", "--output", dir + "/precious/pm.md")
        #expect(bad.status == 4 && !bad.stderr.contains("Error Domain") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
        // Not over the store's own files.
        let incident = try Data(contentsOf: URL(fileURLWithPath: e.store + "/active/INC-1.json"))
        let inside = try e.run("postmortem", "1", "--output", e.store + "/active/INC-1.json")
        #expect(inside.status == 2 && inside.stderr.contains("inside the store"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: e.store + "/active/INC-1.json")) == incident)
        // The ordinary case still works, creating the directory, and replaces an existing file.
        #expect(try e.run("postmortem", "1", "--output", dir + "/new/pm.md").status == 0)
        #expect(try e.run("postmortem", "1", "--output", dir + "/new/pm.md").status == 0)
        #expect(try String(contentsOfFile: dir + "/new/pm.md", encoding: .utf8).contains("INC-1"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/new") == ["pm.md"])
    }

    /// A store reached through a link is that directory: it reads and writes alike.
    @Test func aSymlinkedStoreRootReadsAndWrites() throws {
        let e = try populatedStore()
        let link = temporaryDirectory("root") + "/store-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: e.store)
        #expect(try runBinary(["note", "1", "through the root link"], store: link).status == 0)
        #expect(try runBinary(["declare", "Via link", "--severity", "low"], store: link).stdout == "INC-3\n")
        #expect(try runBinary(["postmortem", "1", "--publish"], store: link).status == 0)
        #expect(try runBinary(["verify"], store: link).status == 0)
        #expect(try runBinary(["doctor"], store: link).status == 0)
        #expect(try e.run("show", "1").stdout.contains("through the root link"))
    }

    // MARK: Set-up under the lock

    /// Parallel first commands on a store that does not exist yet: every declaration is kept,
    /// every ID is distinct.
    @Test func parallelFirstDeclaresOnAFreshStoreLoseNothing() throws {
        for round in 0..<3 {
            let store = temporaryDirectory("fresh") + "/new/store"
            let results = Results()
            DispatchQueue.concurrentPerform(iterations: 8) { i in
                let r = try? runBinary(["declare", "Parallel \(round)-\(i)", "--severity", "low"], store: store, timeout: 60)
                results.add(r)
            }
            let all = results.all
            #expect(all.count == 8 && all.allSatisfy { $0.status == 0 }, "round \(round): \(all.map { "\($0.status) \($0.stderr)" })")
            #expect(Set(all.map(\.stdout)).count == 8)
            let list = try runBinary(["list", "--json"], store: store)
            let items = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any]
            #expect(items?.count == 8)
        }
    }

    /// Two inits at once: exactly one reports creating the store.
    @Test func concurrentInitsExactlyOneCreates() throws {
        for _ in 0..<4 {
            let store = temporaryDirectory("init") + "/store"
            let results = Results()
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                results.add(try? runBinary(["init", "--runbook", "sev0-4"], store: store, timeout: 60))
            }
            let all = results.all
            #expect(all.allSatisfy { $0.status == 0 })
            #expect(all.filter { $0.stdout.hasPrefix("Created") }.count == 1, "\(all.map(\.stdout))")
            #expect(all.filter { $0.stdout.contains("exists") }.count == 2)
        }
    }

    /// `init --runbook X` racing the first `declare`: whichever wins, no incident is left under
    /// a runbook the store does not run.
    @Test func initRacingDeclareNeverLeavesAnIncidentUnderTheWrongRunbook() throws {
        for round in 0..<10 {
            let store = temporaryDirectory("race") + "/store"
            let results = Results()
            DispatchQueue.concurrentPerform(iterations: 4) { i in
                let args = i % 2 == 0 ? ["init", "--runbook", "sev0-4"] : ["declare", "Race \(round)-\(i)", "--severity", "high"]
                results.add(try? runBinary(args, store: store, timeout: 60))
            }
            #expect(results.all.count == 4)
            #expect(results.all.allSatisfy { $0.status == 0 || ($0.status == 2 && $0.stderr.contains("high")) }, "\(results.all.map(\.stderr))")
            let runbook = try String(contentsOfFile: store + "/runbook.json", encoding: .utf8)
            let storeRunbook = runbook.contains("\"name\" : \"sev0-4\"") ? "sev0-4" : "default"
            var declared = 0
            for name in (try? FileManager.default.contentsOfDirectory(atPath: store + "/active")) ?? [] where name.hasSuffix(".json") {
                let text = try String(contentsOfFile: store + "/active/" + name, encoding: .utf8)
                #expect(text.contains("\"runbook\" : \"\(storeRunbook)\""), "round \(round): \(name) is not under \(storeRunbook)")
                declared += 1
            }
            // 'high' is not a sev0-4 level: under sev0-4 every declare must have been refused.
            #expect(declared == (storeRunbook == "sev0-4" ? 0 : 2), "round \(round): \(declared) incidents under \(storeRunbook)")
            #expect(results.all.filter { $0.stdout.hasPrefix("Created") }.count == (storeRunbook == "sev0-4" ? 1 : 0))
        }
    }

    // MARK: False tamper alarms

    /// `verify` and `doctor` beside a writer that appends, closes and reopens (moving files
    /// between active/ and archive/): never a reported edit or a vanished file.
    @Test func verifyUnderAConcurrentWriterRaisesNoFalseAlarm() throws {
        let e = try populatedStore()
        let stop = Flag()
        let writer = Thread {
            var i = 0
            while !stop.isSet {
                _ = try? runBinary(["note", "1", "writer \(i)"], store: e.store, timeout: 60)
                _ = try? runBinary(["reopen", "2", "--reason", "again"], store: e.store, timeout: 60)
                _ = try? runBinary(["close", "2", "--force", "--reason", "again"], store: e.store, timeout: 60)
                i += 1
            }
        }
        writer.start()
        defer { stop.set() }
        var alarms: [String] = []
        let deadline = Date().addingTimeInterval(6)
        var checks = 0
        while Date() < deadline || checks < 10 {
            for args in [["verify"], ["doctor"], ["verify", "2"]] {
                let r = try runBinary(args, store: e.store, timeout: 60)
                if r.status != 0 { alarms.append("\(args): \(r.status) \(r.stdout) \(r.stderr)") }
                checks += 1
            }
        }
        stop.set()
        #expect(alarms.isEmpty, "\(alarms.count) false alarms in \(checks) checks; first: \(alarms.first ?? "")")
    }

    // MARK: Publishing and file-size limits

    /// A publish that cannot be written (here: `ulimit -f`) records nothing, leaves the
    /// previously published file as it was, and says so in one sentence instead of dying of
    /// SIGXFSZ.
    @Test func aFailedPublishRecordsNothingAndKeepsTheOldFile() throws {
        let e = try populatedStore()
        #expect(try e.run("postmortem", "1", "--publish").status == 0)
        let published = e.store + "/postmortems/20260105-inc-1-first-one.md"
        let before = try Data(contentsOf: URL(fileURLWithPath: published))
        #expect(try e.run("note", "1", String(repeating: "grow the postmortem ", count: 50)).status == 0)
        let events = (try e.object("show", "1")["timeline"] as? [Any])?.count
        let r = try runBinary(["postmortem", "1", "--publish"], store: e.store, timeout: Self.guardSeconds, shell: "ulimit -f 4; exec \"$0\" \"$@\"")
        #expect(!r.signalled, "killed by a signal instead of reporting the limit")
        #expect(r.status == 4 && r.stderr.contains("file size limit") && r.stderr.split(separator: "\n").count == 1, "\(r.status) \(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: published)) == before)
        #expect((try e.object("show", "1")["timeline"] as? [Any])?.count == events)
        #expect(try FileManager.default.contentsOfDirectory(atPath: e.store + "/postmortems") == ["20260105-inc-1-first-one.md"])
        // The same limit on an ordinary write: one sentence, the incident file whole.
        let incident = try Data(contentsOf: URL(fileURLWithPath: e.store + "/active/INC-1.json"))
        let note = try runBinary(["note", "1", "x"], store: e.store, timeout: Self.guardSeconds, shell: "ulimit -f 4; exec \"$0\" \"$@\"")
        #expect(!note.signalled && note.status == 4 && note.stderr.contains("file size limit"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: e.store + "/active/INC-1.json")) == incident)
        #expect(try e.run("verify").status == 0)
    }

    // MARK: Evidence

    /// The recorded hash is the hash of the bytes copied, even for a file whose content changes
    /// every time it is read (`/proc/self/io` counts the reader's own reads).
    @Test func evidenceHashIsTheHashOfTheCopy() throws {
        let e = try populatedStore()
        var sources: [String] = []
        if FileManager.default.isReadableFile(atPath: "/proc/self/io") { sources.append("/proc/self/io") }
        let big = temporaryDirectory("big") + "/image.bin"
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: big))
        sources.append(big)
        for source in sources {
            let r = try e.run("evidence", "add", "1", source, "--copy", "--json")
            #expect(r.status == 0, "\(r.stderr)")
            let list = try e.json("evidence", "list", "1") as? [[String: Any]] ?? []
            guard let item = list.last, let copy = item["copy"] as? String, let recorded = item["sha256"] as? String else {
                Issue.record("no copy recorded for \(source)"); continue
            }
            #expect(try sha256(copy) == recorded, "\(source): the copy differs from the recorded hash")
            #expect((try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int).map(Int64.init) == (item["size"] as? NSNumber)?.int64Value)
        }
        #expect(try sha256(big) == (try e.json("evidence", "list", "1") as? [[String: Any]])?.last?["sha256"] as? String)
        // No temp files are left in the evidence directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: e.store + "/evidence").allSatisfy { !$0.hasPrefix(".tmp-") })
        // A copy left by a killed command is swept by the next write once its process is gone;
        // one still being streamed (its process alive) is left alone.
        let dead = e.store + "/evidence/.tmp-copy.2147483646.dead"
        let alive = e.store + "/evidence/.tmp-copy.\(getpid()).alive"
        for path in [dead, alive] { try "partial".write(toFile: path, atomically: false, encoding: .utf8) }
        #expect(try e.run("note", "1", "sweep").status == 0)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: alive))
    }

    // MARK: The ID counter

    /// Garbage in `.last-id` never crashes `declare` or hands out an unreachable ID; doctor
    /// reports it and verify mentions it.
    @Test(arguments: ["-4", "abc", "99999999999999999999", "999999999", "1e9", "", "\u{0}\u{0}", "7 8", "FIFO", "DIR", "BIG"])
    func aDamagedCounterIsRebuiltFromTheFiles(value: String) throws {
        let e = try populatedStore()
        let path = e.store + "/.last-id"
        try FileManager.default.removeItem(atPath: path)
        switch value {
        case "FIFO": #expect(mkfifo(path, 0o600) == 0)
        case "DIR": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        case "BIG": try Data(repeating: 0x31, count: 100_000).write(to: URL(fileURLWithPath: path))
        default: try value.write(toFile: path, atomically: false, encoding: .utf8)
        }
        let doctor = try runBinary(["doctor"], store: e.store, timeout: Self.guardSeconds)
        #expect(doctor.status == 6 && doctor.stdout.contains(".last-id"), "doctor: \(doctor.stdout)")
        if value != "DIR" {
            let verify = try runBinary(["verify"], store: e.store, timeout: Self.guardSeconds)
            #expect(verify.stderr.contains(".last-id"), "verify: \(verify.stderr)")
        }
        let r = try runBinary(["declare", "After damage", "--severity", "low"], store: e.store, timeout: Self.guardSeconds)
        #expect(!r.timedOut && !r.signalled)
        if value == "DIR" {
            #expect(r.status == 4 && r.stderr.contains(".last-id"))
        } else {
            #expect(r.status == 0 && r.stdout == "INC-3\n", "\(value): \(r.stdout) \(r.stderr)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "3\n")
            #expect(try runBinary(["show", "3"], store: e.store).status == 0)
            #expect(try runBinary(["doctor"], store: e.store).status == 0)
        }
    }

    /// A counter behind the files is how every clone stands after a sync brings in higher
    /// numbers: not a problem for doctor or verify (a cron job would alert on it), and the
    /// next declare skips past the files.
    @Test func aCounterBehindTheFilesIsSkippedWithoutAnAlarm() throws {
        let e = try populatedStore()
        try "1\n".write(toFile: e.store + "/.last-id", atomically: false, encoding: .utf8)
        let doctor = try e.run("doctor")
        #expect(doctor.status == 0 && !doctor.stdout.contains(".last-id"), "\(doctor.stdout)")
        #expect(try e.run("verify").stderr.isEmpty)
        #expect(try e.run("declare", "Next", "--severity", "low").stdout == "INC-3\n")
    }

    // MARK: Environment

    @Test(arguments: ["abc", "-1", "nan", "1e999", "inf", "0x10", "3601", "1.2.3", " 5", "10s"])
    func lockTimeoutGarbageIsAUsageError(value: String) throws {
        let e = E2E()
        let r = try e.run("declare", "x", "--severity", "low", env: ["INCIDENT_LOCK_TIMEOUT": value])
        #expect(r.status == 2 && r.stderr.contains("INCIDENT_LOCK_TIMEOUT") && r.stderr.split(separator: "\n").count == 1, "\(value): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: e.store), "nothing may be written")
    }

    @Test func validLockTimeoutsAreAccepted() throws {
        let e = E2E()
        for value in ["0", "0.5", "10", "3600", ""] {
            #expect(try e.run("list", env: ["INCIDENT_LOCK_TIMEOUT": value]).status == 0, "\(value)")
        }
    }

    /// An environment value that is not UTF-8 is refused, not "repaired" into another path.
    @Test func nonUTF8StoreVariableIsRefused() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        let dir = temporaryDirectory("env")
        p.arguments = ["-c", "INCIDENT_STORE=\"$(printf '\(dir)/st\\377ore')\" exec \"$0\" declare x --severity low", incidentBinary()]
        p.environment = ["PATH": "/usr/bin:/bin", "INCIDENT_USER": "a"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 2 && text.contains("INCIDENT_STORE"), "\(text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// The executable is a few lines; the process boundary lives behind the platform imports.
    @Test func theExecutableIsThin() throws {
        let main = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/incident/main.swift")
        let text = try String(contentsOf: main, encoding: .utf8)
        let code = text.split(separator: "\n").filter { !$0.hasPrefix("//") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(code.count <= 3, "\(code)")
        #expect(!text.contains("Glibc"))
    }
}

private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [RunResult] = []
    func add(_ r: RunResult?) { lock.lock(); if let r { items.append(r) }; lock.unlock() }
    var all: [RunResult] { lock.lock(); defer { lock.unlock() }; return items }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
