import Testing
import IncidentKit
import TestSupport

/// Each shipped seed runbook, replayed: every SLA number and gate its source document states.
/// Declarations are at 16:00 UTC on Friday 27 November 2026 unless a row says otherwise,
/// so business-day arithmetic crosses a weekend.
@Suite struct SeedRunbookTests {
    static let friday = "2026-11-27T16:00:00Z"

    struct Row: Sendable, CustomStringConvertible {
        var runbook: String, level: String, timer: String, due: String
        var description: String { "\(runbook) \(level) \(timer)" }
    }

    static let table: [Row] = [
        // seed 000: target RTO and comms cadence per level; review within 5 business days of resolution.
        Row(runbook: "sev0-4", level: "SEV1", timer: "restore", due: "2026-11-28T00:00:00Z"),
        Row(runbook: "sev0-4", level: "SEV2", timer: "restore", due: "2026-11-27T20:00:00Z"),
        Row(runbook: "sev0-4", level: "SEV3", timer: "restore", due: "2026-11-27T17:00:00Z"),
        Row(runbook: "sev0-4", level: "SEV4", timer: "restore", due: "2026-11-27T17:00:00Z"),
        Row(runbook: "sev0-4", level: "SEV1", timer: "comms-update", due: "2026-11-27T18:00:00Z"),
        Row(runbook: "sev0-4", level: "SEV2", timer: "comms-update", due: "2026-11-27T17:00:00Z"),
        Row(runbook: "sev0-4", level: "SEV3", timer: "comms-update", due: "2026-11-27T16:30:00Z"),
        // seed 002: acknowledge / contain / permanent fix.
        Row(runbook: "sla-matrix", level: "critical", timer: "acknowledge", due: "2026-11-27T16:15:00Z"),
        Row(runbook: "sla-matrix", level: "critical", timer: "contain", due: "2026-11-27T20:00:00Z"),
        Row(runbook: "sla-matrix", level: "critical", timer: "permanent-fix", due: "2026-11-28T16:00:00Z"),
        Row(runbook: "sla-matrix", level: "high", timer: "acknowledge", due: "2026-11-27T17:00:00Z"),
        Row(runbook: "sla-matrix", level: "high", timer: "contain", due: "2026-11-28T16:00:00Z"),
        Row(runbook: "sla-matrix", level: "high", timer: "permanent-fix", due: "2026-12-02T16:00:00Z"),
        Row(runbook: "sla-matrix", level: "medium", timer: "acknowledge", due: "2026-11-30T16:00:00Z"),
        Row(runbook: "sla-matrix", level: "medium", timer: "contain", due: "2026-12-02T16:00:00Z"),
        Row(runbook: "sla-matrix", level: "medium", timer: "permanent-fix", due: "2026-12-11T16:00:00Z"),
        Row(runbook: "sla-matrix", level: "low", timer: "acknowledge", due: "2026-12-01T16:00:00Z"),
        Row(runbook: "sla-matrix", level: "low", timer: "contain", due: "2026-12-11T16:00:00Z"),
        // seed 003: response, notification, cadence and patch.
        Row(runbook: "nist-800-61", level: "critical", timer: "response", due: "2026-11-27T16:15:00Z"),
        Row(runbook: "nist-800-61", level: "critical", timer: "notify-stakeholders", due: "2026-11-27T20:00:00Z"),
        Row(runbook: "nist-800-61", level: "critical", timer: "comms-update", due: "2026-11-27T17:00:00Z"),
        Row(runbook: "nist-800-61", level: "critical", timer: "patch", due: "2026-11-28T16:00:00Z"),
        Row(runbook: "nist-800-61", level: "high", timer: "response", due: "2026-11-28T16:00:00Z"),
        Row(runbook: "nist-800-61", level: "high", timer: "patch", due: "2026-12-04T16:00:00Z"),
        Row(runbook: "nist-800-61", level: "medium", timer: "response", due: "2026-11-30T16:00:00Z"),
        Row(runbook: "nist-800-61", level: "medium", timer: "patch", due: "2026-12-27T16:00:00Z"),
        // seed 004: response, exec notification, hourly updates.
        Row(runbook: "sev0-2", level: "Sev 0", timer: "acknowledge", due: "2026-11-27T16:15:00Z"),
        Row(runbook: "sev0-2", level: "Sev 0", timer: "exec-notification", due: "2026-11-27T16:30:00Z"),
        Row(runbook: "sev0-2", level: "sev-1", timer: "acknowledge", due: "2026-11-27T16:15:00Z"),
        Row(runbook: "sev0-2", level: "SEV1", timer: "comms-update", due: "2026-11-27T17:00:00Z"),
        Row(runbook: "sev0-2", level: "Sev 2", timer: "acknowledge", due: "2026-11-30T16:00:00Z"),
    ]

