import Testing
import IncidentKit
import TestSupport

@Suite struct RenderTests {
    @Test func postmortemFillsEverySectionAndLeavesNoPlaceholder() throws {
        var s = try Scenario(severity: "critical", at: "2026-11-23T14:05:00Z", startedAt: "2026-11-23T13:50:00Z")
        try Actions.acknowledge(&s.record, actor: Scenario.actor("2026-11-23T14:09:00Z"))
        try Actions.assign(&s.record, runbook: s.runbook, role: "ic", name: "bob", actor: Scenario.actor("2026-11-23T14:10:00Z"))
        try Actions.note(&s.record, runbook: s.runbook, text: "Roll back | not forward", kind: "decision", actor: Scenario.actor("2026-11-23T14:15:00Z"))
        try Actions.contain(&s.record, summary: "rolled back", actor: Scenario.actor("2026-11-23T14:25:00Z"))
        try Actions.resolve(&s.record, summary: "pool restored", actor: Scenario.actor("2026-11-23T14:50:00Z"))
        let template = try Template.load("postmortem", store: nil)
        let md = try Postmortem.render(s.record, runbook: s.runbook, time: .standard, template: template, now: ts("2026-11-23T16:00:00Z"))
        #expect(!md.contains("{{"))
        #expect(md.contains("| Time to acknowledge | 19m | 4m |"))
        #expect(md.contains("| Time to contain | 35m | 20m |"))
        #expect(md.contains("| Time to resolve | 1h00m | 45m |"))
        #expect(md.contains("| Acknowledge | 15 minutes | 2026-11-23 14:20 UTC | 2026-11-23 14:09 UTC | met |"))
        #expect(md.contains("Roll back \\| not forward"))  // pipes escaped in tables
        #expect(md.contains("```mermaid\ntimeline"))
        #expect(md.contains("| Incident Commander | bob |"))
        for heading in ["## Summary", "## Timeline", "## Root cause", "## Action items (owners and due dates)", "## Evidence and chain of custody", "## Preventive actions", "## Lessons learned", "## Decision log", "## Key durations", "## SLA timers"] {
            #expect(md.contains(heading))
        }
        let timelineRows = md.split(separator: "\n").filter { $0.hasPrefix("| 2026-11-23") }
        #expect(timelineRows.count == s.record.events.count)
    }

    @Test func unknownPlaceholderIsNamed() {
        let t = Template(name: "x", text: "Hello {{title}} {{nope}}", origin: "x.md")
        #expect(throws: IncidentError.template("The template x.md uses unknown placeholder {{nope}}; known ones are: title.")) {
            try t.render(["title": "t"])
        }
    }

    @Test func controlSequencesAreNeutralised() {
        let evil = "ok\u{1B}[2J\u{202E}txt.exe\u{9B}"
        let safe = Sanitizer.forTerminal(evil)
        #expect(!safe.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0x9B })
        #expect(safe.contains("\\u{1B}"))
        #expect(Sanitizer.forTerminal("line1\nline2\ttab") == "line1\nline2\ttab")
    }
}

@Suite struct SecretRedactorTests {
    @Test(arguments: [
        ("key AKIAIOSFODNN7EXAMPLE leaked", "AWS access key"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS secret key"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "private key"),
        ("curl -H 'Authorization: Bearer abcdef0123456789abcdef'", "bearer token"),
        ("postgres://deploy:hunter2hunter2@db.internal:5432/app", "password in URL"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 pasted", "GitHub token"),
        ("slack xoxb-1234567890-abcdefghij", "Slack token"),
        ("password=SuperSecret123", "password"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JSON web token"),
        ("stripe sk_live_abcdefghijklmnop1234", "Stripe key"),
        ("maps AIzaSyA1234567890abcdefghijklmnopqrstuv", "Google API key"),
    ])
    func redactsEachPattern(text: String, kind: String) {
        let r = SecretRedactor.redact(text)
        #expect(r.kinds.contains(kind), "\(r.kinds) for \(text)")
        #expect(r.text.contains("[REDACTED"))
    }

    @Test func leavesProseAlone() {
        for text in ["Rolled back checkout to v1.4.2", "The password reset page is down", "see https://status.example.com/incidents/42",
                     "Bearer of bad news", "token bucket limiter at 80%"] {
            #expect(SecretRedactor.redact(text).text == text, "\(text)")
        }
    }
}
