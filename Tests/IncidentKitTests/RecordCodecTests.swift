import Foundation
import Testing
@testable import IncidentKit
import TestSupport

/// The incident file's direct reader and writer (`RecordCodec`) stand in for JSONDecoder and
/// JSONEncoder exactly: the same bytes out, the same record in, and anything the direct
/// reader is unsure of left to the general reader, which names the problem.
@Suite struct RecordCodecTests {
    static let pieces: [String] = [
        "a", "Z", "0", "9", "_", "-", ".", ":", " ", "/", "\\", "\"", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}",
        "\u{1F}", "\u{7F}", "é", "e\u{301}", "日本", "🚒", "\u{2028}", "\u{200B}", "<", "&", "'", "{", "]", "AbC", "aBc", "10", "2",
    ]

    func text(_ rng: inout SplitMix64, max: Int = 8) -> String {
        (0..<Int.random(in: 0...max, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
    }

    /// A declared incident followed by entries with hostile text, fields and parents.
    func randomRecord(_ rng: inout SplitMix64) throws -> IncidentRecord {
        var record = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z").record
        for n in 0..<Int.random(in: 0...12, using: &rng) {
            var fields: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) { fields[text(&rng, max: 3)] = text(&rng) }
            let at = Timestamp(milliseconds: Int64.random(in: 0...253_402_300_799_999, using: &rng))
            let e = Event(id: "ev-\(n)-" + text(&rng, max: 2), kind: Bool.random(using: &rng) ? "note" : text(&rng, max: 2),
                          at: at, recordedAt: Timestamp(milliseconds: Int64.random(in: 0...4_000_000_000_000, using: &rng)),
                          author: text(&rng), text: text(&rng, max: 20), fields: fields)
            try record.append(e)
            if Bool.random(using: &rng) {
                record.events[record.events.count - 1].parents += (0..<Int.random(in: 0...3, using: &rng)).map { _ in text(&rng, max: 3) }
            }
        }
        return record
    }

    func jsonEncoderBytes(_ record: IncidentRecord) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(record)) + [0x0a]
    }

    /// The string reader skips eight plain bytes at a time: a quote, escape, control byte or
    /// byte past ASCII at any position and alignment must still be read as JSONDecoder reads
    /// it (or left to the general reader).
    @Test func aStringReadsTheSameWhereverItsSpecialByteFalls() throws {
        let specials: [[UInt8]] = [Array("\\\"".utf8), Array("\\\\".utf8), Array("\\n".utf8), Array("\\u0041".utf8),
                                   Array("é".utf8), Array("日".utf8), [0x01], [0x1F], [0x7F], [0x22], [0xFF]]
        for length in 0...19 {
            for position in 0...length {
                for special in specials {
                    var body = Array("abcdefghijklmnopqrstuvwxyz".utf8.prefix(length))
                    body.insert(contentsOf: special, at: position)
                    let json = [0x22] + body + [0x22]
                    let mine: String? = json.withUnsafeBufferPointer { p in
                        var r = RecordCodec.Reader(p: p)
                        guard let s = r.string(), r.i == p.count else { return nil }
                        return s
                    }
                    let theirs = try? JSONDecoder().decode(String.self, from: Data(json))
                    if let mine { #expect(mine == theirs, "\(json)") }
                    // The direct reader may decline (the general reader then decides), but it
                    // must not decline plain text or accept what JSONDecoder refuses.
                    if special.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { #expect(mine != nil) }
                    if theirs == nil { #expect(mine == nil, "\(json)") }
                }
            }
        }
    }

    @Test func writesTheBytesJSONEncoderWrites() throws {
        var rng = SplitMix64(state: 10)
        for _ in 0..<400 {
            let record = try randomRecord(&rng)
            let mine = try RecordCodec.encode(record)
            let theirs = try jsonEncoderBytes(record)
            let a = String(decoding: mine, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let b = String(decoding: theirs, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            if let k = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) ?? (a.count == b.count ? nil : min(a.count, b.count) - 1) {
                Issue.record("line \(k + 1) differs: \(a[k].debugDescription) vs JSONEncoder's \(b[k].debugDescription)")
            }
            if mine != theirs { return }
        }
    }

    @Test func readsWhatItWritesAndWhatJSONDecoderReads() throws {
        var rng = SplitMix64(state: 11)
        for _ in 0..<400 {
            let record = try randomRecord(&rng)
            let bytes = try RecordCodec.encode(record)
            let fast = bytes.withUnsafeBufferPointer { RecordCodec.decode($0) }
            #expect(fast != nil)
            let general = try JSONDecoder().decode(IncidentRecord.self, from: Data(bytes))
            #expect(fast?.events == general.events)
            #expect(fast?.events == record.events)
            #expect(fast?.state == general.state)
            #expect(fast?.id == general.id && fast?.runbook == general.runbook && fast?.schemaVersion == general.schemaVersion)
        }
    }

    /// Compact, reordered, escaped differently: still JSON the general reader takes, and the
    /// direct reader either reads the same record or steps aside.
    @Test func otherSpellingsOfTheSameFileReadTheSame() throws {
        var rng = SplitMix64(state: 12)
        for _ in 0..<100 {
            let record = try randomRecord(&rng)
            let encoder = JSONEncoder()
            encoder.outputFormatting = Bool.random(using: &rng) ? [] : [.sortedKeys]
            var bytes = Array(try encoder.encode(record))
            if Bool.random(using: &rng) { bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "é", with: "\\u00e9").utf8) }
            let general = try JSONDecoder().decode(IncidentRecord.self, from: Data(bytes))
            if let fast = bytes.withUnsafeBufferPointer({ RecordCodec.decode($0) }) {
                #expect(fast.events == general.events)
                #expect(fast.state == general.state)
            }
        }
    }

    /// Damage anywhere: whatever the direct reader accepts, the general reader accepts and
    /// reads the same; everything else is reported by the general reader as before.
    @Test func damagedFilesAreNeverReadDifferently() throws {
        var rng = SplitMix64(state: 13)
        let junk: [[UInt8]] = [[0x22], [0x5C], [0x2C], [0x7D], [0x5D], [0x00], [0xFF], [0xC3], Array("\\ud800".utf8), Array("null".utf8),
                               Array("1".utf8), Array("\"x\":\"y\",".utf8), [0xEF, 0xBB, 0xBF], Array("\"at\" : \"2026-11-23T14:05:00Z\",".utf8),
                               // Keys the direct reader tells apart by their bytes: escaped, cased, longer.
                               Array("\"recordedAt\" : \"2026-11-23T14:05:00.5+01:00\",".utf8), Array("\"i\\u0064\" : \"ev-1\",".utf8),
                               Array("\"recordedAT\" : \"2026-11-23T14:05:00Z\",".utf8), Array("\"parentsX\" : [],".utf8), Array("\"Id\":\"x\",".utf8),
                               Array("\"at\" : \"2026-11-23T14:05:00\\u005a\",".utf8)]
        var accepted = 0, refused = 0
        for _ in 0..<1500 {
            let record = try randomRecord(&rng)
            var bytes = try RecordCodec.encode(record)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0...2, using: &rng) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(contentsOf: junk.randomElement(using: &rng)!, at: at)
                default: bytes[at] = junk.randomElement(using: &rng)![0]
                }
            }
            let data = Data(bytes)
            let general = try? Store.decodeRecordInGeneral(data, path: "f")
            if let fast = bytes.withUnsafeBufferPointer({ RecordCodec.decode($0) }) {
                accepted += 1
                #expect(general != nil, "the direct reader took a file the general reader refuses:\n\(String(decoding: bytes, as: UTF8.self))")
                #expect(general?.events == fast.events)
                #expect(general?.state == fast.state)
                #expect(general?.id == fast.id && general?.runbook == fast.runbook && general?.schemaVersion == fast.schemaVersion)
            } else {
                refused += 1
            }
        }
        #expect(accepted > 50 && refused > 50)
    }

    /// The cached state with every optional field set, absent or `null`, in any key order,
    /// with an unknown key or a value of the wrong type: the direct reader reads what the
    /// general reader reads, or steps aside.
    @Test func theCachedStateReadsAsTheGeneralReaderReadsIt() throws {
        var rng = SplitMix64(state: 14)
        var record = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z").record
        let t = Timestamp(milliseconds: 1_795_000_000_000)
        var full = record.state
        full.publicTitle = "Checkout slow"; full.summary = "s\n\"q\""; full.type = "security"; full.drill = true
        full.acknowledgedAt = t; full.containedAt = t; full.resolvedAt = t; full.closedAt = t; full.postmortemPublishedAt = t
        full.resolutionSummary = "rolled back"; full.roles = ["commander": "ana", "scribe": "é"]; full.checked = ["a", "b"]
        full.phaseHistory.append(IncidentState.PhaseEntry(phase: "contain", at: t))
        full.contestedRoles = ["commander": ["ana", "bo"]]; full.afterClose = ["e1"]; full.outcome = .merged
        full.mergedInto = IncidentID(number: 7); full.outcomeReason = "dup"; full.status = .closed
        var readAlike = 0
        for n in 0..<200 {
            record.state = n % 3 == 0 ? record.state : full
            let encoder = JSONEncoder()
            encoder.outputFormatting = Bool.random(using: &rng) ? [.prettyPrinted, .sortedKeys] : []
            var object = try JSONSerialization.jsonObject(with: try encoder.encode(record)) as! [String: Any]
            var state = object["state"] as! [String: Any]
            for key in state.keys.sorted() where Int.random(in: 0..<40, using: &rng) == 0 {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: state[key] = NSNull()
                case 1: state[key] = nil
                case 2: state[key] = 12
                default: state["unknown"] = "x"
                }
            }
            if var history = state["phaseHistory"] as? [[String: Any]], Bool.random(using: &rng), !history.isEmpty {
                history[0]["extra"] = [1, 2]
                state["phaseHistory"] = history
            }
            object["state"] = state
            let bytes = Array(try JSONSerialization.data(withJSONObject: object, options: Bool.random(using: &rng) ? [.sortedKeys] : []))
            let general = try? JSONDecoder().decode(IncidentRecord.self, from: Data(bytes))
            if let fast = bytes.withUnsafeBufferPointer({ RecordCodec.decode($0) }) {
                #expect(general != nil, "the direct reader took a state the general reader refuses: \(state)")
                #expect(fast.state == general?.state)
                readAlike += 1
            }
        }
        #expect(readAlike > 50)
    }

    /// Appending to the bytes of the previous version gives exactly the file `encode` writes,
    /// whatever the state holds (every optional field set or absent).
    @Test func appendingToAFileWritesWhatEncodingItWholeWrites() throws {
        var rng = SplitMix64(state: 15)
        for n in 0..<200 {
            let full = try randomRecord(&rng)
            guard full.events.count > 1 else { continue }
            let kept = Int.random(in: 1..<full.events.count, using: &rng)
            var before = try IncidentRecord(id: full.id, runbook: full.runbook, events: Array(full.events[..<kept]))
            var after = full
            if n % 2 == 0 {
                after.state.publicTitle = "p"; after.state.acknowledgedAt = Timestamp(milliseconds: 1_795_000_000_001)
                after.state.contestedRoles = ["commander": ["a", "b"], "comms": []]; after.state.afterClose = []
                after.state.outcome = .declined; after.state.mergedInto = IncidentID(number: 3); after.state.roles = [:]
                before.state.checked = ["x\ny"]
            }
            let previous = try RecordCodec.encode(before)
            let parsed = try #require(previous.withUnsafeBufferPointer { RecordCodec.decode($0) })
            let end = try #require(parsed.eventsEnd)
            let appended = try RecordCodec.append(to: previous, eventsEnd: end, count: kept, after)
            #expect(appended == (try RecordCodec.encode(after)))
            #expect(appended == (try jsonEncoderBytes(after)))
        }
    }

    /// A file whose first key is not `events` (hand-edited, or written by another tool) is
    /// never appended to: it is written whole.
    @Test func onlyAFileLaidOutAsWrittenIsAppendedTo() throws {
        var rng = SplitMix64(state: 16)
        let record = try randomRecord(&rng)
        let compact = Array(try JSONEncoder().encode(record))
        #expect(compact.withUnsafeBufferPointer { RecordCodec.decode($0) }?.eventsEnd == nil)
        let written = try RecordCodec.encode(record)
        #expect(written.withUnsafeBufferPointer { RecordCodec.decode($0) }?.eventsEnd != nil)
    }

    @Test func aTimeOutsideTheStoreIsRefusedAsBefore() throws {
        var record = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z").record
        record.events[0].at = Timestamp(milliseconds: -1)
        #expect(throws: EncodingError.self) { try RecordCodec.encode(record) }
    }
}

