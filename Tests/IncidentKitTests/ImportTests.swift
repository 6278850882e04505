import Foundation
@testable import IncidentKit
import Testing
import TestSupport

@Suite struct DurationPhraseTests {
    /// Phrase → the duration it must mean, and whether it repeats.
    @Test(arguments: [
        ("15 minutes", "15m", false), ("15 min", "15m", false), ("15m", "15m", false), ("< 15 min", "15m", false),
        ("<15 min", "15m", false), ("≤ 24 hours", "24h", false), ("<= 4h", "4h", false), ("within 4 hours", "4h", false),
        ("2 h", "2h", false), ("2 hrs", "2h", false), ("1 business day", "1bd", false), ("3 business days", "3bd", false),
        ("3 working days", "3bd", false), ("every 30 minutes", "30m", true), ("30 min updates", "30m", true),
        ("hourly", "1h", true), ("daily", "1d", true), ("fifteen minutes", "15m", false), ("one business day", "1bd", false),
        ("twenty-four hours", "24h", false), ("twenty four hours", "24h", false), ("an hour", "1h", false),
        ("half an hour", "30m", false), ("1.5 hours", "90m", false), ("1h30m", "90m", false), ("T+5m", "5m", false),
        ("next business day", "1bd", false), ("once per business day", "1bd", true), ("once a day", "1d", true),
        ("15-minute", "15m", false), ("7 days", "7d", false), ("2 weeks", "2w", false), ("90 seconds", "", false),
        ("120 seconds", "2m", false), ("5bd", "5bd", false), ("4 business hours", "4bh", false), ("8 working hours", "8bh", false),
    ])
    func timed(_ text: String, _ expected: String, _ repeats: Bool) throws {
        let phrases = DurationPhraseParser.find(in: text)
        if expected.isEmpty {
            #expect(phrases.first?.duration == nil && phrases.first?.unsupported != nil, "\(text)")
            return
        }
        let p = try #require(phrases.first, "\(text)")
        #expect(p.duration == SLADuration(parsing: expected), "\(text) → \(String(describing: p.duration))")
        #expect(p.repeats == repeats, "\(text)")
        #expect(!p.threshold)
    }

    /// The phrase grammar and the runbook file's parser agree: the same text is the same duration.
    @Test(arguments: ["15 min", "15m", "4h", "2 hours", "3 days", "1w", "5bd", "5 business days"])
    func sameAsRunbookParser(_ text: String) {
        #expect(DurationPhraseParser.find(in: text).first?.duration == SLADuration(parsing: text))
    }

    @Test(arguments: ["immediate", "Immediately", "ASAP", "as soon as possible", "n/a", "best effort", "Next release",
                      "during business hours", "queue for planned work", "handle in normal backlog flow"])
    func untimed(_ text: String) throws {
        let p = try #require(DurationPhraseParser.find(in: text).first, "\(text)")
        #expect(p.duration == nil && p.untimed != nil, "\(text)")
    }

    @Test func rangesChooseTheEndAndSayHow() throws {
        let p = try #require(DurationPhraseParser.find(in: "within 24–72 hours").first)
        #expect(p.duration == SLADuration(72, .hours))
        #expect(p.choice?.contains("24–72 hours") == true)
        let q = try #require(DurationPhraseParser.find(in: "1-4 h").first)
        #expect(q.duration == SLADuration(4, .hours))
    }

    @Test func whicheverIsSoonerPicksTheShorter() throws {
        let ps = DurationPhraseParser.find(in: "within 24 hours or 1 business day, whichever is sooner")
        #expect(ps.count == 1)
        #expect(ps.first?.duration == SLADuration(24, .hours))
        #expect(ps.first?.choice?.contains("whichever is sooner") == true)
        let later = DurationPhraseParser.find(in: "2 hours or 1 day, whichever is later")
        #expect(later.first?.duration == SLADuration(1, .days))
    }

    @Test func thresholdsAreNotDeadlines() {
        #expect(DurationPhraseParser.find(in: "sustained outage (>1h)").first?.threshold == true)
        #expect(DurationPhraseParser.find(in: "down for more than 2 hours").first?.threshold == true)
    }

    @Test(arguments: ["24x7", "5-Whys", "SEV1", "P2", "2nd shift", "version 1.4", "50% of users", "3 engineers"])
    func notDurations(_ text: String) {
        #expect(DurationPhraseParser.find(in: text).filter(\.isTimed).isEmpty, "\(text)")
    }

