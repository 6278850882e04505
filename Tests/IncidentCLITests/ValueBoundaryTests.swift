import Foundation
import Testing
import IncidentCLI
import IncidentKit
import TestSupport

/// Values validated as what they become (DESIGN §8 "Values, not text"): times as instants
/// the store can hold, durations without overflow, sizes as encoded, and the rules that keep
/// one entry from bending the rest of the log (future times, closed incidents).
@Suite struct ValueBoundaryTests {
    /// A CLI whose clock reads 2026-11-23T14:05:00Z, with INC-1 declared.
    func declared() -> InProcessCLI {
        let cli = InProcessCLI()
        #expect(cli.run(["declare", "Checkout 500s", "-s", "high"]).status == 0)
        return cli
    }

    func expectRefusedUnchanged(_ cli: InProcessCLI, _ args: [String], status: Int32, mentions: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let before = snapshot(cli.store)
        let r = cli.run(args)
        #expect(r.status == status, "\(args): \(r.status) \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(mentions), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(snapshot(cli.store) == before, "\(args) wrote something", sourceLocation: sourceLocation)
    }

    // MARK: Times outside what a file can hold

    @Test(arguments: [
        ["note", "1", "x", "--at", "1970-01-01T00:30:00+01:00"],          // an offset lands in 1969
        ["note", "1", "x", "--at", "1969-12-31T23:59:59Z"],
        ["note", "1", "x", "--at", "9999-12-31T23:30:00-01:00", "--future"], // lands in year 10000
        ["note", "1", "x", "--at", "-99999999w"],
        ["note", "1", "x", "--at", "+99999999d", "--future"],
        ["declare", "y", "-s", "high", "--started-at", "0001-01-01T00:00:00Z"],
        ["declare", "y", "-s", "high", "--started-at", "1970-01-01T00:00:00+00:01"],
        ["action", "add", "1", "fix it", "--due", "+99999999d"],
        ["action", "add", "1", "fix it", "--due", "9999-12-31T23:59:59-05:00"],
        ["stats", "--since", "-99999999w"],
    ])
    func timesOutsideTheStorableRangeAreRefusedAsInstants(args: [String]) {
        let cli = declared()
        expectRefusedUnchanged(cli, args, status: 2, mentions: "1970-01-01 to 9999-12-31")
        // The incident stays readable.
        #expect(cli.run(["show", "1"]).status == 0)
        #expect(cli.run(["verify"]).status == 0)
    }

    @Test func theEdgesOfTheRangeRoundTrip() throws {
        for text in ["1970-01-01T00:00:00Z", "1970-01-01T01:00:00+01:00", "9999-12-31T23:59:59.999Z", "9999-12-31T22:59:59-01:00"] {
            let t = try #require(TimeParser.parseISO8601(text), "\(text)")
            #expect(t.isStorable)
            #expect(TimeParser.parseISO8601(t.iso8601) == t)
        }
        #expect(Timestamp.latest.iso8601 == "9999-12-31T23:59:59.999Z")
        #expect(TimeParser.parseISO8601(Timestamp.latest.adding(milliseconds: 1).iso8601) == nil)
        #expect(TimeParser.interpret("1969-12-31T23:00:00-02:00", now: ts("2026-11-23T14:05:00Z")) == .success(ts("1970-01-01T01:00:00Z")))
        #expect(TimeParser.interpret("1970-01-01T00:59:00+01:00", now: ts("2026-11-23T14:05:00Z")) == .failure(.outOfRange))
    }

    @Test func aTimeTheReaderRefusesIsNeverWritten() throws {
        // Below the CLI: a record holding an unstorable time is refused by the store encoder.
        let store = Store(root: temporaryDirectory("range") + "/s")
        try store.initialize()
        var s = try Scenario.declared()
        s.events[0].at = Timestamp(milliseconds: -1)
        #expect(throws: IncidentError.self) { try store.withLock { try store.save(s) } }
        #expect(!FileManager.default.fileExists(atPath: store.activeDirectory + "/INC-1.json"))
    }

    // MARK: Overflow and odd characters never trap

    @Test(arguments: [
        "+9223372036854775807d", "-9223372036854775808m", "+99999999999999999999999s",
        "-" + String(repeating: "99999999w", count: 300), "+1h" + String(repeating: "9", count: 40) + "m",
        "14:05\u{301}", "1\u{301}4:05", "14:0\u{663}", "\u{FF11}4:05", "2026-11-23T14:05:00Z\u{301}", "+1\u{301}5m",
    ])
    func hostileTimeStringsAreUsageErrors(text: String) {
        let cli = declared()
        for option in ["--at", "--due", "--started-at"] {
            let args: [String] = option == "--due" ? ["action", "add", "1", "x", option, text]
                : option == "--started-at" ? ["declare", "y", "-s", "high", option, text]
                : ["note", "1", "x", option, text, "--future"]
            expectRefusedUnchanged(cli, args, status: 2, mentions: option)
        }
    }

