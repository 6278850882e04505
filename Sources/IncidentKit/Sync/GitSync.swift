#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a `sync` did, for the person who ran it.
public struct SyncReport: Sendable {
    /// What came in: `3 new entries on INC-42`, `INC-43 declared by bob`.
    public var incoming: [String] = []
    /// Repairs made on the way (conflicts merged, renumbering, copies joined).
    public var notes: [String] = []
    /// Provisional IDs that received their number.
    public var numbered: [(IncidentID, IncidentID)] = []
    /// Commits delivered to the remote by this sync.
    public var pushed = false
    /// The remote could not be reached; everything stays committed locally.
    public var offline: String?
    /// What came in changed or removed entries, or deleted incidents, that were already here:
    /// no honest merge does that (a file edited by hand on another clone).
    public var warnings: [String] = []
    public var remote = ""
}

/// `incident sync`, the repair of a merge git left unfinished, and the numbering of
/// provisional incidents. Call every entry point with the store lock held.
extension GitStore {


    /// (ID, location) of a store-relative incident path, or nil.
    static func incidentFile(_ path: String) -> IncidentID? {
        let parts = path.split(separator: "/").map(String.init)
        guard let name = parts.last, name.hasSuffix(".json") else { return nil }
        let ok = (parts.count == 2 && parts[0] == "active")
            || (parts.count == 3 && parts[0] == "archive" && parts[1].count == 4 && parts[1].allSatisfy(\.isASCIIDigit))
        guard ok, let id = IncidentID(String(name.dropLast(5))), id.fileName == name else { return nil }
        return id
    }

    func blob(_ sha: String) -> [UInt8]? {
        guard let r = try? git(["cat-file", "blob", sha]), r.status == 0 else { return nil }
        return r.stdout
    }

    func revParse(_ ref: String) -> String? {
        guard let r = try? git(["rev-parse", "-q", "--verify", ref + "^{commit}"]), r.status == 0 else { return nil }
        let s = r.out.trimmingSet("\n ")
        return s.isEmpty ? nil : s
    }

