import Foundation
import Testing
import IncidentKit
import TestSupport

/// The TZif reader and POSIX TZ rules, against fixed vectors (expected values written here,
/// taken from the IANA rules, not from the code under test). Zone files come from
/// Tests/Fixtures/zoneinfo, so the host's database does not matter.
@Suite struct ZoneTests {
    /// Offsets (seconds east) and abbreviations either side of transitions: both hemispheres,
    /// half-hour offsets, zones that changed their rules, and instants beyond the 64-bit table
    /// (2099/2100), which come from the POSIX footer.
    @Test(arguments: [
        ("America/Los_Angeles", "2026-03-08T09:59:59Z", -28800, "PST"),
        ("America/Los_Angeles", "2026-03-08T10:00:00Z", -25200, "PDT"),
        ("America/Los_Angeles", "2026-11-01T08:59:59Z", -25200, "PDT"),
        ("America/Los_Angeles", "2026-11-01T09:00:00Z", -28800, "PST"),
        ("Europe/Berlin", "2026-03-29T00:59:59Z", 3600, "CET"),
        ("Europe/Berlin", "2026-03-29T01:00:00Z", 7200, "CEST"),
        ("Europe/Berlin", "2026-10-25T00:59:59Z", 7200, "CEST"),
        ("Europe/Berlin", "2026-10-25T01:00:00Z", 3600, "CET"),
        ("Asia/Kolkata", "2026-06-01T00:00:00Z", 19800, "IST"),
        ("Asia/Tokyo", "2026-11-21T00:00:00Z", 32400, "JST"),
        ("Australia/Adelaide", "2026-04-04T16:29:59Z", 37800, "ACDT"),
        ("Australia/Adelaide", "2026-04-04T16:30:00Z", 34200, "ACST"),
        ("Australia/Adelaide", "2026-10-03T16:29:59Z", 34200, "ACST"),
        ("Australia/Adelaide", "2026-10-03T16:30:00Z", 37800, "ACDT"),
        ("Europe/Moscow", "2010-01-01T00:00:00Z", 10800, "MSK"),
        ("Europe/Moscow", "2011-03-26T22:59:59Z", 10800, "MSK"),
        ("Europe/Moscow", "2011-03-26T23:00:00Z", 14400, "MSK"),
        ("Europe/Moscow", "2012-01-01T00:00:00Z", 14400, "MSK"),
        ("Europe/Moscow", "2014-10-25T21:59:59Z", 14400, "MSK"),
        ("Europe/Moscow", "2014-10-25T22:00:00Z", 10800, "MSK"),
        ("America/Sao_Paulo", "2018-01-15T00:00:00Z", -7200, "-02"),
        ("America/Sao_Paulo", "2019-01-15T00:00:00Z", -7200, "-02"),
        ("America/Sao_Paulo", "2020-01-15T00:00:00Z", -10800, "-03"),
        ("America/Sao_Paulo", "2040-01-15T00:00:00Z", -10800, "-03"),
        ("Asia/Tehran", "2021-07-01T00:00:00Z", 16200, "+0430"),
        ("Asia/Tehran", "2026-07-01T00:00:00Z", 12600, "+0330"),
        ("America/Los_Angeles", "2100-03-14T09:59:59Z", -28800, "PST"),
        ("America/Los_Angeles", "2100-03-14T10:00:00Z", -25200, "PDT"),
        ("Europe/Berlin", "2099-10-25T00:59:59Z", 7200, "CEST"),
        ("Europe/Berlin", "2099-10-25T01:00:00Z", 3600, "CET"),
        ("Australia/Adelaide", "2100-04-03T16:29:59Z", 37800, "ACDT"),
        ("Australia/Adelaide", "2100-04-03T16:30:00Z", 34200, "ACST"),
        ("US/Pacific", "2026-07-01T00:00:00Z", -25200, "PDT"),  // a link inside the database
        ("Etc/UTC", "2026-07-01T00:00:00Z", 0, "UTC"),
    ])
    func offsetsAroundTransitions(zone: String, instant: String, offset: Int, abbreviation: String) throws {
        let rules = try fixtureZone(zone)
        #expect(rules.offset(at: ts(instant)) == offset)
        #expect(rules.label(ts(instant)) == abbreviation)
    }

