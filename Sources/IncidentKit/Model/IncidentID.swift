/// An incident identifier. Numbered, `INC-<n>` (parsed from `INC-42`, `inc-42` or `42`), or
/// provisional, `INC-<10 hex digits with at least one letter>` (`INC-7f3a9c2e41`): what a
/// `declare` in a git store gets while the team's remote cannot be reached. A provisional ID
/// is random, so it cannot collide with another clone's; the next `sync` gives the incident
/// its number and the provisional ID stays valid as an alias. Anything else is refused before
/// it can reach a file path.
public struct IncidentID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The number; 0 for a provisional ID.
    public let number: Int
    /// The lowercase hex token of a provisional ID.
    public let provisional: String?

    public static let provisionalLength = 10

    /// The largest number an ID can have: IDs are typed, so at most nine digits.
    public static let maxNumber = 999_999_999

    public init(number: Int) { self.number = number; self.provisional = nil }

    /// A provisional ID from its token (validated: 10 hex digits, at least one a–f).
    public init?(provisional token: String) {
        let t = token.lowercased()
        guard IncidentID.isProvisionalToken(t) else { return nil }
        number = 0
        provisional = t
    }

    public init?(_ text: String) {
        var s = Substring(text)
        if s.count > 4, s.prefix(4).lowercased() == "inc-" { s = s.dropFirst(4) }
        if !s.isEmpty, s.count <= 9, s.allSatisfy(\.isASCIIDigit), let n = Int(s), n > 0 {
            number = n
            provisional = nil
            return
        }
        let t = String(s).lowercased()
        guard IncidentID.isProvisionalToken(t) else { return nil }
        number = 0
        provisional = t
    }

    static func isProvisionalToken(_ t: String) -> Bool {
        t.utf8.count == provisionalLength
            && t.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
            && t.utf8.contains { $0 >= 0x61 && $0 <= 0x66 }
    }

    /// A fresh random provisional ID.
    public static func newProvisional() -> IncidentID {
        var g = SystemRandomNumberGenerator()
        while true {
            let bytes = (0..<(provisionalLength / 2)).map { _ in UInt8.random(in: 0...255, using: &g) }
            if let id = IncidentID(provisional: bytes.hexString) { return id }
        }
    }

    public var isProvisional: Bool { provisional != nil }

    public var description: String {
        if let provisional { return "INC-" + provisional }
        // Built on the stack: up to fifteen bytes is a String without a heap buffer, and
        // `list --all` names ten thousand incidents (interpolation cost a malloc each).
        guard number >= 0 else { return "INC-\(number)" }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { b in
            String(decoding: UnsafeBufferPointer(rebasing: b[0..<writeName(into: b)]), as: UTF8.self)
        }
    }

    /// "INC-" and the (non-negative) number at the start of `b`; returns the length.
    private func writeName(into b: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let digits = decimalDigits(number)
        b[0] = 0x49; b[1] = 0x4E; b[2] = 0x43; b[3] = 0x2D
        writeDigits(number, width: digits, into: b, at: 4)
        return 4 + digits
    }
    public var fileName: String { "\(description).json" }

    /// `fileName` as a C string on the stack, for a system call made once per incident.
    func withFileNameCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        guard provisional == nil, number >= 0 else { return fileName.withCString(body) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { b in
            let at = writeName(into: b)
            b[at] = 0x2E; b[at + 1] = 0x6A; b[at + 2] = 0x73; b[at + 3] = 0x6F; b[at + 4] = 0x6E; b[at + 5] = 0  // ".json"
            return b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: at + 6) { body($0) }
        }
    }

    /// Numbered IDs in numeric order, then provisional ones.
    public static func < (a: IncidentID, b: IncidentID) -> Bool {
        switch (a.provisional, b.provisional) {
        case (nil, nil): return a.number < b.number
        case (nil, _): return true
        case (_, nil): return false
        case let (x?, y?): return x < y
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let id = IncidentID(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(s)' is not an incident ID like INC-42")
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
