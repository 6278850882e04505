#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import IncidentKit
import Synchronization

// The process boundary, in one place: arguments, environment, clock, standard streams,
// signals, terminal facts and the login name. Everything else in incident receives these
// through `Context`, so tests inject them and the rest of the code never touches the process.

// The C calls under names that cannot collide with a method called `read` or `write`.
private func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }

/// Writes to a file descriptor (stdout or stderr), retrying short writes and EINTR. A closed
/// pipe (EPIPE: `incident list | head -1`) is not an error worth a message; any other failure
/// to write standard output (a full disk, `> /dev/full`) is remembered, and the process then
/// says so and exits non-zero instead of reporting success for output nobody got.
public struct FileDescriptorSink: TextSink {
    let fd: Int32
    public init(fd: Int32) { self.fd = fd }

    /// The first errno a write to standard output failed with (0: none).
    static let stdoutFailure = Atomic<Int32>(0)

    public func write(_ text: String) {
        // Straight from the string's own UTF-8 (no copy: `list --all` prints a megabyte).
        var text = text
        text.withUTF8 { write($0) }
    }

    public func write(utf8 bytes: [UInt8]) { bytes.withUnsafeBufferPointer { write($0) } }

    private func write(_ u: UnsafeBufferPointer<UInt8>) {
        var done = 0
        while done < u.count {
            let n = sysWrite(fd, u.baseAddress! + done, u.count - done)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                if fd == 1 && code != EPIPE { _ = Self.stdoutFailure.compareExchange(expected: 0, desired: code, ordering: .relaxed) }
                return
            }
            if n == 0 { return }
            done += n
        }
    }
}

extension CLI {
    /// Runs incident as a process and exits with its status: the executable's `main.swift`
    /// is this one call.
    public static func main() -> Never {
        ProcessLifetime.isProcess = true
        exit(status())
    }

    static func status() -> Int32 {
        // A closed pipe is reported by write() (EPIPE), not by killing us; a file-size limit
        // (ulimit -f) is reported by write() (EFBIG) as one sentence, with nothing half-written.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        let stderr = FileDescriptorSink(fd: 2)
        let arguments: [String]
        switch processArguments() {
        case let .success(list): arguments = list
        case let .failure(bad):
            stderr.write("incident: argument \(bad.index) is not valid UTF-8 text.\n")
            return ExitCode.usage
        }
        let (environment, invalid) = processEnvironment()
        let stdoutIsTerminal = isatty(1) == 1
        var context = Context(
            environment: environment,
            now: wallClock,
            stdout: FileDescriptorSink(fd: 1),
            stderr: stderr,
            readStandardInput: readStandardInput,
            stdoutIsTerminal: stdoutIsTerminal,
            stderrIsTerminal: isatty(2) == 1,
            width: terminalWidth(stdoutIsTerminal),
            invalidEnvironment: invalid,
            executablePath: executablePath(),
            terminal: stdoutIsTerminal ? POSIXTerminal() : nil,
            composeWithEditor: composeWithEditor)
        context.lookUpLoginName { loginName() }
        let status = run(arguments: arguments, context: context)
        let failure = FileDescriptorSink.stdoutFailure.load(ordering: .relaxed)
        if failure != 0 {
            let reason = String(cString: strerror(failure))
            if status == ExitCode.success && Store.finishedAWrite.load(ordering: .relaxed) {
                stderr.write("incident: could not write to standard output (\(reason)); the change is stored, only its report is lost.\n")
                return status
            }
            stderr.write("incident: could not write to standard output (\(reason)); what was printed is incomplete.\n")
            return status == ExitCode.success ? ExitCode.refused : status
        }
        return status
    }

    /// This binary's absolute path (what a git store's merge driver runs).
    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    struct InvalidArgument: Error { var index: Int }

    /// argv as strings; Swift would silently repair invalid UTF-8, so it is refused instead.
    static func processArguments() -> Result<[String], InvalidArgument> {
        var arguments: [String] = []
        let argc = Int(CommandLine.argc)
        guard argc > 1 else { return .success([]) }
        for i in 1..<argc {
            guard let raw = CommandLine.unsafeArgv[i] else { continue }
            guard let text = String(validatingCString: raw) else { return .failure(InvalidArgument(index: i)) }
            arguments.append(text)
        }
        return .success(arguments)
    }

