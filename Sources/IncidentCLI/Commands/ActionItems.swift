import IncidentKit

enum ActionAddCommand {
    static let spec = CommandSpec(
        path: ["action", "add"],
        summary: "Add a follow-up action item with an owner and a due date.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "TEXT", help: "What is to be done.", rest: true)],
        options: [
            OptionSpec(name: "owner", value: "NAME", help: "Who owns it."),
            OptionSpec(name: "due", value: "TIME", help: "When it is due (ISO 8601, or an offset such as +7d)."),
            OptionSpec(name: "term", value: "short|long", help: "Short-term fix or long-term prevention."),
        ],
        examples: ["incident action add 42 \"Alert on pool exhaustion\" --owner bob --due 2026-12-01T17:00:00Z --term short"],
        run: { inv in
            let due = try inv.time("due")
            let term = try inv.option("term").map { t -> ActionItem.Term in
                guard let v = ActionItem.Term(rawValue: t.lowercased()) else { throw UsageError("--term is short or long, not '\(t)'.") }
                return v
            }
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, _, actor in
                try Actions.addActionItem(&r, text: inv.required("TEXT"), owner: inv.option("owner"), dueAt: due, term: term, actor: actor)
            }
            // The item this command added (by the event it appended, not by position).
            guard let added = r.events.last?.fields["id"], let item = ActionItems.items(in: r).first(where: { $0.id == added }) else {
                throw IncidentError.storage("The action item was recorded but could not be read back from \(r.id).")
            }
            if item.owner == nil || item.dueAt == nil {
                inv.err("warning: \(item.id) has no \(item.owner == nil ? "owner" : "due date"); every action item needs both.")
            }
            return try inv.report(r, rb, "Added \(item.id) to \(r.id).")
        })
}

enum ActionDoneCommand {
    static let spec = CommandSpec(
        path: ["action", "done"],
        summary: "Mark an action item done.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "ACTION", help: "The action item (A1 or 1).")],
        examples: ["incident action done 42 A1"],
        run: { inv in
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, _, actor in
                try Actions.completeActionItem(&r, item: inv.required("ACTION"), actor: actor)
            }
            return try inv.report(r, rb, "\(r.id): \(r.events.last?.text ?? "done").")
        })
}

enum ActionsCommand {
    static let spec = CommandSpec(
        path: ["actions"],
        summary: "Action items across all incidents, active and archived.",
        options: [
            OptionSpec(name: "overdue", help: "Only open items past their due date."),
            OptionSpec(name: "owner", value: "NAME", help: "Only this owner's."),
            OptionSpec(name: "open", help: "Only open items."),
        ],
        examples: ["incident actions --overdue", "incident actions --owner bob --json"],
        run: { inv in
            // From the derived summaries, which carry each incident's action items.
            let snapshot = try inv.runbookSnapshot()
            let (a, b, problems) = inv.store.summariesOfBoth(runbook: snapshot, at: inv.at, active: .actionItems, archive: .actionItems)
            ProcessLifetime.keep((a, b))
            for p in problems { inv.err("warning: skipped \(p.path): \(p.reason).") }
            // Items are picked in place, incident by incident in ID order (the summaries
            // themselves are not copied or sorted: 10,000 of them are large values).
            let overdue = inv.flag("overdue"), open = inv.flag("open"), owner = inv.option("owner")?.lowercased()
            var order: [(IncidentID, Int, Int)] = []
            for (n, list) in [a, b].enumerated() {
                // A duplicate's items were renumbered into the incident it was merged into:
                // listed there, once, not also under the duplicate (where no one can close them).
                for i in list.indices where !list[i].actionItems.isEmpty && list[i].outcome != .merged { order.append((list[i].id, n, i)) }
            }
            order.sort { $0.0 < $1.0 }
            var items: [ActionItem] = []
            for (_, n, i) in order {
                for item in (n == 0 ? a : b)[i].actionItems
                where (!overdue || item.isOverdue(at: inv.at)) && (!open || item.status == .open)
                    && (owner == nil || item.owner?.lowercased() == owner) {
                    items.append(item)
                }
            }
            if inv.json { try inv.printJSON(items.map { ActionItemJSON($0, now: inv.at) }); return ExitCode.success }
            if items.isEmpty { inv.out("No action items."); return ExitCode.success }
            var rows = [["INCIDENT", "ID", "STATUS", "OWNER", "DUE", "ACTION"].map { inv.style.bold($0) }]
            for i in items {
                let due = i.dueAt.map { inv.human($0) + (i.isOverdue(at: inv.at) ? inv.style.red(" OVERDUE") : "") } ?? inv.style.red("no due date")
                rows.append([i.incident.description, i.id, i.status.rawValue, i.owner.map(inv.safe) ?? inv.style.red("no owner"), due, inv.safe(i.text)])
            }
            inv.out(table(rows).joinedLines)
            return ExitCode.success
        })
}
