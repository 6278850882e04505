/// Stage 2c: roles, phases, checklist items, communication templates and drills.
struct ImportedRole: Sendable {
    var role: Runbook.Role
    var line: Int
    var backupText: String?
}

struct ImportedPhase: Sendable {
    var phase: Runbook.Phase
    var family: String?
    var line: Int
    var itemLines: [Int] = []
}

/// A communication template found in the document, with its placeholders mapped.
public struct ImportedTemplate: Codable, Sendable, Equatable {
    public var name: String
    public var line: Int
    /// The text with `{{field}}` placeholders `incident comms` fills in.
    public var text: String
    /// Placeholder as written → incident field.
    public var mapped: [String: String]
    /// Placeholders with no clear incident field, left as `[name]` for a person.
    public var unmapped: [String]
}

struct StructureMapper {
    let blocks: [MarkdownBlock]
    let matcher: LevelMatcher
    var roles: [ImportedRole] = []
    var phases: [ImportedPhase] = []
    var looseChecklist: [(text: String, line: Int, hint: String?)] = []
    var templates: [ImportedTemplate] = []
    var drills: [(Runbook.DrillSpec, Int)] = []
    var requiredRoles: [Int: [String]] = [:]  // level index → role ids
    var report: [ImportReport.Item] = []
    var unmapped: [ImportReport.Item] = []
    var consumed: Set<Int> = []
    /// Lines that define levels: never checklist items.
    var levelLines: Set<Int> = []

    init(blocks: [MarkdownBlock], matcher: LevelMatcher, levelLines: Set<Int> = []) {
        self.blocks = blocks; self.matcher = matcher; self.levelLines = levelLines
    }

    /// Blocks inside a communication-template section (their times are message text, not policy).
    static func templateBlocks(_ blocks: [MarkdownBlock]) -> Set<Int> {
        var out = Set<Int>()
        var inside: Int?  // heading level of the open template section
        for (i, b) in blocks.enumerated() {
            if b.kind == .heading {
                if let l = inside, b.level <= l { inside = nil }
                if inside == nil, !Set(InlineText.words(InlineText.plain(b.text))).isDisjoint(with: ImportVocabulary.templateSectionWords) { inside = b.level }
                continue
            }
            if inside != nil { out.insert(i) }
        }
        return out
    }

    /// Index ranges of each heading's section (up to the next heading of the same or a higher level).
    func sections() -> [(heading: Int, end: Int)] {
        var out: [(Int, Int)] = []
        for (i, b) in blocks.enumerated() where b.kind == .heading {
            var j = i + 1
            while j < blocks.count, !(blocks[j].kind == .heading && blocks[j].level <= b.level) { j += 1 }
            out.append((i, j))
        }
        return out
    }

    func words(_ i: Int) -> Set<String> { Set(InlineText.words(InlineText.plain(blocks[i].text))) }

    mutating func run() {
        let secs = sections()
        findRoles(secs)
        findPhases(secs)
        findChecklists(secs)
        findTemplates(secs)
        findDrills()
    }

    // MARK: Roles

    static func roleTitle(_ raw: String) -> (title: String, abbreviation: String?, rest: String)? {
        let label = InlineText.label(raw)
        var title = label?.label ?? InlineText.plain(raw)
        var rest = label?.rest ?? ""
        // "Incident Commander (IC)", "Legal/Privacy (as needed)"
        var abbreviation: String?
        if let open = title.firstIndex(of: "("), let close = title[open...].firstIndex(of: ")") {
            let inner = String(title[title.index(after: open)..<close]).trimmingCharacters(in: " ")
            if inner.count <= 6, !inner.contains(" "), inner.first?.isUppercase == true { abbreviation = inner }
            else if !inner.isEmpty { rest = rest.isEmpty ? inner : inner + "; " + rest }
            title = (String(title[..<open]) + String(title[title.index(after: close)...])).trimmingCharacters(in: " ")
        }
        // "Incident commander." → "Incident commander"
        while let l = title.last, l == "." || l == ":" || l == "," { title.removeLast() }
        let w = InlineText.words(title)
        guard !w.isEmpty, w.count <= 5, title.count <= 60 else { return nil }
        return (title, abbreviation, rest)
    }

    static func looksLikeRole(_ title: String) -> Bool {
        let w = InlineText.words(title)
        guard let last = w.last else { return false }
        if ImportVocabulary.roleNouns.contains(last) { return true }
        let joined = w.joined(separator: " ")
        return ImportVocabulary.knownRoles.contains { $0.words.contains(joined) }
    }

