import IncidentKit

enum HooksCommand {
    static var eventList: String { (HookEvents.all + [HookEvents.any]).joined(separator: ", ") }

    static let spec = CommandSpec(
        path: ["hooks"],
        summary: "List the hooks installed in <store>/hooks/, whether this machine trusts them, and which events have none.",
        discussion: "A hook is an executable <store>/hooks/EVENT (events: \(eventList)). It runs after the event is stored, with the event JSON on stdin and INCIDENT_ID, INCIDENT_EVENT, INCIDENT_SEVERITY... in its environment, for at most INCIDENT_HOOK_TIMEOUT seconds (default 10). A hook runs only while its SHA-256 matches what 'incident hooks trust' recorded on this machine.",
        examples: ["incident hooks", "incident hooks --json"],
        run: list)

    static let testSpec = CommandSpec(
        path: ["hooks", "test"],
        summary: "Feed a hook a sample event (or a real incident's) to see what it does.",
        discussion: "Runs hooks/EVENT alone (not hooks/any unless EVENT is any) with a payload whose \"test\" is true and INCIDENT_TEST=true. Without ID the incident is a made-up sample. Exits 0 when the hook succeeds, 1 when it fails, hangs or cannot run.",
        arguments: [ArgumentSpec(name: "EVENT", help: "The event (declared, sla-breached, ...)."),
                    ArgumentSpec(name: "ID", help: "Use this incident's real state instead of a sample.", optional: true)],
        examples: ["incident hooks test declared", "incident hooks test sla-breached 42"],
        run: test)

    static let trustSpec = CommandSpec(
        path: ["hooks", "trust"],
        summary: "Trust the hooks as they are now, on this machine only (all installed hooks, or the EVENTs named).",
        discussion: "Records each hook's SHA-256 in $XDG_CONFIG_HOME/incident/trusted-hooks.json (else ~/.config/incident/), keyed by the store's real path: outside the store, so nothing that arrives through git can trust itself. A hook added or changed later (a pull, an edit) is skipped, with a message naming this command, until it is trusted again. Read a hook before you trust it.",
        arguments: [ArgumentSpec(name: "EVENT", help: "Hooks to trust (default: every installed hook).", optional: true, rest: true)],
        examples: ["incident hooks trust", "incident hooks trust declared sla-breached"],
        run: trust)

    struct HookRowJSON: Encodable {
        var event: String
        var path: String
        var executable: Bool
        var trusted: Bool
        var sha256: String?
        var problem: String?
    }

    struct ListJSON: Encodable {
        var directory: String
        var trustFile: String?
        var timeoutSeconds: Double
        var hooks: [HookRowJSON]
        var missing: [String]
        var unknown: [String]
    }

    static func list(_ inv: Invocation) throws -> Int32 {
        let directory = inv.hookDirectory
        let (hooks, unknown) = directory.installed()
        let trust = HookTrust(environment: inv.context.environment, store: inv.store)
        let trusted = trust?.trusted() ?? [:]
        let rows = hooks.map { h in
            HookRowJSON(event: h.event, path: h.path, executable: h.executable,
                        trusted: h.sha256 != nil && trusted[h.event] == h.sha256, sha256: h.sha256, problem: h.problem)
        }
        let installedNames = Set(hooks.map(\.event))
        let missing = (HookEvents.all + [HookEvents.any]).filter { !installedNames.contains($0) }
        if inv.json {
            try inv.printJSON(ListJSON(directory: directory.path, trustFile: trust?.file, timeoutSeconds: inv.hookTimeout,
                                       hooks: rows, missing: missing, unknown: unknown))
            return ExitCode.success
        }
        var lines = ["Hooks in \(directory.path) (time limit \(formatLimit(inv.hookTimeout)); INCIDENT_HOOK_TIMEOUT changes it):"]
        if let why = directory.unusable { lines.append("  none can run: \(why)") } else if rows.isEmpty { lines.append("  none installed") }
        let width = (rows.map(\.event.count).max() ?? 8) + 2
        for r in rows {
            var state: String
            if let problem = r.problem {
                state = inv.style.red("unusable: \(problem)")
            } else if !r.trusted {
                state = inv.style.red(trusted[r.event] == nil ? "NOT TRUSTED (new)" : "NOT TRUSTED (changed since trusted)")
                    + ": review it, then 'incident hooks trust \(r.event)'"
            } else {
                state = inv.style.green("trusted")
            }
            if r.problem == nil && !r.executable { state += "; " + inv.style.red("not executable") + " (chmod +x \(r.path))" }
            lines.append("  " + r.event.padding(width) + state)
        }
        if !unknown.isEmpty {
            lines.append("Not hooks (no such event): " + unknown.map(inv.safe).joined(separator: ", "))
        }
        lines.append("No hook for: " + (missing.isEmpty ? "—" : missing.joined(separator: ", ")))
        if let trust { lines.append("Trusted hashes: \(trust.file)") }
        inv.out(lines.joinedLines)
        return ExitCode.success
    }

