#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A store kept in a git repository: the store directory has the `.gitattributes` that
/// `incident init --git` writes (naming the `incident` merge driver) and sits in a git work
/// tree (its own, an enclosing one, or a clone). Every git operation runs the `git`
/// executable through `Subprocess`, with the caller's GIT_* redirections scrubbed and hooks
/// disabled, in the store directory, on the store's paths only.
public struct GitStore: Sendable {
    public let store: Store
    /// The store directory, absolute.
    public let root: String
    /// The repository's git directory (`.git`, or a worktree's) and its common directory.
    public let gitDir: String
    public let commonDir: String
    let environment: [String: String]
    /// Whether `.gitattributes` named the merge driver when the store was opened (read once).
    var attributesMarked = true
    /// The work tree's top directory (where `.git` is).
    var workTreeTop: String?

    /// The line of `.gitattributes` that marks a git store.
    public static let attributesMarker = "merge=incident"

    public static let attributesText = """
    # Written by 'incident init --git'. Incident files are event logs: git hands them to the
    # 'incident' merge driver (configured in .git/config by the incident binary itself), which
    # merges the two logs event by event. No line-ending conversion anywhere in the store.
    * -text
    active/*.json merge=incident
    archive/**/*.json merge=incident

    """

    public static let ignoreText = """
    # Written by 'incident init --git': per-clone and derived files stay out of git: every
    # dot-file in the store (the lock, the ID counter, temp files, indexes, announcements).
    .*
    !.gitignore
    !.gitattributes

    """

    // MARK: Finding

    /// The git store at `store`, or nil when the store is not kept in git.
    public static func open(_ store: Store, environment: [String: String]) -> GitStore? {
        let root = absolute(store.root)
        let marked = attributesIntact(root)
        guard let (gitDir, commonDir, top) = findGitDirectory(from: root) else { return nil }
        // `.gitattributes` arrives through git, so a teammate's edit can remove its lines; a
        // repository whose own configuration names the incident merge driver (set on this
        // machine by an earlier command) is still a git store, and the lines are put back.
        if !marked {
            guard let config = try? POSIXFile.read(commonDir + "/config", limit: 1 << 20),
                  String(decoding: config, as: UTF8.self).contains("[merge \"incident\"]") else { return nil }
        }
        var git = GitStore(store: store, root: root, gitDir: gitDir, commonDir: commonDir, environment: environment)
        git.attributesMarked = marked
        git.workTreeTop = top
        return git
    }

    static func attributesIntact(_ root: String) -> Bool {
        guard let attributes = try? POSIXFile.read(root + "/.gitattributes", limit: 1 << 16) else { return false }
        return String(decoding: attributes, as: UTF8.self).contains(attributesMarker)
    }

    /// Puts back the lines of `.gitattributes` that hand incident files to the merge driver,
    /// if a change that came through git removed them. True when it wrote the file.
    public func restoreAttributes() throws -> Bool {
        if attributesMarked { return false }
        return try restoreAttributesNow()
    }

    /// As `restoreAttributes`, reading the file as it is now (after a merge).
    func restoreAttributesNow() throws -> Bool {
        try GitStore.appendUnlessMarked(root: root, name: ".gitattributes", text: GitStore.attributesText,
                                        marker: GitStore.attributesMarker, limit: 1 << 16, mode: 0o644, replacingSpecialFiles: true)
    }

    /// Appends `text` to the file `name` in `root` (creating it) unless the file already holds
    /// `marker`: how `init --git` writes `.gitattributes` and `.gitignore`, and how a command
    /// puts their lines back. True when it wrote the file.
    static func appendUnlessMarked(root: String, name: String, text: String, marker: String, limit: Int, mode: mode_t,
                                   replacingSpecialFiles: Bool) throws -> Bool {
        let path = root + "/" + name
        var current = ""
        if POSIXFile.exists(path) { current = String(decoding: try POSIXFile.read(path, limit: limit), as: UTF8.self) }
        if current.contains(marker) { return false }
        let joined = current.isEmpty ? text : current + (current.hasSuffix("\n") ? "" : "\n") + text
        try POSIXFile.writeAtomically(Array(joined.utf8), directory: root, name: name, mode: mode, replacingSpecialFiles: replacingSpecialFiles)
        return true
    }