    mutating func addRole(_ title: String, abbreviation: String?, duties: String?, backup: String?, line: Int) {
        guard roles.count < 40 else { return }
        let joined = InlineText.words(title).joined(separator: " ")
        var id = ImportVocabulary.knownRoles.first { $0.words.contains(joined) }?.id ?? InlineText.slug(title, fallback: "role")
        if let a = abbreviation, a.lowercased() == "ic" { id = "commander" }
        if let existing = roles.firstIndex(where: { $0.role.id == id || $0.role.matches(title) }) {
            if let duties, !duties.isEmpty, roles[existing].role.duties == nil { roles[existing].role.duties = [duties] }
            consumed.insert(line)
            return
        }
        // Two different titles for one canonical id: keep them apart.
        if roles.contains(where: { $0.role.id == id }) { id = InlineText.slug(title, fallback: "role") }
        var aliases: [String] = []
        if let a = abbreviation { aliases.append(a) }
        let slug = InlineText.slug(title, fallback: id)
        if slug != id { aliases.append(slug) }
        var names = Set(roles.flatMap { [$0.role.id, $0.role.title] + ($0.role.aliases ?? []) }.map(normalizedName))
        names.insert(normalizedName(id)); names.insert(normalizedName(title))
        aliases = aliases.filter { names.insert(normalizedName($0)).inserted }
        var duty: [String]? = nil
        if let d = duties?.trimmingCharacters(in: " "), !d.isEmpty { duty = [d] }
        roles.append(ImportedRole(role: Runbook.Role(id: id, title: title, aliases: aliases.isEmpty ? nil : aliases, duties: duty, backup: nil),
                                  line: line, backupText: backup))
        report.append(.init(kind: "role", line: line, detail: "role \(id): \(title)\(abbreviation.map { " (\($0))" } ?? "")", quote: title))
        consumed.insert(line)
    }

    mutating func findRoles(_ secs: [(heading: Int, end: Int)]) {
        for (h, end) in secs {
            let hw = words(h)
            let isRoleSection = !hw.isDisjoint(with: ImportVocabulary.roleSectionWords) && hw.isDisjoint(with: ["severity", "severities", "escalation", "contacts"])
            if isRoleSection {
                let levelScope = matcher.mentions(in: InlineText.plain(blocks[h].text))
                let mandatory = !hw.isDisjoint(with: ["mandatory", "required", "minimum"])
                var inSection: [String] = []
                var k = h + 1
                while k < end {
                    let b = blocks[k]
                    if b.kind == .heading { break }  // sub-sections are handled as their own sections
                    if b.kind == .listItem, b.depth == 0, let r = StructureMapper.roleTitle(b.text) {
                        addRole(r.title, abbreviation: r.abbreviation, duties: r.rest, backup: nil, line: b.line)
                        if let id = roles.last(where: { $0.role.matches(r.title) })?.role.id { inSection.append(id) }
                    } else if b.kind == .table {
                        tableRoles(b)
                    }
                    k += 1
                }
                if mandatory && !levelScope.isEmpty {
                    for l in levelScope { requiredRoles[l, default: []].append(contentsOf: inSection) }
                    report.append(.init(kind: "required", line: blocks[h].line, detail: "roles required at \(levelScope.count) level(s): \(inSection.joined(separator: ", "))", quote: blocks[h].text))
                }
            } else if blocks[h].level >= 2, StructureMapper.looksLikeRole(InlineText.plain(blocks[h].text)), let r = StructureMapper.roleTitle(blocks[h].text) {
                // "### Incident Commander (IC)" with its duties below.
                var duties: [String] = []
                var k = h + 1
                while k < end, blocks[k].kind != .heading { if blocks[k].kind == .listItem { duties.append(InlineText.plain(blocks[k].text)) }; k += 1 }
                addRole(r.title, abbreviation: r.abbreviation, duties: duties.prefix(3).joined(separator: " "), backup: nil, line: blocks[h].line)
            }
        }
        for (i, b) in blocks.enumerated() {
            if b.kind == .table, roles.isEmpty || !roles.contains(where: { $0.line > b.line && $0.line <= b.endLine }) {
                let h = InlineText.words(InlineText.plain(b.header.first ?? ""))
                if h.first == "role" || h.first == "roles" || h.first == "position" || h.first == "function" { tableRoles(b) }
            }
            // "Assign roles: Incident Commander (IC), Communications Lead, Scribe."
            if b.kind == .listItem || b.kind == .paragraph {
                let p = InlineText.plain(b.text)
                let lp = p.lowercased()
                if let r = lp.firstRange(of: "roles:") ?? lp.firstRange(of: "roles are:") {
                    let after = String(lp[r.upperBound...])
                    let original = String(p.suffix(after.count))
                    for piece in original.split(separator: ",").flatMap({ InlineText.split(String($0), on: " and ") }) {
                        if let t = StructureMapper.roleTitle(String(piece)), StructureMapper.looksLikeRole(t.title) || t.abbreviation != nil || InlineText.words(t.title).count <= 3 {
                            addRole(t.title, abbreviation: t.abbreviation, duties: nil, backup: nil, line: b.line)
                        }
                    }
                }
            }
            _ = i
        }
        // Backups that name another role.
        for i in roles.indices {
            guard let b = roles[i].backupText, !b.isEmpty else { continue }
            if let other = roles.first(where: { $0.role.id != roles[i].role.id && $0.role.matches(b) }) {
                roles[i].role.backup = other.role.id
            } else {
                roles[i].role.duties = (roles[i].role.duties ?? []) + ["Backup: \(b)"]
                unmapped.append(.init(kind: "backup", line: roles[i].line, detail: "backup '\(b)' for \(roles[i].role.title) is not a role in the catalogue; kept in its duties", quote: b))
            }
        }
    }

