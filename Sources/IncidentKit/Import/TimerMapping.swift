/// Stage 2b: findings → timers. Every table cell, list item and paragraph line is split into
/// clauses; each clause's duration phrase is given a timer (from its own words, the clause
/// before it, the column header, the enclosing item or heading) and levels (named in the
/// line, else the nearest enclosing level, else every level).
struct TimerFinding: Sendable {
    var kind: ImportVocabulary.TimerKind
    var word: String
    /// Level indices; empty means every level.
    var levels: [Int]
    var duration: SLADuration
    var start: String
    var until: [String]?
    var line: Int
    var quote: String
    var note: String?
}

struct UntimedFinding: Sendable {
    var kind: ImportVocabulary.TimerKind?
    var levels: [Int]
    var text: String
    var line: Int
    var quote: String
}

struct TimerHint: Sendable {
    var kind: ImportVocabulary.TimerKind
    var word: String
    var repeats: Bool
}

struct TimerMapper {
    let blocks: [MarkdownBlock]
    let matcher: LevelMatcher
    let ladder: LadderCandidate?
    var timers: [TimerFinding] = []
    var untimed: [UntimedFinding] = []
    var unmapped: [ImportReport.Item] = []
    var choices: [ImportReport.Item] = []
    /// Lines whose policy was mapped (not listed again as unmapped).
    var consumed: Set<Int> = []
    /// Cells and lines read so far; a document with more is read only up to `maxUnits`.
    var analyzed = 0
    static let maxUnits = 2000

    init(blocks: [MarkdownBlock], matcher: LevelMatcher, ladder: LadderCandidate?) {
        self.blocks = blocks; self.matcher = matcher; self.ladder = ladder
    }

    static func hint(_ text: String, header: Bool = false) -> TimerHint? {
        let w = InlineText.words(InlineText.plain(text))
        guard let (kind, word, _) = ImportVocabulary.timerKind(w) else { return nil }
        let repeats = header && !Set(w).isDisjoint(with: ImportVocabulary.cadenceHeaderWords)
        // "Customer updates", "Stakeholder cadence": a comms cadence, whoever it is for.
        let k: ImportVocabulary.TimerKind = repeats && [.customers, .stakeholders, .executives, .regulators].contains(kind) ? .update : kind
        return TimerHint(kind: k, word: word, repeats: repeats || k == .update && header)
    }

    mutating func run() {
        var headings: [(level: Int, levels: [Int], hint: TimerHint?)] = []
        var items: [(depth: Int, levels: [Int], hint: TimerHint?)] = []
        let templates = StructureMapper.templateBlocks(blocks)
        for (index, b) in blocks.enumerated() {
            if analyzed > TimerMapper.maxUnits { break }
            if templates.contains(index) { continue }
            switch b.kind {
            case .heading:
                while let last = headings.last, last.level >= b.level { headings.removeLast() }
                let plain = InlineText.plain(b.text)
                // The document's title (level 1) says what the document is, not which timer a line means.
                headings.append((b.level, matcher.mentions(in: plain), b.level > 1 ? TimerMapper.hint(plain) : nil))
                items = []
                // Times in a heading are a window for the steps under it, not a deadline.
                for p in DurationPhraseParser.find(in: plain) where p.isTimed {
                    unmapped.append(.init(kind: "window", line: b.line, detail: "\(p.text) in a heading reads as a time window for the steps below, not a deadline", quote: b.text))
                }
            case .table:
                mapTable(b, index: index, headings: headings)
                items = []
            case .listItem:
                while let last = items.last, last.depth >= b.depth { items.removeLast() }
                let plain = InlineText.plain(b.text)
                let own = matcher.mentions(in: InlineText.label(b.text)?.label ?? plain)
                let fromItem = items.reversed().first { !$0.levels.isEmpty }?.levels
                let inheritedLevels = fromItem ?? headings.reversed().first { !$0.levels.isEmpty }?.levels ?? []
                let inheritedHint = items.reversed().first { $0.hint != nil }?.hint ?? headings.reversed().first { $0.hint != nil }?.hint
                mapText(b.text, line: b.line, levelsHere: matcher.mentions(in: plain), inherited: inheritedLevels, hint: inheritedHint, cell: false, levelFromItem: fromItem != nil)
                items.append((b.depth, own, TimerMapper.hint(InlineText.label(b.text)?.label ?? plain)))
            case .paragraph:
                items = []
                let inheritedLevels = headings.reversed().first { !$0.levels.isEmpty }?.levels ?? []
                let inheritedHint = headings.reversed().first { $0.hint != nil }?.hint
                for l in b.lines {
                    mapText(l.text, line: l.number, levelsHere: matcher.mentions(in: InlineText.plain(l.text)), inherited: inheritedLevels, hint: inheritedHint, cell: false)
                }
            case .code, .quote, .rule:
                continue
            }
        }
    }

