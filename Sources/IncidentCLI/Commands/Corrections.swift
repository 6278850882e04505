import IncidentKit

enum AmendCommand {
    static let spec = CommandSpec(
        path: ["amend"], aliases: ["correct"],
        summary: "Correct a timeline entry (its text, when it happened, its kind) with a new event that points at it.",
        discussion: "Nothing is rewritten: the correction is appended and hashed like any event, the timeline and the postmortem show the corrected entry, and 'incident timeline ID --history' shows what changed, by whom and when. ENTRY is the entry's ID as 'incident timeline ID' shows it (a unique prefix of at least 4 characters will do). State changes (ack, resolve, assign...) keep their generated text, but their time can be corrected with --happened-at; the SLA timers follow. TEXT '-' reads standard input.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "ENTRY", help: "The entry's ID (or a unique prefix of it)."),
                    ArgumentSpec(name: "TEXT", help: "The corrected text, or - for standard input.", optional: true, rest: true)],
        options: [
            OptionSpec(name: "happened-at", value: "TIME", help: "When it really happened (corrects a wrong --at)."),
            OptionSpec(name: "kind", short: "k", value: "KIND", help: "The entry's correct kind."),
        ],
        examples: [
            "incident amend 42 3f9a \"Rolled back checkout to v1.4.2 (not v1.4.1)\"",
            "incident amend 42 3f9a --happened-at 14:02",
            "incident amend 42 3f9a --kind decision",
        ],
        run: { inv in
            let happenedAt = try inv.time("happened-at")
            let kind = try inv.option("kind").map { try inv.runbook().entryKind(named: $0).id }
            let text = try inv.text("TEXT")
            if let text { _ = try Actions.cleanLong(text, allowSecrets: true) }
            let (r, rb) = try inv.mutate(try inv.required("ID")) { r, rb, actor in
                try Actions.amend(&r, runbook: rb, entry: inv.required("ENTRY"), text: text, happenedAt: happenedAt, kind: kind, actor: actor)
            }
            if let redacted = r.events.last?.fields["redacted"] {
                inv.err("Redacted before storing: \(redacted). Use --allow-secrets to keep such text.")
            }
            return try inv.report(r, rb, "\(r.id): \(inv.safe(r.events.last?.text ?? "amended")).")
        })
}

enum StrikeCommand {
    static let spec = CommandSpec(
        path: ["strike"],
        summary: "Withdraw a timeline entry that should not be there (recorded, with the reason; the original stays in the history).",
        discussion: "The entry leaves the timeline, the postmortem and the timers (a struck comms entry no longer counts as a status update). 'incident timeline ID --history' shows it, struck by whom, when and why. Only entries (notes, decisions, comms...) can be struck; a state change is undone by the command that changes that state.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "ENTRY", help: "The entry's ID (or a unique prefix of it).")],
        options: [OptionSpec(name: "reason", value: "TEXT", help: "Why it is withdrawn (required).")],
        examples: ["incident strike 42 3f9a --reason \"Posted to the wrong incident\""],
        run: { inv in
            guard let reason = inv.option("reason"), !reason.trimmingCharacters(in: " ").isEmpty else {
                throw UsageError("'incident strike' needs --reason TEXT saying why the entry is withdrawn.", command: "strike")
            }
            let (r, rb) = try inv.mutate(try inv.required("ID")) { r, _, actor in
                try Actions.strike(&r, entry: inv.required("ENTRY"), reason: reason, actor: actor)
            }
            return try inv.report(r, rb, "\(r.id): \(inv.safe(r.events.last?.text ?? "struck")).")
        })
}

enum EditCommand {
    static let spec = CommandSpec(
        path: ["edit"],
        summary: "Change an incident's title, summary, impact start or public title (recorded as an event; the old values stay in the history).",
        arguments: [Invocation.idArgument],
        options: [
            OptionSpec(name: "title", value: "TEXT", help: "The new title."),
            OptionSpec(name: "summary", value: "TEXT", help: "The new summary."),
            OptionSpec(name: "started-at", value: "TIME", help: "When the impact really started (at or before the declaration)."),
            OptionSpec(name: "public-title", value: "TEXT", help: "The title customers see (status page, customer messages)."),
        ],
        examples: ["incident edit 42 --title \"Checkout 500s in EU\"", "incident edit 42 --started-at 13:42 --public-title \"Payment issues\""],
        run: { inv in
            let edit = Actions.Edit(title: inv.option("title"), summary: inv.option("summary"), startedAt: try inv.time("started-at"),
                                    publicTitle: inv.option("public-title"))
            if edit.isEmpty {
                throw UsageError("Say what to change: --title, --summary, --started-at and/or --public-title.", command: "edit")
            }
            let (r, rb) = try inv.mutate(try inv.required("ID")) { r, _, actor in try Actions.edit(&r, edit, actor: actor) }
            return try inv.report(r, rb, "\(r.id): \(inv.safe(r.events.last?.text ?? "edited")).")
        })
}
