#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import IncidentKit

enum PostmortemCommand {
    static let spec = CommandSpec(
        path: ["postmortem"], aliases: ["pm"],
        summary: "Render the postmortem in Markdown, to stdout or FILE.",
        discussion: "Rendered from the 'postmortem' template: <store>/templates/postmortem.md if present, else the shipped one (copy templates/postmortem.md there to change it; no rebuild needed). The record fills the timeline, durations, SLA results, roles, decisions and action items; root cause and lessons are left for people. --publish writes the file (default postmortems/<YYYYMMDD>-<id>-<slug>.md in the store) and records publication, which stops the postmortem timer.",
        arguments: [Invocation.idArgument],
        options: [
            OptionSpec(name: "output", short: "o", value: "FILE", help: "Write to FILE instead of stdout."),
            OptionSpec(name: "publish", help: "Write it and record it as published (stops the postmortem timer)."),
        ],
        examples: ["incident postmortem 42", "incident postmortem 42 --output pm.md", "incident postmortem 42 --publish"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        var (record, runbook) = try inv.load(inv.required("ID"))
        let template = try Template.load("postmortem", store: inv.store)
        var markdown = try Postmortem.render(record, runbook: runbook, time: try inv.businessTime(runbook), template: template, now: inv.at)
        let output = inv.option("output")
        var written: String?
        if inv.flag("publish") {
            // Write first (atomically), record after, both under the lock: if the write fails
            // (full disk, ulimit -f, a link planted at the target) nothing is recorded and the
            // previously published file is left as it was.
            let name = defaultName(record)
            let path = output ?? inv.store.root + "/postmortems/" + name
            let (updated, _) = try inv.mutate(record.id.description) { r, _, actor in
                // Recorded relative to the store when it is kept there (the same on every clone).
                try Actions.publishPostmortem(&r, path: inv.store.relativePath(path), actor: actor)
                markdown = try Postmortem.render(r, runbook: runbook, time: try inv.businessTime(runbook), template: template, now: inv.at)
                if output != nil {
                    try writeUserFile(path, markdown, store: inv.store, what: "the postmortem")
                } else {
                    _ = try inv.store.writePublished(Array(markdown.utf8), name: name)
                }
            }
            record = updated
            written = path
        } else if let output, output != "-" {
            try writeUserFile(output, markdown, store: inv.store, what: "the postmortem")
            written = output
        }
        if let written {
            if inv.json {
                try inv.printJSON(["id": record.id.description, "path": written, "published": inv.flag("publish") ? "true" : "false"])
            } else {
                inv.out("Wrote the postmortem of \(record.id) to \(inv.shownPath(written))\(inv.flag("publish") ? " and recorded it as published" : "").")
            }
        } else {
            if inv.json {
                try inv.printJSON(["id": record.id.description, "markdown": markdown])
            } else {
                inv.context.stdout.write(Sanitizer.forTerminal(markdown))
            }
        }
        return ExitCode.success
    }

    /// `20261123-inc-42-checkout-500s.md` (in `<store>/postmortems/`): the ID keeps two
    /// incidents whose titles slug alike on the same day from overwriting each other's postmortem.
    static func defaultName(_ record: IncidentRecord) -> String {
        let day = String(record.state.startedAt.iso8601.prefix(10)).replacingOccurrences("-", "")
        let id = record.id.description.lowercased()
        let title = slug(record.state.title, id: record.id)
        return "\(day)-\(id)\(title == id ? "" : "-" + title).md"
    }

    static func slug(_ title: String, id: IncidentID) -> String {
        var out = ""
        for c in title.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) { out.append(c) } else if !out.hasSuffix("-") { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        while out.hasPrefix("-") { out.removeFirst() }
        let trimmed = out
        return trimmed.isEmpty ? id.description.lowercased() : String(trimmed.prefix(60))
    }
}

/// Writes a file the user named (a postmortem, an export) through the store's one write
/// path: atomic, never through a link at FILE, its directory created if missing. Errors are
/// one sentence. With `store`, FILE may not be one of the store's own files (an incident, the
/// runbook, the counter): those are written only under the lock, by the commands that own them.
/// - Parameter what: what is written, for the refusal inside the store ("the postmortem").
func writeUserFile(_ path: String, _ text: String, store: Store? = nil, what: String = "the file",
                   mode: mode_t = 0o600, directoryMode: mode_t = 0o700) throws {
    if let store {
        let (dir, name) = (path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : ".",
                           String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""))
        let real = POSIXFile.resolve(dir.isEmpty ? "/" : dir)
        let inside = real == store.root || real.hasPrefix(store.root + "/")
        let published = store.root + "/postmortems"
        if inside && !(real == published || real.hasPrefix(published + "/")) && !name.isEmpty {
            throw UsageError("'\(path)' is inside the store \(store.root), whose files only incident's own commands write; write \(what) outside it\(what == "the postmortem" ? ", or use --publish" : "").")
        }
    }
    try POSIXFile.writeUserFile(path, Array(text.utf8), mode: mode, directoryMode: directoryMode)
}
