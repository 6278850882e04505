// The `incident` executable: wires the process (argv, environment, clock, stdio) to
// IncidentCLI and exits with the status it returns.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import IncidentCLI
import IncidentKit

struct FileDescriptorSink: TextSink {
    let fd: Int32
    func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return }
            bytes = bytes.dropFirst(n)
        }
    }
}

signal(SIGPIPE, SIG_IGN)

// Arguments must be valid UTF-8: Swift would silently repair them.
var arguments: [String] = []
for i in 1..<Int(CommandLine.argc) {
    guard let raw = CommandLine.unsafeArgv[i] else { continue }
    let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw)))
    guard let text = String(validating: bytes, as: UTF8.self) else {
        FileDescriptorSink(fd: 2).write("incident: argument \(i) is not valid UTF-8 text.\n")
        exit(2)
    }
    arguments.append(text)
}

var environment: [String: String] = [:]
var envp = environ
while let entry = envp.pointee {
    let pair = String(cString: entry)
    if let eq = pair.firstIndex(of: "=") { environment[String(pair[..<eq])] = String(pair[pair.index(after: eq)...]) }
    envp += 1
}

let context = Context(
    environment: environment,
    now: {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    },
    stdout: FileDescriptorSink(fd: 1),
    stderr: FileDescriptorSink(fd: 2),
    readStandardInput: { limit in
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while out.count <= limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    },
    stdoutIsTerminal: isatty(1) == 1,
    stderrIsTerminal: isatty(2) == 1,
    loginName: getlogin().map { String(cString: $0) } ?? getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } },
    width: 100,
    executablePath: {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }())

exit(CLI.run(arguments: arguments, context: context))
