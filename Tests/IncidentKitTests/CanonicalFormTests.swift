import Foundation
import Testing
import IncidentKit
import TestSupport

/// The hashed form (DESIGN §8 "Hashing"): injective, versioned, covering everything the
/// state depends on; store files with repeated or unknown keys are refused.
@Suite struct CanonicalFormTests {
    /// A record escalated to critical, hashed in `format`.
    func escalated(format: HashFormat = .current) throws -> IncidentRecord {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try Actions.changeSeverity(&s.record, runbook: s.runbook, to: "critical", reason: "EU too", actor: Scenario.actor("2026-11-23T14:10:00Z"))
        try Actions.note(&s.record, runbook: s.runbook, text: "after", kind: nil, actor: Scenario.actor("2026-11-23T14:11:00Z"))
        return format == .current ? s.record : rehashed(s.record, as: format)
    }

    /// The record as an older binary would have written it.
    func rehashed(_ record: IncidentRecord, as format: HashFormat) -> IncidentRecord {
        var r = record
        r.schemaVersion = format.rawValue
        var previous: String?
        for i in r.events.indices {
            r.events[i].parents = previous.map { [$0] } ?? []
            r.events[i].hash = r.events[i].computedHash(format)
            previous = r.events[i].hash
        }
        return r
    }

    /// The attack from the review: the escalation's fields folded into one crafted key, so
    /// `to` disappears and the incident silently goes back to its old severity.
    func foldEscalation(_ record: IncidentRecord) -> IncidentRecord {
        var r = record
        let i = r.events.firstIndex { $0.kind == "severity" }!
        let f = r.events[i].fields
        let folded = "from:\(f["from"]!.utf8.count):\(f["from"]!)\nfields.reason:\(f["reason"]!.utf8.count):\(f["reason"]!)\nfields.to"
        r.events[i].fields = [folded: f["to"]!]
        return r
    }