    mutating func tableRoles(_ t: MarkdownBlock) {
        let headers = t.header.map { InlineText.words(InlineText.plain($0)) }
        let dutyCol = headers.firstIndex { !Set($0).isDisjoint(with: ["responsibility", "responsibilities", "duties", "duty", "description", "owns", "tasks"]) }
        let backupCol = headers.firstIndex { !Set($0).isDisjoint(with: ["backup", "deputy", "secondary", "alternate", "fallback", "cover"]) }
        for row in t.rows.prefix(100) {
            guard let first = row.cells.first, let r = StructureMapper.roleTitle(first) else { continue }
            let duty = dutyCol.flatMap { $0 < row.cells.count ? InlineText.plain(row.cells[$0]) : nil }
            let backup = backupCol.flatMap { $0 < row.cells.count ? InlineText.plain(row.cells[$0]) : nil }
            addRole(r.title, abbreviation: r.abbreviation, duties: duty, backup: backup, line: row.line)
        }
    }

    // MARK: Phases

    static func phaseTitle(_ raw: String) -> String {
        var t = InlineText.label(raw)?.label ?? InlineText.plain(raw)
        // "1. Detection", "Phase 2: Containment", "Step 3 – Eradicate"
        let lowered = t.lowercased()
        for p in ["phase ", "step ", "stage "] where lowered.hasPrefix(p) {
            t = String(t.dropFirst(p.count)).trimmingCharacters(in: " ")
        }
        var s = Substring(t)
        while let f = s.first, f.isASCIIDigit { s = s.dropFirst() }
        if s.count < t.count { while let f = s.first, f == "." || f == ")" || f == ":" || f == " " || f == "-" || f == "–" { s = s.dropFirst() } }
        t = String(s)
        while let l = t.last, l == "." || l == ":" { t.removeLast() }
        return t.trimmingCharacters(in: " ")
    }

