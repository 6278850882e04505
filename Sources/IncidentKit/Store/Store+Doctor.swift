#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One finding of `incident doctor`.
public struct Diagnosis: Sendable, Equatable {
    public var path: String
    public var problem: String
    public var repair: String
}

extension Store {
    public func path(for id: IncidentID, in location: IncidentLocation) -> String { path(of: id, in: location) }

    /// One incident file as a checker sees it: the record (state recomputed from the events)
    /// and the `state` object exactly as stored, both from a single read of the file, so a
    /// concurrent writer can never make the two disagree.
    public struct CheckedFile: Sendable {
        public var path: String
        public var record: IncidentRecord
        /// nil when the stored state is missing or malformed (`storedStateProblem` says how).
        public var storedState: IncidentState?
        /// What is wrong with the stored state object, if anything is: readers recompute
        /// the state from the events, so this is harmless, but it is not what incident wrote.
        public var storedStateProblem: String?

        /// The sentence `verify` and `doctor` give when the cached state is not what the
        /// events say, or nil.
        public var storedStateDisagreement: String? {
            if let storedStateProblem { return "the cached state in the file is malformed (\(storedStateProblem))" }
            if let storedState, storedState != record.state {
                return "the cached state in the file differs from the state recomputed from its events (someone edited it by hand)"
            }
            return nil
        }
    }

    /// An open incident at a severity or phase the runbook does not define (a level removed
    /// or renamed in runbook.json, by hand or through git): none of its deadlines are tracked.
    /// An incident at a severity the runbook does not define: what is wrong, and the repair.
    public static func untrackedSeverity(_ id: IncidentID, _ severity: String) -> (problem: String, repair: String) {
        ("\(id) is at severity '\(severity)', which the runbook does not define, so none of its deadlines are tracked",
         "give it a level the runbook has ('incident severity \(id) LEVEL'), or put the level back in runbook.json")
    }

    public static func outsideRunbook(_ state: IncidentState, _ runbook: Runbook) -> (problem: String, repair: String)? {
        guard state.status != .closed else { return nil }
        if runbook.level(id: state.severity) == nil { return untrackedSeverity(state.id, state.severity) }
        if runbook.phase(id: state.phase) == nil {
            return ("\(state.id) is in phase '\(state.phase)', which the runbook does not define",
                    "move it to a phase the runbook has ('incident phase \(state.id) PHASE'), or put the phase back in runbook.json")
        }
        return nil
    }

    public func readForChecking(at path: String, expecting id: IncidentID? = nil) throws -> CheckedFile {
        let data = Data(try POSIXFile.read(path, limit: fileLimit))
        let record = try Store.decodeRecord(data, path: path, expecting: id)
        var file = CheckedFile(path: path, record: record)
        do {
            file.storedState = try JSONDecoder().decode(IncidentRecord.StoredState.self, from: data).state
        } catch let error as DecodingError {
            file.storedStateProblem = IncidentKit.describe(error)
        } catch {
            file.storedStateProblem = String(describing: error)
        }
        return file
    }

