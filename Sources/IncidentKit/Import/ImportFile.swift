#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The import's file access: the document is read like any untrusted input (opened
/// non-blocking so a FIFO cannot hang it, regular files only, size bounded before and while
/// reading); the runbook and templates go through `POSIXFile.writeUserFile`.
public enum ImportFile {
    public static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { throw IncidentError.notFound("\(path) does not exist.") }
            throw IncidentError.storage("Cannot open \(path): \(POSIXFile.lastError).")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw IncidentError.refused("\(path) is not a regular file; give the path of a Markdown document.")
        }
        if Int(st.st_size) > limit {
            throw IncidentError.refused("\(path) is \(st.st_size) bytes; a runbook document is at most \(limit) bytes (2 MiB). Import the policy part of it.")
        }
        var out = [UInt8]()
        out.reserveCapacity(Int(st.st_size))
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; throw IncidentError.storage("Cannot read \(path): \(POSIXFile.lastError).") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit {
                throw IncidentError.refused("\(path) grew past \(limit) bytes while being read; a runbook document is at most 2 MiB.")
            }
        }
        return out
    }

    /// Writes `directory/name` through the tool's one write path for user files (atomic,
    /// no link followed at the target, the directory created if missing).
    public static func write(_ bytes: [UInt8], directory: String, name: String) throws {
        try POSIXFile.writeUserFile((directory.hasSuffix("/") ? directory : directory + "/") + name, bytes)
    }

    public static func writePath(_ bytes: [UInt8], _ path: String) throws {
        try POSIXFile.writeUserFile(path, bytes)
    }
}
