#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IncidentKit

enum RunbookImportCommand {
    static let spec = CommandSpec(
        path: ["runbook", "import"],
        summary: "Turn a team's Markdown runbook into a runbook file; report what was mapped and what was not.",
        discussion: """
        Reads the severity ladder (a table, list or headings of levels), the deadlines stated for each \
        level (acknowledge, contain, resolve, fix, status updates, notifications, postmortem, review), \
        roles, phases, checklist items and communication templates. The runbook goes to stdout (or \
        --output FILE); the report goes to stderr: each mapped item with its line number, the choices \
        made (ranges, assumed timers, level order), the policy-looking lines it did not map, and what \
        is left to a person. Nothing is invented: "immediate", "best effort", "n/a" stay untimed. \
        --templates-dir DIR saves the communication templates as DIR/NAME.md (use <store>/templates \
        so 'incident comms' uses them). --json prints {runbook, report, templates} on stdout instead.
        """,
        arguments: [ArgumentSpec(name: "FILE", help: "The Markdown document (at most 2 MiB).")],
        options: [
            OptionSpec(name: "output", short: "o", value: "FILE", help: "Write the runbook to FILE instead of stdout."),
            OptionSpec(name: "name", value: "NAME", help: "The runbook's name (default: from the file name)."),
            OptionSpec(name: "templates-dir", value: "DIR", help: "Save the communication templates found as DIR/NAME.md."),
        ],
        examples: [
            "incident runbook import docs/incident-policy.md --output policy.json",
            "incident runbook import policy.md --templates-dir \"$INCIDENT_STORE/templates\" -o policy.json && incident init --runbook policy.json",
            "incident runbook import policy.md --json | jq .report.unmapped",
        ],
        run: run)

    static func run(_ inv: Invocation) throws -> Int32 {
        let path = inv.argument("FILE")!
        let bytes: [UInt8]
        do {
            bytes = try ImportFile.read(path, limit: MarkdownImporter.maxBytes)
        } catch let e as IncidentError {
            throw CommandFailure(message: e.description, code: ExitCode.refused)
        }
        if let name = inv.option("name"), InlineText.slug(name, fallback: "").isEmpty {
            throw UsageError("--name needs letters or digits (the runbook's name becomes [a-z0-9-]).", command: "runbook import")
        }
        let result: MarkdownImporter.Result
        do {
            result = try MarkdownImporter.importDocument(bytes, source: path, name: inv.option("name"))
        } catch let e as IncidentError {
            throw CommandFailure(message: e.description, code: ExitCode.refused)
        }
        let data = try result.runbook.encoded()
        // Templates first: a failure there leaves no runbook half-announced.
        if let dir = inv.option("templates-dir") {
            for t in result.templates {
                try ImportFile.write(Array(t.text.utf8), directory: dir, name: t.name + ".md")
            }
        }
        if let out = inv.option("output") {
            try ImportFile.writePath(Array(data), out)
        }
        if inv.json {
            struct Payload: Encodable { var runbook: Runbook; var report: ImportReport; var templates: [ImportedTemplate]; var output: String? }
            try inv.printJSON(Payload(runbook: result.runbook, report: result.report, templates: result.templates, output: inv.option("output")))
            return ExitCode.success
        }
        if inv.option("output") == nil { inv.context.stdout.write(String(decoding: data, as: UTF8.self)) }
        var report = result.report.rendered()
        if !result.templates.isEmpty {
            if let dir = inv.option("templates-dir") {
                report += "\nTemplates saved in \(Sanitizer.forTerminal(dir)): " + result.templates.map { $0.name + ".md" }.joined(separator: ", ") + "\n"
            } else {
                report += "\n\(result.templates.count) template\(result.templates.count == 1 ? "" : "s") found (\(result.templates.map(\.name).joined(separator: ", "))); add --templates-dir <store>/templates to save them.\n"
            }
        }
        let levels = result.runbook.levels.count, timers = result.runbook.timers.count
        report += "\nRunbook '\(result.runbook.name)': \(levels) level\(levels == 1 ? "" : "s"), \(timers) timer\(timers == 1 ? "" : "s"), \(result.runbook.roles.count) roles, \(result.runbook.phases.count) phases\(inv.option("output").map { ", written to " + Sanitizer.forTerminal($0) } ?? "").\n"
        inv.err(report)
        return ExitCode.success
    }
}
