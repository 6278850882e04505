/// A piece of evidence: a file (hashed, not copied unless asked) or a reference (a URI to
/// a snapshot, a ticket, a log query), with its chain of custody.
public struct EvidenceItem: Sendable, Equatable {
    public struct Custody: Sendable, Equatable {
        public var at: Timestamp
        public var from: String
        public var to: String
        public var note: String?
    }

    public var id: String
    /// The absolute path of a file, or the URI of a reference.
    public var location: String
    public var isFile: Bool
    public var sha256: String?
    public var size: Int64?
    public var note: String?
    public var collectedBy: String
    public var collectedAt: Timestamp
    /// A copy kept in the store, if one was asked for.
    public var copy: String?
    public var custody: [Custody]

    /// Who holds it now.
    public var holder: String { custody.last?.to ?? collectedBy }
}

public enum Evidence {
    public static func items(in record: IncidentRecord) -> [EvidenceItem] { numbered(in: record).map(\.item) }

    /// Each item with the ID of the event that recorded it. As with action items, a `E1`
    /// written on two clones before a sync is shown once as `E1` and then under the next free
    /// number; a custody transfer names the recording event (`item`) to say which it meant.
    static func numbered(in record: IncidentRecord) -> [(item: EvidenceItem, event: String)] {
        var items: [(item: EvidenceItem, event: String)] = []
        var highest = 0
        for e in IncidentState.timeOrdered(record.events) {
            if e.kind == BuiltInKind.evidence, var id = e.fields["id"], let location = e.fields["location"] {
                if items.contains(where: { $0.item.id == id }) { id = "E\(highest + 1)" }
                highest = max(highest, Int(id.dropFirst()) ?? 0)
                items.append((EvidenceItem(
                    id: id, location: location, isFile: e.fields["type"] == "file", sha256: e.fields["sha256"],
                    size: e.fields["size"].flatMap { Int64($0) }, note: e.fields["note"], collectedBy: e.author,
                    collectedAt: e.at, copy: e.fields["copy"], custody: []), e.id))
            } else if e.kind == BuiltInKind.custody, let id = e.fields["id"],
                      let i = e.fields["item"].flatMap({ target in items.firstIndex { $0.event == target } })
                        ?? items.firstIndex(where: { $0.item.id == id }) {
                items[i].item.custody.append(.init(at: e.at, from: e.fields["from"] ?? items[i].item.holder, to: e.fields["to"] ?? "?", note: e.fields["note"]))
            }
        }
        return items
    }

    /// The ID new evidence gets: one past the highest number shown.
    public static func nextID(in record: IncidentRecord) -> String {
        "E\((items(in: record).compactMap { Int($0.id.dropFirst()) }.max() ?? 0) + 1)"
    }

    public static func find(_ selector: String, in items: [EvidenceItem]) throws -> EvidenceItem {
        try findNumbered(selector, prefix: "E", noun: "evidence item", in: items, id: \.id)
    }

    /// SHA-256 and size of a file, streaming (evidence can be a disk image).
    public static func hashFile(_ path: String) throws -> (String, Int64) {
        try POSIXFile.hashFile(path)
    }
}

extension Actions {
    public static func addEvidence(_ r: inout IncidentRecord, location: String, isFile: Bool, sha256: String?, size: Int64?,
                                   note: String?, copy: String?, actor: Actor) throws {
        let id = Evidence.nextID(in: r)
        var fields = ["id": id, "location": location, "type": isFile ? "file" : "reference"]
        if let sha256 { fields["sha256"] = sha256 }
        if let size { fields["size"] = String(size) }
        if let note { fields["note"] = try cleanShort(note, what: "The note", allowSecrets: actor.allowSecrets) }
        if let copy { fields["copy"] = copy }
        var text = "Evidence \(id): \(location)"
        if let sha256 { text += " (sha256 \(sha256.prefix(16))…, \(size ?? 0) bytes)" }
        if let n = fields["note"] { text += " — \(n)" }
        try append(&r, BuiltInKind.evidence, text, fields, actor)
    }

    public static func transferEvidence(_ r: inout IncidentRecord, item selector: String, to person: String, note: String?, actor: Actor) throws {
        let numbered = Evidence.numbered(in: r)
        let item = try Evidence.find(selector, in: numbered.map(\.item))
        let to = try cleanShort(person, what: "The recipient (--to)")
        if to == item.holder { throw IncidentError.refused("\(to) already holds \(item.id).") }
        var fields = ["id": item.id, "from": item.holder, "to": to]
        if let event = numbered.first(where: { $0.item.id == item.id })?.event { fields["item"] = event }
        if let note { fields["note"] = try cleanShort(note, what: "The note") }
        try append(&r, BuiltInKind.custody, "Custody of \(item.id) passed from \(item.holder) to \(to)" + (fields["note"].map { ": \($0)" } ?? ""), fields, actor)
    }
}
