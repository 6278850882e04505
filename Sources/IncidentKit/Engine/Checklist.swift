/// One checklist item of one incident: from its phase in the runbook, or from its type.
public struct ChecklistEntry: Sendable, Equatable {
    /// 1-based, in phase order, stable for a given runbook, level and type.
    public var number: Int
    public var phase: String
    public var text: String
    public var required: Bool
    public var done: Bool
}

public enum Checklist {
    public static func items(for state: IncidentState, runbook: Runbook) -> [ChecklistEntry] {
        var out: [ChecklistEntry] = []
        let typeItems = state.type.flatMap { runbook.incidentType(id: $0)?.checklist } ?? []
        for phase in runbook.phases {
            let items = (phase.checklist ?? []) + typeItems.filter { $0.phase == phase.id }
            for item in items where item.levels == nil || item.levels!.contains(state.severity) {
                out.append(ChecklistEntry(number: out.count + 1, phase: phase.id, text: item.text,
                                          required: item.required ?? false, done: state.checked.contains(item.text)))
            }
        }
        return out
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
