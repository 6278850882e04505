extension IncidentRecord {
    /// Why an incident is kept out of metrics and off the status page, or nil when it
    /// counts: a drill, a declined incident (not an incident after all), a duplicate merged
    /// into another. Read from the log (the latest of declined / merged / reopened wins), so
    /// it holds whatever else the cached state carries. Every page and figure asks this.
    public var exclusion: String? {
        if state.drill { return "drill" }
        var outcome: String?
        for event in timeline {
            switch event.kind {
            case "declined": outcome = "declined"
            case "merged": outcome = "duplicate"
            case BuiltInKind.reopened: outcome = nil
            default: break
            }
        }
        return outcome
    }
}

/// `incident status-page`: a static page and an Atom feed for customers. Only what is
/// public by design goes in: the public title, the updates recorded from the status-page
/// template (`comms ID status-page --record`), a customer-facing status and times. Never
/// the internal title, summary, notes, names, roles, severity or evidence; an incident with
/// nothing public is not shown at all; drills, declined incidents and duplicates never are.
public enum StatusPage {
    public static let template = "status-page"

    public struct Update: Sendable, Equatable {
        public var id: String
        public var at: Timestamp
        public var text: String
    }

    public struct Item: Sendable, Equatable {
        /// An opaque anchor (hash of the incident), not the internal ID.
        public var anchor: String
        public var title: String
        /// investigating / identified / resolved
        public var status: String
        public var startedAt: Timestamp
        public var resolvedAt: Timestamp?
        /// Newest first.
        public var updates: [Update]
        public var current: Bool
        public var updatedAt: Timestamp
    }

    /// Public view of one incident, or nil when nothing about it is public.
    public static func item(_ record: IncidentRecord) -> Item? {
        let s = record.state
        guard record.exclusion == nil else { return nil }
        // `public-title --clear` withdraws the incident from the page, updates and all.
        if let last = record.timeline.last(where: { $0.fields["publicTitle"] != nil }), last.fields["publicTitle"] == "" { return nil }
        let updates = record.timeline.filter { $0.fields["template"] == template }
            .map { Update(id: $0.id, at: $0.at, text: $0.text) }.reversed()
        guard s.publicTitle != nil || !updates.isEmpty else { return nil }
        let status = s.resolvedAt != nil || s.status == .closed ? "resolved" : s.containedAt != nil ? "identified" : "investigating"
        let last = ([s.declaredAt] + updates.map(\.at) + [s.resolvedAt, s.closedAt].compactMap { $0 }).max() ?? s.declaredAt
        return Item(anchor: "i-" + String(SHA256.hex(Array("status-page:\(s.id):\(record.events.first?.id ?? "")".utf8)).prefix(12)),
                    title: s.publicTitle ?? "Service disruption", status: status, startedAt: s.startedAt,
                    resolvedAt: s.resolvedAt ?? s.closedAt, updates: Array(updates), current: status != "resolved", updatedAt: last)
    }

    /// Current incidents, and those resolved at or after `since`, most recent first.
    public static func items(_ records: [IncidentRecord], since: Timestamp) -> [Item] {
        records.compactMap(item).filter { $0.current || ($0.resolvedAt ?? $0.updatedAt) >= since }
            .sorted { $0.current != $1.current ? $0.current : $0.updatedAt > $1.updatedAt }
    }

    static func statusLabel(_ s: String) -> String {
        switch s {
        case "investigating": return "Investigating"
        case "identified": return "Identified — fix in progress"
        default: return "Resolved"
        }
    }

