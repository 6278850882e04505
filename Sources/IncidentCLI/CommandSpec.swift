import IncidentKit

/// One option of a command, as data: parsing, help and completion all read this table.
struct OptionSpec: Sendable {
    var name: String
    var short: Character? = nil
    /// nil for a flag; the placeholder shown in help otherwise (`TIME`, `LEVEL`).
    var value: String? = nil
    var help: String
    /// What completes the value (a `CompletionCategory` name); nil: inferred from `value`.
    var completion: String? = nil
}

struct ArgumentSpec: Sendable {
    var name: String
    var help: String
    var optional: Bool = false
    /// Takes every remaining word (joined with spaces), so `note 42 pods restarted` works.
    var rest: Bool = false
    /// What completes it (a `CompletionCategory` name); nil: inferred from `name`.
    var completion: String? = nil
}

/// A command: its words (`["runbook", "show"]`), its arguments and options, its help and
/// examples, and what it runs. The whole command line interface is the table of these.
struct CommandSpec: Sendable {
    var path: [String]
    var aliases: [String]
    var summary: String
    /// Built when help is shown, not at every start: some of it is assembled from lists
    /// (the shipped runbooks, the hook events), which costs a command that never shows it.
    private var discussionText: @Sendable () -> String
    var discussion: String { discussionText() }
    var arguments: [ArgumentSpec]
    var options: [OptionSpec]
    var examples: [String]
    var run: @Sendable (Invocation) throws -> Int32

    init(path: [String], aliases: [String] = [], summary: String, discussion: @autoclosure @escaping @Sendable () -> String = "",
         arguments: [ArgumentSpec] = [], options: [OptionSpec] = [], examples: [String] = [],
         run: @escaping @Sendable (Invocation) throws -> Int32) {
        self.path = path; self.aliases = aliases; self.summary = summary; self.discussionText = discussion
        self.arguments = arguments; self.options = options; self.examples = examples; self.run = run
    }

    var name: String { path.joined(separator: " ") }
    /// Plumbing run by scripts or git, not by people: left out of help and completion.
    var hidden: Bool { path[0].hasPrefix("_") || path[0] == "merge-driver" }
}

enum GlobalOptions {
    static let all: [OptionSpec] = [
        OptionSpec(name: "store", value: "DIR", help: "The incident store. Else $INCIDENT_STORE, else ~/.local/share/incident."),
        OptionSpec(name: "as", value: "NAME", help: "Who is acting (author of every event). Else $INCIDENT_USER, else the login name."),
        OptionSpec(name: "at", value: "TIME", help: "When it happened, or the moment a query is evaluated at. Default: now. A zone-less time (14:05, 2026-11-23 14:05) is in your zone (TZ, else the system's)."),
        OptionSpec(name: "future", help: "Accept an --at (or --started-at) more than 5 minutes ahead of the clock; refused as a likely typo otherwise."),
        OptionSpec(name: "json", help: "Machine-readable output: one JSON document on stdout."),
        OptionSpec(name: "no-color", help: "No colour, even on a terminal (NO_COLOR does the same)."),
        OptionSpec(name: "allow-secrets", help: "Store text that looks like a credential instead of redacting it."),
        OptionSpec(name: "help", short: "h", help: "Show help for the tool or the command."),
        OptionSpec(name: "version", help: "Print the version."),
    ]
}

/// The result of parsing: the command and what was given.
struct ParsedCommandLine {
    var command: CommandSpec?
    var positionals: [String] = []
    var options: [String: String] = [:]
    /// Options given more than once (whatever their values).
    var repeated: Set<String> = []
    var helpRequested: Bool { options["help"] != nil }
}

