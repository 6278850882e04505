#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's runbook, with what decides its deadlines (the calendar's business time) and
/// the fingerprint of the files it was read from: derived summaries carry timers computed
/// under one runbook and calendar, so they name which.
public struct RunbookSnapshot: Sendable {
    public let runbook: Runbook
    public let time: BusinessTime
    /// The runbook file's fingerprint (taken before it was read), or `built-in`, and the
    /// calendar zone file's, if the runbook has a calendar.
    public let stamp: String

    public init(runbook: Runbook, time: BusinessTime, stamp: String) {
        self.runbook = runbook; self.time = time; self.stamp = stamp
    }

    /// The stamp part for a runbook's calendar zone file (a tzdata update moves deadlines).
    public static func calendarStamp(_ runbook: Runbook, zoneDirectory: String) -> String {
        guard let zone = runbook.calendar?.timeZone else { return "" }
        return "\u{1F}" + (FileFingerprint.of(zoneDirectory + "/" + zone, followLinks: true)?.text ?? "?") + zoneDirectory
    }
}

/// The result of a directory listing made on another thread.
private final class Listing: @unchecked Sendable {
    var value: ([IncidentFileEntry], [StoreProblem])?
}

/// Which incidents a derived index covers.
public enum SummaryArea: Sendable {
    /// `active/`, summarised in `active/.index`.
    case active
    /// `archive/YYYY/`, summarised in `archive/.index`.
    case archive
}

/// What a caller needs of each summary beyond the list fields.
public struct SummaryDetail: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let timers = SummaryDetail(rawValue: 1)
    public static let actionItems = SummaryDetail(rawValue: 2)
    public static let owedNotifications = SummaryDetail(rawValue: 4)
    /// Instead of `.timers`: at most one timer per summary, the running one most urgent at
    /// the moment read (what `list` shows); a summary read from its file may hold them all.
    public static let urgentTimer = SummaryDetail(rawValue: 8)
    /// Timers are evaluated at the moment read.
    var timed: Bool { !isDisjoint(with: [.timers, .urgentTimer]) }
    var line: IndexLine.Detail { IndexLine.Detail(rawValue: rawValue) }
}

/// A derived index file (`active/.index`, `archive/.index`): a header naming the format
/// version, the binary and the runbook the lines were derived with, then one `IndexLine`
/// per incident file. It is a hint, never the source of truth: a line is used only while
/// its file's fingerprint is unchanged and its checksum holds; anything else is read from
/// the incident file and the index rewritten. Deleting it is always safe.
enum DerivedIndex {
    static let magic = "incident-index 4"
    static let name = ".index"

    /// Changes whenever the binary does, so a new version never trusts what an older one
    /// derived (the SLA engine or the summary may have changed).
    static let engineStamp: String = {
        var st = stat()
        if stat("/proc/self/exe", &st) == 0, let fp = FileFingerprint(st) { return fp.text }
        return "static"
    }()

    static func header(_ runbook: RunbookSnapshot) -> [UInt8] {
        Array("\(magic)\t\(engineStamp)\t\(runbook.stamp)\n".utf8)
    }

    /// The index's bytes and the line ranges after a header that matches `expected`
    /// (none when it does not: every line is then stale).
    /// Past this an index is not read at all (treated as missing, so rebuilt): a line is
    /// about a kilobyte, so this is some 250,000 incidents, and a file padded to gigabytes is
    /// not first read into memory to be found useless.
    static let maxBytes = 256 << 20

    static func load(_ path: String, expected: [UInt8]) -> (bytes: FileBytes, lines: [Range<Int>], headerOK: Bool)? {
        guard let bytes = try? FileBytes.read(path, limit: maxBytes) else { return nil }
        let headerOK = bytes.withUnsafeBufferPointer { p in p.count >= expected.count && p[0..<expected.count].elementsEqual(expected) }
        guard headerOK else { return (bytes, [], false) }
        var lines: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { p in
            var start = expected.count
            while let nl = IndexLine.firstIndex(of: 0x0a, in: p, from: start) {
                if nl > start { lines.append(start..<nl) }
                start = nl + 1
            }
            // A last line without its newline was cut short: ignored.
        }
        return (bytes, lines, true)
    }

