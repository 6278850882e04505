/// Durations as people write them in prose: `15 minutes`, `15 min`, `< 15 min`, `≤ 24 hours`,
/// `within 4 hours`, `2 h`, `T+5m`, `fifteen minutes`, `one business day`, `next business day`,
/// `24–72 hours`, `every 30 minutes`, `30 min updates`, `hourly`, `once per business day`;
/// and the untimed phrases a policy uses instead of a number (`immediate`, `asap`, `n/a`,
/// `best effort`, `next release`, `during business hours`).
///
/// The number and its unit are handed to `SLADuration(parsing:)`, the runbook file's own
/// parser, so `15 min` in a document and `15 min` in a runbook are one duration.
public struct DurationPhrase: Sendable, Equatable {
    /// The duration, or nil for an untimed phrase (`untimed` then says which).
    public var duration: SLADuration?
    /// `immediate`, `best effort`, … when the phrase names no number on purpose.
    public var untimed: String?
    /// A cadence (`every 30 minutes`, `hourly`, `30 min updates`).
    public var repeats: Bool
    /// `> 1h`, `more than 4 hours`: a threshold, not a deadline.
    public var threshold: Bool
    /// For a range (`24–72 hours`) or an either-or (`whichever is sooner`): what was chosen and why.
    public var choice: String?
    /// The words that preceded the number (`within`, `for`, `by`, `t+`), lowercased.
    public var lead: String?
    /// Character offsets of the phrase in the text it was found in.
    public var start: Int
    public var end: Int
    /// The phrase as written.
    public var text: String
    /// A number with a time unit the runbook format cannot hold (months, seconds that are not whole minutes).
    public var unsupported: String?

    public var isTimed: Bool { duration != nil }
}

extension SLADuration {
    /// Approximate length in minutes, for comparing durations of different units
    /// (a business day counts as a day; a business hour as an hour).
    public var approximateMinutes: Int64 {
        let n = Int64(amount)
        switch unit {
        case .minutes: return n
        case .hours, .businessHours: return n * 60
        case .days, .businessDays: return n * 1440
        case .weeks: return n * 10_080
        }
    }
}

public enum DurationPhraseParser {
    /// Every duration or untimed phrase in `text`, in order. Linear in the length of the text.
    public static func find(in text: String) -> [DurationPhrase] {
        let chars = Array(text)
        let tokens = tokenize(chars)
        var out: [DurationPhrase] = []
        var i = 0
        while i < tokens.count {
            if let (phrase, next) = match(tokens, at: i, chars: chars) {
                out.append(phrase)
                i = max(next, i + 1)
            } else {
                i += 1
            }
        }
        return resolveEitherOr(out, lowered: text.lowercased())
    }

    // MARK: Tokens

    enum Kind: Equatable { case number(Double), word(String), symbol(Character) }
    struct Token { var kind: Kind; var start: Int; var end: Int }

