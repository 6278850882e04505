import Testing
@testable import IncidentCLI

@Suite struct CompletionTextTests {
    @Test(arguments: ["critical", "sev-1", "P1", "exec-notification", "a.b_c+d@e", "INC-42", "ev-0123abcd"])
    func safeNamesAreOffered(_ name: String) {
        #expect(CompletionText.isSafeName(name))
    }

    @Test(arguments: ["$(touch x)", "`id`", "$(id)", "a b", "*", "?", "x;id", "x|y", "x&y", "'q'", "\"q\"", "a\nb", "a\tb",
                      "-rf", ".hidden", "", "~root", "a$b", "a\\b", "a:b", "a/b", "é", String(repeating: "a", count: 65),
                      "{a,b}", "a>b", "a<b", "!x", "#x", "a=b"])
    func unsafeNamesAreNot(_ name: String) {
        #expect(!CompletionText.isSafeName(name))
        #expect(CompletionText.line(name, "description") == nil)
    }

    @Test func descriptionsAreOneLineOfPrintableText() {
        #expect(CompletionText.description("a\tb\nc\u{1B}[31md\u{202E}e\u{200B}f") == "a b c [31md e f")
        #expect(CompletionText.description(String(repeating: "x", count: 100)).count == 60)
        #expect(CompletionText.line("high", "High\tseverity") == "high\tHigh severity")
    }

    /// Every valued option is valued everywhere: the scripts skip an option's value by name.
    @Test func noOptionIsBothAFlagAndValued() {
        var valued: [String: Bool] = [:]
        for o in GlobalOptions.all + CLI.commands.flatMap(\.options) {
            if let seen = valued[o.name] { #expect(seen == (o.value != nil), "--\(o.name) is a flag in one command and valued in another") }
            valued[o.name] = o.value != nil
        }
    }
}
