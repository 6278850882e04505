/// Severity level names as documents write them, and mentions of a known ladder in prose.
public struct LevelName: Sendable, Equatable {
    /// The name as written (`SEV-1`, `Sev 0`, `P1`, `Critical`, `SEV3` for a `3` in a SEV column).
    public var name: String
    /// Other names found beside it: `(Critical)`, `[Major]`, `P1 – Blocker`, a name column.
    public var aliases: [String]
    /// 0 = most severe, from a severity word in the name or an alias.
    public var rank: Int?
}

public enum LevelNames {
    /// Parses a level name at the start of `raw`. `header` is the column header when the
    /// text is a table cell (a bare `3` or `B` in a `SEV`/`Level` column is then a level).
    /// `strict`: the text must be the name alone (aliases in brackets or after a dash aside).
    public static func parse(_ raw: String, header: String? = nil, strict: Bool = true) -> LevelName? {
        let text = InlineText.plain(raw).trimmingCharacters(in: " ")
        let chars = Array(text)
        guard !chars.isEmpty, chars.count <= 200 else { return nil }
        var i = 0
        while i < chars.count, chars[i].isLetter { i += 1 }
        let firstWord = String(chars[0..<i]).lowercased()
        var nameEnd = 0
        var rank: Int?
        var name = ""
        var extraAliases: [String] = []
        if let prefix = ImportVocabulary.levelPrefixes[firstWord], !firstWord.isEmpty {
            var j = i
            if j < chars.count, chars[j] == " " || chars[j] == "-" || chars[j] == "_" || chars[j] == "." { j += 1 }
            let identStart = j
            while j < chars.count, chars[j].isASCIIDigit, j - identStart < 2 { j += 1 }
            if j == identStart, prefix.letters, j < chars.count, chars[j].isASCII, chars[j].isUppercase, ("A"..."F").contains(chars[j]) { j += 1 }
            guard j > identStart else { return adjective(text, chars, header: header, strict: strict) }
            // The ident must end the word: `P1` but not `P1a` or `S3Bucket`.
            if j < chars.count, chars[j].isLetter || chars[j].isNumber { return nil }
            // Single-letter prefixes (`S1`, `L2`) only written tight.
            if firstWord.count == 1, identStart != i { return nil }
            nameEnd = j
            name = String(chars[0..<j])
        } else if let r = ImportVocabulary.severityWords[firstWord] {
            nameEnd = i
            name = String(chars[0..<i])
            rank = r
        } else if let header, isLevelHeader(header) {
            // A bare number or letter in a level column: `3` under `SEV` → SEV3.
            var j = 0
            while j < chars.count, chars[j].isASCIIDigit, j < 2 { j += 1 }
            if j == 0, chars[0].isASCII, chars[0].isUppercase, ("A"..."F").contains(chars[0]) { j = 1 }
            guard j > 0, j == chars.count || !(chars[j].isLetter || chars[j].isNumber) else { return nil }
            let ident = String(chars[0..<j])
            let h = InlineText.plain(header).trimmingCharacters(in: " ")
            let compact = ImportVocabulary.levelPrefixes[h.lowercased()]?.compact ?? (h.count <= 3)
            name = compact ? h + ident : h + " " + ident
            extraAliases = [ident]
            nameEnd = j
        } else {
            return nil
        }
        var rest = String(chars[nameEnd...])
        var aliases = extraAliases
        // Qualifiers that are part of the name's phrase: "High severity", "Critical incidents".
        let restWords = InlineText.words(rest)
        if rank != nil, let w = restWords.first, ["severity", "priority", "incident", "incidents", "impact", "level", "issues", "issue"].contains(w), rest.trimmingCharacters(in: " ").lowercased().hasPrefix(w) {
            rest = String(rest.trimmingCharacters(in: " ").dropFirst(w.count))
        }
        // Bracketed aliases: (Critical), [Major], (Disaster/Critical).
        var outside = ""
        var k = rest.startIndex
        while k < rest.endIndex {
            let c = rest[k]
            if c == "(" || c == "[" {
                let close: Character = c == "(" ? ")" : "]"
                if let end = rest[k...].firstIndex(of: close) {
                    let inner = rest[rest.index(after: k)..<end]
                    for piece in splitAliases(String(inner)) { aliases.append(piece) }
                    k = rest.index(after: end)
                    continue
                }
            }
            outside.append(c)
            k = rest.index(after: k)
        }
        var tail = outside.trimmingCharacters(in: " ")
        // After a dash or colon: a severity word is an alias (`P1 – Critical`, `SEV1: Critical outage`).
        while let f = tail.first, f == "-" || f == "–" || f == "—" || f == ":" || f == "/" || f == "|" || f == "," { tail.removeFirst(); tail = tail.trimmingCharacters(in: " ") }
        let tailWords = InlineText.words(tail)
        if let w = tailWords.first, ImportVocabulary.severityWords[w] != nil, tailWords.count <= 2 || !strict {
            let written = String(tail.prefix(w.count))
            aliases.append(written)
            tail = String(tail.dropFirst(w.count)).trimmingCharacters(in: " ")
            if let q = InlineText.words(tail).first, ["impact", "severity", "priority", "incident", "incidents"].contains(q) { tail = "" }
        }
        if strict && !tail.isEmpty { return nil }
        aliases = aliases.filter { !$0.isEmpty && normalizedName($0) != normalizedName(name) }
        var seen = Set<String>()
        aliases = aliases.filter { seen.insert(normalizedName($0)).inserted }
        if rank == nil { rank = aliases.compactMap { ImportVocabulary.severityWords[$0.lowercased()] }.min() }
        return LevelName(name: name, aliases: aliases, rank: rank)
    }

