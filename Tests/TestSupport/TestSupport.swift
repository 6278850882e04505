import Foundation
import IncidentCLI
import IncidentKit

/// A sink that keeps what was written, for in-process CLI tests.
public final class CapturedOutput: TextSink, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    public init() {}
    public func write(_ text: String) { lock.lock(); buffer += text; lock.unlock() }
    public var text: String { lock.lock(); defer { lock.unlock() }; return buffer }
}

/// `2026-11-23T14:05:00Z` → Timestamp, failing loudly in tests.
public func ts(_ iso: String) -> Timestamp {
    guard let t = TimeParser.parseISO8601(iso) else { fatalError("bad test time \(iso)") }
    return t
}

/// One directory per test process under the system temp directory, removed when the process
/// exits, so test runs do not pile up stores in /tmp. (Short: tmux sockets live under it.)
let testRoot: String = {
    let root = NSTemporaryDirectory() + "it-\(getpid())-\(UUID().uuidString.prefix(6))"
    try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { removeTestRoot() }
    return root
}()

/// Removes `testRoot`, first making every directory writable again (some tests take the
/// permissions away to provoke failures).
func removeTestRoot() {
    let fm = FileManager.default
    if let e = fm.enumerator(atPath: testRoot) {
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let p = testRoot + "/" + rel
            if fm.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue { chmod(p, 0o700) }
        }
    }
    chmod(testRoot, 0o700)
    try? fm.removeItem(atPath: testRoot)
}

/// A fresh, empty directory under this test process's temporary root.
public func temporaryDirectory(_ label: String = "incident") -> String {
    let path = testRoot + "/\(label)-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every file under `root` with its bytes (the lock file aside), to assert nothing was written.
public func snapshot(_ root: String) -> [String: Data] {
    var out: [String: Data] = [:]
    guard let e = FileManager.default.enumerator(atPath: root) else { return out }
    while let rel = e.nextObject() as? String {
        var isDir: ObjCBool = false
        let p = root + "/" + rel
        if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue, !rel.hasSuffix(".lock") {
            out[rel] = FileManager.default.contents(atPath: p)
        }
    }
    return out
}

public struct RunResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// True when the process outlived the `timeout` given to `runBinary` and was killed.
    public var timedOut: Bool = false
    /// True when a signal ended the process (a crash, SIGXFSZ, or the timeout's SIGKILL).
    public var signalled: Bool = false
}

/// Runs the CLI in-process with a fixed clock and its own store.
public struct InProcessCLI: Sendable {
    public var store: String
    public var now: Timestamp
    public var user: String
    /// Extra environment (TZ is UTC unless set here).
    public var environment: [String: String]

    public init(store: String = temporaryDirectory(), now: Timestamp = ts("2026-11-23T14:05:00Z"), user: String = "alice",
                environment: [String: String] = [:]) {
        self.store = store; self.now = now; self.user = user; self.environment = environment
    }

    @discardableResult
    public func run(_ args: [String], stdin: String? = nil) -> RunResult {
        let out = CapturedOutput(), err = CapturedOutput()
        let now = self.now
        let context = Context(
            environment: ["INCIDENT_STORE": store, "INCIDENT_USER": user, "INCIDENT_LOCK_TIMEOUT": "5", "TZ": "UTC"].merging(environment) { $1 },
            now: { now }, stdout: out, stderr: err,
            readStandardInput: { _ in stdin.map { Array($0.utf8) } })
        let status = CLI.run(arguments: args, context: context)
        return RunResult(status: status, stdout: out.text, stderr: err.text)
    }

    /// Runs with `--json` and decodes stdout.
    public func json(_ args: [String]) throws -> Any {
        let r = run(args + ["--json"])
        guard r.status == 0 else {
            throw NSError(domain: "cli", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr])
        }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }
}

/// The built `incident` binary: SwiftPM puts it beside the test bundle.
public func incidentBinary() -> String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    for _ in 0..<5 {
        dir = dir.deletingLastPathComponent()
        let candidate = dir.appendingPathComponent("incident").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    let bundle = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("incident").path
    return bundle
}

