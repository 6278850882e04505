import Foundation
import Testing
@testable import IncidentKit
import TestSupport

/// The runbook's direct reader (`RunbookReader`) stands in for `JSONDecoder` exactly: where it
/// returns a runbook, it is the one the decoder returns; where the decoder fails, it returns
/// nothing (so the decoder's message, naming the field, is what the user sees).
@Suite struct RunbookReaderTests {
    func viaDecoder(_ data: Data) -> Runbook? { try? JSONDecoder().decode(Runbook.self, from: data) }

    @Test func everyShippedRunbookReadsTheSameBothWays() throws {
        #expect(Runbook.shippedNames.count >= 5)
        for name in Runbook.shippedNames {
            let data = Data(try #require(Runbook.shippedText(named: name)).utf8)
            let direct = try #require(RunbookReader.runbook(data), "\(name) fell back to the decoder")
            #expect(direct == viaDecoder(data), "\(name)")
            // And through the public entry point, validation included.
            #expect(try Runbook.decode(data, origin: name) == direct)
        }
    }

    @Test func nullOptionalsUnknownKeysAndEscapesReadAsTheDecoderReadsThem() throws {
        let json = """
        {"schemaVersion": 1, "name": "t\\u0065st", "title": "T\\/itle \\"q\\" \\u00e9 \\n", "description": null,
         "extra": {"deep": [1, -2.5e3, true, false, null, {"x": "y"}]}, "sources": null,
         "levels": [{"id": "high", "title": "High", "aliases": null, "notes": ["a"], "future": 12}],
         "roles": [{"id": "commander", "title": "IC", "backup": null}],
         "phases": [{"id": "respond", "title": "Respond", "checklist": [{"text": "x", "required": false, "levels": null}]}],
         "timers": [{"id": "ack", "title": "Ack", "start": "declared", "stop": ["acknowledged"], "repeats": null,
                     "durations": {"high": "15m"}}],
         "entryKinds": [], "closeGates": ["resolved", "action-items"],
         "calendar": {"timeZone": "UTC", "businessHours": {"start": "08:00", "end": "16:00"}, "holidays": null},
         "monitoring": {"window": "30m", "levels": {"high": "1h"}, "title": null}}
        """
        let data = Data(json.utf8)
        let direct = try #require(RunbookReader.runbook(data))
        #expect(direct == viaDecoder(data))
        #expect(direct.name == "test" && direct.title == "T/itle \"q\" é \n")
        #expect(direct.monitoring?.levels?["high"] == SLADuration(1, .hours))
    }

    @Test func whatTheDecoderRefusesTheReaderLeavesToIt() throws {
        let base = try JSONSerialization.jsonObject(with: Data(try #require(Runbook.shippedText(named: "sev0-4")).utf8)) as! [String: Any]
        let broken: [(String, Any?)] = [
            ("schemaVersion", "1"), ("schemaVersion", 1.5), ("schemaVersion", NSNull()), ("name", 3), ("title", NSNull()),
            ("levels", NSNull()), ("levels", [["id": "x"]]), ("closeGates", ["resolved", "nope"]), ("timers", [["id": "t"]]),
            ("roles", "commander"), ("sources", [1, 2]), ("calendar", ["workdays": ["mon"]]), ("monitoring", ["window": "soon"]),
            ("description", true), ("levels", nil), ("phases", [["id": "p", "title": "P", "checklist": [["required": true]]]]),
        ]
        for (key, value) in broken {
            var object = base
            object[key] = value
            let data = try JSONSerialization.data(withJSONObject: object)
            #expect(viaDecoder(data) == nil, "the decoder accepted \(key)")
            #expect(RunbookReader.runbook(data) == nil, "the reader accepted \(key) = \(String(describing: value))")
        }
        // Trailing bytes, a byte-order mark and a bare value are the decoder's too.
        let text = try #require(Runbook.shippedText(named: "default"))
        #expect(RunbookReader.runbook(Data((text + " x").utf8)) == nil)
        #expect(RunbookReader.runbook(Data(([0xEF, 0xBB, 0xBF] + Array(text.utf8)))) == nil)
        #expect(RunbookReader.runbook(Data("[]".utf8)) == nil)
    }

    /// Random edits of every shipped runbook (fields dropped, set to null or to another type,
    /// unknown keys added): the reader never returns a runbook the decoder would not.
    @Test func randomEditsNeverDisagree() throws {
        var rng = SplitMix64(state: 0x5EED_0F12)
        let junk: [Any] = [NSNull(), 0, 7, -1, 2.5, true, "", "15m", "x", [Any](), ["a"], [String: Any](), ["high": "1h"]]
        func mutate(_ value: Any, depth: Int) -> Any {
            if var object = value as? [String: Any] {
                for key in object.keys.sorted() {
                    switch Int.random(in: 0..<60, using: &rng) {
                    case 0: object[key] = nil
                    case 1: object[key] = junk.randomElement(using: &rng)!
                    case 2: object["unknown\(Int.random(in: 0..<3, using: &rng))"] = junk.randomElement(using: &rng)!
                    default: if depth < 4 { object[key] = mutate(object[key]!, depth: depth + 1) }
                    }
                }
                return object
            }
            if let array = value as? [Any] {
                return array.map { Int.random(in: 0..<6, using: &rng) == 0 ? mutate($0, depth: depth + 1) : $0 }
            }
            return value
        }
        var agreedOnARunbook = 0
        for name in Runbook.shippedNames {
            let base = try JSONSerialization.jsonObject(with: Data(try #require(Runbook.shippedText(named: name)).utf8))
            for _ in 0..<25 {
                let data = try JSONSerialization.data(withJSONObject: mutate(base, depth: 0))
                let expected = viaDecoder(data)
                let direct = RunbookReader.runbook(data)
                if let direct {
                    #expect(direct == expected, "\(name): the reader read \(String(decoding: data, as: UTF8.self).prefix(200))")
                    agreedOnARunbook += 1
                } else if expected != nil {
                    Issue.record("\(name): the reader fell back on a document the decoder reads")
                }
            }
        }
        #expect(agreedOnARunbook > 25)
    }
}

@Suite struct NormalizedNameTests {
    /// The definition the byte-wise fast path must agree with.
    func reference(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { !" -_.\t".unicodeScalars.contains($0) }.map(Character.init))
    }

    @Test func asciiAndNonASCIINamesNormaliseAsDefined() {
        let names = ["Sev 0", "sev0", "SEV-0", "sev_0.", "\tIC\t", "Incident Commander", "a-B_c.D e", "", " - _ .", "ÉTAT", "Straße",
                     "İstanbul", "ﬁx", "high\u{7F}", "ZZ~!@#$%^&*()", "Ω-Sev", "日本 語"]
        for name in names { #expect(normalizedName(name) == reference(name), "\(name)") }
        #expect(normalizedName("SEV-0") == "sev0")
    }
}

@Suite struct PadTests {
    @Test func zeroPaddingAsDefined() {
        func reference(_ value: Int, _ width: Int) -> String {
            let s = String(value)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        for width in 0...9 {
            for value in [0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 123_456_789, Int.max, -1, -42, Int.min] {
                #expect(pad(value, width) == reference(value, width), "\(value) \(width)")
            }
        }
    }
}

/// `IncidentRecord.append` folds a new entry into the state without re-deriving it when that
/// gives what `derive` gives; the state after every append equals the log folded again.
@Suite struct IncrementalFoldTests {
    @Test func appendingEntriesKeepsTheDerivedState() throws {
        var rng = SplitMix64(state: 31)
        for _ in 0..<20 {
            var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
            var minute = 6
            for _ in 0..<Int.random(in: 1...25, using: &rng) {
                // Mostly forward in time; sometimes a back-filled entry.
                minute += Int.random(in: -3...5, using: &rng)
                let at = Timestamp(milliseconds: ts("2026-11-23T14:05:00Z").milliseconds + Int64(max(1, minute)) * 60_000)
                let actor = Actor(name: "ana", at: at, recordedAt: at, allowSecrets: false)
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: try? Actions.acknowledge(&s.record, actor: actor)
                case 1: try? Actions.resolve(&s.record, summary: nil, actor: actor)
                case 2: try? Actions.close(&s.record, runbook: s.runbook, time: .standard, force: true, reason: "t", actor: actor)
                case 3: try? Actions.reopen(&s.record, reason: nil, actor: actor)
                default:
                    try? Actions.note(&s.record, runbook: s.runbook, text: "n", kind: Bool.random(using: &rng) ? "note" : nil, actor: actor)
                }
                #expect(s.record.state == (try IncidentState.derive(id: s.record.id, events: s.record.events)))
            }
        }
    }
}
