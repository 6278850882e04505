import Testing
import IncidentKit
import TestSupport

@Suite struct TimeTests {
    @Test(arguments: [
        ("2026-11-23T14:05:00Z", "2026-11-23T14:05:00Z"),
        ("2026-11-23T15:05:00+01:00", "2026-11-23T14:05:00Z"),
        ("2026-11-23T09:05:00-0500", "2026-11-23T14:05:00Z"),
        ("2026-11-23T14:05:00.250Z", "2026-11-23T14:05:00.250Z"),
        ("2026-11-23T14:05:00.123456Z", "2026-11-23T14:05:00.123Z"),
        ("2026-11-23T14:05:00.1234567890123Z", "2026-11-23T14:05:00.123Z"),  // any precision a clock writes
        ("2026-11-23 14:05Z", "2026-11-23T14:05:00Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
        ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00Z"),
    ])
    func parsesISO8601(input: String, expected: String) {
        #expect(TimeParser.parseISO8601(input)?.iso8601 == expected)
    }

    // (A zone-less "2026-11-23T14:05:00" is a local time now: see ZoneTests.)
    @Test(arguments: ["2026-02-30T10:00:00", "2026-02-30", "2026-02-30T10:00:00Z", "2026-11-23T24:00:00Z", "yesterday", "",
                      "2026-11-23T14:05:00.Z", "2026-13-01T00:00:00Z", "2026-11-23T14:05:00." + String(repeating: "1", count: 65) + "Z", "2026-11-23T14:05:00+25:00", "1969-12-31T23:59:59Z"])
    func rejectsBadTimes(input: String) {
        #expect(TimeParser.parse(input, now: ts("2026-11-23T14:05:00Z")) == nil)
    }

    @Test func shorthandsAreRelativeToNow() {
        let now = ts("2026-11-23T14:05:00Z")
        #expect(TimeParser.parse("-15m", now: now) == ts("2026-11-23T13:50:00Z"))
        #expect(TimeParser.parse("-1h30m", now: now) == ts("2026-11-23T12:35:00Z"))
        #expect(TimeParser.parse("+2d", now: now) == ts("2026-11-25T14:05:00Z"))
        #expect(TimeParser.parse("now", now: now) == now)
        #expect(TimeParser.parse("13:50", now: now) == ts("2026-11-23T13:50:00Z"))
        // A clock time later than now means yesterday.
        #expect(TimeParser.parse("23:50", now: now) == ts("2026-11-22T23:50:00Z"))
    }

    @Test func civilRoundTripAcrossCenturies() {
        for iso in ["1970-01-01T00:00:00Z", "2000-02-29T12:00:00Z", "2100-03-01T00:00:00Z", "2399-12-31T23:59:59.999Z"] {
            #expect(ts(iso).iso8601 == iso)
        }
    }

    /// Friday 2026-11-27, Saturday 28, Sunday 29, Monday 30.
    @Test(arguments: [
        ("2026-11-27T16:00:00Z", "1bd", "2026-11-30T16:00:00Z"),
        ("2026-11-27T16:00:00Z", "3bd", "2026-12-02T16:00:00Z"),
        ("2026-11-23T09:00:00Z", "5bd", "2026-11-30T09:00:00Z"),
        ("2026-11-28T10:00:00Z", "1bd", "2026-12-01T00:00:00Z"),
        ("2026-11-23T14:05:00Z", "15m", "2026-11-23T14:20:00Z"),
        ("2026-11-23T14:05:00Z", "24h", "2026-11-24T14:05:00Z"),
        ("2026-11-23T14:05:00Z", "1w", "2026-11-30T14:05:00Z"),
        ("2026-11-23T14:05:00Z", "10 business days", "2026-12-07T14:05:00Z"),
    ])
    func durationsAddExactly(start: String, duration: String, due: String) throws {
        let d = try #require(SLADuration(parsing: duration))
        #expect(BusinessTime.standard.add(d, to: ts(start)) == ts(due))
    }

    @Test func durationsRejectNonsense() {
        for bad in ["", "15", "m", "15 parsecs", "-5m", "1.5h"] { #expect(SLADuration(parsing: bad) == nil) }
    }

    @Test func spansReadWell() {
        #expect(formatSpan(milliseconds: 45_000) == "45s")
        #expect(formatSpan(milliseconds: 12 * 60_000) == "12m")
        #expect(formatSpan(milliseconds: 65 * 60_000) == "1h05m")
        #expect(formatSpan(milliseconds: 51 * 3_600_000) == "2d3h")
    }

    /// The stack-built spelling against the definition, over every boundary and far past it.
    @Test func spansMatchTheirDefinition() {
        func reference(_ ms: Int64) -> String {
            let s = ms.magnitude / 1000
            if s < 60 { return "\(s)s" }
            let m = s / 60
            if m < 60 { return "\(m)m" }
            let h = m / 60
            if h < 48 { return "\(h)h" + (m % 60 < 10 ? "0" : "") + "\(m % 60)m" }
            return "\(h / 24)d\(h % 24)h"
        }
        var values: [Int64] = [0, 1, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000, 172_799_999, 172_800_000, .max, .min, -1, -60_000]
        var x: Int64 = 1
        while x < Int64.max / 3 { values += [x, x - 1, x + 1, -x]; x *= 3 }
        for v in values { #expect(formatSpan(milliseconds: v) == reference(v), "\(v)") }
        #expect(IncidentID(number: 7).description == "INC-7")
        #expect(IncidentID(number: 999_999_999).description == "INC-999999999")
    }
}

@Suite struct ISO8601FormattingTests {
    /// The byte-wise writer against the definition: zero-padded fields, milliseconds only
    /// when there are some.
    @Test func everyStorableInstantIsWrittenAsDefined() {
        func reference(_ t: Timestamp) -> String {
            let c = CivilTime(t)
            func p(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
            var s = "\(p(c.year, 4))-\(p(c.month, 2))-\(p(c.day, 2))T\(p(c.hour, 2)):\(p(c.minute, 2)):\(p(c.second, 2))"
            if c.millisecond != 0 { s += ".\(p(c.millisecond, 3))" }
            return s + "Z"
        }
        var rng = SplitMix64(state: 21)
        var samples: [Int64] = [0, 1, 999, 1000, 86_399_999, 253_402_300_799_999, 1_795_000_000_000, -62_135_596_800_000, -62_167_219_200_000]
        for _ in 0..<5000 { samples.append(Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &rng)) }
        for ms in samples {
            let t = Timestamp(milliseconds: ms)
            #expect(t.iso8601 == reference(t), "\(ms)")
        }
        #expect(Timestamp(milliseconds: 1_795_000_000_250).iso8601 == "2026-11-18T11:06:40.250Z")
    }
}
