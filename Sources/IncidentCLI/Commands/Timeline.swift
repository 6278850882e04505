import IncidentKit

enum TimelineCommand {
    static let spec = CommandSpec(
        path: ["timeline"],
        aliases: ["log"],
        summary: "The whole timeline, in the order things happened (back-filled entries land in place).",
        arguments: [ArgumentSpec(name: "ID", help: "The incident.")],
        options: [OptionSpec(name: "kind", value: "KIND", help: "Only entries of this kind (note, decision, comms, ...).")],
        examples: ["incident timeline 42", "incident timeline 42 --kind decision", "incident timeline 42 --json | jq '.[].text'"],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        let (record, runbook) = try inv.load(inv.required("ID"))
        var entries = record.timeline
        if let kind = inv.option("kind") {
            let id = BuiltInKind.all.contains(kind.lowercased()) ? kind.lowercased() : try runbook.entryKind(named: kind).id
            entries = entries.filter { $0.kind == id }
        }
        if inv.atGiven { entries = entries.filter { $0.at <= inv.at } }
        if inv.json {
            try inv.printJSON(entries.map(EntryJSON.init))
            return ExitCode.success
        }
        inv.out(entries.map { line($0, inv: inv, runbook: runbook) }.joined(separator: "\n"))
        return ExitCode.success
    }

    static func line(_ e: Event, inv: Invocation, runbook: Runbook) -> String {
        let backfilled = e.recordedAt.distance(to: e.at) < -300_000 ? inv.style.dim(" (back-filled \(inv.human(e.recordedAt)))") : ""
        let kind = e.kind.padding(12)
        let text = inv.safe(e.text).replacingOccurrences("\n", "\n" + String(repeating: " ", count: 22))
        return "  \(inv.timeColumn(e.at))  \(inv.style.dim(kind)) \(inv.style.bold(inv.safe(e.author))): \(text)\(backfilled)"
    }
}
