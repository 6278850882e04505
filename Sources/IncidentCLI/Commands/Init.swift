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
        discussion: "NAME is a shipped runbook (\(Runbook.shippedNames.joined(separator: ", "))); FILE is a runbook JSON file of your own. Without --runbook the store runs 'default'. The store keeps its own copy of the runbook in runbook.json, which you may edit. The runbook's calendar gets the team's time zone (--time-zone, else the runbook's own, else this machine's: TZ or /etc/localtime), so business-day and business-hour deadlines are the same for every teammate, wherever their laptop is. --git keeps the store in git for a team (see 'incident sync').",
        options: [
            OptionSpec(name: "runbook", value: "NAME|FILE", help: "The runbook this store runs."),
            OptionSpec(name: "time-zone", value: "ZONE", help: "The team's IANA time zone for business time, e.g. Europe/Berlin."),
            OptionSpec(name: "git", help: "Keep the store in git: a new repository, the one it is already in, or a clone of --remote. Writes .gitattributes and .gitignore, configures the merge driver, commits."),
            OptionSpec(name: "remote", value: "URL", help: "With --git: the team's shared repository ('origin'); 'incident sync' exchanges changes with it."),
        ],
        examples: ["incident init", "incident --store ./incidents init --runbook sla-matrix", "incident init --runbook ./our-policy.json",
                   "incident init --time-zone America/Los_Angeles",
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
        // Under the store lock: of two racing inits (or an init racing a first declare) exactly
        // one creates the runbook; the other reports what the store already runs.
        let existed = inv.store.exists
        let askedZone = inv.option("time-zone")
        let directory = ZoneDatabase.directory(environment: inv.context.environment)
        if let askedZone {
            do { _ = try ZoneDatabase.rules(named: askedZone, directory: directory) } catch let e as ZoneError {
                throw UsageError("--time-zone: \(e.message)")
            }
        }
        if !existed {
            var withZone = chosen ?? Runbook.builtInDefault
            let zone = askedZone ?? withZone.calendar?.timeZone ?? systemZoneName(inv.context.environment, directory: directory)
            if withZone.calendar == nil { withZone.calendar = BusinessCalendar(timeZone: zone) } else { withZone.calendar?.timeZone = zone }
            if askedZone == nil {
                // A zone named by the runbook file itself must exist here too.
                do { _ = try ZoneDatabase.rules(named: zone, directory: directory) } catch let e as ZoneError {
                    throw UsageError("The runbook's calendar.timeZone: \(e.message)")
                }
            }
            chosen = withZone
        }
        if inv.flag("git") {
            let author = try inv.author
            let did = try GitStore.initialize(inv.store, remote: inv.option("remote"), runbook: chosen, environment: inv.context.environment,
                                              executable: inv.context.executablePath, author: author)
            let runbook = try inv.runbook()
            if inv.json {
                try inv.printJSON(["store": inv.store.root, "runbook": runbook.name, "created": existed ? "false" : "true", "git": "true"])
            } else {
                inv.out(did.joinedLines)
                inv.out("The store \(inv.store.root) is kept in git and runs the '\(runbook.name)' runbook." + (inv.option("remote") != nil ? " Next: 'incident sync'." : ""))
            }
            return ExitCode.success
        }
        let created = try inv.store.initialize(runbook: chosen)
        let runbook = try inv.runbook()
        if !created, let chosen, chosen != runbook {
            inv.err("\(inv.store.root) already runs the '\(runbook.name)' runbook; it was left as it is (edit or replace \(inv.store.runbookPath) to change policy).")
        }
        if existed, let askedZone, askedZone != runbook.calendar?.timeZone {
            inv.err("\(inv.store.root) exists; its calendar was left as it is (\(runbook.calendar?.timeZone ?? "none: UTC")). To change the team's zone, set calendar.timeZone in \(inv.store.runbookPath).")
        }
        if inv.json {
            try inv.printJSON(["store": inv.store.root, "runbook": runbook.name, "created": created ? "true" : "false", "timeZone": runbook.calendar?.timeZone ?? "UTC"])
        } else {
            inv.out(created ? "Created the store \(inv.store.root) with the '\(runbook.name)' runbook; business time is counted in \(runbook.calendar?.timeZone ?? "UTC")."
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

/// The zone `init` records when none is asked for: TZ if it names a zone, else the
/// system's (the /etc/localtime link), else UTC.
func systemZoneName(_ environment: [String: String], directory: String) -> String {
    var candidates: [String] = []
    if let tz = environment["TZ"] { candidates.append(tz.hasPrefix(":") ? String(tz.dropFirst()) : tz) }
    if let system = ZoneDatabase.systemZoneName() { candidates.append(system) }
    for name in candidates where ZoneDatabase.isValidName(name) {
        if (try? ZoneDatabase.rules(named: name, directory: directory)) != nil { return name }
    }
    return "UTC"
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