    static func adjective(_ text: String, _ chars: [Character], header: String?, strict: Bool) -> LevelName? { nil }

    static func splitAliases(_ s: String) -> [String] {
        var pieces: [String] = []
        var cur = ""
        for c in s {
            if c == "/" || c == "," || c == ";" || c == "|" { pieces.append(cur); cur = "" } else { cur.append(c) }
        }
        pieces.append(cur)
        var out: [String] = []
        for p in pieces {
            for q in InlineText.split(p, on: " or ") {
                let t = InlineText.plain(q).trimmingCharacters(in: " ")
                let n = InlineText.words(t).count
                if n >= 1 && n <= 3 && t.count <= 40 && t.first.map({ $0.isLetter || $0.isNumber }) == true { out.append(t) }
            }
        }
        return out
    }

    public static func isLevelHeader(_ header: String) -> Bool {
        let h = InlineText.words(InlineText.plain(header)).joined(separator: " ")
        return ImportVocabulary.levelHeaders.contains(h)
    }
}

/// Finds mentions of a ladder's levels in a line of prose: `SEV1`, `SEV-1 and SEV-2`,
/// `SEV1/SEV2`, `Sev1/2`, `SEV3+` (this level and the more severe ones), `P1–P3`,
/// `Critical incidents`. Severity words in lower case count only beside a qualifier
/// (`critical incidents`), so "high CPU usage" is not a level.
public struct LevelMatcher: Sendable {
    /// normalized name → level index (in the ladder's final order, most severe first).
    var names: [String: Int] = [:]
    var adjectiveNames: Set<String> = []
    /// prefix (normalized letters of a prefixed name) → ident → index, for `Sev1/2`.
    var byPrefix: [String: [String: Int]] = [:]
    public let count: Int

