#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies one version of a file cheaply: size, modification and change times (ns)
/// and inode. An edit that restores size and modification time (`touch -r`) still moves
/// the change time, which no unprivileged tool can set back, and `sed -i` makes a new inode.
struct FileFingerprint: Equatable, Sendable {
    var size: Int64
    var mtime: Int64
    var ctime: Int64
    var inode: UInt64

    init(size: Int64, mtime: Int64, ctime: Int64, inode: UInt64) {
        self.size = size; self.mtime = mtime; self.ctime = ctime; self.inode = inode
    }

    init?(_ st: stat) {
        guard st.st_mode & S_IFMT == S_IFREG else { return nil }
        size = Int64(st.st_size)
        (mtime, ctime) = FileFingerprint.times(st)
        inode = UInt64(st.st_ino)
    }

    /// The modification and change times of `st`, in nanoseconds since 1970.
    static func times(_ st: stat) -> (mtime: Int64, ctime: Int64) {
        #if canImport(Darwin)
        (Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec),
         Int64(st.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(st.st_ctimespec.tv_nsec))
        #else
        (Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
         Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
        #endif
    }

    /// The fingerprint of a regular file (never through a symlink), or nil.
    static func of(_ path: String, followLinks: Bool = false) -> FileFingerprint? {
        var st = stat()
        guard (followLinks ? stat(path, &st) : lstat(path, &st)) == 0 else { return nil }
        return FileFingerprint(st)
    }

    var text: String { "\(size).\(mtime).\(ctime).\(inode)" }
}

/// One line of a derived index: a fixed, versioned, tab-separated format parsed directly
/// (no JSON decoder). Fields, in order:
///
///     checksum file size mtime ctime inode id title severity status phase type drill
///     startedAt declaredAt acknowledgedAt containedAt resolvedAt closedAt evaluatedAt
///     roles timers actionItems owedNotifications
///
/// `checksum` is a 64-bit hash (hex) of the rest of the line, so a damaged or hand-edited
/// line is ignored rather than believed. Text is escaped: every byte below 0x20 and `\`
/// becomes `\` and two hex digits; `\-` is an absent value. Times are milliseconds since
/// 1970. Lists separate items with 0x1E and an item's parts with 0x1F; a list inside an
/// item (a notification's entry kinds) separates with 0x1D.
enum IndexLine {
    static let tab: UInt8 = 0x09, item: UInt8 = 0x1E, part: UInt8 = 0x1F, sub: UInt8 = 0x1D
    static let fieldCount = 24

    // MARK: Encoding

    struct Writer {
        var out: [UInt8] = []
        var first = true