    @Test(arguments: table)
    func deadlines(row: Row) throws {
        let rb = try Runbook.shipped(named: row.runbook)
        let s = try Scenario(severity: row.level, at: Self.friday, runbook: rb)
        let timer = try #require(s.timers(at: Self.friday)[row.timer], "no \(row.timer) timer")
        #expect(timer.dueAt == ts(row.due))
    }

    /// Timers a level does not have, per the documents.
    @Test(arguments: [
        ("sev0-4", "SEV0", "restore"), ("sev0-4", "SEV0", "comms-update"), ("sla-matrix", "low", "permanent-fix"),
        ("nist-800-61", "low", "response"), ("nist-800-61", "high", "comms-update"), ("sev0-2", "Sev 2", "comms-update"),
        ("sev0-2", "Sev 1", "exec-notification"),
    ])
    func absentTimers(runbook: String, level: String, timer: String) throws {
        let s = try Scenario(severity: level, at: Self.friday, runbook: try Runbook.shipped(named: runbook))
        #expect(s.timers(at: Self.friday)[timer] == nil)
    }

    @Test func seed001HasNoNumbersButNotifiesExecutivesForSev1And2() throws {
        let rb = try Runbook.shipped(named: "sev1-4")
        #expect(rb.timers.isEmpty)
        for (level, owed) in [("SEV-1", true), ("sev2", true), ("Sev 3", false), ("SEV4", false)] {
            let s = try Scenario(severity: level, at: Self.friday, runbook: rb)
            let items = Checklist.items(for: s.record.state, events: s.record.events, runbook: rb)
            #expect(items.contains { $0.satisfiedBy == ["exec-notification"] && $0.required } == owed, "\(level)")
        }
    }

    @Test func seed000ExecNotificationIsRequiredFromSev3AndTickedByTheEntry() throws {
        let rb = try Runbook.shipped(named: "sev0-4")
        var s = try Scenario(severity: "SEV3", at: Self.friday, runbook: rb)
        var owed = Checklist.items(for: s.record.state, events: s.record.events, runbook: rb).first { $0.text == "Exec SMS list notified" }
        #expect(owed?.done == false && owed?.required == true)
        try Actions.note(&s.record, runbook: rb, text: "Exec SMS sent", kind: "exec", actor: Scenario.actor("2026-11-27T16:10:00Z"))
        owed = Checklist.items(for: s.record.state, events: s.record.events, runbook: rb).first { $0.text == "Exec SMS list notified" }
        #expect(owed?.done == true)
        let sev2 = try Scenario(severity: "SEV2", at: Self.friday, runbook: rb)
        #expect(!Checklist.items(for: sev2.record.state, events: sev2.record.events, runbook: rb).contains { $0.text == "Exec SMS list notified" })
    }

    @Test func seed000ReviewWithinFiveBusinessDaysOfResolution() throws {
        var s = try Scenario(severity: "SEV2", at: Self.friday, runbook: try Runbook.shipped(named: "sev0-4"))
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-27T18:00:00Z"))
        #expect(s.timers(at: "2026-11-27T18:00:00Z")["review"]?.dueAt == ts("2026-12-04T18:00:00Z"))
    }

