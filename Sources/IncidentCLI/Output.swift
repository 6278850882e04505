import IncidentKit

// MARK: JSON shapes (documented in docs/json.schema.json)

struct EntryJSON: Encodable {
    var id: String
    var at: Timestamp
    var recordedAt: Timestamp
    var author: String
    var kind: String
    var text: String
    var fields: [String: String]?
    /// True for an entry written while the incident was closed (e.g. a note from a teammate's
    /// clone that raced the close).
    var afterClose: Bool?

    init(_ e: Event, afterClose: Set<String> = []) {
        id = e.id; at = e.at; recordedAt = e.recordedAt; author = e.author; kind = e.kind; text = e.text
        fields = e.fields.isEmpty ? nil : e.fields
        self.afterClose = afterClose.contains(e.id) ? true : nil
    }
}

struct TimerJSON: Encodable {
    var name: String
    var title: String
    var duration: String
    var repeats: Bool
    var startedAt: Timestamp?
    var dueAt: Timestamp?
    var metAt: Timestamp?
    var state: String
    var missed: Int
    /// Seconds until due (negative: overdue), while the timer runs.
    var remainingSeconds: Int64?

    init(_ t: TimerStatus, now: Timestamp) {
        name = t.id; title = t.title; duration = t.duration.description; repeats = t.repeats
        startedAt = t.startedAt; dueAt = t.dueAt; metAt = t.metAt; state = t.state.rawValue; missed = t.missed
        remainingSeconds = t.remaining(at: now).map { $0 / 1000 }
    }
}

struct SLARowJSON: Encodable {
    var id: String
    var title: String
    var severity: String
    var name: String
    var timerTitle: String
    var dueAt: Timestamp?
    var metAt: Timestamp?
    var state: String
    var missed: Int
    var remainingSeconds: Int64?
}

struct ChecklistJSON: Encodable {
    var number: Int
    var phase: String
    var text: String
    var required: Bool
    var done: Bool
}

struct ActionItemJSON: Encodable {
    var incident: String
    var id: String
    var text: String
    var owner: String?
    var dueAt: Timestamp?
    var term: String?
    var status: String
    var overdue: Bool
    var doneAt: Timestamp?

    init(_ a: ActionItem, now: Timestamp) {
        incident = a.incident.description; id = a.id; text = a.text; owner = a.owner; dueAt = a.dueAt
        term = a.term?.rawValue; status = a.status.rawValue; overdue = a.isOverdue(at: now); doneAt = a.doneAt
    }
}

struct IncidentJSON: Encodable {
    var id: String
    var title: String
    var publicTitle: String?
    var summary: String?
    var severity: String
    var status: String
    var phase: String
    var type: String?
    var drill: Bool
    var runbook: String
    var startedAt: Timestamp
    var declaredAt: Timestamp
    var acknowledgedAt: Timestamp?
    var containedAt: Timestamp?
    var resolvedAt: Timestamp?
    var closedAt: Timestamp?
    var postmortemPublishedAt: Timestamp?
    var resolutionSummary: String?
    var roles: [String: String]
    /// Roles two people were assigned to concurrently on two clones: role → the names.
    var contestedRoles: [String: [String]]?
    var missingRoles: [String]
    var timeline: [EntryJSON]
    var sla: [TimerJSON]
    var checklist: [ChecklistJSON]
    var actionItems: [ActionItemJSON]
    var headHash: String
    /// "declined" or "merged" (status is then "closed"); absent otherwise.
    var outcome: String?
    var mergedInto: String?
    var outcomeReason: String?

    var monitoring: MonitoringJSON?

