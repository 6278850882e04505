import Foundation
import Testing
import TestSupport

/// zsh and fish load their generated scripts and are asked for completions.
@Suite(.serialized) struct NativeCompletionTests {
    func store() throws -> E2E {
        let e = E2E()
        _ = try e.declare("Checkout 500s", at: "2026-01-05T14:00:00Z")
        _ = try e.declare("DNS outage", severity: "low", at: "2026-01-05T14:01:00Z")
        try e.run("note", "1", "Rolled back to v1.4.2", "--at", "2026-01-05T14:10:00Z")
        return e
    }

    /// `complete -C LINE` in a real fish: one candidate per line, `value<TAB>description`.
    func fish(_ lines: [String], store: String) throws -> [String: [String]] {
        guard let fish = findProgram("fish") else { Issue.record("fish is not installed (.ci/run installs it)"); return [:] }
        let dir = temporaryDirectory("fish")
        let script = try runBinary(["completions", "fish"], store: store)
        #expect(script.status == 0)
        try script.stdout.write(toFile: dir + "/incident.fish", atomically: true, encoding: .utf8)
        var program = "source \(dir)/incident.fish\n"
        for line in lines { program += "echo '== \(line)'\ncomplete -C '\(line)'\n" }
        let r = try runProgram(fish, ["--no-config", "-c", program],
                               environment: ["PATH": binaryDirectory() + ":/usr/bin:/bin", "INCIDENT_STORE": store, "HOME": dir,
                                             "XDG_CONFIG_HOME": dir, "XDG_DATA_HOME": dir],
                               currentDirectory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        return CompletionTests.parseSections(r.stdout)
    }

    @Test func fishCompletesFromTheStoreWithDescriptions() throws {
        let e = try store()
        let got = try fish(["incident ", "incident sev", "incident severity ", "incident severity 1 ", "incident assign 1 ",
                            "incident phase 1 ", "incident note 1 --kind ", "incident declare x --severity ",
                            "incident runbook ", "incident list --st", "incident amend 1 ", "incident merge 2 --into "], store: e.store)
        #expect(got["incident "]?.contains { $0.hasPrefix("declare\t") } == true)
        #expect(got["incident "]?.contains { $0.hasPrefix("watch\t") } == true)
        #expect(got["incident sev"]?.contains { $0.hasPrefix("severity\t") } == true)
        #expect(got["incident severity "]?.contains("INC-1\tCheckout 500s") == true)
        #expect(got["incident severity "]?.contains("INC-2\tDNS outage") == true)
        #expect(got["incident severity 1 "]?.contains("critical\tCritical") == true)
        #expect(got["incident assign 1 "]?.contains("commander\tIncident Commander") == true)
        #expect(got["incident phase 1 "]?.contains { $0.hasPrefix("contain\t") } == true)
        #expect(got["incident note 1 --kind "]?.contains { $0.hasPrefix("decision") } == true)
        #expect(got["incident declare x --severity "]?.contains("high\tHigh") == true)
        #expect(got["incident runbook "]?.contains { $0.hasPrefix("show\t") } == true)
        #expect(got["incident list --st"]?.contains { $0.hasPrefix("--status") } == true)
        #expect(got["incident amend 1 "]?.contains { $0.hasPrefix("ev-") && $0.contains("Rolled back") } == true)
        #expect(got["incident merge 2 --into "]?.contains { $0.hasPrefix("INC-1") } == true)
    }

    @Test func zshCompletesWithARealCompdefFunction() throws {
        let e = try store()
        guard findProgram("zsh") != nil else { Issue.record("zsh is not installed (.ci/run installs it)"); return }
        let script = try runBinary(["completions", "zsh"], store: e.store)
        #expect(script.stdout.hasPrefix("#compdef incident"))
        #expect(!script.stdout.contains("bashcompinit"))
        guard let t = try TmuxSession(store: e.store, columns: 160, rows: 50) else { Issue.record("tmux is not installed"); return }
        let fdir = t.dir + "/functions"
        try FileManager.default.createDirectory(atPath: fdir, withIntermediateDirectories: true)
        try script.stdout.write(toFile: fdir + "/_incident", atomically: true, encoding: .utf8)
        try t.type("exec zsh -f")
        usleep(300_000)
        try t.type("PS1='zsh> '; fpath=(\(fdir) $fpath); autoload -Uz compinit; compinit -u -d \(t.dir)/zcompdump; zstyle ':completion:*' format '[%d]'; clear")
        t.waitFor("zsh prompt") { $0.contains("zsh> ") }
        func ask(_ line: String, _ what: String, _ condition: @escaping (String) -> Bool) throws -> String {
            try t.run("send-keys", "-t", "w", "-l", line)
            // The first Tab inserts what all candidates share; the second lists them.
            try t.run("send-keys", "-t", "w", "Tab")
            usleep(1_200_000)
            try t.run("send-keys", "-t", "w", "Tab")
            let screen = t.waitFor(what, seconds: 6, condition)
            // Back to an empty prompt without running anything: cancel (menu selection takes a
            // second Ctrl-C), then clear the screen with the editor's own key.
            try t.keys("C-c")
            usleep(300_000)
            try t.keys("C-c")
            usleep(300_000)
            try t.keys("C-l")
            t.waitFor("an empty prompt", seconds: 6) { screen in
                screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } == ["zsh>"]
            }
            return screen
        }
        // The script loads in zsh and defines its completion function.
        let load = try runProgram(findProgram("zsh") ?? "/usr/bin/zsh", ["-f", "-c", "autoload -Uz compinit; compinit -u -d \(t.dir)/zcd2; source \(fdir)/_incident; print -r -- ${+functions[_incident]} ${+functions[_incident_names]}"],
                                  environment: t.environment)
        #expect(load.status == 0 && load.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1 1", "\(load.stderr)")
        var screen = try ask("incident severity 1 ", "levels") { $0.contains("critical") && $0.contains("medium") }
        #expect(screen.contains("Critical") && screen.contains("high"))
        screen = try ask("incident show ", "incident IDs") { $0.contains("INC-1") && $0.contains("INC-2") }
        #expect(screen.contains("Checkout 500s") && screen.contains("DNS outage"))
        screen = try ask("incident ", "commands") { $0.contains("declare") && $0.contains("watch") }
        #expect(screen.contains("Open an incident") || screen.contains("declare  --") || screen.contains("-- "))
        screen = try ask("incident declare x --", "options") { $0.contains("--severity") }
        #expect(screen.contains("--started-at"))
        screen = try ask("incident assign 1 ", "roles") { $0.contains("commander") }
        #expect(screen.contains("scribe"))
        // One entry besides the declaration: its ID is completed outright.
        screen = try ask("incident amend 1 ", "entry IDs") { $0.contains("amend 1 ev-") }
    }
}