    @Test func hugeNumbersAreRefusedNotTrapped() {
        #expect(DurationPhraseParser.find(in: "99999999999999999999 hours").filter(\.isTimed).isEmpty)
        #expect(DurationPhraseParser.find(in: "1000000 minutes").first?.duration == nil)
    }
}

@Suite struct MarkdownBlocksTests {
    @Test func blocksKeepTheirLineNumbers() {
        let doc = """
        ---
        title: x
        ---
        # Title

        Intro line one
        continues here.

        - top
          - nested
            - deeper
        1) first
        2. [ ] a box
        - [x] done

        | A | B |
        |---|---|
        | 1 | 2 \\| 3 |

        ```text
        | not | a | table |
        ```

        > quoted
        > more
        Setext
        ------
        """
        let blocks = MarkdownBlocks.parse(doc)
        let heading = blocks.first { $0.kind == .heading }
        #expect(heading?.text == "Title" && heading?.line == 4)
        let para = blocks.first { $0.kind == .paragraph }
        #expect(para?.line == 6 && para?.lines.count == 2)
        let items = blocks.filter { $0.kind == .listItem }
        #expect(items.map(\.depth) == [0, 1, 2, 0, 0, 0])
        #expect(items[3].ordinal == 1 && items[4].checkbox == false && items[5].checkbox == true)
        #expect(items[4].text == "a box")
        let table = blocks.first { $0.kind == .table }
        #expect(table?.header == ["A", "B"] && table?.rows.first?.cells == ["1", "2 | 3"] && table?.rows.first?.line == 18)
        #expect(blocks.first { $0.kind == .code }?.text == "| not | a | table |")
        #expect(blocks.first { $0.kind == .quote }?.text == "quoted\nmore")
        #expect(blocks.last?.kind == .heading && blocks.last?.text == "Setext")
    }

    @Test(.timeLimit(.minutes(3))) func deepNestingIsBounded() {
        var doc = ""
        for i in 0..<5000 { doc += String(repeating: " ", count: i % 4000) + "- item \(i)\n" }
        let blocks = MarkdownBlocks.parse(doc)
        #expect(blocks.count == 5000)
        #expect(blocks.allSatisfy { $0.depth < MarkdownBlocks.maxDepth })
    }

    @Test func controlCharactersBecomeSpaces() {
        let blocks = MarkdownBlocks.parse("# Sev\u{1B}[31m1\u{7}\n\nhello\u{0}world")
        #expect(!blocks.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" } })
    }
}

@Suite struct LevelNameTests {
    @Test(arguments: [
        ("SEV1", "SEV1", [String]()), ("**SEV-1 (Critical)**", "SEV-1", ["Critical"]), ("Sev 0", "Sev 0", []),
        ("P1 (Disaster/Critical)", "P1", ["Disaster", "Critical"]), ("Severity 1 (Critical)", "Severity 1", ["Critical"]),
        ("P0 [Blocker]", "P0", ["Blocker"]), ("Critical", "Critical", []), ("SEV2 — Major", "SEV2", ["Major"]),
        ("Class B", "Class B", []),
    ])
    func parses(_ text: String, _ name: String, _ aliases: [String]) throws {
        let l = try #require(LevelNames.parse(text), "\(text)")
        #expect(l.name == name && l.aliases == aliases, "\(text) → \(l)")
    }

    @Test(arguments: ["Page the IC", "S3 bucket", "Summary", "Level of effort was high", "P1a"])
    func rejects(_ text: String) { #expect(LevelNames.parse(text) == nil, "\(text)") }

    @Test func bareNumbersAndLettersNeedALevelColumn() {
        #expect(LevelNames.parse("3", header: "SEV")?.name == "SEV3")
        #expect(LevelNames.parse("2", header: "Level")?.name == "Level 2")
        #expect(LevelNames.parse("B", header: "Class")?.name == "Class B")
        #expect(LevelNames.parse("3", header: "Description") == nil)
    }

    @Test func mentionsInProse() {
        let m = LevelMatcher(levels: [["SEV1", "Critical"], ["SEV2", "High"], ["SEV3", "Medium"], ["SEV4", "Low"]])
        #expect(m.mentions(in: "For SEV-1 and SEV-2 incidents") == [0, 1])
        #expect(m.mentions(in: "SEV1/SEV2: escalate") == [0, 1])
        #expect(m.mentions(in: "Sev1/2 only") == [0, 1])
        #expect(m.mentions(in: "Exec SMS list for SEV2+") == [0, 1])
        #expect(m.mentions(in: "SEV1–SEV3 page the owner") == [0, 1, 2])
        #expect(m.mentions(in: "Critical incidents update hourly") == [0])
        #expect(m.mentions(in: "high CPU usage on one host") == [])
        #expect(m.mentions(in: "for high severity events") == [1])
    }
}

@Suite struct MarkdownImporterTests {
    func imported(_ doc: String) throws -> MarkdownImporter.Result {
        try MarkdownImporter.importText(doc, source: "fixture.md")
    }

