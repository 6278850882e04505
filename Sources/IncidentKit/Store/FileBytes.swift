#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file's bytes, read into memory of its own: for a file of megabytes (the archive's
/// derived index) that memory is asked to be backed by huge pages, where an ordinary array
/// took a page fault per 4 KiB (2,000 of them, a tenth of `list --all`). Never a mapping of
/// the file itself: a file truncated while mapped would kill the process.
final class FileBytes: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer?
    private let mapped: Int
    private let array: [UInt8]
    let count: Int

    private init(base: UnsafeMutableRawPointer, mapped: Int, count: Int) {
        self.base = base; self.mapped = mapped; self.count = count; array = []
    }

    private init(_ array: [UInt8]) {
        base = nil; mapped = 0; count = array.count; self.array = array
    }

    deinit { if let base { munmap(base, mapped) } }

    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let base { return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)) }
        return try array.withUnsafeBufferPointer(body)
    }

    static let hugePage = 2 << 20

    /// The file at `path` (never through a symlink), at most `limit` bytes.
    static func read(_ path: String, limit: Int) throws -> FileBytes {
        let fd = try POSIXFile.openForReading(path, followLinks: false)
        defer { close(fd) }
        var st = stat()
        let size = fstat(fd, &st) == 0 ? Int(st.st_size) : -1
        // Small files, and anything unusual, the ordinary way.
        guard size >= hugePage, size <= limit else { return FileBytes(try POSIXFile.readAll(fd, path: path, limit: limit)) }
        // Room for one byte more than fstat said (to see the end), aligned to a huge page.
        let wanted = (size + 1 + hugePage - 1) / hugePage * hugePage
        guard let raw = mmap(nil, wanted + hugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            return FileBytes(try POSIXFile.readAll(fd, path: path, limit: limit))
        }
        let start = Int(bitPattern: raw)
        let aligned = (start + hugePage - 1) / hugePage * hugePage
        let head = aligned - start
        if head > 0 { munmap(raw, head) }
        if hugePage - head > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + wanted), hugePage - head) }
        let base = UnsafeMutableRawPointer(bitPattern: aligned)!
        #if os(Linux)
        _ = madvise(base, wanted, 14)  // MADV_HUGEPAGE; a hint: without it, ordinary pages
        #endif
        var count = 0
        while count < size + 1 {
            let n = sysRead(fd, base + count, size + 1 - count)
            if n < 0 {
                if errno == EINTR { continue }
                munmap(base, wanted)
                throw IncidentError.storage("Cannot read \(path): \(POSIXFile.lastError).")
            }
            if n == 0 { break }
            count += n
        }
        guard count <= size else {
            // It grew while read: the ordinary way, which reads on to the end.
            munmap(base, wanted)
            _ = lseek(fd, 0, SEEK_SET)
            return FileBytes(try POSIXFile.readAll(fd, path: path, limit: limit))
        }
        return FileBytes(base: base, mapped: wanted, count: count)
    }
}
