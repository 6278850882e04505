import Foundation
import Testing
import IncidentKit
import TestSupport

/// Business time in a runbook's calendar. Every expected value is written out here, worked
/// from the calendar (weekdays, daylight-saving dates), not computed by the code under test.
@Suite struct CalendarTests {
    func time(_ zone: String, holidays: [String]? = nil, workdays: [String]? = nil, hours: (String, String)? = nil) throws -> BusinessTime {
        let calendar = BusinessCalendar(timeZone: zone, workdays: workdays,
                                        businessHours: hours.map { BusinessCalendar.Hours(start: $0.0, end: $0.1) }, holidays: holidays)
        return try BusinessTime(calendar, zone: try fixtureZone(zone))
    }

    func duration(_ runbook: String, timer: String, level: String) throws -> SLADuration {
        let rb = try Runbook.shipped(named: runbook)
        return try #require(rb.timers.first { $0.id == timer }?.durations[level])
    }

    /// The four cases of issue 14, with the shipped sla-matrix runbook.
    @Test func theIssuesFourCases() throws {
        let medium = try duration("sla-matrix", timer: "acknowledge", level: "medium")
        let low = try duration("sla-matrix", timer: "acknowledge", level: "low")
        #expect(medium.description == "1bd")
        #expect(low.description == "2bd")
        // San Francisco, Friday 2026-11-20 20:00 PST: Monday 20:00 PST (UTC said Monday 16:00).
        let la = try time("America/Los_Angeles")
        #expect(la.add(medium, to: ts("2026-11-21T04:00:00Z")) == ts("2026-11-24T04:00:00Z"))
        #expect(BusinessTime.standard.add(medium, to: ts("2026-11-21T04:00:00Z")) == ts("2026-11-24T00:00:00Z"))
        // Tokyo, Saturday 2026-11-21 08:00 JST: counts from Monday 00:00, due Wednesday 00:00 JST.
        let tokyo = try time("Asia/Tokyo")
        #expect(tokyo.add(low, to: ts("2026-11-20T23:00:00Z")) == ts("2026-11-24T15:00:00Z"))
        // San Francisco, Friday 2026-03-06 10:00 PST, before the spring change: Monday 10:00 PDT.
        #expect(la.add(medium, to: ts("2026-03-06T18:00:00Z")) == ts("2026-03-09T17:00:00Z"))
        // Berlin, Wednesday 2026-12-23 10:00 CET with 24 and 25 December off: Monday 28th 10:00.
        let berlin = try time("Europe/Berlin", holidays: ["2026-12-24", "2026-12-25"])
        #expect(berlin.add(medium, to: ts("2026-12-23T09:00:00Z")) == ts("2026-12-28T09:00:00Z"))
    }

    /// `bd` keeps the wall-clock time across both daylight-saving changes in both zones.
    @Test(arguments: [
        ("America/Los_Angeles", "2026-03-06T18:00:00Z", "1bd", "2026-03-09T17:00:00Z"),  // Fri 10:00 PST → Mon 10:00 PDT
        ("America/Los_Angeles", "2026-10-30T17:00:00Z", "1bd", "2026-11-02T18:00:00Z"),  // Fri 10:00 PDT → Mon 10:00 PST
        ("America/Los_Angeles", "2026-03-05T18:00:00Z", "5bd", "2026-03-12T17:00:00Z"),  // Thu 10:00 PST → Thu 10:00 PDT
        ("Europe/Berlin", "2026-03-27T09:00:00Z", "1bd", "2026-03-30T08:00:00Z"),        // Fri 10:00 CET → Mon 10:00 CEST
        ("Europe/Berlin", "2026-10-23T08:00:00Z", "1bd", "2026-10-26T09:00:00Z"),        // Fri 10:00 CEST → Mon 10:00 CET
        ("Europe/Berlin", "2026-10-24T10:00:00Z", "1bd", "2026-10-26T23:00:00Z"),        // Sat → Mon 00:00 CET, +1 → Tue 00:00 CET
    ])
    func businessDaysAcrossDaylightSaving(zone: String, start: String, text: String, due: String) throws {
        let d = try #require(SLADuration(parsing: text))
        #expect(try time(zone).add(d, to: ts(start)) == ts(due))
    }