    /// Store-relative paths git holds as unmerged, with the blob of each stage.
    func unmerged() throws -> [String: [Int: String]] {
        let r = try checked(["ls-files", "-u", "-z", "--", "."], "list the conflicted files")
        var out: [String: [Int: String]] = [:]
        for entry in r.stdout.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let tab = text.firstIndex(of: "\t") else { continue }
            let meta = text[..<tab].split(separator: " ")
            let path = String(text[text.index(after: tab)...])
            guard meta.count == 3, let stage = Int(meta[2]) else { continue }
            out[path, default: [:]][stage] = String(meta[1])
        }
        return out
    }

    // MARK: Conflicts git could not resolve

    /// Merges, by the event-log rules, every incident file git left conflicted (a rename/modify
    /// conflict, a driver that could not run, two different incidents under one ID). Returns
    /// what it did and the conflicted paths that are not incident files (left to a person).
    public func resolveConflicts(actor: Actor) throws -> (notes: [String], remaining: [String]) {
        let conflicts = try unmerged()
        var notes: [String] = []
        var remaining: [String] = []
        var done = Set<IncidentID>()
        for path in conflicts.keys.sorted() {
            guard let id = GitStore.incidentFile(path) else {
                if let note = try resolveOwnedFile(path, stages: conflicts[path] ?? [:]) { notes.append(note) } else { remaining.append(path) }
                continue
            }
            if done.contains(id) { continue }
            let stages = conflicts[path] ?? [:]
            func version(_ stage: Int) -> IncidentRecord? {
                guard let sha = stages[stage], let bytes = blob(sha) else { return nil }
                return try? Store.decodeRecord(Data(bytes), path: path)
            }
            let ours = version(2), theirs = version(3), base = version(1)
            // A side that cannot be read (damaged, or written by a newer incident) would drop
            // its entries from the union: that merge is left to a person.
            for (stage, side) in [(2, "this clone's copy"), (3, "the incoming copy")] where stages[stage] != nil && version(stage) == nil {
                var reason = "it cannot be read"
                if let sha = stages[stage], let bytes = blob(sha) {
                    do { _ = try Store.decodeRecord(Data(bytes), path: path) } catch let IncidentError.corrupt(_, why) { reason = why } catch {}
                }
                throw IncidentError.storage("\(id) changed on both sides, and \(side) of \(path) cannot be read (\(reason)), so merging would drop its entries")
            }
            // Every other conflicted path and every working copy of the same ID joins in.
            var touched = Set([path])
            for (other, _) in conflicts where GitStore.incidentFile(other) == id { touched.insert(other) }
            var copies: [IncidentRecord] = []
            for other in touched.sorted() where other != path {
                let s = conflicts[other] ?? [:]
                for stage in [2, 3] {
                    if let sha = s[stage], let bytes = blob(sha), let r = try? Store.decodeRecord(Data(bytes), path: other) { copies.append(r) }
                }
            }
            for place in store.locations(of: id) {
                let p = store.path(of: id, in: place)
                if let r = try? store.decodeRecord(at: p, expecting: id) { copies.append(r) }
                touched.insert(String(p.dropFirst(store.root.count + 1)))
            }
            if let ours, let theirs, !IncidentMerge.sameIncident(ours, theirs) {
                // Two different incidents under one number: the one already on the remote keeps
                // it; the local one, never published under that number, takes the next free one.
                for p in touched { try? POSIXFile.remove(root + "/" + p) }
                let keep = try IncidentMerge.merge([theirs] + copies.filter { IncidentMerge.sameIncident($0, theirs) })
                try store.save(keep)
                var mine = try IncidentMerge.merge([ours] + copies.filter { IncidentMerge.sameIncident($0, ours) })
                let newID = try store.allocateID()
                // The old number's file is now the team's incident: only this one moves.
                try store.renumber(&mine, to: newID, actor: actor,
                                   why: "Renumbered \(newID): \(id) was taken on the shared remote by a different incident (\"\(keep.state.title.prefix(60))\")",
                                   removingOldFile: false)
                touched.insert(String(store.path(of: newID, in: .active).dropFirst(store.root.count + 1)))
                touched.insert("archive")
                touched.insert("aliases")
                notes.append("\(id) here was a different incident from the team's \(id) (\"\(keep.state.title.prefix(60))\", declared by \(keep.events[0].author)); yours is now \(newID).")
            } else {
                let all = [ours, theirs, base].compactMap { $0 } + copies
                guard let anchor = all.first else { remaining.append(path); continue }
                let same = all.filter { IncidentMerge.sameIncident($0, anchor) }
                for p in touched { try? POSIXFile.remove(root + "/" + p) }
                let merged = try IncidentMerge.merge(same)
                try store.save(merged)
                let target: IncidentLocation = merged.state.status == .closed ? .archive(year: CivilTime(merged.state.declaredAt).year) : .active
                touched.insert(String(store.path(of: id, in: target).dropFirst(store.root.count + 1)))
                notes.append("\(id): git left a conflict in \(path); merged the two copies' events (\(merged.events.count) in all).")
            }
            done.insert(id)
            try checked(["add", "-A", "--"] + touched.sorted(), "record the merged \(id)")
        }
        return (notes, remaining)
    }

    /// A conflict in a file the tool writes itself, other than an incident: a postmortem
    /// published on two clones (each a rendering of the same log, which records both
    /// publications: this clone's copy is kept) or two evidence copies under one name (both
    /// kept: the other clone's beside this one's). Nil for anything else (left to a person).
    func resolveOwnedFile(_ path: String, stages: [Int: String]) throws -> String? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.hasPrefix(".") }),
              parts[0] == "postmortems" || parts[0] == "evidence" else { return nil }
        let directory = root + "/" + parts.dropLast().joined(separator: "/")
        let name = parts[parts.count - 1]
        let ours = stages[2].flatMap(blob), theirs = stages[3].flatMap(blob)
        guard let kept = ours ?? theirs else { return nil }
        try POSIXFile.makeDirectory(directory)
        try POSIXFile.writeAtomically(kept, directory: directory, name: name, mode: 0o644, replacingSpecialFiles: true)
        var staged = [path]
        var note: String
        if parts[0] == "postmortems" {
            note = "\(path) was written on two clones; kept this clone's copy ('incident postmortem ID' renders it again from the merged log)."
        } else {
            note = "\(path) was added on two clones; kept this clone's copy"
            if let ours, let theirs, ours != theirs, let sha = stages[3] {
                let other = name + ".other-" + String(sha.prefix(8))
                try POSIXFile.writeAtomically(theirs, directory: directory, name: other, mode: 0o644, replacingSpecialFiles: true)
                staged.append(parts.dropLast().joined(separator: "/") + "/" + other)
                note += " and saved the other clone's as \(other)"
            }
            note += "."
        }
        try checked(["add", "--"] + staged, "record the merged \(path)")
        return note
    }

    /// Finishes a merge that git (a plain `git pull`) left unfinished because of incident
    /// files: merges them and, when nothing else is conflicted, commits the merge.
    public func finishInterruptedMerge(actor: Actor) throws -> [String] {
        guard mergeInProgress else { return [] }
        let (notes, remaining) = try resolveConflicts(actor: actor)
        if !remaining.isEmpty {
            let which = remaining.count == 1 ? "\(remaining[0]), which is not an incident file" : "\(remaining.prefix(3).joined(separator: ", ")), which are not incident files"
            throw IncidentError.storage("A git merge is in progress and git could not merge \(which); resolve \(remaining.count == 1 ? "it" : "them") by hand and run 'git commit' (or 'git merge --abort').")
        }
        let merged = try commit(["commit", "-q", "--no-verify", "--no-edit"], author: actor.name)
        guard merged.status == 0 else { throw IncidentError.storage("git could not commit the merge: \(GitStore.firstLine(merged)).") }
        return notes + ["Finished the git merge that was left in progress."]
    }

    /// The author of a commit: the incident author, as a name git accepts (git refuses one
    /// made only of `.,:;<>"'\` and spaces: such an author commits as "incident").
    func identity(_ author: String) -> [String: String] {
        var extra: [String: String] = [:]
        let crud: Set<Character> = [".", ",", ":", ";", "<", ">", "\"", "'", "\\"]
        let name = author.filter { $0 != "<" && $0 != ">" && !$0.isNewline }
        let gitName = name.contains { !crud.contains($0) && !$0.isWhitespace } ? name : "incident"
        if environment["GIT_AUTHOR_NAME"] == nil { extra["GIT_AUTHOR_NAME"] = gitName }
        if environment["EMAIL"] == nil {
            let local = author.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
            extra["EMAIL"] = (local.isEmpty ? "incident" : local) + "@incident.invalid"
        }
        return extra
    }

    /// `git commit`; when git has no committer name for this user (a uid with no password
    /// entry and no `user.name`), again with the author as committer rather than not at all.
    func commit(_ args: [String], author: String) throws -> Subprocess.Result {
        let extra = identity(author)
        let r = try git(args, extraEnvironment: extra)
        let text = r.out + r.err
        guard r.status != 0, environment["GIT_COMMITTER_NAME"] == nil,
              text.contains("identity unknown") || text.contains("empty ident") || text.contains("auto-detect") else { return r }
        var again = extra
        again["GIT_COMMITTER_NAME"] = extra["GIT_AUTHOR_NAME"] ?? "incident"
        if environment["GIT_COMMITTER_EMAIL"] == nil { again["GIT_COMMITTER_EMAIL"] = extra["EMAIL"] ?? "incident@incident.invalid" }
        return try git(args, extraEnvironment: again)
    }

    /// The incidents whose files differ between `base` and HEAD (none without a base).
    func changedIncidents(since base: String?) throws -> Set<IncidentID> {
        guard let base else { return [] }
        let r = try checked(["diff", "--relative", "--name-only", "-z", base, "HEAD", "--", "active", "archive"], "list the merged files")
        return Set(r.stdout.split(separator: 0).compactMap { GitStore.incidentFile(String(decoding: $0, as: UTF8.self)) })
    }

    /// After a merge: an incident present in two places (archived on one clone, edited in
    /// active/ on another) or in the wrong place for its status becomes one file.
    func joinCopies(_ ids: Set<IncidentID>) throws -> (moved: Bool, notes: [String]) {
        var notes: [String] = []
        var moved = false
        for id in ids.sorted() {
            let places = store.locations(of: id)
            guard !places.isEmpty, let (record, _) = try? store.load(id) else { continue }
            let wanted: IncidentLocation = record.state.status == .closed ? .archive(year: CivilTime(record.state.declaredAt).year) : .active
            if places == [wanted] { continue }
            try store.save(record)
            moved = true
            if places.count > 1 { notes.append("\(id) was archived on one clone and changed on another; merged the two copies (\(record.events.count) events).") }
        }
        return (moved, notes)
    }

    /// Two clones merged two incidents into each other (`merge 2 --into 1` here, `merge 1
    /// --into 2` there), or a longer cycle: after the sync every one of them points at another
    /// and none is live. The lowest-numbered incident of the cycle is reopened as the
    /// survivor (it already holds the others' entries, copied by their merges), and says why.
    func resolveMergeCycles(_ ids: Set<IncidentID>, actor: Actor) throws -> [String] {
        var notes: [String] = []
        var handled = Set<IncidentID>()
        for start in ids.sorted() where !handled.contains(start) {
            var cycle: [IncidentID] = []
            var current = start
            while cycle.count < 50, let (record, _) = try? store.load(current), record.state.outcome == .merged,
                  let next = record.state.mergedInto {
                cycle.append(current)
                if next == start { break }
                if cycle.contains(next) { cycle = []; break }
                current = next
            }
            guard cycle.count > 1, let (last, _) = try? store.load(cycle[cycle.count - 1]), last.state.mergedInto == start else { continue }
            handled.formUnion(cycle)
            guard let keep = cycle.min(), var (record, _) = try? store.load(keep) else { continue }
            var at = actor
            at.at = max(actor.at, record.state.closedAt ?? actor.at)
            let others = cycle.filter { $0 != keep }.map(\.description).joined(separator: ", ")
            try Actions.reopen(&record, reason: "merged into \(record.state.mergedInto?.description ?? "?") on one clone while \(others) \(cycle.count == 2 ? "was" : "were") merged into it on another; \(keep) stays as the incident", actor: at)
            try store.save(record)
            notes.append("\(cycle.map(\.description).joined(separator: " and ")) had been merged into each other on two clones; reopened \(keep) as the incident (\(others) stay\(cycle.count == 2 ? "s" : "") a duplicate of it).")
        }
        return notes
    }

    /// A duplicate merged into another incident on one clone may have received entries on a
    /// clone that had not seen the merge yet: after a merge brings the two together, those
    /// entries are copied to the survivor (as `incident merge` copied the rest).
    func carryLateEntries(_ ids: Set<IncidentID>, actor: Actor) throws -> [String] {
        var notes: [String] = []
        for id in ids.sorted() {
            guard let (source, _) = try? store.load(id), source.state.outcome == .merged, let into = source.state.mergedInto,
                  var (survivor, _) = try? store.load(into) else { continue }
            let n = try DuplicateMerge.carryLateEntries(from: source, into: &survivor, actor: actor)
            if n > 0 {
                try store.save(survivor)
                notes.append("\(id) had \(n) entr\(n == 1 ? "y" : "ies") written on another clone after it was merged into \(into); copied them to \(into).")
            }
        }
        return notes
    }

    // MARK: Numbering

    /// Numbers every provisional incident (call after merging what the remote holds).
    func numberProvisional(actor: Actor) throws -> [(IncidentID, IncidentID)] {
        var out: [(IncidentID, IncidentID)] = []
        // In the order they were declared (a provisional ID is random), so numbers follow time.
        let declared = store.provisionalIDs().map { p in (p, (try? store.load(p).0.state.declaredAt) ?? Timestamp.latest) }
        for p in declared.sorted(by: { ($0.1, $0.0) < ($1.1, $1.0) }).map(\.0) {
            out.append((p, try store.number(p, actor: actor)))
        }
        return out
    }

    // MARK: Sync

    /// Commits pending changes, fetches, merges (semantically), numbers provisional incidents,
    /// pushes, and retries when someone pushed in between.
    public func sync(actor: Actor, timeout: Double = 60, executable: String?) throws -> SyncReport {
        var report = SyncReport()
        guard let branch else {
            throw IncidentError.refused("\(root) is on a detached HEAD; run 'git -C \(root) switch -' (or 'git -C \(root) switch \(branchToSuggest)') to return to the branch, then 'incident sync'.")
        }
        report.notes += try finishInterruptedMerge(actor: actor)
        // The pending commit also untracks any lock, ID counter or derived file tracked by
        // mistake (`git add -f`, a commit made while .gitignore was missing), so its removal
        // is recorded before anything is merged: such a file would conflict with every clone.
        _ = try commitAll(message: "incident sync: changes not yet committed (\(actor.name))", author: actor.name)
        guard let remote else {
            throw IncidentError.refused("\(root) has no remote to sync with; add one with 'incident init --git --remote URL' (or 'git remote add origin URL').")
        }
        report.remote = remote
        // The team's branch: this branch's upstream; else (found once the remote answers)
        // the remote's default branch, so a clone on another branch, or a store attached to a
        // remote whose branch has another name, still shares the team's history.
        let upstream = config()["branch.\(branch).merge"].flatMap { $0.hasPrefix("refs/heads/") ? String($0.dropFirst(11)) : nil }
        var remoteBranch = upstream ?? branch
        var trackingRef = "refs/remotes/\(remote)/\(remoteBranch)"
        let before = revParse("HEAD")
        var oldVersions: [IncidentID: [String]] = [:]
        var attempt = 0
        while true {
            attempt += 1
            let fetch = try git(["fetch", "-q", "--no-tags", remote, "+refs/heads/*:refs/remotes/\(remote)/*"], timeout: timeout)
            if fetch.status != 0 {
                if GitStore.failureIsPermanent(fetch, url: config()["remote.\(remote).url"]) {
                    throw IncidentError.storage("git could not fetch from '\(remote)': \(GitStore.firstLine(fetch)). Waiting will not fix this: check the remote ('git -C \(root) remote -v') and your access to it. Everything is committed locally.")
                }
                report.offline = GitStore.firstLine(fetch)
                break
            }
            if upstream == nil, attempt == 1 {
                remoteBranch = defaultBranch(of: remote, timeout: timeout) ?? branch
                trackingRef = "refs/remotes/\(remote)/\(remoteBranch)"
            }
            let head = revParse("HEAD")
            if let theirs = revParse(trackingRef), theirs != head {
                let merge = try git(["merge", "-q", "--no-edit", "--allow-unrelated-histories", "-m",
                                     "incident sync: merge \(remote)/\(remoteBranch) (\(actor.name))", trackingRef],
                                    extraEnvironment: identity(actor.name))
                if merge.status != 0 {
                    guard mergeInProgress else { throw IncidentError.storage("git could not merge \(remote)/\(remoteBranch): \(GitStore.firstLine(merge)).") }
                    do {
                        report.notes += try finishInterruptedMerge(actor: actor).dropLast()
                    } catch {
                        // A file incident does not own (the runbook, a file someone added) was
                        // changed on both sides: undo the merge so this clone keeps working,
                        // and leave that merge to a person.
                        let files = ((try? unmerged().keys.filter { GitStore.incidentFile($0) == nil }.sorted()) ?? []).prefix(3)
                        _ = try? git(["merge", "--abort"])
                        if files.isEmpty, case let IncidentError.storage(why) = error {
                            throw IncidentError.storage("sync stopped: \(why). The merge was undone: this clone works as before and nothing is lost or pushed. Upgrade incident if a newer version wrote it, or repair the file where it broke, then run 'incident sync'.")
                        }
                        throw IncidentError.storage("sync stopped: git cannot merge \(files.isEmpty ? "a file" : files.joined(separator: ", ")), changed both here and on \(remote) (incident merges only incident files). The merge was undone: this clone works as before and nothing is lost. Merge it by hand ('git -C \(root) pull', fix the file, 'git commit'), then run 'incident sync'.")
                    }
                }
                // What came in may have deleted .gitignore or .gitattributes' lines: put them
                // back now (committed, so the push repairs the team's branch), and say so.
                var restored = false
                if try restoreIgnore() {
                    restored = true
                    report.notes.append("Put back .gitignore, which a change from \(remote) had removed (it keeps this clone's lock, ID counter and derived files out of git).")
                }
                if try restoreAttributesNow() {
                    restored = true
                    report.notes.append("Put back the lines of .gitattributes that hand incident files to the merge driver, which a change from \(remote) had removed (without them a plain 'git pull' merges incident files line by line).")
                }
                if restored {
                    _ = try commitAll(message: "incident sync: put back the store's git settings removed by a change from \(remote) (\(actor.name))", author: actor.name)
                }

                // The incidents the merge touched, listed once for the steps below (the
                // steps move files between active/ and archive/, never change which IDs).
                let changed = try changedIncidents(since: head)
                let joined = try joinCopies(changed)
                if joined.moved {
                    report.notes += joined.notes
                    _ = try commitAll(message: "incident sync: joined copies of incidents changed on two clones (\(actor.name))", author: actor.name)
                }
                let cycles = try resolveMergeCycles(changed, actor: actor)
                if !cycles.isEmpty {
                    report.notes += cycles
                    _ = try commitAll(message: "incident sync: undid duplicates merged into each other on two clones (\(actor.name))", author: actor.name)
                }
                let carried = try carryLateEntries(changed, actor: actor)
                if !carried.isEmpty {
                    report.notes += carried
                    _ = try commitAll(message: "incident sync: carried entries written on merged duplicates (\(actor.name))", author: actor.name)
                }
                if let head {
                    let kept = try keepRemovedEntries(changed, since: head)
                    if !kept.isEmpty {
                        report.warnings += kept
                        _ = try commitAll(message: "incident sync: kept entries a change from \(remote) had removed (\(actor.name))", author: actor.name)
                    }
                }
            }
            let afterMerge = revParse("HEAD")
            let numbered = try numberProvisional(actor: actor)
            if !numbered.isEmpty {
                let list = numbered.map { "\($0.1) (was \($0.0))" }.joined(separator: ", ")
                _ = try commitAll(message: "Numbered \(list) (\(actor.name))", author: actor.name)
            }
            let push = try git(["push", "-q", remote, "HEAD:refs/heads/\(remoteBranch)"], timeout: timeout)
            if push.status == 0 {
                report.numbered += numbered
                report.pushed = true
                if upstream == nil {
                    // Remembered, so later syncs need not ask the remote which branch.
                    _ = try? git(["config", "branch.\(branch).remote", remote])
                    _ = try? git(["config", "branch.\(branch).merge", "refs/heads/\(remoteBranch)"])
                }
                break
            }
            // Never keep a number that was not published: it could be someone else's by now.
            if !numbered.isEmpty, let afterMerge { try checked(["reset", "-q", "--keep", afterMerge], "undo the unpublished numbering") }
            let text = push.out + push.err
            if (text.contains("rejected") || text.contains("non-fast-forward") || text.contains("fetch first")) && attempt < 6 {
                continue
            }
            if GitStore.failureIsPermanent(push, url: config()["remote.\(remote).url"]) {
                throw IncidentError.storage("git could not push to '\(remote)': \(GitStore.firstLine(push)). Waiting will not fix this: check the remote and your access to it. Everything is committed locally.")
            }
            report.offline = GitStore.firstLine(push)
            break
        }
        markMergeChecked()
        if let before, let now = revParse("HEAD"), before != now {
            report.incoming = try incomingSummary(since: before, numbered: report.numbered, old: &oldVersions, warnings: &report.warnings)
        }
        return report
    }

    /// The branch the remote's HEAD names (`git ls-remote --symref`), or for a remote on a
    /// local path whose repository is still empty, the branch its HEAD file names.
    func defaultBranch(of remote: String, timeout: Double) -> String? {
        if let r = try? git(["ls-remote", "--symref", remote, "HEAD"], timeout: min(timeout, 20)), r.status == 0 {
            for line in r.out.split(separator: "\n") where line.hasPrefix("ref: refs/heads/") && line.hasSuffix("\tHEAD") {
                return String(line.dropFirst("ref: refs/heads/".count).dropLast("\tHEAD".count))
            }
        }
        guard let url = config()["remote.\(remote).url"], url.hasPrefix("/") else { return nil }
        for head in [url + "/HEAD", url + "/.git/HEAD"] {
            guard let bytes = try? POSIXFile.read(head, limit: 4096, followLinks: true) else { continue }
            let text = String(decoding: bytes, as: UTF8.self).trimmingSet("\n\r ")
            if text.hasPrefix("ref: refs/heads/") { return String(text.dropFirst("ref: refs/heads/".count)) }
        }
        return nil
    }

    /// Entries that were here before the merge and that what came in removed or rewrote (a
    /// hand edit on another clone: git takes a file changed on one side only as it is, without
    /// the merge driver). An incident's log only grows, so they are put back, as the union any
    /// merge makes, and committed with the merge so that the push restores them for everyone.
    /// Returns a warning per incident (someone changed history).
    func keepRemovedEntries(_ ids: Set<IncidentID>, since base: String) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let listing = try checked(["ls-tree", "-r", "--name-only", base, "--", "active", "archive"], "list the previous files")
        var oldPath: [IncidentID: String] = [:]
        for line in listing.out.split(separator: "\n") {
            if let id = GitStore.incidentFile(String(line)) { oldPath[id] = String(line) }
        }
        var warnings: [String] = []
        for id in ids.sorted() {
            var before: IncidentRecord?
            if let path = oldPath[id], let shown = try? git(["show", "\(base):./\(path)"]), shown.status == 0 {
                before = try? Store.decodeRecord(Data(shown.stdout), path: path)
            }
            let here = store.locations(of: id).first.map { String(store.path(of: id, in: $0).dropFirst(root.count + 1)) }
            let shownPath = here ?? oldPath[id] ?? "active/" + id.fileName
            let log = "git -C \(GitStore.shellQuoted(root)) log -p -- \(GitStore.shellQuoted(shownPath))"
            let now: IncidentRecord
            do {
                (now, _) = try store.load(id)
            } catch let IncidentError.corrupt(_, why) where here != nil {
                // What came in cannot be read. Written by a newer incident: left as it is (it
                // must not be downgraded), and said. Damaged: the last good copy is kept:
                // this clone's, joined with the newest readable version among the commits
                // that came in, wherever the incident lay in them (a teammate's entries, a
                // close or reopen, pushed before the damage are theirs to keep too).
                if why.contains("newer than this incident binary") {
                    warnings.append("\(id) came in written by a newer incident (\(why)); this clone cannot read it until incident is upgraded.")
                    continue
                }
                guard let good = lastGood(id, before: before, since: base) else {
                    warnings.append("\(id): what came in for \(shownPath) cannot be read (\(why)), and no readable version of it came in; repair the file (\(log) shows who changed it).")
                    continue
                }
                for place in store.locations(of: id) { try POSIXFile.remove(store.path(of: id, in: place)) }
                try store.save(good)
                warnings.append("\(id): what came in for \(shownPath) cannot be read (\(why)); kept the last good copy (\(good.events.count) entries), since an incident is never dropped (\(log) shows who changed it).")
                continue
            } catch {
                // The whole incident deleted (a provisional one was renumbered, not deleted).
                guard let before, !id.isProvisional, here == nil, let good = lastGood(id, before: before, since: base) else { continue }
                try store.save(good)
                warnings.append("\(id): what came in deleted the incident (\(good.events.count) entries); kept it, since incidents are never dropped (\(log) shows who removed it).")
                continue
            }
            guard let before else { continue }
            guard IncidentMerge.sameIncident(before, now) else { continue }
            // Compared by content, in one hash format: an entry edited by hand keeps its old
            // hash field, and a file honestly re-hashed in a newer format changes no entry.
            let old = (try? before.migratedToCurrentFormat()) ?? before
            let current = (try? now.migratedToCurrentFormat()) ?? now
            let have = Set(current.events.map { $0.computedHash(current.hashFormat) })
            let missing = old.events.filter { !have.contains($0.computedHash(old.hashFormat)) }
            guard !missing.isEmpty else { continue }
            try store.save(try IncidentMerge.merge([now, before]))
            let n = missing.count
            warnings.append("\(id): what came in had removed or rewritten \(n) entr\(n == 1 ? "y" : "ies") that \(n == 1 ? "was" : "were") here (\(missing.prefix(3).map { String($0.id.dropFirst(3).prefix(8)) }.joined(separator: ", "))); kept \(n == 1 ? "it" : "them"), since an incident's log only grows (\(log) shows who changed the file).")
        }
        return warnings
    }

    /// The last good version of `id` after a merge that brought in an unreadable (or no) file
    /// for it: `before` (this clone's, when it had one) joined with the newest version that
    /// reads among the commits since `base`, in any of the incident's places (`active/` or an
    /// archive year: a close or reopen moves it). Nil when neither exists.
    func lastGood(_ id: IncidentID, before: IncidentRecord?, since base: String) -> IncidentRecord? {
        var found: IncidentRecord?
        let name = id.fileName
        if let log = try? git(["log", "--relative", "--max-count=50", "--format=commit %H", "--name-only", "HEAD", "^" + base, "--",
                               "active/" + name, ":(glob)archive/*/" + name]), log.status == 0 {
            var commit: String?
            for line in log.out.split(separator: "\n").map(String.init) where found == nil {
                if line.hasPrefix("commit ") { commit = String(line.dropFirst(7)); continue }
                guard let c = commit, !line.isEmpty, GitStore.incidentFile(line) == id,
                      let shown = try? git(["show", "\(c):./\(line)"]), shown.status == 0,
                      let version = try? Store.decodeRecord(Data(shown.stdout), path: line) else { continue }
                found = version
            }
        }
        guard let before else { return found }
        guard let found, IncidentMerge.sameIncident(found, before) else { return before }
        return (try? IncidentMerge.merge([before, found])) ?? before
    }

    /// What the merge brought in, incident by incident.
    func incomingSummary(since before: String, numbered: [(IncidentID, IncidentID)], old: inout [IncidentID: [String]],
                         warnings: inout [String]) throws -> [String] {
        let policy = try incomingPolicy(since: before, warnings: &warnings)
        let ids = try changedIncidents(since: before).filter { !$0.isProvisional }
        if ids.count > 200 { return ["\(ids.count) incidents changed."] + policy }
        let listing = try checked(["ls-tree", "-r", "--name-only", before, "--", "active", "archive"], "list the previous files")
        var oldPath: [IncidentID: String] = [:]
        for line in listing.out.split(separator: "\n") {
            if let id = GitStore.incidentFile(String(line)) { oldPath[id] = String(line) }
        }
        let previousID = Dictionary(numbered.map { ($0.1, $0.0) }, uniquingKeysWith: { a, _ in a })
        var lines: [String] = []
        let renumbered = Set(numbered.map(\.0))
        for id in ids.sorted() {
            guard let (record, _) = try? store.load(id) else {
                if oldPath[id] != nil, !renumbered.contains(id), store.locations(of: id).isEmpty {
                    warnings.append("\(id) was deleted by what came in (its file is gone); 'git -C \(root) log -- \(oldPath[id]!)' shows who removed it.")
                }
                continue
            }
            // What came in must verify on its own too (an entry edited on another clone
            // before this one ever saw it changes no entry that was here).
            let check = Verifier.verify(record)
            if !check.ok {
                warnings.append("\(id) does not verify after the merge: \(check.problems.first ?? "its hash chain is broken"); run 'incident verify \(id)'.")
            }
            var known = Set<String>()
            if let p = oldPath[previousID[id] ?? id], let r = try? git(["show", "\(before):./\(p)"]), r.status == 0,
               let rec = try? Store.decodeRecord(Data(r.stdout), path: p) {
                known = Set(rec.events.map(\.id))
                // Entries that were here must still be here, unchanged: a merge only adds. (An
                // incident that gave up its number to the team's is another incident now; a
                // file re-hashed in a newer format has every hash changed, honestly.)
                var now: [String: [Event]] = [:]
                for e in record.events { now[e.id, default: []].append(e) }
                let same = IncidentMerge.sameIncident(rec, record)
                let gone = same ? rec.events.filter { now[$0.id] == nil } : []
                let changed = !same || rec.schemaVersion != record.schemaVersion ? []
                    : rec.events.filter { e in now[e.id].map { !$0.contains(e) || $0.count > 1 } ?? false }
                if !gone.isEmpty {
                    warnings.append("\(id): \(gone.count) entr\(gone.count == 1 ? "y that was" : "ies that were") here \(gone.count == 1 ? "is" : "are") gone after the merge (\(gone.prefix(3).map { String($0.id.dropFirst(3).prefix(8)) }.joined(separator: ", "))); run 'incident verify \(id)'.")
                }
                if !changed.isEmpty {
                    warnings.append("\(id): \(changed.count) entr\(changed.count == 1 ? "y" : "ies") already here came back changed (\(changed.prefix(3).map { String($0.id.dropFirst(3).prefix(8)) }.joined(separator: ", "))); run 'incident verify \(id)'.")
                }
            } else if previousID[id] == nil {
                lines.append("\(id) declared by \(record.events[0].author): \(record.state.title.prefix(60))")
                continue
            }
            let fresh = record.events.filter { !known.contains($0.id) && $0.kind != BuiltInKind.numbered }
            if fresh.isEmpty { continue }
            let authors = Array(Set(fresh.map(\.author))).sorted().joined(separator: ", ")
            lines.append("\(fresh.count) new entr\(fresh.count == 1 ? "y" : "ies") on \(id) (\(authors))")
        }
        return lines + policy
    }

    /// What the merge brought in besides incidents that changes what this clone does: the
    /// runbook (levels and deadlines), the communication templates, and hooks, which never run
    /// here until trusted on this machine (so a changed hook stops running until then).
    func incomingPolicy(since before: String, warnings: inout [String]) throws -> [String] {
        let r = try checked(["diff", "--relative", "--name-status", "--no-renames", "-z", before, "HEAD", "--", "runbook.json", "templates", "hooks"],
                            "list the merged runbook, templates and hooks")
        let fields = r.stdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        var lines: [String] = []
        for pair in stride(from: 0, to: fields.count - 1, by: 2) {
            let status = fields[pair].first ?? "M", path = fields[pair + 1]
            let verb = status == "A" ? "added" : status == "D" ? "removed" : "changed"
            if path == "runbook.json" {
                if status == "D" {
                    lines.append("the runbook removed")
                    warnings.append("What came in removed runbook.json: incident uses its built-in default until it is restored ('git -C \(root) checkout \(before) -- runbook.json').")
                    continue
                }
                do {
                    let runbook = try store.loadRunbook(fullCheck: true)
                    lines.append("the runbook \(verb) (now '\(runbook.name)': \(runbook.levels.map(\.title).joined(separator: ", ")))")
                    // A level or phase removed or renamed leaves open incidents untracked.
                    for record in store.loadActive().0 {
                        if let orphan = Store.outsideRunbook(record.state, runbook) {
                            warnings.append("With the runbook that came in, \(orphan.problem): \(orphan.repair).")
                        }
                    }
                } catch {
                    lines.append("the runbook \(verb)")
                    warnings.append("The runbook that came in does not load (\(StoreProblem(path: store.runbookPath, error: error).reason)): commands that need it refuse until it is fixed; 'incident doctor' says how.")
                }
            } else if path.hasPrefix("hooks/"), status != "D" {
                lines.append("\(path) \(verb): it does not run on this machine until you read it and run 'incident hooks trust'")
            } else {
                lines.append("\(path) \(verb)")
            }
        }
        return lines
    }

    /// `incident init --git`: makes `store` a git store (a new repository, the one it is
    /// already in, or a clone of `remote`), writes .gitattributes and .gitignore, configures the
    /// merge driver and the remote, and commits. Returns what it did.
    public static func initialize(_ store: Store, remote: String?, runbook: Runbook?, environment: [String: String],
                                  executable: String?, author: String) throws -> [String] {
        var did: [String] = []
        let root = absolute(store.root)
        POSIXFile.setRestrictiveUmask()
        if findGitDirectory(from: root) == nil {
            let empty = POSIXFile.kind(root) == .missing || (POSIXFile.kind(root) == .directory && POSIXFile.list(root).isEmpty)
            var cloned = false
            if let remote, empty {
                let parent = root.split(separator: "/").dropLast().joined(separator: "/")
                try POSIXFile.makeDirectory("/" + parent)
                let r = try runGit(["clone", "-q", "--", remote, root], in: "/" + parent, environment: environment, timeout: 300)
                if r.status == 0 { cloned = true; did.append("Cloned \(remote) into \(root).") }
            }
            if !cloned {
                try POSIXFile.makeDirectory(root)
                let r = try runGit(["init", "-q"], in: root, environment: environment)
                guard r.status == 0 else { throw IncidentError.storage("git could not create a repository in \(root): \(firstLine(r)).") }
                did.append("Created a git repository in \(root).")
            }
        } else {
            did.append("Using the git repository \(root) is in.")
        }
        try store.initialize(runbook: runbook)
        return did + (try store.withLock { try finishInitialization(store, root: root, remote: remote, environment: environment, executable: executable, author: author) })
    }

    /// The rest of `initialize`, with the store lock held.
    static func finishInitialization(_ store: Store, root: String, remote: String?, environment: [String: String],
                                     executable: String?, author: String) throws -> [String] {
        var did: [String] = []
        func ensure(_ name: String, _ text: String, marker: String) throws {
            if try GitStore.appendUnlessMarked(root: root, name: name, text: text, marker: marker, limit: 1 << 20, mode: 0o600,
                                               replacingSpecialFiles: false) {
                did.append("Wrote \(name).")
            }
        }
        try ensure(".gitattributes", attributesText, marker: attributesMarker)
        try ensure(".gitignore", ignoreText, marker: GitStore.ignoreMarker)
        guard let git = GitStore.open(store, environment: environment) else {
            throw IncidentError.storage("\(root) is not usable as a git store.")
        }
        if try git.ensureDriver(executable: executable) { did.append("Configured the incident merge driver in .git/config.") }
        try git.ensureLocalAttributes()
        if let remote {
            let cfg = git.config()
            if let existing = cfg["remote.origin.url"] {
                if existing != remote { did.append("The remote 'origin' already points at \(existing); left as it is (git remote set-url origin URL changes it).") }
            } else {
                try git.checked(["remote", "add", "origin", remote], "add the remote")
                did.append("Added the remote origin → \(remote).")
            }
        }
        // Tracked files that must not be: the lock and the derived files.
        git.untrackPerCloneFiles()
        if try git.commitAll(message: "incident: store kept in git (\(author))", author: author) {
            did.append("Committed the store.")
        }
        return did
    }
}

