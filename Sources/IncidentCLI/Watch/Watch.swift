import IncidentKit

/// `incident watch [ID]`: the commander's live view.
enum WatchCommand {
    static let spec = CommandSpec(
        path: ["watch"],
        aliases: ["top"],
        summary: "Live full-screen view of one incident, or of every active one (most urgent first); q quits.",
        discussion: "Shows every timer counting down (overdue in red), owed notifications, the phase and its open checklist items, the roles and who is missing, and the latest entries. Redraws every second, at once when any incident file changes (other people's notes appear as they are written), and when the window is resized; says so when the window is too small. q, Ctrl-C, Ctrl-D or SIGTERM leave it and the terminal is restored, also after a crash. Without a terminal (a pipe, a file, cron) it prints one snapshot and exits.",
        arguments: [ArgumentSpec(name: "ID", help: "One incident (default: every active incident).", optional: true)],
        examples: ["incident watch 42", "incident watch", "incident watch 42 | cat   # one snapshot"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        let id = try inv.argument("ID").map { try inv.incidentID($0) }
        if let id {
            guard inv.store.exists else { throw IncidentError.notFound("No incident \(id): there is no store at \(inv.store.root) yet.") }
            _ = try inv.store.load(id)  // an unknown ID is an error before the screen changes
        }
        guard inv.context.stdoutIsTerminal, let terminal = inv.context.terminal else {
            let lines = try WatchScreen(inv: inv, id: id).lines(width: max(inv.context.width, 60), height: nil)
            inv.out(lines.joinedLines)
            return ExitCode.success
        }
        return try live(inv, id: id, terminal: terminal)
    }

    static func live(_ inv: Invocation, id: IncidentID?, terminal: any LiveTerminal) throws -> Int32 {
        try terminal.enter()
        defer { terminal.leave() }
        var lastFingerprint = ""
        var lastSecond: Int64 = -1
        var size = terminal.size()
        var dirty = true
        var screen = WatchScreen(inv: inv, id: id)
        while true {
            let fingerprint = inv.store.changeFingerprint()
            if fingerprint != lastFingerprint {
                lastFingerprint = fingerprint
                screen = WatchScreen(inv: inv, id: id)  // re-read the store and the runbook
                dirty = true
            }
            let now = inv.atGiven ? inv.at : inv.context.now()
            let second = now.milliseconds / 1000
            if second != lastSecond { lastSecond = second; dirty = true }
            if dirty {
                var lines: [String]
                do {
                    lines = try screen.lines(width: size.columns, height: size.rows, now: now)
                } catch {
                    lines = ["incident watch: " + CLI.describe(error).0, "", "Waiting for the store to be fixed; q quits."]
                }
                terminal.draw(WatchScreen.frame(lines, width: size.columns, height: size.rows))
                dirty = false
            }
            switch terminal.wait(milliseconds: 200) {
            case .tick: break
            case .resize: size = terminal.size(); dirty = true
            case let .quit(signal): return signal == 0 ? ExitCode.success : 128 + signal
            }
        }
    }
}

/// One frame of `watch`, as lines no wider than the window. Pure: the store is read when
/// it is made, the time and size are arguments.
struct WatchScreen {
    static let minimumWidth = 50
    static let minimumHeight = 10

    let inv: Invocation
    let id: IncidentID?
    let loaded: Result<(records: [IncidentRecord], runbook: Runbook, problems: [StoreProblem]), Error>

    init(inv: Invocation, id: IncidentID?) {
        self.inv = inv
        self.id = id
        loaded = Result {
            let runbook = try inv.store.loadRunbook()
            if let id { return ([try inv.store.load(id).0], runbook, []) }
            let (records, problems) = inv.store.loadActive()
            return (records.filter { $0.state.status != .closed }, runbook, problems)
        }
    }

    /// Cursor home, each line cleared to its end, the rest of the screen cleared.
    static func frame(_ lines: [String], width: Int, height: Int) -> String {
        var out = "\u{1B}[H"
        for (i, line) in lines.prefix(height).enumerated() {
            out += fit(line, width: width) + "\u{1B}[0m\u{1B}[K" + (i + 1 < min(lines.count, height) ? "\r\n" : "")
        }
        return out + "\u{1B}[J"
    }

