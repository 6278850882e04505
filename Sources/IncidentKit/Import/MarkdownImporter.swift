#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `incident runbook import`: a team's Markdown runbook → a runbook plus a report.
///
/// The pipeline (DESIGN §10), each stage pure and tested alone:
/// bytes → text (size, UTF-8 and binary checks) → `MarkdownBlocks` → `LadderFinder`
/// (levels) → `TimerMapper` (durations to timers) → `StructureMapper` (roles, phases,
/// checklists, templates, drills) → `Runbook` + `ImportReport`.
public enum MarkdownImporter {
    public static let maxBytes = 2 << 20

    public struct Result: Sendable {
        public var runbook: Runbook
        public var report: ImportReport
        public var templates: [ImportedTemplate]
    }

    /// Checks the bytes are a text document of bounded size; one sentence when not.
    public static func text(from bytes: [UInt8], source: String) throws -> String {
        if bytes.count > maxBytes {
            throw IncidentError.refused("\(source) is \(bytes.count) bytes; a runbook document is at most \(maxBytes) bytes (2 MiB). Import the policy part of it.")
        }
        if bytes.contains(0) {
            throw IncidentError.refused("\(source) contains NUL bytes: it looks like a binary file, not a Markdown document.")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw IncidentError.refused("\(source) is not UTF-8 text; save it as UTF-8 Markdown and import it again.")
        }
        return text
    }

    public static func importDocument(_ bytes: [UInt8], source: String, name: String? = nil) throws -> Result {
        try importText(try text(from: bytes, source: source), source: source, name: name)
    }

