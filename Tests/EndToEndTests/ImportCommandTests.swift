import Foundation
import Testing
import TestSupport

/// `incident runbook import` as a user runs it: the built binary, files on disk, a fresh store.
@Suite(.serialized) struct ImportCommandTests {
    func write(_ text: String, _ name: String = "policy.md") -> String {
        let path = temporaryDirectory("import") + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func runbookToStdoutReportToStderrThenItRuns() throws {
        let e = E2E()
        let doc = write(ImportFixtures.fullPolicy)
        let r = try e.run("runbook", "import", doc)
        #expect(r.status == 0, "\(r.stderr)")
        // stdout is the runbook alone; the report (with line numbers) is on stderr.
        let runbook = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((runbook["levels"] as? [[String: Any]])?.count == 3)
        #expect(r.stderr.contains("line 10") && r.stderr.contains("acknowledge 15m for Critical"))
        #expect(r.stderr.contains("Left to a person:") && r.stderr.contains("best effort"))
        // The file validates and a store runs on it: names as written, deadlines as stated.
        let out = temporaryDirectory("import") + "/policy.json"
        #expect(try e.run("runbook", "import", doc, "--output", out, "--name", "Our Policy").status == 0)
        let valid = try e.run("runbook", "validate", out)
        #expect(valid.status == 0 && valid.stdout.contains("valid runbook 'our-policy'"), "\(valid.stderr)")
        #expect(try e.run("init", "--runbook", out).status == 0)
        #expect(try e.run("declare", "Checkout down", "--severity", "Critical", "--at", "2026-01-05T14:05:00Z").status == 0)
        let rows = try #require(try e.json("sla", "1", "--at", "2026-01-05T14:05:00Z") as? [[String: Any]])
        #expect(rows.first { $0["name"] as? String == "acknowledge" }?["dueAt"] as? String == "2026-01-05T14:20:00Z")
        #expect(rows.first { $0["name"] as? String == "resolve" }?["dueAt"] as? String == "2026-01-05T18:05:00Z")
        #expect(try e.run("assign", "1", "IC", "alice").status == 0)
        #expect(try e.run("phase", "1", "containment").status == 0)
    }

    @Test func levelNamesAsWrittenAndTheirAliasesAreAccepted() throws {
        let e = E2E()
        let out = temporaryDirectory("import") + "/rb.json"
        #expect(try e.run("runbook", "import", write(ImportFixtures.bracketsAndEmDashes), "-o", out).status == 0)
        #expect(try e.run("init", "--runbook", out).status == 0)
        for (i, name) in ["P0", "blocker", "p-1", "Minor"].enumerated() {
            let r = try e.run("declare", "Incident \(i)", "--severity", name, "--at", "2026-01-05T14:05:00Z")
            #expect(r.status == 0, "\(name): \(r.stderr)")
        }
        #expect(try e.run("declare", "x", "--severity", "P7").status == 2)
    }

    @Test func templatesAreSavedWhereCommsFindsThem() throws {
        let e = E2E()
        let out = temporaryDirectory("import") + "/rb.json"
        let r = try e.run("runbook", "import", write(ImportFixtures.fullPolicy), "-o", out, "--templates-dir", e.store + "/templates")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Templates saved in"))
        #expect(try e.run("init", "--runbook", out).status == 0)
        _ = try e.declare("Search is slow", severity: "high")
        let comms = try e.run("comms", "1", "status-page", "--scope", "search")
        #expect(comms.status == 0, "\(comms.stderr)")
        #expect(comms.stdout.contains("We are investigating a problem with search") && comms.stdout.contains("Next update by"))
        let inside = try e.run("comms", "1", "internal-update")
        #expect(inside.status == 0 && inside.stdout.contains("[on-call channel]"), "\(inside.stderr)")
    }

    @Test func jsonGivesTheReportAsData() throws {
        let e = E2E()
        let r = try e.run("runbook", "import", write(ImportFixtures.sentences), "--json")
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let report = try #require(doc["report"] as? [String: Any])
        let mapped = try #require(report["mapped"] as? [[String: Any]])
        #expect(mapped.contains { $0["kind"] as? String == "timer" && $0["line"] as? Int == 12 })
        #expect((report["choices"] as? [[String: Any]])?.contains { ($0["detail"] as? String)?.contains("whichever is sooner") == true } == true)
        #expect((report["unmapped"] as? [[String: Any]])?.isEmpty == false)
        #expect(doc["runbook"] is [String: Any])
        #expect(r.stderr.isEmpty)
    }

    @Test func badDocumentsGetOneSentenceAndNothingWritten() throws {
        let e = E2E()
        let dir = temporaryDirectory("import")
        let out = dir + "/out.json"
        let binary = dir + "/blob.md"
        FileManager.default.createFile(atPath: binary, contents: Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01, 0x02]))
        let latin1 = dir + "/latin1.md"
        FileManager.default.createFile(atPath: latin1, contents: Data([0x23, 0x20, 0x53, 0x45, 0x56, 0x31, 0x0A, 0xE9, 0xE8]))
        let huge = dir + "/huge.md"
        FileManager.default.createFile(atPath: huge, contents: Data(count: 3 << 20))
        let cases: [(String, String)] = [
            (binary, "binary"), (latin1, "not UTF-8"), (huge, "at most"), (write(ImportFixtures.noLevels), "No severity levels"),
            (dir + "/missing.md", "does not exist"), (dir, "not a regular file"),
        ]
        for (path, words) in cases {
            let r = try e.run("runbook", "import", path, "--output", out)
            #expect(r.status == 1, "\(path): \(r.status)")
            #expect(r.stderr.contains(words), "\(path): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        #expect(try e.run("runbook", "import").status == 2)
    }

    @Test(.timeLimit(.minutes(2))) func aFifoDoesNotHang() throws {
        let e = E2E()
        let fifo = temporaryDirectory("import") + "/pipe.md"
        #expect(mkfifo(fifo, 0o600) == 0)
        let r = try e.run("runbook", "import", fifo)
        #expect(r.status == 1 && r.stderr.contains("not a regular file"))
    }

    @Test func controlCharactersDoNotReachTheTerminal() throws {
        let e = E2E()
        let doc = write("# Evil\u{1B}]0;owned\u{07}\n\n- SEV1: acknowledge\u{1B}[2J within 5 minutes\n- SEV2: acknowledge within 1 hour\n")
        let r = try e.run("runbook", "import", doc)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("\u{1B}") && !r.stdout.contains("\u{1B}"))
    }
}