    /// Wall time → instants: none in a gap, two in an overlap; the one picked is the earlier
    /// in an overlap and the gap-shifted one in a gap.
    @Test(arguments: [
        ("America/Los_Angeles", "2026-03-08T02:30:00Z", [String](), "2026-03-08T10:30:00Z"),
        ("America/Los_Angeles", "2026-11-01T01:30:00Z", ["2026-11-01T08:30:00Z", "2026-11-01T09:30:00Z"], "2026-11-01T08:30:00Z"),
        ("Europe/Berlin", "2026-03-29T02:30:00Z", [], "2026-03-29T01:30:00Z"),
        ("Europe/Berlin", "2026-10-25T02:30:00Z", ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"], "2026-10-25T00:30:00Z"),
        ("Australia/Adelaide", "2026-04-05T02:30:00Z", ["2026-04-04T16:00:00Z", "2026-04-04T17:00:00Z"], "2026-04-04T16:00:00Z"),
        ("Australia/Adelaide", "2026-10-04T02:15:00Z", [], "2026-10-03T16:45:00Z"),
        ("Asia/Kolkata", "2026-06-01T09:00:00Z", ["2026-06-01T03:30:00Z"], "2026-06-01T03:30:00Z"),
        ("America/Los_Angeles", "2100-11-07T01:30:00Z", ["2100-11-07T08:30:00Z", "2100-11-07T09:30:00Z"], "2100-11-07T08:30:00Z"),
    ])
    func instantsForWallTime(zone: String, wall: String, all: [String], picked: String) throws {
        let rules = try fixtureZone(zone)
        let wallSeconds = ts(wall).milliseconds / 1000
        #expect(rules.instants(forWallSeconds: wallSeconds).map { Timestamp(seconds: $0).iso8601 } == all)
        #expect(Timestamp(seconds: rules.instant(forWallSeconds: wallSeconds)).iso8601 == picked)
    }

    /// One instant shown in three zones.
    @Test func oneInstantInThreeZones() throws {
        let t = ts("2026-11-23T14:05:00Z")
        #expect(ZoneRules.utc.human(t) == "2026-11-23 14:05 UTC")
        #expect(try fixtureZone("America/Los_Angeles").human(t) == "2026-11-23 06:05 PST")
        #expect(try fixtureZone("Asia/Kolkata").human(t) == "2026-11-23 19:35 IST")
        #expect(try fixtureZone("Asia/Tehran").human(t) == "2026-11-23 17:35 +0330")
        #expect(t.humanUTC == ZoneRules.utc.human(t))
    }

    /// POSIX TZ strings: quoted names, Jn / n / Mm.w.d dates, negative and >24 h rule times.
    @Test(arguments: [
        ("<+0330>-3:30", "2026-07-01T00:00:00Z", 12600, "+0330"),
        ("EST5EDT,M3.2.0,M11.1.0", "2026-07-01T00:00:00Z", -14400, "EDT"),
        ("EST5EDT,M3.2.0,M11.1.0", "2026-01-15T00:00:00Z", -18000, "EST"),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-03-29T00:59:59Z", 3600, "CET"),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-03-29T01:00:00Z", 7200, "CEST"),
        // Jn never counts February 29: J60 is March 1 even in 2028.
        ("AAA0BBB,J60/0,J300/0", "2028-02-29T23:59:59Z", 0, "AAA"),
        ("AAA0BBB,J60/0,J300/0", "2028-03-01T00:00:00Z", 3600, "BBB"),
        ("AAA0BBB,J60/0,J300/0", "2028-10-26T22:59:59Z", 3600, "BBB"),
        ("AAA0BBB,J60/0,J300/0", "2028-10-26T23:00:00Z", 0, "AAA"),
        // n counts it: day 59 of 2028 (zero-based) is February 29.
        ("AAA0BBB,59/0,299/0", "2028-02-28T23:59:59Z", 0, "AAA"),
        ("AAA0BBB,59/0,299/0", "2028-02-29T00:00:00Z", 3600, "BBB"),
        // Nuuk's rule: times before midnight (-2 h, -1 h local).
        ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2026-03-29T00:59:59Z", -7200, "-02"),
        ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2026-03-29T01:00:00Z", -3600, "-01"),
        // Permanent daylight time: from January 1 00:00 to December 31 25:00.
        ("EST5EDT,0/0,J365/25", "2026-01-15T00:00:00Z", -14400, "EDT"),
        ("EST5EDT,0/0,J365/25", "2026-12-31T12:00:00Z", -14400, "EDT"),
        // Southern hemisphere, as in Adelaide's footer.
        ("ACST-9:30ACDT,M10.1.0,M4.1.0/3", "2030-01-15T00:00:00Z", 37800, "ACDT"),
        ("ACST-9:30ACDT,M10.1.0,M4.1.0/3", "2030-07-15T00:00:00Z", 34200, "ACST"),
    ])
    func posixRules(rule: String, instant: String, offset: Int, abbreviation: String) throws {
        let zone = try #require(ZoneRules(posix: rule))
        #expect(zone.offset(at: ts(instant)) == offset)
        #expect(zone.label(ts(instant)) == abbreviation)
    }

