/// Corrections keep the record honest: nothing is rewritten in place. A wrong entry is
/// corrected by a new event that points at it (`fields["target"]` = its id):
///
/// - `amended`: new text (`fields["text"]`), a new time (`fields["at"]`, when it really
///   happened) and/or a new kind (`fields["kind"]`);
/// - `struck`: the entry is withdrawn (`fields["reason"]` says why).
///
/// The corrected log (`effective`) is what the state, the timers, the timeline and the
/// postmortem are computed from; the events as written stay in the file, hashed and chained,
/// and `timeline --history` shows them.
public enum Corrections {
    public static func isCorrection(_ kind: String) -> Bool {
        kind == BuiltInKind.amended || kind == BuiltInKind.struck
    }

    /// The log with every correction applied, in the order written: amended entries carry
    /// their corrected text, time and kind; struck entries are gone. Correction events are
    /// kept (they happened), so this is idempotent.
    public static func effective(_ events: [Event]) -> [Event] {
        guard events.contains(where: { isCorrection($0.kind) }) else { return events }
        var index: [String: Int] = [:]
        for (i, e) in events.enumerated() where index[e.id] == nil { index[e.id] = i }
        var out = events
        var struck = Set<Int>()
        for e in events where isCorrection(e.kind) {
            guard let target = e.fields["target"], let i = index[target], i > 0, !isCorrection(events[i].kind) else { continue }
            if e.kind == BuiltInKind.struck {
                struck.insert(i)
            } else {
                if let text = e.fields["text"] { out[i].text = text }
                if let at = e.fields["at"].flatMap(TimeParser.parseISO8601) { out[i].at = at }
                if let kind = e.fields["kind"] { out[i].kind = kind }
            }
        }
        return out.enumerated().filter { !struck.contains($0.offset) }.map(\.element)
    }

    /// The short form of an entry id shown in `timeline` (`ev-1a2b3c4d5e6f7a8b` → `1a2b3c4d`).
    public static func shortID(_ id: String) -> String {
        id.hasPrefix("ev-") ? String(id.dropFirst(3).prefix(8)) : id
    }

    /// Finds the entry a correction points at: its id, or a unique prefix of it (at least 4
    /// characters, with or without `ev-`). Struck entries and corrections cannot be targets.
    public static func findEntry(_ selector: String, in record: IncidentRecord) throws -> Event {
        let s = selector.trimmingCharacters(in: " ").lowercased()
        let bare = s.hasPrefix("ev-") ? String(s.dropFirst(3)) : s
        let live = Set(effective(record.events).map(\.id))
        let candidates = record.events.filter { !isCorrection($0.kind) }
        if let exact = candidates.first(where: { $0.id.lowercased() == s || $0.id.lowercased() == "ev-" + bare }) {
            guard live.contains(exact.id) else {
                throw IncidentError.refused("Entry \(shortID(exact.id)) of \(record.id) was struck; 'incident timeline \(record.id) --history' shows it.")
            }
            return exact
        }
        guard bare.count >= 4 else {
            throw IncidentError.invalidInput("'\(Sanitizer.forTerminal(String(selector.prefix(40))))' is too short to name an entry; give at least 4 characters of its ID ('incident timeline \(record.id)' shows them).")
        }
        let matches = candidates.filter { shortID($0.id).count >= 4 && $0.id.lowercased().dropFirst(3).hasPrefix(bare) }
        if matches.count == 1 {
            guard live.contains(matches[0].id) else {
                throw IncidentError.refused("Entry \(shortID(matches[0].id)) of \(record.id) was struck; 'incident timeline \(record.id) --history' shows it.")
            }
            return matches[0]
        }
        if matches.isEmpty {
            throw IncidentError.notFound("\(record.id) has no entry '\(Sanitizer.forTerminal(String(selector.prefix(40))))'; 'incident timeline \(record.id)' shows each entry's ID.")
        }
        throw IncidentError.invalidInput("'\(Sanitizer.forTerminal(String(selector.prefix(40))))' matches \(matches.count) entries of \(record.id) (\(matches.map { shortID($0.id) }.joined(separator: ", "))); give more of the ID.")
    }

    /// One line per change in the history: what a correction or edit changed, from what to what.
    public struct Change: Sendable, Equatable {
        public var event: Event
        /// "text", "time", "kind", "struck", "title", "summary", "impact start", "public title".
        public var what: String
        public var before: String?
        public var after: String?
        /// The entry the change applies to, for amendments and strikes.
        public var target: String?
    }

    /// What each correction and edit in the log changed, in the order written, with the value
    /// it replaced.
    public static func changes(_ record: IncidentRecord) -> [Change] {
        var current: [String: Event] = [:]
        var title = record.events.first?.fields["title"] ?? ""
        var summary = record.events.first?.fields["summary"]
        var started = record.events.first?.fields["startedAt"]
        var publicTitle: String?
        var out: [Change] = []
        for e in record.events {
            if !isCorrection(e.kind) { current[e.id] = e }
            switch e.kind {
            case BuiltInKind.amended:
                guard let t = e.fields["target"], var old = current[t] else { continue }
                if let text = e.fields["text"] {
                    out.append(Change(event: e, what: "text", before: old.text, after: text, target: t)); old.text = text
                }
                if let at = e.fields["at"].flatMap(TimeParser.parseISO8601) {
                    out.append(Change(event: e, what: "time", before: old.at.iso8601, after: at.iso8601, target: t)); old.at = at
                }
                if let kind = e.fields["kind"] {
                    out.append(Change(event: e, what: "kind", before: old.kind, after: kind, target: t)); old.kind = kind
                }
                current[t] = old
            case BuiltInKind.struck:
                guard let t = e.fields["target"], let old = current[t] else { continue }
                out.append(Change(event: e, what: "struck", before: old.text, after: e.fields["reason"], target: t))
            case BuiltInKind.edited, BuiltInKind.retitled:
                if let v = e.fields["title"] { out.append(Change(event: e, what: "title", before: title, after: v)); title = v }
                if let v = e.fields["summary"] { out.append(Change(event: e, what: "summary", before: summary, after: v)); summary = v }
                if let v = e.fields["startedAt"] { out.append(Change(event: e, what: "impact start", before: started, after: v)); started = v }
                if let v = e.fields["publicTitle"] { out.append(Change(event: e, what: "public title", before: publicTitle, after: v)); publicTitle = v }
            default:
                break
            }
        }
        return out
    }
}
