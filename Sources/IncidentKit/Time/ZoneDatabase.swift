#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's IANA time zone database: TZif files under `$TZDIR`, else
/// `/usr/share/zoneinfo`. Only the commands that compute or print local time read it, one
/// file per zone, at most once per process.
public enum ZoneDatabase {
    public static let defaultDirectory = "/usr/share/zoneinfo"
    /// A zone file is a few kilobytes; anything much larger is not one.
    static let sizeLimit = 256 * 1024

    /// Names that need no file: the tool works without tzdata for UTC.
    static let builtInUTC: Set<String> = ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "UCT", "Etc/UCT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal"]

    public static func directory(environment: [String: String]) -> String {
        if let dir = environment["TZDIR"], dir.hasPrefix("/") { return dir }
        return defaultDirectory
    }

    /// Whether `name` has the shape of an IANA zone name. Refuses anything that could leave
    /// the database directory: empty or `.`/`..` components, a leading `/`, unusual bytes.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 100, !name.hasPrefix("/") else { return false }
        for c in name.unicodeScalars {
            let ok = ("A"..."Z").contains(c) || ("a"..."z").contains(c) || ("0"..."9").contains(c) || "/_+-.".unicodeScalars.contains(c)
            if !ok { return false }
        }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty || component.hasPrefix(".") { return false }
        }
        return true
    }

    private static let cache = ZoneCache()

    /// The rules of zone `name`, read from the database (cached for the process).
    public static func rules(named name: String, directory: String = defaultDirectory) throws -> ZoneRules {
        if builtInUTC.contains(name) { return ZoneRules(name: name, transitions: [], transitionTypes: [], types: ZoneRules.utc.types, footer: nil) }
        let key = directory + "\u{0}" + name
        if let hit = cache.get(key) { return hit }
        let rules = try load(name, directory: directory)
        cache.put(key, rules)
        return rules
    }

    static func load(_ name: String, directory: String) throws -> ZoneRules {
        guard isValidName(name) else {
            throw ZoneError("'\(printable(name))' is not a time zone name; use an IANA name such as Europe/Berlin or America/Los_Angeles.")
        }
        let path = directory + "/" + name
        // Zone files are often links to one another; follow them, but only within the database.
        guard let real = realpath(path, nil) else {
            if errno == ENOENT || errno == ENOTDIR {
                throw ZoneError(unknownZoneMessage(name, directory: directory))
            }
            throw ZoneError("Cannot read the time zone file \(path): \(String(cString: strerror(errno))).")
        }
        let resolved = String(cString: real)
        free(real)
        if let base = realpath(directory, nil) {
            let root = String(cString: base)
            free(base)
            guard resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
                throw ZoneError("The time zone file \(path) links outside \(directory); it is refused.")
            }
        }
        let bytes = try readRegularFile(resolved, shownAs: path, name: name)
        return try ZoneRules(tzif: bytes, name: name)
    }

    /// Opens without blocking (a FIFO cannot stall the command), requires a regular file,
    /// bounds the size.
    static func readRegularFile(_ path: String, shownAs shown: String, name: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw ZoneError("Cannot read the time zone file \(shown): \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            if st.st_mode & S_IFMT == S_IFDIR { throw ZoneError(unknownZoneMessage(name, directory: String(shown.dropLast(name.utf8.count + 1)))) }
            throw ZoneError("The time zone file \(shown) is not a regular file.")
        }
        guard Int(st.st_size) <= sizeLimit else {
            throw ZoneError("The time zone file \(shown) is \(st.st_size) bytes, too large to be a zone file.")
        }
        var out = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var count = 0
        while count < out.count {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 { if errno == EINTR { continue }; throw ZoneError("Cannot read the time zone file \(shown): \(String(cString: strerror(errno))).") }
            if n == 0 { break }
            count += n
        }
        guard count <= sizeLimit else { throw ZoneError("The time zone file \(shown) grew while it was read.") }
        return Array(out[0..<count])
    }

    static func printable(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.prefix(60).map { $0.value >= 0x20 && $0.value < 0x7F ? $0 : "?" }))
    }

    static func unknownZoneMessage(_ name: String, directory: String) -> String {
        var message = "Unknown time zone '\(printable(name))'"
        if let close = closestName(to: name, directory: directory) {
            message += "; did you mean \(close)?"
        } else if !POSIXFile.exists(directory) {
            message += ": there is no time zone database at \(directory) (install the tzdata package or set TZDIR)."
        } else if !POSIXFile.exists(directory + "/UTC") && !POSIXFile.exists(directory + "/Etc/UTC") {
            message += ": the time zone database at \(directory) is empty or incomplete (it has no UTC zone; install the tzdata package or set TZDIR)."
        } else {
            message += "; use an IANA name such as Europe/Berlin (see the files under \(directory))."
        }
        return message
    }

    // MARK: Suggestions (only on the error path)

    /// Every zone name in the database, found by walking it (bounded).
    static func allNames(directory: String) -> [String] {
        var names: [String] = []
        func walk(_ dir: String, _ prefix: String, depth: Int) {
            guard depth <= 3, names.count < 5000 else { return }
            for entry in POSIXFile.list(dir).sorted() {
                guard let first = entry.unicodeScalars.first, ("A"..."Z").contains(first) else { continue }
                if prefix.isEmpty && (entry == "SystemV") { continue }
                let path = dir + "/" + entry
                var st = stat()
                guard stat(path, &st) == 0 else { continue }
                let name = prefix.isEmpty ? entry : prefix + "/" + entry
                if st.st_mode & S_IFMT == S_IFDIR { walk(path, name, depth: depth + 1) } else if st.st_mode & S_IFMT == S_IFREG { names.append(name) }
            }
        }
        walk(directory, "", depth: 0)
        return names
    }

    /// The zone a person most likely meant: same name ignoring case, same city, or the
    /// nearest by edit distance (at most a third of the name's length).
    public static func closestName(to name: String, directory: String) -> String? {
        let names = allNames(directory: directory)
        let lower = name.lowercased()
        if let hit = names.first(where: { $0.lowercased() == lower }) { return hit }
        let city = lower.split(separator: "/").last.map(String.init)?.replacingSpaces() ?? lower
        if let hit = names.first(where: { ($0.lowercased().split(separator: "/").last.map(String.init) ?? "") == city && $0.contains("/") }) { return hit }
        var best: (String, Int)?
        for candidate in names {
            let d = editDistance(lower, candidate.lowercased(), limit: max(2, lower.count / 3))
            if let d, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int? {
        let x = Array(a.utf8), y = Array(b.utf8)
        if abs(x.count - y.count) > limit { return nil }
        var previous = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var current = [i] + Array(repeating: 0, count: y.count)
            var rowMin = current[0]
            for j in 1...max(1, y.count) where !y.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return nil }
            previous = current
        }
        let d = previous[y.count]
        return d <= limit ? d : nil
    }

    // MARK: The reader's zone

    /// The zone a person reading the output lives in: `TZ` if set (an IANA name, `:name`,
    /// or a POSIX TZ string such as `EST5EDT`), else the system's (`/etc/localtime`).
    /// An empty `TZ` means UTC, as in C.
    public static func readerZone(environment: [String: String]) throws -> ZoneRules {
        let directory = directory(environment: environment)
        if let raw = environment["TZ"] {
            var tz = raw
            if tz.hasPrefix(":") { tz.removeFirst() }
            if tz.isEmpty { return .utc }
            if tz.hasPrefix("/") {
                // An absolute path to a zone file: read it with the same checks.
                let bytes = try readRegularFile(tz, shownAs: tz, name: tz)
                return try ZoneRules(tzif: bytes, name: zoneName(fromPath: tz) ?? tz)
            }
            if isValidName(tz) {
                do { return try rules(named: tz, directory: directory) } catch let error as ZoneError {
                    if let posix = ZoneRules(posix: tz) { return posix }
                    throw ZoneError("TZ=\(printable(tz)): " + error.message)
                }
            }
            if let posix = ZoneRules(posix: tz) { return posix }
            throw ZoneError("TZ=\(printable(tz)) is neither a time zone name nor a POSIX TZ string; set TZ to a name such as Europe/Berlin.")
        }
        return try systemZone(directory: directory)
    }

    /// The system's zone: `/etc/localtime` (its link target names it), else UTC when the
    /// system has no local time configured at all.
    public static func systemZone(directory: String) throws -> ZoneRules {
        let path = "/etc/localtime"
        guard POSIXFile.exists(path) else { return .utc }
        let name = systemZoneName() ?? "localtime"
        if name != "localtime", builtInUTC.contains(name) { return try rules(named: name, directory: directory) }
        let bytes = try readRegularFile(path, shownAs: path, name: name)
        return try ZoneRules(tzif: bytes, name: name)
    }

    /// The IANA name of the system's zone, from the `/etc/localtime` link (or /etc/timezone).
    public static func systemZoneName() -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        let n = readlink("/etc/localtime", &buffer, buffer.count - 1)
        if n > 0 {
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let name = zoneName(fromPath: target) { return name }
        }
        if let bytes = try? POSIXFile.read("/etc/timezone", limit: 256, followLinks: true) {
            let text = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            if isValidName(text) { return text }
        }
        return nil
    }

    /// `…/zoneinfo/Europe/Berlin` → `Europe/Berlin`.
    static func zoneName(fromPath path: String) -> String? {
        let marker = Array("zoneinfo/".utf8), bytes = Array(path.utf8)
        guard bytes.count > marker.count,
              let at = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<$0 + marker.count]) == marker })
        else { return nil }
        var name = String(decoding: bytes[(at + marker.count)...], as: UTF8.self)
        for prefix in ["posix/", "right/"] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
        return isValidName(name) ? name : nil
    }
}

/// A process-wide cache of parsed zones (a command reads each zone file at most once).
final class ZoneCache: @unchecked Sendable {
    private var entries: [String: ZoneRules] = [:]
    /// Heap-allocated so the mutex never moves.
    private let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let p = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        p.initialize(to: pthread_mutex_t())
        pthread_mutex_init(p, nil)
        return p
    }()
    func get(_ key: String) -> ZoneRules? {
        pthread_mutex_lock(lock); defer { pthread_mutex_unlock(lock) }
        return entries[key]
    }
    func put(_ key: String, _ value: ZoneRules) {
        pthread_mutex_lock(lock); defer { pthread_mutex_unlock(lock) }
        entries[key] = value
    }
}

extension String {
    fileprivate func replacingSpaces() -> String {
        String(map { $0 == " " ? "_" : $0 })
    }
}
