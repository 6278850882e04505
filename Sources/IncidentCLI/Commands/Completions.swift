import IncidentKit

/// Shell completion scripts, generated from the same command table as parsing and help.
enum CompletionsCommand {
    static let spec = CommandSpec(
        path: ["completions"],
        summary: "Print a shell completion script (bash, zsh or fish), generated from the command table.",
        discussion: "Completes commands, subcommands and options (with descriptions in zsh and fish), active incident IDs (titles as descriptions), entry IDs for amend and strike, and the store's severity levels, roles, phases and entry kinds, read from its runbook when you press tab. Nothing read from the store is ever evaluated by the shell, and names outside a safe character set (letters, digits, . _ + @ -) are not offered.",
        arguments: [ArgumentSpec(name: "SHELL", help: "bash, zsh or fish.")],
        examples: ["source <(incident completions bash)", "incident completions zsh > \"${fpath[1]}/_incident\"", "incident completions fish > ~/.config/fish/completions/incident.fish"],
        run: { inv in
            let scripts = CompletionScripts(commands: CLI.commands)
            switch try inv.required("SHELL").lowercased() {
            case "bash": inv.document(scripts.bash())
            case "zsh": inv.document(scripts.zsh())
            case "fish": inv.document(scripts.fish())
            default: throw UsageError("Completions exist for bash, zsh and fish, not '\(Sanitizer.forTerminal(try inv.required("SHELL")))'.")
            }
            return ExitCode.success
        })

    /// Hidden helper for the scripts: one candidate per line, `name` or `name<TAB>description`.
    static let namesSpec = CommandSpec(
        path: ["_names"],
        summary: "(for completion scripts) candidates of one category, one per line.",
        arguments: [ArgumentSpec(name: "CATEGORY", help: "levels, roles, phases, kinds, types, templates, runbooks, incidents, entries, statuses or shells."),
                    ArgumentSpec(name: "ID", help: "The incident, for entries.", optional: true, completion: "none")],
        run: { inv in
            let lines = try names(inv.required("CATEGORY"), id: inv.argument("ID"), inv: inv)
            if !lines.isEmpty { inv.document(lines.joinedLines) }
            return ExitCode.success
        })

    /// Timeline entries a correction can point at, most recent first.
    static func entryCandidates(_ record: IncidentRecord) -> [Event] {
        Array(record.timeline.filter { $0.kind != BuiltInKind.declared }.reversed())
    }
}