    /// `bh` counts only 09:00–17:00 on working days.
    @Test func businessHoursAcrossWeekendsHolidaysAndDaylightSaving() throws {
        let berlin = try time("Europe/Berlin", holidays: ["2026-12-24", "2026-12-25"])
        let four = try #require(SLADuration(parsing: "4bh"))
        // Friday 2026-11-20 15:00 CET + 4bh: 2 h on Friday, 2 h on Monday → Monday 11:00 CET.
        #expect(berlin.add(four, to: ts("2026-11-20T14:00:00Z")) == ts("2026-11-23T10:00:00Z"))
        // Wednesday 2026-12-23 15:00 CET, then the holidays and the weekend → Monday 28th 11:00.
        #expect(berlin.add(four, to: ts("2026-12-23T14:00:00Z")) == ts("2026-12-28T10:00:00Z"))
        // Before opening: counted from 09:00. Exactly to closing: 17:00 the same day.
        #expect(berlin.add(try #require(SLADuration(parsing: "2bh")), to: ts("2026-11-23T05:00:00Z")) == ts("2026-11-23T10:00:00Z"))
        #expect(berlin.add(try #require(SLADuration(parsing: "2 business hours")), to: ts("2026-11-20T14:00:00Z")) == ts("2026-11-20T16:00:00Z"))
        // Saturday: from Monday 09:00.
        #expect(berlin.add(four, to: ts("2026-11-21T12:00:00Z")) == ts("2026-11-23T12:00:00Z"))
        // A full week of business hours: Monday 09:00 + 40bh → Friday 17:00.
        #expect(berlin.add(try #require(SLADuration(parsing: "40bh")), to: ts("2026-11-23T08:00:00Z")) == ts("2026-11-27T16:00:00Z"))
        // Across the spring change in Los Angeles: Friday 16:00 PST + 2bh → Monday 10:00 PDT.
        let la = try time("America/Los_Angeles")
        #expect(la.add(try #require(SLADuration(parsing: "2bh")), to: ts("2026-03-07T00:00:00Z")) == ts("2026-03-09T17:00:00Z"))
        // No calendar: UTC, Monday to Friday, 09:00–17:00. Friday 15:00 + 4bh → Monday 11:00.
        #expect(BusinessTime.standard.add(four, to: ts("2026-11-20T15:00:00Z")) == ts("2026-11-23T11:00:00Z"))
    }

    /// Custom working days and hours, including a zone with a half-hour offset.
    @Test func customWeekAndHours() throws {
        // Sunday to Thursday, 08:00–16:00, Kolkata (UTC+05:30).
        let t = try time("Asia/Kolkata", workdays: ["sun", "mon", "tue", "wed", "thu"], hours: ("08:00", "16:00"))
        // Thursday 2026-11-19 15:00 IST + 3bh: 1 h Thursday, Friday and Saturday off, 2 h Sunday → Sunday 10:00 IST.
        #expect(t.add(try #require(SLADuration(parsing: "3bh")), to: ts("2026-11-19T09:30:00Z")) == ts("2026-11-22T04:30:00Z"))
        // Friday 2026-11-20 12:00 IST + 1bd: Friday is off → Sunday 00:00, +1 → Monday 00:00 IST.
        #expect(t.add(try #require(SLADuration(parsing: "1bd")), to: ts("2026-11-20T06:30:00Z")) == ts("2026-11-22T18:30:00Z"))
    }

    /// Seed 004's Sev 2 "during business hours" is counted in business hours.
    @Test func seed004Sev2UsesBusinessHours() throws {
        let rb = try Runbook.shipped(named: "sev0-2")
        let timer = try #require(rb.timers.first { $0.id == "acknowledge" })
        #expect(timer.durations["sev2"]?.description == "8bh")
        #expect(timer.source?.contains("business hours (bh)") == true)
        // Declared Friday 2026-11-20 18:00 UTC (after hours, no calendar): due Monday 17:00 UTC.
        #expect(BusinessTime.standard.add(try #require(timer.durations["sev2"]), to: ts("2026-11-20T18:00:00Z")) == ts("2026-11-23T17:00:00Z"))
    }

