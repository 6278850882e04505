#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations the store needs, with the guarantees it relies on:
/// no symlink is ever followed inside the store, writes are atomic and durable, and every
/// failure becomes an `IncidentError` naming the path.
enum POSIXFile {
    static var lastError: String { String(cString: strerror(errno)) }

    enum Kind { case missing, file, directory, symlink, other }

    static func kind(_ path: String) -> Kind {
        var st = stat()
        if lstat(path, &st) != 0 { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    static func exists(_ path: String) -> Bool { kind(path) != .missing }

    /// Reads a regular file, refusing files over `limit` bytes and, inside the store,
    /// symlinks (`followLinks` is for files the user names, such as evidence).
    static func read(_ path: String, limit: Int, followLinks: Bool = false) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
        if fd < 0 {
            if errno == ELOOP { throw IncidentError.storage("\(path) is a symbolic link; the store refuses links inside it.") }
            if errno == ENOENT { throw IncidentError.notFound("\(path) does not exist.") }
            throw IncidentError.storage("Cannot open \(path): \(lastError).")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw IncidentError.storage("\(path) is not a regular file.")
        }
        if Int(st.st_size) > limit {
            throw IncidentError.corrupt(path: path, reason: "it is \(st.st_size) bytes, over the \(limit)-byte limit")
        }
        var out = [UInt8]()
        out.reserveCapacity(Int(st.st_size))
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw IncidentError.storage("Cannot read \(path): \(lastError).") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw IncidentError.corrupt(path: path, reason: "it is over the \(limit)-byte limit") }
        }
        return out
    }

    /// Writes `bytes` to `directory/name` atomically: a temp file in the same directory
    /// (O_EXCL, O_NOFOLLOW, 0600), fsync, rename over the target, fsync the directory.
    /// `durable: false` (derived files only) skips the fsyncs: a torn or lost derived
    /// file is detected and rebuilt, so it need not survive a crash.
    static func writeAtomically(_ bytes: [UInt8], directory: String, name: String, durable: Bool = true) throws {
        let target = directory + "/" + name
        if kind(target) == .symlink || kind(target) == .directory {
            throw IncidentError.storage("\(target) is not a regular file; the store refuses to replace it.")
        }
        var rng = SystemRandomNumberGenerator()
        let temp = directory + "/" + tempPrefix + name + "." + String(getpid()) + "." + String(UInt32.random(in: 0...UInt32.max, using: &rng), radix: 16)
        let fd = open(temp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { throw IncidentError.storage("Cannot create a file in \(directory): \(lastError).") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if n < 0 { if errno == EINTR { continue }; throw IncidentError.storage("Cannot write \(target): \(lastError).") }
                offset += n
            }
            if durable && fsync(fd) != 0 { throw IncidentError.storage("Cannot flush \(target) to disk: \(lastError).") }
        }
        if rename(temp, target) != 0 { throw IncidentError.storage("Cannot replace \(target): \(lastError).") }
        ok = true
        if durable { syncDirectory(directory) }
    }

    /// SHA-256 and size of a file (symlinks followed: it is the user's file, not the store's).
    static func hashFile(_ path: String) throws -> (String, Int64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IncidentError.notFound("Cannot read \(path): \(lastError).") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw IncidentError.invalidInput("\(path) is not a regular file.")
        }
        var hasher = SHA256()
        var total: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw IncidentError.storage("Cannot read \(path): \(lastError).") }
            if n == 0 { break }
            hasher.update(chunk[0..<n])
            total += Int64(n)
        }
        return (hasher.finalize().hexString, total)
    }

    /// Copies a file into the store (0600), for evidence kept with the incident.
    static func copyInto(_ source: String, directory: String, name: String) throws {
        try makeDirectory(directory)
        let bytes = try read(source, limit: Int.max, followLinks: true)
        try writeAtomically(bytes, directory: directory, name: name)
    }

    static let tempPrefix = ".tmp-"

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw IncidentError.storage("Cannot remove \(path): \(lastError).") }
    }

    /// Creates a 0700 directory (and parents). Refuses a symlink where a directory should be.
    static func makeDirectory(_ path: String) throws {
        switch kind(path) {
        case .directory: return
        case .symlink: throw IncidentError.storage("\(path) is a symbolic link; the store refuses links inside it.")
        case .file, .other: throw IncidentError.storage("\(path) exists and is not a directory.")
        case .missing: break
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let parent = String(path[..<slash])
            if kind(parent) == .missing { try makeDirectory(parent) }
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw IncidentError.storage("Cannot create the directory \(path): \(lastError).")
        }
    }

    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// An exclusive advisory lock on `path`, waiting at most `timeout` seconds.
    final class Lock {
        private var fd: Int32

        init(path: String, timeout: Double) throws {
            fd = open(path, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == ELOOP { throw IncidentError.storage("\(path) is a symbolic link; the store refuses links inside it.") }
                throw IncidentError.storage("Cannot open the lock file \(path): \(lastError).")
            }
            var waited = 0.0
            var pause = 0.002
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                if errno != EWOULDBLOCK && errno != EINTR {
                    close(fd)
                    throw IncidentError.storage("Cannot lock \(path): \(lastError).")
                }
                if waited >= timeout {
                    close(fd)
                    throw IncidentError.lockTimeout(path: path, seconds: timeout)
                }
                usleep(UInt32(pause * 1_000_000))
                waited += pause
                pause = min(pause * 2, 0.05)
            }
        }

        func release() {
            if fd >= 0 { flock(fd, LOCK_UN); close(fd); fd = -1 }
        }

        deinit { release() }
    }

    static func setRestrictiveUmask() { umask(0o077) }
}