    init(_ r: IncidentRecord, runbook rb: Runbook, time: BusinessTime, now: Timestamp, asOf: Bool) {
        let runbook = rb
        let s = asOf ? ((try? IncidentState.derive(id: r.id, events: r.events, asOf: now)) ?? r.state) : r.state
        id = s.id.description; title = s.title; publicTitle = s.publicTitle; summary = s.summary; severity = s.severity
        status = s.status.rawValue; phase = s.phase; type = s.type; drill = s.drill; self.runbook = r.declaredRunbook
        startedAt = s.startedAt; declaredAt = s.declaredAt; acknowledgedAt = s.acknowledgedAt
        containedAt = s.containedAt; resolvedAt = s.resolvedAt; closedAt = s.closedAt
        postmortemPublishedAt = s.postmortemPublishedAt; resolutionSummary = s.resolutionSummary
        roles = s.roles
        contestedRoles = s.contestedRoles
        missingRoles = SLAEngine.missingRoles(s, runbook: runbook)
        let events = asOf ? r.timeline.filter { $0.at <= now || $0.kind == BuiltInKind.declared } : r.timeline
        let late = Set(s.afterClose ?? [])
        timeline = events.map { EntryJSON($0, afterClose: late) }
        sla = SLAEngine.evaluate(r, runbook: runbook, time: time, at: now, asOf: asOf).filter(\.isStarted).map { TimerJSON($0, now: now) }
        monitoring = SLAEngine.monitoring(s, runbook: runbook, time: time).map {
            MonitoringJSON(window: $0.duration.description, startedAt: $0.startedAt, endsAt: $0.endsAt, over: $0.isOver(at: now))
        }
        checklist = Checklist.items(for: s, events: events, runbook: runbook).map {
            ChecklistJSON(number: $0.number, phase: $0.phase, text: $0.text, required: $0.required, done: $0.done)
        }
        actionItems = ActionItems.items(in: r).map { ActionItemJSON($0, now: now) }
        headHash = r.headHash
        outcome = s.outcome?.rawValue; mergedInto = s.mergedInto?.description
        outcomeReason = s.outcomeReason
    }
}

/// The runbook's monitoring window between resolve and close.
struct MonitoringJSON: Encodable {
    var window: String
    var startedAt: Timestamp?
    var endsAt: Timestamp?
    var over: Bool
}

struct ListItemJSON: Encodable {
    var id: String
    var title: String
    var severity: String
    var status: String
    var phase: String
    var type: String?
    var drill: Bool
    var startedAt: Timestamp
    var declaredAt: Timestamp
    var acknowledgedAt: Timestamp?
    var resolvedAt: Timestamp?
    var closedAt: Timestamp?
    var roles: [String: String]
    /// The earliest deadline of a running timer.
    var nextDueAt: Timestamp?
    /// How many running timers are overdue.
    var overdue: Int
    var outcome: String?
    var mergedInto: String?
}

struct ProblemJSON: Encodable {
    var path: String
    var problem: String
}

// MARK: Human formatting

extension Invocation {
    /// THE way an instant is shown to a person: in the reader's zone (TZ, else the
    /// system's), with its abbreviation: `2026-11-23 06:05 PST`. Under TZ=UTC it is
    /// `2026-11-23 14:05 UTC`. Every human output calls this (or `clock`/`dateTime`).
    func human(_ t: Timestamp) -> String { readerZone.human(t) }

    /// `06:05`, in the reader's zone, for a line whose date is clear.
    func clock(_ t: Timestamp) -> String { readerZone.clock(t) }

    /// `2026-11-23 14:05` in UTC; with the zone's abbreviation in any other zone.
    func timeColumn(_ t: Timestamp) -> String {
        let zone = readerZone
        return zone.isUTC ? zone.dateTime(t) : zone.human(t)
    }

    /// The monitoring window between resolve and close, for show and sla:
    /// `Monitoring window (30 minutes after resolve: …): close from 2026-11-23 15:20 UTC (in 12m)`.
    func monitoringLine(_ m: MonitoringStatus, closed: Bool) -> String {
        var s = "Monitoring window (\(m.duration.spelledOut) after resolve\(m.title.map { ": " + safe($0) } ?? "")): "
        guard let end = m.endsAt else { return s + style.dim("starts when resolved") }
        if closed || at >= end { return s + style.green("over") + " (ended \(human(end)))" }
        s += "close from \(human(end)) " + style.yellow("(in \(formatSpan(milliseconds: at.distance(to: end))))")
        return s
    }

    /// "due in 12m" / "OVERDUE 4m" / "met" for one timer.
    /// - Parameter moment: the time the countdown is read at: `--at` by default; a write
    ///   that was back-filled shows it as of now (the reader is at the terminal now).
    func timerBadge(_ t: TimerStatus, at moment: Timestamp? = nil) -> String {
        guard t.isStarted else { return style.dim("not started") }
        if t.finished {
            // Stopped by the close before it was due: neither met nor missed.
            if t.stoppedByClose { return style.dim("stopped") }
            return t.state == .met ? style.green("met") : style.red("breached")
        }
        let left = t.remaining(at: moment ?? at) ?? 0
        if left < 0 { return style.red("OVERDUE \(formatSpan(milliseconds: -left))") }
        let text = "due in \(formatSpan(milliseconds: left))"
        return left < 15 * 60_000 ? style.yellow(text) : text
    }