    @Test(arguments: ["", "AB5", "EST", "5", "EST5EDT,M13.1.0,M11.1.0", "<+03", "EST5EDT,M3.2.0", "EST5EDT,J0,J365",
                      "EST25", "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,M3.2.0/168,M11.1.0", "<a b>5", "EST5EDT,366,0"])
    func posixRulesRejectNonsense(rule: String) {
        #expect(ZoneRules(posix: rule) == nil)
    }

    // MARK: Hostile input

    func tzifError(_ bytes: [UInt8]) -> String? {
        do { _ = try ZoneRules(tzif: bytes, name: "Test/Zone"); return nil } catch { return "\(error)" }
    }

    @Test func garbageAndTruncatedFilesAreOneSentence() throws {
        let la = try Array(Data(contentsOf: URL(fileURLWithPath: fixtureZoneDirectory + "/America/Los_Angeles")))
        for bad in [Array("not a zone file at all".utf8), [], Array(la.prefix(44)), Array(la.prefix(60)), Array(la.prefix(la.count / 2)), Array(la.dropLast(3))] {
            let message = try #require(tzifError(bad))
            #expect(message.hasPrefix("The time zone file for 'Test/Zone' is not a usable TZif file ("))
            #expect(message.hasSuffix("reinstall the tzdata package or set TZDIR."))
            #expect(!message.contains("\n"))
        }
        // Huge counts in the header are refused before anything is allocated.
        var huge = Array("TZif2".utf8) + [UInt8](repeating: 0, count: 15)
        huge += [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0, 0, 0, 4]
        #expect(tzifError(huge)?.contains("truncated") == true)
    }

