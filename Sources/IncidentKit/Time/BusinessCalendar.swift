/// A runbook's `calendar`: the team's IANA zone, working days, business hours and holidays.
/// It decides deadlines in business days (`bd`) and hours (`bh`), the same on every clone,
/// whatever zone the reader's laptop is in. Absent: UTC, Monday to Friday, 09:00–17:00.
public struct BusinessCalendar: Codable, Sendable, Equatable {
    public var timeZone: String
    /// `mon` … `sun`; default Monday to Friday.
    public var workdays: [String]?
    /// Local `HH:MM` start and end of the working day; default 09:00–17:00. Used by `bh`.
    public var businessHours: Hours?
    /// Local dates (`YYYY-MM-DD`) nobody works.
    public var holidays: [String]?

    public struct Hours: Codable, Sendable, Equatable {
        public var start: String
        public var end: String
        public init(start: String, end: String) { self.start = start; self.end = end }
    }

    public init(timeZone: String, workdays: [String]? = nil, businessHours: Hours? = nil, holidays: [String]? = nil) {
        self.timeZone = timeZone; self.workdays = workdays; self.businessHours = businessHours; self.holidays = holidays
    }

    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    static let longDayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// The checked form of the calendar's fields, or one sentence naming the field at fault.
    /// Reads no zone file.
    public func compiled() throws(CalendarError) -> CompiledFields {
        guard ZoneDatabase.isValidName(timeZone) else {
            throw CalendarError("calendar.timeZone '\(ZoneDatabase.printable(timeZone))' is not a time zone name (use an IANA name such as Europe/Berlin)")
        }
        var days = [Bool](repeating: false, count: 7)
        if let workdays {
            for name in workdays {
                let n = name.lowercased()
                guard let i = BusinessCalendar.dayNames.firstIndex(of: n) ?? BusinessCalendar.longDayNames.firstIndex(of: n) else {
                    throw CalendarError("calendar.workdays: '\(ZoneDatabase.printable(name))' is not a day (use mon, tue, wed, thu, fri, sat, sun)")
                }
                if days[i] { throw CalendarError("calendar.workdays lists '\(name)' twice") }
                days[i] = true
            }
            guard days.contains(true) else {
                throw CalendarError("calendar.workdays is empty; a calendar needs at least one working day")
            }
        } else {
            days = [false, true, true, true, true, true, false]
        }
        var start = 9 * 60, end = 17 * 60
        if let hours = businessHours {
            guard let s = BusinessCalendar.minutes(hours.start, allowing24: false) else {
                throw CalendarError("calendar.businessHours.start '\(ZoneDatabase.printable(hours.start))' is not a time of day (HH:MM, e.g. 09:00)")
            }
            guard let e = BusinessCalendar.minutes(hours.end, allowing24: true) else {
                throw CalendarError("calendar.businessHours.end '\(ZoneDatabase.printable(hours.end))' is not a time of day (HH:MM, e.g. 17:00)")
            }
            guard s < e else {
                throw CalendarError("calendar.businessHours end \(hours.end) is not after start \(hours.start); business hours must end later on the same day")
            }
            start = s; end = e
        }
        var holidayDays = Set<Int64>()
        for (i, text) in (holidays ?? []).enumerated() {
            guard let day = BusinessCalendar.day(text) else {
                throw CalendarError("calendar.holidays[\(i)] '\(ZoneDatabase.printable(text))' is not a date that exists (YYYY-MM-DD, e.g. 2026-12-24)")
            }
            holidayDays.insert(day)
        }
        guard holidayDays.count <= 10_000 else { throw CalendarError("calendar.holidays lists more than 10000 dates") }
        return CompiledFields(workdays: days, startMinute: start, endMinute: end, holidays: holidayDays)
    }

    public struct CompiledFields: Sendable, Equatable {
        var workdays: [Bool]
        var startMinute: Int
        var endMinute: Int
        var holidays: Set<Int64>
    }

    /// `09:00` → 540. `24:00` only as an end.
    static func minutes(_ text: String, allowing24: Bool) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), [b[0], b[1], b[3], b[4]].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let h = Int(b[0] - 0x30) * 10 + Int(b[1] - 0x30), m = Int(b[3] - 0x30) * 10 + Int(b[4] - 0x30)
        if allowing24 && h == 24 && m == 0 { return 1440 }
        guard h <= 23, m <= 59 else { return nil }
        return h * 60 + m
    }

    /// `2026-12-24` → days since the epoch; nil for a malformed or nonexistent date.
    public static func day(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }; v = v * 10 + Int(b[i] - 0x30) }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), y >= 1970, (1...12).contains(m),
              d >= 1, d <= CivilTime.daysInMonth(y, m) else { return nil }
        return CivilTime.days(fromCivil: y, m, d)
    }
}