    static func tokenize(_ chars: [Character]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isASCIIDigit {
                let s = i
                var digits = ""
                while i < chars.count, chars[i].isASCIIDigit, digits.count < 12 { digits.append(chars[i]); i += 1 }
                while i < chars.count, chars[i].isASCIIDigit { i += 1 }  // absurdly long numbers: not a duration
                if i + 1 < chars.count, chars[i] == ".", chars[i + 1].isASCIIDigit {
                    digits.append("."); i += 1
                    var frac = 0
                    while i < chars.count, chars[i].isASCIIDigit { if frac < 3 { digits.append(chars[i]) }; frac += 1; i += 1 }
                }
                let value = digits.count > 9 ? Double.infinity : (Double(digits) ?? .infinity)
                tokens.append(Token(kind: .number(value), start: s, end: i))
            } else if c.isLetter {
                let s = i
                var word = ""
                while i < chars.count, chars[i].isLetter || chars[i] == "'" || chars[i] == "’" {
                    if word.count < 40 { word += chars[i].lowercased() }
                    i += 1
                }
                tokens.append(Token(kind: .word(word), start: s, end: i))
            } else if c.isWhitespace || c == "*" || c == "_" || c == "`" {
                i += 1
            } else {
                tokens.append(Token(kind: .symbol(c), start: i, end: i + 1))
                i += 1
            }
        }
        return tokens
    }

    // MARK: Vocabulary

    static let smallNumbers: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    ]
    static let tens: [String: Int] = ["twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90]

    /// Unit words → the spelling `SLADuration(parsing:)` understands (or a marker for the
    /// units the runbook format cannot hold).
    static let unitWords: [String: String] = [
        "m": "min", "min": "min", "mins": "min", "minute": "min", "minutes": "min", "mn": "min", "mnt": "min", "mnts": "min",
        "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
        "d": "d", "day": "d", "days": "d",
        "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
        "bd": "bd", "bds": "bd",
        "s": "sec", "sec": "sec", "secs": "sec", "second": "sec", "seconds": "sec",
        "month": "month", "months": "month", "mo": "month",
    ]
    static let businessQualifiers: Set<String> = ["business", "working", "work"]

    /// Phrases that stand where a number would: reported as untimed, never given a number.
    static let untimedPhrases: [[String]] = [
        ["as", "soon", "as", "possible"], ["during", "business", "hours"], ["within", "business", "hours"],
        ["in", "business", "hours"], ["business", "hours", "only"], ["best", "effort"], ["best", "efforts"],
        ["next", "release"], ["next", "sprint"], ["next", "maintenance", "window"], ["planned", "work"],
        ["normal", "backlog"], ["backlog"], ["real", "time"], ["realtime"], ["right", "away"],
        ["without", "delay"], ["same", "day"], ["end", "of", "day"], ["eod"], ["as", "needed"],
        ["when", "possible"], ["immediate"], ["immediately"], ["asap"], ["tbd"], ["none"], ["optional"],
        ["continuous"], ["continuously"], ["promptly"], ["urgently"], ["n", "/", "a"], ["na"],
        ["not", "applicable"], ["on", "demand"], ["ad", "hoc"],
    ]

    static let untimedIndex: [String: [[String]]] = Dictionary(grouping: untimedPhrases, by: { $0[0] })

    static let cadenceWords: [String: String] = ["hourly": "1 h", "daily": "1 d", "weekly": "1 w", "nightly": "1 d"]
    static let deadlineLeads: Set<String> = ["within", "under", "by", "in", "max", "maximum", "before", "<", "≤", "t+", "upto", "at most", "less than", "no later than", "no more than", "up to"]
    static let thresholdLeads: Set<String> = [">", "≥", "more than", "over", "longer than", "exceeding", "exceeds", "beyond", "at least"]

    // MARK: Matching

    static func word(_ tokens: [Token], _ i: Int) -> String? {
        guard i >= 0, i < tokens.count, case let .word(w) = tokens[i].kind else { return nil }
        return w
    }

    static func symbol(_ tokens: [Token], _ i: Int) -> Character? {
        guard i >= 0, i < tokens.count, case let .symbol(c) = tokens[i].kind else { return nil }
        return c
    }

    static func adjacent(_ tokens: [Token], _ i: Int) -> Bool {
        i > 0 && i < tokens.count && tokens[i].start == tokens[i - 1].end
    }

    /// A number at `i`: digits, a spelled-out number (`fifteen`, `twenty-four`, `twenty four`),
    /// or `a`/`an`/`one` when a unit follows. Returns the value and the next index.
    static func number(_ tokens: [Token], _ i: Int) -> (Double, Int)? {
        guard i < tokens.count else { return nil }
        switch tokens[i].kind {
        case let .number(v): return v.isFinite ? (v, i + 1) : nil
        case let .word(w):
            if w == "a" || w == "an" { return (1, i + 1) }
            if w == "half" {
                // "half an hour", "half a day", "half-hour"
                if let a = word(tokens, i + 1), a == "a" || a == "an" { return (0.5, i + 2) }
                if symbol(tokens, i + 1) == "-" { return (0.5, i + 2) }
                return (0.5, i + 1)
            }
            if let v = smallNumbers[w] { return (Double(v), i + 1) }
            if let t = tens[w] {
                var j = i + 1
                if symbol(tokens, j) == "-" { j += 1 }
                if let w2 = word(tokens, j), let u = smallNumbers[w2], u > 0, u < 10 { return (Double(t + u), j + 1) }
                return (Double(t), i + 1)
            }
            return nil
        case .symbol: return nil
        }
    }

    /// A unit at `i` (`min`, `business days`, `working day`, `bd`, `h`). Returns the unit key
    /// and the next index.
    static func unit(_ tokens: [Token], _ i: Int) -> (String, Int)? {
        var j = i
        if symbol(tokens, j) == "-" { j += 1 }  // 15-minute
        guard let w = word(tokens, j) else { return nil }
        if businessQualifiers.contains(w) {
            var k = j + 1
            if symbol(tokens, k) == "-" { k += 1 }
            if let u = word(tokens, k) {
                if u == "day" || u == "days" { return ("bd", k + 1) }
                if u == "hour" || u == "hours" { return ("bh", k + 1) }
            }
            return nil
        }
        if w == "bh" || w == "bhs" { return ("bh", j + 1) }
        guard let key = unitWords[w] else { return nil }
        // One-letter units only written straight after the number (`15m`, `4h`, `3d`), or as `15 m`.
        return (key, j + 1)
    }

    static func leadWords(_ tokens: [Token], before i: Int) -> String? {
        let w1 = word(tokens, i - 1), w2 = word(tokens, i - 2), w3 = word(tokens, i - 3)
        if let s = symbol(tokens, i - 1) {
            if s == "+", word(tokens, i - 2) == "t" { return "t+" }
            if s == "=", let s2 = symbol(tokens, i - 2) { return String(s2) + "=" == "<=" ? "<" : (String(s2) == ">" ? ">" : nil) }
            if s == "<" || s == "≤" || s == ">" || s == "≥" || s == "~" { return s == "~" ? nil : String(s) }
            return nil
        }
        if let w3, let w2, let w1, "\(w3) \(w2) \(w1)" == "no later than" || "\(w3) \(w2) \(w1)" == "no more than" { return "\(w3) \(w2) \(w1)" }
        if let w2, let w1 {
            let two = "\(w2) \(w1)"
            if deadlineLeads.contains(two) || thresholdLeads.contains(two) { return two }
        }
        if let w1, deadlineLeads.contains(w1) || thresholdLeads.contains(w1) || w1 == "for" || w1 == "every" || w1 == "each" { return w1 }
        return nil
    }

    static func quantity(_ tokens: [Token], at i: Int) -> (amount: Double, unit: String, next: Int)? {
        guard let (n, j) = number(tokens, i), let (u, k) = unit(tokens, j) else { return nil }
        let spelled: Bool = { if case .word = tokens[i].kind { return true } else { return false } }()
        if let w = word(tokens, k - 1), w.count == 1 {
            // A one-letter unit (`15m`, `4 h`) only after digits, and not as the start of a word.
            if spelled { return nil }
            if let _ = word(tokens, k), adjacent(tokens, k) { return nil }
        }
        return (n, u, k)
    }

    /// Combines `1h30m` or `1 hour 30 minutes` into one amount in the smaller unit.
    static func minutes(_ amount: Double, _ unit: String) -> Double? {
        switch unit {
        case "min": return amount
        case "h": return amount * 60
        case "d": return amount * 1440
        case "w": return amount * 10_080
        case "sec": return amount / 60
        default: return nil
        }
    }

    static func makeDuration(_ amount: Double, _ unit: String) -> (SLADuration?, String?) {
        guard amount.isFinite, amount >= 0, amount <= 999_999 else { return (nil, "a number too large for a deadline") }
        switch unit {
        case "month": return (nil, "months are not a runbook unit (use days or business days)")
        case "sec":
            let m = amount / 60
            if m >= 1, m == m.rounded() { return (SLADuration(parsing: "\(Int(m)) min"), nil) }
            return (nil, "seconds are not a runbook unit")
        case "bh":
            if let d = SLADuration(parsing: "\(Int(amount)) bh"), amount == amount.rounded() { return (d, nil) }
            return (nil, "business hours are not a unit this runbook format holds (use hours or business days)")
        default:
            if amount == amount.rounded() { return (SLADuration(parsing: "\(Int(amount)) \(unit)"), nil) }
            // 1.5 hours → 90 min; 0.5 days → 12 h.
            if let m = minutes(amount, unit), m == m.rounded(), m >= 1 {
                if Int(m) % 60 == 0 { return (SLADuration(Int(m) / 60, .hours), nil) }
                return (SLADuration(Int(m), .minutes), nil)
            }
            return (nil, "a fraction of a \(unit) that is not a whole number of minutes")
        }
    }

    static func match(_ tokens: [Token], at i: Int, chars: [Character]) -> (DurationPhrase, Int)? {
        func text(_ a: Int, _ b: Int) -> String { String(chars[tokens[a].start..<tokens[b - 1].end]) }
        func phrase(_ d: SLADuration?, untimed: String? = nil, repeats: Bool = false, from a: Int, to b: Int, lead: String?, choice: String? = nil, unsupported: String? = nil) -> DurationPhrase {
            DurationPhrase(duration: d, untimed: untimed, repeats: repeats,
                           threshold: lead.map { thresholdLeads.contains($0) && !repeats } ?? false,
                           choice: choice, lead: lead, start: tokens[a].start, end: tokens[b - 1].end,
                           text: text(a, b), unsupported: unsupported)
        }
        // Untimed phrases.
        if let first = word(tokens, i), let candidates = untimedIndex[first] {
            for p in candidates where i + p.count <= tokens.count {
                var ok = true
                for (k, w) in p.enumerated() {
                    let t = tokens[i + k].kind
                    if case let .word(x) = t, x == w { continue }
                    if case let .symbol(x) = t, String(x) == w { continue }
                    ok = false; break
                }
                if ok {
                    // "na" and "none" only as the whole cell/clause, not inside "none of the…".
                    if (p == ["na"] || p == ["none"] || p == ["optional"] || p == ["backlog"]) && tokens.count > 3 { continue }
                    // "n/a" must be tight.
                    return (phrase(nil, untimed: p.joined(separator: p.contains("/") ? "" : " "), from: i, to: i + p.count, lead: nil), i + p.count)
                }
            }
        }
        // Cadence words: hourly, daily, weekly.
        if let w = word(tokens, i), let spelled = cadenceWords[w] {
            return (phrase(SLADuration(parsing: spelled), repeats: true, from: i, to: i + 1, lead: leadWords(tokens, before: i)), i + 1)
        }
        // "next business day"
        if word(tokens, i) == "next", let (u, k) = unit(tokens, i + 1), u == "bd" || u == "d" {
            return (phrase(SLADuration(1, u == "bd" ? .businessDays : .days), from: i, to: k, lead: "next"), k)
        }
        // "every hour", "every business day", "once per business day", "once a day", "once an hour"
        if let w = word(tokens, i), w == "every" || w == "each" || w == "per" {
            if let (u, k) = unit(tokens, i + 1), word(tokens, i + 1).map({ $0.count > 1 }) ?? false {
                let (d, why) = makeDuration(1, u)
                return (phrase(d, repeats: true, from: i, to: k, lead: w, unsupported: why), k)
            }
        }
        if word(tokens, i) == "once", let w = word(tokens, i + 1), w == "per" || w == "a" || w == "an" || w == "every" || w == "each" {
            if let (u, k) = unit(tokens, i + 2) {
                let (d, why) = makeDuration(1, u)
                return (phrase(d, repeats: true, from: i, to: k, lead: "once per", unsupported: why), k)
            }
            if let q = quantity(tokens, at: i + 2) {
                let (d, why) = makeDuration(q.amount, q.unit)
                return (phrase(d, repeats: true, from: i, to: q.next, lead: "every", unsupported: why), q.next)
            }
        }
        // A number, a range of numbers, or a quantity.
        guard number(tokens, i) != nil else { return nil }
        // "a"/"an"/"one" only count when a unit follows; plain words never start a phrase otherwise.
        var lead = leadWords(tokens, before: i)
        if lead == nil, let w = word(tokens, i - 1), w == "every" || w == "each" { lead = w }
        if lead == nil, word(tokens, i - 2) == "every", number(tokens, i - 1) == nil, word(tokens, i - 1) == "other" { lead = nil }
        // Range: 24–72 hours, 1-4 h, 2 to 3 days, 1 hour - 4 hours, between 2 and 4 hours.
        if let (lo, j) = number(tokens, i), let sep = symbol(tokens, j) ?? word(tokens, j).flatMap({ $0 == "to" || $0 == "and" ? Character("~") : nil }),
           sep == "-" || sep == "–" || sep == "—" || sep == "~" || sep == "/" {
            if sep != "/", let (hi, k) = number(tokens, j + 1), case .number = tokens[i].kind, case .number = tokens[j + 1].kind, let (u, m) = unit(tokens, k), hi > lo {
                let (dHi, why) = makeDuration(hi, u)
                let (dLo, _) = makeDuration(lo, u)
                let choice = "a range (\(text(i, m))): the deadline is its end, \(dHi?.spelledOut ?? "?"); the start would be \(dLo?.spelledOut ?? "?")"
                return (phrase(dHi, from: i, to: m, lead: lead, choice: choice, unsupported: why), m)
            }
        }
        guard let q = quantity(tokens, at: i) else { return nil }
        var total = q.amount, unitKey = q.unit, next = q.next
        // 1h30m, 1 hour 30 minutes
        if let m1 = minutes(total, unitKey), let q2 = quantity(tokens, at: next), let m2 = minutes(q2.amount, q2.unit), m2 < m1, q2.unit != unitKey {
            total = m1 + m2; unitKey = "min"; next = q2.next
        }
        // Range with units on both sides: 1 hour – 4 hours, 1h-4h.
        if let s = symbol(tokens, next), s == "-" || s == "–", let q2 = quantity(tokens, at: next + 1), q2.unit == unitKey, q2.amount > total {
            let (dHi, why) = makeDuration(q2.amount, q2.unit)
            let (dLo, _) = makeDuration(total, unitKey)
            let choice = "a range (\(text(i, q2.next))): the deadline is its end, \(dHi?.spelledOut ?? "?"); the start would be \(dLo?.spelledOut ?? "?")"
            return (phrase(dHi, from: i, to: q2.next, lead: lead, choice: choice, unsupported: why), q2.next)
        }
        var (d, why) = makeDuration(total, unitKey)
        var untimed: String?
        if d?.amount == 0 { d = nil; untimed = "immediate (zero)"; why = nil }
        // "30 min updates", "2 h cadence", "15-minute intervals"
        var repeats = lead == "every" || lead == "each"
        if let w = word(tokens, next), ["updates", "cadence", "intervals", "interval", "checkins", "check", "cycles", "refreshes"].contains(w) { repeats = true }
        return (phrase(d, untimed: untimed, repeats: repeats, from: i, to: next, lead: lead, unsupported: why), next)
    }

    /// `within 24 hours or 1 business day, whichever is sooner` → one phrase with the choice.
    static func resolveEitherOr(_ phrases: [DurationPhrase], lowered: String) -> [DurationPhrase] {
        guard lowered.contains("whichever") else { return phrases }
        let sooner = ["whichever is sooner", "whichever is earlier", "whichever comes first", "whichever is first", "whichever is shorter", "whichever occurs first"]
        let later = ["whichever is later", "whichever comes last", "whichever is longer", "whichever is last"]
        let wantsMin = sooner.contains { lowered.contains($0) }
        let wantsMax = later.contains { lowered.contains($0) }
        guard wantsMin || wantsMax else { return phrases }
        let timed = phrases.filter { $0.duration != nil && !$0.repeats }
        guard timed.count >= 2 else { return phrases }
        let chosen = (wantsMin ? timed.min { $0.duration!.approximateMinutes < $1.duration!.approximateMinutes }
                               : timed.max { $0.duration!.approximateMinutes < $1.duration!.approximateMinutes })!
        var merged = chosen
        merged.start = timed.map(\.start).min()!
        merged.end = timed.map(\.end).max()!
        merged.text = timed.map(\.text).joined(separator: " or ")
        merged.choice = "\(timed.map(\.text).joined(separator: " or ")), whichever is \(wantsMin ? "sooner" : "later"): chose \(chosen.duration!.spelledOut)"
        var out = phrases.filter { p in !timed.contains(p) }
        out.append(merged)
        return out.sorted { $0.start < $1.start }
    }
}
