import Foundation
import IncidentKit
import Testing

/// Issue 8, "injection into rendered output" and "redaction": each output context has one
/// escaper, and the redactor is tested in both directions (secrets go, prose stays).
@Suite struct EscaperTests {
    @Test(arguments: [
        "\u{E0041}\u{E0042}", "zero\u{200B}width", "\u{FEFF}bom", "soft\u{00AD}hyphen", "word\u{2060}joiner",
        "line\u{2028}separator", "\u{FFF9}annotation\u{FFFB}", "filler\u{3164}", "\u{202E}override", "\u{1B}[2J", "\u{9B}31m",
        "A\u{206A}B", "music\u{1D173}format", "short\u{1BCA0}hand",
    ])
    func terminalEscaperShowsEveryInvisibleOrControlCharacter(text: String) {
        let safe = Sanitizer.forTerminal(text)
        #expect(!safe.unicodeScalars.contains { Sanitizer.isDangerous($0.value) }, "\(safe.debugDescription)")
        #expect(safe.contains("\\u{"))
    }

    @Test func terminalEscaperKeepsOrdinaryText() {
        for text in ["Checkout 500s", "déjà vu — ✅ 🚨", "family 👨‍👩‍👧", "tab\tand\nnewline", "日本語のテキスト"] {
            #expect(Sanitizer.forTerminal(text) == text)
        }
    }

    @Test func styledOutputKeepsOnlyOurColourCodes() {
        let ours = "\u{1B}[31;1mOVERDUE\u{1B}[0m"
        #expect(Sanitizer.forTerminalKeepingStyle(ours) == ours)
        let hostile = "title \u{1B}]0;pwned\u{07} \u{1B}[8mhidden\u{1B}[0m \u{1B}[2J"
        let safe = Sanitizer.forTerminalKeepingStyle(hostile)
        #expect(!safe.contains("\u{1B}]"))
        #expect(!safe.contains("\u{1B}[8m"))
        #expect(!safe.contains("\u{1B}[2J"))
        #expect(!safe.contains("\u{07}"))
    }

    @Test(arguments: [
        "# Heading", "```\nopen fence", "~~~", "<script>alert(1)</script>", "[click](javascript:alert(1))",
        "![x](https://evil.example/pixel.png)", "<img src=x onerror=alert(1)>", "| a | b |", "> quote", "- item", "1. item",
        "***", "---", "    indented code", "&lt;entity", "**bold** _em_ `code`", "<javascript:alert(1)>",
    ])
    func markdownInlineNeutralisesEveryConstruct(text: String) {
        let md = Sanitizer.markdownInline(text)
        #expect(!md.contains("<"), "\(md)")
        #expect(!md.contains("\n"))
        #expect(!md.hasPrefix("#") && !md.hasPrefix("-") && !md.hasPrefix(">") && !md.hasPrefix("*"), "\(md)")
        for open in ["[", "`", "*", "_", "|", "~"] {
            // Every Markdown punctuation mark left is escaped with a backslash.
            var rest = Substring(md)
            while let r = rest.range(of: open) {
                #expect(r.lowerBound > rest.startIndex && rest[rest.index(before: r.lowerBound)] == "\\", "\(md)")
                rest = rest[r.upperBound...]
            }
        }
        #expect(!md.contains("](") || md.contains("\\]("))
    }

    @Test func markdownBlockKeepsLinesButOpensNoBlock() {
        let md = Sanitizer.markdownBlock("Found at 13:58\n# Not a heading\n```\n    code?\n- not a list\n\nSecond paragraph")
        let lines = md.components(separatedBy: "\n")
        for line in lines where !line.isEmpty {
            #expect(!line.hasPrefix("#") && !line.hasPrefix("```") && !line.hasPrefix("    ") && !line.hasPrefix("- "), "\(line)")
        }
        #expect(md.contains("\n\nSecond paragraph"))
        #expect(md.contains("Found at 13:58  \n\\# Not a heading"))
    }

    @Test func tableCellStaysOneCell() {
        let cell = Sanitizer.tableCell("a | b\nc <b>")
        #expect(cell == "a \\| b<br>c &lt;b&gt;")
    }

