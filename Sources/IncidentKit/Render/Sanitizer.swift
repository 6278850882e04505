/// The escapers: one per output context. Text in the store is kept as written; every value
/// that reaches a terminal, a Markdown paragraph, a Markdown table cell or a Mermaid line
/// goes through the function for that context, and through no other.
///
/// - `forTerminal`: terminal control sequences (C0 except newline and tab, DEL, C1), Unicode
///   bidi overrides and invisible characters (zero-width spaces, word joiners, BOM, tag
///   characters, interlinear annotations, line/paragraph separators) become visible escapes
///   like `\u{1B}`, so a pasted log cannot rewrite the screen, disguise the order of
///   characters or hide text.
/// - `markdownInline` / `markdownBlock` / `tableCell`: the terminal escape, then every character
///   Markdown gives a meaning to is neutralised, so no stored text can open a heading, a code
///   fence, a link, an image, raw HTML or a table row.
/// - `mermaid`: one line of a Mermaid `timeline`, with the diagram's syntax characters removed.
public enum Sanitizer {
    /// True for the scalars `forTerminal` escapes.
    public static func isDangerous(_ v: UInt32) -> Bool {
        switch v {
        case 0x0a, 0x09: return false
        case 0..<0x20, 0x7f, 0x80...0x9f: return true                 // C0, DEL, C1
        case 0x00ad: return true                                       // soft hyphen (invisible)
        case 0x034f: return true                                       // combining grapheme joiner
        case 0x061c, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: return true   // bidi marks and overrides
        case 0x115f, 0x1160, 0x3164, 0xffa0: return true               // Hangul fillers (render as blank)
        case 0x180e: return true                                       // Mongolian vowel separator
        case 0x200b, 0x2060...0x2064: return true                      // zero-width space, word joiner, invisible operators
        case 0x2028, 0x2029: return true                               // line and paragraph separators
        case 0xfeff: return true                                       // byte order mark / zero-width no-break space
        case 0xfff9...0xfffb: return true                              // interlinear annotation controls
        case 0x206a...0x206f: return true                              // deprecated format controls (invisible)
        case 0x1d173...0x1d17a: return true                            // musical symbol format controls
        case 0x1bca0...0x1bca3: return true                            // shorthand format controls
        case 0xe0000...0xe007f: return true                            // tag characters
        default: return false
        }
    }

