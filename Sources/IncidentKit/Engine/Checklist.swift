#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One checklist item of one incident: from its phase in the runbook, or from its type.
public struct ChecklistEntry: Sendable, Equatable {
    /// 1-based, in phase order, stable for a given runbook, level and type.
    public var number: Int
    public var phase: String
    public var text: String
    public var required: Bool
    public var done: Bool
    /// Entry kinds that tick it (a notification), if any.
    public var satisfiedBy: [String] = []
}

/// The incident types shipped in templates/incident-types.json, used by runbooks that do
/// not define their own.
public enum IncidentTypeCatalogue {
    public static let shipped: [Runbook.IncidentType] = {
        guard let text = EmbeddedResources.templates["incident-types"],
              let data = text.data(using: .utf8),
              let types = try? JSONDecoder().decode([Runbook.IncidentType].self, from: data) else { return [] }
        return types
    }()
}

public enum Checklist {
    /// - Parameter events: the log, for items ticked by an entry kind (`satisfiedBy`).
    public static func items(for state: IncidentState, events: [Event] = [], runbook: Runbook) -> [ChecklistEntry] {
        var out: [ChecklistEntry] = []
        let typeItems = state.type.flatMap { runbook.incidentType(id: $0)?.checklist } ?? []
        let kinds = Set(Corrections.effective(events).map(\.kind))
        func typePhase(_ item: Runbook.ChecklistItem) -> String {
            // Catalogue types name phases loosely ("contain"); unknown names go to the first phase.
            item.phase.flatMap { name in runbook.phases.first { $0.matches(name) }?.id } ?? (runbook.phases.first?.id ?? "")
        }
        for phase in runbook.phases {
            let items = (phase.checklist ?? []) + typeItems.filter { typePhase($0) == phase.id }
            for item in items where item.levels == nil || item.levels!.contains(state.severity) {
                let auto = (item.satisfiedBy ?? []).contains { kinds.contains($0) || state.milestone($0) != nil }
                out.append(ChecklistEntry(number: out.count + 1, phase: phase.id, text: item.text,
                                          required: item.required ?? false, done: auto || state.checked.contains(item.text),
                                          satisfiedBy: item.satisfiedBy ?? []))
            }
        }
        return out
    }

    /// Required items ticked by an entry (notifications) that are owed by now: in phases
    /// the incident has reached, not yet done.
    public static func owedNotifications(_ record: IncidentRecord, state: IncidentState? = nil, runbook: Runbook) -> [ChecklistEntry] {
        let s = state ?? record.state
        guard s.status != .closed else { return [] }
        let reached = Set(runbook.phases.prefix((runbook.phaseIndex(id: s.phase) ?? 0) + 1).map(\.id))
        return items(for: s, events: record.events, runbook: runbook)
            .filter { $0.required && !$0.done && !$0.satisfiedBy.isEmpty && reached.contains($0.phase) }
    }

    /// Finds an item by number (`3`, `#3`) or by text (exact, else a unique fragment).
    public static func find(_ selector: String, in items: [ChecklistEntry]) throws -> ChecklistEntry {
        var s = selector.trimmingCharacters(in: " ")
        if s.hasPrefix("#") { s.removeFirst() }
        if let n = Int(s) {
            if let hit = items.first(where: { $0.number == n }) { return hit }
            throw IncidentError.invalidInput("There is no checklist item #\(n); this incident's checklist has \(items.count) items ('incident checklist ID' lists them).")
        }
        let needle = s.lowercased()
        if let exact = items.first(where: { $0.text.lowercased() == needle }) { return exact }
        let partial = items.filter { $0.text.lowercased().contains(needle) }
        if partial.count == 1 { return partial[0] }
        if partial.isEmpty {
            throw IncidentError.invalidInput("No checklist item matches '\(selector)'; 'incident checklist ID' lists them.")
        }
        throw IncidentError.invalidInput("'\(selector)' matches \(partial.count) checklist items (\(partial.map { "#\($0.number)" }.joined(separator: ", "))); give the number.")
    }
}
