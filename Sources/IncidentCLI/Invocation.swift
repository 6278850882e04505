#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IncidentKit

/// One parsed command, with the services every command needs: the store, the actor, the
/// evaluation time, output and styling.
struct Invocation {
    let context: Context
    let command: CommandSpec
    let arguments: [String: String]
    let options: [String: String]
    /// Options given more than once (see `ParsedCommandLine.repeated`).
    let repeatedOptions: Set<String>
    let now: Timestamp
    let at: Timestamp
    /// True when `--at` was given: queries then evaluate the record as it stood then.
    let atGiven: Bool
    let store: Store
    let style: Style
    /// The store's runbook, parsed at most once per command (validation and the write share it).
    private let runbookCache = RunbookCache()
    private let gitCache = GitCache()
    /// Hooks fired by what this command stored; run by `CLI.run` after the command.
    let pendingHooks = PendingHooks()

    private final class RunbookCache { var value: (Runbook, String)? }
    private final class GitCache { var value: GitStore?? }
    /// Zones, read only when a command first prints or computes local time.
    private let zones = ZoneCache()

    private final class ZoneCache {
        var reader: ZoneRules?
        var business: (BusinessCalendar, BusinessTime)?
    }

    init(context: Context, command: CommandSpec, parsed: ParsedCommandLine) throws {
        self.context = context
        self.command = command
        self.options = parsed.options
        self.repeatedOptions = parsed.repeated
        var args: [String: String] = [:]
        var remaining = parsed.positionals[...]
        for spec in command.arguments {
            if spec.rest {
                if !remaining.isEmpty { args[spec.name] = joinedWithSpaces(remaining) }
                remaining = []
            } else if let next = remaining.first {
                args[spec.name] = next
                remaining = remaining.dropFirst()
            }
            if args[spec.name] == nil && !spec.optional {
                // The argument's whole help, as a clause (a cut at a fixed length ended mid-word).
                var what = spec.help.prefix(1).lowercased() + spec.help.dropFirst()
                while what.hasSuffix(".") { what.removeLast() }
                throw UsageError("'incident \(command.name)' needs \(spec.name) (\(what)); see 'incident \(command.name) --help'.", command: command.name)
            }
        }
        if let extra = remaining.first {
            throw UsageError("Unexpected argument '\(extra)' for 'incident \(command.name)'; quote text that contains spaces.", command: command.name)
        }
        self.arguments = args
        now = context.now()
        if let text = parsed.options["at"] {
            at = try Invocation.parseTime(text, option: "--at", now: now, environment: context.environment)
            atGiven = true
        } else {
            at = now
            atGiven = false
        }
        store = try Invocation.resolveStore(parsed.options["store"], context: context)
        style = Style(enabled: context.stdoutIsTerminal && parsed.options["no-color"] == nil
                      && context.environment["NO_COLOR"].map { $0.isEmpty } ?? true
                      && context.environment["TERM"] != "dumb")
    }

    static func badTime(_ text: String, option: String) -> UsageError {
        UsageError("'\(Sanitizer.forTerminal(String(text.prefix(60))))' is not a time \(option) understands; use ISO 8601 with a zone (2026-11-23T14:05:00Z), a local clock time (14:05) or date and time (2026-11-23 14:05) in your zone, or an offset (-15m).")
    }

    /// A TIME option, validated as the instant it names (not as text). Zone-less forms
    /// (`14:05`, `2026-11-23 14:05`) are in the reader's zone (TZ, else the system's), which
    /// is read only for those forms.
    static func parseTime(_ text: String, option: String, now: Timestamp, environment: [String: String]) throws -> Timestamp {
        var zone = ZoneRules.utc
        if TimeParser.localInput(text) != nil {
            do { zone = try ZoneDatabase.readerZone(environment: environment) } catch {
                throw UsageError("\(option) \(Sanitizer.forTerminal(String(text.prefix(40)))) is a time in your zone, but your zone cannot be read: \(error)")
            }
        }
        switch TimeParser.interpret(text, now: now, zone: zone) {
        case let .success(t): return t
        case .failure(.malformed):
            if let problem = TimeParser.impossibleDate(text) { throw UsageError("\(option) '\(Sanitizer.forTerminal(String(text.prefix(40))))': \(problem).") }
            throw badTime(text, option: option)
        case .failure(.outOfRange):
            throw UsageError("\(option) '\(Sanitizer.forTerminal(String(text.prefix(60))))' names an instant outside 1970-01-01 to 9999-12-31 UTC, the times an incident file can hold.")
        case .failure(.skipped):
            throw UsageError("\(option) '\(Sanitizer.forTerminal(String(text.prefix(40))))' does not exist in \(zone.name): the clocks skip it when daylight saving time starts; give a time outside the gap or one with a zone.")
        }
    }

