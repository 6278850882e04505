import Foundation
import Testing
import IncidentKit
import TestSupport

/// Random argument vectors through the CLI in-process: it must always return (a trap would
/// kill the test runner), and a usage error (exit 2) must leave the store untouched.
@Suite struct FuzzTests {
    static let vocabulary = [
        "declare", "list", "show", "ack", "severity", "assign", "unassign", "phase", "note", "timeline", "sla", "resolve",
        "close", "reopen", "postmortem", "checklist", "check", "action", "add", "done", "actions", "runbook", "show",
        "validate", "verify", "doctor", "drills", "help", "init", "contain", "--severity", "-s", "--at", "--json", "--force",
        "--reason", "--kind", "--all", "--archived", "--phase", "--summary", "--started-at", "--commander", "--drill", "--type",
        "--owner", "--due", "--term", "--", "-", "1", "INC-1", "inc-2", "0", "-1", "99999999999", "../..", "/etc/passwd",
        "critical", "high", "low", "sev9", "ic", "commander", "comms", "contain", "recover", "now", "-15m", "14:05",
        "2026-11-23T14:05:00Z", "2026-02-30T00:00:00Z", "", " ", "\u{1B}[2J", "\u{202E}", "x=y", "--at=", "--json=1",
    ]

    @Test func randomArgumentVectorsNeverTrap() throws {
        let cli = InProcessCLI()
        _ = cli.run(["declare", "seed incident", "-s", "high"])
        var rng = SystemRandomNumberGenerator()
        var codes: [Int32: Int] = [:]
        for _ in 0..<1500 {
            let count = Int.random(in: 0...6, using: &rng)
            var args = (0..<count).map { _ in Self.vocabulary.randomElement(using: &rng)! }
            if Bool.random(using: &rng) {
                args.append(String((0..<Int.random(in: 0...20, using: &rng)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &rng))) }))
            }
            let before = snapshot(cli.store)
            let r = cli.run(args, stdin: "piped text")
            codes[r.status, default: 0] += 1
            if r.status == 2 { #expect(snapshot(cli.store) == before, "exit 2 wrote something: \(args)") }
            if r.status != 0 { #expect(!r.stderr.isEmpty, "silent failure: \(args)") }
        }
        #expect(codes[2, default: 0] > 0)
    }

    /// Every exit status the README documents.
    static let documented: Set<Int32> = [0, 1, 2, 3, 4, 5, 6]

    /// Runs `args` and checks what every run must satisfy: a documented status, a sentence on
    /// stderr for a failure, and an untouched store after a usage error.
    @discardableResult
    static func check(_ cli: InProcessCLI, _ args: [String], stdin: String? = nil, counts: inout [Int32: Int],
                      sourceLocation: SourceLocation = #_sourceLocation) -> RunResult {
        let before = snapshot(cli.store)
        let r = cli.run(args, stdin: stdin)
        counts[r.status, default: 0] += 1
        #expect(documented.contains(r.status), "undocumented status \(r.status) for \(args)", sourceLocation: sourceLocation)
        // A failure says why on stderr; `verify` and `doctor` report their findings on stdout.
        if r.status != 0 {
            #expect(!r.stderr.isEmpty || (r.status == 6 && !r.stdout.isEmpty), "silent failure: \(args)", sourceLocation: sourceLocation)
        }
        if r.status == 2 { #expect(snapshot(cli.store) == before, "exit 2 wrote something: \(args)", sourceLocation: sourceLocation) }
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Unexpected failure"), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
        return r
    }

    // MARK: Times and durations

    static let timePieces = [
        "2026", "11", "23", "-", "-", ":", ":", "T", "t", " ", "Z", "z", "+", "-", "01", "00", "59", "60", "24", "99", "9999",
        "0000", "1969", "1970", "12", "31", ".", ",", "000", "999999999", "m", "h", "d", "w", "s", "bd", "now", "NOW",
        "9223372036854775807", "99999999", "\u{301}", "\u{663}", "\u{FF11}", "\u{0}", "\u{202E}", "é", "\n",
    ]

    static func randomTime(_ rng: inout some RandomNumberGenerator) -> String {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:  // a well-formed ISO time with a random zone, around the edges of the range
            let year = ["1969", "1970", "2026", "9999", "0001"].randomElement(using: &rng)!
            let zone = ["Z", "+23:59", "-23:59", "+01:00", "-00:01", "+0530"].randomElement(using: &rng)!
            return "\(year)-\(["01", "12", "02"].randomElement(using: &rng)!)-\(["01", "31", "29"].randomElement(using: &rng)!)T\(["00:00", "23:59:59.999", "12:00:00"].randomElement(using: &rng)!)\(zone)"
        case 1:  // a relative offset, often huge
            let sign = ["+", "-"].randomElement(using: &rng)!
            return sign + (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                String(UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng)) + ["s", "m", "h", "d", "w"].randomElement(using: &rng)!
            }.joined()
        default:  // pieces in random order
            return (0..<Int.random(in: 1...8, using: &rng)).map { _ in timePieces.randomElement(using: &rng)! }.joined()
        }
    }

    @Test func timeAndDurationStringsNeverTrapAndParseToStorableInstants() {
        var rng = SystemRandomNumberGenerator()
        let now = ts("2026-11-23T14:05:00Z")
        var accepted = 0
        for _ in 0..<20_000 {
            let text = Self.randomTime(&rng)
            if case let .success(t) = TimeParser.interpret(text, now: now) {
                accepted += 1
                #expect(t.isStorable, "\(text.debugDescription) → \(t.milliseconds)")
                #expect(TimeParser.parseISO8601(t.iso8601) == t, "\(text.debugDescription) does not round-trip")
            }
            if let d = SLADuration(parsing: text) {
                #expect(d.amount >= 0)
                _ = d.added(to: now)
                #expect(SLADuration(parsing: d.description) == d)
            }
        }
        #expect(accepted > 0)
        // Through the CLI: every option that takes a TIME.
        let cli = InProcessCLI()
        _ = cli.run(["declare", "seed", "-s", "high"])
        var counts: [Int32: Int] = [:]
        for i in 0..<200 {
            let text = Self.randomTime(&rng)
            let args: [[String]] = [
                ["note", "1", "x", "--at", text], ["note", "1", "x", "--at", text, "--future"],
                ["action", "add", "1", "x", "--due", text], ["declare", "t", "-s", "high", "--started-at", text],
                ["sla", "1", "--at", text], ["stats", "--since", text],
            ]
            Self.check(cli, args[i % args.count], counts: &counts)
        }
        #expect(cli.run(["verify"]).status == 0)
        #expect(cli.run(["list", "--all"]).status == 0)
    }

    // MARK: IDs and names

    static func randomName(_ rng: inout some RandomNumberGenerator) -> String {
        let pieces = ["high", "HIGH", "sev", "-", " ", "1", "ic", "commander", "contain", "note", "decision", "critical",
                      "\u{301}", "\u{200B}", "\u{FEFF}", "\u{1B}[31m", "\u{E0041}", "Σ", "ß", "İ", "../", "*", "$(x)", "\n", "", "é"]
        return (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    static func randomID(_ rng: inout some RandomNumberGenerator) -> String {
        let prefix = ["INC-", "inc-", "", "Inc-", "INC", "INC--", "\u{FF29}NC-"].randomElement(using: &rng)!
        let number = ["1", "0", "-1", "01", "999999999", "1000000000", "99999999999999999999", "1\u{301}", "\u{663}", "", " 1",
                      String(Int.random(in: 0...Int.max, using: &rng))].randomElement(using: &rng)!
        return prefix + number
    }

    @Test func idsAndNamesNeverTrap() {
        var rng = SystemRandomNumberGenerator()
        let cli = InProcessCLI()
        _ = cli.run(["declare", "seed", "-s", "high"])
        var counts: [Int32: Int] = [:]
        for i in 0..<300 {
            let id = Bool.random(using: &rng) ? "1" : Self.randomID(&rng)
            let name = Self.randomName(&rng)
            let args: [[String]] = [
                ["show", id], ["severity", id, name], ["assign", id, name, "bob"], ["phase", id, name],
                ["note", id, "x", "--kind", name], ["declare", "t", "-s", name], ["declare", "t", "-s", "high", "--type", name],
                ["check", id, name], ["action", "done", id, name], ["evidence", "transfer", id, name, "--to", "x"],
                ["unassign", id, name], ["checklist", id, "--phase", name], ["list", "--severity", name], ["timeline", id, "--kind", name],
            ]
            Self.check(cli, args[i % args.count], counts: &counts)
        }
        #expect(counts[0, default: 0] > 0 && counts[2, default: 0] > 0 && counts[3, default: 0] > 0)
        #expect(cli.run(["verify"]).status == 0)
    }

    // MARK: Store files

    /// A store with one incident with a varied log, and that file's bytes.
    static func seededStore() -> (InProcessCLI, [UInt8]) {
        let cli = InProcessCLI()
        for args in [["declare", "Checkout 500s", "-s", "high", "--at", "-1h"], ["ack", "1", "--at", "-50m"],
                     ["assign", "1", "ic", "alice"], ["severity", "1", "critical", "--reason", "EU"],
                     ["note", "1", "pods \"restarted\" \u{1}\u{7F} é", "--kind", "decision"],
                     ["action", "add", "1", "alerting", "--owner", "bob", "--due", "+7d"],
                     ["evidence", "add", "1", "--ref", "s3://x"], ["resolve", "1"]] {
            #expect(cli.run(args).status == 0, "\(args)")
        }
        let bytes = FileManager.default.contents(atPath: cli.store + "/active/INC-1.json").map { Array($0) } ?? []
        return (cli, bytes)
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout some RandomNumberGenerator) -> [UInt8] {
        var b = bytes
        guard !b.isEmpty else { return [0x7b] }
        let lines = b.split(separator: 0x0a, omittingEmptySubsequences: false).map(Array.init)
        switch Int.random(in: 0..<11, using: &rng) {
        case 0: b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        case 1: b.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...b.count, using: &rng))
        case 2:
            let start = Int.random(in: 0..<b.count, using: &rng)
            b.removeSubrange(start..<min(b.count, start + Int.random(in: 1...40, using: &rng)))
        case 3:  // a line repeated: usually a duplicate key
            var l = lines
            let i = Int.random(in: 0..<l.count, using: &rng)
            var copy = l[i]
            if copy.last != UInt8(ascii: ",") && copy.contains(UInt8(ascii: ":")) { copy.append(UInt8(ascii: ",")) }
            l.insert(copy, at: i)
            b = Array(l.joined(separator: [0x0a]))
        case 4:  // huge or odd numbers
            let s = String(decoding: b, as: UTF8.self)
            let n = ["99999999999999999999999", "-1", "1e400", "0.5", "-0", "9223372036854775808", "NaN"].randomElement(using: &rng)!
            b = Array(s.replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : \(n)").utf8)
        case 5:  // deep nesting in place of a value
            let depth = Int.random(in: 20...5000, using: &rng)
            let s = String(decoding: b, as: UTF8.self)
            b = Array(s.replacingOccurrences(of: "\"critical\"", with: String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        case 6: b.removeSubrange(Int.random(in: 0..<b.count, using: &rng)...)
        case 7:
            var l = lines
            let i = Int.random(in: 0..<l.count, using: &rng), j = Int.random(in: 0..<l.count, using: &rng)
            l.swapAt(i, j)
            b = Array(l.joined(separator: [0x0a]))
        case 8:  // an unknown key
            let s = String(decoding: b, as: UTF8.self)
            b = Array(s.replacingOccurrences(of: "\"author\" :", with: "\"extra\" : \"x\",\n      \"author\" :").utf8)
        case 9:  // times outside the range
            let s = String(decoding: b, as: UTF8.self)
            let t = ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00+00:01", "9999-12-31T23:59:59-05:00", "2026-02-30T00:00:00Z"].randomElement(using: &rng)!
            if let r = s.range(of: #"20\d\d-\d\d-\d\dT[0-9:.]+Z"#, options: .regularExpression) { b = Array(s.replacingCharacters(in: r, with: t).utf8) }
        default:  // several byte flips
            for _ in 0..<Int.random(in: 2...10, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
        }
        return b
    }

    static let storeFileRounds = 250

    @Test func randomAndMutatedStoreFilesNeverTrapNorGetOverwritten() throws {
        var rng = SystemRandomNumberGenerator()
        let (cli, valid) = Self.seededStore()
        let path = cli.store + "/active/INC-1.json"
        let runbookPath = cli.store + "/runbook.json"
        let runbook = try #require(FileManager.default.contents(atPath: runbookPath))
        var counts: [Int32: Int] = [:]
        var writesRefused = 0
        for i in 0..<Self.storeFileRounds {
            let bytes: [UInt8] = i % 7 == 0
                ? (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : Self.mutate(Self.mutate(valid, &rng), &rng)
            let data = Data(bytes)
            try? FileManager.default.removeItem(atPath: cli.store + "/archive")
            if i % 10 == 9 {
                // The runbook instead of the incident.
                try data.write(to: URL(fileURLWithPath: runbookPath))
                try Data(valid).write(to: URL(fileURLWithPath: path))
                Self.check(cli, [["declare", "t", "-s", "high"], ["show", "1"], ["list"], ["doctor"]][(i / 10) % 4], counts: &counts)
                #expect(FileManager.default.contents(atPath: runbookPath) == data, "the runbook was rewritten")
                try runbook.write(to: URL(fileURLWithPath: runbookPath))
                try? FileManager.default.removeItem(atPath: cli.store + "/active/INC-2.json")
                continue
            }
            try data.write(to: URL(fileURLWithPath: path))
            Self.check(cli, [["show", "1"], ["list", "--all"], ["verify"], ["doctor"], ["timeline", "1"], ["sla"]][i % 6], counts: &counts)
            let write = Self.check(cli, [["note", "1", "fuzz"], ["ack", "1"], ["action", "add", "1", "x"], ["reopen", "1"]][i % 4], counts: &counts)
            if write.status != 0 {
                writesRefused += 1
                #expect(FileManager.default.contents(atPath: path) == data, "a refused write changed the file (\(write.stderr))")
            } else {
                #expect(cli.run(["show", "1"]).status == 0, "a write left an unreadable file")
            }
        }
        #expect(writesRefused > Self.storeFileRounds / 3)
        #expect(counts[4, default: 0] > 0)
    }

    // MARK: Zone files and TZ strings (the environment's TZ and TZDIR reach these parsers)

    @Test func zoneFilesAndTZStringsNeverTrap() throws {
        var rng = SystemRandomNumberGenerator()
        let valid = try ["Europe/Berlin", "America/Sao_Paulo", "Australia/Adelaide"].map {
            Array(try Data(contentsOf: URL(fileURLWithPath: fixtureZoneDirectory + "/" + $0)))
        }
        let probes = [Timestamp.earliest, Timestamp.latest, ts("2026-03-29T01:30:00Z"), Timestamp(milliseconds: .max), Timestamp(milliseconds: .min)]
        func exercise(_ zone: ZoneRules) {
            for t in probes {
                _ = zone.local(t)
                _ = zone.human(t)
                _ = zone.instant(forLocal: CivilTime(t))
            }
            _ = TimeParser.interpret("2026-03-29 02:30", now: ts("2026-11-23T14:05:00Z"), zone: zone)
            _ = TimeParser.interpret("14:05", now: ts("2026-11-23T14:05:00Z"), zone: zone)
        }
        var parsed = 0
        for i in 0..<400 {
            var bytes = valid[i % valid.count]
            if i % 5 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if Bool.random(using: &rng) { bytes = Array("TZif2".utf8) + bytes }
            } else {
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                    case 1: bytes[at] = [0x00, 0x7F, 0x80, 0xFF].randomElement(using: &rng)!
                    default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &rng)))
                    }
                    if bytes.isEmpty { break }
                }
            }
            if let zone = try? ZoneRules(tzif: bytes, name: "fuzz") { parsed += 1; exercise(zone) }
        }
        #expect(parsed > 0)
        let pieces = ["EST", "5", "EDT", ",", "M3.2.0", "M11.1.0", "/", "2", "-", "+", "24", "167", ":", "<", ">", "J", "365", "0",
                      "99999999", "M13.6.7", "<+0530>", "-5:30", "25", "\u{301}", "", "UTC", "9223372036854775807"]
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 1...9, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            if let zone = ZoneRules(posix: text) { exercise(zone) }
        }
        // Through the process boundary: a hostile TZ or TZDIR is one sentence, never a trap.
        let cli = InProcessCLI()
        _ = cli.run(["declare", "seed", "-s", "high"])
        var counts: [Int32: Int] = [:]
        for tz in ["EST5EDT,M3.2.0/99999999,M11.1.0", "<+99>-99", "Europe/../../etc/passwd", ":", "x", "EST5EDT,J0,J366", "\u{0}"] {
            var zoned = cli
            zoned.environment["TZ"] = tz
            let r = zoned.run(["show", "1"])
            counts[r.status, default: 0] += 1
            #expect(Self.documented.contains(r.status), "TZ=\(tz): \(r.status)")
        }
    }
}
