#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why composing text in an editor failed, as one sentence.
public struct EditorFailure: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension CLI {
    /// `note --edit`: a private temporary file (mkstemp: mode 0600, in $TMPDIR or /tmp) is
    /// opened in the editor; what was saved comes back; the file is always removed. The editor
    /// setting is a shell word list (`code --wait`, `vim -u NONE`), so it runs through
    /// `/bin/sh -c 'EDITOR "$1"' sh FILE`: the file name is a positional parameter, never
    /// pasted into the command text.
    @Sendable static func composeWithEditor(_ editor: String, limit: Int) throws -> [UInt8] {
        var dir = (getenv("TMPDIR").flatMap { String(validatingCString: $0) }).flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        var template = Array((dir + "/incident-note-XXXXXX.md").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemps(base, 3)
        }
        guard fd >= 0 else { throw EditorFailure("Could not create a temporary file in \(dir): \(String(cString: strerror(errno))).") }
        close(fd)
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let command = editor + " \"$1\""
        let argv: [String] = ["/bin/sh", "-c", command, "sh", path]
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &cArgs, environ)
        guard spawned == 0 else { throw EditorFailure("Could not start the editor (\(String(cString: strerror(spawned)))).") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw EditorFailure("Lost track of the editor: \(String(cString: strerror(errno))).") }
        }
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw EditorFailure(exited ? "The editor ('\(editor)') exited with status \(code); nothing was recorded."
                                       : "The editor ('\(editor)') was killed by signal \(status & 0x7f); nothing was recorded.")
        }
        let rfd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
        guard rfd >= 0 else { throw EditorFailure("The edited file is gone or unreadable (\(String(cString: strerror(errno)))); nothing was recorded.") }
        defer { close(rfd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while out.count <= limit {
            let n = chunk.withUnsafeMutableBytes { read(rfd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw EditorFailure("Could not read the edited file: \(String(cString: strerror(errno))).") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