    /// Replaces (or adds, or with `line == nil` removes) the line for `file`, keeping the
    /// others as they are. Called with the store's lock held, right after the incident
    /// file's rename. A header for another runbook or binary drops the other lines.
    static func upsert(directory: String, file: String, line: [UInt8]?, runbook: RunbookSnapshot) throws {
        let path = directory + "/" + name
        let header = header(runbook)
        var out = header
        let key = Array(file.utf8)
        if let (bytes, lines, ok) = load(path, expected: header), ok {
            bytes.withUnsafeBufferPointer { p in
                for r in lines {
                    let l = UnsafeBufferPointer(rebasing: p[r])
                    if let f = IndexLine.fileField(l), f.elementsEqual(key) { continue }
                    out += l
                    out.append(0x0a)
                }
            }
        } else if line == nil, POSIXFile.kind(path) == .missing {
            return
        }
        if let line { out += line }
        try POSIXFile.writeAtomically(out, directory: directory, name: name, replacingSpecialFiles: true, durable: false)
    }
}

/// One directory entry that looks like an incident file, with its fingerprint.
struct IncidentFileEntry {
    var id: IncidentID
    /// `IndexLine.key`: the year (archive) and number.
    var key: Int64
    /// The directory it is in (shared by every entry of a listing).
    var directory: String
    var fingerprint: FileFingerprint?
    /// Built when asked for: a listing of 10,000 files reads few of them.
    var path: String { directory + "/" + id.fileName }
}

extension POSIXFile {
    /// The incident files (`INC-<n>.json`) of a directory, each stat'ed relative to the
    /// directory (no symlink followed), and the `.json` names that are not incident IDs.
    static func incidentFiles(_ directory: String, year: Int?) -> (files: [IncidentFileEntry], badNames: [String]) {
        guard let dir = opendir(directory) else { return ([], []) }
        defer { closedir(dir) }
        let fd = dirfd(dir)
        var files: [IncidentFileEntry] = []
        var bad: [String] = []
        var provisional: Int64 = 0
        while let entry = readdir(dir) {
            withUnsafePointer(to: entry.pointee.d_name) { raw in
                raw.withMemoryRebound(to: CChar.self, capacity: 256) { cname in
                    let len = strlen(cname)
                    guard len >= 6, cname[0] != 0x2E else { return }  // hidden: index, temp files
                    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(cname).assumingMemoryBound(to: UInt8.self), count: len)
                    guard bytes[len - 5] == 0x2E, bytes[len - 4] == 0x6A, bytes[len - 3] == 0x73,
                          bytes[len - 2] == 0x6F, bytes[len - 1] == 0x6E else { return }  // ".json"
                    guard let key = IndexLine.key(bytes) else {
                        // A provisional incident (declared offline in a git store) is listed
                        // like any other; it has no index line, so it is read from its file.
                        let name = String(cString: cname)
                        if let id = IncidentID(String(name.dropLast(5))), id.isProvisional, id.fileName == name {
                            var st = stat()
                            let fp = fstatat(fd, cname, &st, AT_SYMLINK_NOFOLLOW) == 0 ? FileFingerprint(st) : nil
                            provisional += 1
                            files.append(IncidentFileEntry(id: id, key: -provisional, directory: directory, fingerprint: fp))
                        } else {
                            bad.append(name)
                        }
                        return
                    }
                    var st = stat()
                    let fp = fstatat(fd, cname, &st, AT_SYMLINK_NOFOLLOW) == 0 ? FileFingerprint(st) : nil
                    let number = Int(key & 0xFFFF_FFFF)
                    files.append(IncidentFileEntry(id: IncidentID(number: number), key: IndexLine.key(year: year, number: number),
                                                   directory: directory, fingerprint: fp))
                }
            }
        }
        return (files, bad)
    }
}