        mutating func sep(_ s: UInt8) { out.append(s) }
        mutating func text(_ s: String) {
            for b in s.utf8 {
                if b < 0x20 || b == 0x5C {
                    out.append(0x5C)
                    out.append(IndexLine.hex[Int(b >> 4)])
                    out.append(IndexLine.hex[Int(b & 15)])
                } else {
                    out.append(b)
                }
            }
        }
        mutating func optionalText(_ s: String?) {
            if let s { text(s) } else { out.append(0x5C); out.append(0x2D) }
        }
        mutating func int(_ n: Int64) { out += Array(String(n).utf8) }
        mutating func time(_ t: Timestamp?) { if let t { int(t.milliseconds) } }
        mutating func bool(_ b: Bool) { out.append(b ? 0x31 : 0x30) }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func encode(file: String, fingerprint fp: FileFingerprint, summary s: IncidentSummary) -> [UInt8] {
        var w = Writer()
        w.text(file); w.sep(tab)
        w.int(fp.size); w.sep(tab); w.int(fp.mtime); w.sep(tab); w.int(fp.ctime); w.sep(tab)
        w.out += Array(String(fp.inode).utf8); w.sep(tab)
        w.int(Int64(s.id.number)); w.sep(tab)
        w.text(s.title); w.sep(tab)
        w.text(s.severity); w.sep(tab)
        w.text(s.status.rawValue); w.sep(tab)
        w.text(s.phase); w.sep(tab)
        w.optionalText(s.type); w.sep(tab)
        w.bool(s.drill); w.sep(tab)
        w.time(s.startedAt); w.sep(tab)
        w.time(s.declaredAt); w.sep(tab)
        w.time(s.acknowledgedAt); w.sep(tab)
        w.time(s.containedAt); w.sep(tab)
        w.time(s.resolvedAt); w.sep(tab)
        w.time(s.closedAt); w.sep(tab)
        w.time(s.evaluatedAt); w.sep(tab)
        for (n, key) in s.roles.keys.sorted().enumerated() {
            if n > 0 { w.sep(item) }
            w.text(key); w.sep(part); w.text(s.roles[key] ?? "")
        }
        w.sep(tab)
        for (n, t) in s.timers.enumerated() {
            if n > 0 { w.sep(item) }
            w.text(t.id); w.sep(part)
            w.text(t.title); w.sep(part)
            w.text(t.duration.description); w.sep(part)
            w.bool(t.repeats); w.sep(part)
            w.time(t.startedAt); w.sep(part)
            w.time(t.dueAt); w.sep(part)
            w.time(t.metAt); w.sep(part)
            w.text(t.state.rawValue); w.sep(part)
            w.int(Int64(t.missed)); w.sep(part)
            w.bool(t.finished); w.sep(part)
            w.text(t.startTrigger)
        }
        w.sep(tab)
        w.out += Urgent(s.timers).field; w.sep(tab)
        for (n, a) in s.actionItems.enumerated() {
            if n > 0 { w.sep(item) }
            w.text(a.id); w.sep(part)
            w.text(a.text); w.sep(part)
            w.optionalText(a.owner); w.sep(part)
            w.time(a.dueAt); w.sep(part)
            w.optionalText(a.term?.rawValue); w.sep(part)
            w.text(a.status.rawValue); w.sep(part)
            w.time(a.createdAt); w.sep(part)
            w.time(a.doneAt)
        }
        w.sep(tab)
        for (n, c) in s.owedNotifications.enumerated() {
            if n > 0 { w.sep(item) }
            w.int(Int64(c.number)); w.sep(part)
            w.text(c.phase); w.sep(part)
            w.text(c.text); w.sep(part)
            w.bool(c.required); w.sep(part)
            w.bool(c.done); w.sep(part)
            for (k, kind) in c.satisfiedBy.enumerated() {
                if k > 0 { w.sep(sub) }
                w.text(kind)
            }
        }
        w.sep(tab)
        w.optionalText(s.outcome?.rawValue); w.sep(tab)
        w.optionalText(s.mergedInto?.description); w.sep(tab)
        w.optionalText(s.summary)
        let body = w.out
        var line = hex16(checksum(body))
        line.append(tab)
        line += body
        line.append(0x0a)
        return line
    }

    /// The timer `list` shows, as the line's own field: the position of the running timer
    /// due first (the earliest overdue when any is, else the next due, whatever the moment),
    /// `-` when none runs, `?` when one runs without a due time (the reader then ranks them).
    enum Urgent: Equatable {
        case none, unranked, at(Int)

        init(_ timers: [TimerStatus]) {
            var best: (due: Int64, index: Int)?
            for i in timers.indices where timers[i].isStarted && !timers[i].finished {
                guard let due = timers[i].dueAt?.milliseconds else { self = .unranked; return }
                if best == nil || due < best!.due { best = (due, i) }
            }
            self = best.map { .at($0.index) } ?? .none
        }

        /// `-`, `?` or a position without leading zeros; nil for anything else.
        init?(field p: UnsafeBufferPointer<UInt8>) {
            if p.count == 1 && p[0] == 0x2D { self = .none; return }
            if p.count == 1 && p[0] == 0x3F { self = .unranked; return }
            guard !p.isEmpty, p.count <= 3, p.count == 1 || p[0] != 0x30, let n = IndexLine.uint(p) else { return nil }
            self = .at(Int(n))
        }

        var field: [UInt8] {
            switch self {
            case .none: return [0x2D]
            case .unranked: return [0x3F]
            case let .at(n): return Array(String(n).utf8)
            }
        }
    }

