/// The words the importer recognises: severity names, timer words, roles, phases.
public enum ImportVocabulary {
    // MARK: Severity names

    /// Words that prefix a level number or letter: `SEV1`, `Sev 2`, `P0`, `Priority 3`, `Level B`.
    static let levelPrefixes: [String: (compact: Bool, letters: Bool)] = [
        "sev": (true, true), "severity": (false, true), "p": (true, false), "pri": (true, false),
        "priority": (false, true), "level": (false, true), "lvl": (true, true), "l": (true, false),
        "s": (true, false), "class": (false, true), "category": (false, true), "cat": (true, true),
        "tier": (false, true), "grade": (false, true), "incident": (false, false),
    ]

    /// Adjectives used as level names, with a rank (0 = most severe).
    static let severityWords: [String: Int] = [
        "catastrophic": 0, "disaster": 0, "emergency": 0, "blocker": 0, "sev0": 0,
        "critical": 1, "urgent": 1, "severe": 1, "crit": 1,
        "high": 2, "major": 2, "serious": 2, "important": 2,
        "medium": 3, "moderate": 3, "normal": 3, "average": 3, "elevated": 3, "significant": 3, "med": 3,
        "minor": 4, "low": 4,
        "informational": 5, "info": 5, "trivial": 5, "cosmetic": 5, "negligible": 5, "lowest": 5, "notice": 5,
    ]

    /// Headers of a column that holds level names.
    static let levelHeaders: Set<String> = ["severity", "sev", "priority", "pri", "p", "level", "lvl", "class", "category",
                                            "tier", "grade", "classification", "impact level", "incident level", "severity level",
                                            "priority level", "incident severity", "rating", "s", "sev level"]
    /// Headers of a column that holds another name for the level.
    static let nameHeaders: Set<String> = ["name", "label", "title", "alias", "aliases", "aka", "also known as", "common name",
                                           "severity name", "level name", "meaning", "severity", "priority", "impact"]
    /// Headers of a column that describes the level (never a time column).
    static let descriptionWords: Set<String> = ["description", "definition", "definitions", "criteria", "example", "examples",
                                                "typical", "scope", "meaning", "summary", "impact", "when", "condition", "conditions",
                                                "what", "trigger", "triggers", "characteristics", "notes", "note", "who", "owner", "contact"]

    // MARK: Timers

    public enum TimerKind: String, CaseIterable, Sendable, Codable {
        case acknowledge, contain, resolve, fix, firstUpdate = "first-update", update = "comms-update",
             executives = "exec-notification", stakeholders = "notify-stakeholders", customers = "notify-customers",
             regulators = "notify-regulators", escalate, postmortem, review

        /// The id the runbook uses (the shipped runbooks' names where they have one).
        public var id: String {
            switch self {
            case .fix: return "permanent-fix"
            default: return rawValue
            }
        }
    }

    /// Timer words, longest phrases first where they overlap. Matched on whole words.
    static let timerWords: [(TimerKind, [String])] = [
        (.update, ["status page", "status update", "status updates", "comms cadence", "communication cadence", "update cadence", "cadence", "updates", "update", "updated", "check in", "check ins", "comms"]),
        (.acknowledge, ["acknowledge", "acknowledged", "acknowledgement", "acknowledgment", "acknowledgements", "acknowledgments", "ack", "acked", "respond", "responds", "response", "responses", "responded", "page", "paged", "paging", "tta", "mtta", "engage", "engaged", "first response", "time to respond"]),
        (.contain, ["contain", "contained", "containment", "mitigate", "mitigated", "mitigation", "stabilise", "stabilize", "stabilised", "stabilized", "workaround", "ttm", "time to mitigate"]),
        (.resolve, ["resolve", "resolved", "resolution", "resolutions", "restore", "restored", "restoration", "recover", "recovered", "recovery", "rto", "ttr", "mttr", "time to resolve", "time to restore"]),
        (.fix, ["permanent fix", "fix", "fixed", "fixes", "patch", "patched", "patching", "remediate", "remediated", "remediation", "hotfix"]),
        (.executives, ["executive", "executives", "exec", "execs", "leadership", "cto", "ceo", "ciso", "cio", "vp", "c level", "board"]),
        (.stakeholders, ["stakeholder", "stakeholders"]),
        (.customers, ["customer", "customers", "affected users", "users", "clients", "client"]),
        (.regulators, ["regulator", "regulators", "regulatory", "authorities", "authority", "supervisory", "dpa", "ico", "data protection"]),
        (.escalate, ["escalate", "escalated", "escalation", "escalations", "manager", "managers", "management"]),
        (.postmortem, ["postmortem", "postmortems", "post mortem", "incident report", "post incident report", "report", "rca", "root cause analysis", "after action", "pir report"]),
        (.review, ["review", "reviews", "retrospective", "retro", "lessons learned", "post incident review", "pir"]),
    ]

