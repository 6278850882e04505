import Testing
import IncidentKit
import TestSupport

/// The pieces behind hooks, tick, the HTML pages and the metrics, tested without the binary.
@Suite struct ReachTests {
    @Test(arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a & b \"c\" 'd'", "a &amp; b &quot;c&quot; &#39;d&#39;"),
        ("bell\u{07}", "bell\\u{7}"),
        ("rtl\u{202E}txt", "rtl\\u{202E}txt"),
        ("line\r\nbreak", "line\\u{D}\nbreak"),
        ("\u{FFFF}", "\u{FFFD}"),
        ("plain é 日本", "plain é 日本"),
    ])
    func htmlEscaper(input: String, expected: String) {
        #expect(HTML.escape(input) == expected)
    }

    @Test func summaryStatisticsFollowTheirDefinitions() {
        let one = MetricsReport.Summary([42])
        #expect(one.n == 1 && one.meanSeconds == 42 && one.medianSeconds == 42 && one.p90Seconds == 42 && one.worstSeconds == 42)
        let even = MetricsReport.Summary([40, 10, 30, 20])
        #expect(even.medianSeconds == 25 && even.meanSeconds == 25 && even.p90Seconds == 40 && even.worstSeconds == 40)
        let ten = MetricsReport.Summary(Array(1...10).map { Int64($0) * 60 })
        #expect(ten.p90Seconds == 540)  // nearest rank: the 9th of 10
        let eleven = MetricsReport.Summary(Array(1...11).map { Int64($0) })
        #expect(eleven.p90Seconds == 10 && eleven.medianSeconds == 6)  // ⌈9.9⌉ = 10th
        let none = MetricsReport.Summary([])
        #expect(none.n == 0 && none.meanSeconds == nil && none.p90Seconds == nil)
    }

    @Test func barsUseEighthBlocks() {
        #expect(MetricsReport.bar(10, max: 10, width: 4) == "████")
        #expect(MetricsReport.bar(5, max: 10, width: 4) == "██")
        #expect(MetricsReport.bar(1, max: 16, width: 4) == "▎")
        #expect(MetricsReport.bar(0, max: 10, width: 4) == "")
        #expect(MetricsReport.bar(.infinity, max: 10, width: 4) == "")
        #expect(MetricsReport.bar(0.0001, max: 10, width: 4) == "▏")
    }

    @Test func eachStoredEventFiresItsHooks() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        let declared = try #require(s.record.events.first)
        #expect(HookEvents.fired(by: declared, before: nil, after: s.record.state) == ["declared"])
        var before = s.record.state
        try Actions.contain(&s.record, summary: nil, actor: Scenario.actor("2026-11-23T14:20:00Z"))
        // Containment implies acknowledgement: both hooks fire.
        #expect(HookEvents.fired(by: s.record.events.last!, before: before, after: s.record.state) == ["contained", "acknowledged"])
        before = s.record.state
        try Actions.note(&s.record, runbook: s.runbook, text: "Status page updated", kind: "comms", actor: Scenario.actor("2026-11-23T14:25:00Z"))
        #expect(HookEvents.fired(by: s.record.events.last!, before: before, after: s.record.state) == ["comms-recorded", "entry-added"])
        before = s.record.state
        try Actions.note(&s.record, runbook: s.runbook, text: "Looking at the pool", kind: nil, actor: Scenario.actor("2026-11-23T14:26:00Z"))
        #expect(HookEvents.fired(by: s.record.events.last!, before: before, after: s.record.state) == ["entry-added"])
        before = s.record.state
        try Actions.changeSeverity(&s.record, runbook: s.runbook, to: "critical", reason: nil, actor: Scenario.actor("2026-11-23T14:27:00Z"))
        #expect(HookEvents.fired(by: s.record.events.last!, before: before, after: s.record.state) == ["severity-changed"])
        for event in HookEvents.all { #expect(HookEvents.isKnown(event)) }
        #expect(HookEvents.isKnown("any") && !HookEvents.isKnown("../declared"))
    }

    @Test func announcementsAreKeyedByDeadline() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        let early = TimerAnnouncement.due(s.record, runbook: s.runbook, time: .standard, at: ts("2026-11-23T14:55:00Z"), window: 15 * 60_000)
        #expect(early.contains { $0.event == "sla-due-soon" && $0.subject == "acknowledge" })
        let late = TimerAnnouncement.due(s.record, runbook: s.runbook, time: .standard, at: ts("2026-11-23T15:10:00Z"), window: 0)
        let breach = try #require(late.first { $0.subject == "acknowledge" })
        #expect(breach.event == "sla-breached" && breach.lateness == 5 * 60_000)
        #expect(breach.key == "INC-1/sla-breached/acknowledge/2026-11-23T15:05:00Z")
        // A severity change moves the deadline: a new key, a new announcement.
        try Actions.changeSeverity(&s.record, runbook: s.runbook, to: "critical", reason: nil, actor: Scenario.actor("2026-11-23T14:06:00Z"))
        let moved = TimerAnnouncement.due(s.record, runbook: s.runbook, time: .standard, at: ts("2026-11-23T15:10:00Z"), window: 0)
        #expect(moved.first { $0.subject == "acknowledge" }?.key != breach.key)
        // Met timers are not announced.
        try Actions.acknowledge(&s.record, actor: Scenario.actor("2026-11-23T15:11:00Z"))
        let after = TimerAnnouncement.due(s.record, runbook: s.runbook, time: .standard, at: ts("2026-11-23T15:12:00Z"), window: 0)
        #expect(!after.contains { $0.subject == "acknowledge" })
    }

    @Test func statusPageItemHoldsOnlyPublicFields() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        #expect(StatusPage.item(s.record) == nil)  // nothing public
        try Actions.setPublicTitle(&s.record, to: "Payments slow", actor: Scenario.actor("2026-11-23T14:06:00Z"))
        try Actions.note(&s.record, runbook: s.runbook, text: "internal only", kind: nil, actor: Scenario.actor("2026-11-23T14:07:00Z"))
        try Actions.note(&s.record, runbook: s.runbook, text: "We are investigating.", kind: "comms", fields: ["template": "status-page"],
                         actor: Scenario.actor("2026-11-23T14:08:00Z"))
        let item = try #require(StatusPage.item(s.record))
        #expect(item.title == "Payments slow" && item.status == "investigating" && item.current)
        #expect(item.updates.map(\.text) == ["We are investigating."])
        #expect(!item.anchor.contains("INC"))
        let html = StatusPage.html([item], title: "Status", now: ts("2026-11-23T15:00:00Z"))
        #expect(html.contains("Payments slow") && !html.contains("internal only") && !html.contains("Checkout 500s"))
        var drill = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        drill.record = try Actions.declare(id: IncidentID(number: 2), runbook: drill.runbook,
                                           Actions.Declaration(title: "x", severity: "high", drill: true, publicTitle: "Drill"),
                                           actor: Scenario.actor("2026-11-23T14:05:00Z"))
        #expect(StatusPage.item(drill.record) == nil)
    }

    @Test func declinedAndDuplicateIncidentsAreLeftOut() throws {
        var declined = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try Actions.setPublicTitle(&declined.record, to: "Payments slow", actor: Scenario.actor("2026-11-23T14:06:00Z"))
        #expect(declined.record.exclusion == nil)
        try declined.record.append(Event(id: Event.newID(), kind: "declined", at: ts("2026-11-23T14:10:00Z"),
                                         recordedAt: ts("2026-11-23T14:10:00Z"), author: "alice", text: "Declined: false alarm"))
        #expect(declined.record.exclusion == "declined")
        #expect(StatusPage.item(declined.record) == nil)
        var duplicate = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try duplicate.record.append(Event(id: Event.newID(), kind: "merged", at: ts("2026-11-23T14:10:00Z"),
                                          recordedAt: ts("2026-11-23T14:10:00Z"), author: "alice", text: "Merged into INC-9"))
        #expect(duplicate.record.exclusion == "duplicate")
        try duplicate.record.append(Event(id: Event.newID(), kind: BuiltInKind.reopened, at: ts("2026-11-23T14:20:00Z"),
                                          recordedAt: ts("2026-11-23T14:20:00Z"), author: "alice", text: "Reopened"))
        #expect(duplicate.record.exclusion == nil)
        let counted = try Scenario(severity: "low", at: "2026-11-23T14:05:00Z")
        let report = MetricsReport.build([declined.record, counted.record], runbook: counted.runbook, time: .standard,
                                         since: nil, until: nil, now: ts("2026-11-24T00:00:00Z"), by: nil)
        #expect(report.overall.incidents == 1 && report.excluded.declined == 1 && report.excluded.drills == 0)
    }
}