    func durations(_ r: MarkdownImporter.Result, _ timer: String) -> [String: String] {
        (r.runbook.timers.first { $0.id == timer }?.durations ?? [:]).mapValues(\.description)
    }

    /// Cells a reader could get wrong are left to a person, never given a number: a number
    /// running into the duration, a number word or fraction beside it, a unit the reader does
    /// not know. Plain cells beside them still map.
    @Test func cellsThatCannotBeReadAsOneDurationAreLeftToAPerson() throws {
        let doc = """
        # Policy

        ## Severity

        | Severity | Acknowledge | Restore |
        | --- | --- | --- |
        | SEV1 | 15 min | one and a half hours |
        | SEV2 | 1h30 | 1,5 hours |
        | SEV3 | 1 hour | 1,000 minutes |
        | SEV4 | twice daily | 4 calendar days |
        | SEV5 | ½ hour | 2 business days |
        | SEV6 | 15 min (24/7) | 1 hour, 24x7 |
        """
        let r = try imported(doc)
        #expect(durations(r, "acknowledge") == ["sev1": "15m", "sev3": "1h", "sev6": "15m"])
        #expect(durations(r, "resolve") == ["sev5": "2bd", "sev6": "1h"])
        #expect(r.runbook.timers.first { $0.id == "comms-update" } == nil)
        for cell in ["one and a half hours", "1h30", "1,5 hours", "1,000 minutes", "twice daily", "4 calendar days", "½ hour"] {
            #expect(r.report.unmapped.contains { $0.kind == "unreadable" && $0.detail.contains("'\(cell)'") }, "\(cell) is not reported")
        }
    }

    /// A template comment in a document's message is kept, not reported as a field to fill.
    @Test func templateCommentsAreNotPlaceholders() {
        let (text, mapped, unmapped) = StructureMapper.mapPlaceholders("{{! say which region }}Outage in <service> {{!c}}")
        #expect(unmapped.isEmpty, "\(unmapped)")
        #expect(text == "{{! say which region }}Outage in {{scope}} {{!c}}", "\(text)")
        #expect(mapped["<service>"] == "scope")
    }

    /// Numbered levels keep their own order (1 is the most severe) whatever their deadlines:
    /// a team may give SEV1 a longer deadline than SEV2.
    @Test func numberedLevelsAreNotReorderedByTheirDeadlines() throws {
        let doc = """
        # Policy

        ## Severity

        | Severity | Meaning | Restore |
        | --- | --- | --- |
        | SEV1 | whole site down | 8 hours |
        | SEV2 | one feature down | 4 hours |
        """
        #expect(try imported(doc).runbook.levels.map(\.id) == ["sev1", "sev2"])
        let countingDown = doc.replacingOccurrences(of: "| SEV1 | whole site down | 8 hours |\n| SEV2 | one feature down | 4 hours |",
                                                    with: "| SEV2 | one feature down | 4 hours |\n| SEV1 | whole site down | 8 hours |")
        #expect(try imported(countingDown).runbook.levels.map(\.id) == ["sev1", "sev2"])
        let shuffled = doc.replacingOccurrences(of: "| SEV1 | whole site down | 8 hours |\n| SEV2 | one feature down | 4 hours |",
                                                with: "| SEV2 | one feature down | 4 hours |\n| SEV1 | whole site down | 8 hours |\n| SEV3 | a page slow | 1 day |")
        #expect(try imported(shuffled).runbook.levels.map(\.id) == ["sev1", "sev2", "sev3"])
        // A long ladder (29 levels) is read, not refused as "no severity levels".
        var long = "# P\n\n## Severity\n\n| Severity | Acknowledge |\n| --- | --- |\n"
        for i in 1...29 { long += "| SEV\(i) | 15 min |\n" }
        #expect(try imported(long).runbook.levels.count == 29)
    }

