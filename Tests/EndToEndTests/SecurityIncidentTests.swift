import Foundation
import Testing
import TestSupport

/// Issue 4's replay: a leaked credential handled end to end, then the postmortem checked
/// section by section.
@Suite(.serialized) struct SecurityIncidentTests {
    @Test func leakedCredentialEndToEnd() throws {
        let e = E2E()
        let evidence = e.store + "-cloudtrail.json"
        try "{\"events\": [\"GetObject by AKIA... from 203.0.113.9\"]}".write(toFile: evidence, atomically: true, encoding: .utf8)
        func ok(_ args: String..., user: String = "alice") throws {
            let r = try runBinary(args, store: e.store, user: user)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        try ok("declare", "Deploy key pushed to public repo", "--severity", "critical", "--type", "leaked-credential",
               "--summary", "Production deploy key visible on GitHub for 40 minutes", "--started-at", "2026-11-23T13:20:00Z",
               "--at", "2026-11-23T14:00:00Z")
        try ok("note", "1", "--kind", "detection", "Secret scanner alert from GitHub", "--at", "2026-11-23T13:58:00Z")
        try ok("ack", "1", "--at", "2026-11-23T14:03:00Z")
        try ok("assign", "1", "ic", "alice", "--at", "2026-11-23T14:03:00Z")
        try ok("assign", "1", "security", "sam", "--at", "2026-11-23T14:04:00Z")
        try ok("assign", "1", "comms", "carol", "--at", "2026-11-23T14:04:00Z")
        try ok("assign", "1", "scribe", "sid", "--at", "2026-11-23T14:04:00Z")
        try ok("assign", "1", "ops", "otto", "--at", "2026-11-23T14:05:00Z")
        try ok("note", "1", "--kind", "exec-notification", "CISO and CTO told by phone", "--at", "2026-11-23T14:10:00Z")
        try ok("note", "1", "--kind", "decision", "Revoke first, rotate second; accept 5 minutes of failed deploys", "--at", "2026-11-23T14:12:00Z")
        try ok("comms", "1", "internal-update", "--record", "--at", "2026-11-23T14:20:00Z")
        try ok("evidence", "add", "1", evidence, "--note", "CloudTrail export 13:00-14:30", "--at", "2026-11-23T14:25:00Z", user: "sam")
        try ok("evidence", "transfer", "1", "E1", "--to", "forensics", "--note", "sealed copy", "--at", "2026-11-23T14:40:00Z", user: "sam")
        try ok("note", "1", "--kind", "mitigation", "Deploy key revoked in GitHub and the vault", "--at", "2026-11-23T14:30:00Z")
        try ok("contain", "1", "--summary", "Key revoked", "--at", "2026-11-23T14:31:00Z")
        try ok("comms", "1", "status-page", "--record", "--at", "2026-11-23T14:50:00Z")
        try ok("comms", "1", "customer-email", "--record", "--at", "2026-11-23T15:05:00Z")
        try ok("action", "add", "1", "Block pushes containing keys (pre-receive hook)", "--owner", "otto", "--due", "2026-12-04T17:00:00Z", "--term", "long", "--at", "2026-11-23T15:30:00Z")
        try ok("action", "add", "1", "Rotate all deploy keys older than 90 days", "--owner", "sam", "--due", "2026-11-30T17:00:00Z", "--term", "short", "--at", "2026-11-23T15:31:00Z")
        try ok("resolve", "1", "--summary", "Key revoked and rotated; no use by the outside address after 14:30", "--at", "2026-11-23T15:20:00Z")
        try ok("action", "done", "1", "A2", "--at", "2026-11-24T10:00:00Z")

        // Comms at cadence: three updates at most 30 minutes apart after 14:20 met the critical cadence.
        let rows = try #require(try e.json("sla", "1", "--at", "2026-11-23T16:00:00Z") as? [[String: Any]])
        #expect(rows.first { $0["name"] as? String == "comms-update" }?["state"] as? String == "met")
        #expect(rows.first { $0["name"] as? String == "exec-notification" }?["state"] as? String == "met")
        #expect(rows.first { $0["name"] as? String == "postmortem" }?["state"] as? String == "pending")

        let actions = try #require(try e.json("actions") as? [[String: Any]])
        #expect(actions.count == 2)
        for key in ["incident", "id", "text", "owner", "dueAt", "status"] { #expect(actions[0][key] != nil, "\(key)") }
        #expect((try e.json("actions", "--overdue", "--at", "2026-12-05T00:00:00Z") as? [[String: Any]])?.map { $0["id"] as? String } == ["A1"])
        #expect((try e.json("actions", "--owner", "sam") as? [[String: Any]])?.first?["status"] as? String == "done")

        let publish = try runBinary(["postmortem", "1", "--publish", "--at", "2026-11-24T12:00:00Z"], store: e.store)
        #expect(publish.status == 0, "\(publish.stderr)")
        let path = e.store + "/postmortems/20261123-inc-1-deploy-key-pushed-to-public-repo.md"
        let md = try String(contentsOfFile: path, encoding: .utf8)
        let after = try #require(try e.json("sla", "1", "--at", "2026-11-24T12:00:00Z") as? [[String: Any]])
        #expect(after.first { $0["name"] as? String == "postmortem" }?["state"] as? String == "met")

        // Section by section.
        func section(_ heading: String) -> String {
            guard let start = md.range(of: "## \(heading)\n") else { return "" }
            let rest = md[start.upperBound...]
            return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
        }
        #expect(md.hasPrefix("# Postmortem: INC-1 — Deploy key pushed to public repo"))
        #expect(md.contains("| Severity | Critical |") && md.contains("| Type | Leaked credential |"))
        #expect(md.contains("| Start / end | 2026-11-23 13:20 UTC / 2026-11-23 15:20 UTC |"))
        #expect(section("Summary").contains("Production deploy key visible on GitHub"))
        #expect(section("Detection").contains("Secret scanner alert from GitHub"))
        #expect(section("Roles").contains("| Security Lead | sam |"))
        #expect(section("Key durations").contains("| Time to acknowledge | 43m | 3m |"))
        #expect(section("Key durations").contains("| Time to contain | 1h11m | 31m |"))
        #expect(section("SLA timers").contains("| Acknowledge | 15 minutes | 2026-11-23 14:15 UTC | 2026-11-23 14:03 UTC | met |"))
        #expect(section("Timeline").contains("```mermaid"))
        #expect(section("Decision log").contains("Revoke first, rotate second"))
        #expect(section("Containment actions").contains("Deploy key revoked"))
        #expect(section("Communications").components(separatedBy: "\n- ").count >= 4)
        #expect(section("Evidence and chain of custody").contains("sam → forensics (2026-11-23 14:40 UTC)"))
        #expect(section("Evidence and chain of custody").contains("`"))
        #expect(section("Preventive actions").contains("Block pushes containing keys"))
        #expect(section("Action items (owners and due dates)").contains("| A2 | Rotate all deploy keys older than 90 days | short | sam | 2026-11-30 17:00 UTC | done |"))
        for heading in ["Customer impact", "Root cause", "Permanent fix", "Response: what worked, what did not", "Lessons learned"] {
            #expect(md.contains("## \(heading)"), "\(heading)")
        }
        #expect(md.contains("The timeline's hash chain verifies"))
        #expect(!md.contains("{{"))

        #expect(try runBinary(["evidence", "verify", "1"], store: e.store).status == 0)
        try "tampered".write(toFile: evidence, atomically: true, encoding: .utf8)
        let tampered = try runBinary(["evidence", "verify", "1"], store: e.store)
        #expect(tampered.status == 6 && tampered.stdout.contains("CHANGED"))
        // The type's required checklist items gate the close until ticked.
        let refused = try runBinary(["close", "1", "--at", "2026-11-24T12:05:00Z"], store: e.store)
        #expect(refused.status == 1 && refused.stderr.contains("Credential revoked or disabled"))
        for item in ["Exposed credential identified", "Credential revoked", "Replacement secret rotated"] {
            try ok("check", "1", item, "--at", "2026-11-24T12:01:00Z")
        }
        let closed = try runBinary(["close", "1", "--at", "2026-11-24T12:05:00Z"], store: e.store)
        #expect(closed.status == 0, "\(closed.stderr)")
        #expect(FileManager.default.fileExists(atPath: e.store + "/archive/2026/INC-1.json"))
    }

    @Test func commsTemplateWithUnknownPlaceholderIsNamed() throws {
        let e = E2E()
        _ = try e.declare()
        try FileManager.default.createDirectory(atPath: e.store + "/templates", withIntermediateDirectories: true)
        try "Update {{title}} eta {{eta}}\n".write(toFile: e.store + "/templates/internal-update.md", atomically: true, encoding: .utf8)
        let r = try e.run("comms", "1", "internal-update", "--record")
        #expect(r.status == 1 && r.stderr.contains("{{eta}}"))
        #expect((try e.json("timeline", "1") as? [Any])?.count == 1)  // nothing recorded
        try "Update {{title}}\n".write(toFile: e.store + "/templates/internal-update.md", atomically: true, encoding: .utf8)
        #expect(try e.run("comms", "1", "internal-update").stdout == "Update Checkout 500s\n")
        // The same field in a customer-facing template is refused: it would reach customers.
        try "Update {{title}}\n".write(toFile: e.store + "/templates/status-page.md", atomically: true, encoding: .utf8)
        #expect(try e.run("comms", "1", "status-page").status == 2)
        #expect(try e.run("comms", "1", "nonexistent").status == 2)
        #expect(try e.run("comms", "1", "../../../etc/passwd").status == 2)
    }
}
