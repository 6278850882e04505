/// Finds text that looks like a credential and replaces it with `[REDACTED <kind>]`.
///
/// Responders paste logs, commands and config into the timeline; an incident file is read by
/// many people and kept in git, so credentials are removed before they are stored unless the
/// author passes `--allow-secrets`.
///
/// The rules follow the shape of the maintained public rule sets (gitleaks' and Yelp's
/// detect-secrets'): vendor tokens with a fixed, recognisable prefix are matched whole;
/// credentials that only their context identifies (an assignment to a variable named like a
/// password, a URL's userinfo, an `Authorization` header, `curl -u`) are matched with the
/// context and only the secret part is replaced, so the reader still sees what was set. Each
/// rule names keywords; a rule runs only on text containing one of them. Candidates that are
/// plainly not secrets (paths, variable references, placeholders, ordinary words) are left.
public enum SecretRedactor {
    public struct Result: Sendable {
        public var text: String
        /// The kinds of secret removed, e.g. `AWS access key`.
        public var kinds: [String]
    }

    struct Rule: Sendable {
        var kind: String
        /// Lower-case substrings, one of which the text must contain for the rule to run.
        var keywords: [String]
        /// The pattern. A capture named `secret` marks the part replaced; without one the
        /// whole match is.
        var pattern: String
        /// Extra test of the secret part; false leaves the match as it is.
        var accept: @Sendable (Substring) -> Bool = { _ in true }
    }