    @Test func levelColumnBesideANameColumn() throws {
        let r = try imported(ImportFixtures.levelAndNameTable)
        #expect(r.runbook.levels.map(\.title) == ["Level 1", "Level 2", "Level 3"])
        #expect(try r.runbook.level(named: "emergency").id == "level-1")
        #expect(try r.runbook.level(named: "2").id == "level-2")
        #expect(durations(r, "acknowledge") == ["level-1": "10m", "level-2": "30m", "level-3": "4h"])
        #expect(durations(r, "contain") == ["level-1": "1h", "level-2": "4h"])
        #expect(durations(r, "resolve") == ["level-1": "4h", "level-2": "1bd"])
        let cadence = try #require(r.runbook.timers.first { $0.id == "comms-update" })
        #expect(cadence.repeats == true && cadence.stop == ["comms"] && cadence.until == ["resolved"])
        #expect(durations(r, "comms-update") == ["level-1": "20m", "level-2": "1h"])
        // Untimed cells are reported, never given a number.
        #expect(r.report.mapped.contains { $0.kind == "untimed" && $0.detail.contains("best effort") && $0.line == 9 })
        #expect(r.report.leftToPerson.contains { $0.contains("n/a") })
        // "more than 2 hours" in the description column is not a deadline.
        #expect(r.report.unmapped.contains { $0.line == 8 && $0.detail.contains("describes the level") })
    }

    @Test func bracketAliasesAndEmDashLinesWithSpelledNumbers() throws {
        let r = try imported(ImportFixtures.bracketsAndEmDashes)
        #expect(r.runbook.levels.map(\.title) == ["P0", "P1", "P2"])
        #expect(try r.runbook.level(named: "blocker").id == "p0")
        #expect(durations(r, "acknowledge") == ["p0": "5m", "p1": "15m", "p2": "1bd"])
        #expect(durations(r, "resolve") == ["p0": "2h", "p1": "1bd"])
        #expect(r.report.mapped.contains { $0.kind == "timer" && $0.line == 11 })
    }

    @Test func nestedItemsTakeTheirParentsLevel() throws {
        let r = try imported(ImportFixtures.nestedList)
        #expect(r.runbook.levels.map(\.id) == ["sev1", "sev2", "sev3"])
        #expect(durations(r, "acknowledge") == ["sev1": "5m", "sev2": "1h"])
        #expect(durations(r, "comms-update") == ["sev1": "30m"])
        #expect(r.report.mapped.contains { $0.kind == "untimed" && $0.detail.contains("Sev 3") && $0.detail.contains("business hours") })
    }

    @Test func lettersForLevels() throws {
        let r = try imported(ImportFixtures.lettersTable)
        #expect(r.runbook.levels.map(\.title) == ["Class A", "Class B", "Class C"])
        #expect(try r.runbook.level(named: "B").id == "class-b")
        #expect(durations(r, "acknowledge") == ["class-a": "15m", "class-b": "2h", "class-c": "1bd"])
        #expect(durations(r, "resolve") == ["class-a": "8h", "class-b": "3d", "class-c": "2w"])
    }

    @Test func leastSevereFirstIsTurnedAround() throws {
        let r = try imported(ImportFixtures.ascendingLadder)
        #expect(r.runbook.levels.map(\.id) == ["sev4", "sev3", "sev2", "sev1"])
        #expect(try r.runbook.level(named: "critical").id == "sev4")
        #expect(durations(r, "resolve") == ["sev4": "2h", "sev3": "8h", "sev2": "1bd"])
        #expect(r.report.choices.contains { $0.kind == "order" })
    }

