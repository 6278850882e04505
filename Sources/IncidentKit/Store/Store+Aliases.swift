#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Provisional IDs live on as aliases once the incident is numbered: `<store>/aliases/INC-<token>`
/// holds the number (committed and synced like the incidents, so every clone resolves it). The
/// file is a hint: the incident it names must carry the `numbered` event from that provisional
/// ID, or the incident files are searched for the one that does.
extension Store {
    public var aliasesDirectory: String { root + "/aliases" }

    public func writeAlias(_ provisional: IncidentID, to numbered: IncidentID) throws {
        guard provisional.isProvisional, !numbered.isProvisional else { return }
        try POSIXFile.makeDirectory(aliasesDirectory)
        try POSIXFile.writeAtomically(Array("\(numbered)\n".utf8), directory: aliasesDirectory, name: provisional.description)
    }

    /// The numbered ID a provisional one became, if it did.
    public func resolveAlias(_ provisional: IncidentID) -> IncidentID? {
        guard provisional.isProvisional else { return nil }
        func carries(_ r: IncidentRecord) -> Bool {
            r.events.contains { $0.kind == BuiltInKind.numbered && $0.fields["from"] == provisional.description }
        }
        if let bytes = try? POSIXFile.read(aliasesDirectory + "/" + provisional.description, limit: 64),
           let target = IncidentID(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: "\n")),
           !target.isProvisional, !locations(of: target).isEmpty,
           let (record, _) = try? load(target), carries(record) {
            return record.id
        }
        let (active, _) = loadActive()
        if let hit = active.first(where: carries) { return hit.id }
        let (archived, _) = loadArchived()
        return archived.first(where: carries)?.id
    }

    /// Every provisional incident file in the store.
    public func provisionalIDs() -> [IncidentID] {
        var out: [IncidentID] = []
        for dir in [activeDirectory] + archiveYears.map({ archiveDirectory + "/" + String($0) }) {
            for name in POSIXFile.list(dir) where name.hasSuffix(".json") {
                if let id = IncidentID(String(name.dropLast(5))), id.isProvisional, id.fileName == name { out.append(id) }
            }
        }
        return Array(Set(out)).sorted()
    }

    /// Gives a provisional incident its number: appends the `numbered` event, writes it under
    /// the new ID, removes the provisional file and records the alias. Call with the lock held.
    public func number(_ provisional: IncidentID, actor: Actor) throws -> IncidentID {
        var (record, _) = try load(provisional)
        let number = try allocateID()
        try renumber(&record, to: number, actor: actor, why: "Numbered \(number) (was the provisional \(provisional))")
        try writeAlias(provisional, to: number)
        return number
    }

    /// Moves an incident to a new ID, recording the change in its log.
    public func renumber(_ record: inout IncidentRecord, to newID: IncidentID, actor: Actor, why: String) throws {
        let old = record.id
        let oldPlaces = locations(of: old).map { path(of: old, in: $0) }
        record.id = newID
        let at = max(actor.at, record.events.map(\.at).max() ?? actor.at)
        try record.append(Event(id: Event.newID(), kind: BuiltInKind.numbered, at: at, recordedAt: actor.recordedAt,
                                author: actor.name, text: why, fields: ["from": old.description, "to": newID.description]))
        try save(record)
        for p in oldPlaces where POSIXFile.exists(p) { try POSIXFile.remove(p) }
        // Aliases that named the old ID follow the incident.
        for e in record.events where e.kind == BuiltInKind.numbered {
            if let from = e.fields["from"].flatMap({ IncidentID($0) }), from.isProvisional { try writeAlias(from, to: newID) }
        }
    }
}