    static let rules: [Rule] = [
        // Whole blocks and documents.
        Rule(kind: "private key", keywords: ["private key"],
             pattern: #"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)"#),
        Rule(kind: "service account key", keywords: ["private_key"],
             pattern: #""private_key(_id)?"\s*:\s*"(?<secret>[^"]{16,})""#),
        // Vendor tokens with a recognisable prefix.
        Rule(kind: "AWS access key", keywords: ["akia", "asia", "abia", "acca", "a3t"],
             pattern: #"\b(A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"#),
        Rule(kind: "AWS secret key", keywords: ["aws", "secret_access"],
             pattern: #"(?i)(aws_secret_access_key|aws_secret_key|secret_access_key)["']?\s*[:=]\s*["']?(?<secret>[A-Za-z0-9/+=]{40})"#),
        Rule(kind: "GitHub token", keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
             pattern: #"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"#),
        Rule(kind: "GitLab token", keywords: ["glpat-", "gldt-", "glptt-", "glrt-"],
             pattern: #"\b(glpat|gldt|glptt|glrt)-[A-Za-z0-9_-]{20,}"#),
        Rule(kind: "Slack token", keywords: ["xox"], pattern: #"\bxox[abposre]-[A-Za-z0-9-]{10,}"#),
        Rule(kind: "Slack webhook", keywords: ["hooks.slack.com"],
             pattern: #"https://hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9+/_-]{16,}"#),
        Rule(kind: "Discord webhook", keywords: ["discord"],
             pattern: #"https://(ptb\.|canary\.)?discord(app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]{20,}"#),
        Rule(kind: "Stripe key", keywords: ["k_live_", "k_test_", "whsec_"],
             pattern: #"\b([rs]k_(live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})\b"#),
        Rule(kind: "Google API key", keywords: ["aiza"], pattern: #"\bAIza[0-9A-Za-z_-]{35}"#),
        Rule(kind: "API key", keywords: ["sk-"],
             pattern: #"\bsk-(proj-|ant-[a-z]+[0-9]{2}-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"#,
             accept: { s in s.contains(where: \.isNumber) && s.contains(where: \.isLetter) }),
        Rule(kind: "npm token", keywords: ["npm_"], pattern: #"\bnpm_[A-Za-z0-9]{36}\b"#),
        Rule(kind: "PyPI token", keywords: ["pypi-"], pattern: #"\bpypi-AgE[A-Za-z0-9_-]{50,}"#),
        Rule(kind: "SendGrid key", keywords: ["sg."], pattern: #"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"#),
        Rule(kind: "Twilio key", keywords: ["sk"], pattern: #"\bSK[0-9a-f]{32}\b"#),
        Rule(kind: "DigitalOcean token", keywords: ["_v1_"], pattern: #"\bdo[opr]_v1_[a-f0-9]{64}\b"#),
        Rule(kind: "Vault token", keywords: ["hvs.", "hvb.", "hvr."], pattern: #"\bhv[sbr]\.[A-Za-z0-9_-]{24,}"#),
        Rule(kind: "Shopify token", keywords: ["shpat_", "shpca_", "shppa_", "shpss_"], pattern: #"\bshp(at|ca|pa|ss)_[a-fA-F0-9]{32}\b"#),
        Rule(kind: "Hugging Face token", keywords: ["hf_"], pattern: #"\bhf_[A-Za-z]{34,}\b"#),
        Rule(kind: "age secret key", keywords: ["age-secret-key-"], pattern: #"AGE-SECRET-KEY-1[0-9A-Z]{58}"#),
        Rule(kind: "Mailgun key", keywords: ["key-"], pattern: #"\bkey-[0-9a-f]{32}\b"#),
        Rule(kind: "Telegram bot token", keywords: [":aa"], pattern: #"\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}\b"#),
        Rule(kind: "JSON web token", keywords: ["eyj"], pattern: #"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"#),
        // Credentials identified by their context.
        Rule(kind: "bearer token", keywords: ["bearer"], pattern: #"(?i)\bbearer\s+(?<secret>[A-Za-z0-9._~+/-]{16,}=*)"#,
             accept: { s in s.contains(where: \.isNumber) }),
        Rule(kind: "basic auth", keywords: ["basic"], pattern: #"(?i)\bbasic\s+(?<secret>[A-Za-z0-9+/]{6,}={0,2})"#,
             accept: { s in isBasicCredential(s) }),
        Rule(kind: "password in URL", keywords: ["://"],
             pattern: #"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:(?<secret>[^\s@/]+)@"#,
             accept: { s in !s.allSatisfy(\.isNumber) }),
        Rule(kind: "password", keywords: ["-u", "--user"],
             pattern: #"(^|\s)(-u|--user|--proxy-user)(\s+|=)["']?[^\s:"']*:(?<secret>[^\s"']+)"#),
        Rule(kind: "password", keywords: ["mysql"], pattern: #"\bmysql(dump|admin)?\b[^\n]*?\s-p(?<secret>[^\s-][^\s]{3,})"#),
        Rule(kind: "cloud connection string", keywords: ["accountkey", "sharedaccesskey", "sharedaccesssignature"],
             pattern: #"(?i)\b(AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*(?<secret>[^;\s"']{8,})"#),
    ]

    /// A rule's regex, built the first time a call needs it: only rules whose keyword occurs
    /// in the text are compiled (most entries hold none, and building all of them would cost
    /// milliseconds on every command that takes text).
    static func compiled(_ r: Int, _ cache: inout [Int: Regex<AnyRegexOutput>?]) -> (Rule, Regex<AnyRegexOutput>)? {
        if let hit = cache[r] { return hit.map { (rules[r], $0) } }
        let regex = try? Regex(rules[r].pattern)
        cache[r] = .some(regex)
        return regex.map { (rules[r], $0) }
    }

    public static func redact(_ text: String) -> Result {
        var kinds: [String] = []
        var out = text
        var cache: [Int: Regex<AnyRegexOutput>?] = [:]
        // Multi-line blocks first, over the whole text (their keyword is rare).
        if out.utf8.count >= 20, contains(asciiLowercased(out.utf8), "private key"), let rule = compiled(0, &cache) {
            out = apply(rule, to: out, kinds: &kinds)
        }
        // Then line by line: each rule's keywords are searched once over the whole text (bytes,
        // ASCII case folded), and a rule's pattern runs only on the lines holding one of them,
        // so a pasted megabyte of logs costs a few linear scans.
        let lowered = asciiLowercased(out.utf8)
        var lineStarts = [0]
        for (i, b) in lowered.enumerated() where b == 0x0a { lineStarts.append(i + 1) }
        func lineIndex(_ offset: Int) -> Int {
            var lo = 0, hi = lineStarts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
            }
            return lo
        }
        var work: [Int: [Int]] = [:]   // line → rule indices (Int.max: assignments)
        for (r, rule) in rules.enumerated().dropFirst() {
            for keyword in rule.keywords {
                for offset in occurrences(of: keyword, in: lowered) { work[lineIndex(offset), default: []].append(r) }
            }
        }
        for keyword in assignmentKeywords {
            for offset in occurrences(of: keyword, in: lowered) { work[lineIndex(offset), default: []].append(Int.max) }
        }
        guard !work.isEmpty else { return Result(text: out, kinds: kinds) }
        var lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in work.keys.sorted() where index < lines.count {
            var seen = Set<Int>()
            for r in work[index]!.sorted() where seen.insert(r).inserted {
                if r == Int.max {
                    let next = redactAssignments(lines[index])
                    if next != lines[index] { lines[index] = next; if !kinds.contains("password") { kinds.append("password") } }
                } else {
                    if let rule = compiled(r, &cache) { lines[index] = apply(rule, to: lines[index], kinds: &kinds) }
                }
            }
        }
        return Result(text: lines.joined(separator: "\n"), kinds: kinds)
    }

    static func asciiLowercased(_ utf8: String.UTF8View) -> [UInt8] {
        utf8.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }
    }

    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        !occurrences(of: needle, in: haystack, limit: 1).isEmpty
    }

    /// Offsets where `needle` (lower-case ASCII) starts in `haystack`; at most one per line is
    /// needed, but a plain scan is simplest and linear for these short needles.
    static func occurrences(of needle: String, in haystack: [UInt8], limit: Int = .max) -> [Int] {
        let n = Array(needle.utf8)
        guard let first = n.first, haystack.count >= n.count else { return [] }
        var found: [Int] = []
        var i = 0
        let end = haystack.count - n.count
        while i <= end {
            if haystack[i] == first {
                var k = 1
                while k < n.count && haystack[i + k] == n[k] { k += 1 }
                if k == n.count {
                    found.append(i)
                    if found.count >= limit { break }
                    // Skip to the end of this line: one hit per line is enough.
                    var j = i + n.count
                    while j < haystack.count && haystack[j] != 0x0a { j += 1 }
                    i = j
                    continue
                }
            }
            i += 1
        }
        return found
    }

    static func apply(_ rule: (Rule, Regex<AnyRegexOutput>), to text: String, kinds: inout [String]) -> String {
        let matches = text.matches(of: rule.1)
        if matches.isEmpty { return text }
        var rebuilt = ""
        var cursor = text.startIndex
        var changed = false
        for match in matches {
            let secretRange = match.output["secret"]?.range ?? match.range
            guard secretRange.lowerBound >= cursor, rule.0.accept(text[secretRange]) else { continue }
            rebuilt += text[cursor..<secretRange.lowerBound]
            rebuilt += "[REDACTED \(rule.0.kind)]"
            cursor = secretRange.upperBound
            changed = true
        }
        guard changed else { return text }
        rebuilt += text[cursor...]
        if !kinds.contains(rule.0.kind) { kinds.append(rule.0.kind) }
        return rebuilt
    }

    // MARK: Assignments to password-like names

    /// Name parts that make an assignment a credential: `POSTGRES_PASSWORD=`, `db.password:`,
    /// `"apiKey": "…"`, `client-secret =`, `AUTH_TOKEN=`.
    static let assignmentKeywords = ["pass", "pwd", "secret", "token", "key", "credential"]

    /// A hand-written scanner rather than a regular expression: it finds each `name = value`
    /// (or `name: value`, `"name": "value"`, `name := value`, `name => value`) in one pass and
    /// replaces the value when the name is credential-like and the value plausible.
    static func redactAssignments(_ line: String) -> String {
        let bytes = Array(line.utf8)
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2e || c == 0x2d
        }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        func isQuote(_ c: UInt8) -> Bool { c == 0x22 || c == 0x27 }
        let lowered = bytes.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }
        var out: [UInt8] = []
        var i = 0
        var copied = 0
        while i < bytes.count {
            guard isNameByte(bytes[i]), i == 0 || !isNameByte(bytes[i - 1]) else { i += 1; continue }
            var j = i
            while j < bytes.count, isNameByte(bytes[j]) { j += 1 }
            let nameBytes = lowered[i..<j]
            guard assignmentKeywords.contains(where: { contains(Array(nameBytes), $0) }),
                  isCredentialName(String(decoding: bytes[i..<j], as: UTF8.self)) else { i = j; continue }
            var k = j
            if k < bytes.count, isQuote(bytes[k]) { k += 1 }
            while k < bytes.count, isSpace(bytes[k]) { k += 1 }
            guard k < bytes.count else { i = j; continue }
            if bytes[k] == 0x3a && k + 1 < bytes.count && bytes[k + 1] == 0x3d { k += 2 }          // :=
            else if bytes[k] == 0x3d && k + 1 < bytes.count && bytes[k + 1] == 0x3e { k += 2 }     // =>
            else if bytes[k] == 0x3d || bytes[k] == 0x3a { k += 1 }                                // = or :
            else { i = j; continue }
            while k < bytes.count, isSpace(bytes[k]) { k += 1 }
            if k < bytes.count, isQuote(bytes[k]) { k += 1 }
            var v = k
            while v < bytes.count, !(isSpace(bytes[v]) || isQuote(bytes[v]) || bytes[v] == 0x2c || bytes[v] == 0x3b || bytes[v] == 0x0d) { v += 1 }
            let value = String(decoding: bytes[k..<v], as: UTF8.self)
            if value.count >= 6, plausibleSecretValue(Substring(value)) {
                out += bytes[copied..<k]
                out += Array("[REDACTED secret]".utf8)
                copied = v
            }
            i = max(v, j)
        }
        if copied == 0 { return line }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }


    /// A name whose parts (split at `_`, `.`, `-` and lower-to-upper case changes) end in, or
    /// consist of, a credential word: `POSTGRES_PASSWORD`, `dbPassword`, `api_key`, but not
    /// `secretary`, `tokenizer` or `password_reset_url`.
    static func isCredentialName(_ name: String) -> Bool {
        let lowered = name.lowercased()
        guard assignmentKeywords.contains(where: { lowered.contains($0) }) else { return false }
        var parts: [String] = []
        var current = ""
        var previousLower = false
        for c in name {
            if c == "_" || c == "." || c == "-" {
                if !current.isEmpty { parts.append(current.lowercased()) }
                current = ""; previousLower = false; continue
            }
            if c.isUppercase && previousLower { parts.append(current.lowercased()); current = "" }
            current.append(c)
            previousLower = c.isLowercase || c.isNumber
        }
        if !current.isEmpty { parts.append(current.lowercased()) }
        guard !parts.isEmpty else { return false }
        // The credential word is the last part, or the last two joined (api_key, access_key).
        let last = parts[parts.count - 1]
        let lastTwo = parts.count >= 2 ? parts[parts.count - 2] + last : last
        let words: Set<String> = ["password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "accesskey", "authkey",
                                  "privatekey", "credential", "credentials", "pass"]
        if words.contains(last) && !(last == "pass" && parts.count == 1) { return true }
        if ["apikey", "accesskey", "authkey", "privatekey", "secretkey", "clientsecret", "secretaccesskey"].contains(lastTwo) { return true }
        if parts.count >= 3, ["secretaccesskey"].contains(parts[parts.count - 3] + lastTwo) { return true }
        return false
    }

    /// A value assigned to a password-like name that is not a secret: a path, a variable or
    /// template reference, a placeholder, an already-redacted value, a plain URL.
    static func plausibleSecretValue(_ s: Substring) -> Bool {
        let v = s.lowercased()
        if v.hasPrefix("/") || v.hasPrefix("~/") || v.hasPrefix("./") || v.hasPrefix("../") { return false }
        if v.hasPrefix("$") || v.hasPrefix("%") || v.hasPrefix("{{") || v.hasPrefix("<") || v.hasPrefix("[redacted") { return false }
        if v.hasPrefix("http://") || v.hasPrefix("https://") { return false }
        if v.allSatisfy({ $0 == "*" || $0 == "x" || $0 == "." || $0 == "-" }) { return false }
        let placeholders: Set<String> = ["required", "optional", "redacted", "changeme", "example", "placeholder", "unknown",
                                         "undefined", "none", "null", "true", "false", "expired", "invalid", "missing", "rotated",
                                         "revoked", "present", "provided", "omitted", "hidden", "masked", "enabled", "disabled"]
        if placeholders.contains(v) { return false }
        return true
    }

    /// `Basic <base64>` whose decoded text is `user:password` in printable characters.
    static func isBasicCredential(_ s: Substring) -> Bool {
        guard let decoded = base64Decode(String(s)), decoded.count >= 3,
              decoded.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return false }
        return decoded.contains(0x3a)
    }

    static func base64Decode(_ s: String) -> [UInt8]? {
        var values: [UInt8] = []
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(c - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(c - 97 + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(c - 48 + 52)
            case UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "/"): values.append(63)
            case UInt8(ascii: "="): continue
            default: return nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i + 1 < values.count {
            let a = values[i], b = values[i + 1]
            out.append(a << 2 | b >> 4)
            if i + 2 < values.count { out.append((b & 0x0f) << 4 | values[i + 2] >> 2) }
            if i + 3 < values.count { out.append((values[i + 2] & 0x03) << 6 | values[i + 3]) }
            i += 4
        }
        return out
    }
}