    mutating func addPhase(_ rawTitle: String, description: String?, line: Int) -> Int? {
        let title = String(rawTitle.prefix(120))
        let w = InlineText.words(title)
        guard !w.isEmpty, w.count <= 8, phases.count < 30 else { return nil }
        let family = ImportVocabulary.phaseFamily(w)
        if family == "prepare" {
            unmapped.append(.init(kind: "phase", line: line, detail: "'\(title)' happens before an incident, so it is not a phase of one; its items are not imported", quote: title))
            return nil
        }
        var id = InlineText.slug(title, fallback: "phase-\(phases.count + 1)")
        if let f = family, ["detect", "contain", "eradicate", "recover"].contains(f), w.count <= 2, !phases.contains(where: { $0.phase.id == f }) { id = f }
        if family == "post", w.count <= 3, w.contains("post") || w.contains("postmortem"), !phases.contains(where: { $0.phase.id == "post-incident" }) { id = "post-incident" }
        while phases.contains(where: { $0.phase.id == id }) { id += "-\(phases.count + 1)" }
        var marks: [String]?
        if family == "eradicate" || family == "recover" { marks = ["contained"] }
        let slug = InlineText.slug(title, fallback: id)
        var aliases: [String]? = slug != id ? [slug] : nil
        let used = Set(phases.flatMap { [$0.phase.id, $0.phase.title] + ($0.phase.aliases ?? []) }.map(normalizedName))
        aliases = aliases?.filter { !used.contains(normalizedName($0)) }
        if used.contains(normalizedName(title)) { return phases.firstIndex { $0.phase.matches(title) } }
        let desc = description.flatMap { $0.isEmpty ? nil : String($0.prefix(300)) }
        phases.append(ImportedPhase(phase: Runbook.Phase(id: id, title: title, aliases: aliases?.isEmpty == false ? aliases : nil, description: desc, checklist: nil, marks: marks),
                                    family: family, line: line))
        report.append(.init(kind: "phase", line: line, detail: "phase \(id): \(title)\(marks != nil ? " (entering it marks the incident contained)" : "")", quote: title))
        consumed.insert(line)
        return phases.count - 1
    }

    /// Most titles name a lifecycle stage (or a time window such as "0–15 minutes").
    static func mostlyPhases(_ titles: [String]) -> Bool {
        let hits = titles.filter { t in
            let title = phaseTitle(t)
            guard InlineText.words(title).count <= 5 else { return false }
            return ImportVocabulary.phaseFamily(InlineText.words(title)) != nil || DurationPhraseParser.find(in: title).contains { $0.isTimed }
        }.count
        return hits * 2 > titles.count
    }

    static func isChecklistText(_ raw: String) -> Bool {
        let p = InlineText.plain(raw)
        let w = InlineText.words(p)
        guard w.count >= 2, p.count <= 300 else { return false }
        // A link list ("Grafana: [Link to Grafana dashboard]") is not a task.
        if p.lowercased().contains("link to") && w.count <= 6 { return false }
        return true
    }

    mutating func addItem(_ phase: Int, _ raw: String, line: Int) {
        guard !levelLines.contains(line), StructureMapper.isChecklistText(raw), (phases[phase].phase.checklist?.count ?? 0) < 60 else { return }
        var text = InlineText.plain(raw)
        while let l = text.last, l == "." { text.removeLast() }
        if (phases[phase].phase.checklist ?? []).contains(where: { $0.text == text }) { return }
        phases[phase].phase.checklist = (phases[phase].phase.checklist ?? []) + [Runbook.ChecklistItem(text: String(text.prefix(300)), required: nil, phase: nil, levels: nil, satisfiedBy: nil)]
        phases[phase].itemLines.append(line)
        report.append(.init(kind: "checklist", line: line, detail: "checklist item of \(phases[phase].phase.id)", quote: text))
        consumed.insert(line)
    }

    /// Phases from a process section (`## Lifecycle`, `## Response Procedure`) or from
    /// lifecycle-named headings at one level (`## 1. Detection`, `## 2. Triage`); the
    /// process section wins unless the headings sit higher in the document.
    mutating func findPhases(_ secs: [(heading: Int, end: Int)]) {
        var a = self, b = self
        let levelA = a.phasesFromSection(secs)
        let levelB = b.phasesFromHeadings()
        switch (levelA, levelB) {
        case let (x?, y?): self = x <= y ? a : b
        case (_?, nil): self = a
        case (nil, _?): self = b
        case (nil, nil): break
        }
    }

