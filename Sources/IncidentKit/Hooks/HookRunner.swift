#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How one hook run ended.
public enum HookOutcome: Sendable, Equatable {
    /// It ran to the end; its exit status (0 is success).
    case exited(Int32)
    /// A signal ended it (not ours).
    case signaled(Int32)
    /// It outlived its time limit and its process group was killed.
    case timedOut(seconds: Double)
    /// The file is not executable (no x bit, or the kernel refused to run it).
    case notExecutable(String)
    /// It could not be started for another reason.
    case failedToStart(String)

    public var succeeded: Bool { self == .exited(0) }

    /// The shell-style status: the exit code, 128+signal, 124 on a timeout, 126 when it
    /// could not be executed, 127 when it could not be started.
    public var status: Int32 {
        switch self {
        case let .exited(code): return code
        case let .signaled(sig): return 128 + sig
        case .timedOut: return 124
        case .notExecutable: return 126
        case .failedToStart: return 127
        }
    }

    public var description: String {
        switch self {
        case .exited(0): return "exit 0"
        case let .exited(code): return "failed with exit status \(code)"
        case let .signaled(sig): return "was killed by signal \(sig) (status \(128 + sig))"
        case let .timedOut(seconds): return "timed out after \(formatSeconds(seconds)) and was stopped (status 124)"
        case let .notExecutable(why): return "is not executable (\(why); status 126)"
        case let .failedToStart(why): return "could not be started (\(why); status 127)"
        }
    }
}

/// The result of running one hook: how it ended, what it printed, how long it took.
public struct HookRun: Sendable {
    public var outcome: HookOutcome
    /// Standard output and standard error, interleaved as written, at most `outputLimit` bytes.
    public var output: String
    public var truncated: Bool
    public var milliseconds: Int64
    /// A process the hook left running in its process group (a `nohup … &` that detaches),
    /// which may still read the hook's file.
    public var leftRunning = false

    public init(outcome: HookOutcome, output: String, truncated: Bool, milliseconds: Int64) {
        self.outcome = outcome; self.output = output; self.truncated = truncated; self.milliseconds = milliseconds
    }
}

/// Runs one executable with a JSON document on its standard input, a set environment and
/// a time limit. The child gets its own process group, so a hook that forks (a shell
/// running `curl`) is stopped as a whole: SIGTERM to the group at the limit, SIGKILL a
/// second later. Uses `posix_spawn`, no Foundation.
public enum HookRunner {
    public static let outputLimit = 64 * 1024

    public static func run(path: String, stdin payload: [UInt8], environment: [String: String], timeout: Double) -> HookRun {
        let started = monotonicMilliseconds()

        // An ignored SIGPIPE is what lets us survive a hook that closes its stdin early;
        // the child gets the default disposition back (POSIX_SPAWN_SETSIGDEF).
        signal(SIGPIPE, SIG_IGN)

        var inPipe: [Int32] = [-1, -1]
        var outPipe: [Int32] = [-1, -1]
        guard makePipe(&inPipe) else {
            return HookRun(outcome: .failedToStart("no pipe: \(String(cString: strerror(errno)))"), output: "", truncated: false, milliseconds: 0)
        }
        guard makePipe(&outPipe) else {
            close(inPipe[0]); close(inPipe[1])
            return HookRun(outcome: .failedToStart("no pipe: \(String(cString: strerror(errno)))"), output: "", truncated: false, milliseconds: 0)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }
            .filter { !$0.key.isEmpty && !$0.key.contains("=") && !$0.key.contains("\0") && !$0.value.contains("\0") }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }

        var pid: pid_t = 0
        let spawnError = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(inPipe[0])
        close(outPipe[1])
        if spawnError != 0 {
            close(inPipe[1]); close(outPipe[0])
            let why = String(cString: strerror(spawnError))
            let outcome: HookOutcome
            switch spawnError {
            case EACCES, EPERM: outcome = .notExecutable(why)
            case ENOEXEC: outcome = .notExecutable("\(why); does it start with a #! line?")
            default: outcome = .failedToStart(why)
            }
            return HookRun(outcome: outcome, output: "", truncated: false, milliseconds: monotonicMilliseconds() - started)
        }

