import Testing
import IncidentKit
import TestSupport

/// Builds incidents through `Actions` with explicit times: every deadline below is exact.
struct Scenario {
    let runbook: Runbook
    var record: IncidentRecord

    init(severity: String, at: String, startedAt: String? = nil, runbook: Runbook = Runbook.builtInDefault) throws {
        self.runbook = runbook
        record = try Actions.declare(
            id: IncidentID(number: 1), runbook: runbook,
            Actions.Declaration(title: "Checkout 500s", severity: severity, startedAt: startedAt.map(ts)),
            actor: Scenario.actor(at))
    }

    static func actor(_ at: String, _ name: String = "alice") -> Actor {
        Actor(name: name, at: ts(at), recordedAt: ts(at))
    }

    func timers(at: String, asOf: Bool = false) -> [String: TimerStatus] {
        Dictionary(uniqueKeysWithValues: SLAEngine.evaluate(record, runbook: runbook, time: .standard, at: ts(at), asOf: asOf).map { ($0.id, $0) })
    }
}

@Suite struct SLAEngineTests {
    /// The default runbook's table: level → timer → deadline for a declaration at 14:05 on Monday 23 November.
    @Test(arguments: [
        ("critical", "acknowledge", "2026-11-23T14:20:00Z"),
        ("critical", "exec-notification", "2026-11-23T14:35:00Z"),
        ("critical", "comms-update", "2026-11-23T14:35:00Z"),
        ("critical", "resolve", "2026-11-23T15:05:00Z"),
        ("critical", "contain", "2026-11-23T18:05:00Z"),
        ("high", "acknowledge", "2026-11-23T15:05:00Z"),
        ("high", "exec-notification", "2026-11-23T18:05:00Z"),
        ("high", "comms-update", "2026-11-23T15:05:00Z"),
        ("high", "resolve", "2026-11-23T18:05:00Z"),
        ("high", "contain", "2026-11-24T14:05:00Z"),
        ("medium", "acknowledge", "2026-11-24T14:05:00Z"),
        ("medium", "comms-update", "2026-11-23T16:05:00Z"),
        ("medium", "resolve", "2026-11-23T22:05:00Z"),
        ("medium", "contain", "2026-11-26T14:05:00Z"),
        ("low", "acknowledge", "2026-11-25T14:05:00Z"),
        ("low", "contain", "2026-12-07T14:05:00Z"),
    ])
    func defaultRunbookDeadlines(level: String, timer: String, due: String) throws {
        let s = try Scenario(severity: level, at: "2026-11-23T14:05:00Z")
        let t = try #require(s.timers(at: "2026-11-23T14:05:00Z")[timer])
        #expect(t.dueAt == ts(due))
        #expect(t.state == .pending)
    }

    @Test func levelsWithoutATimerDoNotHaveIt() throws {
        let s = try Scenario(severity: "low", at: "2026-11-23T14:05:00Z")
        let timers = s.timers(at: "2026-11-23T14:05:00Z")
        #expect(timers["resolve"] == nil && timers["comms-update"] == nil && timers["exec-notification"] == nil)
    }

    @Test func acknowledgeMetOrBreached() throws {
        var s = try Scenario(severity: "critical", at: "2026-11-23T14:05:00Z")
        #expect(s.timers(at: "2026-11-23T14:20:00Z")["acknowledge"]?.state == .pending)
        #expect(s.timers(at: "2026-11-23T14:20:00.001Z")["acknowledge"]?.state == .breached)
        try Actions.acknowledge(&s.record, actor: Scenario.actor("2026-11-23T14:12:00Z"))
        let t = try #require(s.timers(at: "2026-11-23T16:00:00Z")["acknowledge"])
        #expect(t.state == .met && t.metAt == ts("2026-11-23T14:12:00Z"))
        var late = try Scenario(severity: "critical", at: "2026-11-23T14:05:00Z")
        try Actions.acknowledge(&late.record, actor: Scenario.actor("2026-11-23T14:25:00Z"))
        #expect(late.timers(at: "2026-11-23T16:00:00Z")["acknowledge"]?.state == .breached)
    }

