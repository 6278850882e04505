#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Store {
    /// A cheap summary of what a live view shows: the runbook and every file in `active/`
    /// (name, size, modification time), plus the archive's year directories. It changes
    /// whenever any of them is written, created, removed or moved to the archive; reading it
    /// costs one directory listing and one `lstat` per active incident.
    public func changeFingerprint() -> String {
        func stamp(_ path: String) -> String {
            var st = stat()
            guard lstat(path, &st) == 0 else { return "-" }
            #if canImport(Darwin)
            let m = st.st_mtimespec
            #else
            let m = st.st_mtim
            #endif
            return "\(st.st_size):\(m.tv_sec).\(m.tv_nsec):\(st.st_ino)"
        }
        var parts = ["runbook=" + stamp(runbookPath), "active=" + stamp(activeDirectory), "archive=" + stamp(archiveDirectory)]
        for name in POSIXFile.list(activeDirectory).sorted() where name.hasSuffix(".json") {
            parts.append(name + "=" + stamp(activeDirectory + "/" + name))
        }
        for year in archiveYears { parts.append("\(year)=" + stamp(archiveDirectory + "/" + String(year))) }
        return parts.joined(separator: "|")
    }
}