    /// The level column of a table, if its cells name the ladder's levels.
    func levelColumn(_ t: MarkdownBlock) -> Int? {
        if let ladder, ladder.source == .table, blocks.indices.contains(ladder.blockIndex), blocks[ladder.blockIndex] == t { return ladder.column }
        for col in 0..<min(t.header.count, 4) {
            let hits = t.rows.filter { col < $0.cells.count && !levelsOfCell($0.cells[col], header: t.header[col]).isEmpty }.count
            if hits >= 1 && hits * 2 >= t.rows.count { return col }
        }
        return nil
    }

    func levelsOfCell(_ cell: String, header: String) -> [Int] {
        let m = matcher.mentions(in: InlineText.plain(cell))
        if !m.isEmpty { return m }
        if let name = LevelNames.parse(cell, header: header, strict: false) {
            return matcher.mentions(in: name.name)
        }
        return []
    }

    mutating func mapTable(_ t: MarkdownBlock, index: Int, headings: [(level: Int, levels: [Int], hint: TimerHint?)]) {
        let headingLevels = headings.reversed().first { !$0.levels.isEmpty }?.levels ?? []
        let headingHint = headings.reversed().first { $0.hint != nil }?.hint
        // Levels across the header: each row names a timer.
        let headerLevels = t.header.map { matcher.mentions(in: InlineText.plain($0)) }
        if headerLevels.dropFirst().filter({ !$0.isEmpty }).count >= 2 {
            for row in t.rows.prefix(2000) {
                guard let first = row.cells.first else { continue }
                let hint = TimerMapper.hint(first, header: true)
                for (k, cell) in row.cells.enumerated() where k > 0 && k < headerLevels.count && !headerLevels[k].isEmpty {
                    mapText(cell, line: row.line, levelsHere: headerLevels[k], inherited: [], hint: hint, cell: true, quoteOverride: "| " + row.cells.joined(separator: " | ") + " |", extraWords: first)
                }
            }
            return
        }
        let levelCol = levelColumn(t)
        for row in t.rows.prefix(2000) {
            let rowLevels = levelCol.map { $0 < row.cells.count ? levelsOfCell(row.cells[$0], header: t.header[$0]) : [] } ?? []
            let quote = "| " + row.cells.joined(separator: " | ") + " |"
            if levelCol == nil {
                // No level column: the row's first cell may name the timer (`| Postmortem | 5 business days |`).
                let hint = row.cells.first.flatMap { TimerMapper.hint($0) } ?? headingHint
                for (k, cell) in row.cells.enumerated() where k > 0 || row.cells.count == 1 {
                    let headerHint = k < t.header.count ? TimerMapper.hint(t.header[k], header: true) : nil
                    if k < t.header.count, LadderFinder.isDescriptionHeader(t.header[k]) { continue }
                    mapText(cell, line: row.line, levelsHere: matcher.mentions(in: InlineText.plain(cell)), inherited: headingLevels, hint: headerHint ?? hint, cell: false, quoteOverride: quote)
                }
                continue
            }
            for (k, cell) in row.cells.enumerated() where k != levelCol {
                let header = k < t.header.count ? t.header[k] : ""
                if LadderFinder.isDescriptionHeader(header) {
                    for p in DurationPhraseParser.find(in: InlineText.plain(cell)) where p.isTimed {
                        unmapped.append(.init(kind: "context", line: row.line, detail: "\(p.text) is in the '\(InlineText.plain(header))' column, which describes the level; not a deadline", quote: quote))
                    }
                    continue
                }
                let headerHint = TimerMapper.hint(header, header: true)
                let cellPhrases = DurationPhraseParser.find(in: InlineText.plain(cell))
                let isTimeColumn = headerHint != nil || !cellPhrases.isEmpty
                guard isTimeColumn else { continue }
                if rowLevels.isEmpty && !cellPhrases.isEmpty {
                    unmapped.append(.init(kind: "level?", line: row.line, detail: "no level named in this row", quote: quote))
                    continue
                }
                var hint = headerHint
                if hint == nil {
                    hint = TimerHint(kind: .acknowledge, word: "response", repeats: false)
                    choices.append(.init(kind: "assumed", line: t.line, detail: "the column '\(InlineText.plain(header))' names no timer; its times are taken as the time to respond (acknowledge)", quote: "| " + t.header.joined(separator: " | ") + " |"))
                }
                mapText(cell, line: row.line, levelsHere: rowLevels, inherited: [], hint: hint, cell: true, quoteOverride: quote, columnTimer: headerHint != nil)
            }
        }
    }