    @Test func seed002DefinitionOfDone() throws {
        let rb = try Runbook.shipped(named: "sla-matrix")
        var s = try Scenario(severity: "high", at: Self.friday, runbook: rb)
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-27T18:00:00Z"))
        try Actions.addActionItem(&s.record, text: "Add tenant isolation test", owner: nil, dueAt: nil, term: .short, actor: Scenario.actor("2026-11-27T18:01:00Z"))
        let reasons = Actions.unmetGates(s.record, runbook: rb, at: Timestamp(milliseconds: Int64.max / 2), time: .standard).joined(separator: " | ")
        #expect(reasons.contains("Containment steps completed"))
        #expect(reasons.contains("Permanent fix deployed"))
        #expect(reasons.contains("postmortem is not published"))
        #expect(reasons.contains("A1"))
        #expect(throws: IncidentError.self) {
            try Actions.close(&s.record, runbook: rb, time: .standard, force: false, reason: nil, actor: Scenario.actor("2026-11-27T18:05:00Z"))
        }
        // The fix entry stops the permanent-fix timer and ticks the item.
        try Actions.note(&s.record, runbook: rb, text: "v2.3.1 deployed", kind: "fix", actor: Scenario.actor("2026-11-27T18:10:00Z"))
        #expect(s.timers(at: "2026-11-27T18:10:00Z")["permanent-fix"]?.state == .met)
    }

    @Test func seed003CadenceStopsAtContainment() throws {
        let rb = try Runbook.shipped(named: "nist-800-61")
        var s = try Scenario(severity: "critical", at: Self.friday, runbook: rb)
        try Actions.note(&s.record, runbook: rb, text: "update", kind: "comms", actor: Scenario.actor("2026-11-27T16:50:00Z"))
        try Actions.contain(&s.record, summary: nil, actor: Scenario.actor("2026-11-27T17:30:00Z"))
        let t = try #require(s.timers(at: "2026-11-28T12:00:00Z")["comms-update"])
        #expect(t.finished && t.state == .met)
    }

    @Test func seed004Sev0NeedsAllFiveLeadsAndTheReportGate() throws {
        let rb = try Runbook.shipped(named: "sev0-2")
        var s = try Scenario(severity: "sev0", at: Self.friday, runbook: rb)
        #expect(SLAEngine.missingRoles(s.record.state, runbook: rb) == ["commander", "deputy", "ops", "security", "comms"])
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-27T18:00:00Z"))
        #expect(s.timers(at: "2026-11-27T18:00:00Z")["incident-report"]?.dueAt == ts("2026-11-29T18:00:00Z"))
        #expect(Actions.unmetGates(s.record, runbook: rb, at: Timestamp(milliseconds: Int64.max / 2), time: .standard).contains { $0.contains("postmortem is not published") })
    }

    @Test func drillsAndTypesParse() throws {
        #expect(try Runbook.shipped(named: "sev0-4").drills?.map(\.every) == ["quarterly", "yearly"])
        let types = IncidentTypeCatalogue.shipped.map(\.id)
        #expect(types == ["outage", "security-breach", "data-breach", "leaked-credential"])
        let rb = try Runbook.shipped(named: "default")
        var s = try Scenario(severity: "high", at: Self.friday, runbook: rb)
        s.record = try Actions.declare(id: IncidentID(number: 2), runbook: rb,
                                       Actions.Declaration(title: "key on GitHub", severity: "high", type: "Leaked Credential"),
                                       actor: Scenario.actor(Self.friday))
        #expect(s.record.state.type == "leaked-credential")
        #expect(SLAEngine.missingRoles(s.record.state, runbook: rb).contains("security"))
        #expect(Checklist.items(for: s.record.state, events: s.record.events, runbook: rb).contains { $0.text == "Credential revoked or disabled" && $0.phase == "contain" })
    }
}
