import Foundation
import IncidentKit

/// A team sharing a store through git, for end-to-end tests: a bare repository on disk as the
/// remote and clones of it, each a store. HOME is a temporary directory with its own
/// .gitconfig (identity, protocol.file.allow), and GIT_* identity variables are fixed, so the
/// tests never read the machine's git configuration.
public struct GitTeam: Sendable {
    public let directory: String
    public let remote: String
    public let home: String

    public init() throws {
        directory = temporaryDirectory("team")
        remote = directory + "/remote.git"
        home = directory + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let config = """
        [user]
        \tname = Test Team
        \temail = team@example.com
        [protocol "file"]
        \tallow = always
        [init]
        \tdefaultBranch = main

        """
        try config.write(toFile: home + "/.gitconfig", atomically: true, encoding: .utf8)
        let r = try git(["init", "-q", "--bare", "-b", "main", remote], in: directory)
        guard r.status == 0 else { throw NSError(domain: "git", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
    }

    public var environment: [String: String] {
        ["HOME": home, "GIT_AUTHOR_NAME": "Test Team", "GIT_AUTHOR_EMAIL": "team@example.com",
         "GIT_COMMITTER_NAME": "Test Team", "GIT_COMMITTER_EMAIL": "team@example.com", "GIT_CONFIG_NOSYSTEM": "1",
         "PATH": "/usr/local/bin:/usr/bin:/bin"]
    }

    public func path(_ clone: String) -> String { directory + "/" + clone }

    /// Runs `git ARGS` in `directory` with the team's environment.
    @discardableResult
    public func git(_ args: [String], in directory: String) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + args
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Runs `incident ARGS` on a clone's store as `user`.
    @discardableResult
    public func run(_ clone: String, _ args: [String], as user: String = "alice", extra: [String: String] = [:]) throws -> RunResult {
        var env = environment
        for (k, v) in extra { env[k] = v }
        return try runBinary(args, store: path(clone), user: user, environment: env)
    }

    /// The first clone creates the shared store and pushes it; the others clone it.
    public func start(_ clones: [String]) throws {
        guard let first = clones.first else { return }
        let i = try run(first, ["init", "--git", "--remote", remote])
        guard i.status == 0 else { throw NSError(domain: "init", code: Int(i.status), userInfo: [NSLocalizedDescriptionKey: i.stderr]) }
        let s = try run(first, ["sync"])
        guard s.status == 0 else { throw NSError(domain: "sync", code: Int(s.status), userInfo: [NSLocalizedDescriptionKey: s.stderr]) }
        for c in clones.dropFirst() {
            let r = try git(["clone", "-q", remote, path(c)], in: directory)
            guard r.status == 0 else { throw NSError(domain: "clone", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
        }
    }

    /// `show ID --json` with the clock-dependent parts (timers) left out, as a canonical string.
    public func show(_ clone: String, _ id: String) throws -> String {
        let r = try run(clone, ["show", id, "--json", "--at", "2030-01-01T00:00:00Z"])
        guard r.status == 0 else { return "show failed (\(r.status)): \(r.stderr)" }
        guard var object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else { return r.stdout }
        object["sla"] = nil
        object["actionItems"] = (object["actionItems"] as? [[String: Any]])?.map { var a = $0; a["overdue"] = nil; return a }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    public func showObject(_ clone: String, _ id: String) throws -> [String: Any] {
        let r = try run(clone, ["show", id, "--json"])
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    /// Every incident file under a clone's store (relative paths).
    public func incidentFiles(_ clone: String) -> [String] {
        var out: [String] = []
        let root = path(clone)
        for dir in ["active"] + ((try? FileManager.default.contentsOfDirectory(atPath: root + "/archive")) ?? []).filter { $0.count == 4 }.map({ "archive/" + $0 }) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + dir)) ?? [] where name.hasSuffix(".json") && !name.hasPrefix(".") {
                out.append(dir + "/" + name)
            }
        }
        return out.sorted()
    }
}
