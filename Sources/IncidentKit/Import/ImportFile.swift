#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The import's file access: the document is read like any untrusted input (opened
/// non-blocking so a FIFO cannot hang it, regular files only, size bounded before and while
/// reading); the runbook and templates are written atomically without following a link
/// at the target.
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

    /// Writes `directory/name`, creating the directory (a link to a directory is fine; a link
    /// at the file itself is refused).
    public static func write(_ bytes: [UInt8], directory: String, name: String) throws {
        var st = stat()
        if stat(directory, &st) != 0 || st.st_mode & S_IFMT != S_IFDIR {
            try POSIXFile.makeDirectory(directory)
        }
        try POSIXFile.writeAtomically(bytes, directory: directory, name: name)
    }

    public static func writePath(_ bytes: [UInt8], _ path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else { throw IncidentError.invalidInput("--output needs a file name, not '\(path)'.") }
        let dir: String, name: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        } else {
            dir = "."; name = path
        }
        try write(bytes, directory: dir, name: name)
    }
}
