#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a live view waits for.
public enum TerminalEvent: Equatable, Sendable {
    /// Time passed (or a key that means nothing).
    case tick
    /// The window changed size.
    case resize
    /// Leave: `q` (signal 0), or SIGINT / SIGTERM / SIGHUP / SIGQUIT.
    case quit(signal: Int32)
}

/// A full-screen terminal session, injected through `Context` by the process (nil in tests
/// and whenever stdout is not a terminal).
public protocol LiveTerminal: Sendable {
    /// Alternate screen, hidden cursor, no echo or line buffering; installs the handlers
    /// that restore the terminal on a signal or a crash.
    func enter() throws
    /// Puts everything back as it was. Safe to call more than once.
    func leave()
    /// Columns and rows.
    func size() -> (columns: Int, rows: Int)
    /// Waits up to `milliseconds` for a key, a resize or a signal.
    func wait(milliseconds: Int32) -> TerminalEvent
    /// Writes bytes to the screen as they are.
    func draw(_ text: String)
}

// State the signal handlers read. Only plain integers, a termios copy taken before the
// handlers are installed, and a static string: nothing that allocates or locks.
nonisolated(unsafe) private var savedTermios = termios()
nonisolated(unsafe) private var haveSavedTermios: Int32 = 0
nonisolated(unsafe) private var terminalInUse: Int32 = 0
nonisolated(unsafe) private var pendingQuitSignal: Int32 = 0
nonisolated(unsafe) private var pendingResize: Int32 = 0
/// Show the cursor, reset attributes, leave the alternate screen.
private let restoreSequence: StaticString = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
private let enterSequence: StaticString = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J"

/// Async-signal-safe: termios back, then the screen.
private func restoreFromSignal() {
    guard terminalInUse != 0 else { return }
    terminalInUse = 0
    if haveSavedTermios != 0 { _ = tcsetattr(0, TCSAFLUSH, &savedTermios) }
    _ = write(1, restoreSequence.utf8Start, restoreSequence.utf8CodeUnitCount)
}

private let quitSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
private let crashSignals: [Int32] = [SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGABRT]

private func install(_ sig: Int32, _ handler: @convention(c) (Int32) -> Void) {
    var action = sigaction()
    #if canImport(Darwin)
    action.__sigaction_u.__sa_handler = handler
    #else
    action.__sigaction_handler.sa_handler = handler
    #endif
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0  // no SA_RESTART: poll() returns at once with EINTR
    sigaction(sig, &action, nil)
}

private func resetToDefault(_ sig: Int32) {
    var action = sigaction()
    #if canImport(Darwin)
    action.__sigaction_u.__sa_handler = SIG_DFL
    #else
    action.__sigaction_handler.sa_handler = SIG_DFL
    #endif
    sigemptyset(&action.sa_mask)
    sigaction(sig, &action, nil)
}

/// The process's terminal: stdin for keys (when it is a terminal), stdout for the screen.
public struct POSIXTerminal: LiveTerminal {
    public init() {}

    public func enter() throws {
        pendingQuitSignal = 0
        pendingResize = 0
        if isatty(0) == 1, tcgetattr(0, &savedTermios) == 0 {
            haveSavedTermios = 1
            var raw = savedTermios
            // Keys arrive one at a time and are not echoed; ISIG stays on, so Ctrl-C and
            // Ctrl-\ still arrive as signals and end the view through the same path as q.
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
            withUnsafeMutableBytes(of: &raw.c_cc) { cc in
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
            _ = tcsetattr(0, TCSAFLUSH, &raw)
        } else {
            haveSavedTermios = 0
        }
        // A parent (a test harness, a supervisor) may have left these blocked; a blocked
        // SIGTERM or SIGWINCH would never reach the handlers below.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in quitSignals + crashSignals + [SIGWINCH] { sigaddset(&unblock, sig) }
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        for sig in quitSignals { install(sig) { pendingQuitSignal = $0 } }
        install(SIGWINCH) { _ in pendingResize = 1 }
        // A crash while drawing: put the terminal back, then die of the same signal.
        for sig in crashSignals {
            install(sig) { sig in
                restoreFromSignal()
                resetToDefault(sig)
                raise(sig)
            }
        }
        terminalInUse = 1
        _ = write(1, enterSequence.utf8Start, enterSequence.utf8CodeUnitCount)
    }

    public func leave() {
        restoreFromSignal()
        for sig in quitSignals + crashSignals + [SIGWINCH] { resetToDefault(sig) }
        haveSavedTermios = 0
    }

    public func size() -> (columns: Int, rows: Int) {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    public func wait(milliseconds: Int32) -> TerminalEvent {
        if pendingQuitSignal != 0 { return .quit(signal: pendingQuitSignal) }
        if pendingResize != 0 { pendingResize = 0; return .resize }
        var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        let watchKeys = haveSavedTermios != 0
        let n = poll(&fds, watchKeys ? 1 : 0, milliseconds)
        if pendingQuitSignal != 0 { return .quit(signal: pendingQuitSignal) }
        if pendingResize != 0 { pendingResize = 0; return .resize }
        guard n > 0, watchKeys else { return .tick }
        if fds.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 && fds.revents & Int16(POLLIN) == 0 {
            haveSavedTermios = 0  // the terminal went away: stop reading keys
            return .tick
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        let got = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        guard got > 0 else { return .tick }
        for byte in buffer[0..<got] where byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") || byte == 3 || byte == 4 {
            return .quit(signal: 0)
        }
        return .tick
    }

    public func draw(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return }
            if n == 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