    public init(levels: [[String]]) {
        count = levels.count
        for (i, names) in levels.enumerated() {
            for n in names {
                let key = normalizedName(n)
                // A bare `3` or `B` (from a SEV or Level column) is a name for `declare`, but in prose it is just a number.
                guard !key.isEmpty, key.count <= 40, !key.allSatisfy(\.isNumber), key.count > 1 else { continue }
                if self.names[key] == nil { self.names[key] = i }
                if ImportVocabulary.severityWords[key] != nil { adjectiveNames.insert(key) }
                let letters = key.prefix { $0.isLetter }
                let ident = key.dropFirst(letters.count)
                if !letters.isEmpty, !ident.isEmpty, ident.count <= 2 {
                    byPrefix[String(letters), default: [:]][String(ident)] = i
                }
            }
        }
    }

    struct Tok { var text: String; var lower: String; var start: Int; var end: Int }

    static func tokens(_ chars: [Character]) -> [Tok] {
        var out: [Tok] = []
        var i = 0
        while i < chars.count {
            if chars[i].isLetter || chars[i].isNumber {
                let s = i
                var t = ""
                var n = 0
                while i < chars.count, chars[i].isLetter || chars[i].isNumber { if n < 40 { t.append(chars[i]); n += 1 }; i += 1 }
                out.append(Tok(text: t, lower: t.lowercased(), start: s, end: i))
            } else { i += 1 }
        }
        return out
    }

    /// Level indices mentioned in `text`, sorted, without duplicates.
    public func mentions(in text: String) -> [Int] {
        let chars = Array(text)
        let toks = LevelMatcher.tokens(chars)
        var found = Set<Int>()
        var i = 0
        func gap(_ a: Int, _ b: Int) -> String { a < b ? String(chars[a..<b]) : "" }
        while i < toks.count {
            var matched: (Int, Int, String)?  // index, next token, prefix letters
            if i + 1 < toks.count, toks[i + 1].start - toks[i].end <= 1, [" ", "-", "_", ""].contains(gap(toks[i].end, toks[i + 1].start)) {
                let key = toks[i].lower + toks[i + 1].lower
                if let idx = names[key] { matched = (idx, i + 2, toks[i].text.lowercased().filter(\.isLetter)) }
            }
            if matched == nil {
                let key = toks[i].lower
                if let idx = names[key] {
                    if adjectiveNames.contains(key) {
                        let written = toks[i].text
                        let next = i + 1 < toks.count ? toks[i + 1].text.lowercased() : ""
                        let qualified = ["incident", "incidents", "severity", "priority", "level", "issues", "issue", "events", "event", "cases"].contains(next)
                        if written.first?.isUppercase == true || qualified { matched = (idx, i + 1, "") }
                    } else {
                        matched = (idx, i + 1, String(key.prefix { $0.isLetter }))
                    }
                }
            }
            guard let (idx, next, prefix) = matched else { i += 1; continue }
            found.insert(idx)
            var j = next
            let end = toks[next - 1].end
            // "SEV3+": this level and the more severe ones.
            if end < chars.count, chars[end] == "+" { for k in 0...idx { found.insert(k) } }
            // Range or shorthand list after a prefixed name: P1–P3, Sev1-3, SEV1/2, Sev 1 and 2.
            if j < toks.count {
                let between = gap(end, toks[j].start).trimmingCharacters(in: " ").lowercased()
                let isRange = ["-", "–", "—", "to", "through", "thru"].contains(between)
                let isList = ["/", ",", "&", "and", "or", ", and", ", or"].contains(between)
                if isRange || isList {
                    var other: Int?
                    if !prefix.isEmpty, let table = byPrefix[prefix] {
                        let t = toks[j].lower
                        other = table[t] ?? (t.hasPrefix(prefix) ? table[String(t.dropFirst(prefix.count))] : nil)
                        if other == nil, j + 1 < toks.count, toks[j].lower == prefix { other = table[toks[j + 1].lower]; if other != nil { j += 1 } }
                    }
                    if let o = other {
                        if isRange { for k in min(o, idx)...max(o, idx) { found.insert(k) } } else { found.insert(o) }
                        i = j + 1
                        continue
                    }
                }
            }
            i = next
        }
        return found.sorted()
    }
}
