/// `incident export ID --html`: one self-contained page about one incident. Facts, roles, a
/// drawn timeline with the SLA deadlines against it (met green, breached red), decisions,
/// communications, action items, evidence with its chain of custody, and whether the hash
/// chain verifies. Inline CSS and SVG only: no script, no font, nothing fetched; prints to PDF.
public enum IncidentPage {
    public static func render(_ record: IncidentRecord, runbook: Runbook, time: BusinessTime, now: Timestamp) -> String {
        let s = record.state
        let e = HTML.escape
        let timers = SLAEngine.evaluate(record, runbook: runbook, time: time, at: now)
        let verification = Verifier.verify(record)
        let level = runbook.level(id: s.severity)?.title ?? s.severity
        let phase = runbook.phase(id: s.phase)?.title ?? s.phase
        var body = ""

        body += "<header>\n<p class=\"muted\">Incident report · \(e(runbook.title))</p>\n"
        body += "<h1 id=\"title\"><span class=\"mono-id\">\(e(s.id.description))</span> <span class=\"incident-title\">\(e(s.title))</span></h1>\n"
        body += "<p><span class=\"badge\">\(e(level))</span><span class=\"badge\">\(e(s.status.rawValue))</span><span class=\"badge\">\(e(phase))</span>"
        if s.drill { body += "<span class=\"badge\">drill</span>" }
        body += verification.ok
            ? "<span class=\"badge ok\" id=\"chain\">hash chain verifies</span>"
            : "<span class=\"badge bad\" id=\"chain\">hash chain does NOT verify</span>"
        body += "</p>\n</header>\n"

        // Facts
        func when(_ t: Timestamp?) -> String { t.map { e($0.humanUTC) } ?? "<span class=\"muted\">—</span>" }
        var facts: [(String, String)] = [
            ("Summary", s.summary.map { "<span class=\"text\">\(e($0))</span>" } ?? "<span class=\"muted\">—</span>"),
            ("Severity", e(level)), ("Status", e(s.status.rawValue)), ("Phase", e(phase)),
            ("Type", s.type.map { e(runbook.incidentType(id: $0)?.title ?? $0) } ?? "<span class=\"muted\">—</span>"),
            ("Impact started", when(s.startedAt)), ("Declared", when(s.declaredAt)), ("Acknowledged", when(s.acknowledgedAt)),
            ("Contained", when(s.containedAt)), ("Resolved", when(s.resolvedAt)), ("Closed", when(s.closedAt)),
        ]
        if let r = s.resolutionSummary { facts.append(("Resolution", "<span class=\"text\">\(e(r))</span>")) }
        if let p = s.publicTitle { facts.append(("Public title", e(p))) }
        body += "<section id=\"facts\"><h2>Facts</h2>\n<table class=\"facts\">\n"
        for (k, v) in facts { body += "<tr><th>\(e(k))</th><td>\(v)</td></tr>\n" }
        body += "</table>\n"
        body += "<table class=\"durations\"><tr><th>Measure</th><th>From impact start</th><th>From declaration</th></tr>\n"
        func span(_ a: Timestamp, _ b: Timestamp?) -> String { b.map { formatSpan(milliseconds: max(0, a.distance(to: $0))) } ?? "—" }
        for (name, t) in [("Time to acknowledge", s.acknowledgedAt), ("Time to contain", s.containedAt), ("Time to resolve", s.resolvedAt)] {
            body += "<tr><td>\(name)</td><td>\(span(s.startedAt, t))</td><td>\(span(s.declaredAt, t))</td></tr>\n"
        }
        body += "</table></section>\n"

        // Roles
        body += "<section id=\"roles\"><h2>Roles</h2>\n"
        let required = Set(runbook.requiredRoles(level: s.severity, type: s.type))
        let roleRows = runbook.roles.compactMap { role -> String? in
            if let who = s.roles[role.id] { return "<tr><td>\(e(role.title))</td><td>\(e(who))</td></tr>" }
            if required.contains(role.id) { return "<tr><td>\(e(role.title))</td><td class=\"bad\">unstaffed (required)</td></tr>" }
            return nil
        }
        body += roleRows.isEmpty ? "<p class=\"muted\">No roles were assigned.</p>\n"
            : "<table><tr><th>Role</th><th>Person</th></tr>\n" + roleRows.joined(separator: "\n") + "\n</table>\n"
        body += "</section>\n"

        body += timelineSection(record, runbook: runbook, timers: timers, now: now)

        // SLA
        body += "<section id=\"sla\"><h2>SLA timers</h2>\n"
        if timers.isEmpty {
            body += "<p class=\"muted\">This severity has no timers in the runbook.</p>\n"
        } else {
            body += "<table><tr><th>Timer</th><th>Target</th><th>Due</th><th>Met</th><th>Result</th></tr>\n"
            for t in timers {
                let target = (t.repeats ? "every " : "") + t.duration.spelledOut
                let result = t.isStarted ? (t.stoppedByClose ? "stopped (closed first)" : t.state.rawValue) + (t.missed > 0 ? " (\(t.missed) missed)" : "") : "not started"
                body += "<tr class=\"timer \(t.isStarted ? t.state.rawValue : "idle")\"><td>\(e(t.title))</td><td>\(e(target))</td>"
                body += "<td>\(t.dueAt.map { e($0.humanUTC) } ?? "starts when " + e(t.startTrigger))</td><td>\(when(t.metAt))</td>"
                body += "<td class=\"\(t.isStarted ? t.state.rawValue : "muted")\">\(e(result))</td></tr>\n"
            }
            body += "</table>\n"
        }
        body += "</section>\n"

        body += entrySection(id: "decisions", title: "Decisions", record.timeline.filter { $0.kind == "decision" },
                             empty: "No decisions recorded.")
        body += entrySection(id: "comms", title: "Communications",
                             record.timeline.filter { HookEvents.commsKinds.contains($0.kind) || $0.fields["template"] != nil },
                             empty: "No communications recorded.")

        // Action items
        let actions = ActionItems.items(in: record)
        body += "<section id=\"actions\"><h2>Action items</h2>\n"
        if actions.isEmpty {
            body += "<p class=\"muted\">No action items.</p>\n"
        } else {
            body += "<table><tr><th>ID</th><th>Action</th><th>Term</th><th>Owner</th><th>Due</th><th>Status</th></tr>\n"
            for a in actions {
                let overdue = a.isOverdue(at: now)
                body += "<tr><td>\(e(a.id))</td><td class=\"text\">\(e(a.text))</td><td>\(e(a.term?.rawValue ?? "—"))</td>"
                body += "<td>\(a.owner.map(e) ?? "<span class=\"bad\">no owner</span>")</td><td>\(when(a.dueAt))</td>"
                body += "<td class=\"\(a.status == .done ? "met" : overdue ? "breached" : "pending")\">\(a.status == .done ? "done" : overdue ? "overdue" : "open")</td></tr>\n"
            }
            body += "</table>\n"
        }
        body += "</section>\n"

