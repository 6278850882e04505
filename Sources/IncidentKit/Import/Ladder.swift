/// Stage 2a: the severity ladder. Finds every table column, list or run of headings that
/// names levels, picks the ladder, orders it most severe first and collects aliases.
public struct LadderLevel: Sendable, Equatable {
    public var name: String
    public var aliases: [String]
    public var rank: Int?
    public var line: Int
    public var description: String?
    public var examples: [String] = []
}

public struct LadderCandidate: Sendable, Equatable {
    public enum Source: String, Sendable { case table, transposedTable = "table header", list, headings }
    public var source: Source
    public var levels: [LadderLevel]
    public var blockIndex: Int
    public var score: Int
    /// For a table: the column holding the level names.
    public var column: Int = 0
}

public enum LadderFinder {
    /// The most levels a ladder is taken to have (a table or list longer than that is
    /// something else: a checklist, a glossary).
    static let maxLevels = 64

    static let ladderHeadingWords: Set<String> = ["severity", "severities", "priority", "priorities", "levels", "level", "classification",
                                                  "sla", "slas", "matrix", "ladder", "definitions", "classes", "tiers", "categories", "escalation"]

    /// Every candidate ladder in the document, in document order.
    public static func candidates(_ blocks: [MarkdownBlock]) -> [LadderCandidate] {
        var out: [LadderCandidate] = []
        var headingWords: [Int: Set<String>] = [:]  // block index → words of the nearest heading
        var current: Set<String> = []
        for (i, b) in blocks.enumerated() {
            if b.kind == .heading { current = Set(InlineText.words(InlineText.plain(b.text))) }
            headingWords[i] = current
        }
        func bonus(_ i: Int) -> Int { (headingWords[i] ?? []).isDisjoint(with: ladderHeadingWords) ? 0 : 3 }

        for (i, b) in blocks.enumerated() where b.kind == .table {
            if let c = tableLadder(b, index: i) { var c = c; c.score += bonus(i); out.append(c) }
        }
        // Lists: sibling items at one depth.
        for siblings in listGroups(blocks) {
            var levels: [LadderLevel] = []
            for s in siblings {
                let item = blocks[s]
                let label = InlineText.label(item.text)
                let candidateText = label?.label ?? item.text
                if let name = LevelNames.parse(candidateText) {
                    var level = LadderLevel(name: name.name, aliases: name.aliases, rank: name.rank, line: item.line)
                    if let rest = label?.rest, !rest.isEmpty { level.description = rest }
                    levels.append(level)
                }
            }
            if levels.count >= 2 && levels.count * 2 >= siblings.count && levels.count <= LadderFinder.maxLevels && distinct(levels), let first = siblings.first {
                out.append(LadderCandidate(source: .list, levels: levels, blockIndex: first, score: levels.count + bonus(first)))
            }
        }
        var i = 0
        _ = i
        // Headings: a run of same-level headings under one parent.
        i = 0
        while i < blocks.count {
            guard blocks[i].kind == .heading, let first = LevelNames.parse(blocks[i].text) else { i += 1; continue }
            let level = blocks[i].level
            var levels = [LadderLevel(name: first.name, aliases: first.aliases, rank: first.rank, line: blocks[i].line)]
            var j = i + 1
            while j < blocks.count {
                let b = blocks[j]
                if b.kind == .heading {
                    if b.level < level { break }
                    if b.level == level {
                        guard let name = LevelNames.parse(b.text) else { break }
                        levels.append(LadderLevel(name: name.name, aliases: name.aliases, rank: name.rank, line: b.line))
                        if levels.count > LadderFinder.maxLevels { break }
                    }
                }
                j += 1
            }
            if levels.count >= 2 && levels.count <= LadderFinder.maxLevels && distinct(levels) {
                out.append(LadderCandidate(source: .headings, levels: levels, blockIndex: i, score: levels.count + bonus(i) + 1))
            }
            i = max(i + 1, j)
        }
        return out.sorted { $0.blockIndex < $1.blockIndex }
    }