    /// Returns the heading level of the section the phases came from.
    mutating func phasesFromSection(_ secs: [(heading: Int, end: Int)]) -> Int? {
        // A process section: its sub-headings, else its top-level items, are the phases.
        let skip: Set<String> = ["severity", "severities", "roles", "role", "template", "templates", "contacts", "escalation", "tooling", "drills", "communications"]
        for (h, end) in secs {
            let hw = words(h)
            guard blocks[h].level > 1 || secs.filter({ blocks[$0.heading].level == 1 }).count > 1,
                  !hw.isDisjoint(with: ImportVocabulary.processSectionWords), hw.isDisjoint(with: skip) else { continue }
            let subLevel = blocks[(h + 1)..<end].first { $0.kind == .heading }?.level
            var found: [Int] = []
            if let subLevel {
                let subs = (h + 1..<end).filter { blocks[$0].kind == .heading && blocks[$0].level == subLevel }
                if subs.count >= 2 && StructureMapper.mostlyPhases(subs.map { blocks[$0].text }) {
                    for s in subs {
                        guard let p = addPhase(StructureMapper.phaseTitle(blocks[s].text), description: nil, line: blocks[s].line) else { continue }
                        found.append(p)
                        var k = s + 1
                        while k < end, !(blocks[k].kind == .heading && blocks[k].level <= subLevel) {
                            if blocks[k].kind == .listItem { addItem(p, blocks[k].text, line: blocks[k].line) }
                            k += 1
                        }
                    }
                }
            }
            if found.isEmpty {
                let items = (h + 1..<end).filter { blocks[$0].kind == .listItem && blocks[$0].depth == 0 }
                let next = (h + 1..<end).first { blocks[$0].kind == .heading } ?? end
                let top = items.filter { $0 < next }
                if top.count >= 2 && top.count <= 15 && StructureMapper.mostlyPhases(top.map { InlineText.label(blocks[$0].text)?.label ?? blocks[$0].text }) {
                    for (n, s) in top.enumerated() {
                        let label = InlineText.label(blocks[s].text)
                        let title = StructureMapper.phaseTitle(label?.label ?? blocks[s].text)
                        guard InlineText.words(title).count <= 5, let p = addPhase(title, description: label?.rest, line: blocks[s].line) else { continue }
                        found.append(p)
                        let stop = n + 1 < top.count ? top[n + 1] : next
                        for k in (s + 1)..<stop where blocks[k].kind == .listItem && blocks[k].depth >= 1 {
                            addItem(p, blocks[k].text, line: blocks[k].line)
                        }
                    }
                }
            }
            if found.count >= 2 { return blocks[h].level }
            // Not a lifecycle after all: undo.
            for p in found.reversed() { removePhase(p) }
        }
        return nil
    }

    static let skipSections: Set<String> = ["severity", "severities", "roles", "role", "template", "templates", "contacts", "tooling", "drills"]

    mutating func phasesFromHeadings() -> Int? {
        let skip = StructureMapper.skipSections
        // Numbered or lifecycle-named headings at one level: `## 1. Detection`, `## Containment`.
        var byLevel: [Int: [Int]] = [:]
        for (i, b) in blocks.enumerated() where b.kind == .heading {
            let t = StructureMapper.phaseTitle(b.text)
            let w = InlineText.words(t)
            guard w.count <= 5, ImportVocabulary.phaseFamily(w) != nil, Set(w).isDisjoint(with: skip) else { continue }
            byLevel[b.level, default: []].append(i)
        }
        let core: Set<String> = ["detect", "contain", "eradicate", "recover", "post"]
        let usable = byLevel.filter { entry in
            Set(entry.value.compactMap { ImportVocabulary.phaseFamily(InlineText.words(StructureMapper.phaseTitle(blocks[$0].text))) }).intersection(core).count >= 2
        }
        guard let (headingLevel, heads) = usable.min(by: { ($0.key, -$0.value.count) < ($1.key, -$1.value.count) }) else { return nil }
        for s in heads {
            guard let p = addPhase(StructureMapper.phaseTitle(blocks[s].text), description: nil, line: blocks[s].line) else { continue }
            var k = s + 1
            while k < blocks.count, !(blocks[k].kind == .heading && blocks[k].level <= blocks[s].level) {
                if blocks[k].kind == .listItem { addItem(p, blocks[k].text, line: blocks[k].line) }
                k += 1
            }
        }
        return phases.isEmpty ? nil : headingLevel
    }

    mutating func removePhase(_ p: Int) {
        let ph = phases.remove(at: p)
        report.removeAll { ($0.kind == "phase" && $0.line == ph.line) || ($0.kind == "checklist" && ph.itemLines.contains($0.line)) }
        consumed.subtract(ph.itemLines + [ph.line])
        unmapped.removeAll { $0.line == ph.line }
    }

    // MARK: Checklists

