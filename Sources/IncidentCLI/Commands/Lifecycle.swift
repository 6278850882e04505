import IncidentKit

extension Invocation {
    /// After a change: the incident as JSON, or one line for a person.
    func report(_ record: IncidentRecord, _ runbook: Runbook, _ message: String) throws -> Int32 {
        if json {
            try printJSON(IncidentJSON(record, runbook: runbook, time: try businessTime(runbook), now: at, asOf: false))
        } else {
            out(message)
        }
        return ExitCode.success
    }

    static let idArgument = ArgumentSpec(name: "ID", help: "The incident (INC-42, inc-42, 42, or a unique part of its title).")
}

enum AckCommand {
    static let spec = CommandSpec(
        path: ["ack"], aliases: ["acknowledge"],
        summary: "Acknowledge: someone is on it (stops the acknowledge timer).",
        arguments: [Invocation.idArgument],
        examples: ["incident ack 42", "incident ack 42 --as alice --at 14:07"],
        run: { inv in
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, _, actor in try Actions.acknowledge(&r, actor: actor) }
            let at = r.events.last!.at
            let delay = formatSpan(milliseconds: max(0, r.state.declaredAt.distance(to: at)))
            return try inv.report(r, rb, "\(r.id) acknowledged by \(try inv.author) at \(inv.human(at)) (\(delay) after declaration).")
        })
}

enum ContainCommand {
    static let spec = CommandSpec(
        path: ["contain"],
        summary: "Mark the impact contained (stops the contain timer). Entering a phase the runbook marks as contained does the same.",
        arguments: [Invocation.idArgument],
        options: [OptionSpec(name: "summary", value: "TEXT", help: "How it was contained.")],
        examples: ["incident contain 42 --summary \"Rolled back to v1.4.2\""],
        run: { inv in
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, _, actor in
                try Actions.contain(&r, summary: inv.option("summary"), actor: actor)
            }
            return try inv.report(r, rb, "\(r.id) contained at \(inv.human(r.events.last!.at)).")
        })
}

enum ResolveCommand {
    static let spec = CommandSpec(
        path: ["resolve"],
        summary: "Service restored. Starts the post-incident timers (postmortem, review).",
        arguments: [Invocation.idArgument],
        options: [OptionSpec(name: "summary", value: "TEXT", help: "What restored service.")],
        examples: ["incident resolve 42 --summary \"Connection pool size restored\""],
        run: { inv in
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, _, actor in
                try Actions.resolve(&r, summary: inv.option("summary"), actor: actor)
            }
            let at = r.events.last!.at
            var message = "\(r.id) resolved at \(inv.human(at)), \(formatSpan(milliseconds: r.state.startedAt.distance(to: at))) after impact started."
            let next = try inv.timerLinesAfterWrite(r, rb, happened: at) { $0.isStarted && !$0.finished }
            if !next.isEmpty { message += "\n" + next.joinedLines }
            return try inv.report(r, rb, message)
        })
}

enum CloseCommand {
    static let spec = CommandSpec(
        path: ["close"],
        summary: "Close and move to archive/. Refused, with the reasons, while the runbook's close gates are unmet.",
        discussion: "Gates come from the runbook's closeGates (resolved, checklist, roles, postmortem, action-items, actions-done). --force --reason closes anyway and records the reason and the unmet gates. Closing records the verified head hash of the timeline.",
        arguments: [Invocation.idArgument],
        options: [
            OptionSpec(name: "force", help: "Close even though gates are unmet (needs --reason)."),
            OptionSpec(name: "reason", value: "TEXT", help: "Why; recorded in the timeline."),
        ],
        examples: ["incident close 42", "incident close 42 --force --reason \"Duplicate of INC-41\""],
        run: { inv in
            let (force, reason) = try inv.forceAndReason()
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, rb, actor in
                let report = Verifier.verify(r)
                if !report.ok {
                    throw CommandFailure(message: "\(r.id) cannot be closed: its timeline does not verify (\(report.problems[0])); run 'incident verify \(r.id)'.", code: ExitCode.verifyFailed)
                }
                try Actions.close(&r, runbook: rb, time: try inv.businessTime(rb), force: force, reason: reason, actor: actor, format: { inv.human($0) })
            }
            return try inv.report(r, rb, "\(r.id) closed and archived (\(inv.store.archiveDirectory)/\(CivilTime(r.state.declaredAt).year)/\(r.id.fileName)).")
        })
}