extension Store {
    func indexDirectory(_ area: SummaryArea) -> String { area == .active ? activeDirectory : archiveDirectory }
    public func indexPath(_ area: SummaryArea) -> String { indexDirectory(area) + "/" + DerivedIndex.name }

    /// The store's runbook and its file's fingerprint, taken before it is read (the
    /// built-in default, `built-in`, before the store exists).
    public func loadStampedRunbook() throws -> (Runbook, String) {
        let fp = FileFingerprint.of(runbookPath)
        let runbook = try loadRunbook()
        return (runbook, fp?.text ?? "built-in")
    }

    /// The runbook, its calendar's business time and their stamp.
    public func loadRunbookSnapshot(zoneDirectory: String = ZoneDatabase.defaultDirectory) throws -> RunbookSnapshot {
        let (runbook, stamp) = try loadStampedRunbook()
        return RunbookSnapshot(runbook: runbook, time: try BusinessTime.of(runbook, zoneDirectory: zoneDirectory),
                               stamp: stamp + RunbookSnapshot.calendarStamp(runbook, zoneDirectory: zoneDirectory))
    }

    /// Every incident file of an area.
    func incidentFiles(_ area: SummaryArea) -> ([IncidentFileEntry], [StoreProblem]) {
        var out: [IncidentFileEntry] = []
        var problems: [StoreProblem] = []
        let directories: [(year: Int?, dir: String)] = area == .active
            ? [(nil, activeDirectory)]
            : archiveYears.map { ($0, archiveDirectory + "/" + String($0)) }
        for (year, dir) in directories {
            let (files, bad) = POSIXFile.incidentFiles(dir, year: year)
            for name in bad.sorted() {
                problems.append(StoreProblem(path: dir + "/" + name, reason: "the file name is not an incident ID like INC-42.json"))
            }
            out += files
        }
        return (out, problems)
    }

    /// The summary of every incident in `area`, from its derived index where the index
    /// holds a line for the file's current fingerprint, else from the file itself (and the
    /// index is rewritten, if the lock is free). With `.timers`, each summary's timers are
    /// valid at `now` (`IncidentSummary.timers(at: now)`).
    public func summaries(_ area: SummaryArea, runbook: RunbookSnapshot, at now: Timestamp,
                          detail: SummaryDetail = []) -> ([IncidentSummary], [StoreProblem]) {
        var (summaries, problems, index) = summariesAndIndex(area, runbook: runbook, at: now, detail: detail)
        if let index { refreshIndex(index, area: area) }
        var none: [IncidentSummary]? = nil
        if area == .active {
            reconcileCopies(active: &summaries, archive: &none, runbook: runbook, at: now)
        } else {
            // Only the archive was read: its incidents that also have a file in `active/`.
            let activeIDs = Set(POSIXFile.incidentFiles(activeDirectory, year: nil).files.map(\.id))
            var active: [IncidentSummary] = []
            var archive: [IncidentSummary]? = summaries
            reconcileCopies(active: &active, archive: &archive, runbook: runbook, at: now, alsoIn: activeIDs)
            summaries = archive ?? summaries
        }
        return (summaries, problems)
    }