    @Test func perLevelSentences() throws {
        let r = try imported(ImportFixtures.sentences)
        #expect(durations(r, "first-update") == ["sev1": "10m"])
        #expect(durations(r, "comms-update") == ["sev1": "30m", "sev2": "2h"])
        // One timer has one end: the first stated wins and the other is reported.
        #expect(r.runbook.timers.first { $0.id == "comms-update" }?.until == ["resolved"])
        #expect(r.report.choices.contains { $0.kind == "conflict" && $0.line == 13 && $0.detail.contains("until contained") })
        #expect(durations(r, "exec-notification") == ["sev1": "30m", "sev2": "30m"])
        #expect(durations(r, "resolve") == ["sev1": "72h", "sev2": "72h"])
        #expect(durations(r, "notify-customers") == ["sev1": "24h"])
        let review = try #require(r.runbook.timers.first { $0.id == "review" })
        #expect(review.start == "resolved" && review.durations.count == 3 && review.durations["sev1"] == SLADuration(5, .businessDays))
        #expect(r.runbook.timers.first { $0.id == "postmortem" }?.start == "resolved")
        // Ranges and either-ors are reported with the choice made.
        #expect(r.report.choices.contains { $0.kind == "range" && $0.detail.contains("72 hours") })
        #expect(r.report.choices.contains { $0.detail.contains("whichever is sooner") })
        // "next release" stays untimed; an activity's length and a threshold are not deadlines.
        #expect(durations(r, "permanent-fix").isEmpty)
        #expect(r.report.unmapped.contains { $0.detail.contains("45 minutes") })
        #expect(r.report.unmapped.contains { $0.kind == "threshold" })
    }

    @Test func levelsAcrossTheHeader() throws {
        let r = try imported(ImportFixtures.transposedTable)
        #expect(durations(r, "acknowledge") == ["sev1": "5m", "sev2": "15m", "sev3": "1h"])
        #expect(durations(r, "contain") == ["sev1": "1h", "sev2": "4h", "sev3": "1bd"])
        #expect(durations(r, "comms-update") == ["sev1": "30m", "sev2": "1h"])
    }

    @Test func severityHeadingsWithBulletsBelow() throws {
        let r = try imported(ImportFixtures.headingLadder)
        #expect(r.runbook.levels.map(\.title) == ["Priority 1", "Priority 2"])
        #expect(try r.runbook.level(named: "urgent").id == "priority-1")
        #expect(durations(r, "acknowledge") == ["priority-1": "15m", "priority-2": "1h"])
        #expect(durations(r, "resolve") == ["priority-1": "4h", "priority-2": "1bd"])
    }

    @Test func rolesPhasesChecklistsTemplatesDrills() throws {
        let r = try imported(ImportFixtures.fullPolicy)
        let rb = r.runbook
        #expect(rb.roles.map(\.id) == ["commander", "scribe", "comms", "security", "database-expert"])
        #expect(try rb.role(named: "ic").id == "commander")
        #expect(rb.role(id: "commander")?.duties == ["runs the response and makes the calls"])
        #expect(rb.role(id: "security")?.backup == "commander")
        #expect(rb.role(id: "database-expert")?.duties?.contains("Backup: Platform lead") == true)
        #expect(r.report.unmapped.contains { $0.kind == "backup" && $0.detail.contains("Platform lead") })
        // NIST names; Preparation is not a phase of an incident.
        #expect(rb.phases.map(\.id) == ["detect", "contain", "eradicate", "recover", "post-incident"])
        #expect(rb.phase(id: "eradicate")?.marks == ["contained"])
        #expect(r.report.unmapped.contains { $0.detail.contains("Preparation") })
        // Sub-items stay under their phase; loose boxes go to the phase they name.
        #expect(rb.phase(id: "detect")?.checklist?.map(\.text) == ["Open the incident channel", "Decide the severity", "Severity set and IC named"])
        #expect(rb.phase(id: "contain")?.checklist?.map(\.text).contains("Rollback executed and mitigation confirmed") == true)
        #expect(rb.phase(id: "post-incident")?.checklist?.map(\.text) == ["Postmortem report archived"])
        // Templates: placeholders mapped to incident fields where clear, the rest left visible.
        let status = try #require(r.templates.first { $0.name == "status-page" })
        #expect(status.text.contains("{{scope}}") && status.text.contains("{{status}}") && status.text.contains("{{next_update}}"))
        let inside = try #require(r.templates.first { $0.name == "internal-update" })
        #expect(inside.text.contains("{{id}}") && inside.text.contains("{{commander}}") && inside.text.contains("[on-call channel]"))
        #expect(inside.unmapped == ["<on-call channel>"])
        for t in r.templates {
            let rendered = try Template(name: t.name, text: t.text, origin: "test").render(Dictionary(uniqueKeysWithValues: Template(name: t.name, text: t.text, origin: "").placeholders.map { ($0, "x") }))
            #expect(!rendered.contains("{{"))
            #expect(Set(Template(name: t.name, text: t.text, origin: "").placeholders).isSubset(of: ["id", "title", "severity", "status", "phase", "scope", "impact", "mitigation", "next_update", "started_at", "declared_at", "now", "commander", "comms_lead", "roles"]))
        }
        #expect(rb.drills?.map(\.every) == ["quarterly", "yearly"])
        #expect(rb.drills?.map(\.level) == ["high", "critical"])
    }