    func lines(width: Int, height: Int?, now: Timestamp? = nil) throws -> [String] {
        let now = now ?? inv.at
        if let height, width < Self.minimumWidth || height < Self.minimumHeight {
            let message = ["Window too small (\(width)×\(height)).", "incident watch needs at least \(Self.minimumWidth)×\(Self.minimumHeight).", "Enlarge it, or press q."]
            return Array(repeating: "", count: max(0, (height - message.count) / 2)) + message.map { Self.fit($0, width: width) }
        }
        let (records, runbook, problems) = try loaded.get()
        let st = inv.style
        let time = try inv.businessTime(runbook)
        var head = st.bold("incident watch") + "  " + inv.human(now)
        head += id.map { "  ·  \($0)" } ?? "  ·  \(records.count) active"
        if height != nil { head += "  ·  q quits" }
        var out = [head, ""]
        let budget = height.map { $0 - out.count } ?? Int.max
        if let record = records.first, id != nil {
            out += single(record, runbook: runbook, time: time, now: now, budget: budget)
        } else {
            out += overview(records, runbook: runbook, time: time, now: now, budget: budget)
        }
        for p in problems where height == nil || out.count < height ?? 0 {
            out.append(st.yellow("skipped \(inv.safe(p.path)): \(inv.safe(p.reason))"))
        }
        return out.map { Self.fit($0, width: width) }
    }

    // MARK: One incident

    func single(_ r: IncidentRecord, runbook: Runbook, time: BusinessTime, now: Timestamp, budget: Int) -> [String] {
        let st = inv.style
        let s = r.state
        var top: [String] = []
        if let notice = inv.outcomeNotice(r) { top.append(st.yellow(notice)) }
        top.append("\(st.bold(r.id.description))  \(inv.safe(s.title))\(s.drill ? "  " + st.yellow("[DRILL]") : "")")
        top.append("  \(inv.levelTitle(s.severity, runbook)) · \(s.status.rawValue) · phase \(inv.phaseTitle(s.phase, runbook)) · \(formatSpan(milliseconds: max(0, s.startedAt.distance(to: s.resolvedAt ?? now)))) since impact")
        let timers = SLAEngine.evaluate(r, runbook: runbook, time: time, at: now).filter { $0.isStarted && !$0.finished }
        var timerLines: [String] = []
        for t in urgencyOrder(timers, now: now) {
            timerLines.append("  " + badge(t, now: now).padding(16) + t.title.padding(22) + "due " + inv.clock(t.dueAt ?? now)
                              + (t.repeats ? ", every \(t.duration.spelledOut)" : "") + (t.missed > 0 ? st.red(", \(t.missed) missed") : ""))
        }
        var owedLines: [String] = []
        for item in Checklist.owedNotifications(r, runbook: runbook) {
            owedLines.append("  " + st.red("owed: ") + inv.safe(item.text) + st.dim("  (incident note \(r.id) --kind \(item.satisfiedBy.first ?? "note") TEXT)"))
        }
        var roleLine = "  "
        let required = Set(runbook.requiredRoles(level: s.severity, type: s.type))
        var held: [String] = []
        for role in runbook.roles {
            if let who = s.roles[role.id] { held.append("\(role.title) \(st.bold(inv.safe(who)))") }
        }
        roleLine += held.isEmpty ? st.dim("nobody assigned") : held.joined(separator: " · ")
        let missing = s.status == .closed ? [] : SLAEngine.missingRoles(s, runbook: runbook)
        var roleLines = [roleLine]
        if !missing.isEmpty { roleLines.append("  " + st.red("MISSING: ") + missing.map { inv.roleTitle($0, runbook) }.joined(separator: ", ")) }
        _ = required
        let open = Checklist.items(for: s, events: r.events, runbook: runbook).filter { $0.phase == s.phase && !$0.done }
        let openLines = open.map { "  [ ] #\($0.number) \(inv.safe($0.text))" + ($0.required ? st.yellow(" (required)") : "") }
        let entries = r.timeline
        // Fixed parts first; the checklist and the entries share what is left.
        var out = top + [""]
        out.append(st.bold("Timers") + (timers.isEmpty ? st.dim("  none running") : ""))
        out += timerLines
        if !owedLines.isEmpty { out.append(""); out.append(st.bold("Notifications owed")); out += owedLines }
        out.append("")
        out.append(st.bold("Roles"))
        out += roleLines
        var left = budget - out.count - 4
        out.append("")
        out.append(st.bold("Phase \(inv.phaseTitle(s.phase, runbook))") + (open.isEmpty ? st.dim("  checklist done") : "  \(open.count) open"))
        let checklistShare = min(openLines.count, max(1, left / 2))
        if openLines.count <= checklistShare {
            out += openLines
        } else {
            out += openLines.prefix(max(0, checklistShare - 1))
            out.append(st.dim("  … \(openLines.count - max(0, checklistShare - 1)) more ('incident checklist \(r.id)')"))
        }
        left = budget - out.count - 2
        out.append("")
        out.append(st.bold("Latest entries") + st.dim("  (\(entries.count) in all)"))
        let shown = budget == Int.max ? Array(entries.suffix(10)) : Array(entries.suffix(max(0, left)))
        for e in shown {
            let text = inv.safe(e.text).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let origin = e.fields["origin"].map { st.yellow("[\(inv.safe($0))] ") } ?? ""
            out.append("  \(inv.clock(e.at))  \(st.bold(inv.safe(e.author))): \(origin)\(text)")
        }
        return budget == Int.max ? out : Array(out.prefix(budget))
    }

