// Writes a large store for scripts/bench.sh, fast: incident files are built with the
// project's own Actions (so they are valid, hash-chained event logs) and written directly,
// without the per-write fsync and lock of the CLI. Not installed; not for real stores.
//
//   incident-benchgen STORE [ACTIVE ARCHIVED]      (default 200 active, 9800 archived)
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import IncidentKit

struct Generator {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    mutating func next(_ n: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(state % UInt64(n))
    }
}

@main
struct BenchGen {
static func main() {
let args = CommandLine.arguments
guard args.count == 2 || args.count == 4, let active = Int(args.count == 4 ? args[2] : "200"),
      let archived = Int(args.count == 4 ? args[3] : "9800"), active >= 1, archived >= 0 else {
    FileHandleless.fail("usage: incident-benchgen STORE [ACTIVE ARCHIVED]")
}


let store = Store(root: args[1])
do { try store.initialize() } catch { FileHandleless.fail("\(error)") }
guard let runbook = try? store.loadRunbook() else { FileHandleless.fail("cannot read the runbook") }
umask(0o077)

var gen = Build(rng: Generator(), runbook: runbook, store: store)
gen.run(active: active, archived: archived)
}
}

enum FileHandleless {
    static func fail(_ message: String) -> Never {
        let line = message + "\n"
        _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
        exit(2)
    }
}

struct Build {
var rng: Generator
let runbook: Runbook
let store: Store
let now = Timestamp(seconds: Int64(time(nil)))
let services = ["checkout", "payments", "search", "login", "billing", "api-gateway", "queue", "cdn", "db-primary", "mobile-push"]
let symptoms = ["5xx errors", "high latency", "timeouts", "elevated error rate", "stale data", "failed deploys", "memory leak", "disk full"]
let people = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
var levels: [String] { runbook.levels.map(\.id) }
var phases: [String] { runbook.phases.map(\.id) }
let noteKinds = ["note", "note", "note", "observation", "hypothesis", "mitigation", "decision", "comms"]

mutating func makeIncident(number: Int, declared: Timestamp, entries: Int, close: Bool) throws -> IncidentRecord {
    func actor(_ minutes: Int64) -> Actor {
        Actor(name: people[Int(minutes) % people.count], at: declared.adding(minutes: minutes), recordedAt: declared.adding(minutes: minutes), allowSecrets: true)
    }
    let title = "\(services[rng.next(services.count)]) \(symptoms[rng.next(symptoms.count)]) in \(["eu-west-1", "us-east-1", "ap-south-1"][rng.next(3)])"
    var r = try Actions.declare(id: IncidentID(number: number), runbook: runbook,
                                Actions.Declaration(title: title, severity: levels[rng.next(levels.count)],
                                                    summary: "Customers see \(symptoms[rng.next(symptoms.count)]) on \(services[rng.next(services.count)])."),
                                actor: actor(0))
    var minute: Int64 = 1
    try Actions.acknowledge(&r, actor: actor(minute))
    try Actions.assign(&r, runbook: runbook, role: "commander", name: people[rng.next(people.count)], actor: actor(minute))
    try Actions.assign(&r, runbook: runbook, role: "comms", name: people[rng.next(people.count)], actor: actor(minute))
    // Timeline entries are chained directly (one derive at the end, not one per entry).
    var events = r.events
    let body = (0..<12).map { _ in symptoms[rng.next(symptoms.count)] }.joined(separator: ", ")
    let notes = max(1, entries - (close ? 8 : 5))
    for k in 0..<notes {
        minute += Int64(1 + rng.next(5))
        let a = actor(minute)
        var e = Event(id: Event.newID(), kind: noteKinds[rng.next(noteKinds.count)], at: a.at, recordedAt: a.recordedAt, author: a.name,
                      text: "Entry \(k): checked \(services[rng.next(services.count)]) dashboards; seeing \(body).")
        e.parents = [events[events.count - 1].hash]
        e.hash = e.computedHash
        events.append(e)
    }
    r = try IncidentRecord(id: r.id, runbook: r.runbook, events: events)
    if phases.count > 1 {
        try Actions.changePhase(&r, runbook: runbook, to: phases[1], force: true, reason: "bench", actor: actor(minute))
    }
    if rng.next(3) == 0 {
        try Actions.addActionItem(&r, text: "Alert on \(symptoms[rng.next(symptoms.count)]) for \(services[rng.next(services.count)])",
                                  owner: people[rng.next(people.count)], dueAt: declared.adding(minutes: 60 * 24 * Int64(1 + rng.next(60))),
                                  term: .short, actor: actor(minute))
    }
    if close {
        minute += 30
        try Actions.resolve(&r, summary: "Rolled back.", actor: actor(minute))
        try Actions.close(&r, runbook: runbook, time: .standard, force: true, reason: "bench", actor: actor(minute + 60))
    }
    return r
}

func write(_ record: IncidentRecord, to directory: String) throws {
    let bytes = try Store.encodedFile(record)
    let path = directory + "/" + record.id.fileName
    let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { FileHandleless.fail("cannot write \(path)") }
    defer { close(fd) }
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        guard n > 0 else { FileHandleless.fail("cannot write \(path)") }
        offset += n
    }
}

