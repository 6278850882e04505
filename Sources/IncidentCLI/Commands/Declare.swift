import IncidentKit

enum DeclareCommand {
    static let spec = CommandSpec(
        path: ["declare"],
        aliases: ["open", "new"],
        summary: "Open an incident in active/ and start its SLA timers.",
        discussion: "Prints the new ID alone on stdout (so ID=$(incident declare ...) works) and, on stderr, the deadlines that just started and the roles still to staff. The first creates the store if there is none. --started-at back-dates the impact start (the declaration time is --at, default now).",
        arguments: [ArgumentSpec(name: "TITLE", help: "What is wrong, in a few words.", rest: true)],
        options: [
            OptionSpec(name: "severity", short: "s", value: "LEVEL", help: "Severity level from the runbook (required)."),
            OptionSpec(name: "summary", value: "TEXT", help: "A sentence on impact and scope."),
            OptionSpec(name: "started-at", value: "TIME", help: "When impact started (default: the declaration time)."),
            OptionSpec(name: "commander", value: "NAME", help: "Assign the Incident Commander at once."),
            OptionSpec(name: "type", value: "TYPE", help: "Incident type from the runbook (adds checklist items and roles)."),
            OptionSpec(name: "public-title", value: "TEXT", help: "The title customers may see on the status page (default: not public)."),
            OptionSpec(name: "drill", help: "A tabletop or full drill: shown as a drill, kept out of metrics."),
        ],
        examples: [
            "incident declare \"Checkout 500s\" --severity high",
            "incident declare \"API key in public repo\" -s critical --type leaked-credential --commander alice",
            "incident declare \"Login latency\" -s medium --started-at 13:50 --summary \"p99 over 4s in eu-west\"",
        ],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        guard let severity = inv.option("severity") else {
            let levels = ((try? inv.runbook())?.levels.map(\.id) ?? []).joined(separator: ", ")
            throw UsageError("'incident declare' needs --severity LEVEL (\(levels)).", command: "declare")
        }
        let declaration = Actions.Declaration(
            title: inv.argument("TITLE") ?? "", severity: severity, summary: inv.option("summary"),
            startedAt: try inv.time("started-at", eventTime: true), commander: inv.option("commander"),
            drill: inv.flag("drill"), type: inv.option("type"), publicTitle: inv.option("public-title"))
        let actor = try inv.actor
        let checkedRunbook = try inv.runbook()
        try Actions.validate(declaration, runbook: checkedRunbook, actor: actor)
        // The deadlines printed afterwards need the calendar: an unusable one is refused first.
        _ = try inv.businessTime(checkedRunbook)
        // Validated: only now may the store be created.
        // In a git store shared with a remote, the number is reserved by pushing: the incident
        // starts provisional, and a sync (fetch, merge, number, push) gives it the next number
        // free on the remote. Offline it stays provisional until the next 'incident sync'.
        let shared = inv.store.exists ? inv.git.flatMap { $0.remote != nil && $0.autocommit ? $0 : nil } : nil
        var offline: String?
        let (record, storeRunbook) = try inv.store.withLock { () -> (IncidentRecord, Runbook) in
            // The runbook the store runs now, under the lock: a racing 'init --runbook' may have
            // set up the store since the check above, and the incident must obey its runbook.
            let (storeRunbook, stamp) = try inv.store.loadStampedRunbook()
            if storeRunbook != checkedRunbook { try Actions.validate(declaration, runbook: storeRunbook, actor: actor) }
            var id: IncidentID
            if shared != nil {
                repeat { id = IncidentID.newProvisional() } while !inv.store.locations(of: id).isEmpty
            } else {
                id = try inv.store.allocateID()
            }
            var record = try Actions.declare(id: id, runbook: storeRunbook, declaration, actor: actor)
            try inv.store.save(record, runbook: try? inv.runbookSnapshot(storeRunbook, stamp: stamp))
            inv.commitWrite(record)
            if let git = shared {
                do {
                    let report = try git.sync(actor: actor, timeout: 10, executable: inv.context.executablePath)
                    offline = report.offline
                    if let number = report.numbered.first(where: { $0.0 == id })?.1 { record = try inv.store.load(number).0 }
                } catch {
                    offline = CLI.describe(error).0
                }
            }
            return (record, storeRunbook)
        }
        let runbook = storeRunbook
        if let offline, record.id.isProvisional {
            inv.err("incident: \(record.id) is provisional: the team's remote could not be reached (\(inv.safe(offline))). 'incident sync' gives it its number; \(record.id) keeps working as an alias.")
        }
        inv.queueHooks(record, runbook: runbook, newEvents: record.events[...], before: nil)
        if inv.json {
            try inv.printJSON(IncidentJSON(record, runbook: runbook, time: try inv.businessTime(runbook), now: inv.at, asOf: false))
            return ExitCode.success
        }
        inv.out(record.id.description)
        let s = record.state
        var lines: [String] = []
        lines.append("\(inv.style.bold(record.id.description)) declared\(s.drill ? " (drill)" : ""): \(inv.safe(s.title)) [\(inv.levelTitle(s.severity, runbook))]")
        if s.startedAt != s.declaredAt { lines.append("  Impact since \(inv.human(s.startedAt))") }
        let started = try inv.timerLinesAfterWrite(record, runbook, happened: inv.at, indent: "    ") { $0.isStarted }
        if !started.isEmpty {
            lines.append("  Timers started:")
            lines += started
        }
        let missing = SLAEngine.missingRoles(s, runbook: runbook)
        if !missing.isEmpty {
            lines.append("  Roles to staff: " + missing.map { inv.roleTitle($0, runbook) }.joined(separator: ", "))
        }
        lines.append("  Next: incident ack \(record.id) · incident assign \(record.id) ROLE NAME · incident note \(record.id) TEXT")
        inv.err(lines.joinedLines)
        return ExitCode.success
    }
}