    public static func importText(_ document: String, source: String, name: String? = nil) throws -> Result {
        let blocks = MarkdownBlocks.parse(document)
        var report = ImportReport(source: source)

        // Levels.
        let candidates = LadderFinder.candidates(blocks)
        guard var ladder = LadderFinder.choose(candidates) else {
            throw IncidentError.refused("No severity levels found in \(source): the importer looks for a table column, a list or headings naming levels (SEV1, P1, Sev 2, Critical/High/Medium/Low). Add such a list, or write the runbook JSON by hand (see docs/runbook-format.md).")
        }
        var reversed = false
        if LadderFinder.isAscending(ladder.levels) == true {
            ladder.levels.reverse(); reversed = true
        } else if LadderFinder.isAscending(ladder.levels) == nil, let order = LadderFinder.orderByNumber(ladder.levels),
                  order != Array(ladder.levels.indices), order != Array(ladder.levels.indices.reversed()) {
            // Numbered levels written out of order (SEV2, SEV1, SEV3): by their numbers.
            ladder.levels = order.map { ladder.levels[$0] }
            report.choices.append(.init(kind: "order", line: ladder.levels.first?.line ?? 1, detail: "the document lists the levels out of order; the runbook orders them by their numbers (\(ladder.levels.map(\.name).joined(separator: ", ")))", quote: ""))
        }
        var timerMapper = mapTimers(blocks, ladder)
        // Numbered levels (SEV1, P2) say their own order; only unnumbered, unworded ones are
        // ordered by their deadlines (a longer deadline for SEV1 is the team's choice).
        let byNumber = LadderFinder.isAscendingByNumber(ladder.levels)
        if !reversed, LadderFinder.isAscending(ladder.levels) == nil,
           byNumber == true || (byNumber == nil && deadlinesAscend(timerMapper.timers, count: ladder.levels.count)) {
            ladder.levels.reverse(); reversed = true
            timerMapper = mapTimers(blocks, ladder)
        }
        let levelIDs = levelIdentifiers(ladder.levels)
        var levels: [Runbook.Level] = []
        for (i, l) in ladder.levels.enumerated() {
            levels.append(Runbook.Level(id: levelIDs[i], title: l.name, aliases: l.aliases.isEmpty ? nil : l.aliases,
                                        description: l.description.map { String($0.prefix(300)) }, examples: l.examples.isEmpty ? nil : l.examples,
                                        requiredRoles: nil, notes: nil))
            report.mapped.append(.init(kind: "level", line: l.line, detail: "level \(levelIDs[i]): \(l.name)\(l.aliases.isEmpty ? "" : " (also " + l.aliases.joined(separator: ", ") + ")")", quote: l.name))
        }
        if reversed {
            report.choices.append(.init(kind: "order", line: ladder.levels.last?.line ?? 1, detail: "the document lists the least severe level first; the runbook lists \(ladder.levels.first?.name ?? "") first (most severe first)", quote: ""))
        }

        // Timers.
        var timers: [Runbook.TimerSpec] = []
        var entryKinds = Runbook.builtInDefault.entryKinds
        for kind in ImportVocabulary.TimerKind.allCases {
            let findings = timerMapper.timers.filter { $0.kind == kind }
            guard let first = findings.first else { continue }
            var spec = timerSpec(kind, word: first.word, start: first.start, until: first.until)
            var lines: [String] = []
            for f in findings {
                if let u = f.until, u != spec.until ?? [] {
                    report.add(.init(kind: "conflict", line: f.line, detail: "this cadence runs until \(u.joined(separator: ", ")), but one timer has one end; kept until \((spec.until ?? []).joined(separator: ", ")) (stated first)", quote: f.quote), to: \.choices)
                }
                let targets = f.levels.isEmpty ? Array(levels.indices) : f.levels
                for t in targets where t < levels.count {
                    let id = levels[t].id
                    if let existing = spec.durations[id] {
                        if existing != f.duration {
                            report.add(.init(kind: "conflict", line: f.line, detail: "\(spec.id) for \(levels[t].title) is also given as \(f.duration.spelledOut); kept \(existing.spelledOut) (stated first)", quote: f.quote), to: \.choices)
                        }
                        continue
                    }
                    spec.durations[id] = f.duration
                }
                let who = f.levels.isEmpty ? "every level" : f.levels.compactMap { $0 < levels.count ? levels[$0].title : nil }.joined(separator: ", ")
                report.add(.init(kind: "timer", line: f.line, detail: "\(spec.id) \(spec.repeats == true ? "every " : "")\(f.duration.description) for \(who)\(spec.start == "resolved" ? ", counted from resolution" : "")", quote: f.quote), to: \.mapped)
                lines.append("line \(f.line)")
                if f.levels.isEmpty && levels.count > 1 {
                    report.add(.init(kind: "scope", line: f.line, detail: "the line names no level, so \(spec.id) \(f.duration.description) applies to every level", quote: f.quote), to: \.choices)
                }
            }
            let sorted = Array(Set(lines)).sorted { (Int($0.dropFirst(5)) ?? 0) < (Int($1.dropFirst(5)) ?? 0) }
            spec.source = "\(source) " + sorted.prefix(12).joined(separator: ", ") + (sorted.count > 12 ? ", …" : "")
            for k in extraKinds(kind) where !entryKinds.contains(where: { $0.id == k.id }) { entryKinds.append(k) }
            timers.append(spec)
        }
        // Untimed targets: reported, and kept on the level as a note for people to see.
        for u in timerMapper.untimed {
            let targets = u.levels.isEmpty ? Array(levels.indices) : u.levels
            let what = u.kind.map { timerSpec($0, word: $0.rawValue, start: "declared", until: nil).id } ?? "a target"
            let who = u.levels.isEmpty ? "every level" : targets.compactMap { $0 < levels.count ? levels[$0].title : nil }.joined(separator: ", ")
            let covered = u.kind.map { k in timers.first { $0.id == timerSpec(k, word: "", start: "declared", until: nil).id } }
            let allTimed = targets.allSatisfy { t in t < levels.count && (covered??.durations[levels[t].id] != nil) }
            if allTimed && u.text == "no time stated" { continue }
            report.add(.init(kind: "untimed", line: u.line, detail: "\(what) for \(who): \(u.text) — no deadline set", quote: u.quote), to: \.mapped)
            if report.leftToPerson.count < ImportReport.maxItems {
                report.leftToPerson.append("\(what) for \(who): the document says \"\(u.text)\" (line \(u.line)); set a duration if you want a deadline")
            }
            for t in targets where t < levels.count && (levels[t].notes?.count ?? 0) < 20 {
                let note = "\(what): \(u.text) (line \(u.line))"
                if !(levels[t].notes ?? []).contains(note) { levels[t].notes = (levels[t].notes ?? []) + [note] }
            }
        }
        var seenChoices = Set<String>()
        for c in timerMapper.choices where seenChoices.insert("\(c.kind)|\(c.detail)|\(c.kind == "assumed" ? 0 : c.line)").inserted {
            report.add(c, to: \.choices)
        }
        for u in timerMapper.unmapped { report.add(u, to: \.unmapped) }

        // Roles, phases, checklists, templates, drills.
        var structure = StructureMapper(blocks: blocks, matcher: matcher(ladder.levels), levelLines: Set(ladder.levels.map(\.line)))
        structure.run()
        if structure.phases.isEmpty {
            structure.phases.append(ImportedPhase(phase: Runbook.Phase(id: "respond", title: "Response", aliases: nil, description: "Added by the importer: the document names no phases.", checklist: nil, marks: nil), family: nil, line: 0))
            report.leftToPerson.append("phases: the document names none, so the runbook has one phase, 'Response'; add your lifecycle")
        }
        structure.placeLooseItems()
        report.mapped.append(contentsOf: structure.report)
        for u in structure.unmapped { report.add(u, to: \.unmapped) }
        let roles = structure.roles.map(\.role)
        for (l, ids) in structure.requiredRoles where l < levels.count {
            levels[l].requiredRoles = roles.map(\.id).filter { ids.contains($0) }
        }
        if roles.isEmpty { report.leftToPerson.append("roles: none found; add at least an Incident Commander") }
        var drills: [Runbook.DrillSpec] = []
        for (d, line) in structure.drills {
            var d = d
            d.level = d.level.flatMap { Int($0) }.flatMap { $0 < levels.count ? levels[$0].id : nil }
            drills.append(d)
            report.mapped.append(.init(kind: "drill", line: line, detail: "drill \(d.id) \(d.every)\(d.level.map { " at " + $0 } ?? "")", quote: d.title))
        }
        for t in structure.templates where !t.unmapped.isEmpty {
            report.leftToPerson.append("template \(t.name): fill in or remove \(t.unmapped.joined(separator: ", ")) (no incident field matches)")
        }

        if timerMapper.analyzed > TimerMapper.maxUnits {
            report.leftToPerson.insert("the document has more than \(TimerMapper.maxUnits) lines and table cells of text; deadlines after that were not read (import the policy part of it)", at: 0)
        }
        // What only a person can decide.
        for (i, l) in levels.enumerated() where !timers.contains(where: { $0.durations[l.id] != nil }) {
            report.leftToPerson.append("level \(l.title) has no timer: the document states no deadline for it\(i == levels.count - 1 ? " (often on purpose for the lowest level)" : "")")
        }
        report.leftToPerson.append("close gates: set to resolved + checklist; add postmortem or action-items if your policy requires them before closing")
        if structure.phases.contains(where: { !($0.phase.checklist ?? []).isEmpty }) {
            report.leftToPerson.append("checklist items: none is marked required; mark the ones that must block a phase change (\"required\": true)")
        }
        if !levels.contains(where: { $0.requiredRoles != nil }) && !roles.isEmpty {
            report.leftToPerson.append("required roles per level: the document does not say which roles each level needs")
        }

        // Policy-looking lines nobody used.
        let used = timerMapper.consumed.union(structure.consumed).union(report.mapped.map(\.line)).union(report.unmapped.map(\.line))
        for item in policyLines(blocks, matcher: matcher(ladder.levels)) where !used.contains(item.line) {
            report.add(item, to: \.unmapped)
        }

        let runbookName = InlineText.slug(name ?? baseName(source), fallback: "imported")
        let title = blocks.first { $0.kind == .heading }.map { InlineText.plain($0.text) } ?? runbookName
        var runbook = Runbook(
            schemaVersion: Runbook.currentSchemaVersion, name: runbookName, title: String(title.prefix(120)),
            description: "Imported from \(source) by 'incident runbook import'. Check the import report before use.",
            sources: [source], levels: levels, roles: roles, phases: structure.phases.map(\.phase), timers: timers,
            entryKinds: entryKinds, closeGates: [.resolved, .checklist], incidentTypes: nil, drills: drills.isEmpty ? nil : drills)
        // Names shared by two levels, roles or phases are dropped from the later one.
        dedupeNames(&runbook)
        // What `runbook validate` and `init --runbook` will check, checked now.
        let checked = try Runbook.decode(try runbook.encoded(), origin: "imported from \(source)")
        return Result(runbook: checked, report: report, templates: structure.templates)
    }