    /// Every incident file (active and archived) read once for checking, and the files that
    /// could not be read. Call under `withSharedLock` so no writer is mid-change.
    public func checkAll() -> ([CheckedFile], [StoreProblem]) {
        var files: [CheckedFile] = []
        var problems: [StoreProblem] = []
        var directories = [activeDirectory]
        directories += archiveYears.map { archiveDirectory + "/" + String($0) }
        for directory in directories {
            if POSIXFile.kind(directory) == .symlink {
                problems.append(StoreProblem(path: directory, reason: "is a symbolic link; the store refuses links inside it"))
                continue
            }
            for name in POSIXFile.list(directory).sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
                let path = directory + "/" + name
                guard let id = IncidentID(String(name.dropLast(5))), id.fileName == name else {
                    problems.append(StoreProblem(path: path, reason: "the file name is not an incident ID like INC-42.json"))
                    continue
                }
                do { files.append(try readForChecking(at: path, expecting: id)) } catch {
                    problems.append(StoreProblem(path: path, error: error))
                }
            }
        }
        return (files, problems)
    }

    /// One incident read once for checking (the copy with more events if there are two).
    public func checkOne(_ id: IncidentID) throws -> CheckedFile {
        let places = locations(of: id)
        guard !places.isEmpty else {
            throw IncidentError.notFound("No incident \(id) in \(root); 'incident list --all' shows the incidents there.")
        }
        var best: CheckedFile?
        var firstError: Error?
        for place in places {
            do {
                let file = try readForChecking(at: path(of: id, in: place), expecting: id)
                if let b = best, b.record.events.count >= file.record.events.count { continue }
                best = file
            } catch {
                firstError = firstError ?? error
            }
        }
        if let best { return best }
        throw firstError ?? IncidentError.notFound("No incident \(id) in \(root).")
    }

    /// Every problem in the store, with how to repair it. Read-only.
    public func diagnose() -> [Diagnosis] {
        var out: [Diagnosis] = []
        guard POSIXFile.kind(root) == .directory else {
            return [Diagnosis(path: root, problem: "there is no store here", repair: "run 'incident init' (or any 'incident declare') to create it")]
        }
        var policy: Runbook?
        switch POSIXFile.kind(runbookPath) {
        case .missing:
            out.append(Diagnosis(path: runbookPath, problem: "the store has no runbook", repair: "run 'incident init' to write the default, or 'incident init --runbook NAME'"))
        case .file:
            do { policy = try loadRunbook(fullCheck: true) } catch {
                out.append(Diagnosis(path: runbookPath, problem: StoreProblem(path: runbookPath, error: error).reason, repair: "fix the field named, check it with 'incident runbook validate \(runbookPath)', or restore it from git"))
            }
        case let other:
            out.append(Diagnosis(path: runbookPath, problem: other == .symlink ? "is a symbolic link; incident never follows links in the store" : "is \(POSIXFile.describe(other)), not a regular file", repair: "replace it with a regular runbook file ('incident runbook validate' checks one)"))
        }
        for (path, what) in [(lockPath, "the lock file"), (lastIDPath, "the ID counter"), (templatesDirectory, "the templates directory"),
                             (evidenceDirectory, "the evidence directory"), (postmortemsDirectory, "the published postmortems directory"),
                             (archiveDirectory + "/.index", "the archive index")] {
            let expected: POSIXFile.Kind = path == templatesDirectory || path == evidenceDirectory || path == postmortemsDirectory ? .directory : .file
            let actual = POSIXFile.kind(path)
            if actual != .missing && actual != expected {
                out.append(Diagnosis(path: path, problem: "\(what) is \(POSIXFile.describe(actual))",
                                     repair: actual == .symlink ? "replace the link with a real \(expected == .directory ? "directory" : "file"); incident never follows links in the store" : "move it out of the store"))
            }
        }
        if POSIXFile.kind(lastIDPath) == .file, let counter = counterDisagreement() {
            out.append(Diagnosis(path: lastIDPath, problem: counter, repair: "harmless: incident rebuilds it; or delete \(lastIDPath) to rebuild it now"))
        }
        if POSIXFile.kind(templatesDirectory) == .directory {
            for name in POSIXFile.list(templatesDirectory).sorted() where !name.hasPrefix(".") {
                let path = templatesDirectory + "/" + name
                let k = POSIXFile.kind(path)
                if k != .file {
                    out.append(Diagnosis(path: path, problem: "the template is \(POSIXFile.describe(k)), not a regular file",
                                         repair: k == .symlink ? "replace the link with a copy of the file; incident never follows links in the store" : "move it out of the store"))
                }
            }
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
        for (directory, nested) in [(evidenceDirectory, true), (postmortemsDirectory, false)] where POSIXFile.kind(directory) == .directory {
            var paths: [String] = []
            for name in POSIXFile.list(directory).sorted() where !name.hasPrefix(POSIXFile.tempPrefix) {
                let path = directory + "/" + name
                if nested && POSIXFile.kind(path) == .directory {
                    paths += POSIXFile.list(path).sorted().map { path + "/" + $0 }
                } else {
                    paths.append(path)
                }
            }
            for path in paths where POSIXFile.kind(path) != .file {
                let k = POSIXFile.kind(path)
                out.append(Diagnosis(path: path, problem: "is \(POSIXFile.describe(k)), not a regular file",
                                     repair: k == .symlink ? "replace the link with the file itself; incident never follows links in the store" : "move it out of the store"))
            }
        }
        var seen: [IncidentID: String] = [:]
        for dir in directories {
            for name in POSIXFile.list(dir).sorted() {
                let path = dir + "/" + name
                if (name == DerivedIndex.name || name == CopiesCheck.name) && dir == activeDirectory { continue }  // derived hints
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
                let checked: CheckedFile
                do { checked = try readForChecking(at: path, expecting: id) } catch {
                    out.append(Diagnosis(path: path, problem: "unreadable: " + StoreProblem(path: path, error: error).reason,
                                         repair: "fix the field named by hand or restore the file from git; the file is never overwritten while it is unreadable"))
                    continue
                }
                let record = checked.record
                // Moved by hand into the wrong area (or year): readers trust where a file lies.
                let expected = self.path(of: id, in: record.state.status == .closed
                                         ? .archive(year: CivilTime(record.state.declaredAt).year) : .active)
                if path != expected, POSIXFile.kind(expected) == .missing {
                    let inArchive = path.hasPrefix(archiveDirectory + "/")
                    let problem = record.state.status != .closed
                        ? "\(id) is \(record.state.status.rawValue) but its file is in the archive, so list leaves it out"
                        : inArchive
                        ? "\(id) was declared in \(CivilTime(record.state.declaredAt).year) but its file is in another archive year; incident keeps a closed incident under the year it was declared"
                        : "\(id) is closed but its file is not in the archive, so list and sla show it as open"
                    out.append(Diagnosis(path: path, problem: problem, repair: "move it where it belongs: mv '\(path)' '\(expected)'"))
                }
                let report = Verifier.verify(record)
                if !report.ok {
                    out.append(Diagnosis(path: path, problem: "the hash chain is broken: \(report.problems[0])", repair: "restore the file from git or a backup; if the edit was deliberate, record why in a note"))
                }
                if let policy, let problem = Store.outsideRunbook(record.state, policy) {
                    out.append(Diagnosis(path: path, problem: problem.problem, repair: problem.repair))
                }
                if let problem = checked.storedStateDisagreement {
                    out.append(Diagnosis(path: path, problem: problem, repair: "harmless for incident (it uses the events); the next change to \(id) rewrites the cache"))
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
    /// Streams a copy of the evidence file `source` into `<store>/evidence/` under a temp
    /// name, hashing exactly the bytes copied. Done before the lock is taken (a disk image
    /// takes a while); `commitEvidence` then renames it into place under the lock.
    public func stageEvidence(from source: String) throws -> POSIXFile.StagedCopy {
        try POSIXFile.stageCopy(of: source, into: evidenceDirectory)
    }

    /// Moves a staged copy to `<store>/evidence/INC-N/<item>-<name>`. Call with the lock held.
    public func commitEvidence(_ staged: POSIXFile.StagedCopy, source: String, incident: IncidentID, item: String) throws -> String {
        let base = source.split(separator: "/").last.map(String.init) ?? "file"
        let safe = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") ? $0 : "_" }.prefix(100))
        // A random part: two clones that each copy evidence as E1 before a sync must not
        // write the same file name (each record names its own copy).
        var rng = SystemRandomNumberGenerator()
        let token = String(UInt32.random(in: 0...UInt32.max, using: &rng), radix: 16)
        let name = item + "-" + token + "-" + (safe.hasPrefix(".") || safe.isEmpty ? "_" + safe : safe)
        let directory = evidenceDirectory + "/" + incident.description
        try POSIXFile.move(from: staged.directory, staged.tempName, to: directory, name)
        return directory + "/" + name
    }

    /// `path` relative to the store's root when it is inside the store (what events record,
    /// so that every clone of a shared store reads the same), else unchanged.
    public func relativePath(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// A path an event recorded: relative ones are inside the store.
    public func absolutePath(_ recorded: String) -> String {
        recorded.hasPrefix("/") ? recorded : root + "/" + recorded
    }

    /// Writes a published postmortem to `<store>/postmortems/NAME` (atomic, no links).
    public func writePublished(_ bytes: [UInt8], name: String) throws -> String {
        try POSIXFile.makeDirectory(postmortemsDirectory)
        try POSIXFile.writeAtomically(bytes, directory: postmortemsDirectory, name: name, limit: Store.maxFileBytes)
        return postmortemsDirectory + "/" + name
    }
}