    @Test func mermaidLineHasNoSyntax() {
        let line = Sanitizer.mermaid("Deploy: done; #1 `x` {y} <b> \"q\" 100% & [z]\nsection evil")
        for bad in [":", ";", "#", "`", "{", "}", "<", ">", "\"", "%", "&", "[", "]", "\n"] { #expect(!line.contains(bad), "\(bad) in \(line)") }
    }
}

@Suite struct RedactionRulesTests {
    @Test(arguments: [
        ("POSTGRES_PASSWORD=hunter2hunter2", "hunter2hunter2"),
        ("export DB_PASS_WORD=x", nil),
        ("MYSQL_ROOT_PASSWORD: s3cr3t!value", "s3cr3t!value"),
        ("{\"dbPassword\": \"Tr0ub4dor&3\"}", "Tr0ub4dor&3"),
        ("Authorization: Basic YWxpY2U6czNjcmV0", "YWxpY2U6czNjcmV0"),
        ("curl -u deploy:Pa55w0rd https://api.internal", "Pa55w0rd"),
        ("curl --user=deploy:Pa55w0rd https://api.internal", "Pa55w0rd"),
        ("redis://:pw0rdpw0rd@cache.internal:6379/0", "pw0rdpw0rd"),
        ("amqp://guest:guestpass1@mq:5672", "guestpass1"),
        ("OPENAI_KEY sk-proj-Ab3dEf6hIj9kLmN0pQr2sTu4 leaked", "sk-proj-Ab3dEf6hIj9kLmN0pQr2sTu4"),
        ("key sk-ant-api03-abcDEF123456ghiJKL789012mnoPQR", "sk-ant-api03-abcDEF123456ghiJKL789012mnoPQR"),
        ("DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=abcdEFGH1234ijklMNOP5678==;EndpointSuffix=core.windows.net", "abcdEFGH1234ijklMNOP5678=="),
        ("Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=Zm9vYmFyYmF6cXV4MTIzNDU2", "Zm9vYmFyYmF6cXV4MTIzNDU2"),
        ("{\"type\": \"service_account\", \"private_key_id\": \"0123456789abcdef0123456789abcdef01234567\"}", "0123456789abcdef0123456789abcdef01234567"),
        ("\"private_key\": \"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\"", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
        ("token glpat-abcdefghij1234567890", "glpat-abcdefghij1234567890"),
        ("https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX", "T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
        ("vault hvs.CAESIJlU2ZyX0abcdefghijklmnop", "hvs.CAESIJlU2ZyX0abcdefghijklmnop"),
        ("npm npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_abcdefghijklmnopqrstuvwxyz0123456789"),
        ("mysql -u root -pS3cretPass db", "S3cretPass"),
        ("api_key: 9f8e7d6c5b4a3210", "9f8e7d6c5b4a3210"),
        ("Authorization: Bearer 4f3c2b1a0f9e8d7c6b5a", "4f3c2b1a0f9e8d7c6b5a"),
    ] as [(String, String?)])
    func secretsAreRemoved(text: String, secret: String?) {
        let r = SecretRedactor.redact(text)
        if let secret {
            #expect(!r.text.contains(secret), "\(r.text)")
            #expect(r.text.contains("[REDACTED"), "\(r.text)")
            #expect(!r.kinds.isEmpty)
        }
    }

    @Test(arguments: [
        "pwd=/var/lib/postgresql/data",
        "PWD=/home/alice/src OLDPWD=/tmp",
        "The bearer authentication-middleware rejected the call",
        "bearer token rotation is scheduled",
        "HTTP Basic authentication is enabled on the admin port",
        "Basic troubleshooting done",
        "password: required",
        "DB_PASSWORD=${DB_PASSWORD}",
        "password=$(cat /run/secrets/db)",
        "secret_key: <your key here>",
        "The password reset page is down",
        "token bucket limiter at 80%",
        "The secretary notified the board",
        "sk-learn pipeline failed",
        "tokenizer=bert-base-uncased",
        "see https://status.example.com/incidents/42",
        "http://localhost:8080/health returned 503",
        "ran sort -u users.txt",
        "Bearer of bad news",
        "TOKEN_URL=https://auth.example.com/token",
    ])
    func ordinaryTextIsKept(text: String) {
        let r = SecretRedactor.redact(text)
        #expect(r.text == text, "\(r.text) (\(r.kinds))")
    }

    @Test func redactionIsFastOnALargePaste() {
        let line = "2026-11-23T14:05:00Z INFO request id=42 user=alice path=/api/v1/checkout status=500 token_bucket=ok key_count=3\n"
        let text = String(repeating: line, count: 8_000)   // about 1 MiB, the entry limit
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = SecretRedactor.redact(text) }
        // A guard against super-linear behaviour (debug build, shared machine), not a benchmark.
        #expect(elapsed < .seconds(60), "\(elapsed)")
    }
}
