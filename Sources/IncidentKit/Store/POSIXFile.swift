#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

// The C calls under short names that cannot collide with a method called `read` or `write`.
func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func sysRename(_ fromDir: Int32, _ from: String, _ toDir: Int32, _ to: String) -> Int32 { renameat(fromDir, from, toDir, to) }

/// The one file-system boundary of incident. Every file the tool reads or writes, inside the
/// store or out, goes through here, with the same guarantees:
///
/// - **No links are followed below a trusted directory.** A store's root is resolved once to
///   its real path (`Store.init`); every component below it is then opened with `O_NOFOLLOW`,
///   one at a time from `/`, so a planted link (a file or any directory in between) is refused
///   with a sentence naming it. Files the user names (`--output`, evidence, a runbook FILE)
///   have their directory resolved the same way and their last component is never followed
///   for a write.
/// - **Reads never block and are bounded**: open with `O_NONBLOCK`, `fstat`, require a regular
///   file, refuse it over the limit, then read. A FIFO, socket, device or directory is an error,
///   never a hang.
/// - **Writes are atomic, durable and size-checked**: a 0600 temp file beside the target
///   (`O_EXCL|O_NOFOLLOW`), written fully, fsynced, renamed over the target, directory fsynced.
///   A failure (full disk, `ulimit -f`, permissions) removes the temp file and leaves the old
///   file as it was.
/// - **Every failure is one sentence** (`IncidentError`) naming the path.
public enum POSIXFile {
    static var lastError: String { reason(errno) }