    @Test func foldingFieldsIntoOneKeyIsDetected() throws {
        for format in HashFormat.allCases {
            let record = try escalated(format: format)
            #expect(Verifier.verify(record).ok)
            let forged = foldEscalation(record)
            // In v1 the bytes collide (the reason the format changed) ...
            let i = record.events.firstIndex { $0.kind == "severity" }!
            if format == .v1 { #expect(forged.events[i].canonicalBytes(.v1) == record.events[i].canonicalBytes(.v1)) }
            else { #expect(forged.events[i].canonicalBytes(format) != record.events[i].canonicalBytes(format)) }
            // ... but verification fails in every format, and the state really did change.
            let report = Verifier.verify(forged)
            #expect(!report.ok, "format \(format)")
            #expect(report.firstBrokenEvent == record.events[i].id)
            #expect(try IncidentState.derive(id: forged.id, events: forged.events).severity == "high")
        }
    }

    @Test func theFormatIsVersionedAndLengthPrefixed() throws {
        let e = Event(id: "ev-1", kind: "note", at: ts("2026-11-23T14:05:00Z"), recordedAt: ts("2026-11-23T14:05:00Z"),
                      author: "al:ice", text: "a\nb", fields: ["k": "v"], parents: ["p"])
        let text = String(decoding: e.canonicalBytes, as: UTF8.self)
        #expect(text == "incident-event-v2\n4:ev-1\n4:note\n20:2026-11-23T14:05:00Z\n20:2026-11-23T14:05:00Z\n6:al:ice\n3:a\nb\n#1\n1:k\n1:v\n#1\n1:p\n")
        #expect(e.computedHash == SHA256.hex(e.canonicalBytes))
        #expect(e.computedHash(.v1) != e.computedHash(.v2))
    }

    // MARK: Property: the v2 bytes decode back to the event, so no two events share them.

    struct Parsed: Equatable {
        var strings: [String]
        var fields: [String: String]
        var parents: [String]
    }

    /// A reader of the v2 form that knows only its grammar.
    func parse(_ bytes: [UInt8]) -> Parsed? {
        var i = 0
        func line() -> [UInt8]? {
            guard let nl = bytes[i...].firstIndex(of: 0x0a) else { return nil }
            defer { i = nl + 1 }
            return Array(bytes[i..<nl])
        }
        func string() -> String? {
            guard let colon = bytes[i...].firstIndex(of: UInt8(ascii: ":")),
                  let n = Int(String(decoding: bytes[i..<colon], as: UTF8.self)), colon + 1 + n < bytes.count,
                  bytes[colon + 1 + n] == 0x0a else { return nil }
            defer { i = colon + 2 + n }
            return String(decoding: bytes[(colon + 1)..<(colon + 1 + n)], as: UTF8.self)
        }
        func count() -> Int? {
            guard let l = line(), l.first == UInt8(ascii: "#") else { return nil }
            return Int(String(decoding: l.dropFirst(), as: UTF8.self))
        }
        guard line() == Array("incident-event-v2".utf8) else { return nil }
        var strings: [String] = []
        for _ in 0..<6 { guard let s = string() else { return nil }; strings.append(s) }
        guard let nf = count() else { return nil }
        var fields: [String: String] = [:]
        for _ in 0..<nf { guard let k = string(), let v = string() else { return nil }; fields[k] = v }
        guard let np = count() else { return nil }
        var parents: [String] = []
        for _ in 0..<np { guard let p = string() else { return nil }; parents.append(p) }
        return i == bytes.count ? Parsed(strings: strings, fields: fields, parents: parents) : nil
    }

    static let alphabet: [Character] = ["a", "b", ":", "\n", "1", "0", "#", ".", "f", "é", "e\u{301}", " ", "\\", "\""]

    func randomString(_ rng: inout some RandomNumberGenerator) -> String {
        String((0..<Int.random(in: 0...6, using: &rng)).map { _ in Self.alphabet.randomElement(using: &rng)! })
    }

    func randomEvent(_ rng: inout some RandomNumberGenerator) -> Event {
        var fields: [String: String] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &rng) { fields[randomString(&rng)] = randomString(&rng) }
        return Event(id: randomString(&rng), kind: randomString(&rng),
                     at: Timestamp(milliseconds: Int64.random(in: 0...100_000, using: &rng) * 1000),
                     recordedAt: Timestamp(milliseconds: Int64.random(in: 0...3, using: &rng) * 1000),
                     author: randomString(&rng), text: randomString(&rng), fields: fields,
                     parents: (0..<Int.random(in: 0...3, using: &rng)).map { _ in randomString(&rng) })
    }

    @Test func randomEventsRoundTripThroughTheirCanonicalBytes() {
        var rng = SystemRandomNumberGenerator()
        var seen: [[UInt8]: Event] = [:]
        for _ in 0..<3000 {
            let e = randomEvent(&rng)
            let bytes = e.canonicalBytes
            let parsed = parse(bytes)
            #expect(parsed == Parsed(strings: [e.id, e.kind, e.at.iso8601, e.recordedAt.iso8601, e.author, e.text],
                                     fields: e.fields, parents: e.parents), "\(e)")
            if let other = seen[bytes] {
                #expect(other == e, "two events share canonical bytes: \(other) and \(e)")
            }
            seen[bytes] = e
        }
    }

    @Test func everyPartOfAnEventIsHashed() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let e = randomEvent(&rng)
            var variants: [Event] = []
            var v = e; v.id += "x"; variants.append(v)
            v = e; v.kind += "x"; variants.append(v)
            v = e; v.at = v.at.adding(milliseconds: 1); variants.append(v)
            v = e; v.recordedAt = v.recordedAt.adding(milliseconds: 1); variants.append(v)
            v = e; v.author += ":"; variants.append(v)
            v = e; v.text += "\n"; variants.append(v)
            v = e; v.fields["zz:\n"] = ""; variants.append(v)
            v = e; v.parents.append(""); variants.append(v)
            if let k = e.fields.keys.first { v = e; v.fields[k]! += "1"; variants.append(v) }
            if let k = e.fields.keys.first { v = e; v.fields[k + "1"] = v.fields.removeValue(forKey: k); variants.append(v) }
            for variant in variants where variant != e {
                #expect(variant.canonicalBytes != e.canonicalBytes, "\(variant) vs \(e)")
            }
        }
    }

    // MARK: Version 1 files

    func makeStore() throws -> Store {
        let store = Store(root: temporaryDirectory("canon") + "/s")
        try store.initialize()
        return store
    }

    func writeRaw(_ record: IncidentRecord, _ store: Store) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = store.activeDirectory + "/" + record.id.fileName
        try encoder.encode(record).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func versionOneFilesVerifyAsVersionOneAndMigrateOnTheNextWrite() throws {
        let store = try makeStore()
        var old = try escalated(format: .v1)
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-23T15:00:00Z"))
        try Actions.close(&s.record, runbook: s.runbook, time: .standard, force: false, reason: nil, actor: Scenario.actor("2026-11-23T15:01:00Z"))
        old = rehashed(s.record, as: .v1)
        old.events[old.events.count - 1].fields["headHash"] = old.events[old.events.count - 2].hash
        old = rehashed(old, as: .v1)
        let path = try writeRaw(old, store).replacingOccurrences(of: "/active/", with: "/active/")
        let loaded = try store.load(old.id).0
        #expect(loaded.schemaVersion == 1 && loaded.hashFormat == .v1)
        #expect(Verifier.verify(loaded).ok)
        // The next change re-hashes the whole chain in v2, translating the quoted head hash.
        var changed = loaded
        try Actions.reopen(&changed, reason: "back", actor: Scenario.actor("2026-11-23T16:00:00Z"))
        try store.withLock { try store.save(changed) }
        let migrated = try store.load(old.id).0
        #expect(migrated.schemaVersion == 2 && migrated.hashFormat == .v2)
        #expect(Verifier.verify(migrated).ok)
        #expect(migrated.events.map(\.id) == changed.events.map(\.id))
        #expect(migrated.events.allSatisfy { $0.hash == $0.computedHash(.v2) })
        let closed = migrated.events.first { $0.kind == "closed" }!
        #expect(closed.fields["headHash"] == migrated.events[migrated.events.count - 3].hash)
        _ = path
    }

    @Test func aTamperedVersionOneFileIsNeverMigrated() throws {
        let store = try makeStore()
        let forged = foldEscalation(try escalated(format: .v1))
        let path = try writeRaw(forged, store)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var r = try store.load(forged.id).0
        try Actions.note(&r, runbook: Runbook.builtInDefault, text: "x", kind: nil, actor: Scenario.actor("2026-11-23T15:00:00Z"))
        #expect(throws: IncidentError.self) { try store.withLock { try store.save(r) } }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    // MARK: What the file holds outside the events

    @Test func theRunbookNameAtTheTopOfTheFileIsCheckedAgainstTheHashedOne() throws {
        var r = try escalated()
        #expect(r.declaredRunbook == r.runbook)
        r.runbook = "someone-elses"
        let report = Verifier.verify(r)
        #expect(!report.ok && report.problems.contains { $0.contains("someone-elses") })
    }

    func incidentFileText() throws -> (Store, String, String) {
        let store = try makeStore()
        let r = try escalated()
        try store.withLock { try store.save(r) }
        let path = store.activeDirectory + "/INC-1.json"
        return (store, path, try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test(arguments: [
        // key added at the top or in an event (one in the cached state is harmless: below)
        ("{\n  \"extra\" : 1,\n  \"events\"", "'extra' at the top level"),
        ("\"events\" : [\n    {\n      \"escalated\" : \"no\",", "'escalated' in 'events[0]'"),
    ])
    func unknownKeysAreRefused(edit: (String, String)) throws {
        let (store, path, text) = try incidentFileText()
        var edited = text
        if edit.0.hasPrefix("{") { edited = edited.replacingOccurrences(of: "{\n  \"events\"", with: edit.0) }
        else if edit.0.hasPrefix("\"state\"") { edited = edited.replacingOccurrences(of: "\"state\" : {", with: edit.0) }
        else { edited = edited.replacingOccurrences(of: "\"events\" : [\n    {", with: edit.0) }
        #expect(edited != text)
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
        do {
            _ = try store.load(IncidentID(number: 1))
            Issue.record("an unknown key was accepted")
        } catch let IncidentError.corrupt(_, reason) {
            #expect(reason.contains(edit.1), "\(reason)")
        }
    }

    /// The cached state is derived (readers recompute it from the events): one that is
    /// malformed, has a key of its own or is missing reads as the events say, and the
    /// checkers name what is wrong with it.
    @Test(arguments: [
        ("\"state\" : {\n    \"zzz\" : \"x\",", "'zzz' in 'state'"),
        ("\"severity\" : \"critical\"", "'state.severity' has the wrong type"),
        ("", "'state'"),
    ])
    func aMalformedCachedStateIsRecomputedAndReported(edit: (String, String)) throws {
        let (store, path, text) = try incidentFileText()
        let expected = try store.load(IncidentID(number: 1)).0.state
        var edited = text
        switch edit.1 {
        case "'zzz' in 'state'": edited = edited.replacingOccurrences(of: "\"state\" : {", with: edit.0)
        case "'state'":
            let start = try #require(edited.range(of: ",\n  \"state\" : {"))
            let end = try #require(edited.range(of: "\n  }", range: start.upperBound..<edited.endIndex))
            edited.removeSubrange(start.lowerBound..<end.upperBound)
        default: edited = edited.replacingOccurrences(of: edit.0, with: "\"severity\" : 42")
        }
        #expect(edited != text)
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try store.load(IncidentID(number: 1)).0.state == expected)
        let checked = try store.readForChecking(at: path, expecting: IncidentID(number: 1))
        #expect(checked.record.state == expected)
        let problem = try #require(checked.storedStateDisagreement)
        #expect(problem.contains("malformed") && problem.contains(edit.1), "\(problem)")
        #expect(store.diagnose().contains { $0.problem == problem })
    }

    @Test func duplicateKeysInAnIncidentFileAreRefusedNamingTheKey() throws {
        let (store, path, text) = try incidentFileText()
        // The escalation's `to` given twice: JSONDecoder would keep one, jq the other.
        let edited = text.replacingOccurrences(of: "\"to\" : \"critical\"", with: "\"to\" : \"critical\",\n        \"to\" : \"low\"")
        #expect(edited != text)
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
        do {
            _ = try store.load(IncidentID(number: 1))
            Issue.record("a duplicate key was accepted")
        } catch let IncidentError.corrupt(_, reason) {
            #expect(reason.contains("'to' appears twice") && reason.contains("events[1].fields"), "\(reason)")
        }
    }

    @Test func duplicateKeysInARunbookAreRefused() throws {
        let text = try #require(Runbook.shippedText(named: "default"))
        let edited = text.replacingOccurrences(of: "\"name\":", with: "\"name\": \"evil\", \"name\":")
        #expect(edited != text)
        #expect { try Runbook.decode(Data(edited.utf8), origin: "x") } throws: { error in
            "\(error)".contains("'name' appears twice")
        }
    }
}

