/// A follow-up task from an incident: what, who, by when.
public struct ActionItem: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case open, done }
    public enum Term: String, Sendable, Codable, CaseIterable { case short, long }

    public var incident: IncidentID
    /// `A1`, `A2`... within the incident.
    public var id: String
    public var text: String
    public var owner: String?
    public var dueAt: Timestamp?
    public var term: Term?
    public var status: Status
    public var createdAt: Timestamp
    public var doneAt: Timestamp?

    public func isOverdue(at now: Timestamp) -> Bool {
        guard status == .open, let dueAt else { return false }
        return now > dueAt
    }
}

public enum ActionItems {
    public static let addedKind = "action-item"
    public static let doneKind = "action-item-done"

    /// The incident's action items, in the order they were added.
    public static func items(in record: IncidentRecord) -> [ActionItem] {
        var items: [ActionItem] = []
        for e in record.events where e.kind == addedKind || e.kind == doneKind {
            guard let id = e.fields["id"] else { continue }
            if e.kind == addedKind {
                items.append(ActionItem(
                    incident: record.id, id: id, text: e.fields["text"] ?? e.text, owner: e.fields["owner"],
                    dueAt: e.fields["due"].flatMap(TimeParser.parseISO8601), term: e.fields["term"].flatMap(ActionItem.Term.init),
                    status: .open, createdAt: e.at, doneAt: nil))
            } else if let i = items.firstIndex(where: { $0.id == id }) {
                items[i].status = .done
                items[i].doneAt = e.at
            }
        }
        return items
    }

    public static func find(_ selector: String, in items: [ActionItem]) throws -> ActionItem {
        try findNumbered(selector, prefix: "A", noun: "action item", in: items, id: \.id)
    }
}

extension Actions {
    public static func addActionItem(_ r: inout IncidentRecord, text: String, owner: String?, dueAt: Timestamp?,
                                     term: ActionItem.Term?, actor: Actor) throws {
        let clean = try cleanShort(text, what: "The action item", allowSecrets: actor.allowSecrets)
        let id = "A\(ActionItems.items(in: r).count + 1)"
        var fields = ["id": id, "text": clean]
        var line = "Action item \(id): \(clean)"
        if let owner {
            fields["owner"] = try cleanShort(owner, what: "The owner")
            line += " (owner \(fields["owner"]!)"
        } else {
            line += " (no owner"
        }
        if let dueAt {
            fields["due"] = dueAt.iso8601
            line += ", due \(dueAt.humanUTC))"
        } else {
            line += ", no due date)"
        }
        if let term { fields["term"] = term.rawValue }
        try append(&r, ActionItems.addedKind, line, fields, actor)
    }

    public static func completeActionItem(_ r: inout IncidentRecord, item selector: String, actor: Actor) throws {
        let item = try ActionItems.find(selector, in: ActionItems.items(in: r))
        if item.status == .done { throw IncidentError.refused("Action item \(item.id) of \(r.id) is already done.") }
        try append(&r, ActionItems.doneKind, "Action item \(item.id) done: \(item.text)", ["id": item.id], actor)
    }
}

/// Finds `A2` / `E1`-style items by their id, with or without the letter.
func findNumbered<T>(_ selector: String, prefix: String, noun: String, in items: [T], id: (T) -> String) throws -> T {
    var s = selector.uppercased()
    if !s.hasPrefix(prefix) { s = prefix + s }
    if let hit = items.first(where: { id($0) == s }) { return hit }
    let known = items.isEmpty ? "none" : items.map(id).joined(separator: ", ")
    throw IncidentError.notFound("No \(noun) '\(selector)'; this incident has \(known).")
}