    mutating func findChecklists(_ secs: [(heading: Int, end: Int)]) {
        guard !phases.isEmpty || true else { return }
        var inPhase = Set<Int>()
        for p in phases { inPhase.formUnion(p.itemLines) }
        var checklistSection = Set<Int>()
        for (h, end) in secs where !words(h).isDisjoint(with: ImportVocabulary.checklistSectionWords) {
            let family = ImportVocabulary.phaseFamily(InlineText.words(InlineText.plain(blocks[h].text)))
            var k = h + 1
            while k < end {
                if blocks[k].kind == .listItem, !inPhase.contains(blocks[k].line), !checklistSection.contains(k) {
                    checklistSection.insert(k)
                    looseChecklist.append((blocks[k].text, blocks[k].line, family))
                }
                k += 1
            }
        }
        // "## Containment Options", "## Recovery": items of a section named after a phase.
        for (h, end) in secs where words(h).isDisjoint(with: ImportVocabulary.checklistSectionWords.union(StructureMapper.skipSections)) {
            guard let family = ImportVocabulary.phaseFamily(InlineText.words(StructureMapper.phaseTitle(blocks[h].text))), family != "prepare",
                  let target = phases.firstIndex(where: { $0.family == family }), phases[target].line != blocks[h].line else { continue }
            var k = h + 1
            while k < end, blocks[k].kind != .heading {
                if blocks[k].kind == .listItem, !inPhase.contains(blocks[k].line) { addItem(target, blocks[k].text, line: blocks[k].line) }
                k += 1
            }
        }
        for (k, b) in blocks.enumerated() where b.kind == .listItem && b.checkbox != nil && !inPhase.contains(b.line) && !checklistSection.contains(k) {
            looseChecklist.append((b.text, b.line, nil))
        }
    }

    /// Puts loose checklist items under the phase they belong to (by the section's name or
    /// the item's words), after the phases exist.
    mutating func placeLooseItems() {
        guard !phases.isEmpty else { return }
        for (text, line, family) in looseChecklist {
            let f = family ?? ImportVocabulary.phaseFamily(InlineText.words(InlineText.plain(text))) ?? itemFamily(text)
            let target = f.flatMap { fam in phases.firstIndex { $0.family == fam } } ?? 0
            addItem(target, text, line: line)
        }
    }

    func itemFamily(_ text: String) -> String? {
        let w = Set(InlineText.words(InlineText.plain(text)))
        let cues: [(String, Set<String>)] = [
            ("post", ["postmortem", "retrospective", "report", "lessons", "archived", "follow", "review"]),
            ("recover", ["restored", "restore", "monitoring", "green", "baseline", "recovered", "verified"]),
            ("eradicate", ["patch", "patched", "rotated", "rotate", "eradicated", "removed", "fix"]),
            ("contain", ["contain", "contained", "mitigation", "isolate", "isolated", "blocked", "rollback", "executed"]),
            ("communicate", ["comms", "communication", "customer", "customers", "stakeholders", "notified", "delivered"]),
            ("detect", ["ticket", "severity", "opened", "declared", "room", "channel", "identified", "triage", "impacted"]),
        ]
        for (fam, cue) in cues where !w.isDisjoint(with: cue) && phases.contains(where: { $0.family == fam }) { return fam }
        return nil
    }

    // MARK: Templates

    static let placeholderFields: [(words: Set<String>, field: String)] = [
        (["service", "services", "scope", "affected", "component", "components", "system", "systems", "product", "feature", "tenants", "impacted"], "scope"),
        (["summary", "description", "impact", "what", "happened", "issue", "problem"], "impact"),
        (["id", "ticket", "number", "ref", "reference"], "id"),
        (["title", "headline", "subject"], "title"),
        (["severity", "sev", "level", "priority"], "severity"),
        (["status", "state", "progress"], "status"),
        (["phase", "stage"], "phase"),
        (["mitigation", "workaround", "actions"], "mitigation"),
        (["commander", "ic"], "commander"),
        (["roles", "team", "responders"], "roles"),
    ]

