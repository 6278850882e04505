import IncidentKit

enum DeclineCommand {
    static let spec = CommandSpec(
        path: ["decline"],
        summary: "Not an incident after all: close it as declined, with the reason.",
        discussion: "A declined incident is archived, left out of 'list' (see 'list --status declined'), of stats and of reports; its timeline is kept. 'incident reopen ID' undoes it.",
        arguments: [Invocation.idArgument],
        options: [OptionSpec(name: "reason", value: "TEXT", help: "Why it is not an incident (required).")],
        examples: ["incident decline 42 --reason \"Synthetic check misconfigured; no customer impact\""],
        run: { inv in
            guard let reason = inv.option("reason"), !reason.trimmingCharacters(in: " ").isEmpty else {
                throw UsageError("'incident decline' needs --reason TEXT saying why it is not an incident.", command: "decline")
            }
            let (r, rb) = try inv.mutate(try inv.required("ID")) { r, _, actor in try Actions.decline(&r, reason: reason, actor: actor) }
            return try inv.report(r, rb, "\(r.id) declined and archived; 'incident list --status declined' shows it.")
        })
}

enum MergeCommand {
    static let spec = CommandSpec(
        path: ["merge"],
        summary: "A duplicate joins another incident: its entries, roles and action items move over, and it is closed pointing at the other.",
        discussion: "Each entry of the duplicate is copied into OTHER's timeline at the time it happened, by its author, marked with its origin; its roles go where OTHER has nobody in that role; its action items are renumbered in OTHER. The duplicate is archived with the outcome 'merged' and keeps resolving: 'incident show ID' names the survivor, and changes to it are refused with the survivor's ID. Both files are written under one lock, the survivor first; if the merge is interrupted, running it again completes it without copying twice.",
        arguments: [Invocation.idArgument],
        options: [OptionSpec(name: "into", value: "ID", help: "The incident that survives (required).")],
        examples: ["incident merge 43 --into 42"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        guard let intoText = inv.option("into") else {
            throw UsageError("'incident merge' needs --into OTHER, the incident that survives.", command: "merge")
        }
        let sourceID = try inv.incidentID(try inv.required("ID"))
        let survivorID = try inv.incidentID(intoText)
        if sourceID == survivorID { throw UsageError("An incident cannot be merged into itself.", command: "merge") }
        guard inv.store.exists else { throw IncidentError.notFound("No incident \(sourceID): there is no store at \(inv.store.root) yet.") }
        var actor = try inv.actor
        let runbook = try inv.runbook()
        var rerun: Int?
        let (survivor, merged) = try inv.store.withLock { () -> (IncidentRecord, DuplicateMerge.Result?) in
            var source = try inv.store.load(sourceID).0
            var survivor = try inv.store.load(survivorID).0
            if !inv.atGiven, let latest = (source.events + survivor.events).map(\.at).max(), latest > actor.at,
               actor.at.distance(to: latest) <= Limits.futureTolerance {
                actor.at = latest
            }
            if source.state.outcome == .merged, source.state.mergedInto == survivorID {
                // Run again: copy what reached the duplicate since (from a clone that had not
                // seen the merge); nothing already copied is copied twice.
                let n = try DuplicateMerge.carryLateEntries(from: source, into: &survivor, actor: actor)
                if n > 0 {
                    try inv.store.save(survivor)
                    inv.commitWrite(survivor)
                }
                rerun = n
                return (survivor, nil)
            }
            let result = try DuplicateMerge.merge(&source, into: &survivor, runbook: runbook, actor: actor)
            try inv.store.save(survivor)
            try inv.store.save(source)
            inv.commitWrite(source)
            return (survivor, result)
        }
        var message = "\(sourceID) merged into \(survivorID)"
        guard let result = merged else {
            let n = rerun ?? 0
            return try inv.report(survivor, runbook, "\(sourceID) was already merged into \(survivorID); "
                + (n > 0 ? "copied the \(n) entr\(n == 1 ? "y" : "ies") written on it since." : "every entry of it is there."))
        }
        message += result.resumed ? " (completing an interrupted merge; its entries were already there)." : ": \(result.entries) entr\(result.entries == 1 ? "y" : "ies") copied."
        if !result.rolesMoved.isEmpty { message += "\n  Roles moved: " + result.rolesMoved.map(inv.safe).joined(separator: ", ") }
        if !result.rolesKept.isEmpty { message += "\n  Roles already held in \(survivorID): " + result.rolesKept.map(inv.safe).joined(separator: ", ") }
        if !result.actionItems.isEmpty { message += "\n  Action items: " + result.actionItems.joined(separator: ", ") }
        message += "\n  \(sourceID) is archived as a duplicate; its ID now points at \(survivorID)."
        return try inv.report(survivor, runbook, message)
    }
}
