#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IncidentKit

// MARK: The JSON a hook reads on standard input (schemas/hook-payload.schema.json)

struct HookIncidentJSON: Encodable {
    var id: String
    var title: String
    var publicTitle: String?
    var summary: String?
    var severity: String
    var severityTitle: String
    var status: String
    var phase: String
    var phaseTitle: String
    var type: String?
    var drill: Bool
    var startedAt: Timestamp
    var declaredAt: Timestamp
    var acknowledgedAt: Timestamp?
    var containedAt: Timestamp?
    var resolvedAt: Timestamp?
    var closedAt: Timestamp?
    var roles: [String: String]
    var missingRoles: [String]
    var sla: [TimerJSON]
    var headHash: String

    /// `time` is the runbook's calendar; nil (its zone could not be read) leaves `sla` empty
    /// rather than computing deadlines in the wrong zone.
    init(_ r: IncidentRecord, runbook: Runbook, time: BusinessTime?, now: Timestamp) {
        let s = r.state
        id = s.id.description; title = s.title; publicTitle = s.publicTitle; summary = s.summary
        severity = s.severity; severityTitle = runbook.level(id: s.severity)?.title ?? s.severity
        status = s.status.rawValue; phase = s.phase; phaseTitle = runbook.phase(id: s.phase)?.title ?? s.phase
        type = s.type; drill = s.drill; startedAt = s.startedAt; declaredAt = s.declaredAt
        acknowledgedAt = s.acknowledgedAt; containedAt = s.containedAt; resolvedAt = s.resolvedAt; closedAt = s.closedAt
        roles = s.roles; missingRoles = SLAEngine.missingRoles(s, runbook: runbook)
        sla = time.map { SLAEngine.evaluate(r, runbook: runbook, time: $0, at: now).filter(\.isStarted).map { TimerJSON($0, now: now) } } ?? []
        headHash = r.headHash
    }
}

struct HookTimerJSON: Encodable {
    /// "sla" for a timer, "action" for an action item.
    var kind: String
    var name: String
    var title: String
    var dueAt: Timestamp
    /// Seconds past the deadline (0 or more for a breach or an overdue action).
    var overdueSeconds: Int64
    /// Seconds until the deadline (for sla-due-soon; negative once past).
    var dueInSeconds: Int64
}

struct HookPayload: Encodable {
    var schemaVersion = 1
    var event: String
    var firedAt: Timestamp
    var store: String
    /// True for `incident hooks test`: a sample, nothing happened.
    var test: Bool
    var actor: String?
    var incident: HookIncidentJSON
    /// The timeline entry that caused the event (change events).
    var entry: EntryJSON?
    /// Which timer and by how much (sla-due-soon, sla-breached, action-overdue).
    var timer: HookTimerJSON?
}

/// One hook that was due to run, and what became of it.
struct HookReport: Encodable {
    var event: String
    var hook: String
    /// "ok", "failed", "timed-out", "not-executable", "untrusted", "unusable"
    var result: String
    var status: Int32?
    var milliseconds: Int64?
}

/// Hook work queued by a command, run after the command's own output (the event is
/// already stored by then).
final class PendingHooks: @unchecked Sendable {
    var jobs: [(event: String, payload: HookPayload, incident: IncidentRecord)] = []
}

extension Invocation {
    static let defaultHookTimeout = 10.0

    /// `INCIDENT_HOOK_TIMEOUT` seconds (0.1 to 3600), default 10.
    var hookTimeout: Double {
        guard let text = context.environment["INCIDENT_HOOK_TIMEOUT"], let v = Double(text), v.isFinite else {
            return Invocation.defaultHookTimeout
        }
        return min(max(v, 0.1), 3600)
    }

    var hookDirectory: HookDirectory { HookDirectory(store: store) }

    var storeRealPath: String { HookTrust.realPath(store.root) }

    /// Queues the hooks fired by the events a command just stored. Cheap when the store
    /// has no hooks/ directory (one lstat).
    func queueHooks(_ record: IncidentRecord, runbook: Runbook, newEvents: ArraySlice<Event>, before: IncidentState?) {
        // A command run by a hook (INCIDENT_HOOK is set) fires no hooks: a hook that
        // records what it sent cannot set off itself or another hook in a loop.
        if let from = context.environment["INCIDENT_HOOK"], !from.isEmpty { return }
        guard hookDirectory.exists else {
            if let why = hookDirectory.unusable { err("incident: no hook ran for \(record.id): \(why).") }
            return
        }
        let time = try? businessTime(runbook)
        var state = before
        var replay = Array(record.events.prefix(record.events.count - newEvents.count))
        for event in newEvents {
            replay.append(event)
            let after = (try? IncidentState.derive(id: record.id, events: replay)) ?? record.state
            for name in HookEvents.fired(by: event, before: state, after: after) {
                let payload = HookPayload(event: name, firedAt: now, store: storeRealPath, test: false, actor: event.author,
                                          incident: HookIncidentJSON(record, runbook: runbook, time: time, now: at),
                                          entry: EntryJSON(event), timer: nil)
                pendingHooks.jobs.append((name, payload, record))
            }
            state = after
        }
    }

