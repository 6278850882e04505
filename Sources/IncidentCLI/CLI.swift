import IncidentKit

/// The command-line interface: `run(arguments:context:)` parses, dispatches, reports errors
/// as one sentence on stderr and returns the exit status. The executable only wires the
/// process to this.
public enum CLI {
    public static let version = "0.1.0"

    static let commands: [CommandSpec] = [
        InitCommand.spec, DeclareCommand.spec, ListCommand.spec, ShowCommand.spec, AckCommand.spec,
        SeverityCommand.spec, AssignCommand.spec, UnassignCommand.spec, PhaseCommand.spec, NoteCommand.spec,
        TimelineCommand.spec, SLACommand.spec, ContainCommand.spec, ResolveCommand.spec, CloseCommand.spec,
        ReopenCommand.spec, AmendCommand.spec, StrikeCommand.spec, EditCommand.spec, DeclineCommand.spec, MergeCommand.spec, WatchCommand.spec, SyncCommand.spec,
        PostmortemCommand.spec, ChecklistCommand.spec, CheckCommand.spec,
        ActionAddCommand.spec, ActionDoneCommand.spec, ActionsCommand.spec,
        RunbookShowCommand.spec, RunbookValidateCommand.spec, RunbookListCommand.spec, RunbookImportCommand.spec,
        DrillsCommand.spec, StatsCommand.spec, CommsCommand.spec, EvidenceAddCommand.spec, EvidenceTransferCommand.spec,
        EvidenceListCommand.spec, EvidenceVerifyCommand.spec, VerifyCommand.spec, DoctorCommand.spec, CompletionsCommand.spec, HelpCommand.spec, VersionCommand.spec,
        CompletionsCommand.namesSpec, MergeDriverCommand.spec, AutopushCommand.spec,
        HooksCommand.spec, HooksCommand.testSpec, HooksCommand.trustSpec, TickCommand.spec, PublicTitleCommand.spec,
        ExportCommand.spec, StatusPageCommand.spec, ReportCommand.spec,
    ]

    /// Commands that never open a git store's repository state (the merge driver runs inside
    /// git; init and sync do their own git preparation under the lock).
    static func withoutGitPreparation(_ command: String) -> Bool {
        switch command {
        case "merge-driver", "_autopush", "help", "version", "completions", "_names", "init", "sync", "doctor": return true
        default: return false
        }
    }

    /// The everyday commands by their first word (names and aliases), without building the
    /// whole table: each command's `spec` is a lazily initialised global, and touching all
    /// fifty of them at start cost every run some thirty fresh memory pages (page faults).
    /// Only words that are not the start of a longer command belong here; a test checks the
    /// switch against `commands`.
    static func everyday(_ word: String) -> CommandSpec? {
        switch word {
        case "list", "ls": return ListCommand.spec
        case "show": return ShowCommand.spec
        case "sla", "timers": return SLACommand.spec
        case "note", "log-entry", "add": return NoteCommand.spec
        case "timeline", "log": return TimelineCommand.spec
        case "ack", "acknowledge": return AckCommand.spec
        case "assign", "handover": return AssignCommand.spec
        case "unassign": return UnassignCommand.spec
        case "severity", "sev", "reclassify": return SeverityCommand.spec
        case "phase": return PhaseCommand.spec
        case "contain": return ContainCommand.spec
        case "resolve": return ResolveCommand.spec
        case "close": return CloseCommand.spec
        case "reopen": return ReopenCommand.spec
        case "declare", "open", "new": return DeclareCommand.spec
        case "amend", "correct": return AmendCommand.spec
        case "strike": return StrikeCommand.spec
        case "actions": return ActionsCommand.spec
        case "stats", "metrics": return StatsCommand.spec
        case "tick": return TickCommand.spec
        case "check", "tick-off": return CheckCommand.spec
        case "checklist": return ChecklistCommand.spec
        case "postmortem", "pm": return PostmortemCommand.spec
        case "status-page": return StatusPageCommand.spec
        case "_names": return CompletionsCommand.namesSpec
        default: return nil
        }
    }

    /// The command line parsed against the one everyday command its first word names, when
    /// that gives the same answer as the whole table: any error (an unknown option, a word
    /// that was an option's value) is left to the full parse, which words it the same way.
    static func parseEveryday(_ arguments: [String]) -> ParsedCommandLine? {
        guard let first = arguments.first(where: { !$0.hasPrefix("-") }), !arguments.contains("--"),
              let spec = everyday(first.lowercased()),
              let parsed = try? Parser.parse(arguments, commands: [spec]), parsed.command?.path == spec.path else { return nil }
        return parsed
    }

