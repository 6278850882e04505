/// A POSIX TZ string as found in a TZif footer (RFC 8536 §3.3): `PST8PDT,M3.2.0,M11.1.0`,
/// `CET-1CEST,M3.5.0,M10.5.0/3`, `<+0330>-3:30`, `<-03>3`, `EST5EDT,0/0,J365/25`.
///
/// Offsets here are stored east-positive (the string itself counts west-positive). Rule
/// dates may be `Jn` (1–365, February 29 never counted), `n` (0–365, counted) or `Mm.w.d`
/// (day d of week w of month m, w = 5 meaning the last); rule times may run from −167 h to
/// +167 h (the RFC 8536 extension to POSIX).
struct POSIXZoneRule: Sendable, Equatable {
    var stdName: String
    var stdOffset: Int
    var dst: DST?

    struct DST: Sendable, Equatable {
        var name: String
        var offset: Int
        var start: RuleDate
        var startTime: Int
        var end: RuleDate
        var endTime: Int
    }

    enum RuleDate: Sendable, Equatable {
        case julianNoLeap(Int)
        case zeroBased(Int)
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    init?(_ text: String) {
        var p = Parser(Array(text.utf8))
        guard let std = p.name(), let stdWest = p.offset(maxHours: 24) else { return nil }
        stdName = std
        stdOffset = -stdWest
        if p.atEnd { dst = nil; return }
        guard let dstName = p.name() else { return nil }
        var dstOffset = stdOffset + 3600
        if let peek = p.peek(), peek != UInt8(ascii: ",") {
            guard let west = p.offset(maxHours: 24) else { return nil }
            dstOffset = -west
        }
        var start = RuleDate.monthWeekDay(month: 3, week: 2, weekday: 0), end = RuleDate.monthWeekDay(month: 11, week: 1, weekday: 0)
        var startTime = 7200, endTime = 7200
        if p.take(UInt8(ascii: ",")) {
            guard let s = p.ruleDate() else { return nil }
            start = s
            if p.take(UInt8(ascii: "/")) { guard let t = p.offset(maxHours: 167) else { return nil }; startTime = t }
            guard p.take(UInt8(ascii: ",")), let e = p.ruleDate() else { return nil }
            end = e
            if p.take(UInt8(ascii: "/")) { guard let t = p.offset(maxHours: 167) else { return nil }; endTime = t }
        }
        guard p.atEnd, ZoneRules.offsetRange.contains(stdOffset), ZoneRules.offsetRange.contains(dstOffset) else { return nil }
        dst = DST(name: dstName, offset: dstOffset, start: start, startTime: startTime, end: end, endTime: endTime)
    }

    /// Far enough for any deadline; keeps the calendar arithmetic clear of overflow.
    static let horizon: Int64 = 400_000_000_000

    func localType(atSeconds raw: Int64) -> ZoneRules.LocalType {
        let std = ZoneRules.LocalType(offset: stdOffset, isDST: false, abbreviation: stdName)
        guard let dst else { return std }
        let t = max(-POSIXZoneRule.horizon, min(POSIXZoneRule.horizon, raw))
        let year = CivilTime.civil(fromDays: floorDivide(t + Int64(stdOffset), 86_400)).0
        let s = startInstant(year, dst), e = endInstant(year, dst)
        let inDST = s < e ? (t >= s && t < e) : !(t >= e && t < s)
        return inDST ? ZoneRules.LocalType(offset: dst.offset, isDST: true, abbreviation: dst.name) : std
    }

    func nextTransition(afterSeconds raw: Int64) -> Int64? {
        guard let dst, raw < POSIXZoneRule.horizon else { return nil }
        let t = max(-POSIXZoneRule.horizon, raw)
        let year = CivilTime.civil(fromDays: floorDivide(t, 86_400)).0
        var best: Int64?
        for y in (year - 1)...(year + 1) {
            for c in [startInstant(y, dst), endInstant(y, dst)] where c > t {
                if best.map({ c < $0 }) ?? true { best = c }
            }
        }
        return best
    }

    private func startInstant(_ year: Int, _ dst: DST) -> Int64 {
        day(year, dst.start) * 86_400 + Int64(dst.startTime) - Int64(stdOffset)
    }

    private func endInstant(_ year: Int, _ dst: DST) -> Int64 {
        day(year, dst.end) * 86_400 + Int64(dst.endTime) - Int64(dst.offset)
    }

    /// Days since the epoch of a rule date in `year`.
    private func day(_ year: Int, _ date: RuleDate) -> Int64 {
        let jan1 = CivilTime.days(fromCivil: year, 1, 1)
        switch date {
        case let .julianNoLeap(n):
            let leap = CivilTime.daysInMonth(year, 2) == 29
            return jan1 + Int64(n - 1) + (leap && n >= 60 ? 1 : 0)
        case let .zeroBased(n):
            return jan1 + Int64(n)
        case let .monthWeekDay(month, week, weekday):
            let first = CivilTime.days(fromCivil: year, month, 1)
            let firstWeekday = CivilTime.weekday(ofDay: first)
            var d = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let length = CivilTime.daysInMonth(year, month)
            while d > length { d -= 7 }
            return first + Int64(d - 1)
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { i == bytes.count }
        func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }
        mutating func take(_ b: UInt8) -> Bool {
            if peek() == b { i += 1; return true }
            return false
        }
        static func isAlpha(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

        /// `PST` (three or more letters) or `<+0330>` (letters, digits, '+', '-').
        mutating func name() -> String? {
            var out: [UInt8] = []
            if take(UInt8(ascii: "<")) {
                while let b = peek(), b != UInt8(ascii: ">") {
                    guard Parser.isAlpha(b) || Parser.isDigit(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") else { return nil }
                    out.append(b); i += 1
                }
                guard take(UInt8(ascii: ">")) else { return nil }
            } else {
                while let b = peek(), Parser.isAlpha(b) { out.append(b); i += 1 }
            }
            guard out.count >= 3, out.count <= 16 else { return nil }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func number(maxDigits: Int) -> Int? {
            var value = 0, count = 0
            while let b = peek(), Parser.isDigit(b) {
                count += 1
                guard count <= maxDigits else { return nil }
                value = value * 10 + Int(b - 0x30); i += 1
            }
            return count == 0 ? nil : value
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, as written (west positive for offsets).
        mutating func offset(maxHours: Int) -> Int? {
            var sign = 1
            if take(UInt8(ascii: "-")) { sign = -1 } else { _ = take(UInt8(ascii: "+")) }
            guard let h = number(maxDigits: 3), h <= maxHours else { return nil }
            var seconds = h * 3600
            if take(UInt8(ascii: ":")) {
                guard let m = number(maxDigits: 2), m <= 59 else { return nil }
                seconds += m * 60
                if take(UInt8(ascii: ":")) {
                    guard let s = number(maxDigits: 2), s <= 59 else { return nil }
                    seconds += s
                }
            }
            return sign * seconds
        }

        mutating func ruleDate() -> RuleDate? {
            if take(UInt8(ascii: "J")) {
                guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
                return .julianNoLeap(n)
            }
            if take(UInt8(ascii: "M")) {
                guard let m = number(maxDigits: 2), (1...12).contains(m), take(UInt8(ascii: ".")),
                      let w = number(maxDigits: 1), (1...5).contains(w), take(UInt8(ascii: ".")),
                      let d = number(maxDigits: 1), (0...6).contains(d) else { return nil }
                return .monthWeekDay(month: m, week: w, weekday: d)
            }
            guard let n = number(maxDigits: 3), (0...365).contains(n) else { return nil }
            return .zeroBased(n)
        }
    }
}