    static func formatLimit(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }

    static func requireEvent(_ name: String) throws -> String {
        let lowered = name.lowercased()
        guard HookEvents.isKnown(lowered) else {
            throw UsageError("Unknown hook event '\(Sanitizer.forTerminal(String(name.prefix(40))))'; the events are: \(eventList).")
        }
        return lowered
    }

    static func trust(_ inv: Invocation) throws -> Int32 {
        let directory = inv.hookDirectory
        let requested = try (inv.argument("EVENT")?.split(separator: " ").map { try requireEvent(String($0)) }) ?? []
        if let why = directory.unusable { throw CommandFailure(message: "Nothing to trust: \(why).", code: ExitCode.refused) }
        guard let trust = HookTrust(environment: inv.context.environment, store: inv.store) else {
            throw CommandFailure(message: "There is nowhere to keep trusted hook hashes: set HOME or XDG_CONFIG_HOME.", code: ExitCode.refused)
        }
        let hooks: [InstalledHook]
        if requested.isEmpty {
            hooks = directory.installed().hooks
            if hooks.isEmpty {
                throw CommandFailure(message: "No hooks installed in \(directory.path); add an executable named after an event (see 'incident help hooks').", code: ExitCode.notFound)
            }
        } else {
            hooks = try requested.map { event in
                guard let h = directory.hook(event) else {
                    throw CommandFailure(message: "There is no hook \(directory.path)/\(event) to trust.", code: ExitCode.notFound)
                }
                return h
            }
        }
        var hashes: [String: String] = [:]
        for h in hooks {
            guard let sha = h.sha256, h.problem == nil else {
                throw CommandFailure(message: "hooks/\(h.event) cannot be trusted: \(h.problem ?? "it cannot be read").", code: ExitCode.refused)
            }
            hashes[h.event] = sha
        }
        try trust.trust(hashes)
        if inv.json {
            try inv.printJSON(hooks.map { HookRowJSON(event: $0.event, path: $0.path, executable: $0.executable, trusted: true, sha256: $0.sha256, problem: nil) })
        } else {
            for h in hooks {
                inv.out("Trusted hooks/\(h.event) (sha256 \(h.sha256!.prefix(16))…) on this machine\(h.executable ? "" : "; it is not executable yet (chmod +x \(h.path))").")
            }
        }
        return ExitCode.success
    }