    /// An incident with a file in both areas (a close or reopen caught between writing the
    /// new copy and removing the old one, or stopped there by a crash) is read as `load`
    /// reads it: both copies merged, listed once, in the area its merged status belongs to.
    /// With `archive` nil, each active incident's archive file is looked for (one `fstatat`
    /// each); with `alsoIn`, those are the active incidents to check the archive ones against.
    func reconcileCopies(active: inout [IncidentSummary], archive: inout [IncidentSummary]?, runbook: RunbookSnapshot,
                         at now: Timestamp, alsoIn activeIDs: Set<IncidentID>? = nil) {
        var doubled: [IncidentID] = []
        if let activeIDs {
            doubled = (archive ?? []).map(\.id).filter { activeIDs.contains($0) }
        } else if let archive {
            let archived = Set(archive.map(\.id))
            doubled = active.map(\.id).filter { archived.contains($0) }
        } else {
            // Each year directory is opened and stamped before any file in it is looked for,
            // so a copy that appears after the stamp changes the stamp (see CopiesCheck).
            // Every year is looked in, not only the year the incident was declared in: a copy
            // in another year (moved by hand, or by a merge) is still the incident's, and
            // `load`, `show` and `list --all` find it there.
            let previous = CopiesCheck.load(directory: activeDirectory)
            // (year, stamp, number) of each incident found without a copy; made into a new
            // check only if some were looked up (when none were, the old one still holds).
            var clear: [(Int, CopiesCheck.Stamp, Int)] = []
            var looked = false
            var found = Set<IncidentID>()
            for year in active.isEmpty ? [] : archiveYears {
                let fd = open(archiveDirectory + "/" + String(year), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard fd >= 0 else { continue }
                defer { close(fd) }
                let stamp = CopiesCheck.Stamp(directory: fd)
                let before = stamp.flatMap { previous?.year(year, stamp: $0) }
                // By index: `for s in active` copied every summary (a retain per string it holds).
                for i in active.indices {
                    let id = active[i].id
                    // A provisional ID (declared offline in a git store) is looked up every
                    // time: the check file holds numbers only.
                    let numbered = !id.isProvisional
                    if numbered, let stamp, before?.contains(id.number) == true {
                        clear.append((year, stamp, id.number))
                        continue
                    }
                    looked = true
                    var st = stat()
                    if id.withFileNameCString({ fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) }) == 0 {
                        if found.insert(id).inserted { doubled.append(id) }
                    } else if numbered, let stamp {
                        clear.append((year, stamp, id.number))
                    }
                }
            }
            if looked {
                var found = CopiesCheck()
                for (year, stamp, number) in clear { found.add(number, year: year, stamp: stamp) }
                recordCopiesCheck(found.settled(wallClock: CopiesCheck.wallClock()), replacing: previous)
            }
        }
        guard !doubled.isEmpty else { return }
        for id in doubled {
            guard let (record, _) = try? load(id) else { continue }
            let full = IncidentSummary(record, runbook: runbook.runbook, time: runbook.time)
            let merged = full.evaluatedAt > now ? summary(of: record, runbook: runbook, at: now) : full
            active.removeAll { $0.id == id }
            archive?.removeAll { $0.id == id }
            if record.state.status == .closed { archive?.append(merged) } else if activeIDs == nil { active.append(merged) }
        }
        // The areas' own order: active by number, the archive by year, then number.
        active.sort { $0.id < $1.id }
        archive?.sort { (CivilTime($0.declaredAt).year, $0.id.number) < (CivilTime($1.declaredAt).year, $1.id.number) }
    }

    /// The incidents open at `moment` (for `list --at` and `sla --at`): those in `active/`
    /// (`loadActive`), and those archived since that were declared by then and not closed
    /// then (found through the archive's index, then read in full: "what was overdue at
    /// 14:30?" includes an incident closed at 16:00). Each is the full record; the caller
    /// evaluates it as of `moment`.
    public func loadOpen(at moment: Timestamp, runbook: RunbookSnapshot) -> ([IncidentRecord], [StoreProblem]) {
        var (records, problems) = loadActive()
        let (archived, more) = summaries(.archive, runbook: runbook, at: moment)
        problems += more
        let have = Set(records.map(\.id))
        for s in archived where s.declaredAt <= moment && (s.closedAt.map { $0 > moment } ?? true) && !have.contains(s.id) {
            guard let (record, _) = try? load(s.id),
                  let then = try? IncidentState.derive(id: record.id, events: record.events, asOf: moment), then.status != .closed
            else { continue }
            records.append(record)
        }
        records.sort { $0.id < $1.id }
        return (records, problems)
    }