    /// True when no scalar needs escaping: one pass over the UTF-8 bytes (a native string is
    /// valid UTF-8), without the generic scalar view, since this runs on every cell of a list.
    static func isPlainText(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isPlainText($0) }
    }

    /// `isPlainText` of valid UTF-8 (bytes built from Strings, such as a rendered table).
    public static func isPlainText(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = u.count
        let raw = UnsafeRawBufferPointer(u)
        while i < n {
            // Eight printable ASCII bytes at a time (no byte >= 0x80 or 0x7F, and no control
            // character but a newline or tab: a rendered report has a newline every line).
            if i + 8 <= n, let base = raw.baseAddress {
                let w = ByteScan.word(base, i)
                if !ByteScan.hasNonASCII(w) && ByteScan.matches(w, 0x7F) == 0
                    && ByteScan.controls(w) & ~(ByteScan.exactMatches(w, 0x0A) | ByteScan.exactMatches(w, 0x09)) == 0 {
                    i += 8
                    continue
                }
            }
            let b = u[i]
            if b < 0x80 {
                if b == 0x7f || (b < 0x20 && b != 0x0a && b != 0x09) { return false }
                i += 1
                continue
            }
            var v: UInt32
            var length: Int
            if b < 0xE0 { v = UInt32(b & 0x1F); length = 2 } else if b < 0xF0 { v = UInt32(b & 0x0F); length = 3 } else { v = UInt32(b & 0x07); length = 4 }
            guard i + length <= n else { return false }
            for k in 1..<length { v = v << 6 | UInt32(u[i + k] & 0x3F) }
            if isDangerous(v) { return false }
            i += length
        }
        return true
    }

    /// Replaces each dangerous scalar with a visible escape like `\u{1B}`.
    public static func forTerminal(_ s: String) -> String {
        if isPlainText(s) { return s }
        // Built as UTF-8 bytes: appending to a String.UnicodeScalarView copied the whole
        // string per escape, which made a long run of control characters quadratic.
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 64)
        for scalar in s.unicodeScalars {
            if isDangerous(scalar.value) {
                out.append(contentsOf: visibleEscape(scalar).utf8)
            } else {
                UTF8.encode(scalar) { out.append($0) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func visibleEscape(_ scalar: Unicode.Scalar) -> String {
        "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
    }

    /// The colour codes this tool itself emits (see `Style` in IncidentCLI). Only these survive
    /// `forTerminalKeepingStyle`; any other escape sequence is shown, not obeyed.
    public static let styleCodes: Set<String> = ["0", "1", "2", "31;1", "32", "33"]

    /// The escaper of human output as a whole: like `forTerminal`, but the exact SGR colour
    /// sequences in `styleCodes` pass. Applied where human output leaves the process, so a
    /// value that reached a line without its own escape is still harmless.
    public static func forTerminalKeepingStyle(_ s: String) -> String {
        if isPlainText(s) { return s }
        let scalars = Array(s.unicodeScalars)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 64)
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar.value == 0x1b, i + 1 < scalars.count, scalars[i + 1] == "[" {
                var j = i + 2
                var code = ""
                while j < scalars.count, j - i < 12, scalars[j] == ";" || ("0"..."9").contains(scalars[j]) {
                    code.unicodeScalars.append(scalars[j]); j += 1
                }
                if j < scalars.count, scalars[j] == "m", styleCodes.contains(code) {
                    for k in i...j { UTF8.encode(scalars[k]) { out.append($0) } }
                    i = j + 1
                    continue
                }
            }
            if isDangerous(scalar.value) {
                out.append(contentsOf: visibleEscape(scalar).utf8)
            } else {
                UTF8.encode(scalar) { out.append($0) }
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Markdown

    /// Characters with an inline meaning in CommonMark/GFM, backslash-escaped.
    static let markdownPunctuation: Set<Character> = ["\\", "`", "*", "_", "[", "]", "|", "~"]

    /// One line of inline Markdown: line breaks become spaces, and nothing in the text can
    /// start emphasis, code, a link, an image, raw HTML, an entity, a table cell or a block.
    public static func markdownInline(_ s: String) -> String {
        escapeLineStart(escapeInline(forTerminal(s).replacingLineBreaks(with: " ")))
    }

    /// A paragraph (or several) of Markdown text: each line escaped as inline text, leading
    /// indentation dropped (it would make a code block) and the first character of a line
    /// neutralised when it would open a heading, a quote, a list or a rule. Lines are kept
    /// as hard line breaks; blank lines stay paragraph breaks.
    public static func markdownBlock(_ s: String) -> String {
        let text = forTerminal(s).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var paragraphs: [String] = []
        var current: [String] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if !current.isEmpty { paragraphs.append(current.joined(separator: "  \n")); current = [] }
                continue
            }
            current.append(escapeLineStart(escapeInline(String(line))))
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: "  \n")) }
        return paragraphs.joined(separator: "\n\n")
    }

    /// One Markdown table cell: inline text, with line breaks kept as `<br>`.
    public static func tableCell(_ s: String) -> String {
        let text = forTerminal(s).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { escapeInline(String($0).trimmingCharacters(in: " ")) }
            .joined(separator: "<br>")
    }

    /// Kept for callers that predate the split: inline Markdown text.
    public static func inline(_ s: String) -> String { markdownInline(s) }

    static func escapeInline(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var rest = Substring(s)
        while let c = rest.popFirst() {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            // Only an ampersand that would start a character reference (`&amp;`, `&#38;`,
            // `&#x26;`) is escaped: "R&D" or "Detection & Analysis" stays as written in a
            // message that is pasted as plain text, and renders the same in Markdown.
            case "&": out += startsCharacterReference(rest) ? "&amp;" : "&"
            case "\t": out += " "
            default:
                if markdownPunctuation.contains(c) { out.append("\\") }
                out.append(c)
            }
        }
        return out
    }

    /// Whether the text after an `&` makes it a character reference in CommonMark: a name or
    /// a decimal or hex number, then `;`.
    static func startsCharacterReference(_ after: Substring) -> Bool {
        var body = after.prefix(33)
        if body.first == "#" {
            body = body.dropFirst()
            if body.first == "x" || body.first == "X" { body = body.dropFirst() }
        }
        let name = body.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return !name.isEmpty && body.dropFirst(name.count).first == ";"
    }

    /// A line that starts like a block (`#`, `+`, `-`, `=`, `1.`, `1)`) gets that character escaped.
    static func escapeLineStart(_ s: String) -> String {
        guard let first = s.first else { return s }
        if "#+-=".contains(first) { return "\\" + s }
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 9 {
            let rest = s.dropFirst(digits.count)
            if let mark = rest.first, mark == "." || mark == ")" {
                return String(digits) + "\\" + String(rest)
            }
        }
        return s
    }

    // MARK: Mermaid

    /// One label of a Mermaid `timeline`: a single line without the characters the diagram
    /// syntax or its HTML labels give a meaning to, at most 80 characters.
    public static func mermaid(_ s: String) -> String {
        var t = ""
        for c in forTerminal(s).replacingLineBreaks(with: " ") {
            t.append(":;#`{}<>\"%&[]()\\|".contains(c) ? " " : c)
        }
        if t.count > 80 { t = String(t.prefix(77)) + "..." }
        return t.trimmingCharacters(in: " ")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }

    func replacingLineBreaks(with replacement: String) -> String {
        guard contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return self }
        var out = ""
        for c in self { out += (c == "\n" || c == "\r" || c == "\r\n") ? replacement : String(c) }
        return out
    }
}
