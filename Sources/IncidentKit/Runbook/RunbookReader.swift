#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The runbook read directly from its bytes, without `JSONDecoder`: every command reads the
/// runbook, and through `Codable` that cost more than the rest of `show` (each nested type's
/// first decode makes the runtime look up its conformances).
///
/// It is a stand-in, never a second opinion: it returns a runbook only when the synthesised
/// `Decodable` conformances would return the same one (unknown keys skipped, `null` for an
/// optional field read as absent), and nil for anything else (a wrong type, a `null` where a
/// value is required, a number that is not plain digits, a `\u` surrogate escape, a
/// byte-order mark), so that `Runbook.decode` asks `JSONDecoder`, which names the field at
/// fault. A test holds both readers to the same result over every shipped and sample runbook.
enum RunbookReader {
    typealias Reader = RecordCodec.Reader

    static func runbook(_ data: Data) -> Runbook? {
        data.withUnsafeBytes { raw -> Runbook? in
            var r = Reader(p: raw.bindMemory(to: UInt8.self))
            guard let runbook = runbook(&r) else { return nil }
            r.space()
            return r.i == r.p.count ? runbook : nil
        }
    }

    static func runbook(_ r: inout Reader) -> Runbook? {
        var schemaVersion: Int?, name: String?, title: String?, description: String?, sources: [String]?
        var levels: [Runbook.Level]?, roles: [Runbook.Role]?, phases: [Runbook.Phase]?, timers: [Runbook.TimerSpec]?
        var entryKinds: [Runbook.EntryKind]?, closeGates: [Runbook.Gate]?, incidentTypes: [Runbook.IncidentType]?
        var drills: [Runbook.DrillSpec]?, calendar: BusinessCalendar?, monitoring: Runbook.MonitoringWindow?
        let ok = r.object { r, key in
            switch key {
            case "schemaVersion": return r.required(&schemaVersion) { $0.smallInt() }
            case "name": return r.required(&name) { $0.string() }
            case "title": return r.required(&title) { $0.string() }
            case "description": return r.optional(&description) { $0.string() }
            case "sources": return r.optional(&sources) { $0.strings() }
            case "levels": return r.required(&levels) { $0.list(level) }
            case "roles": return r.required(&roles) { $0.list(role) }
            case "phases": return r.required(&phases) { $0.list(phase) }
            case "timers": return r.required(&timers) { $0.list(timer) }
            case "entryKinds": return r.required(&entryKinds) { $0.list(entryKind) }
            case "closeGates": return r.required(&closeGates) { $0.list { $0.string().flatMap(Runbook.Gate.init(rawValue:)) } }
            case "incidentTypes": return r.optional(&incidentTypes) { $0.list(incidentType) }
            case "drills": return r.optional(&drills) { $0.list(drill) }
            case "calendar": return r.optional(&calendar, businessCalendar)
            case "monitoring": return r.optional(&monitoring, monitoringWindow)
            default: return r.skipValue()
            }
        }
        guard ok, let schemaVersion, let name, let title, let levels, let roles, let phases, let timers,
              let entryKinds, let closeGates else { return nil }
        return Runbook(schemaVersion: schemaVersion, name: name, title: title, description: description, sources: sources,
                       levels: levels, roles: roles, phases: phases, timers: timers, entryKinds: entryKinds,
                       closeGates: closeGates, incidentTypes: incidentTypes, drills: drills, calendar: calendar,
                       monitoring: monitoring)
    }

    static func level(_ r: inout Reader) -> Runbook.Level? {
        var id: String?, title: String?, aliases: [String]?, description: String?, examples: [String]?
        var requiredRoles: [String]?, notes: [String]?
        let ok = r.object { r, key in
            switch key {
            case "id": return r.required(&id) { $0.string() }
            case "title": return r.required(&title) { $0.string() }
            case "aliases": return r.optional(&aliases) { $0.strings() }
            case "description": return r.optional(&description) { $0.string() }
            case "examples": return r.optional(&examples) { $0.strings() }
            case "requiredRoles": return r.optional(&requiredRoles) { $0.strings() }
            case "notes": return r.optional(&notes) { $0.strings() }
            default: return r.skipValue()
            }
        }
        guard ok, let id, let title else { return nil }
        return Runbook.Level(id: id, title: title, aliases: aliases, description: description, examples: examples,
                             requiredRoles: requiredRoles, notes: notes)
    }

    static func role(_ r: inout Reader) -> Runbook.Role? {
        var id: String?, title: String?, aliases: [String]?, duties: [String]?, backup: String?
        let ok = r.object { r, key in
            switch key {
            case "id": return r.required(&id) { $0.string() }
            case "title": return r.required(&title) { $0.string() }
            case "aliases": return r.optional(&aliases) { $0.strings() }
            case "duties": return r.optional(&duties) { $0.strings() }
            case "backup": return r.optional(&backup) { $0.string() }
            default: return r.skipValue()
            }
        }
        guard ok, let id, let title else { return nil }
        return Runbook.Role(id: id, title: title, aliases: aliases, duties: duties, backup: backup)
    }

