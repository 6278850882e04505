#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Runbook {
    /// Names of the runbooks built into the binary (from the repository's `runbooks/`).
    public static var shippedNames: [String] { EmbeddedResources.runbooks.keys.sorted() }

    public static let defaultName = "default"

    /// The text of a shipped runbook, if there is one by that name.
    public static func shippedText(named name: String) -> String? {
        EmbeddedResources.runbooks[name] ?? EmbeddedResources.runbooks.first { normalizedName($0.key) == normalizedName(name) }?.value
    }

    public static func shipped(named name: String) throws -> Runbook {
        guard let text = shippedText(named: name) else {
            throw IncidentError.unknownName(category: "runbook", name: name, known: shippedNames)
        }
        return try decode(Data(text.utf8), origin: "'\(name)' (built in)")
    }

    public static var builtInDefault: Runbook {
        // The shipped default is validated by the test suite; failing here is a build defect.
        (try? shipped(named: defaultName)) ?? Runbook.emergencyFallback
    }

    /// Decodes and validates a runbook document. Errors name the field at fault.
    public static func decode(_ data: Data, origin: String) throws -> Runbook {
        let runbook: Runbook
        do {
            let header = try JSONDecoder().decode(SchemaHeader.self, from: data)
            if let v = header.schemaVersion, v > currentSchemaVersion {
                throw IncidentError.invalidRunbook(origin: origin, reason: "schemaVersion \(v) is newer than this incident binary understands (\(currentSchemaVersion)); upgrade incident")
            }
            runbook = try JSONDecoder().decode(Runbook.self, from: data)
        } catch let error as DecodingError {
            throw IncidentError.invalidRunbook(origin: origin, reason: describe(error))
        } catch let error as IncidentError {
            throw error
        } catch {
            throw IncidentError.invalidRunbook(origin: origin, reason: "it is not valid JSON")
        }
        try runbook.validate(origin: origin)
        return runbook
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Semantic checks the JSON shape cannot express.
    public func validate(origin: String) throws {
        func fail(_ reason: String) -> IncidentError { .invalidRunbook(origin: origin, reason: reason) }
        if schemaVersion < 1 { throw fail("schemaVersion must be 1 or more") }
        if name.isEmpty { throw fail("'name' is empty") }
        if levels.isEmpty { throw fail("'levels' is empty; a runbook needs at least one severity level") }
        if phases.isEmpty { throw fail("'phases' is empty; a runbook needs at least one phase") }
        try checkUnique(levels, "levels", fail)
        try checkUnique(roles, "roles", fail)
        try checkUnique(phases, "phases", fail)
        try checkUnique(entryKinds, "entryKinds", fail)
        try checkUnique(incidentTypes ?? [], "incidentTypes", fail)
        for kind in entryKinds where BuiltInKind.all.contains(kind.id) {
            throw fail("entryKinds: '\(kind.id)' is a built-in event kind and cannot be a note kind")
        }
        let roleIDs = Set(roles.map(\.id)), levelIDs = Set(levels.map(\.id)), phaseIDs = Set(phases.map(\.id))
        for (i, level) in levels.enumerated() {
            for r in level.requiredRoles ?? [] where !roleIDs.contains(r) {
                throw fail("levels[\(i)].requiredRoles: '\(r)' is not a role id")
            }
        }
        for (i, role) in roles.enumerated() {
            if let b = role.backup, !roleIDs.contains(b) { throw fail("roles[\(i)].backup: '\(b)' is not a role id") }
        }
        for (i, phase) in phases.enumerated() {
            for m in phase.marks ?? [] where !["acknowledged", "contained", "resolved"].contains(m) {
                throw fail("phases[\(i)].marks: '\(m)' must be acknowledged, contained or resolved")
            }
            for (j, item) in (phase.checklist ?? []).enumerated() {
                if item.text.isEmpty { throw fail("phases[\(i)].checklist[\(j)].text is empty") }
                for k in item.satisfiedBy ?? [] where !(BuiltInKind.milestones.contains(k) || BuiltInKind.all.contains(k) || entryKinds.contains { $0.id == k }) {
                    throw fail("phases[\(i)].checklist[\(j)].satisfiedBy: '\(k)' is not an entry kind or milestone")
                }
                for l in item.levels ?? [] where !levelIDs.contains(l) {
                    throw fail("phases[\(i)].checklist[\(j)].levels: '\(l)' is not a level id")
                }
            }
        }
        for (i, drill) in (drills ?? []).enumerated() {
            if !["monthly", "quarterly", "yearly", "annually"].contains(drill.every.lowercased()) {
                throw fail("drills[\(i)].every: '\(drill.every)' must be monthly, quarterly or yearly")
            }
            if let l = drill.level, !levelIDs.contains(l) { throw fail("drills[\(i)].level: '\(l)' is not a level id") }
        }
        for (i, type) in (incidentTypes ?? []).enumerated() {
            for r in type.requiredRoles ?? [] where !roleIDs.contains(r) {
                throw fail("incidentTypes[\(i)].requiredRoles: '\(r)' is not a role id")
            }
            for (j, item) in (type.checklist ?? []).enumerated() {
                guard let p = item.phase, phaseIDs.contains(p) else {
                    throw fail("incidentTypes[\(i)].checklist[\(j)].phase must name a phase id")
                }
            }
        }
        if let calendar {
            do { _ = try calendar.compiled() } catch { throw fail(error.message) }
        }
        if let monitoring {
            if monitoring.window == nil && (monitoring.levels ?? [:]).isEmpty {
                throw fail("monitoring needs a 'window' (e.g. \"30m\") or per-level 'levels'")
            }
            if let w = monitoring.window, w.amount <= 0 { throw fail("monitoring.window must be longer than zero") }
            for (level, d) in monitoring.levels ?? [:] {
                if !levelIDs.contains(level) { throw fail("monitoring.levels: '\(level)' is not a level id") }
                if d.amount <= 0 { throw fail("monitoring.levels.\(level) must be longer than zero") }
            }
        }
        let kinds = Set(entryKinds.map(\.id) + BuiltInKind.all)
        func checkTrigger(_ t: String, _ field: String) throws {
            if BuiltInKind.milestones.contains(t) || kinds.contains(t) { return }
            if t.hasPrefix("phase:"), phaseIDs.contains(String(t.dropFirst(6))) { return }
            throw fail("\(field): '\(t)' is not a milestone (\(BuiltInKind.milestones.joined(separator: ", "))), 'phase:<id>' or an entry kind")
        }
        var timerIDs = Set<String>()
        for (i, timer) in timers.enumerated() {
            if timer.id.isEmpty { throw fail("timers[\(i)].id is empty") }
            if !timerIDs.insert(timer.id).inserted { throw fail("timers[\(i)].id '\(timer.id)' is used twice") }
            try checkTrigger(timer.start, "timers[\(i)].start")
            if timer.stop.isEmpty { throw fail("timers[\(i)].stop is empty; say what stops the timer") }
            for t in timer.stop { try checkTrigger(t, "timers[\(i)].stop") }
            for t in timer.until ?? [] { try checkTrigger(t, "timers[\(i)].until") }
            for (level, d) in timer.durations {
                if !levelIDs.contains(level) { throw fail("timers[\(i)].durations: '\(level)' is not a level id") }
                if d.amount <= 0 && timer.repeats == true { throw fail("timers[\(i)].durations.\(level) must be positive for a repeating timer") }
            }
        }
    }

    private func checkUnique<T: NamedRunbookEntry>(_ items: [T], _ field: String, _ fail: (String) -> IncidentError) throws {
        var seen: [String: String] = [:]
        for (i, item) in items.enumerated() {
            if item.id.isEmpty || item.id.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
                throw fail("\(field)[\(i)].id '\(item.id)' must be a non-empty word without spaces, '/' or ':'")
            }
            for name in [item.id, item.title] + (item.aliases ?? []) {
                let n = normalizedName(name)
                if n.isEmpty { continue }
                if let other = seen[n], other != item.id {
                    throw fail("\(field)[\(i)]: the name '\(name)' is also used by '\(other)'")
                }
                seen[n] = item.id
            }
        }
    }

    /// Used only if the embedded default failed to decode, so the tool still starts.
    static let emergencyFallback = Runbook(
        schemaVersion: 1, name: "fallback", title: "Fallback", description: nil, sources: nil,
        levels: [Level(id: "high", title: "High", aliases: nil, description: nil, examples: nil, requiredRoles: nil, notes: nil)],
        roles: [Role(id: "commander", title: "Incident Commander", aliases: ["ic"], duties: nil, backup: nil)],
        phases: [Phase(id: "respond", title: "Respond", aliases: nil, description: nil, checklist: nil, marks: nil)],
        timers: [], entryKinds: [EntryKind(id: "note", title: "Note", aliases: nil, description: nil)],
        closeGates: [.resolved], incidentTypes: nil, drills: nil)
}

