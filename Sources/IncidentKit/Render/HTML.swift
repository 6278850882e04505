/// The one escaper for text that goes into HTML (element content or a quoted attribute)
/// and into XML (the Atom feed). Everything taken from an incident passes through
/// `HTML.escape` before it is inserted; the page builders never concatenate raw text.
public enum HTML {
    public static func escape(_ s: String) -> String {
        // Built as UTF-8 bytes (linear whatever the text holds).
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        func add(_ text: String) { out.append(contentsOf: text.utf8) }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": add("&amp;")
            case "<": add("&lt;")
            case ">": add("&gt;")
            case "\"": add("&quot;")
            case "'": add("&#39;")
            default:
                let v = scalar.value
                if Sanitizer.isDangerous(v) || v == 0x0d {
                    // Control characters and bidi overrides are shown, not obeyed (and C0
                    // controls are not allowed in XML at all).
                    add("\\u{\(String(v, radix: 16, uppercase: true))}")
                } else if v == 0xFFFE || v == 0xFFFF {
                    add("\u{FFFD}")
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A class or id token made only of [a-z0-9-] (never user text verbatim).
    public static func token(_ s: String) -> String {
        let mapped = s.lowercased().unicodeScalars.map { c -> Character in
            (("0"..."9").contains(c) || ("a"..."z").contains(c) || c == "-") ? Character(c) : "-"
        }
        let t = String(mapped.prefix(40))
        return t.isEmpty ? "x" : t
    }

    /// A complete, self-contained page: inline CSS only, no script, nothing fetched.
    static func page(title: String, css: String, body: String, lang: String = "en") -> String {
        """
        <!DOCTYPE html>
        <html lang="\(lang)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <title>\(escape(title))</title>
        <style>
        \(baseCSS)
        \(css)
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    static let baseCSS = """
    :root { --ink: #1d2330; --muted: #5b6475; --line: #d8dde6; --bg: #ffffff; --soft: #f4f6f9;
            --green: #1a7f37; --red: #c62828; --amber: #b26a00; --blue: #1f5fbf; }
    * { box-sizing: border-box; }
    body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
           background: var(--bg); margin: 0 auto; max-width: 1000px; padding: 24px; }
    h1 { font-size: 26px; margin: 0 0 8px; } h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
    table { border-collapse: collapse; width: 100%; margin: 8px 0; }
    th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
    th { background: var(--soft); font-weight: 600; }
    .muted { color: var(--muted); } .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; word-break: break-all; }
    .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; background: var(--soft); border: 1px solid var(--line); margin-right: 6px; }
    .ok, .met { color: var(--green); } .bad, .breached { color: var(--red); } .pending { color: var(--amber); }
    .badge.ok { background: #e6f4ea; border-color: #b7dfc2; } .badge.bad { background: #fdecea; border-color: #f5c2c0; }
    .text { white-space: pre-wrap; overflow-wrap: anywhere; }
    footer { margin-top: 32px; font-size: 12px; color: var(--muted); }
    @page { margin: 14mm; }
    @media print { body { max-width: none; padding: 0; font-size: 12px; } h2 { break-after: avoid; } tr, li { break-inside: avoid; } }
    """
}