    /// Number words a duration phrase can sit beside without taking them.
    static let numberWords: Set<String> = Set(DurationPhraseParser.smallNumbers.keys).union(DurationPhraseParser.tens.keys)
        .union(["half", "quarter", "twice", "thrice", "dozen", "hundred", "thousand"])

    /// Why the durations found in `text` cannot be trusted as read, or nil. A digit or a
    /// decimal or thousands separator touching a phrase ("1h30", "1,5 hours", "1,000 minutes");
    /// in a table cell, which holds one value, also any other number, number word or fraction
    /// beside it ("one and a half hours", "twice daily", "½ hour"). Words with letters and
    /// digits together (SEV1, P2) are names, not numbers.
    static func unreadable(_ text: String, _ phrases: [DurationPhrase], cell: Bool) -> String? {
        let chars = Array(text)
        func digit(_ k: Int) -> Bool { k >= 0 && k < chars.count && chars[k].isASCIIDigit }
        for p in phrases {
            let a = max(0, min(p.start, chars.count)), b = max(a, min(p.end, chars.count))
            if digit(a - 1) || (a >= 2 && (chars[a - 1] == "," || chars[a - 1] == ".") && digit(a - 2)) { return "a number runs into it" }
            if digit(b) || (b + 1 < chars.count && (chars[b] == "," || chars[b] == ".") && digit(b + 1)) { return "a number runs on from it" }
        }
        guard cell else { return nil }
        var covered = [Bool](repeating: false, count: chars.count)
        for p in phrases { for k in max(0, p.start)..<min(chars.count, max(p.start, p.end)) { covered[k] = true } }
        // An aside in parentheses ("15 min (24/7 on-call)") and round-the-clock marks
        // ("24/7", "24x7", "365") qualify the duration; they are not a second number.
        var depth = 0
        for (k, c) in chars.enumerated() {
            if c == "(" || c == "[" { depth += 1 }
            if depth > 0 { covered[k] = true }
            if (c == ")" || c == "]") && depth > 0 { depth -= 1 }
        }
        let lowered = chars.map { $0.isASCII ? Character($0.lowercased()) : $0 }  // ASCII only: never more than one character
        for mark in ["24/7", "24x7", "24×7", "24 x 7", "24 / 7", "365"].map(Array.init) where mark.count <= lowered.count {
            for a in 0...(lowered.count - mark.count) where Array(lowered[a..<(a + mark.count)]) == mark {
                for k in a..<(a + mark.count) { covered[k] = true }
            }
        }
        var word = ""
        func check(_ w: String) -> String? {
            let lowered = w.lowercased()
            if numberWords.contains(lowered) { return "'\(w)' beside it" }
            if !w.isEmpty, w.allSatisfy({ $0.isASCIIDigit }) { return "another number, \(w), beside it" }
            return nil
        }
        for (k, c) in chars.enumerated() where !covered[k] {
            if c.isLetter || c.isASCIIDigit { word.append(c); continue }
            if let why = check(word) { return why }
            word = ""
            if c.unicodeScalars.contains(where: { $0.properties.numericType != nil }) { return "'\(c)' beside it" }
        }
        return check(word)
    }