    @Test func durationArithmeticSaturatesInsteadOfTrapping() {
        let start = ts("2026-11-23T14:05:00Z")
        #expect(SLADuration(Int.max, .weeks).added(to: start) > Timestamp.latest)
        #expect(SLADuration(Int.max, .businessDays).added(to: start) > Timestamp.latest)
        #expect(SLADuration(Int.min, .hours).added(to: start) < Timestamp.earliest)
        #expect(Timestamp(milliseconds: .max).adding(minutes: 1) == Timestamp(milliseconds: .max))
        #expect(Timestamp(milliseconds: .min).distance(to: Timestamp(milliseconds: .max)) == .max)
        #expect(formatSpan(milliseconds: .min).hasSuffix("h"))
        #expect(SLADuration(parsing: "9999999d") == nil)
    }

    @Test func aRunbookTimerLongerThanTenYearsIsRefused() throws {
        var text = try #require(Runbook.shippedText(named: "default"))
        let range = try #require(text.range(of: "\"15m\""))
        text.replaceSubrange(range, with: "\"999999w\"")
        #expect { try Runbook.decode(Data(text.utf8), origin: "x") } throws: { "\($0)".contains("longer than ten years") }
    }

    @Test func aTemplateWithManyPlaceholdersFailsFastWithAShortMessage() {
        let text = (0..<60_000).map { "{{p\($0)}}" }.joined()
        let started = Date()
        #expect { try Template(name: "t", text: text, origin: "x").render(["known": "v"]) } throws: { error in
            let message = "\(error)"
            return message.contains("and 59990 more") && message.utf8.count < 2_000
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    // MARK: Future times

    @Test func anExplicitTimeFarAheadOfTheClockNeedsFuture() {
        let cli = declared()
        expectRefusedUnchanged(cli, ["note", "1", "typo", "--at", "2099-11-23T14:05:00Z"], status: 2, mentions: "--future")
        expectRefusedUnchanged(cli, ["ack", "1", "--at", "+6m"], status: 2, mentions: "--future")
        expectRefusedUnchanged(cli, ["declare", "y", "-s", "high", "--started-at", "+1h"], status: 2, mentions: "--future")
        // Within the tolerance (clock skew) it is accepted; with --future anything storable is.
        #expect(cli.run(["note", "1", "skewed", "--at", "+4m"]).status == 0)
        #expect(cli.run(["note", "1", "planned maintenance", "--at", "+2d", "--future"]).status == 0)
        // A query may look ahead without the flag: nothing is written.
        #expect(cli.run(["sla", "1", "--at", "+3h"]).status == 0)
        // A due date is naturally ahead.
        #expect(cli.run(["action", "add", "1", "fix", "--due", "+30d", "--owner", "bob"]).status == 0)
    }

    @Test func oneFutureEntryNeverRedatesLaterCommands() throws {
        let cli = declared()
        #expect(cli.run(["note", "1", "maintenance window", "--at", "+2d", "--future"]).status == 0)
        #expect(cli.run(["ack", "1"]).status == 0)
        let json = try #require(try cli.json(["show", "1"]) as? [String: Any])
        #expect(json["acknowledgedAt"] as? String == "2026-11-23T14:05:00Z")
        // A small skew (a teammate's clock 3 minutes ahead) still keeps the log in order.
        let other = declared()
        #expect(other.run(["note", "1", "from a fast clock", "--at", "+3m"]).status == 0)
        #expect(other.run(["ack", "1"]).status == 0)
        let shown = try #require(try other.json(["show", "1"]) as? [String: Any])
        #expect(shown["acknowledgedAt"] as? String == "2026-11-23T14:08:00Z")
    }

    // MARK: Closed incidents

    func closed() -> InProcessCLI {
        let cli = declared()
        #expect(cli.run(["action", "add", "1", "add alerting", "--owner", "bob", "--due", "+7d"]).status == 0)
        #expect(cli.run(["evidence", "add", "1", "--ref", "s3://snap-1"]).status == 0)
        #expect(cli.run(["resolve", "1"]).status == 0)
        #expect(cli.run(["close", "1", "--force", "--reason", "test"]).status == 0)
        return cli
    }

    @Test(arguments: [
        ["note", "1", "back-filled", "--at", "-1h"], ["note", "1", "later"], ["action", "add", "1", "more"],
        ["evidence", "add", "1", "--ref", "s3://x", "--at", "-30m"], ["check", "1", "1"], ["ack", "1"],
        ["severity", "1", "critical"], ["assign", "1", "scribe", "carol"], ["phase", "1", "contain"], ["contain", "1"],
        ["resolve", "1"],
    ])
    func aClosedIncidentRefusesNewEntriesNamingReopen(args: [String]) {
        let cli = closed()
        expectRefusedUnchanged(cli, args, status: 1, mentions: "incident reopen INC-1")
    }

    @Test func aClosedIncidentStillTakesFollowUps() {
        let cli = closed()
        #expect(cli.run(["action", "done", "1", "A1"]).status == 0)
        #expect(cli.run(["evidence", "transfer", "1", "E1", "--to", "legal"]).status == 0)
        #expect(cli.run(["postmortem", "1", "--publish"]).status == 0)
        #expect(cli.run(["reopen", "1"]).status == 0)
        #expect(cli.run(["note", "1", "after reopening"]).status == 0)
        #expect(cli.run(["verify"]).status == 0)
    }

    // MARK: Reporting what was just added

    @Test func backFilledItemsReportThemselves() throws {
        let cli = declared()
        let first = cli.run(["evidence", "add", "1", "--ref", "s3://first"])
        #expect(first.stdout.contains("Recorded E1"))
        let second = cli.run(["evidence", "add", "1", "--ref", "s3://earlier", "--at", "-1h"])
        #expect(second.status == 0 && second.stdout.contains("Recorded E2 "), "\(second.stdout)")
        let a1 = cli.run(["action", "add", "1", "one", "--owner", "bob", "--due", "+1d"])
        let a2 = cli.run(["action", "add", "1", "two", "--owner", "bob", "--due", "+1d", "--at", "-2h"])
        #expect(a1.stdout.contains("Added A1") && a2.stdout.contains("Added A2"), "\(a2.stdout)")
        let note = cli.run(["note", "1", "early", "--at", "-3h"])
        #expect(note.stdout.contains("at 2026-11-23 11:05 UTC"), "\(note.stdout)")
    }

    // MARK: Sizes

    @Test func limitsCountTheTextAsStoredAfterRedaction() {
        // Each credential is replaced by a longer marker: the input fits, the stored text may not.
        let unit = "password=hunter2hunter2 "
        let title = String(String(repeating: unit, count: Limits.shortText / unit.utf8.count).prefix(Limits.shortText))
        #expect(title.utf8.count <= Limits.shortText)
        do {
            let stored = try Actions.cleanShort(title, what: "The title")
            #expect(stored.utf8.count <= Limits.shortText)
        } catch {
            #expect("\(error)".contains("once credentials are redacted"))
        }
        let entry = String(String(repeating: unit, count: Limits.longText / unit.utf8.count).prefix(Limits.longText))
        do {
            let (stored, _) = try Actions.cleanLong(entry, allowSecrets: false)
            #expect(stored.utf8.count <= Limits.longText)
        } catch {
            #expect("\(error)".contains("once credentials are redacted"))
        }
    }

    @Test func aWriteThatWouldOutgrowTheReadLimitIsRefusedAndNothingIsWritten() throws {
        let store = Store(root: temporaryDirectory("size") + "/s", fileLimit: 256 << 10)
        try store.initialize()
        var record = try Scenario.declared()
        try store.withLock { try store.save(record) }
        let path = store.activeDirectory + "/INC-1.json"
        // Each entry is within its own limit; control characters grow sixfold when escaped.
        let entry = String(repeating: "\u{1}", count: 50_000)
        var refused: Error?
        for i in 0..<10 {
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            var next = record
            try Actions.note(&next, runbook: Runbook.builtInDefault, text: entry, kind: nil,
                             actor: Actor(name: "a", at: ts("2026-11-23T14:06:00Z"), recordedAt: ts("2026-11-23T14:06:00Z")))
            do {
                try store.withLock { try store.save(next) }
                record = next
            } catch {
                refused = error
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "entry \(i)")
                break
            }
        }
        let error = try #require(refused)
        #expect("\(error)".contains("over the 262144 bytes"))
        // What is there is still readable.
        #expect(try store.load(IncidentID(number: 1)).0.events.count == record.events.count)
    }
}

extension Scenario {
    /// A fresh INC-1 declared at 14:05 under the default runbook.
    static func declared() throws -> IncidentRecord {
        try Actions.declare(id: IncidentID(number: 1), runbook: Runbook.builtInDefault,
                            Actions.Declaration(title: "Checkout 500s", severity: "high"),
                            actor: Actor(name: "alice", at: ts("2026-11-23T14:05:00Z"), recordedAt: ts("2026-11-23T14:05:00Z")))
    }
}

enum Scenario {}
