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
        options: [
            OptionSpec(name: "runbook", value: "NAME|FILE", help: "The runbook this store runs."),
            OptionSpec(name: "git", help: "Keep the store in git: a new repository, the one it is already in, or a clone of --remote. Writes .gitattributes and .gitignore, configures the merge driver, commits."),
            OptionSpec(name: "remote", value: "URL", help: "With --git: the team's shared repository ('origin'); 'incident sync' exchanges changes with it."),
        ],
        examples: ["incident init", "incident --store ./incidents init --runbook sla-matrix", "incident init --runbook ./our-policy.json",
                   "incident --store ~/incidents init --git --remote git@git.example.com:sre/incidents.git"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        var chosen: Runbook?
        if let name = inv.option("runbook") {
            chosen = try loadRunbookArgument(name)
        }
        if inv.option("remote") != nil && !inv.flag("git") {
            throw UsageError("--remote goes with --git: 'incident init --git --remote URL'.", command: "init")
        }
        if let remote = inv.option("remote"), remote.isEmpty || remote.hasPrefix("-") {
            throw UsageError("--remote needs the URL of the team's git repository.", command: "init")
        }
        let existed = inv.store.exists
        if inv.flag("git") {
            let author = try inv.author
            let did = try inv.store.withLock {
                try GitStore.initialize(inv.store, remote: inv.option("remote"), runbook: chosen, environment: inv.context.environment,
                                        executable: inv.context.executablePath, author: author)
            }
            let runbook = try inv.runbook()
            if inv.json {
                try inv.printJSON(["store": inv.store.root, "runbook": runbook.name, "created": existed ? "false" : "true", "git": "true"])
            } else {
                inv.out(did.joined(separator: "\n"))
                inv.out("The store \(inv.store.root) is kept in git and runs the '\(runbook.name)' runbook." + (inv.option("remote") != nil ? " Next: 'incident sync'." : ""))
            }
            return ExitCode.success
        }
        let created = try inv.store.initialize(runbook: chosen)
        let runbook = try inv.runbook()
        if existed, let chosen, chosen != runbook {
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
        guard let bytes = try? readUserFile(value, limit: 4 << 20) else {
            throw UsageError("Cannot read the runbook file \(value).")
        }
        do {
            return try Runbook.decode(Data(bytes), origin: value)
        } catch let e as IncidentError {
            throw UsageError(e.description)
        }
    }
}

/// Reads a file named on the command line (which, unlike store files, may be a symlink).
func readUserFile(_ path: String, limit: Int) throws -> [UInt8] {
    guard let handle = FileManager.default.contents(atPath: path) else {
        throw UsageError("Cannot read \(path).")
    }
    if handle.count > limit { throw UsageError("\(path) is larger than \(limit) bytes.") }
    return Array(handle)
}
