#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IncidentKit

enum EvidenceAddCommand {
    static let spec = CommandSpec(
        path: ["evidence", "add"],
        summary: "Record evidence: a file (SHA-256, size, collector, time; not copied unless --copy) or a reference URI.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "FILE", help: "The file (omit with --ref).", optional: true)],
        options: [
            OptionSpec(name: "ref", value: "URI", help: "A reference instead of a file (snapshot id, log query, ticket)."),
            OptionSpec(name: "note", value: "TEXT", help: "What it is and where it came from."),
            OptionSpec(name: "copy", help: "Also keep a copy in <store>/evidence/INC-N/."),
        ],
        examples: ["incident evidence add 42 ./cloudtrail-export.json --note \"CloudTrail 13:00-15:00\"",
                   "incident evidence add 42 --ref s3://forensics/snap-0a1b --note \"disk snapshot of api-7\""],
        run: { inv in
            let file = inv.argument("FILE"), ref = inv.option("ref")
            guard (file == nil) != (ref == nil) else { throw UsageError("Give a FILE or --ref URI (one of them).", command: "evidence add") }
            var location: String, sha: String?, size: Int64?
            let id = try inv.incidentID(inv.required("ID"))
            var staged: POSIXFile.StagedCopy?
            if let file {
                location = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
                if inv.flag("copy") {
                    _ = try inv.load(id.description)  // no copying a disk image for an incident that does not exist
                    // Streamed once, before the lock: the recorded hash is the hash of the copy.
                    staged = try inv.store.stageEvidence(from: location)
                    (sha, size) = (staged?.sha256, staged?.size)
                } else {
                    (sha, size) = try Evidence.hashFile(location)
                }
            } else {
                location = try Actions.cleanShort(ref ?? "", what: "The reference")
            }
            var committed: String?
            defer {
                // Whatever failed, no copy is left that the timeline does not record.
                if let staged { try? POSIXFile.remove(staged.path) }
            }
            let r: IncidentRecord, rb: Runbook
            do {
                (r, rb) = try inv.mutate(inv.required("ID")) { r, _, actor in
                    var copy: String?
                    try Actions.requireAccepts(r, kind: BuiltInKind.evidence)
                    if let s = staged {
                        let path = try inv.store.commitEvidence(s, source: location, incident: id, item: Evidence.nextID(in: r))
                        committed = path
                        // Recorded relative to the store: the same on every clone of it.
                        copy = inv.store.relativePath(path)
                    }
                    try Actions.addEvidence(&r, location: location, isFile: file != nil, sha256: sha, size: size, note: inv.option("note"), copy: copy, actor: actor)
                }
            } catch {
                if let committed { try? POSIXFile.remove(committed) }
                throw error
            }
            // The item this command added: the event it appended, not the latest by time (a
            // back-filled --at sorts before items added earlier).
            guard let added = r.events.last?.fields["id"], let item = Evidence.items(in: r).first(where: { $0.id == added }) else {
                throw IncidentError.storage("The evidence was recorded but could not be read back from \(r.id).")
            }
            return try inv.report(r, rb, "Recorded \(item.id) for \(r.id)\(item.sha256.map { ": sha256 \($0)" } ?? "").")
        })
}

enum EvidenceTransferCommand {
    static let spec = CommandSpec(
        path: ["evidence", "transfer"],
        summary: "Record a change of custody of an evidence item.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "ITEM", help: "The evidence item (E1 or 1).")],
        options: [OptionSpec(name: "to", value: "NAME", help: "Who receives it (required)."), OptionSpec(name: "note", value: "TEXT", help: "Why, how.")],
        examples: ["incident evidence transfer 42 E1 --to forensics-team --note \"sealed drive, tag 0042\""],
        run: { inv in
            guard let to = inv.option("to") else { throw UsageError("'incident evidence transfer' needs --to NAME.", command: "evidence transfer") }
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, _, actor in
                try Actions.transferEvidence(&r, item: inv.required("ITEM"), to: to, note: inv.option("note"), actor: actor)
            }
            return try inv.report(r, rb, "\(r.events.last?.text ?? "Custody recorded").")
        })
}

