/// An incident identifier, `INC-<n>`. Parsed from `INC-42`, `inc-42` or `42`; anything
/// else is refused before it can reach a file path.
public struct IncidentID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let number: Int

    /// The largest number an ID can have: IDs are typed, so at most nine digits.
    public static let maxNumber = 999_999_999

    public init(number: Int) { self.number = number }

    public init?(_ text: String) {
        var s = Substring(text)
        if s.count > 4, s.prefix(4).lowercased() == "inc-" { s = s.dropFirst(4) }
        guard !s.isEmpty, s.count <= 9, s.allSatisfy(\.isASCIIDigit), let n = Int(s), n > 0 else { return nil }
        number = n
    }

    public var description: String { "INC-\(number)" }
    public var fileName: String { "\(description).json" }

    public static func < (a: IncidentID, b: IncidentID) -> Bool { a.number < b.number }

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
