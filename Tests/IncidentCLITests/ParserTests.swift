import Foundation
import Testing
import IncidentKit
import TestSupport

/// The CLI in-process, with an injected clock.
@Suite struct ParserTests {
    @Test func optionSpellings() {
        let cli = InProcessCLI()
        #expect(cli.run(["declare", "A", "--severity=high"]).status == 0)
        #expect(cli.run(["declare", "-s", "low", "--", "--not-an-option"]).stdout == "INC-2\n")
        #expect(cli.run(["--json", "show", "2"]).stdout.contains("\"title\" : \"--not-an-option\""))
    }

    /// A command's option given twice with two values is refused (exit 2, nothing written);
    /// the same value twice is harmless; a global option given again overrides (an alias
    /// that puts `--store` or `--as` first can be overridden on the command line).
    @Test func anOptionGivenTwiceWithTwoValuesIsRefused() {
        let cli = InProcessCLI()
        let twice = cli.run(["declare", "A", "-s", "critical", "--severity=low"])
        #expect(twice.status == 2 && twice.stderr.contains("'--severity' was given twice ('critical' and 'low')"), "\(twice.stderr)")
        #expect(!cli.run(["list", "--json"]).stdout.contains("INC-"))
        let long = cli.run(["declare", "A", "-s", "low", "--summary", String(repeating: "x", count: 5000), "--summary", "y"])
        #expect(long.status == 2 && long.stderr.count < 300, "\(long.stderr.count)")
        #expect(cli.run(["declare", "A", "-s", "low", "--severity", "low"]).status == 0)
        #expect(cli.run(["declare", "B", "-s", "low", "--severity=LOW"]).status == 0)  // names ignore case
        // --fail-on twice, even with the same word: the second window would be taken for an ID.
        let failOn = cli.run(["sla", "--fail-on", "due-within", "30m", "--fail-on", "due-within", "2h"])
        #expect(failOn.status == 2 && failOn.stderr.contains("'--fail-on' was given twice"), "\(failOn.stderr)")
        #expect(cli.run(["note", "1", "x", "--as", "alice", "--as", "bob"]).status == 0)
        let timeline = cli.run(["timeline", "1", "--json"]).stdout
        #expect(timeline.contains("\"author\" : \"bob\""), "\(timeline)")
    }

    /// An error is one line even when a value in it holds a line break or a tab.
    @Test func anErrorIsOneLineWhateverTheValueHolds() {
        let cli = InProcessCLI()
        for bad in ["a\nb", "a\tb", "a\r\nb"] {
            let r = cli.run(["declare", "X", "-s", bad])
            #expect(r.status == 2 && r.stderr.utf8.filter { $0 == 0x0A }.count == 1 && !r.stderr.utf8.contains(0x09) && !r.stderr.utf8.contains(0x0D), "\(r.stderr)")
        }
    }

    @Test func suggestions() {
        let cli = InProcessCLI()
        #expect(cli.run(["declre", "x"]).stderr.contains("Did you mean 'declare'?"))
        #expect(cli.run(["declare", "x", "--sevrity", "high"]).stderr.contains("Did you mean '--severity'?"))
    }

    @Test func titleWordsAreJoined() throws {
        let cli = InProcessCLI()
        #expect(cli.run(["declare", "Checkout", "500s", "-s", "high"]).status == 0)
        let obj = try cli.json(["show", "1"]) as? [String: Any]
        #expect(obj?["title"] as? String == "Checkout 500s")
    }

    @Test func atShorthandsUseTheInjectedClock() throws {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        #expect(cli.run(["declare", "X", "-s", "high", "--at", "-15m"]).status == 0)
        let obj = try cli.json(["show", "1"]) as? [String: Any]
        #expect(obj?["declaredAt"] as? String == "2026-11-23T13:50:00Z")
        #expect(cli.run(["ack", "1", "--at", "13:55"]).status == 0)
        let obj2 = try cli.json(["show", "1"]) as? [String: Any]
        #expect(obj2?["acknowledgedAt"] as? String == "2026-11-23T13:55:00Z")
    }

    @Test func everyCommandHasHelpWithAnExample() {
        let cli = InProcessCLI()
        let overview = cli.run(["--help"]).stdout
        for command in ["init", "declare", "list", "show", "ack", "severity", "assign", "unassign", "phase", "note",
                        "timeline", "sla", "resolve", "close", "reopen", "postmortem"] {
            #expect(overview.contains("  \(command) "), "\(command) missing from --help")
            let help = cli.run([command, "--help"])
            #expect(help.status == 0 && help.stdout.contains("USAGE: incident \(command)"))
            #expect(help.stdout.contains("EXAMPLES:"), "\(command) has no example")
        }
    }

    @Test func completionsComeFromTheCommandTable() throws {
        let cli = InProcessCLI()
        let bash = cli.run(["completions", "bash"])
        #expect(bash.status == 0)
        for word in ["declare", "postmortem", "evidence", "--severity", "--started-at", "complete -F _incident incident"] {
            #expect(bash.stdout.contains(word), "\(word)")
        }
        let path = temporaryDirectory("completion") + "/incident.bash"
        try bash.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/bin/bash")
        check.arguments = ["-n", path]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
        #expect(cli.run(["completions", "fish"]).stdout.contains("__incident_cmd declare"))
        #expect(cli.run(["completions", "zsh"]).stdout.hasPrefix("#compdef incident"))
        #expect(cli.run(["completions", "tcsh"]).status == 2)
        #expect(cli.run(["_names", "levels"]).stdout == "critical\tCritical\nhigh\tHigh\nmedium\tMedium\nlow\tLow\n")
        #expect(!cli.run(["--help"]).stdout.contains("_names"))
    }

    @Test func storeOverrideTemplateChangesPostmortemWithoutRebuild() throws {
        let cli = InProcessCLI()
        _ = cli.run(["declare", "X", "-s", "high"])
        try FileManager.default.createDirectory(atPath: cli.store + "/templates", withIntermediateDirectories: true)
        try "Custom {{id}}: {{title}}\n".write(toFile: cli.store + "/templates/postmortem.md", atomically: true, encoding: .utf8)
        #expect(cli.run(["postmortem", "1"]).stdout == "Custom INC-1: X\n")
        try "Bad {{whatever}}\n".write(toFile: cli.store + "/templates/postmortem.md", atomically: true, encoding: .utf8)
        let r = cli.run(["postmortem", "1"])
        #expect(r.status == 1 && r.stderr.contains("{{whatever}}"))
    }
}

@Suite struct MissingArgumentMessageTests {
    /// The message names the missing argument with its whole help, never cut mid-word.
    @Test func aMissingArgumentIsDescribedInFull() {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        let r = cli.run(["note"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("needs ID (the incident (INC-42, inc-42, 42, or a unique part of its title)); see 'incident note --help'."), "\(r.stderr)")
    }
}
