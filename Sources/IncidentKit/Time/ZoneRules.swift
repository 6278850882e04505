/// The rules of one IANA time zone, parsed once from a TZif file (RFC 8536).
///
/// Answers the two questions local time needs: the offset in force at an instant, and the
/// instants that show a given wall-clock time. Transitions come from the file's 64-bit
/// table (version 2+; version 1 files use the 32-bit table) and, after its last entry, from
/// the POSIX TZ string in the footer.
///
/// Every count, index, offset and string in the file is checked before use: a truncated or
/// hostile file is a `ZoneError`, never a trap and never a silent UTC.
public struct ZoneRules: Sendable, Equatable {
    /// One local time type: UT offset in seconds (east positive), DST flag, abbreviation.
    public struct LocalType: Sendable, Equatable {
        public var offset: Int
        public var isDST: Bool
        public var abbreviation: String
    }

    /// The IANA name (or `UTC`), for messages and headers.
    public let name: String
    /// Transition instants in seconds since the epoch, strictly increasing.
    let transitions: [Int64]
    /// The local type index in force from each transition on.
    let transitionTypes: [Int]
    let types: [LocalType]
    /// The footer rule for instants after the last transition (nil: the last type holds).
    let footer: POSIXZoneRule?

    /// Offsets are bounded by RFC 8536 (−25 h < offset < 26 h); wall times stay far inside Int64.
    static let offsetRange = -89_999...93_599

    public static let utc = ZoneRules(name: "UTC", transitions: [], transitionTypes: [],
                                      types: [LocalType(offset: 0, isDST: false, abbreviation: "UTC")], footer: nil)

    init(name: String, transitions: [Int64], transitionTypes: [Int], types: [LocalType], footer: POSIXZoneRule?) {
        self.name = name; self.transitions = transitions; self.transitionTypes = transitionTypes
        self.types = types; self.footer = footer
    }

    /// A zone from a POSIX TZ string alone (`EST5EDT,M3.2.0,M11.1.0`, `<+0330>-3:30`).
    public init?(posix text: String, name: String? = nil) {
        guard let rule = POSIXZoneRule(text) else { return nil }
        self.init(name: name ?? text, transitions: [], transitionTypes: [],
                  types: [LocalType(offset: rule.stdOffset, isDST: false, abbreviation: rule.stdName)], footer: rule)
    }

    public var isUTC: Bool { transitions.isEmpty && footer == nil && types.count == 1 && types[0].offset == 0 }

    // MARK: Offset at an instant

    /// The local type in force at `seconds` since the epoch.
    public func localType(atSeconds t: Int64) -> LocalType {
        guard let first = transitions.first, let last = transitions.last else {
            return footer?.localType(atSeconds: t) ?? types[0]
        }
        if t > last, let footer { return footer.localType(atSeconds: t) }
        if t >= last { return types[transitionTypes[transitions.count - 1]] }
        if t < first { return types[0] }
        var lo = 0, hi = transitions.count - 1  // the last transition <= t
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2
            if transitions[mid] <= t { lo = mid } else { hi = mid - 1 }
        }
        return types[transitionTypes[lo]]
    }

    public func localType(at t: Timestamp) -> LocalType {
        localType(atSeconds: floorDivide(t.milliseconds, 1000))
    }

    /// Offset from UTC in seconds at `t` (east positive).
    public func offset(at t: Timestamp) -> Int { localType(at: t).offset }

    /// The first transition strictly after `t` (seconds), if any.
    func nextTransition(afterSeconds t: Int64) -> Int64? {
        if let last = transitions.last, t < last {
            var lo = 0, hi = transitions.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if transitions[mid] > t { hi = mid } else { lo = mid + 1 }
            }
            return transitions[lo]
        }
        return footer?.nextTransition(afterSeconds: t)
    }

    // MARK: Wall time → instants

    /// The instants (seconds) whose local wall-clock reading is `wall` (seconds since the
    /// epoch as if local time were UTC): none in a gap, two in an overlap, else one.
    public func instants(forWallSeconds rawWall: Int64) -> [Int64] {
        let wall = ZoneRules.clampSeconds(rawWall)
        // Every offset in force within two days of the wall time is a candidate.
        let window: Int64 = 2 * 86_400
        var offsets: [Int] = []
        var t = wall - window
        offsets.append(localType(atSeconds: t).offset)
        var steps = 0
        while steps < 16, let next = nextTransition(afterSeconds: t), next <= wall + window {
            let o = localType(atSeconds: next).offset
            if !offsets.contains(o) { offsets.append(o) }
            t = next
            steps += 1
        }
        var result: [Int64] = []
        for o in offsets {
            let candidate = wall - Int64(o)
            if localType(atSeconds: candidate).offset == o, !result.contains(candidate) { result.append(candidate) }
        }
        return result.sorted()
    }

    /// The one instant a wall-clock time stands for, by this rule: in an overlap (clocks
    /// set back) the earlier instant, the first time the clock shows it; in a gap (clocks
    /// set forward) the wall time is moved forward by the gap, so 02:30 on the night
    /// Los Angeles springs forward is 03:30 PDT.
    public func instant(forWallSeconds rawWall: Int64) -> Int64 {
        let wall = ZoneRules.clampSeconds(rawWall)
        let found = instants(forWallSeconds: wall)
        if let first = found.first { return first }
        // In a gap: the wall time read with the offset in force just before the gap.
        var t = wall - 2 * 86_400
        var steps = 0
        while steps < 16, let next = nextTransition(afterSeconds: t), next <= wall + 2 * 86_400 {
            let before = Int64(localType(atSeconds: next - 1).offset)
            let after = Int64(localType(atSeconds: next).offset)
            if after > before, wall - before >= next, wall - after < next { return wall - before }
            t = next
            steps += 1
        }
        return wall - Int64(localType(atSeconds: wall).offset)
    }

    /// Seconds far beyond any calendar (a saturated deadline) are clamped to ±30 million
    /// years, so the arithmetic below cannot overflow: no instant traps.
    static func clampSeconds(_ s: Int64) -> Int64 { min(max(s, -1_000_000_000_000_000), 1_000_000_000_000_000) }

    public func instant(forLocal c: CivilTime) -> Timestamp {
        let wallMs = ZoneRules.clampSeconds(c.timestamp.milliseconds / 1000) * 1000 + c.timestamp.milliseconds % 1000
        let wall = floorDivide(wallMs, 1000)
        let ms = wallMs - wall * 1000
        return Timestamp(milliseconds: instant(forWallSeconds: wall) * 1000 + ms)
    }

    /// The wall-clock fields of `t` in this zone.
    public func local(_ t: Timestamp) -> CivilTime {
        CivilTime(t.adding(milliseconds: Int64(offset(at: t)) * 1000))
    }
}