    static func matcher(_ levels: [LadderLevel]) -> LevelMatcher {
        LevelMatcher(levels: levels.map { [$0.name] + $0.aliases })
    }

    static func mapTimers(_ blocks: [MarkdownBlock], _ ladder: LadderCandidate) -> TimerMapper {
        var m = TimerMapper(blocks: blocks, matcher: matcher(ladder.levels), ladder: ladder)
        m.run()
        return m
    }

    /// True when the document's deadlines grow towards the top of the list (the first
    /// level is the least severe): most timers shorter for later levels.
    static func deadlinesAscend(_ findings: [TimerFinding], count: Int) -> Bool {
        var longerFirst = 0, shorterFirst = 0
        for kind in ImportVocabulary.TimerKind.allCases {
            var byLevel: [Int: Int64] = [:]
            for f in findings where f.kind == kind && f.levels.count == 1 { byLevel[f.levels[0]] = byLevel[f.levels[0]] ?? f.duration.approximateMinutes }
            let keys = byLevel.keys.sorted()
            for a in 0..<keys.count {
                for b in (a + 1)..<max(a + 1, keys.count) {
                    if byLevel[keys[a]]! > byLevel[keys[b]]! { longerFirst += 1 } else if byLevel[keys[a]]! < byLevel[keys[b]]! { shorterFirst += 1 }
                }
            }
        }
        return longerFirst > shorterFirst
    }

