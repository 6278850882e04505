import Testing
import IncidentKit
import TestSupport

/// A small seeded generator, so a failing interleaving can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct MergeTests {
    let runbook = Runbook.builtInDefault

    func base() throws -> IncidentRecord {
        try Scenario(severity: "high", at: "2026-11-23T14:05:00Z").record
    }

    func actor(_ minute: Int, _ name: String) -> Actor {
        let t = ts("2026-11-23T14:05:00Z").adding(milliseconds: Int64(minute) * 60_000)
        return Actor(name: name, at: t, recordedAt: t)
    }

    /// One random operation a responder could run on their clone (refusals are skipped, as the
    /// CLI would refuse them).
    func randomOperation(_ r: inout IncidentRecord, clone: Int, step: Int, rng: inout SplitMix64) {
        let names = ["alice", "bob", "carol"]
        let who = names[clone]
        let latest = r.events.map(\.at).max() ?? ts("2026-11-23T14:05:00Z")
        // Mostly moving forward, sometimes at exactly the same minute as another clone.
        let minute = Int(latest.distance(to: ts("2026-11-23T14:05:00Z")) / -60_000) + Int.random(in: 0...3, using: &rng)
        let a = actor(minute, who)
        do {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1, 2: try Actions.note(&r, runbook: runbook, text: "\(who) step \(step)", kind: nil, actor: a)
            case 3: try Actions.assign(&r, runbook: runbook, role: ["commander", "comms-lead"].randomElement(using: &rng)!, name: names.randomElement(using: &rng)!, actor: a)
            case 4: try Actions.changeSeverity(&r, runbook: runbook, to: ["critical", "high", "medium", "low"].randomElement(using: &rng)!, reason: nil, actor: a)
            case 5: try Actions.changePhase(&r, runbook: runbook, to: nil, force: true, reason: "moving on", actor: a)
            case 6: try Actions.acknowledge(&r, actor: a)
            case 7: try Actions.resolve(&r, summary: "fixed by \(who)", actor: a)
            case 8: try Actions.close(&r, runbook: runbook, time: .standard, force: true, reason: "done", actor: a)
            default: try Actions.reopen(&r, reason: "again", actor: a)
            }
        } catch {}
    }

    @Test(arguments: 0..<40)
    func everyMergeOrderGivesTheSameIncident(seed: Int) throws {
        var rng = SplitMix64(state: UInt64(seed) &* 7919 &+ 1)
        var clones = Array(repeating: try base(), count: 3)
        for step in 0..<Int.random(in: 6...30, using: &rng) {
            let c = Int.random(in: 0..<3, using: &rng)
            if Int.random(in: 0..<5, using: &rng) == 0 {
                // A sync between two clones: both end with the union.
                let d = (c + Int.random(in: 1...2, using: &rng)) % 3
                let merged = try IncidentMerge.merge([clones[c], clones[d]])
                clones[c] = merged
                clones[d] = merged
            } else {
                randomOperation(&clones[c], clone: c, step: step, rng: &rng)
            }
        }
        let everyEvent = Set(clones.flatMap { $0.events.map(\.id) })
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        var results: [IncidentRecord] = []
        for o in orders {
            // Left to right, and the other grouping (first merged into the union of the rest).
            results.append(try IncidentMerge.merge([try IncidentMerge.merge([clones[o[0]], clones[o[1]]]), clones[o[2]]]))
            results.append(try IncidentMerge.merge([clones[o[0]], try IncidentMerge.merge([clones[o[1]], clones[o[2]]])]))
        }
        results.append(try IncidentMerge.merge(clones))
        let first = results[0]
        for r in results {
            #expect(r.events == first.events)
            #expect(r.state == first.state)
        }
        #expect(Set(first.events.map(\.id)) == everyEvent)
        #expect(Verifier.verify(first).ok, "\(Verifier.verify(first).problems)")
        // Merging again changes nothing (idempotent), and a clone's own copy merges into the same.
        #expect(try IncidentMerge.merge([first, first]) == first)
        #expect(try IncidentMerge.merge([first, clones[0]]).events == first.events)
        // Appending after a merge joins every branch: the log has one head again.
        var next = first
        if next.state.status != .active { try Actions.reopen(&next, reason: "more to do", actor: actor(499, "dave")) }
        try Actions.note(&next, runbook: runbook, text: "after the merge", kind: nil, actor: actor(500, "dave"))
        #expect(EventLog.heads(next.events).count == 1)
        #expect(Verifier.verify(next).ok)
    }

    @Test func concurrentAssignmentsAreContestedAndDeterministic() throws {
        let b = try base()
        var x = b, y = b
        try Actions.assign(&x, runbook: runbook, role: "commander", name: "alice", actor: actor(5, "alice"))
        try Actions.assign(&y, runbook: runbook, role: "commander", name: "bob", actor: actor(5, "bob"))
        let m1 = try IncidentMerge.merge([x, y]), m2 = try IncidentMerge.merge([y, x])
        #expect(m1 == m2)
        #expect(m1.state.contestedRoles == ["commander": ["alice", "bob"]])
        #expect(m1.events.filter { $0.kind == BuiltInKind.assigned }.count == 2)
        // A later assignment on top of both settles who holds it; both are still in the log.
        var settled = m1
        try Actions.assign(&settled, runbook: runbook, role: "commander", name: "carol", actor: actor(9, "carol"))
        #expect(settled.state.roles["commander"] == "carol")
        // Sequential reassignment on one clone is not a contest.
        var seq = b
        try Actions.assign(&seq, runbook: runbook, role: "commander", name: "alice", actor: actor(5, "alice"))
        try Actions.assign(&seq, runbook: runbook, role: "commander", name: "bob", actor: actor(6, "bob"))
        #expect(seq.state.contestedRoles == nil)
    }

    @Test func aNoteRacingACloseIsKeptAndMarked() throws {
        var x = try base(), y = x
        try Actions.close(&x, runbook: runbook, time: .standard, force: true, reason: "done", actor: actor(10, "alice"))
        try Actions.note(&y, runbook: runbook, text: "one more thing", kind: nil, actor: actor(12, "bob"))
        let m = try IncidentMerge.merge([x, y])
        #expect(m.state.status == .closed)
        let note = try #require(m.events.first { $0.text == "one more thing" })
        #expect(m.state.afterClose == [note.id])
    }

    @Test func differentIncidentsUnderOneIDAreNotMerged() throws {
        let x = try base(), y = try base()
        #expect(throws: IncidentError.self) { _ = try IncidentMerge.merge([x, y]) }
    }

    @Test func verifyNamesAnEventAlteredOnAnotherCloneAfterTheMerge() throws {
        var x = try base(), y = x
        try Actions.note(&x, runbook: runbook, text: "alice's", kind: nil, actor: actor(5, "alice"))
        try Actions.note(&y, runbook: runbook, text: "bob's", kind: nil, actor: actor(6, "bob"))
        let honest = try IncidentMerge.merge([x, y])
        #expect(Verifier.verify(honest).ok)
        // Bob edits his copy of alice's entry (after an earlier sync) and recomputes nothing.
        var tampered = honest
        let i = try #require(tampered.events.firstIndex { $0.text == "alice's" })
        tampered.events[i].text = "alice's (edited)"
        let merged = try IncidentMerge.merge([honest, tampered])
        let report = Verifier.verify(merged)
        #expect(!report.ok)
        #expect(report.firstBrokenEvent == honest.events[i].id)
        // Even with the hash recomputed, the two versions of one event id give it away.
        tampered.events[i].hash = tampered.events[i].computedHash
        let merged2 = try IncidentMerge.merge([honest, tampered])
        #expect(Verifier.verify(merged2).firstBrokenEvent == honest.events[i].id)
        // Swapping two concurrent entries in the stored order is a reordering.
        var swapped = honest
        swapped.events.swapAt(1, 2)
        #expect(!Verifier.verify(swapped).ok)
        // Dropping an event that others follow is named at its follower.
        var later = honest
        try Actions.note(&later, runbook: runbook, text: "joins both", kind: nil, actor: actor(7, "carol"))
        var dropped = later
        dropped.events.remove(at: 1)
        #expect(Verifier.verify(dropped).firstBrokenEvent == later.events[3].id)
    }

    @Test func provisionalIDsParseAndNeverLookLikeNumbers() {
        let p = IncidentID.newProvisional()
        #expect(p.isProvisional)
        #expect(IncidentID(p.description) == p)
        #expect(IncidentID(p.description.uppercased()) == p)
        #expect(IncidentID(String(p.description.dropFirst(4))) == p)
        #expect(IncidentID("INC-1234567890") == nil)       // ten digits: neither a number nor provisional
        #expect(IncidentID("INC-7f3a9c2e4") == nil)         // too short
        #expect(IncidentID("INC-7f3a9c2e4g") == nil)        // not hex
        #expect(IncidentID("INC-../etc/pa") == nil)
        #expect(IncidentID(number: 3) < p)
    }
}