func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

// MARK: - TZif

public struct ZoneError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ZoneRules {
    /// Parses a TZif file (RFC 8536, versions 1 to 4). `name` is used in messages.
    public init(tzif bytes: [UInt8], name: String) throws {
        func bad(_ why: String) -> ZoneError {
            ZoneError("The time zone file for '\(name)' is not a usable TZif file (\(why)); reinstall the tzdata package or set TZDIR.")
        }
        var reader = ByteReader(bytes)
        func header() throws -> (version: UInt8, isut: Int, isstd: Int, leap: Int, time: Int, type: Int, char: Int) {
            guard let magic = reader.take(4), magic == Array("TZif".utf8) else { throw bad("it does not start with 'TZif'") }
            guard let version = reader.byte(), [0, 0x32, 0x33, 0x34].contains(version) else { throw bad("unknown version") }
            guard reader.skip(15) else { throw bad("the header is truncated") }
            var counts: [Int] = []
            for _ in 0..<6 {
                guard let c = reader.uint32() else { throw bad("the header is truncated") }
                counts.append(Int(c))
            }
            return (version, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
        }
        let h1 = try header()
        func blockSize(_ h: (version: UInt8, isut: Int, isstd: Int, leap: Int, time: Int, type: Int, char: Int), _ timeSize: Int) -> Int {
            // Counts are at most 2^32 each, so the sum cannot overflow a 64-bit Int.
            h.time * timeSize + h.time + h.type * 6 + h.char + h.leap * (timeSize + 4) + h.isstd + h.isut
        }
        let h: (version: UInt8, isut: Int, isstd: Int, leap: Int, time: Int, type: Int, char: Int)
        let timeSize: Int
        if h1.version == 0 {
            h = h1; timeSize = 4
        } else {
            guard reader.skip(blockSize(h1, 4)) else { throw bad("the version 1 data is truncated") }
            h = try header()
            guard h.version == h1.version else { throw bad("its two headers disagree on the version") }
            timeSize = 8
        }
        guard h.type >= 1, h.type <= 256 else { throw bad("it has \(h.type) local time types") }
        guard h.char >= 1, h.char <= 4096 else { throw bad("its abbreviation table has \(h.char) bytes") }
        guard h.time <= 100_000, h.leap <= 10_000 else { throw bad("its counts are implausibly large") }
        guard h.isut == 0 || h.isut == h.type, h.isstd == 0 || h.isstd == h.type else { throw bad("its indicator counts do not match its types") }
        guard h.leap == 0 else { throw bad("it carries leap seconds (a 'right/' zone); use the zone without them") }
        guard reader.remaining >= blockSize(h, timeSize) else { throw bad("the data block is truncated") }

        var transitions: [Int64] = []
        transitions.reserveCapacity(h.time)
        for _ in 0..<h.time {
            guard let t = timeSize == 8 ? reader.int64() : reader.uint32().map({ Int64(Int32(bitPattern: $0)) }) else { throw bad("the data block is truncated") }
            if let prev = transitions.last, t <= prev { throw bad("its transition times are not in increasing order") }
            transitions.append(t)
        }
        var indices: [Int] = []
        for _ in 0..<h.time {
            guard let i = reader.byte() else { throw bad("the data block is truncated") }
            guard Int(i) < h.type else { throw bad("a transition names local time type \(i) of \(h.type)") }
            indices.append(Int(i))
        }
        var raw: [(Int, Bool, Int)] = []
        for _ in 0..<h.type {
            guard let off = reader.uint32(), let dst = reader.byte(), let idx = reader.byte() else { throw bad("the data block is truncated") }
            let offset = Int(Int32(bitPattern: off))
            guard ZoneRules.offsetRange.contains(offset) else { throw bad("a UT offset of \(offset) seconds is out of range") }
            guard dst <= 1 else { throw bad("a DST flag is neither 0 nor 1") }
            guard Int(idx) < h.char else { throw bad("an abbreviation index is out of range") }
            raw.append((offset, dst == 1, Int(idx)))
        }
        guard let chars = reader.take(h.char) else { throw bad("the data block is truncated") }
        guard chars.last == 0 else { throw bad("its abbreviations are not terminated") }
        let types: [LocalType] = try raw.map { offset, dst, idx in
            var end = idx
            while end < chars.count, chars[end] != 0 { end += 1 }
            let abbr = chars[idx..<end]
            guard abbr.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2B || $0 == 0x2D }),
                  abbr.count <= 16
            else { throw bad("an abbreviation holds characters other than letters, digits, '+' and '-'") }
            return LocalType(offset: offset, isDST: dst, abbreviation: String(decoding: abbr, as: UTF8.self))
        }
        guard reader.skip(h.isstd + h.isut) else { throw bad("the data block is truncated") }

