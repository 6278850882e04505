import Foundation
import Testing
@testable import IncidentKit
import TestSupport

/// Readers take no lock, and git rewrites files in place (a pull, a checkout): a command that
/// reads a file while it is being written must read it again once it has changed, not call
/// it damaged; a file that really is damaged must still be reported, and at once when it is old.
@Suite struct SettledReadTests {
    struct Refused: Error {}

    /// The process's waiting budget is shared by every test in it: plenty for these.
    init() { POSIXFile.settleBudget.store(1_000_000_000, ordering: .relaxed) }

    /// Accepts only the complete text.
    static func decode(_ bytes: [UInt8]) throws -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasSuffix("END") else { throw Refused() }
        return text
    }

    func put(_ text: String, to path: String) {
        // In place, as git and most editors do: the same inode, truncated, then written.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }

    /// Runs `finish` on a thread of its own 30 ms from now (not on the test's task pool,
    /// which the blocked reader may be holding).
    func finishLater(_ finish: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            usleep(30_000)
            finish()
            done.signal()
        }
        return done
    }

    @Test func aFileFinishedWhileItWasBeingReadIsReadAgain() throws {
        let path = temporaryDirectory("settled") + "/runbook.json"
        put("{ half of it", to: path)
        let written = finishLater { self.put("{ all of it END", to: path) }
        // Pauses generous enough for a loaded machine to run the writer in time.
        let text = try POSIXFile.readSettled(path, limit: 1 << 20, pauses: Array(repeating: 50_000, count: 40)) { bytes, _, _ in
            try Self.decode(bytes)
        }
        #expect(text == "{ all of it END")
        written.wait()
    }

    @Test func aRecentFileThatNeverChangesKeepsItsError() throws {
        let path = temporaryDirectory("settled") + "/INC-1.json"
        put("{ broken", to: path)
        var reads = 0
        #expect(throws: Refused.self) {
            _ = try POSIXFile.readSettled(path, limit: 1 << 20, pauses: [1_000, 1_000, 1_000]) { bytes, _, _ in
                reads += 1
                return try Self.decode(bytes)
            }
        }
        #expect(reads == 1)  // watched, never read again: it did not change
    }

    @Test func anOldDamagedFileIsReportedWithoutWaiting() throws {
        let path = temporaryDirectory("settled") + "/INC-2.json"
        put("{ broken", to: path)
        var times = [timeval(tv_sec: 1_700_000_000, tv_usec: 0), timeval(tv_sec: 1_700_000_000, tv_usec: 0)]
        #expect(utimes(path, &times) == 0)
        let start = Date()
        #expect(throws: Refused.self) {
            // A pause of ten seconds would show: an old file gets none.
            _ = try POSIXFile.readSettled(path, limit: 1 << 20, pauses: [10_000_000]) { bytes, _, _ in try Self.decode(bytes) }
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func anIncidentFileCaughtMidWriteIsReadOnceWhole() throws {
        let store = Store(root: temporaryDirectory("settled") + "/s")
        try store.initialize()
        var s = try Scenario(severity: "high", at: "2026-11-23T14:05:00Z")
        for minute in 10..<40 {
            try Actions.note(&s.record, runbook: s.runbook, text: "step \(minute)", kind: nil, actor: Scenario.actor("2026-11-23T14:\(minute):00Z"))
        }
        let record = s.record
        try store.withLock { try store.save(record) }
        let path = store.activeDirectory + "/INC-1.json"
        let whole = try String(contentsOfFile: path, encoding: .utf8)
        put(String(whole.prefix(whole.count / 2)), to: path)
        let written = finishLater { self.put(whole, to: path) }
        #expect(try store.load(record.id).0.events == record.events)
        written.wait()
    }
}