/// Runs the real binary as a subprocess; reads both pipes concurrently so a full pipe
/// cannot deadlock it.
/// With `timeout`, a process still running after that many seconds is killed and reported
/// as `timedOut` (a hang is a failure, not a stuck test run). `shell` runs the binary under
/// `/bin/sh -c SHELL "$@"` with the binary as `$0`, e.g. `ulimit -f 4; exec "$0" "$@"`.
public func runBinary(_ args: [String], store: String, user: String = "alice", stdin: Data? = nil,
                      environment extra: [String: String] = [:], timeout: Double? = nil, shell: String? = nil) throws -> RunResult {
    let process = Process()
    if let shell {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", shell, incidentBinary()] + args
    } else {
        process.executableURL = URL(fileURLWithPath: incidentBinary())
        process.arguments = args
    }
    // TZ=UTC unless a test sets a zone: human output is then exactly UTC.
    var env = ["INCIDENT_STORE": store, "INCIDENT_USER": user, "PATH": "/usr/bin:/bin", "HOME": store + "-home", "TZ": "UTC"]
    for (k, v) in extra { env[k] = v }
    process.environment = env
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    let killer = Killer()
    if let timeout {
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if killer.arm() { kill(pid, SIGKILL) }
        }
    }
    let collected = Collected()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { collected.setOut(outPipe.fileHandleForReading.readDataToEndOfFile()) }
    DispatchQueue.global().async(group: group) { collected.setErr(errPipe.fileHandleForReading.readDataToEndOfFile()) }
    if let stdin { try? inPipe.fileHandleForWriting.write(contentsOf: stdin) }
    try? inPipe.fileHandleForWriting.close()
    group.wait()
    process.waitUntilExit()
    let timedOut = !killer.disarm()
    return RunResult(status: process.terminationStatus, stdout: String(decoding: collected.out, as: UTF8.self),
                     stderr: String(decoding: collected.err, as: UTF8.self), timedOut: timedOut,
                     signalled: process.terminationReason == .uncaughtSignal)
}

/// Kills at most once, and only if the process has not been reaped yet.
private final class Killer: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var fired = false
    /// The timer's side: true if it may kill (the process has not finished).
    func arm() -> Bool { lock.lock(); defer { lock.unlock() }; if done { return false }; fired = true; return true }
    /// The waiter's side: false if the timer already fired.
    func disarm() -> Bool { lock.lock(); defer { lock.unlock() }; done = true; return !fired }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var out = Data()
    private(set) var err = Data()
    func setOut(_ d: Data) { lock.lock(); out = d; lock.unlock() }
    func setErr(_ d: Data) { lock.lock(); err = d; lock.unlock() }
}

/// The TZif files committed under Tests/Fixtures/zoneinfo (copied from Debian's tzdata
/// 2025b), so zone tests do not depend on the host's database. Use as TZDIR.
public let fixtureZoneDirectory: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/zoneinfo").path
}()

/// The rules of a committed fixture zone.
public func fixtureZone(_ name: String) throws -> ZoneRules {
    try ZoneDatabase.rules(named: name, directory: fixtureZoneDirectory)
}

/// Runs any program (a shell, tmux) with exactly `environment`, collecting both pipes.
public func runProgram(_ path: String, _ args: [String], environment: [String: String],
                       currentDirectory: String? = nil, stdin: Data? = nil) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = args
    process.environment = environment
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    let collected = Collected()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { collected.setOut(outPipe.fileHandleForReading.readDataToEndOfFile()) }
    DispatchQueue.global().async(group: group) { collected.setErr(errPipe.fileHandleForReading.readDataToEndOfFile()) }
    if let stdin { try? inPipe.fileHandleForWriting.write(contentsOf: stdin) }
    try? inPipe.fileHandleForWriting.close()
    group.wait()
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: String(decoding: collected.out, as: UTF8.self),
                     stderr: String(decoding: collected.err, as: UTF8.self))
}

/// The directory holding the built `incident` binary, to put on PATH for shell tests.
public func binaryDirectory() -> String {
    URL(fileURLWithPath: incidentBinary()).deletingLastPathComponent().path
}

/// The first of `names` found in the usual binary directories.
public func findProgram(_ name: String) -> String? {
    for dir in ["/usr/bin", "/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
        return dir + "/" + name
    }
    return nil
}