    static func resolveStore(_ option: String?, context: Context) throws -> Store {
        for name in ["INCIDENT_STORE", "INCIDENT_USER", "INCIDENT_LOCK_TIMEOUT", "XDG_DATA_HOME", "HOME"] where context.invalidEnvironment.contains(name) {
            throw UsageError("The environment variable \(name) is not valid UTF-8 text.")
        }
        let timeout = try lockTimeout(context.environment["INCIDENT_LOCK_TIMEOUT"])
        if let option {
            if option.isEmpty { throw UsageError("--store needs a directory.") }
            return Store(root: option, lockTimeout: timeout)
        }
        if let env = context.environment["INCIDENT_STORE"], !env.isEmpty { return Store(root: env, lockTimeout: timeout) }
        if let xdg = context.environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return Store(root: xdg + "/incident", lockTimeout: timeout) }
        if let home = context.environment["HOME"], !home.isEmpty { return Store(root: home + "/.local/share/incident", lockTimeout: timeout) }
        return Store(root: ".incident", lockTimeout: timeout)
    }

    /// `INCIDENT_LOCK_TIMEOUT`: plain decimal seconds from 0 to 3600 (unset or empty: 10).
    /// Anything else ("abc", "-1", "nan", "1e999", "0x10") is a usage error, not a guess.
    static func lockTimeout(_ raw: String?) throws -> Double {
        guard let raw, !raw.isEmpty else { return 10 }
        let digit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        let bytes = Array(raw.utf8)
        guard bytes.count <= 20, bytes.filter({ $0 == 0x2e }).count <= 1, bytes.contains(where: digit),
              bytes.allSatisfy({ digit($0) || $0 == 0x2e }),
              let value = Double(raw), value.isFinite, value >= 0, value <= 3600 else {
            throw UsageError("INCIDENT_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, like 10 or 0.5 (it is '\(Sanitizer.forTerminal(String(raw.prefix(20))))').")
        }
        return value
    }

    // MARK: Accessors

    func flag(_ name: String) -> Bool { options[name] != nil }
    func option(_ name: String) -> String? { options[name] }
    func argument(_ name: String) -> String? { arguments[name] }

    /// A required argument. The parser already refused a command line without it; this
    /// keeps that guarantee checked rather than force-unwrapped.
    func required(_ name: String) throws -> String {
        guard let value = arguments[name] else {
            throw UsageError("'incident \(command.name)' needs \(name); see 'incident \(command.name) --help'.", command: command.name)
        }
        return value
    }
    var json: Bool { flag("json") }

    var author: String {
        get throws {
            func set(_ name: String) -> String? { context.environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            if let named = options["as"] {
                do { return try Actions.cleanShort(named, what: "The author (--as)") } catch let e as IncidentError { throw UsageError(e.description) }
            }
            if let named = set("INCIDENT_USER") {
                do { return try Actions.cleanShort(named, what: "The author (INCIDENT_USER)") } catch let e as IncidentError {
                    throw UsageError(e.description + " Set INCIDENT_USER to a short name, or pass --as NAME.")
                }
            }
            // Found, not chosen: a login name or USER that is not a usable author is passed
            // over rather than failing every write.
            for found in [context.loginName, set("USER")].compactMap({ $0 }) {
                if let name = try? Actions.cleanShort(found, what: "The author") { return name }
            }
            return "unknown"
        }
    }

    /// Who acts and when, for a command that writes. An explicit --at more than
    /// `Limits.futureTolerance` ahead of the clock is refused as a likely typo unless --future.
    var actor: Actor {
        get throws {
            // A close, decline or merge archives the incident when it is recorded: never dated
            // ahead (the engine refuses it too), so --future is not offered as the way out.
            if atGiven, ["close", "decline", "merge"].contains(command.path[0]), now.distance(to: at) > Limits.futureTolerance {
                throw CommandFailure(message: "\(command.path[0]) --at \(at.iso8601) is ahead of the clock; it archives the incident as soon as it is recorded, so it is never dated ahead (not even with --future): run it when it happens.", code: ExitCode.refused)
            }
            if atGiven { try Invocation.requirePlausible(at, option: "--at", now: now, allowed: flag("future")) }
            return Actor(name: try author, at: at, recordedAt: now, allowSecrets: flag("allow-secrets"), allowFuture: flag("future"))
        }
    }

    static func requirePlausible(_ t: Timestamp, option: String, now: Timestamp, allowed: Bool) throws {
        // Store files hold times up to 9999; an event far in the future would give deadlines
        // past that, which no file or index line could hold. Not even with --future.
        if t >= Invocation.firstRefusedEventTime {
            throw UsageError("\(option) \(t.iso8601) is past 9899-12-31; incident keeps times (and the deadlines they start) before the year 10000.")
        }
        guard !allowed, now.distance(to: t) > Limits.futureTolerance else { return }
        throw UsageError("\(option) \(t.iso8601) is \(formatSpan(milliseconds: now.distance(to: t))) ahead of the clock (\(now.iso8601)); a time more than \(Limits.futureTolerance / 60_000) minutes ahead is refused as a likely typo; add --future if it is meant.")
    }

    /// The first time an event may not carry: 9900-01-01T00:00:00Z (the last allowed is a
    /// millisecond before, in 9899), leaving any timer's deadline room.
    static let firstRefusedEventTime = Timestamp(milliseconds: 250_246_627_200_000)

    /// A TIME option. `eventTime` options (when something happened, as --started-at) follow
    /// the future rule of --at; deadlines and query bounds (--due, --since) may be anywhere.
    func time(_ option: String, eventTime: Bool = false) throws -> Timestamp? {
        guard let text = options[option] else { return nil }
        let t = try Invocation.parseTime(text, option: "--" + option, now: now, environment: context.environment)
        if eventTime { try Invocation.requirePlausible(t, option: "--" + option, now: now, allowed: flag("future")) }
        return t
    }

    /// An incident from `INC-42`, `inc-42`, `42`, or a unique part of an incident's title
    /// (case-insensitive; open incidents first, then the archive; duplicates merged into
    /// another are skipped). Anything shaped like an ID is only ever an ID, so a number is
    /// never ambiguous; a title part matching several incidents is a usage error naming them.
    func incidentID(_ text: String) throws -> IncidentID {
        if let id = IncidentID(text) { return id }
        let needle = text.trimmingCharacters(in: " ").lowercased()
        let shownText = Sanitizer.forTerminal(String(text.prefix(40)))
        let idShaped = needle.allSatisfy { $0 >= "0" && $0 <= "9" }
            || (needle.hasPrefix("inc-") && needle.dropFirst(4).allSatisfy { $0 >= "0" && $0 <= "9" })
        guard !needle.isEmpty, !idShaped, store.exists else {
            throw CommandFailure(message: "'\(shownText)' is not an incident ID; IDs look like INC-42 (or 42), or give a unique part of the title.", code: ExitCode.notFound)
        }
        let active = store.loadActive().0.map(\.state).filter { $0.outcome != .merged }
            .map { (id: $0.id, title: $0.title) }
        var matches = active.filter { $0.title.lowercased().contains(needle) }
        if matches.isEmpty {
            // Read-only: resolving an argument never writes to the store (not even an index).
            matches = store.loadArchived().0.map(\.state).filter { $0.outcome != .merged }.map { (id: $0.id, title: $0.title) }
                .filter { $0.title.lowercased().contains(needle) }
        }
        matches.sort { $0.id < $1.id }
        if matches.count == 1 { return matches[0].id }
        if matches.isEmpty {
            // Not shaped like an ID (those were answered above), so only the title search failed.
            throw CommandFailure(message: "No incident has '\(shownText)' in its title (and it is not an ID like INC-42); 'incident list --all' shows them.", code: ExitCode.notFound)
        }
        let listed = matches.prefix(8).map { "\($0.id) “\(Sanitizer.forTerminal(String($0.title.prefix(50))))”" }.joined(separator: ", ")
        throw UsageError("'\(shownText)' matches \(matches.count) incidents: \(listed)\(matches.count > 8 ? ", ..." : ""); give the ID or more of the title.", command: command.name)
    }

    /// For an incident merged into another: the survivor, following a chain of merges.
    func survivor(of record: IncidentRecord) -> IncidentID? {
        guard record.state.outcome == .merged, var current = record.state.mergedInto else { return nil }
        var seen: Set<IncidentID> = [record.id]
        while !seen.contains(current), seen.count < 20, let next = try? store.load(current).0,
              next.state.outcome == .merged, let into = next.state.mergedInto {
            seen.insert(current)
            current = into
        }
        return current
    }

    /// The line saying an incident is a merged duplicate or was declined, if it is.
    func outcomeNotice(_ record: IncidentRecord) -> String? {
        let s = record.state
        switch s.outcome {
        case .merged?:
            let into = s.mergedInto.map(\.description) ?? "another incident"
            let final = survivor(of: record).map(\.description) ?? into
            var line = "\(record.id) is a duplicate: it was merged into \(into) at \(s.closedAt.map(human) ?? "?")"
            if final != into { line += " (which was merged into \(final))" }
            return line + "; 'incident show \(final)' has its entries."
        case .declined?:
            return "\(record.id) was declined at \(s.closedAt.map(human) ?? "?"): not an incident (\(Sanitizer.forTerminal(s.outcomeReason ?? "no reason given")))."
        case nil:
            return nil
        }
    }

    /// `--force` needs `--reason`.
    func forceAndReason() throws -> (Bool, String?) {
        let force = flag("force")
        let reason = option("reason")
        if force && (reason ?? "").trimmingCharacters(in: " ").isEmpty {
            throw UsageError("--force needs --reason TEXT saying why; the reason is recorded in the timeline.", command: command.name)
        }
        return (force, reason)
    }

    /// The TEXT argument, or standard input when it is `-`.
    func text(_ name: String) throws -> String? {
        guard let value = arguments[name] else { return nil }
        guard value == "-" else { return value }
        guard let bytes = context.readStandardInput(Limits.longText) else {
            throw UsageError("Could not read standard input.")
        }
        if bytes.count > Limits.longText {
            throw UsageError("Standard input is over the \(Limits.longText)-byte (1 MiB) limit for one entry; attach large logs as evidence instead.")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw UsageError("Standard input is not valid UTF-8 text; is it binary? Attach binary files as evidence instead.")
        }
        return text
    }

    // MARK: Store access

    func runbook() throws -> Runbook { try stampedRunbook().0 }

    /// The runbook and its file's fingerprint, read once per command.
    func stampedRunbook() throws -> (Runbook, String) {
        if let cached = runbookCache.value { return cached }
        let loaded = try store.loadStampedRunbook()
        // Before the store exists this is the built-in default, which is also what the first
        // write puts there; cache only the store's own copy.
        if store.exists { runbookCache.value = loaded }
        return loaded
    }

    /// Write commands whose human report evaluates timers (see Lifecycle.swift).
    static let reportsDeadlines: Set<String> = ["resolve", "severity", "close"]

    /// The runbook with its calendar and their fingerprints, which the derived summaries
    /// are tied to. Fails (like `businessTime`) when the calendar cannot be used.
    func runbookSnapshot() throws -> RunbookSnapshot {
        let (runbook, stamp) = try stampedRunbook()
        return try runbookSnapshot(runbook, stamp: stamp)
    }

    func runbookSnapshot(_ runbook: Runbook, stamp: String) throws -> RunbookSnapshot {
        let directory = ZoneDatabase.directory(environment: context.environment)
        return RunbookSnapshot(runbook: runbook, time: try businessTime(runbook),
                               stamp: stamp + RunbookSnapshot.calendarStamp(runbook, zoneDirectory: directory))
    }

    /// The runbook's calendar, which decides `bd`/`bh` deadlines. A runbook without one needs
    /// no zone file; one with a zone the system lacks is an error, never a silent UTC.
    func businessTime(_ runbook: Runbook) throws -> BusinessTime {
        guard let calendar = runbook.calendar else { return .standard }
        if let (cal, time) = zones.business, cal == calendar { return time }
        let time: BusinessTime
        do {
            time = try BusinessTime.of(runbook, zoneDirectory: ZoneDatabase.directory(environment: context.environment))
        } catch let error as ZoneError {
            throw CommandFailure(message: "The runbook's calendar cannot be used: \(error.message)", code: ExitCode.store)
        } catch let error as CalendarError {
            throw CommandFailure(message: "The runbook's calendar cannot be used: \(error.message).", code: ExitCode.store)
        }
        zones.business = (calendar, time)
        return time
    }

    /// The reader's zone (TZ, else the system's): how every time is shown to a person. If it
    /// cannot be read, times are shown in UTC, labelled so, after one warning.
    var readerZone: ZoneRules {
        if let zone = zones.reader { return zone }
        let zone: ZoneRules
        do { zone = try ZoneDatabase.readerZone(environment: context.environment) } catch {
            err("warning: \(error) Times are shown in UTC.")
            zone = .utc
        }
        zones.reader = zone
        return zone
    }

    /// A missing store holds no incident; reads and writes on an ID must not create it.
    private func requireStore(_ id: IncidentID) throws {
        guard store.exists else {
            throw IncidentError.notFound("No incident \(id): there is no store at \(store.root) yet ('incident declare' creates it).")
        }
    }

    func load(_ idText: String) throws -> (IncidentRecord, Runbook) {
        let id = try incidentID(idText)
        try requireStore(id)
        let runbook = try self.runbook()
        return (try store.load(id).0, runbook)
    }

    /// Read-modify-write of one incident under the store lock. `body` validates and appends;
    /// if it throws, nothing is written.
    @discardableResult
    func mutate(_ idText: String, _ body: (inout IncidentRecord, Runbook, Actor) throws -> Void) throws -> (IncidentRecord, Runbook) {
        let id = try incidentID(idText)
        var actor = try self.actor
        try requireStore(id)
        let runbook = try self.runbook()
        // Commands whose report shows deadlines need the calendar: an unusable one is refused
        // before anything is written, not after.
        if json || Invocation.reportsDeadlines.contains(command.name) { _ = try businessTime(runbook) }
        var before: IncidentState?
        var firstNew = 0
        let record = try store.withLock { () -> IncidentRecord in
            var record = try store.load(id).0
            if record.state.outcome == .merged, let notice = outcomeNotice(record) {
                throw CommandFailure(message: notice + " Record changes there instead.", code: ExitCode.refused)
            }
            before = record.state
            firstNew = record.events.count
            if !atGiven, let latest = record.events.map(\.at).max(), latest > actor.at,
               actor.at.distance(to: latest) <= Limits.futureTolerance {
                // "Now" on a clock slightly behind the incident's last event (skew between
                // teammates' machines): keep the log in order. Only within the tolerance: one
                // entry dated further ahead never re-dates the commands after it.
                actor.at = latest
            }
            try body(&record, runbook, actor)
            try store.save(record, runbook: try? runbookSnapshot())
            commitWrite(record)
            return record
        }
        queueHooks(record, runbook: runbook, newEvents: record.events[min(firstNew, record.events.count)...], before: before)
        // Its events are freed with the process, not one by one (a long log took a write a
        // sixth of its instructions to free).
        ProcessLifetime.keep(record)
        return (record, runbook)
    }

    // MARK: Git

    /// The store's git side, when it is kept in git (`incident init --git`).
    var git: GitStore? {
        if let cached = gitCache.value { return cached }
        let found = GitStore.open(store, environment: context.environment)
        gitCache.value = .some(found)
        return found
    }

    /// After a write (lock held): commit it, unless `incident.autocommit` is false, and with
    /// `incident.autopush` start a background push. A failed commit never fails the write.
    func commitWrite(_ record: IncidentRecord) {
        guard let git, git.autocommit, let last = record.events.last else { return }
        do {
            try git.commitAll(message: GitStore.message(record.id, last.text, author: last.author), author: last.author)
        } catch {
            err("incident: warning: \(CLI.describe(error).0)")
            return
        }
        if git.autopush, let exe = context.executablePath, store.provisionalIDs().isEmpty {
            Subprocess.spawnDetached(exe, ["_autopush", "--store", git.root], environment: context.environment)
        }
    }

    /// Every command that opens a git store: make sure .git/config names this binary as the
    /// merge driver (git does not clone .git/config), and finish a merge a plain `git pull`
    /// left conflicted on incident files, saying so.
    func prepareGitStore() {
        guard store.exists, let git else { return }
        do {
            if try git.ensureDriver(executable: context.executablePath) {
                err("incident: configured the incident merge driver in \(git.commonDir)/config (git does not copy it when cloning).")
            }
            try git.ensureLocalAttributes()
            if try git.restoreAttributes() {
                err("incident: put back the lines of \(git.root)/.gitattributes that hand incident files to the merge driver (a change that came through git had removed them); the next commit records them.")
            }
            if try git.restoreIgnore() {
                err("incident: put back \(git.root)/.gitignore, which keeps this clone's lock, ID counter and derived files out of git (a change that came through git had removed it); the next commit records it.")
            }
            if git.mergeInProgress || git.plainMergeUnchecked {
                let actor = (try? self.actor) ?? Actor(name: "incident", at: now, recordedAt: now)
                let notes = try store.withLock { try git.finishInterruptedMerge(actor: actor) + git.repairAfterPlainMerge(actor: actor) }
                for n in notes { err("incident: " + n) }
            }
        } catch {
            err("incident: warning: \(CLI.describe(error).0)")
        }
    }

    // MARK: Output

    /// Human output. Whatever a line holds, it leaves through the terminal escaper, which
    /// lets only this tool's own colour codes through.
    func out(_ text: String) { context.stdout.write(Sanitizer.forTerminalKeepingStyle(text.hasSuffix("\n") ? text : text + "\n")) }
    /// Rendered text as UTF-8 bytes (a table, a report; ending in a newline): written as they
    /// are when no byte needs escaping (one scan), else through `out`, which escapes what must be.
    func outUTF8(_ bytes: [UInt8]) {
        if bytes.withUnsafeBufferPointer(Sanitizer.isPlainText) {
            context.stdout.write(utf8: bytes)
        } else {
            out(String(decoding: bytes, as: UTF8.self))
        }
    }
    func err(_ text: String) { context.stderr.write(Sanitizer.forTerminalKeepingStyle(text.hasSuffix("\n") ? text : text + "\n")) }

    /// A document (JSON, Markdown, a script) written as produced: its values were escaped
    /// for its own format when it was built.
    func document(_ text: String) { context.stdout.write(text.hasSuffix("\n") ? text : text + "\n") }

    func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        document(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// ANSI styling, only when stdout is a terminal, TERM is not dumb and NO_COLOR is unset.
struct Style: Sendable {
    var enabled: Bool
    func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func red(_ s: String) -> String { wrap(s, "31;1") }
    func yellow(_ s: String) -> String { wrap(s, "33") }
    func green(_ s: String) -> String { wrap(s, "32") }
    func bold(_ s: String) -> String { wrap(s, "1") }
    func dim(_ s: String) -> String { wrap(s, "2") }
}