    @Test func reclassifyingMovesDeadlines() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        #expect(s.timers(at: "2026-11-23T14:10:00Z")["acknowledge"]?.dueAt == ts("2026-11-23T15:05:00Z"))
        try Actions.changeSeverity(&s.record, runbook: s.runbook, to: "CRITICAL", reason: "spreading", actor: Scenario.actor("2026-11-23T14:10:00Z"))
        let timers = s.timers(at: "2026-11-23T14:30:00Z")
        #expect(timers["acknowledge"]?.dueAt == ts("2026-11-23T14:20:00Z"))
        #expect(timers["acknowledge"]?.state == .breached)
        #expect(timers["resolve"]?.dueAt == ts("2026-11-23T15:05:00Z"))
        try Actions.changeSeverity(&s.record, runbook: s.runbook, to: "low", reason: nil, actor: Scenario.actor("2026-11-23T14:40:00Z"))
        #expect(s.timers(at: "2026-11-23T14:40:00Z")["acknowledge"]?.dueAt == ts("2026-11-25T14:05:00Z"))
    }

    @Test func commsCadenceRestartsAtEachUpdate() throws {
        var s = try Scenario(severity: "critical", at: "2026-11-23T14:00:00Z")
        #expect(s.timers(at: "2026-11-23T14:29:00Z")["comms-update"]?.dueAt == ts("2026-11-23T14:30:00Z"))
        try Actions.note(&s.record, runbook: s.runbook, text: "Status page updated", kind: "comms", actor: Scenario.actor("2026-11-23T14:20:00Z"))
        var t = try #require(s.timers(at: "2026-11-23T14:30:00Z")["comms-update"])
        #expect(t.dueAt == ts("2026-11-23T14:50:00Z") && t.state == .pending && t.metAt == ts("2026-11-23T14:20:00Z"))
        t = try #require(s.timers(at: "2026-11-23T14:55:00Z")["comms-update"])
        #expect(t.state == .breached)
        // A late update counts one missed cycle and restarts the clock.
        try Actions.note(&s.record, runbook: s.runbook, text: "Update 2", kind: "update", actor: Scenario.actor("2026-11-23T15:00:00Z"))
        t = try #require(s.timers(at: "2026-11-23T15:10:00Z")["comms-update"])
        #expect(t.dueAt == ts("2026-11-23T15:30:00Z") && t.state == .pending && t.missed == 1)
        // Resolution ends the cadence; the missed cycle makes it breached overall.
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-23T15:20:00Z"))
        t = try #require(s.timers(at: "2026-11-23T18:00:00Z")["comms-update"])
        #expect(t.finished && t.state == .breached)
    }

    /// Closing stops every clock. A deadline still open at the close is over: breached if it
    /// had already passed, otherwise stopped (pending, never due), and neither counts down
    /// nor runs overdue afterwards; the update cadence ends at the close. A reopen resumes them.
    @Test func closingStopsEveryOpenDeadline() throws {
        var s = try Scenario(severity: "critical", at: "2026-11-23T14:00:00Z")
        try Actions.close(&s.record, runbook: s.runbook, time: .standard, force: true, reason: "false alarm",
                          actor: Scenario.actor("2026-11-23T14:20:00Z"))
        for at in ["2026-11-23T14:20:00Z", "2026-11-23T19:00:00Z", "2026-12-30T00:00:00Z"] {
            let timers = s.timers(at: at)
            let ack = try #require(timers["acknowledge"])  // due 14:15: passed before the close
            #expect(ack.finished && ack.state == .breached && ack.metAt == nil && ack.remaining(at: ts(at)) == nil)
            let resolve = try #require(timers["resolve"])  // due 15:00: not yet due at the close
            #expect(resolve.finished && resolve.state == .pending && resolve.metAt == nil && resolve.remaining(at: ts(at)) == nil)
            let cadence = try #require(timers["comms-update"])  // due 14:30, no update owed yet
            #expect(cadence.finished && cadence.state == .met && cadence.missed == 0)
            #expect(timers["postmortem"]?.isStarted == false)
        }
        // Before the close (as of 14:10), they were running.
        let then = s.timers(at: "2026-11-23T14:10:00Z", asOf: true)
        #expect(then["resolve"]?.finished == false && then["acknowledge"]?.finished == false)
        // A cadence overdue at the close counts the missed update.
        var late = try Scenario(severity: "critical", at: "2026-11-23T14:00:00Z")
        try Actions.close(&late.record, runbook: late.runbook, time: .standard, force: true, reason: "duplicate",
                          actor: Scenario.actor("2026-11-23T14:45:00Z"))
        let owed = try #require(late.timers(at: "2026-11-23T16:00:00Z")["comms-update"])
        #expect(owed.finished && owed.state == .breached && owed.missed == 1)
        // Reopened: the clocks run again.
        try Actions.reopen(&s.record, reason: "it came back", actor: Scenario.actor("2026-11-23T14:40:00Z"))
        let again = s.timers(at: "2026-11-23T14:41:00Z")
        #expect(again["resolve"]?.finished == false && again["resolve"]?.state == .pending)
        #expect(again["comms-update"]?.finished == false)
    }

    /// Resolved, then closed before the postmortem: the postmortem deadline still runs after
    /// the close (publishing is something a closed incident still takes), so it can go
    /// overdue and be met late; the review, which a closed incident cannot record, stops.
    @Test func thePostmortemDeadlineOutlivesTheClose() throws {
        var s = try Scenario(severity: "high", at: "2026-11-20T20:00:00Z")
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-20T21:00:00Z"))
        try Actions.close(&s.record, runbook: s.runbook, time: .standard, force: true, reason: "done",
                          actor: Scenario.actor("2026-11-20T21:40:00Z"))
        var timers = s.timers(at: "2026-11-21T12:00:00Z")
        var postmortem = try #require(timers["postmortem"])
        #expect(!postmortem.finished && postmortem.state == .pending && postmortem.dueAt == ts("2026-11-22T21:00:00Z"))
        #expect(timers["review"]?.finished == true && timers["review"]?.stoppedByClose == true)
        postmortem = try #require(s.timers(at: "2026-11-25T00:00:00Z")["postmortem"])
        #expect(!postmortem.finished && postmortem.state == .breached)
        try Actions.publishPostmortem(&s.record, path: nil, actor: Scenario.actor("2026-11-23T09:00:00Z"))
        timers = s.timers(at: "2026-11-25T00:00:00Z")
        postmortem = try #require(timers["postmortem"])
        #expect(postmortem.finished && postmortem.state == .breached && postmortem.metAt == ts("2026-11-23T09:00:00Z"))
        // Declined (or merged into another) after the resolution: no postmortem is owed here.
        var declined = try Scenario(severity: "high", at: "2026-11-20T20:00:00Z")
        try Actions.resolve(&declined.record, summary: nil, actor: Scenario.actor("2026-11-20T21:00:00Z"))
        try Actions.decline(&declined.record, reason: "a test alert", actor: Scenario.actor("2026-11-20T21:10:00Z"))
        #expect(declined.timers(at: "2026-11-25T00:00:00Z")["postmortem"]?.stoppedByClose == true)
    }

    /// A reopen undoes the resolution in the state, not in the history: a deadline the
    /// resolution met stays met, and the update cadence, paused while the incident stood
    /// resolved, runs again from the reopen (nothing owed for the resolved days).
    @Test func aReopenKeepsMetDeadlinesAndRestartsTheCadence() throws {
        var s = try Scenario(severity: "high", at: "2026-11-20T10:00:00Z")
        try Actions.note(&s.record, runbook: s.runbook, text: "update 1", kind: "comms", actor: Scenario.actor("2026-11-20T10:30:00Z"))
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-20T11:00:00Z"))
        try Actions.reopen(&s.record, reason: "back", actor: Scenario.actor("2026-11-25T09:00:00Z"))
        var timers = s.timers(at: "2026-11-25T09:01:00Z")
        let resolve = try #require(timers["resolve"])
        #expect(resolve.state == .met && resolve.metAt == ts("2026-11-20T11:00:00Z") && resolve.finished)
        var cadence = try #require(timers["comms-update"])
        #expect(cadence.state == .pending && !cadence.finished && cadence.missed == 0)
        #expect(cadence.dueAt == ts("2026-11-25T10:00:00Z"), "\(String(describing: cadence.dueAt))")
        // Unanswered after the reopen: breached as usual.
        cadence = try #require(s.timers(at: "2026-11-25T10:30:00Z")["comms-update"])
        #expect(cadence.state == .breached && cadence.missed == 0)
        // Updated, then resolved again: the cadence ends met.
        try Actions.note(&s.record, runbook: s.runbook, text: "update 2", kind: "comms", actor: Scenario.actor("2026-11-25T09:40:00Z"))
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-25T10:20:00Z"))
        timers = s.timers(at: "2026-11-25T12:00:00Z")
        cadence = try #require(timers["comms-update"])
        #expect(cadence.finished && cadence.state == .met && cadence.missed == 0 && cadence.metAt == ts("2026-11-25T09:40:00Z"))
        #expect(timers["resolve"]?.state == .met)
    }

    /// A resolution that came after a missed cycle still counts it once reopened and resolved.
    @Test func aMissBeforeTheReopenIsKept() throws {
        var s = try Scenario(severity: "high", at: "2026-11-20T10:00:00Z")
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-20T12:00:00Z"))  // no update by 11:00
        try Actions.reopen(&s.record, reason: "back", actor: Scenario.actor("2026-11-21T09:00:00Z"))
        let cadence = try #require(s.timers(at: "2026-11-21T09:30:00Z")["comms-update"])
        #expect(cadence.missed == 1 && cadence.state == .pending && cadence.dueAt == ts("2026-11-21T10:00:00Z"))
        #expect(s.timers(at: "2026-11-21T09:30:00Z")["resolve"]?.state == .met)  // restored at 12:00, due by 14:00
    }

    @Test func cadenceMetWhenEveryCycleHadAnUpdate() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:00:00Z")
        for at in ["2026-11-23T14:50:00Z", "2026-11-23T15:45:00Z"] {
            try Actions.note(&s.record, runbook: s.runbook, text: "update", kind: "comms", actor: Scenario.actor(at))
        }
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-23T16:30:00Z"))
        let t = try #require(s.timers(at: "2026-11-24T00:00:00Z")["comms-update"])
        #expect(t.state == .met && t.missed == 0)
    }

    @Test func postResolutionTimersStartAtResolution() throws {
        var s = try Scenario(severity: "critical", at: "2026-11-27T10:00:00Z")  // a Friday
        #expect(s.timers(at: "2026-11-27T10:00:00Z")["postmortem"]?.isStarted == false)
        try Actions.resolve(&s.record, summary: "fixed", actor: Scenario.actor("2026-11-27T16:00:00Z"))
        let timers = s.timers(at: "2026-11-27T16:00:00Z")
        #expect(timers["postmortem"]?.dueAt == ts("2026-11-29T16:00:00Z"))
        #expect(timers["review"]?.dueAt == ts("2026-12-04T16:00:00Z"))
        try Actions.publishPostmortem(&s.record, path: nil, actor: Scenario.actor("2026-11-28T09:00:00Z"))
        #expect(s.timers(at: "2026-11-30T00:00:00Z")["postmortem"]?.state == .met)
    }

    @Test func resolutionImpliesContainmentAndAcknowledgement() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try Actions.resolve(&s.record, summary: nil, actor: Scenario.actor("2026-11-23T14:30:00Z"))
        #expect(s.record.state.acknowledgedAt == ts("2026-11-23T14:30:00Z"))
        #expect(s.record.state.containedAt == ts("2026-11-23T14:30:00Z"))
        #expect(s.timers(at: "2026-11-24T00:00:00Z")["contain"]?.state == .met)
    }

    @Test func enteringAMarkedPhaseContains() throws {
        var s = try Scenario(severity: "critical", at: "2026-11-23T14:05:00Z")
        try Actions.changePhase(&s.record, runbook: s.runbook, to: nil, force: false, reason: nil, actor: Scenario.actor("2026-11-23T14:10:00Z"))
        try Actions.changePhase(&s.record, runbook: s.runbook, to: "eradication", force: false, reason: nil, actor: Scenario.actor("2026-11-23T14:50:00Z"))
        #expect(s.record.state.containedAt == ts("2026-11-23T14:50:00Z"))
    }

    @Test func asOfIgnoresLaterEvents() throws {
        var s = try Scenario(severity: "critical", at: "2026-11-23T14:05:00Z")
        try Actions.acknowledge(&s.record, actor: Scenario.actor("2026-11-23T14:30:00Z"))
        // "What was overdue at 14:25?" — the ack had not happened yet.
        #expect(s.timers(at: "2026-11-23T14:25:00Z", asOf: true)["acknowledge"]?.state == .breached)
        #expect(s.timers(at: "2026-11-23T14:10:00Z", asOf: true)["acknowledge"]?.state == .pending)
        #expect(s.timers(at: "2026-11-23T14:25:00Z", asOf: false)["acknowledge"]?.metAt == ts("2026-11-23T14:30:00Z"))
    }

    @Test func missingRolesFollowTheLevel() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        #expect(SLAEngine.missingRoles(s.record.state, runbook: s.runbook) == ["commander", "comms"])
        try Actions.assign(&s.record, runbook: s.runbook, role: "IC", name: "alice", actor: Scenario.actor("2026-11-23T14:06:00Z"))
        #expect(SLAEngine.missingRoles(s.record.state, runbook: s.runbook) == ["comms"])
        try Actions.changeSeverity(&s.record, runbook: s.runbook, to: "critical", reason: nil, actor: Scenario.actor("2026-11-23T14:07:00Z"))
        #expect(SLAEngine.missingRoles(s.record.state, runbook: s.runbook) == ["scribe", "comms", "ops"])
    }
}