    /// The environment. The first definition of a name wins (as with getenv); a value that is
    /// not valid UTF-8 is left out and its name reported, never repaired into another value.
    static func processEnvironment() -> ([String: String], Set<String>) {
        // Sized up front: grown from empty, it rehashed 5 times (a third of --version); and
        // `init(minimumCapacity:)`, unlike `reserveCapacity`, is specialised here instead of
        // instantiating the dictionary's generic metadata at run time.
        var environment = [String: String](minimumCapacity: 64)
        var invalid: Set<String> = []
        #if canImport(Darwin)
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = _NSGetEnviron()?.pointee
        #else
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        #endif
        guard var envp = start else { return (environment, invalid) }
        while let entry = envp.pointee {
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))
            if let eq = bytes.firstIndex(of: 0x3d) {
                let name = String(decoding: bytes[..<eq], as: UTF8.self)
                if environment[name] == nil && !invalid.contains(name) {
                    if let value = String(validating: bytes[(eq + 1)...], as: UTF8.self) {
                        environment[name] = value
                    } else {
                        invalid.insert(name)
                    }
                }
            }
            envp += 1
        }
        return (environment, invalid)
    }

    @Sendable static func wallClock() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    /// All of standard input, at most `limit + 1` bytes (the caller reports "over the limit").
    @Sendable static func readStandardInput(_ limit: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while out.count <= limit {
            let n = chunk.withUnsafeMutableBytes { sysRead(0, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// The login name, for an author no one named. On Linux it is looked up without the C
    /// library's user database: the release build links glibc statically, and a static glibc
    /// that consults NSS loads the system's shared modules (systemd, sss, ldap), which can
    /// crash it. The login session's user (`/proc/self/loginuid`, which `sudo` keeps) first,
    /// then the real user, each in `/etc/passwd`; nil when neither is there (the author is
    /// then `USER`).
    static func loginName() -> String? {
        #if os(Linux)
        guard let passwd = try? POSIXFile.read("/etc/passwd", limit: 64 << 20, followLinks: true) else { return nil }
        if let text = try? POSIXFile.read("/proc/self/loginuid", limit: 64, followLinks: true),
           let uid = UInt32(String(decoding: text.prefix { $0 != 0x0A && $0 != 0x20 }, as: UTF8.self)),
           uid != UInt32.max, let name = userName(uid: uid, passwd: passwd) {
            return name
        }
        return userName(uid: UInt32(getuid()), passwd: passwd)
        #else
        if let name = getlogin(), let text = String(validatingCString: name) { return text }
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
        return String(validatingCString: name)
        #endif
    }

    /// The name of the first `/etc/passwd` entry (`name:password:uid:…`) with `uid`.
    static func userName(uid: UInt32, passwd: [UInt8]) -> String? {
        for line in passwd.split(separator: 0x0A, omittingEmptySubsequences: true) {
            let fields = line.split(separator: 0x3A, maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3, !fields[0].isEmpty, fields[0].first != 0x23, fields[0].first != 0x2B, fields[0].first != 0x2D,
                  let text = String(validating: fields[2], as: UTF8.self), let id = UInt32(text), id == uid,
                  let name = String(validating: fields[0], as: UTF8.self) else { continue }
            return name
        }
        return nil
    }

    /// The terminal's width for help text (100 when not a terminal), kept to 40...200.
    static func terminalWidth(_ isTerminal: Bool) -> Int {
        guard isTerminal else { return 100 }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 100 }
        return min(max(Int(size.ws_col), 40), 200)
    }
}

/// Large values a command is done with, kept until the process exits instead of being freed
/// one object at a time: `list --all` over 10,000 incidents spent several milliseconds
/// freeing what `exit` discards anyway. Only in the real process (`CLI.main`); tests that run
/// commands in-process free as usual.
enum ProcessLifetime {
    nonisolated(unsafe) static var isProcess = false
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keep(_ value: Any) {
        if isProcess { kept.append(value) }
    }
}