    /// Sibling list items: each array holds the indices of the items of one list level
    /// under one parent, in order.
    public static func listGroups(_ blocks: [MarkdownBlock]) -> [[Int]] {
        var groups: [[Int]] = []
        var stack: [Int] = []  // group index per depth
        for (i, b) in blocks.enumerated() {
            if b.kind == .listItem {
                let d = b.depth
                if stack.count > d + 1 { stack.removeLast(stack.count - d - 1) }
                while stack.count < d + 1 { groups.append([]); stack.append(groups.count - 1) }
                groups[stack[d]].append(i)
                stack = Array(stack.prefix(d + 1))
            } else if (b.kind == .code || b.kind == .quote || b.kind == .table) && b.depth > 0 {
                continue
            } else {
                stack = []
            }
        }
        return groups.filter { !$0.isEmpty }
    }

    static func distinct(_ levels: [LadderLevel]) -> Bool {
        Set(levels.map { normalizedName($0.name) }).count == levels.count
    }

    static func isDescriptionHeader(_ h: String) -> Bool {
        let w = InlineText.words(InlineText.plain(h))
        return !w.isEmpty && w.contains { ImportVocabulary.descriptionWords.contains($0) } && ImportVocabulary.timerKind(w) == nil
    }

    /// A table whose column holds level names (`| SEV | … |`), or whose header row does
    /// (`| Timer | SEV1 | SEV2 |`).
    static func tableLadder(_ t: MarkdownBlock, index: Int) -> LadderCandidate? {
        guard !t.rows.isEmpty else { return nil }
        // Transposed: levels across the header.
        let headerLevels = t.header.dropFirst().compactMap { LevelNames.parse($0) }
        if headerLevels.count >= 2 && headerLevels.count == t.header.count - 1 && headerLevels.count <= LadderFinder.maxLevels {
            let levels = headerLevels.map { LadderLevel(name: $0.name, aliases: $0.aliases, rank: $0.rank, line: t.line) }
            if distinct(levels) { return LadderCandidate(source: .transposedTable, levels: levels, blockIndex: index, score: levels.count + 2) }
        }
        guard t.rows.count >= 2, t.rows.count <= LadderFinder.maxLevels else { return nil }
        for col in 0..<min(t.header.count, 4) {
            let header = t.header[col]
            let headerIsLevel = LevelNames.isLevelHeader(header)
            if isDescriptionHeader(header) && !headerIsLevel { continue }
            var levels: [LadderLevel] = []
            for row in t.rows where col < row.cells.count {
                let cell = row.cells[col]
                if let name = LevelNames.parse(cell, header: headerIsLevel ? header : nil, strict: !headerIsLevel) {
                    levels.append(LadderLevel(name: name.name, aliases: name.aliases, rank: name.rank, line: row.line))
                }
            }
            guard levels.count >= 2, levels.count * 10 >= t.rows.count * 8, distinct(levels) else { continue }
            // Name and description columns beside the level column.
            for (k, h) in t.header.enumerated() where k != col {
                let words = InlineText.words(InlineText.plain(h))
                let joined = words.joined(separator: " ")
                let isName = ImportVocabulary.nameHeaders.contains(joined) && ImportVocabulary.timerKind(words) == nil
                let isDesc = isDescriptionHeader(h)
                let isExample = words.contains { $0.hasPrefix("example") }
                for (r, row) in t.rows.enumerated() where r < levels.count && k < row.cells.count {
                    let cell = InlineText.plain(row.cells[k]).trimmingCharacters(in: " ")
                    guard !cell.isEmpty else { continue }
                    let cw = InlineText.words(cell)
                    if isName && cw.count <= 3 && !isDesc || isName && !isDesc {
                        if cw.count <= 3 { levels[r].aliases.append(cell) }
                        if levels[r].rank == nil, let w = cw.first { levels[r].rank = ImportVocabulary.severityWords[w] }
                    } else if isExample {
                        levels[r].examples.append(cell)
                    } else if isDesc {
                        if levels[r].description == nil { levels[r].description = cell }
                        // A description that is a severity word ("Critical", "Major impact") names the level too.
                        if let w = cw.first, let rank = ImportVocabulary.severityWords[w],
                           cw.count == 1 || cw.count == 2 && ["impact", "severity", "priority", "incident", "incidents", "level"].contains(cw[1]) {
                            levels[r].aliases.append(String(cell.prefix(w.count)))
                            if levels[r].rank == nil { levels[r].rank = rank }
                        }
                    }
                }
            }
            for r in levels.indices {
                var seen: Set<String> = [normalizedName(levels[r].name)]
                levels[r].aliases = levels[r].aliases.filter { seen.insert(normalizedName($0)).inserted && !normalizedName($0).isEmpty }
            }
            var c = LadderCandidate(source: .table, levels: levels, blockIndex: index, score: levels.count + 2 + (headerIsLevel ? 2 : 0))
            c.column = col
            return c
        }
        return nil
    }