        _ = fcntl(inPipe[1], F_SETFL, fcntl(inPipe[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(outPipe[0], F_SETFL, fcntl(outPipe[0], F_GETFL) | O_NONBLOCK)
        var writeFD: Int32 = inPipe[1]
        var readFD: Int32 = outPipe[0]
        var written = 0
        if payload.isEmpty { close(writeFD); writeFD = -1 }

        var output: [UInt8] = []
        var truncated = false
        var exited = false
        var waitStatus: Int32 = 0
        var timedOut = false
        let limitMs = Int64(max(0.05, timeout) * 1000)
        let deadline = started + limitMs
        var exitedAt: Int64?
        var buffer = [UInt8](repeating: 0, count: 16_384)

        func drain() {
            while readFD >= 0 {
                let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
                if n > 0 {
                    let room = outputLimit - output.count
                    if room > 0 { output.append(contentsOf: buffer[0..<min(n, room)]) }
                    if n > room { truncated = true }
                    continue
                }
                if n == 0 { close(readFD); readFD = -1; return }
                if errno == EINTR { continue }
                return  // EAGAIN: nothing more for now
            }
        }

        while true {
            if !exited {
                let r = waitpid(pid, &waitStatus, WNOHANG)
                if r == pid { exited = true; exitedAt = monotonicMilliseconds() }
            }
            let now = monotonicMilliseconds()
            // After the hook exits, give what it left in the pipe (or a background child
            // still holding it) a moment, then stop listening.
            if exited && (readFD < 0 || now - (exitedAt ?? now) > 200) { break }
            if !exited && now >= deadline { timedOut = true; break }

            var fds: [pollfd] = []
            if readFD >= 0 { fds.append(pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)) }
            if writeFD >= 0 { fds.append(pollfd(fd: writeFD, events: Int16(POLLOUT), revents: 0)) }
            let wait = Int32(min(50, max(1, deadline - now)))
            if fds.isEmpty { usleep(UInt32(wait) * 1000); continue }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 && errno != EINTR { usleep(10_000) }
            if readFD >= 0 { drain() }
            if writeFD >= 0 {
                let n = payload.withUnsafeBytes { raw in
                    write(writeFD, raw.baseAddress! + written, payload.count - written)
                }
                if n > 0 { written += n }
                if (n < 0 && errno != EAGAIN && errno != EINTR) || written >= payload.count {
                    close(writeFD); writeFD = -1
                }
            }
        }

        if timedOut {
            kill(-pid, SIGTERM)
            let grace = monotonicMilliseconds() + 1000
            while monotonicMilliseconds() < grace {
                if waitpid(pid, &waitStatus, WNOHANG) == pid { exited = true; break }
                usleep(10_000)
            }
            kill(-pid, SIGKILL)
            if !exited { _ = waitpid(pid, &waitStatus, 0) }
            drain()
        }
        if writeFD >= 0 { close(writeFD) }
        if readFD >= 0 { drain(); if readFD >= 0 { close(readFD) } }

        let outcome: HookOutcome
        if timedOut {
            outcome = .timedOut(seconds: timeout)
        } else if waitStatus & 0x7f == 0 {
            outcome = .exited((waitStatus >> 8) & 0xff)
        } else {
            outcome = .signaled(waitStatus & 0x7f)
        }
        var run = HookRun(outcome: outcome, output: String(decoding: output, as: UTF8.self), truncated: truncated,
                          milliseconds: monotonicMilliseconds() - started)
        run.leftRunning = !timedOut && kill(-pid, 0) == 0
        return run
    }

    /// A pipe whose ends close on exec (the child gets only the dup2'd copies).
    static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
