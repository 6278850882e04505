/// Stage 1 of the import: Markdown text → a flat list of blocks, each with its line numbers.
///
/// A tolerant subset of CommonMark, enough for policy documents: ATX and setext headings,
/// paragraphs, bullet and ordered lists (with their depth, `1.` and `1)` markers and `[ ]`
/// boxes), pipe tables, fenced code, block quotes, thematic breaks. YAML front matter and
/// HTML comments are skipped. The parser is one pass over the lines with no recursion; list
/// depth, line length and block size are bounded, so no input makes it slow or deep.
public struct MarkdownBlock: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case heading, paragraph, listItem, table, code, quote, rule }

    public var kind: Kind
    /// First and last line (1-based) in the document.
    public var line: Int
    public var endLine: Int
    /// Heading, paragraph, item, quote or code text (inline Markdown kept as written).
    public var text: String
    /// Heading level 1–6.
    public var level: Int = 0
    /// List nesting, 0 for a top-level item.
    public var depth: Int = 0
    /// The number of an ordered item (`3.` → 3).
    public var ordinal: Int?
    /// A task box: false for `[ ]`, true for `[x]`, nil without one.
    public var checkbox: Bool?
    /// The info string of a code fence (```text).
    public var info: String = ""
    public var header: [String] = []
    public var rows: [TableRow] = []
    /// Each source line of a paragraph or item, so findings keep their own line number.
    public var lines: [SourceLine] = []

    public struct TableRow: Sendable, Equatable {
        public var line: Int
        public var cells: [String]
    }

    public struct SourceLine: Sendable, Equatable {
        public var number: Int
        public var text: String
    }
}

public enum MarkdownBlocks {
    public static let maxDepth = 16
    public static let maxLineLength = 8192
    public static let maxBlockLines = 4000
    /// A paragraph, item or quote keeps at most this much text (more is read, then dropped).
    public static let maxTextBytes = 32_768

    public static func parse(_ document: String) -> [MarkdownBlock] {
        var parser = Parser()
        parser.run(splitLines(document))
        return parser.blocks
    }