    /// The lines of the repository's own attributes file (`info/attributes` in the git
    /// directory) that hand the store's incident files to the merge driver. That file is this
    /// machine's: it never arrives through git and outranks every `.gitattributes`, so a line
    /// a teammate pushes (`active/*.json merge=union`, or an `active/.gitattributes`) cannot
    /// turn the driver off and have git merge incident files line by line into broken JSON.
    /// Nil when the store does not lie inside the work tree found for it.
    var localAttributesText: String? {
        guard let top = workTreeTop, root == top || root.hasPrefix(top == "/" ? "/" : top + "/") else { return nil }
        let prefix = root == top ? "" : String(root.dropFirst(top == "/" ? 1 : top.count + 1)) + "/"
        func line(_ tail: String) -> String { GitStore.quotedPattern("/" + GitStore.globEscaped(prefix) + tail) + " merge=incident\n" }
        return "# Written by incident: this clone's merge driver for the store's incident files.\n"
            + line("active/*.json") + line("archive/**/*.json")
    }

    /// `text` as one word for a POSIX shell, to paste: as it is when it holds only characters
    /// no shell treats specially, else in single quotes (a quote inside as '\\'').
    public static func shellQuoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || "@%+=:,./_-".utf8.contains(b)
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `path` with the characters a gitattributes pattern reads as a glob (`*?[]\\`) escaped.
    static func globEscaped(_ path: String) -> String {
        var out = ""
        for c in path.unicodeScalars {
            if "*?[]\\".unicodeScalars.contains(c) { out.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// A gitattributes pattern in git's C-style quotes, so that any directory name (spaces,
    /// quotes, `#`, bytes past ASCII) reads back as itself: `"` and `\\` escaped, every other
    /// byte outside printable ASCII as an octal escape.
    static func quotedPattern(_ pattern: String) -> String {
        var out = "\""
        for b in pattern.utf8 {
            switch b {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let octal = String(b, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return out + "\""
    }

    /// Makes sure the repository's own attributes file names the merge driver for the store's
    /// incident files (see `localAttributesText`). True when it wrote the file.
    @discardableResult
    public func ensureLocalAttributes() throws -> Bool {
        guard let text = localAttributesText else { return false }
        let directory = commonDir + "/info"
        let name = "attributes"
        var current = ""
        if POSIXFile.exists(directory + "/" + name) {
            current = String(decoding: try POSIXFile.read(directory + "/" + name, limit: 1 << 20), as: UTF8.self)
        }
        if current.contains(text) { return false }
        try POSIXFile.makeDirectory(directory)
        let joined = current.isEmpty || current.hasSuffix("\n") ? current + text : current + "\n" + text
        try POSIXFile.writeAtomically(Array(joined.utf8), directory: directory, name: name, mode: 0o644, replacingSpecialFiles: true)
        return true
    }

    /// The line of `.gitignore` that keeps every dot-file (lock, ID counter, indexes, notes)
    /// out of git.
    static let ignoreMarker = "incident init --git"

    /// Puts back `.gitignore`'s lines if a change that came through git removed them, and
    /// stops tracking the per-clone files a commit made meanwhile may have added. Without
    /// them every write would commit this clone's lock, ID counter and derived files, and the
    /// next sync would conflict on them. True when it wrote the file.
    public func restoreIgnore() throws -> Bool {
        guard try GitStore.appendUnlessMarked(root: root, name: ".gitignore", text: GitStore.ignoreText, marker: GitStore.ignoreMarker,
                                              limit: 1 << 20, mode: 0o644, replacingSpecialFiles: true) else { return false }
        untrackPerCloneFiles()
        return true
    }

    /// Per-clone and derived files that must never be tracked.
    static let perCloneFiles = [".lock", ".last-id", RunbookCheck.name, Announcements.fileName, "active/" + DerivedIndex.name,
                                "archive/" + DerivedIndex.name, "active/" + CopiesCheck.name]

    func untrackPerCloneFiles() {
        // Hooks' private copies too (`.hook-run-*`), whatever a pushed .gitignore says.
        _ = try? git(["rm", "-r", "-q", "--cached", "--ignore-unmatch", "--"] + GitStore.perCloneFiles + [":(glob)" + InstalledHook.copyPrefix + "*/**"])
    }

    /// A branch to name in advice for a detached HEAD: the only local branch, else a placeholder.
    var branchToSuggest: String {
        guard let r = try? git(["for-each-ref", "--format=%(refname:short)", "refs/heads"]), r.status == 0 else { return "BRANCH" }
        let names = r.out.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        return names.count == 1 ? names[0] : "BRANCH"
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(cString: buffer)
        return path == "." ? cwd : cwd + "/" + path
    }

    /// Walks up from `directory` to the nearest `.git` (a directory, or a file naming one).
    static func findGitDirectory(from directory: String) -> (gitDir: String, commonDir: String, top: String)? {
        var dir = directory
        while true {
            let candidate = dir + "/.git"
            switch POSIXFile.kind(candidate) {
            case .directory:
                return (candidate, candidate, dir)
            case .file:
                guard let bytes = try? POSIXFile.read(candidate, limit: 4096) else { return nil }
                let text = String(decoding: bytes, as: UTF8.self)
                guard text.hasPrefix("gitdir: ") else { return nil }
                var target = String(text.dropFirst(8)).trimmingSet("\n\r ")
                if !target.hasPrefix("/") { target = dir + "/" + target }
                var common = target
                if let c = try? POSIXFile.read(target + "/commondir", limit: 4096) {
                    let rel = String(decoding: c, as: UTF8.self).trimmingSet("\n\r ")
                    common = rel.hasPrefix("/") ? rel : target + "/" + rel
                }
                return (target, common, dir)
            default:
                break
            }
            guard let slash = dir.lastIndex(of: "/"), dir != "/" else { return nil }
            dir = slash == dir.startIndex ? "/" : String(dir[..<slash])
            if dir == "/" { return POSIXFile.kind("/.git") == .directory ? ("/.git", "/.git", "/") : nil }
        }
    }

    // MARK: Running git

    /// The environment git runs with: the caller's, minus every GIT_* variable that could point
    /// git at another repository, index or configuration (identity, transport and proxy
    /// settings are kept), in the C locale so messages can be recognised.
    static func scrubbed(_ environment: [String: String]) -> [String: String] {
        let kept = ["GIT_AUTHOR_", "GIT_COMMITTER_", "GIT_SSH", "GIT_ASKPASS", "GIT_TERMINAL_PROMPT", "GIT_SSL_",
                    "GIT_HTTP_", "GIT_PROXY", "GIT_CURL_"]
        var env = environment.filter { key, _ in !key.hasPrefix("GIT_") || kept.contains { key.hasPrefix($0) } }
        env["LC_ALL"] = "C"
        env["LANGUAGE"] = nil
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        return env
    }

    /// Runs `git ARGS` in the store directory.
    @discardableResult
    public func git(_ arguments: [String], timeout: Double? = nil, extraEnvironment: [String: String] = [:]) throws -> Subprocess.Result {
        try GitStore.runGit(arguments, in: root, environment: environment, timeout: timeout, extra: extraEnvironment)
    }

    static func runGit(_ arguments: [String], in directory: String, environment: [String: String], timeout: Double? = nil,
                       extra: [String: String] = [:]) throws -> Subprocess.Result {
        var env = scrubbed(environment)
        for (k, v) in extra { env[k] = v }
        let fixed = ["-c", "core.hooksPath=/dev/null", "-c", "gc.auto=0", "-c", "maintenance.auto=false",
                     "-c", "core.quotePath=false", "-c", "advice.detachedHead=false"]
        return try Subprocess.run("git", ["-C", directory] + fixed + arguments, environment: env, timeout: timeout)
    }

    /// Runs git and throws its first error line when it fails.
    @discardableResult
    func checked(_ arguments: [String], _ what: String, timeout: Double? = nil, extra: [String: String] = [:]) throws -> Subprocess.Result {
        let r = try git(arguments, timeout: timeout, extraEnvironment: extra)
        guard r.status == 0 else { throw IncidentError.storage("git could not \(what): \(GitStore.firstLine(r)).") }
        return r
    }

    /// True when a failed fetch or push will fail the same way next time (a wrong URL, a
    /// refused transport, no access): not "offline". Network trouble, or anything not
    /// recognised, counts as offline, to be retried.
    /// A remote on a local path that is missing (an unmounted share, a disconnected disk)
    /// counts as offline; a server that answers that the repository is not there does not.
    static func failureIsPermanent(_ r: Subprocess.Result, url: String?) -> Bool {
        if r.timedOut { return false }
        let text = (r.err + "\n" + r.out).lowercased()
        let local = url.map { !$0.contains("://") && !($0.split(separator: "/").first?.contains(":") ?? false) } ?? false
        // (A local path that exists but holds no repository is a mistake, not an outage.)
        if local, text.contains("does not appear to be a git repository") || text.contains("no such file"),
           let path = url, POSIXFile.kind(path) == .missing { return false }
        let network = ["could not resolve", "connection refused", "timed out", "network is unreachable", "no route to host",
                       "connection reset", "temporary failure", "could not connect", "connection closed", "broken pipe",
                       "ssl_connect", "gnutls", "early eof", "unexpected disconnect"]
        if network.contains(where: text.contains) { return false }
        let permanent = ["does not appear to be a git repository", "not allowed", "blocked", "repository not found",
                         "not found", "authentication failed", "permission denied", "invalid username or password",
                         "unable to find remote helper", "unsupported", "no such file or directory", "not a git repository",
                         "strange pathname", "protocol '", "is not a git command"]  // (a URL scheme git has no helper for)
        return permanent.contains(where: text.contains)
    }

    static func firstLine(_ r: Subprocess.Result) -> String {
        if r.timedOut { return "it took too long and was stopped" }
        // Split on the bytes: "\r\n" (ssh's line ends) is one Character, which a split on
        // "\n" passes over.
        let text = (r.err + "\n" + r.out).utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D })
            .map { String(decoding: $0, as: UTF8.self).trimmingSet(" ") }
        var line = text.first { !$0.isEmpty && !$0.hasPrefix("hint:") } ?? "exit status \(r.status)"
        // Quoted inside a sentence that ends with its own full stop.
        while line.hasSuffix(".") { line.removeLast() }
        return String(line.prefix(300))
    }

    // MARK: Configuration (.git/config, read directly: no process on the hot path)

    /// `section.subsection.key` → value (last one wins). Enough of git's format for the
    /// keys incident reads; includes are not followed.
    public func config() -> [String: String] {
        guard let bytes = try? POSIXFile.read(commonDir + "/config", limit: 1 << 20) else { return [:] }
        return GitStore.parseConfig(String(decoding: bytes, as: UTF8.self))
    }

    static func parseConfig(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var section = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingSet(" \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.lastIndex(of: "]") else { continue }
                let inner = line[line.index(after: line.startIndex)..<close]
                if let q = inner.firstIndex(of: "\"") {
                    let name = inner[..<q].trimmingSet(" ").lowercased()
                    var sub = String(inner[inner.index(after: q)...])
                    if sub.hasSuffix("\"") { sub.removeLast() }
                    section = name + "." + sub.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
                } else {
                    section = inner.trimmingSet(" ").lowercased()
                }
                continue
            }
            let key: String, value: String
            if let eq = line.firstIndex(of: "=") {
                key = line[..<eq].trimmingSet(" \t").lowercased()
                value = unquote(line[line.index(after: eq)...].trimmingSet(" \t"))
            } else {
                key = line.lowercased(); value = "true"
            }
            out[section + "." + key] = value
        }
        return out
    }

    static func unquote(_ s: String) -> String {
        var out = ""
        var quoted = false
        var escape = false
        for c in s {
            if escape {
                switch c { case "n": out.append("\n"); case "t": out.append("\t"); default: out.append(c) }
                escape = false
            } else if c == "\\" { escape = true }
            else if c == "\"" { quoted.toggle() }
            else if !quoted && (c == "#" || c == ";") { break }
            else { out.append(c) }
        }
        return quoted ? out : out.trimmingSet(" \t")
    }

    static func bool(_ value: String?, default d: Bool) -> Bool {
        guard let v = value?.lowercased() else { return d }
        if ["true", "yes", "on", "1"].contains(v) { return true }
        if ["false", "no", "off", "0", ""].contains(v) { return false }
        return d
    }

    /// `git config incident.autocommit false` turns off the commit after every write.
    public var autocommit: Bool { GitStore.bool(config()["incident.autocommit"], default: true) }
    /// `git config incident.autopush true`: every write also tries a push in the background.
    public var autopush: Bool { GitStore.bool(config()["incident.autopush"], default: false) }

    /// The merge driver's command line for this binary: written into .git/config by the binary,
    /// never read from the repository.
    public static func driverCommand(executable: String) -> String {
        "'" + executable.replacingOccurrences(of: "'", with: "'\\''") + "' merge-driver %O %A %B %P"
    }

    /// Makes sure .git/config names this binary as the `incident` merge driver (a clone does
    /// not copy .git/config). Returns true when it had to write it.
    @discardableResult
    public func ensureDriver(executable: String?) throws -> Bool {
        guard let executable, executable.hasPrefix("/") else { return false }
        let want = GitStore.driverCommand(executable: executable)
        let cfg = config()
        if cfg["merge.incident.driver"] == want { return false }
        // Several first commands on a fresh clone race for .git/config's lock: a loser waits a
        // moment and looks again (the winner may already have written the same setting).
        for attempt in 0..<20 {
            let name = try git(["config", "merge.incident.name", "incident: union of the event logs"])
            let driver = name.status == 0 ? try git(["config", "merge.incident.driver", want]) : name
            if driver.status == 0 { return true }
            guard (driver.err + driver.out).contains("could not lock config file"), attempt < 19 else {
                throw IncidentError.storage("git could not configure the merge driver: \(GitStore.firstLine(driver)).")
            }
            usleep(50_000)
            if config()["merge.incident.driver"] == want { return false }
        }
        return false
    }

    // MARK: State

    public var mergeInProgress: Bool { POSIXFile.exists(gitDir + "/MERGE_HEAD") }

    /// The current branch, or nil when HEAD is detached.
    public var branch: String? {
        guard let bytes = try? POSIXFile.read(gitDir + "/HEAD", limit: 4096) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingSet("\n\r ")
        guard text.hasPrefix("ref: refs/heads/") else { return nil }
        return String(text.dropFirst("ref: refs/heads/".count))
    }

    /// The remote to sync with: the branch's configured remote, else `origin`, if it has a URL.
    public var remote: String? {
        let cfg = config()
        let name = branch.flatMap { cfg["branch.\($0).remote"] } ?? "origin"
        return cfg["remote.\(name).url"] != nil ? name : nil
    }

    /// The remote branch to merge and push: the branch's configured one, else the same name.
    var remoteBranch: String? {
        guard let b = branch else { return nil }
        if let merge = config()["branch.\(b).merge"], merge.hasPrefix("refs/heads/") { return String(merge.dropFirst(11)) }
        return b
    }

    // MARK: Committing

    /// Commits every change under the store (and only there) with `message`. Returns false
    /// when there was nothing to commit.
    @discardableResult
    public func commitAll(message: String, author: String?) throws -> Bool {
        // Staging would mark conflicted files as resolved, and committing would publish git's
        // conflict markers: while git still has unmerged paths, nothing is committed.
        // A stopped rebase (or any detached HEAD) would take the commit off every branch, and
        // 'git rebase --abort' would then drop it: the write waits in its file for the next sync.
        if POSIXFile.exists(gitDir + "/rebase-merge") || POSIXFile.exists(gitDir + "/rebase-apply") || branch == nil {
            throw IncidentError.refused("not committed: \(branch == nil ? "the repository is on a detached HEAD" : "a git rebase is in progress"); the change is written to the file. Finish or abort it ('git -C \(root) rebase --continue' or '--abort', or 'git switch' back to the branch), then 'incident sync' commits it.")
        }
        if mergeInProgress, let conflicted = try? unmerged(), !conflicted.isEmpty {
            throw IncidentError.refused("not committed: a git merge is in progress and \(conflicted.keys.sorted().prefix(3).joined(separator: ", ")) \(conflicted.count == 1 ? "is" : "are") still conflicted; the change is written to the file. Resolve the conflict by hand (or run 'git -C \(root) merge --abort'), then 'incident sync'.")
        }
        try checked(["add", "-A", "--", "."], "stage the store's changes")
        // Never a per-clone file, whatever .gitignore says (a teammate may have un-ignored or
        // force-added them): unstaged, and untracked if they were tracked.
        untrackPerCloneFiles()
        // `commit -- .` (only the store's paths) takes their contents from the working tree,
        // which would track again a per-clone file `restoreIgnore` just untracked; it is needed
        // only when something outside the store is staged too (a store in a subdirectory).
        let onlyStore = !POSIXFile.exists(root + "/.git") && stagedOutsideStore()
        let args = mergeInProgress ? ["commit", "-q", "--no-verify", "--no-edit"]
            : ["commit", "-q", "--no-verify", "-m", message] + (onlyStore ? ["--", "."] : [])
        let r = try commit(args, author: author ?? "incident")
        if r.status == 0 { return true }
        let said = r.out + r.err
        if said.contains("nothing to commit") || said.contains("no changes added") || said.contains("nothing added to commit") { return false }
        throw IncidentError.storage("git could not commit the change: \(GitStore.firstLine(r)). The change is written; run 'incident sync' (or git commit) once git works again.")
    }

    /// Whether the index holds a change outside the store's directory (or git cannot say).
    func stagedOutsideStore() -> Bool {
        guard let r = try? git(["diff", "--cached", "--name-only", "--", ":(top)", ":(exclude)."]), r.status == 0 else { return true }
        return !r.out.isEmpty
    }

    /// A one-line commit message: `INC-42: Phase → Containment (alice)`.
    public static func message(_ id: IncidentID, _ text: String, author: String) -> String {
        var line = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
        line = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
        if line.count > 72 { line = String(line.prefix(71)) + "…" }
        return "\(id): \(line) (\(author))"
    }
}

extension StringProtocol {
    /// Drops every character of `set` from both ends.
    func trimmingSet(_ set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
