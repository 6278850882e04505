/// An organisation's incident policy, as data: the severity ladder, the SLA timers, the
/// role catalogue, the lifecycle phases with their checklists, and the close gates.
///
/// The format is documented in docs/runbook-format.md and by schemas/runbook.schema.json.
public struct Runbook: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var name: String
    public var title: String
    public var description: String?
    /// Where the policy's facts come from (document, section).
    public var sources: [String]?
    public var levels: [Level]
    public var roles: [Role]
    public var phases: [Phase]
    public var timers: [TimerSpec]
    /// Kinds a timeline entry may have (`note --kind`). Built-in event kinds are added.
    public var entryKinds: [EntryKind]
    /// The definition of done: what `close` requires. See `Gate`.
    public var closeGates: [Gate]
    /// Incident types (`declare --type`), each adding checklist items and required roles.
    public var incidentTypes: [IncidentType]?
    /// Drill cadence and kinds, for `incident drills`.
    public var drills: [DrillSpec]?
    /// The team's zone, working days, business hours and holidays: what `bd` and `bh` mean.
    /// Absent: UTC, Monday to Friday, 09:00–17:00.
    public var calendar: BusinessCalendar?
    /// A minimum time to keep watching between `resolve` and `close`.
    public var monitoring: MonitoringWindow?

    /// After service is restored, how long to watch before the incident may be closed.
    /// `close` is refused until the window has passed (unless `--force --reason`).
    public struct MonitoringWindow: Codable, Sendable, Equatable {
        /// What is watched, e.g. "Error rates after the read-only flag is removed".
        public var title: String?
        /// The window for every level without its own entry in `levels`.
        public var window: SLADuration?
        /// Level id → window, for levels that watch longer or shorter.
        public var levels: [String: SLADuration]?
        public var source: String?

        public init(title: String? = nil, window: SLADuration? = nil, levels: [String: SLADuration]? = nil, source: String? = nil) {
            self.title = title; self.window = window; self.levels = levels; self.source = source
        }

        /// The window for a level, if that level has one.
        public func duration(level: String) -> SLADuration? { levels?[level] ?? window }
    }

    public struct Level: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var aliases: [String]?
        public var description: String?
        public var examples: [String]?
        /// Roles that must be staffed at this level; missing ones are reported first.
        public var requiredRoles: [String]?
        /// Free-form policy notes shown with the level (e.g. communication channels).
        public var notes: [String]?
    }

    public struct Role: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var aliases: [String]?
        public var duties: [String]?
        public var backup: String?
    }

    public struct Phase: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var aliases: [String]?
        public var description: String?
        public var checklist: [ChecklistItem]?
        /// Milestones set when the incident first enters this phase, e.g. `contained`.
        public var marks: [String]?
    }

    public struct ChecklistItem: Codable, Sendable, Equatable {
        public var text: String
        /// A required item blocks leaving its phase and closing the incident.
        public var required: Bool?
        /// For incident types: the phase the item belongs to.
        public var phase: String?
        /// Restricts the item to some levels (ids); absent means every level.
        public var levels: [String]?
        /// Entry kinds or milestones that tick the item by themselves, e.g. an
        /// `exec-notification` entry satisfies "Executives notified".
        public var satisfiedBy: [String]?
    }

    public struct EntryKind: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var aliases: [String]?
        public var description: String?
    }

    public struct IncidentType: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var aliases: [String]?
        public var description: String?
        public var requiredRoles: [String]?
        public var checklist: [ChecklistItem]?
    }

    public struct DrillSpec: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var level: String?
        /// How often: `quarterly`, `yearly`, `monthly`.
        public var every: String
    }

    /// A timer: its length per severity level, what starts it and what stops it.
    ///
    /// `start` and each entry of `stop`/`until` is a trigger: a milestone (`started`,
    /// `declared`, `acknowledged`, `contained`, `resolved`, `closed`), `phase:<id>` (the
    /// first time that phase is entered) or an event kind (`comms`, `exec-notification`,
    /// `postmortem`...). A repeating timer (a comms cadence) restarts at each stop event
    /// until one of `until` happens.
    public struct TimerSpec: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var description: String?
        public var start: String
        public var stop: [String]
        public var repeats: Bool?
        public var until: [String]?
        /// Level id → duration. A level not listed has no such timer.
        public var durations: [String: SLADuration]
        public var source: String?
    }

    public enum Gate: String, Codable, Sendable, CaseIterable {
        /// The incident is resolved.
        case resolved
        /// Every required checklist item (of every phase) is checked.
        case checklist
        /// Every role the level (and type) requires is staffed.
        case roles
        /// The postmortem has been published.
        case postmortem
        /// Every action item has an owner and a due date.
        case actionItems = "action-items"
        /// Every action item is done.
        case actionsDone = "actions-done"
    }
}