    static func hex16(_ v: UInt64) -> [UInt8] {
        (0..<16).map { i in hex[Int((v >> UInt64(60 - 4 * i)) & 15)] }
    }

    /// A fast 64-bit hash (not cryptographic: it catches damage and naive edits; `doctor`
    /// and `verify` compare every line with its file for anything deliberate).
    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        let raw = UnsafeRawBufferPointer(bytes)
        var i = 0
        while i + 8 <= raw.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        let rest = raw.count - i
        if rest > 0 && raw.count >= 8 {
            // The last 1 to 7 bytes, little-endian, from one load of the last eight bytes.
            tail = raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self) >> UInt64(8 * (8 - rest))
        } else {
            var shift: UInt64 = 0
            while i < raw.count { tail |= UInt64(raw[i]) << shift; shift += 8; i += 1 }
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    static func checksum(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBufferPointer { checksum($0) } }

    // MARK: Decoding

    /// What to decode beyond the list fields.
    struct Detail: OptionSet, Sendable {
        let rawValue: Int
        static let timers = Detail(rawValue: 1)
        static let actionItems = Detail(rawValue: 2)
        static let owed = Detail(rawValue: 4)
        /// Instead of `.timers`: only the running timer that is most urgent at the moment given
        /// to `decode` (what `list` shows).
        static let urgentTimer = Detail(rawValue: 8)
        static let all: Detail = [.timers, .actionItems, .owed]
    }

    /// The file name field of a line (the second field), without checking anything else.
    static func fileField(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard let t1 = firstIndex(of: tab, in: line, from: 0) else { return nil }
        let end = firstIndex(of: tab, in: line, from: t1 + 1) ?? line.count
        return UnsafeBufferPointer(rebasing: line[(t1 + 1)..<end])
    }

    @inline(__always)
    static func firstIndex(of byte: UInt8, in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < p.count, let base = p.baseAddress else { return nil }
        guard let hit = memchr(base + start, Int32(byte), p.count - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// Fields of a byte range, one at a time, without allocating.
    struct Fields {
        let p: UnsafeBufferPointer<UInt8>
        let separator: UInt8
        var start = 0
        var done = false

        init(_ p: UnsafeBufferPointer<UInt8>, _ separator: UInt8) {
            self.p = p; self.separator = separator; done = false
        }

        mutating func next() -> UnsafeBufferPointer<UInt8>? {
            if done { return nil }
            // Eight bytes at a time: the lowest byte equal to the separator is where the
            // field ends (fields are short; calling memchr for each cost more than the scan).
            var i = start
            let n = p.count
            if let base = p.baseAddress {
                while i + 8 <= n {
                    let hits = ByteScan.matches(ByteScan.word(base, i), separator)
                    if hits != 0 {
                        i += ByteScan.firstMarked(hits)
                        break
                    }
                    i += 8
                }
                if i + 8 > n { while i < n && p[i] != separator { i += 1 } }
            }
            if i < n {
                defer { start = i + 1 }
                return UnsafeBufferPointer(rebasing: p[start..<i])
            }
            done = true
            return UnsafeBufferPointer(rebasing: p[start...])
        }

        /// True when every field was consumed.
        var atEnd: Bool { done }
    }

    /// Short texts seen before, found by the `checksum` of their bytes (already a well-mixed
    /// 64-bit hash, so no second hashing) in an open-addressed table, and confirmed byte for
    /// byte. It starts small and doubles when half full, up to `maxSlots`; past that, new
    /// texts are simply not remembered. (A table sized for ten thousand lines from the start
    /// cost `list` fifty fresh memory pages, each a page fault, for two hundred lines.)
    struct InternTable<Value> {
        private var keys: [UInt64]
        private var texts: [String?]
        private var values: [Value?]
        private var count = 0
        private var mask: Int
        private let maxSlots: Int

        init(slots: Int, maxSlots: Int) {  // powers of two
            keys = Array(repeating: 0, count: slots)
            texts = Array(repeating: nil, count: slots)
            values = Array(repeating: nil, count: slots)
            mask = slots - 1
            self.maxSlots = maxSlots
        }

        private mutating func grow() {
            let slots = (mask + 1) * 2
            let (oldKeys, oldTexts, oldValues) = (keys, texts, values)
            keys = Array(repeating: 0, count: slots)
            texts = Array(repeating: nil, count: slots)
            values = Array(repeating: nil, count: slots)
            mask = slots - 1
            for i in oldTexts.indices {
                guard let text = oldTexts[i] else { continue }
                var k = Int(truncatingIfNeeded: oldKeys[i]) & mask
                while texts[k] != nil { k = (k + 1) & mask }
                keys[k] = oldKeys[i]; texts[k] = text; values[k] = oldValues[i]
            }
        }

        // `mutating` only so that a call on a class's stored table borrows it instead of
        // copying (retaining) its three arrays each time.
        mutating func find(_ key: UInt64, _ p: UnsafeBufferPointer<UInt8>) -> (String, Value)? {
            var i = Int(truncatingIfNeeded: key) & mask
            while let text = texts[i] {
                if keys[i] == key, Decoder.same(text, p), let v = values[i] { return (text, v) }
                i = (i + 1) & mask
            }
            return nil
        }

        mutating func add(_ key: UInt64, _ text: String, _ value: Value) {
            if count >= (mask + 1) / 2 {
                guard mask + 1 < maxSlots else { return }
                grow()
            }
            var i = Int(truncatingIfNeeded: key) & mask
            while texts[i] != nil { i = (i + 1) & mask }
            keys[i] = key; texts[i] = text; values[i] = value
            count += 1
        }
    }

    /// Decodes lines, sharing the strings that repeat on every line (severities, phases,
    /// timer names) instead of building them again.
    /// A value, not a class: its tables are then reached without a run-time exclusivity
    /// check on every field (a twentieth of decoding 10,000 lines).
    struct Decoder {
        private var interned = InternTable<Void>(slots: 256, maxSlots: 8192)
        private var durations = InternTable<SLADuration>(slots: 64, maxSlots: 256)
        /// A timer item's first four fields (id, title, duration, repeats), the same on every
        /// line of a severity: found whole, in one lookup instead of four.
        private var timerHeads = InternTable<TimerHead>(slots: 64, maxSlots: 1024)

        struct TimerHead {
            var id: String
            var title: String
            var duration: SLADuration
            var repeats: Bool
        }

        static func same(_ text: String, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
            var text = text
            return text.withUTF8 { h in h.count == p.count && (h.count == 0 || memcmp(h.baseAddress!, p.baseAddress!, h.count) == 0) }
        }

        /// Text that repeats across lines (short names): built once.
        mutating func name(_ p: UnsafeBufferPointer<UInt8>) -> String? {
            guard p.count <= 64 else { return IndexLine.text(p) }
            let key = IndexLine.checksum(p)
            if let (hit, _) = interned.find(key, p) { return hit }
            guard let t = IndexLine.text(p) else { return nil }
            interned.add(key, t, ())
            return t
        }

        mutating func duration(_ p: UnsafeBufferPointer<UInt8>) -> SLADuration? {
            let key = IndexLine.checksum(p)
            if let (_, d) = durations.find(key, p) { return d }
            guard let text = IndexLine.text(p), let d = SLADuration(parsing: text), d.description == text else { return nil }
            durations.add(key, text, d)
            return d
        }

        /// A timer item's first four fields, from their bytes (separators included).
        mutating func timerHead(_ bytes: UnsafeBufferPointer<UInt8>) -> TimerHead? {
            let key = IndexLine.checksum(bytes)
            if let (_, head) = timerHeads.find(key, bytes) { return head }
            var q = Fields(bytes, part)
            guard let id = q.next().flatMap({ name($0) }), let title = q.next().flatMap({ name($0) }),
                  let duration = q.next().flatMap({ duration($0) }), let repeats = q.next().flatMap(bool), q.atEnd
            else { return nil }
            let head = TimerHead(id: id, title: title, duration: duration, repeats: repeats)
            // Its bytes as they are (separators included: valid UTF-8, since each field was).
            timerHeads.add(key, String(decoding: bytes, as: UTF8.self), head)
            return head
        }

        /// Parses one line (without its newline). Nil when damaged in any way.
        mutating func decode(_ line: UnsafeBufferPointer<UInt8>, detail: Detail, urgentAt: Int64 = 0) -> (key: Int64, fingerprint: FileFingerprint, summary: IncidentSummary)? {
            guard line.count > 17, line[16] == tab else { return nil }
            let body = UnsafeBufferPointer(rebasing: line[17...])
            guard let sum = parseHex(UnsafeBufferPointer(rebasing: line[0..<16])), sum == checksum(body) else { return nil }
            var f = Fields(body, tab)
            guard let fileField = f.next(), let key = IndexLine.key(fileField),
                  let size = f.next().flatMap(int), let mtime = f.next().flatMap(int), let ctime = f.next().flatMap(int),
                  let inode = f.next().flatMap(uint),
                  let number = f.next().flatMap(int), number > 0, number < 1_000_000_000, Int64(number) == key & 0xFFFF_FFFF,
                  let title = f.next().flatMap(text), let severity = f.next().flatMap { name($0) },
                  let statusText = f.next().flatMap { name($0) }, let status = IncidentStatus(rawValue: statusText),
                  let phase = f.next().flatMap { name($0) }, let typeField = f.next(), let type = optionalText(typeField),
                  let drill = f.next().flatMap(bool),
                  let startedAt = f.next().flatMap(time), let declaredAt = f.next().flatMap(time),
                  let acknowledgedAt = f.next().flatMap(optionalTime), let containedAt = f.next().flatMap(optionalTime),
                  let resolvedAt = f.next().flatMap(optionalTime), let closedAt = f.next().flatMap(optionalTime),
                  let evaluatedAt = f.next().flatMap(time),
                  let rolesField = f.next(), let timersField = f.next(), let urgentField = f.next(), let actionsField = f.next(),
                  let owedField = f.next(),
                  let outcomeField = f.next(), let outcomeText = optionalText(outcomeField),
                  let mergedField = f.next(), let mergedText = optionalText(mergedField),
                  let summaryField = f.next(), let summaryText = optionalText(summaryField), f.atEnd
            else { return nil }
            var outcome: IncidentOutcome?
            if let outcomeText {
                guard let o = IncidentOutcome(rawValue: outcomeText) else { return nil }
                outcome = o
            }
            var mergedInto: IncidentID?
            if let mergedText {
                guard let m = IncidentID(mergedText) else { return nil }
                mergedInto = m
            }
            var roles: [String: String] = [:]
            if !rolesField.isEmpty {
                // Sized once: grown from empty, the dictionary rehashed on the second role.
                roles = Dictionary(minimumCapacity: rolesField.reduce(1) { $1 == item ? $0 + 1 : $0 })
                var items = Fields(rolesField, item)
                while let r = items.next() {
                    var parts = Fields(r, part)
                    guard let k = parts.next().flatMap { name($0) }, let v = parts.next().flatMap { name($0) }, parts.atEnd else { return nil }
                    roles[k] = v
                }
            }
            var s = IncidentSummary(
                id: IncidentID(number: Int(number)), title: title, severity: severity, status: status, phase: phase, type: type,
                drill: drill, startedAt: startedAt, declaredAt: declaredAt, acknowledgedAt: acknowledgedAt,
                containedAt: containedAt, resolvedAt: resolvedAt, closedAt: closedAt, roles: roles, evaluatedAt: evaluatedAt,
                outcome: outcome, mergedInto: mergedInto, summary: summaryText)
            /// One timer item, or nil when it is damaged.
            func timer(_ t: UnsafeBufferPointer<UInt8>) -> TimerStatus? {
                // Eleven fields: the ten separators found in one pass over the item.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 11) { cuts in
                    guard IndexLine.separators(t, part, into: cuts) == 10 else { return nil }
                    func field(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                        UnsafeBufferPointer(rebasing: t[(k == 0 ? 0 : cuts[k - 1] + 1)..<(k == 10 ? t.count : cuts[k])])
                    }
                    guard let head = timerHead(UnsafeBufferPointer(rebasing: t[0..<cuts[3]])),
                          let startedAt = optionalTime(field(4)), let dueAt = optionalTime(field(5)),
                          let metAt = optionalTime(field(6)), let state = IndexLine.slaState(field(7)),
                          let missed = int(field(8)), missed >= 0, missed < Int64(Int32.max),
                          let finished = bool(field(9)), let trigger = name(field(10))
                    else { return nil }
                    return TimerStatus(id: head.id, title: head.title, duration: head.duration, repeats: head.repeats,
                                       startedAt: startedAt, dueAt: dueAt, metAt: metAt, state: state, missed: Int(missed),
                                       finished: finished, startTrigger: trigger)
                }
            }
            if detail.contains(.timers) {
                if !timersField.isEmpty {
                    var items = Fields(timersField, item)
                    s.timers.reserveCapacity(8)
                    while let t = items.next() {
                        guard let status = timer(t) else { return nil }
                        s.timers.append(status)
                    }
                }
                // The shown timer's position must be the one these timers give.
                guard Urgent(field: urgentField) == Urgent(s.timers) else { return nil }
            } else if detail.contains(.urgentTimer), let urgent = Urgent(field: urgentField), urgent != .unranked {
                // The running timer due first: the same at any moment (see Urgent).
                if case let .at(position) = urgent {
                    var items = Fields(timersField, item)
                    var k = 0
                    var shown: UnsafeBufferPointer<UInt8>?
                    while let t = items.next() {
                        if k == position { shown = t; break }
                        k += 1
                    }
                    guard let shown, let status = timer(shown), status.isStarted, !status.finished, status.dueAt != nil else { return nil }
                    s.timers = [status]
                }
            } else if detail.contains(.urgentTimer) && !timersField.isEmpty {
                // `?`: a timer runs without a due time, which ranks by the moment: ranked here.
                guard Urgent(field: urgentField) == .unranked else { return nil }
                // Only the running timer `list` shows: overdue first (the earliest due), then
                // the next due; the others are looked at only for their start, due and end.
                var items = Fields(timersField, item)
                let moment = Timestamp(milliseconds: urgentAt)
                var best: (urgency: (Int, Int64), item: UnsafeBufferPointer<UInt8>)?
                var damaged = false
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 11) { cuts in
                    while let t = items.next() {
                        // Only the start, due and end fields (5th, 6th, 10th) are read here.
                        let found = IndexLine.separators(t, part, into: cuts)
                        guard found >= 9 else { damaged = true; return }
                        func field(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                            UnsafeBufferPointer(rebasing: t[(cuts[k - 1] + 1)..<(k < found ? cuts[k] : t.count)])
                        }
                        guard let startedAt = optionalTime(field(4)), let dueAt = optionalTime(field(5)),
                              let finished = bool(field(9))
                        else { damaged = true; return }
                        guard startedAt != nil, !finished else { continue }
                        let urgency = TimerStatus.urgency(started: true, finished: false, dueAt: dueAt, at: moment)
                        if best == nil || urgency < best!.urgency { best = (urgency, t) }
                    }
                }
                if damaged { return nil }
                if let best {
                    guard let status = timer(best.item) else { return nil }
                    s.timers = [status]
                }
            }
            if detail.contains(.actionItems) && !actionsField.isEmpty {
                var items = Fields(actionsField, item)
                while let a = items.next() {
                    var p = Fields(a, part)
                    guard let id = p.next().flatMap { name($0) }, let text = p.next().flatMap(IndexLine.text),
                          let ownerField = p.next(), let owner = optionalText(ownerField),
                          let due = p.next().flatMap(optionalTime), let termField = p.next(), let termText = optionalText(termField),
                          let statusText = p.next().flatMap { name($0) }, let status = ActionItem.Status(rawValue: statusText),
                          let created = p.next().flatMap(time), let done = p.next().flatMap(optionalTime), p.atEnd
                    else { return nil }
                    var term: ActionItem.Term?
                    if let termText {
                        guard let t = ActionItem.Term(rawValue: termText) else { return nil }
                        term = t
                    }
                    s.actionItems.append(ActionItem(incident: s.id, id: id, text: text, owner: owner, dueAt: due, term: term,
                                                    status: status, createdAt: created, doneAt: done))
                }
            }
            if detail.contains(.owed) && !owedField.isEmpty {
                var items = Fields(owedField, item)
                while let c = items.next() {
                    var p = Fields(c, part)
                    guard let number = p.next().flatMap(int), number >= 0, number < 1_000_000, let phase = p.next().flatMap { name($0) },
                          let text = p.next().flatMap(IndexLine.text), let required = p.next().flatMap(bool),
                          let done = p.next().flatMap(bool), let kindsField = p.next(), p.atEnd else { return nil }
                    var kinds: [String] = []
                    if !kindsField.isEmpty {
                        var k = Fields(kindsField, sub)
                        while let kind = k.next() {
                            guard let kindText = name(kind) else { return nil }
                            kinds.append(kindText)
                        }
                    }
                    s.owedNotifications.append(ChecklistEntry(number: Int(number), phase: phase, text: text, required: required,
                                                              done: done, satisfiedBy: kinds))
                }
            }
            return (key, FileFingerprint(size: size, mtime: mtime, ctime: ctime, inode: inode), s)
        }
    }

    /// The offsets of the first `cuts.count` bytes equal to `separator` in `p`, eight bytes at
    /// a time; returns how many it found (at most `cuts.count`).
    static func separators(_ p: UnsafeBufferPointer<UInt8>, _ separator: UInt8, into cuts: UnsafeMutableBufferPointer<Int>) -> Int {
        guard let base = p.baseAddress else { return 0 }
        let n = p.count
        var found = 0
        var i = 0
        while i + 8 <= n {
            var marks = ByteScan.exactMatches(ByteScan.word(base, i), separator)
            while marks != 0 {
                guard found < cuts.count else { return found }
                cuts[found] = i + ByteScan.firstMarked(marks)
                found += 1
                marks &= marks &- 1
            }
            i += 8
        }
        while i < n {
            if base[i] == separator {
                guard found < cuts.count else { return found }
                cuts[found] = i
                found += 1
            }
            i += 1
        }
        return found
    }

    /// `pending`, `met` or `breached`, from its bytes (without building a string to look up).
    static func slaState(_ p: UnsafeBufferPointer<UInt8>) -> SLAState? {
        func equals(_ word: StaticString) -> Bool {
            p.count == word.utf8CodeUnitCount && (p.isEmpty || memcmp(p.baseAddress!, word.utf8Start, p.count) == 0)
        }
        if equals("met") { return .met }
        if equals("breached") { return .breached }
        if equals("pending") { return .pending }
        return nil
    }

    /// `INC-17.json` → 17; `2026/INC-17.json` → 2026 << 32 | 17: the index's key for a file.
    static func key(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        var year: Int64 = 0
        var i = 0
        if p.count > 5 && p[4] == 0x2F {
            for k in 0..<4 {
                guard p[k] >= 0x30 && p[k] <= 0x39 else { return nil }
                year = year * 10 + Int64(p[k] - 0x30)
            }
            i = 5
        }
        let rest = p.count - i
        guard rest >= 10, rest <= 18, p[i] == 0x49, p[i + 1] == 0x4E, p[i + 2] == 0x43, p[i + 3] == 0x2D, p[i + 4] != 0x30,
              p[p.count - 5] == 0x2E, p[p.count - 4] == 0x6A, p[p.count - 3] == 0x73, p[p.count - 2] == 0x6F,
              p[p.count - 1] == 0x6E else { return nil }
        var n: Int64 = 0
        for k in (i + 4)..<(p.count - 5) {
            guard p[k] >= 0x30 && p[k] <= 0x39 else { return nil }
            n = n * 10 + Int64(p[k] - 0x30)
        }
        guard n > 0, n < 1_000_000_000 else { return nil }
        return year << 32 | n
    }

    static func key(year: Int?, number: Int) -> Int64 { Int64(year ?? 0) << 32 | Int64(number) }

    /// True when every byte is ASCII, none is a control character (below 0x20) and none is
    /// a backslash (the escape byte): such bytes are their own text.
    static func isPlainASCII(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = p.count
        guard n > 0, let base = p.baseAddress else { return true }
        var i = 0
        while i + 8 <= n {
            let w = ByteScan.word(base, i)
            guard !ByteScan.hasNonASCII(w), !ByteScan.hasByteBelow(w, 0x20), ByteScan.matches(w, 0x5C) == 0 else { return false }
            i += 8
        }
        while i < n {
            let b = p[i]
            guard b >= 0x20, b < 0x80, b != 0x5C else { return false }
            i += 1
        }
        return true
    }

    static func text(_ p: UnsafeBufferPointer<UInt8>) -> String? {
        // Most texts (titles, names) are printable ASCII without a backslash: one pass over
        // eight bytes at a time, then no validation (String(validating:) was a fifth of
        // decoding a line).
        if isPlainASCII(p) { return String(decoding: p, as: UTF8.self) }
        if firstIndex(of: 0x5C, in: p, from: 0) == nil {
            if p.contains(where: { $0 < 0x20 }) { return nil }
            return String(validating: p, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(p.count)
        var i = 0
        while i < p.count {
            let b = p[i]
            if b < 0x20 { return nil }
            if b == 0x5C {
                guard i + 2 < p.count, let hi = hexValue(p[i + 1]), let lo = hexValue(p[i + 2]) else { return nil }
                let v = hi << 4 | lo
                guard v < 0x20 || v == 0x5C else { return nil }
                out.append(v)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// `\-` is absent; anything else is text.
    static func optionalText(_ p: UnsafeBufferPointer<UInt8>) -> String?? {
        if p.count == 2 && p[0] == 0x5C && p[1] == 0x2D { return .some(nil) }
        guard let t = text(p) else { return nil }
        return .some(t)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    static func parseHex(_ p: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var v: UInt64 = 0
        for b in p {
            guard let d = hexValue(b) else { return nil }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    static func uint(_ p: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !p.isEmpty, p.count <= 20 else { return nil }
        if p.count <= 19 {  // below 10^19: cannot overflow a UInt64
            var v: UInt64 = 0
            var i = 0
            if let base = p.baseAddress {
                // Eight digits at a time (a time in milliseconds has thirteen).
                while i + 8 <= p.count {
                    guard let eight = ByteScan.eightDigits(ByteScan.word(base, i)) else { return nil }
                    v = v &* 100_000_000 &+ eight
                    i += 8
                }
            }
            while i < p.count {
                let d = p[i] &- 0x30
                guard d <= 9 else { return nil }
                v = v &* 10 &+ UInt64(d)
                i += 1
            }
            return v
        }
        var v: UInt64 = 0
        for b in p {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
            guard !o1 && !o2 else { return nil }
            v = a
        }
        return v
    }

    static func int(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !p.isEmpty else { return nil }
        if p[0] == 0x2D {
            guard let v = uint(UnsafeBufferPointer(rebasing: p[1...])), v <= UInt64(Int64.max) else { return nil }
            return -Int64(v)
        }
        guard let v = uint(p), v <= UInt64(Int64.max) else { return nil }
        return Int64(v)
    }

    /// Times the rest of the code can format: years 1 to 9999.
    static func time(_ p: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard let ms = int(p), ms >= -62_135_596_800_000, ms <= 253_402_300_799_999 else { return nil }
        return Timestamp(milliseconds: ms)
    }

    static func optionalTime(_ p: UnsafeBufferPointer<UInt8>) -> Timestamp?? {
        if p.isEmpty { return .some(nil) }
        guard let t = time(p) else { return nil }
        return .some(t)
    }

    static func bool(_ p: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard p.count == 1 else { return nil }
        return p[0] == 0x31 ? true : p[0] == 0x30 ? false : nil
    }
}