    static func test(_ inv: Invocation) throws -> Int32 {
        let event = try requireEvent(inv.argument("EVENT")!)
        let directory = inv.hookDirectory
        if let why = directory.unusable { throw CommandFailure(message: "Nothing to test: \(why).", code: ExitCode.refused) }
        guard let hook = directory.hook(event) else {
            throw CommandFailure(message: "There is no hook \(directory.path)/\(event); create an executable there first.", code: ExitCode.notFound)
        }
        let record: IncidentRecord
        let runbook: Runbook
        if let id = inv.argument("ID") {
            (record, runbook) = try inv.load(id)
        } else {
            runbook = try inv.runbook()
            record = try sample(runbook: runbook, at: inv.at, author: try inv.author)
        }
        var timer: HookTimerJSON?
        if HookEvents.timerEvents.contains(event) {
            let open = SLAEngine.evaluate(record, runbook: runbook, time: try inv.businessTime(runbook), at: inv.at).first { $0.isStarted && !$0.finished }
            let due = open?.dueAt ?? inv.at.adding(minutes: -5)
            timer = HookTimerJSON(kind: event == "action-overdue" ? "action" : "sla",
                                  name: event == "action-overdue" ? "A1" : open?.id ?? "acknowledge",
                                  title: event == "action-overdue" ? "Sample action item" : open?.title ?? "Acknowledge",
                                  dueAt: due, overdueSeconds: max(0, due.distance(to: inv.at) / 1000),
                                  dueInSeconds: inv.at.distance(to: due) / 1000)
        }
        let payload = HookPayload(event: event, firedAt: inv.now, store: inv.storeRealPath, test: true, actor: try inv.author,
                                  incident: HookIncidentJSON(record, runbook: runbook, time: try inv.businessTime(runbook), now: inv.at),
                                  entry: timer == nil ? EntryJSON(record.events.last!) : nil, timer: timer)
        let report = inv.runHook(hook, event: event, payload: payload, incident: record,
                                 trust: HookTrust(environment: inv.context.environment, store: inv.store))
        if inv.json { try inv.printJSON(report) }
        if report.result == "ok" {
            if !inv.json { inv.out("hooks/\(event) succeeded (exit 0, \(report.milliseconds ?? 0) ms).") }
            return ExitCode.success
        }
        return ExitCode.refused
    }

    /// A made-up incident for `hooks test`: the runbook's first level, nothing stored.
    static func sample(runbook: Runbook, at: Timestamp, author: String) throws -> IncidentRecord {
        let actor = Actor(name: author, at: at, recordedAt: at)
        let level = runbook.levels.first?.id ?? "unknown"
        let declaration = Actions.Declaration(title: "Sample incident (incident hooks test)", severity: level,
                                              summary: "Not a real incident: a sample to test a hook.",
                                              startedAt: at.adding(minutes: -20), publicTitle: "Degraded service (test)")
        return try Actions.declare(id: IncidentID(number: 0), runbook: runbook, declaration, actor: actor)
    }
}

enum TickCommand {
    static let spec = CommandSpec(
        path: ["tick"],
        summary: "Evaluate every active timer and action item; fire sla-breached, sla-due-soon and action-overdue hooks once per deadline.",
        discussion: "For cron or a systemd timer, every minute. Each breach, due-soon warning (--due-soon, default 15m) and overdue action item is announced once per incident, timer and deadline: what was announced is kept in <store>/.announced.json, claimed under the store lock, so several machines sharing one store directory announce each once (clones synced with git keep their own record and each announce). Prints only what is new, so cron mails only news. A failing hook is reported and not retried.",
        options: [OptionSpec(name: "due-soon", value: "DURATION", help: "How early to warn before a deadline (default 15m; 0 turns warnings off).")],
        examples: ["incident tick", "* * * * * incident --store /srv/incidents tick   # crontab"],
        run: run)

    struct AnnouncementJSON: Encodable {
        var event: String
        var id: String
        var name: String
        var title: String
        var dueAt: Timestamp
        var overdueSeconds: Int64
        var hooks: [HookReport]
    }

