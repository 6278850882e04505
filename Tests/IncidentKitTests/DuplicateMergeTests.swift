import Testing
import TestSupport
@testable import IncidentKit

@Suite struct DuplicateMergeTests {
    let rb = Runbook.builtInDefault
    func actor(_ at: String, _ name: String = "alice") -> Actor { Actor(name: name, at: ts(at), recordedAt: ts(at)) }

    func pair() throws -> (IncidentRecord, IncidentRecord) {
        var a = try Actions.declare(id: IncidentID(number: 1), runbook: rb, .init(title: "A", severity: "high"), actor: actor("2026-01-05T14:00:00Z"))
        var b = try Actions.declare(id: IncidentID(number: 2), runbook: rb, .init(title: "B", severity: "high"), actor: actor("2026-01-05T14:01:00Z"))
        try Actions.note(&a, runbook: rb, text: "note in A", kind: nil, actor: actor("2026-01-05T14:02:00Z"))
        try Actions.note(&b, runbook: rb, text: "note in B", kind: "decision", actor: actor("2026-01-05T14:03:00Z", "bob"))
        return (a, b)
    }

    /// A merge interrupted after the survivor was written is completed by running it again,
    /// without copying the entries twice.
    @Test func anInterruptedMergeCompletesWithoutDuplicates() throws {
        let (a, b) = try pair()
        var source = b, survivor = a
        _ = try DuplicateMerge.merge(&source, into: &survivor, runbook: rb, actor: actor("2026-01-05T14:10:00Z"))
        // Crash: only the survivor reached the disk; the duplicate is still open.
        var source2 = b, survivor2 = survivor
        let again = try DuplicateMerge.merge(&source2, into: &survivor2, runbook: rb, actor: actor("2026-01-05T14:11:00Z"))
        #expect(again.resumed)
        #expect(survivor2.events.count == survivor.events.count)
        #expect(survivor2.timeline.filter { $0.text == "note in B" }.count == 1)
        #expect(source2.state.outcome == .merged && source2.state.mergedInto == IncidentID(number: 1))
        #expect(Verifier.verify(survivor2).ok && Verifier.verify(source2).ok)
    }

    @Test func copiedStateChangesDoNotChangeTheSurvivorsState() throws {
        var (a, b) = try pair()
        try Actions.acknowledge(&b, actor: actor("2026-01-05T14:04:00Z"))
        try Actions.resolve(&b, summary: nil, actor: actor("2026-01-05T14:05:00Z"))
        _ = try DuplicateMerge.merge(&b, into: &a, runbook: rb, actor: actor("2026-01-05T14:10:00Z"))
        #expect(a.state.status == .active && a.state.acknowledgedAt == nil)
        #expect(a.timeline.contains { $0.kind == BuiltInKind.mergedEntry && $0.fields["originKind"] == BuiltInKind.resolved })
        let copy = a.timeline.first { $0.text == "note in B" }
        #expect(copy?.kind == "decision" && copy?.author == "bob" && copy?.fields["origin"] == "INC-2")
    }

    @Test func correctionsApplyBeforeStateAndTimeline() throws {
        var (a, _) = try pair()
        let note = try #require(a.timeline.first { $0.text == "note in A" })
        try Actions.amend(&a, runbook: rb, entry: note.id, text: "corrected", happenedAt: nil, kind: nil, actor: actor("2026-01-05T14:20:00Z"))
        #expect(a.timeline.map(\.text).contains("corrected"))
        #expect(!a.timeline.map(\.text).contains("note in A"))
        #expect(a.history.map(\.text).contains("note in A"))
        #expect(Corrections.effective(Corrections.effective(a.events)) == Corrections.effective(a.events))
        try Actions.strike(&a, entry: String(note.id.dropFirst(3).prefix(5)), reason: "dup", actor: actor("2026-01-05T14:21:00Z"))
        #expect(!a.timeline.contains { $0.id == note.id })
        #expect(Verifier.verify(a).ok)
    }
}
