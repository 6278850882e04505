/// Parses the TIME values users type.
///
/// Accepted: ISO 8601 with a zone (`2026-11-23T14:05:00Z`, `2026-11-23T15:05:00+01:00`,
/// `2026-11-23 14:05Z`, fractional seconds, minutes-only), `now`, relative offsets
/// (`-15m`, `-2h`, `-1d`, `+30m`, `-1h30m`), and local times in the reader's zone: a bare
/// clock time (`14:05`, `14:05:30`: the most recent such moment at or before now), a date
/// and time without a zone (`2026-11-23 14:05`, `2026-11-23T14:05:30`) or a date alone
/// (`2026-11-23`: its 00:00).
public enum TimeParser {
    /// A time typed without a zone, to be read in the reader's zone.
    public enum LocalInput: Equatable, Sendable {
        case clock(hour: Int, minute: Int, second: Int)
        case dateTime(CivilTime)
    }

    /// Why a TIME was not accepted.
    public enum Problem: Error, Equatable, Sendable {
        /// Not in any accepted form.
        case malformed
        /// Well formed, but the instant it names is before 1970-01-01 or after 9999-12-31
        /// (UTC), which no store file can hold.
        case outOfRange
        /// A local time the reader's clocks skip (the hour lost when daylight saving starts).
        case skipped
    }

    /// The instant `text` names, or nil. See `interpret` for why.
    public static func parse(_ text: String, now: Timestamp, zone: ZoneRules = .utc) -> Timestamp? {
        try? interpret(text, now: now, zone: zone).get()
    }

    /// The instant `text` names, validated as an instant: whatever the form (an offset, a
    /// zone, a relative duration), the result is within `Timestamp.earliest...latest`.
    /// `zone` is the reader's zone, used only by the local forms (`localInput`); in an
    /// overlap (clocks set back) the earlier instant is taken, a skipped time is refused.
    public static func interpret(_ text: String, now: Timestamp, zone: ZoneRules = .utc) -> Result<Timestamp, Problem> {
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
        } else if let local = localInput(s) {
            guard let resolved = resolve(local, now: now, zone: zone) else { return .failure(.skipped) }
            t = resolved
        } else {
            guard let parsed = parseISO8601Unchecked(s) else { return .failure(.malformed) }
            t = parsed
        }
        return t.isStorable ? .success(t) : .failure(.outOfRange)
    }

    /// Why text shaped like a date is not one: `February 2026 has 28 days`. Nil when the
    /// text does not start like `YYYY-MM-DD` or its date exists.
    public static func impossibleDate(_ text: String) -> String? {
        let b = Array(text.trimmingCharacters(in: " ").utf8)
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ b[$0] >= 0x30 && b[$0] <= 0x39 }) else { return nil }
        func num(_ r: [Int]) -> Int { r.reduce(0) { $0 * 10 + Int(b[$1] - 0x30) } }
        let year = num([0, 1, 2, 3]), month = num([5, 6]), day = num([8, 9])
        guard (1...12).contains(month) else { return "there is no month \(month)" }
        let length = CivilTime.daysInMonth(year, month)
        guard day >= 1, day <= length else {
            let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
            return "there is no such date: \(names[month - 1]) \(year) has \(length) days"
        }
        return nil
    }

    /// The zone-less forms: a clock time, a date and time, or a date. Nil for anything else
    /// (including a date that does not exist, such as 2026-02-30).
    public static func localInput(_ text: String) -> LocalInput? {
        let s = text.trimmingCharacters(in: " ")
        if let clock = parseClock(s) { return .clock(hour: clock.0, minute: clock.1, second: clock.2) }
        let b = Array(s.utf8)
        guard b.count >= 10, b.count <= 29, let last = b.last, last >= 0x30, last <= 0x39 else { return nil }
        // Parse it as if it were UTC, then keep the fields.
        let text = b.count == 10 ? s + "T00:00Z" : s + "Z"
        guard !s.dropFirst(10).contains("+"), !s.dropFirst(10).contains("-"),
              let asUTC = parseISO8601Unchecked(text) else { return nil }
        return .dateTime(CivilTime(asUTC))
    }

    /// The instant a local input stands for in `zone`, or nil when it falls in a gap.
    public static func resolve(_ input: LocalInput, now: Timestamp, zone: ZoneRules) -> Timestamp? {
        func instant(_ c: CivilTime) -> Timestamp? {
            let wall = c.timestamp.milliseconds
            let seconds = floorDivide(wall, 1000)
            guard let first = zone.instants(forWallSeconds: seconds).first else { return nil }
            return Timestamp(milliseconds: first * 1000 + (wall - seconds * 1000))
        }
        switch input {
        case let .dateTime(c):
            return instant(c)
        case let .clock(hour, minute, second):
            // The most recent such local time at or before now: today's, else yesterday's.
            let today = zone.local(now)
            let todayDay = CivilTime.days(fromCivil: today.year, today.month, today.day)
            for back in 0...1 {
                let (y, m, d) = CivilTime.civil(fromDays: todayDay - Int64(back))
                let c = CivilTime(year: y, month: m, day: d, hour: hour, minute: minute, second: second)
                if let t = instant(c) {
                    if t <= now { return t }
                } else if Timestamp(milliseconds: zone.instant(forWallSeconds: floorDivide(c.timestamp.milliseconds, 1000)) * 1000) <= now {
                    return nil  // today's such time was skipped by the clocks going forward
                }
            }
            return nil
        }
    }

    /// Strict ISO 8601 date-time with a zone designator, naming an instant a store file can
    /// hold (`Timestamp.isStorable`). Returns nil for anything else. This is the reader of
    /// every time in a store file.
    public static func parseISO8601(_ text: String) -> Timestamp? {
        var copy = text
        return copy.withUTF8 { parseISO8601(utf8: $0) }
    }

    /// `parseISO8601` of UTF-8 bytes (the incident file reader's: no String made per time).
    static func parseISO8601(utf8: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard let t = parseISO8601Unchecked(utf8: utf8), t.isStorable else { return nil }
        return t
    }

    /// The grammar alone: years 0000-9999 with any zone offset.
    static func parseISO8601Unchecked(_ text: String) -> Timestamp? {
        var copy = text
        return copy.withUTF8 { parseISO8601Unchecked(utf8: $0) }
    }

    static func parseISO8601Unchecked(utf8: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var scanner = Scanner(utf8)
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
                    if digits > 64 { return nil }  // any precision a clock writes; beyond milliseconds it is dropped
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
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }
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