        // Evidence
        let evidence = Evidence.items(in: record)
        body += "<section id=\"evidence\"><h2>Evidence and chain of custody</h2>\n"
        if evidence.isEmpty {
            body += "<p class=\"muted\">No evidence recorded.</p>\n"
        } else {
            body += "<table><tr><th>ID</th><th>Item</th><th>SHA-256</th><th>Collected</th><th>Chain of custody</th></tr>\n"
            for i in evidence {
                var custody = "<ol class=\"custody\"><li>\(e(i.collectedBy)) <span class=\"muted\">collected \(e(i.collectedAt.humanUTC))</span></li>"
                for c in i.custody {
                    custody += "<li>\(e(c.to)) <span class=\"muted\">from \(e(c.from)), \(e(c.at.humanUTC))\(c.note.map { ": " + e($0) } ?? "")</span></li>"
                }
                custody += "</ol>"
                body += "<tr><td>\(e(i.id))</td><td class=\"text\">\(e(i.location))\(i.note.map { "<br><span class=\"muted\">\(e($0))</span>" } ?? "")</td>"
                body += "<td class=\"mono\">\(i.sha256.map(e) ?? "reference")\(i.size.map { "<br>\($0) bytes" } ?? "")</td>"
                body += "<td>\(e(i.collectedAt.humanUTC))<br>by \(e(i.collectedBy))</td><td>\(custody)</td></tr>\n"
            }
            body += "</table>\n"
        }
        body += "</section>\n"

        // Integrity
        body += "<section id=\"integrity\"><h2>Integrity</h2>\n"
        if verification.ok {
            body += "<p class=\"ok\">The timeline's hash chain verifies: \(record.events.count) events, head <span class=\"mono\">\(e(record.headHash))</span>.</p>\n"
        } else {
            body += "<p class=\"bad\">The timeline's hash chain does not verify; treat this record as edited:</p>\n<ul>"
            for p in verification.problems { body += "<li>\(e(p))</li>" }
            body += "</ul>\n"
        }
        body += "</section>\n"
        body += "<footer>Generated \(e(now.humanUTC)) by incident from \(e(s.id.description)) (\(record.events.count) events). Times are UTC.</footer>\n"
        return HTML.page(title: "\(s.id) \(s.title)", css: css, body: body)
    }

    static func entrySection(id: String, title: String, _ entries: [Event], empty: String) -> String {
        let e = HTML.escape
        var out = "<section id=\"\(id)\"><h2>\(e(title))</h2>\n"
        if entries.isEmpty { return out + "<p class=\"muted\">\(e(empty))</p>\n</section>\n" }
        out += "<ul class=\"entries\">\n"
        for ev in entries {
            out += "<li><span class=\"when\">\(e(ev.at.humanUTC))</span> <span class=\"who\">\(e(ev.author))</span> <span class=\"kind\">\(e(ev.kind))</span><div class=\"text\">\(e(ev.text))</div></li>\n"
        }
        return out + "</ul>\n</section>\n"
    }

    /// The timeline drawn on a time axis (an inline SVG: one tick per entry, one marker per
    /// SLA deadline), then every entry as a list item with the deadlines placed among them.
    static func timelineSection(_ record: IncidentRecord, runbook: Runbook, timers: [TimerStatus], now: Timestamp) -> String {
        let e = HTML.escape
        let entries = record.timeline
        let deadlines = timers.filter { $0.isStarted && $0.dueAt != nil }
        var times = entries.map(\.at) + deadlines.compactMap(\.dueAt) + [record.state.startedAt]
        if record.state.status == .active { times.append(now) }
        let lo = times.min() ?? now
        var hi = times.max() ?? now
        if hi.distance(to: lo) == 0 { hi = lo.adding(minutes: 1) }
        let width = 940.0, left = 20.0, right = 920.0
        func x(_ t: Timestamp) -> Double {
            let f = Double(lo.distance(to: t)) / Double(lo.distance(to: hi))
            return ((left + f * (right - left)) * 10).rounded() / 10
        }
        var svg = "<svg class=\"axis\" viewBox=\"0 0 \(Int(width)) 130\" width=\"100%\" role=\"img\" aria-label=\"Timeline from \(e(lo.humanUTC)) to \(e(hi.humanUTC))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        svg += "<line x1=\"\(left)\" y1=\"70\" x2=\"\(right)\" y2=\"70\" stroke=\"#5b6475\" stroke-width=\"2\"/>\n"
        if let resolved = record.state.resolvedAt {
            svg += "<rect x=\"\(x(record.state.startedAt))\" y=\"62\" width=\"\(max(1, x(resolved) - x(record.state.startedAt)))\" height=\"16\" fill=\"#c62828\" opacity=\"0.15\"><title>Impact \(e(record.state.startedAt.humanUTC)) to \(e(resolved.humanUTC))</title></rect>\n"
        }
        // Deadlines sorted by time, labels on three staggered rows so neighbours stay legible.
        for (i, t) in deadlines.sorted(by: { ($0.dueAt ?? lo) < ($1.dueAt ?? lo) }).enumerated() {
            guard let due = t.dueAt else { continue }
            let labelY = 12 + (i % 3) * 11
            let color = t.state == .met ? "#1a7f37" : t.state == .breached ? "#c62828" : "#b26a00"
            svg += "<g class=\"deadline \(t.state.rawValue)\"><line x1=\"\(x(due))\" y1=\"\(labelY + 4)\" x2=\"\(x(due))\" y2=\"100\" stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\"\(x(due))\" y=\"\(labelY)\" font-size=\"10\" text-anchor=\"\(x(due) > right - 60 ? "end" : x(due) < left + 60 ? "start" : "middle")\" fill=\"\(color)\">\(e(t.title))</text>"
            svg += "<title>\(e(t.title)) due \(e(due.humanUTC)): \(t.state.rawValue)</title></g>\n"
        }
        for ev in entries {
            let milestone = [BuiltInKind.declared, BuiltInKind.acknowledged, BuiltInKind.contained, BuiltInKind.resolved, BuiltInKind.closed].contains(ev.kind)
            svg += "<circle class=\"tick\" cx=\"\(x(ev.at))\" cy=\"70\" r=\"\(milestone ? 6 : 3.5)\" fill=\"\(milestone ? "#1f5fbf" : "#ffffff")\" stroke=\"#1f5fbf\" stroke-width=\"1.5\"><title>\(e(ev.at.humanUTC)) \(e(ev.kind)): \(e(String(ev.text.prefix(120))))</title></circle>\n"
        }
        svg += "<text x=\"\(left)\" y=\"122\" font-size=\"11\" fill=\"#5b6475\">\(e(lo.humanUTC))</text>"
        svg += "<text x=\"\(right)\" y=\"122\" font-size=\"11\" fill=\"#5b6475\" text-anchor=\"end\">\(e(hi.humanUTC))</text>\n</svg>\n"

        var items: [(Timestamp, Int, String)] = []
        for (i, ev) in entries.enumerated() {
            let late = ev.recordedAt.distance(to: ev.at) < -300_000 ? " <span class=\"muted\">(back-filled)</span>" : ""
            let kind = runbook.entryKinds.first { $0.id == ev.kind }?.title ?? ev.kind
            items.append((ev.at, i * 2, "<li class=\"entry kind-\(HTML.token(ev.kind))\"><span class=\"when\">\(e(ev.at.humanUTC))</span> <span class=\"kind\">\(e(kind))</span> <span class=\"who\">\(e(ev.author))</span>\(late)<div class=\"text\">\(ev.fields["origin"].map { "<span class=\"origin\">[from " + e($0) + "]</span> " } ?? "")\(e(ev.text))</div></li>"))
        }
        for (i, t) in deadlines.enumerated() {
            guard let due = t.dueAt else { continue }
            let what = t.state == .met ? "met" + (t.metAt.map { " at \($0.humanUTC)" } ?? "") : t.state == .breached ? "breached" : t.stoppedByClose ? "stopped (closed first)" : "pending"
            items.append((due, i * 2 + 1, "<li class=\"deadline \(t.state.rawValue)\"><span class=\"when\">\(e(due.humanUTC))</span> <span class=\"kind\">Deadline</span> \(e(t.title)): <strong>\(e(what))</strong></li>"))
        }
        items.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var out = "<section id=\"timeline\"><h2>Timeline</h2>\n"
        out += "<p class=\"legend\"><span class=\"met\">■ deadline met</span> · <span class=\"breached\">■ deadline breached</span> · <span class=\"pending\">■ deadline pending</span> · ● milestone · ○ entry</p>\n"
        out += svg
        out += "<ol class=\"timeline\">\n" + items.map(\.2).joined(separator: "\n") + "\n</ol>\n</section>\n"
        return out
    }

    static let css = """
    svg.axis { display: block; margin: 8px 0 12px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; }
    ol.timeline { list-style: none; padding: 0 0 0 18px; border-left: 3px solid var(--line); margin-left: 6px; }
    ol.timeline li { position: relative; margin: 0 0 10px; padding: 6px 10px; border-radius: 6px; }
    ol.timeline li::before { content: ""; position: absolute; left: -26px; top: 12px; width: 11px; height: 11px; border-radius: 50%; background: var(--blue); border: 2px solid var(--bg); }
    li.entry { background: var(--soft); }
    li.deadline { border: 1px dashed var(--line); background: #fff; }
    li.deadline.met { border-color: var(--green); } li.deadline.met::before { background: var(--green); }
    li.deadline.breached { border-color: var(--red); } li.deadline.breached::before { background: var(--red); }
    li.deadline.pending::before { background: var(--amber); }
    .when { font-weight: 600; } .kind { color: var(--blue); font-size: 13px; } .who { color: var(--muted); font-size: 13px; }
    ul.entries li { margin-bottom: 8px; } ol.custody { margin: 0; padding-left: 18px; }
    h1 .mono-id { color: var(--muted); }
    """
}