    /// Splits on LF, CRLF or CR; control characters (but tab) become spaces; tabs become
    /// four spaces; each line is cut at `maxLineLength` characters.
    static func splitLines(_ document: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var count = 0
        var lastWasCR = false
        for scalar in document.unicodeScalars {
            if scalar == "\n" {
                if lastWasCR { lastWasCR = false; continue }
                lines.append(String(current)); current = .init(); count = 0
                continue
            }
            lastWasCR = false
            if scalar == "\r" { lines.append(String(current)); current = .init(); count = 0; lastWasCR = true; continue }
            if count >= maxLineLength { continue }
            count += 1
            if scalar == "\t" { current.append(contentsOf: "    ".unicodeScalars); continue }
            if scalar == "\u{FEFF}" && lines.isEmpty && current.isEmpty { continue }
            if Sanitizer.isDangerous(scalar.value) { current.append(" "); continue }
            current.append(scalar)
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    struct Parser {
        var blocks: [MarkdownBlock] = []
        /// The open paragraph, list item or quote, still taking lines.
        var open: MarkdownBlock?
        /// Marker columns of the open list items, outermost first.
        var listStack: [Int] = []
        var lastBlank = false

        mutating func flush() {
            if let b = open { blocks.append(b) }
            open = nil
        }

        mutating func run(_ lines: [String]) {
            var i = 0
            // YAML front matter.
            if lines.first?.trimmingCharacters(in: " ") == "---" {
                var j = 1
                while j < min(lines.count, 300) {
                    let t = lines[j].trimmingCharacters(in: " ")
                    if t == "---" || t == "..." { i = j + 1; break }
                    j += 1
                }
            }
            while i < lines.count {
                let raw = lines[i]
                let number = i + 1
                let indent = raw.prefix { $0 == " " }.count
                let content = String(raw.dropFirst(indent))
                let trimmed = content.trimmingCharacters(in: " ")

                if trimmed.isEmpty {
                    if open?.kind != .listItem { flush() } else { open!.text += "\n" }
                    lastBlank = true
                    i += 1
                    continue
                }
                // HTML comments.
                if trimmed.hasPrefix("<!--") {
                    flush()
                    var j = i
                    while j < lines.count, !lines[j].contains("-->") { j += 1 }
                    i = j + 1
                    lastBlank = false
                    continue
                }
                // Fenced code.
                if let fence = fenceMarker(trimmed) {
                    flush()
                    let info = String(trimmed.dropFirst(fence.count)).trimmingCharacters(in: " ")
                    var body: [String] = []
                    var j = i + 1
                    while j < lines.count {
                        let t = lines[j].trimmingCharacters(in: " ")
                        if t.hasPrefix(fence), t.allSatisfy({ $0 == fence.first }) { break }
                        if body.count < maxBlockLines { body.append(dedent(lines[j], indent)) }
                        j += 1
                    }
                    var b = MarkdownBlock(kind: .code, line: number, endLine: min(j + 1, lines.count), text: body.joined(separator: "\n"))
                    b.info = info
                    b.depth = listStack.isEmpty ? 0 : listStack.count
                    blocks.append(b)
                    i = j + 1
                    lastBlank = false
                    continue
                }
                // Setext heading underline.
                if let p = open, p.kind == .paragraph, !lastBlank, indent < 4,
                   trimmed.count >= 2, trimmed.allSatisfy({ $0 == "=" }) || trimmed.allSatisfy({ $0 == "-" }) {
                    var h = p
                    h.kind = .heading
                    h.level = trimmed.first == "=" ? 1 : 2
                    h.text = p.lines.map(\.text).joined(separator: " ")
                    h.endLine = number
                    open = nil
                    blocks.append(h)
                    listStack = []
                    i += 1
                    lastBlank = false
                    continue
                }
                // ATX heading.
                if let (level, text) = atxHeading(trimmed), indent < 4 || listStack.isEmpty == false {
                    flush()
                    listStack = []
                    var h = MarkdownBlock(kind: .heading, line: number, endLine: number, text: text)
                    h.level = level
                    blocks.append(h)
                    i += 1
                    lastBlank = false
                    continue
                }
                // Thematic break.
                if isRule(trimmed) {
                    flush()
                    listStack = []
                    blocks.append(MarkdownBlock(kind: .rule, line: number, endLine: number, text: ""))
                    i += 1
                    lastBlank = false
                    continue
                }
                // Table: a row with pipes followed by a delimiter row.
                if trimmed.contains("|"), i + 1 < lines.count, isDelimiterRow(lines[i + 1]) {
                    flush()
                    var t = MarkdownBlock(kind: .table, line: number, endLine: number + 1, text: "")
                    t.header = cells(trimmed)
                    var j = i + 2
                    while j < lines.count {
                        let row = lines[j].trimmingCharacters(in: " ")
                        if row.isEmpty || !row.contains("|") { break }
                        t.rows.append(.init(line: j + 1, cells: cells(row)))
                        t.endLine = j + 1
                        j += 1
                    }
                    t.depth = listStack.count
                    blocks.append(t)
                    i = j
                    lastBlank = false
                    continue
                }
                // Block quote (possibly nested: every leading '>' goes).
                if trimmed.hasPrefix(">") {
                    var q = Substring(trimmed)
                    while let f = q.first, f == ">" || f == " " { q = q.dropFirst() }
                    let text = String(q)
                    if var b = open, b.kind == .quote, !lastBlank {
                        if b.text.utf8.count < MarkdownBlocks.maxTextBytes { b.text += "\n" + text }
                        b.endLine = number
                        if b.lines.count < maxBlockLines { b.lines.append(.init(number: number, text: text)) }
                        open = b
                    } else {
                        flush()
                        var b = MarkdownBlock(kind: .quote, line: number, endLine: number, text: text)
                        b.lines = [.init(number: number, text: text)]
                        b.depth = listStack.count
                        open = b
                    }
                    i += 1
                    lastBlank = false
                    continue
                }
                // List item.
                if let item = listMarker(content) {
                    flush()
                    while let top = listStack.last, indent <= top { listStack.removeLast() }
                    if lastBlank, indent == 0 { listStack = [] }
                    if listStack.count < MarkdownBlocks.maxDepth { listStack.append(indent) } else { listStack[listStack.count - 1] = indent }
                    var b = MarkdownBlock(kind: .listItem, line: number, endLine: number, text: item.text)
                    b.depth = listStack.count - 1
                    b.ordinal = item.ordinal
                    b.checkbox = item.checkbox
                    b.lines = [.init(number: number, text: item.text)]
                    open = b
                    i += 1
                    lastBlank = false
                    continue
                }
                // Continuation of an open list item (lazy, or indented after a blank line).
                if var b = open, b.kind == .listItem, !lastBlank || indent > (listStack.last ?? 0) {
                    if b.text.utf8.count < MarkdownBlocks.maxTextBytes {
                        while b.text.last == "\n" || b.text.last == " " { b.text.removeLast() }
                        b.text += " " + trimmed
                    }
                    b.endLine = number
                    if b.lines.count < maxBlockLines { b.lines.append(.init(number: number, text: trimmed)) }
                    open = b
                    i += 1
                    lastBlank = false
                    continue
                }
                // An indented paragraph after a blank line inside a list belongs to the item before.
                if lastBlank, let top = listStack.last, indent > top, blocks.last?.kind == .listItem, blocks[blocks.count - 1].text.utf8.count < MarkdownBlocks.maxTextBytes {
                    let lastItem = blocks.count - 1
                    blocks[lastItem].text += " " + trimmed
                    blocks[lastItem].endLine = number
                    if blocks[lastItem].lines.count < maxBlockLines { blocks[lastItem].lines.append(.init(number: number, text: trimmed)) }
                    i += 1
                    lastBlank = false
                    continue
                }
                if indent <= (listStack.first ?? -1) || (lastBlank && indent == 0) { listStack = [] }
                // Paragraph.
                if var b = open, b.kind == .paragraph, !lastBlank {
                    if b.text.utf8.count < MarkdownBlocks.maxTextBytes { b.text += "\n" + trimmed }
                    b.endLine = number
                    if b.lines.count < maxBlockLines { b.lines.append(.init(number: number, text: trimmed)) }
                    open = b
                } else {
                    flush()
                    var b = MarkdownBlock(kind: .paragraph, line: number, endLine: number, text: trimmed)
                    b.lines = [.init(number: number, text: trimmed)]
                    open = b
                }
                i += 1
                lastBlank = false
            }
            flush()
        }

        func dedent(_ line: String, _ n: Int) -> String {
            var k = 0
            var s = Substring(line)
            while k < n, s.first == " " { s = s.dropFirst(); k += 1 }
            return String(s)
        }

        func fenceMarker(_ s: String) -> String? {
            for c: Character in ["`", "~"] {
                let run = s.prefix { $0 == c }.count
                if run >= 3 {
                    if c == "`" && s.dropFirst(run).contains("`") { return nil }
                    return String(repeating: c, count: run)
                }
            }
            return nil
        }

        func atxHeading(_ s: String) -> (Int, String)? {
            let hashes = s.prefix { $0 == "#" }.count
            guard hashes >= 1, hashes <= 6 else { return nil }
            let rest = s.dropFirst(hashes)
            guard rest.isEmpty || rest.first == " " else { return nil }
            var text = rest.trimmingCharacters(in: " ")
            // Closing hashes.
            while text.hasSuffix("#") { text.removeLast() }
            return (hashes, text.trimmingCharacters(in: " "))
        }

        func isRule(_ s: String) -> Bool {
            let chars = s.filter { $0 != " " }
            guard chars.count >= 3, let f = chars.first, f == "-" || f == "*" || f == "_" else { return false }
            return chars.allSatisfy { $0 == f }
        }

        func isDelimiterRow(_ line: String) -> Bool {
            let t = line.trimmingCharacters(in: " ")
            guard t.contains("-"), t.contains("|") || t.hasPrefix(":") || t.hasPrefix("-") else { return false }
            var sawDash = false
            for c in t {
                switch c {
                case "-": sawDash = true
                case "|", ":", " ": continue
                default: return false
                }
            }
            return sawDash && t.contains("|")
        }

        struct ListMarker { var text: String; var ordinal: Int?; var checkbox: Bool? }

        func listMarker(_ content: String) -> ListMarker? {
            var s = Substring(content)
            var ordinal: Int?
            if let f = s.first, f == "-" || f == "*" || f == "+" || f == "•" {
                s = s.dropFirst()
            } else {
                let digits = s.prefix { $0.isASCIIDigit }
                guard !digits.isEmpty, digits.count <= 9 else { return nil }
                let after = s.dropFirst(digits.count)
                guard let m = after.first, m == "." || m == ")" else { return nil }
                ordinal = Int(digits)
                s = after.dropFirst()
            }
            guard s.isEmpty || s.first == " " else { return nil }
            var text = s.trimmingCharacters(in: " ")
            var box: Bool?
            if text.hasPrefix("[ ]") || text.hasPrefix("[]") { box = false; text = String(text.dropFirst(text.hasPrefix("[]") ? 2 : 3)) }
            else if text.hasPrefix("[x]") || text.hasPrefix("[X]") { box = true; text = String(text.dropFirst(3)) }
            return ListMarker(text: text.trimmingCharacters(in: " "), ordinal: ordinal, checkbox: box)
        }

        /// Cells of a pipe-table row: outer pipes optional, `\|` and pipes inside code spans kept.
        func cells(_ row: String) -> [String] {
            var out: [String] = []
            var cur = ""
            var inCode = false
            var escaped = false
            for c in row {
                if escaped { cur.append(c); escaped = false; continue }
                if c == "\\" { escaped = true; cur.append(c); continue }
                if c == "`" { inCode.toggle() }
                if c == "|" && !inCode {
                    out.append(cur); cur = ""
                    if out.count > 64 { break }
                    continue
                }
                cur.append(c)
            }
            out.append(cur)
            if out.first?.trimmingCharacters(in: " ").isEmpty == true && row.trimmingCharacters(in: " ").hasPrefix("|") { out.removeFirst() }
            if out.last?.trimmingCharacters(in: " ").isEmpty == true && row.trimmingCharacters(in: " ").hasSuffix("|") { out.removeLast() }
            return out.map { $0.trimmingCharacters(in: " ").replacingOccurrences(of: "\\|", with: "|") }
        }
    }
}

extension String {
    func trimmingTrailing(_ c: Character) -> String {
        var s = self
        while s.last == c { s.removeLast() }
        return s
    }
}