enum ReopenCommand {
    static let spec = CommandSpec(
        path: ["reopen"],
        summary: "Back to active (from resolved, or from the archive).",
        arguments: [Invocation.idArgument],
        options: [OptionSpec(name: "reason", value: "TEXT", help: "Why; recorded in the timeline.")],
        examples: ["incident reopen 42 --reason \"Errors are back after the rollback\""],
        run: { inv in
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, _, actor in
                try Actions.reopen(&r, reason: inv.option("reason"), actor: actor)
            }
            return try inv.report(r, rb, "\(r.id) reopened; it is active again.")
        })
}

enum SeverityCommand {
    static let spec = CommandSpec(
        path: ["severity"], aliases: ["sev", "reclassify"],
        summary: "Re-classify. SLA deadlines follow the new level; required roles change with it.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "LEVEL", help: "The new severity level.")],
        options: [OptionSpec(name: "reason", value: "TEXT", help: "Why; recorded in the timeline.")],
        examples: ["incident severity 42 critical --reason \"EU customers affected too\""],
        run: { inv in
            let rb0 = try inv.runbook()
            _ = try rb0.level(named: inv.required("LEVEL"))
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, rb, actor in
                try Actions.changeSeverity(&r, runbook: rb, to: inv.required("LEVEL"), reason: inv.option("reason"), actor: actor)
            }
            var message = "\(r.id) is now \(inv.levelTitle(r.state.severity, rb))."
            let running = try inv.timerLinesAfterWrite(r, rb, happened: r.events.last!.at) { $0.isStarted && !$0.finished }
            if !running.isEmpty { message += "\n" + running.joinedLines }
            let missing = SLAEngine.missingRoles(r.state, runbook: rb)
            if !missing.isEmpty { message += "\n  Roles to staff: " + missing.map { inv.roleTitle($0, rb) }.joined(separator: ", ") }
            return try inv.report(r, rb, message)
        })
}

enum AssignCommand {
    static let spec = CommandSpec(
        path: ["assign"], aliases: ["handover"],
        summary: "Give a role to a person; assigning a held role hands it over (both names are recorded).",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "ROLE", help: "A role from the runbook (commander/ic, scribe, comms...)."),
                    ArgumentSpec(name: "NAME", help: "Who takes it.", rest: true)],
        examples: ["incident assign 42 ic alice", "incident assign 42 commander bob   # hand-over from alice"],
        run: { inv in
            _ = try inv.runbook().role(named: inv.required("ROLE"))
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, rb, actor in
                try Actions.assign(&r, runbook: rb, role: inv.required("ROLE"), name: inv.required("NAME"), actor: actor)
            }
            let role = try rb.role(named: inv.required("ROLE"))
            return try inv.report(r, rb, "\(inv.safe(r.state.roles[role.id] ?? "")) is \(role.title) of \(r.id).")
        })
}

enum UnassignCommand {
    static let spec = CommandSpec(
        path: ["unassign"],
        summary: "Take a role away (it becomes unstaffed).",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "ROLE", help: "A role from the runbook.")],
        examples: ["incident unassign 42 scribe"],
        run: { inv in
            _ = try inv.runbook().role(named: inv.required("ROLE"))
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, rb, actor in
                try Actions.unassign(&r, runbook: rb, role: inv.required("ROLE"), actor: actor)
            }
            return try inv.report(r, rb, "\(try rb.role(named: inv.required("ROLE")).title) of \(r.id) is unstaffed.")
        })
}

enum PhaseCommand {
    static let spec = CommandSpec(
        path: ["phase"],
        summary: "Advance to the next phase, or move to a named one.",
        discussion: "Skipping a phase, or leaving one with required checklist items open, is refused unless --force --reason. Moving back to an earlier phase is allowed. Without PHASE, lists nothing and advances one step.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "PHASE", help: "Target phase (default: the next one).", optional: true)],
        options: [
            OptionSpec(name: "force", help: "Allow a skip or leaving required items open (needs --reason)."),
            OptionSpec(name: "reason", value: "TEXT", help: "Why; recorded in the timeline."),
        ],
        examples: ["incident phase 42", "incident phase 42 recover", "incident phase 42 post-incident --force --reason \"False alarm\""],
        run: { inv in
            let (force, reason) = try inv.forceAndReason()
            if let p = inv.argument("PHASE") { _ = try inv.runbook().phase(named: p) }
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, rb, actor in
                try Actions.changePhase(&r, runbook: rb, to: inv.argument("PHASE"), force: force, reason: reason, actor: actor)
            }
            var message = "\(r.id) is in \(inv.phaseTitle(r.state.phase, rb))."
            let items = Checklist.items(for: r.state, events: r.events, runbook: rb).filter { $0.phase == r.state.phase && !$0.done }
            if !items.isEmpty {
                message += "\n" + items.map { "  [ ] #\($0.number) \($0.text)\($0.required ? " (required)" : "")" }.joinedLines
            }
            return try inv.report(r, rb, message)
        })
}

