import IncidentKit

enum ChecklistCommand {
    static let spec = CommandSpec(
        path: ["checklist"],
        summary: "The incident's checklist by phase: the runbook's items plus its type's, with what is done.",
        arguments: [Invocation.idArgument],
        options: [OptionSpec(name: "phase", value: "PHASE", help: "Only this phase.")],
        examples: ["incident checklist 42", "incident checklist 42 --phase contain"],
        run: { inv in
            let (r, rb) = try inv.load(inv.required("ID"))
            var items = Checklist.items(for: r.state, events: r.events, runbook: rb)
            if let p = inv.option("phase") { let id = try rb.phase(named: p).id; items = items.filter { $0.phase == id } }
            if inv.json {
                try inv.printJSON(items.map { ChecklistJSON(number: $0.number, phase: $0.phase, text: $0.text, required: $0.required, done: $0.done) })
                return ExitCode.success
            }
            if items.isEmpty { inv.out("No checklist items."); return ExitCode.success }
            var lines: [String] = []
            var lastPhase = ""
            for item in items {
                if item.phase != lastPhase {
                    lastPhase = item.phase
                    let marker = item.phase == r.state.phase ? inv.style.bold(" ← current") : ""
                    lines.append("\(inv.phaseTitle(item.phase, rb))\(marker)")
                }
                lines.append("  [\(item.done ? "x" : " ")] \(String(item.number).padding(3)) \(item.text)\(item.required ? inv.style.yellow(" (required)") : "")")
            }
            inv.out(lines.joinedLines)
            return ExitCode.success
        })
}

enum CheckCommand {
    static let spec = CommandSpec(
        path: ["check"], aliases: ["tick-off"],
        summary: "Tick a checklist item, by number or by (part of) its text; recorded with its author.",
        arguments: [Invocation.idArgument, ArgumentSpec(name: "ITEM", help: "Item number (see 'incident checklist') or text.", rest: true)],
        options: [OptionSpec(name: "undo", help: "Un-tick it instead.")],
        examples: ["incident check 42 3", "incident check 42 \"secrets rotated\"", "incident check 42 3 --undo"],
        run: { inv in
            let (r, rb) = try inv.mutate(inv.required("ID")) { r, rb, actor in
                try Actions.check(&r, runbook: rb, item: inv.required("ITEM"), uncheck: inv.flag("undo"), actor: actor)
            }
            return try inv.report(r, rb, "\(r.id): \(r.events.last?.text ?? "").")
        })
}