    static func phase(_ r: inout Reader) -> Runbook.Phase? {
        var id: String?, title: String?, aliases: [String]?, description: String?
        var checklist: [Runbook.ChecklistItem]?, marks: [String]?
        let ok = r.object { r, key in
            switch key {
            case "id": return r.required(&id) { $0.string() }
            case "title": return r.required(&title) { $0.string() }
            case "aliases": return r.optional(&aliases) { $0.strings() }
            case "description": return r.optional(&description) { $0.string() }
            case "checklist": return r.optional(&checklist) { $0.list(checklistItem) }
            case "marks": return r.optional(&marks) { $0.strings() }
            default: return r.skipValue()
            }
        }
        guard ok, let id, let title else { return nil }
        return Runbook.Phase(id: id, title: title, aliases: aliases, description: description, checklist: checklist, marks: marks)
    }

    static func checklistItem(_ r: inout Reader) -> Runbook.ChecklistItem? {
        var text: String?, required: Bool?, phase: String?, levels: [String]?, satisfiedBy: [String]?
        let ok = r.object { r, key in
            switch key {
            case "text": return r.required(&text) { $0.string() }
            case "required": return r.optional(&required) { $0.bool() }
            case "phase": return r.optional(&phase) { $0.string() }
            case "levels": return r.optional(&levels) { $0.strings() }
            case "satisfiedBy": return r.optional(&satisfiedBy) { $0.strings() }
            default: return r.skipValue()
            }
        }
        guard ok, let text else { return nil }
        return Runbook.ChecklistItem(text: text, required: required, phase: phase, levels: levels, satisfiedBy: satisfiedBy)
    }

    static func entryKind(_ r: inout Reader) -> Runbook.EntryKind? {
        var id: String?, title: String?, aliases: [String]?, description: String?
        let ok = r.object { r, key in
            switch key {
            case "id": return r.required(&id) { $0.string() }
            case "title": return r.required(&title) { $0.string() }
            case "aliases": return r.optional(&aliases) { $0.strings() }
            case "description": return r.optional(&description) { $0.string() }
            default: return r.skipValue()
            }
        }
        guard ok, let id, let title else { return nil }
        return Runbook.EntryKind(id: id, title: title, aliases: aliases, description: description)
    }

    static func incidentType(_ r: inout Reader) -> Runbook.IncidentType? {
        var id: String?, title: String?, aliases: [String]?, description: String?, requiredRoles: [String]?
        var checklist: [Runbook.ChecklistItem]?
        let ok = r.object { r, key in
            switch key {
            case "id": return r.required(&id) { $0.string() }
            case "title": return r.required(&title) { $0.string() }
            case "aliases": return r.optional(&aliases) { $0.strings() }
            case "description": return r.optional(&description) { $0.string() }
            case "requiredRoles": return r.optional(&requiredRoles) { $0.strings() }
            case "checklist": return r.optional(&checklist) { $0.list(checklistItem) }
            default: return r.skipValue()
            }
        }
        guard ok, let id, let title else { return nil }
        return Runbook.IncidentType(id: id, title: title, aliases: aliases, description: description,
                                    requiredRoles: requiredRoles, checklist: checklist)
    }

    static func drill(_ r: inout Reader) -> Runbook.DrillSpec? {
        var id: String?, title: String?, level: String?, every: String?
        let ok = r.object { r, key in
            switch key {
            case "id": return r.required(&id) { $0.string() }
            case "title": return r.required(&title) { $0.string() }
            case "level": return r.optional(&level) { $0.string() }
            case "every": return r.required(&every) { $0.string() }
            default: return r.skipValue()
            }
        }
        guard ok, let id, let title, let every else { return nil }
        return Runbook.DrillSpec(id: id, title: title, level: level, every: every)
    }

    static func timer(_ r: inout Reader) -> Runbook.TimerSpec? {
        var id: String?, title: String?, description: String?, start: String?, stop: [String]?, repeats: Bool?
        var until: [String]?, durations: [String: SLADuration]?, source: String?
        let ok = r.object { r, key in
            switch key {
            case "id": return r.required(&id) { $0.string() }
            case "title": return r.required(&title) { $0.string() }
            case "description": return r.optional(&description) { $0.string() }
            case "start": return r.required(&start) { $0.string() }
            case "stop": return r.required(&stop) { $0.strings() }
            case "repeats": return r.optional(&repeats) { $0.bool() }
            case "until": return r.optional(&until) { $0.strings() }
            case "durations": return r.required(&durations) { $0.durations() }
            case "source": return r.optional(&source) { $0.string() }
            default: return r.skipValue()
            }
        }
        guard ok, let id, let title, let start, let stop, let durations else { return nil }
        return Runbook.TimerSpec(id: id, title: title, description: description, start: start, stop: stop, repeats: repeats,
                                 until: until, durations: durations, source: source)
    }

