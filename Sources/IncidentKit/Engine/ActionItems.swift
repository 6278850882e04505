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
    public static func items(in record: IncidentRecord) -> [ActionItem] { numbered(in: record).map(\.item) }

    /// Each item with the ID of the event that added it. Two clones that each added an item
    /// before syncing both wrote `A1`: the first in the log keeps it and each later duplicate
    /// is shown under the next free number (the same on every clone, since the merged log is).
    /// A completion names the adding event (`item`), so it closes the item that was meant;
    /// one written before that field existed names the ID only.
    static func numbered(in record: IncidentRecord) -> [(item: ActionItem, event: String)] {
        var items: [(item: ActionItem, event: String)] = []
        var highest = 0
        for e in record.events where e.kind == addedKind || e.kind == doneKind {
            guard var id = e.fields["id"] else { continue }
            if e.kind == addedKind {
                if items.contains(where: { $0.item.id == id }) { id = "A\(highest + 1)" }
                highest = max(highest, Int(id.dropFirst()) ?? 0)
                items.append((ActionItem(
                    incident: record.id, id: id, text: e.fields["text"] ?? e.text, owner: e.fields["owner"],
                    dueAt: e.fields["due"].flatMap(TimeParser.parseISO8601), term: e.fields["term"].flatMap(ActionItem.Term.init),
                    status: .open, createdAt: e.at, doneAt: nil), e.id))
            } else if let i = e.fields["item"].flatMap({ target in items.firstIndex { $0.event == target } })
                        ?? items.firstIndex(where: { $0.item.id == id }) {
                items[i].item.status = .done
                items[i].item.doneAt = e.at
            }
        }
        return items
    }

    /// The ID a new item gets: one past the highest number shown (never a reused one, even
    /// after two clones' items were renumbered apart).
    public static func nextID(in record: IncidentRecord) -> String {
        "A\((items(in: record).compactMap { Int($0.id.dropFirst()) }.max() ?? 0) + 1)"
    }

    public static func find(_ selector: String, in items: [ActionItem]) throws -> ActionItem {
        try findNumbered(selector, prefix: "A", noun: "action item", in: items, id: \.id)
    }
}

extension Actions {
    public static func addActionItem(_ r: inout IncidentRecord, text: String, owner: String?, dueAt: Timestamp?,
                                     term: ActionItem.Term?, actor: Actor) throws {
        let clean = try cleanShort(text, what: "The action item", allowSecrets: actor.allowSecrets)
        let id = ActionItems.nextID(in: r)
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
        let numbered = ActionItems.numbered(in: r)
        let item = try ActionItems.find(selector, in: numbered.map(\.item))
        if item.status == .done { throw IncidentError.refused("Action item \(item.id) of \(r.id) is already done.") }
        let event = numbered.first { $0.item.id == item.id }?.event ?? ""
        try append(&r, ActionItems.doneKind, "Action item \(item.id) done: \(item.text)", ["id": item.id, "item": event], actor)
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
