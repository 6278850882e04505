/// One entry of an incident's log. Every change to an incident is an event; the incident's
/// state is a pure function of its events (see `IncidentState.derive`).
public struct Event: Codable, Sendable, Equatable {
    /// Unique across clones (random), so two copies of an incident can be merged.
    public var id: String
    public var kind: String
    /// When it happened. May be back-filled, so events are not stored in time order.
    public var at: Timestamp
    /// When it was written down.
    public var recordedAt: Timestamp
    public var author: String
    /// What a person reads in the timeline.
    public var text: String
    /// The structured payload (severity, role, name, phase, reason...).
    public var fields: [String: String]
    /// Hashes of the events this one was appended after (usually one; none for the first).
    public var parents: [String]
    /// SHA-256 over `canonicalBytes`.
    public var hash: String

    public init(id: String, kind: String, at: Timestamp, recordedAt: Timestamp, author: String,
                text: String, fields: [String: String] = [:], parents: [String] = [], hash: String = "") {
        self.id = id; self.kind = kind; self.at = at; self.recordedAt = recordedAt
        self.author = author; self.text = text; self.fields = fields; self.parents = parents; self.hash = hash
    }

    /// A length-prefixed, order-fixed serialisation of everything but `hash`. Independent of
    /// JSONEncoder's formatting, so hashes stay valid across toolchains.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = Array("incident-event-v1\n".utf8)
        func field(_ name: String, _ value: String) {
            let bytes = Array(value.utf8)
            out += Array("\(name):\(bytes.count):".utf8)
            out += bytes
            out.append(0x0a)
        }
        field("id", id)
        field("kind", kind)
        field("at", at.iso8601)
        field("recordedAt", recordedAt.iso8601)
        field("author", author)
        field("text", text)
        for key in fields.keys.sorted() { field("fields." + key, fields[key]!) }
        for parent in parents { field("parent", parent) }
        return out
    }

    public var computedHash: String { SHA256.hex(canonicalBytes) }

    public static func newID() -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &g) }
        return "ev-" + bytes.hexString
    }
}