    public static func html(_ items: [Item], title: String, now: Timestamp, feed: String = "feed.xml") -> String {
        let e = HTML.escape
        let current = items.filter(\.current)
        var body = "<header><h1>\(e(title))</h1>\n"
        body += current.isEmpty
            ? "<p class=\"banner ok\" id=\"overall\">All systems operational</p>\n"
            : "<p class=\"banner bad\" id=\"overall\">\(current.count) ongoing incident\(current.count == 1 ? "" : "s")</p>\n"
        body += "<p class=\"muted\">Updated \(e(now.humanUTC)) · <a href=\"\(e(feed))\">Subscribe (Atom feed)</a></p></header>\n"
        for (heading, list, id) in [("Current incidents", current, "current"), ("Recent incidents", items.filter { !$0.current }, "recent")] {
            body += "<section id=\"\(id)\"><h2>\(heading)</h2>\n"
            if list.isEmpty { body += "<p class=\"muted\">None.</p>\n" }
            for item in list {
                body += "<article class=\"incident \(item.status)\" id=\"\(item.anchor)\">\n"
                body += "<h3>\(e(item.title))</h3>\n"
                body += "<p><span class=\"badge \(item.status == "resolved" ? "ok" : "bad")\">\(e(statusLabel(item.status)))</span>"
                body += " <span class=\"muted\">Started \(e(item.startedAt.humanUTC))\(item.resolvedAt.map { " · resolved " + e($0.humanUTC) } ?? "")</span></p>\n"
                if !item.updates.isEmpty {
                    body += "<ol class=\"updates\">\n"
                    for u in item.updates {
                        body += "<li class=\"update\"><span class=\"when\">\(e(u.at.humanUTC))</span><div class=\"text\">\(e(u.text))</div></li>\n"
                    }
                    body += "</ol>\n"
                }
                body += "</article>\n"
            }
            body += "</section>\n"
        }
        body += "<footer>Times are UTC.</footer>\n"
        let css = """
        .banner { font-size: 18px; font-weight: 600; padding: 12px 16px; border-radius: 8px; }
        .banner.ok { background: #e6f4ea; color: var(--green); } .banner.bad { background: #fdecea; color: var(--red); }
        article.incident { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 10px; margin: 12px 0; }
        article.incident h3 { margin: 10px 0 4px; }
        ol.updates { list-style: none; padding: 0; } li.update { border-top: 1px solid var(--line); padding: 8px 0; }
        .when { font-weight: 600; font-size: 13px; }
        """
        return HTML.page(title: title, css: css, body: body)
    }

    /// An Atom (RFC 4287) feed: one entry per public update, plus the opening and the
    /// resolution of each public incident.
    public static func atom(_ items: [Item], title: String, feedID: String, baseURL: String?, now: Timestamp) -> String {
        let e = HTML.escape
        var entries: [(Timestamp, String)] = []
        for item in items {
            var list: [(String, Timestamp, String, String)] = [
                ("opened", item.startedAt, "\(item.title): investigating", "We are investigating this incident."),
            ]
            for u in item.updates { list.append((u.id, u.at, "\(item.title): update", u.text)) }
            if let resolved = item.resolvedAt { list.append(("resolved", resolved, "\(item.title): resolved", "This incident has been resolved.")) }
            for (key, at, entryTitle, text) in list {
                var x = "  <entry>\n    <id>\(e(feedID)):\(e(item.anchor)):\(e(key))</id>\n    <title>\(e(entryTitle))</title>\n"
                x += "    <updated>\(at.iso8601)</updated>\n"
                if let baseURL { x += "    <link href=\"\(e(baseURL))#\(item.anchor)\"/>\n" }
                x += "    <content type=\"text\">\(e(text))</content>\n  </entry>\n"
                entries.append((at, x))
            }
        }
        entries.sort { $0.0 > $1.0 }
        let updated = entries.first?.0 ?? now
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        out += "  <id>\(e(feedID))</id>\n  <title>\(e(title))</title>\n  <updated>\(updated.iso8601)</updated>\n"
        out += "  <author><name>\(e(title))</name></author>\n"
        if let baseURL { out += "  <link href=\"\(e(baseURL))\"/>\n  <link rel=\"self\" href=\"\(e(baseURL))feed.xml\"/>\n" }
        out += entries.map(\.1).joined()
        return out + "</feed>\n"
    }
}
