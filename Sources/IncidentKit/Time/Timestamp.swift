/// An instant, in whole milliseconds since 1970-01-01T00:00:00Z.
///
/// The store writes times as UTC ISO 8601 strings it formats itself (JSONEncoder's
/// `.iso8601` drops fractional seconds, and Foundation's formatter has rounding bugs on
/// Linux), so every time in a file round-trips exactly.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Int64) {
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        self.milliseconds = overflow ? (seconds < 0 ? .min : .max) : ms
    }

    /// The first instant a store file can hold: 1970-01-01T00:00:00Z.
    public static let earliest = Timestamp(milliseconds: 0)
    /// The last instant a store file can hold: 9999-12-31T23:59:59.999Z (years have four digits).
    public static let latest = Timestamp(milliseconds: 253_402_300_799_999)

    /// True when the instant can be written and read back (`earliest...latest`).
    public var isStorable: Bool { self >= Timestamp.earliest && self <= Timestamp.latest }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Saturating arithmetic: an overflow gives the most extreme instant, never a trap; such
    /// an instant is outside `earliest...latest` and refused wherever a time is stored.
    public func adding(minutes: Int64) -> Timestamp {
        let (delta, overflow) = minutes.multipliedReportingOverflow(by: 60_000)
        return overflow ? Timestamp(milliseconds: minutes < 0 ? .min : .max) : adding(milliseconds: delta)
    }

    public func adding(milliseconds delta: Int64) -> Timestamp {
        let (sum, overflow) = milliseconds.addingReportingOverflow(delta)
        return overflow ? Timestamp(milliseconds: delta < 0 ? .min : .max) : Timestamp(milliseconds: sum)
    }

    /// Milliseconds from `self` to `other` (positive when `other` is later), saturating.
    public func distance(to other: Timestamp) -> Int64 {
        let (d, overflow) = other.milliseconds.subtractingReportingOverflow(milliseconds)
        return overflow ? (other.milliseconds < milliseconds ? .min : .max) : d
    }

    /// `2026-11-23T14:05:00Z`, or `2026-11-23T14:05:00.250Z` when there are milliseconds.
    public var iso8601: String {
        let c = CivilTime(self)
        if (0...9999).contains(c.year) {
            // Byte by byte: every event's two times are written this way on each save.
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { b in
                func put(_ v: Int, _ width: Int, at start: Int) { writeDigits(v, width: width, into: b, at: start) }
                put(c.year, 4, at: 0); b[4] = 0x2D; put(c.month, 2, at: 5); b[7] = 0x2D; put(c.day, 2, at: 8); b[10] = 0x54
                put(c.hour, 2, at: 11); b[13] = 0x3A; put(c.minute, 2, at: 14); b[16] = 0x3A; put(c.second, 2, at: 17)
                var n = 19
                if c.millisecond != 0 { b[19] = 0x2E; put(c.millisecond, 3, at: 20); n = 23 }
                b[n] = 0x5A
                return String(decoding: UnsafeBufferPointer(rebasing: b[0...n]), as: UTF8.self)
            }
        }
        var s = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
        if c.millisecond != 0 { s += ".\(pad(c.millisecond, 3))" }
        return s + "Z"
    }

    public var description: String { iso8601 }

    /// `2026-11-23 14:05 UTC`: for people.
    public var humanUTC: String {
        let c = CivilTime(self)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)) UTC"
    }

    /// `14:05`: for tables where the date is known.
    public var clockUTC: String {
        let c = CivilTime(self)
        return "\(pad(c.hour, 2)):\(pad(c.minute, 2))"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = TimeParser.parseISO8601(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 time with a zone")
        }
        self = value
    }

    /// Set in the encoder of store files: there a time the reader would refuse is an error.
    static let storeFileKey = CodingUserInfoKey(rawValue: "incident.storeFile")

    /// In a store file, refuses an instant the reader would refuse, so nothing unreadable is
    /// ever written. (Output, such as a deadline in `show --json`, may go past 9999.)
    public func encode(to encoder: Encoder) throws {
        if !isStorable, let key = Timestamp.storeFileKey, encoder.userInfo[key] as? Bool == true {
            throw EncodingError.invalidValue(self, EncodingError.Context(
                codingPath: encoder.codingPath,
                debugDescription: "\(iso8601) is outside the times a store file can hold (1970-01-01 to 9999-12-31 UTC)"))
        }
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

/// The last `width` decimal digits of a non-negative `value`, zero-padded, at `b[start...]`.
@inline(__always)
func writeDigits(_ value: Int, width: Int, into b: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
    var v = value
    for k in stride(from: start + width - 1, through: start, by: -1) { b[k] = UInt8(0x30 + v % 10); v /= 10 }
}

/// How many decimal digits a non-negative `value` has.
func decimalDigits(_ value: Int) -> Int {
    var digits = 1, v = value
    while v >= 10 { v /= 10; digits += 1 }
    return digits
}

func pad(_ value: Int, _ width: Int) -> String {
    // The usual case (a date or clock field) digit by digit, without counting Characters.
    if value >= 0 && width <= 8 {
        let n = max(decimalDigits(value), width)
        if n <= 16 {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { b in
                writeDigits(value, width: n, into: b, at: 0)
                return String(decoding: UnsafeBufferPointer(rebasing: b[0..<n]), as: UTF8.self)
            }
        }
    }
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Proleptic Gregorian calendar fields of an instant in UTC.
/// Conversions follow Howard Hinnant's `days_from_civil` / `civil_from_days`.
public struct CivilTime: Equatable, Sendable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int, millisecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second; self.millisecond = millisecond
    }

    public init(_ t: Timestamp) {
        let msPerDay: Int64 = 86_400_000
        var days = t.milliseconds / msPerDay
        var rem = t.milliseconds % msPerDay
        if rem < 0 { rem += msPerDay; days -= 1 }
        let (y, m, d) = CivilTime.civil(fromDays: days)
        year = y; month = m; day = d
        hour = Int(rem / 3_600_000)
        minute = Int(rem / 60_000 % 60)
        second = Int(rem / 1000 % 60)
        millisecond = Int(rem % 1000)
    }

    /// The instant, saturating: fields far outside any calendar (a saturated deadline taken
    /// apart and put back together) give the most extreme instant, never a trap.
    public var timestamp: Timestamp {
        // Within ±100 million years nothing below can overflow; beyond, saturate.
        guard year.magnitude < 100_000_000, month.magnitude < 1_000, day.magnitude < 100_000, hour.magnitude < 100_000,
              minute.magnitude < 100_000, second.magnitude < 100_000, millisecond.magnitude < 100_000_000 else {
            return Timestamp(milliseconds: year < 0 ? .min : .max)
        }
        let days = CivilTime.days(fromCivil: year, month, day)
        let ms = ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000 + Int64(second) * 1000 + Int64(millisecond)
        return Timestamp(milliseconds: ms)
    }

    public static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }

    public static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// 0 = Sunday ... 6 = Saturday.
    public static func weekday(ofDay days: Int64) -> Int {
        let w = (days + 4) % 7  // 1970-01-01 was a Thursday
        return Int(w < 0 ? w + 7 : w)
    }
}
