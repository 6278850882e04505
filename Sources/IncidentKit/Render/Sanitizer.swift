/// Makes stored text safe to print. Text in the store is kept as written; what reaches a
/// terminal or a Markdown file has terminal control sequences (C0 except newline and tab,
/// DEL, C1) and Unicode bidi overrides neutralised, so a pasted log cannot rewrite the
/// screen or disguise the order of characters.
public enum Sanitizer {
    static func isDangerous(_ v: UInt32) -> Bool {
        if v < 0x20 { return v != 0x0a && v != 0x09 }
        if v == 0x7f { return true }
        if (0x80...0x9f).contains(v) { return true }
        if (0x202a...0x202e).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200e || v == 0x200f || v == 0x061c {
            return true
        }
        return false
    }

    /// Replaces each control character with a visible escape like `\u{1B}`.
    public static func forTerminal(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { isDangerous($0.value) }) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if isDangerous(scalar.value) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// One line, safe inside a Markdown table cell.
    public static func tableCell(_ s: String) -> String {
        forTerminal(s)
            .replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\n", with: "<br>")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "&lt;br>", with: "<br>")
    }

    /// Inline Markdown text (not in a table): control characters neutralised, HTML tags escaped.
    public static func inline(_ s: String) -> String {
        forTerminal(s).replacingOccurrences(of: "<", with: "&lt;")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
