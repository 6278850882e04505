/// What an import mapped, what it chose, and what it left to a person, each with the
/// document's line numbers. `--json` prints this; the human form goes to stderr.
public struct ImportReport: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        /// level, timer, untimed, role, phase, checklist, template, drill, choice, or the reason class for unmapped lines.
        public var kind: String
        public var line: Int
        /// What it became (`acknowledge SEV1 15m`, `role commander`), or why it was not mapped.
        public var detail: String
        /// The source line (trimmed, at most 200 characters).
        public var quote: String

        public init(kind: String, line: Int, detail: String, quote: String) {
            self.kind = kind; self.line = line; self.detail = detail
            self.quote = String(Sanitizer.forTerminal(quote).trimmingCharacters(in: " ").prefix(200))
        }
    }

    public var source: String
    public var mapped: [Item] = []
    /// Ranges, either-ors, the level order, defaults assumed: each a decision a person should confirm.
    public var choices: [Item] = []
    /// Lines that look like policy (a level name, a time, a role, a checkbox) and were not mapped.
    public var unmapped: [Item] = []
    /// Judgements the document does not make (untimed targets, close gates, required items…).
    public var leftToPerson: [String] = []
    /// Lines dropped from the report once it reached its size bound.
    public var omitted: Int = 0

    public static let maxItems = 400

    mutating func add(_ item: Item, to list: WritableKeyPath<ImportReport, [Item]>) {
        if self[keyPath: list].count >= ImportReport.maxItems { omitted += 1; return }
        self[keyPath: list].append(item)
    }

    /// The report for a person (stderr).
    public func rendered() -> String {
        var out: [String] = []
        func section(_ title: String, _ items: [Item]) {
            guard !items.isEmpty else { return }
            out.append(title)
            for i in items.sorted(by: { ($0.line, $0.kind) < ($1.line, $1.kind) }) {
                out.append("  line \(i.line)\(String(repeating: " ", count: max(0, 5 - String(i.line).count))) \(i.kind.padded(9)) \(Sanitizer.forTerminal(i.detail))")
                if !i.quote.isEmpty { out.append("             │ \(i.quote)") }
            }
            out.append("")
        }
        out.append("Imported \(Sanitizer.forTerminal(source)):")
        out.append("")
        section("Mapped:", mapped)
        section("Choices made (check them):", choices)
        section("Not mapped (looks like policy; finish by hand):", unmapped)
        if !leftToPerson.isEmpty {
            out.append("Left to a person:")
            for l in leftToPerson { out.append("  - " + Sanitizer.forTerminal(l)) }
            out.append("")
        }
        if omitted > 0 { out.append("(\(omitted) more report lines omitted.)") }
        return out.joined(separator: "\n")
    }
}
