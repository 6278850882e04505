import IncidentKit

enum ExportCommand {
    static let spec = CommandSpec(
        path: ["export"],
        summary: "One incident as a self-contained HTML page (to stdout or FILE): facts, roles, a drawn timeline with SLA deadlines, comms, actions, evidence.",
        discussion: "The page has inline CSS and SVG only: no script, no font or image fetched from anywhere, so it opens offline, can be mailed, and prints to PDF. Deadlines are drawn on the timeline (met green, breached red, pending amber); it states whether the hash chain verifies. Every piece of text from the incident is HTML-escaped. --at evaluates the timers at that moment.",
        arguments: [Invocation.idArgument],
        options: [
            OptionSpec(name: "html", help: "HTML (the only format; required so others can be added)."),
            OptionSpec(name: "output", short: "o", value: "FILE", help: "Write to FILE instead of stdout."),
        ],
        examples: ["incident export 42 --html > INC-42.html", "incident export 42 --html --output reports/INC-42.html"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        guard inv.flag("html") else {
            throw UsageError("'incident export' needs a format: --html (e.g. incident export \(inv.argument("ID") ?? "42") --html --output report.html).", command: "export")
        }
        let (record, runbook) = try inv.load(inv.argument("ID")!)
        let page = IncidentPage.render(record, runbook: runbook, time: try inv.businessTime(runbook), now: inv.at)
        if let output = inv.option("output"), output != "-" {
            try writeUserFile(output, page, store: inv.store, what: "the page")
            if inv.json {
                try inv.printJSON(["id": record.id.description, "path": output, "format": "html"])
            } else {
                inv.out("Wrote \(record.id) as HTML to \(inv.shownPath(output)).")
            }
        } else if inv.json {
            try inv.printJSON(["id": record.id.description, "format": "html", "html": page])
        } else {
            inv.context.stdout.write(page)
        }
        return ExitCode.success
    }
}

enum StatusPageCommand {
    static let spec = CommandSpec(
        path: ["status-page"],
        summary: "Write a static, customer-safe status page (index.html) and Atom feed (feed.xml) into DIR.",
        discussion: "Shows current incidents and those resolved since --since (default: the last 14 days), with only what is public by design: the public title (declare --public-title, incident public-title), the updates recorded with 'incident comms ID status-page --record', a customer-facing status (investigating, identified, resolved) and times. Never the internal title, summary, notes, names, roles, severity or evidence. An incident with nothing public is not shown; drills, declined incidents and duplicates never are. Publish DIR with any static web server.",
        options: [
            OptionSpec(name: "output", short: "o", value: "DIR", help: "The directory to write index.html and feed.xml into (required)."),
            OptionSpec(name: "since", value: "TIME", help: "Show incidents resolved at or after TIME (default: 14 days before --at)."),
            OptionSpec(name: "title", value: "TEXT", help: "The page's title (default: Service status)."),
            OptionSpec(name: "base-url", value: "URL", help: "Where DIR is published, for the feed's links (https://status.example.com/)."),
        ],
        examples: ["incident status-page --output /var/www/status", "incident status-page -o site --title \"Acme status\" --base-url https://status.acme.example/"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        guard let dir = inv.option("output"), !dir.isEmpty else {
            throw UsageError("'incident status-page' needs --output DIR.", command: "status-page")
        }
        let title = try inv.option("title").map { try Actions.cleanShort($0, what: "The title (--title)") } ?? "Service status"
        var baseURL = inv.option("base-url")
        if let b = baseURL {
            guard b.hasPrefix("https://") || b.hasPrefix("http://"), !b.contains(where: { $0 == " " || $0 == "\"" || $0 == "<" || $0 == ">" }) else {
                throw UsageError("--base-url must be an http(s) URL such as https://status.example.com/.", command: "status-page")
            }
            if !b.hasSuffix("/") { baseURL = b + "/" }
        }
        let since = try inv.time("since") ?? inv.at.adding(minutes: -14 * 1440)
        var records: [IncidentRecord] = []
        if inv.store.exists {
            let (active, p1) = inv.store.loadActive()
            let (archived, p2) = inv.store.loadArchived()
            for p in p1 + p2 { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
            records = (active + archived).filter { $0.state.declaredAt <= inv.at }
        }
        let items = StatusPage.items(records, since: since)
        let feedID = baseURL.map { $0 + "feed.xml" }
            ?? "urn:incident-status:" + String(SHA256.hex(Array(HookTrust.realPath(inv.store.root).utf8)).prefix(24))
        // A page for any web server to serve: readable by others (0644, directories 0755,
        // less the umask for new directories). Both targets are checked before either is
        // written, so a link or a directory in the way leaves the published pair as it was.
        for name in ["index.html", "feed.xml"] { try POSIXFile.checkUserFileTarget(dir + "/" + name) }
        try writeUserFile(dir + "/index.html", StatusPage.html(items, title: title, now: inv.at), store: inv.store,
                          what: "the status page", mode: 0o644, directoryMode: 0o755)
        try writeUserFile(dir + "/feed.xml", StatusPage.atom(items, title: title, feedID: feedID, baseURL: baseURL, now: inv.at),
                          store: inv.store, what: "the status page", mode: 0o644, directoryMode: 0o755)
        let current = items.filter(\.current).count
        if inv.json {
            try inv.printJSON(StatusPageJSON(directory: dir, files: ["index.html", "feed.xml"], current: current, recent: items.count - current))
        } else {
            inv.out("Wrote \(inv.shownPath(dir))/index.html and \(inv.shownPath(dir))/feed.xml: \(current) current, \(items.count - current) recent public incident\(items.count - current == 1 ? "" : "s").")
        }
        return ExitCode.success
    }

    struct StatusPageJSON: Encodable {
        var directory: String
        var files: [String]
        var current: Int
        var recent: Int
    }
}
