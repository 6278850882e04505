#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The incident file's own reader and writer: the event log, which is nearly all of a file,
/// is parsed and written directly, byte by byte, instead of through `JSONDecoder` and
/// `JSONEncoder` (which cost most of a write to a long incident).
///
/// Both sides are exact stand-ins, never a second opinion:
/// - `decode` accepts only what it can read with certainty: anything unusual (an unknown or
///   repeated key, a value of the wrong type, a `\u` surrogate escape, invalid UTF-8, a
///   byte-order mark, a number that is not plain digits) returns nil, and the caller reads
///   the file the general way, which says precisely what is wrong. The cached `state`
///   object is handed to `JSONDecoder` as it is (it is small).
/// - `encode` writes the same bytes `JSONEncoder` writes with `.prettyPrinted`,
///   `.sortedKeys` and `.withoutEscapingSlashes` (a property test holds it to that), so files
///   written before and after compare line by line in git.
enum RecordCodec {
    // MARK: Decoding

    struct Parsed {
        var schemaVersion: Int
        var id: IncidentID
        var runbook: String
        var events: [Event]
        var state: IncidentState
        /// The byte just after the last event, when new events may be appended there.
        var eventsEnd: Int? = nil
    }

    /// The record in `bytes`, or nil when the general reader must look at it.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed? {
        var r = Reader(p: bytes)
        return r.record()
    }

    struct Reader {
        let p: UnsafeBufferPointer<UInt8>
        var i = 0

        init(p: UnsafeBufferPointer<UInt8>) { self.p = p }

        @inline(__always) mutating func space() {
            while i < p.count {
                let b = p[i]
                guard b == 0x20 || b == 0x0a || b == 0x09 || b == 0x0d else { return }
                i += 1
            }
        }

        @inline(__always) mutating func take(_ b: UInt8) -> Bool {
            space()
            guard i < p.count, p[i] == b else { return false }
            i += 1
            return true
        }

        /// A string's bytes, unescaped, as a String; nil for anything the fast path leaves
        /// to the general reader.
        mutating func string() -> String? {
            space()
            guard i < p.count, p[i] == 0x22 else { return nil }
            i += 1
            let start = i
            var ascii = true
            // Eight plain bytes at a time (ASCII, not a control, quote or backslash): most
            // of an incident file is such text.
            if let base = p.baseAddress {
                while i + 8 <= p.count {
                    let w = ByteScan.word(base, i)
                    guard !ByteScan.hasNonASCII(w), !ByteScan.hasByteBelow(w, 0x20),
                          ByteScan.matches(w, 0x22) == 0, ByteScan.matches(w, 0x5C) == 0 else { break }
                    i += 8
                }
            }
            while i < p.count {
                let b = p[i]
                if b == 0x22 {
                    let raw = UnsafeBufferPointer(rebasing: p[start..<i])
                    i += 1
                    if ascii { return String(decoding: raw, as: UTF8.self) }
                    return String(validating: raw, as: UTF8.self)
                }
                if b == 0x5C { return escapedString(from: start) }
                if b < 0x20 { return nil }
                if b >= 0x80 { ascii = false }
                i += 1
            }
            return nil
        }

        /// The slow half of `string`: resolves escapes into a byte buffer.
        mutating func escapedString(from start: Int) -> String? {
            var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: p[start..<i]))
            while i < p.count {
                let b = p[i]
                if b == 0x22 {
                    i += 1
                    return String(validating: out, as: UTF8.self)
                }
                if b < 0x20 { return nil }
                if b != 0x5C { out.append(b); i += 1; continue }
                guard i + 1 < p.count else { return nil }
                let e = p[i + 1]
                i += 2
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0c)
                case 0x6E: out.append(0x0a)
                case 0x72: out.append(0x0d)
                case 0x74: out.append(0x09)
                case 0x75:
                    guard i + 4 <= p.count else { return nil }
                    var v: UInt32 = 0
                    for k in 0..<4 {
                        guard let h = hexValue(p[i + k]) else { return nil }
                        v = v << 4 | h
                    }
                    i += 4
                    // Surrogates (paired or not) are left to the general reader.
                    guard !(0xD800...0xDFFF).contains(v), let scalar = Unicode.Scalar(v) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    return nil
                }
            }
            return nil
        }

        func hexValue(_ b: UInt8) -> UInt32? { jsonHexValue(b) }

        /// An object's keys, one at a time: calls `body` with each key (the value follows).
        /// False when the object is malformed or `body` refuses.
        mutating func object(_ body: (inout Reader, String) -> Bool) -> Bool {
            guard take(0x7B) else { return false }
            if take(0x7D) { return true }
            repeat {
                guard let key = string(), take(0x3A), body(&self, key) else { return false }
            } while take(0x2C)
            return take(0x7D)
        }

        /// An array's elements: calls `body` for each.
        mutating func array(_ body: (inout Reader) -> Bool) -> Bool {
            guard take(0x5B) else { return false }
            if take(0x5D) { return true }
            repeat {
                guard body(&self) else { return false }
            } while take(0x2C)
            return take(0x5D)
        }

        mutating func time() -> Timestamp? {
            // A time is plain ASCII: read from the file's bytes; anything else (an escape, a
            // byte past ASCII) goes through the string reader, which checks it.
            space()
            if i < p.count, p[i] == 0x22 {
                var end = i + 1
                while end < p.count, p[end] >= 0x20, p[end] < 0x80, p[end] != 0x22, p[end] != 0x5C { end += 1 }
                if end < p.count, p[end] == 0x22 {
                    let t = TimeParser.parseISO8601(utf8: UnsafeBufferPointer(rebasing: p[(i + 1)..<end]))
                    i = end + 1
                    return t
                }
            }
            guard let s = string() else { return nil }
            return TimeParser.parseISO8601(s)
        }

        /// A plain non-negative integer (the schema version).
        mutating func smallInt() -> Int? {
            space()
            // JSON allows no leading zero ("02"): left to the general reader, which refuses it.
            if i + 1 < p.count, p[i] == 0x30, p[i + 1] >= 0x30, p[i + 1] <= 0x39 { return nil }
            var n = 0, digits = 0
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39, digits < 9 {
                n = n * 10 + Int(p[i] - 0x30); i += 1; digits += 1
            }
            guard digits > 0, i < p.count, !(p[i] >= 0x30 && p[i] <= 0x39), p[i] != 0x2E, p[i] != 0x65, p[i] != 0x45 else { return nil }
            return n
        }

        /// Skips one JSON value whose range is wanted (the state object), checking only that
        /// brackets balance outside strings; the general decoder checks the rest.
        mutating func skipObject() -> Range<Int>? {
            space()
            guard i < p.count, p[i] == 0x7B else { return nil }
            let start = i
            var depth = 0
            while i < p.count {
                let b = p[i]
                i += 1
                switch b {
                case 0x22:
                    while i < p.count, p[i] != 0x22 { i += p[i] == 0x5C ? 2 : 1 }
                    guard i < p.count else { return nil }
                    i += 1
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 { return start..<i }
                default: break
                }
            }
            return nil
        }

        /// A plain key's bytes (ASCII letters, no escape), packed little-endian into one number
        /// when it has at most eight; `recordedAt`, the one longer key an event has, as
        /// `recordedAtKey`; 0 for anything else. An event's keys are told apart by this
        /// rather than by comparing a new String with each name (a tenth of reading a file).
        mutating func eventKey() -> UInt64 {
            space()
            guard i < p.count, p[i] == 0x22 else { return 0 }
            var end = i + 1
            var packed: UInt64 = 0
            while end < p.count, end - i <= 10, (p[end] | 0x20) >= 0x61, (p[end] | 0x20) <= 0x7A {  // a letter
                if end - i <= 8 { packed |= UInt64(p[end]) << (8 * UInt64(end - i - 1)) }
                end += 1
            }
            guard end < p.count, p[end] == 0x22 else { return 0 }
            let count = end - i - 1
            if count == 10 {
                guard UnsafeBufferPointer(rebasing: p[(i + 1)..<end]).elementsEqual("recordedAt".utf8) else { return 0 }
                packed = Self.recordedAtKey
            } else if count > 8 {
                return 0
            }
            i = end + 1
            return packed
        }

        static let recordedAtKey: UInt64 = 1 << 63

        mutating func event() -> Event? {
            var id: String?, kind: String?, at: Timestamp?, recordedAt: Timestamp?, author: String?, text: String?
            var fields: [String: String]?, parents: [String]?, hash: String?
            guard take(0x7B) else { return nil }
            var ok = take(0x7D)
            while !ok {
                let key = eventKey()
                guard key != 0, take(0x3A) else { return nil }
                switch key {
                case 0x6469: guard id == nil, let v = string() else { return nil }; id = v  // "id"
                case 0x646e_696b: guard kind == nil, let v = string() else { return nil }; kind = v  // "kind"
                case 0x7461: guard at == nil, let v = time() else { return nil }; at = v  // "at"
                case Self.recordedAtKey: guard recordedAt == nil, let v = time() else { return nil }; recordedAt = v
                case 0x726f_6874_7561: guard author == nil, let v = string() else { return nil }; author = v  // "author"
                case 0x7478_6574: guard text == nil, let v = string() else { return nil }; text = v  // "text"
                case 0x6873_6168: guard hash == nil, let v = string() else { return nil }; hash = v  // "hash"
                case 0x7364_6c65_6966:  // "fields"
                    guard fields == nil else { return nil }
                    var f: [String: String] = [:]
                    let ok = object { r, k in
                        guard let v = r.string(), f.updateValue(v, forKey: k) == nil else { return false }
                        return true
                    }
                    guard ok else { return nil }
                    fields = f
                case 0x73_746e_6572_6170:  // "parents"
                    guard parents == nil else { return nil }
                    var list: [String] = []
                    guard array({ r in
                        guard let v = r.string() else { return false }
                        list.append(v)
                        return true
                    }) else { return nil }
                    parents = list
                default: return nil
                }
                if take(0x2C) { continue }
                guard take(0x7D) else { return nil }
                ok = true
            }
            guard let id, let kind, let at, let recordedAt, let author, let text, let fields, let parents, let hash else { return nil }
            return Event(id: id, kind: kind, at: at, recordedAt: recordedAt, author: author, text: text,
                         fields: fields, parents: parents, hash: hash)
        }

        mutating func record() -> Parsed? {
            // A byte-order mark, or anything before the object, is the general reader's.
            guard let first = p.first, first == 0x7B else { return nil }
            var version: Int?, id: IncidentID?, runbook: String?, events: [Event]?, state: Range<Int>?
            var eventsEnd: Int?
            let ok = object { r, key in
                switch key {
                case "schemaVersion": guard version == nil, let v = r.smallInt() else { return false }; version = v
                case "id": guard id == nil, let s = r.string(), let v = IncidentID(s) else { return false }; id = v
                case "runbook": guard runbook == nil, let v = r.string() else { return false }; runbook = v
                case "state": guard state == nil, let v = r.skipObject() else { return false }; state = v
                case "events":
                    guard events == nil else { return false }
                    var list: [Event] = []
                    list.reserveCapacity(64)
                    guard r.array({ r in
                        guard let e = r.event() else { return false }
                        list.append(e)
                        eventsEnd = r.i
                        return true
                    }) else { return false }
                    events = list
                default: return false
                }
                return true
            }
            space()
            guard ok, i == p.count, let version, let id, let runbook, let events, let state else { return nil }
            let stateBytes = UnsafeBufferPointer(rebasing: p[state])
            guard (try? JSONShape.check(stateBytes)) != nil else { return nil }
            var s = Reader(p: stateBytes)
            guard let decoded = s.cachedState() else { return nil }
            // Where the event log ends, when the file is laid out as `encode` lays it out
            // at the start (events first): a later write may append there (`append`).
            let appendable = p.count >= canonicalStart.count && p[0..<canonicalStart.count].elementsEqual(canonicalStart)
            return Parsed(schemaVersion: version, id: id, runbook: runbook, events: events, state: decoded,
                          eventsEnd: appendable ? eventsEnd : nil)
        }

        /// The cached state object, as the general reader takes it: only its own keys (any
        /// other is refused), `null` for an optional field read as absent, and in a phase
        /// entry unknown keys skipped. Nil hands the file to the general reader.
        mutating func cachedState() -> IncidentState? {
            var id: IncidentID?, title: String?, publicTitle: String?, summary: String?, severity: String?
            var status: IncidentStatus?, phase: String?, type: String?, drill: Bool?
            var startedAt: Timestamp?, declaredAt: Timestamp?, acknowledgedAt: Timestamp?, containedAt: Timestamp?
            var resolvedAt: Timestamp?, closedAt: Timestamp?, postmortemPublishedAt: Timestamp?, resolutionSummary: String?
            var roles: [String: String]?, checked: [String]?, phaseHistory: [IncidentState.PhaseEntry]?
            var contestedRoles: [String: [String]]?, afterClose: [String]?, outcome: IncidentOutcome?
            var mergedInto: IncidentID?, outcomeReason: String?
            let ok = object { r, key in
                switch key {
                case "id": return r.required(&id) { $0.string().flatMap { IncidentID($0) } }
                case "title": return r.required(&title) { $0.string() }
                case "publicTitle": return r.optional(&publicTitle) { $0.string() }
                case "summary": return r.optional(&summary) { $0.string() }
                case "severity": return r.required(&severity) { $0.string() }
                case "status": return r.required(&status) { $0.string().flatMap(IncidentStatus.init(rawValue:)) }
                case "phase": return r.required(&phase) { $0.string() }
                case "type": return r.optional(&type) { $0.string() }
                case "drill": return r.required(&drill) { $0.bool() }
                case "startedAt": return r.required(&startedAt) { $0.time() }
                case "declaredAt": return r.required(&declaredAt) { $0.time() }
                case "acknowledgedAt": return r.optional(&acknowledgedAt) { $0.time() }
                case "containedAt": return r.optional(&containedAt) { $0.time() }
                case "resolvedAt": return r.optional(&resolvedAt) { $0.time() }
                case "closedAt": return r.optional(&closedAt) { $0.time() }
                case "postmortemPublishedAt": return r.optional(&postmortemPublishedAt) { $0.time() }
                case "resolutionSummary": return r.optional(&resolutionSummary) { $0.string() }
                case "roles": return r.required(&roles) { $0.stringMap { $0.string() } }
                case "checked": return r.required(&checked) { $0.strings() }
                case "phaseHistory": return r.required(&phaseHistory) { $0.list { $0.phaseEntry() } }
                case "contestedRoles": return r.optional(&contestedRoles) { $0.stringMap { $0.strings() } }
                case "afterClose": return r.optional(&afterClose) { $0.strings() }
                case "outcome": return r.optional(&outcome) { $0.string().flatMap(IncidentOutcome.init(rawValue:)) }
                case "mergedInto": return r.optional(&mergedInto) { $0.string().flatMap { IncidentID($0) } }
                case "outcomeReason": return r.optional(&outcomeReason) { $0.string() }
                default: return false
                }
            }
            space()
            guard ok, i == p.count, let id, let title, let severity, let status, let phase, let drill, let startedAt,
                  let declaredAt, let roles, let checked, let phaseHistory else { return nil }
            return IncidentState(id: id, title: title, publicTitle: publicTitle, summary: summary, severity: severity, status: status,
                                 phase: phase, type: type, drill: drill, startedAt: startedAt, declaredAt: declaredAt,
                                 acknowledgedAt: acknowledgedAt, containedAt: containedAt, resolvedAt: resolvedAt, closedAt: closedAt,
                                 postmortemPublishedAt: postmortemPublishedAt, resolutionSummary: resolutionSummary, roles: roles,
                                 checked: checked, phaseHistory: phaseHistory, contestedRoles: contestedRoles, afterClose: afterClose,
                                 outcome: outcome, mergedInto: mergedInto, outcomeReason: outcomeReason)
        }

        mutating func phaseEntry() -> IncidentState.PhaseEntry? {
            var phase: String?, at: Timestamp?
            let ok = object { r, key in
                switch key {
                case "phase": return r.required(&phase) { $0.string() }
                case "at": return r.required(&at) { $0.time() }
                default: return r.skipValue()
                }
            }
            guard ok, let phase, let at else { return nil }
            return IncidentState.PhaseEntry(phase: phase, at: at)
        }

        /// An object of string keys, each value read by `read`.
        mutating func stringMap<T>(_ read: (inout Reader) -> T?) -> [String: T]? {
            var out: [String: T] = [:]
            let ok = object { r, key in
                guard let v = read(&r), out.updateValue(v, forKey: key) == nil else { return false }
                return true
            }
            return ok ? out : nil
        }
    }

    // MARK: Encoding

    /// The file's bytes, as `JSONEncoder` (pretty-printed, sorted keys, slashes unescaped)
    /// would write them, plus a final newline. Throws what `JSONEncoder` would: a time
    /// outside what a store file holds.
    static func encode(_ record: IncidentRecord) throws -> [UInt8] {
        var w = Writer()
        w.out.reserveCapacity(1024 + record.events.count * 700)
        w.raw("{\n  \"events\" : ")
        if record.events.isEmpty {
            w.raw("[\n\n  ]")
        } else {
            w.raw("[\n")
            for (n, e) in record.events.enumerated() {
                if n > 0 { w.raw(",\n") }
                try w.event(e)
            }
            w.raw("\n  ]")
        }
        try w.tail(record)
        return w.out
    }

    /// The bytes a file starts with when `events` is its first key, as `encode` writes it.
    static let canonicalStart: [UInt8] = Array("{\n  \"events\" : [\n".utf8)

    /// The file for `record` made from the bytes of its previous version, `previous`, whose
    /// events are `record.events[..<count]` and end at byte `eventsEnd`: those bytes are kept
    /// as they are, the new events are appended after them, and what follows the event log
    /// (id, runbook, version, state: a few hundred bytes) is written afresh. A write then
    /// costs the same however long the incident is. Byte-identical to `encode` when the
    /// previous file was written by it (a test holds it to that).
    static func append(to previous: [UInt8], eventsEnd: Int, count: Int, _ record: IncidentRecord) throws -> [UInt8] {
        var w = Writer()
        w.out.reserveCapacity(eventsEnd + 2048 + (record.events.count - count) * 700)
        w.out.append(contentsOf: previous[..<eventsEnd])
        for e in record.events[count...] {
            w.raw(",\n")
            try w.event(e)
        }
        w.raw("\n  ]")
        try w.tail(record)
        return w.out
    }

    struct Writer {
        var out: [UInt8] = []

        @inline(__always) mutating func raw(_ s: StaticString) {
            s.withUTF8Buffer { out.append(contentsOf: $0) }
        }

        mutating func raw(_ s: String) { out.append(contentsOf: s.utf8) }

        static let hex: [UInt8] = Array("0123456789abcdef".utf8)

        /// A JSON string as `JSONEncoder` escapes it: quote, backslash and the C0 controls
        /// (with the short forms for backspace, form feed, newline, return and tab).
        mutating func string(_ s: String) {
            out.append(0x22)
            var s = s
            s.withUTF8 { u in
                var start = 0
                for (k, b) in u.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<k]))
                    start = k + 1
                    out.append(0x5C)
                    switch b {
                    case 0x22, 0x5C: out.append(b)
                    case 0x08: out.append(0x62)
                    case 0x0c: out.append(0x66)
                    case 0x0a: out.append(0x6E)
                    case 0x0d: out.append(0x72)
                    case 0x09: out.append(0x74)
                    default:
                        out.append(contentsOf: [0x75, 0x30, 0x30, Writer.hex[Int(b >> 4)], Writer.hex[Int(b & 15)]])
                    }
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: u[start...]))
            }
            out.append(0x22)
        }

        mutating func time(_ t: Timestamp) throws {
            guard t.isStorable else {
                throw EncodingError.invalidValue(t, EncodingError.Context(
                    codingPath: [], debugDescription: "\(t.iso8601) is outside the times a store file can hold (1970-01-01 to 9999-12-31 UTC)"))
            }
            string(t.iso8601)
        }

        /// Everything after the event log: id, runbook, schema version, the cached state.
        mutating func tail(_ record: IncidentRecord) throws {
            raw(",\n  \"id\" : "); string(record.id.description)
            raw(",\n  \"runbook\" : "); string(record.runbook)
            raw(",\n  \"schemaVersion\" : "); raw(String(record.schemaVersion))
            raw(",\n  \"state\" : ")
            try state(record.state)
            raw("\n}\n")
        }

        /// The cached state as `JSONEncoder` writes it nested in the file: keys sorted, absent
        /// optionals left out, two spaces deeper than on its own.
        mutating func state(_ s: IncidentState) throws {
            var fields: [(String, (inout Writer) throws -> Void)] = [
                ("id", { $0.string(s.id.description) }), ("title", { $0.string(s.title) }),
                ("severity", { $0.string(s.severity) }), ("status", { $0.string(s.status.rawValue) }),
                ("phase", { $0.string(s.phase) }), ("drill", { $0.raw(s.drill ? "true" : "false") }),
                ("startedAt", { try $0.time(s.startedAt) }), ("declaredAt", { try $0.time(s.declaredAt) }),
                ("roles", { $0.stringObject(s.roles, indent: 4) { w, v in w.string(v) } }),
                ("checked", { $0.stringArray(s.checked, indent: 4) }),
                ("phaseHistory", { w in
                    try w.list(s.phaseHistory, indent: 4) { w, entry in
                        w.raw("      {\n        \"at\" : "); try w.time(entry.at)
                        w.raw(",\n        \"phase\" : "); w.string(entry.phase)
                        w.raw("\n      }")
                    }
                }),
            ]
            func optional<T>(_ key: String, _ value: T?, _ body: @escaping (inout Writer, T) throws -> Void) {
                if let value { fields.append((key, { try body(&$0, value) })) }
            }
            optional("publicTitle", s.publicTitle) { $0.string($1) }
            optional("summary", s.summary) { $0.string($1) }
            optional("type", s.type) { $0.string($1) }
            optional("acknowledgedAt", s.acknowledgedAt) { try $0.time($1) }
            optional("containedAt", s.containedAt) { try $0.time($1) }
            optional("resolvedAt", s.resolvedAt) { try $0.time($1) }
            optional("closedAt", s.closedAt) { try $0.time($1) }
            optional("postmortemPublishedAt", s.postmortemPublishedAt) { try $0.time($1) }
            optional("resolutionSummary", s.resolutionSummary) { $0.string($1) }
            optional("contestedRoles", s.contestedRoles) { w, roles in
                w.stringObject(roles, indent: 4) { w, names in w.stringArray(names, indent: 6) }
            }
            optional("afterClose", s.afterClose) { $0.stringArray($1, indent: 4) }
            optional("outcome", s.outcome) { $0.string($1.rawValue) }
            optional("mergedInto", s.mergedInto) { $0.string($1.description) }
            optional("outcomeReason", s.outcomeReason) { $0.string($1) }
            fields.sort { Writer.keyOrder($0.0, $1.0) }
            raw("{\n")
            for (n, (key, body)) in fields.enumerated() {
                if n > 0 { raw(",\n") }
                raw("    "); string(key); raw(" : ")
                try body(&self)
            }
            raw("\n  }")
        }

        mutating func spaces(_ n: Int) { out.append(contentsOf: repeatElement(0x20, count: n)) }

        /// `[` items `]` with the items one level deeper than `indent` (the key's indent).
        mutating func list<T>(_ items: [T], indent: Int, _ item: (inout Writer, T) throws -> Void) rethrows {
            if items.isEmpty { raw("[\n\n"); spaces(indent); raw("]"); return }
            raw("[\n")
            for (n, v) in items.enumerated() {
                if n > 0 { raw(",\n") }
                try item(&self, v)
            }
            raw("\n"); spaces(indent); raw("]")
        }

        mutating func stringArray(_ items: [String], indent: Int) {
            list(items, indent: indent) { w, v in w.spaces(indent + 2); w.string(v) }
        }

        mutating func stringObject<T>(_ object: [String: T], indent: Int, _ value: (inout Writer, T) -> Void) {
            if object.isEmpty { raw("{\n\n"); spaces(indent); raw("}"); return }
            raw("{\n")
            for (n, key) in object.keys.sorted(by: Writer.keyOrder).enumerated() {
                if n > 0 { raw(",\n") }
                spaces(indent + 2); string(key); raw(" : ")
                value(&self, object[key]!)
            }
            raw("\n"); spaces(indent); raw("}")
        }

        mutating func event(_ e: Event) throws {
            raw("    {\n      \"at\" : "); try time(e.at)
            raw(",\n      \"author\" : "); string(e.author)
            raw(",\n      \"fields\" : ")
            stringObject(e.fields, indent: 6) { w, v in w.string(v) }
            raw(",\n      \"hash\" : "); string(e.hash)
            raw(",\n      \"id\" : "); string(e.id)
            raw(",\n      \"kind\" : "); string(e.kind)
            raw(",\n      \"parents\" : ")
            stringArray(e.parents, indent: 6)
            raw(",\n      \"recordedAt\" : "); try time(e.recordedAt)
            raw(",\n      \"text\" : "); string(e.text)
            raw("\n    }")
        }

        /// `JSONEncoder`'s `.sortedKeys` order: by UTF-8 bytes (not by canonical equivalence).
        static func keyOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
    }
}