    public static func run(arguments: [String], context: Context) -> Int32 {
        if arguments == ["--version"] {  // what scripts ask first: no command table needed
            context.stdout.write("incident \(version)\n")
            return ExitCode.success
        }
        do {
            let parsed = try parseEveryday(arguments) ?? Parser.parse(arguments, commands: commands)
            if parsed.options["version"] != nil {
                context.stdout.write("incident \(version)\n")
                return ExitCode.success
            }
            if parsed.helpRequested || parsed.command == nil {
                if parsed.command == nil && !parsed.positionals.isEmpty {
                    context.stdout.write(Help.group(parsed.positionals, commands: commands, width: context.width))
                } else {
                    context.stdout.write(parsed.command.map { Help.command($0) } ?? Help.overview(commands: commands, width: context.width))
                }
                return ExitCode.success
            }
            let invocation = try Invocation(context: context, command: parsed.command!, parsed: parsed)
            if !withoutGitPreparation(parsed.command!.path[0]) { invocation.prepareGitStore() }
            // Hooks run after the command's own output, whether or not it then failed:
            // what they announce is already stored.
            defer { invocation.runPendingHooks() }
            return try parsed.command!.run(invocation)
        } catch {
            let (message, code) = describe(error)
            // One sentence on one line: a line break or tab inside it comes from a value the
            // user gave (`-s $'a\nb'`) and is shown escaped.
            context.stderr.write(Sanitizer.forTerminal("incident: \(oneLine(message))\n"))
            return code
        }
    }

    static func describe(_ error: Error) -> (String, Int32) {
        switch error {
        case let e as UsageError:
            return (e.message, ExitCode.usage)
        case let e as CommandFailure:
            return (e.message, e.code)
        case let e as IncidentError:
            switch e {
            case .unknownName, .invalidInput: return (e.description, ExitCode.usage)
            case .notFound: return (e.description, ExitCode.notFound)
            case .refused, .template: return (e.description, ExitCode.refused)
            case .corrupt, .storage, .invalidRunbook: return (e.description, ExitCode.store)
            case .lockTimeout: return (e.description, ExitCode.lockTimeout)
            }
        default:
            // Never a raw NSError/DecodingError dump: one sentence, the type for a bug report.
            return ("An unexpected \(String(describing: type(of: error))) stopped the command; nothing more was written. Please report it.", ExitCode.refused)
        }
    }
}

enum HelpCommand {
    static let spec = CommandSpec(
        path: ["help"],
        summary: "Help for the tool or one command (same as --help).",
        arguments: [ArgumentSpec(name: "COMMAND", help: "A command.", optional: true, rest: true)],
        examples: ["incident help", "incident help declare"],
        run: { inv in
            guard let words = inv.argument("COMMAND")?.split(separator: " ").map(String.init) else {
                inv.context.stdout.write(Help.overview(commands: CLI.commands, width: inv.context.width))
                return ExitCode.success
            }
            if let spec = CLI.commands.first(where: { $0.path == words || $0.aliases == words }) {
                inv.context.stdout.write(Help.command(spec))
            } else if CLI.commands.contains(where: { Array($0.path.prefix(words.count)) == words }) {
                inv.context.stdout.write(Help.group(words, commands: CLI.commands, width: inv.context.width))
            } else {
                throw Parser.unknownCommand(words, CLI.commands)
            }
            return ExitCode.success
        })
}

enum VersionCommand {
    static let spec = CommandSpec(
        path: ["version"],
        summary: "Print the version (same as --version).",
        run: { inv in inv.out("incident \(CLI.version)"); return ExitCode.success })
}

