import IncidentKit

enum VerifyCommand {
    static let spec = CommandSpec(
        path: ["verify"],
        summary: "Check the tamper-evident hash chain of one incident or of every incident; names the first broken event.",
        discussion: "Each event carries a SHA-256 of its content and of the event before it; editing, removing or reordering any stored event breaks the chain. Also checks that the cached state in the file equals the state recomputed from the events. Exits 6 on any problem.",
        arguments: [ArgumentSpec(name: "ID", help: "One incident (default: all, active and archived).", optional: true)],
        examples: ["incident verify", "incident verify 42"],
        run: run)

    struct ResultJSON: Encodable { var id: String; var ok: Bool; var headHash: String; var events: Int; var problems: [String] }

    static func run(_ inv: Invocation) throws -> Int32 {
        var results: [ResultJSON] = []
        var problems: [StoreProblem] = []
        var counterNote: String?
        func check(_ file: Store.CheckedFile) {
            let record = file.record
            var found = Verifier.verify(record).problems
            if let problem = file.storedStateDisagreement { found.append(problem) }
            results.append(ResultJSON(id: record.id.description, ok: found.isEmpty, headHash: record.headHash, events: record.events.count, problems: found))
        }
        // Shared lock: a writer finishing a change while we read could otherwise look like an edit.
        try inv.store.withSharedLock {
            if let text = inv.argument("ID") {
                let id = try inv.incidentID(text)
                guard inv.store.exists else { throw IncidentError.notFound("No incident \(id) in \(inv.store.root).") }
                check(try inv.store.checkOne(id))
            } else {
                let (files, found) = inv.store.checkAll()
                problems = found
                files.forEach(check)
                counterNote = inv.store.counterDisagreement()
            }
        }
        // The derived indexes are hints: say when one disagrees with the files, and drop
        // the lines that do so the next 'list' reads those files instead.
        var disagreements: [IndexDisagreement] = []
        if inv.argument("ID") == nil, inv.store.exists, let snapshot = try? inv.runbookSnapshot() {
            disagreements = inv.store.indexDisagreements(runbook: snapshot, heal: true)
        }
        let bad = results.filter { !$0.ok }
        if inv.json {
            try inv.printJSON(results)
        } else {
            for r in results {
                if r.ok { inv.out("\(r.id): ok, \(r.events) events, head \(r.headHash.prefix(16))") }
                else { inv.out("\(r.id): BROKEN: " + r.problems.joined(separator: "; ")) }
            }
            if results.isEmpty && problems.isEmpty { inv.out("No incidents to verify.") }
        }
        for p in problems { inv.err("\(p.path): cannot be verified: \(p.reason).") }
        // The ID counter is derived, not evidence: a disagreement is reported, and does not
        // by itself fail verification (the next declare rebuilds it; 'incident doctor' lists it).
        if let counterNote { inv.err("incident: note: \(counterNote).") }
        for d in disagreements {
            inv.err("\(d.index): derived index disagrees: \(d.file == d.index ? "" : d.file + ": ")\(d.problem); the line was dropped and is rebuilt from the file.")
        }
        if !disagreements.isEmpty && bad.isEmpty && problems.isEmpty {
            inv.err("Verification failed: \(disagreements.count) line\(disagreements.count == 1 ? "" : "s") of the derived indexes disagreed with the incident files (someone edited an index by hand?).")
            return ExitCode.verifyFailed
        }
        if !bad.isEmpty || !problems.isEmpty {
            let first = bad.first.map { "\($0.id): \($0.problems[0])" } ?? problems[0].description
            inv.err("Verification failed for \(bad.count + problems.count) incident file\(bad.count + problems.count == 1 ? "" : "s"); first: \(first).")
            return ExitCode.verifyFailed
        }
        return ExitCode.success
    }
}

enum DoctorCommand {
    static let spec = CommandSpec(
        path: ["doctor"],
        summary: "Report every problem in the store and how to repair it (read-only).",
        examples: ["incident doctor"],
        run: { inv in
            var report = try inv.store.withSharedLock { inv.store.diagnose() }
            if inv.store.exists, let git = inv.git { report += git.diagnose(executable: inv.context.executablePath) }
            if inv.json {
                try inv.printJSON(report.map { ["path": $0.path, "problem": $0.problem, "repair": $0.repair] })
            } else if report.isEmpty {
                inv.out("\(inv.store.root): no problems found.")
            } else {
                for d in report { inv.out("\(d.path): \(d.problem)\n  repair: \(d.repair)") }
            }
            return report.isEmpty ? ExitCode.success : ExitCode.verifyFailed
        })
}
