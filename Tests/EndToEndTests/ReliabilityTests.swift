import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct ReliabilityTests {
    /// Writers are SIGKILLed at random moments. Every file must stay valid (as it was or as
    /// it should become), every write that reported success must be there, temp files are
    /// swept by the next command, and the chain verifies.
    @Test func killLoopLeavesEveryFileWhole() throws {
        let e = E2E()
        _ = try e.declare()
        var confirmed: [String] = []
        var rng = SystemRandomNumberGenerator()
        let kills = 40
        for i in 0..<kills {
            let text = "kill-loop entry \(i)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: incidentBinary())
            process.arguments = ["note", "1", text]
            process.environment = ["INCIDENT_STORE": e.store, "INCIDENT_USER": "k"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...40_000, using: &rng))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .exit && process.terminationStatus == 0 { confirmed.append(text) }
        }
        // The next command sweeps leftovers and works.
        #expect(try e.run("note", "1", "after the storm").status == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: e.store + "/active").filter { $0.hasPrefix(".tmp-") }
        #expect(leftovers.isEmpty)
        let show = try e.object("show", "1")
        let texts = Set((show["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String })
        for text in confirmed { #expect(texts.contains(text), "lost a confirmed write: \(text)") }
        #expect(texts.contains("after the storm"))
        #expect(try e.run("verify").status == 0)
        print("kill loop: \(kills) kills, \(confirmed.count) writes completed before the kill, \(texts.count) entries kept")
    }

    /// Random bytes as store files: never a crash, never an overwrite, the rest keeps working.
    @Test func randomBytesAsStoreFiles() throws {
        let e = E2E()
        _ = try e.declare("healthy")
        var rng = SystemRandomNumberGenerator()
        var planted: [String: Data] = [:]
        for n in 2...9 {
            let length = Int.random(in: 0...4096, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if n % 3 == 0 { bytes = Array("{\"schemaVersion\": 1, \"id\": \"INC-\(n)\", \"events\": [".utf8) + bytes }
            let path = e.store + "/active/INC-\(n).json"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            planted[path] = Data(bytes)
        }
        for args in [["list"], ["sla"], ["verify"], ["doctor"], ["show", "5"], ["note", "5", "x"], ["close", "6", "--force", "--reason", "r"], ["actions"], ["drills"]] {
            let r = try runBinary(args, store: e.store)
            #expect(r.status < 64, "\(args) crashed: \(r.status) \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"))
        }
        for (path, bytes) in planted { #expect(FileManager.default.contents(atPath: path) == bytes) }
        #expect(try e.run("note", "1", "still fine").status == 0)
        #expect((try e.json("list") as? [Any])?.count == 1)
    }

    @Test func newerSchemaIsRefusedNotDowngraded() throws {
        let e = E2E()
        _ = try e.declare()
        let path = e.store + "/active/INC-1.json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 3")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let r = try e.run("note", "1", "x")
        #expect(r.status == 4 && r.stderr.contains("newer"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func lockTimeoutIsBoundedAndClear() throws {
        let e = E2E()
        _ = try e.declare()
        // Hold the lock from this process.
        let fd = open(e.store + "/.lock", O_RDWR)
        #expect(flock(fd, LOCK_EX) == 0)
        defer { close(fd) }
        let start = Date()
        let r = try e.run("note", "1", "blocked", env: ["INCIDENT_LOCK_TIMEOUT": "0.5"])
        #expect(r.status == 5 && r.stderr.contains("INCIDENT_LOCK_TIMEOUT"))
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func filesArePrivate() throws {
        let e = E2E()
        _ = try e.declare()
        let mode = try FileManager.default.attributesOfItem(atPath: e.store + "/active/INC-1.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let dirMode = try FileManager.default.attributesOfItem(atPath: e.store + "/active")[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
    }
}