struct SchemaHeader: Decodable {
    var schemaVersion: Int?
}

/// Turns a DecodingError into "field path: problem". Linux's JSONDecoder drops line and
/// column, so the path is built from `codingPath`.
public func describe(_ error: DecodingError) -> String {
    func path(_ codingPath: [CodingKey], _ extra: CodingKey? = nil) -> String {
        var parts: [String] = []
        for key in codingPath + (extra.map { [$0] } ?? []) {
            if let i = key.intValue { parts.append("[\(i)]") } else {
                parts.append(parts.isEmpty ? key.stringValue : "." + key.stringValue)
            }
        }
        return parts.isEmpty ? "the document" : "'" + parts.joined() + "'"
    }
    switch error {
    case let .keyNotFound(key, context):
        return "\(path(context.codingPath, key)) is missing"
    case let .typeMismatch(type, context):
        return "\(path(context.codingPath)) has the wrong type (expected \(typeName(type)))"
    case let .valueNotFound(type, context):
        return "\(path(context.codingPath)) is null (expected \(typeName(type)))"
    case let .dataCorrupted(context):
        if context.codingPath.isEmpty { return "it is not valid JSON" }
        return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return "it could not be decoded"
    }
}

private func typeName(_ type: Any.Type) -> String {
    let s = String(describing: type)
    switch s {
    case "String": return "a string"
    case "Int", "Int64": return "a number"
    case "Bool": return "true or false"
    case _ where s.hasPrefix("Array"): return "an array"
    case _ where s.hasPrefix("Dictionary"): return "an object"
    default: return s
    }
}