    // MARK: Every active incident

    func overview(_ records: [IncidentRecord], runbook: Runbook, time: BusinessTime, now: Timestamp, budget: Int) -> [String] {
        let st = inv.style
        if records.isEmpty { return [st.green("No active incidents.")] }
        struct Row { var record: IncidentRecord; var timers: [TimerStatus]; var overdueBy: Int64; var nextDue: Int64 }
        let rows = records.map { r -> Row in
            let timers = urgencyOrder(SLAEngine.evaluate(r, runbook: runbook, time: time, at: now).filter { $0.isStarted && !$0.finished }, now: now)
            let overdue = timers.compactMap { $0.remaining(at: now) }.filter { $0 < 0 }.map { -$0 }.max() ?? 0
            let next = timers.compactMap { $0.remaining(at: now) }.filter { $0 >= 0 }.min() ?? Int64.max
            return Row(record: r, timers: timers, overdueBy: overdue, nextDue: next)
        }.sorted { a, b in
            // Most overdue first; then the most severe; then the nearest deadline.
            if (a.overdueBy > 0) != (b.overdueBy > 0) { return a.overdueBy > 0 }
            if a.overdueBy != b.overdueBy { return a.overdueBy > b.overdueBy }
            let ra = runbook.levelRank(id: a.record.state.severity), rb = runbook.levelRank(id: b.record.state.severity)
            if ra != rb { return ra < rb }
            if a.nextDue != b.nextDue { return a.nextDue < b.nextDue }
            return a.record.id < b.record.id
        }
        var out: [String] = []
        for (i, row) in rows.enumerated() {
            let r = row.record, s = r.state
            var block = ["\(st.bold(r.id.description))  \(inv.levelTitle(s.severity, runbook)) · \(s.status.rawValue) · \(inv.phaseTitle(s.phase, runbook))  \(inv.safe(s.title))"]
            let badges = row.timers.prefix(3).map { "\(badge($0, now: now)) \($0.title.lowercased())" }
            block.append("    " + (badges.isEmpty ? st.dim("no timer running") : badges.joined(separator: "  ·  ")))
            var alerts: [String] = []
            let missing = SLAEngine.missingRoles(s, runbook: runbook)
            if !missing.isEmpty { alerts.append(st.red("missing ") + missing.map { inv.roleTitle($0, runbook) }.joined(separator: ", ")) }
            let owed = Checklist.owedNotifications(r, runbook: runbook)
            if !owed.isEmpty { alerts.append(st.red("owed ") + owed.map { inv.safe($0.text) }.joined(separator: "; ")) }
            let commander = runbook.commanderRoleID.flatMap { s.roles[$0] }.map { "IC " + inv.safe($0) } ?? ""
            if !alerts.isEmpty || !commander.isEmpty { block.append("    " + ([commander].filter { !$0.isEmpty } + alerts).joined(separator: "  ·  ")) }
            if let last = r.timeline.last {
                let text = inv.safe(last.text).split(separator: "\n").first.map(String.init) ?? ""
                block.append(st.dim("    last: \(inv.clock(last.at)) \(inv.safe(last.author)): \(text)"))
            }
            let remaining = rows.count - i
            if out.count + block.count + (remaining > 1 ? 1 : 0) > budget {
                out.append(st.yellow("… \(remaining) more incident\(remaining == 1 ? "" : "s") (enlarge the window, or 'incident watch ID')"))
                break
            }
            out += block
            out.append("")
        }
        return budget == Int.max ? out : Array(out.prefix(budget))
    }

