import IncidentKit

/// What a completion script may offer, and the one escaper for the "shell completion"
/// output context (DESIGN §8).
///
/// The scripts never hand a candidate to the shell's word expansion: they read the lines of
/// `incident _names CATEGORY` as plain strings. As a second, independent layer, every name
/// that comes from the store (a runbook's ids, an entry id) is emitted only when it is made
/// of a small safe character set; anything else (`$(…)`, backquotes, spaces, quotes, globs,
/// newlines) is silently left out of the candidates. Descriptions (titles, entry text) are
/// only ever displayed, and are reduced to one line of printable text.
enum CompletionText {
    /// Letters, digits and `. _ + @ -`, starting with a letter or digit, at most 64 bytes.
    static func isSafeName(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 64, isAlnum(first) else { return false }
        return s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
            || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
    }

    /// One line of printable text for a description: control characters (C0, DEL, C1), tabs,
    /// line breaks and bidi/invisible format characters become spaces, runs of spaces collapse,
    /// and the result is cut to `limit` characters.
    static func description(_ s: String, limit: Int = 60) -> String {
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let blank = v < 0x20 || v == 0x7f || (0x80...0x9f).contains(v) || (0x200b...0x200f).contains(v)
                || (0x202a...0x202e).contains(v) || (0x2060...0x206f).contains(v) || v == 0xfeff || v == 0x061c
                || (0xe0000...0xe007f).contains(v) || v == 0x20
            if blank {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(scalar)
                lastWasSpace = false
            }
        }
        var text = String(out)
        while text.hasSuffix(" ") { text.removeLast() }
        if text.count > limit { text = String(text.prefix(limit - 1)) + "…" }
        return text
    }

    /// `name` or `name<TAB>description`, or nil when the name is not safe to offer.
    static func line(_ name: String, _ description: String?) -> String? {
        guard isSafeName(name) else { return nil }
        guard let description, !description.isEmpty else { return name }
        let d = self.description(description)
        return d.isEmpty ? name : name + "\t" + d
    }
}

/// The categories of values the scripts complete. Store-backed ones are answered by the
/// hidden `_names` command; static ones are written into the scripts.
enum CompletionCategory {
    static let statics: [String: [String]] = [
        "shells": ["bash", "zsh", "fish"],
        "statuses": ["active", "resolved", "closed", "declined", "merged"],
        "terms": ["short", "long"],
    ]
    static let fromStore = ["levels", "roles", "phases", "kinds", "types", "templates", "runbooks", "incidents", "entries"]

    /// The category of a positional argument.
    static func of(_ a: ArgumentSpec) -> String? {
        if let c = a.completion { return c == "none" ? nil : c }
        switch a.name {
        case "ID", "OTHER": return "incidents"
        case "LEVEL": return "levels"
        case "ROLE": return "roles"
        case "PHASE": return "phases"
        case "KIND": return "kinds"
        case "ENTRY": return "entries"
        case "TEMPLATE": return "templates"
        case "SHELL": return "shells"
        case "FILE": return "files"
        default: return nil
        }
    }

    /// The category of an option's value.
    static func of(_ o: OptionSpec) -> String? {
        if let c = o.completion { return c == "none" ? nil : c }
        switch o.value {
        case "LEVEL": return "levels"
        case "PHASE": return "phases"
        case "KIND": return "kinds"
        case "ROLE": return "roles"
        case "TYPE": return "types"
        case "ID": return "incidents"
        case "STATUS": return "statuses"
        case "NAME|FILE": return "runbooks"
        case "FILE", "DIR": return "files"
        default: return nil
        }
    }
}

extension CompletionsCommand {
    /// The lines `_names CATEGORY [ID]` prints: each `name` or `name<TAB>description`.
    static func names(_ category: String, id: String?, inv: Invocation) -> [String] {
        let rb = (try? inv.runbook()) ?? Runbook.builtInDefault
        var lines: [String?] = []
        switch category {
        case "levels": lines = rb.levels.map { CompletionText.line($0.id, $0.title) }
        case "roles": lines = rb.roles.map { CompletionText.line($0.id, $0.title) }
        case "phases": lines = rb.phases.map { CompletionText.line($0.id, $0.title) }
        case "kinds": lines = rb.entryKinds.map { CompletionText.line($0.id, $0.title) }
        case "types": lines = rb.allIncidentTypes.map { CompletionText.line($0.id, $0.title) }
        case "templates": lines = Template.shippedNames.filter { $0 != "incident-types" }.map { CompletionText.line($0, nil) }
        case "runbooks": lines = Runbook.shippedNames.map { CompletionText.line($0, nil) }
        case "incidents":
            guard inv.store.exists else { return [] }
            let records = inv.store.loadActive().0.sorted { $0.id > $1.id }
            lines = records.map { CompletionText.line($0.id.description, $0.state.title) }
        case "entries":
            guard inv.store.exists, let text = id, let iid = IncidentID(text), let record = try? inv.store.load(iid).0 else { return [] }
            lines = CompletionsCommand.entryCandidates(record).map { CompletionText.line($0.id, $0.kind + ": " + $0.text) }
        default:
            lines = (CompletionCategory.statics[category] ?? []).map { CompletionText.line($0, nil) }
        }
        return lines.compactMap { $0 }
    }
}
