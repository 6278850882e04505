import Foundation
import IncidentKit
import Testing

/// Issue 8: runbook ids become shell words, file names and completion candidates, and runbook
/// text reaches terminals and postmortems; validation is where a committed runbook is stopped.
@Suite struct RunbookSafetyTests {
    func defaultJSON() throws -> [String: Any] {
        let data = try Runbook.builtInDefault.encoded()
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func decode(_ object: [String: Any]) throws -> Runbook {
        try Runbook.decode(try JSONSerialization.data(withJSONObject: object), origin: "test.json")
    }

    func expectInvalid(_ object: [String: Any], mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try decode(object)
            Issue.record("accepted an invalid runbook", sourceLocation: sourceLocation)
        } catch let e as IncidentError {
            #expect(e.description.contains(fragment), "\(e.description)", sourceLocation: sourceLocation)
            #expect(!e.description.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func duplicateIdsAreRefused() throws {
        for list in ["levels", "roles", "phases", "entryKinds"] {
            var rb = try defaultJSON()
            var items = try #require(rb[list] as? [[String: Any]])
            var copy = items[0]
            copy["title"] = "Another title"
            copy["aliases"] = []
            items.append(copy)
            rb[list] = items
            expectInvalid(rb, mentioning: "used twice")
        }
    }

    @Test(arguments: ["$(touch /tmp/pwned)", "`id`", "a b", "../x", "-rf", "x;y", "crit\u{1B}[2J", "é", "", String(repeating: "a", count: 65)])
    func unsafeIdsAreRefused(id: String) throws {
        var rb = try defaultJSON()
        var levels = try #require(rb["levels"] as? [[String: Any]])
        let old = try #require(levels[0]["id"] as? String)
        levels[0]["id"] = id
        rb["levels"] = levels
        // Keep references consistent so only the id itself is at fault.
        if var timers = rb["timers"] as? [[String: Any]] {
            for i in timers.indices {
                if var d = timers[i]["durations"] as? [String: Any], let v = d.removeValue(forKey: old) { d[id] = v; timers[i]["durations"] = d }
            }
            rb["timers"] = timers
        }
        expectInvalid(rb, mentioning: "letters, digits")
    }

    @Test func runbookNameMustBeSafe() throws {
        var rb = try defaultJSON()
        rb["name"] = "x$(id)"
        expectInvalid(rb, mentioning: "'name'")
    }

    @Test(arguments: ["Critical\u{1B}]0;owned\u{07}", "Crit\u{202E}lacitirc", "Hidden\u{200B}", "\u{E0041}tag"])
    func hiddenCharactersInTextAreRefused(title: String) throws {
        var rb = try defaultJSON()
        var phases = try #require(rb["phases"] as? [[String: Any]])
        phases[0]["title"] = title
        rb["phases"] = phases
        expectInvalid(rb, mentioning: "phases[0].title")
    }

    @Test func shippedRunbooksStayValid() throws {
        for name in Runbook.shippedNames { _ = try Runbook.shipped(named: name) }
    }
}
