import Foundation
import Testing
import IncidentKit
import TestSupport

@Suite struct StoreTests {
    func makeStore() throws -> Store {
        let store = Store(root: temporaryDirectory("store") + "/s")
        try store.initialize()
        return store
    }

    @Test func writesArePrettySortedVersionedAndPrivate() throws {
        let store = try makeStore()
        let s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try store.withLock { try store.save(s.record) }
        let path = store.activeDirectory + "/INC-1.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"schemaVersion\" : 2"))
        #expect(text.hasPrefix("{\n  \"events\""))  // sorted keys, pretty-printed
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: store.activeDirectory)
        #expect((dirAttributes[.posixPermissions] as? Int) == 0o700)
        #expect(try store.load(IncidentID(number: 1)).0 == s.record)
    }

    /// A write appends to the file it read; the file is the same as one written whole, and a
    /// file changed after it was read (or not laid out as written) is written whole instead.
    @Test func aWriteAppendsOnlyToTheFileItReadUnchanged() throws {
        let store = try makeStore()
        let s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try store.withLock { try store.save(s.record) }
        let path = store.activeDirectory + "/INC-1.json"
        let id = IncidentID(number: 1)
        for n in 0..<3 {
            var (record, _) = try store.load(id)
            try Actions.note(&record, runbook: s.runbook, text: "entry \(n)", kind: nil, fields: [:],
                             actor: Scenario.actor("2026-11-23T14:1\(n):00Z"))
            if n == 1 {
                // Changed behind the tool's back after it was read: compact JSON, same content.
                let compact = try JSONEncoder().encode(try store.load(id).0)
                try compact.write(to: URL(fileURLWithPath: path))
            }
            try store.withLock { try store.save(record) }
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == (try Store.encodedFile(record)), "write \(n)")
            #expect(try store.load(id).0 == record)
        }
        // A compact file (first key not `events`) read and written: written whole, as encode has it.
        let compact = try JSONEncoder().encode(try store.load(id).0)
        try compact.write(to: URL(fileURLWithPath: path))
        var (record, _) = try store.load(id)
        try Actions.note(&record, runbook: s.runbook, text: "after compact", kind: nil, fields: [:], actor: Scenario.actor("2026-11-23T15:00:00Z"))
        try store.withLock { try store.save(record) }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == (try Store.encodedFile(record)))
    }

    @Test func closingArchivesByYearAndReopeningRestores() throws {
        let store = try makeStore()
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-23T15:00:00Z"))
        try Actions.close(&s.record, runbook: s.runbook, time: .standard, force: false, reason: nil, actor: Scenario.actor("2026-11-23T15:01:00Z"))
        try store.withLock { try store.save(s.record) }
        #expect(!FileManager.default.fileExists(atPath: store.activeDirectory + "/INC-1.json"))
        #expect(FileManager.default.fileExists(atPath: store.archiveDirectory + "/2026/INC-1.json"))
        try Actions.reopen(&s.record, reason: nil, actor: Scenario.actor("2026-11-23T16:00:00Z"))
        try store.withLock { try store.save(s.record) }
        #expect(FileManager.default.fileExists(atPath: store.activeDirectory + "/INC-1.json"))
        #expect(!FileManager.default.fileExists(atPath: store.archiveDirectory + "/2026/INC-1.json"))
    }

    @Test func aCrashBetweenArchiveWriteAndRemovalIsHarmless() throws {
        let store = try makeStore()
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try store.withLock { try store.save(s.record) }
        let stale = try Data(contentsOf: URL(fileURLWithPath: store.activeDirectory + "/INC-1.json"))
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-23T15:00:00Z"))
        try Actions.close(&s.record, runbook: s.runbook, time: .standard, force: false, reason: nil, actor: Scenario.actor("2026-11-23T15:01:00Z"))
        try store.withLock { try store.save(s.record) }
        try stale.write(to: URL(fileURLWithPath: store.activeDirectory + "/INC-1.json"))  // as if unlink never ran
        let (loaded, location) = try store.load(IncidentID(number: 1))
        #expect(loaded.state.status == .closed && location == .archive(year: 2026))
    }

    @Test func idsAreAllocatedOnceEvenIfTheCounterIsLost() throws {
        let store = try makeStore()
        let ids = try (0..<3).map { _ in try store.withLock { () -> IncidentID in
            let id = try store.allocateID()
            let r = try Actions.declare(id: id, runbook: .builtInDefault, Actions.Declaration(title: "t", severity: "low"), actor: Scenario.actor("2026-11-23T14:05:00Z"))
            try store.save(r)
            return id
        } }
        #expect(ids.map(\.number) == [1, 2, 3])
        try FileManager.default.removeItem(atPath: store.root + "/.last-id")
        #expect(try store.withLock { try store.allocateID() }.number == 4)
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        ("{\"id\":\"INC-1\"}", "'schemaVersion' is missing"),
        ("{\"schemaVersion\": 99, \"id\":\"INC-1\"}", "newer"),
        // Sound JSON with the version of the wrong type or size: the field is named.
        ("{\"schemaVersion\": \"2\", \"id\":\"INC-1\"}", "'schemaVersion' has the wrong type"),
        ("{\"schemaVersion\": 2.5, \"id\":\"INC-1\"}", "'schemaVersion'"),
        ("{\"schemaVersion\": 1e400, \"id\":\"INC-1\"}", "'schemaVersion'"),
        ("{\"schemaVersion\": 20000000000000000000000, \"id\":\"INC-1\"}", "'schemaVersion'"),
        ("{\"schemaVersion\": 1, \"id\":\"INC-1\", \"runbook\": \"default\"}", "'events' is missing"),
    ])
    func corruptFilesAreReportedWithTheFieldAndNotOverwritten(content: String, expected: String) throws {
        let store = try makeStore()
        let path = store.activeDirectory + "/INC-1.json"
        try content.write(toFile: path, atomically: false, encoding: .utf8)
        do {
            _ = try store.load(IncidentID(number: 1))
            Issue.record("expected a corrupt-file error")
        } catch let error as IncidentError {
            #expect(error.description.contains(path))
            #expect(error.description.contains(expected), "\(error)")
        }
        let good = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z").record
        var other = good
        other.id = IncidentID(number: 2)
        other.state.id = other.id
        try store.withLock { try store.save(other) }
        let (records, problems) = store.loadActive()
        #expect(records.map(\.id) == [IncidentID(number: 2)])
        #expect(problems.count == 1 && problems[0].path == path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == content)
    }

    @Test func wrongTypeNamesTheField() throws {
        let store = try makeStore()
        let s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try store.withLock { try store.save(s.record) }
        let path = store.activeDirectory + "/INC-1.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"author\" : \"alice\"", with: "\"author\" : 7").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: IncidentError.self) { _ = try store.load(IncidentID(number: 1)) }
        do { _ = try store.load(IncidentID(number: 1)) } catch {
            #expect("\(error)".contains("events[0].author"))
        }
    }

    @Test func archiveIndexHealsItself() throws {
        let store = try makeStore()
        for n in 1...3 {
            var s = try Scenario(severity: "low", at: "2026-11-23T14:05:00Z")
            s.record = try Actions.declare(id: IncidentID(number: n), runbook: s.runbook, Actions.Declaration(title: "old \(n)", severity: "low"), actor: Scenario.actor("2026-11-23T14:05:00Z"))
            try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-23T15:00:00Z"))
            try Actions.close(&s.record, runbook: s.runbook, time: .standard, force: false, reason: nil, actor: Scenario.actor("2026-11-23T15:01:00Z"))
            try store.withLock { try store.save(s.record) }
        }
        let runbook = try store.loadRunbookSnapshot()
        func archived() -> [IncidentSummary] { store.summaries(.archive, runbook: runbook, at: ts("2026-11-24T00:00:00Z")).0 }
        #expect(archived().map(\.title).sorted() == ["old 1", "old 2", "old 3"])
        let index = store.archiveDirectory + "/.index"
        #expect(FileManager.default.fileExists(atPath: index))
        // A changed file is read again, not served stale from the index.
        let path = store.archiveDirectory + "/2026/INC-2.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"old 2\"", with: "\"new 2 (longer)\"").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(archived().map(\.title).sorted() == ["new 2 (longer)", "old 1", "old 3"])
        // A vanished file drops out; a garbage index is ignored and rebuilt.
        try FileManager.default.removeItem(atPath: store.archiveDirectory + "/2026/INC-3.json")
        try "garbage\n{".write(toFile: index, atomically: false, encoding: .utf8)
        #expect(archived().count == 2)
        #expect(try String(contentsOfFile: index, encoding: .utf8).hasPrefix("incident-index 4\t"))
        // doctor does not mistake the index for a stray file; it does see the hand edit.
        #expect(store.diagnose().map(\.path) == [path])
    }

    @Test func symlinksInsideTheStoreAreRefused() throws {
        let store = try makeStore()
        let outside = temporaryDirectory("outside") + "/secret.json"
        try "{}".write(toFile: outside, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: store.activeDirectory + "/INC-5.json", withDestinationPath: outside)
        #expect(throws: IncidentError.self) { _ = try store.load(IncidentID(number: 5)) }
    }

    @Test func orphanTempFilesAreSweptUnderTheLock() throws {
        let store = try makeStore()
        let orphan = store.activeDirectory + "/.tmp-INC-1.json.1234.abcd"
        try "partial".write(toFile: orphan, atomically: false, encoding: .utf8)
        try store.withLock {}
        #expect(!FileManager.default.fileExists(atPath: orphan))
    }

    @Test func lockTimeoutIsAClearError() throws {
        var store = try makeStore()
        store.lockTimeout = 0.2
        let other = store
        try store.withLock {
            #expect(throws: IncidentError.self) { try other.withLock {} }
        }
    }
}