    /// Runs what `queueHooks` queued. Called by `CLI.run` once the command has printed.
    func runPendingHooks() {
        let jobs = pendingHooks.jobs
        pendingHooks.jobs = []
        for job in jobs { _ = runHooks(event: job.event, payload: job.payload, incident: job.incident) }
    }

    /// Runs `hooks/<event>` and then `hooks/any`, each only if trusted on this machine.
    /// Everything is reported on stderr; nothing stored is changed whatever they do.
    @discardableResult
    func runHooks(event: String, payload: HookPayload, incident: IncidentRecord, includeAny: Bool = true) -> [HookReport] {
        let directory = hookDirectory
        guard directory.exists else {
            if let why = directory.unusable { err("incident: skipped the hooks for \(incident.id) \(event): \(why).") }
            return []
        }
        var reports: [HookReport] = []
        let trust = HookTrust(environment: context.environment, store: store)
        for name in includeAny && event != HookEvents.any ? [event, HookEvents.any] : [event] {
            guard let hook = directory.hook(name) else { continue }
            reports.append(runHook(hook, event: event, payload: payload, incident: incident, trust: trust))
        }
        return reports
    }

    func runHook(_ hook: InstalledHook, event: String, payload: HookPayload, incident: IncidentRecord, trust: HookTrust?) -> HookReport {
        let label = "hooks/\(hook.event)"
        if let problem = hook.problem {
            err("incident: hook \(label) was not run: \(problem).")
            return HookReport(event: event, hook: label, result: "unusable", status: nil, milliseconds: nil)
        }
        guard let trust, trust.isTrusted(hook) else {
            let why = trust == nil ? "this machine has no HOME or XDG_CONFIG_HOME to keep trusted hashes in"
                : (trust!.trusted()[hook.event] == nil ? "it is new and has not been trusted on this machine"
                   : "it changed since it was trusted on this machine")
            err("incident: skipped hook \(label) for \(incident.id) \(event): \(why); review \(hook.path), then run 'incident hooks trust \(hook.event)'.")
            return HookReport(event: event, hook: label, result: "untrusted", status: nil, milliseconds: nil)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var body: [UInt8] = []
        if let data = try? encoder.encode(payload) { body = Array(data) + [0x0a] }
        var environment = context.environment
        let s = incident.state
        environment["INCIDENT_EVENT"] = event
        environment["INCIDENT_HOOK"] = hook.event
        environment["INCIDENT_ID"] = s.id.description
        environment["INCIDENT_TITLE"] = s.title
        environment["INCIDENT_PUBLIC_TITLE"] = s.publicTitle ?? ""
        environment["INCIDENT_SEVERITY"] = s.severity
        environment["INCIDENT_SEVERITY_TITLE"] = payload.incident.severityTitle
        environment["INCIDENT_STATUS"] = s.status.rawValue
        environment["INCIDENT_PHASE"] = s.phase
        environment["INCIDENT_DRILL"] = s.drill ? "true" : "false"
        environment["INCIDENT_STORE"] = payload.store
        environment["INCIDENT_ACTOR"] = payload.actor ?? ""
        environment["INCIDENT_TEST"] = payload.test ? "true" : "false"
        if let commander = s.roles["commander"] { environment["INCIDENT_COMMANDER"] = commander }
        if let timer = payload.timer {
            environment["INCIDENT_TIMER"] = timer.name
            environment["INCIDENT_TIMER_TITLE"] = timer.title
            environment["INCIDENT_DUE_AT"] = timer.dueAt.iso8601
            environment["INCIDENT_OVERDUE_SECONDS"] = String(timer.overdueSeconds)
        } else {
            for key in ["INCIDENT_TIMER", "INCIDENT_TIMER_TITLE", "INCIDENT_DUE_AT", "INCIDENT_OVERDUE_SECONDS"] { environment[key] = nil }
        }
        // What runs is a private copy of the bytes that were hashed and trusted, not the file
        // at its path, which a pull or a sync could replace between the check and the start.
        environment["INCIDENT_HOOK_PATH"] = hook.path
        let run: HookRun
        if !hook.executable {
            run = HookRun(outcome: .notExecutable("its file has no execute permission"), output: "", truncated: false, milliseconds: 0)
        } else if let copied = hook.withPrivateCopy({ HookRunner.run(path: $0, stdin: body, environment: environment, timeout: hookTimeout) }) {
            run = copied
        } else {
            err("incident: hook \(label) was not run: no private copy of it could be written beside \(hook.path) (the store's directory must be writable).")
            return HookReport(event: event, hook: label, result: "unusable", status: nil, milliseconds: nil)
        }
        var lines = run.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        for line in lines { err("[\(label)] " + Sanitizer.forTerminal(line)) }
        if run.truncated { err("[\(label)] … output cut at \(HookRunner.outputLimit / 1024) KiB") }
        let result: String
        switch run.outcome {
        case .exited(0): result = "ok"
        case .timedOut: result = "timed-out"
        case .notExecutable: result = "not-executable"
        default: result = "failed"
        }
        if !run.outcome.succeeded {
            var message = "incident: hook \(label) for \(incident.id) \(event) \(run.outcome.description)"
            if case .notExecutable = run.outcome { message += "; run 'chmod +x \(hook.path)'" }
            err(message + "; what was stored is unchanged.")
        }
        return HookReport(event: event, hook: label, result: result, status: run.outcome.status, milliseconds: run.milliseconds)
    }
}