    /// Bad calendars are refused when the runbook is read, with one sentence naming the field.
    @Test(arguments: [
        (#"{"timeZone": "Europe/Berlin", "workdays": []}"#, "calendar.workdays is empty; a calendar needs at least one working day"),
        (#"{"timeZone": "Europe/Berlin", "workdays": ["mon", "funday"]}"#, "calendar.workdays: 'funday' is not a day"),
        (#"{"timeZone": "Europe/Berlin", "workdays": ["mon", "mon"]}"#, "calendar.workdays lists 'mon' twice"),
        (#"{"timeZone": "Europe/Berlin", "businessHours": {"start": "17:00", "end": "09:00"}}"#, "calendar.businessHours end 09:00 is not after start 17:00"),
        (#"{"timeZone": "Europe/Berlin", "businessHours": {"start": "09:00", "end": "09:00"}}"#, "calendar.businessHours end 09:00 is not after start 09:00"),
        (#"{"timeZone": "Europe/Berlin", "businessHours": {"start": "9am", "end": "17:00"}}"#, "calendar.businessHours.start '9am' is not a time of day"),
        (#"{"timeZone": "Europe/Berlin", "holidays": ["2026-02-30"]}"#, "calendar.holidays[0] '2026-02-30' is not a date that exists"),
        (#"{"timeZone": "Europe/Berlin", "holidays": ["24.12.2026"]}"#, "calendar.holidays[0] '24.12.2026' is not a date that exists"),
        (#"{"timeZone": "../../etc/passwd"}"#, "calendar.timeZone '../../etc/passwd' is not a time zone name"),
        (#"{"workdays": ["mon"]}"#, "'calendar.timeZone' is missing"),
    ])
    func badCalendarsAreOneSentence(calendar: String, expected: String) throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(Runbook.shippedText(named: "default")!.utf8)) as? [String: Any])
        object["calendar"] = try JSONSerialization.jsonObject(with: Data(calendar.utf8))
        let data = try JSONSerialization.data(withJSONObject: object)
        do {
            _ = try Runbook.decode(data, origin: "test.json")
            Issue.record("accepted \(calendar)")
        } catch {
            let message = "\(error)"
            #expect(message.hasPrefix("Runbook test.json is invalid: "))
            #expect(message.contains(expected), "\(message)")
            #expect(!message.contains("\n"))
        }
    }

    /// A good calendar round-trips through the runbook file.
    @Test func calendarRoundTrips() throws {
        var rb = try Runbook.shipped(named: "default")
        rb.calendar = BusinessCalendar(timeZone: "Europe/Berlin", workdays: ["mon", "tue", "wed", "thu", "fri"],
                                       businessHours: .init(start: "09:00", end: "17:00"), holidays: ["2026-12-24", "2026-12-25"])
        let again = try Runbook.decode(try rb.encoded(), origin: "round trip")
        #expect(again == rb)
        #expect(String(decoding: try rb.encoded(), as: UTF8.self).contains(#""timeZone" : "Europe/Berlin""#))
    }

    // MARK: Monitoring windows

    /// The windows of the shipped runbooks for seeds 000, 002 and 003.
    @Test(arguments: [
        ("sev0-4", "30m", "seed 000"),
        ("sla-matrix", "24h", "seed 002"),
        ("nist-800-61", "24h", "seed 003"),
    ])
    func shippedMonitoringWindows(runbook: String, window: String, seed: String) throws {
        let rb = try Runbook.shipped(named: runbook)
        let m = try #require(rb.monitoring)
        for level in rb.levels { #expect(m.duration(level: level.id)?.description == window) }
        #expect(m.source?.hasPrefix(seed) == true)
    }

    @Test func runbooksWithoutWindowsHaveNone() throws {
        for name in ["default", "sev0-2", "sev1-4"] { #expect(try Runbook.shipped(named: name).monitoring == nil) }
    }

    /// Close is refused until the window has passed, with the time it ends; --force overrides.
    @Test func closeWaitsForTheMonitoringWindow() throws {
        let rb = try Runbook.shipped(named: "sev0-4")
        var s = try Scenario(severity: rb.levels[0].id, at: "2026-11-23T14:05:00Z", runbook: rb)
        try Actions.resolve(&s.record, summary: "read-only flag removed", actor: Scenario.actor("2026-11-23T14:50:00Z"))
        let early = Actions.unmetGates(s.record, runbook: rb, at: ts("2026-11-23T15:19:59Z"), time: .standard)
        #expect(early.contains { $0.contains("the monitoring window (30 minutes after resolve: Error rates watched after the read-only flag is removed) ends at 2026-11-23 15:20 UTC") })
        let onTime = Actions.unmetGates(s.record, runbook: rb, at: ts("2026-11-23T15:20:00Z"), time: .standard)
        #expect(!onTime.contains { $0.contains("monitoring window") })
        do {
            try Actions.close(&s.record, runbook: rb, time: .standard, force: false, reason: nil, actor: Scenario.actor("2026-11-23T15:00:00Z"))
            Issue.record("closed inside the window")
        } catch {
            #expect("\(error)".contains("ends at 2026-11-23 15:20 UTC"))
        }
        try Actions.close(&s.record, runbook: rb, time: .standard, force: true, reason: "customer confirmed recovery", actor: Scenario.actor("2026-11-23T15:00:00Z"))
        let closed = try #require(s.record.events.last)
        #expect(closed.fields["forced"] == "true")
        #expect(closed.fields["unmetGates"]?.contains("monitoring window") == true)
    }

    /// A window in business hours follows the calendar.
    @Test func monitoringWindowInBusinessTime() throws {
        var rb = try Runbook.shipped(named: "default")
        rb.monitoring = Runbook.MonitoringWindow(title: nil, window: SLADuration(2, .businessHours), levels: nil, source: nil)
        rb.calendar = BusinessCalendar(timeZone: "Europe/Berlin")
        let berlin = try time("Europe/Berlin")
        var s = try Scenario(severity: rb.levels[0].id, at: "2026-11-20T14:05:00Z", runbook: rb)
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-20T15:30:00Z"))  // Friday 16:30 CET
        let m = try #require(SLAEngine.monitoring(s.record.state, runbook: rb, time: berlin))
        #expect(m.endsAt == ts("2026-11-23T09:30:00Z"))  // 30 min Friday, 90 min Monday → 10:30 CET
    }
}