    func timerDetail(_ t: TimerStatus) -> String {
        var b = TextBuilder()
        addTimerDetail(t, zone: readerZone, to: &b)
        return b.string
    }

    /// `timerDetail(t)`, appended to a line being built (`sla` writes thousands), in the
    /// reader's zone, which the caller looks up once.
    func addTimerDetail(_ t: TimerStatus, zone: ZoneRules, to b: inout TextBuilder) {
        guard t.isStarted, let due = t.dueAt else {
            b.add("starts when ")
            b.add(t.startTrigger.hasPrefix("phase:") ? t.startTrigger.replacingOccurrences("phase:", "phase ") : t.startTrigger)
            b.add(" (")
            if t.repeats { b.add("every ") }
            t.duration.addSpelledOut(to: &b); b.add(byte: 0x29)
            return
        }
        if t.finished, let met = t.metAt {
            let delta = met.distance(to: due)
            // A cadence ends with the incident; its time is when it was last met (an update, or
            // the end itself when that came before the next update was due), not when it ended.
            b.add(t.repeats ? "stopped, last met " : "at "); zone.addHuman(met, to: &b)
            if !t.repeats {
                b.add(" ("); b.add(formatSpan(milliseconds: delta >= 0 ? delta : -delta)); b.add(delta >= 0 ? " to spare)" : " late)")
            }
        } else {
            b.add("due "); zone.addHuman(due, to: &b)
            if t.repeats, let last = t.metAt { b.add(", last update "); zone.addClock(last, to: &b) }
            // Finished without being met: the incident was closed first.
            if t.finished { b.add(t.state == .breached ? ", still unmet when closed" : ", stopped when closed") }
        }
        if t.repeats { b.add(", every "); t.duration.addSpelledOut(to: &b) }
        if t.missed > 0 { b.add(", "); b.number(t.missed); b.add(t.missed == 1 ? " update missed" : " updates missed") }
    }

    /// `TimerStatus.urgency` at `moment`, else at the command's moment.
    func urgencyRank(_ t: TimerStatus, at moment: Timestamp? = nil) -> (Int, Int64) {
        t.urgency(at: moment ?? at)
    }

    func urgencyOrder(_ timers: [TimerStatus], at moment: Timestamp? = nil) -> [TimerStatus] {
        let ranks = timers.map { urgencyRank($0, at: moment) }
        return timers.indices.sorted { a, b in ranks[a] != ranks[b] ? ranks[a] < ranks[b] : a < b }.map { timers[$0] }
    }

    /// `urgencyOrder(timers).first`, without sorting.
    func mostUrgent(_ timers: [TimerStatus]) -> TimerStatus? {
        var best: (rank: (Int, Int64), index: Int)?
        for (i, t) in timers.enumerated() {
            let r = urgencyRank(t)
            if best == nil || r < best!.rank { best = (r, i) }
        }
        return best.map { timers[$0.index] }
    }

    func timerLines(_ timers: [TimerStatus], indent: String = "  ", at moment: Timestamp? = nil) -> [String] {
        var text = TextBuilder(capacity: 100 * timers.count)
        addTimerLines(timers, indent: indent, at: moment, to: &text)
        // Cut at the newline bytes the lines end with (their text holds none).
        return text.withBytes { b in
            var lines: [String] = []
            var start = 0
            for i in b.indices where b[i] == 0x0A {
                lines.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
                start = i + 1
            }
            return lines
        }
    }

    /// `timerLines`, each line and its newline appended to `text` (`sla` writes a thousand
    /// and more into one buffer, rather than a String each).
    func addTimerLines(_ timers: [TimerStatus], indent: String = "  ", at moment: Timestamp? = nil, to text: inout TextBuilder) {
        // Positions in urgency order (the timers themselves are not copied: each holds strings).
        let ranks = timers.map { urgencyRank($0, at: moment) }
        let order = timers.indices.sorted { a, b in ranks[a] != ranks[b] ? ranks[a] < ranks[b] : a < b }
        let badges = order.map { timerBadge(timers[$0], at: moment) }
        let badgeWidths = badges.map(visibleWidth)
        let titleWidths = order.map { visibleWidth(timers[$0].title) }
        let badgeWidth = badgeWidths.max() ?? 0, titleWidth = titleWidths.max() ?? 0
        let zone = readerZone
        for (k, i) in order.enumerated() {
            text.add(indent)
            text.add(badges[k])
            text.spaces(badgeWidth - badgeWidths[k] + 2)
            text.add(timers[i].title)
            text.spaces(titleWidth - titleWidths[k] + 2)
            addTimerDetail(timers[i], zone: zone, to: &text)
            text.add(byte: 0x0A)
        }
    }

