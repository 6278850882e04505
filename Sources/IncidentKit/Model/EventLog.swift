/// The event log as a hash DAG. Each event names the hash(es) of the event(s) it was appended
/// after (`parents`): one on a single clone, several after teammates appended concurrently and
/// their copies were merged. The stored order is canonical — a pure function of the *set* of
/// events — so every clone that holds the same events holds them in the same order and folds
/// them into the same state, whatever order the merges happened in.
public enum EventLog {
    /// The canonical order: parents before children (topological), and among events whose
    /// parents are all placed, the earliest `at`, then `recordedAt`, then event id, then hash.
    /// A parent hash that is not in the log (a dropped event) does not hold its child back;
    /// `Verifier` reports it.
    public static func canonicalOrder(_ events: [Event]) -> [Event] {
        if events.count < 2 { return events }
        // A single chain written on one clone is already canonical: keep it as it is (cheap).
        if isLinearChain(events) { return events }
        let present = Set(events.map(\.hash))
        var children: [String: [Int]] = [:]
        var waiting = [Int](repeating: 0, count: events.count)
        for (i, e) in events.enumerated() {
            let parents = Set(e.parents).filter { present.contains($0) && $0 != e.hash }
            waiting[i] = parents.count
            for p in parents { children[p, default: []].append(i) }
        }
        func precedes(_ a: Int, _ b: Int) -> Bool {
            let x = events[a], y = events[b]
            if x.kind == BuiltInKind.declared && x.parents.isEmpty && !(y.kind == BuiltInKind.declared && y.parents.isEmpty) { return true }
            if y.kind == BuiltInKind.declared && y.parents.isEmpty && !(x.kind == BuiltInKind.declared && x.parents.isEmpty) { return false }
            if x.at != y.at { return x.at < y.at }
            if x.recordedAt != y.recordedAt { return x.recordedAt < y.recordedAt }
            if x.id != y.id { return x.id < y.id }
            if x.hash != y.hash { return x.hash < y.hash }
            // Two versions of one event that claim the same hash (one was edited): by content.
            return x.computedHash < y.computedHash
        }
        var ready = (0..<events.count).filter { waiting[$0] == 0 }
        var placed = [Bool](repeating: false, count: events.count)
        var out: [Event] = []
        out.reserveCapacity(events.count)
        // Events sharing a hash (identical copies are deduplicated before this) are released together.
        var released = Set<String>()
        while out.count < events.count {
            if ready.isEmpty {
                // A cycle (only a forged log has one): place the rest in key order.
                let rest = (0..<events.count).filter { !placed[$0] }.sorted(by: precedes)
                for i in rest { out.append(events[i]); placed[i] = true }
                break
            }
            var best = 0
            for k in 1..<ready.count where precedes(ready[k], ready[best]) { best = k }
            let i = ready.remove(at: best)
            placed[i] = true
            out.append(events[i])
            if released.insert(events[i].hash).inserted {
                for c in children[events[i].hash] ?? [] where !placed[c] {
                    waiting[c] -= 1
                    if waiting[c] == 0 { ready.append(c) }
                }
            }
        }
        return out
    }

    /// True when every event after the first names exactly the one before it.
    static func isLinearChain(_ events: [Event]) -> Bool {
        guard let first = events.first, first.parents.isEmpty else { return false }
        var previous = first.hash
        for e in events.dropFirst() {
            guard e.parents.count == 1, e.parents[0] == previous else { return false }
            previous = e.hash
        }
        return true
    }

    /// The events nothing else follows: what the next event is appended after (sorted).
    public static func heads(_ events: [Event]) -> [String] {
        // A single chain (every log written on one clone) ends at its last event: no sets of
        // every hash (a note on five hundred entries spent two million instructions here).
        if let last = events.last, isLinearChain(events) { return [last.hash] }
        var referenced = Set<String>()
        for e in events { referenced.formUnion(e.parents) }
        var seen = Set<String>()
        var out: [String] = []
        for e in events where !referenced.contains(e.hash) && seen.insert(e.hash).inserted { out.append(e.hash) }
        return out.sorted()
    }

    /// The union of several copies of one log: every event once (identical copies collapse;
    /// two *different* events under one id are both kept, even when one was edited without
    /// updating its hash, so `verify` can name the alteration), in canonical order.
    public static func union(_ logs: [[Event]]) -> [Event] {
        var seen: [String: [Event]] = [:]
        var all: [Event] = []
        for log in logs {
            for e in log where !(seen[e.id]?.contains(e) ?? false) {
                seen[e.id, default: []].append(e)
                all.append(e)
            }
        }
        return canonicalOrder(all)
    }

    /// For each event hash, the hashes of all its ancestors (computed on demand).
    struct Ancestry {
        let parents: [String: [String]]
        var cache: [String: Set<String>] = [:]

        init(_ events: [Event]) {
            var p: [String: [String]] = [:]
            for e in events { p[e.hash] = e.parents }
            parents = p
        }

        mutating func ancestors(of hash: String) -> Set<String> {
            if let hit = cache[hash] { return hit }
            var out = Set<String>()
            var stack = parents[hash] ?? []
            while let h = stack.popLast() {
                if out.insert(h).inserted { stack += parents[h] ?? [] }
            }
            cache[hash] = out
            return out
        }

        /// Neither event follows the other: they were written concurrently on two clones.
        mutating func concurrent(_ a: String, _ b: String) -> Bool {
            a != b && !ancestors(of: a).contains(b) && !ancestors(of: b).contains(a)
        }
    }
}