    /// `<service>`, `{{X}}`, `[time]` → `{{scope}}`, `[X]`, `{{next_update}}`…
    static func mapPlaceholders(_ text: String) -> (String, [String: String], [String]) {
        var out = ""
        var mapped: [String: String] = [:]
        var unmapped: [String] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var close: [Character]?
            var openLen = 1
            if c == "{" && i + 1 < chars.count && chars[i + 1] == "{" { close = ["}", "}"]; openLen = 2 }
            else if c == "<" { close = [">"] }
            else if c == "[" { close = ["]"] }
            if let close {
                var j = i + openLen
                while j < chars.count, j - i < 60, chars[j] != "\n", !(chars[j] == close[0] && (close.count == 1 || (j + 1 < chars.count && chars[j + 1] == close[1]))) { j += 1 }
                if j < chars.count, j - i < 60, chars[j] == close[0], j > i + openLen {
                    let name = String(chars[(i + openLen)..<j]).trimmingCharacters(in: " ")
                    let written = String(chars[i..<(j + close.count)])
                    // `{{! a note to the writer }}` is a template comment: kept as it is (the
                    // renderer drops it), not reported as a field to fill in.
                    if openLen == 2, name.hasPrefix("!") {
                        out += written
                        i = j + close.count
                        continue
                    }
                    // "[Link to …](…)" and the like are not placeholders.
                    let isLink = c == "[" && j + 1 < chars.count && chars[j + 1] == "("
                    if !isLink, !name.isEmpty, InlineText.words(name).count <= 4 {
                        let before = String(String(out.split(separator: "\n", omittingEmptySubsequences: false).last ?? "").suffix(30)).lowercased()
                        if let field = field(for: name, before: before) {
                            out += "{{\(field)}}"; mapped[written] = field
                        } else {
                            out += "[\(name)]"
                            if !unmapped.contains(written) { unmapped.append(written) }
                        }
                        i = j + close.count
                        continue
                    }
                }
            }
            // A stray "{{" that is not a placeholder must not reach the renderer.
            if c == "{" && i + 1 < chars.count && chars[i + 1] == "{" { out += "{ {"; i += 2; continue }
            out.append(c)
            i += 1
        }
        return (out, mapped, unmapped)
    }

    static func field(for name: String, before: String) -> String? {
        let w = Set(InlineText.words(name))
        guard !w.isEmpty else { return nil }
        let timeWords: Set<String> = ["time", "date", "timestamp", "eta", "when", "datetime"]
        if !w.isDisjoint(with: timeWords) || name.lowercased().contains("date/time") {
            if before.contains("update") || before.contains("next") || w.contains("next") { return "next_update" }
            if before.contains("detected") || before.contains("started") || before.contains("began") || before.contains("since") || before.contains("on ") || before.contains("at ") { return "started_at" }
            return nil
        }
        if w.contains("name") {
            // "IC: <name>" names the commander; other names are unclear.
            if before.hasSuffix("ic: ") || before.hasSuffix("commander: ") { return "commander" }
            if before.hasSuffix("comms: ") { return "comms_lead" }
            return nil
        }
        if w.count == 1, let only = w.first, only.count == 1 { return nil }  // {{X}}
        for (words, field) in placeholderFields where !w.isDisjoint(with: words) {
            // "<Sev 0/1/2>" is the severity; "<short description>" the impact.
            return field
        }
        return nil
    }

    mutating func addTemplate(name rawName: String, body: String, line: Int) {
        var body = body.trimmingCharacters(in: " ")
        for q in [("“", "”"), ("\"", "\""), ("`", "`")] where body.hasPrefix(q.0) && body.hasSuffix(q.1) && body.count > 2 {
            body = String(body.dropFirst().dropLast())
        }
        guard InlineText.words(body).count >= 3, templates.count < 40 else { return }
        var name = canonicalTemplateName(rawName)
        var n = 2
        let base = name
        while templates.contains(where: { $0.name == name }) { name = "\(base)-\(n)"; n += 1 }
        let (text, mapped, unmapped) = StructureMapper.mapPlaceholders(String(body.prefix(20_000)))
        templates.append(ImportedTemplate(name: name, line: line, text: text.hasSuffix("\n") ? text : text + "\n", mapped: mapped, unmapped: unmapped))
        var detail = "template \(name)"
        if !mapped.isEmpty { detail += "; placeholders " + mapped.sorted { $0.key < $1.key }.map { "\($0.key) → {{\($0.value)}}" }.joined(separator: ", ") }
        if !unmapped.isEmpty { detail += "; left for a person: " + unmapped.joined(separator: ", ") }
        report.append(.init(kind: "template", line: line, detail: detail, quote: rawName))
        consumed.insert(line)
    }

    func canonicalTemplateName(_ raw: String) -> String {
        var t = InlineText.plain(raw)
        if let open = t.firstIndex(of: "(") { t = String(t[..<open]) }
        let w = Set(InlineText.words(t))
        if w.contains("status") && w.contains("page") { return "status-page" }
        if !w.isDisjoint(with: ["regulator", "regulators", "regulatory"]) { return "regulator-notice" }
        if !w.isDisjoint(with: ["customer", "customers"]) && !w.isDisjoint(with: ["email", "mail", "notification", "notice"]) { return "customer-email" }
        if w.contains("internal") && !w.isDisjoint(with: ["update", "updates"]) && !w.contains("initial") { return "internal-update" }
        return InlineText.slug(t, fallback: "template")
    }

    mutating func findTemplates(_ secs: [(heading: Int, end: Int)]) {
        let templateSecs = secs.filter { !words($0.heading).isDisjoint(with: ImportVocabulary.templateSectionWords) }
        for (n, (h, end)) in templateSecs.enumerated() {
            let hw = words(h)
            // Only the innermost template section handles its blocks.
            if n + 1 < templateSecs.count, templateSecs[n + 1].heading < end { continue }
            if !hw.isDisjoint(with: ["postmortem", "post", "retrospective", "rca", "report"]) {
                unmapped.append(.init(kind: "template", line: blocks[h].line, detail: "a postmortem template is not imported ('incident postmortem' has its own; see templates/postmortem.md)", quote: blocks[h].text))
                continue
            }
            var label = InlineText.plain(blocks[h].text)
            var k = h + 1
            while k < end {
                let b = blocks[k]
                switch b.kind {
                case .heading:
                    label = b.text
                case .paragraph:
                    let p = b.text.trimmingCharacters(in: " ")
                    if (p.hasPrefix("**") && p.hasSuffix("**")) || (p.hasPrefix("__") && p.hasSuffix("__")) || (p.hasSuffix(":") && p.count < 80) {
                        label = p
                    } else if p.hasPrefix("`") && p.hasSuffix("`") && !p.hasPrefix("```") {
                        addTemplate(name: label, body: p, line: b.line)
                    } else if let q = quoted(p) {
                        addTemplate(name: label, body: q, line: b.line)
                    } else if let l = InlineText.label(p), l.label.count < 60 {
                        label = l.label
                        if let q = quoted(l.rest) { addTemplate(name: label, body: q, line: b.line) }
                    }
                case .code, .quote:
                    addTemplate(name: label, body: b.text, line: b.line)
                case .listItem:
                    if let l = InlineText.label(b.text) {
                        if let q = quoted(b.text) { addTemplate(name: l.label, body: q, line: b.line) }
                        else { unmapped.append(.init(kind: "template", line: b.line, detail: "'\(l.label)' has no quoted or fenced text to use as a template", quote: b.text)) }
                    }
                default: break
                }
                k += 1
            }
        }
    }

    /// The text between “curly” or "straight" quotes, when it is a sentence or more.
    func quoted(_ s: String) -> String? {
        for (o, c) in [("“", "”"), ("\"", "\"")] {
            guard let a = s.firstRange(of: o) else { continue }
            let after = s[a.upperBound...]
            guard let b = after.lastIndex(of: Character(c)) else { continue }
            let inner = String(after[..<b])
            if InlineText.words(inner).count >= 4 { return inner }
        }
        return nil
    }

    // MARK: Drills

    mutating func findDrills() {
        for b in blocks where b.kind == .listItem || b.kind == .paragraph {
            for l in b.lines {
                let p = InlineText.plain(l.text)
                let w = InlineText.words(p)
                guard !Set(w).isDisjoint(with: ["drill", "drills", "tabletop", "exercise", "exercises", "gameday", "game"]) else { continue }
                let pieces = InlineText.split(p, on: " and ")
                for piece in pieces {
                    let pw = InlineText.words(piece)
                    var every: String?
                    if pw.contains("quarterly") { every = "quarterly" }
                    if pw.contains("annual") || pw.contains("annually") || pw.contains("yearly") { every = "yearly" }
                    if pw.contains("monthly") { every = "monthly" }
                    guard let every, drills.count < 20, !Set(pw).isDisjoint(with: ["drill", "drills", "tabletop", "exercise", "exercises", "gameday", "game"]) else { continue }
                    let levels = matcher.mentions(in: piece)
                    var title = piece.trimmingCharacters(in: " ")
                    while let last = title.last, last == "." { title.removeLast() }
                    let id = InlineText.slug(every + "-" + (pw.contains("tabletop") ? "tabletop" : "drill"), fallback: "drill")
                    var unique = id
                    var n = 2
                    while drills.contains(where: { $0.0.id == unique }) { unique = "\(id)-\(n)"; n += 1 }
                    drills.append((Runbook.DrillSpec(id: unique, title: String(title.prefix(120)), level: levels.first.map { "\($0)" }, every: every), l.number))
                    consumed.insert(l.number)
                }
            }
        }
    }
}