    // MARK: Helpers

    func badge(_ t: TimerStatus, now: Timestamp) -> String {
        let st = inv.style
        let left = t.remaining(at: now) ?? 0
        if left < 0 { return st.red("OVERDUE \(formatSpan(milliseconds: -left))") }
        let text = "in \(formatSpan(milliseconds: left))"
        return left < 15 * 60_000 ? st.yellow(text) : text
    }

    func urgencyOrder(_ timers: [TimerStatus], now: Timestamp) -> [TimerStatus] {
        timers.enumerated().sorted { a, b in
            let ra = a.element.remaining(at: now) ?? Int64.max, rb = b.element.remaining(at: now) ?? Int64.max
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    /// Cuts a line to `width` columns (escape sequences take none; wide characters two),
    /// ending it with … when cut.
    static func fit(_ line: String, width: Int) -> String {
        guard width > 0 else { return "" }
        let line = line.contains("\t") ? line.replacingOccurrences("\t", " ") : line
        if displayWidth(line) <= width { return line }
        var out = ""
        var columns = 0
        var inEscape = false
        var counter = ColumnCounter()
        for scalar in line.unicodeScalars {
            if inEscape {
                out.unicodeScalars.append(scalar)
                if (0x40...0x7e).contains(scalar.value) && scalar != "[" { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" { inEscape = true; out.unicodeScalars.append(scalar); continue }
            let w = counter.columns(scalar)
            if columns + w > width - 1 { break }
            out.unicodeScalars.append(scalar)
            columns += w
        }
        return out + "…"
    }

    static func displayWidth(_ line: String) -> Int {
        var columns = 0
        var inEscape = false
        var counter = ColumnCounter()
        for scalar in line.unicodeScalars {
            if inEscape { if (0x40...0x7e).contains(scalar.value) && scalar != "[" { inEscape = false }; continue }
            if scalar == "\u{1B}" { inEscape = true; continue }
            columns += counter.columns(scalar)
        }
        return columns
    }

    /// Columns scalar by scalar, for the emoji a terminal draws as one glyph from several
    /// scalars: after a wide character, a zero-width joiner and the scalar it joins take no
    /// column (👩‍💻 is two columns, not four), nor does a skin-tone modifier.
    struct ColumnCounter {
        private var afterWide = false
        private var joining = false

        mutating func columns(_ s: Unicode.Scalar) -> Int {
            let v = s.value
            if joining {
                joining = false
                afterWide = true
                return 0
            }
            if v == 0x200d {
                joining = afterWide
                return 0
            }
            if afterWide, (0x1f3fb...0x1f3ff).contains(v) { return 0 }
            let w = WatchScreen.columnWidth(s)
            if w > 0 { afterWide = w == 2 }
            return w
        }
    }

    /// 0 for combining marks and zero-width characters, 2 for East Asian wide and emoji, else 1.
    static func columnWidth(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x20 || (0x7f..<0xa0).contains(v) { return 0 }
        if (0x300...0x36f).contains(v) || (0x200b...0x200f).contains(v) || v == 0xfe0f || (0xfe00...0xfe0e).contains(v) { return 0 }
        if (0x1100...0x115f).contains(v) || (0x2e80...0xa4cf).contains(v) || (0xac00...0xd7a3).contains(v)
            || (0xf900...0xfaff).contains(v) || (0xfe30...0xfe4f).contains(v) || (0xff00...0xff60).contains(v)
            || (0xffe0...0xffe6).contains(v) || (0x1f300...0x1faff).contains(v) || (0x20000...0x3fffd).contains(v) {
            return 2
        }
        return 1
    }
}