    /// `summaries`, with the index's new bytes (when it is stale) returned for the caller to
    /// write, rather than written.
    func summariesAndIndex(_ area: SummaryArea, runbook: RunbookSnapshot, at now: Timestamp,
                           detail: SummaryDetail) -> ([IncidentSummary], [StoreProblem], [UInt8]?) {
        let header = DerivedIndex.header(runbook)
        if area == .archive { HeapHint.expectLargeWork() }
        // The directory listing (a stat per file) runs beside the reading and parsing of the
        // index: on a large archive they are the two halves of the work.
        // (Only for the archive: for a few hundred active files a thread costs more than it saves.)
        let listing = Listing()
        let group = DispatchGroup()
        let store = self
        if area == .archive {
            DispatchQueue.global().async(group: group) { listing.value = store.incidentFiles(area) }
        } else {
            listing.value = incidentFiles(area)
        }
        let loaded = DerivedIndex.load(indexPath(area), expected: header)

        struct Known { var fingerprint: FileFingerprint; var line: Int }
        var known: [Int64: Known] = [:]
        // Optional so that each summary is moved out once, not copied (a copy retains every
        // string and array it holds; 10,000 of them are measurable).
        var decoded: [IncidentSummary?] = []
        var ranges: [Range<Int>] = []
        var damaged = false
        if let loaded {
            known.reserveCapacity(loaded.lines.count)
            decoded.reserveCapacity(loaded.lines.count)
            var decoder = IndexLine.Decoder()
            loaded.bytes.withUnsafeBufferPointer { p in
                for r in loaded.lines {
                    if let (key, fp, s) = decoder.decode(UnsafeBufferPointer(rebasing: p[r]), detail: detail.line, urgentAt: now.milliseconds) {
                        known[key] = Known(fingerprint: fp, line: decoded.count)
                        // Moved, not copied (a copy retains every string it holds).
                        decoded.append(consume s)
                        ranges.append(r)
                    } else {
                        damaged = true
                    }
                }
            }
        }
        group.wait()
        let files = listing.value?.0 ?? []
        var problems = listing.value?.1 ?? []
        var rewrite = loaded == nil || loaded?.headerOK == false || damaged || known.count != files.count
        var summaries: [IncidentSummary] = []
        summaries.reserveCapacity(files.count)
        var lines: [[UInt8]] = []
        var keep: [Range<Int>] = []
        // In key order, sorting (key, position) pairs: sorting the entries themselves (each
        // holding strings) cost list --all nine million instructions.
        var byKey = files.indices.map { (key: files[$0].key, position: $0) }
        byKey.sort { $0.key != $1.key ? $0.key < $1.key : $0.position < $1.position }
        for (_, position) in byKey {
            let entry = files[position]
            guard let fp = entry.fingerprint else {
                let kind = POSIXFile.kind(entry.path)
                problems.append(StoreProblem(path: entry.path, reason: kind == .missing ? "it went away while the directory was read"
                                             : "it is \(POSIXFile.describe(kind)), not a regular file (incident never follows links in the store)"))
                continue
            }
            if let k = known[entry.key], k.fingerprint == fp {
                keep.append(ranges[k.line])
                if detail.timed, let line = decoded[k.line], line.evaluatedAt > now {
                    // The clock is behind the incident's latest event: evaluate at `now`.
                    if let fresh = try? decodeRecord(at: entry.path, expecting: entry.id) {
                        summaries.append(summary(of: fresh, runbook: runbook, at: now))
                        continue
                    }
                }
                var taken: IncidentSummary? = nil
                swap(&taken, &decoded[k.line])
                if let summary = taken.take() { summaries.append(consume summary) }
                continue
            }
            rewrite = true
            do {
                let record = try decodeRecord(at: entry.path, expecting: entry.id)
                let full = IncidentSummary(record, runbook: runbook.runbook, time: runbook.time)
                let file = entry.key >> 32 == 0 ? entry.id.fileName : String(entry.key >> 32) + "/" + entry.id.fileName
                // A provisional incident (numbered at the next sync) gets no line: the line
                // format holds numbers only, and its file is read directly until then.
                if !entry.id.isProvisional { lines.append(IndexLine.encode(file: file, fingerprint: fp, summary: full)) }
                summaries.append(detail.timed && full.evaluatedAt > now ? summary(of: record, runbook: runbook, at: now) : full)
            } catch {
                problems.append(StoreProblem(path: entry.path, error: error))
            }
        }
        if rewrite {
            var out = header
            if let loaded {
                loaded.bytes.withUnsafeBufferPointer { p in
                    for r in keep { out += UnsafeBufferPointer(rebasing: p[r]); out.append(0x0a) }
                }
            }
            for l in lines { out += l }
            return (summaries, problems, out)
        }
        return (summaries, problems, nil)
    }