    /// Words that make a line a rule ("executives are notified"), not a description.
    static let policyVerbs: Set<String> = ["notify", "notified", "notification", "inform", "informed", "email", "emailed", "tell", "told",
                                           "alert", "alerted", "brief", "briefed", "communication", "communicate", "communicated", "escalate",
                                           "escalated", "page", "paged", "update", "updates", "acknowledge", "acknowledged", "resolve", "contain",
                                           "review", "postmortem", "report", "must", "shall", "required", "send", "sent", "publish", "published"]

    static let resolvedAnchors = ["after resolution", "of resolution", "after resolving", "after the incident is resolved", "post resolution", "post-resolution",
                                  "after close", "after closure", "of closure", "after closing", "after the incident closes", "from resolution", "after recovery", "of recovery"]

    /// Maps one cell, item or line.
    mutating func mapText(_ raw: String, line: Int, levelsHere: [Int], inherited: [Int], hint: TimerHint?, cell: Bool,
                          quoteOverride: String? = nil, columnTimer: Bool = false, extraWords: String? = nil, levelFromItem: Bool = false) {
        let quote = quoteOverride ?? raw
        analyzed += 1
        if analyzed > TimerMapper.maxUnits {
            if analyzed == TimerMapper.maxUnits + 1 {
                unmapped.append(.init(kind: "too long", line: line, detail: "the document has more than \(TimerMapper.maxUnits) lines and cells of text; deadlines from here on were not read", quote: ""))
            }
            return
        }
        var text = InlineText.plain(raw)
        guard !text.isEmpty else { return }
        // `T+5m: Acknowledge` — a time label in front of the action.
        var labelPhrase: DurationPhrase?
        if let (label, rest) = InlineText.label(raw), !rest.isEmpty {
            let lp = DurationPhraseParser.find(in: label)
            if lp.count == 1, lp[0].isTimed, ImportVocabulary.timerKind(InlineText.words(label)) == nil, matcher.mentions(in: label).isEmpty {
                labelPhrase = lp[0]
                text = rest
            }
        }
        let lineLevels = levelsHere
        var previous: TimerHint?
        let lowered = text.lowercased()
        for (index, clause) in InlineText.clauses(text).enumerated() {
            var phrases = DurationPhraseParser.find(in: clause.text)
            if phrases.isEmpty, index == 0, let lp = labelPhrase { phrases = [lp] }
            let words = InlineText.words(clause.text)
            let own = ImportVocabulary.timerKind(words).map { TimerHint(kind: $0.0, word: $0.1, repeats: false) }
            let clauseLevels = matcher.mentions(in: clause.text)
            let levels = !clauseLevels.isEmpty ? clauseLevels : (!lineLevels.isEmpty ? lineLevels : inherited)
            let explicitHint = own ?? previous ?? (columnTimer ? hint : nil)
            var timer = own ?? previous ?? hint
            if let extraWords, own == nil { timer = TimerMapper.hint(extraWords) ?? timer }
            if own != nil { previous = own }
            if !phrases.isEmpty, let why = TimerMapper.unreadable(clause.text, phrases, cell: cell) {
                // "1h30", "1,5 hours", "one and a half hours", "twice daily": a number beside
                // the duration that it did not take. Read as written it would be wrong.
                unmapped.append(.init(kind: "unreadable", line: line, detail: "'\(clause.text)' could not be read as one duration (\(why)); left to a person", quote: quote))
                continue
            }
            if phrases.isEmpty, cell, TimerMapper.unreadable(clause.text, [], cell: true) != nil {
                // A number the duration reader does not take ("½ hour", "4 calendar days",
                // "10 years"): not "no time stated", which would misreport the document.
                unmapped.append(.init(kind: "unreadable", line: line, detail: "'\(clause.text)' names a number but no duration incident can read; left to a person", quote: quote))
                continue
            }
            if phrases.isEmpty {
                // A level's policy without a number: "SEV-1 and SEV-2: executives are notified by email".
                let k = cell && columnTimer ? hint?.kind : timer?.kind
                let acts = !Set(words).isDisjoint(with: TimerMapper.policyVerbs)
                if let k, cell || (own != nil && !levels.isEmpty && acts) {
                    if cell || !clauseLevels.isEmpty || !lineLevels.isEmpty {
                        untimed.append(UntimedFinding(kind: k, levels: levels, text: "no time stated", line: line, quote: quote))
                    }
                }
                continue
            }
            for p in phrases {
                if let why = p.unsupported {
                    unmapped.append(.init(kind: "unit", line: line, detail: "\(p.text): \(why)", quote: quote)); continue
                }
                if p.threshold {
                    unmapped.append(.init(kind: "threshold", line: line, detail: "\(p.text) is a threshold (more than / at least), not a deadline", quote: quote)); continue
                }
                guard let d = p.duration else {
                    // Untimed words need an explicit timer or level to be a target ("as needed" in a roles list is not).
                    if own == nil && !(cell && columnTimer) && clauseLevels.isEmpty && lineLevels.isEmpty && !levelFromItem { continue }
                    untimed.append(UntimedFinding(kind: timer?.kind, levels: levels, text: p.untimed ?? p.text, line: line, quote: quote))
                    consumed.insert(line)
                    continue
                }
                guard var kind = timer?.kind else {
                    if !levels.isEmpty && (cell || clause.text.count <= p.text.count + 30) && p.lead != "for" {
                        let choice = "no timer named; \(p.text) taken as the time to respond (acknowledge)"
                        choices.append(.init(kind: "assumed", line: line, detail: choice, quote: quote))
                        record(.acknowledge, word: "response", levels: levels, d, p, clause: clause.text, lowered: lowered, line: line, quote: quote)
                    } else {
                        unmapped.append(.init(kind: "timer?", line: line, detail: "\(p.text): no timer named (acknowledge, contain, resolve, update, notify, postmortem…)", quote: quote))
                    }
                    continue
                }
                // "for 45 minutes" is how long an activity lasts, not a deadline.
                if p.lead == "for" || (explicitHint == nil && own == nil && p.lead == "after") {
                    unmapped.append(.init(kind: "timer?", line: line, detail: "\(p.text) reads as how long something lasts, not a deadline", quote: quote)); continue
                }
                let cadence = p.repeats || (timer?.repeats ?? false) || words.contains("thereafter")
                if cadence {
                    switch kind {
                    case .update, .firstUpdate, .executives, .stakeholders, .customers, .regulators, .acknowledge: kind = .update
                    default:
                        unmapped.append(.init(kind: "cadence", line: line, detail: "\(p.text) repeats, and a \(kind.rawValue) timer does not", quote: quote)); continue
                    }
                } else if kind == .update {
                    kind = .firstUpdate
                }
                record(kind, word: timer?.word ?? kind.rawValue, levels: levels, d, p, clause: clause.text, lowered: lowered, line: line, quote: quote)
            }
        }
    }

    mutating func record(_ kind: ImportVocabulary.TimerKind, word: String, levels: [Int], _ d: SLADuration, _ p: DurationPhrase,
                         clause: String, lowered: String, line: Int, quote: String) {
        let c = clause.lowercased()
        var start = "declared"
        let mayAnchor = c.contains("resol") || c.contains("clos") || c.contains("recover")
        if kind == .postmortem || kind == .review || mayAnchor && TimerMapper.resolvedAnchors.contains(where: { c.contains($0) }) { start = "resolved" }
        var until: [String]?
        if kind == .update {
            until = ["resolved"]
            if lowered.contains("until contain") || lowered.contains("until mitigat") { until = ["contained"] }
            if lowered.contains("until clos") { until = ["closed"] }
        }
        var note: String?
        if let choice = p.choice {
            note = choice
            choices.append(.init(kind: "range", line: line, detail: choice, quote: quote))
        }
        timers.append(TimerFinding(kind: kind, word: word, levels: levels, duration: d, start: start, until: until, line: line, quote: quote, note: note))
        consumed.insert(line)
    }
}
