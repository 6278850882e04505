/// The versions of the byte string an event's hash is taken over. The version is part of
/// the hashed bytes and is named by the incident file's `schemaVersion` (1 → v1, 2 → v2),
/// so a file written by an older binary still verifies as what it is.
public enum HashFormat: Int, Sendable, Comparable, CaseIterable {
    /// `name:length:value` lines; field keys were not length-prefixed. Verified only, never
    /// written; a key containing `:` or a newline is refused because it could fold fields.
    case v1 = 1
    /// Every variable-length part length-prefixed, field and parent counts included.
    case v2 = 2

    public static let current = HashFormat.v2

    public static func < (a: HashFormat, b: HashFormat) -> Bool { a.rawValue < b.rawValue }

    /// The tag the hashed bytes start with.
    public var tag: String { "incident-event-v\(rawValue)" }

    /// The format an incident file of this schema version hashes its events with.
    public static func forSchemaVersion(_ version: Int) -> HashFormat { version <= 1 ? .v1 : .v2 }
}

/// The one encoder of hashed bytes (format v2). Each string is written as
/// `<byte count>:<bytes>\n` and each list as `#<count>\n` before its items, so a reader that
/// knows the order of the parts recovers every part exactly: two different events can never
/// produce the same bytes.
public struct CanonicalEncoder: Sendable {
    public private(set) var bytes: [UInt8]

    public init(tag: String) {
        bytes = Array(tag.utf8)
        bytes.append(0x0a)
    }

    public mutating func string(_ value: String) {
        let utf8 = value.utf8
        bytes += Array(String(utf8.count).utf8)
        bytes.append(UInt8(ascii: ":"))
        bytes += utf8
        bytes.append(0x0a)
    }

    public mutating func count(_ n: Int) {
        bytes.append(UInt8(ascii: "#"))
        bytes += Array(String(n).utf8)
        bytes.append(0x0a)
    }
}

extension Event {
    /// The bytes hashed in the current format (`HashFormat.current`).
    public var canonicalBytes: [UInt8] { canonicalBytes(.current) }

    /// The bytes hashed in `format`. Everything but `hash` is covered.
    public func canonicalBytes(_ format: HashFormat) -> [UInt8] {
        switch format {
        case .v2:
            var c = CanonicalEncoder(tag: format.tag)
            c.string(id)
            c.string(kind)
            c.string(at.iso8601)
            c.string(recordedAt.iso8601)
            c.string(author)
            c.string(text)
            let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            c.count(sorted.count)
            for (key, value) in sorted {
                c.string(key)
                c.string(value)
            }
            c.count(parents.count)
            for parent in parents { c.string(parent) }
            return c.bytes
        case .v1:
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
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) { field("fields." + key, value) }
            for parent in parents { field("parent", parent) }
            return out
        }
    }

    /// The SHA-256 of `canonicalBytes` in the current format.
    public var computedHash: String { SHA256.hex(canonicalBytes) }

    public func computedHash(_ format: HashFormat) -> String { SHA256.hex(canonicalBytes(format)) }

    /// Why this event cannot be hashed unambiguously in `format`, if it cannot: v1 did not
    /// length-prefix field keys, so a key holding `:` or a newline could stand for several fields.
    public func ambiguity(in format: HashFormat) -> String? {
        guard format == .v1 else { return nil }
        if let key = fields.keys.sorted().first(where: { $0.contains(":") || $0.contains("\n") || $0.contains("\r") }) {
            return "has a field key containing ':' or a line break (\(String(key.prefix(40)).debugDescription)), which hash format v1 cannot tell apart from several fields"
        }
        return nil
    }
}
