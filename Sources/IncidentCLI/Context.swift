import Synchronization
import IncidentKit

/// Where output goes. The process writes to file descriptors; tests collect strings.
public protocol TextSink: Sendable {
    func write(_ text: String)
    /// UTF-8 text as bytes (a large listing, not turned into a String only to be written).
    func write(utf8 bytes: [UInt8])
}

extension TextSink {
    public func write(utf8 bytes: [UInt8]) { write(String(decoding: bytes, as: UTF8.self)) }
}

/// Everything a command may know about the world, injected: the clock, the environment,
/// standard input and the output streams. No command reads globals.
public struct Context: Sendable {
    public var environment: [String: String]
    public var now: @Sendable () -> Timestamp
    public var stdout: any TextSink
    public var stderr: any TextSink
    /// Reads all of standard input, at most `limit + 1` bytes (nil if unavailable).
    public var readStandardInput: @Sendable (_ limit: Int) -> [UInt8]?
    public var stdoutIsTerminal: Bool
    public var stderrIsTerminal: Bool
    /// The login name, the last fallback for `--as`: looked up only when asked (the lookup
    /// reads the password database, which most commands never need).
    public var loginName: String? {
        get { loginNameLookup() }
        set { loginNameLookup = { newValue } }
    }
    private var loginNameLookup: @Sendable () -> String?

    /// Looks the login name up with `lookup` when it is needed (rarely: only without `--as`
    /// and `INCIDENT_USER`; not cached, which would cost every command a generic mutex's
    /// metadata at start-up).
    mutating func lookUpLoginName(_ lookup: @escaping @Sendable () -> String?) {
        loginNameLookup = lookup
    }
    /// Terminal width for help text; fixed in tests.
    public var width: Int
    /// The absolute path of the running `incident` binary: what a git store's merge driver
    /// runs (nil in-process, where no driver is configured).
    public var executablePath: String?
    /// Names of environment variables whose value is not valid UTF-8 (left out of
    /// `environment`; a command that needs one refuses rather than use a repaired value).
    public var invalidEnvironment: Set<String>
    /// The terminal for full-screen views (`watch`); nil when stdout is not one, and in tests.
    public var terminal: (any LiveTerminal)?
    /// Opens an editor on a private temporary file and returns what was saved (`note --edit`):
    /// `(editor command, byte limit)`. nil where there is no editor to run (tests).
    public var composeWithEditor: (@Sendable (_ editor: String, _ limit: Int) throws -> [UInt8])?

    public init(environment: [String: String], now: @escaping @Sendable () -> Timestamp, stdout: any TextSink,
                stderr: any TextSink, readStandardInput: @escaping @Sendable (Int) -> [UInt8]? = { _ in nil },
                stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false, loginName: String? = nil, width: Int = 100,
                invalidEnvironment: Set<String> = [], executablePath: String? = nil, terminal: (any LiveTerminal)? = nil,
                composeWithEditor: (@Sendable (String, Int) throws -> [UInt8])? = nil) {
        self.environment = environment; self.now = now; self.stdout = stdout; self.stderr = stderr
        self.readStandardInput = readStandardInput; self.stdoutIsTerminal = stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal; self.loginNameLookup = { loginName }; self.width = width
        self.invalidEnvironment = invalidEnvironment
        self.executablePath = executablePath
        self.terminal = terminal; self.composeWithEditor = composeWithEditor
    }
}

/// Exit statuses, documented in the README.
public enum ExitCode {
    public static let success: Int32 = 0
    /// The request was refused: a gate, a transition, a duplicate.
    public static let refused: Int32 = 1
    /// The command line is wrong; nothing was written.
    public static let usage: Int32 = 2
    /// No such incident.
    public static let notFound: Int32 = 3
    /// A file in the store is corrupt, or the store cannot be used.
    public static let store: Int32 = 4
    /// Another process held the lock too long.
    public static let lockTimeout: Int32 = 5
    /// `verify` / `doctor` / `evidence verify` found a problem.
    public static let verifyFailed: Int32 = 6
    /// `sync` (or a command that needed the team's remote) could not reach it; everything is
    /// committed locally and the next `sync` delivers it.
    public static let offline: Int32 = 7
    /// `sla --fail-on`: a running timer is breached (or due within the window).
    public static let slaAlert: Int32 = 8
}

/// A command-line mistake: exit 2.
public struct UsageError: Error, Equatable {
    public var message: String
    /// The command whose usage line to show, if any.
    public var command: String?
    public init(_ message: String, command: String? = nil) { self.message = message; self.command = command }
}

/// A non-usage failure with an explicit exit status and message.
struct CommandFailure: Error {
    var message: String
    var code: Int32
}