    /// The lines of the timers `keep` picks after a write that happened at `happened`, as of
    /// then or now if later: a back-filled write shows what is due now ("due in 1h" for a
    /// deadline that passed before anyone wrote it down would mislead at 3 a.m.).
    func timerLinesAfterWrite(_ record: IncidentRecord, _ runbook: Runbook, happened: Timestamp, indent: String = "  ",
                              keep: (TimerStatus) -> Bool) throws -> [String] {
        let moment = max(happened, now)
        let timers = SLAEngine.evaluate(record, runbook: runbook, time: try businessTime(runbook), at: moment).filter(keep)
        return timerLines(timers, indent: indent, at: moment)
    }

    /// With `--at` before `record` was declared, the one line that says so; nil otherwise.
    func notDeclaredYet(_ record: IncidentRecord) -> String? {
        guard atGiven && at < record.state.declaredAt else { return nil }
        return "\(record.id) was not declared yet at \(human(at)); it was declared \(human(record.state.declaredAt))."
    }

    func roleTitle(_ id: String, _ runbook: Runbook) -> String { runbook.role(id: id)?.title ?? id }
    func levelTitle(_ id: String, _ runbook: Runbook) -> String { runbook.level(id: id)?.title ?? id }
    func phaseTitle(_ id: String, _ runbook: Runbook) -> String { runbook.phase(id: id)?.title ?? id }

    func safe(_ s: String) -> String { Sanitizer.forTerminal(s) }

    /// A file name inside a one-line message (`--output $'a\nb'`): see `oneLine`.
    func shownPath(_ path: String) -> String { oneLine(path) }

    /// "Exec SMS list notified (incident note INC-1 --kind exec-notification TEXT)"
    func describeOwed(_ owed: [ChecklistEntry], _ id: IncidentID) -> String {
        owed.map { item in
            let how = item.satisfiedBy[0] == BuiltInKind.postmortem
                ? "incident postmortem \(id) --publish" : "incident note \(id) --kind \(item.satisfiedBy[0]) TEXT"
            return "\(item.text) (\(how))"
        }.joined(separator: "; ")
    }
}

/// `text` with a line break, carriage return or tab shown escaped (`\n`, `\r`, `\t`): what
/// goes into a one-line message (an error, a file name) stays one line, whatever a value holds.
func oneLine(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return text }
    return text.replacingOccurrences("\r", "\\r").replacingOccurrences("\n", "\\n").replacingOccurrences("\t", "\\t")
}

/// Unicode scalars a terminal shows (escape sequences left out). Counted on the UTF-8
/// bytes: every scalar has exactly one byte that is not a continuation byte.
/// Terminal columns: escape sequences take none, wide characters (CJK, emoji) two, combining
/// marks none. ASCII (the usual case) is counted byte by byte.
func visibleWidth(_ s: String) -> Int {
    func width(_ u: UnsafeBufferPointer<UInt8>) -> Int? {
        var count = 0
        var inEscape = false
        var i = 0
        // Eight ASCII bytes without an escape byte at a time: each is one column.
        if let base = u.baseAddress {
            while i + 8 <= u.count {
                let w = ByteScan.word(base, i)
                guard !ByteScan.hasNonASCII(w), ByteScan.matches(w, 0x1B) == 0 else { break }
                count += 8
                i += 8
            }
        }
        for b in UnsafeBufferPointer(rebasing: u[i...]) {
            if b >= 0x80 { return nil }
            if inEscape { if b == 0x6D { inEscape = false }; continue }
            if b == 0x1B { inEscape = true; continue }
            count += 1
        }
        return count
    }
    var copy = s
    return copy.withUTF8(width) ?? WatchScreen.displayWidth(s)
}