/// The same timeline moved in time and given another ID, re-chained and re-hashed: the
/// generator builds a few dozen incidents with Actions and derives the rest from them.
func shifted(_ r: IncidentRecord, id: Int, by delta: Int64) throws -> IncidentRecord {
    var events: [Event] = []
    events.reserveCapacity(r.events.count)
    for var e in r.events {
        e.at = e.at.adding(milliseconds: delta)
        e.recordedAt = e.recordedAt.adding(milliseconds: delta)
        e.parents = events.isEmpty ? [] : [events[events.count - 1].hash]
        e.hash = e.computedHash
        events.append(e)
    }
    return try IncidentRecord(id: IncidentID(number: id), runbook: r.runbook, events: events)
}

mutating func run(active: Int, archived: Int) {
do {
    let base = now.adding(minutes: -60 * 24 * 400)
    var closed: [IncidentRecord] = []
    var opened: [IncidentRecord] = []
    for k in 0..<48 {
        closed.append(try makeIncident(number: 1, declared: base, entries: 20 + rng.next(21), close: true))
        opened.append(try makeIncident(number: 1, declared: base, entries: k == 0 ? 500 : 20 + rng.next(21), close: false))
    }
    let bigClosed = try makeIncident(number: 1, declared: base, entries: 500, close: true)
    let day: Int64 = 86_400_000
    for n in stride(from: 1, through: archived, by: 1) {
        // Declared 30 to 930 days ago; one in a thousand has 500 entries.
        let when = now.milliseconds - day * Int64(30 + rng.next(900)) - Int64(rng.next(Int(day)))
        let proto = n % 1000 == 7 ? bigClosed : closed[rng.next(closed.count)]
        let r = try shifted(proto, id: n, by: when - base.milliseconds)
        let dir = store.archiveDirectory + "/" + String(CivilTime(r.state.declaredAt).year)
        if access(dir, F_OK) != 0 { mkdir(dir, 0o700) }
        try write(r, to: dir)
    }
    for k in 0..<active {
        // Declared within the last three days; the first active incident has 500 entries
        // (scripts/bench.sh notes on it).
        let proto = k == 0 ? opened[0] : opened[1 + rng.next(opened.count - 1)]
        // Every entry in the past: the timeline's length back from now, then up to three days more.
        let span = (proto.events.map(\.at).max() ?? base).milliseconds - base.milliseconds
        let when = now.milliseconds - span - 60_000 - Int64(rng.next(Int(3 * day)))
        try write(try shifted(proto, id: archived + k + 1, by: when - base.milliseconds), to: store.activeDirectory)
    }
    let last = "\(archived + active)\n"
    let fd = open(store.root + "/.last-id", O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
    _ = last.withCString { Glibc.write(fd, $0, strlen($0)) }
    close(fd)
    print("INC-\(archived + 1)")
} catch {
    FileHandleless.fail("\(error)")
}
}
}
