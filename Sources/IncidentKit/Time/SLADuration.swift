/// A timer length from a runbook: calendar minutes, hours, days, weeks, business days or
/// business hours.
///
/// Written as a number and a unit: `15m`, `4h`, `3d`, `1w`, `5bd`, `4bh` (also `90 minutes`,
/// `2 hours`, `3 days`, `5 business days`, `4 business hours`). Business time follows the
/// runbook's calendar (`BusinessTime`): one business day from Friday 16:00 is Monday 16:00
/// local time; without a calendar, Monday to Friday in UTC, 09:00–17:00.
public struct SLADuration: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Unit: String, Sendable { case minutes, hours, days, weeks, businessDays, businessHours }
    public var amount: Int
    public var unit: Unit

    public init(_ amount: Int, _ unit: Unit) { self.amount = amount; self.unit = unit }

    public init?(parsing text: String) {
        guard let parsed = DurationParser.parseSLA(text) else { return nil }
        self = parsed
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = SLADuration(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(text)' is not a duration (use e.g. 15m, 4h, 3d, 1w, 5bd, 4bh)")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public var description: String {
        switch unit {
        case .minutes: return "\(amount)m"
        case .hours: return "\(amount)h"
        case .days: return "\(amount)d"
        case .weeks: return "\(amount)w"
        case .businessDays: return "\(amount)bd"
        case .businessHours: return "\(amount)bh"
        }
    }

    /// `15 minutes`, `1 hour`, `3 business days`.
    public var spelledOut: String {
        let word: String
        switch unit {
        case .minutes: word = "minute"
        case .hours: word = "hour"
        case .days: word = "day"
        case .weeks: word = "week"
        case .businessDays: word = "business day"
        case .businessHours: word = "business hour"
        }
        return "\(amount) \(word)\(amount == 1 ? "" : "s")"
    }

    /// True for `bd` and `bh`, the units the runbook's calendar decides.
    public var isBusinessTime: Bool { unit == .businessDays || unit == .businessHours }
}

enum DurationParser {
    static func parseSLA(_ text: String) -> SLADuration? {
        let s = text.lowercased().trimmingCharacters(in: " ")
        var digits = ""
        var rest = Substring(s)
        while let c = rest.first, c.isASCIIDigit { digits.append(c); rest = rest.dropFirst() }
        guard !digits.isEmpty, digits.count <= 6, let amount = Int(digits) else { return nil }
        let unitText = String(rest).trimmingCharacters(in: " ")
        let unit: SLADuration.Unit
        switch unitText {
        case "m", "min", "mins", "minute", "minutes": unit = .minutes
        case "h", "hr", "hrs", "hour", "hours": unit = .hours
        case "d", "day", "days": unit = .days
        case "w", "week", "weeks": unit = .weeks
        case "bd", "business day", "business days", "business-day", "business-days": unit = .businessDays
        case "bh", "business hour", "business hours", "business-hour", "business-hours": unit = .businessHours
        default: return nil
        }
        return SLADuration(amount, unit)
    }

    /// `15m`, `2h`, `1h30m`, `1d`, `45s` → milliseconds.
    static func parseClockDuration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64 = 0
        var sawDigit = false, sawAny = false
        for c in text.lowercased() {
            if let d = c.wholeNumberValue, c.isASCIIDigit {
                number = number * 10 + Int64(d)
                if number > 100_000_000 { return nil }
                sawDigit = true
                continue
            }
            guard sawDigit else { return nil }
            switch c {
            case "s": total += number * 1000
            case "m": total += number * 60_000
            case "h": total += number * 3_600_000
            case "d": total += number * 86_400_000
            case "w": total += number * 604_800_000
            default: return nil
            }
            number = 0; sawDigit = false; sawAny = true
        }
        guard !sawDigit, sawAny else { return nil }
        return total
    }
}

/// Formats a span for a person: `45s`, `12m`, `1h05m`, `2d3h`.
public func formatSpan(milliseconds: Int64) -> String {
    let totalSeconds = abs(milliseconds) / 1000
    if totalSeconds < 60 { return "\(totalSeconds)s" }
    let minutes = totalSeconds / 60
    if minutes < 60 { return "\(minutes)m" }
    let hours = minutes / 60
    if hours < 48 { return "\(hours)h\(pad(Int(minutes % 60), 2))m" }
    return "\(hours / 24)d\(hours % 24)h"
}
