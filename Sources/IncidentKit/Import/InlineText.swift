/// Inline Markdown → plain text, labels (`**SEV1**: …`, `Critical — …`), words and slugs.
public enum InlineText {
    /// Emphasis, code backticks, links (`[text](url)` → text), escapes and `<br>` removed;
    /// runs of spaces collapsed. Linear in the input.
    public static func plain(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let chars = Array(s)
        // Where the next ']' and ')' are, so each '[' is checked in constant time.
        var nextClose = [Int](repeating: Int.max, count: chars.count + 1)
        var nextParen = [Int](repeating: Int.max, count: chars.count + 1)
        var k = chars.count - 1
        while k >= 0 {
            nextClose[k] = chars[k] == "]" ? k : nextClose[k + 1]
            nextParen[k] = chars[k] == ")" ? k : nextParen[k + 1]
            k -= 1
        }
        var i = 0
        var lastSpace = true
        func emit(_ c: Character) {
            if c == " " || c == "\n" || c == "\t" {
                if !lastSpace { out.append(" "); lastSpace = true }
            } else { out.append(c); lastSpace = false }
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                if i + 1 < chars.count, chars[i + 1].isPunctuation || chars[i + 1].isSymbol { emit(chars[i + 1]); i += 2 } else { emit(c); i += 1 }
            case "*", "`":
                i += 1
            case "_":
                // `__bold__` markers go; a single underscore inside a word stays (global_readonly).
                if i + 1 < chars.count, chars[i + 1] == "_" { i += 2 }
                else if (i == 0 || !chars[i - 1].isLetter) || (i + 1 >= chars.count || !chars[i + 1].isLetter) { i += 1 }
                else { emit(c); i += 1 }
            case "!" where i + 1 < chars.count && chars[i + 1] == "[":
                i += 1
            case "[":
                // [text](url) → text; [text] stays.
                let j = nextClose[i + 1]
                if j < chars.count, j - i < 300, j + 1 < chars.count, chars[j + 1] == "(" {
                    let k = nextParen[j + 2]
                    if k < chars.count, k - j < 600 {
                        for x in chars[(i + 1)..<j] where x != "*" && x != "`" { emit(x) }
                        i = k + 1
                        continue
                    }
                }
                emit(c); i += 1
            case "<":
                // <br>, <br/>: a space.
                if i + 3 < chars.count, chars[i + 1] == "b", chars[i + 2] == "r" {
                    var j = i + 3
                    while j < chars.count, chars[j] != ">", j - i < 6 { j += 1 }
                    if j < chars.count, chars[j] == ">" { emit(" "); i = j + 1; continue }
                }
                emit(c); i += 1
            default:
                emit(c); i += 1
            }
        }
        while out.last == " " { out.removeLast() }
        return out
    }

    /// A leading label and the rest: `**SEV1 (Critical)**: Complete outage`,
    /// `Critical: 15 minutes`, `P1 — Page within 5m`, `Sev1 - acknowledge`.
    public static func label(_ raw: String) -> (label: String, rest: String)? {
        let t = raw.trimmingCharacters(in: " ")
        for marker in ["**", "__"] where t.hasPrefix(marker) {
            let body = t.dropFirst(2)
            if let close = body.firstRange(of: marker) {
                var label = plain(String(body[..<close.lowerBound]))
                var rest = String(body[close.upperBound...]).trimmingCharacters(in: " ")
                if label.hasSuffix(":") { label.removeLast() }
                while let f = rest.first, f == ":" || f == "-" || f == "–" || f == "—" || f == " " || f == "|" { rest.removeFirst() }
                return (label.trimmingCharacters(in: " "), plain(rest))
            }
        }
        let p = plain(t)
        let chars = Array(p)
        let limit = min(chars.count, 80)
        var i = 0
        while i < limit {
            let c = chars[i]
            if c == ":" && (i + 1 >= chars.count || chars[i + 1] == " ") {
                return (String(chars[..<i]).trimmingCharacters(in: " "), String(chars[(i + 1)...]).trimmingCharacters(in: " "))
            }
            if (c == "—" || c == "–" || c == "-") && i > 0 && chars[i - 1] == " " && i + 1 < chars.count && chars[i + 1] == " " {
                return (String(chars[..<(i - 1)]).trimmingCharacters(in: " "), String(chars[(i + 2)...]).trimmingCharacters(in: " "))
            }
            i += 1
        }
        return nil
    }

    /// `s` split at each occurrence of `separator` (stdlib only).
    public static func split(_ s: String, on separator: String) -> [String] {
        var out: [String] = []
        var rest = Substring(s)
        while let r = rest.firstRange(of: separator) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }

    /// Lowercased words (letters and digits), for vocabulary matching.
    public static func words(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        for c in s.lowercased() {
            if c.isLetter || c.isNumber { cur.append(c) } else if !cur.isEmpty { out.append(cur); cur = "" }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// `[a-z0-9-]`, at most 48 characters, never empty (`fallback` when nothing is left).
    public static func slug(_ s: String, fallback: String) -> String {
        var out = ""
        for c in s.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) { out.append(c) } else if !out.isEmpty && !out.hasSuffix("-") { out.append("-") }
            if out.count >= 48 { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? fallback : out
    }

    /// Splits a cell or line into clauses at `;`, and at `,` / ` and ` / ` then ` / em dashes
    /// when the pieces each hold their own duration.
    public static func clauses(_ s: String) -> [(text: String, offset: Int)] {
        var parts: [(String, Int)] = []
        var cur = ""
        var start = 0
        var depth = 0
        var i = 0
        for c in s {
            if c == "(" || c == "[" { depth += 1 }
            if c == ")" || c == "]" { depth = max(0, depth - 1) }
            if depth == 0 && c == ";" {
                parts.append((cur, start)); cur = ""; start = i + 1
            } else {
                cur.append(c)
            }
            i += 1
        }
        parts.append((cur, start))
        var out: [(String, Int)] = []
        for (p, off) in parts {
            // Softer split points, used only when the pieces carry their own times.
            let pieces = p.lowercased().contains("whichever") ? [(p, 0)] : splitSoft(p)
            let timed = pieces.map { !DurationPhraseParser.find(in: $0.0).isEmpty }
            let timedCount = timed.filter { $0 }.count
            if pieces.count > 1 && timedCount >= 2 {
                // Untimed pieces join the timed piece before them.
                var acc: [(String, Int)] = []
                for (k, (q, o)) in pieces.enumerated() {
                    if !timed[k], !acc.isEmpty { acc[acc.count - 1].0 += ", " + q } else { acc.append((q, off + o)) }
                }
                out.append(contentsOf: acc)
            } else {
                out.append((p, off))
            }
        }
        return out.map { (text: $0.0.trimmingCharacters(in: " "), offset: $0.1) }.filter { !$0.text.isEmpty }
    }

    static func splitSoft(_ s: String) -> [(String, Int)] {
        var out: [(String, Int)] = []
        let chars = Array(s)
        var cur = ""
        var start = 0
        var i = 0
        var depth = 0
        let seps: [[Character]] = [Array(" and "), Array(" then "), Array(" or ")]
        outer: while i < chars.count {
            let c = chars[i]
            if c == "(" || c == "[" { depth += 1 }
            if c == ")" || c == "]" { depth = max(0, depth - 1) }
            if depth == 0 {
                if c == "," || c == "—" || (c == "–" && i > 0 && chars[i - 1] == " ") {
                    out.append((cur, start)); cur = ""; i += 1; start = i
                    continue
                }
                for sep in seps where i + sep.count <= chars.count && Array(chars[i..<(i + sep.count)]) == sep {
                    out.append((cur, start)); cur = ""; i += sep.count; start = i
                    continue outer
                }
            }
            cur.append(c)
            i += 1
        }
        out.append((cur, start))
        return out.filter { !$0.0.trimmingCharacters(in: " ").isEmpty }
    }
}