/// Redaction compiles a rule's pattern only when the rule's keyword occurs: every pattern
/// must still compile (a broken one would silently stop redacting).
@Suite struct RedactionPatternTests {
    @Test func everyRulePatternCompiles() {
        var cache: [Int: Regex<AnyRegexOutput>?] = [:]
        for r in SecretRedactor.rules.indices {
            #expect(SecretRedactor.compiled(r, &cache) != nil, "rule \(r) (\(SecretRedactor.rules[r].kind)) does not compile")
        }
    }

    @Test func textWithoutKeywordsIsReturnedAsItIs() {
        let text = "Rolled back deploy 2026.11.27-3; error rate back to 0.1%"
        #expect(SecretRedactor.redact(text).text == text)
        #expect(SecretRedactor.redact("token=ghp_" + String(repeating: "a", count: 36)).kinds.isEmpty == false)
    }
}

@Suite struct RecordCodecStrictnessTests {
    /// JSON has no leading zeros: the direct reader leaves `02` to the general reader, which
    /// refuses it, whatever bytes surround it.
    @Test func aLeadingZeroIsNeverAcceptedByTheDirectReader() throws {
        let record = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z").record
        let text = String(decoding: try RecordCodec.encode(record), as: UTF8.self)
        let zero = text.replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 02")
        #expect(Array(zero.utf8).withUnsafeBufferPointer { RecordCodec.decode($0) } == nil)
        #expect(throws: IncidentError.self) { try Store.decodeRecord(Data(zero.utf8), path: "f") }
    }
}

/// The escapers are linear: a long run of control characters (a pasted binary, possibly
/// arriving from a teammate's clone) used to take tens of seconds to show.
@Suite struct EscaperScaleTests {
    @Test func aLongRunOfControlCharactersIsEscapedInOnePass() {
        let text = String(repeating: "\u{1B}", count: 400_000) + "end"
        let terminal = Sanitizer.forTerminal(text)
        #expect(terminal.utf8.count == 400_000 * "\\u{1B}".utf8.count + 3)
        #expect(Sanitizer.forTerminalKeepingStyle(text) == terminal)
        #expect(HTML.escape(text).hasSuffix("\\u{1B}end"))
    }
}
