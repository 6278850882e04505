#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IncidentKit

enum RunbookShowCommand {
    static let spec = CommandSpec(
        path: ["runbook", "show"],
        summary: "Show a runbook: levels with their timers, roles, phases and checklists, close gates.",
        arguments: [ArgumentSpec(name: "NAME", help: "A shipped runbook or a file (default: the store's).", optional: true)],
        examples: ["incident runbook show", "incident runbook show sla-matrix", "incident runbook show --json"],
        run: { inv in
            let rb = try inv.argument("NAME").map(InitCommand.loadRunbookArgument) ?? inv.runbook()
            if inv.json { try inv.printJSON(rb); return ExitCode.success }
            var lines = ["\(inv.style.bold(rb.title)) (\(rb.name))"]
            if let d = rb.description { lines.append(d) }
            lines.append("")
            lines.append(inv.style.bold("Severity levels") + " (most severe first)")
            for level in rb.levels {
                let aliases = (level.aliases ?? []).isEmpty ? "" : " (also: \(level.aliases!.joined(separator: ", ")))"
                lines.append("  \(level.id)\(aliases): \(level.title)\(level.description.map { " — " + $0 } ?? "")")
                for timer in rb.timers {
                    guard let d = timer.durations[level.id] else { continue }
                    lines.append("      \(timer.title.padding(20)) \(timer.repeats == true ? "every " : "")\(d.spelledOut), from \(timer.start), until \(timer.stop.joined(separator: " or "))")
                }
                let roles = rb.requiredRoles(level: level.id, type: nil)
                if !roles.isEmpty { lines.append("      requires: " + roles.map { rb.role(id: $0)?.title ?? $0 }.joined(separator: ", ")) }
            }
            lines.append("")
            lines.append(inv.style.bold("Roles"))
            for role in rb.roles {
                lines.append("  \(role.id.padding(12)) \(role.title)\((role.aliases ?? []).isEmpty ? "" : " (also: \(role.aliases!.joined(separator: ", ")))")\(role.backup.map { "; backup: \($0)" } ?? "")")
            }
            lines.append("")
            lines.append(inv.style.bold("Phases"))
            for (i, phase) in rb.phases.enumerated() {
                lines.append("  \(i + 1). \(phase.id): \(phase.title)")
                for item in phase.checklist ?? [] { lines.append("       - \(item.text)\(item.required == true ? " (required)" : "")") }
            }
            if let types = rb.incidentTypes, !types.isEmpty {
                lines.append("")
                lines.append(inv.style.bold("Incident types"))
                for t in types { lines.append("  \(t.id): \(t.title)") }
            }
            lines.append("")
            lines.append(inv.style.bold("Entry kinds") + ": " + rb.entryKinds.map(\.id).joined(separator: ", "))
            lines.append(inv.style.bold("Close gates") + ": " + rb.closeGates.map(\.rawValue).joined(separator: ", "))
            if let m = rb.monitoring { lines.append(inv.style.bold("Monitoring window") + ": " + describeMonitoring(m)) }
            lines.append(inv.style.bold("Calendar") + ": " + (rb.calendar.map(describeCalendar) ?? "none (business time is Monday to Friday, 09:00–17:00 UTC)"))
            inv.out(lines.joinedLines)
            return ExitCode.success
        })
}

enum RunbookValidateCommand {
    static let spec = CommandSpec(
        path: ["runbook", "validate"],
        summary: "Check a runbook file; errors name the field at fault.",
        arguments: [ArgumentSpec(name: "FILE", help: "The runbook JSON file.")],
        examples: ["incident runbook validate ./our-policy.json"],
        run: { inv in
            let path = try inv.required("FILE")
            let bytes = try readUserFile(path, limit: 4 << 20)
            do {
                let rb = try Runbook.decode(Data(bytes), origin: path)
                if let calendar = rb.calendar {
                    // The zone must exist here: a deadline is never silently computed in UTC.
                    do {
                        _ = try ZoneDatabase.rules(named: calendar.timeZone, directory: ZoneDatabase.directory(environment: inv.context.environment))
                    } catch let e as ZoneError {
                        inv.err("Runbook \(path) is invalid: calendar.timeZone: \(e.message)")
                        return ExitCode.refused
                    }
                }
                inv.out("\(path): valid runbook '\(rb.name)' with \(rb.levels.count) levels, \(rb.timers.count) timers, \(rb.roles.count) roles, \(rb.phases.count) phases.")
                if let calendar = rb.calendar { inv.out("  calendar: " + describeCalendar(calendar)) }
                if let m = rb.monitoring { inv.out("  monitoring window: " + describeMonitoring(m)) }
                return ExitCode.success
            } catch let e as IncidentError {
                inv.err(e.description)
                return ExitCode.refused
            }
        })
}

enum RunbookListCommand {
    static let spec = CommandSpec(
        path: ["runbook", "list"],
        summary: "The runbooks built into incident.",
        examples: ["incident runbook list"],
        run: { inv in
            let items = Runbook.shippedNames.compactMap { name in (try? Runbook.shipped(named: name)).map { (name, $0.title) } }
            if inv.json { try inv.printJSON(items.map { ["name": $0.0, "title": $0.1] }); return ExitCode.success }
            inv.out(table(items.map { [$0.0, $0.1] }).joinedLines)
            return ExitCode.success
        })
}

/// `Europe/Berlin; mon, tue, wed, thu, fri; 09:00–17:00; 2 holidays`
func describeCalendar(_ c: BusinessCalendar) -> String {
    let days = (c.workdays ?? ["mon", "tue", "wed", "thu", "fri"]).joined(separator: ", ")
    let hours = c.businessHours.map { "\($0.start)–\($0.end)" } ?? "09:00–17:00"
    let holidays = c.holidays ?? []
    return "\(Sanitizer.forTerminal(c.timeZone)); \(Sanitizer.forTerminal(days)); \(hours); \(holidays.count) holiday\(holidays.count == 1 ? "" : "s")"
}

/// `30 minutes after resolve (sev1: 2 hours): Error rates watched`
func describeMonitoring(_ m: Runbook.MonitoringWindow) -> String {
    var s = m.window.map { "\($0.spelledOut) after resolve" } ?? "after resolve"
    let levels = (m.levels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.spelledOut)" }
    if !levels.isEmpty { s += " (" + levels.joined(separator: ", ") + ")" }
    if let title = m.title { s += ": " + Sanitizer.forTerminal(title) }
    return s
}