    /// A short, human phrase for an errno (no "Error Domain=..." dumps).
    public static func reason(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "the disk is full"
        case EDQUOT: return "the disk quota is exhausted"
        case EFBIG: return "the file size limit was reached (ulimit -f)"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "the file system is read-only"
        case ENOENT: return "it does not exist"
        case ENOTDIR: return "a part of the path is not a directory"
        case EISDIR: return "it is a directory"
        case ENAMETOOLONG: return "the name is too long"
        case EIO: return "an input/output error occurred"
        case EMFILE, ENFILE: return "too many files are open"
        case ENOMEM: return "out of memory"
        default: return String(cString: strerror(code))
        }
    }

    public enum Kind: Sendable { case missing, file, directory, symlink, other }

    /// What is at `path` (never following a link there).
    public static func kind(_ path: String) -> Kind {
        var st = stat()
        if lstat(path, &st) != 0 { return .missing }
        return kind(mode: st.st_mode)
    }

    static func kind(mode: mode_t) -> Kind {
        switch mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    static func describe(_ kind: Kind) -> String {
        switch kind {
        case .missing: return "missing"
        case .file: return "a regular file"
        case .directory: return "a directory"
        case .symlink: return "a symbolic link"
        case .other: return "a FIFO, socket or device"
        }
    }

    public static func exists(_ path: String) -> Bool { kind(path) != .missing }

    static func notRegular(_ path: String, _ what: Kind) -> IncidentError {
        .storage("\(path) is \(describe(what)), not a regular file; incident reads only regular files.")
    }

    static func linkRefused(_ path: String) -> IncidentError {
        .storage("\(path) is a symbolic link; incident never follows links in the store or in the files it writes (replace it with a real file or directory).")
    }

    // MARK: Paths

    /// `path` made absolute with every existing component resolved (`realpath`); the part that
    /// does not exist yet is appended as written. The result names no link, so it can be walked
    /// with `O_NOFOLLOW` from `/`.
    public static func resolve(_ path: String) -> String {
        var absolute = path
        if !absolute.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let cwd = getcwd(&buffer, buffer.count) != nil
                ? String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "."
            absolute = cwd + "/" + path
        }
        // The usual case: the whole path exists.
        if let real = realpath(absolute, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        var parts = absolute.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var missing: [String] = []
        while true {
            let candidate = "/" + parts.joined(separator: "/")
            if let real = realpath(candidate, nil) {
                defer { free(real) }
                var base = String(cString: real)
                for m in missing.reversed() {
                    if m == "." { continue }
                    if m == ".." { if let s = base.lastIndex(of: "/") { base = s == base.startIndex ? "/" : String(base[..<s]) }; continue }
                    base += (base == "/" ? "" : "/") + m
                }
                return base
            }
            guard let last = parts.popLast() else { return absolute }
            missing.append(last)
        }
    }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = slash == path.startIndex ? "/" : String(path[..<slash])
        return (dir, String(path[path.index(after: slash)...]))
    }

    #if os(Linux)
    /// `O_PATH` (not exported by the Glibc module): a handle for walking that needs no read
    /// permission on the directory.
    private static let walkFlag: Int32 = 0o10000000
    #else
    private static let walkFlag: Int32 = O_RDONLY
    #endif

    /// Opens the directory `path` (absolute) component by component from `/` without following
    /// any link, creating missing components (0700) when `create` is set. Returns a readable
    /// descriptor the caller closes.
    static func openDirectory(_ path: String, create: Bool = false) throws -> Int32 {
        let resolvedPath = path.hasPrefix("/") ? path : resolve(path)
        var fd = open("/", walkFlag | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw IncidentError.storage("Cannot open /: \(lastError).") }
        let parts = resolvedPath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var walked = ""
        for (i, part) in parts.enumerated() {
            walked += "/" + part
            let isLast = i == parts.count - 1
            let flags = (isLast ? O_RDONLY : walkFlag) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
            var next = openat(fd, part, flags)
            if next < 0 && errno == ENOENT && create {
                if mkdirat(fd, part, 0o700) != 0 && errno != EEXIST {
                    let e = errno
                    close(fd)
                    throw IncidentError.storage("Cannot create the directory \(walked): \(reason(e)).")
                }
                next = openat(fd, part, flags)
            }
            if next < 0 {
                let e = errno
                var st = stat()
                let what: Kind = fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 ? kind(mode: st.st_mode) : .missing
                close(fd)
                switch what {
                case .symlink: throw linkRefused(walked)
                case .file, .other: throw IncidentError.storage("\(walked) is \(describe(what)), not a directory.")
                case .missing: throw IncidentError.notFound("\(walked) does not exist.")
                case .directory: throw IncidentError.storage("Cannot open the directory \(walked): \(reason(e)).")
                }
            }
            close(fd)
            fd = next
        }
        if parts.isEmpty {
            close(fd)
            fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd < 0 { throw IncidentError.storage("Cannot open /: \(lastError).") }
        }
        return fd
    }

    // MARK: Reading

    /// Reads a regular file of at most `limit` bytes. Inside the store (`followLinks` false)
    /// no component is followed; a file the user names (`followLinks`) may be reached through
    /// links. Never blocks on a FIFO or device.
    public static func read(_ path: String, limit: Int, followLinks: Bool = false) throws -> [UInt8] {
        let fd = try openForReading(path, followLinks: followLinks)
        defer { close(fd) }
        return try readAll(fd, path: path, limit: limit)
    }

    /// The bytes of a regular file owned by the effective user and writable by no one else
    /// (group and others), or nil: for hints incident alone should have written.
    static func readOwnFile(_ path: String, limit: Int) -> [UInt8]? {
        guard let fd = try? openForReading(path, followLinks: false) else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_uid == geteuid(), st.st_mode & 0o022 == 0 else { return nil }
        return try? readAll(fd, path: path, limit: limit)
    }

    /// `read`, plus the file's fingerprint taken after the bytes were read (nil if `fstat`
    /// failed): any write before that moment shows in the change time.
    static func readFingerprinted(_ path: String, limit: Int) throws -> (bytes: [UInt8], fingerprint: FileFingerprint?) {
        let fd = try openForReading(path, followLinks: false)
        defer { close(fd) }
        let bytes = try readAll(fd, path: path, limit: limit)
        var st = stat()
        return (bytes, fstat(fd, &st) == 0 ? FileFingerprint(st) : nil)
    }

    /// Reads `path` and hands its bytes to `decode`, with the file's fingerprint before the
    /// read (by path) and after it (of the descriptor read); when `decode` refuses them and the file
    /// changed since it was read (git rewrites a file in place during a pull or checkout, an
    /// editor saves over it), reads it again once it has changed, waiting at most about a
    /// quarter of a second in all, rather than report a half-written file as damaged.
    static func readSettled<T>(_ path: String, limit: Int, pauses: [UInt32] = [10_000, 20_000, 40_000, 80_000, 120_000],
                               _ decode: (_ bytes: [UInt8], _ before: FileFingerprint?, _ read: FileFingerprint?) throws -> T) throws -> T {
        var attempt = 0
        while true {
            let before = FileFingerprint.of(path)
            let (bytes, read) = try readFingerprinted(path, limit: limit)
            do {
                return try decode(bytes, before, read)
            } catch {
                // Only a file changed while it was read, or in the last few seconds, can be
                // mid-write: an old damaged file is reported at once (a store of many damaged
                // files would otherwise pause for each). A recent one is watched until it
                // changes, then read again; if it never does, its error stands.
                guard let read, attempt < pauses.count, settleBudget.load(ordering: .relaxed) > 0 else { throw error }
                var changed = before != nil && before != read
                guard changed || abs(wallClockNanoseconds() - read.mtime) < 5_000_000_000 else { throw error }
                repeat {
                    guard attempt < pauses.count, settleBudget.load(ordering: .relaxed) > 0 else { throw error }
                    settleBudget.subtract(Int(pauses[attempt]), ordering: .relaxed)
                    usleep(pauses[attempt])
                    attempt += 1
                    // Gone: the caller's own retry (a writer moved it) handles that.
                    guard let now = FileFingerprint.of(path) else { throw error }
                    changed = changed || now != read
                } while !changed
            }
        }
    }

    /// Microseconds this process may still spend waiting for files to settle (half a second
    /// in all): a listing that meets many freshly damaged files (a pull that brought them)
    /// waits once, not a quarter of a second per file.
    static let settleBudget = Atomic<Int>(500_000)

    static func wallClockNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Opens `path` for reading, non-blocking, and checks it is a regular file; the descriptor
    /// is then switched back to blocking reads.
    static func openForReading(_ path: String, followLinks: Bool) throws -> Int32 {
        let flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
        var fd: Int32
        if followLinks {
            fd = open(path, flags)
        } else {
            let (dir, name) = split(path)
            let dfd = try openDirectory(dir)
            fd = openat(dfd, name, flags | O_NOFOLLOW)
            if fd < 0 {
                let e = errno
                var st = stat()
                let what: Kind = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? kind(mode: st.st_mode) : .missing
                close(dfd)
                if what == .symlink { throw linkRefused(path) }
                if what == .other { throw notRegular(path, .other) }
                errno = e
            } else {
                close(dfd)
            }
        }
        if fd < 0 {
            let e = errno
            if e == ENOENT { throw IncidentError.notFound("\(path) does not exist.") }
            if e == ENXIO { throw notRegular(path, .other) }
            throw IncidentError.storage("Cannot open \(path): \(reason(e)).")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw IncidentError.storage("Cannot read \(path): \(reason(e)).")
        }
        let what = kind(mode: st.st_mode)
        guard what == .file else {
            close(fd)
            throw notRegular(path, what)
        }
        let fl = fcntl(fd, F_GETFL)
        if fl >= 0 { _ = fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) }
        return fd
    }

    static func readAll(_ fd: Int32, path: String, limit: Int) throws -> [UInt8] {
        var st = stat()
        if fstat(fd, &st) == 0, Int64(st.st_size) > Int64(limit) {
            throw IncidentError.corrupt(path: path, reason: "it is \(st.st_size) bytes, over the \(limit)-byte limit")
        }
        // Straight into the array, sized by fstat (one byte more, to see the end of the file
        // without another call); a file that grew meanwhile is read on in chunks.
        let expected = max(0, min(Int(st.st_size), limit))
        var reachedEnd = false
        var out = try [UInt8](unsafeUninitializedCapacity: expected + 1) { buffer, count in
            count = 0
            while count < buffer.count {
                let n = sysRead(fd, buffer.baseAddress! + count, buffer.count - count)
                if n < 0 { if errno == EINTR { continue }; throw IncidentError.storage("Cannot read \(path): \(lastError).") }
                if n == 0 { reachedEnd = true; return }
                count += n
            }
        }
        if reachedEnd { return out }
        if out.count > limit { throw IncidentError.corrupt(path: path, reason: "it is over the \(limit)-byte limit") }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw IncidentError.storage("Cannot read \(path): \(lastError).") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw IncidentError.corrupt(path: path, reason: "it is over the \(limit)-byte limit") }
        }
        return out
    }

    /// Reads a file the user named on the command line (a runbook FILE): links followed,
    /// regular files only, never blocking, bounded. Errors are one sentence.
    public static func readUserFile(_ path: String, limit: Int) throws -> [UInt8] {
        do {
            return try read(path, limit: limit, followLinks: true)
        } catch let IncidentError.corrupt(p, _) {
            throw IncidentError.invalidInput("\(p) is larger than the \(limit)-byte limit.")
        } catch IncidentError.notFound {
            throw IncidentError.invalidInput("Cannot read \(path): it does not exist.")
        } catch let IncidentError.storage(message) {
            throw IncidentError.invalidInput(message)
        }
    }

    // MARK: Writing

    public static let tempPrefix = ".tmp-"

    static func tempName(for name: String) -> String {
        var rng = SystemRandomNumberGenerator()
        return tempPrefix + String(name.prefix(80)) + "." + String(getpid()) + "." + String(UInt32.random(in: 0...UInt32.max, using: &rng), radix: 16)
    }

    /// Writes `bytes` to `directory/name` atomically: a temp file in the same directory
    /// (O_EXCL, O_NOFOLLOW, `mode`), fsync, rename over the target, fsync the directory. The
    /// directory is reached without following links; a link, directory or special file at the
    /// target is refused. `limit` refuses a write the reader would refuse.
    /// `durable: false` (derived files only) skips the fsyncs: a torn or lost derived file
    /// is detected and rebuilt, so it need not survive a crash.
    public static func writeAtomically(_ bytes: [UInt8], directory: String, name: String, limit: Int? = nil, mode: mode_t = 0o600,
                                       replacingSpecialFiles: Bool = false, durable: Bool = true) throws {
        let target = (directory == "/" ? "" : directory) + "/" + name
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw IncidentError.storage("\(target) is not a file name incident can write.")
        }
        if let limit, bytes.count > limit {
            throw IncidentError.refused("Refusing to write \(target): it would be \(bytes.count) bytes, over the \(limit)-byte limit incident reads back; nothing was changed.")
        }
        let dfd = try openDirectory(directory)
        defer { close(dfd) }
        try checkReplaceable(dfd, name: name, path: target, replacingSpecialFiles: replacingSpecialFiles)
        let temp = tempName(for: name)
        let fd = openat(dfd, temp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0 { throw IncidentError.storage("Cannot write \(target): \(lastError).") }
        var ok = false
        defer { if !ok { unlinkat(dfd, temp, 0) } }
        do {
            defer { close(fd) }
            if mode != 0o600 { _ = fchmod(fd, mode) }
            try writeAll(fd, bytes[...], path: target)
            if durable && fsync(fd) != 0 { throw IncidentError.storage("Cannot write \(target): \(lastError).") }
        }
        // A derived file is unlinked first: renaming over an existing file makes ext4 flush
        // the new one's data before the rename returns (0.4 ms measured here), which only a
        // durable write wants. Meanwhile a reader finds no file and reads the incident files.
        if !durable { _ = unlinkat(dfd, name, 0) }
        if sysRename(dfd, temp, dfd, name) != 0 { throw IncidentError.storage("Cannot replace \(target): \(lastError).") }
        ok = true
        if durable { _ = fsync(dfd) }
    }

    /// A write may replace a missing name or a regular file, never a link or directory. A
    /// derived file (`replacingSpecialFiles`) may also replace a FIFO, socket or device: the
    /// rename replaces the name without opening what was there.
    static func checkReplaceable(_ dfd: Int32, name: String, path: String, replacingSpecialFiles: Bool = false) throws {
        var st = stat()
        guard fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        switch kind(mode: st.st_mode) {
        case .file, .missing: return
        case .other where replacingSpecialFiles: return
        case .symlink: throw linkRefused(path)
        case let other: throw IncidentError.storage("\(path) is \(describe(other)); incident refuses to replace it.")
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, path: String) throws {
        var rest = bytes
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { sysWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw IncidentError.storage("Cannot write \(path): \(lastError).") }
            if n == 0 { throw IncidentError.storage("Cannot write \(path): \(reason(EIO)).") }
            rest = rest.dropFirst(n)
        }
    }

    /// Writes a file the user named (`--output FILE`): its directory is created if missing
    /// (links the user made on the way are theirs), then the write is the same atomic,
    /// no-follow write as the store's. A link at FILE itself is refused. An existing file
    /// keeps its permissions; a new one is 0600.
    /// - Parameters:
    ///   - mode: for a new file (an existing one keeps its own); the default is private, for
    ///     output that may carry internal detail. Published pages pass 0o644 (less the umask).
    ///   - directoryMode: for directories created on the way.
    public static func writeUserFile(_ path: String, _ bytes: [UInt8], mode newMode: mode_t = 0o600, directoryMode: mode_t = 0o700) throws {
        let (dir, name) = try checkUserFileTarget(path)
        try makeUserDirectory(dir, mode: directoryMode)
        let realDir = resolve(dir)
        var mode = newMode
        var st = stat()
        if lstat(realDir + "/" + name, &st) == 0 {
            switch kind(mode: st.st_mode) {
            case .symlink: throw linkRefused(path)
            case .file: mode = st.st_mode & 0o777
            case let other: throw IncidentError.storage("\(path) is \(describe(other)); incident refuses to replace it.")
            }
        }
        try writeAtomically(bytes, directory: realDir, name: name, mode: mode)
    }

    /// The directory and name of a file the user asked for, refused now (before anything is
    /// written) when it is not a name, or when a link or anything but a regular file is there.
    @discardableResult
    public static func checkUserFileTarget(_ path: String) throws -> (directory: String, name: String) {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw IncidentError.invalidInput("'\(path)' is not a file name to write to.")
        }
        let (dir, name) = split(path)
        guard name != "." && name != ".." else { throw IncidentError.invalidInput("'\(path)' is not a file name to write to.") }
        var st = stat()
        if lstat(resolve(dir) + "/" + name, &st) == 0 {
            switch kind(mode: st.st_mode) {
            case .symlink: throw linkRefused(path)
            case .file: break
            case let other: throw IncidentError.storage("\(path) is \(describe(other)); incident refuses to replace it.")
            }
        }
        return (dir, name)
    }

    /// `mkdir -p` for a directory the user named (links followed: it is their tree).
    static func makeUserDirectory(_ path: String, mode: mode_t = 0o700) throws {
        if path == "." || path == "/" || path.isEmpty { return }
        var st = stat()
        if stat(path, &st) == 0 {
            if kind(mode: st.st_mode) == .directory { return }
            throw IncidentError.storage("\(path) is \(describe(kind(mode: st.st_mode))), not a directory.")
        }
        let (parent, _) = split(path)
        if parent != path { try makeUserDirectory(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw IncidentError.storage("Cannot create the directory \(path): \(lastError).")
        }
    }

    // MARK: Streaming (evidence)

    /// A file streamed into a directory under a temp name, with the SHA-256 and size of
    /// exactly the bytes written.
    public struct StagedCopy: Sendable {
        public var directory: String
        public var tempName: String
        public var sha256: String
        public var size: Int64
        public var path: String { directory + "/" + tempName }
    }

    /// Opens a file the user named (links followed) for a streaming read: regular files only,
    /// never blocking.
    static func openUserFile(_ path: String) throws -> Int32 {
        do { return try openForReading(path, followLinks: true) } catch let IncidentError.storage(message) {
            throw IncidentError.invalidInput(message)
        } catch let IncidentError.notFound(message) {
            throw IncidentError.notFound("Cannot read \(path): \(message.hasSuffix("does not exist.") ? "it does not exist" : message).")
        }
    }

    /// SHA-256 and size of a file the user names, streaming in bounded chunks.
    public static func hashFile(_ path: String) throws -> (String, Int64) {
        let fd = try openUserFile(path)
        defer { close(fd) }
        var hasher = SHA256()
        var total: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw IncidentError.storage("Cannot read \(path): \(lastError).") }
            if n == 0 { break }
            hasher.update(chunk[0..<n])
            total += Int64(n)
        }
        return (hasher.finalize().hexString, total)
    }

    /// Streams `source` once into a new temp file in `directory` (reached without following
    /// links), hashing exactly the bytes written. The caller renames it into place (or
    /// removes it). Memory use is one chunk, whatever the file's size.
    public static func stageCopy(of source: String, into directory: String) throws -> StagedCopy {
        let src = try openUserFile(source)
        defer { close(src) }
        let dfd = try openDirectory(directory, create: true)
        defer { close(dfd) }
        let temp = tempPrefix + "copy." + String(getpid()) + "." + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let out = openat(dfd, temp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if out < 0 { throw IncidentError.storage("Cannot create a file in \(directory): \(lastError).") }
        var ok = false
        defer { if !ok { unlinkat(dfd, temp, 0) } }
        var hasher = SHA256()
        var total: Int64 = 0
        do {
            defer { close(out) }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { sysRead(src, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; throw IncidentError.storage("Cannot read \(source): \(lastError).") }
                if n == 0 { break }
                try writeAll(out, chunk[0..<n], path: directory + "/" + temp)
                hasher.update(chunk[0..<n])
                total += Int64(n)
            }
            if fsync(out) != 0 { throw IncidentError.storage("Cannot write a copy of \(source) in \(directory): \(lastError).") }
        }
        ok = true
        return StagedCopy(directory: directory, tempName: temp, sha256: hasher.finalize().hexString, size: total)
    }

    /// Renames `fromDirectory/from` to `toDirectory/to`, neither directory reached through a
    /// link, refusing to replace anything but a regular file. Both directories are fsynced.
    public static func move(from fromDirectory: String, _ from: String, to toDirectory: String, _ to: String) throws {
        let src = try openDirectory(fromDirectory)
        defer { close(src) }
        let dst = try openDirectory(toDirectory, create: true)
        defer { close(dst) }
        let target = toDirectory + "/" + to
        try checkReplaceable(dst, name: to, path: target)
        if sysRename(src, from, dst, to) != 0 { throw IncidentError.storage("Cannot move a file to \(target): \(lastError).") }
        _ = fsync(dst)
        _ = fsync(src)
    }

    // MARK: Directories

    static func syncDirectory(_ path: String) {
        guard let fd = try? openDirectory(path) else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Removes a file (never following a link in its directories). A missing file is fine.
    public static func remove(_ path: String) throws {
        let (dir, name) = split(path)
        let dfd: Int32
        do { dfd = try openDirectory(dir) } catch IncidentError.notFound { return }
        defer { close(dfd) }
        if unlinkat(dfd, name, 0) != 0 && errno != ENOENT { throw IncidentError.storage("Cannot remove \(path): \(lastError).") }
    }

    /// Creates a 0700 directory and any missing parents, never through a link.
    public static func makeDirectory(_ path: String) throws {
        close(try openDirectory(path, create: true))
    }

    /// The names in a directory (never through a link); empty when it is missing or unusable.
    public static func list(_ path: String) -> [String] {
        guard let fd = try? openDirectory(path) else { return [] }
        guard let dir = fdopendir(fd) else { close(fd); return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    // MARK: Locking

    /// An advisory lock on `path` (exclusive for writers, shared for checkers), waiting at most
    /// `timeout` seconds. The lock file is opened like any store file: no links, regular only,
    /// never blocking.
    final class Lock {
        private var fd: Int32

        /// A writer's lock: the lock file is created if missing.
        init(path: String, timeout: Double, shared: Bool = false) throws {
            guard let fd = try Lock.openLockFile(path, create: true) else {
                throw IncidentError.storage("Cannot open the lock file \(path).")
            }
            self.fd = fd
            try acquire(path: path, timeout: timeout, shared: shared)
        }

        private init(fd: Int32) { self.fd = fd }

        /// A checker's shared lock. nil when there is no lock file this user can open (a store
        /// nobody has written to yet, or one this user may only read): no writer to wait for.
        /// A lock file that is a link or not a regular file cannot be locked by any writer
        /// either; the checker goes on without it (and `doctor` reports it).
        static func forReading(path: String, timeout: Double) throws -> Lock? {
            let fd: Int32?
            do { fd = try openLockFile(path, create: false) } catch IncidentError.storage { return nil }
            guard let fd else { return nil }
            let lock = Lock(fd: fd)
            try lock.acquire(path: path, timeout: timeout, shared: true)
            return lock
        }

        private static func openLockFile(_ path: String, create: Bool) throws -> Int32? {
            let (dir, name) = split(path)
            let dfd: Int32
            do { dfd = try openDirectory(dir) } catch IncidentError.notFound where !create { return nil }
            defer { close(dfd) }
            let base = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
            var fd = openat(dfd, name, (create ? O_CREAT : 0) | O_RDWR | base, 0o600)
            if fd < 0 && !create && (errno == EACCES || errno == EROFS || errno == EPERM) {
                fd = openat(dfd, name, O_RDONLY | base)
            }
            if fd < 0 {
                let e = errno
                var st = stat()
                if fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && kind(mode: st.st_mode) == .symlink { throw linkRefused(path) }
                if !create && (e == ENOENT || e == EACCES || e == EROFS || e == EPERM) { return nil }
                if e == ENXIO { throw IncidentError.storage("The lock file \(path) is \(describe(.other)); remove it.") }
                throw IncidentError.storage("Cannot open the lock file \(path): \(reason(e)).")
            }
            var st = stat()
            guard fstat(fd, &st) == 0, kind(mode: st.st_mode) == .file else {
                let what = kind(mode: st.st_mode)
                close(fd)
                throw IncidentError.storage("The lock file \(path) is \(describe(what)); remove it.")
            }
            return fd
        }

        private func acquire(path: String, timeout: Double, shared: Bool) throws {
            let operation = shared ? LOCK_SH : LOCK_EX
            let deadline = monotonicSeconds() + max(0, timeout)
            var pause: UInt32 = 2_000
            while flock(fd, operation | LOCK_NB) != 0 {
                if errno != EWOULDBLOCK && errno != EINTR {
                    let e = errno
                    release()
                    throw IncidentError.storage("Cannot lock \(path): \(reason(e)).")
                }
                if monotonicSeconds() >= deadline {
                    release()
                    throw IncidentError.lockTimeout(path: path, seconds: timeout)
                }
                usleep(pause)
                pause = min(pause * 2, 50_000)
            }
        }

        func release() {
            if fd >= 0 { flock(fd, LOCK_UN); close(fd); fd = -1 }
        }

        deinit { release() }
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func setRestrictiveUmask() { umask(0o077) }

    /// Whether the process that left a temp file (its pid is in the name) is gone.
    static func tempOwnerIsGone(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        guard parts.count >= 2, let pid = Int32(parts[parts.count - 2]), pid > 0 else { return true }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