    /// The ladder: the best-scoring candidate (earliest on a tie), with aliases from the
    /// other candidates that name the same levels.
    public static func choose(_ candidates: [LadderCandidate]) -> LadderCandidate? {
        guard var best = candidates.max(by: { ($0.score, -$0.blockIndex) < ($1.score, -$1.blockIndex) }) else { return nil }
        for other in candidates where other.blockIndex != best.blockIndex {
            for l in other.levels {
                let names = [l.name] + l.aliases
                guard let idx = best.levels.firstIndex(where: { b in ([b.name] + b.aliases).contains { n in names.contains { normalizedName($0) == normalizedName(n) } } }) else { continue }
                for a in names where !([best.levels[idx].name] + best.levels[idx].aliases).contains(where: { normalizedName($0) == normalizedName(a) }) {
                    best.levels[idx].aliases.append(a)
                }
                if best.levels[idx].rank == nil { best.levels[idx].rank = l.rank }
                if best.levels[idx].description == nil { best.levels[idx].description = l.description }
            }
        }
        // A name may belong to one level only.
        var owner: [String: Int] = [:]
        for (i, l) in best.levels.enumerated() { owner[normalizedName(l.name)] = i }
        for i in best.levels.indices {
            best.levels[i].aliases = best.levels[i].aliases.filter { a in
                let n = normalizedName(a)
                if let o = owner[n], o != i { return false }
                owner[n] = i
                return true
            }
        }
        return best
    }

    /// Decided by the numbers in the level names (SEV1, P2, Level 3), by the convention that
    /// 1 is the most severe: true when the document lists them counting down (SEV4 … SEV1),
    /// false when counting up, nil when not every name carries a distinct number.
    /// The levels' positions sorted by the numbers in their names (SEV1, P2, Level 3; 1, or
    /// 0, first), when every name carries a distinct number; nil otherwise.
    public static func orderByNumber(_ levels: [LadderLevel]) -> [Int]? {
        let numbers = levels.map { l -> Int? in
            let digits = l.name.drop { !($0.isASCII && $0.isNumber) }.prefix { $0.isASCII && $0.isNumber }
            return digits.isEmpty || digits.count > 6 ? nil : Int(digits)
        }
        guard numbers.count >= 2, numbers.allSatisfy({ $0 != nil }), Set(numbers.map { $0! }).count == numbers.count else { return nil }
        return levels.indices.sorted { numbers[$0]! < numbers[$1]! }
    }

    /// By the convention that 1 is the most severe: true when the document lists numbered
    /// levels counting down (SEV4 … SEV1), false when counting up, nil otherwise.
    public static func isAscendingByNumber(_ levels: [LadderLevel]) -> Bool? {
        guard let order = orderByNumber(levels) else { return nil }
        if order == Array(levels.indices) { return false }
        if order == Array(levels.indices.reversed()) { return true }
        return nil
    }

    /// True when the document lists the least severe level first: decided by severity
    /// words when the levels carry them (Informational … Catastrophic).
    public static func isAscending(_ levels: [LadderLevel]) -> Bool? {
        let ranked = levels.enumerated().compactMap { i, l in l.rank.map { (i, $0) } }
        guard ranked.count >= 2 else { return nil }
        var inOrder = 0, reversed = 0
        for a in 0..<ranked.count {
            for b in (a + 1)..<ranked.count {
                if ranked[a].1 < ranked[b].1 { inOrder += 1 } else if ranked[a].1 > ranked[b].1 { reversed += 1 }
            }
        }
        if reversed > inOrder { return true }
        if inOrder > reversed { return false }
        return nil
    }
}
