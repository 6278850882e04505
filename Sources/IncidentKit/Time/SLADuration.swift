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
        var b = TextBuilder(capacity: 24)
        addSpelledOut(to: &b)
        return b.string
    }

    /// `spelledOut`, appended to a line being built (`sla` writes one per timer).
    public func addSpelledOut(to b: inout TextBuilder) {
        let word: StaticString
        switch unit {
        case .minutes: word = "minute"
        case .hours: word = "hour"
        case .days: word = "day"
        case .weeks: word = "week"
        case .businessDays: word = "business day"
        case .businessHours: word = "business hour"
        }
        if amount >= 0 { b.number(amount) } else { b.add(String(amount)) }
        b.add(byte: 0x20)
        b.add(utf8: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
        if amount != 1 { b.add(byte: 0x73) }
    }

    /// The deadline `self` after `start` in the standard calendar (UTC, Monday to Friday,
    /// 09:00–17:00): for a runbook with a `calendar`, use `BusinessTime.add` with its
    /// calendar instead. Saturating, never a trap.
    public func added(to start: Timestamp) -> Timestamp { BusinessTime.standard.add(self, to: start) }

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

    /// `15m`, `2h`, `1h30m`, `1d`, `45s` → milliseconds; nil when malformed or when the
    /// total does not fit (checked arithmetic: no input traps).
    static func parseClockDuration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64 = 0
        var sawDigit = false, sawAny = false
        for c in text.lowercased() {
            if c.isASCIIDigit, let d = c.wholeNumberValue {
                let (times10, o1) = number.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(d))
                if o1 || o2 { return nil }
                number = next
                sawDigit = true
                continue
            }
            guard sawDigit else { return nil }
            let unit: Int64
            switch c {
            case "s": unit = 1000
            case "m": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            case "w": unit = 604_800_000
            default: return nil
            }
            let (part, o1) = number.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 { return nil }
            total = sum
            number = 0; sawDigit = false; sawAny = true
        }
        guard !sawDigit, sawAny else { return nil }
        return total
    }

    /// True when `text` has the shape of a clock duration (digits followed by s/m/h/d/w),
    /// whatever its size: an overflow is then reported as out of range, not as a typo.
    static func isClockDurationShaped(_ text: String) -> Bool {
        var sawDigit = false, sawAny = false
        for c in text.lowercased() {
            if c.isASCIIDigit { sawDigit = true; continue }
            guard sawDigit, "smhdw".contains(c) else { return false }
            sawDigit = false; sawAny = true
        }
        return sawAny && !sawDigit
    }
}

/// Formats a span for a person: `45s`, `12m`, `1h05m`, `2d3h`.
public func formatSpan(milliseconds: Int64) -> String {
    let totalSeconds = milliseconds.magnitude / 1000
    // Built on the stack (a short String needs no heap buffer; `list` and `sla` format one
    // per row): number, unit, and for hours and days a second number and unit.
    func spelled(_ a: UInt64, _ unitA: UInt8, _ b: UInt64? = nil, _ unitB: UInt8 = 0, padB: Int = 1) -> String {
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buf in
            var n = decimalDigits(Int(a))
            writeDigits(Int(a), width: n, into: buf, at: 0)
            buf[n] = unitA; n += 1
            if let b {
                let w = max(decimalDigits(Int(b)), padB)
                writeDigits(Int(b), width: w, into: buf, at: n)
                n += w
                buf[n] = unitB; n += 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buf[0..<n]), as: UTF8.self)
        }
    }
    if totalSeconds < 60 { return spelled(totalSeconds, 0x73) }
    let minutes = totalSeconds / 60
    if minutes < 60 { return spelled(minutes, 0x6D) }
    let hours = minutes / 60
    if hours < 48 { return spelled(hours, 0x68, minutes % 60, 0x6D, padB: 2) }
    return spelled(hours / 24, 0x64, hours % 24, 0x68)
}
