/// Finds text that looks like a credential and replaces it with `[REDACTED <kind>]`.
///
/// Responders paste logs and commands into the timeline; an incident file is read by many
/// people and kept in git, so credentials are removed before they are stored unless the
/// author passes `--allow-secrets`.
public enum SecretRedactor {
    public struct Result: Sendable {
        public var text: String
        /// The kinds of secret removed, e.g. `AWS access key`.
        public var kinds: [String]
    }

    /// (kind, pattern). The patterns are deliberately specific, to avoid eating prose.
    static let patterns: [(String, String)] = [
        ("private key", #"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)"#),
        ("AWS access key", #"\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"#),
        ("AWS secret key", #"(?i)(aws_secret_access_key|aws_secret_key|secret_access_key)\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}["']?"#),
        ("GitHub token", #"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"#),
        ("Slack token", #"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"#),
        ("Stripe key", #"\b[sr]k_(live|test)_[A-Za-z0-9]{16,}\b"#),
        ("Google API key", #"\bAIza[0-9A-Za-z_\-]{35}\b"#),
        ("JSON web token", #"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"#),
        ("bearer token", #"(?i)\bbearer\s+[A-Za-z0-9._~+/\-]{16,}=*"#),
        ("password in URL", #"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]+:[^\s@/]+@"#),
        ("password", #"(?i)\b(password|passwd|pwd|secret|api[_-]?key|access[_-]?token|client[_-]?secret)\s*[:=]\s*["']?[^\s"',;]{6,}"#),
    ]

    public static func redact(_ text: String) -> Result {
        var out = text
        var kinds: [String] = []
        // Cheap pre-filter: most entries contain none of these markers.
        let markers = ["PRIVATE KEY", "AKIA", "ASIA", "ABIA", "ACCA", "ecret", "gh", "github_pat_", "xox", "k_live_", "k_test_",
                       "AIza", "eyJ", "earer", "EARER", "://", "ass", "ASS", "pwd", "PWD", "key", "KEY", "oken", "OKEN", "Key"]
        guard markers.contains(where: { text.contains($0) }) else { return Result(text: text, kinds: []) }
        for (kind, pattern) in patterns {
            guard let regex = try? Regex(pattern) else { continue }
            let matches = out.matches(of: regex)
            if matches.isEmpty { continue }
            var rebuilt = ""
            var cursor = out.startIndex
            for match in matches {
                rebuilt += out[cursor..<match.range.lowerBound]
                rebuilt += replacement(kind: kind, for: String(out[match.range]))
                cursor = match.range.upperBound
            }
            rebuilt += out[cursor...]
            out = rebuilt
            kinds.append(kind)
        }
        return Result(text: out, kinds: kinds)
    }

    static func replacement(kind: String, for m: String) -> String {
        switch kind {
        case "password in URL":
            // Keep the scheme and user: https://deploy:[REDACTED password]@
            guard let colon = m.firstRange(of: "://") else { return "[REDACTED password]" }
            let user = m[colon.upperBound...].split(separator: ":", maxSplits: 1).first ?? ""
            return String(m[..<colon.upperBound]) + user + ":[REDACTED password]@"
        case "password":
            guard let sep = m.firstIndex(where: { $0 == ":" || $0 == "=" }) else { return "[REDACTED secret]" }
            return String(m[...sep]) + "[REDACTED secret]"
        case "bearer token":
            return String(m.prefix(6)) + " [REDACTED bearer token]"
        default:
            return "[REDACTED \(kind)]"
        }
    }
}