public struct CalendarError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Business-time arithmetic in one zone: what `bd` and `bh` durations mean. Built from a
/// runbook's calendar and its zone's rules; `standard` is the calendar of a runbook without
/// one (UTC, Monday to Friday, 09:00–17:00, no holidays).
public struct BusinessTime: Sendable, Equatable {
    public let zone: ZoneRules
    let fields: BusinessCalendar.CompiledFields

    public static let standard = BusinessTime(
        zone: .utc, fields: .init(workdays: [false, true, true, true, true, true, false], startMinute: 540, endMinute: 1020, holidays: []))

    init(zone: ZoneRules, fields: BusinessCalendar.CompiledFields) { self.zone = zone; self.fields = fields }

    public init(_ calendar: BusinessCalendar, zone: ZoneRules) throws(CalendarError) {
        self.init(zone: zone, fields: try calendar.compiled())
    }

    /// The calendar of `runbook`, its zone read from the database in `directory` (only when
    /// the runbook has a calendar).
    public static func of(_ runbook: Runbook, zoneDirectory directory: String) throws -> BusinessTime {
        guard let calendar = runbook.calendar else { return .standard }
        let zone = try ZoneDatabase.rules(named: calendar.timeZone, directory: directory)
        return try BusinessTime(calendar, zone: zone)
    }

    static let msPerDay: Int64 = 86_400_000

    public func isWorkday(_ day: Int64) -> Bool {
        fields.workdays[CivilTime.weekday(ofDay: day)] && !fields.holidays.contains(day)
    }

    /// The local day (days since the epoch) and the milliseconds into it, of an instant.
    func localDay(_ t: Timestamp) -> (Int64, Int64) {
        let wall = t.adding(milliseconds: Int64(zone.offset(at: t)) * 1000).milliseconds
        let day = floorDivide(wall, BusinessTime.msPerDay)
        return (day, wall - day * BusinessTime.msPerDay)
    }

    /// The instant of a local wall time (gap: moved forward by the gap; overlap: the earlier).
    func instant(day: Int64, millisecond: Int64) -> Timestamp {
        let wall = day * BusinessTime.msPerDay + millisecond
        let seconds = floorDivide(wall, 1000)
        return Timestamp(milliseconds: zone.instant(forWallSeconds: seconds) * 1000 + (wall - seconds * 1000))
    }

    /// `n` working days later at the same local wall-clock time; a start on a non-working
    /// day counts from 00:00 of the next working day.
    public func adding(businessDays n: Int, to start: Timestamp) -> Timestamp {
        var (day, timeOfDay) = localDay(start)
        if !isWorkday(day) {
            while !isWorkday(day) { day += 1 }
            timeOfDay = 0
        }
        var remaining = n
        while remaining > 0 {
            day += 1
            if isWorkday(day) { remaining -= 1 }
        }
        return instant(day: day, millisecond: timeOfDay)
    }

    /// `n` hours of business time later: only time between the start and end of business
    /// hours on working days counts (measured on the clock, so a day that changes offset
    /// inside its business hours counts the hours that really pass).
    public func adding(businessHours n: Int, to start: Timestamp) -> Timestamp {
        var remaining = Int64(n) * 3_600_000
        var (day, _) = localDay(start)
        while true {
            if isWorkday(day) {
                let open = instant(day: day, millisecond: Int64(fields.startMinute) * 60_000)
                let close = instant(day: day, millisecond: Int64(fields.endMinute) * 60_000)
                let from = max(start, open)
                if from <= close {
                    let available = from.distance(to: close)
                    if remaining <= available { return from.adding(milliseconds: remaining) }
                    remaining -= available
                }
            }
            day += 1
        }
    }

    /// The end of a timer or window of `duration` started at `start`.
    /// Saturating: a duration too long for the calendar (or a start outside
    /// `Timestamp.earliest...latest`) gives an instant outside that range, never a trap.
    public func add(_ duration: SLADuration, to start: Timestamp) -> Timestamp {
        let n = Int64(duration.amount)
        func minutes(_ factor: Int64) -> Timestamp {
            let (m, overflow) = n.multipliedReportingOverflow(by: factor)
            return overflow ? Timestamp(milliseconds: n < 0 ? .min : .max) : start.adding(minutes: m)
        }
        switch duration.unit {
        case .minutes: return start.adding(minutes: n)
        case .hours: return minutes(60)
        case .days: return minutes(1440)
        case .weeks: return minutes(10_080)
        case .businessDays, .businessHours:
            guard start.isStorable else { return start }
            // Past these the result is beyond the year 9999 whatever the calendar.
            if duration.unit == .businessDays {
                if duration.amount > 4_000_000 { return Timestamp(milliseconds: .max) }
                return adding(businessDays: duration.amount, to: start)
            }
            if duration.amount > 32_000_000 { return Timestamp(milliseconds: .max) }
            return adding(businessHours: duration.amount, to: start)
        }
    }
}