    static func levelIdentifiers(_ levels: [LadderLevel]) -> [String] {
        var ids: [String] = []
        for l in levels {
            // `SEV 1` → sev1, `Severity 1` → severity-1, `Critical` → critical.
            let words = InlineText.words(l.name)
            var id: String
            if words.count == 2, let p = ImportVocabulary.levelPrefixes[words[0]], p.compact {
                id = InlineText.slug(words.joined(), fallback: "level")
            } else if words.count == 1 {
                id = InlineText.slug(l.name, fallback: "level")
            } else {
                id = InlineText.slug(l.name, fallback: "level")
            }
            var unique = id
            var n = 2
            while ids.contains(unique) { unique = "\(id)-\(n)"; n += 1 }
            ids.append(unique)
        }
        return ids
    }

    static func baseName(_ path: String) -> String {
        var name = String(path.split(separator: "/").last ?? Substring(path))
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
        return name
    }

    /// The runbook semantics of each timer, as in the shipped runbooks.
    static func timerSpec(_ kind: ImportVocabulary.TimerKind, word: String, start: String, until: [String]?) -> Runbook.TimerSpec {
        let w = word.lowercased()
        func spec(_ title: String, _ stop: [String], repeats: Bool? = nil, until: [String]? = nil, description: String) -> Runbook.TimerSpec {
            Runbook.TimerSpec(id: kind.id, title: title, description: description, start: start, stop: stop, repeats: repeats, until: until, durations: [:], source: nil)
        }
        switch kind {
        case .acknowledge:
            let title = w.hasPrefix("respon") ? "Respond" : (w.hasPrefix("pag") ? "Page answered" : "Acknowledge")
            return spec(title, ["acknowledged"], description: "Someone owns the incident ('incident ack').")
        case .contain:
            return spec(w.hasPrefix("mitig") ? "Mitigate" : "Contain", ["contained"], description: "The impact stops growing ('incident contain').")
        case .resolve:
            return spec(w.hasPrefix("restor") || w == "rto" || w.hasPrefix("recover") ? "Restore service" : "Resolve", ["resolved"], description: "Service restored ('incident resolve').")
        case .fix:
            return spec(w.hasPrefix("patch") ? "Patch" : "Permanent fix", ["fix-deployed"], description: "The permanent fix is deployed (a 'fix-deployed' note).")
        case .firstUpdate:
            return spec("First update", ["comms"], description: "The first status update is sent (a 'comms' note or 'incident comms --record').")
        case .update:
            return spec("Status update", ["comms"], repeats: true, until: until ?? ["resolved"], description: "Status updates on a cadence; each 'comms' note restarts it.")
        case .executives:
            return spec("Notify executives", ["exec-notification"], description: "Executives told (an 'exec-notification' note).")
        case .stakeholders:
            return spec("Notify stakeholders", ["stakeholder-notification", "exec-notification"], description: "Stakeholders told (a 'stakeholder-notification' note).")
        case .customers:
            return spec("Notify customers", ["customer-notification"], description: "Customers told (a 'customer-notification' note).")
        case .regulators:
            return spec("Notify regulators", ["regulator-notification"], description: "A regulator or authority notified (a 'regulator-notification' note).")
        case .escalate:
            return spec("Escalate", ["escalation"], description: "Escalated to management (an 'escalation' note).")
        case .postmortem:
            return spec(w.contains("report") ? "Incident report" : "Publish postmortem", ["postmortem"], description: "Counted from resolution; stopped by 'incident postmortem --publish'.")
        case .review:
            return spec("Hold review", ["review"], description: "Counted from resolution; stopped by a 'review' note.")
        }
    }

