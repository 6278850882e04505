import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A private tmux server (its own socket) with one window running a plain bash.
final class TmuxSession: @unchecked Sendable {
    let dir = temporaryDirectory("tmux")
    let tmux: String
    let environment: [String: String]

    init?(store: String, columns: Int = 100, rows: Int = 30) throws {
        guard let tmux = findProgram("tmux") else { return nil }
        self.tmux = tmux
        environment = ["PATH": binaryDirectory() + ":/usr/bin:/bin", "INCIDENT_STORE": store, "INCIDENT_USER": "alice",
                       "HOME": dir, "TERM": "xterm-256color", "LANG": "C.UTF-8", "PS1": "$ "]
        // The server this starts keeps whatever descriptors it inherits: give it none of our pipes.
        // It also inherits any descriptor the test process has open at that moment (other
        // tests' pipes), which would keep those pipes from ever reaching end-of-file: close them.
        let closeAll = "for f in /proc/$$/fd/*; do n=${f##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\"; done 2>/dev/null; exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1"
        let r = try runProgram("/bin/bash", ["-c", closeAll, tmux, "-S", dir + "/socket", "-f", "/dev/null",
                                           "new-session", "-d", "-s", "w", "-x", "\(columns)", "-y", "\(rows)", "bash --norc --noprofile"],
                               environment: environment)
        guard r.status == 0 else { Issue.record("tmux did not start: \(r.stderr)"); return nil }
    }

    @discardableResult
    func run(_ args: String...) throws -> RunResult {
        try runProgram(tmux, ["-S", dir + "/socket"] + args, environment: environment)
    }

    func type(_ line: String) throws { try run("send-keys", "-t", "w", "-l", line); try run("send-keys", "-t", "w", "Enter") }
    func keys(_ keys: String...) throws { for k in keys { try run("send-keys", "-t", "w", k) } }
    func screen() -> String { (try? run("capture-pane", "-p", "-t", "w").stdout) ?? "" }
    func resize(_ columns: Int, _ rows: Int) throws { try run("resize-window", "-t", "w", "-x", "\(columns)", "-y", "\(rows)") }

    /// Polls the screen until `condition` holds (or `seconds` pass); returns the last screen.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 30, _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = screen()
            if condition(last) { return last }
            usleep(100_000)
        }
        Issue.record("timed out waiting for \(what); the screen was:\n\(last)")
        return last
    }

    /// The server inherits the test runner's blocked signals, so `kill-server` alone may not
    /// end it: its panes' processes and the server itself are killed by process ID.
    deinit {
        let server = (try? run("display-message", "-p", "#{pid}").stdout)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let panes = ((try? run("list-panes", "-a", "-F", "#{pane_pid}").stdout) ?? "").split(separator: "\n").compactMap { Int32($0) }
        _ = try? run("kill-server")
        for pane in panes where pane > 1 {
            let children = (try? runProgram("/usr/bin/pgrep", ["-P", String(pane)], environment: [:]).stdout) ?? ""
            for child in children.split(separator: "\n").compactMap({ Int32($0) }) where child > 1 { kill(child, SIGKILL) }
            kill(pane, SIGKILL)
        }
        if let server, let pid = Int32(server), pid > 1 { kill(pid, SIGKILL) }
    }
}

@Suite(.serialized) struct WatchTests {
    static let header = "q quits"

    func store() throws -> E2E {
        let e = E2E()
        _ = try e.declare("Checkout 500s", at: "2026-01-05T14:00:00Z")
        try e.run("assign", "1", "commander", "alice")
        try e.run("note", "1", "Rolled back to v1.4.2", "--at", "2026-01-05T14:10:00Z")
        return e
    }