    static func run(_ inv: Invocation) throws -> Int32 {
        var window: Int64 = 15 * 60_000
        if let text = inv.option("due-soon") {
            guard let ms = text == "0" ? 0 : parseSpan(text), ms <= 30 * 86_400_000 else {
                throw UsageError("--due-soon needs a duration such as 15m, 1h or 0 (not '\(inv.safe(text))').", command: "tick")
            }
            window = ms
        }
        // What tick announces is recorded as announced: as of a later moment it would fire the
        // hooks for deadlines not yet passed, and then stay silent when they do pass.
        if inv.atGiven && inv.now.distance(to: inv.at) > 0 {
            throw UsageError("'incident tick --at' cannot be ahead of the clock (\(inv.at.iso8601) is later than now): it would announce deadlines that have not passed, and stay silent when they do. Use 'incident sla --at' to see what will be due.", command: "tick")
        }
        guard inv.store.exists else {
            if inv.json { try inv.printJSON([AnnouncementJSON]()) }
            return ExitCode.success
        }
        let runbook = try inv.runbook()
        var fresh: [(TimerAnnouncement, IncidentRecord)] = []
        var problems: [StoreProblem] = []
        var damaged = false
        try inv.store.withLock {
            var announced = Announcements.load(inv.store)
            damaged = announced.damaged
            let (active, bad) = inv.store.loadActive()
            problems = bad
            var live = Set<String>()
            for record in active {
                for a in TimerAnnouncement.due(record, runbook: runbook, time: try inv.businessTime(runbook), at: inv.at, window: window) {
                    live.insert(a.key)
                    if announced.keys[a.key] == nil {
                        announced.keys[a.key] = inv.now
                        if !damaged { fresh.append((a, record)) }
                    }
                }
            }
            // Forget what is no longer due (met, moved, closed), keeping the file small;
            // a deadline that comes back is a new deadline with its own key.
            let keepPrefixes = Set(active.map { "\($0.id)/" })
            announced.keys = announced.keys.filter { key, _ in
                live.contains(key) || keepPrefixes.contains(where: { key.hasPrefix($0) })
            }
            try announced.save(inv.store)
        }
        for p in problems { inv.err("warning: skipped \(p.path): \(p.reason). Run 'incident doctor'.") }
        if damaged {
            inv.err("warning: \(inv.store.root)/\(Announcements.fileName) was damaged; rebuilt it from what is due now without firing hooks, so nothing is announced twice.")
        }
        var rows: [AnnouncementJSON] = []
        for (a, record) in fresh {
            let timer = HookTimerJSON(kind: a.event == "action-overdue" ? "action" : "sla", name: a.subject, title: a.title,
                                      dueAt: a.dueAt, overdueSeconds: max(0, a.lateness / 1000), dueInSeconds: -a.lateness / 1000)
            if !inv.json {
                let what: String
                switch a.event {
                case "sla-breached": what = inv.style.red("BREACHED") + " \(a.title), \(formatSpan(milliseconds: a.lateness)) past \(inv.human(a.dueAt))"
                case "sla-due-soon": what = inv.style.yellow("due soon") + " \(a.title), in \(formatSpan(milliseconds: -a.lateness)) (\(inv.human(a.dueAt)))"
                default: what = inv.style.red("OVERDUE") + " action \(a.subject) \(inv.safe(a.title)), \(formatSpan(milliseconds: a.lateness)) past \(inv.human(a.dueAt))"
                }
                inv.out("\(record.id) \(inv.safe(record.state.title)): \(what)")
            }
            let payload = HookPayload(event: a.event, firedAt: inv.now, store: inv.storeRealPath, test: false, actor: nil,
                                      incident: HookIncidentJSON(record, runbook: runbook, time: try inv.businessTime(runbook), now: inv.at), entry: nil, timer: timer)
            let reports = inv.runHooks(event: a.event, payload: payload, incident: record)
            rows.append(AnnouncementJSON(event: a.event, id: record.id.description, name: a.subject, title: a.title,
                                         dueAt: a.dueAt, overdueSeconds: max(0, a.lateness / 1000), hooks: reports))
        }
        if inv.json { try inv.printJSON(rows) }
        return ExitCode.success
    }
}

enum PublicTitleCommand {
    static let spec = CommandSpec(
        path: ["public-title"],
        summary: "Set the title customers see on the status page (--clear withdraws it: the incident stops being public).",
        discussion: "Only incidents with a public title or a recorded status-page update ('incident comms ID status-page --record') appear on 'incident status-page'; the internal title, notes, names and evidence never do.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "TEXT", help: "The public title.", optional: true, rest: true)],
        options: [OptionSpec(name: "clear", help: "Withdraw the public title.")],
        examples: ["incident public-title 42 \"Card payments failing for some customers\"", "incident public-title 42 --clear"],
        run: { inv in
            let text = inv.argument("TEXT")
            if text == nil && !inv.flag("clear") { throw UsageError("'incident public-title' needs TEXT (or --clear).", command: "public-title") }
            if text != nil && inv.flag("clear") { throw UsageError("Give TEXT or --clear, not both.", command: "public-title") }
            if let text { _ = try Actions.cleanShort(text, what: "The public title") }
            let (r, rb) = try inv.mutate(inv.argument("ID")!) { r, _, actor in
                try Actions.setPublicTitle(&r, to: text, actor: actor)
            }
            return try inv.report(r, rb, r.state.publicTitle.map { "\(r.id)'s public title: \(inv.safe($0))" } ?? "\(r.id) has no public title now.")
        })
}
