import IncidentKit

enum SyncCommand {
    static let spec = CommandSpec(
        path: ["sync"],
        summary: "Share the store with the team: commit, fetch, merge (event by event), number provisional incidents, push.",
        discussion: "The store must be kept in git ('incident init --git --remote URL', or a 'git clone' of the team's store). Commits anything pending, fetches the remote, merges its changes (the union of both sides' event logs per incident; never a line merge), gives provisional incidents declared offline their numbers, and pushes; if someone pushed in between it fetches and merges again. Prints what came in. When the remote cannot be reached it says so, keeps everything committed locally and exits 7; the next sync delivers it. A remote that cannot work (no such repository, a refused transport, no access) or a file only a person can merge exits 4. If what came in deleted an incident or removed or rewrote entries that were already here (a file edited by hand on another clone), sync still merges and pushes, warns naming them, and exits 6, as 'incident verify' would.",
        examples: ["incident sync", "incident sync --json"],
        run: run)

    struct NumberedJSON: Encodable { var from: String; var to: String }
    struct ReportJSON: Encodable {
        var remote: String
        var pushed: Bool
        var offline: Bool
        var reason: String?
        var incoming: [String]
        var numbered: [NumberedJSON]
        var notes: [String]
        var warnings: [String]
        /// Set when the sync failed (exit 4): the same sentence as on stderr.
        var error: String? = nil
    }

    static func run(_ inv: Invocation) throws -> Int32 {
        guard inv.store.exists else {
            throw IncidentError.notFound("There is no store at \(inv.store.root); 'git clone URL DIR' the team's store, or create one with 'incident init --git --remote URL'.")
        }
        guard let git = inv.git else {
            throw CommandFailure(message: "\(inv.store.root) is not kept in git; run 'incident --store \(inv.store.root) init --git --remote URL' first.", code: ExitCode.refused)
        }
        try git.ensureDriver(executable: inv.context.executablePath)
        try git.ensureLocalAttributes()
        let actor = try inv.actor
        let report: SyncReport
        do {
            report = try inv.store.withLock { try git.sync(actor: actor, executable: inv.context.executablePath) }
        } catch {
            // A scheduler that parses --json gets a document for the failures it must alert on
            // too (the sentence still goes to stderr, with the same exit status).
            if inv.json {
                let remote = git.remote ?? ""
                try? inv.printJSON(ReportJSON(remote: remote, pushed: false, offline: false, reason: nil, incoming: [], numbered: [],
                                              notes: [], warnings: [], error: CLI.describe(error).0))
            }
            throw error
        }
        if inv.json {
            try inv.printJSON(ReportJSON(remote: report.remote, pushed: report.pushed, offline: report.offline != nil, reason: report.offline,
                                         incoming: report.incoming, numbered: report.numbered.map { NumberedJSON(from: $0.0.description, to: $0.1.description) },
                                         notes: report.notes, warnings: report.warnings))
        } else {
            for n in report.notes { inv.err(n) }
            for (from, to) in report.numbered { inv.out("\(from) is now \(to) (\(from) keeps working as an alias).") }
            if report.incoming.isEmpty {
                if report.offline == nil {
                    inv.out(report.warnings.isEmpty ? "Up to date with \(report.remote): nothing new came in."
                                                    : "Merged what came in from \(report.remote): no new entries, but see the warnings.")
                }
            } else {
                inv.out("From \(report.remote): " + report.incoming.map(inv.safe).joined(separator: "; ") + ".")
            }
        }
        for w in report.warnings { inv.err("incident: warning: " + inv.safe(w)) }
        if let reason = report.offline {
            inv.err("incident: could not reach the remote '\(report.remote)' (\(inv.safe(reason))). Everything is committed locally; run 'incident sync' again when the network is back.")
            return ExitCode.offline
        }
        if !inv.json && report.pushed { inv.err("Pushed to \(report.remote).") }
        // Merged and pushed, but something that came in removed or rewrote history: the
        // same status as a failed 'incident verify'.
        return report.warnings.isEmpty ? ExitCode.success : ExitCode.verifyFailed
    }
}

/// `incident merge-driver %O %A %B %P`: run by git (configured in .git/config by the binary).
enum MergeDriverCommand {
    static let spec = CommandSpec(
        path: ["merge-driver"],
        summary: "(run by git) merge two versions of an incident file: the union of their event logs.",
        arguments: [
            ArgumentSpec(name: "BASE", help: "The common ancestor's version (%O)."),
            ArgumentSpec(name: "OURS", help: "Our version, replaced by the result (%A)."),
            ArgumentSpec(name: "THEIRS", help: "Their version (%B)."),
            ArgumentSpec(name: "PATH", help: "The file's path in the repository (%P).", optional: true),
        ],
        run: { inv in
            let (status, message) = IncidentMerge.runDriver(base: inv.argument("BASE")!, ours: inv.argument("OURS")!,
                                                            theirs: inv.argument("THEIRS")!, path: inv.argument("PATH") ?? inv.argument("OURS")!)
            if let message { inv.err("incident merge-driver: " + inv.safe(message)) }
            return status
        })
}

/// `incident _autopush`: the background push a write starts when `incident.autopush` is true.
enum AutopushCommand {
    static let spec = CommandSpec(
        path: ["_autopush"],
        summary: "(started by writes) push the store's branch, giving up after a few seconds.",
        run: { inv in
            guard let git = inv.git, let remote = git.remote, let branch = git.branch else { return ExitCode.refused }
            let r = try git.git(["push", "-q", remote, "HEAD:refs/heads/\(branch)"], timeout: 15, extraEnvironment: ["GIT_TERMINAL_PROMPT": "0"])
            return r.status == 0 ? ExitCode.success : ExitCode.offline
        })
}