    /// The summaries of both areas as of one moment. Nothing is locked, so an incident being
    /// closed or reopened while they are read could be seen in neither area: the names of the
    /// incident files are compared before and after reading (an order-free digest, one pass
    /// over the directories; the derived indexes' own rewrites do not count), and the reading
    /// is repeated when something moved meanwhile, the third time under the shared lock.
    public func summariesOfBoth(runbook: RunbookSnapshot, at now: Timestamp, active activeDetail: SummaryDetail = [],
                                archive archiveDetail: SummaryDetail = [])
        -> (active: [IncidentSummary], archive: [IncidentSummary], problems: [StoreProblem]) {
        // A stale index is rewritten after the reading is known to be consistent (the
        // rewrite itself changes its directory).
        var pending: [(SummaryArea, [UInt8])] = []
        func read() -> (active: [IncidentSummary], archive: [IncidentSummary], problems: [StoreProblem]) {
            pending = []
            let (b, pb, ib) = summariesAndIndex(.archive, runbook: runbook, at: now, detail: archiveDetail)
            let (a, pa, ia) = summariesAndIndex(.active, runbook: runbook, at: now, detail: activeDetail)
            if let ib { pending.append((.archive, ib)) }
            if let ia { pending.append((.active, ia)) }
            return (a, b, pa + pb)
        }
        func reconciled(_ result: (active: [IncidentSummary], archive: [IncidentSummary], problems: [StoreProblem]))
            -> (active: [IncidentSummary], archive: [IncidentSummary], problems: [StoreProblem]) {
            var active = result.active
            var archive: [IncidentSummary]? = result.archive
            reconcileCopies(active: &active, archive: &archive, runbook: runbook, at: now)
            return (active, archive ?? result.archive, result.problems)
        }
        func written<T>(_ result: T) -> T {
            for (area, bytes) in pending { refreshIndex(bytes, area: area) }
            return result
        }
        for _ in 0..<2 {
            // A rename into or out of a directory moves its change time: when none of the
            // directories changed lately, comparing their stat before and after is enough.
            // A directory changed in the last seconds (a coarse file-system clock could give a
            // second change the same time) is compared by the names it holds.
            if let stamp = incidentDirectoryStamp() {
                let result = read()
                if incidentDirectoryStamp() == stamp { return written(reconciled(result)) }
                continue
            }
            let before = incidentNameDigest()
            let result = read()
            if incidentNameDigest() == before { return written(reconciled(result)) }
        }
        // Writers keep moving files: the last reading holds the shared lock, which a writer's
        // move waits for (briefly: this is a read of the indexes).
        return written(reconciled((try? withSharedLock { read() }) ?? read()))
    }

