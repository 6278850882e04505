#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The names of the things that can happen to an incident, as hooks see them: a hook is an
/// executable `<store>/hooks/<event>`.
public enum HookEvents {
    public static let all: [String] = [
        "declared", "acknowledged", "severity-changed", "role-assigned", "phase-changed", "entry-added",
        "comms-recorded", "contained", "resolved", "closed", "reopened", "action-added", "action-overdue",
        "sla-due-soon", "sla-breached",
    ]
    /// Runs for every event, after the event's own hook.
    public static let any = "any"
    /// The events `incident tick` fires from timers rather than from a change.
    public static let timerEvents: Set<String> = ["action-overdue", "sla-due-soon", "sla-breached"]
    /// Timeline kinds that are communications.
    public static let commsKinds: Set<String> = ["comms", "exec-notification", "customer-notification", "regulator-notification"]

    public static func isKnown(_ name: String) -> Bool { name == any || all.contains(name) }

    /// The hook events one stored event fires, in order. `before` is the state before the
    /// command began (nil for a declaration); `after` is the state after it.
    public static func fired(by event: Event, before: IncidentState?, after: IncidentState) -> [String] {
        var events: [String]
        switch event.kind {
        case BuiltInKind.declared: events = ["declared"]
        case BuiltInKind.acknowledged: events = ["acknowledged"]
        case BuiltInKind.severity: events = ["severity-changed"]
        case BuiltInKind.assigned, BuiltInKind.unassigned: events = ["role-assigned"]
        case BuiltInKind.phase: events = ["phase-changed"]
        case BuiltInKind.contained: events = ["contained"]
        case BuiltInKind.resolved: events = ["resolved"]
        case BuiltInKind.closed, "declined", "merged": events = ["closed"]
        case BuiltInKind.reopened: events = ["reopened"]
        case BuiltInKind.actionItem: events = ["action-added"]
        default:
            events = commsKinds.contains(event.kind) || event.fields["template"] != nil ? ["comms-recorded", "entry-added"] : ["entry-added"]
        }
        // Milestones implied by another change (a phase that marks containment, a
        // resolution that implies acknowledgement) fire their own hooks too.
        if let before {
            if before.acknowledgedAt == nil && after.acknowledgedAt != nil && !events.contains("acknowledged") && event.kind != BuiltInKind.declared {
                events.append("acknowledged")
            }
            if before.containedAt == nil && after.containedAt != nil && !events.contains("contained") {
                events.append("contained")
            }
        }
        return events
    }
}

/// One executable in `<store>/hooks/`.
public struct InstalledHook: Sendable, Equatable {
    public var event: String
    public var path: String
    /// SHA-256 of its content (nil when it could not be read).
    public var sha256: String?
    public var executable: Bool
    /// Why it cannot be used at all (a symlink, a directory, unreadable).
    public var problem: String?
    /// The bytes `sha256` was computed from: what runs is a private copy of exactly these,
    /// never the file at `path` again (which a pull could replace in between).
    public var content: [UInt8]? = nil