    static func monitoringWindow(_ r: inout Reader) -> Runbook.MonitoringWindow? {
        var title: String?, window: SLADuration?, levels: [String: SLADuration]?, source: String?
        let ok = r.object { r, key in
            switch key {
            case "title": return r.optional(&title) { $0.string() }
            case "window": return r.optional(&window) { $0.string().flatMap(SLADuration.init(parsing:)) }
            case "levels": return r.optional(&levels) { $0.durations() }
            case "source": return r.optional(&source) { $0.string() }
            default: return r.skipValue()
            }
        }
        guard ok else { return nil }
        return Runbook.MonitoringWindow(title: title, window: window, levels: levels, source: source)
    }

    static func businessCalendar(_ r: inout Reader) -> BusinessCalendar? {
        var timeZone: String?, workdays: [String]?, hours: BusinessCalendar.Hours?, holidays: [String]?
        let ok = r.object { r, key in
            switch key {
            case "timeZone": return r.required(&timeZone) { $0.string() }
            case "workdays": return r.optional(&workdays) { $0.strings() }
            case "businessHours": return r.optional(&hours, businessHours)
            case "holidays": return r.optional(&holidays) { $0.strings() }
            default: return r.skipValue()
            }
        }
        guard ok, let timeZone else { return nil }
        return BusinessCalendar(timeZone: timeZone, workdays: workdays, businessHours: hours, holidays: holidays)
    }

    static func businessHours(_ r: inout Reader) -> BusinessCalendar.Hours? {
        var start: String?, end: String?
        let ok = r.object { r, key in
            switch key {
            case "start": return r.required(&start) { $0.string() }
            case "end": return r.required(&end) { $0.string() }
            default: return r.skipValue()
            }
        }
        guard ok, let start, let end else { return nil }
        return BusinessCalendar.Hours(start: start, end: end)
    }
}

extension RecordCodec.Reader {
    /// A field that must hold a value: `null` (or a value of another type) is the general
    /// reader's to report. A key seen twice never gets here (`JSONShape` refuses it).
    mutating func required<T>(_ slot: inout T?, _ read: (inout Self) -> T?) -> Bool {
        guard slot == nil, let value = read(&self) else { return false }
        slot = value
        return true
    }

    /// An optional field: `null` reads as absent, as `decodeIfPresent` has it.
    mutating func optional<T>(_ slot: inout T?, _ read: (inout Self) -> T?) -> Bool {
        if literal("null") { return true }
        return required(&slot, read)
    }

    mutating func list<T>(_ read: (inout Self) -> T?) -> [T]? {
        var out: [T] = []
        let ok = array { r in
            guard let v = read(&r) else { return false }
            out.append(v)
            return true
        }
        return ok ? out : nil
    }

    mutating func strings() -> [String]? { list { $0.string() } }

    /// An object of level id → duration.
    mutating func durations() -> [String: SLADuration]? {
        stringMap { $0.string().flatMap(SLADuration.init(parsing:)) }
    }

    mutating func bool() -> Bool? {
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    /// Consumes `word` (after white space) if it is next and ends there.
    mutating func literal(_ word: StaticString) -> Bool {
        space()
        let matches = word.withUTF8Buffer { w in i + w.count <= p.count && (0..<w.count).allSatisfy { p[i + $0] == w[$0] } }
        guard matches else { return false }
        let n = word.utf8CodeUnitCount
        if i + n < p.count {
            let next = p[i + n]
            if (next >= 0x61 && next <= 0x7A) || (next >= 0x30 && next <= 0x39) { return false }
        }
        i += n
        return true
    }

    /// Skips one value of any type (an unknown key's, which the decoder ignores too), checking
    /// it as it goes: strings must read, numbers must look like JSON numbers.
    mutating func skipValue(depth: Int = 0) -> Bool {
        guard depth < JSONShape.maxDepth else { return false }
        space()
        guard i < p.count else { return false }
        switch p[i] {
        case 0x22: return string() != nil
        case 0x7B: return object { r, _ in r.skipValue(depth: depth + 1) }
        case 0x5B: return array { r in r.skipValue(depth: depth + 1) }
        case 0x74: return literal("true")
        case 0x66: return literal("false")
        case 0x6E: return literal("null")
        default:
            let start = i
            if p[i] == 0x2D { i += 1 }
            while i < p.count, (p[i] >= 0x30 && p[i] <= 0x39) || p[i] == 0x2E || p[i] == 0x65 || p[i] == 0x45 || p[i] == 0x2B || p[i] == 0x2D {
                i += 1
            }
            return i > start && p[i - 1] >= 0x30 && p[i - 1] <= 0x39
        }
    }
}