enum NoteCommand {
    static let spec = CommandSpec(
        path: ["note"], aliases: ["log-entry", "add"],
        summary: "Append a timeline entry; back-fill with --at. TEXT '-' reads standard input.",
        discussion: "Kinds come from the runbook (note, decision, comms, exec-notification, customer-notification, regulator-notification, observation, hypothesis, mitigation, detection, review in the default one). A comms entry restarts the status-update cadence; decisions get their own section in the postmortem. Text that looks like a credential is redacted before it is stored unless --allow-secrets; entries are limited to 1 MiB.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "TEXT", help: "The entry, or - for standard input (not with --edit).", optional: true, rest: true)],
        options: [OptionSpec(name: "kind", short: "k", value: "KIND", help: "The entry's kind (default: note)."),
                  OptionSpec(name: "edit", short: "e", help: "Write the entry in $VISUAL or $EDITOR (vi if neither is set): a private temporary file, removed afterwards. An empty file records nothing.")],
        examples: [
            "incident note 42 \"Rolled back checkout to v1.4.2\"",
            "incident note 42 --kind decision \"Fail over to us-east; eu-west stays drained\"",
            "incident note 42 --kind comms \"Status page updated\" --at 14:30",
            "kubectl logs deploy/checkout --tail 50 | incident note 42 -",
            "incident note 42 --edit --kind decision",
        ],
        run: { inv in
            let runbook = try inv.runbook()
            let kind = try inv.option("kind").map { try runbook.entryKind(named: $0).id }
            let text: String
            if inv.flag("edit") {
                if inv.argument("TEXT") != nil { throw UsageError("Give TEXT or --edit, not both.", command: "note") }
                guard let edited = try NoteCommand.compose(inv) else {
                    inv.err("Nothing was saved in the editor; nothing recorded.")
                    return ExitCode.success
                }
                text = edited
            } else {
                guard let given = try inv.text("TEXT") else { throw UsageError("'incident note' needs TEXT (or --edit).", command: "note") }
                text = given
            }
            _ = try Actions.cleanLong(text, allowSecrets: true)
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, rb, actor in
                try Actions.note(&r, runbook: rb, text: text, kind: kind, actor: actor)
            }
            if let redacted = r.events.last?.fields["redacted"] {
                inv.err("Redacted before storing: \(redacted). Use --allow-secrets to keep such text.")
            }
            return try inv.report(r, rb, "Added to \(r.id) at \(inv.human(r.events.last!.at)) (\(r.events.last!.kind)).")
        })

    /// `--edit`: the incident is checked first (so nothing typed is lost on a wrong ID), then
    /// the editor runs; nil when nothing (or only white space) was saved.
    static func compose(_ inv: Invocation) throws -> String? {
        _ = try inv.load(inv.required("ID"))
        guard let compose = inv.context.composeWithEditor else {
            throw UsageError("--edit needs an editor to run, which this context has none of; give TEXT or - instead.", command: "note")
        }
        let nonEmpty = { (name: String) in inv.context.environment[name].flatMap { $0.trimmingCharacters(in: " ").isEmpty ? nil : $0 } }
        let editor = nonEmpty("VISUAL") ?? nonEmpty("EDITOR") ?? "vi"
        let bytes: [UInt8]
        do { bytes = try compose(editor, Limits.longText) } catch let e as EditorFailure {
            throw CommandFailure(message: e.message, code: ExitCode.refused)
        }
        if bytes.count > Limits.longText {
            throw UsageError("The entry is over the \(Limits.longText)-byte (1 MiB) limit; attach large logs as evidence instead.", command: "note")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw UsageError("The saved file is not valid UTF-8 text; nothing recorded.", command: "note")
        }
        return text.allSatisfy { $0.isWhitespace } ? nil : text
    }
}