extension Array where Element == String {
    /// The lines joined with newlines, in one buffer (the generic `joined` showed in `sla`).
    var joinedLines: String {
        var out: [UInt8] = []
        out.reserveCapacity(reduce(count) { $0 + $1.utf8.count })
        for (k, line) in enumerated() {
            if k > 0 { out.append(0x0A) }
            out.append(contentsOf: line.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    func padding(_ width: Int) -> String {
        let w = visibleWidth(self)
        return w >= width ? self : self + String(repeating: " ", count: width - w)
    }

    /// Every occurrence of `target`'s bytes replaced (a byte search: no Character-by-Character
    /// comparison, which showed in `sla` over many timers).
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        let t = Array(target.utf8)
        guard let first = t.first else { return self }
        var out: [UInt8] = []
        var changed = false
        var copy = self
        copy.withUTF8 { u in
            var i = 0, copied = 0
            while i + t.count <= u.count {
                if u[i] == first && (1..<t.count).allSatisfy({ u[i + $0] == t[$0] }) {
                    if !changed { out.reserveCapacity(u.count + 16); changed = true }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: u[copied..<i]))
                    out.append(contentsOf: replacement.utf8)
                    i += t.count
                    copied = i
                } else {
                    i += 1
                }
            }
            if changed { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[copied...])) }
        }
        return changed ? String(decoding: out, as: UTF8.self) : self
    }
}

/// Renders rows as aligned columns.
func table(_ rows: [[String]], gap: Int = 2) -> [String] {
    guard let first = rows.first else { return [] }
    return tableText(rows.flatMap { $0 }, columns: first.count, gap: gap).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

/// Renders `cells` (row after row, `columns` to a row) as aligned columns, one line per
/// row: built in one buffer, as `list --all` prints ten thousand rows.
func tableText(_ cells: [String], columns: Int, gap: Int = 2) -> String {
    String(decoding: tableBytes([cells], columns: columns, gap: gap), as: UTF8.self)
}

/// `tableText` as UTF-8 bytes, written once into their buffer (no String validation of a
/// megabyte at the end: `list --all` hands them to standard output as they are), of cells
/// given in parts one after the other (rows built side by side), each part a whole number of
/// rows. With `newline`, the bytes end with one.
func tableBytes(_ parts: [[String]], columns: Int, gap: Int = 2, newline: Bool = false) -> [UInt8] {
    let count = parts.reduce(0) { $0 + $1.count }
    guard columns > 0, count > 0 else { return newline ? [0x0A] : [] }
    var widths = [Int](repeating: 0, count: columns)
    var cellWidths = [Int](repeating: 0, count: count)
    var size = 0
    var i = 0
    for part in parts {
        for c in part {
            let w = visibleWidth(c)
            cellWidths[i] = w
            size += c.utf8.count
            let column = i % columns
            if column < columns - 1 && w > widths[column] { widths[column] = w }
            i += 1
        }
    }
    // The exact size first (cells, padding, newlines): the bytes are then written once into
    // their buffer, with no growing and no copy at the end.
    for i in 0..<count {
        let column = i % columns
        if column == 0 && i > 0 { size += 1 }
        if column < columns - 1 && i < count - 1 { size += max(0, widths[column] + gap - cellWidths[i]) }
    }
    if newline { size += 1 }
    return [UInt8](unsafeUninitializedCapacity: size) { out, written in
        guard let base = out.baseAddress else { written = 0; return }
        var at = 0
        var i = 0
        for part in parts {
            for cell in part {
                let column = i % columns
                if column == 0 && i > 0 { base[at] = 0x0A; at += 1 }
                let copied = cell.utf8.withContiguousStorageIfAvailable { u -> Int in
                    if let p = u.baseAddress, u.count > 0 { (base + at).initialize(from: p, count: u.count) }
                    return u.count
                }
                if let copied {
                    at += copied
                } else {
                    for b in cell.utf8 { base[at] = b; at += 1 }
                }
                if column < columns - 1 && i < count - 1 {
                    let pad = widths[column] + gap - cellWidths[i]
                    if pad > 0 { (base + at).initialize(repeating: 0x20, count: pad); at += pad }
                }
                i += 1
            }
        }
        if newline { base[at] = 0x0A; at += 1 }
        written = at
    }
}

/// Values worked out once per key, for keys that repeat on every row (level and phase IDs,
/// a level with its incident type):
/// the few keys are compared in order, which for the index's shared strings is a pointer
/// comparison, instead of hashing each one per row. Many distinct keys go to a dictionary.
struct FewKeys<Value> {
    private var keys: [String] = []
    private var values: [Value] = []
    private var many: [String: Value] = [:]

    /// The value for `key` if there is one; else work it out and `remember` it. (Not one
    /// method taking a closure: in a loop run ten thousand times, the closure copied what it
    /// captured, the whole runbook, on every call, found or not.)
    func known(_ key: String) -> Value? {
        if let i = keys.firstIndex(of: key) { return values[i] }
        return many[key]
    }

    @discardableResult
    mutating func remember(_ key: String, _ v: Value) -> Value {
        if keys.count < 16 { keys.append(key); values.append(v) } else { many[key] = v }
        return v
    }
}