    static func extraKinds(_ kind: ImportVocabulary.TimerKind) -> [Runbook.EntryKind] {
        switch kind {
        case .stakeholders: return [Runbook.EntryKind(id: "stakeholder-notification", title: "Stakeholder notification", aliases: ["stakeholder", "stakeholders"], description: "Stakeholders told.")]
        case .escalate: return [Runbook.EntryKind(id: "escalation", title: "Escalation", aliases: ["escalated", "escalate"], description: "Escalated to management.")]
        case .fix: return [Runbook.EntryKind(id: "fix-deployed", title: "Fix deployed", aliases: ["fix", "patch", "patched"], description: "The permanent fix is deployed.")]
        default: return []
        }
    }

    static func dedupeNames(_ rb: inout Runbook) {
        func clean<T>(_ items: inout [T], _ get: (T) -> (String, String, [String]?), _ set: (inout T, [String]?) -> Void) {
            var owner: [String: Int] = [:]
            for (i, item) in items.enumerated() {
                let (id, title, _) = get(item)
                owner[normalizedName(id)] = owner[normalizedName(id)] ?? i
                owner[normalizedName(title)] = owner[normalizedName(title)] ?? i
            }
            for i in items.indices {
                let (_, _, aliases) = get(items[i])
                let kept = (aliases ?? []).filter { a in
                    let n = normalizedName(a)
                    guard !n.isEmpty else { return false }
                    if let o = owner[n], o != i { return false }
                    owner[n] = i
                    return true
                }
                set(&items[i], kept.isEmpty ? nil : kept)
            }
        }
        clean(&rb.levels, { ($0.id, $0.title, $0.aliases) }, { $0.aliases = $1 })
        clean(&rb.roles, { ($0.id, $0.title, $0.aliases) }, { $0.aliases = $1 })
        clean(&rb.phases, { ($0.id, $0.title, $0.aliases) }, { $0.aliases = $1 })
    }

    /// Lines that look like policy: a time, a level name, a role title or a checkbox.
    static func policyLines(_ blocks: [MarkdownBlock], matcher: LevelMatcher) -> [ImportReport.Item] {
        var out: [ImportReport.Item] = []
        var checked = 0
        func check(_ text: String, _ line: Int, checkbox: Bool) {
            checked += 1
            guard checked <= TimerMapper.maxUnits else { return }
            let p = InlineText.plain(text)
            guard !p.isEmpty else { return }
            var why: [String] = []
            if checkbox { why.append("a checkbox") }
            let phrases = DurationPhraseParser.find(in: p)
            if let t = phrases.first(where: { $0.isTimed }) { why.append("a time (\(t.text))") }
            else if let u = phrases.first(where: { $0.untimed != nil && $0.untimed != "none" && $0.untimed != "optional" }) { why.append("an untimed target (\(u.text))") }
            if !matcher.mentions(in: p).isEmpty { why.append("a level name") }
            let w = InlineText.words(p)
            if w.count <= 12, w.contains(where: { ["commander", "scribe", "liaison"].contains($0) }) { why.append("a role title") }
            if !why.isEmpty { out.append(.init(kind: "policy?", line: line, detail: "has " + why.joined(separator: ", "), quote: text)) }
        }
        for b in blocks {
            switch b.kind {
            case .table:
                for r in b.rows.prefix(2000) { check(r.cells.joined(separator: " | "), r.line, checkbox: false) }
            case .listItem:
                check(b.text, b.line, checkbox: b.checkbox != nil)
            case .paragraph, .heading:
                for l in (b.kind == .heading ? [MarkdownBlock.SourceLine(number: b.line, text: b.text)] : b.lines) { check(l.text, l.number, checkbox: false) }
            default: continue
            }
            if out.count > ImportReport.maxItems || checked > TimerMapper.maxUnits { break }
        }
        return out
    }
}
