#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One finding of `incident doctor`.
public struct Diagnosis: Sendable, Equatable {
    public var path: String
    public var problem: String
    public var repair: String
}

extension Store {
    public func path(for id: IncidentID, in location: IncidentLocation) -> String { path(of: id, in: location) }

    /// The `state` object exactly as stored in the file (not recomputed), for `verify`.
    public func storedState(at path: String) throws -> IncidentState {
        struct Raw: Decodable { var state: IncidentState }
        let bytes = try POSIXFile.read(path, limit: Store.maxFileBytes)
        return try JSONDecoder().decode(Raw.self, from: Data(bytes)).state
    }

    /// Every problem in the store, with how to repair it. Read-only.
    public func diagnose() -> [Diagnosis] {
        var out: [Diagnosis] = []
        guard POSIXFile.kind(root) == .directory else {
            return [Diagnosis(path: root, problem: "there is no store here", repair: "run 'incident init' (or any 'incident declare') to create it")]
        }
        switch POSIXFile.kind(runbookPath) {
        case .missing:
            out.append(Diagnosis(path: runbookPath, problem: "the store has no runbook", repair: "run 'incident init' to write the default, or 'incident init --runbook NAME'"))
        case .file:
            do { _ = try loadRunbook() } catch {
                out.append(Diagnosis(path: runbookPath, problem: "\(error)", repair: "fix the field named, check it with 'incident runbook validate \(runbookPath)', or restore it from git"))
            }
        default:
            out.append(Diagnosis(path: runbookPath, problem: "is not a regular file (a symbolic link?)", repair: "replace it with a regular file"))
        }
        var directories: [String] = [activeDirectory]
        for name in POSIXFile.list(archiveDirectory).sorted() where name != DerivedIndex.name && !name.hasPrefix(POSIXFile.tempPrefix) {
            let p = archiveDirectory + "/" + name
            if name.count == 4 && name.allSatisfy(\.isASCIIDigit) && POSIXFile.kind(p) == .directory { directories.append(p) }
            else { out.append(Diagnosis(path: p, problem: "is not a year directory of the archive", repair: "move it out of the store")) }
        }
        for dir in [root, activeDirectory, archiveDirectory] + directories where POSIXFile.kind(dir) == .symlink {
            out.append(Diagnosis(path: dir, problem: "is a symbolic link; the store refuses links inside it", repair: "replace the link with a real directory"))
        }
        var seen: [IncidentID: String] = [:]
        for dir in directories {
            for name in POSIXFile.list(dir).sorted() {
                let path = dir + "/" + name
                if name == DerivedIndex.name && (dir == activeDirectory) { continue }
                if name.hasPrefix(POSIXFile.tempPrefix) {
                    out.append(Diagnosis(path: path, problem: "a temporary file left by an interrupted write", repair: "harmless; the next command that writes removes it"))
                    continue
                }
                guard name.hasSuffix(".json"), let id = IncidentID(String(name.dropLast(5))), id.fileName == name else {
                    out.append(Diagnosis(path: path, problem: "is not an incident file (names look like INC-42.json)", repair: "move it out of the store"))
                    continue
                }
                if POSIXFile.kind(path) == .symlink {
                    out.append(Diagnosis(path: path, problem: "is a symbolic link; the store refuses links inside it", repair: "replace it with the file it points to"))
                    continue
                }
                if let other = seen[id] {
                    out.append(Diagnosis(path: path, problem: "\(id) also exists at \(other) (an interrupted archive or reopen)", repair: "the copy with more events is used; the next change to \(id) removes the other"))
                }
                seen[id] = path
                var st = stat()
                if lstat(path, &st) == 0 && st.st_mode & 0o077 != 0 {
                    out.append(Diagnosis(path: path, problem: "is readable by other users (mode \(String(st.st_mode & 0o777, radix: 8)))", repair: "chmod 600 '\(path)'"))
                }
                let record: IncidentRecord
                do { record = try decodeRecord(at: path, expecting: id) } catch {
                    out.append(Diagnosis(path: path, problem: "unreadable: " + StoreProblem(path: path, error: error).reason,
                                         repair: "fix the field named by hand or restore the file from git; the file is never overwritten while it is unreadable"))
                    continue
                }
                let report = Verifier.verify(record)
                if !report.ok {
                    out.append(Diagnosis(path: path, problem: "the hash chain is broken: \(report.problems[0])", repair: "restore the file from git or a backup; if the edit was deliberate, record why in a note"))
                }
                if let stored = try? storedState(at: path), stored != record.state {
                    out.append(Diagnosis(path: path, problem: "the cached state differs from the state recomputed from the events", repair: "harmless for incident (it uses the events); the next change to \(id) rewrites the cache"))
                }
            }
        }
        if let snapshot = try? loadRunbookSnapshot() {
            for d in indexDisagreements(runbook: snapshot) {
                out.append(Diagnosis(path: d.index, problem: d.file == d.index ? d.problem : "\(d.file): \(d.problem)",
                                     repair: "harmless for the files: the index is derived; delete it, or run 'incident verify', and the next 'list' rebuilds it"))
            }
        }
        return out
    }
}

extension Store {
    /// Copies an evidence file into `<store>/evidence/INC-N/`, returning the copy's path.
    public func keepEvidenceCopy(of source: String, incident: IncidentID, item: String) throws -> String {
        let base = source.split(separator: "/").last.map(String.init) ?? "file"
        let safe = String(base.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(100))
        let name = item + "-" + (safe.hasPrefix(".") ? "_" + safe : safe)
        let directory = root + "/evidence/" + incident.description
        try POSIXFile.copyInto(source, directory: directory, name: name)
        return directory + "/" + name
    }
}