        var footer: POSIXZoneRule?
        if h.version != 0 {
            guard reader.byte() == 0x0A else { throw bad("the footer is missing") }
            var text: [UInt8] = []
            while true {
                guard let b = reader.byte() else { throw bad("the footer is not terminated") }
                if b == 0x0A { break }
                guard text.count < 256, b >= 0x20, b < 0x7F else { throw bad("the footer is not a TZ string") }
                text.append(b)
            }
            if !text.isEmpty {
                guard let rule = POSIXZoneRule(String(decoding: text, as: UTF8.self)) else {
                    throw bad("its footer '\(String(decoding: text, as: UTF8.self))' is not a POSIX TZ string")
                }
                footer = rule
            }
        }
        self.init(name: name, transitions: transitions, transitionTypes: indices, types: types, footer: footer)
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var index = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var remaining: Int { bytes.count - index }
    mutating func skip(_ n: Int) -> Bool {
        guard n >= 0, n <= remaining else { return false }
        index += n
        return true
    }
    mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }
    mutating func take(_ n: Int) -> [UInt8]? {
        guard n >= 0, n <= remaining else { return nil }
        defer { index += n }
        return Array(bytes[index..<index + n])
    }
    mutating func uint32() -> UInt32? {
        guard let b = take(4) else { return nil }
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }
    mutating func int64() -> Int64? {
        guard let b = take(8) else { return nil }
        return Int64(bitPattern: b.reduce(0) { $0 << 8 | UInt64($1) })
    }
}

// MARK: - Showing an instant to a person

extension ZoneRules {
    /// `2026-11-23 06:05 PST`; in UTC exactly `Timestamp.humanUTC`.
    public func human(_ t: Timestamp) -> String {
        var b = TextBuilder(capacity: 24)
        addHuman(t, to: &b)
        return b.string
    }

    /// `human(t)`, appended to a line being built.
    public func addHuman(_ t: Timestamp, to b: inout TextBuilder) {
        addDateTime(t, to: &b)
        b.add(byte: 0x20)
        b.add(label(t))
    }

    /// `2026-11-23 06:05`: the local date and time without the zone.
    public func dateTime(_ t: Timestamp) -> String {
        var b = TextBuilder(capacity: 16)
        addDateTime(t, to: &b)
        return b.string
    }

    public func addDateTime(_ t: Timestamp, to b: inout TextBuilder) {
        let c = local(t)
        b.number(c.year, width: 4); b.add(byte: 0x2D); b.number(c.month, width: 2); b.add(byte: 0x2D); b.number(c.day, width: 2)
        b.add(byte: 0x20); b.number(c.hour, width: 2); b.add(byte: 0x3A); b.number(c.minute, width: 2)
    }

    /// `06:05`: the local clock time.
    public func clock(_ t: Timestamp) -> String {
        var b = TextBuilder(capacity: 5)
        addClock(t, to: &b)
        return b.string
    }

    /// `clock(t)`, appended to a line being built.
    public func addClock(_ t: Timestamp, to b: inout TextBuilder) {
        let c = local(t)
        b.number(c.hour, width: 2); b.add(byte: 0x3A); b.number(c.minute, width: 2)
    }

    /// The zone's abbreviation at `t` (`PST`, `CEST`, `+0330`), else its offset (`+05:30`).
    public func label(_ t: Timestamp) -> String {
        let type = localType(at: t)
        return type.abbreviation.isEmpty ? ZoneRules.formatOffset(type.offset) : type.abbreviation
    }

    /// `+05:30`, `-08:00`, `+00:00`.
    public static func formatOffset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let m = abs(seconds) / 60
        return "\(sign)\(pad(m / 60, 2)):\(pad(m % 60, 2))"
    }
}