@Suite struct JSONShapeTests {
    func problem(_ text: String) -> String? {
        do { try JSONShape.check(Array(text.utf8)); return nil } catch { return "\(error)" }
    }

    @Test func validDocumentsPass() {
        for ok in ["{}", "[]", "1", "-0.5e+3", "\"x\"", "true", " null ", "{\"a\":[1,{\"a\":2}],\"b\":{\"a\":\"\\u0041\\n\"}}",
                   "\u{FEFF}{\"a\":1}", "{\"a\":1, \"A\":2}", "[\"\\ud83d\\ude00\"]"] {
            #expect(problem(ok) == nil, "\(ok)")
        }
    }

    @Test func invalidDocumentsFail() {
        for bad in ["", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01x", "{\"a\":1} x", "\"\u{1}\"", "\"\\q\"", "\"\\u12\"", "tru", "-", "1.", "1e"] {
            #expect(problem(bad) != nil, "\(bad.debugDescription)")
        }
    }

    @Test func repeatedKeysAreFoundHoweverTheyAreSpelled() {
        #expect(problem("{\"a\":1,\"a\":2}")?.contains("'a' appears twice in the top-level object") == true)
        #expect(problem("{\"x\":[{\"b\":1},{\"b\":1,\"c\":{\"d\":1,\"d\":1}}]}")?.contains("'x[1].c'") == true)
        // An escape spelling the same key, and the same letter composed two ways.
        #expect(problem("{\"a\":1,\"\\u0061\":2}") != nil)
        #expect(problem("{\"\u{E9}\":1,\"e\u{301}\":2}") != nil)
        // In a large object (its keys go in a set past sixteen), early or late.
        let keys = (0..<30).map { "\"k\($0)\":\($0)" }
        #expect(problem("{" + (keys + ["\"k2\":0"]).joined(separator: ",") + "}")?.contains("'k2' appears twice") == true)
        #expect(problem("{" + (keys + ["\"k29\":0"]).joined(separator: ",") + "}")?.contains("'k29' appears twice") == true)
        #expect(problem("{\"o\":{" + (keys + ["\"k\\u0030\":0"]).joined(separator: ",") + "}}")?.contains("'k0' appears twice in 'o'") == true)
        #expect(problem("{" + keys.joined(separator: ",") + "}") == nil)
        #expect(problem("{\"a\":{\"a\":1}}") == nil)
    }

    @Test func derivedStoreFilesWithARepeatedKeyCountAsDamaged() throws {
        let store = Store(root: temporaryDirectory("announce") + "/s")
        try store.initialize()
        let path = store.root + "/" + Announcements.fileName
        try "{\"schemaVersion\":1,\"announced\":{\"a\":\"2026-11-23T14:05:00Z\"}}".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!Announcements.load(store).damaged)
        try "{\"schemaVersion\":1,\"announced\":{\"a\":\"2026-11-23T14:05:00Z\",\"a\":\"2026-11-23T14:06:00Z\"}}".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(Announcements.load(store).damaged)
    }

    @Test func deepNestingIsRefusedWithoutExhaustingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(problem(deep)?.contains("nests more than") == true)
        let objects = String(repeating: "{\"a\":", count: 50) + "1" + String(repeating: "}", count: 50)
        #expect(problem(objects)?.contains("nests more than") == true)
        let fine = String(repeating: "[", count: JSONShape.maxDepth) + String(repeating: "]", count: JSONShape.maxDepth)
        #expect(problem(fine) == nil)
    }
}
