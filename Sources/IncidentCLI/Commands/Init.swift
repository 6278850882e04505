#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IncidentKit

enum InitCommand {
    static let spec = CommandSpec(
        path: ["init"],
        summary: "Create a store (safe to run again: never replaces an existing runbook or incident).",
        discussion: "NAME is a shipped runbook (\(Runbook.shippedNames.joined(separator: ", "))); FILE is a runbook JSON file of your own. Without --runbook the store runs 'default'. The store keeps its own copy of the runbook in runbook.json, which you may edit.",
        options: [OptionSpec(name: "runbook", value: "NAME|FILE", help: "The runbook this store runs.")],
        examples: ["incident init", "incident --store ./incidents init --runbook sla-matrix", "incident init --runbook ./our-policy.json"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        var chosen: Runbook?
        if let name = inv.option("runbook") {
            chosen = try loadRunbookArgument(name)
        }
        // Under the store lock: of two racing inits (or an init racing a first declare) exactly
        // one creates the runbook; the other reports what the store already runs.
        let created = try inv.store.initialize(runbook: chosen)
        let runbook = try inv.runbook()
        if !created, let chosen, chosen != runbook {
            inv.err("\(inv.store.root) already runs the '\(runbook.name)' runbook; it was left as it is (edit or replace \(inv.store.runbookPath) to change policy).")
        }
        if inv.json {
            try inv.printJSON(["store": inv.store.root, "runbook": runbook.name, "created": created ? "true" : "false"])
        } else {
            inv.out(created ? "Created the store \(inv.store.root) with the '\(runbook.name)' runbook."
                            : "The store \(inv.store.root) exists and runs the '\(runbook.name)' runbook; nothing changed.")
        }
        return ExitCode.success
    }

    /// A shipped runbook name, or a path to a runbook file. Problems are usage errors.
    static func loadRunbookArgument(_ value: String) throws -> Runbook {
        if let text = Runbook.shippedText(named: value) {
            return try Runbook.decode(Data(text.utf8), origin: "'\(value)'")
        }
        guard value.contains("/") || value.hasSuffix(".json") else {
            throw UsageError("There is no shipped runbook '\(value)' (shipped: \(Runbook.shippedNames.joined(separator: ", "))) and it is not a path to a .json file.")
        }
        let bytes = try readUserFile(value, limit: 4 << 20)
        do {
            return try Runbook.decode(Data(bytes), origin: value)
        } catch let e as IncidentError {
            throw UsageError(e.description)
        }
    }
}

/// Reads a file named on the command line (links followed, unlike store files): regular
/// files only, never blocking on a FIFO, bounded. Problems are usage errors (exit 2).
func readUserFile(_ path: String, limit: Int) throws -> [UInt8] {
    do {
        return try POSIXFile.readUserFile(path, limit: limit)
    } catch let e as IncidentError {
        throw UsageError(e.description.hasSuffix(".") ? e.description : e.description + ".")
    }
}