enum Parser {
    static func parse(_ argv: [String], commands: [CommandSpec]) throws -> ParsedCommandLine {
        var result = ParsedCommandLine()
        var words: [String] = []
        var index = 0
        var onlyPositionals = false
        // A command that is also the start of longer ones (`hooks` and `hooks test`): the
        // next word decides, and is the command's first argument when it is not a subcommand.
        var tentative: CommandSpec?

        func optionTable() -> [OptionSpec] { GlobalOptions.all + (result.command?.options ?? []) }
        func settle() {
            if let t = tentative, result.command == nil { result.command = t; words = [] }
            tentative = nil
        }

        while index < argv.count {
            let token = argv[index]
            index += 1
            if onlyPositionals || token == "-" || !token.hasPrefix("-") || isNegativeNumberOrOffset(token, result) {
                if result.command == nil && !onlyPositionals {
                    words.append(token)
                    if let match = bestCommand(words, commands) {
                        if match.path.count == words.count {
                            let lowered = words.map { $0.lowercased() }
                            if commands.contains(where: { $0.path.count > lowered.count && Array($0.path.prefix(lowered.count)) == lowered }) {
                                tentative = match
                            } else {
                                result.command = match; words = []; tentative = nil
                            }
                        }
                    } else if tentative != nil {
                        settle()
                        result.positionals.append(token)
                    } else {
                        throw unknownCommand(words, commands)
                    }
                } else {
                    result.positionals.append(token)
                }
                continue
            }
            settle()
            if token == "--" { onlyPositionals = true; continue }
            var name: String
            var inlineValue: String?
            if token.hasPrefix("--") {
                name = String(token.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
            } else {
                guard token.count == 2, let spec = optionTable().first(where: { $0.short == token.last }) else {
                    throw UsageError("Unknown option '\(token)'.", command: result.command?.name)
                }
                name = spec.name
            }
            guard let spec = optionTable().first(where: { $0.name == name }) else {
                if result.command == nil && !words.isEmpty {
                    // Options of a group before its subcommand, e.g. `runbook --help`.
                    if name == "help" { result.options["help"] = ""; continue }
                }
                var message = "Unknown option '--\(name)'"
                if let close = closest(name, optionTable().map(\.name)) { message += ". Did you mean '--\(close)'?" } else { message += "." }
                if result.command == nil && !words.isEmpty { message = "Unknown command '\(words.joined(separator: " "))'." }
                throw UsageError(message, command: result.command?.name)
            }
            if spec.value == nil {
                if inlineValue != nil { throw UsageError("The option '--\(name)' takes no value.", command: result.command?.name) }
                result.options[name] = ""
            } else {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < argv.count else {
                        throw UsageError("The option '--\(name)' needs a value (\(spec.value!)).", command: result.command?.name)
                    }
                    value = argv[index]
                    index += 1
                }
                // A command's option given twice with two values is a mistake to point out, not
                // to settle silently (`declare … -s sev1 … -s sev3`). A global option may be
                // given again to override one a shell alias put first (`--store`, `--as`).
                if result.options[name] != nil { result.repeated.insert(name) }
                // Names are matched ignoring case (`-s sev1 --severity=SEV1` is one level).
                if let earlier = result.options[name], earlier.lowercased() != value.lowercased(),
                   !GlobalOptions.all.contains(where: { $0.name == name }) {
                    func shown(_ v: String) -> String { v.count <= 40 ? "'\(v)'" : "'\(v.prefix(37))…'" }
                    throw UsageError("The option '--\(name)' was given twice (\(shown(earlier)) and \(shown(value))); give it once.", command: result.command?.name)
                }
                result.options[name] = value
            }
        }
        settle()
        if result.command == nil && !words.isEmpty {
            if let group = commands.first(where: { Array($0.path.prefix(words.count)) == words }), group.path.count > words.count {
                if result.helpRequested { return result.withGroup(words) }
                let subs = commands.filter { Array($0.path.prefix(words.count)) == words }.map { $0.path[words.count] }
                throw UsageError("'\(words.joined(separator: " "))' needs a subcommand: \(subs.joined(separator: ", ")).")
            }
            throw unknownCommand(words, commands)
        }
        return result
    }

    /// `--at -15m` is handled by the value path; this catches a positional like `-5` after
    /// a command that takes free text.
    static func isNegativeNumberOrOffset(_ token: String, _ r: ParsedCommandLine) -> Bool {
        guard r.command != nil, token.count > 1 else { return false }
        return token.dropFirst().first.map { $0.isNumber } ?? false
    }

    /// The command whose words start with `words` (an exact match if there is one).
    static func bestCommand(_ words: [String], _ commands: [CommandSpec]) -> CommandSpec? {
        let lowered = words.map { $0.lowercased() }
        if let exact = commands.first(where: { $0.path == lowered || ($0.path.count == 1 && lowered.count == 1 && $0.aliases.contains(lowered[0])) }) {
            return exact
        }
        return commands.first { Array($0.path.prefix(lowered.count)) == lowered }
    }

    static func unknownCommand(_ words: [String], _ commands: [CommandSpec]) -> UsageError {
        let text = words.joined(separator: " ")
        let names = commands.map(\.name) + commands.flatMap(\.aliases)
        if let close = closest(text, names) {
            return UsageError("Unknown command '\(text)'. Did you mean '\(close)'?")
        }
        return UsageError("Unknown command '\(text)'; 'incident --help' lists the commands.")
    }

    static func closest(_ word: String, _ candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension ParsedCommandLine {
    /// Help for a group of subcommands (`incident runbook --help`).
    func withGroup(_ words: [String]) -> ParsedCommandLine {
        var copy = self
        copy.positionals = words
        return copy
    }
}