    @Test func everyImportValidatesAndRoundTrips() throws {
        for doc in [ImportFixtures.levelAndNameTable, ImportFixtures.bracketsAndEmDashes, ImportFixtures.nestedList, ImportFixtures.lettersTable,
                    ImportFixtures.ascendingLadder, ImportFixtures.sentences, ImportFixtures.transposedTable, ImportFixtures.headingLadder, ImportFixtures.fullPolicy] {
            let r = try imported(doc)
            let again = try Runbook.decode(try r.runbook.encoded(), origin: "round trip")
            #expect(again == r.runbook)
            for id in r.runbook.levels.map(\.id) + r.runbook.roles.map(\.id) + r.runbook.phases.map(\.id) + r.runbook.timers.map(\.id) {
                #expect(id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") } && !id.isEmpty, "\(id)")
            }
        }
    }

    @Test func noLadderIsOneClearError() {
        #expect(throws: IncidentError.self) { try imported(ImportFixtures.noLevels) }
        do { _ = try imported(ImportFixtures.noLevels) } catch let e as IncidentError {
            #expect(e.description.hasPrefix("No severity levels found in fixture.md"))
        } catch { Issue.record("\(error)") }
    }

    @Test func binaryAndNonUTF8AndHugeAreRefused() {
        #expect(throws: IncidentError.self) { try MarkdownImporter.importDocument([0x23, 0x20, 0x00, 0x01], source: "x") }
        #expect(throws: IncidentError.self) { try MarkdownImporter.importDocument([0x23, 0x20, 0xFF, 0xFE], source: "x") }
        #expect(throws: IncidentError.self) { try MarkdownImporter.importDocument([UInt8](repeating: 0x41, count: MarkdownImporter.maxBytes + 1), source: "x") }
    }

    @Test(.timeLimit(.minutes(3))) func tenThousandRowTableIsBounded() throws {
        var doc = "# Big\n\n| Severity | Acknowledge |\n| --- | --- |\n"
        for i in 0..<10_000 { doc += "| SEV\(i % 5) | \(i % 60 + 1) minutes |\n" }
        doc += "\n## Levels\n\n- SEV1: worst\n- SEV2: bad\n"
        let r = try imported(doc)
        #expect(r.runbook.levels.count <= 26)
        #expect(r.report.unmapped.count + r.report.mapped.count <= 3 * ImportReport.maxItems)
    }

    // Generous limits: the machine running the suite may be busy; a quadratic path would take hours.
    @Test(.timeLimit(.minutes(3))) func pathologicalLinesStayLinear() throws {
        let long = String(repeating: "SEV1 ", count: 1500) + String(repeating: "(", count: 1500) + String(repeating: "[", count: 1500)
        let pipes = String(repeating: "| 5m ", count: 1000)
        let doc = "# X\n\n- SEV1: bad\n- SEV2: less bad\n\n\(long)\n\n\(pipes)\n\(pipes)\n" + String(repeating: "**", count: 3000) + "\n" + String(repeating: "> ", count: 3000) + "SEV1 within 5 min\n"
        _ = try imported(doc)
        var huge = "# Y\n\n| Level | Respond |\n| --- | --- |\n| SEV1 | 5 min |\n| SEV2 | 10 min |\n"
        while huge.utf8.count < 260_000 { huge += "SEV1 acknowledge within 5 minutes; SEV2 resolve within 4 hours, every 30 minutes thereafter.\n" }
        let r = try imported(huge)
        #expect(r.report.omitted > 0 || r.report.mapped.count <= ImportReport.maxItems * 2)
        #expect(r.report.leftToPerson.contains { $0.contains("were not read") })
    }
}
