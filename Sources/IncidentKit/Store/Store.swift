#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Where an incident file lives.
public enum IncidentLocation: Equatable, Sendable {
    case active
    case archive(year: Int)
}

/// A file the store could not use, reported instead of stopping the command.
public struct StoreProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }

    public init(path: String, reason: String) { self.path = path; self.reason = reason }

    /// The reason a file could not be read, without repeating its path.
    init(path: String, error: Error) {
        self.path = path
        switch error {
        case let IncidentError.corrupt(_, reason): self.reason = reason
        case let e as IncidentError:
            // "<path> is a FIFO, ..." → "is a FIFO, ...": the path is shown beside it.
            var text = Substring(e.description)
            if text.hasPrefix(path + " ") { text = text.dropFirst(path.count + 1) }
            while text.hasSuffix(".") { text = text.dropLast() }
            self.reason = String(text)
        default: self.reason = "it cannot be read"
        }
    }
}

/// The incident store: a directory of JSON files.
///
/// ```
/// <root>/runbook.json            the policy this store runs
/// <root>/active/INC-42.json      open incidents (active and resolved)
/// <root>/archive/2026/INC-17.json closed incidents, by year declared
/// <root>/templates/              optional overrides of the shipped templates
/// <root>/.lock                   advisory lock held around every read-modify-write
/// <root>/.last-id                the last ID handed out
/// ```
public struct Store: Sendable {
    public let root: String
    public var lockTimeout: Double

    /// Files larger than this are refused as corrupt rather than read into memory.
    public static let maxFileBytes = 64 << 20

    /// The size limit of this store's files: `maxFileBytes` except in tests, which lower it
    /// to exercise the limit without writing 64 MiB. Reads and writes use the same one.
    public let fileLimit: Int