extension GitStore {
    /// `doctor`'s git findings: a merge left in progress, a detached HEAD, a branch that has
    /// diverged from the remote (as of the last fetch), a missing merge driver, each with the
    /// command that repairs it.
    public func diagnose(executable: String?) -> [Diagnosis] {
        var out: [Diagnosis] = []
        if mergeInProgress {
            let paths = (try? unmerged().keys.sorted()) ?? []
            let incidentOnly = paths.allSatisfy { GitStore.incidentFile($0) != nil }
            out.append(Diagnosis(path: root, problem: "a git merge is in progress" + (paths.isEmpty ? "" : " (conflicted: \(paths.prefix(5).joined(separator: ", ")))"),
                                 repair: incidentOnly ? "run any incident command (e.g. 'incident --store \(root) list'): it merges the incident files and finishes the merge; or 'git -C \(root) merge --abort'"
                                                      : "resolve the files named by hand, then 'git -C \(root) commit'; or 'git -C \(root) merge --abort'"))
        }
        if POSIXFile.exists(gitDir + "/rebase-merge") || POSIXFile.exists(gitDir + "/rebase-apply") {
            out.append(Diagnosis(path: root, problem: "a git rebase is in progress", repair: "'git -C \(root) rebase --abort', then 'incident sync' (sync merges; it never rebases)"))
        }
        guard let branch else {
            out.append(Diagnosis(path: root, problem: "the store's repository is on a detached HEAD: commits made now belong to no branch and sync cannot push them",
                                 repair: "'git -C \(root) switch -' (or 'git -C \(root) switch \(branchToSuggest)'), then 'incident sync'"))
            return out
        }
        if !GitStore.attributesIntact(root) {
            out.append(Diagnosis(path: root + "/.gitattributes", problem: "it no longer hands incident files to the incident merge driver (a change that came through git removed the lines), so a plain 'git pull' would merge them line by line",
                                 repair: "run any incident command on the store (it puts the lines back; the next commit records them)"))
        }
        if let executable, executable.hasPrefix("/"), config()["merge.incident.driver"] != GitStore.driverCommand(executable: executable) {
            out.append(Diagnosis(path: commonDir + "/config", problem: "the incident merge driver is not configured for this binary, so a plain 'git pull' would merge incident files line by line",
                                 repair: "run any incident command on the store (it configures the driver)"))
        }
        if let remote {
            let tracking = "refs/remotes/\(remote)/\(remoteBranch ?? branch)"
            if revParse(tracking) != nil, let r = try? git(["rev-list", "--left-right", "--count", "HEAD..." + tracking]), r.status == 0 {
                let counts = r.out.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
                if counts.count == 2, counts[0] > 0, counts[1] > 0 {
                    out.append(Diagnosis(path: root, problem: "the branch '\(branch)' has diverged from \(remote) (\(counts[0]) local commit(s) not pushed, \(counts[1]) from the remote not merged)",
                                         repair: "'incident --store \(root) sync' (merges the two event by event, then pushes)"))
                } else if counts.count == 2, counts[0] > 0 {
                    out.append(Diagnosis(path: root, problem: "\(counts[0]) local commit(s) not yet pushed to \(remote)", repair: "'incident --store \(root) sync'"))
                }
            }
        }
        return out
    }
}

