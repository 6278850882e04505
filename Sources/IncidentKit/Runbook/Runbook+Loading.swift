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
            try JSONShape.check(data)
        } catch let problem as JSONShape.Problem {
            throw IncidentError.invalidRunbook(origin: origin, reason: problem.description)
        }
        func newer(_ v: Int) -> IncidentError {
            IncidentError.invalidRunbook(origin: origin, reason: "schemaVersion \(v) is newer than this incident binary understands (\(currentSchemaVersion)); upgrade incident")
        }
        do {
            // One parse when all is well; the version alone is looked at only to explain a
            // failure (a newer runbook may hold what this binary cannot read).
            do {
                // The direct reader first (the common case, a well-formed runbook); it leaves
                // anything unusual to JSONDecoder, whose errors name the field.
                if let direct = RunbookReader.runbook(data) {
                    runbook = direct
                } else {
                    runbook = try JSONDecoder().decode(Runbook.self, from: data)
                }
            } catch {
                if let v = (try? JSONDecoder().decode(SchemaHeader.self, from: data))?.schemaVersion, v > currentSchemaVersion { throw newer(v) }
                throw error
            }
            if runbook.schemaVersion > currentSchemaVersion { throw newer(runbook.schemaVersion) }
        } catch let error as DecodingError {
            throw IncidentError.invalidRunbook(origin: origin, reason: describe(error))
        } catch let error as IncidentError {
            throw error
        } catch {
            throw IncidentError.invalidRunbook(origin: origin, reason: "it is not valid JSON")
        }
        try runbook.validate(origin: origin)
        if let (field, scalar) = runbook.firstHiddenCharacter(in: data) {
            throw IncidentError.invalidRunbook(origin: origin, reason: "\(field) holds the invisible or control character U+\(String(scalar, radix: 16, uppercase: true)); runbook text must be plain printable text")
        }
        return runbook
    }

    /// The first string in the document holding a character the terminal escaper would have to
    /// neutralise (control, bidi override, zero-width, tag character), with the field it is in.
    /// A byte scan finds whether there is one; only then is the decoded runbook walked to name
    /// the field, so a clean runbook costs one pass over its bytes.
    func firstHiddenCharacter(in data: Data) -> (String, UInt32)? {
        guard Runbook.mayHoldHiddenCharacter(data) else { return nil }
        var found: (String, UInt32)?
        func walk(_ value: Any, _ path: String) {
            if found != nil { return }
            if let s = value as? String {
                if let bad = s.unicodeScalars.first(where: { Sanitizer.isDangerous($0.value) }) { found = (path, bad.value) }
                return
            }
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                if let child = mirror.children.first { walk(child.value, path) }
                return
            }
            for (i, child) in mirror.children.enumerated() {
                if mirror.displayStyle == .dictionary {
                    let pair = Mirror(reflecting: child.value).children.map(\.value)
                    if pair.count == 2 {
                        let key = "\(pair[0])"
                        walk(pair[0], path + "." + key)
                        walk(pair[1], path + "." + key)
                    }
                } else if mirror.displayStyle == .collection {
                    walk(child.value, path + "[\(i)]")
                } else {
                    walk(child.value, path.isEmpty ? (child.label ?? "") : path + "." + (child.label ?? ""))
                }
            }
        }
        walk(self, "")
        return found ?? ("a string", 0xFFFD)
    }

    /// Cheap pre-check over the raw JSON: a `\u` escape of a dangerous scalar, or a raw
    /// non-ASCII scalar that is dangerous.
    static func mayHoldHiddenCharacter(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x5c, i + 5 < bytes.count, bytes[i + 1] == 0x75 {   // \uXXXX
                if let v = UInt32(String(decoding: bytes[(i + 2)...(i + 5)], as: UTF8.self), radix: 16), Sanitizer.isDangerous(v) { return true }
                i += 6
                continue
            }
            if b == 0x5c { i += 2; continue }
            if b >= 0x80 {
                // Decode one UTF-8 scalar.
                var len = 0
                if b & 0xE0 == 0xC0 { len = 2 } else if b & 0xF0 == 0xE0 { len = 3 } else if b & 0xF8 == 0xF0 { len = 4 }
                if len > 0, i + len <= bytes.count, let s = String(validating: bytes[i..<(i + len)], as: UTF8.self),
                   let scalar = s.unicodeScalars.first, Sanitizer.isDangerous(scalar.value) {
                    return true
                }
                i += max(len, 1)
                continue
            }
            if b < 0x20 && b != 0x0a && b != 0x09 && b != 0x0d { return true }
            i += 1
        }
        return false
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// The longest timer a runbook may define: ten years.
    public static let longestDurationMinutes: Int64 = 10 * 366 * 1440

    /// Semantic checks the JSON shape cannot express.
    public func validate(origin: String) throws {
        func fail(_ reason: String) -> IncidentError { .invalidRunbook(origin: origin, reason: reason) }
        if schemaVersion < 1 { throw fail("schemaVersion must be 1 or more") }
        if !Runbook.isSafeID(name) { throw fail("'name' '\(Sanitizer.forTerminal(String(name.prefix(64))))' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit") }
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
            let tooLong = Timestamp.earliest.adding(minutes: Runbook.longestDurationMinutes)
            if let w = monitoring.window {
                if w.amount <= 0 { throw fail("monitoring.window must be longer than zero") }
                if w.added(to: .earliest) > tooLong { throw fail("monitoring.window '\(w)' is longer than ten years") }
            }
            for (level, d) in monitoring.levels ?? [:] {
                if !levelIDs.contains(level) { throw fail("monitoring.levels: '\(level)' is not a level id") }
                if d.amount <= 0 { throw fail("monitoring.levels.\(level) must be longer than zero") }
                if d.added(to: .earliest) > tooLong { throw fail("monitoring.levels.\(level): '\(d)' is longer than ten years") }
            }
        }
        let kinds = Set(entryKinds.map(\.id) + BuiltInKind.all)
        func checkTrigger(_ t: String, _ field: String) throws {
            if BuiltInKind.milestones.contains(t) || kinds.contains(t) { return }
            if t.hasPrefix("phase:"), phaseIDs.contains(String(t.dropFirst(6))) { return }
            throw fail("\(field): '\(t)' is not a milestone (\(BuiltInKind.milestones.joined(separator: ", "))), 'phase:<id>' or an entry kind")
        }
        var timerIDs = Set<String>()
        for (i, drill) in (drills ?? []).enumerated() where !Runbook.isSafeID(drill.id) {
            throw fail("drills[\(i)].id '\(Sanitizer.forTerminal(String(drill.id.prefix(64))))' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        var drillIDs = Set<String>()
        for (i, drill) in (drills ?? []).enumerated() where !drillIDs.insert(drill.id.lowercased()).inserted {
            throw fail("drills[\(i)].id '\(drill.id)' is used twice")
        }
        for (i, timer) in timers.enumerated() {
            if !Runbook.isSafeID(timer.id) { throw fail("timers[\(i)].id '\(Sanitizer.forTerminal(String(timer.id.prefix(64))))' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit") }
            if !timerIDs.insert(timer.id.lowercased()).inserted { throw fail("timers[\(i)].id '\(timer.id)' is used twice") }
            try checkTrigger(timer.start, "timers[\(i)].start")
            if timer.stop.isEmpty { throw fail("timers[\(i)].stop is empty; say what stops the timer") }
            for t in timer.stop { try checkTrigger(t, "timers[\(i)].stop") }
            for t in timer.until ?? [] { try checkTrigger(t, "timers[\(i)].until") }
            for (level, d) in timer.durations {
                if !levelIDs.contains(level) { throw fail("timers[\(i)].durations: '\(level)' is not a level id") }
                if d.amount <= 0 && timer.repeats == true { throw fail("timers[\(i)].durations.\(level) must be positive for a repeating timer") }
                // Deadlines are instants: a duration past any plausible horizon (or the year 9999) is a typo.
                if d.added(to: Timestamp.earliest) > Timestamp.earliest.adding(minutes: Runbook.longestDurationMinutes) {
                    throw fail("timers[\(i)].durations.\(level): '\(d)' is longer than ten years")
                }
            }
        }
    }

    private func checkUnique<T: NamedRunbookEntry>(_ items: [T], _ field: String, _ fail: (String) -> IncidentError) throws {
        var seen: [String: String] = [:]
        var ids = Set<String>()
        for (i, item) in items.enumerated() {
            if !Runbook.isSafeID(item.id) {
                throw fail("\(field)[\(i)].id '\(Sanitizer.forTerminal(String(item.id.prefix(64))))' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
            }
            if !ids.insert(normalizedName(item.id)).inserted {
                throw fail("\(field)[\(i)].id '\(item.id)' is used twice")
            }
            if item.title.isEmpty || item.title.count > 200 {
                throw fail("\(field)[\(i)].title must be 1 to 200 characters")
            }
            for name in [item.id, item.title] + (item.aliases ?? []) {
                if name.count > 200 { throw fail("\(field)[\(i)]: the name '\(Sanitizer.forTerminal(String(name.prefix(40))))...' is over 200 characters") }
                let n = normalizedName(name)
                if n.isEmpty { continue }
                if let other = seen[n], other != item.id {
                    throw fail("\(field)[\(i)]: the name '\(Sanitizer.forTerminal(name))' is also used by '\(other)'")
                }
                seen[n] = item.id
            }
        }
    }

    /// Ids become file names, shell completion candidates and command-line words: letters,
    /// digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters.
    public static func isSafeID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.unicodeScalars.count <= 64 else { return false }
        func ok(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
        }
        return ok(first) && id.unicodeScalars.allSatisfy { ok($0) || $0 == "." || $0 == "_" || $0 == "-" }
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

    enum CodingKeys: String, CodingKey { case schemaVersion }

    /// A version that is not a whole number in range (a string, a fraction, `1e400`) is named
    /// as the field with the wrong type, not as invalid JSON.
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.schemaVersion), !((try? c.decodeNil(forKey: .schemaVersion)) ?? false) else { schemaVersion = nil; return }
        guard let v = try? c.decode(Int.self, forKey: .schemaVersion) else {
            throw DecodingError.typeMismatch(Int.self, DecodingError.Context(codingPath: [CodingKeys.schemaVersion],
                                                                             debugDescription: "not a whole number"))
        }
        schemaVersion = v
    }
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
