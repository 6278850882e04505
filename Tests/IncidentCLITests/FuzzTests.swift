import Foundation
import Testing
import IncidentKit
import TestSupport

/// Random argument vectors through the CLI in-process: it must always return (a trap would
/// kill the test runner), and a usage error (exit 2) must leave the store untouched.
@Suite struct FuzzTests {
    static let vocabulary = [
        "declare", "list", "show", "ack", "severity", "assign", "unassign", "phase", "note", "timeline", "sla", "resolve",
        "close", "reopen", "postmortem", "checklist", "check", "action", "add", "done", "actions", "runbook", "show",
        "validate", "verify", "doctor", "drills", "help", "init", "contain", "--severity", "-s", "--at", "--json", "--force",
        "--reason", "--kind", "--all", "--archived", "--phase", "--summary", "--started-at", "--commander", "--drill", "--type",
        "--owner", "--due", "--term", "--", "-", "1", "INC-1", "inc-2", "0", "-1", "99999999999", "../..", "/etc/passwd",
        "critical", "high", "low", "sev9", "ic", "commander", "comms", "contain", "recover", "now", "-15m", "14:05",
        "2026-11-23T14:05:00Z", "2026-02-30T00:00:00Z", "", " ", "\u{1B}[2J", "\u{202E}", "x=y", "--at=", "--json=1",
    ]

    @Test func randomArgumentVectorsNeverTrap() throws {
        let cli = InProcessCLI()
        _ = cli.run(["declare", "seed incident", "-s", "high"])
        var rng = SystemRandomNumberGenerator()
        var codes: [Int32: Int] = [:]
        for _ in 0..<1500 {
            let count = Int.random(in: 0...6, using: &rng)
            var args = (0..<count).map { _ in Self.vocabulary.randomElement(using: &rng)! }
            if Bool.random(using: &rng) {
                args.append(String((0..<Int.random(in: 0...20, using: &rng)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &rng))) }))
            }
            let before = snapshot(cli.store)
            let r = cli.run(args, stdin: "piped text")
            codes[r.status, default: 0] += 1
            if r.status == 2 { #expect(snapshot(cli.store) == before, "exit 2 wrote something: \(args)") }
            if r.status != 0 { #expect(!r.stderr.isEmpty, "silent failure: \(args)") }
        }
        #expect(codes[2, default: 0] > 0)
    }
}