    @Test func liveViewFollowsTheStoreResizesAndRestoresTheTerminal() throws {
        let e = try store()
        guard let t = try TmuxSession(store: e.store) else { Issue.record("tmux is not installed (.ci/run installs it)"); return }
        try t.type("stty -g > \(t.dir)/before; echo BEFORE-MARKER; incident watch 1; echo EXIT=$?; stty -g > \(t.dir)/after")
        var screen = t.waitFor("the live view") { $0.contains(Self.header) && $0.contains("Rolled back to v1.4.2") }
        #expect(screen.contains("INC-1") && screen.contains("Timers") && screen.contains("OVERDUE"))
        #expect(screen.contains("MISSING") && screen.contains("Communications Lead"))
        #expect(!screen.contains("BEFORE-MARKER"))  // the alternate screen
        // Another process writes; the view shows it without a key press.
        #expect(try e.run("note", "1", "Written by another process", user: "bob").status == 0)
        t.waitFor("the new entry") { $0.contains("Written by another process") }
        // Narrower: every line fits.
        try t.resize(60, 20)
        screen = t.waitFor("the narrow layout") { s in
            s.contains(Self.header) && s.contains("Timers") && s.split(separator: "\n").allSatisfy { $0.count <= 60 }
        }
        #expect(screen.split(separator: "\n").count <= 20)
        try t.resize(30, 6)
        t.waitFor("the too-small message") { $0.contains("too small") }
        try t.resize(100, 30)
        t.waitFor("the full layout again") { $0.contains(Self.header) && $0.contains("Timers") }
        try t.keys("q")
        screen = t.waitFor("the shell again") { $0.contains("EXIT=0") }
        #expect(screen.contains("BEFORE-MARKER") && !screen.contains(Self.header))
        t.waitFor("stty") { _ in FileManager.default.fileExists(atPath: t.dir + "/after") }
        usleep(200_000)
        let before = try String(contentsOfFile: t.dir + "/before", encoding: .utf8)
        let after = try String(contentsOfFile: t.dir + "/after", encoding: .utf8)
        #expect(!before.isEmpty && before == after, "terminal settings changed: \(before) → \(after)")
    }

    /// Ctrl-C, SIGTERM and a crash (SIGILL is what a Swift trap raises) all restore the screen
    /// and the terminal settings.
    @Test(arguments: [("ctrl-c", 130), ("SIGTERM", 143), ("crash", 132)])
    func everyWayOutRestoresTheTerminal(_ way: String, _ status: Int) throws {
        let e = try store()
        guard let t = try TmuxSession(store: e.store) else { Issue.record("tmux is not installed (.ci/run installs it)"); return }
        let pidFile = t.dir + "/pid"
        try t.type("stty -g > \(t.dir)/before; echo BEFORE-MARKER; bash -c 'echo $$ > \(pidFile); exec incident watch' 2>/dev/null; echo EXIT=$?; stty -g > \(t.dir)/after")
        t.waitFor("the live view") { $0.contains(Self.header) && $0.contains("INC-1") }
        switch way {
        case "ctrl-c": try t.keys("C-c")
        default:
            let pid = Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(pid > 0)
            if pid > 0 { kill(pid, way == "crash" ? SIGILL : SIGTERM) }
        }
        let screen = t.waitFor("the shell after \(way)") { $0.contains("EXIT=\(status)") }
        #expect(screen.contains("BEFORE-MARKER") && !screen.contains(Self.header))
        t.waitFor("stty") { _ in FileManager.default.fileExists(atPath: t.dir + "/after") }
        usleep(200_000)
        let before = try String(contentsOfFile: t.dir + "/before", encoding: .utf8)
        let after = try String(contentsOfFile: t.dir + "/after", encoding: .utf8)
        #expect(!before.isEmpty && before == after, "terminal settings changed after \(way): \(before) → \(after)")
    }

    @Test func withoutATerminalItPrintsOneSnapshot() throws {
        let e = try store()
        _ = try e.declare("Disk full", severity: "low", at: "2026-01-05T14:30:00Z")
        try e.run("ack", "2", "--at", "2026-01-05T14:31:00Z")
        let start = Date()
        let one = try e.run("watch", "1")
        #expect(one.status == 0)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(one.stdout.contains("INC-1") && one.stdout.contains("Timers") && one.stdout.contains("Rolled back to v1.4.2"))
        #expect(one.stdout.contains("Latest entries") && one.stdout.contains("Roles"))
        #expect(!one.stdout.contains("\u{1B}"))
        // Every active incident, the most urgent (overdue, most severe) first.
        let all = try e.run("watch")
        #expect(all.status == 0)
        let first = all.stdout.range(of: "INC-1")?.lowerBound, second = all.stdout.range(of: "INC-2")?.lowerBound
        #expect(first != nil && second != nil && first! < second!)
        #expect(try e.run("watch", "9").status == 3)
    }
}
