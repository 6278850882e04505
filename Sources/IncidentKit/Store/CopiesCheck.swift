#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the last look for archive copies of active incidents found (`active/.copies`): for
/// each archive year directory, its state then and the active incidents that had no copy in
/// it. A file appears in or leaves a directory only by changing the directory's modification
/// and change times, so while a year directory's stamp is unchanged those incidents still
/// have none, and `list` and `sla` skip their `fstatat` (two hundred of them were a tenth of
/// `list`). A hint like the indexes: anything unreadable, damaged or not matching is simply
/// looked up again, and deleting it is always safe.
struct CopiesCheck: Equatable {
    static let name = ".copies"
    static let magic = "incident-copies 1"
    /// A directory stamp is recorded only once both its times are this far in the past: a
    /// change within the same clock tick as the recorded one would otherwise leave the
    /// times equal (the same rule git applies to its index, "racy" entries).
    static let settleNanoseconds: Int64 = 2_000_000_000

    /// A directory's identity and times, in nanoseconds.
    struct Stamp: Equatable {
        var device: UInt64
        var inode: UInt64
        var mtime: Int64
        var ctime: Int64

        /// Both times at least `settleNanoseconds` before `wallClock` (and not in its future).
        func isSettled(wallClock: Int64) -> Bool {
            max(mtime, ctime) <= wallClock - CopiesCheck.settleNanoseconds
        }

        var text: String { "\(device).\(inode).\(mtime).\(ctime)" }
    }

    struct Year: Equatable {
        var stamp: Stamp
        /// Ascending.
        var covered: [Int]

        func contains(_ number: Int) -> Bool {
            var low = 0, high = covered.count
            while low < high {
                let mid = (low + high) / 2
                if covered[mid] < number { low = mid + 1 } else { high = mid }
            }
            return low < covered.count && covered[low] == number
        }
    }

    var years: [Int: Year] = [:]

    /// The incidents of `year` found without a copy while its directory stood as it stands
    /// now (`stamp`), or nil.
    func year(_ year: Int, stamp: Stamp) -> Year? {
        guard let known = years[year], known.stamp == stamp else { return nil }
        return known
    }

    /// True when `number`, declared in `year`, was found without a copy while the year's
    /// directory stood as it stands now (`stamp`).
    func covers(_ number: Int, year: Int, stamp: Stamp) -> Bool {
        self.year(year, stamp: stamp)?.contains(number) ?? false
    }

    mutating func add(_ number: Int, year: Int, stamp: Stamp) {
        if years[year]?.stamp != stamp { years[year] = Year(stamp: stamp, covered: []) }
        years[year]?.covered.append(number)
    }

    /// The file's text: the magic and a checksum of the rest, then a line per year:
    /// `2026<TAB>stamp<TAB>17,18,21`.
    func encoded() -> [UInt8] {
        var body = ""
        for year in years.keys.sorted() {
            guard let y = years[year] else { continue }
            body += "\(year)\t\(y.stamp.text)\t" + Set(y.covered).sorted().map(String.init).joined(separator: ",") + "\n"
        }
        let bytes = Array(body.utf8)
        return Array("\(CopiesCheck.magic)\t".utf8) + IndexLine.hex16(IndexLine.checksum(bytes)) + [0x0A] + bytes
    }

    /// The check in `bytes`, or nil when it is not one, or damaged. Read byte by byte (the
    /// file is read on every `list`; splitting Strings cost more than the look it saves).
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        let magic = Array("\(CopiesCheck.magic)\t".utf8)
        guard bytes.count > magic.count + 16, bytes.starts(with: magic), bytes[magic.count + 16] == 0x0A,
              let sum = IndexLine.parseHex(UnsafeBufferPointer(rebasing: bytes[magic.count..<(magic.count + 16)])) else { return nil }
        let body = UnsafeBufferPointer(rebasing: bytes[(magic.count + 17)...])
        guard sum == IndexLine.checksum(body), body.last == 0x0A else { return nil }
        var lines = IndexLine.Fields(UnsafeBufferPointer(rebasing: body[..<(body.count - 1)]), 0x0A)
        while let line = lines.next() {
            var fields = IndexLine.Fields(line, 0x09)
            guard let yearField = fields.next(), let year = IndexLine.uint(yearField), year < 100_000, years[Int(year)] == nil,
                  let stampField = fields.next(), let numbersField = fields.next(), fields.atEnd else { return nil }
            var parts = IndexLine.Fields(stampField, 0x2E)
            guard let d = parts.next().flatMap(IndexLine.uint), let i = parts.next().flatMap(IndexLine.uint),
                  let m = parts.next().flatMap(IndexLine.int), let c = parts.next().flatMap(IndexLine.int), parts.atEnd else { return nil }
            var covered: [Int] = []
            var numbers = IndexLine.Fields(numbersField, 0x2C)
            while let n = numbers.next() {
                guard let number = IndexLine.uint(n), number > 0, number < 1_000_000_000,
                      covered.last.map({ $0 < Int(number) }) ?? true else { return nil }
                covered.append(Int(number))
            }
            years[Int(year)] = Year(stamp: Stamp(device: d, inode: i, mtime: m, ctime: c), covered: covered)
        }
    }

    init?(bytes: [UInt8]) {
        guard let check = bytes.withUnsafeBufferPointer({ CopiesCheck(bytes: $0) }) else { return nil }
        self = check
    }

    init() {}

    static func load(directory: String) -> CopiesCheck? {
        guard let bytes = try? FileBytes.read(directory + "/" + name, limit: 1 << 20) else { return nil }
        return bytes.withUnsafeBufferPointer { CopiesCheck(bytes: $0) }
    }

    /// The years whose directory stamps have settled by `wallClock` (the others are looked
    /// up again next time).
    func settled(wallClock: Int64) -> CopiesCheck {
        var out = CopiesCheck()
        for (year, known) in years where known.stamp.isSettled(wallClock: wallClock) {
            out.years[year] = Year(stamp: known.stamp, covered: Set(known.covered).sorted())
        }
        return out
    }

    /// Now, by the system's clock, in nanoseconds since 1970.
    static func wallClock() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

extension CopiesCheck.Stamp {
    /// The stamp of the directory open at `fd`, or nil.
    init?(directory fd: Int32) {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { return nil }
        device = UInt64(truncatingIfNeeded: st.st_dev)
        inode = UInt64(truncatingIfNeeded: st.st_ino)
        (mtime, ctime) = FileFingerprint.times(st)
    }
}
