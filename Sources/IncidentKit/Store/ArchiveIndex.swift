#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What `list` shows of an incident, without its events.
public struct IncidentSummary: Codable, Sendable, Equatable {
    public var id: IncidentID
    public var title: String
    public var severity: String
    public var status: IncidentStatus
    public var phase: String
    public var type: String?
    public var drill: Bool
    public var startedAt: Timestamp
    public var declaredAt: Timestamp
    public var acknowledgedAt: Timestamp?
    public var resolvedAt: Timestamp?
    public var closedAt: Timestamp?
    public var roles: [String: String]
    /// `declined` or `merged`; nil for every other incident.
    public var outcome: IncidentOutcome?
    public var mergedInto: IncidentID?
    public var summary: String?
    /// Owners of the open action items (for `list --mine`).
    public var actionOwners: [String]?

    public init(_ record: IncidentRecord) {
        self.init(record.state)
        let owners = ActionItems.items(in: record).filter { $0.status == .open }.compactMap(\.owner)
        actionOwners = owners.isEmpty ? nil : Array(Set(owners)).sorted()
    }

    public init(_ s: IncidentState) {
        id = s.id; title = s.title; severity = s.severity; status = s.status; phase = s.phase; type = s.type
        drill = s.drill; startedAt = s.startedAt; declaredAt = s.declaredAt; acknowledgedAt = s.acknowledgedAt
        resolvedAt = s.resolvedAt; closedAt = s.closedAt; roles = s.roles
        outcome = s.outcome; mergedInto = s.mergedInto; summary = s.summary
    }
}

/// A derived, self-healing index of the archive: `<store>/archive/.index`, one line per
/// archived file with its size and modification time and its summary. A line whose file
/// changed (size or mtime) or vanished is ignored and the file is read instead; the index
/// is rewritten when the lock is free. Deleting the index is always safe.
struct ArchiveIndex {
    static let header = "incident-archive-index v2"

    struct Entry: Codable {
        var file: String
        var size: Int64
        var mtime: Int64
        var summary: IncidentSummary
    }

    static func fingerprint(_ path: String) -> (Int64, Int64)? {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return (Int64(st.st_size), Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    static func read(_ path: String) -> [String: Entry] {
        guard let bytes = try? POSIXFile.read(path, limit: Store.maxFileBytes) else { return [:] }
        var entries: [String: Entry] = [:]
        let decoder = JSONDecoder()
        var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: true)[...]
        guard let first = lines.first, String(decoding: first, as: UTF8.self) == header else { return [:] }
        lines = lines.dropFirst()
        for line in lines {
            // A line with a repeated key or absurd nesting is as untrusted as a garbled one.
            guard (try? JSONShape.check(Array(line))) != nil else { continue }
            if let e = try? decoder.decode(Entry.self, from: Data(line)) { entries[e.file] = e }
        }
        return entries
    }

    static func write(_ entries: [Entry], to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Array((header + "\n").utf8)
        for e in entries.sorted(by: { $0.file < $1.file }) {
            out += Array(try encoder.encode(e))
            out.append(0x0a)
        }
        try POSIXFile.writeAtomically(out, directory: directory, name: ".index")
    }
}

extension Store {
    var archiveIndexPath: String { archiveDirectory + "/.index" }

    /// Every archived incident's summary, from the index where it is fresh, else from the file.
    public func archivedSummaries() -> ([IncidentSummary], [StoreProblem]) {
        let index = ArchiveIndex.read(archiveIndexPath)
        var fresh: [ArchiveIndex.Entry] = []
        var problems: [StoreProblem] = []
        var stale = false
        for year in archiveYears {
            let dir = archiveDirectory + "/" + String(year)
            for name in POSIXFile.list(dir).sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
                let rel = String(year) + "/" + name
                let path = dir + "/" + name
                guard let id = IncidentID(String(name.dropLast(5))), id.fileName == name else {
                    problems.append(StoreProblem(path: path, reason: "the file name is not an incident ID like INC-42.json"))
                    continue
                }
                guard let (size, mtime) = ArchiveIndex.fingerprint(path) else {
                    problems.append(StoreProblem(path: path, reason: "is not a regular file (a symbolic link?)"))
                    continue
                }
                if let e = index[rel], e.size == size, e.mtime == mtime, e.summary.id == id {
                    fresh.append(e)
                    continue
                }
                stale = true
                do {
                    let record = try decodeRecord(at: path, expecting: id)
                    fresh.append(ArchiveIndex.Entry(file: rel, size: size, mtime: mtime, summary: IncidentSummary(record)))
                } catch {
                    problems.append(StoreProblem(path: path, error: error))
                }
            }
        }
        if stale || index.count != fresh.count { refreshIndex(fresh) }
        return (fresh.map(\.summary), problems)
    }

    /// Rewrites the index if the lock is free right now; a reader never waits for it.
    func refreshIndex(_ entries: [ArchiveIndex.Entry]) {
        guard POSIXFile.kind(root) == .directory, POSIXFile.kind(archiveDirectory) == .directory,
              let lock = try? POSIXFile.Lock(path: lockPath, timeout: 0) else { return }
        defer { lock.release() }
        try? ArchiveIndex.write(entries, to: archiveDirectory)
    }
}
