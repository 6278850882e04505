#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The semantic merge of copies of one incident: the union of their event logs, each event
/// once (by event id and hash), in the canonical order (`EventLog.canonicalOrder`), and the
/// state recomputed by the same fold as always. Order-independent by construction: merging
/// copies in any order, in any grouping, gives the same record. `sync`, the git merge driver
/// (`incident merge-driver`), the repair of a conflicted file and `Store.load` of an incident
/// found in two places all use this one function.
public enum IncidentMerge {
    /// The id of an incident's declaration: two copies are of the same incident exactly when
    /// they start with the same declaration.
    public static func rootID(_ record: IncidentRecord) -> String? {
        record.events.first(where: { $0.kind == BuiltInKind.declared && $0.parents.isEmpty })?.id
    }

    public static func sameIncident(_ a: IncidentRecord, _ b: IncidentRecord) -> Bool {
        rootID(a) != nil && rootID(a) == rootID(b)
    }

    /// Merges copies of one incident. Throws when they are different incidents (different
    /// declarations under one ID), which only renumbering can resolve.
    public static func merge(_ copies: [IncidentRecord]) throws -> IncidentRecord {
        guard var result = copies.first else { throw IncidentError.storage("Nothing to merge.") }
        for other in copies.dropFirst() where !sameIncident(result, other) {
            throw IncidentError.refused("\(other.id) holds two different incidents (declared as \"\(title(result))\" and as \"\(title(other))\"); they cannot be merged into one.")
        }
        if copies.count == 1 { return result }
        // Copies in an older hash format are brought to the current one first (deterministic,
        // and only when they verify), so one event hashes the same in every copy.
        let current = copies.map { (try? $0.migratedToCurrentFormat()) ?? $0 }
        result = current[0]
        let events = EventLog.union(current.map(\.events))
        result.schemaVersion = IncidentRecord.currentSchemaVersion
        result.events = events
        // Any copy that was given its number (a provisional ID numbered on one clone) names it.
        if let numbered = copies.first(where: { !$0.id.isProvisional }) { result.id = numbered.id }
        result.state = try IncidentState.derive(id: result.id, events: events)
        return result
    }

    static func title(_ r: IncidentRecord) -> String { String(r.state.title.prefix(60)) }

    /// The git merge driver's job: base (may be absent or unreadable), ours and theirs as file
    /// bytes → the merged file. Returns nil when the two sides are different incidents, so git
    /// keeps the conflict for `incident` to renumber one of them.
    public static func mergeFiles(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], path: String) throws -> [UInt8]? {
        let a = try Store.decodeRecord(Data(ours), path: path + " (ours)")
        let b = try Store.decodeRecord(Data(theirs), path: path + " (theirs)")
        guard sameIncident(a, b) else { return nil }
        var copies = [a, b]
        if let base, let c = try? Store.decodeRecord(Data(base), path: path + " (base)"), sameIncident(a, c) { copies.append(c) }
        return try Store.encode(merge(copies))
    }
}

extension IncidentMerge {
    /// `incident merge-driver %O %A %B %P`: what git runs for an incident file both sides
    /// changed. Writes the merged file over `ours` and returns 0, or leaves `ours` as it is and
    /// returns 1 (a conflict git records) when the sides are different incidents or unreadable.
    public static func runDriver(base: String, ours: String, theirs: String, path: String) -> (Int32, String?) {
        do {
            let a = try POSIXFile.read(ours, limit: Store.maxFileBytes)
            let b = try POSIXFile.read(theirs, limit: Store.maxFileBytes)
            let o = try? POSIXFile.read(base, limit: Store.maxFileBytes)
            guard let merged = try mergeFiles(base: (o?.isEmpty ?? true) ? nil : o, ours: a, theirs: b, path: path) else {
                return (1, "\(path): the two sides are different incidents under one ID; the next 'incident' command renumbers the local one.")
            }
            let slash = ours.lastIndex(of: "/")
            let directory = slash.map { String(ours[..<$0]) } ?? "."
            let name = slash.map { String(ours[ours.index(after: $0)...]) } ?? ours
            try POSIXFile.writeAtomically(merged, directory: directory.isEmpty ? "/" : directory, name: name)
            return (0, nil)
        } catch {
            return (1, "\(path): could not merge: \(error)")
        }
    }
}