    /// Runs the hook through `run` given the path of a private copy of `content` (mode 0700,
    /// in a new 0700 directory `.hook-run-XXXXXX` beside `hooks/`). The copy is removed when
    /// the hook is done, unless something it started still runs in its process group (a
    /// hook that detaches by running `"$0"` again in the background needs it): such copies,
    /// and any a killed command left, are removed by a later hook run once a day old.
    /// Nil when no copy could be made.
    public func withPrivateCopy(_ run: (String) -> HookRun) -> HookRun? {
        guard let content else { return nil }
        let hooks = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let storeRoot = hooks.lastIndex(of: "/").map { String(hooks[..<$0]) } ?? "."
        InstalledHook.sweepPrivateCopies(in: storeRoot)
        var template = Array((storeRoot + "/" + InstalledHook.copyPrefix + "XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return nil }
        let directory = String(cString: made)
        func remove() {
            unlink(directory + "/" + event)
            rmdir(directory)
        }
        guard (try? POSIXFile.writeAtomically(content, directory: directory, name: event, mode: 0o700, durable: false)) != nil else {
            remove()
            return nil
        }
        let result = run(directory + "/" + event)
        if !result.leftRunning { remove() }
        return result
    }

    public static let copyPrefix = ".hook-run-"

    /// Removes private copies (`.hook-run-*` directories holding one regular file) older than
    /// a day: what a detached hook or a killed command left behind.
    static func sweepPrivateCopies(in storeRoot: String) {
        let dayAgo = time(nil) - 86_400
        for name in POSIXFile.list(storeRoot) where name.hasPrefix(copyPrefix) {
            let directory = storeRoot + "/" + name
            var st = stat()
            guard lstat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_mtim.tv_sec < dayAgo else { continue }
            for file in POSIXFile.list(directory) {
                var f = stat()
                if lstat(directory + "/" + file, &f) == 0, (f.st_mode & S_IFMT) == S_IFREG { unlink(directory + "/" + file) }
            }
            rmdir(directory)
        }
    }
}

/// `<store>/hooks/`: which hooks exist, and their content hashes.
public struct HookDirectory: Sendable {
    public let root: String
    public var path: String { root + "/hooks" }

    public init(store: Store) { root = store.root }

    public var exists: Bool { POSIXFile.kind(path) == .directory }

    /// Why `hooks` cannot hold hooks at all though something is there (a symbolic link, which
    /// the store refuses, pushed by a teammate), or nil. Every command that would run a hook
    /// says it, rather than run none in silence.
    public var unusable: String? {
        switch POSIXFile.kind(path) {
        case .missing, .directory: return nil
        case .symlink: return "\(path) is a symbolic link, and the store refuses links, so no hook runs; make it a directory holding the scripts"
        default: return "\(path) is not a directory, so no hook runs"
        }
    }

    /// The hook for `event`, or nil when there is no file of that name.
    public func hook(_ event: String) -> InstalledHook? {
        let file = path + "/" + event
        switch POSIXFile.kind(file) {
        case .missing: return nil
        case .symlink:
            return InstalledHook(event: event, path: file, sha256: nil, executable: false,
                                 problem: "it is a symbolic link; the store refuses links, copy the script in instead")
        case .directory, .other:
            return InstalledHook(event: event, path: file, sha256: nil, executable: false, problem: "it is not a regular file")
        case .file:
            do {
                let bytes = try POSIXFile.read(file, limit: Store.maxFileBytes)
                return InstalledHook(event: event, path: file, sha256: SHA256.hex(bytes), executable: access(file, X_OK) == 0, problem: nil,
                                     content: bytes)
            } catch {
                return InstalledHook(event: event, path: file, sha256: nil, executable: false, problem: "\(error)")
            }
        }
    }

    /// Every file in hooks/ named after an event (others are listed as unknown names).
    public func installed() -> (hooks: [InstalledHook], unknown: [String]) {
        guard exists else { return ([], []) }
        var hooks: [InstalledHook] = []
        var unknown: [String] = []
        for name in POSIXFile.list(path).sorted() where !name.hasPrefix(".") {
            if HookEvents.isKnown(name) {
                if let h = hook(name) { hooks.append(h) }
            } else {
                unknown.append(name)
            }
        }
        return (hooks, unknown)
    }
}

/// Which hook contents this machine trusts, per store. Kept outside the store (so nothing
/// that arrives through git can mark itself trusted): `$XDG_CONFIG_HOME/incident/trusted-hooks.json`,
/// else `~/.config/incident/trusted-hooks.json`, keyed by the store's real path.
public struct HookTrust: Sendable {
    public let file: String
    public let storeKey: String

    struct Document: Codable {
        var schemaVersion: Int
        /// store real path → event → SHA-256
        var stores: [String: [String: String]]
    }

    public init?(environment: [String: String], store: Store) {
        let directory: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            directory = xdg + "/incident"
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            directory = home + "/.config/incident"
        } else {
            return nil
        }
        // The user's own config tree may be reached through links (a dotfiles repository);
        // resolve it once so the no-follow walk of POSIXFile starts from its real path.
        file = POSIXFile.resolve(directory) + "/trusted-hooks.json"
        storeKey = HookTrust.realPath(store.root)
    }

    public var directory: String { String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)]) }

    public static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func document() -> Document {
        // A repeated key (one tool reads one trust, another the other) counts as damage: trust nothing.
        guard let bytes = try? POSIXFile.read(file, limit: 16 << 20), (try? JSONShape.check(bytes)) != nil,
              let doc = try? JSONDecoder().decode(Document.self, from: Data(bytes)) else {
            return Document(schemaVersion: 1, stores: [:])
        }
        return doc
    }

    /// event → trusted SHA-256, for this store.
    public func trusted() -> [String: String] { document().stores[storeKey] ?? [:] }

    public func isTrusted(_ hook: InstalledHook) -> Bool {
        guard let sha = hook.sha256 else { return false }
        return trusted()[hook.event] == sha
    }

    /// Records these hashes as trusted for this store (others stay as they were).
    public func trust(_ hashes: [String: String]) throws {
        var doc = document()
        var mine = doc.stores[storeKey] ?? [:]
        for (event, sha) in hashes { mine[event] = sha }
        doc.stores[storeKey] = mine
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try POSIXFile.makeDirectory(directory)
        try POSIXFile.writeAtomically(Array(try encoder.encode(doc)) + [0x0a], directory: directory, name: "trusted-hooks.json")
    }
}