    /// The change and modification times and inode of `active/`, `archive/` and each archive
    /// year, or nil when one of them changed in the last two seconds (or cannot be read).
    func incidentDirectoryStamp() -> [Int64]? {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let recent = (Int64(now.tv_sec) - 2) * 1_000_000_000 + Int64(now.tv_nsec)
        var out: [Int64] = []
        for dir in [activeDirectory, archiveDirectory] + archiveYears.map({ archiveDirectory + "/" + String($0) }) {
            var st = stat()
            guard lstat(dir, &st) == 0 else {
                if errno == ENOENT { out += [0, 0, 0]; continue }
                return nil
            }
            #if canImport(Darwin)
            let mtime = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
            let ctime = Int64(st.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(st.st_ctimespec.tv_nsec)
            #else
            let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            let ctime = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
            #endif
            if mtime >= recent || ctime >= recent { return nil }
            out += [mtime, ctime, Int64(bitPattern: UInt64(st.st_ino))]
        }
        return out
    }

    /// An order-free digest of the incident file names in `active/` and each archive year
    /// (count and sum of per-name hashes), without a stat or a string per file.
    func incidentNameDigest() -> [UInt64] {
        var out: [UInt64] = []
        for dir in [activeDirectory] + archiveYears.map({ archiveDirectory + "/" + String($0) }) {
            var count: UInt64 = 0, sum: UInt64 = 0
            if let d = opendir(dir) {
                while let entry = readdir(d) {
                    withUnsafePointer(to: entry.pointee.d_name) { raw in
                        raw.withMemoryRebound(to: UInt8.self, capacity: 256) { name in
                            let len = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
                            guard len > 5, name[0] != 0x2E else { return }  // hidden: indexes, temp files
                            var h: UInt64 = 0xcbf2_9ce4_8422_2325
                            for k in 0..<len { h = (h ^ UInt64(name[k])) &* 0x100_0000_01b3 }
                            count += 1
                            sum = sum &+ (h ^ (h >> 29))
                        }
                    }
                }
                closedir(d)
            }
            out += [count, sum]
        }
        return out
    }

    /// A summary whose timers are evaluated at `now` rather than at the latest event.
    func summary(of record: IncidentRecord, runbook: RunbookSnapshot, at now: Timestamp) -> IncidentSummary {
        var s = IncidentSummary(record, runbook: runbook.runbook, time: runbook.time)
        s.timers = SLAEngine.evaluate(record, runbook: runbook.runbook, time: runbook.time, at: now)
        s.evaluatedAt = now
        return s
    }

    /// Writes what a look for archive copies found, when it says more than the file there.
    func recordCopiesCheck(_ check: CopiesCheck, replacing previous: CopiesCheck?) {
        guard !check.years.isEmpty, check != previous else { return }
        writeDerived(check.encoded(), directory: activeDirectory, name: CopiesCheck.name)
    }

    /// Rewrites an index if the lock is free right now; a reader never waits for it.
    func refreshIndex(_ bytes: [UInt8], area: SummaryArea) {
        writeDerived(bytes, directory: indexDirectory(area), name: DerivedIndex.name)
    }

    /// A derived file (a hint: not synced, replacing whatever odd file is there but never
    /// through a link), written only if the store's lock is free right now; a failure is
    /// harmless.
    func writeDerived(_ bytes: [UInt8], directory: String, name: String) {
        guard POSIXFile.kind(root) == .directory, POSIXFile.kind(directory) == .directory,
              let lock = try? POSIXFile.Lock(path: lockPath, timeout: 0) else { return }
        defer { lock.release() }
        try? POSIXFile.writeAtomically(bytes, directory: directory, name: name, replacingSpecialFiles: true, durable: false)
    }

    /// Keeps the derived indexes current after `record` was written to `target` (and any
    /// other copy removed). Called with the lock held. A failure here never fails the
    /// write: a line that was not updated no longer matches its file and is not used.
    func updateIndexes(_ record: IncidentRecord, at target: IncidentLocation, removed: [IncidentLocation], runbook: RunbookSnapshot?) {
        guard let runbook = runbook ?? (try? loadRunbookSnapshot()) else { return }
        let line = record.id.isProvisional ? nil : FileFingerprint.of(path(of: record.id, in: target)).map {
            IndexLine.encode(file: indexKey(record.id, target), fingerprint: $0, summary: IncidentSummary(record, runbook: runbook.runbook, time: runbook.time))
        }
        try? DerivedIndex.upsert(directory: indexDirectory(area(target)), file: indexKey(record.id, target), line: line, runbook: runbook)
        // Only a move touches the other index (a note on an active incident never reads the archive's).
        for place in removed where place != target {
            try? DerivedIndex.upsert(directory: indexDirectory(area(place)), file: indexKey(record.id, place), line: nil, runbook: runbook)
        }
    }

    func area(_ location: IncidentLocation) -> SummaryArea {
        if case .active = location { return .active }
        return .archive
    }

    func indexKey(_ id: IncidentID, _ location: IncidentLocation) -> String {
        switch location {
        case .active: return id.fileName
        case let .archive(year): return String(year) + "/" + id.fileName
        }
    }
}

/// A derived index line that disagrees with its incident file.
public struct IndexDisagreement: Sendable, Equatable {
    /// The index file.
    public var index: String
    /// The incident file the line describes (or the index itself for a damaged line).
    public var file: String
    public var problem: String
}

extension Store {
    /// Lines of the derived indexes that would be believed (their file's fingerprint is
    /// unchanged) but say something other than the file, or are damaged. Read-only; with
    /// `heal`, such lines are dropped from the index afterwards (if the lock is free).
    public func indexDisagreements(runbook: RunbookSnapshot, heal: Bool = false) -> [IndexDisagreement] {
        var out: [IndexDisagreement] = []
        let header = DerivedIndex.header(runbook)
        for area in [SummaryArea.active, .archive] {
            let indexPath = indexPath(area)
            guard let loaded = DerivedIndex.load(indexPath, expected: header), loaded.headerOK else { continue }
            let (files, _) = incidentFiles(area)
            var byKey: [Int64: IncidentFileEntry] = [:]
            for f in files { byKey[f.key] = f }
            var keep: [Range<Int>] = []
            var bad = 0
            var decoder = IndexLine.Decoder()
            loaded.bytes.withUnsafeBufferPointer { p in
                for r in loaded.lines {
                    guard let (key, fp, line) = decoder.decode(UnsafeBufferPointer(rebasing: p[r]), detail: .all) else {
                        bad += 1
                        out.append(IndexDisagreement(index: indexPath, file: indexPath, problem: "a damaged line (its checksum or format is wrong); it is ignored"))
                        continue
                    }
                    guard let f = byKey[key], f.fingerprint == fp else { keep.append(r); continue }
                    guard let record = try? decodeRecord(at: f.path, expecting: f.id) else { keep.append(r); continue }
                    // A writer may have replaced the file since it was stat'ed (checkers do not
                    // hold the write lock): only a file unchanged across the read is compared.
                    guard FileFingerprint.of(f.path) == fp else { keep.append(r); continue }
                    let truth = IncidentSummary(record, runbook: runbook.runbook, time: runbook.time)
                    if truth != line {
                        bad += 1
                        out.append(IndexDisagreement(index: indexPath, file: f.path,
                                                     problem: "its line for \(line.id) disagrees with the file (\(IndexDisagreement.firstDifference(line, truth))); the file is what counts"))
                    } else {
                        keep.append(r)
                    }
                }
            }
            if heal && bad > 0 {
                var rebuilt = header
                loaded.bytes.withUnsafeBufferPointer { p in
                    for r in keep { rebuilt += UnsafeBufferPointer(rebasing: p[r]); rebuilt.append(0x0a) }
                }
                refreshIndex(rebuilt, area: area)
            }
        }
        return out
    }
}

extension IndexDisagreement {
    static func firstDifference(_ a: IncidentSummary, _ b: IncidentSummary) -> String {
        if a.title != b.title { return "title" }
        if a.severity != b.severity { return "severity" }
        if a.status != b.status { return "status" }
        if a.phase != b.phase { return "phase" }
        if a.roles != b.roles { return "roles" }
        if a.timers != b.timers { return "timers" }
        if a.actionItems != b.actionItems { return "action items" }
        if a.owedNotifications != b.owedNotifications { return "notifications owed" }
        return "times"
    }
}