    /// Random corruption never traps: it is refused, or it parses into rules that answer.
    @Test func mutatedFilesNeverTrap() throws {
        let original = try Array(Data(contentsOf: URL(fileURLWithPath: fixtureZoneDirectory + "/Europe/Berlin")))
        var generator = SplitMix(seed: 14)
        var refused = 0
        for round in 0..<3000 {
            var bytes = original
            let flips = 1 + Int(generator.next() % 8)
            for _ in 0..<flips {
                let i = Int(generator.next() % UInt64(bytes.count))
                bytes[i] = UInt8(truncatingIfNeeded: generator.next())
            }
            if round % 5 == 0 { bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count)))) }
            do {
                let rules = try ZoneRules(tzif: bytes, name: "Fuzz")
                // 1900, 2026 and 2300.
                for seconds: Int64 in [-2_208_988_800, 1_774_746_000, 10_425_744_000] {
                    _ = rules.human(Timestamp(seconds: seconds))
                    _ = rules.instant(forWallSeconds: seconds)
                }
            } catch { refused += 1 }
        }
        #expect(refused > 0)
    }

    @Test(arguments: ["../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "Europe//Berlin", ".hidden", "Europe/Berlin\n",
                      "Europe/Berlin;rm", "Europe/ Berlin", String(repeating: "A", count: 200)])
    func namesThatCouldEscapeAreRefused(name: String) {
        #expect(!ZoneDatabase.isValidName(name))
        #expect(throws: ZoneError.self) { try ZoneDatabase.rules(named: name, directory: fixtureZoneDirectory) }
    }

    @Test func unknownZonesNameACloseMatch() {
        func message(_ name: String) -> String {
            do { _ = try ZoneDatabase.rules(named: name, directory: fixtureZoneDirectory); return "" } catch { return "\(error)" }
        }
        #expect(message("Europe/Berln") == "Unknown time zone 'Europe/Berln'; did you mean Europe/Berlin?")
        #expect(message("europe/berlin") == "Unknown time zone 'europe/berlin'; did you mean Europe/Berlin?")
        #expect(message("Tokyo") == "Unknown time zone 'Tokyo'; did you mean Asia/Tokyo?")
        #expect(message("Mars/Olympus_Mons") == "Unknown time zone 'Mars/Olympus_Mons'; use an IANA name such as Europe/Berlin (see the files under \(fixtureZoneDirectory)).")
        #expect(message("Europe") == "Unknown time zone 'Europe'; use an IANA name such as Europe/Berlin (see the files under \(fixtureZoneDirectory)).")
        #expect(message("Europe/Berlin").isEmpty)
        #expect(message("America/Los_Angeles").isEmpty)
        #expect(message("Etc/UTC").isEmpty)
    }

    @Test func linksOutsideTheDatabaseFifosAndHugeFilesAreRefused() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/Evil", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/Evil/Link", withDestinationPath: fixtureZoneDirectory + "/Europe/Berlin")
        #expect(throws: ZoneError.self) { try ZoneDatabase.rules(named: "Evil/Link", directory: dir) }
        #expect(mkfifo(dir + "/Evil/Fifo", 0o600) == 0)
        #expect(throws: ZoneError.self) { try ZoneDatabase.rules(named: "Evil/Fifo", directory: dir) }
        try Data(count: 300_000).write(to: URL(fileURLWithPath: dir + "/Evil/Huge"))
        #expect(throws: ZoneError.self) { try ZoneDatabase.rules(named: "Evil/Huge", directory: dir) }
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir + "/Evil/Garbage"))
        #expect(throws: ZoneError.self) { try ZoneDatabase.rules(named: "Evil/Garbage", directory: dir) }
        // No database at all: say so, never fall back to UTC.
        do {
            _ = try ZoneDatabase.rules(named: "Europe/Berlin", directory: dir + "/missing")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("there is no time zone database at \(dir)/missing"))
        }
        // An empty database: say that, not "use a name such as Europe/Berlin".
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: false)
        do {
            _ = try ZoneDatabase.rules(named: "Europe/Berlin", directory: dir + "/empty")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("is empty or incomplete"), "\(error)")
        }
    }

    /// The reader's zone: TZ as a name, `:name`, a POSIX string, empty (UTC); a bad TZ is an error.
    @Test func readerZoneFromTZ() throws {
        let base = ["TZDIR": fixtureZoneDirectory]
        let t = ts("2026-11-23T14:05:00Z")
        #expect(try ZoneDatabase.readerZone(environment: base.merging(["TZ": "America/Los_Angeles"]) { $1 }).human(t) == "2026-11-23 06:05 PST")
        #expect(try ZoneDatabase.readerZone(environment: base.merging(["TZ": ":Asia/Kolkata"]) { $1 }).human(t) == "2026-11-23 19:35 IST")
        #expect(try ZoneDatabase.readerZone(environment: base.merging(["TZ": "EST5EDT,M3.2.0,M11.1.0"]) { $1 }).human(t) == "2026-11-23 09:05 EST")
        #expect(try ZoneDatabase.readerZone(environment: base.merging(["TZ": ""]) { $1 }).human(t) == "2026-11-23 14:05 UTC")
        #expect(try ZoneDatabase.readerZone(environment: base.merging(["TZ": "UTC"]) { $1 }).human(t) == "2026-11-23 14:05 UTC")
        #expect(throws: ZoneError.self) { try ZoneDatabase.readerZone(environment: base.merging(["TZ": "Europe/Berln"]) { $1 }) }
        #expect(throws: ZoneError.self) { try ZoneDatabase.readerZone(environment: base.merging(["TZ": "../../etc/passwd"]) { $1 }) }
    }

    /// Zone-less typed times are in the reader's zone.
    @Test func localTimesAreInTheReadersZone() throws {
        let berlin = try fixtureZone("Europe/Berlin")
        let la = try fixtureZone("America/Los_Angeles")
        let now = ts("2026-11-23T14:05:00Z")  // 15:05 in Berlin, 06:05 in Los Angeles
        #expect(TimeParser.parse("14:05", now: now, zone: berlin) == ts("2026-11-23T13:05:00Z"))
        #expect(TimeParser.parse("15:30", now: now, zone: berlin) == ts("2026-11-22T14:30:00Z"))  // later than now: yesterday
        #expect(TimeParser.parse("06:00", now: now, zone: la) == ts("2026-11-23T14:00:00Z"))
        #expect(TimeParser.parse("2026-11-23 14:05", now: now, zone: berlin) == ts("2026-11-23T13:05:00Z"))
        #expect(TimeParser.parse("2026-07-01T14:05:30", now: now, zone: berlin) == ts("2026-07-01T12:05:30Z"))
        #expect(TimeParser.parse("2026-11-23", now: now, zone: la) == ts("2026-11-23T08:00:00Z"))
        // A time with a zone ignores the reader's.
        #expect(TimeParser.parse("2026-11-23T14:05:00Z", now: now, zone: berlin) == ts("2026-11-23T14:05:00Z"))
        // Skipped by the clocks: refused; repeated: the first.
        #expect(TimeParser.parse("2026-03-08 02:30", now: now, zone: la) == nil)
        #expect(TimeParser.parse("2026-11-01 01:30", now: now, zone: la) == ts("2026-11-01T08:30:00Z"))
        // Dates that do not exist.
        #expect(TimeParser.parse("2026-02-30", now: now, zone: la) == nil)
        #expect(TimeParser.parse("2026-02-30 10:00", now: now, zone: la) == nil)
        #expect(TimeParser.parse("2026-04-31T10:00", now: now, zone: la) == nil)
    }

    /// The system's own database, when present, agrees with the committed vectors.
    @Test func systemDatabaseAgrees() throws {
        let path = ZoneDatabase.defaultDirectory + "/America/Los_Angeles"
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("This test needs \(path); install Debian's tzdata package (.ci/run does).")
            return
        }
        let rules = try ZoneDatabase.rules(named: "America/Los_Angeles")
        #expect(rules.offset(at: ts("2026-03-08T10:00:00Z")) == -25200)
        #expect(rules.offset(at: ts("2026-11-01T09:00:00Z")) == -28800)
        #expect(rules.offset(at: ts("2100-03-14T10:00:00Z")) == -25200)
    }
}

/// A small deterministic generator for fuzzing.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