extension GitStore {
    var checkedMarker: String { gitDir + "/incident-merge-checked" }

    /// True when git moved HEAD by a merge, pull or reset this binary has not looked at yet
    /// (`ORIG_HEAD` differs from what was last checked): two small file reads.
    public var plainMergeUnchecked: Bool {
        guard let orig = try? POSIXFile.read(gitDir + "/ORIG_HEAD", limit: 128) else { return false }
        let seen = try? POSIXFile.read(checkedMarker, limit: 128)
        return seen != orig
    }

    func markMergeChecked() {
        if let orig = try? POSIXFile.read(gitDir + "/ORIG_HEAD", limit: 128) {
            try? POSIXFile.writeAtomically(orig, directory: gitDir, name: "incident-merge-checked")
        }
    }

    /// After a plain `git pull`: an incident the merge driver merged into the wrong place for
    /// its status, or left in both active/ and archive/, becomes one file in the right place,
    /// committed. Call with the lock held.
    public func repairAfterPlainMerge(actor: Actor) throws -> [String] {
        guard let orig = try? POSIXFile.read(gitDir + "/ORIG_HEAD", limit: 128) else { return [] }
        let base = String(decoding: orig, as: UTF8.self).trimmingSet("\n ")
        defer { markMergeChecked() }
        guard !mergeInProgress, revParse(base) != nil else { return [] }
        let joined = try joinCopies(try changedIncidents(since: base))
        guard joined.moved else { return [] }
        _ = try commitAll(message: "incident: put incidents merged by git in their place (\(actor.name))", author: actor.name)
        return joined.notes + ["Moved incidents merged by 'git pull' to where their status puts them (committed)."]
    }
}
