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
    /// SHA-256 over `canonicalBytes(format)`, the format named by the file's schemaVersion.
    public var hash: String

    public init(id: String, kind: String, at: Timestamp, recordedAt: Timestamp, author: String,
                text: String, fields: [String: String] = [:], parents: [String] = [], hash: String = "") {
        self.id = id; self.kind = kind; self.at = at; self.recordedAt = recordedAt
        self.author = author; self.text = text; self.fields = fields; self.parents = parents; self.hash = hash
    }

    /// The keys an event has in a file. Any other key is refused when the file is read: it
    /// would not be covered by the hash (see `canonicalBytes`).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, kind, at, recordedAt, author, text, fields, parents, hash
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try rejectUnknownKeys(decoder, allowed: CodingKeys.allCases.map(\.rawValue), what: "an event")
        id = try c.decode(String.self, forKey: .id)
        kind = try c.decode(String.self, forKey: .kind)
        at = try c.decode(Timestamp.self, forKey: .at)
        recordedAt = try c.decode(Timestamp.self, forKey: .recordedAt)
        author = try c.decode(String.self, forKey: .author)
        text = try c.decode(String.self, forKey: .text)
        fields = try c.decode([String: String].self, forKey: .fields)
        parents = try c.decode([String].self, forKey: .parents)
        hash = try c.decode(String.self, forKey: .hash)
    }

    public static func newID() -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &g) }
        return "ev-" + bytes.hexString
    }
}

/// A coding key for any name, to list the keys an object really has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A key a store file must not have, with where it was found.
public struct UnknownKeyError: Error, CustomStringConvertible {
    public var description: String
}

/// Refuses an object with a key outside `allowed`: a store file must not carry data that is
/// neither hashed nor used (another tool could act on it while `verify` stays silent).
func rejectUnknownKeys(_ decoder: Decoder, allowed: [String], what: String) throws {
    let all = try decoder.container(keyedBy: AnyCodingKey.self)
    guard let unknown = all.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) else { return }
    var path = ""
    for key in decoder.codingPath {
        if let i = key.intValue { path += "[\(i)]" } else { path += (path.isEmpty ? "" : ".") + key.stringValue }
    }
    let place = path.isEmpty ? "at the top level" : "in '\(path)'"
    throw UnknownKeyError(description: "the key '\(String(unknown.prefix(60)))' \(place) is not part of \(what); unknown keys are refused because the hash does not cover them")
}