/// Help text, generated from the command table so it cannot drift from the parser.
enum Help {
    static func overview(commands: [CommandSpec], width: Int) -> String {
        var s = """
        OVERVIEW: incident — declare, run and learn from incidents from a shell.

        Incidents are JSON files in a store (active/, archive/); every change is an event
        in a tamper-evident timeline; SLA timers, roles, phases and checklists come from
        the store's runbook.

        USAGE: incident [global options] <command> [arguments] [options]

        COMMANDS:

        """
        let nameWidth = (commands.map { $0.name.count }.max() ?? 10) + 2
        for c in commands where !c.hidden {
            s += "  " + c.name.padding(nameWidth) + wrap(c.summary, width: width - nameWidth - 2, indent: nameWidth + 2) + "\n"
        }
        s += "\nGLOBAL OPTIONS (before or after the command):\n"
        s += options(GlobalOptions.all, width: width)
        s += """

        TIME: ISO 8601 with a zone (2026-11-23T14:05:00Z, 2026-11-23T15:05:00+01:00, fractional
        seconds allowed), 'now', an offset (-15m, -2h, +1d, -1h30m), or a time in YOUR zone (TZ,
        else the system's): a clock time (14:05, the most recent one), a date and time
        (2026-11-23 14:05) or a date (2026-11-23, its 00:00). Human output shows times in your
        zone too (TZ=UTC for UTC); --json and stored files are always UTC. IDs: INC-42, inc-42 or 42.

        EXIT STATUS: 0 ok · 1 refused (gate, transition) · 2 command line wrong, nothing written ·
        3 no such incident · 4 store or file unusable · 5 lock timeout · 6 verification failed ·
        7 the team's git remote could not be reached (everything stays committed locally) ·
        8 sla --fail-on found a breached (or soon due) timer.

        ENVIRONMENT: INCIDENT_STORE, INCIDENT_USER, INCIDENT_LOCK_TIMEOUT (seconds 0-3600, default 10), NO_COLOR,
        TZ (your zone, for display and typed times), TZDIR (the zone database, default /usr/share/zoneinfo),
        INCIDENT_HOOK_TIMEOUT (seconds a hook may run, default 10), XDG_CONFIG_HOME (trusted hook hashes).

        EXAMPLE:
          id=$(incident declare "Checkout 500s" --severity high)
          incident ack $id && incident assign $id ic alice
          incident note $id --kind decision "Roll back to v1.4.2"
          incident resolve $id && incident postmortem $id --publish && incident close $id

        See 'incident help <command>' for a command's options and examples.

        """
        return s
    }

    static func group(_ words: [String], commands: [CommandSpec], width: Int) -> String {
        let subs = commands.filter { Array($0.path.prefix(words.count)) == words }
        var s = "USAGE: incident \(words.joined(separator: " ")) <subcommand>\n\nSUBCOMMANDS:\n"
        let w = (subs.map { $0.name.count }.max() ?? 10) + 2
        for c in subs { s += "  " + c.name.padding(w) + c.summary + "\n" }
        return s
    }

    static func usage(_ c: CommandSpec) -> String {
        var parts = ["incident", c.name]
        for a in c.arguments { parts.append(a.optional ? "[\(a.name)]" : a.name) }
        for o in c.options { parts.append(o.value.map { "[--\(o.name) \($0)]" } ?? "[--\(o.name)]") }
        return parts.joined(separator: " ")
    }

    static func command(_ c: CommandSpec) -> String {
        var s = "OVERVIEW: \(c.summary)\n"
        if !c.discussion.isEmpty { s += "\n" + wrap(c.discussion, width: 90, indent: 0) + "\n" }
        s += "\nUSAGE: \(usage(c))\n"
        if !c.aliases.isEmpty { s += "ALIASES: \(c.aliases.joined(separator: ", "))\n" }
        if !c.arguments.isEmpty {
            s += "\nARGUMENTS:\n"
            for a in c.arguments { s += "  " + a.name.padding(22) + a.help + "\n" }
        }
        if !c.options.isEmpty {
            s += "\nOPTIONS:\n" + options(c.options, width: 100)
        }
        s += "\nGLOBAL OPTIONS: --store DIR, --as NAME, --at TIME, --future, --json, --no-color, --allow-secrets, --help\n"
        if !c.examples.isEmpty {
            s += "\nEXAMPLES:\n" + c.examples.map { "  " + $0 }.joinedLines + "\n"
        }
        return s
    }

    static func options(_ list: [OptionSpec], width: Int) -> String {
        var s = ""
        for o in list {
            var label = o.short.map { "-\($0), " } ?? ""
            label += "--\(o.name)" + (o.value.map { " \($0)" } ?? "")
            s += "  " + label.padding(26) + wrap(o.help, width: width - 28, indent: 28) + "\n"
        }
        return s
    }

    static func wrap(_ text: String, width: Int, indent: Int) -> String {
        let limit = max(width, 30)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + word.count + 1 > limit {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n" + String(repeating: " ", count: indent))
    }
}