    static let firstUpdateWords: Set<String> = ["first", "initial"]
    static let cadenceHeaderWords: Set<String> = ["cadence", "frequency", "interval", "updates", "every"]

    /// First word of a timer phrase → (kind, phrase words, phrase as written), longest first.
    static let timerIndex: [String: [(TimerKind, [String], String)]] = {
        var index: [String: [(TimerKind, [String], String)]] = [:]
        for (kind, phrases) in timerWords {
            for phrase in phrases {
                let p = phrase.split(separator: " ").map(String.init)
                index[p[0], default: []].append((kind, p, phrase))
            }
        }
        return index.mapValues { $0.sorted { $0.1.count > $1.1.count } }
    }()

    /// The earliest timer word in `words`, with its kind and the word as written.
    static func timerKind(_ words: [String]) -> (TimerKind, String, Int)? {
        for i in words.indices {
            guard let candidates = timerIndex[words[i]] else { continue }
            for (kind, p, phrase) in candidates where i + p.count <= words.count {
                if p.count == 1 || Array(words[i..<(i + p.count)]) == p { return (kind, phrase, i) }
            }
        }
        return nil
    }

    // MARK: Roles

    /// Canonical role ids for well-known titles (so `assign ID ic NAME` works as with the shipped runbooks).
    static let knownRoles: [(id: String, words: [String])] = [
        ("deputy", ["deputy incident commander", "deputy ic", "deputy"]),
        ("commander", ["incident commander", "incident manager", "incident lead", "incident coordinator", "commander", "ic"]),
        ("scribe", ["scribe", "note taker", "notetaker", "recorder"]),
        ("comms", ["communications lead", "communication lead", "comms lead", "communications owner", "communications manager", "communications", "comms", "communications officer", "comms owner", "comms manager"]),
        ("ops", ["operations lead", "ops lead", "operations", "mitigation owner"]),
        ("tech", ["technical lead", "tech lead", "engineering lead", "technical"]),
        ("security", ["security lead", "security owner", "security liaison", "security officer", "security"]),
        ("legal", ["legal", "privacy", "legal counsel", "counsel", "legal privacy"]),
        ("sme", ["subject matter expert", "subject matter experts", "sme", "smes", "expert"]),
    ]

    /// The last word of a role title.
    static let roleNouns: Set<String> = ["commander", "lead", "leader", "owner", "manager", "scribe", "expert", "experts", "sme", "smes",
                                         "liaison", "officer", "coordinator", "sponsor", "responder", "responders", "counsel",
                                         "deputy", "ic", "analyst", "engineer", "representative", "spokesperson", "contact", "lawyer", "notetaker"]

    static let roleSectionWords: Set<String> = ["roles", "role", "responsibilities", "team", "staffing", "raci", "who", "people", "personnel"]

    // MARK: Phases

    /// NIST SP 800-61 and common lifecycle names → a phase family (marks follow the shipped runbooks).
    static let phaseFamilies: [(family: String, words: [String])] = [
        ("prepare", ["preparation", "prepare", "readiness"]),
        ("detect", ["detection", "detect", "identification", "identify", "analysis", "triage", "assessment", "assess", "investigation", "investigate", "activation", "declare", "declaration", "intake", "discovery"]),
        ("escalate", ["escalation", "escalate", "notification", "notify"]),
        ("contain", ["containment", "contain", "mitigation", "mitigate", "stabilisation", "stabilization", "isolation"]),
        ("eradicate", ["eradication", "eradicate", "remediation", "remediate"]),
        ("recover", ["recovery", "recover", "restoration", "restore", "resolution", "resolve", "verification", "validation"]),
        ("communicate", ["communication", "communications", "communicate", "comms"]),
        ("post", ["post incident", "postmortem", "post mortem", "lessons learned", "review", "retrospective", "closure", "close", "follow up", "follow ups", "post incident activity", "post incident review", "after action"]),
    ]

    static let processSectionWords: Set<String> = ["lifecycle", "life", "process", "procedure", "procedures", "phases", "stages", "workflow", "steps", "timeline"]
    static let checklistSectionWords: Set<String> = ["checklist", "checklists", "tasks", "todo"]
    static let templateSectionWords: Set<String> = ["template", "templates", "messages", "message", "wording", "boilerplate", "scripts"]

    static func phaseFamily(_ words: [String]) -> String? {
        let joined = " " + words.joined(separator: " ") + " "
        var best: (String, Int)?
        for (family, names) in phaseFamilies {
            for n in names {
                if let r = joined.firstRange(of: " " + n + " ") {
                    let pos = joined.distance(from: joined.startIndex, to: r.lowerBound)
                    if best == nil || pos < best!.1 { best = (family, pos) }
                }
            }
        }
        return best?.0
    }
}