enum EvidenceListCommand {
    static let spec = CommandSpec(
        path: ["evidence", "list"],
        summary: "Evidence of an incident with its hashes and chain of custody.",
        arguments: [Invocation.idArgument],
        examples: ["incident evidence list 42"],
        run: { inv in
            let (r, _) = try inv.load(inv.required("ID"))
            let items = Evidence.items(in: r)
            if inv.json {
                // The copy as a path on this machine (events record it relative to the store).
                try inv.printJSON(items.map { i -> EvidenceJSON in
                    var j = EvidenceJSON(i)
                    j.copy = i.copy.map(inv.store.absolutePath)
                    return j
                })
                return ExitCode.success
            }
            if items.isEmpty { inv.out("No evidence recorded for \(r.id)."); return ExitCode.success }
            var lines: [String] = []
            for i in items {
                lines.append("\(i.id)  \(inv.safe(i.location))\(i.note.map { " — " + inv.safe($0) } ?? "")")
                if let sha = i.sha256 { lines.append("    sha256 \(sha), \(i.size ?? 0) bytes") }
                lines.append("    collected by \(inv.safe(i.collectedBy)) at \(inv.human(i.collectedAt))")
                for c in i.custody { lines.append("    → \(inv.safe(c.to)) at \(inv.human(c.at))\(c.note.map { ": " + inv.safe($0) } ?? "")") }
            }
            inv.out(lines.joinedLines)
            return ExitCode.success
        })
}

enum EvidenceVerifyCommand {
    static let spec = CommandSpec(
        path: ["evidence", "verify"],
        summary: "Re-hash every evidence file; report any that changed or vanished (exit 6).",
        arguments: [Invocation.idArgument],
        examples: ["incident evidence verify 42"],
        run: { inv in
            let (r, _) = try inv.load(inv.required("ID"))
            var results: [[String: String]] = []
            func check(_ path: String, _ expected: String?) -> String {
                guard let (sha, _) = try? Evidence.hashFile(path) else { return "missing" }
                return sha == expected ? "ok" : "changed"
            }
            var bad: [String] = []
            for i in Evidence.items(in: r) where i.isFile {
                var row = ["id": i.id, "location": i.location, "status": check(i.location, i.sha256)]
                if let copy = i.copy {
                    // The copy kept in the store is the evidence of record (teammates' clones
                    // hold it, not the collector's original): it must match; the original may
                    // be missing on this machine, but must not have changed.
                    let copyStatus = check(inv.store.absolutePath(copy), i.sha256)
                    row["copy"] = copy
                    row["copyStatus"] = copyStatus
                    if copyStatus != "ok" || row["status"] == "changed" { bad.append(i.id) }
                } else if row["status"] != "ok" {
                    bad.append(i.id)
                }
                results.append(row)
            }
            if inv.json { try inv.printJSON(results) } else {
                if results.isEmpty { inv.out("No evidence files recorded for \(r.id).") }
                func word(_ s: String) -> String { s == "ok" ? "ok" : s.uppercased() }
                for x in results {
                    var line = "\(x["id"]!)  \(word(x["status"]!))  \(inv.safe(x["location"]!))"
                    if let c = x["copy"], let cs = x["copyStatus"] { line += "\n    copy \(word(cs))  \(inv.safe(c))" }
                    inv.out(line)
                }
            }
            if !bad.isEmpty {
                inv.err("incident: \(bad.count) evidence file\(bad.count == 1 ? "" : "s") of \(r.id) changed or vanished since collection: \(bad.joined(separator: ", ")).")
                return ExitCode.verifyFailed
            }
            return ExitCode.success
        })
}

struct EvidenceJSON: Encodable {
    struct CustodyJSON: Encodable { var at: Timestamp; var from: String; var to: String; var note: String? }
    var id: String; var location: String; var type: String; var sha256: String?; var size: Int64?; var note: String?
    var collectedBy: String; var collectedAt: Timestamp; var holder: String; var copy: String?; var custody: [CustodyJSON]
    init(_ i: EvidenceItem) {
        id = i.id; location = i.location; type = i.isFile ? "file" : "reference"; sha256 = i.sha256; size = i.size; note = i.note
        collectedBy = i.collectedBy; collectedAt = i.collectedAt; holder = i.holder; copy = i.copy
        custody = i.custody.map { CustodyJSON(at: $0.at, from: $0.from, to: $0.to, note: $0.note) }
    }
}