    /// `root` is resolved once to its real path: a store reached through a symbolic link
    /// (`~/incidents -> /srv/incidents`) is that directory, read and written alike. Below the
    /// root, nothing is ever followed (see `POSIXFile`).
    public init(root: String, lockTimeout: Double = 10, fileLimit: Int = Store.maxFileBytes) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = POSIXFile.resolve(r)
        self.lockTimeout = lockTimeout
        self.fileLimit = fileLimit
    }

    public var runbookPath: String { root + "/runbook.json" }
    public var activeDirectory: String { root + "/active" }
    public var archiveDirectory: String { root + "/archive" }
    public var templatesDirectory: String { root + "/templates" }
    var lockPath: String { root + "/.lock" }
    var lastIDPath: String { root + "/.last-id" }

    public var exists: Bool { POSIXFile.kind(runbookPath) == .file }

    // MARK: Creating

    /// Creates the store (root 0700, then, under the lock, its directories and runbook) if
    /// missing. Never replaces a runbook. Returns true when this call created the runbook:
    /// of two racing calls exactly one does.
    @discardableResult
    public func initialize(runbook: Runbook? = nil) throws -> Bool {
        try withLock(setUpWith: runbook) { created in created }
    }

    /// The directories and runbook. Call with the lock held.
    private func setUp(runbook: Runbook?) throws -> Bool {
        try POSIXFile.makeDirectory(activeDirectory)
        try POSIXFile.makeDirectory(archiveDirectory)
        switch POSIXFile.kind(runbookPath) {
        case .file: return false
        case .missing: break
        case .symlink: throw POSIXFile.linkRefused(runbookPath)
        case let other: throw IncidentError.storage("\(runbookPath) is \(POSIXFile.describe(other)); incident refuses to replace it.")
        }
        let chosen = runbook ?? Runbook.builtInDefault
        try POSIXFile.writeAtomically(Array(try chosen.encoded()), directory: root, name: "runbook.json", limit: Store.maxFileBytes)
        return true
    }

    // MARK: Reading

    /// The store's runbook, or the built-in default when the store does not exist yet.
    /// - Parameter fullCheck: check it in full even when `.runbook-checked` says this binary
    ///   already did (`doctor` does, so that nothing it reports rests on a note).
    public func loadRunbook(fullCheck: Bool = false) throws -> Runbook {
        guard POSIXFile.exists(runbookPath) else { return Runbook.builtInDefault }
        return try POSIXFile.readSettled(runbookPath, limit: Store.maxFileBytes) { bytes, _, fingerprint in
            let checked = fingerprint.map { RunbookCheck.key(fingerprint: $0, bytes: bytes) }
            if !fullCheck, let checked, RunbookCheck.holds(checked, root: root), let runbook = RunbookReader.runbook(Data(bytes)),
               runbook.schemaVersion <= Runbook.currentSchemaVersion, !runbook.levels.isEmpty, !runbook.phases.isEmpty {
                return runbook
            }
            let runbook = try Runbook.decode(Data(bytes), origin: runbookPath)
            if let checked { RunbookCheck.record(checked, root: root) }
            return runbook
        }
    }

    func path(of id: IncidentID, in location: IncidentLocation) -> String {
        switch location {
        case .active: return activeDirectory + "/" + id.fileName
        case let .archive(year): return archiveDirectory + "/" + String(year) + "/" + id.fileName
        }
    }

    func directory(of location: IncidentLocation) -> String {
        switch location {
        case .active: return activeDirectory
        case let .archive(year): return archiveDirectory + "/" + String(year)
        }
    }

    var archiveYears: [Int] {
        POSIXFile.list(archiveDirectory).compactMap { name in
            name.count == 4 && name.allSatisfy(\.isASCIIDigit) ? Int(name) : nil
        }.sorted()
    }

    /// Every place a file for `id` exists.
    public func locations(of id: IncidentID) -> [IncidentLocation] {
        var found: [IncidentLocation] = []
        if POSIXFile.exists(path(of: id, in: .active)) { found.append(.active) }
        for year in archiveYears where POSIXFile.exists(path(of: id, in: .archive(year: year))) {
            found.append(.archive(year: year))
        }
        return found
    }

    /// Loads one incident. If it is in two places (a crash between writing the archive copy and
    /// removing the active one, or a merge where one clone archived it while another edited it),
    /// the copies are merged (union of their events); the next write keeps one file.
    public func load(_ id: IncidentID) throws -> (IncidentRecord, IncidentLocation) {
        do { return try loadOnce(id) } catch IncidentError.notFound {
            // A writer may have moved it (close: active → archive) between listing and
            // reading; readers take no lock, so look once more before saying it is gone.
            return try loadOnce(id)
        }
    }

    private func loadOnce(_ id: IncidentID) throws -> (IncidentRecord, IncidentLocation) {
        let places = locations(of: id)
        guard !places.isEmpty else {
            if id.isProvisional, let numbered = resolveAlias(id) { return try load(numbered) }
            throw IncidentError.notFound("No incident \(id) in \(root); 'incident list --all' shows the incidents there.")
        }
        var found: [(IncidentRecord, IncidentLocation)] = []
        var firstError: Error?
        for place in places {
            do {
                found.append((try decodeRecord(at: path(of: id, in: place), expecting: id, remember: places.count == 1), place))
            } catch {
                firstError = firstError ?? error
            }
        }
        guard let first = found.first else { throw firstError ?? IncidentError.notFound("No incident \(id) in \(root).") }
        if found.count == 1 { return first }
        recentRead.forget()
        let merged = try IncidentMerge.merge(found.map(\.0))
        let wanted: IncidentLocation = merged.state.status == .closed ? .archive(year: CivilTime(merged.state.declaredAt).year) : .active
        return (merged, found.contains { $0.1 == wanted } ? wanted : first.1)
    }

    /// Reads and checks one incident file. The state is always recomputed from the events.
    public func decodeRecord(at path: String, expecting id: IncidentID? = nil) throws -> IncidentRecord {
        try decodeRecord(at: path, expecting: id, remember: false)
    }

    /// With `remember`, what was read is kept (`recentRead`) when the file did not change
    /// while it was read, so that `save` can append to it.
    func decodeRecord(at path: String, expecting id: IncidentID?, remember: Bool) throws -> IncidentRecord {
        try POSIXFile.readSettled(path, limit: fileLimit) { bytes, before, _ in
            var eventsEnd: Int?
            let record = try Store.decodeRecord(bytes, path: path, expecting: id, eventsEnd: &eventsEnd)
            if remember {
                if let before, let eventsEnd, FileFingerprint.of(path) == before {
                    recentRead.remember(RecentRead.File(path: path, fingerprint: before, bytes: bytes, eventsEnd: eventsEnd,
                                                        events: record.events, schemaVersion: record.schemaVersion))
                } else {
                    recentRead.forget()
                }
            }
            return record
        }
    }

    public static func decodeRecord(_ data: Data, path: String, expecting id: IncidentID? = nil) throws -> IncidentRecord {
        var eventsEnd: Int?
        return try decodeRecord(Array(data), path: path, expecting: id, eventsEnd: &eventsEnd)
    }

    static func decodeRecord(_ bytes: [UInt8], path: String, expecting id: IncidentID?, eventsEnd: inout Int?) throws -> IncidentRecord {
        // The direct reader takes any file it can read with certainty; anything else goes
        // the general way below, which names what is wrong.
        let fast = bytes.withUnsafeBufferPointer { RecordCodec.decode($0) }
        eventsEnd = fast?.eventsEnd
        var record: IncidentRecord
        if let fast, fast.schemaVersion >= 1, fast.schemaVersion <= IncidentRecord.currentSchemaVersion {
            record = IncidentRecord(schemaVersion: fast.schemaVersion, id: fast.id, runbook: fast.runbook,
                                    state: fast.state, events: fast.events)
        } else {
            record = try decodeRecordInGeneral(Data(bytes), path: path)
        }
        if let id, record.id != id {
            throw IncidentError.corrupt(path: path, reason: "'id' is \(record.id) but the file is named for \(id)")
        }
        guard !record.events.isEmpty else { throw IncidentError.corrupt(path: path, reason: "'events' is empty") }
        do {
            record.state = try IncidentState.derive(id: record.id, events: record.events)
        } catch let error as IncidentError {
            if case let .corrupt(_, reason) = error { throw IncidentError.corrupt(path: path, reason: reason) }
            throw error
        }
        return record
    }

    /// `JSONDecoder`'s reading of an incident file, with a sentence for whatever is wrong.
    static func decodeRecordInGeneral(_ data: Data, path: String) throws -> IncidentRecord {
        do {
            try JSONShape.check(data)
        } catch let problem as JSONShape.Problem {
            throw IncidentError.corrupt(path: path, reason: problem.description)
        }
        let decoder = JSONDecoder()
        let header: SchemaHeader
        do {
            header = try decoder.decode(SchemaHeader.self, from: data)
        } catch let error as DecodingError {
            // The JSON itself is sound (checked above): say which field is wrong.
            throw IncidentError.corrupt(path: path, reason: IncidentKit.describe(error))
        } catch {
            throw IncidentError.corrupt(path: path, reason: "it is not valid JSON")
        }
        guard let version = header.schemaVersion else {
            throw IncidentError.corrupt(path: path, reason: "'schemaVersion' is missing")
        }
        if version > IncidentRecord.currentSchemaVersion {
            throw IncidentError.corrupt(path: path, reason: "its schemaVersion \(version) is newer than this incident binary understands (\(IncidentRecord.currentSchemaVersion)); upgrade incident rather than let an old version drop fields")
        }
        if version < 1 {
            throw IncidentError.corrupt(path: path, reason: "schemaVersion \(version) is not a version incident ever wrote")
        }
        do {
            return try decoder.decode(IncidentRecord.self, from: data)
        } catch let error as DecodingError {
            throw IncidentError.corrupt(path: path, reason: describe(error))
        } catch let error as UnknownKeyError {
            throw IncidentError.corrupt(path: path, reason: error.description)
        } catch let IncidentError.corrupt(_, reason) {
            // The state recomputed from the events, when the cached one was unusable.
            throw IncidentError.corrupt(path: path, reason: reason)
        }
    }

    /// Every incident file under one directory: the good ones and the problems.
    func scan(_ directory: String) -> ([IncidentRecord], [StoreProblem]) {
        var records: [IncidentRecord] = []
        var problems: [StoreProblem] = []
        if POSIXFile.kind(directory) == .symlink {
            return ([], [StoreProblem(path: directory, reason: "is a symbolic link; the store refuses links inside it")])
        }
        for name in POSIXFile.list(directory).sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = directory + "/" + name
            guard let id = IncidentID(String(name.dropLast(5))), IncidentID(String(name.dropLast(5)))?.fileName == name else {
                problems.append(StoreProblem(path: path, reason: "the file name is not an incident ID like INC-42.json"))
                continue
            }
            do {
                records.append(try decodeRecord(at: path, expecting: id))
            } catch IncidentError.notFound {
                continue  // moved or removed by a writer since the listing: not a problem
            } catch {
                problems.append(StoreProblem(path: path, error: error))
            }
        }
        return (records, problems)
    }

    /// The incidents in `active/`. One that also has a file in the archive (a close or reopen
    /// caught mid-way, or stopped there by a crash) is read as `load` reads it, both copies
    /// merged, and left out if the merged incident is closed.
    /// The copy is looked for in every archive year (one moved to another year by hand is
    /// still the incident's, as `load` finds it), and for provisional IDs too.
    public func loadActive() -> ([IncidentRecord], [StoreProblem]) {
        let (records, problems) = scan(activeDirectory)
        let years = records.isEmpty ? [] : archiveYears
        return (records.compactMap { r in
            guard years.contains(where: { POSIXFile.kind(path(of: r.id, in: .archive(year: $0))) != .missing }),
                  let (merged, _) = try? load(r.id) else { return r }
            return merged.state.status == .closed ? nil : merged
        }, problems)
    }

    /// The incidents in the archive; one that also has a file in `active/` is read merged,
    /// as in `loadActive`, and left out unless the merged incident is closed.
    public func loadArchived() -> ([IncidentRecord], [StoreProblem]) {
        var records: [IncidentRecord] = []
        var problems: [StoreProblem] = []
        for year in archiveYears {
            let (r, p) = scan(archiveDirectory + "/" + String(year))
            records += r; problems += p
        }
        return (records.compactMap { r in
            guard POSIXFile.kind(path(of: r.id, in: .active)) != .missing,
                  let (merged, _) = try? load(r.id) else { return r }
            return merged.state.status == .closed ? merged : nil
        }, problems)
    }

    // MARK: Writing

    /// Runs `body` holding the store's lock (exclusive). Creates the store first if it does
    /// not exist: the root (0700, so the lock file has a place), then the lock, then the rest,
    /// so parallel first commands on a new store serialise like any others.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try withLock(setUpWith: nil) { _ in try body() }
    }

    private func withLock<T>(setUpWith runbook: Runbook?, _ body: (Bool) throws -> T) throws -> T {
        POSIXFile.setRestrictiveUmask()
        try POSIXFile.makeDirectory(root)
        let lock = try POSIXFile.Lock(path: lockPath, timeout: lockTimeout)
        defer { lock.release() }
        sweepTemporaryFiles()
        let created = try setUp(runbook: runbook)
        let result = try body(created)
        Store.finishedAWrite.store(true, ordering: .relaxed)
        return result
    }

    /// Whether this process finished a change under the write lock (its report may still
    /// fail to print: the process then says the change is stored, and does not exit non-zero
    /// for it, so that a script does not make it twice).
    public static let finishedAWrite = Atomic<Bool>(false)

    /// Runs `body` holding the lock shared: checkers (`verify`, `doctor`) see no write half
    /// done, and never wait for each other. Creates nothing; a store without a lock file (or
    /// one this user may only read) has no writer to wait for.
    public func withSharedLock<T>(_ body: () throws -> T) throws -> T {
        guard POSIXFile.kind(root) == .directory else { return try body() }
        let lock = try POSIXFile.Lock.forReading(path: lockPath, timeout: lockTimeout)
        defer { lock?.release() }
        return try body()
    }

    var evidenceDirectory: String { root + "/evidence" }
    var postmortemsDirectory: String { root + "/postmortems" }

    /// Removes temp files a killed writer left behind. Called with the lock held, when no
    /// other writer can be mid-write. Evidence copies are streamed before the lock is taken,
    /// so theirs are removed only once the process that made them is gone. A year of the
    /// archive is swept when a write goes there, so a write never lists the whole archive.
    func sweepTemporaryFiles() {
        for dir in [root, activeDirectory, archiveDirectory, postmortemsDirectory] {
            for name in POSIXFile.list(dir) where name.hasPrefix(POSIXFile.tempPrefix) {
                try? POSIXFile.remove(dir + "/" + name)
            }
        }
        for name in POSIXFile.list(evidenceDirectory) where name.hasPrefix(POSIXFile.tempPrefix) && POSIXFile.tempOwnerIsGone(name) {
            try? POSIXFile.remove(evidenceDirectory + "/" + name)
        }
    }

    func sweepTemporaryFiles(in dir: String) {
        for name in POSIXFile.list(dir) where name.hasPrefix(POSIXFile.tempPrefix) {
            try? POSIXFile.remove(dir + "/" + name)
        }
    }

    /// The bytes `save` writes for `record` (pretty-printed, sorted keys, newline-terminated).
    public static func encodedFile(_ record: IncidentRecord) throws -> [UInt8] { try encode(record) }

    /// The bytes of an incident file, checked against what the reader accepts: every time
    /// storable (`Timestamp.encode` refuses others) and the whole file within
    /// `maxFileBytes`, measured after encoding (escaping can make it larger than its text).
    public static func encode(_ record: IncidentRecord, limit: Int = Store.maxFileBytes) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try RecordCodec.encode(record)
        } catch let EncodingError.invalidValue(_, context) {
            throw IncidentError.invalidInput("\(record.id) was not changed: \(context.debugDescription).")
        }
        if bytes.count > limit {
            throw IncidentError.refused("\(record.id) was not changed: its file would be \(bytes.count) bytes, over the \(limit) bytes (\(limit >> 20) MiB) an incident file may hold; attach large material as evidence, or declare a follow-up incident.")
        }
        return bytes
    }

    /// Writes the record where its status says it belongs (closed → archive), removing any
    /// other copy afterwards. Call with the lock held.
    /// Also keeps the derived indexes current (`runbook`: the snapshot the caller validated
    /// with, so the index says which runbook its timers were computed under).
    public func save(_ record: IncidentRecord, runbook: RunbookSnapshot? = nil) throws {
        // An older file is re-hashed in the current format (only if it verifies as it is).
        let record = try record.migratedToCurrentFormat()
        let target: IncidentLocation = record.state.status == .closed
            ? .archive(year: CivilTime(record.state.declaredAt).year) : .active
        let directory = directory(of: target)
        let bytes = try appendedFile(record, at: target) ?? Store.encode(record, limit: fileLimit)
        try POSIXFile.makeDirectory(directory)
        if case .archive = target { sweepTemporaryFiles(in: directory) }
        try POSIXFile.writeAtomically(bytes, directory: directory, name: record.id.fileName, limit: fileLimit)
        var removed: [IncidentLocation] = []
        for other in locations(of: record.id) where other != target {
            try POSIXFile.remove(path(of: record.id, in: other))
            POSIXFile.syncDirectory(self.directory(of: other))
            removed.append(other)
        }
        updateIndexes(record, at: target, removed: removed, runbook: runbook)
    }

    /// The new file for `record` as the file read last plus the events added since, when that
    /// file is where `record` goes, has not changed since it was read, and holds exactly the
    /// first events of `record` in the same format version. Nil: encode the whole file.
    func appendedFile(_ record: IncidentRecord, at target: IncidentLocation) throws -> [UInt8]? {
        let path = path(of: record.id, in: target)
        guard let read = recentRead.take(path), read.schemaVersion == record.schemaVersion,
              record.events.count > read.events.count,
              record.events[..<read.events.count].elementsEqual(read.events),
              FileFingerprint.of(path) == read.fingerprint else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try RecordCodec.append(to: read.bytes, eventsEnd: read.eventsEnd, count: read.events.count, record)
        } catch let EncodingError.invalidValue(_, context) {
            throw IncidentError.invalidInput("\(record.id) was not changed: \(context.debugDescription).")
        }
        return bytes.count <= fileLimit ? bytes : nil  // over the limit: `encode` says so
    }

    /// The next free ID. Call with the lock held; `save` the new record before releasing it.
    /// `.last-id` is a hint: a value that is not a plausible count of the incident files
    /// (garbage, negative, huge, not a regular file) is ignored and rebuilt from the files.
    public func allocateID() throws -> IncidentID {
        let highest = highestIncidentNumber()
        var last = highest
        if case let .value(n) = readCounter(), Store.counterIsPlausible(n, highest: highest) {
            last = max(n, highest)
        }
        var candidate = last + 1
        while candidate <= IncidentID.maxNumber, !locations(of: IncidentID(number: candidate)).isEmpty { candidate += 1 }
        guard candidate <= IncidentID.maxNumber else {
            throw IncidentError.storage("No incident IDs are left in \(root): INC-\(IncidentID.maxNumber) is the largest incident can read back.")
        }
        try POSIXFile.writeAtomically(Array("\(candidate)\n".utf8), directory: root, name: ".last-id", limit: 64, replacingSpecialFiles: true)
        return IncidentID(number: candidate)
    }

    /// How far `.last-id` may run ahead of the incident files (deleted incidents) before it
    /// is taken for damage.
    static let counterSlack = 10_000

    static func counterIsPlausible(_ n: Int, highest: Int) -> Bool {
        n >= 0 && n < IncidentID.maxNumber && n <= highest + counterSlack
    }

    enum Counter: Equatable { case missing, value(Int), unusable(String) }

    /// What `.last-id` holds: digits and a newline, read without following a link or blocking.
    func readCounter() -> Counter {
        if POSIXFile.kind(lastIDPath) == .missing { return .missing }
        let bytes: [UInt8]
        do { bytes = try POSIXFile.read(lastIDPath, limit: 64) } catch let e as IncidentError {
            if case .notFound = e { return .missing }
            if case let .corrupt(_, reason) = e { return .unusable(reason) }
            return .unusable(e.description)
        } catch { return .unusable("it cannot be read") }
        var digits = bytes[...]
        while let last = digits.last, last == 0x0a || last == 0x0d || last == 0x20 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let n = Int(String(decoding: digits, as: UTF8.self)) else {
            return .unusable("it does not hold a whole number")
        }
        return .value(n)
    }

    /// The largest incident number among the files in active/ and archive/ (by name).
    func highestIncidentNumber() -> Int {
        var highest = 0
        var directories = [activeDirectory]
        directories += archiveYears.map { archiveDirectory + "/" + String($0) }
        for dir in directories {
            for name in POSIXFile.list(dir) where name.hasSuffix(".json") {
                if let id = IncidentID(String(name.dropLast(5))), id.fileName == name { highest = max(highest, id.number) }
            }
        }
        return highest
    }

    /// A sentence when `.last-id` disagrees with the incident files (for `doctor` and
    /// `verify`); nil when it agrees or is simply absent.
    public func counterDisagreement() -> String? {
        let highest = highestIncidentNumber()
        switch readCounter() {
        case .missing: return nil
        case let .unusable(reason): return "\(lastIDPath) is unusable (\(reason)); the next declare rebuilds it from the incident files"
        case let .value(n):
            // A counter behind the files is not reported: it is how every clone stands after a
            // sync brings in higher numbers, and the next declare skips past the files.
            if !Store.counterIsPlausible(n, highest: highest) {
                return "\(lastIDPath) says \(n), \(n < 0 ? "which no count of incidents can be" : "implausibly far past the highest incident (INC-\(highest))"); the next declare rebuilds it from the incident files"
            }
            return nil
        }
    }
}

/// The incident file this process read last (one: a command writes the incident it loaded),
/// kept so that `save` can append to it rather than rewrite it.
let recentRead = RecentRead()

final class RecentRead: Sendable {
    struct File: Sendable {
        var path: String
        var fingerprint: FileFingerprint
        var bytes: [UInt8]
        var eventsEnd: Int
        var events: [Event]
        var schemaVersion: Int
    }

    private let file = Mutex<File?>(nil)

    func remember(_ f: File) { file.withLock { $0 = f } }
    func forget() { file.withLock { $0 = nil } }

    /// The file read last, if it is `path`; it is given up either way.
    func take(_ path: String) -> File? {
        file.withLock { f in
            defer { f = nil }
            return f?.path == path ? f : nil
        }
    }
}
