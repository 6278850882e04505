import Foundation
import Testing
import TestSupport

/// Issue 8: text from the timeline, the runbook and file names must not restructure the
/// postmortem, reach the terminal as escape sequences, or inject HTML into comms.
@Suite(.serialized) struct HostileOutputTests {
    @Test func detectionNoteCannotSwallowPostmortemSections() throws {
        let e = E2E()
        let id = try e.declare("Checkout <b>500s</b> [x](javascript:alert(1))")
        let hostile = "Alert fired\n## Root cause\nIt was DNS\n```\nunclosed fence\n![p](https://evil.example/p.png)\n<script>alert(1)</script>"
        #expect(try e.run("note", id, "--kind", "detection", hostile, "--at", "2026-01-05T14:10:00Z").status == 0)
        #expect(try e.run("note", id, "--kind", "decision", "# Decided\n~~~\n| a | b |", "--at", "2026-01-05T14:11:00Z").status == 0)
        let pm = try e.run("postmortem", id)
        #expect(pm.status == 0, "\(pm.stderr)")
        let lines = pm.stdout.components(separatedBy: "\n")
        // Exactly the template's headings, once each: nothing in an entry opened one.
        #expect(lines.filter { $0 == "## Root cause" }.count == 1)
        #expect(lines.filter { $0 == "## Detection" }.count == 1)
        #expect(!lines.contains { $0.hasPrefix("# Decided") || $0.hasPrefix("## Root cause") && $0 != "## Root cause" })
        // Only the template's own Mermaid fence opens a code block.
        #expect(lines.filter { $0.hasPrefix("```") || $0.hasPrefix("~~~") }.count == 2)
        #expect(!pm.stdout.contains("<script>"))
        #expect(!pm.stdout.contains("<b>"))
        // Brackets are escaped, so no link or image can form.
        #expect(!pm.stdout.replacingOccurrences(of: "\\](", with: "").contains("]("))
        #expect(!pm.stdout.contains("![p]("))
        // Every section after Detection is still there.
        for heading in ["## Roles", "## Timeline", "## Decision log", "## Communications", "## Root cause"] {
            #expect(pm.stdout.contains("\n\(heading)\n"), "\(heading)")
        }
    }

    @Test func statusPageCommsEscapeHTML() throws {
        let e = E2E()
        let id = try e.declare("<img src=x onerror=alert(1)> checkout")
        let r = try e.run("comms", id, "status-page", "--scope", "<script>alert(1)</script> EU users")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("<img"))
        #expect(!r.stdout.contains("<script>"))
        #expect(r.stdout.contains("&lt;script&gt;"))
        // What is recorded is the message itself; the postmortem escapes it again for its context.
        #expect(try e.run("comms", id, "status-page", "--record", "--at", "2026-01-05T14:20:00Z").status == 0)
        let pm = try e.run("postmortem", id)
        #expect(!pm.stdout.contains("<img"))
    }

    @Test func runbookTextNeverReachesTheTerminalAsEscapes() throws {
        let e = E2E()
        _ = try e.declare()
        // A runbook edited by hand (or committed by a teammate) with an escape sequence in a title
        // is refused when loaded, with one sentence.
        let path = e.store + "/runbook.json"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"title\" : \"High\"", with: "\"title\" : \"High\\u001b]0;owned\\u0007\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try e.run("show", "1")
        #expect(r.status != 0)
        #expect(!r.stderr.contains("\u{1B}"))
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(r.stderr.contains("U+1B"), "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1)
    }

    @Test func storedEscapesAreShownNotObeyed() throws {
        let e = E2E()
        let id = try e.declare("Title \u{1B}[2J\u{1B}]0;pwn\u{07} \u{202E}gnp.exe")
        #expect(try e.run("note", id, "look \u{1B}[8mhidden\u{1B}[0m \u{E0041}\u{200B}").status == 0)
        for args in [["show", id], ["timeline", id], ["list"], ["sla", id]] {
            let r = try e.run(args[0], args.count > 1 ? args[1] : "--no-color")
            #expect(r.status == 0, "\(args) \(r.stderr)")
            for bad: Unicode.Scalar in ["\u{1B}", "\u{07}", "\u{202E}", "\u{E0041}", "\u{200B}"] {
                #expect(!r.stdout.unicodeScalars.contains(bad), "\(args): \(bad)")
                #expect(!r.stderr.unicodeScalars.contains(bad), "\(args): \(bad)")
            }
        }
    }

    @Test func sameDaySameTitlePostmortemsDoNotOverwrite() throws {
        let e = E2E()
        let a = try e.declare("Checkout down!")
        let b = try e.declare("Checkout down?")
        for id in [a, b] {
            #expect(try e.run("resolve", id, "--at", "2026-01-05T15:00:00Z").status == 0)
            let r = try e.run("postmortem", id, "--publish", "--at", "2026-01-05T16:00:00Z")
            #expect(r.status == 0, "\(r.stderr)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: e.store + "/postmortems").sorted()
        #expect(files == ["20260105-inc-1-checkout-down.md", "20260105-inc-2-checkout-down.md"])
        let first = try String(contentsOfFile: e.store + "/postmortems/" + files[0], encoding: .utf8)
        #expect(first.contains("INC-1"))
    }

    @Test func pastedSecretsAreRedactedBeforeStoring() throws {
        let e = E2E()
        let id = try e.declare()
        #expect(try e.run("note", id, "env: POSTGRES_PASSWORD=hunter2hunter2 and curl -u ops:Pa55w0rd x").status == 0)
        #expect(try e.run("note", id, "pwd=/var/lib/postgresql; bearer authentication-middleware").status == 0)
        let raw = try String(contentsOfFile: e.store + "/active/INC-1.json", encoding: .utf8)
        #expect(!raw.contains("hunter2hunter2"))
        #expect(!raw.contains("Pa55w0rd"))
        #expect(raw.contains("pwd=/var/lib/postgresql; bearer authentication-middleware"))
    }
}