/// What `incident tick` has already announced, so each breach, due-soon warning and overdue
/// action fires its hooks once per deadline. A derived file in the store
/// (`<store>/.announced.json`), read and written under the store lock, so several machines
/// sharing one store directory announce once; clones synced through git each keep their own.
public struct Announcements: Sendable {
    public static let fileName = ".announced.json"

    struct Document: Codable {
        var schemaVersion: Int
        /// key → when it was announced
        var announced: [String: Timestamp]
    }

    public var keys: [String: Timestamp]
    /// False when the file was missing; nil-safe when it was damaged (see `load`).
    public var damaged: Bool

    /// Reads the file. Missing: nothing announced yet. Damaged: `damaged` is set and the
    /// caller decides (tick then records what is due now without firing, rather than
    /// re-announcing every breach).
    public static func load(_ store: Store) -> Announcements {
        let path = store.root + "/" + fileName
        guard POSIXFile.exists(path) else { return Announcements(keys: [:], damaged: false) }
        guard let bytes = try? POSIXFile.read(path, limit: 16 << 20), (try? JSONShape.check(bytes)) != nil,
              let doc = try? JSONDecoder().decode(Document.self, from: Data(bytes)), doc.schemaVersion == 1 else {
            return Announcements(keys: [:], damaged: true)
        }
        return Announcements(keys: doc.announced, damaged: false)
    }

    /// Writes the file. Call with the store lock held.
    public func save(_ store: Store) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes = try encoder.encode(Document(schemaVersion: 1, announced: keys))
        try POSIXFile.writeAtomically(Array(bytes) + [0x0a], directory: store.root, name: Announcements.fileName)
    }
}

/// One thing a timer or an action item has to say: breached, due soon, overdue.
public struct TimerAnnouncement: Sendable, Equatable {
    public var event: String
    public var incident: IncidentID
    /// The timer's id, or the action item's id (A1).
    public var subject: String
    public var title: String
    public var dueAt: Timestamp
    /// Milliseconds past the deadline (negative: still to go).
    public var lateness: Int64

    /// Once per incident, timer and deadline: a new deadline (severity change, next cadence
    /// cycle, a moved due date) is a new announcement.
    public var key: String { "\(incident)/\(event)/\(subject)/\(dueAt.iso8601)" }

    /// What is due now for one incident: open timers past their deadline, open timers due
    /// within `window`, open action items past their due date.
    public static func due(_ record: IncidentRecord, runbook: Runbook, time: BusinessTime, at now: Timestamp, window: Int64) -> [TimerAnnouncement] {
        guard record.state.status != .closed else { return [] }
        var out: [TimerAnnouncement] = []
        for t in SLAEngine.evaluate(record, runbook: runbook, time: time, at: now) where t.isStarted && !t.finished {
            guard let due = t.dueAt else { continue }
            let left = now.distance(to: due)
            if left < 0 {
                out.append(TimerAnnouncement(event: "sla-breached", incident: record.id, subject: t.id, title: t.title, dueAt: due, lateness: -left))
            } else if left <= window {
                out.append(TimerAnnouncement(event: "sla-due-soon", incident: record.id, subject: t.id, title: t.title, dueAt: due, lateness: -left))
            }
        }
        for item in ActionItems.items(in: record) where item.isOverdue(at: now) {
            guard let due = item.dueAt else { continue }
            out.append(TimerAnnouncement(event: "action-overdue", incident: record.id, subject: item.id, title: item.text,
                                         dueAt: due, lateness: due.distance(to: now)))
        }
        return out
    }
}

/// `15m`, `2h`, `1h30m`, `45s` → milliseconds (nil when it is not such a span).
public func parseSpan(_ text: String) -> Int64? { DurationParser.parseClockDuration(text) }
