import IncidentKit

enum TimelineCommand {
    static let spec = CommandSpec(
        path: ["timeline"],
        aliases: ["log"],
        summary: "The whole timeline, in the order things happened (back-filled entries land in place), as corrected.",
        discussion: "Each line starts with the entry's ID (for 'incident amend' and 'incident strike'). Amended entries show their corrected text and time, marked (amended); struck entries are left out; entries merged in from a duplicate are marked with its ID. --history shows every event as it was written instead, in the order written, with what each correction and edit changed, by whom and when.",
        arguments: [Invocation.idArgument],
        options: [
            OptionSpec(name: "kind", value: "KIND", help: "Only entries of this kind (note, decision, comms, ...)."),
            OptionSpec(name: "since", value: "TIME", help: "Only entries that happened at or after TIME."),
            OptionSpec(name: "author", value: "NAME", help: "Only entries written by NAME (ignoring case)."),
            OptionSpec(name: "history", help: "Every event as written, with what each correction changed."),
        ],
        examples: ["incident timeline 42", "incident timeline 42 --kind decision", "incident timeline 42 --since -1h --author bob",
                   "incident timeline 42 --history", "incident timeline 42 --json | jq '.[].text'"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        let (record, runbook) = try inv.load(inv.required("ID"))
        let since = try inv.time("since")
        let author = try inv.option("author").map { try Actions.cleanShort($0, what: "The author (--author)").lowercased() }
        var entries = inv.flag("history") ? record.history : record.timeline
        if let kind = inv.option("kind") {
            let id = BuiltInKind.all.contains(kind.lowercased()) ? kind.lowercased() : try runbook.entryKind(named: kind).id
            entries = entries.filter { $0.kind == id }
        }
        if inv.atGiven { entries = entries.filter { $0.at <= inv.at } }
        if let since { entries = entries.filter { $0.at >= since } }
        if let author { entries = entries.filter { $0.author.lowercased() == author } }
        if inv.json {
            let late = Set(record.state.afterClose ?? [])
            try inv.printJSON(entries.map { EntryJSON($0, afterClose: late) })
            return ExitCode.success
        }
        var lines: [String] = []
        if let notice = inv.outcomeNotice(record) { lines.append(inv.style.yellow(notice)) }
        if inv.flag("history") {
            let changes = Dictionary(grouping: Corrections.changes(record), by: \.event.id)
            for e in entries {
                lines.append(historyLine(e, inv: inv))
                for c in changes[e.id] ?? [] { lines.append(describe(c, inv: inv)) }
            }
        } else {
            let corrected = Set(record.events.filter { $0.kind == BuiltInKind.amended }.compactMap { $0.fields["target"] })
            let late = Set(record.state.afterClose ?? [])
            lines += entries.map {
                line($0, inv: inv, runbook: runbook, amended: corrected.contains($0.id), afterClose: late.contains($0.id))
            }
        }
        if entries.isEmpty { lines.append("No entries match.") }
        inv.out(lines.joinedLines)
        return ExitCode.success
    }

    static func line(_ e: Event, inv: Invocation, runbook: Runbook, amended: Bool = false, afterClose: Bool = false) -> String {
        var backfilled = e.recordedAt.distance(to: e.at) < -300_000 ? inv.style.dim(" (back-filled \(inv.human(e.recordedAt)))") : ""
        if afterClose { backfilled += inv.style.yellow(" (after the close)") }
        let kind = e.kind.padding(12)
        let origin = e.fields["origin"].map { inv.style.yellow("[from \(inv.safe($0))] ") } ?? ""
        let mark = amended ? inv.style.dim(" (amended)") : ""
        let head = "  \(inv.style.dim(Corrections.shortID(e.id).padding(8)))  \(inv.timeColumn(e.at))  "
        let text = inv.safe(e.text).replacingOccurrences("\n", "\n" + String(repeating: " ", count: visibleWidth(head) + 2))
        return head + "\(inv.style.dim(kind)) \(inv.style.bold(inv.safe(e.author))): \(origin)\(text)\(mark)\(backfilled)"
    }

    /// An event as written: when it was recorded, by whom, and what it said.
    static func historyLine(_ e: Event, inv: Invocation) -> String {
        let at = e.at == e.recordedAt ? "" : " (happened \(inv.human(e.at)))"
        let head = "  \(inv.style.dim(Corrections.shortID(e.id).padding(8)))  \(inv.timeColumn(e.recordedAt))  "
        let text = inv.safe(e.text).replacingOccurrences("\n", "\n" + String(repeating: " ", count: visibleWidth(head) + 2))
        return head + "\(inv.style.dim(e.kind.padding(12))) \(inv.style.bold(inv.safe(e.author))): \(text)\(inv.style.dim(at))"
    }

    static func describe(_ c: Corrections.Change, inv: Invocation) -> String {
        let pad = String(repeating: " ", count: 12)
        func q(_ s: String?) -> String {
            guard let s else { return "(none)" }
            let one = inv.safe(s).replacingOccurrences("\n", " ⏎ ")
            return "“" + (one.count > 200 ? String(one.prefix(199)) + "…" : one) + "”"
        }
        let target = c.target.map { " of \(Corrections.shortID($0))" } ?? ""
        switch c.what {
        case "struck": return pad + inv.style.red("struck") + " by \(inv.safe(c.event.author)) at \(inv.human(c.event.recordedAt)): \(q(c.before)), because \(q(c.after))"
        default: return pad + inv.style.yellow(c.what) + "\(target) changed by \(inv.safe(c.event.author)) at \(inv.human(c.event.recordedAt)): \(q(c.before)) → \(q(c.after))"
        }
    }
}
