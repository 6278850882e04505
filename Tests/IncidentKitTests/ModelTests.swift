import Testing
import IncidentKit
import TestSupport

@Suite struct ModelTests {
    @Test func backFilledEntriesAreShownInTimeOrder() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z", startedAt: "2026-11-23T13:50:00Z")
        try Actions.note(&s.record, runbook: s.runbook, text: "first alert fired", kind: "detection",
                         actor: Actor(name: "bob", at: ts("2026-11-23T13:52:00Z"), recordedAt: ts("2026-11-23T14:30:00Z")))
        try Actions.note(&s.record, runbook: s.runbook, text: "deploy v1.5 went out", kind: nil,
                         actor: Actor(name: "bob", at: ts("2026-11-23T13:45:00Z"), recordedAt: ts("2026-11-23T14:31:00Z")))
        #expect(s.record.timeline.map(\.text) == ["deploy v1.5 went out", "first alert fired", "Declared \"Checkout 500s\" at High"])
        // The hash chain follows the order written, not the order of `at`.
        #expect(Verifier.verify(s.record).ok)
    }

    @Test func stateIsAFunctionOfTheEvents() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        try Actions.assign(&s.record, runbook: s.runbook, role: "ic", name: "alice", actor: Scenario.actor("2026-11-23T14:06:00Z"))
        try Actions.assign(&s.record, runbook: s.runbook, role: "commander", name: "bob", actor: Scenario.actor("2026-11-23T14:40:00Z"))
        try Actions.unassign(&s.record, runbook: s.runbook, role: "Incident Commander", actor: Scenario.actor("2026-11-23T14:50:00Z"))
        try Actions.assign(&s.record, runbook: s.runbook, role: "comms-lead", name: "carol", actor: Scenario.actor("2026-11-23T14:51:00Z"))
        try Actions.resolve(&s.record, summary: "rolled back", actor: Scenario.actor("2026-11-23T15:00:00Z"))
        try Actions.reopen(&s.record, reason: "errors again", actor: Scenario.actor("2026-11-23T15:10:00Z"))
        let derived = try IncidentState.derive(id: s.record.id, events: s.record.events)
        #expect(derived == s.record.state)
        #expect(derived.roles == ["comms": "carol"])
        #expect(derived.status == .active && derived.resolvedAt == nil)
        #expect(s.record.events.first { $0.kind == "assigned" && $0.fields["previous"] == "alice" } != nil)
    }

    @Test func phaseRules() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        let a = Scenario.actor("2026-11-23T14:10:00Z")
        #expect(throws: IncidentError.self) { try Actions.changePhase(&s.record, runbook: s.runbook, to: "recover", force: false, reason: nil, actor: a) }
        #expect(s.record.state.phase == "detect")
        try Actions.changePhase(&s.record, runbook: s.runbook, to: "recover", force: true, reason: "already mitigated", actor: a)
        #expect(s.record.state.phase == "recover" && s.record.events.last?.fields["forced"] == "true")
        try Actions.changePhase(&s.record, runbook: s.runbook, to: "contain", force: false, reason: nil, actor: a)  // back is allowed
        try Actions.changePhase(&s.record, runbook: s.runbook, to: nil, force: false, reason: nil, actor: a)
        #expect(s.record.state.phase == "eradicate")
        #expect(throws: IncidentError.self) { try Actions.changePhase(&s.record, runbook: s.runbook, to: "eradicate", force: false, reason: nil, actor: a) }
    }

    /// An incident whose phase the runbook no longer has (removed or renamed since) is not
    /// advanced to a guessed "next" phase (it jumped past Containment); naming one works.
    @Test func aPhaseTheRunbookNoLongerHasMustNameTheNext() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        var runbook = s.runbook
        runbook.phases.removeAll { $0.id == "detect" }
        let a = Scenario.actor("2026-11-23T14:10:00Z")
        #expect(s.record.state.phase == "detect")
        do {
            try Actions.changePhase(&s.record, runbook: runbook, to: nil, force: false, reason: nil, actor: a)
            Issue.record("advanced from a phase the runbook does not have")
        } catch let IncidentError.refused(message) {
            #expect(message.contains("'detect'") && message.contains("contain, eradicate") && message.contains("incident phase INC-1 PHASE"), "\(message)")
        }
        #expect(s.record.state.phase == "detect")
        try Actions.changePhase(&s.record, runbook: runbook, to: "Eradication", force: false, reason: nil, actor: a)
        #expect(s.record.state.phase == "eradicate" && s.record.events.last?.fields["forced"] == nil)
        try Actions.changePhase(&s.record, runbook: runbook, to: nil, force: true, reason: "done", actor: a)
        #expect(s.record.state.phase == "recover")
    }

    @Test func closeGates() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        let a = Scenario.actor("2026-11-23T15:00:00Z")
        #expect(Actions.unmetGates(s.record, runbook: s.runbook, at: Timestamp(milliseconds: Int64.max / 2), time: .standard).count == 1)
        #expect(throws: IncidentError.self) { try Actions.close(&s.record, runbook: s.runbook, time: .standard, force: false, reason: nil, actor: a) }
        try Actions.resolve(&s.record, summary: nil, actor: a)
        try Actions.close(&s.record, runbook: s.runbook, time: .standard, force: false, reason: nil, actor: a)
        #expect(s.record.state.status == .closed)
        #expect(s.record.events.last?.fields["headHash"] == s.record.events[s.record.events.count - 2].hash)
    }

    @Test func validationRefusesBadInput() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        let a = Scenario.actor("2026-11-23T14:10:00Z")
        #expect(throws: IncidentError.self) { try Actions.note(&s.record, runbook: s.runbook, text: "   ", kind: nil, actor: a) }
        #expect(throws: IncidentError.self) { try Actions.note(&s.record, runbook: s.runbook, text: "x", kind: "gossip", actor: a) }
        #expect(throws: IncidentError.self) { try Actions.note(&s.record, runbook: s.runbook, text: String(repeating: "x", count: Limits.longText + 1), kind: nil, actor: a) }
        #expect(throws: IncidentError.self) { try Actions.assign(&s.record, runbook: s.runbook, role: "wizard", name: "bob", actor: a) }
        #expect(throws: IncidentError.self) { try Actions.acknowledge(&s.record, actor: Scenario.actor("2026-11-23T13:00:00Z")) }
        #expect(s.record.events.count == 1)
        #expect(throws: IncidentError.self) {
            _ = try Actions.declare(id: IncidentID(number: 2), runbook: s.runbook, Actions.Declaration(title: " ", severity: "high"), actor: a)
        }
    }

    @Test func idGrammar() {
        #expect(IncidentID("INC-42")?.number == 42)
        #expect(IncidentID("inc-42")?.number == 42)
        #expect(IncidentID("42")?.number == 42)
        for bad in ["", "INC-", "../42", "42/..", "INC-4a", "-1", "0", "INC-0", "1234567890", "4\u{0}2", "INC--2"] {
            #expect(IncidentID(bad) == nil, "\(bad)")
        }
    }

    @Test func namesMatchIgnoringCaseSpacesAndHyphens() throws {
        let rb = Runbook.builtInDefault
        #expect(try rb.level(named: "CRITICAL").id == "critical")
        #expect(try rb.level(named: "Sev 1").id == "critical")
        #expect(try rb.role(named: "IC").id == "commander")
        #expect(try rb.role(named: "Incident Commander").id == "commander")
        #expect(try rb.phase(named: "Post-Incident").id == "post-incident")
        #expect(try rb.phase(named: "postincident").id == "post-incident")
    }

    @Test func tamperingIsDetectedAndNamed() throws {
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        for i in 0..<5 {
            try Actions.note(&s.record, runbook: s.runbook, text: "entry \(i)", kind: nil, actor: Scenario.actor("2026-11-23T14:1\(i):00Z"))
        }
        #expect(Verifier.verify(s.record).ok)
        var edited = s.record
        edited.events[3].text = "entry 2 (edited)"
        #expect(Verifier.verify(edited).firstBrokenEvent == s.record.events[3].id)
        var removed = s.record
        removed.events.remove(at: 2)
        #expect(Verifier.verify(removed).firstBrokenEvent == s.record.events[3].id)
        var backdated = s.record
        backdated.events[4].at = ts("2026-11-23T13:00:00Z")
        #expect(Verifier.verify(backdated).firstBrokenEvent == s.record.events[4].id)
    }
}