/// Names are matched ignoring case, spaces, hyphens, underscores and dots:
/// `Sev 0`, `sev0`, `SEV-0` are one name.
public func normalizedName(_ s: String) -> String {
    // ASCII (nearly every name) byte by byte: the same result, without a Character per scalar.
    if s.utf8.allSatisfy({ $0 < 0x80 }) {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case 0x20, 0x2D, 0x5F, 0x2E, 0x09: continue
            case 0x41...0x5A: out.append(b + 0x20)
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
    return String(s.lowercased().unicodeScalars.filter { !" -_.\t".unicodeScalars.contains($0) }.map(Character.init))
}

public protocol NamedRunbookEntry {
    var id: String { get }
    var title: String { get }
    var aliases: [String]? { get }
}

extension NamedRunbookEntry {
    public func matches(_ name: String) -> Bool {
        let n = normalizedName(name)
        if n.isEmpty { return false }
        return normalizedName(id) == n || normalizedName(title) == n || (aliases ?? []).contains { normalizedName($0) == n }
    }
}

extension Runbook.Level: NamedRunbookEntry {}
extension Runbook.Role: NamedRunbookEntry {}
extension Runbook.Phase: NamedRunbookEntry {}
extension Runbook.EntryKind: NamedRunbookEntry {}
extension Runbook.IncidentType: NamedRunbookEntry {}

/// Event kinds the tool writes itself. Timers may use them as triggers.
public enum BuiltInKind {
    public static let declared = "declared"
    public static let acknowledged = "acknowledged"
    public static let severity = "severity"
    public static let assigned = "assigned"
    public static let unassigned = "unassigned"
    public static let phase = "phase"
    public static let contained = "contained"
    public static let resolved = "resolved"
    public static let closed = "closed"
    public static let reopened = "reopened"
    public static let checked = "checked"
    public static let unchecked = "unchecked"
    public static let postmortem = "postmortem"
    public static let retitled = "retitled"
    public static let actionItem = "action-item"
    public static let actionItemDone = "action-item-done"
    public static let evidence = "evidence"
    public static let custody = "custody"
    /// A provisional incident received its number at a sync (`from` → `to`).
    public static let numbered = "numbered"
    /// Corrections: new events pointing at the entry they correct (see `Corrections`).
    public static let amended = "amended"
    public static let struck = "struck"
    /// `edit`: the title, summary, impact start or public title changed.
    public static let edited = "edited"
    /// Outcomes: not an incident after all; a duplicate merged into another incident.
    public static let declined = "declined"
    public static let merged = "merged"
    /// In the survivor: a duplicate was merged in; and each entry copied from it.
    public static let mergedIn = "merged-in"
    public static let mergedEntry = "merged-entry"
    public static let all: [String] = [declared, acknowledged, severity, assigned, unassigned, phase, contained,
                                       resolved, closed, reopened, checked, unchecked, postmortem, retitled,
                                       actionItem, actionItemDone, evidence, custody, amended, struck, edited,
                                       declined, merged, mergedIn, mergedEntry, numbered]
    /// Milestones usable as timer triggers.
    public static let milestones: [String] = ["started", declared, acknowledged, contained, resolved, closed]
}

extension Runbook {
    func lookup<T: NamedRunbookEntry>(_ items: [T], _ name: String, category: String) throws -> T {
        if let hit = items.first(where: { $0.matches(name) }) { return hit }
        throw IncidentError.unknownName(category: category, name: name, known: items.map(\.id))
    }

    public func level(named name: String) throws -> Level { try lookup(levels, name, category: "severity") }
    public func role(named name: String) throws -> Role { try lookup(roles, name, category: "role") }
    public func phase(named name: String) throws -> Phase { try lookup(phases, name, category: "phase") }
    public func incidentType(named name: String) throws -> IncidentType {
        try lookup(allIncidentTypes, name, category: "incident type")
    }

    /// The runbook's own incident types, or the shipped catalogue (templates/incident-types.json).
    public var allIncidentTypes: [IncidentType] { incidentTypes ?? IncidentTypeCatalogue.shipped }
    public func entryKind(named name: String) throws -> EntryKind { try lookup(entryKinds, name, category: "entry kind") }

    public func level(id: String) -> Level? { levels.first { $0.id == id } }
    public func role(id: String) -> Role? { roles.first { $0.id == id } }
    public func phase(id: String) -> Phase? { phases.first { $0.id == id } }
    public func phaseIndex(id: String) -> Int? { phases.firstIndex { $0.id == id } }
    public func incidentType(id: String) -> IncidentType? { allIncidentTypes.first { $0.id == id } }

    /// The role that leads the response (`commander`, or whichever role answers to `ic`).
    public var commanderRoleID: String? {
        (roles.first { $0.matches("commander") || $0.matches("ic") } ?? roles.first)?.id
    }

    /// 0 = most severe.
    public func levelRank(id: String) -> Int { levels.firstIndex { $0.id == id } ?? levels.count }

    /// The roles a level (and incident type) requires, in catalogue order.
    public func requiredRoles(level: String, type: String?) -> [String] {
        var ids = Set(self.level(id: level)?.requiredRoles ?? [])
        if let type, let t = incidentType(id: type) {
            // Types from the shared catalogue name roles loosely; keep the ones this runbook has.
            ids.formUnion((t.requiredRoles ?? []).compactMap { name in roles.first { $0.matches(name) }?.id })
        }
        return roles.map(\.id).filter { ids.contains($0) }
    }
}