@Suite struct RunbookTests {
    @Test func shippedRunbooksAreValid() throws {
        #expect(Runbook.shippedNames.contains("default"))
        for name in Runbook.shippedNames { _ = try Runbook.shipped(named: name) }
    }

    @Test func defaultRunbookShape() throws {
        let rb = try Runbook.shipped(named: "default")
        #expect(rb.levels.map(\.id) == ["critical", "high", "medium", "low"])
        #expect(rb.phases.map(\.id) == ["detect", "contain", "eradicate", "recover", "post-incident"])
        for role in ["commander", "deputy", "scribe", "comms", "ops", "security", "legal"] { #expect(rb.role(id: role) != nil) }
        for timer in rb.timers { #expect(timer.source?.isEmpty == false, "\(timer.id) names no source") }
    }

    @Test(arguments: [
        ("\"levels\": []", "'levels' is empty"),
        ("\"start\": \"declared\"", "timers[0].start"),
        ("\"15m\"", "timers[0].durations"),
        ("\"requiredRoles\": [\"commander\", \"scribe\", \"comms\", \"ops\"]", "levels[0].requiredRoles"),
    ])
    func validationNamesTheField(find: String, field: String) throws {
        let original = Runbook.shippedText(named: "default")!
        let replacement: String
        switch find {
        case "\"levels\": []": replacement = ""
        case "\"start\": \"declared\"": replacement = "\"start\": \"whenever\""
        case "\"15m\"": replacement = "\"15 fortnights\""
        default: replacement = "\"requiredRoles\": [\"wizard\"]"
        }
        var text = original
        if find == "\"levels\": []" {
            let start = text.range(of: "\"levels\": [")!.upperBound
            let end = text.range(of: "\"roles\": [")!.lowerBound
            text = String(text[..<start]) + "],\n  " + String(text[end...])
        } else {
            text = text.replacingOccurrences(of: find, with: replacement, options: [], range: text.range(of: find))
        }
        do {
            _ = try Runbook.decode(Data(text.utf8), origin: "test.json")
            Issue.record("expected invalid runbook")
        } catch let e as IncidentError {
            #expect(e.description.contains(field), "\(e)")
        }
    }
}
