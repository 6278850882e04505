import Testing
@testable import IncidentCLI

/// The everyday commands are dispatched by their first word without building the whole
/// command table; the result must be the whole table's, word for word.
@Suite struct EverydayDispatchTests {
    @Test func theSwitchAgreesWithTheCommandTable() {
        var covered = 0
        for spec in CLI.commands {
            for word in [spec.path[0]] + (spec.path.count == 1 ? spec.aliases : []) {
                let isGroup = CLI.commands.contains { $0.path.count > 1 && $0.path[0] == word }
                if isGroup || spec.path.count > 1 {
                    #expect(CLI.everyday(word) == nil, "'\(word)' starts a longer command: it must go through the whole table")
                } else if let quick = CLI.everyday(word) {
                    #expect(quick.path == spec.path, "'\(word)' is \(spec.name), not \(quick.name)")
                    covered += 1
                }
            }
        }
        #expect(covered >= 40)
        #expect(CLI.everyday("hooks") == nil && CLI.everyday("runbook") == nil && CLI.everyday("nosuch") == nil)
    }

    @Test func aQuickParseIsTheFullParse() throws {
        let lines: [[String]] = [
            ["show", "42"], ["--as", "show", "show", "42"], ["--as", "list", "show", "42"], ["LS", "--all"],
            ["note", "1", "-", "x"], ["--store", "/tmp/x", "sla", "--fail-on", "breach"], ["sev", "1", "high"],
            ["note", "1", "--kind", "comms-update", "text"], ["add", "1", "text"], ["list", "--bogus"], ["show"],
        ]
        for argv in lines {
            let full = try? Parser.parse(argv, commands: CLI.commands)
            let quick = CLI.parseEveryday(argv)
            if let quick {
                #expect(quick.command?.path == full?.command?.path, "\(argv)")
                #expect(quick.positionals == full?.positionals, "\(argv)")
                #expect(quick.options == full?.options, "\(argv)")
            }
        }
        #expect(CLI.parseEveryday(["--as", "list", "show", "42"]) == nil)
        #expect(CLI.parseEveryday(["list", "--bogus"]) == nil)
        #expect(CLI.parseEveryday(["show", "42"])?.command?.path == ["show"])
    }
}
