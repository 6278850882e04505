/// Parses the TIME values users type.
///
/// Accepted: ISO 8601 with a zone (`2026-11-23T14:05:00Z`, `2026-11-23T15:05:00+01:00`,
/// `2026-11-23 14:05Z`, fractional seconds, minutes-only), `now`, relative offsets
/// (`-15m`, `-2h`, `-1d`, `+30m`, `-1h30m`) and a bare UTC clock time (`14:05`, `14:05:30`),
/// which means the most recent such moment at or before now.
public enum TimeParser {
    /// Why a TIME was not accepted.
    public enum Problem: Error, Equatable, Sendable {
        /// Not in any accepted form.
        case malformed
        /// Well formed, but the instant it names is before 1970-01-01 or after 9999-12-31
        /// (UTC), which no store file can hold.
        case outOfRange
    }

    /// The instant `text` names, or nil. See `interpret` for why.
    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        try? interpret(text, now: now).get()
    }

    /// The instant `text` names, validated as an instant: whatever the form (an offset, a
    /// zone, a relative duration), the result is within `Timestamp.earliest...latest`.
    public static func interpret(_ text: String, now: Timestamp) -> Result<Timestamp, Problem> {
        let s = text.trimmingCharacters(in: " ")
        if s.isEmpty { return .failure(.malformed) }
        let t: Timestamp
        if s.lowercased() == "now" {
            t = now
        } else if let first = s.first, first == "-" || first == "+" {
            guard let ms = DurationParser.parseClockDuration(String(s.dropFirst())) else {
                // Digits and units that only overflowed are a range problem, not a typo.
                return .failure(DurationParser.isClockDurationShaped(String(s.dropFirst())) ? .outOfRange : .malformed)
            }
            t = now.adding(milliseconds: first == "-" ? -ms : ms)
        } else if let clock = parseClock(s) {
            let today = CivilTime(now)
            var c = CivilTime(year: today.year, month: today.month, day: today.day,
                              hour: clock.0, minute: clock.1, second: clock.2).timestamp
            if c > now { c = c.adding(minutes: -24 * 60) }
            t = c
        } else {
            guard let local = parseISO8601Unchecked(s) else { return .failure(.malformed) }
            t = local
        }
        return t.isStorable ? .success(t) : .failure(.outOfRange)
    }

    /// Strict ISO 8601 date-time with a zone designator, naming an instant a store file can
    /// hold (`Timestamp.isStorable`). Returns nil for anything else. This is the reader of
    /// every time in a store file.
    public static func parseISO8601(_ text: String) -> Timestamp? {
        guard let t = parseISO8601Unchecked(text), t.isStorable else { return nil }
        return t
    }

    /// The grammar alone: years 0000-9999 with any zone offset.
    static func parseISO8601Unchecked(_ text: String) -> Timestamp? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(exactly: 4), scanner.take(UInt8(ascii: "-")),
              let month = scanner.digits(exactly: 2), scanner.take(UInt8(ascii: "-")),
              let day = scanner.digits(exactly: 2)
        else { return nil }
        guard scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.take(UInt8(ascii: " ")) else { return nil }
        guard let hour = scanner.digits(exactly: 2), scanner.take(UInt8(ascii: ":")),
              let minute = scanner.digits(exactly: 2) else { return nil }
        var second = 0, millisecond = 0
        if scanner.take(UInt8(ascii: ":")) {
            guard let sec = scanner.digits(exactly: 2) else { return nil }
            second = sec
            if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                var digits = 0, value = 0
                while let d = scanner.digit() {
                    if digits < 3 { value = value * 10 + d }
                    digits += 1
                    if digits > 9 { return nil }
                }
                guard digits > 0 else { return nil }
                if digits < 3 { for _ in digits..<3 { value *= 10 } }
                millisecond = value
            }
        }
        var offsetMinutes = 0
        if scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z")) {
        } else if let sign = scanner.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            scanner.index += 1
            guard let oh = scanner.digits(exactly: 2) else { return nil }
            _ = scanner.take(UInt8(ascii: ":"))
            guard let om = scanner.digits(exactly: 2), oh <= 23, om <= 59 else { return nil }
            offsetMinutes = (oh * 60 + om) * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year, month),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let local = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute,
                              second: second, millisecond: millisecond).timestamp
        return local.adding(minutes: Int64(-offsetMinutes))
    }

    static func parseClock(_ s: String) -> (Int, Int, Int)? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) })
        else { return nil }
        let nums = parts.compactMap { Int($0) }
        guard nums.count == parts.count, nums[0] <= 23, nums[1] <= 59, nums.count == 2 || nums[2] <= 59 else { return nil }
        return (nums[0], nums[1], nums.count == 3 ? nums[2] : 0)
    }
}

extension Character {
    /// One of 0-9 alone. (`"0"..."9"` contains "5\u{301}" too: Characters compare as
    /// strings, so a digit with a combining mark would pass as a digit.)
    var isASCIIDigit: Bool {
        guard let a = asciiValue else { return false }
        return a >= 0x30 && a <= 0x39
    }
}

extension String {
    /// Drops `set` from both ends.
    public func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

struct Scanner {
    let bytes: [UInt8]
    var index = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var atEnd: Bool { index == bytes.count }
    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }
    mutating func take(_ byte: UInt8) -> Bool {
        if peek() == byte { index += 1; return true }
        return false
    }
    mutating func digit() -> Int? {
        guard let b = peek(), b >= 48, b <= 57 else { return nil }
        index += 1
        return Int(b - 48)
    }
    mutating func digits(exactly n: Int) -> Int? {
        var value = 0
        for _ in 0..<n {
            guard let d = digit() else { return nil }
            value = value * 10 + d
        }
        return value
    }
}
